"""The tiny word2vec README's model: an **Embedding** table `E` gives the center word a vector `v`;
a **Linear** layer (`W`, `b`) turns it into one score per word; **softmax** makes the scores
probabilities; **cross-entropy** measures how unlikely the target word was; the **backward pass**
gives each parameter's gradient and **SGD** moves it a little. The defaults are the README's
example: *dog → park*, learning rate 0.1."""
from functools import partial

import streamlit as st

from core import tiny_word2vec as tw
from core.seeds import tiny_word2vec as readme
from ui import charts, lesson, seedcheck, variants
from ui import worksheet as ws
from ui.format import md_text as md, tex_text
from ui.lesson import Example, Lesson
from ui.stepper import Stage
from ui.tables import changed_marks, matrix_table, target_marks
from ui.training import Field, Training


def words_of(settings):
    return tw.vocab_words(settings["vocab"])


def fresh(settings, seed, old):
    return tw.lesson_params(words_of(settings), seed, old["E"].shape[1] if old else 2)


def read(s, params):
    words = words_of(s)
    return Example(params, {k: lesson.index_in(s[k], len(words)) for k in ("center", "target")},
                   s["lr"], {"words": words, "tex": [tex_text(x) for x in words]})


def controls(c):
    c1, c2, c3 = st.columns([2, 2, 3])
    lesson.choose(L, c1, "Center word (input)", "center", c.info["words"])
    lesson.choose(L, c2, "Target word (to predict)", "target", c.info["words"])
    lesson.lr_input(L, c3, help="The README uses 0.1.")
    if box := lesson.settings_box(L, "Words (editable)", ["vocab"]):
        lesson.text(L, box, "Vocabulary (comma-separated, 2 to 12 words)", "vocab")


def lines(c, stage):
    """A stage's worksheet lines: t(key, *index) / p(name, *index) show this step's numbers."""
    t, p, ex, w = partial(ws.val, c.trace), partial(ws.val, c.params), c.ex.example, c.info["tex"]
    V, d, ci, tg = *c.trace["grad_W"].shape, ex["center"], ex["target"]
    dL = lambda x: rf"\frac{{\partial L}}{{\partial {x}}}"  # noqa: E731
    if stage == "Forward":
        return ([ws.Line(rf"v_{i} = E[{w[ci]}]_{i}", None, t("v", i)) for i in range(d)]
                + [ws.Line(rf"z_{{{w[j]}}}", ws.dot([(t("v", i), p("W", j, i)) for i in range(d)],
                                                    p("b", j)), t("logits", j)) for j in range(V)])
    if stage == "Softmax":
        shift = ws.Num(max(c.trace["logits"])) if tw.needs_shift(c.trace["logits"]) else None
        return ([ws.Line(rf"e^{{z_{{{w[j]}}}}}", ws.exp(ws.sub(t("logits", j), shift) if shift
                                                        else t("logits", j)), t("exp", j))
                 for j in range(V)]
                + [ws.Line("S", ws.add(*[t("exp", j) for j in range(V)]), t("sum_exp"))]
                + [ws.Line(rf"p_{{{w[j]}}}", ws.div(t("exp", j), t("sum_exp")), t("probs", j))
                   for j in range(V)])
    if stage == "Loss":
        return [ws.Line("L", ws.neg(ws.log(t("probs", tg))), t("loss"), rf"-\log p_{{{w[tg]}}}")]
    if stage == "Backward":
        return ([ws.Line(dL(f"z_{{{w[j]}}}"), ws.sub(t("probs", j), ws.const(j == tg)),
                         t("grad_logits", j)) for j in range(V)]
                + [ws.Line(dL(f"v_{i}"), ws.dot([(t("grad_logits", j), p("W", j, i)) for j in
                                                 range(V)]), t("grad_v", i)) for i in range(d)]
                + [ws.Line(dL(f"W_{{{w[j]},{i}}}"), ws.dot([(t("grad_logits", j), t("v", i))]),
                           t("grad_W", j, i)) for j in range(V) for i in range(d)])
    return ([ws.update(rf"E[{w[ci]}]_{i}", p("E", ci, i), c.lr, t("grad_v", i, paren=True),
                       t("E_new", ci, i)) for i in range(d)]
            + [ws.sgd(rf"b_{{{w[j]}}}", c.params, c.trace, "b", "b_new", "grad_b", (j,), c.lr)
               for j in range(V)]
            + [ws.sgd(rf"W_{{{w[j]},{i}}}", c.params, c.trace, "W", "W_new", "grad_W", (j, i), c.lr)
               for j in range(V) for i in range(d)])


def chart(c, stage):
    words, tr = c.info["words"], c.trace
    if stage == "Forward":
        charts.heatmap(c.params["W"], c.decimals, words, dims(c), title="W (one row per word)")
    elif stage == "Softmax":
        charts.prob_bars(tr["probs"], words, c.ex.example["target"], c.decimals)
    elif stage == "Backward":
        charts.heatmap(tr["grad_W"], c.decimals, words, dims(c), title="∂L/∂W")
    elif stage == "Update" and c.params["E"].shape[1] >= 2:
        charts.embedding_move(c.params["E"][:, :2], tr["E_new"][:, :2], words, [c.ex.example["center"]])
    seedcheck.beside(readme, c, dict(tw.STAGES)[stage][0] + (("grad_v",) if stage == "Backward" else ()))


def dims(c):
    return [f"d{i}" for i in range(c.params["E"].shape[1])]


NOTES = {"Update": "Only the center word's row of E moves.",
         "Softmax": "The logits are large, so e^z is computed as e^(z − max z): the probabilities "
                    "are the same and nothing overflows."}


def stages(c):
    shifted = tw.needs_shift(c.trace["logits"])
    return [Stage(n, k, f, partial(lines, stage=n), partial(chart, stage=n),
                  NOTES.get(n, "") if n != "Softmax" or shifted else "") for n, (k, f) in tw.STAGES]


def axes(c):
    words, vec = c.info["words"], (c.info["words"], None)
    return {"v": (dims(c), None), "grad_v": (dims(c), None), **dict.fromkeys((
        "logits", "exp", "probs", "grad_logits", "grad_b", "b_new"), vec), **dict.fromkeys((
            "grad_W", "E_new", "W_new"), (words, dims(c)))}


def marks(c):
    tm = target_marks(len(c.info["words"]), c.ex.example["target"])
    return {**dict.fromkeys(("logits", "exp", "probs", "grad_logits", "grad_b"), tm),
            "E_new": changed_marks(c.trace["E_new"], c.params["E"], [c.ex.example["center"]])}


TRAINING = Training(
    "Training: the README's 50 epochs",
    lambda c: "Each epoch is one SGD step on all training pairs at once (the mean cross-entropy, "
              "as `CrossEntropyLoss` does), starting from the weights above.",
    (Field("pairs", "Training pairs (center → target, separated by commas)", "dog park, cat park",
           "Each pair is two words of the vocabulary."), Field("epochs", "Epochs", 50, lo=1, hi=2000)),
    lambda c, v, progress: tw.train_pairs(c.params, c.info["words"], v["pairs"], c.lr, v["epochs"]),
    lambda c, r: r["E_history"].shape[2] >= 2 and charts.trajectories(r["E_history"][:, :, :2],
                                                                       r["words"]),
    lambda c, r: matrix_table(r["E"], c.decimals, r["words"], dims(c), name="E after training"))

L = Lesson(
    prefix="tiny", url_path="tiny_word2vec", title="Tiny word2vec: one SGD step, every number",
    nav_title="Tiny word2vec", icon=":material/pets:",
    blurb="The tiny word2vec README: one SGD step of Embedding → Linear → cross-entropy, its "
          "hand calculation checked number by number.",
    intro=__doc__, model="tiny_word2vec",
    settings={"vocab": ", ".join(tw.VOCAB), "center": tw.README_CENTER,
              "target": tw.README_TARGET, "lr": tw.README_LR},
    read=read, shape=lambda s: len(words_of(s)), fresh=fresh, controls=controls, stages=stages,
    headline=lambda c: f"{md(c.info['words'][c.ex.example['center']])} → "
                       f"{md(c.info['words'][c.ex.example['target']])}, α = {c.lr:g}",
    axes=axes, marks=marks, edit={"E": "E: embeddings (V × d)", "W": "W: linear weights (V × d)",
                                  "b": "b: biases (V)"},
    url={**lesson.word_params(words_of, "center", "target"), "lr": lesson.lr_param()},
    training=TRAINING, seed=readme,
    graph="center>v E>v v>logits W>logits b>logits logits>probs probs>loss",
    reset_label="Reset to README values", title_short="Tiny word2vec: one SGD step",
    variant=variants.pick(center=range(len(tw.VOCAB)), target=range(len(tw.VOCAB))))  # sheets

if __name__ == "__main__":
    lesson.run(L)

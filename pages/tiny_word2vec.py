"""Tiny word2vec: one SGD step of Embedding -> Linear -> cross-entropy, every number."""
import streamlit as st

from core import tiny_word2vec as tw
from core.common import parse_pairs, parse_words
from core.seeds import tiny_word2vec as readme
from ui import charts, lesson, seedcheck, variants
from ui import worksheet as ws
from ui.format import md_text as md, tex_text
from ui.lesson import Example, Lesson
from ui.stepper import Stage
from ui.tables import changed_marks, matrix_table, target_marks
from ui.training import Field, Training


def words_of(settings):
    try:
        return parse_words(settings["vocab"], most=12)
    except ValueError as err:  # the message names the box (it sits in a closed expander)
        raise ValueError(f"the vocabulary: {err}") from None


def fresh(settings, seed, old):
    words = words_of(settings)
    if words == list(tw.VOCAB) and seed == 0:
        return dict(tw.README_PARAMS)
    return tw.init_params(len(words), old["E"].shape[1] if old else 2, seed)


def read(settings, params):
    words = words_of(settings)
    example = {"center": settings["center"] % len(words), "target": settings["target"] % len(words)}
    return Example(params, example, settings["lr"], {"words": words})


def controls(c):
    words = c.info["words"]
    c1, c2, c3 = st.columns([2, 2, 3])
    lesson.choose(L, c1, "Center word (input)", "center", words)
    lesson.choose(L, c2, "Target word (to predict)", "target", words)
    lesson.lr_input(L, c3, help="The README uses 0.1.")
    with st.expander("Words (editable)", expanded=False):
        lesson.text(L, st, "Vocabulary (comma-separated, 2 to 12 words)", "vocab")


# --- worksheet lines ---------------------------------------------------------------------------

def w(c):
    return [tex_text(x) for x in c.info["words"]]


def forward_lines(c):
    t, p, ci = c.trace, c.params, c.ex.example["center"]
    lines = [ws.Line(rf"v_{i} = E[{w(c)[ci]}]_{i}", None, ws.val(t, "v", i))
             for i in range(len(t["v"]))]
    return lines + [ws.Line(rf"z_{{{w(c)[j]}}}", ws.dot([(ws.val(t, "v", i), ws.val(p, "W", j, i))
                                                         for i in range(len(t["v"]))],
                                                        ws.val(p, "b", j)), ws.val(t, "logits", j))
                    for j in range(len(t["logits"]))]


def softmax_lines(c):
    t, V = c.trace, len(c.trace["logits"])
    shift = ws.Num(max(t["logits"])) if tw.needs_shift(t["logits"]) else None
    z = [ws.val(t, "logits", j) for j in range(V)]
    lines = [ws.Line(rf"e^{{z_{{{w(c)[j]}}}}}", ws.exp(ws.sub(z[j], shift) if shift else z[j]),
                     ws.val(t, "exp", j)) for j in range(V)]
    lines.append(ws.Line("S", ws.add(*[ws.val(t, "exp", j) for j in range(V)]),
                         ws.val(t, "sum_exp")))
    return lines + [ws.Line(rf"p_{{{w(c)[j]}}}", ws.div(ws.val(t, "exp", j), ws.val(t, "sum_exp")),
                            ws.val(t, "probs", j)) for j in range(V)]


def loss_lines(c):
    tg = c.ex.example["target"]
    return [ws.Line("L", ws.neg(ws.log(ws.val(c.trace, "probs", tg))), ws.val(c.trace, "loss"),
                    rf"-\log p_{{{w(c)[tg]}}}")]


def backward_lines(c):
    t, p, tg = c.trace, c.params, c.ex.example["target"]
    V, d = t["grad_W"].shape
    lines = [ws.Line(rf"\frac{{\partial L}}{{\partial z_{{{w(c)[j]}}}}}",
                     ws.sub(ws.val(t, "probs", j), ws.const(j == tg)), ws.val(t, "grad_logits", j))
             for j in range(V)]
    lines += [ws.Line(rf"\frac{{\partial L}}{{\partial v_{i}}}",
                      ws.dot([(ws.val(t, "grad_logits", j), ws.val(p, "W", j, i)) for j in range(V)]),
                      ws.val(t, "grad_v", i)) for i in range(d)]
    return lines + [ws.Line(rf"\frac{{\partial L}}{{\partial W_{{{w(c)[j]},{i}}}}}",
                            ws.dot([(ws.val(t, "grad_logits", j), ws.val(t, "v", i))]),
                            ws.val(t, "grad_W", j, i)) for j in range(V) for i in range(d)]


def update_lines(c):
    t, p, ci, V, d = c.trace, c.params, c.ex.example["center"], *c.trace["grad_W"].shape
    lines = [ws.Line(rf"E[{w(c)[ci]}]_{i}", ws.sub(ws.val(p, "E", ci, i), ws.mul(
        ws.Num(c.lr, ("lr", ())), ws.val(t, "grad_v", i, paren=True))), ws.val(t, "E_new", ci, i))
        for i in range(d)]
    lines += [ws.sgd(rf"b_{{{w(c)[j]}}}", p, t, "b", "b_new", "grad_b", (j,), c.lr) for j in range(V)]
    return lines + [ws.sgd(rf"W_{{{w(c)[j]},{i}}}", p, t, "W", "W_new", "grad_W", (j, i), c.lr)
                    for j in range(V) for i in range(d)]


def update_chart(c):
    if c.params["E"].shape[1] >= 2:
        charts.embedding_move(c.params["E"][:, :2], c.trace["E_new"][:, :2], c.info["words"],
                              [c.ex.example["center"]])
    seedcheck.beside(readme, c, ("E_new", "W_new", "b_new"))


def dims(c):
    return [f"d{i}" for i in range(c.params["E"].shape[1])]


def stages(c):
    return [
        Stage("Forward", ("v", "logits"), (r"v = E[\text{center}]", r"z = vW^\top + b",
                                           r"z_j = \textstyle\sum_i v_i W_{ji} + b_j"),
              forward_lines, lambda c: (charts.heatmap(c.params["W"], c.decimals, c.info["words"],
                                                       dims(c), title="W (one row per word)"),
                                        seedcheck.beside(readme, c, ("logits",)))),
        Stage("Softmax", ("exp", "sum_exp", "probs"),
              (r"p_j = \frac{e^{z_j}}{S}, \quad S = \textstyle\sum_k e^{z_k}",), softmax_lines,
              lambda c: (charts.prob_bars(c.trace["probs"], c.info["words"],
                                          c.ex.example["target"], c.decimals),
                         seedcheck.beside(readme, c, ("exp", "sum_exp", "probs"))),
              "The logits are large, so e^z is computed as e^(z − max z): the probabilities are "
              "the same and nothing overflows." if tw.needs_shift(c.trace["logits"]) else ""),
        Stage("Loss", ("loss",), (r"L = -\log p_{\text{target}}",), loss_lines,
              lambda c: seedcheck.beside(readme, c, ("loss",))),
        Stage("Backward", ("grad_logits", "grad_W", "grad_b", "grad_v"),
              (r"\frac{\partial L}{\partial z_j} = p_j - y_j", r"\frac{\partial L}{\partial W_{ji}}"
               r" = \frac{\partial L}{\partial z_j} v_i, \quad \frac{\partial L}{\partial b_j} = "
               r"\frac{\partial L}{\partial z_j}", r"\frac{\partial L}{\partial v_i} = "
               r"\textstyle\sum_j \frac{\partial L}{\partial z_j} W_{ji}"), backward_lines,
              lambda c: (charts.heatmap(c.trace["grad_W"], c.decimals, c.info["words"], dims(c),
                                        title="∂L/∂W"),
                         seedcheck.beside(readme, c, ("grad_logits", "grad_W", "grad_v")))),
        Stage("Update", ("E_new", "W_new", "b_new"),
              (r"\theta_{\text{new}} = \theta - \alpha \frac{\partial L}{\partial \theta}",),
              update_lines, update_chart, "Only the center word's row of E moves."),
    ]


def axes(c):
    words, vec = c.info["words"], (c.info["words"], None)
    return {"v": (dims(c), None), "grad_v": (dims(c), None), "logits": vec, "exp": vec,
            "probs": vec, "grad_logits": vec, "grad_b": vec, "b_new": vec,
            "grad_W": (words, dims(c)), "E_new": (words, dims(c)), "W_new": (words, dims(c))}


def marks(c):
    t, p, V = c.trace, c.params, len(c.info["words"])
    tm = target_marks(V, c.ex.example["target"])
    return {"logits": tm, "exp": tm, "probs": tm, "grad_logits": tm, "grad_b": tm,
            "E_new": changed_marks(t["E_new"], p["E"], [c.ex.example["center"]]),
            "W_new": changed_marks(t["W_new"], p["W"]), "b_new": changed_marks(t["b_new"], p["b"])}


def train(c, values, progress):
    pairs = parse_pairs(values["pairs"], c.info["words"])
    if not 1 <= int(values["epochs"]) <= 2000:
        raise ValueError("the number of epochs must be between 1 and 2000")
    result = tw.train(c.params["E"], c.params["W"], c.params["b"], pairs, c.lr, int(values["epochs"]))
    return {**result, "words": c.info["words"]}


def train_charts(c, r):
    if r["E_history"].shape[2] >= 2:
        charts.trajectories(r["E_history"][:, :, :2], r["words"])


TRAINING = Training(
    "Training: the README's 50 epochs",
    lambda c: "Each epoch is one SGD step on all training pairs at once (the mean cross-entropy, "
              "as `CrossEntropyLoss` does), starting from the weights above.",
    (Field("pairs", "Training pairs (center → target, separated by commas)", "dog park, cat park",
           "Each pair is two words of the vocabulary."), Field("epochs", "Epochs", 50, "1 to 2000")),
    train, train_charts, lambda c, r: matrix_table(r["E"], c.decimals, r["words"], dims(c),
                                                   name="E after training"))

L = Lesson(
    prefix="tiny", url_path="tiny_word2vec", title="Tiny word2vec: one SGD step, every number",
    nav_title="Tiny word2vec", icon=":material/pets:",
    blurb="The tiny word2vec README: one SGD step of Embedding → Linear → cross-entropy, its "
          "hand calculation checked number by number.",
    intro="The tiny word2vec README's model: an **Embedding** table `E` gives the center word a "
          "vector `v`; a **Linear** layer (`W`, `b`) turns it into one score per word; "
          "**softmax** makes the scores probabilities; **cross-entropy** measures how unlikely "
          "the target word was; the **backward pass** gives each parameter's gradient and "
          "**SGD** moves it a little. The defaults are the README's example: *dog → park*, "
          "learning rate 0.1.",
    model="tiny_word2vec",
    settings={"vocab": ", ".join(tw.VOCAB), "center": tw.README_CENTER,
              "target": tw.README_TARGET, "lr": tw.README_LR},
    read=read, shape=lambda s: len(words_of(s)), fresh=fresh, controls=controls, stages=stages,
    headline=lambda c: f"{md(c.info['words'][c.ex.example['center']])} → "
                       f"{md(c.info['words'][c.ex.example['target']])}, α = {c.lr:g}",
    axes=axes, marks=marks, edit={"E": "E: embeddings (V × d)", "W": "W: linear weights (V × d)",
                                  "b": "b: biases (V)"},
    url={"center": lesson.word_param("center", words_of),
         "target": lesson.word_param("target", words_of), "lr": lesson.lr_param()},
    training=TRAINING, seed=readme, graph=(("center", "v"), ("E", "v"), ("v", "logits"),
                                            ("W", "logits"), ("b", "logits"), ("logits", "probs"),
                                            ("probs", "loss")), reset_label="Reset to README values",
    title_short="Tiny word2vec: one SGD step",
    variant=variants.pick(center=range(len(tw.VOCAB)), target=range(len(tw.VOCAB))))  # sheets

if __name__ == "__main__":
    lesson.run(L)

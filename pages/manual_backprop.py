"""The numpy manual-backprop notebook: a word's embedding row `e` times a `linear` matrix gives
scores `x`, softmax gives `o`, the loss is $L = -\\frac{1}{V} y^\\top \\log o$: the word predicts
**itself**. The backward pass is by hand; only `e` moves."""
import streamlit as st

from core import manual_backprop as mb
from core.common import needs_shift
from core.seeds import manual_backprop as notebook
from ui import charts, lesson, worksheet as ws
from ui.format import md_text as md, tex_text
from ui.lesson import Example, Lesson
from ui.stepper import Stage
from ui.tables import changed_marks, matrix_table, target_marks
from ui.training import Field, Training


def read(settings, params):
    words, i = mb.vocab_of(settings["sentence"]), settings["word"]
    index = lesson.index_in(i, len(words))
    return Example(params, {"index": index}, settings["lr"], {"words": words, "word": words[index]})


def controls(c):
    lesson.text(L, st, "Sentence: its different words are the vocabulary", "sentence")
    c1, c2, c3, c4 = st.columns(4)
    lesson.choose(L, c1, "Word (index)", "word", [f"{i}: {w}" for i, w in
                                                  enumerate(c.info["words"])])
    lesson.lr_input(L, c2, "Learning rate", help="The notebook's loop uses 1.0.")
    lesson.number(L, c3, "Embedding size d", "dim", 1, mb.MAX_DIM)
    lesson.number(L, c4, "Random seed", "seed", 0, 2**31 - 1, help="New random init adds 1.")
    st.caption(notebook.SET_ORDER_NOTE)


# --- worksheet lines: e = embedding[index] is the word's row, y = onehot(index) ---------------

def dL(v):
    return rf"\frac{{\partial L}}{{\partial {v}}}"


def forward_lines(t, p, V, d, ix, w):
    top = ws.val(t, "x", max(range(V), key=lambda k: t["x"][k])) if needs_shift(t["x"]) else None
    e = [ws.exp(ws.sub(ws.val(t, "x", k), top) if top else ws.val(t, "x", k)) for k in range(V)]
    x = [ws.Line(f"x_{{{w[j]}}}", ws.dot([(ws.val(t, "e", i), ws.val(p, "linear", i, j))
                                          for i in range(d)], shown=3), ws.val(t, "x", j))
         for j in range(V)]
    o = [ws.Line(f"o_{{{w[j]}}}", ws.div(e[j], ws.add(*e, shown=3)), ws.val(t, "o", j))
         for j in range(V)]
    return x + o + [ws.Line("L", ws.mul(ws.div(ws.const(-1), ws.const(V)),
                                        ws.log(ws.val(t, "o", ix))), ws.val(t, "loss"))]


def do_lines(t, p, V, d, ix, w):  # an o_j that underflowed to 0 has y_j = 0: its term is 0
    return [ws.Line(dL(f"o_{{{w[j]}}}"), ws.mul(ws.div(ws.const(-1), ws.const(V)), ws.div(
        ws.const(j == ix), ws.val(t, "o", j)) if t["o"][j] > 0 else ws.const(0)),
        ws.val(t, "dL_do", j)) for j in range(V)]


def dx_lines(t, p, V, d, ix, w):
    return [ws.Line(dL(f"x_{{{w[j]}}}"), ws.div(ws.sub(ws.val(t, "o", j), ws.const(j == ix)),
                                                 ws.const(V)), ws.val(t, "dL_dx", j))
            for j in range(V)]


def de_lines(t, p, V, d, ix, w):
    return [ws.Line(dL(f"e_{i}"), ws.dot([(ws.val(p, "linear", i, j), ws.val(t, "dL_dx", j))
                                          for j in range(V)], shown=3), ws.val(t, "dL_de", i))
            for i in range(d)]


def update_lines(t, p, V, d, ix, w):
    alpha = ws.Num(t["lr"], ("lr", ()), False, None if t["lr"] >= 1e-4 else 6)
    return [ws.Line(rf"\text{{embedding}}_{{{w[ix]},{i}}}", ws.sub(ws.val(
        p, "embedding", ix, i), ws.mul(alpha, ws.val(t, "dL_de", i, paren=True))),
        ws.val(t, "embedding_new", ix, i)) for i in range(d)]


def stage(name, keys, formulas, lines, chart=None, note=""):
    """A Stage whose lines get (trace + lr, params, V, d, the word's index, words as TeX)."""
    return Stage(name, keys, formulas, lambda c: lines(
        {**c.trace, "lr": c.lr}, c.params, *c.params["embedding"].shape, c.ex.example["index"],
        [tex_text(x) for x in c.info["words"]]), chart, note)


def stages(c):
    ix, word = c.ex.example["index"], tex_text(c.info["word"])
    return [
        stage("Forward", ("e", "x", "o", "loss"),
              (rf"e = \text{{embedding}}[{ix}]\quad(\text{{the row of }}{word})",
               r"x_j = \textstyle\sum_i e_i\,\text{linear}_{ij}",
               r"o = \operatorname{softmax}(x)", rf"L = -\tfrac{{1}}{{V}}\, y^\top \log o = "
               rf"-\tfrac{{1}}{{V}}\log o_{{{word}}}"), forward_lines,
              lambda c: charts.prob_bars(c.trace["o"], c.info["words"], ix, c.decimals),
              "Large scores: e^x is computed as e^(x − max x), the same o without overflow."
              if needs_shift(c.trace["x"]) else ""),
        stage("dL/do", ("dL_do",), (dL("o") + r" = -\frac{1}{V}\,\frac{y}{o}\quad"
                                    r"\text{(term by term)}",), do_lines,
              note="y is one-hot: only the true word's entry is non-zero (−(1/V)/o there)."),
        stage("dL/dx", ("dL_dx",), (dL("x") + " = " + dL("o") + r"\frac{\partial o}{\partial x}"
                                    r" = \frac{1}{V}(o - y)",), dx_lines,
              note="The softmax Jacobian diag(o) − o oᵀ times −y/(V·o) is (o − y)/V."),
        stage("dL/de", ("dL_de",), (dL("e") + r" = \text{linear}\;" + dL("x"),), de_lines),
        stage("Update", ("embedding_new",), (r"e \leftarrow e - \alpha" + dL("e"),), update_lines,
              note="Only the word's embedding row moves; linear stays fixed."),
    ]


def axes(c):
    words, dims = c.info["words"], [f"d{i}" for i in range(c.params["embedding"].shape[1])]
    return {"e": (dims, None), "dL_de": (dims, None), "x": (words, None), "o": (words, None),
            "dL_do": (words, None), "dL_dx": (words, None), "embedding_new": (words, dims)}


def marks(c):
    ix, tm = c.ex.example["index"], target_marks(len(c.info["words"]), c.ex.example["index"])
    return {"x": tm, "o": tm, "dL_do": tm, "dL_dx": tm, "embedding_new": changed_marks(
        c.trace["embedding_new"], c.params["embedding"], [ix])}


TRAINING = Training(
    "Training: the notebook's 20-step loop",
    lambda c: f"`step(index)` again and again at learning rate {c.lr:g} from the weights above "
              "(the notebook: 20 steps at 1.0); each loss comes before its update.",
    (Field("steps", "Steps", mb.SEED_STEPS, f"1 to {mb.MAX_STEPS}"),),
    lambda c, values, progress: {**mb.train(c.params, c.ex.example, c.lr, values["steps"]),
                                 "words": c.info["words"], "index": c.ex.example["index"]},
    lambda c, r: (st.markdown(f"**Probabilities after {len(r['losses'])} steps**"),
                  charts.prob_bars(r["probs"], r["words"], r["index"], c.decimals)),
    lambda c, r: matrix_table(r["probs"], c.decimals, r["words"], name="o after training"),
    curve_title="loss per step", steps_name="step")

L = Lesson(
    prefix="mb", url_path="manual_backprop", title="Manual backprop: the gradient by hand",
    nav_title="Manual backprop", icon=":material/edit_note:",
    blurb="The numpy manual-backprop notebook: embedding @ linear → softmax → loss, by hand.",
    intro=__doc__,
    model="manual_backprop",
    settings={"sentence": mb.SENTENCE, "word": mb.SEED_INDEX, "lr": mb.SEED_LR,
              "dim": mb.SEED_DIM, "seed": 0},
    read=read, shape=lambda s: (tuple(mb.vocab_of(s["sentence"])), s["dim"]),  # words: new weights
    fresh=lambda s, seed, old: mb.init_params(len(mb.vocab_of(s["sentence"])), s["dim"], seed),
    controls=controls, stages=stages, axes=axes, marks=marks, seed_setting="seed",
    headline=lambda c: f"“{md(c.info['word'])}” predicts itself, α = {c.lr:g}",
    url={"word": lesson.index_param("word", lambda s: len(mb.vocab_of(s["sentence"]))),
         "dim": lesson.int_param("dim", 1, mb.MAX_DIM), "lr": lesson.lr_param()},
    training=TRAINING, seed=notebook, title_short="Manual backprop: one step",
    graph=("embedding>e e>x linear>x x>o o>loss"))

if __name__ == "__main__":
    lesson.run(L)

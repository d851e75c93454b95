"""Manual backprop: the numpy notebook's embedding @ linear -> softmax -> -(1/V) yᵀlog(o)."""
import streamlit as st

from core import manual_backprop as mb
from core.common import needs_shift
from core.seeds import manual_backprop as notebook
from ui import charts, lesson, urlstate
from ui import worksheet as ws
from ui.format import md_text as md, tex_text
from ui.lesson import Example, Lesson, UrlParam
from ui.stepper import Stage
from ui.tables import changed_marks, matrix_table, target_marks
from ui.training import Field, Training


def words_of(settings):
    return mb.vocab_of(settings["sentence"])


def read(settings, params):
    words, i = words_of(settings), settings["word"]
    index = i if isinstance(i, int) and 0 <= i < len(words) else 0  # as lesson.choose resets it
    return Example(params, {"index": index}, settings["lr"], {"words": words})


def controls(c):
    lesson.text(L, st, "Sentence (its words, in first-appearance order, are the vocabulary)",
                "sentence")
    c1, c2, c3, c4 = st.columns(4)
    lesson.choose(L, c1, "Word (index)", "word", [f"{i}: {w}" for i, w in enumerate(c.info["words"])])
    lesson.lr_input(L, c2, "Learning rate", help="The notebook's loop uses 1.0.")
    lesson.number(L, c3, "Embedding size d", "dim", 1, mb.MAX_DIM)
    lesson.number(L, c4, "Random seed", "seed", 0, 2**31 - 1, help="New random init adds 1.")
    st.caption(notebook.SET_ORDER_NOTE)


# --- worksheet lines ---------------------------------------------------------------------------

def w(c, j=None):
    return tex_text(c.info["words"][c.ex.example["index"] if j is None else j])


def y(c, j):
    return ws.const(j == c.ex.example["index"])


def forward_lines(c):
    t, p, (V, d), ix = c.trace, c.params, c.params["embedding"].shape, c.ex.example["index"]
    lines = [ws.Line(rf"x_{{{w(c, j)}}}", ws.dot([(ws.val(t, "e", i), ws.val(p, "linear", i, j))
                                                   for i in range(d)], shown=3), ws.val(t, "x", j),
                     rf"\textstyle\sum_i e_i\,\text{{linear}}_{{i,{w(c, j)}}}") for j in range(V)]
    top = ws.val(t, "x", max(range(V), key=lambda k: t["x"][k])) if needs_shift(t["x"]) else None
    e = [ws.exp(ws.sub(ws.val(t, "x", k), top) if top else ws.val(t, "x", k)) for k in range(V)]
    lines += [ws.Line(rf"o_{{{w(c, j)}}}", ws.div(e[j], ws.add(*e, shown=3)), ws.val(t, "o", j))
              for j in range(V)]
    return lines + [ws.Line("L", ws.mul(ws.div(ws.const(-1), ws.const(V)), ws.log(ws.val(t, "o", ix))),
                            ws.val(t, "loss"), rf"-\frac{{1}}{{V}}\log o_{{{w(c)}}}")]


def do_lines(c):
    t, V = c.trace, len(c.trace["o"])   # an o_j that underflowed to 0 has y_j = 0: the term is 0
    return [ws.Line(rf"\frac{{\partial L}}{{\partial o_{{{w(c, j)}}}}}", ws.mul(
        ws.div(ws.const(-1), ws.const(V)), ws.div(y(c, j), ws.val(t, "o", j)) if t["o"][j] > 0
        else ws.const(0)), ws.val(t, "dL_do", j)) for j in range(V)]


def dx_lines(c):
    t, V = c.trace, len(c.trace["o"])
    return [ws.Line(rf"\frac{{\partial L}}{{\partial x_{{{w(c, j)}}}}}", ws.div(
        ws.sub(ws.val(t, "o", j), y(c, j)), ws.const(V)), ws.val(t, "dL_dx", j)) for j in range(V)]


def de_lines(c):
    t, p, (V, d) = c.trace, c.params, c.params["embedding"].shape
    return [ws.Line(rf"\frac{{\partial L}}{{\partial e_{i}}}", ws.dot(
        [(ws.val(p, "linear", i, j), ws.val(t, "dL_dx", j)) for j in range(V)], shown=3),
        ws.val(t, "dL_de", i)) for i in range(d)]


def update_lines(c):
    t, p, ix, alpha = c.trace, c.params, c.ex.example["index"], ws.Num(
        c.lr, ("lr", ()), False, None if c.lr >= 1e-4 else 6)
    return [ws.Line(rf"\text{{embedding}}_{{{w(c)},{i}}}", ws.sub(ws.val(p, "embedding", ix, i),
                    ws.mul(alpha, ws.val(t, "dL_de", i, paren=True))), ws.val(t, "embedding_new", ix, i))
            for i in range(p["embedding"].shape[1])]


def stages(c):
    return [
        Stage("Forward", ("e", "x", "o", "loss"),
              (rf"e = \text{{embedding}}[{c.ex.example['index']}] \quad (\text{{the row of }} {w(c)})",
               r"x = e \cdot \text{linear}", r"o = \operatorname{softmax}(x)",
               r"L = -\tfrac{1}{V}\, y^\top \log o"), forward_lines,
              lambda c: charts.prob_bars(c.trace["o"], c.info["words"], c.ex.example["index"],
                                         c.decimals),
              "The scores are large, so e^x is computed as e^(x − max x): the probabilities are "
              "the same and nothing overflows." if needs_shift(c.trace["x"]) else ""),
        Stage("dL/do", ("dL_do",), (r"\frac{\partial L}{\partial o} = -\frac{1}{V}\,\frac{y}{o}"
                                    r"\quad\text{(term by term)}",), do_lines,
              note="Only the true word's entry is non-zero: y is one-hot, so dL/do is −(1/V)/o "
                   "there and 0 elsewhere."),
        Stage("dL/dx", ("dL_dx",), (r"\frac{\partial L}{\partial x} = \frac{\partial L}{\partial o}"
                                    r"\frac{\partial o}{\partial x} = \frac{1}{V}(o - y)",), dx_lines,
              note="The softmax Jacobian diag(o) − o oᵀ times −y/(V·o) simplifies to (o − y)/V."),
        Stage("dL/de", ("dL_de",), (r"\frac{\partial L}{\partial e} = \text{linear}\;"
                                    r"\frac{\partial L}{\partial x}",), de_lines),
        Stage("Update", ("embedding_new",),
              (r"e \leftarrow e - \alpha \frac{\partial L}{\partial e}",), update_lines,
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


def train(c, values, progress):
    if not 1 <= values["steps"] <= mb.MAX_STEPS:
        raise ValueError(f"the number of steps must be between 1 and {mb.MAX_STEPS}")
    return {**mb.train(c.params, c.ex.example, c.lr, values["steps"]), "words": c.info["words"],
            "index": c.ex.example["index"]}


def train_charts(c, r):
    st.markdown(f"**Probabilities after {len(r['losses'])} steps**")
    charts.prob_bars(r["probs"], r["words"], r["index"], c.decimals)


TRAINING = Training(
    "Training: the notebook's 20-step loop",
    lambda c: f"`step(index)` again and again at learning rate {c.lr:g}, from the weights above "
              "(the notebook runs 20 steps at 1.0). Each loss is printed before its update, the "
              "probabilities after the last one.",
    (Field("steps", "Steps", mb.SEED_STEPS, f"1 to {mb.MAX_STEPS}"),), train, train_charts,
    lambda c, r: matrix_table(r["probs"], c.decimals, r["words"], name="o after training"),
    curve_title="loss per step", steps_name="step")

L = Lesson(
    prefix="mb", url_path="manual_backprop", title="Manual backprop: the gradient by hand",
    nav_title="Manual backprop", icon=":material/edit_note:",
    blurb="The numpy manual-backprop notebook: the gradient of embedding @ linear → softmax → "
          "loss written out by hand, and its 20-step loop.",
    intro="The numpy manual-backprop notebook: a word's embedding row `e` times a `linear` "
          "matrix gives scores `x`, softmax gives `o`, and the loss is "
          "$L = -\\frac{1}{V} y^\\top \\log o$ with the word predicting **itself**. The "
          "backward pass is written out by hand, and only the embedding row is updated.",
    model="manual_backprop",
    settings={"sentence": mb.SENTENCE, "word": mb.SEED_INDEX, "lr": mb.SEED_LR,
              "dim": mb.SEED_DIM, "seed": 0},
    read=read, shape=lambda s: (tuple(words_of(s)), s["dim"]),
    fresh=lambda s, seed, old: mb.init_params(len(words_of(s)), s["dim"], seed),
    controls=controls, stages=stages,
    headline=lambda c: f"“{md(c.info['words'][c.ex.example['index']])}” predicts itself, "
                       f"α = {c.lr:g}",
    axes=axes, marks=marks, seed_setting="seed",
    url={"word": UrlParam("word", lambda text, s: urlstate.int_in(0, len(words_of(s)) - 1)(text)),
         "dim": lesson.int_param("dim", 1, mb.MAX_DIM), "lr": lesson.lr_param()},
    training=TRAINING, seed=notebook, title_short="Manual backprop: one step",
    graph=(("embedding", "e"), ("e", "x"), ("linear", "x"), ("x", "o"), ("o", "loss")))

if __name__ == "__main__":
    lesson.run(L)

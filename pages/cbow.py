"""The CBOW course notes' path: **tokenize** a text, slide a **window** of C words each side of a
center word, **average** the context words' **one-hot** vectors, and a small network predicts the
center word: $z_1 = W_1 x + b_1$, $h = \\mathrm{ReLU}(z_1)$, $z_2 = W_2 h + b_2$,
$\\hat y = \\mathrm{softmax}(z_2)$, cross-entropy loss, backprop and one gradient-descent step.
The defaults are the course's sentence, C = 2, N = 3 and the course's weights."""
from functools import partial

import streamlit as st

from core import cbow_mlp as cm, corpus
from core.common import needs_shift
from core.seeds import cbow as notes
from ui import cached, charts, lesson, seedcheck, worksheet as ws
from ui.format import md_code, md_text as md, tex_text
from ui.stepper import Stage
from ui.tables import matrix_table, nonzero_marks, records_table, target_marks
from ui.training import Field, Training


def read(s, params):
    info = corpus.text_example(s["text"], s["C"], s["window"])
    return lesson.Example(params, {"x": info["x"], "y": info["y"]}, s["lr"],
                          {**info, "hid": [f"h{i}" for i in range(s["N"])]})


def controls(c):
    lesson.text(L, st, "Text", "text", area=True, height=80,
                decode_file=lambda raw, s: corpus.decode_upload(raw, C=s["C"]))
    c1, c2, c3, c4 = st.columns(4)
    lesson.number(L, c1, "Window size C", "C", 0, 10)
    lesson.number(L, c2, "Embedding size N", "N", 1, 50)
    lesson.choose(L, c3, "Window (center word)", "window",
                  [f"{i}: {center}" for i, (_, center) in enumerate(c.info["windows"])])
    lesson.lr_input(L, c4, help="The notes choose no learning rate; 0.03 is a small one.")


def lines(c, stage):
    """A stage's worksheet lines; t(key, *index) / p(name, *index) show this step's numbers."""
    t, p, v, z = partial(ws.val, c.trace), partial(ws.val, c.params), c.info["vocab"], c.trace["z2"]
    V, N, w, tg = len(v), len(c.info["hid"]), [tex_text(x) for x in v], c.info["target"]
    nz = sorted({v.index(x) for x in c.info["context"]})  # the context words (x is 0 elsewhere)
    top = max(range(V), key=lambda j: z[j])  # e^(z - max z) when the logits are large, as computed
    e = [ws.exp(ws.sub(t("z2", k), t("z2", top, paren=True)) if needs_shift(z) else t("z2", k))
         for k in range(V)]
    if stage == "onehot":
        return [ws.Line(f"x_{{{w[j]}}}", ws.div(ws.const(c.info["context"].count(v[j])),
                                                ws.const(2 * c.info["C"])), t("x", j)) for j in nz]
    if stage == "forward":
        return ([ws.Line(f"z_{{1,{i}}}", ws.dot([(p("W1", i, j), t("x", j)) for j in nz],
                                                p("b1", i)), t("z1", i)) for i in range(N)]
                + [ws.Line(f"h_{i}", ws.max0(t("z1", i)), t("h", i)) for i in range(N)]
                + [ws.Line(f"z_{{2,{w[j]}}}", ws.dot([(p("W2", j, i), t("h", i)) for i in range(N)],
                                                     p("b2", j)), t("z2", j)) for j in range(V)])
    if stage == "loss":
        return [ws.Line(rf"\hat y_{{{w[j]}}}", ws.div(e[j], ws.add(*e, shown=6)), t("y_hat", j))
                for j in range(V)] + [ws.Line("J", ws.neg(ws.log(t("y_hat", tg))), t("loss"),
                                              rf"-\log \hat y_{{{w[tg]}}}")]
    if stage == "backward":
        d = r"\frac{{\partial J}}{{\partial {}}}".format
        return ([ws.Line(d(f"z_{{2,{w[j]}}}"), ws.sub(t("y_hat", j), t("y", j, digits=0)),
                         t("grad_z2", j)) for j in range(V)]
                + [ws.Line(d(f"h_{i}"), ws.dot([(p("W2", j, i), t("grad_z2", j))
                                                for j in range(V)], shown=6), t("grad_h", i))
                   for i in range(N)]
                + [ws.Line(d(f"z_{{1,{i}}}"), ws.mul(t("grad_h", i), ws.step(t("z1", i))),
                           t("grad_z1", i)) for i in range(N)])

    def sgd(label, k, *index):  # update
        return ws.sgd(label, c.params, c.trace, k, f"{k}_new", f"grad_{k}", index, c.lr)
    return ([sgd(f"W_{{1,{i},{w[j]}}}", "W1", i, j) for i in range(N) for j in nz]
            + [sgd(f"b_{{1,{i}}}", "b1", i) for i in range(N)]
            + [sgd(f"b_{{2,{w[j]}}}", "b2", j) for j in range(V)])


def stages(c):
    v, h, tokens, wins, i = (c.info[k] for k in ("vocab", "hid", "tokens", "windows", "window"))
    dec, F, lo, panel = c.decimals, cm.FORMULAS, max(0, i - 100), partial(seedcheck.stage_panel,
                                                                           notes, c)
    grads = ("grad_z2", "grad_W2", "grad_b2", "grad_h", "grad_z1", "grad_W1", "grad_b1")
    return [
        Stage("Tokens", (), F["tokens"], chart=lambda c: st.markdown(f"**{len(tokens)} tokens:** "
              + ", ".join(map(md_code, tokens[:300])) + " …" * (len(tokens) > 300)),
              note="Runs of , ! ? ; - become '.', words are lower-cased; digits and quotes go."),
        Stage("Vocabulary", (), F["vocab"], chart=lambda c: records_table(
            [{"index": j, "word": w} for j, w in enumerate(v)]),
              note=f"V = {len(v)}: the sorted unique tokens; a word's index is its one-hot slot."),
        Stage("Windows", (), F["windows"], chart=lambda c: records_table([{
            "window": "▶ " * (j == i) + str(j), "context words": ", ".join(x), "center word": w}
            for j, (x, w) in enumerate(wins[lo:lo + 200], lo)]),
              note=f"C = {c.info['C']}: {len(wins):,} windows (up to 200 are listed)."),
        Stage("One-hot and average", ("x", "y"), F["onehot"], partial(lines, stage="onehot"),
              lambda c: (panel(("x", "y")), matrix_table([corpus.one_hot(w, v) for w in c.info[
                  "context"]], 0, c.info["context"], v, name="context word"))),
        Stage("Forward", ("z1", "h", "z2"), F["forward"], partial(lines, stage="forward"),
              lambda c: (charts.heatmap(c.params["W1"], dec, h, v, title="W1: column j is word "
                                        "j's input embedding"), panel(("z1", "h", "z2")))),
        Stage("Softmax and loss", ("y_hat", "loss"), F["loss"], partial(lines, stage="loss"),
              lambda c: (charts.prob_bars(c.trace["y_hat"], v, c.info["target"], dec),
                         panel(("y_hat", "loss"))), "The logits are large, so e^z is computed as "
              "e^(z − max z): the probabilities are the same and nothing overflows."
              if needs_shift(c.trace["z2"]) else ""),
        Stage("Backward", grads, F["backward"], partial(lines, stage="backward"),
              lambda c: panel(grads)),
        Stage("Update", ("W1_new", "b1_new", "W2_new", "b2_new"), F["update"],
              partial(lines, stage="update"),
              note="Only the context words' columns of W1 move: x is 0 everywhere else."),
    ]


def axes(c):
    v, h = c.info["vocab"], c.info["hid"]
    return {**dict.fromkeys(("x", "y", "z2", "y_hat", "grad_z2", "grad_b2", "b2_new"), (v, None)),
            **dict.fromkeys(("z1", "h", "grad_h", "grad_z1", "grad_b1", "b1_new"), (h, None)),
            "grad_W1": (h, v), "W1_new": (h, v), "grad_W2": (v, h), "W2_new": (v, h)}


TRAINING = Training(
    "Training over all windows", lambda c: "Each epoch takes one gradient-descent step per window "
    f"({len(c.info['windows'])}), in order, from the weights above; its loss is their mean.",
    (Field("epochs", "Epochs", 50, "1 to 500", 1, cm.MAX_EPOCHS),),
    lambda c, values, progress: cached.call("cbow_mlp", "train_report", c.params, list(
        c.info["tokens"]), c.info["C"], c.lr, values["epochs"]),
    lambda c, r: charts.word_scatter(r["xy"], r["vocab"], "learned embeddings (average of W1 "
                                     "columns and W2 rows), PCA to 2-D"),
    lambda c, r: (matrix_table(r["xy"], c.decimals, r["vocab"], ["x", "y"], name="plotted"),
                  matrix_table(r["average"], c.decimals, r["vocab"], c.info["hid"],
                               name="average")), "mean loss per epoch")

L = lesson.Lesson(
    prefix="cbow", url_path="cbow", title="CBOW from raw text", icon=":material/notes:",
    blurb="The CBOW course notes: text to windows to one CBOW step, the notes' mistakes explained.",
    intro=__doc__, model="cbow_mlp", settings={"text": cm.COURSE_TEXT, "C": cm.COURSE_C,
                                               "N": cm.COURSE_N, "window": 0, "lr": cm.DEFAULT_LR},
    read=read, shape=lambda s: (read(s, None).info["vocab"], s["N"]),
    fresh=lambda s, seed, old: cm.lesson_params(read(s, None).info["tokens"], s["N"], seed),
    controls=controls, stages=stages, axes=axes,
    marks=lambda c: {**dict.fromkeys(("y", "z2", "y_hat", "grad_z2", "grad_b2"), target_marks(len(
        c.info["vocab"]), c.info["target"])), "x": nonzero_marks(c.trace["x"])},
    headline=lambda c: f"window {c.info['window']}, " + ", ".join(map(md_code, c.info[
        "context"])) + f" → **{md(c.info['center'])}**, α = {c.lr:g}",
    url={"C": lesson.int_param("C", 1, 10), "N": lesson.int_param("N", 1, 50), "window":
         lesson.index_param("window", lambda s: len(corpus.pipeline(s["text"], s["C"])[2])),
         "lr": lesson.lr_param()},
    training=TRAINING, seed=notes, step_stage=4, title_short="CBOW: one step", graph=(
        "x>z1 W1>z1 b1>z1 z1>h h>z2 W2>z2 b2>z2 z2>y_hat y_hat>loss"))

if __name__ == "__main__":
    lesson.run(L)

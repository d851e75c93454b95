"""The torch word2vec notebook's `CBOWModel`: the context's embeddings are **averaged** into `h`, a
`Linear` layer scores every word, then `CrossEntropyLoss` and one `SGD` step. Only the context
rows of `E` move, by `grad_h / C` once per appearance."""
import streamlit as st

from core import cbow_torch as ct
from core.cbow_mlp import pca_2d
from core.seeds import cbow_torch as notebook
from ui import charts, lesson, worksheet as ws
from ui.format import md_text as md, tex_text
from ui.stepper import Stage
from ui.tables import changed_marks, matrix_table, nonzero_marks, target_marks
from ui.training import Field, Training

VOCAB, V, EXAMPLES = list(ct.VOCAB), len(ct.VOCAB), ct.sentence_examples(C=2)
TEX, DIMS = [tex_text(x) for x in VOCAB], [f"d{i}" for i in range(ct.MAX_DIM)]
dL = r"\frac{{\partial L}}{{\partial {}}}".format  # dL("z"): ∂L/∂z in LaTeX


def controls(c):
    c1, c2 = st.columns([3, 1])
    c1.multiselect("Context words (order kept; type them below to repeat one)", VOCAB,
                   key=L.key("context"), on_change=lesson.settings_changed, args=(L,))
    lesson.choose(L, c2, "Target word", "target", VOCAB)
    lesson.text(L, st, "…or type the context, repeats allowed: quick, quick, over", "context_text")
    d1, d2, d3 = st.columns(3)
    lesson.lr_input(L, d1, help="The notebook uses 0.01.")
    lesson.number(L, d2, "Embedding size d", "dim", 1, ct.MAX_DIM)
    lesson.number(L, d3, "Random seed", "seed", 0, 2**31 - 1, help="New random init adds 1.")


def parts(c):
    """(trace, params, context, target, d, the context's words each once)"""
    cx = c.ex.example["context"]
    return c.trace, c.params, cx, c.ex.example["target"], c.params["E"].shape[1], sorted(set(cx))


def forward_lines(c):
    t, p, cx, tg, d, _ = parts(c)
    sums = [ws.paren(ws.add(*[ws.val(p, "E", x, i) for x in cx])) for i in range(d)]
    h = [ws.Line(f"h_{i}", ws.Op("juxt", [ws.div(ws.const(1), ws.const(len(cx))), sums[i]]),
                 ws.val(t, "h", i)) for i in range(d)]
    z = [ws.dot([(ws.val(p, "W", j, i), ws.val(t, "h", i)) for i in range(d)], ws.val(p, "b", j),
                shown=4) for j in range(V)]
    return h + [ws.Line(rf"z_{{{TEX[j]}}}", z[j], ws.val(t, "logits", j)) for j in range(V)]


def softmax_lines(c):
    t, p, cx, tg, d, _ = parts(c)
    z, top = [ws.val(t, "logits", j) for j in range(V)], int(t["logits"].argmax())
    e = [ws.exp(ws.sub(z[j], z[top]) if ct.needs_shift(t["logits"]) else z[j]) for j in range(V)]
    p = [ws.Line(rf"p_{{{TEX[j]}}}", ws.div(e[j], ws.add(*e)), ws.val(t, "probs", j))
         for j in range(V)]
    return [p[tg], ws.Line("L", ws.neg(ws.log(ws.val(t, "probs", tg))), ws.val(t, "loss"),
                           rf"-\log p_{{{TEX[tg]}}}")] + p[:tg] + p[tg + 1:]


def backward_lines(c):
    t, p, cx, tg, d, once = parts(c)
    return [ws.Line(dL(f"z_{{{TEX[j]}}}"), ws.sub(ws.val(t, "probs", j), ws.const(j == tg)),
                    ws.val(t, "grad_logits", j)) for j in range(V)] + [
        ws.Line(dL(f"h_{i}"), ws.dot([(ws.val(t, "grad_logits", j), ws.val(p, "W", j, i))
                                      for j in range(V)]), ws.val(t, "grad_h", i))
        for i in range(d)] + [
        ws.Line(dL(f"E_{{{TEX[x]},{i}}}"), ws.mul(ws.const(cx.count(x)), ws.div(
            ws.val(t, "grad_h", i), ws.const(len(cx)))), ws.val(t, "grad_E", x, i))
        for x in once for i in range(d)]


def update_lines(c):
    t, p, cx, tg, d, once = parts(c)
    return [ws.sgd(rf"E_{{{TEX[x]},{i}}}", p, t, "E", "E_new", "grad_E", (x, i), c.lr)
            for x in once for i in range(d)]


def stages(c):
    return [
        Stage("Context vectors", ("context_vectors",), (r"e_k = E[c_k]",),
              note="One row of E per context position: a repeated word's row appears twice."),
        Stage("Forward", ("h", "logits"), (r"h = \frac{1}{C}\sum_k e_k", r"z = W h + b"),
              forward_lines),
        Stage("Softmax and loss", ("probs", "loss"),
              (r"p = \mathrm{softmax}(z), \quad L = -\log p_t",), softmax_lines,
              lambda c: charts.prob_bars(c.trace["probs"], VOCAB, parts(c)[3], c.decimals)),
        Stage("Backward", ("grad_logits", "grad_W", "grad_b", "grad_h", "grad_E"),
              (rf"{dL('z')} = p - y, \quad {dL('W')} = {dL('z')} h^\top, \quad "
               rf"{dL('b')} = {dL('z')}", rf"{dL('h')} = W^\top {dL('z')}, \quad {dL('E[c]')} = "
               rf"\mathrm{{count}}(c) \cdot \frac{{1}}{{C}} {dL('h')}"), backward_lines,
              lambda c: charts.heatmap(c.trace["grad_E"], c.decimals, VOCAB, DIMS[:parts(c)[4]],
                                       title="∂L/∂E: only the context rows are not zero"),
              "Each context row of E gets grad_h / C once per appearance: a repeated word gets "
              "it twice (torch's Embedding backward adds them up)."),
        Stage("Update", ("E_new", "W_new", "b_new"),
              (r"\theta \leftarrow \theta - \alpha " + dL(r"\theta"),), update_lines,
              lambda c: parts(c)[4] >= 2 and charts.embedding_move(
                  c.params["E"][:, :2], c.trace["E_new"][:, :2], VOCAB, parts(c)[5]),
              "Rows of E for words outside the context do not move."),
    ]


def axes(c):
    d, vv = DIMS[:parts(c)[4]], (VOCAB, None)
    return {"context_vectors": ([f"{k + 1}: {VOCAB[x]}" for k, x in enumerate(parts(c)[2])], d),
            "h": (d, None), "grad_h": (d, None),
            **dict.fromkeys(("logits", "probs", "grad_logits", "grad_b", "b_new"), vv),
            **dict.fromkeys(("grad_W", "W_new", "grad_E", "E_new"), (VOCAB, d))}


def marks(c):
    t, p, cx, tg, d, once = parts(c)
    return {**dict.fromkeys(("logits", "probs", "grad_logits", "grad_b"), target_marks(V, tg)),
            "grad_E": nonzero_marks(t["grad_E"]), "E_new": changed_marks(t["E_new"], p["E"], once)}


TRAINING = Training(
    "Training: the notebook's sentence", lambda c: "Each epoch is one SGD step per window (two "
    f"words each side) of *{ct.SENTENCE}*, in order, from the weights above: " + "; ".join(
        f"{', '.join(VOCAB[x] for x in cx)} → {VOCAB[t]}" for cx, t in EXAMPLES),
    (Field("epochs", "Epochs", 100, "1 to 2000"), Field("lr", "Learning rate", 0.1)),
    lambda c, v, progress: ct.train(c.params, EXAMPLES, v["lr"], v["epochs"]),
    lambda c, r: charts.word_scatter(pca_2d(r["params"]["E"]), VOCAB, "E after training (PCA)"),
    lambda c, r: matrix_table(r["params"]["E"], c.decimals, VOCAB,
                              DIMS[:r["params"]["E"].shape[1]], name="E after training"))

L = lesson.Lesson(
    prefix="cbowt", url_path="cbow_torch", title="CBOW in torch: the mean of the context",
    nav_title="CBOW in torch", icon=":material/local_fire_department:",
    blurb="The torch word2vec notebook's CBOW: why only the context rows of E move, and how.",
    intro=__doc__,
    model="cbow_torch",
    settings={"context": list(ct.DEFAULT_CONTEXT), "context_text": "", "seed": 0,
              "target": VOCAB.index(ct.DEFAULT_TARGET), "lr": ct.DEFAULT_LR, "dim": ct.SEED_DIM},
    read=lambda s, params: lesson.Example(params, {"context": ct.parse_context(
        s["context_text"], s["context"]), "target": s["target"]}, s["lr"]),
    shape=lambda s: s["dim"], fresh=lambda s, seed, old: ct.init_params(V, s["dim"], seed),
    controls=controls, stages=stages, axes=axes, marks=marks, seed_setting="seed",
    headline=lambda c: f"{', '.join(md(VOCAB[x]) for x in parts(c)[2])} → "
                       f"**{md(VOCAB[parts(c)[3]])}**, α = {c.lr:g}",
    url={"context": lesson.UrlParam("context_text", lambda text, s: ct.parse_context(text) and text,
                                    lambda v, s: ",".join(VOCAB[x] for x in ct.parse_context(
                                        s["context_text"], s["context"]))),
         "target": lesson.word_param("target", lambda s: VOCAB),
         "dim": lesson.int_param("dim", 1, ct.MAX_DIM), "lr": lesson.lr_param()},
    training=TRAINING, seed=notebook, title_short="Torch CBOW: one step",
    graph=("E>context_vectors context_vectors>h h>logits W>logits b>logits logits>probs "
           "probs>loss"))

if __name__ == "__main__":
    lesson.run(L)

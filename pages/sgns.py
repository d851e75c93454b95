"""Skip-gram with **negative sampling**, the torch word2vec notebook's second model: a centre word's
input vector `v_c` should score its context word's output vector `u_o` high and each of k
**negative** words `u_k`, drawn from the counts to the power 0.75, low. Each score goes through a
**sigmoid** (a yes/no question per word, instead of a softmax over every word); the loss is
$-\\log\\sigma(u_o\\cdot v_c) - \\sum_k \\log\\sigma(-u_k\\cdot v_c)$. Choose the negatives by hand
or sample them, step, then train on a text and look up neighbours."""
from functools import partial

import streamlit as st

from core import sgns, sgns_corpus
from core.seeds import sgns as notebook
from ui import charts, lesson, seedcheck, worksheet as ws
from ui.format import md_text as md, tex_text
from ui.stepper import Stage
from ui.tables import records_table
from ui.training import Training, fields, neighbours, pca_views

PRESETS = [{"center": "cat", "context": "dog", "negatives": "bread, park, red, bus, soup"},
           {"center": "w0", "context": "w1", "negatives": "w50, w23, w99, w4, w12", "lr": 0.01}]
SETUPS = ["Words of the text", "The notebook's mock setup (100 words, d = 10)"]


def vocab(s):
    return sgns.lesson_vocab(s["setup"], s["text"], sgns_corpus.default_text())


def read(s, params):
    words, counts, _ = vocab(s)
    return lesson.Example(params, sgns.lesson_example(words, s["center"], s["context"],
                                                      s["negatives"]), s["lr"],
                          {"words": words, "counts": counts, "tex": [tex_text(w) for w in words]})


def controls(c):
    words, counts, k = c.info["words"], c.info["counts"], st.session_state[L.key("k")]
    c1, c2, c3, c4 = st.columns([3, 2, 2, 2])
    c1.radio("Words", [0, 1], key=L.key("setup"), format_func=SETUPS.__getitem__, on_change=lambda:
             lesson.set_settings(L, PRESETS[st.session_state[L.key("setup")]]))
    lesson.choose_word(L, c2, "Centre word", "center", words)
    lesson.choose_word(L, c3, "Context word", "context", words)
    lesson.lr_input(L, c4, help="The notebook uses 0.01.")
    n1, n2, n3 = st.columns([5, 1, 2], vertical_alignment="bottom")
    lesson.text(L, n1, "Negatives (words, separated by commas; repeats allowed)", "negatives")
    lesson.number(L, n2, "k", "k", 1, sgns.MAX_NEGATIVES)
    n3.button(f"Sample {k} negatives", key=L.key("sample"), on_click=lambda: lesson.set_settings(
        L, {"negatives": sgns.draw_text(words, counts, k)}), width="stretch",
              help="Drawn from count^0.75, as word2vec.")
    if box := lesson.settings_box(L, "The text (training and the words above)", ["text", "dim"]):
        lesson.text(L, box, "Text (empty: the built-in text about animals, foods, places, "
                    "colours and vehicles)", "text", area=True, height=100,
                    decode_file=lambda raw, s: sgns.decode_text_file(raw))
        lesson.number(L, box, "Vector size d", "dim", 1, 64)


def lines(c, stage):
    t, p, ex = partial(ws.val, c.trace), partial(ws.val, c.params), c.ex.example
    d, negs, W = range(len(c.trace["v_c"])), list(enumerate(ex["negatives"])), c.info["tex"]
    neg_sigma = [ws.paren(ws.sub(ws.const(1), t("sigma_neg", k))) for k, _ in negs]  # σ(s_k)
    g_pos = ws.paren(ws.sub(t("sigma_pos"), ws.const(1)))
    if stage == "Vectors":
        return (ws.copies(lambda i: f"v_{{c,{i}}}", c.trace, "v_c", len(d))
                + ws.copies(lambda i: f"u_{{o,{i}}}", c.trace, "u_o", len(d)))
    if stage == "Scores":
        return [ws.Line(rf"u_{{{W[n]}}}\cdot v_c", ws.dot([(t(*key, i), t("v_c", i)) for i in d],
                                                         shown=3), t(*res))
                for n, key, res in [(ex["context"], ("u_o",), ("pos_score",))]
                + [(n, ("u_neg", k), ("neg_scores", k)) for k, n in negs]]
    if stage == "Sigmoids":
        return ([ws.Line(r"\sigma(s_o)", ws.sigmoid(t("pos_score")), t("sigma_pos"))]
                + [ws.Line(rf"\sigma(-s_{{{W[n]}}})", ws.sigmoid(ws.neg(t("neg_scores", k, paren=True))),
                           t("sigma_neg", k)) for k, n in negs])
    if stage == "Loss":
        return [ws.Line("L", ws.neg(ws.paren(ws.add(ws.log(t("sigma_pos")), *[
            ws.log(t("sigma_neg", k)) for k, _ in negs]))), t("loss"))]
    if stage == "Gradients":
        dv = [ws.add(ws.mul(g_pos, t("u_o", i, paren=True)), *[ws.mul(neg_sigma[k], t(
            "u_neg", k, i, paren=True)) for k, _ in negs], shown=3) for i in d]
        return ([ws.Line(rf"\partial L/\partial v_{{c,{i}}}", dv[i], t("grad_v_c", i)) for i in d]
                + [ws.Line(rf"\partial L/\partial u_{{o,{i}}}", ws.mul(g_pos, t("v_c", i, paren=True)),
                           t("grad_u_o", i)) for i in d]
                + [ws.Line(rf"\partial L/\partial u_{{{W[n]},{i}}}", ws.mul(neg_sigma[k], t(
                    "v_c", i, paren=True)), t("grad_u_neg", k, i)) for k, n in negs for i in d])
    grads = [(ex["context"], ("grad_u_o",))] + [(n, ("grad_u_neg", k)) for k, n in negs]
    return ([ws.update(rf"W_{{in}}[{W[ex['center']]}]_{i}", p("W_in", ex["center"], i), c.lr,
                       t("grad_v_c", i, paren=True), t("W_in_new", ex["center"], i)) for i in d]
            + [ws.update(rf"W_{{out}}[{W[r]}]_{i}", p("W_out", r, i), c.lr, ws.add(*[
                t(*g, i) for rr, g in grads if rr == r]), t("W_out_new", r, i))
               for r in dict.fromkeys(r for r, _ in grads) for i in d])


def flags(c):
    for text in sgns.flags(c.ex.example, c.info["words"]):   # a negative twice, or = context
        st.info(md(text))
    charts.distribution(c.info["words"], c.info["counts"] / c.info["counts"].sum(),
                        sgns.noise_distribution(c.info["counts"]), c.ex.example["negatives"])


def update_chart(c):
    st.markdown("**How each dot product with v_c moved**")
    records_table(sgns.moved(c.trace, c.ex.example, c.info["words"]), c.decimals)


CHARTS = {"Vectors": flags, "Update": update_chart,
          "Loss": lambda c: seedcheck.stage_panel(notebook, c, ("loss",))}


def stages(c):
    return [Stage(n, k, (f,), partial(lines, stage=n), CHARTS.get(n))
            for n, (k, f) in sgns.STAGES.items()]


def axes(c):
    W, dims = c.info["words"], [f"d{i}" for i in range(len(c.trace["v_c"]))]
    negs = ([W[n] for n in c.ex.example["negatives"]], dims)
    return {**dict.fromkeys(("v_c", "u_o", "grad_v_c", "grad_u_o"), (dims, None)), "u_neg": negs,
            "grad_u_neg": negs, "neg_scores": (negs[0], None), "sigma_neg": (negs[0], None),
            "W_in_new": (W, dims), "W_out_new": (W, dims)}


def train(c, values, progress):
    return sgns.train(vocab({**c.settings, "setup": 0})[2], **values, callback=lambda done, loss: progress.step(
        done, 1, loss, text=f"{done:.0%} of the pairs"))


L = lesson.Lesson(
    prefix="sgns", url_path="sgns", title="Skip-gram with negative sampling",
    nav_title="Negative sampling", icon=":material/call_split:",
    blurb="The torch word2vec notebook's second model: one centre word, its context word and k "
          "negatives you choose, every sigmoid and gradient; then training on a text.",
    intro=__doc__, model="sgns", shape=lambda s: (s["setup"], len(vocab(s)[0]), s["dim"]),
    settings={"setup": 0, "text": "", **PRESETS[0], "k": 5, "dim": 8, "lr": 0.1},
    read=read, controls=controls, stages=stages, axes=axes, adapt=lambda old, s: sgns.fit_words(
        *vocab(s)[:2], old, s, s["k"]),
    fresh=lambda s, seed, old: sgns.lesson_params(s["setup"], len(vocab(s)[0]), s["dim"], seed),
    headline=lambda c: f"{md(c.settings['center'])} → {md(c.settings['context'])} against "
                       f"{len(c.ex.example['negatives'])} negatives, α = {c.lr:g}",
    table_rows=lambda c: {"W_in_new": [c.ex.example["center"]], "W_out_new": [
        c.ex.example["context"], *c.ex.example["negatives"]]},
    url={**lesson.text_params("center", "context", "negatives"), "lr": lesson.lr_param(),
         "setup": lesson.int_param("setup", 0, 1)},
    training=Training("Training on the text", lambda c: sgns.TRAINING_TEXT, fields(
        sgns.TRAINING_FIELDS, sgns.DEFAULT_TRAINING), train, *pca_views(
            lambda r: r["W_in"], lambda r: r["vocab"], "learned vectors, PCA to 2-D"),
        "mean loss per pair", neighbours(sgns.neighbours), "point"),
    seed=notebook, graph="center>v_c>pos_score>sigma_pos>loss W_in>v_c>neg_scores>sigma_neg>loss "
    "W_out>u_o>pos_score W_out>u_neg>neg_scores")

if __name__ == "__main__":
    lesson.run(L)

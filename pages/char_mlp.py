"""Bengio's **character MLP**, the makemore-style notebook: the last 3 characters of a name pick
3 rows of an **embedding** table `E` (27 symbols × 20 numbers); the rows are **concatenated**
(so "cat" and "tac" differ), a **tanh** layer of 100 units and a **softmax** over the 27 symbols
guess the next character. Step one example through it, then train on a names list while the
class watches and sample new names."""
from functools import partial

import streamlit as st

from core import char_mlp as cm, names_data as nd
from core.seeds import char_mlp as notebook
from ui import charts, lesson, worksheet as ws
from ui.format import md_code, md_text as md
from ui.stepper import Stage
from ui.tables import records_table, target_marks
from ui.training import Field, Training, pca_views

SHOWN = 4  # hidden units / dimensions written out as lines (the tables hold them all)


def read(s, params):
    rows = nd.name_rows(nd.clean_name(s["name"]), 3)
    context, target = rows[lesson.index_in(s["row"], len(rows))]
    ex = {"context": tuple(cm.SYMBOLS.index(ch) for ch in context), "target": cm.SYMBOLS.index(target)}
    return lesson.Example(params, ex, s["lr"], {"rows": rows, "context": context, "target": target})


def controls(c):
    c1, c2, c3 = st.columns([2, 3, 2])
    lesson.text(L, c1, "A name (letters a–z)", "name")
    lesson.choose(L, c2, "Example (context → next character)", "row",
                  [f"{i}: {ctx} → {nxt}" for i, (ctx, nxt) in enumerate(c.info["rows"])])
    lesson.lr_input(L, c3, help="The notebook uses 0.1.")
    st.file_uploader("A names list for training (.txt, one name a line)", type=["txt"],
                     key=L.key("names_file"))


def lines(c, stage):
    t, p, ex, n = partial(ws.val, c.trace), partial(ws.val, c.params), c.ex.example, SHOWN
    d, sym = c.params["E"].shape[1], cm.SYMBOLS
    if stage == "Embedding":
        return [ws.Line(rf"e_{{{k},{i}}} = E[\text{{{sym[ch]}}}]_{i}", None, t("emb", k, i))
                for k, ch in enumerate(ex["context"]) for i in range(n)]
    if stage == "Hidden layer":
        return ([ws.Line(f"a_{j}", ws.dot([(p("Wx", j, i), t("emb_cat", i)) for i in range(3 * d)],
                                         p("bh", j), shown=3), t("h_pre", j)) for j in range(n)]
                + [ws.Line(f"h_{j}", ws.tanh(t("h_pre", j)), t("h", j)) for j in range(n)])
    if stage == "Softmax":
        z = [t("logits", k) for k in range(len(cm.SYMBOLS))]
        return ([ws.Line(rf"z_{{\text{{{sym[k]}}}}}", ws.dot([(p("Wy", k, j), t("h", j)) for j in range(
            len(c.trace["h"]))], p("by", k), shown=3), z[k]) for k in range(n)]
            + [ws.Line(rf"p_{{\text{{{sym[ex['target']]}}}}}", ws.div(ws.exp(z[ex["target"]]), ws.add(
                *[ws.exp(x) for x in z], shown=3)), t("probs", ex["target"]))])
    if stage == "Loss":
        return [ws.Line("L", ws.neg(ws.log(t("probs", ex["target"]))), t("loss"))]
    if stage == "Backward":
        return ([ws.Line(rf"g_{{\text{{{sym[k]}}}}}", ws.sub(t("probs", k), ws.const(k == ex["target"])),
                         t("grad_logits", k)) for k in range(n)]
                + [ws.Line(rf"\partial L/\partial h_{j}", ws.dot([(p("Wy", k, j), t("grad_logits", k))
                                                                  for k in range(27)], shown=3),
                           t("grad_h", j)) for j in range(n)]
                + [ws.Line(rf"\partial L/\partial a_{j}", ws.mul(t("grad_h", j, paren=True), ws.paren(
                    ws.sub(ws.const(1), ws.mul(t("h", j, paren=True), t("h", j, paren=True))))),
                    t("grad_h_pre", j)) for j in range(n)]
                + [ws.Line(rf"\partial L/\partial E[\text{{{sym[ch]}}}]_{i}", ws.add(*[
                    t("grad_emb_cat", k * d + i) for k, x in enumerate(ex["context"]) if x == ch]),
                    t("grad_E", ch, i)) for ch in dict.fromkeys(ex["context"]) for i in range(n)])
    return ([ws.sgd(rf"E[\text{{{sym[ch]}}}]_{i}", c.params, c.trace, "E", "E_new", "grad_E", (ch, i), c.lr)
             for ch in dict.fromkeys(ex["context"]) for i in range(2)]
            + [ws.update(f"b_{{h,{j}}}", p("bh", j), c.lr, t("grad_h_pre", j, paren=True),
                         t("bh_new", j)) for j in range(n)]
            + [ws.sgd(rf"b_{{y,\text{{{sym[k]}}}}}", c.params, c.trace, "by", "by_new", "grad_by", (k,),
                      c.lr) for k in range(n)])


def dataset(c):
    st.markdown("**The symbols**: " + " ".join(f"{i}:{md_code(ch)}" for i, ch in enumerate(cm.SYMBOLS)))
    st.markdown(f"**How {md(c.settings['name'])} becomes {len(c.info['rows'])} rows** (context → next):")
    records_table([{"row": i, "context": ctx, "next": nxt, "X": str(
        [cm.SYMBOLS.index(ch) for ch in ctx]), "Y": cm.SYMBOLS.index(nxt)}
        for i, (ctx, nxt) in enumerate(c.info["rows"])])


STAGES = [
    ("Dataset", (), r"\text{name} \to (\text{3 characters} \to \text{next})", dataset),
    ("Embedding", ("emb", "emb_cat"), r"e_k = E[\text{context}_k],\ \ x = [e_0, e_1, e_2]", None),
    ("Hidden layer", ("h_pre", "h"), r"a = W_x x + b_h,\ \ h = \tanh(a)", None),
    ("Softmax", ("logits", "probs"), r"z = W_y h + b_y,\ \ p = \mathrm{softmax}(z)",
     lambda c: charts.prob_bars(c.trace["probs"], cm.SYMBOLS, c.ex.example["target"], c.decimals)),
    ("Loss", ("loss",), r"L = -\log p_{\text{next}}", None),
    ("Backward", ("grad_logits", "grad_Wy", "grad_by", "grad_h", "grad_h_pre", "grad_emb_cat", "grad_E"),
     r"g = p - y,\ \ \frac{\partial L}{\partial h} = W_y^\top g,\ \ \frac{\partial L}{\partial a} = "
     r"\frac{\partial L}{\partial h}(1 - h^2),\ \ \frac{\partial L}{\partial x} = W_x^\top "
     r"\frac{\partial L}{\partial a}", None),
    ("Update", ("E_new", "Wx_new", "bh_new", "Wy_new", "by_new"),
     r"\theta \leftarrow \theta - \alpha\,\frac{\partial L}{\partial \theta}", None)]


def axes(c):
    S, d = list(cm.SYMBOLS), [f"d{i}" for i in range(c.params["E"].shape[1])]
    hid, vec = [f"h{j}" for j in range(len(c.trace["h"]))], (S, None)
    return {"emb": (list(c.info["context"]), d), "logits": vec, "probs": vec, "grad_logits": vec,
            "grad_by": vec, "by_new": vec, "grad_E": (S, d), "E_new": (S, d), "h_pre": (hid, None),
            "h": (hid, None), "grad_h": (hid, None), "grad_h_pre": (hid, None), "bh_new": (hid, None),
            "grad_Wy": (S, hid), "Wy_new": (S, hid)}


def train(c, v, progress):
    upload = st.session_state.get(L.key("names_file"))  # an empty file is still a file
    names = upload.getvalue() if upload is not None else v["source"]
    return cm.train_for_class(names, v["mode"], v["steps"], v["lr"], callback=progress.step)


def samples(c, r):
    t = st.slider("Temperature", 0.1, 2.0, 1.0, 0.1, key=L.key("temperature"))
    names, known = cm.sample(r["params"], 12, seed=st.session_state.get(L.key("sample_seed"), 0),
                             temperature=t), set(r.get("names", ()))
    records_table([{"sampled name": n or "(empty)", "in the training list":
                   "yes" if n in known else "new"} for n in names])
    st.button("Sample again", key=L.key("resample"), on_click=lambda: st.session_state.update(
        {L.key("sample_seed"): st.session_state.get(L.key("sample_seed"), 0) + 1}))


L = lesson.Lesson(
    prefix="char", url_path="char_mlp", title="A character MLP: Bengio's model on names",
    nav_title="Character MLP", icon=":material/abc:",
    blurb="The character-MLP notebook: three letters in, the next one out — one example through "
          "embedding, tanh layer and softmax, then training on a names list and sampling names.",
    intro=__doc__, model="char_mlp", settings={"name": "emma", "row": 1, "lr": cm.NOTEBOOK_LR},
    read=read, shape=lambda s: "char", fresh=lambda s, seed, old: cm.init_params(seed=42 + seed),
    controls=controls, stages=lambda c: [Stage(n, k, (f,), partial(lines, stage=n) if k else None, ch)
                                          for n, k, f, ch in STAGES],
    headline=lambda c: f"{md_code(c.info['context'])} → {md_code(c.info['target'])}, α = {c.lr:g}",
    axes=axes, marks=lambda c: {"probs": target_marks(27, c.ex.example["target"])},
    table_rows=lambda c: {"grad_E": list(c.ex.example["context"]), "E_new": list(c.ex.example["context"])},
    url={"name": lesson.text_param("name", nd.clean_name), "row": lesson.int_param("row", 0, 40),
         "lr": lesson.lr_param()},
    training=Training("Training on a names list", lambda c: cm.TRAINING_TEXT,
                      (Field("source", "Names (empty: the built-in list; or a file path / URL)", ""),
                       Field("mode", "Data", "train/dev", options=cm.TRAINING_MODES),
                       Field("steps", "Steps", cm.DEFAULT_TRAINING["steps"], lo=1, hi=20_000),
                       Field("lr", "Full-batch α", 0.1, options=cm.FULL_BATCH_LRS)),
                      train, *pca_views(lambda r: r["params"]["E"], lambda r: cm.SYMBOLS,
                                        "the symbols' embeddings, PCA to 2-D"),
                      "training loss", samples, "step"),
    seed=notebook, graph="context>emb>emb_cat>h_pre>h>logits>probs>loss E>emb Wx>h_pre bh>h_pre "
    "Wy>logits by>logits")

if __name__ == "__main__":
    lesson.run(L)

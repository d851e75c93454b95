"""Torch CBOW (seed 002): the mean of the context embeddings -> Linear -> cross-entropy -> SGD."""
import numpy as np
import streamlit as st

from core import cbow_torch as ct
from ui import cached, charts, history, urlstate
from ui.format import md_text, tex_num, tex_sgd, tex_text
from ui.routing import through_app
from ui.stepper import Stage, stepper

through_app()

P = "cbowt"
MAX_CONTEXT = 10
STATE_KEYS = ("cbowt_context", "cbowt_target", "cbowt_dim", "cbowt_seed", "cbowt_lr",
              "cbowt_params", "cbowt_steps")
VOCAB = list(ct.VOCAB)


# --- state -------------------------------------------------------------------------------

def fresh_params(restart=True):
    s = st.session_state
    E, W, b = ct.init_params(len(VOCAB), int(s["cbowt_dim"]), int(s["cbowt_seed"]))
    s["cbowt_params"] = {"E": E, "W": W, "b": b}
    if restart:
        s["cbowt_steps"], s["cbowt_stage"] = 0, 0


def new_random_init():
    history.new_seed(P, STATE_KEYS, fresh_params)


def take_step():
    g = st.session_state["cbowt_good"]
    trace = compute(g["E"], g["W"], g["b"], g["context"], g["target"], g["lr"])
    history.record_step(P, STATE_KEYS, {"E": trace["E_new"], "W": trace["W_new"],
                                        "b": trace["b_new"]}, trace["loss"])


compute = ct.sgd_step  # ~0.3 ms: cheaper than a cache lookup (see ui/cached.py)


def autograd_diffs(*args):
    return cached.autograd_diffs("cbow_torch", "sgd_step", "torch_step", *args)


def words_param(text):
    """URL 'context': comma-separated vocabulary words."""
    words = [x for x in text.split(",") if x]
    if not 1 <= len(words) <= MAX_CONTEXT or any(x not in VOCAB for x in words):
        raise ValueError(f"1 to {MAX_CONTEXT} words of the vocabulary, separated by commas")
    return words


for key, value in {"cbowt_context": list(ct.DEFAULT_CONTEXT), "cbowt_target": ct.DEFAULT_TARGET,
                   "cbowt_dim": 5, "cbowt_seed": 0, "cbowt_lr": 0.01, "cbowt_steps": 0}.items():
    st.session_state.setdefault(key, value)
urlstate.read_url(P, {"stage": ("cbowt_stage", urlstate.stage_param(5)),
                      "context": ("cbowt_context_text", lambda t: ", ".join(words_param(t))),
                      "target": ("cbowt_target", lambda t: VOCAB[urlstate.word_index(VOCAB)(t)]),
                      "dim": ("cbowt_dim", urlstate.int_in(1, 32)),
                      "seed": ("cbowt_seed", urlstate.int_in(0, 2**31 - 1)),
                      "lr": ("cbowt_lr", urlstate.positive_float)})
if "cbowt_params" not in st.session_state:
    fresh_params(restart=False)  # keep a stage / window from the URL
history.start(P, STATE_KEYS)

# --- page ----------------------------------------------------------------------------------

decimals = urlstate.lesson_header(
    P, "CBOW in torch: the mean of the context",
    "Seed 002's `CBOWModel`: look up the embedding of each context word, **average** them "
    "into `h`, a `Linear` layer scores every word, `CrossEntropyLoss` and one `SGD` step. The "
    "backward pass shows why only the context rows of `E` move, each by `grad_h / C`, and "
    "why a word that appears twice in the context gets twice the gradient.")

with st.container(border=True, key="cbowt_controls"):
    c1, c2 = st.columns([3, 1])
    c1.multiselect("Context words (order kept; pick a word again below to repeat it)", VOCAB,
                   key="cbowt_context", max_selections=MAX_CONTEXT)
    c2.selectbox("Target word", VOCAB, key="cbowt_target")
    st.text_input("…or type the context, repeats allowed (e.g. quick, quick, over)",
                  key="cbowt_context_text", placeholder="words separated by commas")
    d1, d2, d3 = st.columns(3)
    d1.number_input("Learning rate", key="cbowt_lr", format="%.4f", step=0.01,
                    help="The seed uses 0.01.")
    d2.number_input("Embedding size", 1, 32, key="cbowt_dim", on_change=fresh_params)
    d3.number_input("Random seed", 0, 2**31 - 1, key="cbowt_seed", on_change=fresh_params)
    history.step_controls(P, STATE_KEYS, take_step, new_random_init)

good = st.session_state.get("cbowt_good")
try:
    typed = st.session_state.get("cbowt_context_text", "").strip()
    words = ([x.strip() for x in typed.split(",") if x.strip()] if typed
             else list(st.session_state["cbowt_context"]))
    unknown = [x for x in words if x not in VOCAB]
    if unknown:
        raise ValueError(f"“{unknown[0][:30]}” is not in the vocabulary ({', '.join(VOCAB)})")
    if not 1 <= len(words) <= MAX_CONTEXT:
        raise ValueError(f"the context needs 1 to {MAX_CONTEXT} words")
    p = st.session_state["cbowt_params"]
    context = tuple(VOCAB.index(x) for x in words)
    target = VOCAB.index(st.session_state["cbowt_target"])
    lr = float(st.session_state["cbowt_lr"])
    trace = compute(p["E"], p["W"], p["b"], context, target, lr)
    good = {"E": p["E"], "W": p["W"], "b": p["b"], "context": context, "target": target,
            "lr": lr}
    st.session_state["cbowt_good"] = good
except (ValueError, FloatingPointError) as err:
    st.error(f"{md_text(err)}. Showing the last good values instead.")
    if good is None:
        st.stop()
    trace = compute(good["E"], good["W"], good["b"], good["context"], good["target"], good["lr"])

E, W, b, context, target, lr = (good[k] for k in ("E", "W", "b", "context", "target", "lr"))
V, d = E.shape
Cn = len(context)
dims = [f"d{i}" for i in range(d)]
w = [tex_text(x) for x in VOCAB]
ctx_labels = [f"{i + 1}: {VOCAB[c]}" for i, c in enumerate(context)]
diffs = autograd_diffs(E, W, b, context, target, lr)


def forward_lines(tr, dec):
    lines = [rf"h_{i} = \tfrac{{1}}{{{Cn}}}(" + " + ".join(tex_num(E[c, i], dec) for c in context)
             + rf") = {tex_num(tr['h'][i], dec)}" for i in range(d)]
    lines += [rf"z_{{{w[j]}}} = h \cdot W_{{{w[j]}}} + b_{{{w[j]}}} = {tex_num(tr['logits'][j], dec)}"
              for j in range(V)]
    return lines


def loss_lines(tr, dec):
    return [rf"p_{{{w[j]}}} = {tex_num(tr['probs'][j], dec)}" for j in range(V)] + \
        [rf"L = -\log p_{{{w[target]}}} = -\log({tex_num(tr['probs'][target], dec)}) = "
         rf"{tex_num(tr['loss'], dec)}"]


def backward_lines(tr, dec):
    lines = [rf"\frac{{\partial L}}{{\partial z_{{{w[j]}}}}} = {tex_num(tr['probs'][j], dec)} - "
             rf"{int(j == target)} = {tex_num(tr['grad_logits'][j], dec)}" for j in range(V)]
    lines += [rf"\frac{{\partial L}}{{\partial E_{{{w[c]},{i}}}}} = "
              rf"{list(context).count(c)} \cdot \tfrac{{{tex_num(tr['grad_h'][i], dec)}}}{{{Cn}}} = "
              rf"{tex_num(tr['grad_E'][c, i], dec)}" for c in sorted(set(context)) for i in range(d)]
    return lines


def update_lines(tr, dec):
    return [tex_sgd(rf"E_{{{w[c]},{i}}}", E[c, i], lr, tr["grad_E"][c, i], tr["E_new"][c, i], dec)
            for c in sorted(set(context)) for i in range(d)]


def loss_chart(tr, dec):
    charts.prob_bars(tr["probs"], VOCAB, target, dec)


def backward_chart(tr, dec):
    charts.heatmap(tr["grad_E"], dec, VOCAB, dims, title="∂L/∂E: only context rows are non-zero")
    repeats = [VOCAB[c] for c in set(context) if list(context).count(c) > 1]
    if repeats:
        st.info(f"{', '.join(md_text(r) for r in repeats)} appears more than once in the context, "
                "so its row collects grad_h / C once per appearance (torch's Embedding backward "
                "adds them up).")


def update_chart(tr, dec):
    if d >= 2:
        charts.embedding_move(E[:, :2], tr["E_new"][:, :2], VOCAB, sorted(set(context)))


STAGES = [
    Stage("Context vectors", ("context_vectors",),
          (r"e_c = E[c] \quad \text{for each context word } c",),
          lambda tr, dec: [rf"E[{w[c]}] = \text{{row }} {c}" for c in context]),
    Stage("Forward", ("h", "logits"), (r"h = \frac{1}{C}\sum_c E[c]", r"z = W h + b"),
          forward_lines),
    Stage("Softmax and loss", ("probs", "loss"), (r"p = \mathrm{softmax}(z), \quad L = -\log p_t",),
          loss_lines, loss_chart),
    Stage("Backward", ("grad_logits", "grad_W", "grad_b", "grad_h", "grad_E"),
          (r"\frac{\partial L}{\partial z} = p - y, \quad \frac{\partial L}{\partial W} = "
           r"\frac{\partial L}{\partial z} h^\top, \quad \frac{\partial L}{\partial b} = "
           r"\frac{\partial L}{\partial z}", r"\frac{\partial L}{\partial h} = W^\top "
           r"\frac{\partial L}{\partial z}, \quad \frac{\partial L}{\partial E[c]} = "
           r"\frac{1}{C}\frac{\partial L}{\partial h} \text{ per appearance of } c"),
          backward_lines, backward_chart),
    Stage("Update", ("E_new", "W_new", "b_new"),
          (r"\theta \leftarrow \theta - \alpha \frac{\partial L}{\partial \theta}",), update_lines,
          update_chart, "Rows of E for words outside the context do not move."),
]
vv = (VOCAB, None)
axes = {"context_vectors": (ctx_labels, dims), "h": (dims, None), "grad_h": (dims, None),
        "logits": vv, "probs": vv, "grad_logits": vv, "grad_b": vv, "b_new": vv,
        "grad_W": (VOCAB, dims), "W_new": (VOCAB, dims), "grad_E": (VOCAB, dims),
        "E_new": (VOCAB, dims)}
tmark = np.where(np.arange(V) == target, "target", "")
marks = {k: tmark for k in ("logits", "probs", "grad_logits", "grad_b")}
in_context = np.isin(np.arange(V), context)[:, None]
marks["grad_E"] = np.where(in_context & (trace["grad_E"] != 0), "touched", "")
marks["E_new"] = np.where(trace["E_new"] != E, "changed", np.where(in_context, "touched", ""))
marks["W_new"] = np.where(trace["W_new"] != W, "changed", "")
marks["b_new"] = np.where(trace["b_new"] != b, "changed", "")

st.markdown(f"#### Step {st.session_state['cbowt_steps'] + 1}: "
            f"{', '.join(md_text(VOCAB[c]) for c in context)} → **{md_text(VOCAB[target])}**, "
            f"α = {lr:g}")
stepper(P, STAGES, trace, decimals, axes, marks, diffs, title="Torch CBOW: one step",
        url={"context": ",".join(VOCAB[c] for c in context), "target": VOCAB[target],
             "dim": d, "seed": st.session_state["cbowt_seed"], "lr": repr(lr),
             "decimals": decimals})

"""Tiny word2vec (seed 000): one SGD step of Embedding -> Linear -> cross-entropy, every number."""
import numpy as np
import streamlit as st

from core import tiny_word2vec as tw
from core.common import needs_shift
from core.readme_check import as_trace_keys, compare
from ui import cached, charts, history, urlstate
from ui.format import matrix_text, md_text, parse_matrix, tex_num, tex_sgd, tex_text, tex_vec
from ui.routing import through_app
from ui.stepper import Stage, stepper
from ui.tables import matrix_table, records_table

through_app()

P = "tiny"
MAX_WORDS = 12
MAX_TEXT = 1000       # characters of vocabulary text; training-pair text gets 10x this
MAX_EPOCHS = 2000
# Everything that defines a step: what history snapshots and restores.
STATE_KEYS = ("tiny_vocab", "tiny_center", "tiny_target", "tiny_lr", "tiny_lr_exact", "tiny_E",
              "tiny_W", "tiny_b", "tiny_steps")


# --- state -------------------------------------------------------------------------------

def _readme_state():
    """Widget values that reproduce the README's example exactly."""
    return {"tiny_vocab": ", ".join(tw.VOCAB), "tiny_center": tw.README_CENTER,
            "tiny_target": tw.README_TARGET, "tiny_lr": tw.README_LR,
            "tiny_lr_exact": tw.README_LR, "tiny_E": matrix_text(tw.README_PARAMS["E"]),
            "tiny_W": matrix_text(tw.README_PARAMS["W"]), "tiny_b": matrix_text(tw.README_PARAMS["b"]),
            "tiny_steps": 0}


def reset_to_readme():
    st.session_state.update(_readme_state())
    st.session_state["tiny_stage"] = 0
    history.push(P, STATE_KEYS, "reset to README values")


def _lr_from_slider():
    st.session_state["tiny_lr_exact"] = st.session_state["tiny_lr"]


def _lr_from_exact():
    x = st.session_state["tiny_lr_exact"]
    if 0 <= x <= 2:
        st.session_state["tiny_lr"] = x


def _words(text):
    """The vocabulary typed by the user; ValueError with a clear message when unusable."""
    if len(str(text)) > MAX_TEXT:
        raise ValueError(f"the vocabulary is too long ({len(str(text)):,} characters; at most "
                         f"{MAX_WORDS} words of up to 30 characters)")
    words = [w.strip() for w in str(text).split(",") if w.strip()]
    if not 2 <= len(words) <= MAX_WORDS:
        raise ValueError(f"the vocabulary needs 2 to {MAX_WORDS} words separated by commas")
    if len(set(words)) != len(words):
        raise ValueError("the vocabulary has a repeated word")
    if any(len(w) > 30 for w in words):
        raise ValueError("a word is longer than 30 characters")
    return words


def _vocab_changed():
    """New words: rename rows if the count is the same, else start from fresh seeded weights."""
    try:
        words = _words(st.session_state["tiny_vocab"])
    except ValueError:
        return  # the page shows the message and keeps the last good state
    good = st.session_state.get("tiny_good")
    # Same count: keep the chosen center and target (their selectboxes would fall back to
    # the first word, as their labels change).
    st.session_state.update(tiny_center=st.session_state["tiny_center"],
                            tiny_target=st.session_state["tiny_target"])
    if good is not None and len(words) != good["E"].shape[0]:
        rng = np.random.default_rng(0)
        V, d = len(words), good["E"].shape[1]
        st.session_state.update(
            tiny_E=matrix_text(np.round(rng.normal(0, 0.5, (V, d)), 4)),
            tiny_W=matrix_text(np.round(rng.normal(0, 0.5, (V, d)), 4)),
            tiny_b=matrix_text(np.zeros(V)), tiny_center=0, tiny_target=V - 1,
            tiny_reinit=True)


def take_step():
    """Apply the shown update: the next step starts from E_new, W_new, b_new."""
    good = st.session_state["tiny_good"]
    trace = compute(good["E"], good["W"], good["b"], good["center"], good["target"], good["lr"])
    st.session_state.update(tiny_E=matrix_text(trace["E_new"]), tiny_W=matrix_text(trace["W_new"]),
                            tiny_b=matrix_text(trace["b_new"]),
                            tiny_steps=st.session_state["tiny_steps"] + 1, tiny_stage=0)
    history.push(P, STATE_KEYS, f"after step {st.session_state['tiny_steps']} "
                                f"(loss was {trace['loss']:.4f})")


def read_inputs():
    """Parse the widgets into a candidate state, or raise ValueError saying what is wrong."""
    s = st.session_state
    words = _words(s["tiny_vocab"])
    V = len(words)
    first_row = (str(s["tiny_E"]).strip().splitlines() or [""])[0]
    d = max(len(first_row.replace(",", " ").split()), 1)  # dimension = numbers in E's first row
    E = parse_matrix(s["tiny_E"], (V, d), "E")
    W = parse_matrix(s["tiny_W"], (V, d), "W")
    b = parse_matrix(s["tiny_b"], (V,), "b")
    lr = tw.check_lr(s["tiny_lr_exact"])
    return {"words": words, "E": E, "W": W, "b": b, "center": int(s["tiny_center"]) % V,
            "target": int(s["tiny_target"]) % V, "lr": lr}


compute = tw.sgd_step  # ~0.3 ms: cheaper than a cache lookup (see ui/cached.py)


def autograd_diffs(*args):
    return cached.autograd_diffs("tiny_word2vec", "sgd_step", "torch_sgd_step", *args)


def run_training(*args):
    return cached.call("tiny_word2vec", "train", *args)


for k, v in _readme_state().items():
    st.session_state.setdefault(k, v)
try:
    _url_words = _words(st.session_state["tiny_vocab"])
except ValueError:
    _url_words = list(tw.VOCAB)
urlstate.read_url(P, {"stage": ("tiny_stage", urlstate.stage_param(5)),
                      "center": ("tiny_center", urlstate.word_index(_url_words)),
                      "target": ("tiny_target", urlstate.word_index(_url_words)),
                      "lr": ("tiny_lr_exact", urlstate.positive_float)})
if 0 <= st.session_state["tiny_lr_exact"] <= 2:
    st.session_state["tiny_lr"] = st.session_state["tiny_lr_exact"]
history.start(P, STATE_KEYS)

# --- page ----------------------------------------------------------------------------------

decimals = urlstate.lesson_header(
    P, "Tiny word2vec: one SGD step, every number",
    "Seed 000's model: an **Embedding** table `E` gives the center word a vector `v`; a "
    "**Linear** layer (`W`, `b`) turns it into one score per word; **softmax** makes the "
    "scores probabilities; **cross-entropy** measures how unlikely the target word was; the "
    "**backward pass** gives each parameter's gradient and **SGD** moves it a little. The "
    "defaults are the README's example: *dog → park*, learning rate 0.1.")

with st.container(border=True, key="tiny_controls"):
    c1, c2, c3, c4 = st.columns([2, 2, 3, 2])
    try:
        words_now = _words(st.session_state["tiny_vocab"])
    except ValueError:
        words_now = (st.session_state.get("tiny_good") or {}).get("words", list(tw.VOCAB))
    options = list(range(len(words_now)))
    for key in ("tiny_center", "tiny_target"):
        if st.session_state.get(key) not in options:
            st.session_state[key] = 0
    c1.selectbox("Center word (input)", options, key="tiny_center",
                 format_func=lambda i: words_now[i])
    c2.selectbox("Target word (to predict)", options, key="tiny_target",
                 format_func=lambda i: words_now[i])
    c3.slider("Learning rate α", 0.0, 2.0, step=0.005, key="tiny_lr", on_change=_lr_from_slider,
              format="%.3f")
    c4.number_input("α exactly", key="tiny_lr_exact", on_change=_lr_from_exact, format="%.6f",
                    step=0.01, help="Type any value; the slider covers 0 to 2.")
    with st.expander("Words and weights (editable)", expanded=False):
        st.text_input("Vocabulary (comma-separated)", key="tiny_vocab", on_change=_vocab_changed)
        st.caption("One row per line, numbers separated by spaces or commas. Rows follow the "
                   "vocabulary order.")
        e1, e2, e3 = st.columns(3)
        e1.text_area("E: embeddings (V × d)", key="tiny_E", height=130)
        e2.text_area("W: linear weights (V × d)", key="tiny_W", height=130)
        e3.text_area("b: biases (V)", key="tiny_b", height=130)
    history.step_controls(P, STATE_KEYS, take_step, reset=reset_to_readme,
                          reset_label="Reset to README values")

if st.session_state.pop("tiny_reinit", False):
    st.info("The vocabulary changed size, so E, W and b start from new random values "
            "(seed 0). 'Reset to README values' brings back dog / cat / park.")

# A candidate state from the widgets; any problem keeps the last good state on screen.
good = st.session_state.get("tiny_good")
try:
    cand = read_inputs()
    trace = compute(cand["E"], cand["W"], cand["b"], cand["center"], cand["target"], cand["lr"])
    st.session_state["tiny_good"] = good = cand
except (ValueError, FloatingPointError) as err:
    st.error(f"{md_text(err)}. Showing the last good values instead.")
    if good is None:
        st.stop()
    trace = compute(good["E"], good["W"], good["b"], good["center"], good["target"], good["lr"])

words, E, W, b = good["words"], good["E"], good["W"], good["b"]
c, t, lr = good["center"], good["target"], good["lr"]
V, d = E.shape
dims = [f"d{i}" for i in range(d)]
w = [tex_text(x) for x in words]
diffs = autograd_diffs(E, W, b, c, t, lr)
is_readme = (words == list(tw.VOCAB) and c == tw.README_CENTER and t == tw.README_TARGET
             and lr == tw.README_LR and all(np.array_equal(good[k], tw.README_PARAMS[k])
                                            for k in ("E", "W", "b")))
readme_rows, readme_values = (compare(trace), as_trace_keys()) if is_readme else ([], {})


def readme_beside(keys):
    """The README's printed values for these keys beside ours, slips marked."""
    rows = [r for r in readme_rows if r["key"].split("[")[0] in keys]
    if not rows:
        return
    st.markdown("**The README's numbers beside ours**")
    def label(r):
        key, idx = r["key"], r["index"]
        if key in ("grad_v", "E_new[dog]"):  # entries along the embedding dimension
            names = [words[c]] * key.startswith("E_new") + [f"d{i}" for i in idx]
        else:
            names = [words[idx[0]]] + [f"d{i}" for i in idx[1:]] if idx else []
        return key.split("[")[0] + (f"[{', '.join(names)}]" if names else "")

    st.markdown(records_table([{
        "quantity": label(r), "README": f"{r['printed']: .{r['decimals']}f}",
        "exact": f"{r['exact']: .{max(decimals, r['decimals']) + 2}f}",
        "difference": f"{r['diff']: .1e}", "rounding explains up to": f"{r['tolerance']:.1e}",
        "verdict": ("⚠ off: " + r["reason"]) if r["off"] else "✓ within rounding"}
        for r in rows]))


def dot_terms(a, B_row, bias=None):
    terms = " + ".join(f"({tex_num(x, decimals)})({tex_num(y, decimals)})"
                       for x, y in zip(a, B_row))
    return terms + (f" + {tex_num(bias, decimals, True)}" if bias is not None else "")


def forward_lines(tr, dec):
    lines = [rf"v = E[{w[c]}] = {tex_vec(tr['v'], dec)}"]
    lines += [rf"z_{{{w[j]}}} = {dot_terms(tr['v'], W[j], b[j])} = {tex_num(tr['logits'][j], dec)}"
              for j in range(V)]
    return lines


def softmax_lines(tr, dec):
    m = tr["logits"].max() if needs_shift(tr["logits"]) else 0.0
    sub = f" - {tex_num(m, dec, True)}" if m else ""
    lines = [rf"e^{{z_{{{w[j]}}}{sub}}} = e^{{{tex_num(tr['logits'][j] - m, dec)}}} = "
             rf"{tex_num(tr['exp'][j], dec)}" for j in range(V)]
    lines.append(r"S = " + " + ".join(tex_num(x, dec) for x in tr["exp"]) +
                 f" = {tex_num(tr['sum_exp'], dec)}")
    lines += [rf"p_{{{w[j]}}} = \frac{{{tex_num(tr['exp'][j], dec)}}}{{{tex_num(tr['sum_exp'], dec)}}}"
              rf" = {tex_num(tr['probs'][j], dec)}" for j in range(V)]
    return lines


def loss_lines(tr, dec):
    return [rf"L = -\log p_{{{w[t]}}} = -\log({tex_num(tr['probs'][t], dec)}) = "
            rf"{tex_num(tr['loss'], dec)}"]


def backward_lines(tr, dec):
    g = tr["grad_logits"]
    lines = [rf"\frac{{\partial L}}{{\partial z_{{{w[j]}}}}} = {tex_num(tr['probs'][j], dec)} - "
             rf"{int(j == t)} = {tex_num(g[j], dec)}" for j in range(V)]
    lines += [rf"\frac{{\partial L}}{{\partial v_{i}}} = {dot_terms(g, W[:, i])} = "
              rf"{tex_num(tr['grad_v'][i], dec)}" for i in range(d)]
    lines += [rf"\frac{{\partial L}}{{\partial W_{{{w[j]},{i}}}}} = {tex_num(g[j], dec, True)}"
              rf"{tex_num(tr['v'][i], dec, True)} = {tex_num(tr['grad_W'][j, i], dec)}"
              for j in range(V) for i in range(d)]
    return lines


def update_lines(tr, dec):
    lines = [tex_sgd(rf"E[{w[c]}]_{i}", E[c, i], lr, tr["grad_v"][i], tr["E_new"][c, i], dec)
             for i in range(d)]
    lines += [tex_sgd(rf"b_{{{w[j]}}}", b[j], lr, tr["grad_b"][j], tr["b_new"][j], dec)
              for j in range(V)]
    lines += [tex_sgd(rf"W_{{{w[j]},{i}}}", W[j, i], lr, tr["grad_W"][j, i], tr["W_new"][j, i], dec)
              for j in range(V) for i in range(d)]
    return lines


def forward_chart(tr, dec):
    charts.heatmap(W, dec, words, dims, title="W (one row per word)")
    readme_beside(("logits",))


def softmax_chart(tr, dec):
    charts.prob_bars(tr["probs"], words, t, dec)
    readme_beside(("exp", "sum_exp", "probs"))


def backward_chart(tr, dec):
    charts.heatmap(tr["grad_W"], dec, words, dims, title="∂L/∂W")
    readme_beside(("grad_logits", "grad_W", "grad_v"))


def update_chart(tr, dec):
    if d >= 2:
        charts.embedding_move(E[:, :2], tr["E_new"][:, :2], words, [c])
        if d > 2:
            st.caption("Only the first two dimensions are drawn.")
    readme_beside(("E_new", "W_new", "b_new"))


shift_note = ("The logits are large, so e^z is computed as e^(z − max z): the probabilities "
              "are the same and nothing overflows." if needs_shift(trace["logits"]) else "")
STAGES = [
    Stage("Forward", ("v", "logits"), (r"v = E[\text{center}]", r"z = vW^\top + b",
                                       r"z_j = \textstyle\sum_i v_i W_{ji} + b_j"),
          forward_lines, forward_chart),
    Stage("Softmax", ("exp", "sum_exp", "probs"),
          (r"p_j = \frac{e^{z_j}}{S}, \quad S = \textstyle\sum_k e^{z_k}",), softmax_lines,
          softmax_chart, shift_note),
    Stage("Loss", ("loss",), (r"L = -\log p_{\text{target}}",), loss_lines,
          lambda tr, dec: readme_beside(("loss",))),
    Stage("Backward", ("grad_logits", "grad_W", "grad_b", "grad_v"),
          (r"\frac{\partial L}{\partial z_j} = p_j - y_j", r"\frac{\partial L}{\partial W_{ji}} = "
           r"\frac{\partial L}{\partial z_j} v_i, \quad \frac{\partial L}{\partial b_j} = "
           r"\frac{\partial L}{\partial z_j}", r"\frac{\partial L}{\partial v_i} = \textstyle\sum_j "
           r"\frac{\partial L}{\partial z_j} W_{ji}"), backward_lines, backward_chart),
    Stage("Update", ("E_new", "W_new", "b_new"),
          (r"\theta_{\text{new}} = \theta - \alpha \frac{\partial L}{\partial \theta}",),
          update_lines, update_chart, "Only the center word's row of E moves."),
]

vec_axes = (words, None)
axes = {"v": (dims, None), "grad_v": (dims, None), "logits": vec_axes, "exp": vec_axes,
        "probs": vec_axes, "grad_logits": vec_axes, "grad_b": vec_axes, "b_new": vec_axes,
        "grad_W": (words, dims), "E_new": (words, dims), "W_new": (words, dims)}
target_mark = np.where(np.arange(V) == t, "target", "")
marks = {k: target_mark for k in ("logits", "exp", "probs", "grad_logits", "grad_b")}
marks["E_new"] = np.where(trace["E_new"] != E, "changed",
                          np.where(np.arange(V)[:, None] == c, "touched", ""))
marks["W_new"] = np.where(trace["W_new"] != W, "changed", "")
marks["b_new"] = np.where(trace["b_new"] != b, "changed", "")

st.markdown(f"#### Step {st.session_state['tiny_steps'] + 1}: "
            f"{md_text(words[c])} → {md_text(words[t])}, α = {lr:g}")
presets = {"the README's printed values": {
    k: "\n".join(" ".join(f"{x:.{dec}f}" for x in row) for row in np.atleast_2d(vals))
    for k, (vals, dec, _) in readme_values.items()}} if is_readme else None
trained = st.session_state.get("tiny_trained")
stepper(P, STAGES, trace, decimals, axes, marks, diffs, title="Tiny word2vec: one SGD step",
        carried={k: v[2] for k, v in readme_values.items()} or None, presets=presets,
        charts={"loss curve": charts.loss_spec(trained["result"]["losses"])} if trained else None,
        url={"center": words[c], "target": words[t], "lr": repr(lr), "decimals": decimals})
if is_readme:
    n_off = sum(r["off"] for r in readme_rows)
    st.caption(f"README check: {n_off} of {len(readme_rows)} printed values are off by more "
               "than their rounding explains; each stage lists them.")

# --- training ------------------------------------------------------------------------------

st.divider()
st.header("Training: the README's 50 epochs")
st.markdown("Each epoch is one SGD step on all training pairs at once (the mean "
            "cross-entropy, as `CrossEntropyLoss` does), starting from the weights above.")
t1, t2, t3 = st.columns([4, 1, 1], vertical_alignment="bottom")
t1.text_input("Training pairs (center → target, separated by commas)", "dog park, cat park",
              key="tiny_pairs", help="Each pair is two words of the vocabulary.")
# No min / max on the widget: out-of-range values then reach the check below and its
# message, instead of staying in the box unused.
t2.number_input("Epochs", value=tw.README_EPOCHS, step=1, key="tiny_epochs",
                help=f"1 to {MAX_EPOCHS}")
train_clicked = t3.button("Train", key="tiny_train", width="stretch")


def parse_pairs(text):
    if len(str(text)) > 10 * MAX_TEXT:
        raise ValueError(f"the training pairs are too long ({len(str(text)):,} characters; at "
                         f"most {10 * MAX_TEXT:,})")
    pairs = []
    for item in str(text).split(","):
        parts = item.replace("→", " ").replace("->", " ").split()
        if not parts:
            continue
        if len(parts) != 2 or any(p not in words for p in parts):
            raise ValueError("each pair must be two vocabulary words, e.g. 'dog park'")
        pairs.append((words.index(parts[0]), words.index(parts[1])))
    if not pairs:
        raise ValueError("give at least one training pair")
    return tuple(pairs)


if train_clicked:
    try:
        pairs = parse_pairs(st.session_state["tiny_pairs"])
        epochs = int(st.session_state["tiny_epochs"])
        if not 1 <= epochs <= MAX_EPOCHS:
            raise ValueError(f"the number of epochs must be between 1 and {MAX_EPOCHS}")
        result = run_training(E, W, b, pairs, lr, epochs)
        st.session_state["tiny_trained"] = {"result": result, "words": words, "animate": True}
    except (ValueError, FloatingPointError) as err:
        st.error(f"{md_text(err)}. Nothing was trained.")

trained = st.session_state.get("tiny_trained")
if trained:
    result, twords = trained["result"], trained["words"]
    losses = result["losses"]
    l1, l2 = st.columns(2)
    curve, paths = l1.empty(), l2.empty()
    if trained.pop("animate", False):
        bar = st.progress(0.0, text="training…")
        n = len(losses)
        for e in sorted(set(np.linspace(1, n, min(n, 25)).astype(int))):
            charts.loss_curve(losses[:e], placeholder=curve)
            if result["E_history"].shape[2] >= 2:
                charts.trajectories(result["E_history"][:e + 1, :, :2], twords, placeholder=paths)
            bar.progress(e / n, text=f"epoch {e} of {n}")
    charts.loss_curve(losses, placeholder=curve)
    if result["E_history"].shape[2] >= 2:
        charts.trajectories(result["E_history"][:, :, :2], twords, placeholder=paths)
    st.markdown(f"Loss: first epoch **{losses[0]:.{decimals}f}**, last epoch "
                f"**{losses[-1]:.{decimals}f}** after {len(losses)} epochs.")
    with st.expander("The numbers behind the charts"):
        n1, n2 = st.columns(2)
        with n1:
            matrix_table(np.asarray(losses)[:, None], decimals, rows=range(1, len(losses) + 1),
                         cols=["loss"], name="epoch")
        with n2:
            matrix_table(result["E"], decimals, twords, [f"d{i}" for i in
                                                         range(result["E"].shape[1])],
                         name="E after training")

"""Manual backprop (seed 001): embedding @ linear -> softmax -> -(1/V) y^T log(o), by hand."""
import numpy as np
import streamlit as st

from core import manual_backprop as mb
from ui import cached, charts, history, urlstate
from ui.format import md_text, tex_num, tex_sgd, tex_text, tex_vec
from ui.routing import through_app
from ui.stepper import Stage, stepper

through_app()

P = "mb"
MAX_WORDS, MAX_DIM = 40, 64
STATE_KEYS = ("mb_sentence", "mb_word", "mb_dim", "mb_seed", "mb_lr", "mb_params", "mb_steps")


# --- state -------------------------------------------------------------------------------

def vocab_of(sentence):
    """The vocabulary in first-appearance order; ValueError with a clear message."""
    words = str(sentence).lower().split()
    if len(words) > 10_000:
        raise ValueError("the sentence is too long: keep it under 10,000 words")
    vocab = mb.vocab_first_appearance(words)
    if not 2 <= len(vocab) <= MAX_WORDS:
        raise ValueError(f"the sentence needs 2 to {MAX_WORDS} different words")
    if any(len(w) > 30 for w in vocab):
        raise ValueError("a word is longer than 30 characters")
    return vocab


def fresh_params(restart=True):
    """Seeded random embedding and linear for the current sentence (the last good one while
    the sentence is refused), dimension and seed."""
    s = st.session_state
    try:
        V = len(vocab_of(s["mb_sentence"]))
    except ValueError:
        if "mb_vocab_good" not in s:
            return
        V = len(s["mb_vocab_good"])
    embedding, linear = mb.init_params(V, int(s["mb_dim"]), int(s["mb_seed"]))
    s["mb_params"] = {"embedding": embedding, "linear": linear}
    if restart:
        s["mb_steps"], s["mb_stage"] = 0, 0
    # Set even when unchanged: the word box's labels name the new words, and an index the
    # browser still holds under an old label would come back as that label (a str).
    w = s.get("mb_word", 0)
    s["mb_word"] = w if isinstance(w, int) and 0 <= w < V else 0


def sentence_changed():
    """New words start again from fresh weights; a refused sentence, or one with the words in
    use (the last good sentence put back), keeps the current step."""
    s = st.session_state
    try:
        vocab = vocab_of(s["mb_sentence"])
    except ValueError:
        return  # the page says why and keeps the previous sentence
    if vocab != s.get("mb_vocab_good") or s["mb_params"]["embedding"].shape[0] != len(vocab):
        fresh_params()


def new_random_init():
    history.new_seed(P, STATE_KEYS, fresh_params)


def take_step():
    s = st.session_state
    p = s["mb_params"]
    trace = mb.step(p["embedding"], p["linear"], int(s["mb_word"]), float(s["mb_lr"]))
    history.record_step(P, STATE_KEYS, {"embedding": trace["embedding_new"],
                                        "linear": p["linear"]}, trace["loss"])


compute = mb.step  # ~0.3 ms: cheaper than a cache lookup (see ui/cached.py)


def autograd_diffs(*args):
    return cached.autograd_diffs("manual_backprop", "step", "torch_step", *args)


def run_steps(*args):
    return cached.call("manual_backprop", "run", *args)


st.session_state.setdefault("mb_sentence", " ".join(mb.SEED_WORDS))
st.session_state.setdefault("mb_dim", 10)
st.session_state.setdefault("mb_seed", 0)
st.session_state.setdefault("mb_lr", 1.0)
st.session_state.setdefault("mb_word", 4)  # the seed's index = 4
st.session_state.setdefault("mb_steps", 0)
urlstate.read_url(P, {"stage": ("mb_stage", urlstate.stage_param(5)),
                      "seed": ("mb_seed", urlstate.int_in(0, 2**31 - 1)),
                      "dim": ("mb_dim", urlstate.int_in(1, MAX_DIM)),
                      "word": ("mb_word", lambda t: urlstate.int_in(
                          0, len(vocab_of(st.session_state["mb_sentence"])) - 1)(t)),
                      "lr": ("mb_lr", urlstate.positive_float)})
if "mb_params" not in st.session_state:
    fresh_params(restart=False)  # keep a stage / window from the URL
history.start(P, STATE_KEYS)

# --- page ----------------------------------------------------------------------------------

decimals = urlstate.lesson_header(
    P, "Manual backprop: the gradient by hand",
    "Seed 001 in numpy: a word's embedding row `e` times a `linear` matrix gives scores `x`, "
    "softmax gives `o`, and the loss is $L = -\\frac{1}{V} y^\\top \\log o$ with the word "
    "predicting **itself**. The backward pass is written out by hand, and only the "
    "embedding row is updated.")

with st.container(border=True, key="mb_controls"):
    st.text_input("Sentence (its words, in first-appearance order, are the vocabulary)",
                  key="mb_sentence", on_change=sentence_changed)
    try:
        vocab = vocab_of(st.session_state["mb_sentence"])
    except ValueError as err:
        st.error(f"{err}. Keeping the previous sentence.")
        vocab = st.session_state.get("mb_vocab_good", list(mb.vocab_first_appearance(mb.SEED_WORDS)))
    if st.session_state.get("mb_word", 0) >= len(vocab):
        st.session_state["mb_word"] = 0
    c1, c2, c3, c4 = st.columns(4)
    c1.selectbox("Word (index)", list(range(len(vocab))), key="mb_word",
                 format_func=lambda i: f"{i}: {vocab[i]}")
    c2.number_input("Learning rate", key="mb_lr", format="%.4f", step=0.1,
                    help="The seed's loop uses 1.0.")
    c3.number_input("Embedding size d", 1, MAX_DIM, key="mb_dim", on_change=fresh_params)
    c4.number_input("Random seed", 0, 2**31 - 1, key="mb_seed", on_change=fresh_params)
    history.step_controls(P, STATE_KEYS, take_step, new_random_init)
    st.caption(mb.SET_ORDER_NOTE)

# Validate the learning rate and the parameters; a problem keeps the last good state.
params = st.session_state["mb_params"]
good = st.session_state.get("mb_good")
try:
    if params["embedding"].shape[0] != len(vocab):
        raise ValueError("the vocabulary changed: press 'New random init'")
    index, lr = int(st.session_state["mb_word"]), float(st.session_state["mb_lr"])
    trace = compute(params["embedding"], params["linear"], index, lr)
    st.session_state["mb_good"] = good = {"embedding": params["embedding"],
                                          "linear": params["linear"], "index": index, "lr": lr,
                                          "vocab": vocab}
    st.session_state["mb_vocab_good"] = vocab
except (ValueError, FloatingPointError) as err:
    st.error(f"{err}. Showing the last good values instead.")
    if good is None:
        st.stop()
    trace = compute(good["embedding"], good["linear"], good["index"], good["lr"])

embedding, linear, index, lr, vocab = (good[k] for k in ("embedding", "linear", "index", "lr",
                                                         "vocab"))
V, d = embedding.shape
dims = [f"d{i}" for i in range(d)]
w = [tex_text(x) for x in vocab]
diffs = autograd_diffs(embedding, linear, index, lr)


def forward_lines(tr, dec):
    shown = min(V, 4)
    lines = [rf"e = \text{{embedding}}[{index}] = \text{{row of }} {w[index]}"]
    lines += [rf"x_{{{w[j]}}} = \textstyle\sum_i e_i\,\text{{linear}}_{{i,{w[j]}}} = "
              rf"{tex_num(tr['x'][j], dec)}" for j in range(shown)]
    lines += [rf"o_{{{w[j]}}} = \frac{{e^{{{tex_num(tr['x'][j], dec)}}}}}{{\sum_k e^{{x_k}}}} = "
              rf"{tex_num(tr['o'][j], dec)}" for j in range(shown)]
    lines.append(rf"L = -\frac{{1}}{{{V}}}\log o_{{{w[index]}}} = -\frac{{1}}{{{V}}}"
                 rf"\log({tex_num(tr['o'][index], dec)}) = {tex_num(tr['loss'], dec)}")
    return lines


def do_lines(tr, dec):
    return [rf"\frac{{\partial L}}{{\partial o_{{{w[j]}}}}} = -\frac{{1}}{{{V}}}\cdot"
            rf"\frac{{{int(j == index)}}}{{{tex_num(tr['o'][j], dec)}}} = {tex_num(tr['dL_do'][j], dec)}"
            for j in range(V)]


def dx_lines(tr, dec):
    return [rf"\frac{{\partial L}}{{\partial x_{{{w[j]}}}}} = \frac{{{tex_num(tr['o'][j], dec)} - "
            rf"{int(j == index)}}}{{{V}}} = {tex_num(tr['dL_dx'][j], dec)}" for j in range(V)]


def de_lines(tr, dec):
    lines = []
    for i in range(d):
        terms = " + ".join(f"({tex_num(linear[i, j], dec)})({tex_num(tr['dL_dx'][j], dec)})"
                           for j in range(min(V, 3)))
        more = r" + \dots" if V > 3 else ""
        lines.append(rf"\frac{{\partial L}}{{\partial e_{i}}} = {terms}{more} = "
                     rf"{tex_num(tr['dL_de'][i], dec)}")
    return lines


def update_lines(tr, dec):
    return [tex_sgd(f"e_{i}", embedding[index, i], lr, tr["dL_de"][i],
                    tr["embedding_new"][index, i], dec) for i in range(d)]


def forward_chart(tr, dec):
    charts.prob_bars(tr["o"], vocab, index, dec)


def do_chart(tr, dec):
    st.caption("Only the true word's entry is non-zero: y is one-hot, so dL/do is −(1/V)/o "
               "there and 0 elsewhere.")


STAGES = [
    Stage("Forward", ("e", "x", "o", "loss"),
          (r"x = e \cdot \text{linear}", r"o = \operatorname{softmax}(x)",
           r"L = -\tfrac{1}{V}\, y^\top \log o"), forward_lines, forward_chart),
    Stage("dL/do", ("dL_do",), (r"\frac{\partial L}{\partial o} = -\frac{1}{V}\,\frac{y}{o}"
                                r"\quad\text{(term by term)}",), do_lines, do_chart),
    Stage("dL/dx", ("dL_dx",), (r"\frac{\partial L}{\partial x} = \frac{\partial L}{\partial o}"
                                r"\frac{\partial o}{\partial x} = \frac{1}{V}(o - y)",), dx_lines,
          note="The softmax Jacobian diag(o) − o oᵀ times −y/(V·o) simplifies to (o − y)/V."),
    Stage("dL/de", ("dL_de",), (r"\frac{\partial L}{\partial e} = \text{linear}\;"
                                r"\frac{\partial L}{\partial x}",), de_lines),
    Stage("Update", ("embedding_new",), (r"e \leftarrow e - \alpha \frac{\partial L}{\partial e}",),
          update_lines, note="Only the word's embedding row moves; linear stays fixed."),
]
vocab_axis = (vocab, None)
axes = {"e": (dims, None), "dL_de": (dims, None), "x": vocab_axis, "o": vocab_axis,
        "dL_do": vocab_axis, "dL_dx": vocab_axis, "embedding_new": (vocab, dims)}
target = np.where(np.arange(V) == index, "target", "")
marks = {k: target for k in ("x", "o", "dL_do", "dL_dx")}
marks["embedding_new"] = np.where(trace["embedding_new"] != embedding, "changed",
                                  np.where(np.arange(V)[:, None] == index, "touched", ""))

st.markdown(f"#### Step {st.session_state['mb_steps'] + 1}: “{md_text(vocab[index])}” predicts "
            f"itself, α = {lr:g}")
try:  # one step can be fine at a learning rate whose later steps overflow
    steps, loop_error = run_steps(embedding, linear, index, lr, 20), None
except FloatingPointError as err:
    steps, loop_error = None, err
stepper(P, STAGES, trace, decimals, axes, marks, diffs, title="Manual backprop: one step",
        charts={"loss over 20 steps": charts.loss_spec(steps["losses"], "loss per step")}
        if steps else None,
        url={"seed": st.session_state["mb_seed"], "dim": d, "word": index, "lr": repr(lr),
             "decimals": decimals})

# --- the seed's 20-step loop ---------------------------------------------------------------

st.divider()
st.header("The seed's loop: 20 steps")
st.markdown(f"`step(index)` twenty times at learning rate {lr:g}, from the weights above "
            "(the seed uses 1.0).")
if loop_error:
    st.error(f"The loop could not run: {md_text(loop_error)}.")
else:
    l1, l2 = st.columns([1, 2])
    l1.markdown("\n".join(["| step | loss |", "|---:|---:|"] +
                          [f"| {i + 1} | `{x:.{decimals}f}` |"
                           for i, x in enumerate(steps["losses"])]))
    with l2:
        charts.loss_curve(steps["losses"], "loss per step")
        st.markdown("**Probabilities after 20 steps**")
        charts.prob_bars(steps["probs"], vocab, index, decimals)
with st.expander("What the seed gets right, and where it slips"):
    for note in mb.SEED_NOTES:
        st.markdown(f"- {note}")

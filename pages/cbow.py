"""CBOW from raw text (seed 003's course notes): text -> tokens -> windows -> one-hot ->
averaged context -> a CBOW MLP with ReLU -> one gradient-descent step."""
import numpy as np
import pandas as pd
import streamlit as st

from core import cbow_mlp as cm
from core import corpus
from ui import cached, charts, history, urlstate
from ui.format import md_code, md_text, tex_num, tex_sgd, tex_text
from ui.routing import through_app
from ui.stepper import Stage, stepper
from ui.tables import matrix_table

through_app()

P = "cbow"
MAX_CHARS = 20_000        # longer pastes are refused with a message (the page stays usable)
MAX_VOCAB = 60           # every stage shows V-wide tables and lines: more would take seconds
MAX_WINDOWS_LISTED = 200  # the windows table shows this many around the chosen one
COURSE_TEXT = "I am happy because I am learning"
STATE_KEYS = ("cbow_text", "cbow_C", "cbow_N", "cbow_window", "cbow_lr", "cbow_seed",
              "cbow_params", "cbow_steps")


# --- state -------------------------------------------------------------------------------

def pipeline(text, C):
    """tokens, vocab, windows for text; ValueError with a message a student can act on."""
    if len(text) > MAX_CHARS:
        raise ValueError(f"the text is too long ({len(text):,} characters; at most "
                         f"{MAX_CHARS:,})")
    tokens = corpus.tokenize(text)
    if not tokens:
        raise ValueError("the text has no words to learn from (only digits, quotes or spaces?)")
    vocab = corpus.build_vocab(tokens)
    if len(vocab) < 2:
        raise ValueError("the text needs at least two different words")
    if len(vocab) > MAX_VOCAB:
        raise ValueError(f"the text has {len(vocab):,} different words; this lesson shows every "
                         f"number of every word, so it takes at most {MAX_VOCAB}. Use a shorter "
                         f"text")
    if C < 1:
        raise ValueError("the window size C must be at least 1")
    if len(tokens) < 2 * C + 1:
        raise ValueError(f"with C = {C} a window needs {2 * C + 1} tokens; the text has "
                         f"{len(tokens)}. Use a longer text or a smaller C")
    return tokens, vocab, list(corpus.windows(tokens, C))


def is_course(tokens, N):
    return list(tokens) == list(cm.COURSE_TOKENS) and N == cm.COURSE_PARAMS["W1"].shape[0]


def fresh_params(restart=True):
    """The course's weights for the course's text and N = 3; seeded random ones otherwise."""
    s = st.session_state
    try:
        tokens, vocab, _ = pipeline(s["cbow_text"], int(s["cbow_C"]))
    except ValueError:
        return  # the page shows why and keeps the previous parameters
    N, V = int(s["cbow_N"]), len(vocab)
    if is_course(tokens, N):
        s["cbow_params"] = {k: v.copy() for k, v in cm.COURSE_PARAMS.items()}
    else:
        s["cbow_params"] = cm.init_params(V, N, int(s["cbow_seed"]))
    if restart:
        s["cbow_steps"], s["cbow_stage"], s["cbow_window"] = 0, 0, 0


def inputs_changed():
    """Text, C or N changed: start again from fresh weights, unless the tokens, C and N are
    the ones in use (a refused value put back, or only spaces changed): nothing is lost then."""
    s = st.session_state
    good = s.get("cbow_good")
    try:
        tokens = pipeline(s["cbow_text"], int(s["cbow_C"]))[0]
    except ValueError:
        return  # the page shows why and keeps the previous parameters
    if good and (good["tokens"], good["C"], good["params"]["W1"].shape[0]) == (
            tokens, int(s["cbow_C"]), int(s["cbow_N"])):
        return
    fresh_params()


def new_random_init():
    def fresh_params():
        s = st.session_state
        try:
            _, vocab, _ = pipeline(s["cbow_text"], int(s["cbow_C"]))
        except ValueError:
            return False
        s["cbow_params"] = cm.init_params(len(vocab), int(s["cbow_N"]), int(s["cbow_seed"]))
        s["cbow_steps"], s["cbow_stage"] = 0, 0
    history.new_seed(P, STATE_KEYS, fresh_params)


def upload_text():
    """A .txt corpus: UTF-8 text the lesson can use; anything else leaves the text as it was,
    with a message."""
    f = st.session_state.get("cbow_upload")
    if f is None:
        return
    raw = f.getvalue()
    try:
        if len(raw) > 4 * MAX_CHARS:  # refused before decoding
            raise ValueError(f"the file is too long ({len(raw):,} bytes; a text may have at "
                             f"most {MAX_CHARS:,} characters)")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError("the file is not UTF-8 text") from None
        if "\x00" in text:
            raise ValueError("the file looks binary, not text")
        pipeline(text, int(st.session_state["cbow_C"]))  # too long, no words, too short...
    except ValueError as err:
        st.session_state["cbow_upload_error"] = f"the file was not loaded: {err}"
        return
    st.session_state["cbow_text"] = text
    inputs_changed()


def take_step():
    s = st.session_state
    good = s["cbow_good"]
    trace = compute(good["params"]["W1"], good["params"]["b1"], good["params"]["W2"],
                    good["params"]["b2"], good["x"], good["y"], good["lr"])
    history.record_step(P, STATE_KEYS, {k: trace[f"{k}_new"] for k in ("W1", "b1", "W2", "b2")},
                        trace["loss"], stage=4)


def compute(W1, b1, W2, b2, x, y, lr):  # ~0.3 ms: cheaper than a cache lookup (ui/cached.py)
    return cm.sgd_step({"W1": W1, "b1": b1, "W2": W2, "b2": b2}, x, y, lr)


def autograd_diffs(W1, b1, W2, b2, x, y, lr):
    return cached.autograd_diffs("cbow_mlp", "sgd_step", "torch_sgd_step",
                                 {"W1": W1, "b1": b1, "W2": W2, "b2": b2}, x, y, lr)


def run_training(W1, b1, W2, b2, tokens, C, lr, epochs):
    return cached.call("cbow_mlp", "train", {"W1": W1, "b1": b1, "W2": W2, "b2": b2},
                       list(tokens), C, lr, epochs)


def url_window(text):
    """URL 'window': an index into the windows of the text (with the URL's C, read before)."""
    wins = pipeline(st.session_state["cbow_text"], int(st.session_state["cbow_C"]))[2]
    return urlstate.int_in(0, len(wins) - 1)(text)


for key, value in {"cbow_text": COURSE_TEXT, "cbow_C": 2, "cbow_N": 3, "cbow_window": 0,
                   "cbow_lr": cm.DEFAULT_LR, "cbow_seed": 0, "cbow_steps": 0}.items():
    st.session_state.setdefault(key, value)
urlstate.read_url(P, {"stage": ("cbow_stage", urlstate.stage_param(8)),
                      "C": ("cbow_C", urlstate.int_in(1, 10)),
                      "N": ("cbow_N", urlstate.int_in(1, 50)),
                      "window": ("cbow_window", url_window),
                      "seed": ("cbow_seed", urlstate.int_in(0, 2**31 - 1)),
                      "lr": ("cbow_lr", urlstate.positive_float)})
if "cbow_params" not in st.session_state:
    fresh_params(restart=False)  # keep a stage / window from the URL
history.start(P, STATE_KEYS)

# --- page ----------------------------------------------------------------------------------

decimals = urlstate.lesson_header(
    P, "CBOW from raw text",
    "The course notes' path (seed 003): clean and **tokenize** a text, slide a **window** of "
    "C words on each side of a center word, turn the context words into **one-hot** vectors "
    "and **average** them, then a small network predicts the center word: "
    "$z_1 = W_1 x + b_1$, $h = \\mathrm{ReLU}(z_1)$, $z_2 = W_2 h + b_2$, "
    "$\\hat y = \\mathrm{softmax}(z_2)$, cross-entropy loss, backprop and one gradient-descent "
    "step. The defaults are the course's sentence, C = 2, N = 3 and the course's weights.")

with st.container(border=True, key="cbow_controls"):
    st.text_area("Text", key="cbow_text", on_change=inputs_changed, height=80,
                 help=f"Any text up to {MAX_CHARS:,} characters; punctuation becomes '.', "
                      "digits and quotes are dropped, emoji are kept.")
    st.file_uploader("…or load a UTF-8 .txt file", type=["txt"], key="cbow_upload",
                     on_change=upload_text)
    upload_error = st.session_state.pop("cbow_upload_error", None)
    if upload_error:
        st.error(f"{upload_error}. The text was left as it was.")
    c1, c2, c3, c4 = st.columns(4)
    c1.number_input("Window size C", 0, 10, key="cbow_C", on_change=inputs_changed)
    c2.number_input("Embedding size N", 1, 50, key="cbow_N", on_change=inputs_changed)
    c4.number_input("Learning rate α", key="cbow_lr", format="%.4f", step=0.01)
    window_box = c3.empty()

# Validate text, C, window and learning rate; a problem keeps the last good state.
good = st.session_state.get("cbow_good")
try:
    tokens, vocab, wins = pipeline(st.session_state["cbow_text"], int(st.session_state["cbow_C"]))
    params = st.session_state["cbow_params"]
    if params["W1"].shape != (int(st.session_state["cbow_N"]), len(vocab)):
        fresh_params()
        params = st.session_state["cbow_params"]
    if st.session_state["cbow_window"] >= len(wins):
        st.session_state["cbow_window"] = 0
    wi = int(st.session_state["cbow_window"])
    context, center = wins[wi]
    x = corpus.context_vector(context, vocab)          # (V,) mean of one-hots
    y = corpus.one_hot(center, vocab)                  # (V,)
    lr = float(st.session_state["cbow_lr"])
    trace = compute(params["W1"], params["b1"], params["W2"], params["b2"], x, y, lr)
    good = {"tokens": tokens, "vocab": vocab, "wins": wins, "wi": wi, "x": x, "y": y, "lr": lr,
            "params": params, "C": int(st.session_state["cbow_C"])}
    st.session_state["cbow_good"] = good
except (ValueError, FloatingPointError) as err:
    st.error(f"{err}. Showing the last good values instead.")
    if good is None:
        st.stop()
    trace = compute(good["params"]["W1"], good["params"]["b1"], good["params"]["W2"],
                    good["params"]["b2"], good["x"], good["y"], good["lr"])

tokens, vocab, wins, wi, lr, C = (good[k] for k in ("tokens", "vocab", "wins", "wi", "lr", "C"))
params = good["params"]
W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
context, center = wins[wi]
V, N = len(vocab), W1.shape[0]
window_box.selectbox("Window (center word)", list(range(len(wins))), key="cbow_window",
                     format_func=lambda i: f"{i}: {wins[i][1]}")
with st.container(key="cbow_controls_2"):
    history.step_controls(P, STATE_KEYS, take_step, new_random_init)

course = is_course(tokens, N) and wi == 0 and st.session_state["cbow_steps"] == 0 and all(
    np.array_equal(params[k], cm.COURSE_PARAMS[k]) for k in params)
diffs = autograd_diffs(W1, b1, W2, b2, good["x"], good["y"], lr)
w = [tex_text(v) for v in vocab]
hid = [f"h{i}" for i in range(N)]


def word_list(words):
    return ", ".join(md_code(t) if t else "` `" for t in words)


def tokens_chart(tr, dec):
    st.markdown(f"**{len(tokens)} tokens:** " + word_list(tokens[:300]) +
                (" …" if len(tokens) > 300 else ""))
    st.caption("Rules of the course: runs of , ! ? ; - become '.', words are lower-cased, and a "
               "token is kept when it is alphabetic, '.' or an emoji; digits and quotes go.")


def vocab_chart(tr, dec):
    st.markdown("\n".join(["| index | word |", "|---:|:---|"] +
                          [f"| {i} | {md_text(v)} |" for i, v in enumerate(vocab)]))
    st.caption(f"V = {V}: the sorted unique tokens. Each word's index is its one-hot position.")


def windows_chart(tr, dec):
    lo = max(0, wi - MAX_WINDOWS_LISTED // 2)
    rows = [f"| {'▶ ' if i == wi else ''}{i} | {word_list(ctx)} | **{md_text(c)}** |"
            for i, (ctx, c) in enumerate(wins[lo:lo + MAX_WINDOWS_LISTED], start=lo)]
    st.markdown("\n".join(["| window | context words | center word |", "|---:|:---|:---|"] + rows))
    if len(wins) > MAX_WINDOWS_LISTED:
        st.caption(f"{len(wins):,} windows in all; {MAX_WINDOWS_LISTED} are listed around the "
                   "chosen one.")


def onehot_chart(tr, dec):
    course_beside(("x", "y"))
    rows = [f"| {md_text(c)} | " + " | ".join(f"`{v:.0f}`" for v in corpus.one_hot(c, vocab)) + " |"
            for c in context]
    head = "| context word | " + " | ".join(md_text(v) for v in vocab) + " |"
    st.markdown("\n".join([head, "|:---|" + "---:|" * V] + rows))
    st.caption(f"x is the mean of these {len(context)} one-hot rows; y is the center word's "
               "one-hot.")


def onehot_lines(tr, dec):
    return [rf"x_{{{w[j]}}} = \tfrac{{{int(round(tr['x'][j] * len(context)))}}}{{{len(context)}}}"
            rf" = {tex_num(tr['x'][j], dec)}" for j in range(V) if tr["x"][j]]


def forward_lines(tr, dec):
    lines = []
    for i in range(N):
        terms = " + ".join(f"({tex_num(W1[i, j], dec)})({tex_num(tr['x'][j], dec)})"
                           for j in range(V) if tr["x"][j])
        lines.append(rf"z_{{1,{i}}} = {terms} + ({tex_num(b1[i], dec)}) = {tex_num(tr['z1'][i], dec)}")
    lines += [rf"h_{i} = \max(0, {tex_num(tr['z1'][i], dec)}) = {tex_num(tr['h'][i], dec)}"
              for i in range(N)]
    for j in range(V):
        terms = " + ".join(f"({tex_num(W2[j, i], dec)})({tex_num(tr['h'][i], dec)})"
                           for i in range(N))
        lines.append(rf"z_{{2,{w[j]}}} = {terms} + ({tex_num(b2[j], dec)}) = "
                     rf"{tex_num(tr['z2'][j], dec)}")
    return lines


def loss_lines(tr, dec):
    t = int(np.argmax(tr["y"]))
    lines = [rf"\hat y_{{{w[j]}}} = {tex_num(tr['y_hat'][j], dec)}" for j in range(V)]
    lines.append(rf"J = -\log \hat y_{{{w[t]}}} = -\log({tex_num(tr['y_hat'][t], dec)}) = "
                 rf"{tex_num(tr['loss'], dec)}")
    return lines


def backward_lines(tr, dec):
    lines = [rf"\frac{{\partial J}}{{\partial z_{{2,{w[j]}}}}} = {tex_num(tr['y_hat'][j], dec)} - "
             rf"{int(tr['y'][j])} = {tex_num(tr['grad_z2'][j], dec)}" for j in range(V)]
    lines += [rf"\frac{{\partial J}}{{\partial z_{{1,{i}}}}} = {tex_num(tr['grad_h'][i], dec)} \cdot "
              rf"\mathbb{{1}}[{tex_num(tr['z1'][i], dec)} > 0] = {tex_num(tr['grad_z1'][i], dec)}"
              for i in range(N)]
    return lines


def update_lines(tr, dec):
    return [tex_sgd(rf"b_{{1,{i}}}", b1[i], lr, tr["grad_b1"][i], tr["b1_new"][i], dec)
            for i in range(N)] + \
           [tex_sgd(rf"b_{{2,{w[j]}}}", b2[j], lr, tr["grad_b2"][j], tr["b2_new"][j], dec)
            for j in range(V)]


def course_beside(keys):
    """The notes' printed numbers beside ours (course example), off ones explained below."""
    if not course:
        return
    rows = []
    for key in keys:
        if key not in cm.COURSE_PRINTED:
            continue
        printed, dec = cm.COURSE_PRINTED[key]
        printed, ours = np.ravel(printed), np.ravel(trace[key])
        if printed.shape != ours.shape:
            rows.append({"quantity": key, "notes": f"{printed.size} numbers",
                         "exact": f"{ours.size} numbers", "difference": "shape",
                         "verdict": "⚠ wrong shape: see the common mistake below"})
            continue
        shape = np.shape(trace[key])
        for flat, (p, x) in enumerate(zip(printed, ours)):
            idx = ", ".join(map(str, np.unravel_index(flat, shape))) if shape else ""
            off = abs(p - x) > 0.5 * 10.0 ** -dec + 1e-12
            rows.append({"quantity": f"{key}[{idx}]" if idx else key, "notes": f"{p: .{dec}f}",
                         "exact": f"{x: .{max(dec, 8)}f}", "difference": f"{p - x: .1e}",
                         "verdict": "⚠ off: see the common mistake below" if off
                         else "✓ right to the printed digits"})
    if rows:
        st.markdown("**The course notes' printed numbers beside ours**")
        st.table(pd.DataFrame(rows))


def mistakes_panel(keys):
    """Where the notes' formulas or printed numbers disagree with autograd."""
    for m in (m for m in cm.NOTES_MISTAKES if m["key"] in keys):
        with st.container(border=True):
            st.markdown(f"**Common mistake in the notes: `{m['key']}`**")
            a, b = st.columns(2)
            a.caption("The course notes")
            a.markdown(m["notes_version"])
            b.caption("What the math (and torch autograd) says")
            b.markdown(m["correct_version"])
            st.markdown(m["explanation"])


def forward_chart(tr, dec):
    charts.heatmap(W1, dec, hid, vocab, title="W1 (N × V): column j is word j's input embedding")
    course_beside(("z1", "h", "z2"))


def loss_chart(tr, dec):
    charts.prob_bars(tr["y_hat"], vocab, int(np.argmax(tr["y"])), dec)
    course_beside(("y_hat", "loss"))
    mistakes_panel(("y_hat", "loss"))


def backward_chart(tr, dec):
    charts.heatmap(tr["grad_W1"], dec, hid, vocab, title="∂J/∂W1")
    course_beside(("grad_W2", "grad_b2", "grad_W1", "grad_b1"))
    mistakes_panel(("grad_W1", "grad_b1", "grad_W2", "grad_b2", "grad_z1", "grad_h"))


def update_chart(tr, dec):
    course_beside(("W1_new", "b1_new", "W2_new", "b2_new"))


STAGES = [
    Stage("Tokens", (), (r"\text{text} \to \text{tokens}",), chart=tokens_chart),
    Stage("Vocabulary", (), (r"\text{word} \mapsto \text{index}",), chart=vocab_chart),
    Stage("Windows", (), (rf"\text{{context}} = C = {C} \text{{ words each side of the center}}",),
          chart=windows_chart),
    Stage("One-hot and average", ("x", "y"),
          (r"x = \frac{1}{2C}\sum_{c \in \text{context}} \text{onehot}(c), \quad "
           r"y = \text{onehot}(\text{center})",), onehot_lines, onehot_chart),
    Stage("Forward", ("z1", "h", "z2"),
          (r"z_1 = W_1 x + b_1", r"h = \mathrm{ReLU}(z_1) = \max(0, z_1)", r"z_2 = W_2 h + b_2"),
          forward_lines, forward_chart),
    Stage("Softmax and loss", ("y_hat", "loss"),
          (r"\hat y = \mathrm{softmax}(z_2)", r"J = -\sum_k y_k \log \hat y_k"), loss_lines,
          loss_chart),
    Stage("Backward", ("grad_z2", "grad_W2", "grad_b2", "grad_h", "grad_z1", "grad_W1", "grad_b1"),
          (r"\frac{\partial J}{\partial z_2} = \hat y - y, \quad \frac{\partial J}{\partial W_2} "
           r"= \frac{\partial J}{\partial z_2} h^\top, \quad \frac{\partial J}{\partial b_2} = "
           r"\frac{\partial J}{\partial z_2}",
           r"\frac{\partial J}{\partial h} = W_2^\top \frac{\partial J}{\partial z_2}, \quad "
           r"\frac{\partial J}{\partial z_1} = \frac{\partial J}{\partial h} \odot "
           r"\mathbb{1}[z_1 > 0]",
           r"\frac{\partial J}{\partial W_1} = \frac{\partial J}{\partial z_1} x^\top, \quad "
           r"\frac{\partial J}{\partial b_1} = \frac{\partial J}{\partial z_1}"),
          backward_lines, backward_chart),
    Stage("Update", ("W1_new", "b1_new", "W2_new", "b2_new"),
          (r"\theta := \theta - \alpha \frac{\partial J}{\partial \theta}",), update_lines,
          update_chart),
]
vv, nn = (vocab, None), (hid, None)
axes = {"x": vv, "y": vv, "z1": nn, "h": nn, "z2": vv, "y_hat": vv, "grad_z2": vv, "grad_b2": vv,
        "grad_h": nn, "grad_z1": nn, "grad_b1": nn, "b1_new": nn, "b2_new": vv,
        "grad_W1": (hid, vocab), "W1_new": (hid, vocab), "grad_W2": (vocab, hid),
        "W2_new": (vocab, hid)}
t = int(np.argmax(good["y"]))
target = np.where(np.arange(V) == t, "target", "")
marks = {k: target for k in ("y", "z2", "y_hat", "grad_z2", "grad_b2")}
marks["x"] = np.where(good["x"] > 0, "touched", "")
for k, old in (("W1_new", W1), ("b1_new", b1), ("W2_new", W2), ("b2_new", b2)):
    marks[k] = np.where(trace[k] != old, "changed", "")

st.markdown(f"#### Step {st.session_state['cbow_steps'] + 1}: window {wi}, "
            f"{word_list(context)} → **{md_text(center)}**, α = {lr:g}")
stepper(P, STAGES, trace, decimals, axes, marks, diffs, title="CBOW: one step",
        url={"C": C, "N": N, "window": wi, "seed": st.session_state["cbow_seed"], "lr": repr(lr),
             "decimals": decimals})

# --- training ------------------------------------------------------------------------------

st.divider()
st.header("Training over all windows")
st.markdown(f"Each epoch takes one gradient-descent step per window ({len(wins)} windows), in "
            "order, from the weights above; the loss is the epoch's mean.")
t1, t2 = st.columns([1, 1], vertical_alignment="bottom")
t1.number_input("Epochs", 1, 500, 50, key="cbow_epochs")
if t2.button("Train", key="cbow_train", width="stretch"):
    if len(wins) * int(st.session_state["cbow_epochs"]) > 200_000:
        st.error("That is more than 200,000 steps: use fewer epochs or a shorter text.")
    else:
        try:
            st.session_state["cbow_trained"] = {
                "result": run_training(W1, b1, W2, b2, tuple(tokens), C, lr,
                                       int(st.session_state["cbow_epochs"])), "vocab": vocab}
        except (ValueError, FloatingPointError) as err:
            st.error(f"{err}. Nothing was trained.")
trained = st.session_state.get("cbow_trained")
if trained:
    res, tvocab = trained["result"], trained["vocab"]
    l1, l2 = st.columns(2)
    with l1:
        charts.loss_curve(res["losses"], "mean loss per epoch")
    with l2:
        emb = cm.embeddings(res["params"])
        xy = cm.pca_2d(emb["average"])
        charts.word_scatter(xy, tvocab, "learned embeddings (average of W1 columns and W2 rows)"
                            + (", PCA to 2-D" if emb["average"].shape[1] > 2 else ""))
    with st.expander("The numbers behind the charts"):
        n1, n2 = st.columns(2)
        with n1:
            matrix_table(np.asarray(res["losses"])[:, None], decimals,
                         rows=range(1, len(res["losses"]) + 1), cols=["mean loss"], name="epoch")
        with n2:
            matrix_table(xy, decimals, tvocab, ["x", "y"], name="plotted")
            matrix_table(emb["average"], decimals, tvocab,
                         [f"h{i}" for i in range(emb["average"].shape[1])], name="average")

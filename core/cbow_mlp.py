"""Seed 003's CBOW network: averaged context one-hots -> ReLU hidden layer -> softmax.

One example, column vectors as 1-D arrays (the notes' names and shapes):
    z1 = W1 x + b1        (N,)   W1 (N, V), x = mean of the context one-hots (V,)
    h  = ReLU(z1)         (N,)
    z2 = W2 h + b2        (V,)   W2 (V, N)
    y_hat = softmax(z2)   (V,)
    J  = -sum_k y_k log y_hat_k
The notes define the batch cost as the mean of the m examples' losses, J_batch =
-(1/m) sum_i sum_k y_k^i log y_hat_k^i; a single-example step is the case m = 1, so its
gradients are the batch gradients without the 1/m. `train` takes one such step per window
(SGD with batch size 1, windows in text order).
"""
import numpy as np

from core import corpus
from core.common import (Trace, as_float_array, check_finite, check_lr, check_whole, needs_shift,
                         softmax_parts)

# The notes' tokenized sentence ("I'm happy because I'm learning"), context half-size C and
# embedding size N, and the weights they print (taken as exact; b1, b2 printed as columns).
COURSE_TOKENS = ("i", "am", "happy", "because", "i", "am", "learning")
COURSE_C, COURSE_N = 2, 3
COURSE_PARAMS = {
    "W1": np.array([[0.41687358, 0.08854191, -0.23495225, 0.28320538, 0.41800106],
                    [0.32735501, 0.22795148, -0.23951958, 0.4117634, -0.23924344],
                    [0.26637602, -0.23846886, -0.37770863, -0.11399446, 0.34008124]]),
    "b1": np.array([0.09688219, 0.29239497, -0.27364426]),
    "W2": np.array([[-0.22182064, -0.43008631, 0.13310965],
                    [0.08476603, 0.08123194, 0.1772054],
                    [0.1871551, -0.06107263, -0.1790735],
                    [0.07055222, -0.02015138, 0.36107434],
                    [0.33480474, -0.39423389, -0.43959196]]),
    "b2": np.array([0.0352008, -0.36393384, -0.12775555, -0.34802326, -0.07017815]),
}
for _a in COURSE_PARAMS.values():
    _a.setflags(write=False)          # shared constants: callers copy, never edit in place
COURSE_WINDOW = 0                     # the notes step on the first window: i am _ because i
COURSE_PREDICTION = "happy"           # Ind2word[np.argmax(y_hat)], as printed
DEFAULT_LR = 0.03                     # the notes choose no learning rate; a small one

TRACE_KEYS = ("x", "y", "z1", "h", "z2", "y_hat", "loss", "grad_z2", "grad_h", "grad_z1",
              "grad_W1", "grad_b1", "grad_W2", "grad_b2", "W1_new", "b1_new", "W2_new",
              "b2_new")

# The same equations in LaTeX, as a lesson shows them at each stage (the notes' notation).
_D = r"\frac{\partial J}{\partial %s}"
FORMULAS = {
    "tokens": (r"\text{text} \to \text{tokens}",),
    "vocab": (r"\text{word} \mapsto \text{index}",),
    "windows": (r"\text{context} = \text{the } C \text{ words each side of the center}",),
    "onehot": (r"x = \frac{1}{2C}\sum_{c \in \text{context}} \text{onehot}(c), \quad "
               r"y = \text{onehot}(\text{center})",),
    "forward": (r"z_1 = W_1 x + b_1", r"h = \mathrm{ReLU}(z_1) = \max(0, z_1)",
                r"z_2 = W_2 h + b_2"),
    "loss": (r"\hat y_j = \mathrm{softmax}(z_2)_j = \frac{e^{z_{2,j}}}{\sum_k e^{z_{2,k}}}",
             r"J = -\sum_k y_k \log \hat y_k"),
    "backward": (rf"{_D % 'z_2'} = \hat y - y, \quad {_D % 'W_2'} = {_D % 'z_2'} h^\top, "
                 rf"\quad {_D % 'b_2'} = {_D % 'z_2'}",
                 rf"{_D % 'h'} = W_2^\top {_D % 'z_2'}, \quad {_D % 'z_1'} = {_D % 'h'} "
                 r"\odot \mathbb{1}[z_1 > 0]",
                 rf"{_D % 'W_1'} = {_D % 'z_1'} x^\top, \quad {_D % 'b_1'} = {_D % 'z_1'}"),
    "update": (r"\theta := \theta - \alpha \frac{\partial J}{\partial \theta}",),
}


def check_params(params):
    """float64 copies (W1, b1, W2, b2) after checking the shapes agree; ValueError if not."""
    try:
        W1, b1, W2, b2 = (params[k] for k in ("W1", "b1", "W2", "b2"))
    except (KeyError, TypeError):
        raise ValueError("params must be a dict with W1, b1, W2 and b2") from None
    W1 = as_float_array(W1, name="W1")
    if W1.ndim != 2 or W1.shape[0] < 1 or W1.shape[1] < 2:
        raise ValueError("W1 must be an (N, V) matrix with N >= 1 and V >= 2 words")
    N, V = W1.shape
    b1, b2 = as_float_array(b1, name="b1"), as_float_array(b2, name="b2")
    if b1.shape not in ((N,), (N, 1)) or b2.shape not in ((V,), (V, 1)):
        raise ValueError(f"with W1 of shape {(N, V)}, b1 must have {N} entries and b2 {V}")
    W2 = as_float_array(W2, shape=(V, N), name="W2")
    return W1, b1.reshape(N), W2, b2.reshape(V)


def init_params(V=5, N=COURSE_N, seed=0):
    """Seeded random W1 (N, V), b1 (N,), W2 (V, N), b2 (V,), uniform in [-0.5, 0.5) like the
    notes' printed weights (the notes do not say how theirs were drawn)."""
    V, N = check_whole(V, 2, "V"), check_whole(N, 1, "N")
    rng = np.random.default_rng(seed)
    return {"W1": rng.uniform(-0.5, 0.5, (N, V)), "b1": rng.uniform(-0.5, 0.5, N),
            "W2": rng.uniform(-0.5, 0.5, (V, N)), "b2": rng.uniform(-0.5, 0.5, V)}



def _check_xy(x, y, V):
    x = as_float_array(x, shape=(V,), name="x")
    y = as_float_array(y, shape=(V,), name="y")
    if np.any(y < 0) or abs(y.sum() - 1.0) > 1e-9:
        raise ValueError("y must be a one-hot vector (or probabilities summing to 1)")
    return x, y


def sgd_step(params, x, y, lr):
    """One SGD step on the example (x, y); returns the Trace of every number, in TRACE_KEYS."""
    W1, b1, W2, b2 = check_params(params)
    x, y = _check_xy(x, y, W1.shape[1])
    with np.errstate(over="ignore", invalid="ignore"):   # overflow is reported, in words
        trace = _step(W1, b1, W2, b2, x, y, check_lr(lr))
    return check_finite(trace, "try smaller weights or a smaller learning rate")


def _step(W1, b1, W2, b2, x, y, lr):
    """The step's arithmetic on checked float64 inputs (shared by sgd_step and train)."""
    # --- forward
    z1 = W1 @ x + b1                                   # (N,)  hidden pre-activation
    h = np.maximum(z1, 0.0)                            # (N,)  ReLU
    z2 = W2 @ h + b2                                   # (V,)  logits
    _, sum_exp, y_hat = softmax_parts(z2)              # (V,)  softmax
    shift = z2.max() if needs_shift(z2) else 0.0
    log_y_hat = z2 - shift - np.log(sum_exp)           # (V,)  finite even if y_hat underflows
    loss = float(-(y @ log_y_hat))                     # cross-entropy

    # --- backward
    grad_z2 = y_hat - y                                # (V,)  softmax + cross-entropy
    grad_h = W2.T @ grad_z2                            # (N,)
    grad_z1 = np.where(z1 > 0, grad_h, 0.0)            # (N,)  ReLU'(z1): 1 if fired, else 0
    grad_W1 = np.outer(grad_z1, x) + 0.0               # (N, V) (+ 0.0 turns -0.0 into 0.0)
    grad_b1 = grad_z1.copy()                           # (N,)
    grad_W2 = np.outer(grad_z2, h) + 0.0               # (V, N)
    grad_b2 = grad_z2.copy()                           # (V,)

    # --- update
    W1_new = W1 - lr * grad_W1                         # (N, V)
    b1_new = b1 - lr * grad_b1                         # (N,)
    W2_new = W2 - lr * grad_W2                         # (V, N)
    b2_new = b2 - lr * grad_b2                         # (V,)
    return Trace(x=x, y=y, z1=z1, h=h, z2=z2, y_hat=y_hat, loss=loss, grad_z2=grad_z2,
                 grad_h=grad_h, grad_z1=grad_z1, grad_W1=grad_W1, grad_b1=grad_b1,
                 grad_W2=grad_W2, grad_b2=grad_b2,
                 W1_new=W1_new, b1_new=b1_new, W2_new=W2_new, b2_new=b2_new)


def course_example(window=COURSE_WINDOW, tokens=COURSE_TOKENS, C=COURSE_C):
    """(x, y) of one window of `tokens`, with the vocabulary in the notes' sorted order."""
    vocab = corpus.build_vocab(tokens)
    wins = corpus.windows(tokens, C)
    if not 0 <= window < len(wins):
        raise ValueError(f"window must be between 0 and {len(wins) - 1}, got {window}")
    context, center = wins[window]
    return corpus.context_vector(context, vocab), corpus.one_hot(center, vocab)


DEFAULT_PARAMS = COURSE_PARAMS
COURSE_TEXT = "I am happy because I am learning"   # the notes' sentence, tokenized as theirs


def lesson_params(tokens, N, seed=0):
    """The notes' weights for their sentence with N = 3 and seed 0; seeded random ones (for the
    vocabulary of `tokens`) otherwise."""
    if tuple(tokens) == COURSE_TOKENS and N == COURSE_N and seed == 0:
        return dict(COURSE_PARAMS)
    return init_params(len(corpus.build_vocab(tokens)), N, seed)


def trace_step(params, example, lr):
    """The lesson interface: sgd_step on example {x, y} (the averaged context, the one-hot)."""
    return sgd_step(params, example["x"], example["y"], lr)


def torch_trace_step(params, example, lr):
    """torch_sgd_step with trace_step's signature."""
    return torch_sgd_step(params, example["x"], example["y"], lr)


def next_params(params, trace):
    return {k: trace[f"{k}_new"] for k in ("W1", "b1", "W2", "b2")}


def torch_sgd_step(params, x, y, lr):
    """The same step by torch autograd (float64): the check a page can show beside ours."""
    import torch

    W1, b1, W2, b2 = check_params(params)
    x, y = _check_xy(x, y, W1.shape[1])
    lr = check_lr(lr)
    P = {k: torch.tensor(v, requires_grad=True) for k, v in
         (("W1", W1), ("b1", b1), ("W2", W2), ("b2", b2))}
    xt, yt = torch.tensor(x), torch.tensor(y)
    z1 = P["W1"] @ xt + P["b1"]
    h = torch.relu(z1)
    z2 = P["W2"] @ h + P["b2"]
    for t in (z1, h, z2):
        t.retain_grad()
    loss = -(yt * torch.log_softmax(z2, 0)).sum()
    loss.backward()
    out = {"x": xt, "y": yt, "z1": z1, "h": h, "z2": z2, "y_hat": torch.softmax(z2, 0),
           "loss": loss, "grad_z2": z2.grad, "grad_h": h.grad, "grad_z1": z1.grad,
           "grad_W1": P["W1"].grad, "grad_b1": P["b1"].grad, "grad_W2": P["W2"].grad,
           "grad_b2": P["b2"].grad}
    torch.optim.SGD(P.values(), lr=lr).step()
    out.update({f"{k}_new": p for k, p in P.items()})
    as_numpy = {k: t.detach().numpy().copy() for k, t in out.items()}
    return Trace((k, float(as_numpy[k]) if as_numpy[k].ndim == 0 else as_numpy[k])
                 for k in TRACE_KEYS)


def train(params, tokens, C, lr, epochs):
    """SGD over every window of `tokens`, in order, `epochs` times.

    The vocabulary is the sorted unique tokens and must have V = W1.shape[1] words. An
    epoch's loss is the mean of its steps' losses, each taken before its update.
    Returns {"losses": [per-epoch mean loss], "params": final params, "vocab": vocab}.
    """
    W1, b1, W2, b2 = check_params(params)
    lr = check_lr(lr)
    epochs = check_whole(epochs, 1, "epochs")
    vocab = corpus.build_vocab(tokens)
    wins = corpus.windows(tokens, C)
    if len(vocab) != W1.shape[1]:
        raise ValueError(f"the weights are for V = {W1.shape[1]} words but the text has "
                         f"{len(vocab)} different tokens")
    index = {w: i for i, w in enumerate(vocab)}
    losses = []
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(int(epochs)):
            total = 0.0
            for context, center in wins:    # vectors built per step: n x V may not fit
                x = corpus.context_vector(context, index)   # (V,)
                y = corpus.one_hot(center, index)           # (V,)
                t = _step(W1, b1, W2, b2, x, y, lr)
                total += t["loss"]
                W1, b1, W2, b2 = t["W1_new"], t["b1_new"], t["W2_new"], t["b2_new"]
            losses.append(total / len(wins))
            if not (np.isfinite(total) and np.all(np.isfinite(W1)) and
                    np.all(np.isfinite(W2))):
                raise FloatingPointError("training diverged to NaN/inf; lower the learning "
                                         "rate")
    return {"losses": losses, "params": {"W1": W1, "b1": b1, "W2": W2, "b2": b2},
            "vocab": vocab}


def embeddings(params):
    """The three usual word vectors, one row per word (V, N): W1's columns, W2's rows, mean."""
    W1, _, W2, _ = check_params(params)
    return {"W1": W1.T.copy(), "W2": W2.copy(), "average": (W1.T + W2) / 2}


def pca_2d(X):
    """(n, 2) coordinates of the rows of X on their first two principal axes (numpy SVD).

    Each axis's sign is fixed so its largest loading is positive (stable plots); with fewer
    than two axes (N = 1, or one row) the missing coordinates are 0.
    """
    X = as_float_array(X, name="X")
    if X.ndim != 2 or X.shape[0] < 1:
        raise ValueError("X must be an (n, N) matrix with at least one row")
    Xc = X - X.mean(axis=0)                             # (n, N)
    _, _, Vt = np.linalg.svd(Xc, full_matrices=False)  # Vt (k, N), k = min(n, N)
    Vt = Vt[:2]
    flip = np.sign(Vt[np.arange(len(Vt)), np.abs(Vt).argmax(axis=1)])
    coords = Xc @ (Vt * flip[:, None]).T               # (n, k<=2)
    return np.pad(coords, ((0, 0), (0, 2 - coords.shape[1]))) + 0.0


MAX_EPOCHS, MAX_TRAIN_STEPS = 500, 200_000   # a lesson's training run: seconds, not minutes


def train_report(params, tokens, C, lr, epochs):
    """`train` within a lesson's limits, with what its charts show: the embeddings (the average
    of W1's columns and W2's rows, `embeddings`) and their PCA to 2-D. ValueError beyond the
    limits; FloatingPointError when training diverges."""
    if isinstance(epochs, (bool, np.bool_)) or not isinstance(epochs, (int, np.integer)) \
            or not 1 <= epochs <= MAX_EPOCHS:
        raise ValueError(f"the number of epochs must be a whole number from 1 to {MAX_EPOCHS}")
    if len(corpus.windows(tokens, C)) * epochs > MAX_TRAIN_STEPS:
        raise ValueError(f"that is more than {MAX_TRAIN_STEPS:,} steps: use fewer epochs or a "
                         "shorter text")
    result = train(params, tokens, C, lr, epochs)
    average = embeddings(result["params"])["average"]
    return {**result, "average": average, "xy": pca_2d(average)}

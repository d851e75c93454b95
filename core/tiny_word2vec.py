"""Seed 000, the tiny word2vec: Embedding -> Linear -> CrossEntropy -> SGD.

One step for a (center, target) pair, written the way the README's hand calculation does:
    v = E[center]                       (d,)
    z = v W^T + b                       (V,)   logits
    p = e^z / sum(e^z)                  (V,)   softmax
    L = -log p[target]
    dL/dz = p - onehot(target);  dL/dW = outer(dL/dz, v);  dL/db = dL/dz;  dL/dv = dL/dz W
    theta_new = theta - lr * dL/dtheta  (only row E[center] of E moves)
"""
import numpy as np

from core.common import (Trace, as_float_array, check_finite, check_lr, check_table, check_whole,
                         lesson_interface, needs_shift, one_hot, softmax_parts)

VOCAB = ("dog", "cat", "park")

# The README's "assume the weights are" values (seed 000), taken as exact.
README_PARAMS = {
    "E": np.array([[-0.9937, -0.4648],
                   [-0.9480, 1.2738],
                   [0.4065, 0.6565]]),
    "W": np.array([[-0.3479, 0.3685],
                   [0.4141, -0.1088],
                   [0.1766, 0.1483]]),
    "b": np.array([-0.5017, -0.5832, -0.2037]),
}
README_CENTER, README_TARGET, README_LR = 0, 2, 0.1  # dog -> park, alpha = 0.1
README_EPOCHS = 50
# The README does not list its training pairs; these make "dog" and "cat" both predict "park".
DEFAULT_PAIRS = ((0, 2), (1, 2))

DEFAULT_PARAMS = README_PARAMS
DEFAULT_EXAMPLE = {"center": README_CENTER, "target": README_TARGET}
DEFAULT_LR = README_LR

STEP_KEYS = ("v", "logits", "exp", "sum_exp", "probs", "loss", "grad_logits", "grad_W",
             "grad_b", "grad_v", "E_new", "W_new", "b_new")


def _index(word, vocab_size, what):
    """Accept an index or a word of VOCAB; ValueError with a readable message otherwise."""
    if isinstance(word, str):
        if word not in VOCAB or vocab_size != len(VOCAB):
            raise ValueError(f"unknown {what} word")
        return VOCAB.index(word)
    if isinstance(word, (bool, np.bool_)) or not isinstance(word, (int, np.integer)):
        raise ValueError(f"{what} must be a word index")
    if not 0 <= word < vocab_size:
        raise ValueError(f"{what} index {word} is outside the vocabulary (0..{vocab_size - 1})")
    return int(word)


TRACE_KEYS = STEP_KEYS


def check_params(E, W, b):
    """float64 copies of (E, W, b) after checking shapes; ValueError says what is wrong."""
    E = check_table(E)
    W = as_float_array(W, shape=E.shape, name="W")
    b = as_float_array(b, shape=(E.shape[0],), name="b")
    return E, W, b


def init_params(vocab_size=3, dim=2, seed=0):
    """Seeded random E, W ~ N(0, 0.5²) rounded to 4 decimals (numbers a student can copy),
    b = 0: {"E": (V, d), "W": (V, d), "b": (V,)}."""
    V, d = check_whole(vocab_size, 2, "the vocabulary size"), check_whole(dim, 1, "the dimension")
    rng = np.random.default_rng(check_whole(seed, 0, "the random seed"))
    return {"E": np.round(rng.normal(0, 0.5, (V, d)), 4),
            "W": np.round(rng.normal(0, 0.5, (V, d)), 4), "b": np.zeros(V)}


def sgd_step(E, W, b, center, target, lr):
    """One SGD step on the pair (center -> target); returns the Trace of every number."""
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is reported below, in words
        return _sgd_step(E, W, b, center, target, lr)


def _sgd_step(E, W, b, center, target, lr):
    E, W, b = check_params(E, W, b)
    lr = check_lr(lr)
    V = E.shape[0]
    c, t = _index(center, V, "center"), _index(target, V, "target")

    # --- forward
    v = E[c].copy()                                # (d,)  embedding of the center word
    logits = v @ W.T + b                           # (V,)  z = v W^T + b
    exp, sum_exp, probs = softmax_parts(logits)    # (V,), float, (V,)
    shift = logits.max() if needs_shift(logits) else 0.0
    loss = float(np.log(sum_exp) + shift - logits[t])  # -log p[t], finite even if p[t] underflows

    # --- backward
    grad_logits = probs - one_hot(t, V)            # (V,)  dL/dz = p - y
    grad_W = np.outer(grad_logits, v)              # (V, d) dL/dW[j] = dL/dz_j * v
    grad_b = grad_logits.copy()                    # (V,)
    grad_v = grad_logits @ W                       # (d,)  dL/dv = sum_j dL/dz_j W[j]

    # --- update
    E_new = E.copy()
    E_new[c] -= lr * grad_v                        # only the center row moves
    W_new = W - lr * grad_W
    b_new = b - lr * grad_b

    trace = Trace(v=v, logits=logits, exp=exp, sum_exp=sum_exp, probs=probs, loss=loss,
                  grad_logits=grad_logits, grad_W=grad_W, grad_b=grad_b, grad_v=grad_v,
                  E_new=E_new, W_new=W_new, b_new=b_new)
    return check_finite(trace, "try smaller weights or a smaller learning rate")


def torch_sgd_step(E, W, b, center, target, lr):
    """The same step computed by torch autograd (float64): the oracle the page shows."""
    import torch

    E, W, b = check_params(E, W, b)
    lr = check_lr(lr)
    V = E.shape[0]
    c, t = _index(center, V, "center"), _index(target, V, "target")
    emb = torch.nn.Embedding(V, E.shape[1]).double()
    lin = torch.nn.Linear(E.shape[1], V).double()
    with torch.no_grad():
        emb.weight.copy_(torch.from_numpy(E))
        lin.weight.copy_(torch.from_numpy(W))
        lin.bias.copy_(torch.from_numpy(b))
    v = emb(torch.tensor([c]))                    # (1, d)
    v.retain_grad()
    logits = lin(v)                               # (1, V)
    logits.retain_grad()
    loss = torch.nn.functional.cross_entropy(logits, torch.tensor([t]))
    loss.backward()
    z = logits.detach()[0]
    exp = torch.exp(z - z.max()) if needs_shift(z.numpy()) else torch.exp(z)
    out = {"v": v.detach()[0], "logits": z, "exp": exp, "sum_exp": exp.sum(),
           "probs": torch.softmax(z, 0), "loss": loss.detach(),
           "grad_logits": logits.grad[0], "grad_W": lin.weight.grad, "grad_b": lin.bias.grad,
           "grad_v": v.grad[0]}
    torch.optim.SGD(list(emb.parameters()) + list(lin.parameters()), lr=lr).step()
    out.update(E_new=emb.weight.detach(), W_new=lin.weight.detach(), b_new=lin.bias.detach())
    return Trace((k, np.array(out[k].numpy(), dtype=np.float64) if np.ndim(out[k].numpy())
                  else float(out[k])) for k in STEP_KEYS)


# the lesson interface: the steps on params {E, W, b} and the example's words
trace_step, torch_trace_step, next_params = lesson_interface(sgd_step, torch_sgd_step,
                                                             ("center", "target"))


def lesson_params(words, seed=0, dim=2):
    """The README's own weights for its own three words at seed 0, else init_params."""
    if list(words) == list(VOCAB) and seed == 0:
        return dict(README_PARAMS)
    return init_params(len(words), dim, seed)


# The lesson's stages: (name, (Trace keys, formulas))
STAGES = [
    ("Forward", (("v", "logits"), (r"v = E[\text{center}]", r"z = vW^\top + b",
                                   r"z_j = \textstyle\sum_i v_i W_{ji} + b_j"))),
    ("Softmax", (("exp", "sum_exp", "probs"), (r"p_j = \frac{e^{z_j}}{S}, \quad S = "
                                               r"\textstyle\sum_k e^{z_k}",))),
    ("Loss", (("loss",), (r"L = -\log p_{\text{target}}",))),
    ("Backward", (("grad_logits", "grad_W", "grad_b", "grad_v"), (
        r"\frac{\partial L}{\partial z_j} = p_j - y_j", r"\frac{\partial L}{\partial W_{ji}} = "
        r"\frac{\partial L}{\partial z_j} v_i, \quad \frac{\partial L}{\partial b_j} = "
        r"\frac{\partial L}{\partial z_j}", r"\frac{\partial L}{\partial v_i} = \textstyle\sum_j "
        r"\frac{\partial L}{\partial z_j} W_{ji}"))),
    ("Update", (("E_new", "W_new", "b_new"), (r"\theta_{\text{new}} = \theta - \alpha "
                                              r"\frac{\partial L}{\partial \theta}",)))]


def train(E, W, b, pairs, lr, epochs):
    """Full-batch training as the README's loop: one SGD step per epoch on all pairs.

    The loss of an epoch is CrossEntropyLoss's mean over the pairs, before that epoch's step.
    Returns {"losses": (epochs,), "E", "W", "b": final params, "E_history": (epochs+1, V, d)}.
    """
    E, W, b = check_params(E, W, b)
    lr = check_lr(lr)
    V = E.shape[0]
    if not pairs:
        raise ValueError("give at least one (center, target) training pair")
    centers = np.array([_index(c, V, "center") for c, _ in pairs])  # (n,)
    targets = np.array([_index(t, V, "target") for _, t in pairs])  # (n,)
    n = len(pairs)
    E, W, b = E.copy(), W.copy(), b.copy()
    losses, E_history = [], [E.copy()]
    for _ in range(int(epochs)):
        # --- forward
        vs = E[centers]                                   # (n, d)
        logits = vs @ W.T + b                             # (n, V)
        shifted = logits - logits.max(axis=1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))  # (n, V)
        losses.append(float(-log_probs[np.arange(n), targets].mean()))
        # --- backward (mean over the batch, as CrossEntropyLoss)
        grad_logits = np.exp(log_probs)                   # (n, V)
        grad_logits[np.arange(n), targets] -= 1.0
        grad_logits /= n
        grad_W = grad_logits.T @ vs                       # (V, d)
        grad_b = grad_logits.sum(axis=0)                  # (V,)
        grad_E = np.zeros_like(E)
        np.add.at(grad_E, centers, grad_logits @ W)       # repeated centers accumulate
        # --- update
        E -= lr * grad_E
        W -= lr * grad_W
        b -= lr * grad_b
        if not (np.all(np.isfinite(E)) and np.all(np.isfinite(W))):
            raise FloatingPointError("training diverged to NaN/inf; lower the learning rate")
        E_history.append(E.copy())
    return {"losses": np.array(losses), "E": E, "W": W, "b": b, "params": {"E": E, "W": W, "b": b},
            "E_history": np.array(E_history)}


def vocab_words(text):
    """The typed vocabulary: 2 to 12 different words, comma-separated; ValueError naming the box."""
    from core.common import parse_words
    try:
        return parse_words(text, most=12)
    except ValueError as err:   # the message names the box (it sits in a closed expander)
        raise ValueError(f"the vocabulary: {err}") from None


def train_pairs(params, words, pairs_text, lr, epochs):
    """train() on the pairs typed as 'dog park, cat park' for 1..2000 epochs, with the words."""
    from core.common import parse_pairs
    pairs = parse_pairs(pairs_text, words)
    if not 1 <= int(epochs) <= 2000:
        raise ValueError("the number of epochs must be between 1 and 2000")
    return {**train(params["E"], params["W"], params["b"], pairs, lr, int(epochs)), "words": words}

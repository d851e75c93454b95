"""Seed 001, manual backprop in numpy: embedding @ linear -> softmax -> -(1/V) y^T log(o).

The word predicts itself (y = onehot(index)) and only its embedding row is updated:
    e = embedding[index]            (d,)
    x = e @ linear                  (V,)
    o = softmax(x)                  (V,)
    L = -(1/V) y . log(o)
    dL/do = -(1/V) y / o            (term by term)
    dL/dx = (o - y) / V             (the softmax Jacobian folded in)
    dL/de = linear @ dL/dx          (d,)
    embedding[index] -= lr * dL/de
"""
import numpy as np

from core.common import Trace, as_float_array, check_finite, check_lr, one_hot, softmax_parts

SEED_WORDS = ("the", "quick", "brown", "fox", "jumps", "over", "the", "lazy", "dog")
SEED_INDEX, SEED_LR, SEED_STEPS, SEED_DIM = 4, 1.0, 20, 10
SET_ORDER_NOTE = ("The seed builds its vocabulary with set(words), whose order changes from "
                  "one Python run to the next (string hashing is randomised), so its index 4 "
                  "is a different word each run. Here the vocabulary is in first-appearance "
                  "order, so an index always means the same word.")
SEED_NOTES = (
    "The formulas are right: autograd agrees with dL/do = −(1/V)·y/o, dL/dx = (o − y)/V and "
    "dL/de = linear · dL/dx to float64 precision (the tests check it).",
    "The loss divides by V: L = −(1/V)·yᵀlog(o). This is not the usual cross-entropy "
    "(which has no 1/V); it only scales every gradient by 1/V, as if the learning rate "
    "were V times smaller. That is why the seed can use a learning rate as large as 1.0.",
    "Cell 29 updates the embedding once with learning rate 1e-3 before the 20-step loop, "
    "so the loop's first printed loss (0.367) comes after that small update; with a fresh "
    "random init the printed numbers cannot be reproduced (the seed sets no random seed).",
    "Only the embedding row moves: `linear` never receives its gradient (o − y)·eᵀ/V, so "
    "this is learning with a frozen output layer.",
    "vocab = set(words) has 8 words for 9 tokens: 'the' appears twice.",
)


def vocab_first_appearance(words):
    """Unique words in the order they first appear."""
    return list(dict.fromkeys(words))


def init_params(V, d, seed):
    """Standard-normal embedding (V, d) and linear (d, V), like the seed's np.random.randn."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal((V, d)), rng.standard_normal((d, V))


def _check(embedding, linear, index, lr):
    embedding = as_float_array(embedding, name="embedding")
    if embedding.ndim != 2 or embedding.shape[0] < 2:
        raise ValueError("embedding must be a (V, d) table with V >= 2 words")
    V, d = embedding.shape
    linear = as_float_array(linear, shape=(d, V), name="linear")
    if isinstance(index, (bool, np.bool_)) or not isinstance(index, (int, np.integer)) \
            or not 0 <= index < V:
        raise ValueError(f"the word index must be between 0 and {V - 1}")
    lr = check_lr(lr)
    return embedding, linear, int(index), lr


def step(embedding, linear, index, lr):
    """One manual forward/backward/update for the word `index`; returns its Trace."""
    embedding, linear, index, lr = _check(embedding, linear, index, lr)
    V = embedding.shape[0]
    y = one_hot(index, V)                           # (V,)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        # --- forward
        e = embedding[index].copy()                 # (d,)  the word's embedding row
        x = e @ linear                              # (V,)  scores
        o = softmax_parts(x)[2]                     # (V,)  probabilities
        loss = float(-np.inner(y, np.log(o)) / V)   # -(1/V) y . log(o)
        # --- backward
        dL_do = -y / (V * o)                        # (V,)  term by term
        dL_dx = (o - y) / V                         # (V,)  dL/do through the softmax
        dL_de = linear @ dL_dx                      # (d,)
        # --- update
        embedding_new = embedding.copy()
        embedding_new[index] -= lr * dL_de          # only this row moves
    trace = Trace(e=e, x=x, o=o, loss=loss, dL_do=dL_do, dL_dx=dL_dx, dL_de=dL_de,
                  embedding_new=embedding_new)
    return check_finite(trace, "try a smaller learning rate or a new random init")


def run(embedding, linear, index, lr, steps):
    """The seed's loop: `steps` calls of step(index). Returns {"losses": (steps,),
    "embedding": the final table, "probs": softmax after the last step}."""
    losses = []
    for _ in range(int(steps)):
        trace = step(embedding, linear, index, lr)
        losses.append(trace["loss"])
        embedding = trace["embedding_new"]
    probs = softmax_parts(embedding[index] @ linear)[2]
    return {"losses": np.array(losses), "embedding": embedding, "probs": probs}


def torch_step(embedding, linear, index, lr):
    """The same step by torch autograd (float64): the oracle the page shows."""
    import torch

    embedding, linear, index, lr = _check(embedding, linear, index, lr)
    V = embedding.shape[0]
    emb = torch.tensor(embedding, requires_grad=True)
    lin = torch.tensor(linear)
    e = emb[index]
    e.retain_grad()
    x = e @ lin
    x.retain_grad()
    o = torch.softmax(x, 0)
    o.retain_grad()
    loss = -(torch.log(o)[index]) / V
    loss.backward()
    with torch.no_grad():
        new = emb - lr * emb.grad                  # SGD: only row `index` has a gradient
    out = {"e": e, "x": x, "o": o, "loss": loss, "dL_do": o.grad, "dL_dx": x.grad,
           "dL_de": e.grad, "embedding_new": new}
    return Trace((k, float(v.detach()) if v.ndim == 0 else v.detach().numpy().copy())
                 for k, v in out.items())

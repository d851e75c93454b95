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

from core.common import (Trace, as_float_array, check_finite, check_index, check_lr, check_whole,
                         one_hot, softmax_parts)

SEED_WORDS = ("the", "quick", "brown", "fox", "jumps", "over", "the", "lazy", "dog")
SEED_INDEX, SEED_LR, SEED_STEPS, SEED_DIM = 4, 1.0, 20, 10
STEP_KEYS = ("e", "x", "o", "loss", "dL_do", "dL_dx", "dL_de", "embedding_new")
SET_ORDER_NOTE = ("The seed builds its vocabulary with set(words), whose order changes from "
                  "one Python run to the next (string hashing is randomised), so its index 4 "
                  "is a different word each run. Here the vocabulary is in first-appearance "
                  "order, so an index always means the same word.")
# What the seed's printed numbers and formulas show; tests/test_manual_backprop.py checks
# every number quoted here against the seed's own printouts or against autograd.
SEED_NOTES = (
    "The formulas are right: autograd agrees with dL/do = −(1/V)·y/o, dL/dx = (o − y)/V and "
    "dL/de = linear · dL/dx to float64 precision. The step to (o − y)/V uses Σy = 1, so it "
    "holds because y is one-hot.",
    "The printed numbers agree with each other: o = V·dL/dx + y sums to 1, and its "
    "o[4] ≈ 0.0530 gives both dL/do[4] = −2.3588 and the loss 0.3672.",
    "Cell 29 updates the embedding once with learning rate 1e-3 before the 20-step loop, so "
    "the loop's first printed loss comes after that update. It still prints 0.367 because "
    "the update lowers the loss by only about 1e-3·|dL/de|² ≈ 0.00025.",
    "The seed sets no random seed, so nobody can reproduce its numbers exactly; here the "
    "seed is a setting.",
    "The printed losses come before each update and the final probabilities after the last "
    "one: o[4] = 0.974 means a loss of 0.0033, consistent with the last printed loss "
    "(0.003, one update earlier).",
    "The loss divides by V: L = −(1/V)·yᵀlog(o) is the usual cross-entropy divided by V, so "
    "every gradient is V times smaller. Learning rate 1.0 here moves the weights as far as "
    "learning rate 1/V (0.125 for 8 words) would with the usual loss.",
    "Only the embedding row moves: `linear` never gets its gradient eᵀ(o − y)/V, so the "
    "output layer stays frozen.",
    "“It learns very well!”: the word predicts itself and there is no context, so the row "
    "only learns to score its own column of `linear` above the others. That is "
    "memorising: the vector learns nothing about neighbouring words.",
    "The drawn graph `embedding --(@ linear)--> x` starts from the whole table, but only "
    "the row e = embedding[index] enters: x = e @ linear.",
    "The seed's softmax computes exp(x) without subtracting max(x), so it overflows to NaN "
    "once a score passes about 709. Here the scores are shifted by their maximum when one "
    "passes 50, which leaves the probabilities the same.",
    "vocab = set(words) has 8 words for 9 tokens: 'the' appears twice.",
)


def vocab_first_appearance(words):
    """Unique words in the order they first appear."""
    return list(dict.fromkeys(words))


def init_params(V, d, seed):
    """Standard-normal embedding (V, d) and linear (d, V), like the seed's np.random.randn."""
    V, d = check_whole(V, 2, "the vocabulary size"), check_whole(d, 1, "the embedding size")
    rng = np.random.default_rng(check_whole(seed, 0, "the random seed"))
    return rng.standard_normal((V, d)), rng.standard_normal((d, V))


def _check(embedding, linear, index, lr):
    embedding = as_float_array(embedding, name="embedding")
    if embedding.ndim != 2 or embedding.shape[0] < 2 or embedding.shape[1] < 1:
        raise ValueError("embedding must be a (V, d) table with V >= 2 words and d >= 1")
    V, d = embedding.shape
    linear = as_float_array(linear, shape=(d, V), name="linear")
    index = check_index(index, V, "word index")
    lr = check_lr(lr)
    return embedding, linear, index, lr


def step(embedding, linear, index, lr):
    """One manual forward/backward/update for the word `index`; returns its Trace."""
    embedding, linear, index, lr = _check(embedding, linear, index, lr)
    V = embedding.shape[0]
    y = one_hot(index, V)                           # (V,)
    with np.errstate(over="ignore", divide="ignore"):
        # --- forward
        e = embedding[index].copy()                 # (d,)  the word's embedding row
        x = e @ linear                              # (V,)  scores
        o = softmax_parts(x)[2]                     # (V,)  probabilities
        # y is one-hot, so yᵀlog(o) = log(o[index]); this skips the 0·log(0) = NaN of a
        # probability that underflowed to 0, and + 0.0 turns a loss of -0.0 into 0.0
        loss = float(-np.log(o[index]) / V) + 0.0   # -(1/V) yᵀlog(o)
        # --- backward
        dL_do = np.divide(-y, V * o, out=np.zeros(V), where=y > 0)  # (V,)  -(1/V) y / o
        dL_dx = (o - y) / V                         # (V,)  dL/do through the softmax
        dL_de = linear @ dL_dx                      # (d,)
        # --- update
        embedding_new = embedding.copy()            # (V, d)
        embedding_new[index] -= lr * dL_de          # only this row moves
    trace = Trace(e=e, x=x, o=o, loss=loss, dL_do=dL_do, dL_dx=dL_dx, dL_de=dL_de,
                  embedding_new=embedding_new)
    return check_finite(trace, "try a smaller learning rate or a new random init")


def run(embedding, linear, index, lr, steps):
    """The seed's loop: `steps` calls of step(index). Returns {"losses": (steps,) losses, each
    before its update, "embedding": the final (V, d) table, "probs": (V,) softmax after it}."""
    steps = check_whole(steps, 1, "the number of steps")
    embedding, linear, index, lr = _check(embedding, linear, index, lr)
    losses = []
    for _ in range(steps):
        trace = step(embedding, linear, index, lr)
        losses.append(trace["loss"])
        embedding = trace["embedding_new"]
    probs = softmax_parts(embedding[index] @ linear)[2]  # (V,)
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

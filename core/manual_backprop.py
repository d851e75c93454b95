"""The numpy manual-backprop notebook: embedding @ linear -> softmax -> -(1/V) y^T log(o).

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

from core.common import (Trace, as_float_array, check_finite, check_index, check_lr, check_table,
                         check_whole, clean_word, one_hot, softmax_parts)

SEED_WORDS = ("the", "quick", "brown", "fox", "jumps", "over", "the", "lazy", "dog")
SEED_INDEX, SEED_LR, SEED_STEPS, SEED_DIM = 4, 1.0, 20, 10
STEP_KEYS = ("e", "x", "o", "loss", "dL_do", "dL_dx", "dL_de", "embedding_new")
SENTENCE = " ".join(SEED_WORDS)
MAX_WORDS, MAX_DIM, MAX_TOKENS, MAX_STEPS = 40, 64, 10_000, 1000


def vocab_first_appearance(words):
    """Unique words in the order they first appear."""
    return list(dict.fromkeys(words))


def vocab_of(sentence, max_words=MAX_WORDS):
    """The sentence's words (lower-cased, split at spaces, each cleaned as
    core.common.clean_word does) in first-appearance order; ValueError with a clear message."""
    tokens = str(sentence).split(maxsplit=MAX_TOKENS)  # (megabytes are not split up)
    if len(tokens) > MAX_TOKENS:
        raise ValueError(f"the sentence is too long: keep it under {MAX_TOKENS:,} words")
    vocab = vocab_first_appearance(clean_word(w.lower()) for w in dict.fromkeys(tokens))
    if not 2 <= len(vocab) <= max_words:
        raise ValueError(f"the sentence needs 2 to {max_words} different words")
    return vocab


def init_params(V=8, d=SEED_DIM, seed=0):
    """Standard-normal embedding (V, d) and linear (d, V), like the seed's np.random.randn:
    {"embedding", "linear"}."""
    V, d = check_whole(V, 2, "the vocabulary size"), check_whole(d, 1, "the embedding size")
    rng = np.random.default_rng(check_whole(seed, 0, "the random seed"))
    return {"embedding": rng.standard_normal((V, d)), "linear": rng.standard_normal((d, V))}


DEFAULT_PARAMS = init_params()
DEFAULT_EXAMPLE = {"index": SEED_INDEX}
DEFAULT_LR = SEED_LR
TRACE_KEYS = STEP_KEYS


def trace_step(params, example, lr):
    """The lesson interface: step on params {embedding, linear} and example {index}."""
    return step(params["embedding"], params["linear"], example["index"], lr)


def torch_trace_step(params, example, lr):
    """torch_step with trace_step's signature."""
    return torch_step(params["embedding"], params["linear"], example["index"], lr)


def next_params(params, trace):
    """Only the embedding moves; linear stays."""
    return {"embedding": trace["embedding_new"], "linear": params["linear"]}


def train(params, example, lr, steps=SEED_STEPS):
    """The notebook's loop (run) with the lesson interface, 1 to MAX_STEPS steps:
    {"losses", "params", "probs"}."""
    if check_whole(steps, 1, "the number of steps") > MAX_STEPS:
        raise ValueError(f"the number of steps must be between 1 and {MAX_STEPS}")
    out = run(params["embedding"], params["linear"], example["index"], lr, steps)
    return {**out, "params": {"embedding": out["embedding"], "linear": params["linear"]}}


def _check(embedding, linear, index, lr):
    embedding = check_table(embedding, "embedding")
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

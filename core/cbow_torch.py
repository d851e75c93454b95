"""The torch word2vec notebook's CBOW: mean of the context embeddings -> Linear ->
CrossEntropy -> SGD.

    context_vectors = E[context]        (C, d)
    h = mean(context_vectors)           (d,)
    logits = W h + b                    (V,)
    L = -log softmax(logits)[target]
    dL/dlogits = p - y;  dL/dW = outer(dL/dlogits, h);  dL/db = dL/dlogits
    dL/dh = W^T dL/dlogits;  each context position c adds dL/dh / C to row E[c]
so only the context rows of E move, and a word repeated in the context gets its share
once per appearance (torch's Embedding backward accumulates them).
"""
import re
from itertools import islice

import numpy as np

from core.common import (Trace, as_float_array, check_finite, check_index, check_lr, check_table,
                         check_whole, lesson_interface, needs_shift, one_hot, parse_word_list,
                         softmax_parts, strip_bidi, torch_model, torch_trace)

# the notebook's word_to_ix
VOCAB = ("the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog")
DEFAULT_CONTEXT = ("quick", "brown", "jumps", "over")
DEFAULT_TARGET = "fox"
SEED_DIM, SEED_LR = 5, 0.01
MAX_CONTEXT = 10          # context words a step takes (repeats count)
MAX_DIM = 32              # the largest embedding size offered
MAX_EPOCHS = 2000
SENTENCE = "the quick brown fox jumps over the lazy dog"  # the notebook's training text
STEP_KEYS = ("context_vectors", "h", "logits", "probs", "loss", "grad_logits", "grad_W",
             "grad_b", "grad_h", "grad_E", "E_new", "W_new", "b_new")


TRACE_KEYS = STEP_KEYS
DEFAULT_EXAMPLE = {"context": tuple(VOCAB.index(w) for w in DEFAULT_CONTEXT),
                   "target": VOCAB.index(DEFAULT_TARGET)}
DEFAULT_LR = SEED_LR


def init_params(V=len(VOCAB), d=SEED_DIM, seed=0):
    """{E, W, b} drawn like torch's defaults: Embedding N(0, 1), Linear U(±1/sqrt(d))."""
    V, d = check_whole(V, 2, "the vocabulary size"), check_whole(d, 1, "the embedding size")
    rng = np.random.default_rng(check_whole(seed, 0, "the random seed"))
    bound = 1 / np.sqrt(d)                                 # nn.Linear's bound, fan_in = d
    return {"E": rng.standard_normal((V, d)), "W": rng.uniform(-bound, bound, (V, d)),
            "b": rng.uniform(-bound, bound, V)}


DEFAULT_PARAMS = init_params()


def parse_context(typed, picked=()):
    """The context as word indices: the typed words when the text is not empty (repeats
    allowed), else the picked ones; ValueError naming an unknown word or a bad count."""
    text = typed if str(typed).strip() else ", ".join(picked)
    # More words than a context takes are refused whatever they are, so only the first
    # MAX_CONTEXT + 1 are read (megabytes of text would take seconds to split and clean).
    pieces = (m.group() for m in re.finditer(r"[^,]+", strip_bidi(text)))
    words = islice((w for w in pieces if w.strip()), MAX_CONTEXT + 1)  # as parse_word_list sees
    return parse_word_list(",".join(words), VOCAB, 1, MAX_CONTEXT)


def sentence_examples(C=2, sentence=SENTENCE):
    """The (context, target) examples of the sentence: each word with C words on each side as
    its context, as word indices (the notebook's windows)."""
    C = check_whole(C, 1, "the window")
    words = sentence.split()
    ix = [VOCAB.index(w) for w in words]
    return tuple((tuple(ix[i - C:i] + ix[i + 1:i + 1 + C]), ix[i])
                 for i in range(C, len(words) - C))


def train(params, examples, lr, epochs):
    """SGD over the (context, target) examples in order, `epochs` times: {"losses" (per-epoch
    mean, each loss before its update), "params"}."""
    epochs = check_whole(epochs, 1, "epochs")
    if epochs > MAX_EPOCHS:
        raise ValueError(f"the number of epochs must be between 1 and {MAX_EPOCHS}")
    if not examples:
        raise ValueError("give at least one (context, target) example")
    losses = []
    for _ in range(epochs):
        total = 0.0
        for context, target in examples:
            trace = trace_step(params, {"context": context, "target": target}, lr)
            total += trace["loss"]
            params = next_params(params, trace)
        losses.append(total / len(examples))
    return {"losses": np.array(losses), "params": params}


def _check(E, W, b, context, target, lr):
    E = check_table(E)
    V, d = E.shape
    W = as_float_array(W, shape=(V, d), name="W")
    b = as_float_array(b, shape=(V,), name="b")
    if isinstance(context, (str, bytes)) or not hasattr(context, "__len__"):
        raise ValueError("the context must be a list of word indices")
    if len(context) == 0:
        raise ValueError("the context needs at least one word")
    context = [check_index(c, V, "context") for c in context]
    target = check_index(target, V, "target")
    lr = check_lr(lr)
    return E, W, b, context, target, lr


def sgd_step(E, W, b, context, target, lr):
    """One CBOW step in numpy, equal to the notebook's torch model; returns its Trace."""
    E, W, b, context, target, lr = _check(E, W, b, context, target, lr)
    V, C = E.shape[0], len(context)
    with np.errstate(over="ignore", invalid="ignore"):
        # --- forward
        context_vectors = E[context]                       # (C, d)
        h = context_vectors.mean(axis=0)                   # (d,)  mean of context vectors
        logits = W @ h + b                                 # (V,)
        _, sum_exp, probs = softmax_parts(logits)          # (V,)
        shift = logits.max() if needs_shift(logits) else 0.0
        loss = float(np.log(sum_exp) + shift - logits[target])
        # --- backward
        grad_logits = probs - one_hot(target, V)           # (V,)
        grad_W = np.outer(grad_logits, h)                  # (V, d)
        grad_b = grad_logits.copy()                        # (V,)
        grad_h = W.T @ grad_logits                         # (d,)
        grad_E = np.zeros_like(E)                          # (V, d)
        np.add.at(grad_E, context, grad_h / C)             # repeats accumulate
        # --- update
        E_new, W_new, b_new = E - lr * grad_E, W - lr * grad_W, b - lr * grad_b
    trace = Trace(context_vectors=context_vectors, h=h, logits=logits, probs=probs, loss=loss,
                  grad_logits=grad_logits, grad_W=grad_W, grad_b=grad_b, grad_h=grad_h,
                  grad_E=grad_E, E_new=E_new, W_new=W_new, b_new=b_new)
    return check_finite(trace, "try a smaller learning rate")


def torch_step(E, W, b, context, target, lr):
    """The notebook's CBOWModel run in torch (float64) from these parameters: the oracle."""
    import torch
    from torch import nn

    E, W, b, context, target, lr = _check(E, W, b, context, target, lr)
    V, d = E.shape

    class CBOWModel(nn.Module):  # the notebook's; forward also keeps embeds and h for their grads
        def __init__(self, vocab_size, embedding_dim):
            super().__init__()
            self.embeddings = nn.Embedding(vocab_size, embedding_dim)
            self.linear = nn.Linear(embedding_dim, vocab_size)

        def forward(self, inputs):
            embeds = self.embeddings(inputs)
            self.embeds = embeds
            embeds.retain_grad()
            h = torch.mean(embeds, dim=1)
            h.retain_grad()
            self.h = h
            return self.linear(h)

    model = torch_model(lambda: CBOWModel(V, d), {"embeddings.weight": E, "linear.weight": W,
                                                  "linear.bias": b})
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    model.zero_grad()
    logits = model(torch.tensor(context).view(1, -1))      # (1, V)
    logits.retain_grad()
    loss = nn.CrossEntropyLoss()(logits, torch.tensor([target]))
    loss.backward()
    out = {"context_vectors": model.embeds[0], "h": model.h[0], "logits": logits[0],
           "probs": torch.softmax(logits[0], 0), "loss": loss, "grad_logits": logits.grad[0],
           "grad_W": model.linear.weight.grad, "grad_b": model.linear.bias.grad,
           "grad_h": model.h.grad[0], "grad_E": model.embeddings.weight.grad}
    return torch_trace(out, optimizer, model, {"E_new": "embeddings.weight", "W_new":
                       "linear.weight", "b_new": "linear.bias"}, STEP_KEYS)


# the lesson interface: the steps on params {E, W, b} and the example's words
trace_step, torch_trace_step, next_params = lesson_interface(sgd_step, torch_step,
                                                             ("context", "target"))

"""Seed 002's skip-gram with negative sampling (SGNS): one step, and word2vec-style training.

One step for a centre word c, its context word o and k drawn negatives n_1..n_k:
    v_c = W_in[c]                    (d,)    the centre word's input vector
    u_o = W_out[o],  u_k = W_out[n_k] (d,), (k, d)  output vectors
    L = -(log s(u_o.v_c) + sum_k log s(-u_k.v_c))      s = sigmoid
    dL/du_o = (s(u_o.v_c) - 1) v_c;   dL/du_k = s(u_k.v_c) v_c = (1 - s(-u_k.v_c)) v_c
    dL/dv_c = (s(u_o.v_c) - 1) u_o + sum_k (1 - s(-u_k.v_c)) u_k
Only row c of W_in moves; in W_out the context row and every drawn negative's row move, a
negative drawn twice twice, and a negative equal to the context word gets both pushes.
"""
from collections import Counter
from collections.abc import Mapping

import numpy as np

from core.cbow_mlp import pca_2d  # noqa: F401  (re-exported: the page plots W with it)
from core.common import Trace, as_float_array, check_finite, check_index, check_lr, check_whole

VOCAB_SIZE, EMBED_DIM = 100, 10
SOURCE_CENTER, SOURCE_CONTEXT, SOURCE_NEGATIVES, SOURCE_LR = 0, 1, (50, 23, 99, 4, 12), 0.01
DEFAULT_EXAMPLE = {"center": SOURCE_CENTER, "context": SOURCE_CONTEXT,
                   "negatives": SOURCE_NEGATIVES}
TRACE_KEYS = ("v_c", "u_o", "u_neg", "pos_score", "neg_scores", "sigma_pos", "sigma_neg", "loss",
              "grad_v_c", "grad_u_o", "grad_u_neg", "W_in_new", "W_out_new")
EPSILON = 1e-7  # the source adds it inside both logs

EPSILON_NOTE = (
    "The source computes $\\log(\\sigma(x) + 10^{-7})$ instead of $\\log \\sigma(x)$, to avoid "
    "$\\log 0 = -\\infty$ when $\\sigma$ underflows (float32: $\\sigma(x) = 0$ below "
    "$x \\approx -88$; float64: below $-745$). What it changes, per term:\n"
    "- **Ordinary scores**: the term is smaller by $\\log(1 + 10^{-7}/\\sigma) \\approx "
    "10^{-7}/\\sigma$: about $2\\cdot10^{-7}$ at $\\sigma = 0.5$, so $1.2\\cdot10^{-6}$ for the "
    "six terms at initialisation (enough to move the 6th decimal the source prints), and "
    "under $10^{-5}$ while $\\sigma > 0.01$.\n"
    "- **A cap**: each term is at most $-\\log(10^{-7}) = 16.118$, so the loss at most "
    "$(k+1) \\times 16.118 = 96.7$ for $k = 5$, however wrong the model is.\n"
    "- **A vanishing gradient**: its gradient is the exact one times "
    "$\\sigma/(\\sigma + 10^{-7})$: a half at $x = \\ln(10^{-7}/(1-10^{-7})) = -16.118$, "
    "2% at $x = -20$, $\\approx 0$ below. Exactly where a pair is badly wrong, the source's "
    "loss stops learning from it.\n"
    "Here the loss is $\\log\\sigma(x) = -\\log(1 + e^{-x})$ computed directly "
    "(`np.logaddexp`, torch's `F.logsigmoid`): finite and exact for every score, no "
    "$10^{-7}$ needed."
)


def _sigmoid(x):
    """1 / (1 + e^-x) without overflow warnings for large |x| (float64)."""
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _log_sigmoid(x):
    """log s(x) = -log(1 + e^-x), finite for every finite x."""
    return -np.logaddexp(0.0, -np.asarray(x, dtype=np.float64))


# --- the noise distribution -----------------------------------------------------------------

def noise_distribution(counts, power=0.75):
    """counts^power / sum(counts^power): word2vec's distribution for drawing negatives."""
    counts = as_float_array(counts, name="the word counts")
    if counts.ndim != 1 or counts.size == 0 or np.any(counts < 0) or counts.sum() <= 0:
        raise ValueError("the word counts must be a non-empty list of counts >= 0, not all 0")
    power = float(as_float_array(power, shape=(), name="the power"))
    weights = np.where(counts > 0, counts ** power, 0.0)  # a word never seen is never drawn
    return weights / weights.sum()


def sample_negatives(dist, k, rng, exclude=()):
    """k word indices drawn with replacement from dist; a draw in `exclude` is drawn again."""
    dist = as_float_array(dist, name="the noise distribution")
    if dist.ndim != 1 or dist.size == 0 or np.any(dist < 0) or dist.sum() <= 0:
        raise ValueError("the noise distribution must be a non-empty list of probabilities "
                         ">= 0, not all 0")
    k = check_whole(k, 1, "the number of negatives k")
    exclude = np.array(sorted({check_index(i, dist.size, "excluded word") for i in exclude}),
                       dtype=np.int64)
    if not np.delete(dist, exclude).sum() > 0:
        raise ValueError("the excluded words hold all of the noise distribution's probability, "
                         "so no negative can be drawn")
    cdf = np.cumsum(dist)
    out = np.searchsorted(cdf, rng.random(k) * cdf[-1], side="right")  # (k,)
    bad = np.isin(out, exclude)
    while bad.any():                                   # redraw only the excluded ones
        out[bad] = np.searchsorted(cdf, rng.random(int(bad.sum())) * cdf[-1], side="right")
        bad = np.isin(out, exclude)
    return out


def negative_is_context(context, negatives):
    """Positions in negatives where the drawn word is the context word itself."""
    return [i for i, n in enumerate(negatives) if int(n) == int(context)]


def repeated_negatives(negatives):
    """{word index: times drawn} for the negatives drawn more than once."""
    return {int(w): c for w, c in Counter(int(n) for n in negatives).items() if c > 1}


def loss_with_epsilon(pos_score, neg_scores, eps=EPSILON):
    """The source's loss, -(log(s(pos) + eps) + sum log(s(-neg) + eps)): see EPSILON_NOTE."""
    pos = float(pos_score)
    neg = np.asarray(neg_scores, dtype=np.float64)
    return float(-(np.log(_sigmoid(pos) + eps) + np.log(_sigmoid(-neg) + eps).sum()))


# --- one step ------------------------------------------------------------------------------

def _check(W_in, W_out, center, context, negatives, lr):
    W_in = as_float_array(W_in, name="W_in")
    if W_in.ndim != 2 or W_in.shape[0] < 2 or W_in.shape[1] < 1:
        raise ValueError("W_in must be a (V, d) table with V >= 2 words and d >= 1")
    W_out = as_float_array(W_out, shape=W_in.shape, name="W_out")
    V = W_in.shape[0]
    if isinstance(negatives, (str, bytes)) or not hasattr(negatives, "__len__"):
        raise ValueError("the negatives must be a list of word indices")
    if len(negatives) < 1:
        raise ValueError("draw at least one negative (k >= 1)")
    negatives = np.array([check_index(n, V, "negatives") for n in negatives], dtype=np.int64)
    return (W_in, W_out, check_index(center, V, "centre word"),
            check_index(context, V, "context word"), negatives, check_lr(lr))


def sgns_step(W_in, W_out, center, context, negatives, lr):
    """One SGD step of SGNS on (center, context) against the given negatives; its Trace.

    sigma_neg holds s(-u_k.v_c), the factor inside the loss: the probability the model gives
    to "n_k is NOT a context word". The loss uses log-sigmoid directly (no 1e-7).
    """
    W_in, W_out, c, o, neg, lr = _check(W_in, W_out, center, context, negatives, lr)
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is reported below, in words
        # --- forward
        v_c = W_in[c].copy()                               # (d,)   centre word's input vector
        u_o = W_out[o].copy()                              # (d,)   context word's output vector
        u_neg = W_out[neg]                                 # (k, d) one row per drawn negative
        pos_score = float(u_o @ v_c)                       # u_o . v_c
        neg_scores = u_neg @ v_c                           # (k,)   u_k . v_c
        sigma_pos = float(_sigmoid(pos_score))             # s(u_o . v_c)
        sigma_neg = _sigmoid(-neg_scores)                  # (k,)   s(-u_k . v_c)
        loss = float(-(_log_sigmoid(pos_score) + _log_sigmoid(-neg_scores).sum()))
        # --- backward
        g_pos = -float(_sigmoid(-pos_score))               # dL/dpos = s(pos) - 1
        g_neg = _sigmoid(neg_scores)                       # (k,)   dL/dneg_k = s(neg_k)
        grad_v_c = g_pos * u_o + g_neg @ u_neg             # (d,)
        grad_u_o = g_pos * v_c                             # (d,)
        grad_u_neg = np.outer(g_neg, v_c)                  # (k, d) dL/du_k, per draw
        # --- update
        W_in_new = W_in.copy()
        W_in_new[c] -= lr * grad_v_c                       # only the centre row moves
        grad_W_out = np.zeros_like(W_out)                  # (V, d)
        grad_W_out[o] += grad_u_o
        np.add.at(grad_W_out, neg, grad_u_neg)             # repeats (and o itself) accumulate
        W_out_new = W_out - lr * grad_W_out
    trace = Trace(v_c=v_c, u_o=u_o, u_neg=u_neg, pos_score=pos_score, neg_scores=neg_scores,
                  sigma_pos=sigma_pos, sigma_neg=sigma_neg, loss=loss, grad_v_c=grad_v_c,
                  grad_u_o=grad_u_o, grad_u_neg=grad_u_neg, W_in_new=W_in_new,
                  W_out_new=W_out_new)
    return check_finite(trace, "try smaller weights or a smaller learning rate")


# --- the lesson interface ------------------------------------------------------------------

def init_params(vocab_size=VOCAB_SIZE, dim=EMBED_DIM, seed=0):
    """{"W_in", "W_out"}: both uniform in +-0.5/dim, as the source initialises them."""
    V = check_whole(vocab_size, 2, "the vocabulary size")
    d = check_whole(dim, 1, "the embedding size")
    rng = np.random.default_rng(check_whole(seed, 0, "the random seed"))
    r = 0.5 / d
    return {"W_in": rng.uniform(-r, r, (V, d)), "W_out": rng.uniform(-r, r, (V, d))}


def step(params, example, lr):
    """sgns_step on params["W_in"], params["W_out"] and the example's words."""
    return sgns_step(params["W_in"], params["W_out"], example["center"], example["context"],
                     example["negatives"], lr)


def next_params(params, trace):
    """The parameters after the step the trace records."""
    return {"W_in": trace["W_in_new"], "W_out": trace["W_out_new"]}


def torch_step(params, example, lr):
    """The same step by torch autograd (float64): the source's SkipGramNegativeSampling run
    as written, except that F.logsigmoid replaces log(sigmoid(.) + 1e-7)."""
    import torch
    from torch import nn
    from torch.nn import functional as F

    W_in, W_out, c, o, neg, lr = _check(params["W_in"], params["W_out"], example["center"],
                                        example["context"], example["negatives"], lr)
    V, d = W_in.shape

    class SkipGramNegativeSampling(nn.Module):  # the source's; forward keeps its vectors
        def __init__(self, vocab_size, embedding_dim):
            super().__init__()
            self.in_embed = nn.Embedding(vocab_size, embedding_dim)
            self.out_embed = nn.Embedding(vocab_size, embedding_dim)
            initrange = 0.5 / embedding_dim
            self.in_embed.weight.data.uniform_(-initrange, initrange)
            self.out_embed.weight.data.uniform_(-initrange, initrange)

        def forward(self, center_words, target_words, negative_words):
            v_c = self.in_embed(center_words)      # (batch_size, embed_dim)
            u_o = self.out_embed(target_words)     # (batch_size, embed_dim)
            u_n = self.out_embed(negative_words)   # (batch_size, K, embed_dim)
            for t in (v_c, u_o, u_n):
                t.retain_grad()
            self.v_c, self.u_o, self.u_n = v_c, u_o, u_n
            pos_score = torch.bmm(u_o.unsqueeze(1), v_c.unsqueeze(2)).squeeze(2)
            pos_loss = F.logsigmoid(pos_score)
            neg_score = torch.bmm(u_n, v_c.unsqueeze(2)).squeeze(2)
            neg_loss = torch.sum(F.logsigmoid(-neg_score), dim=1, keepdim=True)
            self.pos_score, self.neg_score = pos_score, neg_score
            loss = -(pos_loss + neg_loss)
            return torch.mean(loss)

    with torch.random.fork_rng(devices=[]):  # its random init must not move torch's global RNG
        model = SkipGramNegativeSampling(V, d).double()
    with torch.no_grad():
        model.in_embed.weight.copy_(torch.from_numpy(W_in))
        model.out_embed.weight.copy_(torch.from_numpy(W_out))
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    model.zero_grad()
    loss = model(torch.tensor([c]), torch.tensor([o]), torch.from_numpy(neg).view(1, -1))
    loss.backward()
    pos, negs = model.pos_score.detach()[0, 0], model.neg_score.detach()[0]
    out = {"v_c": model.v_c[0], "u_o": model.u_o[0], "u_neg": model.u_n[0], "pos_score": pos,
           "neg_scores": negs, "sigma_pos": torch.sigmoid(pos), "sigma_neg": torch.sigmoid(-negs),
           "loss": loss, "grad_v_c": model.v_c.grad[0], "grad_u_o": model.u_o.grad[0],
           "grad_u_neg": model.u_n.grad[0]}
    out = {k: v.detach().numpy().copy() if v.ndim else float(v.detach()) for k, v in out.items()}
    optimizer.step()
    out.update(W_in_new=model.in_embed.weight.detach().numpy().copy(),
               W_out_new=model.out_embed.weight.detach().numpy().copy())
    return Trace((k, out[k]) for k in TRACE_KEYS)

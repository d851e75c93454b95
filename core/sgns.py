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
from functools import lru_cache

import numpy as np

from core.cbow_mlp import pca_2d  # noqa: F401  (re-exported: the page plots W with it)
from core.common import (Trace, as_float_array, check_finite, check_index, check_lr, check_whole,
                         torch_model, torch_trace)

VOCAB_SIZE, EMBED_DIM = 100, 10
SOURCE_CENTER, SOURCE_CONTEXT, SOURCE_NEGATIVES, SOURCE_LR = 0, 1, (50, 23, 99, 4, 12), 0.01
DEFAULT_EXAMPLE = {"center": SOURCE_CENTER, "context": SOURCE_CONTEXT,
                   "negatives": SOURCE_NEGATIVES}
TRACE_KEYS = ("v_c", "u_o", "u_neg", "pos_score", "neg_scores", "sigma_pos", "sigma_neg", "loss",
              "grad_v_c", "grad_u_o", "grad_u_neg", "W_in_new", "W_out_new")
EPSILON = 1e-7  # the source adds it inside both logs

EPSILON_NOTE = (
    "The source computes $\\log(\\sigma(x) + 10^{-7})$ instead of $\\log \\sigma(x)$, to avoid "
    "$\\log 0 = -\\infty$ when $\\sigma$ underflows (torch's sigmoid gives exactly 0 below "
    "$x \\approx -88.7$ in float32, the source's default, and below $-709.8$ in float64; "
    "the loss would be $\\infty$ and the gradients NaN). What it changes, per term:\n\n"
    "- **Ordinary scores**: $-\\log(\\sigma + 10^{-7})$ is smaller than $-\\log \\sigma$ by "
    "$\\log(1 + 10^{-7}/\\sigma) \\approx 10^{-7}/\\sigma$: $2\\cdot10^{-7}$ at "
    "$\\sigma = 0.5$, so about $1.2\\cdot10^{-6}$ for the six terms at initialisation (it can "
    "change the 6th decimal the source prints), and under $10^{-5}$ while $\\sigma > 0.01$.\n"
    "- **A cap**: each term is at most $-\\log(10^{-7}) = 16.118$, so the loss at most "
    "$(k+1) \\times 16.118 = 96.71$ for $k = 5$, however wrong the model is.\n"
    "- **A vanishing gradient**: its gradient is the exact one times "
    "$\\sigma/(\\sigma + 10^{-7})$: a half at $x = \\ln(10^{-7}/(1-10^{-7})) = -16.118$, "
    "2% at $x = -20$, about 0 below. Exactly where a pair is badly wrong, the source's "
    "loss stops learning from it.\n\n"
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

    model = torch_model(lambda: SkipGramNegativeSampling(V, d), {"in_embed.weight": W_in,
                                                                 "out_embed.weight": W_out})
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    model.zero_grad()
    loss = model(torch.tensor([c]), torch.tensor([o]), torch.from_numpy(neg).view(1, -1))
    loss.backward()
    pos, negs = model.pos_score.detach()[0, 0], model.neg_score.detach()[0]
    out = {"v_c": model.v_c[0], "u_o": model.u_o[0], "u_neg": model.u_n[0], "pos_score": pos,
           "neg_scores": negs, "sigma_pos": torch.sigmoid(pos), "sigma_neg": torch.sigmoid(-negs),
           "loss": loss, "grad_v_c": model.v_c.grad[0], "grad_u_o": model.u_o.grad[0],
           "grad_u_neg": model.u_n.grad[0]}
    return torch_trace(out, optimizer, model, {"W_in_new": "in_embed.weight",
                                               "W_out_new": "out_embed.weight"}, TRACE_KEYS)


# The lesson's stages: name -> (Trace keys, formula)
STAGES = {
    "Vectors": (("v_c", "u_o", "u_neg"), r"v_c = W_{in}[c],\ u_o = W_{out}[o],\ u_k = W_{out}[n_k]"),
    "Scores": (("pos_score", "neg_scores"), r"s_o = u_o\cdot v_c,\quad s_k = u_k\cdot v_c"),
    "Sigmoids": (("sigma_pos", "sigma_neg"), r"\sigma(x) = \frac{1}{1 + e^{-x}}"),
    "Loss": (("loss",), r"L = -\log\sigma(s_o) - \textstyle\sum_k \log\sigma(-s_k)"),
    "Gradients": (("grad_v_c", "grad_u_o", "grad_u_neg"),
                  r"\frac{\partial L}{\partial u_o} = (\sigma(s_o) - 1)\,v_c,\ \frac{\partial L}"
                  r"{\partial u_k} = \sigma(s_k)\,v_c = (1 - \sigma(-s_k))\,v_c"),
    "Update": (("W_in_new", "W_out_new"), r"\theta \leftarrow \theta - \alpha\,\frac{\partial L}"
               r"{\partial \theta}\quad\text{(the tables list only the rows that move)}")}


# --- training on a corpus ------------------------------------------------------------------

PAIR_BATCH = 1024   # at most this many pairs take their gradients from the same weights
LOSS_POINTS = 200   # about this many points in train()'s loss curve
TABLE_SIZE = 1_000_000  # word2vec's unigram table (it uses 1e8): a draw is one random index

# For the lesson page: default_corpus trains in about a second (quiet 2-core machine) and
# every planted group comes out (group_quality 1.0 at n = 5; mates at cosine ~0.98, other
# groups ~0.3). lr 0.1, not word2vec's 0.025: with 3 epochs of 22k tokens the smaller rate
# leaves every word at cosine ~0.5 or more to every other.
DEFAULT_TRAINING = dict(window=3, dim=20, k=5, lr=0.1, epochs=3, subsample=1e-3)
TRAINING_TEXT = ("word2vec's recipe: every centre word with the words in its (randomly shrunk) "
                 "window, k negatives each from count^0.75, frequent words subsampled, the "
                 "learning rate falling to zero.")
TRAINING_FIELDS = [  # the page's: (setting, label, least, most)
    ("window", "Window (words each side)", 1, 10), ("dim", "Vector size d", 1, 300),
    ("k", "Negatives per pair k", 1, 20), ("lr", "Starting learning rate", 1e-6, 1.0),
    ("epochs", "Epochs (passes over the text)", 1, 50)]


def _window_pairs(sent, window, rng):
    """(i, j) positions of every (centre, context) pair: centre i draws b in 1..window and
    pairs with each j != i at most b away in the same sentence (sent[j] == sent[i])."""
    n = len(sent)
    b = rng.integers(1, window + 1, n)                                 # (n,) shrunk windows
    offsets = np.r_[np.arange(-window, 0), np.arange(1, window + 1)]   # (2w,)
    j = np.arange(n)[:, None] + offsets                                # (n, 2w)
    ok = (np.abs(offsets) <= b[:, None]) & (j >= 0) & (j < n)
    ok[ok] = sent[j[ok]] == np.repeat(sent, ok.sum(axis=1))            # never across a sentence
    return np.repeat(np.arange(n), ok.sum(axis=1)), j[ok]              # ordered by centre


def pairs(sentences, window, rng):
    """Every (centre, context) pair of the sentences, in text order, with word2vec's shrinking
    window: each centre draws b uniformly from 1..window (rng, a numpy Generator) and pairs
    with the words at most b away in its own sentence."""
    window = check_whole(window, 1, "the window")
    words = [w for s in sentences for w in s]
    sent = np.repeat(np.arange(len(sentences)), [len(s) for s in sentences])
    i, j = _window_pairs(sent, window, rng)
    return [(words[a], words[b]) for a, b in zip(i, j)]


def _check_corpus(sentences, min_count):
    """(vocab, counts, flat word ids, sentence id of each) with readable errors."""
    if isinstance(sentences, (str, bytes)) or not hasattr(sentences, "__iter__"):
        raise ValueError("give the corpus as a list of sentences, each a list of words")
    sentences = list(sentences)
    if any(isinstance(s, (str, bytes)) or not hasattr(s, "__iter__") for s in sentences):
        raise ValueError("each sentence must be a list of words, e.g. ['the', 'cat', 'sat']")
    sentences = [[str(w) for w in s] for s in sentences]
    counts = Counter(w for s in sentences for w in s)
    if not counts:
        raise ValueError("the corpus is empty: give at least one sentence with words in it")
    vocab = sorted((w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], w))
    if len(vocab) < 2:
        raise ValueError(f"the vocabulary has {len(vocab)} word(s) seen at least {min_count} "
                         "time(s); skip-gram needs at least two different words")
    index = {w: i for i, w in enumerate(vocab)}
    kept = [[index[w] for w in s if w in index] for s in sentences]  # rare words leave the text
    if all(len(s) < 2 for s in kept):
        raise ValueError("no sentence has two words, so there is no (centre, context) pair")
    ids = np.fromiter((w for s in kept for w in s), dtype=np.int64)
    sent = np.repeat(np.arange(len(kept)), [len(s) for s in kept])
    return vocab, np.array([counts[w] for w in vocab], dtype=np.float64), ids, sent


def _train_batch(W_in, W_out, c, o, neg, alpha):
    """One SGD step on a batch of pairs, in place on the torch tables W_in, W_out (V, d);
    c, o (B,) and neg (B, k) are int64 tensors. Returns the summed loss. Negatives equal to
    their pair's context word are skipped, as word2vec does. (torch for scatter_add_: summing
    repeated rows is most of the work, and scatter_add_ does it 30x faster than numpy's
    bincount.)"""
    import torch

    B, k = neg.shape
    out = torch.cat([o[:, None], neg], dim=1)                          # (B, k+1) context first
    # --- forward
    d = W_in.shape[1]
    v = W_in.index_select(0, c)                                        # (B, d)
    u = W_out.index_select(0, out.reshape(-1)).view(B, k + 1, d)       # (B, k+1, d)
    z = (u * v[:, None, :]).sum(-1)                                    # (B, k+1) scores
    z[:, 0] *= -1                              # each term is -log s(-z) = softplus(z)
    keep = torch.ones_like(z)
    keep[:, 1:] = neg != o[:, None]
    e = torch.exp(-z.abs())
    loss = float(((z.clamp(min=0) + torch.log1p(e)) * keep).sum())
    # --- backward, the step -alpha folded in
    g = torch.where(z >= 0, 1 / (1 + e), e / (1 + e)) * keep           # (B, k+1) s(z)
    g[:, 0] *= -1                              # dL/dscore: s(pos) - 1 and s(neg_k)
    g *= -alpha
    step_v = (g[:, :, None] * u).sum(1)                                # (B, d)
    step_u = g[:, :, None] * v[:, None, :]                             # (B, k+1, d)
    # --- update: repeated rows summed
    W_in.scatter_add_(0, c[:, None].expand(B, d), step_v)
    W_out.scatter_add_(0, out.reshape(-1, 1).expand(B * (k + 1), d), step_u.reshape(-1, d))
    return loss


def train(sentences, window=5, dim=50, k=5, lr=0.025, epochs=1, subsample=1e-3, min_count=1,
          seed=0, callback=None):
    """word2vec's skip-gram with negative sampling on a list of token lists.

    As word2vec: words seen fewer than min_count times are dropped; each epoch drops frequent
    words with keep probability (sqrt(f/s) + 1) s/f (f = count/total, s = subsample, <= 0 keeps
    all), then pairs every centre with the words within its shrunk window (1..window, never
    across a sentence); each pair draws k negatives from counts^0.75 (one equal to the pair's
    context word is skipped); the learning rate falls linearly from lr to lr * 1e-4; W_in
    starts uniform in +-0.5/dim, W_out at zero. Unlike word2vec's one pair at a time, a batch
    of up to PAIR_BATCH pairs (and V/4) takes its gradients from the same weights, summed into
    the rows. callback(done_fraction, mean_recent_loss) is called about LOSS_POINTS times;
    returning False stops, keeping what was learnt so far. Returns {"losses": (points,) mean
    loss per pair, "W_in", "W_out": (V, dim), "vocab": words by descending count, ties
    alphabetical}.
    """
    window = check_whole(window, 1, "the window")
    dim = check_whole(dim, 1, "the embedding size")
    k = check_whole(k, 1, "the number of negatives k")
    epochs = check_whole(epochs, 1, "the number of epochs")
    min_count = check_whole(min_count, 1, "min_count")
    lr = check_lr(lr)
    subsample = float(as_float_array(subsample, shape=(), name="subsample"))
    rng = np.random.default_rng(check_whole(seed, 0, "the random seed"))
    vocab, counts, ids, sent = _check_corpus(sentences, min_count)
    V, n = len(vocab), len(ids)

    f = counts / counts.sum()
    keep = np.minimum(1.0, (np.sqrt(f / subsample) + 1) * subsample / f) if subsample > 0 \
        else np.ones(V)
    cdf = np.cumsum(noise_distribution(counts))
    table = np.searchsorted(cdf, (np.arange(TABLE_SIZE) + 0.5) / TABLE_SIZE * cdf[-1],
                            side="right")                               # (TABLE_SIZE,) word ids
    W_in = rng.uniform(-0.5 / dim, 0.5 / dim, (V, dim))
    W_out = np.zeros((V, dim))
    import torch                                # the batches update these tables in place
    W_in_t, W_out_t = torch.from_numpy(W_in), torch.from_numpy(W_out)

    def result():
        return {"losses": np.array(losses), "W_in": W_in, "W_out": W_out, "vocab": vocab}

    losses, loss_sum, loss_n, mark = [], 0.0, 0, 1 / LOSS_POINTS
    for epoch in range(epochs):
        kept = np.flatnonzero(rng.random(n) < keep[ids])               # subsampled tokens
        i, j = _window_pairs(sent[kept], window, rng)
        centres, contexts, where = ids[kept[i]], ids[kept[j]], kept[i]
        centres_t, contexts_t = torch.from_numpy(centres), torch.from_numpy(contexts)
        # at most V/4 pairs a batch: in bigger ones a frequent word's summed updates overshoot
        # (default_corpus with subsample=0 diverges at 750 pairs a batch, word2vec would not)
        batch = int(np.clip(min(len(centres) * epochs // LOSS_POINTS, V // 4), 16, PAIR_BATCH))
        for s in range(0, len(centres), batch):
            c, o = centres_t[s:s + batch], contexts_t[s:s + batch]
            alpha = lr * max(1e-4, 1 - (epoch + where[s] / n) / epochs)
            neg = table[rng.integers(0, TABLE_SIZE, (len(c), k))]      # (B, k)
            loss_sum += _train_batch(W_in_t, W_out_t, c, o, torch.from_numpy(neg), alpha)
            loss_n += len(c)
            nxt = s + len(c)                                           # next batch's start
            done = (epoch + (where[nxt] / n if nxt < len(centres) else 1)) / epochs
            if done >= mark:
                losses.append(loss_sum / loss_n)
                loss_sum, loss_n, mark = 0.0, 0, (np.floor(done * LOSS_POINTS) + 1) / LOSS_POINTS
                if not losses[-1] < 100 * (k + 1):   # starts near (k + 1) log 2; NaN fails too
                    raise FloatingPointError("training diverged (the loss exploded); "
                                             "lower the learning rate")
                if callback is not None and callback(float(done), losses[-1]) is False:
                    return result()
    if loss_n:                                 # the pairs since the last point
        losses.append(loss_sum / loss_n)
        if callback is not None:
            callback(1.0, losses[-1])
    return result()


# --- reading the vectors -------------------------------------------------------------------

def _unit_rows(W, vocab, words):
    """(W with unit-length rows, vocab list, row index of each word); readable errors."""
    W = as_float_array(W, name="W")
    vocab = list(vocab)
    if W.ndim != 2 or W.shape[0] != len(vocab) or len(vocab) < 2:
        raise ValueError(f"W must have one row per vocabulary word ({len(vocab)}), got {W.shape}")
    index = {w: i for i, w in enumerate(vocab)}
    for w in words:
        if w not in index:
            raise ValueError(f"'{w}' is not in the vocabulary")
    norms = np.linalg.norm(W, axis=1, keepdims=True)
    return W / np.where(norms > 0, norms, 1), vocab, [index[w] for w in words]


def _nearest(Wn, vocab, target, skip, n):
    """The n rows most cosine-similar to target (a vector), rows in skip left out."""
    n = check_whole(n, 1, "the number of neighbours")
    norm = np.linalg.norm(target)
    cos = Wn @ (target / norm if norm > 0 else target)                 # (V,)
    cos[skip] = -np.inf
    order = np.argsort(-cos, kind="stable")[:min(n, len(vocab) - len(set(skip)))]
    return [(vocab[i], float(cos[i])) for i in order]


def neighbours(W, vocab, word=None, n=5):
    """The n words nearest to word by cosine similarity, as (word, cosine), best first.

    Two call forms: neighbours(W, vocab, word, n) with W a (V, d) table, or
    neighbours(result, word, n) with result from train() (its W_in and vocab).
    """
    if isinstance(W, Mapping):                 # neighbours(result, word, n): shift one place
        W, vocab, word, n = W["W_in"], W["vocab"], vocab, (n if word is None else word)
    Wn, vocab, (i,) = _unit_rows(W, vocab, [word])
    return _nearest(Wn, vocab, Wn[i], [i], n)


def analogy(W, vocab, a, b, c=None, n=5):
    """"a is to b as c is to ?": the n words nearest by cosine to b - a + c (rows scaled to
    unit length first, as gensim does), leaving out a, b and c; as (word, cosine).

    Two call forms: analogy(W, vocab, a, b, c, n) or analogy(result, a, b, c, n).
    """
    if isinstance(W, Mapping):                 # analogy(result, a, b, c, n): shift one place
        W, vocab, a, b, c, n = W["W_in"], W["vocab"], vocab, a, b, (n if c is None else c)
    Wn, vocab, (ia, ib, ic) = _unit_rows(W, vocab, [a, b, c])
    return _nearest(Wn, vocab, Wn[ib] - Wn[ia] + Wn[ic], [ia, ib, ic], n)


# --- the lesson's inputs -------------------------------------------------------------------

trace_step, torch_trace_step = step, torch_step  # the framework's names for the step and twin
MOCK_WORDS = tuple(f"w{i}" for i in range(VOCAB_SIZE))  # the source's mock setup has no words
MAX_TEXT = 200_000   # characters of a typed or uploaded text
MAX_NEGATIVES = 20


def sentences_of(text):
    """A text as sentences of tokens: a line or a '.' / '!' / '?' ends a sentence; tokens as
    the CBOW course notes' tokenizer (lower case, digits and quotes dropped)."""
    from core.corpus import tokenize
    if not isinstance(text, str):
        raise ValueError("the text must be a string")
    if len(text) > MAX_TEXT:
        raise ValueError(f"the text is too long ({len(text):,} characters; at most {MAX_TEXT:,})")
    sentences, current = [], []
    for line in text.splitlines():
        for token in tokenize(line) + ["."]:
            if token == ".":
                if current:
                    sentences.append(current)
                current = []
            else:
                current.append(token)
    if not sentences:
        raise ValueError("the text has no words to learn from")
    return sentences


def text_vocab(sentences):
    """(words, counts): the vocabulary in train()'s row order (descending count, ties
    alphabetical) and each word's count."""
    counts = Counter(w for s in sentences for w in s)
    words = sorted(counts, key=lambda w: (-counts[w], w))
    if len(words) < 2:
        raise ValueError("skip-gram needs at least two different words")
    return words, np.array([counts[w] for w in words], dtype=np.float64)


def parse_negatives(text, words):
    """'cat, bread, cat' -> word indices, repeats kept; ValueError naming what is wrong."""
    from core.common import clean_word, strip_bidi
    items = [clean_word(w) for w in strip_bidi(str(text)).replace(",", " ").split()]
    index = {w: i for i, w in enumerate(words)}
    unknown = [w for w in items if w not in index]
    if unknown:
        raise ValueError(f"“{unknown[0]}” is not in the vocabulary")
    if not 1 <= len(items) <= MAX_NEGATIVES:
        raise ValueError(f"give 1 to {MAX_NEGATIVES} negatives (k = 0 leaves nothing to push "
                         "away)")
    return tuple(index[w] for w in items)


def scores_after(trace, example):
    """The dot products after the update: {"pos": u_o'.v_c', "neg": (k,) u_k'.v_c'}."""
    v = trace["W_in_new"][example["center"]]                          # (d,)
    return {"pos": float(trace["W_out_new"][example["context"]] @ v),
            "neg": trace["W_out_new"][list(example["negatives"])] @ v}  # (k,)


@lru_cache(maxsize=8)
def vocab_of_text(text):
    """(words, counts, sentences) of a text, computed once per distinct text."""
    sentences = sentences_of(text)
    words, counts = text_vocab(sentences)
    return tuple(words), counts, sentences


def decode_text_file(raw):
    """The text of an uploaded .txt for the lesson: ValueError when it is not UTF-8, too long,
    empty, or has fewer than two different words (core.corpus.decode_upload's checks, then
    the lesson's own)."""
    from core.corpus import decode_upload
    text = decode_upload(raw, MAX_TEXT)
    if not text.strip():
        raise ValueError("the file is empty: give a text with at least two different words")
    vocab_of_text(text)
    return text


def draw(counts, k, seed, power=0.75):
    """k negatives drawn from counts^power with this seed (None: a fresh one)."""
    return sample_negatives(noise_distribution(counts, power), k, np.random.default_rng(seed))


def draw_text(words, counts, k, seed=None):
    """k negatives drawn as word2vec draws them, as the page's text box holds them
    ("w1, w2, ...": the page's "Sample k")."""
    return ", ".join(words[i] for i in draw(counts, k, seed))


def lesson_params(setup, n_words, dim, seed=0):
    """The lesson's starting tables: the source's mock sizes (setup 1), else one row per word
    of the text, d = dim."""
    return init_params(*((VOCAB_SIZE, EMBED_DIM) if setup == 1 else (n_words, dim)), seed)


def lesson_vocab(setup, text, default_text):
    """(words, counts, sentences) of the lesson's word list: the source's mock setup (setup 1:
    100 words named w0..w99, equally frequent) or the words of a text (the default when
    empty)."""
    if setup == 1:
        return MOCK_WORDS, np.ones(VOCAB_SIZE), None
    return vocab_of_text(text or default_text)


def lesson_example(words, center, context, negatives):
    """{"center", "context", "negatives"} as indices from the words a student chose."""
    if center not in words or context not in words:
        raise ValueError("the centre and the context must be words of the vocabulary")
    return {"center": words.index(center), "context": words.index(context),
            "negatives": parse_negatives(negatives, words)}


def fit_words(words, counts, old, new, k):
    """When the text (or the setup) changed from `old` settings to `new`: the chosen centre,
    context and negatives it no longer has, moved onto its words (the first ones; k negatives
    drawn with seed 0). {} when nothing is to change."""
    if (old["setup"], old["text"]) == (new["setup"], new["text"]):
        return {}  # typed negatives that are not words stay an error to read
    out = {} if new["center"] in words else {"center": words[0]}
    center = out.get("center", new["center"])
    if new["context"] not in words:
        out["context"] = next((w for w in words if w != center), words[0])
    try:
        parse_negatives(new["negatives"], words)
    except ValueError:
        out["negatives"] = draw_text(words, counts, k, seed=0)
    return out


def flags(example, words):
    """Sentences for a student about this draw: a negative equal to the context word, and
    negatives drawn more than once."""
    out = [f"Negative {k + 1} is the context word “{words[example['context']]}” itself: its row "
           "of W_out is pulled towards v_c and pushed away from it in the same step."
           for k in negative_is_context(example["context"], example["negatives"])]
    out += [f"“{words[n]}” was drawn {times} times: it adds {times} terms to the loss, and its "
            "row of W_out gets all of their gradients added up."
            for n, times in repeated_negatives(example["negatives"]).items()]
    return out


def moved(trace, example, words):
    """How each dot product with v_c moved in the step: rows {word, before, after, should go,
    went}."""
    after = scores_after(trace, example)
    rows = [(f"context {words[example['context']]}", trace["pos_score"], after["pos"], "up")]
    rows += [(f"negative {words[n]}", trace["neg_scores"][k], after["neg"][k], "down")
             for k, n in enumerate(example["negatives"])]
    return [{"word": w, "before": float(a), "after": float(b), "should go": go,
             "went": "up" if b > a else "down"} for w, a, b, go in rows]

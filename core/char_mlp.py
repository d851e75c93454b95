"""Seed 004, Bengio's character MLP: 3 characters in, the next one out.

One example (the notebook's names; V = 27 symbols, d = 20, block_size 3, H = 100):
    emb = E[context]                  (3, d)    one row of E per context character
    emb_cat = concat(emb)             (3d,)     keeps the positions apart ("cat" != "tac")
    h_pre = Wx emb_cat + bh           (H,)
    h = tanh(h_pre)                   (H,)
    logits = Wy h + by                (V,)
    L = -log softmax(logits)[target]
    dL/dlogits = p - y;  dL/dh = Wy^T dL/dlogits;  dL/dh_pre = dL/dh (1 - h^2)
    dL/demb_cat = Wx^T dL/dh_pre;  each context position adds its d numbers to its row of E
The one-example step is float64 numpy. Training runs in torch float32 (see train_full_batch,
train_minibatch) because the page trains on 228,146 rows while the student waits.
"""
import math
import time
import warnings
from pathlib import Path

import numpy as np

from core.cbow_mlp import pca_2d  # noqa: F401  (the embedding plot, re-exported for the page)
from core.common import (Trace, as_float_array, check_finite, check_index, check_lr, check_whole,
                         needs_shift, one_hot, softmax_parts)

PARAM_KEYS = ("E", "Wx", "bh", "Wy", "by")
TRACE_KEYS = ("context", "emb", "emb_cat", "h_pre", "h", "logits", "probs", "loss",
              "grad_logits", "grad_Wy", "grad_by", "grad_h", "grad_h_pre", "grad_emb_cat",
              "grad_E", "E_new", "Wx_new", "bh_new", "Wy_new", "by_new")
SYMBOLS = tuple(".abcdefghijklmnopqrstuvwxyz")   # the notebook's chars on names.txt
DEFAULT_EXAMPLE = {"context": (0, 0, 5), "target": 13}   # X[1] = "..e" -> Y[1] = "m" (emma)
NOTEBOOK_LR, NOTEBOOK_STEPS = 0.1, 500
MAX_SAMPLE_LEN = 50           # a sampled name stops here if '.' never comes


# --- parameters ------------------------------------------------------------------------------

# The notebook's own first weights (seed 42, default sizes), drawn by torch once and stored, so
# that opening the lesson does not wait ~1 s for torch to import (bench/cold_start.py).
# tests/test_char_mlp.py checks the file against torch's draws; write_notebook_init() remakes it.
NOTEBOOK_INIT = Path(__file__).with_name("char_mlp_init.npz")
NOTEBOOK_SIZES = {"vocab_size": 27, "block_size": 3, "emb_dim": 20, "hidden": 100, "seed": 42}


def init_params(vocab_size=27, block_size=3, emb_dim=20, hidden=100, seed=42):
    """The notebook's initialisation, draw for draw: torch.manual_seed(seed), then E, Wx, Wy
    by torch.randn in float32 and its scalings; returned as float64 numpy arrays."""
    V = check_whole(vocab_size, 2, "the vocabulary size")
    bs = check_whole(block_size, 1, "the context length")
    d, H = check_whole(emb_dim, 1, "the embedding size"), check_whole(hidden, 1, "the hidden size")
    seed = check_whole(seed, 0, "the random seed")
    if (V, bs, d, H, seed) == tuple(NOTEBOOK_SIZES.values()) and NOTEBOOK_INIT.exists():
        with np.load(NOTEBOOK_INIT) as stored:                # float32, as torch drew them
            return {k: stored[k].astype(np.float64) for k in PARAM_KEYS}
    return {k: t.astype(np.float64) for k, t in torch_draws(V, bs, d, H, seed).items()}


def torch_draws(V, bs, d, H, seed):
    """The notebook's float32 draws and scalings, as numpy arrays (imports torch)."""
    import torch

    with torch.random.fork_rng(devices=[]):      # the global torch RNG is left where it was
        torch.manual_seed(seed)
        E = torch.randn(V, d) * 0.01                         # (V, d)
        Wx = torch.randn(H, bs * d) / ((bs * d) ** 0.5)      # (H, bs*d)
        bh = torch.zeros(H)
        Wy = torch.randn(V, H) / (H ** 0.5)                  # (V, H)
        by = torch.zeros(V)
    return {k: t.numpy() for k, t in zip(PARAM_KEYS, (E, Wx, bh, Wy, by))}


def write_notebook_init(path=NOTEBOOK_INIT):
    """Store the notebook's first weights (torch's draws for NOTEBOOK_SIZES) at `path`."""
    np.savez_compressed(path, **torch_draws(*NOTEBOOK_SIZES.values()))


def init_for_training(vocab_size=27, block_size=3, emb_dim=20, hidden=100, seed=42):
    """The initialisation makemore part 3 recommends, from the same draws as init_params:
    E ~ N(0, 1), Wx Kaiming for tanh (gain 5/3 / sqrt(fan_in)), Wy * 0.01 so the first
    losses are ~log V instead of confidently wrong, biases 0."""
    P = init_params(vocab_size, block_size, emb_dim, hidden, seed)
    return {"E": P["E"] / 0.01, "Wx": P["Wx"] * 5 / 3, "bh": P["bh"],
            "Wy": P["Wy"] * math.sqrt(P["Wy"].shape[1]) * 0.01, "by": P["by"]}


def check_params(params):
    """float64 copies (E, Wx, bh, Wy, by) and the block size, after checking shapes agree."""
    try:
        E, Wx, bh, Wy, by = (params[k] for k in PARAM_KEYS)
    except (KeyError, TypeError):
        raise ValueError("params must be a dict with E, Wx, bh, Wy and by") from None
    E = as_float_array(E, name="E")
    if E.ndim != 2 or E.shape[0] < 2 or E.shape[1] < 1:
        raise ValueError("E must be a (V, d) table with V >= 2 symbols and d >= 1")
    (V, d), Wx = E.shape, as_float_array(Wx, name="Wx")
    if Wx.ndim != 2 or Wx.shape[1] % d or Wx.shape[1] == 0:
        raise ValueError(f"Wx must be (H, block_size * {d}): one column per embedding number")
    H, bs = Wx.shape[0], Wx.shape[1] // d
    bh = as_float_array(bh, shape=(H,), name="bh")
    Wy = as_float_array(Wy, shape=(V, H), name="Wy")
    by = as_float_array(by, shape=(V,), name="by")
    return E, Wx, bh, Wy, by, bs


def next_params(params, trace):
    """The parameters after the step a Trace records."""
    return {k: trace[f"{k}_new"] for k in PARAM_KEYS}


def _check_example(context, target, V, bs):
    if isinstance(context, (str, bytes)) or not hasattr(context, "__len__"):
        raise ValueError("the context must be a list of character indices")
    if len(context) != bs:
        raise ValueError(f"the context must have {bs} characters (the model's block size), "
                         f"got {len(context)}")
    return ([check_index(c, V, "context", "character") for c in context],
            check_index(target, V, "target", "character"))


# --- one example, float64 --------------------------------------------------------------------

def example_step(params, context, target, lr):
    """One SGD step on one (context -> target) example; the Trace of every number."""
    E, Wx, bh, Wy, by, bs = check_params(params)
    V, d = E.shape
    context, target = _check_example(context, target, V, bs)
    lr = check_lr(lr)
    with np.errstate(over="ignore", invalid="ignore"):   # overflow is reported, in words
        # --- forward
        emb = E[context]                                 # (bs, d) one row per character
        emb_cat = emb.reshape(-1)                        # (bs*d,) position 0 first
        h_pre = Wx @ emb_cat + bh                        # (H,)
        h = np.tanh(h_pre)                               # (H,)
        logits = Wy @ h + by                             # (V,)
        _, sum_exp, probs = softmax_parts(logits)        # (V,)
        shift = logits.max() if needs_shift(logits) else 0.0
        loss = float(np.log(sum_exp) + shift - logits[target])
        # --- backward
        grad_logits = probs - one_hot(target, V)         # (V,)  p - y
        grad_Wy = np.outer(grad_logits, h)               # (V, H)
        grad_by = grad_logits.copy()                     # (V,)
        grad_h = Wy.T @ grad_logits                      # (H,)
        grad_h_pre = grad_h * (1.0 - h * h)              # (H,)  tanh' = 1 - tanh^2
        grad_Wx = np.outer(grad_h_pre, emb_cat)          # (H, bs*d)
        grad_emb_cat = Wx.T @ grad_h_pre                 # (bs*d,)
        grad_E = np.zeros_like(E)                        # (V, d)
        np.add.at(grad_E, context, grad_emb_cat.reshape(bs, d))   # "..." adds 3 times to row 0
        # --- update
        E_new, Wx_new, bh_new = E - lr * grad_E, Wx - lr * grad_Wx, bh - lr * grad_h_pre
        Wy_new, by_new = Wy - lr * grad_Wy, by - lr * grad_by
    trace = Trace(context=np.array(context, dtype=np.float64), emb=emb, emb_cat=emb_cat,
                  h_pre=h_pre, h=h, logits=logits, probs=probs, loss=loss,
                  grad_logits=grad_logits, grad_Wy=grad_Wy, grad_by=grad_by, grad_h=grad_h,
                  grad_h_pre=grad_h_pre, grad_emb_cat=grad_emb_cat, grad_E=grad_E,
                  E_new=E_new, Wx_new=Wx_new, bh_new=bh_new, Wy_new=Wy_new, by_new=by_new)
    return check_finite(trace, "try smaller weights or a smaller learning rate")


def step(params, example, lr):
    """The lesson interface: example_step on example {"context": (...), "target": int}."""
    return example_step(params, example["context"], example["target"], lr)


def torch_step(params, example, lr):
    """The same step as the notebook writes it, by torch autograd in float64: the oracle."""
    import torch
    import torch.nn.functional as F

    E, Wx, bh, Wy, by, bs = check_params(params)
    context, target = _check_example(example["context"], example["target"], E.shape[0], bs)
    lr = check_lr(lr)
    P = [torch.tensor(p, requires_grad=True) for p in (E, Wx, bh, Wy, by)]
    E_, Wx_, bh_, Wy_, by_ = P
    X, Y = torch.tensor([context]), torch.tensor([target])
    emb = E_[X]                                          # (1, bs, d)
    emb_cat = emb.view(X.shape[0], -1)                   # (1, bs*d)
    h_pre = emb_cat @ Wx_.T + bh_                        # (1, H)
    h = torch.tanh(h_pre)
    logits = h @ Wy_.T + by_                             # (1, V)
    for t in (emb_cat, h_pre, h, logits):
        t.retain_grad()
    loss = F.cross_entropy(logits, Y)
    loss.backward()
    out = {"context": X[0].double(), "emb": emb[0], "emb_cat": emb_cat[0], "h_pre": h_pre[0],
           "h": h[0], "logits": logits[0], "probs": torch.softmax(logits[0], 0), "loss": loss,
           "grad_logits": logits.grad[0], "grad_Wy": Wy_.grad, "grad_by": by_.grad,
           "grad_h": h.grad[0], "grad_h_pre": h_pre.grad[0], "grad_emb_cat": emb_cat.grad[0],
           "grad_E": E_.grad}
    with torch.no_grad():
        for p in P:
            p -= lr * p.grad                             # the notebook's p.data -= lr * p.grad
    out.update({f"{k}_new": p for k, p in zip(PARAM_KEYS, P)})
    out = {k: v.detach().numpy().copy() for k, v in out.items()}
    return Trace((k, float(out[k]) if out[k].ndim == 0 else out[k]) for k in TRACE_KEYS)


# --- the whole data set ----------------------------------------------------------------------

def _check_data(X, Y, V, bs):
    X, Y = np.asarray(X), np.asarray(Y)
    if X.ndim != 2 or X.shape[1] != bs or Y.shape != (X.shape[0],) or len(Y) == 0:
        raise ValueError(f"X must be (N, {bs}) and Y (N,) with N >= 1")
    if not (np.issubdtype(X.dtype, np.integer) and np.issubdtype(Y.dtype, np.integer)):
        raise ValueError("X and Y must hold character indices (whole numbers)")
    if X.min() < 0 or Y.min() < 0 or X.max() >= V or Y.max() >= V:
        raise ValueError(f"character indices must be between 0 and {V - 1}")
    return X.astype(np.int64), Y.astype(np.int64)


def group_contexts(X, Y, vocab_size):
    """The distinct rows of X, sorted, with the count of every next character after each:
    {"contexts": (U, bs) int64, "counts": (U, V) float64, "row_context": (N,) which
    context each row has}. names.txt: 228,146 rows but only U = 5,686 contexts."""
    X, Y = np.asarray(X, dtype=np.int64), np.asarray(Y, dtype=np.int64)
    V, bs = vocab_size, X.shape[1]
    key = X @ (V ** np.arange(bs - 1, -1, -1))                             # (N,) base-V number
    if V ** bs <= 1 << 22:      # few possible contexts: count them directly (no sort)
        seen = np.flatnonzero(np.bincount(key, minlength=V ** bs))        # (U,) sorted keys
        inv = np.empty(V ** bs, dtype=np.int64)
        inv[seen] = np.arange(len(seen))
        inv = inv[key]                                                     # (N,)
        contexts = (seen[:, None] // V ** np.arange(bs - 1, -1, -1)) % V  # (U, bs) digits
    else:
        seen, first, inv = np.unique(key, return_index=True, return_inverse=True)
        contexts = X[first]
    counts = np.bincount(inv * V + Y, minlength=len(seen) * V)
    return {"contexts": contexts, "counts": counts.reshape(len(seen), V).astype(float),
            "row_context": inv}


def full_batch_loss(params, X, Y):
    """The mean cross-entropy over all rows (float64), computed once per distinct context."""
    E, Wx, bh, Wy, by, bs = check_params(params)
    X, Y = _check_data(X, Y, E.shape[0], bs)
    g = group_contexts(X, Y, E.shape[0])
    h = np.tanh(E[g["contexts"]].reshape(len(g["contexts"]), -1) @ Wx.T + bh)   # (U, H)
    logits = h @ Wy.T + by                                                      # (U, V)
    m = logits.max(axis=1, keepdims=True)
    lse = np.log(np.exp(logits - m).sum(axis=1, keepdims=True)) + m             # (U, 1)
    return float((g["counts"] * (lse - logits)).sum() / len(Y))


class _Torch32:
    """The model in torch float32 with a hand-written backward (no autograd: it is the
    slow part at this size). A batch (self.batch) is contexts (n, bs) and target weights
    Wt (n, V) that sum to 1: one-hot / B for a minibatch, counts / N for the grouped full
    batch."""

    V_PAD = 32      # logits are computed 32 wide (the extra 5 are -inf): 27 is slow in a matmul

    def __init__(self, params):
        import torch
        E, Wx, bh, Wy, by, bs = check_params(params)
        self.torch, self.bs = torch, bs
        self.sizes = [p.size for p in (E, Wx, bh, Wy, by)]
        self.shapes = [p.shape for p in (E, Wx, bh, Wy, by)]
        # one flat vector, so an update is one operation; E, Wx, ... are views into it
        self.flat = torch.from_numpy(np.concatenate([p.ravel() for p in (E, Wx, bh, Wy, by)]))
        self.flat = self.flat.float()
        self.grad = torch.zeros_like(self.flat)
        self.P, self.G = self._views(self.flat), self._views(self.grad)
        (V, d), (H, _) = E.shape, Wx.shape
        self.Vp = max(V, self.V_PAD)
        # buffers refilled every step; what is never refilled stays 0 (or -inf)
        self.E_blocks = torch.zeros(bs * V, bs * d)     # E on the diagonal, once per position
        self.table_bias = torch.zeros(bs * V, H)        # 2 bh on position 0's rows
        self.W2 = torch.zeros(self.Vp, H)               # 2 Wy; padding rows 0
        self.b2 = torch.full((self.Vp,), -math.inf)     # by - Wy 1; padding -inf
        self.W4T = torch.zeros(H, V)                    # 4 Wy^T
        self.linear = _linear(torch)

    def _views(self, flat):
        return [v.view(s) for v, s in zip(self.torch.split(flat, self.sizes), self.shapes)]

    def params(self):
        return {k: v.double().numpy().copy() for k, v in zip(PARAM_KEYS, self.P)}

    def batch(self, ctx, Wt):
        """What loss_and_grad reads for contexts ctx (n, bs) int64 and weights Wt (n, V),
        worked out once when the same batch comes back every step (the full batch)."""
        rows = ctx + self.torch.arange(self.bs) * self.shapes[0][0]       # (n, bs) table rows
        return {"rows": rows, "scatter": self.scatter(rows), **self.batch_weights(Wt)}

    def batch_weights(self, Wt):
        """The target weights' part of a batch: Wt (n, V) padded to (n, V_PAD), its row sums,
        and the cells that have a target (only they reach the loss)."""
        torch, V = self.torch, self.shapes[0][0]
        Wt = Wt.float()
        Wp = torch.nn.functional.pad(Wt, (0, self.Vp - V))                 # (n, Vp)
        nz = Wp.view(-1).nonzero().view(-1)
        return {"negWt": -Wp, "Wsum": Wt.sum(1, keepdim=True), "nz": nz,
                "Wnz": Wp.view(-1).index_select(0, nz)}

    def loss_and_grad(self, batch):
        """Mean loss (a 0-d tensor) of batch = self.batch(ctx, Wt); fills self.grad."""
        torch, bs = self.torch, self.bs
        E, Wx, bh, Wy, by = self.P
        gE, gWx, gbh, gWy, gby = self.G
        V, d = E.shape
        H = Wx.shape[0]
        # --- forward: position p of a context adds row c of table T[p] = E Wx_p^T to h_pre.
        # tanh(x) = 2 s(2x) - 1 with s the sigmoid (torch's float32 tanh is 5x slower here);
        # the 2s go into the small tables, and logits = h Wy^T + by = s (2 Wy)^T + by - Wy 1.
        for p in range(bs):
            self.E_blocks[p * V:(p + 1) * V, p * d:(p + 1) * d] = E
        self.table_bias[:V] = 2 * bh                # every context has one position 0
        T2 = torch.addmm(self.table_bias, self.E_blocks, Wx.T, alpha=2)      # (bs*V, H) 2T
        s = torch.nn.functional.embedding_bag(batch["rows"], T2,
                                              mode="sum").sigmoid_()          # (n, H) s(2 h_pre)
        torch.mul(Wy, 2, out=self.W2[:V])                                     # (Vp, H)
        torch.sub(by, Wy.sum(1), out=self.b2[:V])                             # (Vp,)
        probs = torch.softmax(self.linear(s, self.W2, self.b2), dim=1)       # (n, Vp)
        loss = -torch.dot(batch["Wnz"], probs.view(-1).index_select(0, batch["nz"]).log_())
        # --- backward, in place where it can be (a fresh (n, H) buffer costs page faults)
        grad_logits = torch.addcmul(batch["negWt"], probs, batch["Wsum"], out=probs)[:, :V]
        torch.sum(grad_logits, 0, out=gby)
        gl_s = self.linear(grad_logits.T, s.T)      # (V, H) grad_logits^T s
        torch.sub(gl_s.mul_(2), gby[:, None], out=gWy)   # grad_logits^T h with h = 2s - 1
        tanh_grad = s.addcmul_(s, s, value=-1)      # s(1 - s); tanh'(h_pre) = 1 - h^2 = 4 s(1 - s)
        torch.mul(Wy.T, 4, out=self.W4T)
        grad_h_pre = self.linear(grad_logits, self.W4T).mul_(tanh_grad)     # (n, H)
        gT = batch["scatter"] @ grad_h_pre          # (bs*V, H): each context's row into its rows
        torch.sum(gT[:V], 0, out=gbh)
        torch.mm(gT.T, self.E_blocks, out=gWx)                               # (H, bs*d)
        per_position = (gT @ Wx).view(bs, V, bs, d)  # only the blocks p = q are E's gradient
        torch.sum(per_position.diagonal(dim1=0, dim2=2), -1, out=gE)        # (V, d)
        return loss

    def scatter(self, rows):
        """Sparse (bs*V, n) matrix, 1 where context i reads table row rows[i, p] (= p*V +
        its p-th character)."""
        torch = self.torch
        n, bs = rows.shape
        V = self.shapes[0][0]
        rows = rows.reshape(-1)                                             # (n*bs,)
        order = torch.argsort(rows, stable=True)
        crow = torch.searchsorted(rows[order], torch.arange(bs * V + 1))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")         # "sparse CSR support is in beta state"
            return torch.sparse_csr_tensor(crow, order // bs, torch.ones(n * bs), (bs * V, n))


def _linear(torch):
    """linear(x, w, b=None) = x w^T + b. oneDNN's linear (the kernel torch.compile uses on CPU)
    is 1.2-2x faster than torch.addmm's MKL call at these skinny shapes (27 or 32 outputs) from
    about 2,000 contexts on (the full batch: 5,686), slower below (a minibatch of 32);
    torch.nn.functional.linear where torch is built without oneDNN."""
    op, plain = getattr(torch.ops.mkldnn, "_linear_pointwise", None), torch.nn.functional.linear
    if op is None or not torch.backends.mkldnn.is_available():
        return plain
    return lambda x, w, b=None: op(x, w, b, "none", [], "") if max(x.shape) >= 2048 else plain(x, w, b)


def notebook_loop(params, X, Y, steps, lr=NOTEBOOK_LR):
    """The notebook's training loop as written (torch float32, autograd, full batch): the
    reference for train_full_batch. Returns {"params", "losses"} (loss before each step)."""
    import torch
    import torch.nn.functional as F

    E, Wx, bh, Wy, by, bs = check_params(params)
    X, Y = _check_data(X, Y, E.shape[0], bs)
    X, Y = torch.from_numpy(X), torch.from_numpy(Y)
    params = [torch.tensor(p, dtype=torch.float32) for p in (E, Wx, bh, Wy, by)]
    E, Wx, bh, Wy, by = params
    for p in params:
        p.requires_grad = True
    losses = []
    for _ in range(check_whole(steps, 0, "steps")):
        # forward pass
        emb = E[X]  # (N, 3, 20)
        emb_cat = emb.view(X.shape[0], -1)  # (N, 60)
        h = torch.tanh(emb_cat @ Wx.T + bh)  # (N, 100)
        logits = h @ Wy.T + by  # (N, 27)
        loss = F.cross_entropy(logits, Y)
        # backward
        for p in params:
            p.grad = None
        loss.backward()
        # update (SGD)
        for p in params:
            p.data -= lr * p.grad
        losses.append(loss.item())
    return {"params": {k: p.detach().double().numpy() for k, p in zip(PARAM_KEYS, params)},
            "losses": np.array(losses)}


def train_full_batch(params, X, Y, steps, lr=NOTEBOOK_LR, callback=None):
    """The notebook's loop (full batch, plain SGD), fast: one forward/backward per distinct
    context, weighted by how often each next character follows it. torch float32 as the
    notebook, so the losses agree with notebook_loop to ~1e-6. `callback(step, steps, loss)`
    may return False to stop. Returns {"params", "losses"} (loss before each step)."""
    import torch

    model = _Torch32(params)
    V = model.shapes[0][0]
    X, Y = _check_data(X, Y, V, model.bs)
    steps, lr = check_whole(steps, 0, "steps"), check_lr(lr)
    g = group_contexts(X, Y, V)
    ctx = torch.from_numpy(g["contexts"])                              # (U, bs)
    batch = model.batch(ctx, torch.from_numpy(g["counts"] / len(Y)))  # weights sum to 1
    losses = []
    with _fast_floats(torch):
        for i in range(steps):
            loss = float(model.loss_and_grad(batch))
            model.flat.add_(model.grad, alpha=-lr)
            losses.append(loss)
            if not math.isfinite(loss):
                raise FloatingPointError("training diverged to NaN/inf; lower the learning rate")
            if callback is not None and callback(i + 1, steps, loss) is False:
                break
    return {"params": model.params(), "losses": np.array(losses)}


# Threads for training. 2 is fastest on an idle 2-core machine; when the cores are busy
# (other sessions, a test suite) torch's spinning OpenMP threads make 2 several times slower
# than 1, so a crowded server may prefer 1.
TRAIN_THREADS = 2


class _fast_floats:
    """TRAIN_THREADS threads and denormals flushed to zero while training: tiny probabilities
    (e^-90) otherwise slow float32 arithmetic down tenfold. Restores torch's defaults."""

    def __init__(self, torch):
        self.torch = torch

    def __enter__(self):
        self.threads = self.torch.get_num_threads()
        self.torch.set_num_threads(min(TRAIN_THREADS, self.threads))
        self.torch.set_flush_denormal(True)

    def __exit__(self, *exc):
        self.torch.set_flush_denormal(False)
        self.torch.set_num_threads(self.threads)


# --- sampling --------------------------------------------------------------------------------

def sample(params, n, seed, temperature=1.0, block_size=None, syms=SYMBOLS):
    """n names drawn as makemore does: start from '.'*block_size, draw the next character from
    softmax(logits / temperature), stop at '.' (or after MAX_SAMPLE_LEN characters).
    Reproducible: the draws come from numpy's default_rng(seed); float64 forward."""
    E, Wx, bh, Wy, by, bs = check_params(params)
    if block_size is not None and block_size != bs:
        raise ValueError(f"these parameters have a block size of {bs}, not {block_size}")
    if len(syms) != E.shape[0]:
        raise ValueError(f"the model has {E.shape[0]} symbols but {len(syms)} were given")
    n = check_whole(n, 0, "the number of names")
    try:
        temperature = float(temperature)
    except (TypeError, ValueError):
        raise ValueError("the temperature must be a number") from None
    if not (math.isfinite(temperature) and temperature > 0):
        raise ValueError("the temperature must be a finite number greater than 0")
    rng = np.random.default_rng(check_whole(seed, 0, "the random seed"))
    ctx = np.zeros((n, bs), dtype=np.int64)                  # (n, bs) all '.'
    out = np.zeros((n, MAX_SAMPLE_LEN), dtype=np.int64)      # 0 = '.' = ended
    alive = np.ones(n, dtype=bool)
    with np.errstate(over="ignore", under="ignore"):
        for t in range(MAX_SAMPLE_LEN):
            if not alive.any():
                break
            h = np.tanh(E[ctx].reshape(n, -1) @ Wx.T + bh)   # (n, H)
            z = (h @ Wy.T + by) / temperature                # (n, V)
            p = np.exp(z - z.max(axis=1, keepdims=True))
            cdf = np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)    # (n, V)
            ix = np.minimum((cdf < rng.random((n, 1))).sum(axis=1), E.shape[0] - 1)   # (n,)
            ix = np.where(alive, ix, 0)
            out[:, t] = ix
            alive &= ix != 0
            ctx = np.concatenate([ctx[:, 1:], ix[:, None]], axis=1)
    names = []
    for row in out:
        ends = np.flatnonzero(row == 0)
        names.append("".join(syms[i] for i in (row[:ends[0]] if len(ends) else row)))
    return names                                             # "" if '.' came first


# --- training on the train split -------------------------------------------------------------

def cosine_schedule(lr_max, lr_min):
    """step, steps -> lr: half a cosine from lr_max down to lr_min."""
    return lambda i, steps: lr_min + (lr_max - lr_min) * 0.5 * (1 + math.cos(math.pi * i / steps))


ADAM_BETAS = (0.9, 0.99)
# The class demo, measured on names.txt (train/dev split of seed 42, 2 cores; bench/char_mlp.py):
# every train row each step (batch_size None: the distinct contexts make a full batch cost
# about as much as a 2,000-row minibatch), Adam, cosine decay, L2 1e-4 -> dev 2.089 from
# init_params (2.096 from init_for_training) in 1,000 steps. Minibatches did worse in the same
# time: 32,768 rows 2.107-2.109; plain SGD, 256 rows, 60,000 steps (30 s) 2.120.
DEFAULT_TRAINING = dict(steps=1000, batch_size=None, lr_schedule=cosine_schedule(1e-2, 1e-4),
                        seed=42, optimizer="adam", weight_decay=1e-4)


def train_minibatch(params, splits, steps, batch_size, lr_schedule, seed, callback=None,
                    optimizer="sgd", momentum=0.0, weight_decay=0.0, eval_every=100):
    """Train on splits["train"], reporting splits["dev"]. Each step draws batch_size rows
    (with replacement, torch.Generator(seed); None = every row, the notebook's full batch),
    then takes one SGD (with momentum) or Adam step at lr_schedule(step, steps), with L2
    weight_decay. callback(step, steps, train_loss, dev_loss or None) -> False stops early,
    keeping the model so far; dev is measured every eval_every steps. torch float32.
    Returns {"params", "train_loss", "dev_loss" (float64, whole splits), "steps_done",
    "seconds", "history": {"step", "train", "dev"}}; train is the mean batch loss since the
    previous dev measurement."""
    import torch

    t0 = time.perf_counter()
    if optimizer not in ("sgd", "adam"):
        raise ValueError("optimizer must be 'sgd' or 'adam'")
    model = _Torch32(params)
    V = model.shapes[0][0]
    Xtr, Ytr = _check_data(*splits["train"], V, model.bs)
    Xdev, Ydev = _check_data(*splits["dev"], V, model.bs)
    steps = check_whole(steps, 1, "steps")
    B = None if batch_size is None else check_whole(batch_size, 1, "the batch size")
    eval_every = check_whole(eval_every, 1, "eval_every")
    g = group_contexts(Xtr, Ytr, V)
    U = len(g["contexts"])
    ctx_all = torch.from_numpy(g["contexts"])                              # (U, bs)
    cell = torch.from_numpy(g["row_context"] * V + Ytr)                    # (N,) (context, next)
    every_row = model.batch(ctx_all, torch.from_numpy(g["counts"] / len(Ytr)))  # grouped
    Xt, Yt = torch.from_numpy(Xtr), torch.from_numpy(Ytr)
    gd = group_contexts(Xdev, Ydev, V)
    dev_batch = model.batch(torch.from_numpy(gd["contexts"]),
                            torch.from_numpy(gd["counts"] / len(Ydev)))
    gen = torch.Generator().manual_seed(check_whole(seed, 0, "the random seed"))
    m, v = torch.zeros_like(model.flat), torch.zeros_like(model.flat)      # momentum, Adam's v
    history = {"step": [], "train": [], "dev": []}
    window, done = [], 0
    with _fast_floats(torch):
        for i in range(steps):
            if B is None:   # full batch: every row, counted per distinct context
                batch = every_row
            elif B < U:     # few rows: run them as they are, one-hot targets
                ix = torch.randint(0, len(Yt), (B,), generator=gen)       # (B,) rows
                batch = model.batch(Xt[ix], torch.nn.functional.one_hot(Yt[ix], V) / B)
            else:           # many rows: count them per distinct context, run each once
                ix = torch.randint(0, len(Yt), (B,), generator=gen)
                Wt = torch.bincount(cell[ix], minlength=U * V).view(U, V) / B   # (U, V)
                batch = {**every_row, **model.batch_weights(Wt)}
            loss = float(model.loss_and_grad(batch))
            if not math.isfinite(loss):
                raise FloatingPointError("training diverged to NaN/inf; lower the learning rate")
            grad = model.grad.add(model.flat, alpha=weight_decay) if weight_decay else model.grad
            lr = check_lr(lr_schedule(i, steps))
            if optimizer == "sgd":
                m.mul_(momentum).add_(grad)                # plain SGD when momentum = 0
                model.flat.add_(m, alpha=-lr)
            else:
                b1, b2 = ADAM_BETAS
                m.lerp_(grad, 1 - b1)
                v.mul_(b2).addcmul_(grad, grad, value=1 - b2)
                denom = (v / (1 - b2 ** (i + 1))).sqrt_().add_(1e-8)
                model.flat.addcdiv_(m, denom, value=-lr / (1 - b1 ** (i + 1)))
            done, window = i + 1, window + [loss]
            dev = None
            if done % eval_every == 0 or done == steps:
                dev = float(model.loss_and_grad(dev_batch))  # grad unused
                history["step"].append(done)
                history["train"].append(float(np.mean(window)))
                history["dev"].append(dev)
            if callback is not None and callback(done, steps, float(np.mean(window)), dev) is False:
                break
            if dev is not None:
                window = []
    P = model.params()
    return {"params": P, "train_loss": full_batch_loss(P, Xtr, Ytr),
            "dev_loss": full_batch_loss(P, Xdev, Ydev), "steps_done": done,
            "seconds": time.perf_counter() - t0, "history": history}


# --- the page's training run -----------------------------------------------------------------

TRAINING_MODES = ("train/dev", "full batch")
FULL_BATCH_LRS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0)  # the page's slider
TRAINING_TEXT = (
    "**train/dev** (the default): the names are split 80/10/10 into train, dev and test as "
    "makemore does; from the notebook's own initialisation the model takes `steps` Adam steps "
    "on every training row (grouped by context, so a step is cheap), with weight decay 1e-4 "
    "and a falling learning rate; the dev loss is measured on names it never trained on. **Full batch**: the "
    "notebook's own loop, plain SGD on every row at once from its initialisation, at the "
    "learning rate given. Any click stops the run and keeps the model trained so far.")


def train_for_class(source, mode, steps, lr, callback=None, names=None):
    """The page's run: names from `source` (None / '' the built-in list, bytes, a path or a
    URL: core.names_data.load_names), then Adam on the train split (DEFAULT_TRAINING, `steps` steps) or the
    notebook's full-batch loop (`steps` steps at `lr`). callback(step, steps, loss, dev) may
    return False to stop. Returns {"losses" (each step's), "params", "names", "dev_loss",
    "rejected", "dev_curve": [(step, dev loss)]}."""
    from core import names_data as nd
    loaded = names if names is not None else nd.load_names(None if source is None or source == "" else source)
    if mode not in TRAINING_MODES:
        raise ValueError("the mode must be 'train/dev' or 'full batch'")
    steps = check_whole(steps, 1, "the number of steps")
    if steps > 20_000:
        raise ValueError("at most 20,000 steps (a class cannot wait longer)")
    syms = nd.symbols(loaded.names)
    if tuple(syms) != SYMBOLS:
        raise ValueError("this lesson's model has the 27 symbols '.' and a-z; the list uses "
                         f"{len(syms)}")
    if mode == "full batch":
        X, Y = nd.build_dataset(loaded.names, 3)
        out = train_full_batch(init_params(), X, Y, steps, lr, callback and (
            lambda i, n, loss: callback(i, n, loss, None)))
        return {"losses": out["losses"], "params": out["params"], "names": loaded.names,
                "dev_loss": None, "rejected": loaded.rejected, "dev_curve": []}
    settings, losses = {**DEFAULT_TRAINING, "steps": steps}, []

    def report(i, n, loss, dev):              # every step's (running mean) training loss
        losses.append(loss)
        return callback(i, n, loss, dev) if callback else None
    out = train_minibatch(init_params(), nd.split_dataset(loaded.names, 3, seed=42),
                          callback=report, **settings)
    return {"losses": np.array(losses), "params": out["params"], "names": loaded.names,
            "dev_loss": out["dev_loss"], "rejected": loaded.rejected,
            "dev_curve": list(zip(out["history"]["step"], out["history"]["dev"]))}


trace_step, torch_trace_step = step, torch_step  # the framework's names for the step and twin

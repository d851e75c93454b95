"""Small pieces every lesson model shares: the Trace type, softmax, one-hots."""
import unicodedata

import numpy as np

Trace = dict  # ordered mapping: stage name -> np.ndarray | float

# exp() overflows float64 above ~709; below this bound the plain formula is exact enough
# and matches the hand calculations, so we only shift by the max when we must.
SHIFT_ABOVE = 50.0


def needs_shift(logits):
    """True when e^logits must be computed as e^(logits - max) to stay finite."""
    return bool(np.max(np.abs(logits)) > SHIFT_ABOVE)


def softmax_parts(logits):
    """(exp, sum_exp, probs) of a logit vector, shifted by its max only when needed."""
    z = np.asarray(logits, dtype=np.float64)
    exp = np.exp(z - z.max()) if needs_shift(z) else np.exp(z)  # (V,)
    sum_exp = float(exp.sum())
    return exp, sum_exp, exp / sum_exp


def one_hot(index, size):
    """A float64 vector of zeros with a 1 at index."""
    y = np.zeros(size)
    y[index] = 1.0
    return y


def as_float_array(values, shape=None, name="value"):
    """float64 copy of values; ValueError with a readable message if not finite/right shape."""
    try:
        arr = np.array(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must contain only numbers") from None
    if shape is not None and arr.shape != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)}, got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinity")
    return arr


def max_diffs(trace, other):
    """Largest absolute difference per key between two Traces with the same keys."""
    return {k: float(np.max(np.abs(np.asarray(trace[k], dtype=np.float64) -
                                   np.asarray(other[k], dtype=np.float64)))) for k in trace}


def check_whole(n, least, what):
    """n as an int; ValueError unless it is a whole number (not a bool) of at least `least`."""
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) or n < least:
        raise ValueError(f"{what} must be a whole number of at least {least}, got {n!r}")
    return int(n)


def check_index(i, size, what, unit="word"):
    """i as an int; ValueError unless it is a whole number in 0..size-1 (an index of a
    `unit`: a word, a character...)."""
    if isinstance(i, (bool, np.bool_)) or not isinstance(i, (int, np.integer)):
        raise ValueError(f"the {what} must be given as {unit} indices (whole numbers), got {i!r}")
    if not 0 <= i < size:
        raise ValueError(f"{unit} indices must be between 0 and {size - 1}; the {what} has {i}")
    return int(i)


LR_MIN, LR_MAX = 1e-12, 1e6  # one range for typed and linked learning rates


def check_lr(lr):
    """The learning rate as a float; ValueError unless it is a finite number > 0 (and, for
    the lessons, within LR_MIN..LR_MAX: see check_lesson_lr)."""
    try:
        lr = float(lr)
    except (TypeError, ValueError):
        raise ValueError("the learning rate must be a number") from None
    if not np.isfinite(lr) or lr <= 0:
        raise ValueError("the learning rate must be a finite number greater than 0")
    return lr


def check_lesson_lr(lr):
    """check_lr, and within the range every lesson and link accepts."""
    lr = check_lr(lr)
    if not LR_MIN <= lr <= LR_MAX:
        raise ValueError(f"the learning rate must be between {LR_MIN:g} and {LR_MAX:g}")
    return lr


def check_finite(trace, hint="try smaller weights or a smaller learning rate"):
    """The trace itself; FloatingPointError naming the stages that overflowed to NaN/inf."""
    bad = [k for k, v in trace.items() if not np.all(np.isfinite(v))]
    if bad:
        raise FloatingPointError(f"the step overflowed: {', '.join(bad)} not finite; {hint}")
    return trace


def check_table(E, name="E", min_rows=2):
    """float64 copy of a (V, d) table with V >= min_rows rows and d >= 1 columns."""
    E = as_float_array(E, name=name)
    if E.ndim != 2 or E.shape[0] < min_rows or E.shape[1] < 1:
        raise ValueError(f"{name} must be a (V, d) table with V >= {min_rows} words and d >= 1")
    return E


# --- user text -------------------------------------------------------------------------------

# Bidirectional controls (LRE..RLO, LRI..PDI, LRM, RLM, ALM) would mirror the app's own text
# around a word; they are removed. Other format characters (zero-width space, joiners, BOM)
# are kept inside a word, but a word made only of them is refused.
_BIDI = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
                               "\u200e\u200f\u061c"))


def strip_bidi(text):
    """text without bidirectional control characters."""
    return str(text).translate(_BIDI)


def visible(word):
    """True when the word has a character that is not a space, control or format mark."""
    return any(not ch.isspace() and unicodedata.category(ch) not in ("Cf", "Cc", "Mn", "Me")
               for ch in str(word))


def clean_word(word, max_len=30):
    """A typed word without bidi controls and surrounding spaces; ValueError when it is
    invisible (only zero-width or format characters) or too long."""
    w = strip_bidi(word).strip()
    if not visible(w):
        raise ValueError("a word is made only of invisible characters (zero-width or format "
                         "marks); type a visible word")
    if len(w) > max_len:
        raise ValueError(f"a word is longer than {max_len} characters")
    return w


def parse_words(text, least=2, most=12, max_text=1000, sep=","):
    """Words separated by `sep` (None: whitespace), each cleaned; ValueError unless there are
    `least` to `most` different words."""
    text = str(text)
    if len(text) > max_text:
        raise ValueError(f"the text is too long ({len(text):,} characters; at most "
                         f"{max_text:,})")
    words = [clean_word(w) for w in strip_bidi(text).split(sep) if w.strip()]
    if not least <= len(words) <= most:
        raise ValueError(f"give {least} to {most} words separated by "
                         f"{'commas' if sep == ',' else 'spaces'}")
    if len(set(words)) != len(words):
        raise ValueError("a word is repeated")
    return words


def parse_word_list(text, vocab, least=1, most=10, repeats=True):
    """Comma-separated words of `vocab` -> their indices (order kept); ValueError naming the
    first unknown word."""
    words = [clean_word(w) for w in strip_bidi(text).split(",") if w.strip()]
    unknown = [w for w in words if w not in vocab]
    if unknown:
        raise ValueError(f"“{unknown[0]}” is not in the vocabulary")
    if not least <= len(words) <= most:
        raise ValueError(f"give {least} to {most} words of the vocabulary")
    if not repeats and len(set(words)) != len(words):
        raise ValueError("a word is repeated")
    return tuple(list(vocab).index(w) for w in words)


def parse_pairs(text, vocab, max_text=10_000):
    """'dog park, cat park' (or dog → park) -> ((center, target), ...) word indices."""
    text = strip_bidi(text)
    if len(text) > max_text:
        raise ValueError(f"the training pairs are too long ({len(text):,} characters; at "
                         f"most {max_text:,})")
    pairs = []
    for item in text.split(","):
        parts = item.replace("→", " ").replace("->", " ").split()
        if not parts:
            continue
        if len(parts) != 2 or any(p not in vocab for p in parts):
            raise ValueError("each pair must be two vocabulary words, e.g. 'dog park'")
        pairs.append((list(vocab).index(parts[0]), list(vocab).index(parts[1])))
    if not pairs:
        raise ValueError("give at least one training pair")
    return tuple(pairs)


def lesson_interface(step, twin, example_keys, param_keys=("E", "W", "b")):
    """(trace_step, torch_trace_step, next_params) of a model whose step and torch twin take
    the parameters, then the example's values, then lr, as positional arguments."""
    def call(fn):
        def lesson_step(params, example, lr):
            return fn(*(params[k] for k in param_keys), *(example[k] for k in example_keys), lr)
        lesson_step.__doc__ = f"{fn.__name__} on params {param_keys}, example {example_keys}."
        return lesson_step

    def next_params(params, trace):
        """The parameters the next step starts from."""
        return {k: trace[f"{k}_new"] for k in param_keys}
    return call(step), call(twin), next_params


def torch_model(make, weights):
    """A float64 torch module built by make() without moving torch's global RNG (its random
    init is thrown away), then given these weights: {parameter name: numpy array}."""
    import torch

    with torch.random.fork_rng(devices=[]):
        model = make().double()
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.copy_(torch.from_numpy(weights[name]))
    return model


def torch_trace(out, optimizer, model, new, keys):
    """The twin's Trace in the order of keys: out {key: tensor} as numpy (read before the
    step), then optimizer.step(), then new {key: parameter name} read from the stepped model."""
    out = {k: v.detach().numpy().copy() if v.ndim else float(v.detach()) for k, v in out.items()}
    optimizer.step()
    params = dict(model.named_parameters())
    out.update({k: params[name].detach().numpy().copy() for k, name in new.items()})
    return Trace((k, out[k]) for k in keys)

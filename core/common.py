"""Small pieces every lesson model shares: the Trace type, softmax, one-hots."""
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


def check_index(i, size, what):
    """i as an int; ValueError unless it is a whole number in 0..size-1."""
    if isinstance(i, (bool, np.bool_)) or not isinstance(i, (int, np.integer)):
        raise ValueError(f"the {what} must be given as word indices (whole numbers), got {i!r}")
    if not 0 <= i < size:
        raise ValueError(f"word indices must be between 0 and {size - 1}; the {what} has {i}")
    return int(i)


def check_lr(lr):
    """The learning rate as a float; ValueError unless it is a finite number > 0."""
    try:
        lr = float(lr)
    except (TypeError, ValueError):
        raise ValueError("the learning rate must be a number") from None
    if not np.isfinite(lr) or lr <= 0:
        raise ValueError("the learning rate must be a finite number greater than 0")
    return lr


def check_finite(trace, hint="try smaller weights or a smaller learning rate"):
    """The trace itself; FloatingPointError naming the stages that overflowed to NaN/inf."""
    bad = [k for k, v in trace.items() if not np.all(np.isfinite(v))]
    if bad:
        raise FloatingPointError(f"the step overflowed: {', '.join(bad)} not finite; {hint}")
    return trace

"""The tiny word2vec README's printed numbers, and where they are off.

A printed value with d decimals is "explained by rounding" when it is within half a unit of
its last digit of the exact value, plus the error carried in from the rounded numbers the
README itself used to compute it (each of its inputs is off by up to half its own last digit).
Anything further away is a slip; we say whether the README's own inputs give the printed
value (the slip was carried in) or not (an arithmetic slip at that line).
"""
import functools

import numpy as np

from core.tiny_word2vec import (README_CENTER, README_LR, README_PARAMS, README_TARGET,
                                VOCAB)

SOURCE = "the tiny word2vec README"
MISTAKES = ()
NOTES = (
    "The README's hand calculation rounds every intermediate number to 4 decimals and carries "
    "the rounded value into the next line, so small differences are expected; the table at "
    "each stage says which printed values are off by more than that rounding explains, and "
    "whether the slip was carried in from an earlier line or made at that line.",
    "The README does not list its training pairs; here dog → park and cat → park.",
)

# key -> (printed values, decimals printed). E_new is only printed for the "dog" row.
README_PRINTED = {
    "logits": ([-0.3271, -0.9445, -0.4482], 4),
    "exp": ([0.7211, 0.3893, 0.6391], 4),
    "sum_exp": (1.7495, 4),
    "probs": ([0.4121, 0.2225, 0.3654], 4),
    "loss": (1.007, 3),
    "grad_logits": ([0.4121, 0.2225, -0.6346], 4),
    "grad_W": ([[-0.4094, -0.1918], [-0.2211, -0.1034], [0.6305, 0.2950]], 4),
    "grad_v": ([-0.1632, 0.0334], 4),
    "E_new[dog]": ([-0.97738, -0.46814], 5),
    "W_new": ([[-0.30696, 0.38768], [0.43621, -0.09846], [0.11355, 0.11880]], 5),
    "b_new": ([-0.54291, -0.60545, -0.14024], 5),
}
# Which printed numbers the README used for each line (the chain of its hand calculation).
README_INPUTS = {"logits": (), "exp": ("logits",), "sum_exp": ("exp",),
                 "probs": ("exp", "sum_exp"), "loss": ("probs",), "grad_logits": ("probs",),
                 "grad_W": ("grad_logits",), "grad_v": ("grad_logits",),
                 "E_new[dog]": ("grad_v",), "W_new": ("grad_W",), "b_new": ("grad_logits",)}


def _readme_line(key, vals):
    """Recompute `key` with the README's formula from the numbers in `vals` (exact params)."""
    E, W, b = README_PARAMS["E"], README_PARAMS["W"], README_PARAMS["b"]
    v, t, lr = E[README_CENTER], README_TARGET, README_LR
    y = np.eye(len(b))[t]
    return {
        "logits": lambda: v @ W.T + b,
        "exp": lambda: np.exp(vals["logits"]),
        "sum_exp": lambda: np.sum(vals["exp"]),
        "probs": lambda: vals["exp"] / vals["sum_exp"],
        "loss": lambda: -np.log(vals["probs"][t]),
        "grad_logits": lambda: vals["probs"] - y,
        "grad_W": lambda: np.outer(vals["grad_logits"], v),
        "grad_v": lambda: vals["grad_logits"] @ W,
        "E_new[dog]": lambda: v - lr * vals["grad_v"],
        "W_new": lambda: W - lr * vals["grad_W"],
        "b_new": lambda: b - lr * vals["grad_logits"],
    }[key]()


def printed_arrays():
    """README_PRINTED as float64 arrays."""
    return {k: np.array(v, dtype=np.float64) for k, (v, _) in README_PRINTED.items()}


def carried_error(key, printed=None):
    """Bound (per element) on the error carried into `key` from its rounded printed inputs
    (the README's own printed values unless `printed` is given)."""
    if printed is None:
        return _readme_carried_error(key).copy()
    bound = np.zeros_like(printed[key])
    base = _readme_line(key, printed)
    for src in README_INPUTS[key]:
        half = 0.5 * 10.0 ** -README_PRINTED[src][1]
        for idx in np.ndindex(printed[src].shape):
            moved = {k: a.copy() for k, a in printed.items()}
            moved[src][idx] += half
            bound = bound + np.abs(_readme_line(key, moved) - base)  # linear: one-sided step
    return bound


@functools.lru_cache(maxsize=None)
def _readme_carried_error(key):
    """carried_error of the README's printed values: fixed, so worked out once (it perturbs
    every printed input in turn, which took a tenth of a page's time)."""
    return carried_error(key, printed_arrays())


def exact_value(key, trace):
    """Our exact value for a README key, read from a sgd_step Trace."""
    if key == "E_new[dog]":
        return np.asarray(trace["E_new"][README_CENTER])
    return np.asarray(trace[key], dtype=np.float64)


def is_own_example(info, params, example, lr):
    """True for the README's own step: dog → park, α = 0.1, its printed weights."""
    return (list(info.get("words", ())) == list(VOCAB) and example["center"] == README_CENTER
            and example["target"] == README_TARGET and lr == README_LR
            and all(np.array_equal(params[k], README_PARAMS[k]) for k in ("E", "W", "b")))


def compare(trace):
    """Rows (key, index, printed, exact, diff, tolerance, off, reason) for every printed value,
    keyed and indexed as the Trace (the README prints only the dog row of E_new)."""
    printed = printed_arrays()
    rows = []
    for key, (_, decimals) in README_PRINTED.items():
        half = 0.5 * 10.0 ** -decimals
        tol = half + carried_error(key)
        exact = exact_value(key, trace)
        own = _readme_line(key, printed)
        for idx in np.ndindex(printed[key].shape):
            p, x = float(printed[key][idx]), float(exact[idx])
            off = abs(p - x) > float(np.broadcast_to(tol, printed[key].shape)[idx]) + 1e-12
            reason = ""
            if off:
                own_x = float(np.broadcast_to(own, printed[key].shape)[idx])
                if abs(p - own_x) <= half + 1e-12:
                    reason = (f"carried in: the README's own printed {', '.join(README_INPUTS[key])} "
                              f"give {own_x:.{decimals + 2}f}, but they are themselves off")
                else:
                    reason = (f"arithmetic slip: even from the README's own numbers this line "
                              f"is {own_x:.{decimals + 2}f}")
            tkey, tidx = ("E_new", (README_CENTER,) + idx) if key == "E_new[dog]" else (key, idx)
            rows.append({"key": tkey, "index": tidx, "printed": p, "decimals": decimals,
                         "exact": x, "diff": p - x,
                         "tolerance": float(np.broadcast_to(tol, printed[key].shape)[idx]),
                         "off": off, "reason": reason})
    return rows


def hand_check_values():
    """{key: (values, decimals, carried)} for "Load the README's printed values"."""
    return as_trace_keys()


def as_trace_keys():
    """The README's printed values and carried-error bounds under sgd_step's key names:
    {key: (values, decimals, carried)}. E_new is E with the printed dog row; grad_b is the
    printed grad_logits (the README: "update the bias using the same formula")."""
    printed = printed_arrays()
    out = {k: (printed[k], README_PRINTED[k][1], carried_error(k))
           for k in README_PRINTED if k != "E_new[dog]"}
    out["grad_b"] = out["grad_logits"]
    E = README_PARAMS["E"].copy()
    carried = np.zeros_like(E)
    E[README_CENTER] = printed["E_new[dog]"]
    carried[README_CENTER] = carried_error("E_new[dog]")
    out["E_new"] = (E, README_PRINTED["E_new[dog]"][1], carried)
    return out

"""What if, and the learning-rate lens: the same step computed again under another setting,
and the loss after the step over a range of learning rates. No Streamlit calls.

Every number here comes from the lesson's core (`trace_step`, `next_params`) through
ui.cached.step, the same call the page makes, so a test can recompute each one.
"""
import dataclasses
import math
from typing import NamedTuple

import numpy as np

from core.common import LR_MAX, LR_MIN, check_lesson_lr, strip_bidi
from ui import cached

MAX_TEXT = 200
LENS_POINTS = (2, 400)     # points on the curve
LENS_STEPS = (1, 100)      # the repeated steps


# --- what if ---------------------------------------------------------------------------------

class Diff(NamedTuple):
    key: str
    shape: tuple
    diff: object          # b - a (array), None when the shapes differ
    largest: float        # max |b - a| (nan when the shapes differ)
    mask: object          # entries that differ (b != a)

    @property
    def n_differ(self):
        return 0 if self.mask is None else int(np.count_nonzero(self.mask))

    @property
    def size(self):
        return int(np.prod(self.shape))


def trace_diff(a, b):
    """Per Trace key of `a`: b − a, its largest |entry| and the entries that differ."""
    out = []
    for key in a:
        x = np.asarray(a[key], dtype=np.float64)
        y = np.asarray(b[key], dtype=np.float64) if key in b else None
        if y is None or x.shape != y.shape:
            out.append(Diff(key, x.shape, None, math.nan, None))
            continue
        d = y - x
        out.append(Diff(key, x.shape, d, float(np.max(np.abs(d))) if d.size else 0.0, y != x))
    return out


def replay(L, settings, model, seed):
    """The parameters this step would start from had the lesson begun at `seed`: fresh
    weights, then the same steps (examples and rates) as the model's log."""
    core = cached.core(L.model)
    params = L.fresh(settings, int(seed), model["start"])
    for example, lr in model["log"]:
        params = core.next_params(params, cached.step(L.model, params, example, lr))
    return params


def parse_setting(L, name, text, settings):
    """A typed value for setting `name`: read as the lesson's link reads it (words for word
    settings...) or as the kind of value the setting holds. ValueError when unusable."""
    if name not in L.settings:
        raise ValueError(f"the lesson has no setting “{name[:30]}”")
    text = strip_bidi(str(text)).strip()
    if len(text) > MAX_TEXT:
        raise ValueError(f"too long ({len(text):,} characters; at most {MAX_TEXT})")
    if not text:
        raise ValueError("type a value")
    link = next((p for p in L.url.values() if p.setting == name), None)
    link_error = None
    if link is not None:
        try:
            return link.parse(text, settings)
        except ValueError as err:
            link_error = err
    current = settings[name]
    try:
        if isinstance(current, bool):
            if text.lower() not in ("true", "false", "yes", "no", "1", "0"):
                raise ValueError("type true or false")
            return text.lower() in ("true", "yes", "1")
        if isinstance(current, (int, np.integer)):
            try:
                return int(text)
            except ValueError:
                raise ValueError("not a whole number") from None
        if isinstance(current, (float, np.floating)):
            try:
                x = float(text)
            except ValueError:
                raise ValueError("not a number") from None
            if not math.isfinite(x):
                raise ValueError("not a finite number")
            return x
        if isinstance(current, str):
            return text
    except ValueError as err:
        raise (link_error or err) from None
    raise link_error or ValueError("this setting cannot be typed here")


def what_if(L, ctx, change):
    """(Example, Trace) of this step under `change`: ("lr", rate), ("seed", seed, model) or
    ("setting", name, value). ValueError / FloatingPointError when it cannot be computed."""
    kind = change[0]
    if kind == "lr":
        ex = dataclasses.replace(ctx.ex, lr=check_lesson_lr(change[1]))
    elif kind == "seed":
        model = change[2]
        if model["steps"] != ctx.steps:
            raise ValueError("the step shown is not the lesson's current step")
        ex = L.read(ctx.settings, replay(L, ctx.settings, model, change[1]))
    elif kind == "setting":
        name, value = change[1], change[2]
        settings = {**ctx.settings, name: value}
        if L.shape(settings) != L.shape(ctx.settings):
            raise ValueError(f"{name} = {value!s:.30} changes the size of the model, so the "
                             "same weights cannot be used and the two steps cannot be compared "
                             "entry by entry")
        ex = L.read(settings, ctx.params)
    else:
        raise ValueError(f"unknown change {kind!r}")
    check_lesson_lr(ex.lr)
    return ex, cached.step(L.model, ex.params, ex.example, ex.lr)


# --- the learning-rate lens ----------------------------------------------------------------------

def parse_rate(text, what):
    """A typed learning rate; `what` names it in the messages ("the start of the range")."""
    text = strip_bidi(str(text)).strip()
    if not text:
        raise ValueError(f"{what} is empty")
    if len(text) > 40:
        raise ValueError(f"{what} is too long")
    try:
        x = float(text)
    except ValueError:
        raise ValueError(f"{what}, “{text}”, is not a number") from None
    if not math.isfinite(x):
        raise ValueError(f"{what} is not a finite number")
    if not LR_MIN <= x <= LR_MAX:
        raise ValueError(f"{what} must be a learning rate from {LR_MIN:g} to {LR_MAX:g}")
    return x


def lr_range(lo, hi, points):
    """`points` learning rates spaced evenly on a log scale from lo to hi (both included);
    ValueError for an empty, reversed or non-finite range."""
    for x, what in ((lo, "start"), (hi, "end")):
        if not isinstance(x, (int, float, np.floating)) or not math.isfinite(x):
            raise ValueError(f"the {what} of the range is not a finite number")
        if not LR_MIN <= x <= LR_MAX:
            raise ValueError(f"the {what} of the range must be a learning rate from {LR_MIN:g} "
                             f"to {LR_MAX:g}")
    if lo == hi:
        raise ValueError("the range is empty: its start and end are the same rate")
    if lo > hi:
        raise ValueError(f"the range is reversed: it starts at {lo:g}, above its end {hi:g}")
    if isinstance(points, bool) or not isinstance(points, (int, np.integer)) or \
            not LENS_POINTS[0] <= points <= LENS_POINTS[1]:
        raise ValueError(f"the number of points must be a whole number from {LENS_POINTS[0]} "
                         f"to {LENS_POINTS[1]}")
    rates = np.geomspace(lo, hi, int(points))
    rates[0], rates[-1] = lo, hi
    return rates


def loss_at(L_model, params, example, lr):
    """The loss of `example` with these parameters (the forward pass: the same for any rate;
    if this rate's update overflows, it is read from a step with the smallest rate)."""
    try:
        return float(cached.step(L_model, params, example, lr)["loss"])
    except FloatingPointError:
        return float(cached.step(L_model, params, example, LR_MIN)["loss"])


def loss_after(L_model, params, example, lr, k=1):
    """The loss of the same example after k steps at rate lr (nan when a step diverges)."""
    return lens_point(L_model, params, example, lr, k)[1]


def lens_point(L_model, params, example, lr, k):
    """(loss after 1 step, loss after k steps) at rate lr; nan where a step is not finite."""
    core = cached.core(L_model)
    p, one, after = params, math.nan, math.nan
    for j in range(1, k + 1):
        try:
            p = core.next_params(p, cached.step(L_model, p, example, lr))
            loss = loss_at(L_model, p, example, lr)
        except (ValueError, FloatingPointError, OverflowError):
            break
        if not math.isfinite(loss):
            break
        if j == 1:
            one = loss
        if j == k:
            after = loss
    return one, after


def lens(L_model, params, example, rates, k):
    """{"lr", "one", "k"}: the loss after one step and after k steps at each rate."""
    k = int(k)
    if not LENS_STEPS[0] <= k <= LENS_STEPS[1]:
        raise ValueError(f"the number of steps must be from {LENS_STEPS[0]} to {LENS_STEPS[1]}")
    points = [lens_point(L_model, params, example, float(lr), k) for lr in rates]
    return {"lr": np.asarray(rates, dtype=np.float64),
            "one": np.array([p[0] for p in points]), "k": np.array([p[1] for p in points])}


def lens_summary(rates, losses, before):
    """The best rate, the first that overshoots (loss after > loss before), the first where
    the step diverges, and how many points were dropped (not finite)."""
    rates, losses = np.asarray(rates, dtype=np.float64), np.asarray(losses, dtype=np.float64)
    finite = np.isfinite(losses)
    out = {"best": None, "best_loss": None, "overshoot": None, "diverged": None,
           "dropped": int(np.count_nonzero(~finite))}
    if finite.any():
        i = int(np.nanargmin(np.where(finite, losses, np.inf)))
        out["best"], out["best_loss"] = float(rates[i]), float(losses[i])
    over = np.flatnonzero(finite & (losses > before))
    if over.size:
        out["overshoot"] = float(rates[over[0]])
    if (~finite).any():
        out["diverged"] = float(rates[np.flatnonzero(~finite)[0]])
    return out

"""The training panel every lesson shares: its settings, a Train button, a progress bar with
Stop, the loss curve drawn as it goes, and the numbers behind every chart.

A lesson describes its training with `Training`; `panel` draws it. A run that is stopped
(any click during the run: Streamlit interrupts the script) keeps what was trained so far.
"""
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException

from ui import charts, locks
from ui.format import md_text
from ui.tables import matrix_table, records_table


DRAW_EVERY = 0.25     # seconds between redraws of a run's progress bar and live curve
HANDOVER_WAIT = 10.0  # seconds a run waits for the run a click stopped to hand its model over


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    default: object
    help: str = ""
    lo: float = None          # numbers: the range (checked by the run, with a message)
    hi: float = None
    options: tuple = ()       # a choice: a slider over numbers, radio buttons over words


@dataclass(frozen=True)
class Training:
    title: str
    text: Callable                     # (ctx) -> Markdown under the title
    fields: tuple                      # Field, one widget each (text when default is a str)
    run: Callable                      # (ctx, values, progress) -> result {"losses", ...}
    charts: Callable = None            # (ctx, result) -> draws charts beside the curve
    numbers: Callable = None           # (ctx, result) -> draws tables under "the numbers"
    curve_title: str = "loss per epoch"
    extra: Callable = None             # (ctx, result) -> anything drawn after (neighbours...)
    steps_name: str = "epoch"


@dataclass
class Progress:
    """What a run reports to: the bar and the live curve; stop() is True once the user has
    clicked anything (the run then returns what it has)."""
    bar: object
    curve: object
    curve_title: str
    losses: list = field(default_factory=list)
    dev: list = field(default_factory=list)
    interrupted: object = None
    drawn: float = 0.0        # when the bar and curve were last drawn (time.monotonic)

    def step(self, done, total, loss, dev=None, text=None):
        """A run's callback after a step: keeps the loss (and the held-out loss, when given)
        and draws them; False once the user has clicked (the run stops)."""
        self.losses.append(loss)
        if dev is not None:
            self.dev.append((done, dev))
        return self(done / total, text or f"step {done} of {total}", self.losses, self.dev)

    def __call__(self, fraction, text, losses=None, dev=None):
        """dev: [(step, loss)] on held-out data, drawn as a second line."""
        if self.interrupted is not None:
            return False
        if fraction < 1 and time.monotonic() - self.drawn < DRAW_EVERY:
            return True                 # drawing every step would cost more than training
        self.drawn = time.monotonic()
        try:
            self.bar.progress(min(max(float(fraction), 0.0), 1.0), text=text)
            if losses is not None and len(losses):
                charts.loss_curve(losses, self.curve_title, placeholder=self.curve, dev=dev)
        except ScriptControlException as stop:  # a click during the run: stop, keep the model
            self.interrupted = stop
            return False
        return True


def fields(specs, defaults):
    """Fields from (name, label, least, most) rows, each defaulting to defaults[name]."""
    return tuple(Field(name, label, defaults[name], lo=lo, hi=hi) for name, label, lo, hi in specs)


def pca_views(vectors, labels, title):
    """(charts, numbers) for a Training whose result holds vectors: vectors(result) (n, d)
    projected to 2-D by PCA, a scatter labelled by labels(result), and the plotted numbers."""
    from core.cbow_mlp import pca_2d

    def scatter(ctx, result):
        charts.word_scatter(pca_2d(vectors(result)), labels(result), title)

    def numbers(ctx, result):
        matrix_table(pca_2d(vectors(result)), ctx.decimals, labels(result), ["x", "y"],
                     name="plotted")
    return scatter, numbers


def neighbours(find, n=8):
    """An `extra` for a Training whose result holds word vectors and "vocab": pick a word and
    see its n nearest words; find(result, word, n) -> [(word, cosine)], best first."""
    def extra(ctx, result):
        word = st.selectbox("Neighbours of", result["vocab"], key=ctx.lesson.key("nb_word"))
        records_table([{"word": w, "cosine": float(x)} for w, x in find(result, word, n)],
                      ctx.decimals)
    return extra


def _values(L, T):
    """The fields' values, numbers of their default's type (int or float); ValueError naming
    a number outside its field's range."""
    values = {f.name: st.session_state[L.key(f"train_{f.name}")] for f in T.fields}
    for f in T.fields:
        x = values[f.name]
        whole = isinstance(f.default, int)
        if f.lo is not None and not (f.lo <= x <= f.hi and (not whole or x == int(x))):
            kind = "a whole number" if whole else "a number"
            raise ValueError(f"{f.label} must be {kind} from {f.lo:g} to {f.hi:g} (it is {x:g})")
        if isinstance(f.default, (int, float)):
            values[f.name] = type(f.default)(x)
    return values


def panel(L, ctx, T):
    """Draw the training panel of lesson L for this step."""
    s = st.session_state
    st.header(T.title)
    st.markdown(T.text(ctx))
    cols = st.columns([3] * len(T.fields) + [2], vertical_alignment="bottom")
    for col, f in zip(cols, T.fields):
        k = L.key(f"train_{f.name}")
        s.setdefault(k, f.default)
        if f.options and isinstance(f.default, str):
            col.radio(f.label, f.options, key=k, help=f.help or None, horizontal=True)
        elif f.options:
            col.select_slider(f.label, f.options, key=k, help=f.help or None)
        elif isinstance(f.default, str):
            col.text_input(f.label, key=k, help=f.help or None)
        else:
            # No min / max on the widget: out-of-range values reach the run and its message.
            col.number_input(f.label, key=k, help=f.help or None,
                             step=1 if isinstance(f.default, int) else None,
                             format=None if isinstance(f.default, int) else "%g")
    clicked = cols[-1].button("Train", key=L.key("train"), type="primary", width="stretch",
                              disabled=locks.locked(L, "train"),
                              help=locks.LOCK_HELP if locks.locked(L, "train") else None)
    st.caption("Any click while it trains stops it; the model trained so far is kept.")
    curve_box, side_box = st.columns(2)
    curve = curve_box.empty()
    # A click during a run stops it and starts a new run at once (Streamlit's fast reruns);
    # the stopped run can no longer write st.session_state (each write is a stop point), so
    # it hands its model over in this dict, and the new run waits for it here.
    handover = s.setdefault(L.key("handover"), {})
    if "running" in handover and handover["running"].wait(HANDOVER_WAIT):
        del handover["running"]
    if "trained" in handover:
        s[L.key("trained")] = handover.pop("trained")
    if clicked:
        running = handover["running"] = threading.Event()
        st.button("Stop training", key=L.key("stop_train"), icon=":material/stop_circle:")
        progress = Progress(st.progress(0.0, text="training…"), curve, T.curve_title)
        try:
            result = T.run(ctx, _values(L, T), progress)  # ValueError: a message, no run
            handover["trained"] = {"result": result, "stopped": progress.interrupted is not None}
        except (ValueError, FloatingPointError) as err:
            st.error(f"{md_text(err)}. Nothing was trained.")
        finally:
            running.set()
        if progress.interrupted is not None:
            raise progress.interrupted  # let Streamlit handle the click that stopped the run
        if "trained" in handover:
            s[L.key("trained")] = handover.pop("trained")
        del handover["running"]
    trained = s.get(L.key("trained"))
    if not trained:
        return
    result = trained["result"]
    losses = np.asarray(result["losses"], dtype=np.float64)
    if trained.get("stopped"):
        st.warning("Training was stopped; the model trained so far is shown.")
    if len(losses):
        charts.loss_curve(losses, T.curve_title, placeholder=curve, dev=result.get("dev_curve"))
        st.markdown(f"Loss: first {T.steps_name} **{losses[0]:.{ctx.decimals}f}**, last "
                    f"**{losses[-1]:.{ctx.decimals}f}** after {len(losses)} {T.steps_name}s.")
    if T.charts:
        with side_box:
            T.charts(ctx, result)
    with st.expander("The numbers behind the charts"):
        n1, n2 = st.columns(2)
        with n1:
            matrix_table(losses[:, None], ctx.decimals, rows=range(1, len(losses) + 1),
                         cols=["loss"], name=T.steps_name)
            if result.get("dev_curve"):
                dev = np.array(result["dev_curve"], dtype=np.float64)     # (points, 2)
                matrix_table(dev[:, 1:], ctx.decimals, rows=dev[:, 0].astype(int),
                             cols=["dev loss"], name=T.steps_name)
        if T.numbers:
            with n2:
                T.numbers(ctx, result)
    if T.extra:
        T.extra(ctx, result)

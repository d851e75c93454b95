"""The stage stepper every lesson uses: Prev / Next / Reset over a list of Stages.

The current stage is shown in a bordered box; earlier stages stay on the page, collapsed,
so the chain reads top to bottom. Each stage shows its formulas, the same formulas with
this step's numbers, a table per Trace key, an optional chart and the autograd check.
"""
from typing import Callable, NamedTuple

import numpy as np
import streamlit as st

from ui.tables import MARK_LEGEND, matrix_table

SHOWN_LINES = 8  # plugged-in lines shown before the rest fold into an expander


class Stage(NamedTuple):
    name: str
    keys: tuple                                  # Trace keys shown as tables
    formulas: tuple                              # general LaTeX formulas
    lines: Callable = None                       # (trace, decimals) -> LaTeX lines with numbers
    chart: Callable = None                       # (trace, decimals) -> renders a chart
    note: str = ""                               # a sentence under the title


def stage_index(prefix, n):
    """The current stage index for this lesson, kept in session state and clamped."""
    key = f"{prefix}_stage"
    i = st.session_state.get(key, 0)
    i = min(max(int(i), 0), n - 1) if isinstance(i, (int, np.integer)) else 0
    st.session_state[key] = i
    return i


def _move(key, delta, n):
    st.session_state[key] = min(max(st.session_state.get(key, 0) + delta, 0), n - 1)


def stepper_buttons(prefix, stages):
    """Prev / Next / Reset and the stage trail; returns the current stage index."""
    n = len(stages)
    cur = stage_index(prefix, n)
    key = f"{prefix}_stage"
    c1, c2, c3, c4 = st.columns([1, 1, 1, 5], vertical_alignment="center")
    c1.button("◀ Prev", key=f"{prefix}_prev", on_click=_move, args=(key, -1, n),
              disabled=cur == 0, width="stretch")
    c2.button("Next ▶", key=f"{prefix}_next", on_click=_move, args=(key, 1, n),
              disabled=cur == n - 1, width="stretch", type="primary")
    c3.button("⟲ Reset", key=f"{prefix}_reset", on_click=_move, args=(key, -n, n),
              width="stretch")
    trail = " → ".join(f"**▶ {i + 1}. {s.name}**" if i == cur else
                       (f"✓ {i + 1}. {s.name}" if i < cur else f"{i + 1}. {s.name}")
                       for i, s in enumerate(stages))
    c4.markdown(trail)
    return cur


def check_line(diffs, keys, tol=1e-10):
    """Markdown saying whether these keys equal torch autograd, with the largest difference."""
    worst = max((diffs[k] for k in keys if k in diffs), default=None)
    if worst is None:
        return ""
    if worst <= tol:
        return f"✅ equals torch autograd (float64): largest difference {worst:.1e}"
    return f"❌ differs from torch autograd: largest difference {worst:.1e}"


def render_stage(stage, trace, decimals, axes, marks, diffs):
    """One stage's body: formulas, numbers plugged in, tables, chart, autograd check."""
    if stage.note:
        st.caption(stage.note)
    for f in stage.formulas:
        st.latex(f)
    lines = stage.lines(trace, decimals) if stage.lines else []
    for line in lines[:SHOWN_LINES]:
        st.latex(line)
    if len(lines) > SHOWN_LINES:
        with st.expander(f"all {len(lines)} lines with numbers"):
            for line in lines[SHOWN_LINES:]:
                st.latex(line)
    for k in stage.keys:
        rows, cols = axes.get(k, (None, None))
        matrix_table(trace[k], decimals, rows, cols, marks.get(k), name=k)
    if stage.chart:
        stage.chart(trace, decimals)
    if diffs:
        st.markdown(check_line(diffs, stage.keys))


def stepper(prefix, stages, trace, decimals, axes=None, marks=None, diffs=None):
    """Buttons, then stages 1..current top to bottom (earlier ones collapsed)."""
    axes, marks = axes or {}, marks or {}
    cur = stepper_buttons(prefix, stages)
    if marks:
        st.caption(MARK_LEGEND)
    for i, stage in enumerate(stages[:cur + 1]):
        if i < cur:
            with st.expander(f"✓ Stage {i + 1}. {stage.name}", expanded=False):
                render_stage(stage, trace, decimals, axes, marks, diffs)
        else:
            with st.container(border=True):
                st.subheader(f"▶ Stage {i + 1} of {len(stages)}: {stage.name}")
                render_stage(stage, trace, decimals, axes, marks, diffs)
    return cur


"""The stage stepper every lesson uses: Prev / Next / Reset over a list of Stages.

The current stage is shown in a bordered box; earlier stages stay on the page, collapsed,
so the chain reads top to bottom. Each stage shows its formulas, the same formulas with
this step's numbers, a table per Trace key, an optional chart and the autograd check.
"""
from typing import Callable, NamedTuple

import numpy as np
import streamlit as st

from ui import selfcheck, urlstate
from ui.export import downloads
from ui.tables import MARK_LEGEND, markdown_table, matrix_table

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
    c1, c2, c3, _, c5 = st.columns([1.4, 1.4, 1.4, 2.6, 1.2], vertical_alignment="center")
    # Streamlit's own keyboard shortcuts: → next, ← previous, Home back to the first stage.
    c1.button("◀ Prev", key=f"{prefix}_prev", on_click=_move, args=(key, -1, n),
              disabled=cur == 0, width="stretch", shortcut="Left")
    c2.button("Next ▶", key=f"{prefix}_next", on_click=_move, args=(key, 1, n),
              disabled=cur == n - 1, width="stretch", type="primary", shortcut="Right")
    c3.button("⟲ Reset", key=f"{prefix}_reset", on_click=_move, args=(key, -n, n),
              width="stretch", shortcut="Home")
    c5.toggle("Quiz", key=f"{prefix}_quiz", help="Hide each stage's numbers until you have "
              "predicted them.")
    trail = " → ".join(f"**▶ {i + 1}. {s.name}**" if i == cur else
                       (f"✓ {i + 1}. {s.name}" if i < cur else f"{i + 1}. {s.name}")
                       for i, s in enumerate(stages))
    st.markdown(trail)
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
    """One stage's body: numbers plugged in, tables, chart, autograd check."""
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
    return lines


def compact_stage(stage, trace, decimals, axes, marks, diffs):
    """An earlier stage as one Markdown element (math blocks and tables): cheap to rerun."""
    lines = list(stage.formulas) + (stage.lines(trace, decimals) if stage.lines else [])
    parts = [f"$$\n{line}\n$$" for line in lines]
    parts += [markdown_table(trace[k], decimals, *axes.get(k, (None, None)), marks.get(k), name=k)
              for k in stage.keys]
    if diffs:
        parts.append(check_line(diffs, stage.keys))
    st.markdown("\n\n".join(parts))


def stage_head(stage):
    if stage.note:
        st.caption(stage.note)
    for f in stage.formulas:
        st.latex(f)


@st.fragment
def stepper(prefix, stages, trace, decimals, axes=None, marks=None, diffs=None, *, title="",
            carried=None, presets=None, charts=None, url=None):
    """Buttons, then stages 1..current top to bottom (earlier ones collapsed), then exports.

    With the quiz on, the current stage's numbers wait for a prediction. Each stage can be
    checked against the student's own numbers (`carried`: extra tolerance per key;
    `presets`: {name: {key: text}} to load, e.g. a seed's printed values). `url`: the
    page's shareable state, written to the address bar with the stage.

    A fragment: Prev / Next / Reset, the quiz and the hand check rerun only this part.
    """
    axes, marks = axes or {}, marks or {}
    cur = stepper_buttons(prefix, stages)
    if marks:
        st.caption(MARK_LEGEND)
    for i, stage in enumerate(stages[:cur + 1]):
        if i < cur:
            with st.expander(f"✓ Stage {i + 1}. {stage.name}", expanded=False):
                compact_stage(stage, trace, decimals, axes, marks, diffs)
            continue
        with st.container(border=True, key=f"{prefix}_current"):
            st.subheader(f"▶ Stage {i + 1} of {len(stages)}: {stage.name}")
            stage_head(stage)
            numeric = bool(stage.keys)  # text stages (tokens, windows...) have nothing to predict
            if numeric and st.session_state.get(f"{prefix}_quiz") and not selfcheck.quiz(
                    prefix, i, stage, trace, decimals, axes):
                continue
            lines = render_stage(stage, trace, decimals, axes, marks, diffs)
            if numeric:
                selfcheck.hand_check(prefix, i, stage, trace, decimals, axes, lines, carried,
                                     presets)
    with st.container(key=f"{prefix}_exports"):
        downloads(prefix, title or prefix, stages, trace, decimals, axes, charts)
    if url is not None:
        urlstate.write_url({"stage": cur + 1, **url})

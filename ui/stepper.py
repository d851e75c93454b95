"""The stage stepper every lesson uses: Prev / Next / Reset over the lesson's stages.

The current stage is shown in a bordered box; earlier stages stay on the page, collapsed,
so the chain reads top to bottom. Each stage shows its formulas, the same formulas with
this step's numbers (worksheet Lines), a table per Trace key, an optional chart and the
autograd check, filled in after the page is drawn (torch may still be loading).
"""
import math
from typing import Callable, NamedTuple

import streamlit as st

from ui import cached, classroom, graph, keys, locks, seedcheck, selfcheck, urlstate
from ui.export import downloads
from ui.tables import MARK_LEGEND, markdown_table, matrix_table
from ui.worksheet import render

SHOWN_LINES = 8  # plugged-in lines shown before the rest fold into an expander
COLUMNS_FROM = 5  # presenter mode: this many lines or more go in columns
TOLERANCE = 1e-10  # |ours - torch autograd| that counts as equal (float64)


class Stage(NamedTuple):
    name: str
    keys: tuple                                  # Trace keys shown as tables
    formulas: tuple                              # general LaTeX formulas
    lines: Callable = None                       # (ctx) -> [worksheet Line]
    chart: Callable = None                       # (ctx) -> renders a chart
    note: str = ""                               # a sentence under the title


def stage_index(L, n):
    """The current stage index for this lesson, kept in session state and clamped."""
    key = L.key("stage")
    i = st.session_state.get(key, 0)
    i = min(max(int(i), 0), n - 1) if isinstance(i, int) else 0
    st.session_state[key] = i
    return i


def _move(key, delta, n):
    st.session_state[key] = min(max(st.session_state.get(key, 0) + delta, 0), n - 1)


def stepper_buttons(L, stages):
    """Prev / Next / Reset and the stage trail; returns the current stage index."""
    n = len(stages)
    cur = stage_index(L, n)
    key = L.key("stage")
    c1, c2, c3, c4, c5 = st.columns([1.4, 1.4, 1.4, 2.6, 1.2], vertical_alignment="center")
    # Streamlit's own keyboard shortcuts: → next, ← previous, Home back to the first stage;
    # ui/keys adds PageDown / PageUp / Space for presentation clickers.
    c1.button("Prev", icon=":material/chevron_left:", key=L.key("prev"), on_click=_move,
              args=(key, -1, n), disabled=cur == 0, width="stretch", shortcut="Left")
    c2.button("Next", icon=":material/chevron_right:", key=L.key("next"), on_click=_move,
              args=(key, 1, n), disabled=cur == n - 1, width="stretch", type="primary",
              shortcut="Right")
    c3.button("Reset", icon=":material/first_page:", key=L.key("reset"), on_click=_move,
              args=(key, -n, n), width="stretch", shortcut="Home")
    c4.markdown(f"**Stage {cur + 1} of {n}**")
    if presenting():
        from ui.lesson import take_step
        c5.button("Take this step", key=L.key("take_p"), on_click=take_step, args=(L,),
                  width="stretch", help="Apply the update (the same as the button above the "
                  "stepper, which presenter mode hides).")
    elif not locks.hidden(L, "quiz"):
        c5.toggle("Quiz", key=L.key("quiz"), disabled=locks.locked(L, "quiz"),
                  help=locks.LOCK_HELP if locks.locked(L, "quiz") else "Hide each stage's "
                  "numbers until you have predicted them.")
    trail = " → ".join(f"**[{i + 1}. {s.name}]**" if i == cur else
                       (f"{i + 1}. {s.name} ✓" if i < cur else f"{i + 1}. {s.name}")
                       for i, s in enumerate(stages))
    st.markdown(trail)
    return cur


def check_line(diffs, keys, tol=TOLERANCE):
    """Markdown saying whether these keys equal torch autograd, with the largest difference."""
    if diffs is None:
        return ""
    if "error" in diffs:
        return (":orange[**?**] the torch autograd check could not run for this step: "
                f"{diffs['error']}")
    worst = max((diffs[k] for k in keys if k in diffs), default=None)
    if worst is None:
        return ""
    if not math.isfinite(worst):
        return (":orange[**?**] the torch autograd check could not compare this stage (a value "
                "is not finite)")
    if worst <= tol:
        return (":green[:material/check_circle: **equals torch autograd**] (float64): largest "
                f"difference {worst:.1e}")
    return f":red[:material/cancel: **differs from torch autograd**]: largest difference {worst:.1e}"


def _table_args(ctx, axes, marks, k):
    """(values, decimals, row labels, column labels, marks) of one table; a lesson's
    `table_rows` can keep a large table to the rows a step touches."""
    rows, cols = axes.get(k, (None, None))
    values, mark = ctx.trace[k], marks.get(k)
    keep = (ctx.lesson.table_rows(ctx) if ctx.lesson.table_rows else {}).get(k)
    if keep is not None:
        keep = list(dict.fromkeys(keep))
        values = values[keep]
        rows = [rows[i] if rows is not None else i for i in keep]
        mark = None if mark is None else mark[keep]
    return values, ctx.decimals, rows, cols, mark


def presenting():
    return bool(st.session_state.get("presenter"))


def render_stage(ctx, stage, axes, marks):
    """One stage's body: numbers plugged in, tables, chart; returns (lines, check box).
    In presenter mode: the lines in columns, the first table, the rest behind "more"."""
    lines = render(stage.lines(ctx) if stage.lines else [], ctx.decimals)
    if presenting():
        if len(lines) >= COLUMNS_FROM:
            cols = st.columns(3)
            per = -(-len(lines) // 3)
            for j, line in enumerate(lines):
                cols[j // per].latex(line)
        else:
            for line in lines:
                st.latex(line)
        for k in stage.keys[:1]:
            matrix_table(*_table_args(ctx, axes, marks, k), name=k)
        box = st.empty()
        if stage.keys[1:] or stage.chart:
            with st.expander("more"):
                for k in stage.keys[1:]:
                    matrix_table(*_table_args(ctx, axes, marks, k), name=k)
                if stage.chart:
                    stage.chart(ctx)
        return lines, box
    for line in lines[:SHOWN_LINES]:
        st.latex(line)
    if len(lines) > SHOWN_LINES:
        with st.expander(f"all {len(lines)} lines with numbers"):
            for line in lines[SHOWN_LINES:]:
                st.latex(line)
    for k in stage.keys:
        matrix_table(*_table_args(ctx, axes, marks, k), name=k)
    if stage.chart:
        stage.chart(ctx)
    return lines, st.empty()


def compact_stage(ctx, stage, axes, marks):
    """An earlier stage as one Markdown element (math blocks and tables): cheap to rerun."""
    lines = list(stage.formulas) + render(stage.lines(ctx) if stage.lines else [], ctx.decimals)
    parts = [f"$$\n{line}\n$$" for line in lines]
    parts += [markdown_table(*_table_args(ctx, axes, marks, k), name=k) for k in stage.keys]
    st.markdown("\n\n".join(parts))
    return st.empty()


def stage_head(stage):
    if stage.note:
        st.caption(stage.note)
    for f in stage.formulas:
        st.latex(f)


@st.fragment
def stepper(L, ctx):
    """Buttons, then stages 1..current top to bottom (earlier ones collapsed), then exports.

    With the quiz on, the current stage's numbers wait for a prediction. A fragment: Prev /
    Next / Reset, the quiz and the hand check rerun only this part.
    """
    stages = L.stages(ctx)
    axes = L.axes(ctx) if L.axes else {}
    marks = L.marks(ctx) if L.marks else {}
    cur = stepper_buttons(L, stages)
    keys.install(L.key("current"), cur)
    if L.graph:
        with st.expander("The network", expanded=not presenting()):
            st.graphviz_chart(graph.dot(ctx, graph.edges(L.graph), stages[cur].keys))
            st.caption(graph.describe(graph.edges(L.graph), stages[cur].keys))
    if marks and not presenting():
        st.caption(MARK_LEGEND)
    checks = []  # (placeholder, stage keys): the autograd check, filled in at the end
    for i, stage in enumerate(stages[:cur + 1]):
        if i < cur and presenting():
            continue
        if i < cur:
            with st.expander(f"Stage {i + 1}. {stage.name} ✓", expanded=False):
                checks.append((compact_stage(ctx, stage, axes, marks), stage.keys))
            continue
        with st.container(border=True, key=L.key("current")):
            st.subheader(f"Stage {i + 1} of {len(stages)}: {stage.name}")
            stage_head(stage)
            numeric = bool(stage.keys)  # text stages (tokens, windows...) have nothing to predict
            if numeric and st.session_state.get(L.key("quiz")) and not selfcheck.quiz(
                    L.prefix, i, stage, ctx.trace, ctx.decimals, axes, ctx=ctx):
                continue
            lines, box = render_stage(ctx, stage, axes, marks)
            checks.append((box, stage.keys))
            if numeric and not presenting():
                selfcheck.hand_check(L.prefix, i, stage, ctx.trace, ctx.decimals, axes, lines,
                                     *(seedcheck.hand_check(L.seed, ctx) if L.seed is not None
                                       else (None, None)), lesson=L)
    if not presenting():
        with st.container(key=L.key("exports")):
            downloads(L.prefix, L.title_short or L.title, stages, ctx, axes)
    urlstate.write_lesson_url(L, ctx, cur)
    classroom.lead(L, ctx, cur, len(stages))  # here, as Next reruns only this fragment
    if not cached.torch_ready():
        for box, k in checks:
            if k:
                box.caption("Checking against torch autograd…")
    diffs = cached.autograd_diffs(L.model, ctx.params, ctx.ex.example, ctx.lr)
    for box, k in checks:
        line = check_line(diffs, k)
        if line:
            box.markdown(line)
        else:
            box.empty()

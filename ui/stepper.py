"""The stage stepper every lesson uses: Prev / Next / Reset over the lesson's stages.

The current stage is shown in a bordered box; earlier stages stay on the page, collapsed,
so the chain reads top to bottom. Each stage shows its formulas, the same formulas with
this step's numbers (worksheet Lines), a table per Trace key, an optional chart and the
autograd check, filled in after the page is drawn (torch may still be loading).

The next stage is drawn too, hidden: a click on Next (or a key) shows it in the browser at
once, without waiting for the server (ui/keys.py, app.py's CSS), and the run the click starts
draws it again as the current stage, the same in the same place
(tests/e2e/test_stage_ahead.py).
"""
import math
import re
from typing import Callable, NamedTuple

import streamlit as st

from ui import cached, classroom, graph, keys, locks, mathtex, seedcheck, selfcheck, urlstate
from ui.export import downloads
from ui.format import html_text
from ui.tables import MARK_LEGEND, changed_marks, matrix_table, matrix_tables, table_shape
from ui.worksheet import render

SHOWN_LINES = 8  # plugged-in lines shown before the rest fold into an expander
COLUMNS_FROM = 5  # presenter mode: this many lines or more go in columns
# Presenter mode fits the current stage in a 1366×768 projector screen. Heights (px) and line
# widths (characters per column) at presenter type sizes, measured on the lessons' stages;
# the browser test checks every stage of every lesson, and ui/keys shrinks a line that is
# still too wide for its column.
SCREEN = 650
HEIGHT = {"title": 62, "note": 42, "formula": 56, "line": 50, "frac": 66, "table_head": 54,
          "table_row": 46, "cut": 40, "check": 36, "more": 58, "pad": 44}
CHARS = {3: 34, 2: 52, 1: 100}
TABLE_WIDTH, CELL_CHAR, CELL_PAD = 1060, 11, 26   # a table's columns: px for cells, per char
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


def draws_ahead(L, cur, n):
    """Whether the stepper also draws stage cur + 1, hidden, for Next to show at once in the
    browser (ui/keys.py); the run the click starts then draws it as the current stage. Not on
    a cold start's first draw (bench/cold_start.py), for a follower (who steps with the
    teacher), in the quiz (the next numbers wait for a prediction) or in AppTest, which has no
    browser to show it (tests/e2e/test_stage_ahead.py checks it against the run's)."""
    return (cur + 1 < n and cached.torch_ready() and not classroom.following()
            and not st.session_state.get(L.key("quiz")) and not cached.blocking_checks())


def trail_html(stages, cur):
    """The stages' names, the current one marked, the ones before it ticked. Its width does
    not change with the stage (the stages to come hold their tick unseen), so ui/keys.py can
    move the mark on a click on Next, before the run, without the page moving."""
    def step(i, s):
        state = "done" if i < cur else "now" if i == cur else "todo"
        current = ' aria-current="step"' if i == cur else ""
        return (f'<span class="step {state}"{current}>{i + 1}. {html_text(s.name)}'
                '<span class="tick"> ✓</span></span>')
    return f'<p class="trail">{" → ".join(step(i, s) for i, s in enumerate(stages))}</p>'


def stepper_buttons(L, stages):
    """Prev / Next / Reset and the stage trail; returns the current stage index."""
    n = len(stages)
    cur = stage_index(L, n)
    key = L.key("stage")
    # One row (a flex container: cheaper to draw again on every click than five columns).
    row = st.container(horizontal=True, vertical_alignment="center", gap="small")
    # Streamlit's own keyboard shortcuts: → next, ← previous, Home back to the first stage;
    # ui/keys adds PageDown / PageUp / Space for presentation clickers.
    row.button("Prev", icon=":material/chevron_left:", key=L.key("prev"), on_click=_move,
               args=(key, -1, n), disabled=cur == 0, shortcut="Left")
    row.button("Next", icon=":material/chevron_right:", key=L.key("next"), on_click=_move,
               args=(key, 1, n), disabled=cur == n - 1, type="primary",
               shortcut="Right")
    row.button("Reset", icon=":material/first_page:", key=L.key("reset"), on_click=_move,
               args=(key, -n, n), shortcut="Home")
    row.html(f'<p class="stage-label"><strong>Stage <span class="stage-no">{cur + 1}</span> of '
             f'{n}</strong></p>', width="content")
    if presenting():
        from ui.lesson import take_step
        row.button("Take this step", key=L.key("take_p"), on_click=take_step, args=(L,),
                   help="Apply the update (the same as the button above the stepper, which "
                   "presenter mode hides).")
    elif not locks.hidden(L, "quiz"):
        row.toggle("Quiz", key=L.key("quiz"), disabled=locks.locked(L, "quiz"),
                   help=locks.LOCK_HELP if locks.locked(L, "quiz") else "Hide each stage's "
                   "numbers until you have predicted them.")
    st.html(trail_html(stages, cur))
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


def tex_width(tex):
    """The rough width of a LaTeX line in characters (a fraction counts both its parts)."""
    t = re.sub(r"\\(cdot|dots|times|sum|log|exp|max|sigma|partial|top|alpha|eta)\b", "x", tex)
    t = re.sub(r"\\[A-Za-z]+", "", t)
    return len(re.sub(r"[{}_^ ]", "", t))


def presenter_cols(decimals):
    """How many columns of numbers fit the projector's width."""
    return TABLE_WIDTH // (CELL_CHAR * (decimals + 4) + CELL_PAD)


def presenter_layout(stage, lines, table, decimals):
    """(columns of lines, lines shown, (rows, columns) of the first table shown) so that the
    stage fits the projector; `table` is the first table's (rows, columns) or None."""
    h = HEIGHT
    fixed = h["title"] + h["pad"] + h["check"] + h["more"]
    fixed += sum(h["frac" if r"\frac" in f else "formula"] for f in stage.formulas)
    fixed += h["note"] if stage.note else 0
    widest = max((tex_width(x) for x in lines), default=0)
    cols = next(c for c in (3, 2, 1) if widest <= CHARS[c] or c == 1)
    cols = cols if len(lines) >= COLUMNS_FROM else 1
    row_h = h["frac"] if any(r"\frac" in x for x in lines) else h["line"]
    line_rows = -(-len(lines) // cols)
    shown_table = None
    if table:
        room = SCREEN - fixed - h["table_head"] - h["cut"] - row_h * min(line_rows, 2)
        shown_table = (max(1, min(table[0], room // h["table_row"])),
                       min(table[1], presenter_cols(decimals)))
        fixed += h["table_head"] + h["table_row"] * shown_table[0]
        fixed += h["cut"] if shown_table != tuple(table) else 0
    rows = max(1, (SCREEN - fixed) // row_h)
    return cols, min(len(lines), rows * cols), shown_table


def render_stage(ctx, stage, axes, marks, i):
    """Stage `i`'s body: numbers plugged in, tables, chart; returns (lines, check box).
    In presenter mode: the lines in columns, the first table, the rest behind "more"."""
    lines = render(stage.lines(ctx) if stage.lines else [], ctx.decimals)
    if presenting():
        first = [_table_args(ctx, axes, marks, k) for k in stage.keys[:1]]
        n_cols, shown, table = presenter_layout(
            stage, lines, table_shape(first[0][0]) if first else None, ctx.decimals)
        cols = st.columns(n_cols) if n_cols > 1 else [st]
        per = -(-shown // n_cols)
        for j, col in enumerate(cols):
            mathtex.show(lines[j * per:min((j + 1) * per, shown)], col)
        for k, args in zip(stage.keys[:1], first):
            matrix_table(*args, name=k, max_rows=table[0], max_cols=table[1])
        box = st.empty()
        if stage.keys[1:] or stage.chart or shown < len(lines):
            parts = ([f"{len(lines) - shown} more lines"] if shown < len(lines) else []) + (
                ["the other tables"] if stage.keys[1:] else []) + (["chart"] if stage.chart else [])
            more, drawn = locks.drawn_while_open("More: " + ", ".join(parts),
                                                 ctx.lesson.key(f"more_open_{i}"))
            with more:
                if drawn:
                    mathtex.show(lines[shown:])
                    for k in stage.keys[1:]:
                        matrix_table(*_table_args(ctx, axes, marks, k), name=k,
                                     max_cols=presenter_cols(ctx.decimals))
                    if stage.chart:
                        stage.chart(ctx)
        return lines, box
    mathtex.show(lines[:SHOWN_LINES])
    if len(lines) > SHOWN_LINES:
        more, drawn = locks.drawn_while_open(f"{len(lines) - SHOWN_LINES} more lines with "
                                             "numbers", ctx.lesson.key(f"lines_open_{i}"))
        if drawn:
            mathtex.show(lines[SHOWN_LINES:], more)
    matrix_tables([(_table_args(ctx, axes, marks, k), k) for k in stage.keys])
    if stage.chart:
        stage.chart(ctx)
    return lines, st.empty()


def compact_stage(ctx, stage, axes, marks):
    """An earlier stage: its formulas and lines as one element, then its tables as one."""
    lines = list(stage.formulas) + render(stage.lines(ctx) if stage.lines else [], ctx.decimals)
    mathtex.show(lines)
    matrix_tables([(_table_args(ctx, axes, marks, k), k) for k in stage.keys])
    return st.empty()


def stage_head(stage):
    if stage.note:
        st.caption(stage.note)
    mathtex.show(stage.formulas)


def changed_params(ctx):
    """Every lesson's default marks: 'changed' on the entries of each updated parameter
    `<name>_new` that the step moved (a lesson's own marks replace these)."""
    return {f"{k}_new": changed_marks(ctx.trace[f"{k}_new"], v) for k, v in ctx.params.items()
            if f"{k}_new" in ctx.trace}


def under_stepper(L, ctx):
    """What sits under the stepper and does not change with its stage, so outside its
    fragment (a Next click does not send it again): the key listener for a clicker, and the
    step's downloads (not on a projector or a follower's page).

    On a server still importing torch (a cold start) they come with the rerun that fills in
    the autograd check: each needs a script the browser fetches first, which holds back the
    first stage on screen (bench/cold_start.py)."""
    if not cached.torch_ready():
        return
    keys.install()
    if presenting() or classroom.following():
        return
    with st.container(key=L.key("exports")):
        downloads(L.prefix, L.title_short or L.title, L.stages(ctx), ctx,
                  L.axes(ctx) if L.axes else {})


@st.fragment(run_every=cached.AWAIT_EVERY)
def _await_torch():
    """Reruns the page once torch is imported (for the autograd check lines); starts the
    import once the browser has the page."""
    if cached.torch_ready():
        st.rerun()
    cached.warm_torch_when_drawn(st.session_state)


@st.fragment
def stepper(L, ctx):
    """Buttons, then stages 1..current top to bottom (earlier ones collapsed).

    With the quiz on, the current stage's numbers wait for a prediction. A fragment: Prev /
    Next / Reset, the quiz and the hand check rerun only this part.
    """
    classroom.catch_up(L)  # a follower's news button: the teacher's new stage
    stages = L.stages(ctx)
    axes = L.axes(ctx) if L.axes else {}
    marks = {**changed_params(ctx), **(L.marks(ctx) if L.marks else {})}
    cur = stepper_buttons(L, stages)
    if L.graph:
        # Drawn only while open: the browser lays a graph out in ~0.8 s, which every Next
        # click would wait for (bench/click_latency.py).
        box, drawn = locks.drawn_while_open("The network: open it to see where this stage sits (it "
                                      "follows Next / Prev)", L.key("graph_open"),
                                      icon=":material/account_tree:")
        with box:
            if drawn:
                edges = graph.edges(L.graph)
                st.graphviz_chart(graph.dot(ctx, edges, stages[cur].keys))
                st.caption(graph.describe(edges, stages[cur].keys))
    if marks and not presenting():
        st.caption(MARK_LEGEND)
    # The projector and the students who follow it show the current stage alone; a
    # follower's page is drawn forty times for every click of the teacher's.
    brief = presenting() or classroom.following()
    if brief and cur and not presenting():
        st.caption(f"Stages 1 to {cur} are done; explore on your own to look back at them.")
    checks = []  # (placeholder, stage keys): the autograd check, filled in at the end
    # The next stage too, hidden (key *_stage_ahead; draws_ahead). Its hand check comes with
    # the run: the check's widgets are one per lesson.
    ahead = int(draws_ahead(L, cur, len(stages)))
    for i, stage in enumerate(stages[:cur + 1 + ahead]):
        if i < cur and brief:
            continue
        if i < cur:
            # Drawn only while open: every earlier stage's numbers and formulas, rendered again
            # on each Next click, made the last stages' clicks twice as slow as the first's.
            done, drawn = locks.drawn_while_open(f"Stage {i + 1}. {stage.name} ✓",
                                                 L.key(f"done_{i}"))
            with done:
                if drawn:
                    checks.append((compact_stage(ctx, stage, axes, marks), stage.keys))
            continue
        with st.container(border=True, key=L.key("current" if i == cur else "stage_ahead")):
            st.subheader(f"Stage {i + 1} of {len(stages)}: {stage.name}")
            stage_head(stage)
            numeric = bool(stage.keys)  # text stages (tokens, windows...) have nothing to predict
            if numeric and st.session_state.get(L.key("quiz")) and not selfcheck.quiz(
                    L.prefix, i, stage, ctx.trace, ctx.decimals, axes, ctx=ctx):
                continue
            lines, box = render_stage(ctx, stage, axes, marks, i)
            checks.append((box, stage.keys))
            if numeric and not brief and i == cur:
                selfcheck.hand_check(L.prefix, i, stage, ctx.trace, ctx.decimals, axes, lines,
                                     *(seedcheck.hand_check(L.seed, ctx) if L.seed is not None
                                       else (None, None)), lesson=L)
    urlstate.write_lesson_url(L, ctx, cur)
    classroom.lead(L, ctx, cur, len(stages))  # here, as Next reruns only this fragment
    classroom.news_box()  # a follower's: here, as news of a new stage reruns only this fragment
    if not cached.torch_ready():
        for box, k in checks:
            if k:
                box.caption("Checking against torch autograd…")
        if not cached.blocking_checks():
            # Draw first: torch (~3 s to import) loads in the background and the page reruns
            # when it is there, the check lines then filled in (bench/cold_start.py).
            _await_torch()
            return
    diffs = cached.autograd_diffs(L.model, ctx.params, ctx.ex.example, ctx.lr)
    for box, k in checks:
        line = check_line(diffs, k)
        if line:
            box.markdown(line)
        else:
            box.empty()

"""Every worksheet line of every stage of every lesson, read and checked.

A line is `label = expression = result` (ui.worksheet.Line). For each one:
- every number plugged in that names a source is exactly that Trace / parameter entry (so the
  text shows it to the chosen decimals);
- the result is a Trace entry, and the expression, evaluated, equals it to the result's
  printed decimals (half a unit of its last printed digit).
Then AppTest checks that the page shows exactly these lines, stage by stage.
"""
import math
import re

import numpy as np
import pytest

from ui import lessons, worksheet
from ui.format import scientific
from ui.lesson import Ctx
from ui.stepper import SHOWN_LINES
from tests.conftest import open_page, shown_math

DECIMALS = (4, 2)
SEEDS = (0, 1, 7)
# Settings that reach lines the defaults do not (a repeated context word, another pair...).
EXTRA = {
    "tiny": [{"center": 1, "target": 0, "lr": 0.5}, {"vocab": "a, b, c, d, e", "center": 3,
                                                      "target": 1}],
    "cbowt": [{"context_text": "quick, quick, over"}, {"context_text": "the, the, the, dog"}],
    "cbow": [{"window": 1}, {"text": "the cat sat on the mat and the dog sat on the log",
                             "C": 1, "window": 4}],
    "mb": [{"word": 0}, {"sentence": "a b c a b d", "word": 3}],
    "sgns": [{"negatives": "cat, cat, dog, bread"}, {"setup": 1, "center": "w0", "context": "w1",
             "negatives": "w50, w23, w99, w4, w12", "lr": 0.01}],
    "char": [{"name": "ava", "row": 2}, {"name": "anna", "row": 0, "lr": 0.5}],
}
ALL = lessons.lessons()


def configs():
    for _, L in ALL:
        base = [(L, {}, seed) for seed in SEEDS]
        base += [(L, extra, 0) for extra in EXTRA.get(L.prefix, [])]
        yield from base


def make_ctx(L, overrides, seed, decimals):
    settings = {**L.settings, **{k: v for k, v in overrides.items() if k in L.settings}}
    params = L.fresh(settings, seed, None)
    ex = L.read(settings, params)
    trace = __import__(f"core.{L.model}", fromlist=["x"]).trace_step(ex.params, ex.example, ex.lr)
    return Ctx(L, settings, ex, trace, decimals, 0, seed)


def page_ctx(at, L):
    """The Ctx of what the page shows: its settings and model, stepped by the core (at 4
    decimals, the page's default)."""
    settings = {name: at.session_state[L.key(name)] for name in L.settings}
    model = at.session_state[L.key("model")]
    ex = L.read(settings, model["params"])
    trace = __import__(f"core.{L.model}", fromlist=["x"]).trace_step(ex.params, ex.example, ex.lr)
    return Ctx(L, settings, ex, trace, 4, 0, model["seed"])


def half_unit(x, decimals):
    """Half a unit of the last digit `x` is printed with at these decimals."""
    if scientific(x, decimals):
        exponent = math.floor(math.log10(abs(x)))
        return 0.5 * 10.0 ** (exponent - max(decimals, 1) + 1)
    return 0.5 * 10.0 ** -decimals


def check_line(ctx, line):
    assert isinstance(line, worksheet.Line), f"not a checkable worksheet line: {line!r}"
    parts = ([line.result] if line.expr is None else line.expr.leaves() + [line.result])
    for leaf in parts:
        if leaf.src is None:
            continue
        name, index = leaf.src
        want = np.asarray(ctx.value(name), dtype=np.float64)[index]
        assert leaf.x == float(want), f"{line.label}: shows {name}{list(index)} = {leaf.x}, " \
                                      f"the value is {float(want)}"
    assert line.result.src is not None, f"{line.label}: the result names no Trace entry"
    if line.expr is not None:
        got, want = line.expr.value(), line.result.value()
        dec = ctx.decimals if line.result.digits is None else line.result.digits
        assert abs(got - want) <= half_unit(want, dec) + 1e-12 * max(1.0, abs(want)), (
            f"{line.tex(ctx.decimals)}: the left side is {got!r}, the result {want!r}")


@pytest.mark.parametrize("L,overrides,seed", list(configs()),
                         ids=lambda v: getattr(v, "prefix", None) or str(v))
@pytest.mark.parametrize("decimals", DECIMALS)
def test_every_line_is_its_arithmetic(L, overrides, seed, decimals):
    ctx = make_ctx(L, overrides, seed, decimals)
    n_lines = 0
    for stage in L.stages(ctx):
        for line in (stage.lines(ctx) if stage.lines else []):
            check_line(ctx, line)
            n_lines += 1
    assert n_lines > 0


@pytest.mark.parametrize("file,L", ALL, ids=[L.prefix for _, L in ALL])
def test_the_page_shows_exactly_these_lines(app, file, L):
    at = open_page(app, file)
    ctx = page_ctx(at, L)
    stages = L.stages(ctx)
    for i, stage in enumerate(stages):
        want = worksheet.render(stage.lines(ctx) if stage.lines else [], 4)
        if len(want) > SHOWN_LINES:  # the rest fold into a box drawn only while open
            assert not all(line in shown_math(at) for line in want[SHOWN_LINES:])
            at.session_state[L.key(f"lines_open_{i}")] = True
            at.run()
        shown = shown_math(at)
        for line in want:
            assert line in shown, f"stage {i + 1}: {line} not on the page"
        if i < len(stages) - 1:
            at.button(key=L.key("next")).click().run()
            assert not at.exception, at.exception


@pytest.mark.parametrize("k", [1, 37, 4821])
@pytest.mark.parametrize("file,L", ALL, ids=[L.prefix for _, L in ALL])
def test_every_line_of_an_exercise_sheet_variant_is_its_arithmetic(file, L, k):
    """A sheet's variant (other weights, words or inputs): its lines, the answer key's source,
    hold as the lesson's own do."""
    from ui import variants
    ctx = variants.make(L, k).ctx
    lines = [line for stage in L.stages(ctx) for line in (stage.lines(ctx) if stage.lines else [])]
    for line in lines:
        check_line(ctx, line)
    assert lines


@pytest.mark.parametrize("file,L", ALL, ids=[L.prefix for _, L in ALL])
def test_presenter_mode_shows_every_line_and_its_box_says_how_many_more(app, file, L):
    """On a projector a stage shows the lines that fit; its "More" box names how many more it
    holds, and they are the rest of the stage's lines."""
    at = open_page(app, file)
    # app.py's toggle: set before every run, as AppTest runs the page without app.py and
    # Streamlit drops the value of a widget's key in a run that does not draw the widget
    at.session_state["presenter"] = True
    at.run()
    ctx = page_ctx(at, L)
    boxes = 0
    for i, stage in enumerate(L.stages(ctx)):
        if i:
            at.session_state["presenter"] = True
            at.button(key=L.key("next")).click().run()
        want = worksheet.render(stage.lines(ctx) if stage.lines else [], 4)
        hidden = [line for line in want if line not in shown_math(at)]
        more = [e.label for e in at.expander if e.label.startswith("More: ")]
        counted = re.findall(r"^More: (\d+) more lines", more[0]) if more else []
        assert counted == ([str(len(hidden))] if hidden else []), (i, more)
        if hidden:
            boxes += 1
            at.session_state["presenter"] = True
            at.session_state[L.key(f"more_open_{i}")] = True
            at.run()
            assert all(line in shown_math(at) for line in want), i
    assert boxes and not at.exception

"""Classroom features through ui/ (issue 7), on the tiny word2vec page: history, URL state,
exports, quiz and the hand-calculation check."""
import csv
import io
import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core import tiny_word2vec as tw
from core.seeds.tiny_word2vec import compare
from tests.conftest import ROOT, open_page, shown_math, shown_table, shown_tables
from ui import export
from ui.format import md_text
from ui import worksheet as ws
from ui.lesson import Ctx, Example
from ui.stepper import Stage

P = tw.README_PARAMS


def page_with_url(**params):
    at = AppTest.from_file(str(ROOT / "pages" / "tiny_word2vec.py"), default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


# --- history --------------------------------------------------------------------------------

def shown_params(at):
    """The parameters of the step on screen: the model's, which are also the last good ones."""
    params = at.session_state["tiny_model"]["params"]
    good = at.session_state["tiny_good"][1]["params"]
    for k in ("E", "W", "b"):
        np.testing.assert_array_equal(good[k], params[k])
    return params


def go_to(at, i):
    """Pick history point i in the History box, then press its "Go"."""
    at.selectbox(key="tiny_scrub").set_value(i)
    [b for b in at.button if b.label == "Go"][0].click().run()
    assert not at.exception


def test_undo_redo_and_scrubber_restore_exact_numbers(app):
    at = open_page(app, "tiny_word2vec.py")
    states = [shown_params(at)["W"].copy()]
    for _ in range(3):
        at.button(key="tiny_take").click().run()
        states.append(shown_params(at)["W"].copy())
    at.button(key="tiny_undo").click().run()
    np.testing.assert_array_equal(shown_params(at)["W"], states[2])
    at.button(key="tiny_undo").click().run()
    np.testing.assert_array_equal(shown_params(at)["W"], states[1])
    at.button(key="tiny_redo").click().run()
    np.testing.assert_array_equal(shown_params(at)["W"], states[2])
    go_to(at, 0)
    np.testing.assert_array_equal(shown_params(at)["W"], P["W"])
    go_to(at, 3)
    np.testing.assert_array_equal(shown_params(at)["W"], states[3])
    assert at.session_state["tiny_model"]["steps"] == 3
    # the numbers on screen follow: the next step's W_new from the restored point
    at.session_state["tiny_stage"] = 4
    at.run()
    step = tw.sgd_step(shown_params(at)["E"], states[3], shown_params(at)["b"], 0, 2, 0.1)
    np.testing.assert_allclose(shown_table(at, "W_new").to_numpy(), step["W_new"], atol=5e-5)


def test_history_cap_drops_oldest_with_a_note(app, monkeypatch):
    from ui import lesson
    monkeypatch.setattr(lesson, "HISTORY_CAP", 3)
    at = open_page(app, "tiny_word2vec.py")
    for _ in range(4):
        at.button(key="tiny_take").click().run()
    assert "oldest were dropped" in " ".join(c.value for c in at.caption)
    assert len(at.session_state["tiny_hist"]["entries"]) == 3
    at.button(key="tiny_reset_params").click().run()
    np.testing.assert_array_equal(shown_params(at)["W"], P["W"])


# --- URL ------------------------------------------------------------------------------------

def test_url_opens_same_stage_and_values():
    at = page_with_url(stage="5", center="cat", target="dog", lr="0.25")
    assert at.session_state["tiny_stage"] == 4
    want = tw.sgd_step(P["E"], P["W"], P["b"], 1, 0, 0.25)
    np.testing.assert_allclose(shown_table(at, "W_new").to_numpy(), want["W_new"], atol=5e-5)
    assert not at.warning
    assert dict(at.query_params) == {"stage": "5", "center": "cat", "target": "dog",
                                     "lr": "0.25", "seed": "0", "decimals": "4"}


@pytest.mark.parametrize("params", [
    {"center": "unicorn"}, {"lr": "nan"}, {"lr": "-1"}, {"lr": "inf"}, {"stage": "99"},
    {"stage": "abc"}, {"stage": "0"}, {"target": "x" * 10_000}, {"lr": "1" * 10_000},
    {"center": "<script>alert(1)</script>"}, {"target": "$\\frac{1}{0}$ **bold** _x_"},
])
def test_hostile_url_falls_back_with_notice(params):
    at = page_with_url(**params)
    notice = " ".join(w.value for w in at.warning)
    assert "could not be used" in notice
    assert at.session_state["tiny_stage"] == 0 or "stage" not in params
    assert at.session_state["tiny_center"] == 0 and at.session_state["tiny_target"] == 2
    assert at.session_state["tiny_lr"] == 0.1 and at.session_state["tiny_good"][0]["lr"] == 0.1
    assert "<script>" not in notice and len(notice) < 1000


def test_hostile_decimals_in_url_fall_back_on_the_app():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["decimals"] = "99"
    at.run()
    assert not at.exception
    assert "could not be used" in " ".join(w.value for w in at.warning)
    assert at.sidebar.slider[0].value == 4


# --- exports --------------------------------------------------------------------------------

def readme_trace():
    return tw.sgd_step(P["E"], P["W"], P["b"], 0, 2, 0.1)


AXES = {"v": (["d0", "d1"], None), "logits": (["dog", "cat", "park"], None),
        "W_new": (["dog", "cat", "park"], ["d0", "d1"])}


def test_csv_export_parses_back_to_the_trace():
    trace = readme_trace()
    rows = list(csv.DictReader(io.StringIO(export.trace_csv(trace, AXES))))
    assert len(rows) == sum(np.size(v) for v in trace.values())
    for r in rows:
        idx = tuple(int(i) for i in r["index"].split("/") if i != "")
        assert float(r["value"]) == float(np.asarray(trace[r["quantity"]])[idx])
    assert {r["row"] for r in rows if r["quantity"] == "W_new"} == {"dog", "cat", "park"}


def readme_ctx(words=tw.VOCAB, decimals=4):
    """The README's step as a page shows it (ui.lesson.Ctx)."""
    from pages.tiny_word2vec import L
    settings = {**L.settings, "vocab": ", ".join(words)}
    ex = Example(P, {"center": 0, "target": 2}, 0.1, {"words": list(words)})
    return Ctx(L, settings, ex, readme_trace(), decimals, 0, 0)


def test_markdown_and_latex_worksheets_hold_the_numbers_and_escape_words():
    words = ["dog", "$x_1 \\ **<script>alert(1)</script>", "park"]
    ctx = readme_ctx(words)
    trace = ctx.trace
    axes = {"W_new": (words, ["d0", "d1"])}
    stages = [Stage("Update", ("W_new", "loss"), (r"\theta - \alpha g",),
                    lambda c: [ws.Line("L", None, ws.val(c.trace, "loss"))])]
    md = export.worksheet_md("Tiny", stages, ctx, axes)
    nums = [float(x) for x in re.findall(r"-?\d+\.\d{4}", md)]
    for x in np.ravel(trace["W_new"]):
        assert round(float(x), 4) in nums
    assert "<script>" not in md and "\\<script\\>" in md
    assert f"{trace['loss']:.4f}" in md
    tex = export.worksheet_tex("Tiny", stages, ctx, axes)
    assert tex.startswith("\\documentclass") and tex.rstrip().endswith("\\end{document}")
    assert "\\$x\\_1 \\textbackslash{}" in tex
    for x in np.ravel(trace["W_new"]):
        assert f"{x:.4f}" in tex


def test_the_markdown_worksheet_holds_every_number_of_a_large_table():
    """The page cuts a large table (with a note); the files hold every number. The character
    MLP's 100 hidden units and its 27 x 100 output gradient, as the LaTeX export does."""
    from ui import cached
    from ui.lessons import by_prefix
    L = by_prefix("char")
    params = L.fresh(dict(L.settings), 0, None)
    ex = L.read(dict(L.settings), params)
    trace = cached.step(L.model, ex.params, ex.example, ex.lr)
    ctx = Ctx(L, dict(L.settings), ex, trace, 4, 0, 0)
    stages = L.stages(ctx)
    axes = L.axes(ctx) if L.axes else {}
    md, tex = (f("Char", stages, ctx, axes) for f in (export.worksheet_md, export.worksheet_tex))
    for name in ("h", "grad_Wy"):
        table = md[md.index(f"| {md_text(name)} |"):].split("\n\n")[0]
        cells = [float(c) for c in re.findall(r"`([^`]*)`", table)]  # 4 decimals, or 1.5e-05
        assert len(cells) == np.size(trace[name]) > 30, name
        np.testing.assert_allclose(cells, np.ravel(trace[name]), rtol=0, atol=0.5e-4 * 1.001)


def test_chart_exports_are_png_and_svg():
    from ui.charts import loss_spec
    chart = loss_spec([1.0, 0.5, 0.25])
    assert export.chart_image(chart, "png")[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in export.chart_image(chart, "svg")


# --- quiz -----------------------------------------------------------------------------------

def submit(at, label):
    [b for b in at.button if b.label == label][0].click().run()


def test_quiz_hides_numbers_until_prediction_then_marks(app):
    at = open_page(app, "tiny_word2vec.py")
    at.toggle(key="tiny_quiz").set_value(True).run()
    assert not shown_tables(at, "logits")
    # Exact logits are about [-0.3273, -0.9441, -0.4481]: two right within 0.01, one wrong.
    at.selectbox(key="tiny_quiz_key_0").set_value("logits").run()
    at.text_input(key="tiny_quiz_text_0").input("-0.33 0.5 -0.45")
    submit(at, "Reveal")
    assert not at.exception
    assert any("2 of 3 right" in s.value for s in at.success)
    marks = [t.value for t in at.table if "mark" in getattr(t.value, "columns", [])][0]
    assert list(marks["mark"]) == ["✓ right", "✗ wrong", "✓ right"]
    assert shown_tables(at, "logits")


def test_quiz_signs(app):
    at = open_page(app, "tiny_word2vec.py")
    at.session_state["tiny_stage"] = 3
    at.toggle(key="tiny_quiz").set_value(True).run()
    at.selectbox(key="tiny_quiz_key_3").set_value("grad_logits").run()
    at.radio(key="tiny_quiz_mode_3").set_value("signs").run()
    at.text_input(key="tiny_quiz_text_3").input("+ - -")  # exact: + + -
    submit(at, "Reveal")
    marks = [t.value for t in at.table if "mark" in getattr(t.value, "columns", [])][0]
    assert list(marks["mark"]) == ["✓ right", "✗ wrong", "✓ right"]


# --- check my hand calculation ----------------------------------------------------------------

def hand_check(at, stage, key, text):
    at.session_state["tiny_stage"] = stage
    at.session_state[f"tiny_hc_open_{stage}"] = True  # drawn only while open
    at.run()
    at.selectbox(key=f"tiny_hc_key_{stage}").set_value(key).run()
    at.text_area(key=f"tiny_hc_text_{stage}").input(text)
    at.button(key=f"tiny_hc_check_{stage}").click().run()
    assert not at.exception
    tables = [t.value for t in at.table if "mark" in getattr(t.value, "columns", [])]
    return list(tables[-1]["mark"]) if tables else []


def test_hand_check_is_drawn_only_while_open(app):
    at = open_page(app, "tiny_word2vec.py")
    assert "tiny_hc_key_0" not in [w.key for w in at.selectbox]   # closed: nothing inside
    at.session_state["tiny_hc_open_0"] = True
    at.run()
    assert "logits" in at.selectbox(key="tiny_hc_key_0").options
    at.text_area(key="tiny_hc_text_0").input("1 2 3").run()
    at.session_state["tiny_hc_open_0"] = False   # closed, then opened again: the text stays
    at.run()
    assert "tiny_hc_text_0" not in [w.key for w in at.text_area]
    at.session_state["tiny_hc_open_0"] = True
    at.run()
    assert at.text_area(key="tiny_hc_text_0").value == "1 2 3"


def test_hand_check_marks_and_points_to_first_wrong(app):
    at = open_page(app, "tiny_word2vec.py")
    # By hand: z = (-0.9937)(0.4141) + (-0.4648)(-0.1088) - 0.5832 = -0.9441 for cat.
    marks = hand_check(at, 0, "logits", "-0.3273, -0.9400, -0.4481")
    assert marks == ["✓ right", "✗ wrong", "✓ right"]
    err = " ".join(e.value for e in at.error).replace("\\", "")  # Markdown escapes
    assert "first is logits[cat]" in err
    assert any("z_{\\text{cat}}" in line for line in shown_math(at))


def test_hand_check_all_right(app):
    at = open_page(app, "tiny_word2vec.py")
    assert hand_check(at, 2, "loss", "1.0070") == ["✓ right"]
    assert any("All checked values are right" in s.value for s in at.success)


@pytest.mark.parametrize("stage,key", [(0, "logits"), (1, "exp"), (1, "probs"), (3, "grad_W"),
                                       (3, "grad_v"), (4, "E_new"), (4, "W_new"), (4, "b_new")])
def test_readme_values_in_hand_check_find_the_readme_slips(app, stage, key):
    at = open_page(app, "tiny_word2vec.py")
    at.session_state["tiny_stage"] = stage
    at.session_state[f"tiny_hc_open_{stage}"] = True  # drawn only while open
    at.run()
    at.selectbox(key=f"tiny_hc_key_{stage}").set_value(key).run()
    at.button(key=f"tiny_hc_load_{stage}_{key}").click().run()
    at.button(key=f"tiny_hc_check_{stage}").click().run()
    marks = [t.value for t in at.table if "mark" in getattr(t.value, "columns", [])][-1]["mark"]
    flagged = [m == "✗ wrong" for m in marks]
    rows = [r for r in compare(readme_trace()) if r["key"].split("[")[0] == key]
    want = [r["off"] for r in rows]
    if key == "E_new":   # only the dog row is printed; the other rows are E itself
        want = want + [False] * 4
    assert flagged == want


def test_follow_again_keeps_what_the_student_explored_one_undo_away(monkeypatch):
    """A student explores on their own (two steps), then follows again: the teacher's model
    replaces theirs as a history point, so Undo (once exploring again) brings back their
    step-2 weights. It used to replace them with no point: Undo went to step 1."""
    from streamlit.runtime.pages_manager import PagesManager

    from ui import classroom
    init = PagesManager.__init__

    def app_py_every_run(self, *a, **k):  # AppTest would run the page file alone after the
        init(self, *a, **k)               # first run, without app.py and its sidebar
        monkeypatch.setattr(PagesManager, "uses_pages_directory", False)
    monkeypatch.setattr(PagesManager, "__init__", app_py_every_run)

    def new(**query):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        for k, v in query.items():
            at.query_params[k] = v
        return at.run()
    teacher = new()
    teacher.sidebar.toggle(key="lead").set_value(True).run()
    teacher.switch_page("pages/tiny_word2vec.py").run()
    code = teacher.session_state["class_lead_code"]
    try:
        student = new(**{"class": code})
        student.button(key="class_detach").click().run()
        student.button(key="tiny_take").click().run()
        student.button(key="tiny_take").click().run()
        explored = student.session_state["tiny_model"]["params"]["E"].copy()
        assert student.session_state["tiny_model"]["steps"] == 2
        teacher.button(key="tiny_next").click().run()
        student.button(key="class_rejoin").click().run()
        assert student.session_state["tiny_model"]["steps"] == 0   # the teacher's
        assert student.session_state["tiny_hist"]["entries"][-1]["label"] == "from the teacher"
        student.button(key="class_detach").click().run()
        student.button(key="tiny_undo").click().run()
        assert not student.exception
        assert student.session_state["tiny_model"]["steps"] == 2
        np.testing.assert_array_equal(student.session_state["tiny_model"]["params"]["E"], explored)
    finally:
        classroom.store().end(code)

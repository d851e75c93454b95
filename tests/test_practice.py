"""Practise and compare: exercise sheets (variants, codes, answer keys), graded predictions,
what if, the learning-rate lens and teacher-locked links. Unit tests recompute every number
with the core module directly; AppTest drives the tiny word2vec page."""
import copy
import csv
import io
import re

import numpy as np
import pytest

from core import tiny_word2vec as tw
from core.common import LR_MIN
from tests.conftest import open_page, parse_table, shown_math, shown_records, shown_table
from ui import cached, compare, grading, locks, variants
from ui.lessons import lessons

PAGE = "tiny_word2vec.py"


@pytest.fixture(scope="module")
def L():
    import pages.tiny_word2vec as page
    return page.L


def tiny_step(k):
    """Sheet k of the tiny lesson, computed with the core alone: the seed's weights rounded
    to 2 decimals (the README's own weights for seed 0), the variant's words."""
    v_settings = variants.settings_for(__import__("pages.tiny_word2vec").tiny_word2vec.L, k)
    P = tw.README_PARAMS if k == 0 else tw.init_params(3, 2, k)
    P = {name: np.round(value, 2) for name, value in P.items()}
    return P, v_settings, tw.sgd_step(P["E"], P["W"], P["b"], v_settings["center"],
                                      v_settings["target"], v_settings["lr"])


def md_tables(markdown):
    """Every Markdown table of a document as (name, DataFrame of floats)."""
    blocks, cur = [], []
    for line in markdown.splitlines():
        if line.startswith("|"):
            cur.append(line)
        elif cur:
            blocks.append("\n".join(cur))
            cur = []
    if cur:
        blocks.append("\n".join(cur))
    return [parse_table(b) for b in blocks if "---:|" in b and "____" not in b]


def sections(markdown):
    """{sheet code: its part of the answer key}."""
    parts = re.split(r"^## Sheet `([^`]+)`$", markdown, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2]))


# --- codes -----------------------------------------------------------------------------------

def test_codes_round_trip(L):
    for k in (0, 1, 4821, variants.MAX_VARIANT):
        code = variants.format_code(L, k)
        assert code == f"tiny_word2vec-{k}"
        assert variants.parse_code(L, code) == k
    assert variants.parse_code(L, "  tiny_word2vec-007 ") == 7


@pytest.mark.parametrize("text,message", [
    ("", "no sheet code"),
    ("cbow-12", "not for this lesson"),
    ("tiny_word2vec-abc", "not a whole number"),
    ("tiny_word2vec-1.5", "not a whole number"),
    ("tiny_word2vec--3", "never negative"),
    ("tiny_word2vec-99999999999999", "too large"),
    ("4821", "not a sheet code"),
    ("x" * 500, "too long"),
    ("tiny_word2vec-٣", "not a whole number"),   # a non-ASCII digit
])
def test_bad_codes_say_why(L, text, message):
    with pytest.raises(ValueError, match=message):
        variants.parse_code(L, text)


# --- variants --------------------------------------------------------------------------------

def test_each_variant_is_reproducible_from_its_code(L):
    for k in (0, 1, 7, 4821, 2**31 - 1):
        a = variants.make(L, variants.parse_code(L, variants.format_code(L, k)))
        b = variants.make(L, k)
        assert a.settings == b.settings
        for key in a.trace:
            np.testing.assert_array_equal(a.trace[key], b.trace[key])


def test_variants_differ_and_inputs_vary(L):
    vs = [variants.make(L, k) for k in range(1, 21)]
    assert len({variants.fingerprint(v.trace) for v in vs}) == 20
    assert len({(v.settings["center"], v.settings["target"]) for v in vs}) > 1


@pytest.mark.parametrize("file,lesson", lessons(), ids=[f for f, _ in lessons()])
def test_variants_have_the_lessons_structure(file, lesson):
    """Any lesson: a variant's Trace has the lesson's keys and shapes, and its stages the
    lesson's quantities; its weights are rounded to 2 decimals."""
    settings = copy.deepcopy(lesson.settings)
    ex = lesson.read(settings, lesson.fresh(settings, 0, None))
    base = cached.step(lesson.model, ex.params, ex.example, ex.lr)
    for k in (1, 2, 99):
        v = variants.make(lesson, k)
        assert list(v.trace) == list(base), file
        for key in base:
            assert np.shape(v.trace[key]) == np.shape(base[key]), (file, key)
        for value in v.params.values():
            arr = np.asarray(value)
            if arr.dtype.kind == "f":
                np.testing.assert_array_equal(arr, np.round(arr, 2))
        ctx0 = variants.make(lesson, 0).ctx
        assert [s.keys for s in lesson.stages(v.ctx)] == [s.keys for s in lesson.stages(ctx0)]


def printed_close(shown, exact, decimals=4):
    """Each shown number is its exact value as printed: within half a unit of the last
    decimal, or of the last significant digit when printed as a × 10^k."""
    shown, exact = np.ravel(shown), np.ravel(np.asarray(exact, dtype=np.float64))
    tol = np.maximum(0.5 * 10.0 ** -decimals, 0.5 * 10.0 ** -(decimals - 1) * np.abs(exact))
    return np.all(np.abs(shown - exact) <= tol + 1e-12)


@pytest.mark.parametrize("file,lesson", lessons(), ids=[f for f, _ in lessons()])
def test_any_lessons_sheet_prints_its_weights_exactly_and_key_its_trace(file, lesson):
    """Every given weight parses back to exactly the number the Trace was computed from;
    every answer parses back to the Trace at the printed decimals; nothing is cut."""
    v = variants.make(lesson, 11)
    stages = lesson.stages(v.ctx)
    asked = tuple(k for s in stages for k in s.keys)
    spec = variants.SheetSpec(11, 1, 0, len(stages) - 1, asked, decimals=4)
    sheet = variants.sheet_md(lesson, v, spec)
    given = dict(md_tables(sheet.split("\n## Stage")[0]))
    assert set(given) == set(v.ctx.params), file
    for name, value in v.ctx.params.items():
        np.testing.assert_array_equal(given[name].to_numpy().ravel(), np.ravel(value),
                                      err_msg=f"{file} {name}")
    answers = dict(md_tables(variants.answers_md(lesson, [v], spec)))
    assert set(answers) == set(asked), file
    for key in asked:
        assert answers[key].size == np.size(v.trace[key]), (file, key)
        assert printed_close(answers[key].to_numpy(), v.trace[key]), (file, key)
    assert sheet.count(f" {variants.BLANK_MD} |") == sum(np.size(v.trace[k]) for k in asked)


def test_variant_weights_are_rounded_before_the_step(L):
    """What the sheet prints is exactly what the Trace is computed from."""
    for k in (0, 3, 12):
        P, settings, want = tiny_step(k)
        v = variants.make(L, k)
        for name in P:
            np.testing.assert_array_equal(v.params[name], P[name])
        for key in want:
            np.testing.assert_array_equal(v.trace[key], want[key])
        md = variants.sheet_md(L, v, variants.SheetSpec(k, 1, 0, 4, ("loss",)))
        given = {name: df for name, df in md_tables(md) if name in P}
        for name, df in given.items():  # parsed back from the sheet: exactly the weights
            np.testing.assert_array_equal(df.to_numpy().reshape(P[name].shape), P[name])


def test_answer_key_equals_the_core_at_the_printed_decimals(L):
    spec = variants.SheetSpec(5, 6, 0, 4, tuple(tw.STEP_KEYS), decimals=4)
    vs, problems = variants.batch(L, spec)
    assert len(vs) == 6 and not [p for p in problems if "cannot" in p]
    key = sections(variants.answers_md(L, vs, spec))
    assert list(key) == [v.code for v in vs]
    for v in vs:
        _, _, want = tiny_step(v.number)
        tables = md_tables(key[v.code])
        assert [name for name, _ in tables] == list(tw.STEP_KEYS)
        for name, df in tables:
            np.testing.assert_allclose(df.to_numpy().ravel(), np.ravel(want[name]), rtol=0,
                                       atol=0.5e-4 + 1e-12, err_msg=f"{v.code} {name}")
        # every worksheet line of the key ends in a value of the Trace
        assert key[v.code].count("$$") >= 2 * 10


def test_sheet_has_a_blank_per_asked_entry_and_the_stage_formulas(L):
    v = variants.make(L, 4)
    spec = variants.SheetSpec(4, 1, 3, 3, ("grad_W", "grad_v"), decimals=4)
    md = variants.sheet_md(L, v, spec)
    assert md.count(f" {variants.BLANK_MD} |") == 6 + 2   # one table cell per entry
    assert r"\frac{\partial L}{\partial z_j} = p_j - y_j" in md
    assert "Stage 4: Backward" in md and "Stage 5" not in md
    tex = variants.sheets_tex(L, [v], spec)
    assert tex.count(variants.BLANK_TEX) == 8
    assert tex.startswith("%") and r"\begin{document}" in tex and tex.rstrip().endswith(
        r"\end{document}")
    # the earlier stages are given (rounded), the asked ones never printed
    names = [n for n, _ in md_tables(md)]
    assert "probs" in names and "loss" in names and "grad_W" not in names


def test_large_sheets_come_in_smaller_batches(L):
    big = dict(lessons())["char_mlp.py"]
    v = variants.make(big, 1)
    stages = big.stages(v.ctx)
    spec = variants.SheetSpec(1, 200, 0, len(stages) - 1,
                              tuple(k for s in stages for k in s.keys))
    with pytest.raises(ValueError, match=r"at most \d+ per batch"):
        variants.check_size(big, spec, v)
    assert variants.check_size(L, variants.SheetSpec(1, 200, 0, 4, tuple(tw.STEP_KEYS))) == 200


def test_sheets_zip_holds_every_sheet_and_the_key(L):
    import zipfile
    spec = variants.SheetSpec(1, 3, 0, 2, ("loss",))
    vs, _ = variants.batch(L, spec)
    z = zipfile.ZipFile(io.BytesIO(variants.sheets_zip(L, vs, spec)))
    assert sorted(z.namelist()) == sorted(
        [f"tiny_word2vec-{k}.{ext}" for k in (1, 2, 3) for ext in ("md", "tex")] +
        ["answers.md", "answers.tex"])


@pytest.mark.parametrize("count,first,asked,message", [
    (0, 1, ("loss",), "choose from 1 to 200"),
    (10_000, 1, ("loss",), "choose from 1 to 200"),
    (-3, 1, ("loss",), "choose from 1 to 200"),
    (5, 2**31 - 2, ("loss",), "beyond"),
    (5, -1, ("loss",), "whole numbers from 0"),
    (5, 1, (), "at least one quantity"),
])
def test_bad_sheet_requests_say_why(L, count, first, asked, message):
    with pytest.raises(ValueError, match=message):
        variants.check_spec(L, variants.SheetSpec(first, count, 0, 4, asked), 5)


# --- what if ---------------------------------------------------------------------------------

def readme_ctx(L, decimals=4):
    from ui.lesson import Ctx
    settings = copy.deepcopy(L.settings)
    ex = L.read(settings, L.fresh(settings, 0, None))
    return Ctx(L, settings, ex, cached.step(L.model, ex.params, ex.example, ex.lr), decimals, 0, 0)


def test_what_if_difference_is_two_traces_subtracted(L):
    ctx = readme_ctx(L)
    P = tw.README_PARAMS
    for change, want in [
        (("lr", 0.5), tw.sgd_step(P["E"], P["W"], P["b"], 0, 2, 0.5)),
        (("setting", "target", compare.parse_setting(L, "target", "cat", ctx.settings)),
         tw.sgd_step(P["E"], P["W"], P["b"], 0, 1, 0.1)),
    ]:
        _, trace2 = compare.what_if(L, ctx, change)
        diffs = compare.trace_diff(ctx.trace, trace2)
        base = tw.sgd_step(P["E"], P["W"], P["b"], 0, 2, 0.1)
        assert [d.key for d in diffs] == list(base)
        for d in diffs:
            delta = np.asarray(want[d.key], float) - np.asarray(base[d.key], float)
            np.testing.assert_array_equal(d.diff, delta)
            assert d.largest == float(np.max(np.abs(delta)))
            np.testing.assert_array_equal(d.mask, delta != 0)
    # another learning rate changes only the updates
    _, trace2 = compare.what_if(L, ctx, ("lr", 0.5))
    moved = {d.key for d in compare.trace_diff(ctx.trace, trace2) if d.n_differ}
    assert moved == {"E_new", "W_new", "b_new"}


def test_what_if_another_seed_replays_the_steps_taken(L):
    ctx0 = readme_ctx(L)
    core = cached.core(L.model)
    # two steps taken from the README's start, the same example each time
    log = [(ctx0.ex.example, 0.1), (ctx0.ex.example, 0.1)]
    model = {"start": ctx0.params, "params": None, "steps": 2, "log": log}
    from ui.lesson import Ctx
    ctx = Ctx(L, ctx0.settings, ctx0.ex, ctx0.trace, 4, 2, 0)
    _, trace2 = compare.what_if(L, ctx, ("seed", 9, model))
    P = tw.init_params(3, 2, 9)
    for _ in range(2):
        P = core.next_params(P, tw.sgd_step(P["E"], P["W"], P["b"], 0, 2, 0.1))
    want = tw.sgd_step(P["E"], P["W"], P["b"], 0, 2, 0.1)
    for key in want:
        np.testing.assert_array_equal(trace2[key], want[key])


@pytest.mark.parametrize("name,text,message", [
    ("lr", "abc", "not a number"),
    ("lr", "-1", "greater than 0|must be a number"),
    ("target", "zebra", "not a word"),
    ("vocab", "dog, cat", "changes the size"),
    ("nope", "1", "no setting"),
])
def test_what_if_bad_values_say_why(L, name, text, message):
    ctx = readme_ctx(L)
    with pytest.raises((ValueError, FloatingPointError), match=message):
        value = compare.parse_setting(L, name, text, ctx.settings)
        compare.what_if(L, ctx, ("setting", name, value))


# --- the learning-rate lens ------------------------------------------------------------------

def test_lens_points_equal_the_core_step_and_loss(L):
    ctx = readme_ctx(L)
    P = tw.README_PARAMS
    rates = compare.lr_range(1e-4, 1e3, 60)
    assert rates[0] == 1e-4 and rates[-1] == 1e3 and np.all(np.diff(np.log(rates)) > 0)
    data = compare.lens(L.model, ctx.params, ctx.ex.example, rates, 3)
    for i in (0, 17, 35, 59):
        lr = rates[i]
        p = P
        losses = []
        for _ in range(3):
            t = tw.sgd_step(p["E"], p["W"], p["b"], 0, 2, lr)
            p = {"E": t["E_new"], "W": t["W_new"], "b": t["b_new"]}
            losses.append(tw.sgd_step(p["E"], p["W"], p["b"], 0, 2, LR_MIN)["loss"])
        assert data["one"][i] == pytest.approx(losses[0], rel=1e-12, abs=1e-300)
        assert data["k"][i] == pytest.approx(losses[2], rel=1e-12, abs=1e-300)
    s = compare.lens_summary(data["lr"], data["one"], ctx.trace["loss"])
    finite = np.isfinite(data["one"])
    assert s["best"] == rates[np.argmin(np.where(finite, data["one"], np.inf))]
    over = np.flatnonzero(finite & (data["one"] > ctx.trace["loss"]))
    assert s["overshoot"] == rates[over[0]]
    assert data["one"][0] < ctx.trace["loss"]   # a tiny rate always helps a little


def test_lens_drops_and_reports_diverging_rates(L, monkeypatch):
    """A step that overflows (here: any rate above 10, as a core reports it) is a point left
    out of the curve and counted."""
    ctx = readme_ctx(L)
    real = cached.step

    def step(model, params, example, lr):
        if lr > 10:
            raise FloatingPointError("the step overflowed: E_new not finite")
        return real(model, params, example, lr)
    monkeypatch.setattr(cached, "step", step)
    rates = compare.lr_range(1e-2, 1e3, 11)      # 1e-2, 10^-1.5, ..., 1e3
    data = compare.lens(L.model, ctx.params, ctx.ex.example, rates, 2)
    finite = np.isfinite(data["one"])
    np.testing.assert_array_equal(finite, rates <= 10)
    s = compare.lens_summary(data["lr"], data["one"], ctx.trace["loss"])
    assert s["dropped"] == int((rates > 10).sum()) and s["diverged"] == rates[rates > 10][0]
    from ui.practice import lens_sentences, lens_spec
    drawn = lens_spec(data, 0.1, ctx.trace["loss"], 2)["layer"][0]["data"]["values"]
    assert all(np.isfinite(p["loss"]) for p in drawn)
    assert len(drawn) == int(np.isfinite(data["one"]).sum() + np.isfinite(data["k"]).sum())
    assert "diverge" in lens_sentences(s, ctx.trace["loss"], "After one step", 4)


@pytest.mark.parametrize("lo,hi,n,message", [
    ("1e-2", "1e-2", 60, "empty"),
    ("1", "1e-3", 60, "reversed"),
    ("nan", "1", 60, "not a finite number"),
    ("1e-4", "inf", 60, "not a finite number"),
    ("", "1", 60, "empty"),
    ("abc", "1", 60, "not a number"),
    ("0", "1", 60, "from 1e-12"),
    ("1e-4", "1e3", 1, "number of points"),
    ("1e-4", "1e3", 10_000, "number of points"),
])
def test_bad_lens_ranges_say_why(lo, hi, n, message):
    with pytest.raises(ValueError, match=message):
        compare.lr_range(compare.parse_rate(lo, "the start"), compare.parse_rate(hi, "the end"),
                         n)


# --- grading and locks -----------------------------------------------------------------------

def test_grading_right_close_wrong_and_the_summary():
    v = grading.grade(np.array([1.004, 1.05, 2.0, np.nan]), [1.0, 1.0, 1.0, 1.0], 0.01)
    assert v == ["right", "close", "wrong", None]
    assert grading.grade_signs(np.array([1.0, -1.0, np.nan]), [0.3, 0.2, 1]) == \
        ["right", "wrong", None]
    records = [{"step": 1, "stage": "1. Forward", "quantity": "logits", "entry": f"logits[{i}]",
                "predicted": "values", "yours": "1", "exact": "1.0", "verdict": x}
               for i, x in enumerate(v[:3])]
    assert "1 right" in grading.score_line(records) and "1 close" in grading.score_line(records)
    rows = list(csv.DictReader(io.StringIO(grading.summary_csv(records))))
    assert [r["verdict"] for r in rows] == ["right", "close", "wrong"]
    assert "1 right, 1 close, 1 wrong of 3" in grading.summary_md(records)


def test_lock_names_known_and_unknown(L):
    known, unknown = locks.parse(L, "lr, weights,,colour,train,lr")
    assert known == ["lr", "weights", "train"] and unknown == ["colour"]
    assert locks.parse(L, "center,target,vocab,quiz,history,whatif,lens,exercises")[1] == []
    with pytest.raises(ValueError, match="too long"):
        locks.parse(L, "x," * 1000)
    assert locks.link("/tiny_word2vec", {"lock": "lr,weights", "stage": "2"}) == \
        "/tiny_word2vec?lock=lr,weights&stage=2"


# --- the page (AppTest) ----------------------------------------------------------------------

def open_with(app, **query):
    for k, v in query.items():
        app.query_params[k] = v
    return open_page(app, PAGE)


def open_panel(at, name):
    at.session_state[f"tiny_{name}_open"] = True
    at.run()
    assert not at.exception, at.exception
    return at


def test_lock_lr_disables_the_learning_rate_widget(app):
    at = open_with(app, lock="lr,colour")
    lr = at.number_input(key="tiny_lr")
    assert lr.disabled and lr.help == locks.LOCK_HELP
    assert not at.selectbox(key="tiny_center").disabled
    assert not at.button(key="tiny_take").disabled
    notice = " ".join(w.value for w in at.warning)
    assert "colour" in notice and "lock" in notice
    # the lock holds for the session, and stays in the address bar
    at.button(key="tiny_next").click().run()
    at.button(key="tiny_take").click().run()
    assert at.number_input(key="tiny_lr").disabled
    assert at.query_params["lock"] in ("lr", ["lr"])


def test_lock_weights_and_hide_parts(app):
    at = open_with(app, lock="weights", hide="train,whatif,lens,history")
    assert at.button(key="tiny_new_init").disabled and at.button(key="tiny_reset_params").disabled
    labels = [e.label for e in at.expander]
    assert "What if…" not in labels and "Learning-rate lens" not in labels
    assert "Share this lesson" in labels and "For teachers: exercise sheets" in labels
    keys = [b.key for b in at.button]
    assert "tiny_train" not in keys and "tiny_undo" not in keys


def test_variant_link_opens_exactly_that_variant(app, L):
    at = open_with(app, variant="tiny_word2vec-3", stage="2")
    v = variants.make(L, 3)
    model = at.session_state["tiny_model"]
    for name in v.params:
        np.testing.assert_array_equal(model["params"][name], v.params[name])
    assert at.session_state["tiny_center"] == v.settings["center"]
    assert at.session_state["tiny_target"] == v.settings["target"]
    np.testing.assert_allclose(shown_table(at, "probs").to_numpy().ravel(), v.trace["probs"],
                               atol=0.5e-4 + 1e-12)
    assert at.query_params["variant"] in ("tiny_word2vec-3", ["tiny_word2vec-3"])
    assert not at.warning


@pytest.mark.parametrize("code,message", [("cbow-3", "not for this lesson"),
                                          ("tiny_word2vec-x", "not a whole number"),
                                          ("tiny_word2vec-1" + "0" * 20, "too large")])
def test_bad_variant_link_keeps_the_lesson_start(app, code, message):
    at = open_with(app, variant=code)
    notice = " ".join(w.value for w in at.warning).replace("\\", "")
    assert "variant" in notice and message in notice
    np.testing.assert_array_equal(at.session_state["tiny_model"]["params"]["E"],
                                  tw.README_PARAMS["E"])


def hand_check(at, stage, key, text, code):
    at.session_state["tiny_stage"] = stage
    at.session_state[f"tiny_hc_open_{stage}"] = True  # drawn only while open
    at.run()
    at.selectbox(key=f"tiny_hc_key_{stage}").set_value(key).run()
    at.text_area(key=f"tiny_hc_text_{stage}").input(text)
    at.text_input(key="tiny_hc_code").input(code)
    at.button(key=f"tiny_hc_check_{stage}").click().run()
    assert not at.exception, at.exception
    tables = [t.value for t in at.table if "mark" in getattr(t.value, "columns", [])]
    return list(tables[-1]["mark"]) if tables else []


def test_hand_check_with_a_sheet_code(app, L):
    at = open_page(app, PAGE)
    v = variants.make(L, 12)
    probs = " ".join(f"{x:.4f}" for x in v.trace["probs"])
    assert hand_check(at, 1, "probs", probs, "tiny_word2vec-12") == ["✓ right"] * 3
    assert any("tiny_word2vec-12" in c.value for c in at.caption)
    # the same numbers against the step shown (the README's) are wrong
    assert "✗ wrong" in hand_check(at, 1, "probs", probs, "")
    # a wrong code: a message, nothing checked, the typed numbers kept
    assert hand_check(at, 1, "probs", probs, "cbow_torch-12") == []
    errors = " ".join(e.value for e in at.error).replace("\\", "")
    assert "not for this lesson" in errors
    assert at.text_area(key="tiny_hc_text_1").value == probs


def test_a_sheets_numbers_are_checked_when_the_shown_step_has_other_sizes(app, L):
    """Five words on the page, a sheet of three: the table is the sheet's (its labels and
    values), not a traceback (the labels were taken from the step shown)."""
    at = open_page(app, PAGE)
    at.session_state["tiny_vocab_open"] = True  # the words' box, drawn only while open
    at.run()
    at.text_input(key="tiny_vocab").input("a, b, c, d, e").run()
    assert at.session_state["tiny_model"]["params"]["E"].shape[0] == 5 and not at.error
    v = variants.make(L, 1)
    probs = " ".join(f"{x:.4f}" for x in v.trace["probs"])
    assert hand_check(at, 1, "probs", probs, "tiny_word2vec-1") == ["✓ right"] * len(
        v.trace["probs"]) != []


def test_quiz_grades_right_close_wrong_and_keeps_a_score(app):
    at = open_page(app, PAGE)
    at.toggle(key="tiny_quiz").set_value(True).run()
    at.selectbox(key="tiny_quiz_key_0").set_value("logits").run()
    # exact ≈ [-0.3273, -0.9441, -0.4481]: right, close (within 0.1), wrong
    at.text_input(key="tiny_quiz_text_0").input("-0.33 -0.9 0.5")
    [b for b in at.button if b.label == "Reveal"][0].click().run()
    assert not at.exception
    assert any("1 of 3 right, 1 close" in s.value for s in at.success)
    marks = [t.value for t in at.table if "mark" in getattr(t.value, "columns", [])][0]
    assert list(marks["mark"]) == ["✓ right", "≈ close", "✗ wrong"]
    latex = " ".join(shown_math(at))
    assert r"z_{\text{cat}}" in latex and r"z_{\text{park}}" in latex
    assert any("1 right" in m.value and "of 3" in m.value for m in at.markdown)
    records = at.session_state["tiny_quiz_score"]
    assert [r["verdict"] for r in records] == ["right", "close", "wrong"]
    keys = [d.proto.id for d in at.get("download_button")] if at.get("download_button") else []
    assert any("tiny_quiz_dl_csv" in k for k in keys)


def test_exercises_panel_makes_sheets_and_refuses_bad_counts(app):
    at = open_panel(open_page(app, PAGE), "exercises")
    for n, message in ((0, "choose from 1 to 200"), (10_000, "choose from 1 to 200")):
        at.number_input(key="tiny_ex_n").set_value(n).run()
        at.button(key="tiny_ex_make").click().run()
        assert not at.exception
        assert message in " ".join(e.value for e in at.error).replace("\\", "")
    at.number_input(key="tiny_ex_n").set_value(3).run()
    at.number_input(key="tiny_ex_first").set_value(40).run()
    at.button(key="tiny_ex_make").click().run()
    assert not at.error
    assert any("tiny_word2vec-40" in s.value and "tiny_word2vec-42" in s.value
               for s in at.success)
    ids = " ".join(d.proto.id for d in at.get("download_button"))
    for name in ("sheets.md", "sheets.tex", "answers.md", "answers.tex", "sheets.zip"):
        assert f"tiny_ex_dl_{name}" in ids
    # a bad count afterwards: a message, the sheets made stay
    at.number_input(key="tiny_ex_n").set_value(0).run()
    at.button(key="tiny_ex_make").click().run()
    assert at.error and any("tiny_word2vec-40" in s.value for s in at.success)


def test_open_a_sheet_in_the_page_and_undo(app, L):
    at = open_panel(open_page(app, PAGE), "exercises")
    at.text_input(key="tiny_ex_open_code").input("tiny_word2vec-5")
    [b for b in at.button if b.label == "Open"][0].click().run()
    assert not at.exception
    np.testing.assert_array_equal(at.session_state["tiny_model"]["params"]["W"],
                                  variants.make(L, 5).params["W"])
    at.button(key="tiny_undo").click().run()
    np.testing.assert_array_equal(at.session_state["tiny_model"]["params"]["W"],
                                  tw.README_PARAMS["W"])


def test_what_if_panel_table(app):
    at = open_panel(open_page(app, PAGE), "whatif")
    at.text_input(key="tiny_wi_lr").input("0.5").run()
    assert not at.exception and not at.error
    rows = {r["quantity"]: r for r in shown_records(at, "quantity")}
    P = tw.README_PARAMS
    a = tw.sgd_step(P["E"], P["W"], P["b"], 0, 2, 0.1)
    b = tw.sgd_step(P["E"], P["W"], P["b"], 0, 2, 0.5)
    largest = float(np.max(np.abs(b["W_new"] - a["W_new"])))
    assert rows["W_new"]["largest |difference|"] == f"{largest:.4f}"
    assert rows["W_new"]["entries that differ"] == "6 of 6"
    assert rows["loss"]["largest |difference|"] == "0 (the same)"
    at.text_input(key="tiny_wi_lr").input("-2").run()
    assert "No comparison" in " ".join(e.value for e in at.error)


def test_lens_panel_messages_for_bad_ranges(app):
    at = open_panel(open_page(app, PAGE), "lens")
    assert any("lowest loss" in m.value for m in at.markdown)
    for lo, hi, message in (("1e3", "1e-4", "reversed"), ("0.1", "0.1", "empty"),
                            ("nan", "1", "not a finite number")):
        at.text_input(key="tiny_lens_lo").input(lo)
        at.text_input(key="tiny_lens_hi").input(hi).run()
        assert not at.exception
        assert message in " ".join(e.value for e in at.error), (lo, hi)


def test_share_box_builds_a_locked_link(app):
    at = open_panel(open_page(app, PAGE), "share")
    at.checkbox(key="tiny_share_lock_lr").check().run()
    at.checkbox(key="tiny_share_hide_train").check().run()
    link = at.code[-1].value
    assert link.startswith("/tiny_word2vec?") or "/tiny_word2vec?" in link
    assert "lock=lr" in link and "hide=train" in link and "center=dog" in link

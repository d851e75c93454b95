"""Manual backprop, CBOW from raw text and torch CBOW in Chromium: every stage's numbers
against the core, the learning rate, the last stage; and two sessions that must not share
their stage or their numbers.

Expected values come from the core called with the pages' default inputs (the values the
pages put into session state on a fresh session), never from the screen.
"""
import re
from typing import Callable, NamedTuple

import numpy as np
import pytest
from google.protobuf.message import DecodeError
from playwright.sync_api import expect
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from core import cbow_mlp as cm
from core import cbow_torch as ct
from core import corpus
from core.seeds import cbow as cbow_notes
from core import manual_backprop as mb
from core import tiny_word2vec as tw
from tests.e2e.conftest import RUN_END_MS, alerts, exceptions, new_context, open_app, screenshot, \
    table, tables, wait_idle
from ui.mathtex import UNTYPESET

pytestmark = pytest.mark.browser

SHOWN = 0.5e-4 + 1e-9        # a value shown with 4 decimals is within half a unit of the 4th
# 4 decimals, or 4 significant digits when that would hide the value (ui.format.num)
FOUR_DECIMALS = re.compile(r"^-?(\d+\.\d{4}|\d\.\d{3}e[+-]\d{2,})$")
WJ = "\u2060"                # the invisible word joiner ui.format.md_text puts after ':'


class Lesson(NamedTuple):
    path: str                # URL path
    prefix: str              # the page's key prefix
    stages: list             # [(title, trace keys shown as tables)]
    axes: dict               # key -> (row labels, or None for one unlabeled row; column labels)
    step: Callable           # lr -> the core's Trace at the page's defaults
    lr0: float               # the page's default learning rate
    lr1: float               # another learning rate the tests set
    lr_input: str            # the learning-rate box's key
    lr_format: str           # how that box shows its value

    @property
    def next(self):
        return f".st-key-{self.prefix}_next button"

    @property
    def prev(self):
        return f".st-key-{self.prefix}_prev button"

    @property
    def current(self):
        return f".st-key-{self.prefix}_current"

    @property
    def ready(self):
        return f".st-key-{self.prefix}_next"

    def update_keys(self):
        return self.stages[-1][1]


def dims(d):
    return [f"d{i}" for i in range(d)]


# --- manual backprop: the seed's sentence, word 4, d = 10, seed 0, lr 1.0 ------------------------

MB_VOCAB = mb.vocab_first_appearance(" ".join(mb.SEED_WORDS).lower().split())
MB_DIM, MB_SEED, MB_WORD = 10, 0, 4
MB_PARAMS = mb.init_params(len(MB_VOCAB), MB_DIM, MB_SEED)
MB_EMB, MB_LIN = MB_PARAMS["embedding"], MB_PARAMS["linear"]
MB = Lesson(
    "manual_backprop", "mb",
    [("Forward", ("e", "x", "o", "loss")), ("dL/do", ("dL_do",)), ("dL/dx", ("dL_dx",)),
     ("dL/de", ("dL_de",)), ("Update", ("embedding_new",))],
    {"e": (None, dims(MB_DIM)), "x": (None, MB_VOCAB), "o": (None, MB_VOCAB),
     "loss": (None, ["value"]), "dL_do": (None, MB_VOCAB), "dL_dx": (None, MB_VOCAB),
     "dL_de": (None, dims(MB_DIM)), "embedding_new": (MB_VOCAB, dims(MB_DIM))},
    lambda lr: mb.step(MB_EMB, MB_LIN, MB_WORD, lr), 1.0, 0.25, "mb_lr",
    "{:g}")  # the framework's learning-rate box shows %g

# --- CBOW from raw text: the course's sentence, C = 2, N = 3, window 0, course weights ----------

COURSE_TEXT = "I am happy because I am learning"
CB_TOKENS = corpus.tokenize(COURSE_TEXT)
CB_VOCAB = corpus.build_vocab(CB_TOKENS)
CB_C, CB_WINDOW = 2, 0
CB_WINDOWS = corpus.windows(CB_TOKENS, CB_C)
CB_CONTEXT, CB_CENTER = CB_WINDOWS[CB_WINDOW]
CB_X, CB_Y = corpus.context_vector(CB_CONTEXT, CB_VOCAB), corpus.one_hot(CB_CENTER, CB_VOCAB)
HID = [f"h{i}" for i in range(cm.COURSE_PARAMS["W1"].shape[0])]
CBOW = Lesson(
    "cbow", "cbow",
    [("Tokens", ()), ("Vocabulary", ()), ("Windows", ()), ("One-hot and average", ("x", "y")),
     ("Forward", ("z1", "h", "z2")), ("Softmax and loss", ("y_hat", "loss")),
     ("Backward", ("grad_z2", "grad_W2", "grad_b2", "grad_h", "grad_z1", "grad_W1", "grad_b1")),
     ("Update", ("W1_new", "b1_new", "W2_new", "b2_new"))],
    {**{k: (None, CB_VOCAB) for k in ("x", "y", "z2", "y_hat", "grad_z2", "grad_b2", "b2_new")},
     **{k: (None, HID) for k in ("z1", "h", "grad_h", "grad_z1", "grad_b1", "b1_new")},
     "loss": (None, ["value"]), "grad_W1": (HID, CB_VOCAB), "W1_new": (HID, CB_VOCAB),
     "grad_W2": (CB_VOCAB, HID), "W2_new": (CB_VOCAB, HID)},
    lambda lr: cm.sgd_step(cm.COURSE_PARAMS, CB_X, CB_Y, lr), cm.DEFAULT_LR, 0.5, "cbow_lr",
    "{:g}")  # the framework's learning-rate box shows %g
# The course notes' printed numbers each stage sets beside the exact ones (stage index -> keys),
# in the order the notes print them.
CB_COURSE_KEYS = {3: ("x", "y"), 4: ("z1", "h", "z2"), 5: ("y_hat", "loss"),
                  6: ("grad_W1", "grad_W2", "grad_b1", "grad_b2")}

# --- torch CBOW: quick, brown, jumps, over -> fox, d = 5, seed 0, lr 0.01 -----------------------

CT_VOCAB = list(ct.VOCAB)
CT_DIM, CT_SEED = 5, 0
CT_PARAMS = ct.init_params(len(CT_VOCAB), CT_DIM, CT_SEED)
CT_E, CT_W, CT_B = CT_PARAMS["E"], CT_PARAMS["W"], CT_PARAMS["b"]
CT_CONTEXT = [CT_VOCAB.index(w) for w in ct.DEFAULT_CONTEXT]
CT_TARGET = CT_VOCAB.index(ct.DEFAULT_TARGET)
CBOWT = Lesson(
    "cbow_torch", "cbowt",
    [("Context vectors", ("context_vectors",)), ("Forward", ("h", "logits")),
     ("Softmax and loss", ("probs", "loss")),
     ("Backward", ("grad_logits", "grad_W", "grad_b", "grad_h", "grad_E")),
     ("Update", ("E_new", "W_new", "b_new"))],
    {"context_vectors": ([f"{i + 1}: {w}" for i, w in enumerate(ct.DEFAULT_CONTEXT)],
                         dims(CT_DIM)),
     **{k: (None, dims(CT_DIM)) for k in ("h", "grad_h")},
     **{k: (None, CT_VOCAB) for k in ("logits", "probs", "grad_logits", "grad_b", "b_new")},
     **{k: (CT_VOCAB, dims(CT_DIM)) for k in ("grad_W", "grad_E", "E_new", "W_new")},
     "loss": (None, ["value"])},
    lambda lr: ct.sgd_step(CT_E, CT_W, CT_B, CT_CONTEXT, CT_TARGET, lr), ct.SEED_LR, 0.5,
    "cbowt_lr", "{:g}")  # the framework's learning-rate box shows %g

# --- tiny word2vec (for the session test): the README's example, cat... -> dog, lr 0.1 --------

TW_WORDS, TW_DIMS = list(tw.VOCAB), dims(2)
TINY = Lesson(
    "tiny_word2vec", "tiny",
    [("Forward", ("v", "logits")), ("Softmax", ("exp", "sum_exp", "probs")), ("Loss", ("loss",)),
     ("Backward", ("grad_logits", "grad_W", "grad_b", "grad_v")),
     ("Update", ("E_new", "W_new", "b_new"))],
    {**{k: (None, TW_DIMS) for k in ("v", "grad_v")},
     **{k: (None, TW_WORDS) for k in ("logits", "exp", "probs", "grad_logits", "grad_b",
                                      "b_new")},
     **{k: (None, ["value"]) for k in ("sum_exp", "loss")},
     **{k: (TW_WORDS, TW_DIMS) for k in ("grad_W", "E_new", "W_new")}},
    lambda lr: tw.sgd_step(tw.README_PARAMS["E"], tw.README_PARAMS["W"], tw.README_PARAMS["b"],
                           0, 2, lr), tw.README_LR, 0.5, "tiny_lr", "{:g}")


# --- helpers ------------------------------------------------------------------------------------

def assert_table(page, lesson, name, want):
    """The current stage's table `name` shows `want` (4 decimals) under the right labels."""
    cols, rows = table(page, name, lesson.current)
    row_labels, col_labels = lesson.axes[name]
    assert [c.replace(WJ, "") for c in cols] == col_labels, (name, cols)
    assert [r.replace(WJ, "") for r in rows] == (row_labels or [""]), (name, list(rows))
    for cells in rows.values():
        assert all(FOUR_DECIMALS.match(c) for c in cells), (name, cells)
    values = np.array([[float(c) for c in cells] for cells in rows.values()])
    want = np.asarray(want, dtype=np.float64)
    np.testing.assert_allclose(values, want.reshape(values.shape), rtol=0, atol=SHOWN,
                               err_msg=name)


def stage_title(page, lesson):
    return page.locator(f"{lesson.current} h3").first.text_content().strip()


def shown_lr(page):
    """The learning rate in the page's step heading ('… α = 0.03')."""
    heading = page.locator("h4").filter(has_text="α =").first.text_content()
    return float(re.search(r"α = (\S+)", heading).group(1))


def assert_stage(page, lesson, i, trace):
    """Stage i (0-based) is the current one and every number table in it matches `trace`."""
    title, keys = lesson.stages[i]
    assert stage_title(page, lesson) == f"Stage {i + 1} of {len(lesson.stages)}: {title}"
    for k in keys:
        assert_table(page, lesson, k, trace[k])
    named = {t["name"] for t in tables(page, lesson.current) if t["visible"]}
    assert named & set(trace) == set(keys), (title, named)   # no quantity left unchecked
    if keys:
        assert "equals torch autograd" in page.locator(lesson.current).text_content()
    # every formula of the stage typeset by KaTeX (ui/mathtex.py), none failed
    formulas = page.locator(f"{lesson.current} .tex")
    expect(page.locator(f"{lesson.current} {UNTYPESET}")).to_have_count(0)
    assert formulas.count() == page.locator(f"{lesson.current} .tex .katex-display").count()
    assert not page.locator(f"{lesson.current} .katex-error").count()
    assert not exceptions(page), exceptions(page)
    assert not alerts(page), alerts(page)


def go(page, lesson, button, i):
    """Click Next / Prev and wait until stage i (0-based) is the current one and the run is
    over. (On a busy machine a run may start later than wait_idle's first look, so the wait
    is for what the click must show.)"""
    page.locator(button).click()
    expect(page.locator(f"{lesson.current} h3").first).to_have_text(
        f"Stage {i + 1} of {len(lesson.stages)}: {lesson.stages[i][0]}", timeout=RUN_END_MS)
    wait_idle(page)


def set_lr(page, lesson, lr):
    """Type a learning rate into the page's box, press Enter, wait for the page to use it."""
    box = page.locator(f".st-key-{lesson.lr_input} input")
    box.fill(str(lr))
    box.press("Enter")
    expect(page.locator("h4").filter(has_text="α =").first).to_have_text(
        re.compile(rf"α = {re.escape(f'{lr:g}')}$"), timeout=RUN_END_MS)
    wait_idle(page)
    expect(box).to_have_value(lesson.lr_format.format(lr))


def full_run_finished(payload):
    """True for the server's message that a whole-script run (not a fragment's) has ended."""
    if isinstance(payload, str):
        return False
    msg = ForwardMsg()
    try:
        msg.ParseFromString(payload)
    except DecodeError:
        return False
    return (msg.WhichOneof("type") == "script_finished"
            and msg.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY)


def open_lesson(page, server, lesson):
    """Open the lesson; returns the session's websocket (to see its runs end)."""
    with page.expect_websocket(lambda ws: "_stcore/stream" in ws.url) as socket:
        open_app(page, server, lesson.path, lesson.ready)
    return socket.value


def rerun(page, socket):
    """Rerun the whole script from the browser (Streamlit's 'R' shortcut), changing nothing,
    and wait for the server to say the run has finished. (A quick run can end before the
    page ever shows the 'running' state, so the run counter may not see it.)"""
    page.locator("h1").first.click()        # focus on the page body, not in a widget
    with socket.expect_event("framereceived", full_run_finished,
                             timeout=RUN_END_MS):
        page.keyboard.press("r")
    wait_idle(page, expect_run=False)


def assert_changes_with_lr(lesson, keys):
    """Guard: the second learning rate moves every update table by more than the rounding."""
    a, b = lesson.step(lesson.lr0), lesson.step(lesson.lr1)
    for k in keys:
        assert np.max(np.abs(np.asarray(a[k]) - np.asarray(b[k]))) > 20 * SHOWN, k


# --- CBOW's text stages and the course notes' numbers -------------------------------------------

def raw_table(page, lesson, name):
    found = [t for t in tables(page, lesson.current) if t["name"] == name and t["visible"]]
    assert len(found) == 1, (name, len(found))
    return found[0]["cols"], [[c.strip() for c in r] for r in found[0]["rows"]]


def course_rows(trace, keys):
    """(label, printed, exact, printed decimals, sizes) per number the page sets beside the
    notes', labelled with the table's row / column names; printed / exact are None where the
    notes print another shape (sizes: the notes' count and ours)."""
    out = []
    for key in (k for k in cbow_notes.COURSE_PRINTED if k in keys):
        printed, dec = cbow_notes.COURSE_PRINTED[key]
        printed, ours = np.ravel(np.asarray(printed, dtype=np.float64)), np.ravel(trace[key])
        if printed.shape != ours.shape:
            out.append((key, None, None, dec, (printed.size, ours.size)))
            continue
        rows, cols = CBOW.axes[key]
        names = [rows, cols] if rows is not None else [cols]
        shape = np.shape(trace[key])
        for flat, (p, x) in enumerate(zip(printed, ours)):
            idx = ", ".join(n[j] for n, j in zip(names, np.unravel_index(flat, shape)))
            out.append((f"{key}[{idx}]" if shape else key, p, x, dec, None))
    return out


def assert_course_table(page, trace, keys, decimals=4):
    """The course table: the notes' value to its printed decimals, ours to 2 more than shown
    (or printed), the difference to its 2 significant digits, the rounding that explains up to
    half a unit of the printed last digit, and a verdict that follows from them."""
    cols, rows = raw_table(page, CBOW, "quantity")
    assert cols == ["printed", "exact", "difference", "rounding explains up to", "verdict"]
    want = course_rows(trace, keys)
    assert [r[0].replace(WJ, "") for r in rows] == [w[0] for w in want]
    offs = 0
    for (label, p, x, dec, sizes), (_, notes, exact, diff, tol, verdict) in zip(want, rows):
        assert abs(float(tol) - 0.5 * 10.0 ** -dec) <= 0.05 * 0.5 * 10.0 ** -dec, (label, tol)
        if p is None:                                    # the notes print another shape
            assert (notes, exact, diff) == ("shape", "shape", "shape"), label
            assert verdict.startswith("off") and \
                f"print {sizes[0]} numbers for {sizes[1]} entries" in verdict, (label, verdict)
            offs += 1
            continue
        shown = max(decimals, dec) + 2
        assert abs(float(notes) - p) <= 0.5 * 10.0 ** -dec + 1e-12, (label, notes, p)
        assert len(exact.split(".")[1]) == shown, (label, exact)
        assert abs(float(exact) - x) <= 0.5 * 10.0 ** -shown + 1e-12, (label, exact, x)
        assert abs(float(diff) - (p - x)) <= 0.05 * abs(p - x), (label, diff, p - x)
        off = abs(p - x) > 0.5 * 10.0 ** -dec + 1e-12
        assert verdict.startswith("off") if off else verdict.startswith("right"), (label, verdict)
        offs += off
    return offs


def check_cbow_extras(page, i, trace):
    """What CBOW shows besides the trace tables: tokens, vocabulary, windows, one-hots, and the
    course notes' printed numbers beside the exact ones."""
    text = page.locator(CBOW.current).text_content()
    if i == 0:
        assert f"{len(CB_TOKENS)} tokens: " + ", ".join(CB_TOKENS) in text
    if i == 1:
        assert raw_table(page, CBOW, "index") == (["word"], [[str(j), w] for j, w in
                                                              enumerate(CB_VOCAB)])
    if i == 2:
        assert raw_table(page, CBOW, "window") == (
            ["context words", "center word"],
            [[("▶ " if j == CB_WINDOW else "") + str(j), ", ".join(ctx), center]
             for j, (ctx, center) in enumerate(CB_WINDOWS)])
    if i == 3:
        cols, rows = raw_table(page, CBOW, "context word")
        assert cols == CB_VOCAB
        assert [r[0] for r in rows] == list(CB_CONTEXT)
        np.testing.assert_array_equal([[float(c) for c in r[1:]] for r in rows],
                                      [corpus.one_hot(w, CB_VOCAB) for w in CB_CONTEXT])
    if i in CB_COURSE_KEYS:
        offs = assert_course_table(page, trace, CB_COURSE_KEYS[i])
        if i == 6:      # the notes' grad_W1 is wrong and their "Grad b1" has 5 numbers
            assert offs >= 2
            assert "Common mistake in the CBOW course notes" in text
    else:
        assert not [t for t in tables(page, CBOW.current) if t["name"] == "quantity"]


# --- each lesson: click through, then change the learning rate on the last stage ---------------

@pytest.mark.parametrize("lesson", [MB, CBOW, CBOWT], ids=lambda x: x.path)
def test_every_stage_then_learning_rate(page, server, lesson):
    open_app(page, server, lesson.path, lesson.ready)
    trace = lesson.step(lesson.lr0)
    expect(page.locator(f".st-key-{lesson.lr_input} input")).to_have_value(
        lesson.lr_format.format(lesson.lr0))
    expect(page.locator(lesson.prev)).to_be_disabled()
    last = len(lesson.stages) - 1
    for i, (title, _) in enumerate(lesson.stages):
        assert_stage(page, lesson, i, trace)
        if lesson is CBOW:
            check_cbow_extras(page, i, trace)
        slug = re.sub(r"\W+", "_", title.lower())
        screenshot(page, f"{lesson.path}_stage{i + 1}_{slug}")
        if i < last:
            expect(page.locator(lesson.next)).to_be_enabled()
            go(page, lesson, lesson.next, i + 1)
    expect(page.locator(lesson.next)).to_be_disabled()
    assert f"stage={last + 1}" in page.url
    assert shown_lr(page) == lesson.lr0

    # A new learning rate: the update stage shows the core's numbers for it.
    assert_changes_with_lr(lesson, lesson.update_keys())
    set_lr(page, lesson, lesson.lr1)
    new = lesson.step(lesson.lr1)
    assert_stage(page, lesson, last, new)
    assert shown_lr(page) == lesson.lr1
    assert f"lr={lesson.lr1}" in page.url
    expect(page.locator(lesson.next)).to_be_disabled()
    screenshot(page, f"{lesson.path}_update_lr_{lesson.lr1}")


# --- two sessions side by side ------------------------------------------------------------------

@pytest.mark.parametrize("lesson", [TINY, MB], ids=lambda x: x.path)
def test_sessions_keep_their_own_stage_and_numbers(browser, server, lesson):
    """Session B goes to the update stage at the default learning rate; session A sets another
    learning rate and walks to other stages. After every action of one, the other still shows
    its own stage and numbers: re-read as they are, and again after a full rerun."""
    assert_changes_with_lr(lesson, lesson.update_keys())
    last = len(lesson.stages) - 1
    ta, tb = lesson.step(lesson.lr1), lesson.step(lesson.lr0)
    ctx_a, ctx_b = new_context(browser), new_context(browser)
    try:
        a, b = ctx_a.new_page(), ctx_b.new_page()
        sockets = {"a": open_lesson(a, server, lesson), "b": open_lesson(b, server, lesson)}

        def still(pg, i, trace, lr, fresh=False):
            if fresh:
                rerun(pg, sockets["a" if pg is a else "b"])
            assert_stage(pg, lesson, i, trace)
            assert shown_lr(pg) == lr
            expect(pg.locator(f".st-key-{lesson.lr_input} input")).to_have_value(
                lesson.lr_format.format(lr))
            (expect(pg.locator(lesson.next)).to_be_disabled() if i == last else
             expect(pg.locator(lesson.next)).to_be_enabled())

        for i in range(1, last + 1):
            go(b, lesson, lesson.next, i)
        still(b, last, tb, lesson.lr0)

        set_lr(a, lesson, lesson.lr1)
        go(a, lesson, lesson.next, 1)
        go(a, lesson, lesson.next, 2)
        still(a, 2, ta, lesson.lr1)
        still(b, last, tb, lesson.lr0)
        still(b, last, tb, lesson.lr0, fresh=True)
        still(a, 2, ta, lesson.lr1)

        go(a, lesson, lesson.next, 3)               # A clicks again: stage 4
        still(a, 3, ta, lesson.lr1)
        still(b, last, tb, lesson.lr0)
        still(b, last, tb, lesson.lr0, fresh=True)

        for i in range(4, last + 1):                # A reaches the update stage, at its own lr
            go(a, lesson, lesson.next, i)
        still(a, last, ta, lesson.lr1)
        still(b, last, tb, lesson.lr0, fresh=True)

        go(b, lesson, lesson.prev, last - 1)        # and B steps back: A does not move
        still(b, last - 1, tb, lesson.lr0)
        still(a, last, ta, lesson.lr1)
        still(a, last, ta, lesson.lr1, fresh=True)
        screenshot(a, f"{lesson.path}_session_a")
        screenshot(b, f"{lesson.path}_session_b")
    finally:
        ctx_a.close()
        ctx_b.close()


# --- training: a click stops a run, and the model trained so far is kept ------------------------

def test_a_click_stops_training_and_keeps_the_model(page, server):
    """Character MLP, a run far longer than a class waits (20,000 steps): Stop training, once
    the progress bar has moved, ends it; the page says so and shows the model it has (its
    loss curve, its sampled names), with no error."""
    open_app(page, server, "char_mlp", ".st-key-char_next")
    steps = page.locator(".st-key-char_train_steps input")
    steps.fill("20000")
    steps.press("Enter")
    wait_idle(page)
    page.locator(".st-key-char_train button").click()
    page.get_by_text(re.compile(r"step \d+ of 20000")).wait_for(timeout=RUN_END_MS)
    page.locator(".st-key-char_stop_train button").click()
    wait_idle(page)
    assert any("Training was stopped" in a for a in alerts(page, ("warning",))), alerts(page)
    assert not alerts(page, ("error",)) and not exceptions(page)
    expect(page.get_by_text(re.compile(r"Loss: first step \S+, last \S+ after \d+ steps"))
           ).to_be_visible()
    shown = page.get_by_text(re.compile(r"after (\d+) steps")).first.text_content()
    assert int(re.search(r"after (\d+) steps", shown).group(1)) < 20000, shown
    assert "sampled name" in [t["name"] for t in tables(page)]

"""The tiny word2vec lesson in Chromium: every stage's numbers against the core, the learning
rate, keyboard shortcuts, shareable URLs, and the accessibility basics."""
import re

import numpy as np
import pytest
from playwright.sync_api import expect

from core import tiny_word2vec as tw
from tests.e2e.conftest import alerts, exceptions, new_context, open_app, screenshot, table, \
    tables, wait_idle

pytestmark = pytest.mark.browser

PAGE, READY, CURRENT = "tiny_word2vec", ".st-key-tiny_next", ".st-key-tiny_current"
P = tw.README_PARAMS
WORDS, DIMS = list(tw.VOCAB), ["d0", "d1"]
SHOWN = 0.5e-4 + 1e-9        # a value shown with 4 decimals is within half a unit of the 4th
FOUR_DECIMALS = re.compile(r"^-?\d+\.\d{4}$")
STAGES = [("Forward", ("v", "logits")), ("Softmax", ("exp", "sum_exp", "probs")),
          ("Loss", ("loss",)), ("Backward", ("grad_logits", "grad_W", "grad_b", "grad_v")),
          ("Update", ("E_new", "W_new", "b_new"))]
# Column labels of each table: words for per-word vectors, d0 d1 for vectors of dimensions.
COLS = {"v": DIMS, "grad_v": DIMS, "grad_W": DIMS, "E_new": DIMS, "W_new": DIMS,
        "sum_exp": ["value"], "loss": ["value"]}


def core_step(center=0, target=2, lr=0.1):
    return tw.sgd_step(P["E"], P["W"], P["b"], center, target, lr)


def shown(page, name):
    """The table `name` in the current stage as an array of the numbers on screen."""
    cols, rows = table(page, name, CURRENT)
    for cells in rows.values():
        assert all(FOUR_DECIMALS.match(c) for c in cells), (name, cells)
    return cols, rows, np.array([[float(c) for c in cells] for cells in rows.values()])


def assert_matches(page, name, want, words=WORDS):
    cols, rows, values = shown(page, name)
    want = np.asarray(want, dtype=np.float64)
    assert cols == COLS.get(name, words), (name, cols)
    if want.ndim == 2:
        assert list(rows) == words, (name, list(rows))
    np.testing.assert_allclose(values, want.reshape(values.shape), rtol=0, atol=SHOWN,
                               err_msg=name)


def stage_title(page):
    return page.locator(f"{CURRENT} h3").first.text_content()


def test_click_through_every_stage_matches_the_core(page, server):
    open_app(page, server, PAGE, READY)
    trace = core_step()
    for i, (name, keys) in enumerate(STAGES):
        assert f"Stage {i + 1} of 5: {name}" in stage_title(page)
        for k in keys:
            assert_matches(page, k, trace[k])
        assert "equals torch autograd" in page.locator(CURRENT).text_content()
        assert not exceptions(page) and not alerts(page)
        screenshot(page, f"tiny_word2vec_stage{i + 1}_{name.lower()}")
        if i < len(STAGES) - 1:
            page.locator(f"{READY} button").click()
            wait_idle(page)
    expect(page.locator(f"{READY} button")).to_be_disabled()
    assert "stage=5" in page.url


def test_learning_rate_input_and_its_step_change_w_new(page, server):
    open_app(page, server, f"{PAGE}?stage=5", READY)
    assert_matches(page, "W_new", core_step()["W_new"])
    box = page.locator(".st-key-tiny_lr input")
    box.fill("0.5")
    box.press("Enter")
    wait_idle(page)
    assert_matches(page, "W_new", core_step(lr=0.5)["W_new"])
    assert_matches(page, "E_new", core_step(lr=0.5)["E_new"])
    assert "α = 0.5" in page.locator("h4").first.text_content()
    assert "lr=0.5" in page.url
    # The box moves by its step (0.01) from the keyboard, and the numbers follow it.
    box.press("ArrowUp")
    wait_idle(page)
    assert_matches(page, "W_new", core_step(lr=0.51)["W_new"])
    expect(box).to_have_value("0.51")
    assert "α = 0.51" in page.locator("h4").first.text_content()
    assert "lr=0.51" in page.url
    screenshot(page, "tiny_word2vec_lr_0.51")


def test_keyboard_shortcuts_step_the_lesson(page, server):
    open_app(page, server, PAGE, READY)

    def press(key, stage):
        page.locator("h1").first.click()    # focus on the page body, not in a widget
        page.keyboard.press(key)
        wait_idle(page)
        assert f"Stage {stage} of 5" in stage_title(page), key

    press("ArrowRight", 2)
    press("ArrowRight", 3)
    press("ArrowLeft", 2)
    press("ArrowRight", 3)
    press("Home", 1)
    press("ArrowLeft", 1)       # already at the first stage: nothing moves


def test_url_reproduces_the_screen(page, server, browser):
    open_app(page, server, f"{PAGE}?stage=4&center=cat&target=dog&lr=0.3", READY)
    trace = core_step(center=1, target=0, lr=0.3)
    assert "Stage 4 of 5" in stage_title(page)
    for k in STAGES[3][1]:
        assert_matches(page, k, trace[k])
    page.locator(f"{READY} button").click()
    wait_idle(page)
    assert_matches(page, "W_new", trace["W_new"])
    url, before = page.url, tables(page, CURRENT)
    assert "stage=5" in url and "center=cat" in url and "lr=0.3" in url and "seed=0" in url
    # The same address in another browser (a new session) shows the same screen.
    other = new_context(browser)
    try:
        page2 = other.new_page()
        open_app(page2, "", url, READY)
        assert tables(page2, CURRENT) == before
        assert not alerts(page2)
    finally:
        other.close()


# --- accessibility basics ---------------------------------------------------------------------

@pytest.mark.parametrize("stage,title,values", [
    (1, "W (one row per word)", P["W"]),
    (4, "∂L/∂W", core_step()["grad_W"]),
])
def test_heatmaps_write_their_values_in_the_cells(page, server, stage, title, values):
    open_app(page, server, f"{PAGE}?stage={stage}", READY)
    chart = page.locator(f"{CURRENT} table.heatmap").filter(has_text=title)
    cells = chart.locator("td").all_text_contents()
    assert [float(x) for x in cells] == pytest.approx(np.ravel(values), abs=SHOWN)
    assert chart.locator("tbody th").all_text_contents() == WORDS
    assert chart.locator("thead th").all_text_contents()[1:] == DIMS
    # coloured by value: the largest |value| in the scale's end colour (blue < 0, orange > 0)
    colours = chart.locator("td").evaluate_all(
        "tds => tds.map(td => getComputedStyle(td).backgroundColor)")
    flat = np.ravel(values)
    big = int(np.argmax(np.abs(flat)))
    assert colours[big] == ("rgb(179, 88, 6)" if flat[big] > 0 else "rgb(33, 102, 172)")
    if stage == 4:  # the same numbers also stand in the table beside the chart
        assert_matches(page, "grad_W", values)


def test_bar_labels_turn_upright_only_where_the_chart_is_too_narrow(page, server):
    open_app(page, server, f"{PAGE}?stage=2", READY)
    labels = page.locator(f"{CURRENT} .bar-value")

    def modes_and_boxes():
        modes = labels.evaluate_all("els => els.map(e => getComputedStyle(e).writingMode)")
        return set(modes), [labels.nth(i).bounding_box() for i in range(labels.count())]

    for width, mode in [(1366, "horizontal-tb"), (360, "vertical-rl")]:
        page.set_viewport_size({"width": width, "height": 768})
        page.wait_for_timeout(300)   # the layout settles after the resize
        modes, boxes = modes_and_boxes()
        assert modes == {mode}, width
        assert len(boxes) == 3
        for a, b in zip(boxes, boxes[1:]):   # side by side, none over the next
            assert a["x"] + a["width"] <= b["x"] + 0.5, (width, a, b)


def test_tab_reaches_next_and_enter_presses_it(page, server):
    open_app(page, server, PAGE, READY)
    page.locator("h1").first.click()        # focus starts in the page body, above the stepper
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("!!document.activeElement.closest('.st-key-tiny_next')"):
            break
    else:
        pytest.fail("Tab never reached the Next button")
    page.keyboard.press("Enter")
    wait_idle(page)
    assert "Stage 2 of 5" in stage_title(page)

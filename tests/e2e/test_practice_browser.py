"""Practise and compare in Chromium: a control locked by the teacher's link cannot be changed,
and a sheet's link (?variant=CODE) opens exactly that variant."""
import numpy as np
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import alerts, exceptions, open_app, table, wait_idle
from ui import variants

pytestmark = pytest.mark.browser

READY, CURRENT = ".st-key-tiny_next", ".st-key-tiny_current"
SHOWN = 0.5e-4 + 1e-9   # a value shown with 4 decimals is within half a unit of the 4th


def lesson():
    import pages.tiny_word2vec as page
    return page.L


def headline(page):
    return page.locator("h4").filter(has_text="Step ").first.text_content()


def test_locked_learning_rate_cannot_be_changed(page, server):
    open_app(page, server, "tiny_word2vec?lock=lr,weights", READY)
    box = page.locator(".st-key-tiny_lr input")
    expect(box).to_be_disabled()
    steppers = page.locator(".st-key-tiny_lr [data-testid^='stNumberInputStep']")
    assert steppers.count() == 2
    for button in steppers.all():   # − and +
        expect(button).to_be_disabled()
    expect(page.get_by_role("button", name="New random init")).to_be_disabled()
    expect(page.get_by_role("button", name="Reset to README values")).to_be_disabled()
    # typing into the box (forced: a user cannot focus it) changes nothing
    box.click(force=True)
    page.keyboard.type("5")
    page.keyboard.press("Enter")
    wait_idle(page, expect_run=False)
    assert box.input_value() == "0.1"
    assert "α = 0.1" in headline(page)
    # the lock holds after a step, and after a reload (it stays in the address bar)
    page.get_by_role("button", name="Take this step").first.click()
    wait_idle(page)
    expect(page.locator(".st-key-tiny_lr input")).to_be_disabled()
    assert "lock=lr,weights" in page.url.replace("%2C", ",")
    open_app(page, server, page.url, READY)   # a reload: a new session from this address
    expect(page.locator(".st-key-tiny_lr input")).to_be_disabled()
    assert not exceptions(page)


def test_variant_link_opens_that_variant(page, server):
    v = variants.make(lesson(), 3)
    open_app(page, server, "tiny_word2vec?variant=tiny_word2vec-3", READY)
    assert not alerts(page, ("error", "warning")), alerts(page)
    words = v.ctx.info["words"]
    assert f"{words[v.settings['center']]} → {words[v.settings['target']]}" in headline(page)
    cols, rows = table(page, "logits", CURRENT)
    assert cols == words
    shown = np.array([float(c) for c in next(iter(rows.values()))])
    np.testing.assert_allclose(shown, v.trace["logits"], rtol=0, atol=SHOWN)
    assert "variant=tiny_word2vec-3" in page.url
    # a reload shows the same variant
    open_app(page, server, page.url, READY)   # a reload: a new session from this address
    shown = np.array([float(c) for c in next(iter(table(page, "logits", CURRENT)[1].values()))])
    np.testing.assert_allclose(shown, v.trace["logits"], rtol=0, atol=SHOWN)
    assert not exceptions(page)


def test_bad_variant_link_is_a_notice(page, server):
    open_app(page, server, "tiny_word2vec?variant=cbow-3", READY)
    notice = " ".join(alerts(page, ("warning",)))
    assert "variant" in notice and "not for this lesson" in notice
    assert "dog → park" in headline(page)       # the lesson's own start
    assert not exceptions(page)



def test_a_sheet_opened_from_the_teachers_box_redraws_the_whole_page(page, server):
    """The exercise-sheet box is a fragment: its Open button reran the box alone, so the
    headline, the tables and Undo above still showed the lesson the sheet had replaced."""
    v = variants.make(lesson(), 5)
    open_app(page, server, "tiny_word2vec", READY)
    expect(page.locator(".st-key-tiny_undo button")).to_be_disabled()
    page.locator(".st-key-tiny_exercises_open summary").click()
    wait_idle(page)
    box = page.locator(".st-key-tiny_ex_open_code input")
    box.fill("tiny_word2vec-5")
    page.get_by_test_id("stFormSubmitButton").get_by_role("button", name="Open").click()
    wait_idle(page)
    words = v.ctx.info["words"]
    expect(page.locator("h4").filter(has_text="Step ").first).to_contain_text(
        f"{words[v.settings['center']]} → {words[v.settings['target']]}")
    assert "Sheet tiny_word2vec-5 is open" in " ".join(alerts(page, ("success",)))
    shown = np.array([float(c) for c in next(iter(table(page, "logits", CURRENT)[1].values()))])
    np.testing.assert_allclose(shown, v.trace["logits"], rtol=0, atol=SHOWN)
    expect(page.locator(".st-key-tiny_undo button")).to_be_enabled()
    assert not exceptions(page)

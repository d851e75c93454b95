"""Next shows the next stage at once (ui/stepper.py draws it hidden, ui/keys.py shows it on
the click); the run the click starts then draws it as the current stage. What the browser
showed ahead must be what the run draws, in the same place, and nothing may move, in any
frame drawn in between."""
import pytest

from tests.e2e.conftest import new_context, open_app, wait_for_torch, wait_idle
from ui.lessons import lessons, stage_count

pytestmark = pytest.mark.browser

LESSONS = lessons()

# Click Next; return what is on screen in the same task (the stage shown ahead), then, once
# the run has drawn its current stage, the same again. A stage: its heading, the LaTeX source
# of its formulas, the text of its tables, where its box and the Next button are, and the
# stage's label and trail beside the buttons.
CLICK_THEN_RUN = """async prefix => {
  const q = s => document.querySelector(s);
  const shown = () => {
    const box = [q(`.st-key-${prefix}_current`), q(`.st-key-${prefix}_stage_ahead`)]
      .find(b => b && b.checkVisibility() && b.getBoundingClientRect().height > 60);
    if (!box) return null;
    const trail = q('p.trail');
    return {
      label: q('.stage-label').innerText,
      trail: trail.innerText,
      marked: [...trail.querySelectorAll('.now')].map(e => e.innerText),
      ticked: trail.querySelectorAll('.done').length,
      head: box.querySelector('h3').textContent,
      tex: [...box.querySelectorAll('.tex')].map(e => e.getAttribute('data-tex') || e.textContent),
      tables: [...box.querySelectorAll('table')].map(t => t.innerText),
      top: Math.round(box.getBoundingClientRect().top),
      next: Math.round(q(`.st-key-${prefix}_next button`).getBoundingClientRect().top),
      ahead: document.documentElement.hasAttribute('data-stage-ahead'),
    };
  };
  q(`.st-key-${prefix}_next button`).click();
  const first = shown();
  const head = first && first.head;
  // where things are in the first frame drawn (ui/keys.py scrolls the stage into view first);
  // null if the run came before it
  const placed = await new Promise(done => requestAnimationFrame(() => done(shown())));
  if (first) Object.assign(first, placed && placed.ahead ? {top: placed.top, next: placed.next}
                                                          : {top: null, next: null});
  const frames = [];   // every frame drawn until then: its visible stage and where it is
  await new Promise(done => {
    const look = () => {
      const f = shown();
      frames.push(f && [f.head, f.top, f.label, f.marked.join()]);
      const h = q(`.st-key-${prefix}_current h3`);
      const now = !document.documentElement.hasAttribute('data-stage-ahead') && h &&
        h.textContent === head && !q(`.st-key-${prefix}_current .tex:not([data-tex])`);
      now ? done() : requestAnimationFrame(look);
    };
    look();
  });
  return [first, shown(), frames];
}"""


@pytest.mark.parametrize("file,L", LESSONS, ids=[L.prefix for _, L in LESSONS])
def test_next_shows_the_stage_the_run_draws_in_its_place(browser, server, file, L):
    page = new_context(browser).new_page()
    open_app(page, server, L.url_path, f".st-key-{L.prefix}_next")
    wait_for_torch(page)
    wait_idle(page, expect_run=False)
    n, placed = stage_count(L), 0
    for stage in range(2, n + 1):
        page.locator(f".st-key-{L.prefix}_stage_ahead h3").wait_for(state="attached")
        ahead, run, frames = page.evaluate(CLICK_THEN_RUN, L.prefix)
        assert ahead and ahead["ahead"], f"stage {stage}: Next did not show the next stage at once"
        assert ahead["head"].startswith(f"Stage {stage} of {n}"), ahead["head"]
        assert not run["ahead"]
        assert ahead["label"] == f"Stage {stage} of {n}", ahead["label"]
        assert len(ahead["marked"]) == 1 and ahead["marked"][0].startswith(f"{stage}. ")
        assert ahead["ticked"] == stage - 1
        for part in ("head", "tex", "tables", "label", "trail", "marked", "ticked"):
            assert ahead[part] == run[part], f"stage {stage}: the run drew other {part}"
        if ahead["top"] is not None:
            placed += 1
            seen = [f for f in frames if f != [ahead["head"], ahead["top"], ahead["label"],
                                                ",".join(ahead["marked"])]]
            assert not seen, f"stage {stage}: a frame before the run's end showed {seen[:3]}"
            assert (ahead["top"], ahead["next"]) == (run["top"], run["next"]), \
                f"stage {stage}: the stage or the Next button moved when the run came"
        wait_idle(page)
    assert placed, "no frame was drawn before the run came: nothing checked where things are"
    # the last stage has nothing ahead: Next is disabled, and the page holds no hidden stage
    assert page.locator(f".st-key-{L.prefix}_next button").is_disabled()
    assert page.locator(f".st-key-{L.prefix}_stage_ahead").count() == 0
    page.context.close()


def tiny_word2vec(browser, server):
    """The tiny word2vec lesson, torch imported (the stage ahead drawn), the page settled."""
    page = new_context(browser).new_page()
    open_app(page, server, "tiny_word2vec", ".st-key-tiny_next")
    wait_for_torch(page)
    wait_idle(page, expect_run=False)
    return page


def test_the_keys_show_the_next_stage_at_once(browser, server):
    """→ (Streamlit's shortcut) and PageDown (a clicker, ui/keys.py) show it as a click does."""
    page = tiny_word2vec(browser, server)
    for key, stage in (("ArrowRight", 2), ("PageDown", 3)):
        page.locator(".st-key-tiny_stage_ahead h3").wait_for(state="attached")
        page.evaluate("document.activeElement && document.activeElement.blur()")
        page.keyboard.press(key)
        # at once, before the run: Playwright's press returns after the key's handlers
        assert page.evaluate("document.documentElement.hasAttribute('data-stage-ahead')"), key
        wait_idle(page)
        assert f"Stage {stage} of" in page.locator(".st-key-tiny_current h3").inner_text()
        assert not page.evaluate("document.documentElement.hasAttribute('data-stage-ahead')")
    page.context.close()


def test_the_quiz_gets_no_stage_ahead(browser, server):
    """The quiz hides the next numbers until they are predicted: none are drawn ahead."""
    page = tiny_word2vec(browser, server)
    assert page.locator(".st-key-tiny_stage_ahead").count() == 1
    page.locator(".st-key-tiny_quiz").get_by_text("Quiz").click()
    wait_idle(page)
    assert page.locator(".st-key-tiny_stage_ahead").count() == 0
    page.context.close()

"""axe-core in Chromium on every page, in normal and in presenter mode: no critical or serious
violation. Also: every stage of every lesson fits a 1366×768 projector in presenter mode, the
network picture follows the stage, and PageDown / PageUp step the lesson."""
import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.conftest import (PRESENTER_CSS_MARK, RUN_END_MS, STYLED, new_context, open_app,
                                 wait_idle)
from ui.lessons import lessons

pytestmark = pytest.mark.browser

LESSONS = lessons()
PAGES = [("", "[data-testid='stMain']")] + [(L.url_path, f".st-key-{L.prefix}_next")
                                             for _, L in LESSONS]
PROJECTOR = {"width": 1366, "height": 768}


def presenter_on(page):
    page.get_by_text("Presenter mode").click()
    wait_idle(page)
    page.wait_for_function(STYLED, arg=PRESENTER_CSS_MARK, timeout=RUN_END_MS)


def serious(results):
    return [f"{v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} node(s), first: "
            f"{v['nodes'][0]['target']}" for v in results.response["violations"]
            if v["impact"] in ("critical", "serious")]


@pytest.mark.parametrize("presenter", [False, True], ids=["normal", "presenter"])
@pytest.mark.parametrize("path,ready", PAGES, ids=[p or "home" for p, _ in PAGES])
def test_no_critical_or_serious_axe_violation(browser, server, path, ready, presenter):
    page = new_context(browser).new_page()
    open_app(page, server, path, ready)
    if presenter:
        presenter_on(page)
    found = serious(Axe().run(page))
    page.context.close()
    assert not found, "\n".join(found)


# Tables and formulas in the current stage that reach past the box's right edge.
SPILL = """key => { const box = document.querySelector('.st-key-' + key).getBoundingClientRect();
  return [...document.querySelectorAll('.st-key-' + key + ' table, .st-key-' + key + ' .katex')]
    .filter(el => el.getBoundingClientRect().right > box.right + 1)
    .map(el => el.tagName + ' ' + el.textContent.slice(0, 40)); }"""


def current_box_fits(page, key):
    """The current stage's box: (top, bottom) in the viewport."""
    box = page.locator(f".st-key-{key}").first.bounding_box()
    return box["y"], box["y"] + box["height"]


@pytest.mark.parametrize("file,L", LESSONS, ids=[L.prefix for _, L in LESSONS])
def test_presenter_mode_fits_a_projector_on_every_stage(browser, server, file, L):
    ctx = browser.new_context(viewport=PROJECTOR)
    from tests.e2e.conftest import COUNT_RUNS
    ctx.add_init_script(COUNT_RUNS)
    page = ctx.new_page()
    open_app(page, server, L.url_path, f".st-key-{L.prefix}_next")
    presenter_on(page)
    stage = 1
    while True:
        top, bottom = current_box_fits(page, L.key("current"))
        assert bottom - top <= PROJECTOR["height"], f"stage {stage}: {bottom - top:.0f} px tall"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PROJECTOR["width"], f"stage {stage}: the page is {width} px wide"
        spill = page.evaluate(SPILL, L.key("current"))
        assert not spill, f"stage {stage}: wider than the stage's box: {spill}"
        button = page.locator(f".st-key-{L.prefix}_next button")
        if button.is_disabled():
            break
        page.keyboard.press("PageDown")
        wait_idle(page)
        stage += 1
        assert f"Stage {stage} of" in page.locator(f".st-key-{L.prefix}_current h3").inner_text()
    page.keyboard.press("PageUp")
    wait_idle(page)
    assert f"Stage {stage - 1} of" in page.locator(f".st-key-{L.prefix}_current h3").inner_text()
    ctx.close()


def test_keys_work_right_after_the_presenter_toggle(page, server):
    L = LESSONS[0][1]
    open_app(page, server, L.url_path, f".st-key-{L.prefix}_next")
    page.get_by_text("Presenter mode").click()   # focus stays on the toggle
    wait_idle(page)
    page.keyboard.press("ArrowRight")
    wait_idle(page)
    assert "Stage 2 of" in page.locator(f".st-key-{L.prefix}_current h3").inner_text()


def test_the_network_picture_follows_the_stage(page, server):
    L = LESSONS[0][1]
    open_app(page, server, L.url_path, f".st-key-{L.prefix}_next")
    page.get_by_text("The network").click()  # drawn only while open
    wait_idle(page)
    page.wait_for_selector("[data-testid='stGraphVizChart'] svg")
    first = page.locator("[data-testid='stGraphVizChart'] svg").first.inner_html()
    assert "[forward]" in first
    for _ in range(3):
        page.locator(f".st-key-{L.prefix}_next button").click()
        wait_idle(page)
    backward = page.locator("[data-testid='stGraphVizChart'] svg").first.inner_html()
    assert backward != first and "gradient" in backward


def test_the_tab_icon_is_a_drawn_image_not_an_emoji(page, server):
    """An emoji favicon is an SVG with the emoji as text: an empty box in a browser with no
    emoji font. The icon is a PNG the server sends (offline: nothing fetched elsewhere)."""
    L = LESSONS[0][1]
    open_app(page, server, L.url_path, f".st-key-{L.prefix}_next")
    page.wait_for_function("() => [...document.querySelectorAll('link[rel*=icon]')]"
                           ".some(l => l.href.includes('/media/'))", timeout=RUN_END_MS)
    hrefs = page.eval_on_selector_all("link[rel*=icon]", "ls => ls.map(l => l.href)")
    assert hrefs and all(h.startswith(server) for h in hrefs), hrefs
    assert not any("svg" in h or "<text" in h for h in hrefs), hrefs
    reply = page.request.get([h for h in hrefs if "/media/" in h][0])
    assert reply.ok and reply.headers["content-type"] == "image/png"
    assert reply.body()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_lessons_link_is_answered_with_the_preloading_page(page, server):
    """serve.py answers a lesson's URL with Streamlit's page that also asks at once for the
    code its first screen waits for (ui/serving.preloading_index); the home page keeps
    Streamlit's own, and a page that is no lesson's still gets the app."""
    from ui import serving
    for _, L in LESSONS:
        reply = page.request.get(f"{server}/{L.url_path}?stage=2")
        assert reply.ok and "no-cache" in reply.headers["cache-control"]
        assert reply.text() == serving.preloading_index()
    home = page.request.get(f"{server}/").text()
    assert home == (serving.STATIC / "index.html").read_text()
    assert page.request.get(f"{server}/no_such_page").text() == home

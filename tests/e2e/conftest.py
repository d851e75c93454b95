"""Browser fixtures: the app served on a free loopback port, headless Chromium, and helpers
that wait for Streamlit's script state instead of sleeping.

Every script run flips `[data-testid='stApp']`'s data-test-script-state to "running" and back
to "notRunning". An init script counts these changes, so `wait_idle` knows whether the run an
action caused has started (or already finished) before it waits for the end.
"""
import re
from pathlib import Path

import pytest

from tests.e2e.server import ROOT, start_server, stop_server

SHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
VIEWPORT = {"width": 1400, "height": 1000}
APP = "[data-testid='stApp']"
IDLE = f"{APP}[data-test-script-state='notRunning']"
RUN_START_MS = 3000     # an action's run must have started by then (else: it caused none)
RUN_END_MS = 120_000    # the longest a script run may take (the 10 MB inputs)
# The browser keeps rendering (KaTeX, charts, React effects such as the buttons' keyboard
# shortcuts) after the run has ended: wait until its main thread is idle twice in a row.
SETTLE = "new Promise(r => requestIdleCallback(() => requestIdleCallback(r, {timeout: 5000}), " \
         "{timeout: 5000}))"

# Counts changes of the script state: window.__stRuns grows with every run. Every change is
# counted (not only those to "running"): a quick run's "running" and "notRunning" can reach
# the observer in one batch, when the attribute already reads "notRunning" again.
COUNT_RUNS = """
window.__stRuns = 0; window.__stSeen = 0;
new MutationObserver(ms => { window.__stRuns += ms.length; })
  .observe(document, {attributes: true, subtree: true,
                      attributeFilter: ['data-test-script-state']});
"""


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def new_context(browser):
    ctx = browser.new_context(viewport=VIEWPORT)
    ctx.add_init_script(COUNT_RUNS)
    return ctx


def wait_idle(page, expect_run=True, timeout=RUN_END_MS):
    """Wait until the run caused by the last action has finished and the page has settled.

    First wait (briefly) for a run not yet waited for to start: it may already be over, which
    the counter shows. With expect_run=False, or when none starts in RUN_START_MS, only
    wait for the state to be notRunning.
    """
    if expect_run:
        try:
            page.wait_for_function("window.__stRuns > window.__stSeen", timeout=RUN_START_MS)
        except Exception:  # noqa: BLE001 - playwright TimeoutError: the action caused no run
            pass
    page.wait_for_selector(IDLE, state="attached", timeout=timeout)
    page.evaluate("window.__stSeen = window.__stRuns")
    page.evaluate(SETTLE)


# A lesson's boxes drawn only while open that hold settings (ui/lesson.settings_box) or the
# weights form: closed, the widgets in them are not on the page.
CLOSED_BOXES = "[class*='_controls'] [class*='_open'] details:not([open]) > summary"


def drawn(page, selector):
    """The elements matching `selector`, the lesson's closed boxes of settings opened one by
    one until they are drawn."""
    found, boxes = page.locator(selector), page.locator(CLOSED_BOXES)
    while not found.count() and boxes.count():
        boxes.first.click()
        wait_idle(page)
    return found


# app.py's own stylesheet (st.html): a loaded machine can report the run finished a moment
# before it is in the page, and colour contrast and sizes depend on it.
STYLED = ("css => [...document.querySelectorAll('style')]"
          ".some(s => s.textContent.includes(css))")
BASE_CSS_MARK = "stCaptionContainer"                 # in app.BASE_CSS (and PRESENTER_CSS)
PRESENTER_CSS_MARK = "stSidebarCollapsedControl"     # in app.PRESENTER_CSS only


def open_app(page, base, path="", ready=None, styled=True):
    """Go to base/path (or a full URL) and wait until the page has run, `ready` (a selector)
    is shown and (styled) the app's stylesheet is in place."""
    page.goto(path if path.startswith("http") else f"{base}/{path}")
    page.wait_for_function("window.__stRuns > 0", timeout=RUN_END_MS)
    if ready:
        page.wait_for_selector(ready, timeout=RUN_END_MS)
    wait_idle(page, expect_run=False)
    if styled:
        page.wait_for_function(STYLED, arg=BASE_CSS_MARK, timeout=RUN_END_MS)


def wait_for_torch(page):
    """On a fresh server a lesson is drawn before torch is imported and reruns when it is (to
    fill in the autograd check lines): wait for that, so what follows does not share the
    server with the import or see the late rerun."""
    page.wait_for_function("!document.body.innerText.includes('Checking against torch "
                           "autograd')", timeout=120_000)
    wait_idle(page, expect_run=False)


def screenshot(page, name):
    """Save artifacts/screenshots/<name>.png (full height of Streamlit's scrolling main area)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    height = page.evaluate("Math.max(document.querySelector(\"[data-testid='stMain']\")"
                           "?.scrollHeight || 0, 1000)")
    page.set_viewport_size({"width": VIEWPORT["width"], "height": min(int(height), 12000)})
    page.screenshot(path=str(SHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.png"))
    page.set_viewport_size(VIEWPORT)


# Every table on the page as {name, cols, rows: [[label, cell, ...]], visible, where}.
READ_TABLES = """
(root) => [...(root || document).querySelectorAll('table')].map(t => {
  const rows = [...t.querySelectorAll('tr')].map(r =>
    [...r.querySelectorAll('th,td')].map(c => c.textContent));
  return {name: (rows[0] || [''])[0].trim(), cols: (rows[0] || []).slice(1).map(s => s.trim()),
          rows: rows.slice(1), visible: t.offsetParent !== null};
})
"""


def tables(page, scope=None):
    """The tables in `scope` (a selector; default the whole page), read from the DOM."""
    if scope:
        return page.locator(scope).first.evaluate(READ_TABLES)
    return page.evaluate(READ_TABLES)


def table(page, name, scope=None):
    """The last visible table whose corner cell is `name`: (column labels, {row label: [text]})."""
    found = [t for t in tables(page, scope) if t["name"] == name and t["visible"]]
    assert found, f"no visible table named {name!r}"
    t = found[-1]
    return t["cols"], {r[0].strip(): [c.strip() for c in r[1:]] for r in t["rows"]}


def alerts(page, kinds=("error", "warning", "info", "success")):
    """Texts of the st.error / st.warning / st.info / st.success boxes of these kinds."""
    found = page.evaluate("""() => [...document.querySelectorAll("[data-testid^='stAlertContent']")]
        .map(e => [e.dataset.testid.slice('stAlertContent'.length).toLowerCase(), e.textContent])""")
    return [text for kind, text in found if kind in kinds]


def exceptions(page):
    return page.locator("[data-testid='stException']").all_text_contents()


@pytest.fixture(scope="session")
def server():
    """The app on a free loopback port for the whole session; always stopped at the end."""
    log_dir = ROOT / "artifacts"
    log_dir.mkdir(exist_ok=True)
    with open(log_dir / "e2e_streamlit.log", "w") as log:
        proc, base = start_server(log=log)
        try:
            yield base
        finally:
            stop_server(proc)


@pytest.fixture(scope="session")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch_chromium(p)
        try:
            # Warm up: the first run on a fresh server switches to app.py's navigation and
            # imports torch; no test should pay for (or time out on) that.
            ctx = new_context(b)
            pg = ctx.new_page()
            open_app(pg, server, "tiny_word2vec", ready=".st-key-tiny_next")
            wait_for_torch(pg)
            ctx.close()
            yield b
        finally:
            b.close()


@pytest.fixture
def context(browser):
    ctx = new_context(browser)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    """A fresh page (so a fresh Streamlit session) that fails the test on any JS dialog."""
    pg = context.new_page()
    dialogs = []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    yield pg
    assert not dialogs, f"a JavaScript dialog opened: {dialogs}"


"""Cold start to first render: each lesson's direct link vs a bare page, served and opened the
same way.

    python bench/cold_start.py [--repeats 3]

Each measurement starts a new server process on a free loopback port and a new Chromium
context, opens the page and takes two times from the server's start: **drawn**, when the
page's content is on screen (a lesson's first stage with its formulas typeset, with the
app's stylesheet in place; the bare page's one line of text), taken in the page itself at
the first animation frame that shows it, and **run over**, when its first run has finished.
A lesson's autograd check lines are filled in after it is drawn, once torch has been
imported in the background; they are not waited for. The app's home page (what a class
sees first), every lesson of the lesson list (ui/lessons.py) and the bare page are measured
in turn, `repeats` times, interleaved so that a drift in the machine's speed hits all of
them. Prints medians and ratios. Target: every lesson drawn within 1.5x the bare page's
time.
"""
import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.e2e.conftest import (BASE_CSS_MARK, RUN_END_MS, launch_chromium,  # noqa: E402
                                new_context, wait_idle)
from tests.e2e.server import start_server, stop_server, with_app_config  # noqa: E402
from ui.lessons import lessons  # noqa: E402
from ui.mathtex import UNTYPESET  # noqa: E402

BARE = 'import streamlit as st\nst.markdown("Hello")\n'


# In the page from its first script on: the wall-clock time (ms) of the first animation frame
# in which `ready` holds. Measured there, not when Playwright next looks: a page busy with long
# tasks after its first stage is drawn answered Playwright's three checks up to 0.7 s late.
# The stage must hold formulas, all typeset (checked only after its heading, Playwright's
# "none untypeset" held while the formulas were not yet on the page).
DRAWN_AT = """([ready, typeset, untypeset, styled]) => {
  const q = s => document.querySelector(s);
  const styles = () => [...document.querySelectorAll('style')];
  const holds = () => q(ready)
    && (!typeset || (q(typeset + ' .tex') && !q(typeset + ' ' + untypeset)))
    && (!styled || styles().some(s => s.textContent.includes(styled)));
  const look = () => holds() ? (window.__drawnAt = performance.timeOrigin + performance.now())
                             : requestAnimationFrame(look);
  requestAnimationFrame(look);
}"""


def cold_start(browser, script, cwd, path, ready, styled, typeset):
    """(drawn, run over): seconds from starting the server to `ready` on screen (with its
    formulas typeset, if `typeset`, and the app's stylesheet applied, if `styled`), and to
    the end of the first run."""
    t0 = time.time()
    proc, base = start_server(script=script, cwd=cwd)
    try:
        context = new_context(browser)
        page = context.new_page()
        args = json.dumps([ready, typeset, UNTYPESET, BASE_CSS_MARK if styled else None])
        page.add_init_script(f"({DRAWN_AT})({args})")
        page.goto(f"{base}/{path}")
        page.wait_for_function("window.__drawnAt", timeout=RUN_END_MS)
        drawn = page.evaluate("window.__drawnAt") / 1000 - t0
        page.wait_for_function("window.__stRuns > 0", timeout=RUN_END_MS)
        wait_idle(page, expect_run=False)
        over = time.time() - t0
        context.close()
        return drawn, over
    finally:
        stop_server(proc)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    # name: (script, cwd, path, ready, styled, box whose formulas must be typeset)
    pages = {"bare page": ("bare.py", None, "", "[data-testid='stMarkdown']", False, None),
             "app home": ("serve.py", ROOT, "", "h1", True, None)}
    for _, L in lessons():
        pages[L.url_path] = ("serve.py", ROOT, L.url_path, f".st-key-{L.prefix}_current h3", True,
                             f".st-key-{L.prefix}_current")
    runs = {name: [] for name in pages}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        (Path(with_app_config(tmp)) / "bare.py").write_text(BARE)  # served as the app is
        browser = launch_chromium(p)
        for _ in range(args.repeats):
            for name, (script, cwd, path, ready, styled, typeset) in pages.items():
                runs[name].append(cold_start(browser, script, cwd or tmp, path, ready, styled,
                                             typeset))
        browser.close()

    bare = statistics.median(d for d, _ in runs["bare page"])
    worst = 0.0
    for name, times in runs.items():
        drawn = statistics.median(d for d, _ in times)
        over = statistics.median(o for _, o in times)
        print(f"{name} | drawn {drawn:.2f} s ({drawn / bare:.2f}x bare) | first run over "
              f"{over:.2f} s | median of {len(times)}")
        if name not in ("bare page", "app home"):
            worst = max(worst, drawn / bare)
    print(f"target | every lesson drawn <= 1.5x bare | worst {worst:.2f}x | "
          f"{'met' if worst <= 1.5 else 'MISSED'}")


if __name__ == "__main__":
    main()

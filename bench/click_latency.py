"""Click-to-DOM-update in Chromium: how long after a click on Next the new stage is on screen.

    python bench/click_latency.py [--clicks 40]   (every lesson of ui/lessons.py)

Serves the app (serve.py) on a free loopback port, opens the lesson in headless Chromium
(Debian's /usr/bin/chromium) and clicks Next through the stages (Reset, not timed, after the last),
`clicks` times. Each time runs inside the page, from the click to the first animation frame
in which a visible stage box's heading names the new stage and its formulas are all typeset
(KaTeX output, ui/mathtex.py), so Playwright's own round trips are not in it. The stepper
draws the next stage hidden and the browser shows it on the click (ui/stepper.py,
ui/keys.py); the time until the run the click started has drawn the page is printed too.
Before each click the previous run has finished and the page has settled. Also prints the
same figure for a trivial page (a button that rewrites one line) served the same way, with
the app's config (without it Streamlit collects all garbage after every run: ~40 ms a click
here).
Target (issue 13): median <= 100 ms and p95 <= 200 ms on every lesson.
"""
import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.e2e.conftest import (launch_chromium, new_context, open_app,  # noqa: E402
                                wait_for_torch, wait_idle)
from tests.e2e.server import start_server, stop_server, with_app_config  # noqa: E402
from ui.mathtex import UNTYPESET  # noqa: E402

# Click `button`; resolve with [ms until one of `boxes` is visible with `want` in its heading
# (`head`, or the box's own text) and no formula inside it untypeset (`pending`), ms until the
# run the click started has drawn the same in its current box (`run`: the stage the browser
# showed ahead of it, ui/keys.py, is then gone; `run` null: the same as the first)].
CLICK_AND_WAIT = """async ([button, boxes, head, want, pending, run]) => {
  const t0 = performance.now();
  const shows = sel => [...document.querySelectorAll(sel)].some(box => {
    const h = head ? box.querySelector(head) : box;
    return box.checkVisibility() && h && h.textContent.includes(want) &&
      !(pending && box.querySelector(pending));
  });
  const until = test => new Promise(done => {
    const look = () => test() ? done(performance.now() - t0) : requestAnimationFrame(look);
    look();
  });
  document.querySelector(button).click();
  const shown = await until(() => shows(boxes));
  const drawn = run ? await until(() => shows(run) &&
    !document.documentElement.hasAttribute('data-stage-ahead')) : shown;
  return [shown, drawn];
}"""


def stage_boxes(prefix):
    """CLICK_AND_WAIT's boxes, head, pending and run for a lesson's stepper."""
    return (f".st-key-{prefix}_current, .st-key-{prefix}_stage_ahead", "h3", UNTYPESET,
            f".st-key-{prefix}_current")


TRIVIAL = """import streamlit as st
st.session_state.setdefault("n", 0)
if st.button("Next", key="next"):
    st.session_state.n += 1
st.markdown(f"clicked {st.session_state.n} times")
"""


def time_clicks(page, button, boxes, wants, reset=None):
    """[(ms to the new stage on screen, ms to the run's page)] per click; `wants[i]` is the
    text the i-th click must bring, None: `reset` (not timed); `boxes`: CLICK_AND_WAIT's
    (boxes, head, pending, run)."""
    times = []
    for want in wants:
        if reset and want is None:
            page.locator(reset).click()
            wait_idle(page)
            page.wait_for_function(  # back at stage 1, with Next on screen again
                "([b, t]) => document.querySelector(b) && document.querySelector(t)"
                "?.textContent.includes('Stage 1 of')", arg=[button, boxes[3]])
            continue
        page.wait_for_selector(button)   # a fragment may still be drawing it after the last run
        box, head, pending, run = boxes
        times.append(page.evaluate(CLICK_AND_WAIT, [button, box, head, want, pending, run]))
        wait_idle(page)
    return times


def lesson_times(browser, base, args):
    page = new_context(browser).new_page()
    open_app(page, base, args.page, f".st-key-{args.prefix}_next")
    wait_for_torch(page)
    cycle = [f"Stage {s} of {args.stages}" for s in range(2, args.stages + 1)] + [None]
    wants = []
    while sum(w is not None for w in wants) < args.clicks:
        wants += cycle
    times = time_clicks(page, f".st-key-{args.prefix}_next button", stage_boxes(args.prefix),
                        wants, reset=f".st-key-{args.prefix}_reset button")
    page.context.close()
    return times[:args.clicks]


def trivial_times(browser, args):
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "trivial.py"
        script.write_text(TRIVIAL)
        proc, base = start_server(script=script, cwd=with_app_config(tmp))
        try:
            page = new_context(browser).new_page()
            open_app(page, base, "", ".st-key-next", styled=False)
            wants = [f"clicked {i} times" for i in range(1, args.clicks + 1)]
            return time_clicks(page, ".st-key-next button",
                               ("[data-testid='stMarkdown']", None, None, None), wants)
        finally:
            stop_server(proc)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clicks", type=int, default=40, help="timed Next clicks")
    ap.add_argument("--lesson", default="", help="only lessons whose URL path contains this")
    args = ap.parse_args()
    from ui.lessons import lessons, stage_count

    from playwright.sync_api import sync_playwright
    proc, base = start_server()
    try:
        with sync_playwright() as p:
            browser = launch_chromium(p)
            results = []
            for file, L in lessons():
                if args.lesson not in L.url_path:
                    continue
                n = stage_count(L)
                one = argparse.Namespace(clicks=args.clicks, page=L.url_path, prefix=L.prefix,
                                         stages=n)
                lesson_times(browser, base, argparse.Namespace(**{**vars(one), "clicks": 4}))
                results.append((L.url_path, lesson_times(browser, base, one)))
            trivial = trivial_times(browser, args)
            browser.close()
    finally:
        stop_server(proc)

    def row(name, times):
        p95 = statistics.quantiles(times, n=20)[-1]
        print(f"{name} | median {statistics.median(times):.0f} ms | p95 {p95:.0f} ms | "
              f"over {len(times)} clicks")
        return statistics.median(times) <= 100 and p95 <= 200

    for page, times in results:
        met = row(f"{page}: click Next -> new stage on screen", [t[0] for t in times])
        row(f"{page}: click Next -> the run's page drawn (for information)", [t[1] for t in times])
        print(f"target {page} | median <= 100 ms, p95 <= 200 ms | {'met' if met else 'MISSED'}")
    row("trivial page: click -> new text on screen", [t[0] for t in trivial])


if __name__ == "__main__":
    main()

"""Paired A/B of a Next click: two checkouts served side by side, their clicks alternating.

    python bench/click_ab.py OTHER_CHECKOUT [--lesson tiny] [--clicks 40]

This checkout (A) and OTHER_CHECKOUT (B, e.g. `git worktree add /tmp/old HEAD~1` with a
link to this .venv) are each served by their own server; one Chromium opens the lesson in
both and clicks Next in A, then B, then B, then A..., timing each click as
bench/click_latency.py does. On this 2-core machine the same commit's median moves by
±15 ms within an hour, so one bench run after another cannot tell a 10 ms change; the
difference of adjacent clicks can. Prints each side's median and p95 and the median of the
paired differences A - B (negative: A is faster).
"""
import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.click_latency import CLICK_AND_WAIT, stage_boxes  # noqa: E402
from tests.e2e.conftest import (launch_chromium, new_context, open_app,  # noqa: E402
                                wait_for_torch, wait_idle)
from tests.e2e.server import start_server, stop_server  # noqa: E402
from ui.lessons import lessons, stage_count  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("other", help="the other checkout's root (B)")
    ap.add_argument("--lesson", default="tiny", help="the first lesson whose URL path has this")
    ap.add_argument("--clicks", type=int, default=40, help="timed clicks on each side")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright
    L = next(L for _, L in lessons() if args.lesson in L.url_path)
    n = stage_count(L)
    next_button, heading = f".st-key-{L.prefix}_next button", f".st-key-{L.prefix}_current h3"
    boxes, head, pending, run = stage_boxes(L.prefix)
    servers = [start_server(cwd=ROOT), start_server(cwd=Path(args.other).resolve())]
    times = ([], [])
    try:
        with sync_playwright() as p:
            browser = launch_chromium(p)
            pages, stage = [], [1, 1]
            for _, base in servers:
                page = new_context(browser).new_page()
                open_app(page, base, L.url_path, f".st-key-{L.prefix}_next")
                wait_for_torch(page)
                pages.append(page)
            rounds = 0
            while min(map(len, times)) < args.clicks:
                for side in (0, 1) if rounds % 2 == 0 else (1, 0):
                    page = pages[side]
                    if stage[side] == n:   # back to stage 1, not timed
                        page.locator(f".st-key-{L.prefix}_reset button").click()
                        wait_idle(page)
                        page.wait_for_function(
                            "t => document.querySelector(t)?.textContent.includes('Stage 1 of')",
                            arg=heading)
                        stage[side] = 1
                    page.wait_for_selector(next_button)
                    ms = page.evaluate(CLICK_AND_WAIT, [next_button, boxes, head,
                                                        f"Stage {stage[side] + 1} of", pending,
                                                        run])[0]
                    if rounds >= 2:   # the first two rounds warm both pages up
                        times[side].append(ms)
                    stage[side] += 1
                    wait_idle(page)
                rounds += 1
            browser.close()
    finally:
        for proc, _ in servers:
            stop_server(proc)
    for name, t in zip(("A (this checkout)", f"B ({args.other})"), times):
        print(f"{L.url_path} {name} | median {statistics.median(t):.0f} ms | "
              f"p95 {statistics.quantiles(t, n=20)[-1]:.0f} ms | over {len(t)} clicks")
    diffs = [a - b for a, b in zip(*times)]
    print(f"{L.url_path} paired A - B | median {statistics.median(diffs):+.1f} ms")


if __name__ == "__main__":
    main()

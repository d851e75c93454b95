"""Training in the page, in Chromium: click Train -> the trained model on screen, and a click
on Stop training -> the stopped run's model on screen, for the character MLP (the class run)
and skip-gram with negative sampling (the built-in text).

    python bench/page_training.py [--repeats 3]

Serves the app (serve.py) on a free loopback port and drives Debian's /usr/bin/chromium. The
first run of each lesson includes importing torch and loading the names list (a teacher's
first click); the figures are each lesson's first and fastest runs. Targets (the character
MLP): a full run with its live curve in under 15 s; Stop answered within a second.
"""
import argparse
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.e2e.conftest import launch_chromium, new_context, open_app, wait_idle  # noqa: E402
from tests.e2e.server import start_server, stop_server  # noqa: E402

LESSONS = [("char_mlp", "char", "Loss: first step"), ("sgns", "sgns", "Loss: first point")]
FULL_RUN_TARGET, STOP_TARGET = 15.0, 1.0


def train_once(page, prefix, done_text):
    """Seconds from the click on Train until the trained model's summary is on screen."""
    t0 = time.perf_counter()
    page.locator(f".st-key-{prefix}_train button").click()
    wait_idle(page, timeout=120_000)            # the run the click started has finished
    seconds = time.perf_counter() - t0
    assert page.get_by_text(done_text).count() and not page.get_by_text("stopped").count()
    return seconds


def stop_once(page, prefix):
    """Seconds from a click on Stop training (once the bar has moved) until the page says the
    run was stopped."""
    page.locator(f".st-key-{prefix}_train button").click()
    page.get_by_text(re.compile(r"step \d+ of|\d+% of the pairs")).first.wait_for(timeout=120_000)
    t0 = time.perf_counter()
    page.locator(f".st-key-{prefix}_stop_train button").click()
    wait_idle(page, timeout=60_000)             # the run the click started has finished
    seconds = time.perf_counter() - t0
    assert page.get_by_text("Training was stopped").count()
    return seconds


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3, help="timed runs per lesson")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright
    proc, base = start_server()
    try:
        with sync_playwright() as p:
            browser = launch_chromium(p)
            for path, prefix, done_text in LESSONS:
                page = new_context(browser).new_page()
                open_app(page, base, path, f".st-key-{prefix}_next")
                runs = [train_once(page, prefix, done_text) for _ in range(args.repeats)]
                steps = page.locator(f".st-key-{prefix}_train_"
                                     f"{'steps' if prefix == 'char' else 'epochs'} input")
                steps.fill("20000" if prefix == "char" else "50")   # long runs, to be stopped
                steps.press("Enter")
                wait_idle(page)
                stops = [stop_once(page, prefix) for _ in range(args.repeats)]
                print(f"page_training | {path} | full run: first {runs[0]:.1f} s, fastest "
                      f"{min(runs):.1f} s (target < {FULL_RUN_TARGET:g} s) | Stop -> stopped: "
                      f"slowest {max(stops):.2f} s (target < {STOP_TARGET:g} s)", flush=True)
                page.context.close()
            browser.close()
    finally:
        stop_server(proc)


if __name__ == "__main__":
    main()

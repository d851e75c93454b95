"""Cold start to first render: the app vs a bare Streamlit page, served and opened the same way.

    python bench/cold_start.py [--repeats 3]

Each measurement starts a new `streamlit run` process on a free loopback port and a new
Chromium context, opens the page and stops the clock when its first run has finished with
the page's content on screen: the app's home page (what a class sees first), a direct link
to the tiny word2vec lesson (a first run that also imports torch for the autograd check),
and a bare page (one line of text). Prints medians over `repeats` and the ratios.
Target: app home / bare <= 1.5x.
"""
import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.e2e.conftest import launch_chromium, new_context, open_app  # noqa: E402
from tests.e2e.server import start_server, stop_server  # noqa: E402

BARE = 'import streamlit as st\nst.markdown("Hello")\n'


def cold_start(browser, script, cwd, path, ready):
    """Seconds from starting the server process to the first finished render of `path`."""
    t0 = time.perf_counter()
    proc, base = start_server(script=script, cwd=cwd)
    try:
        context = new_context(browser)
        open_app(context.new_page(), base, path, ready, styled=Path(script).name == "serve.py")
        elapsed = time.perf_counter() - t0
        context.close()
        return elapsed
    finally:
        stop_server(proc)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    runs = {"app home": [], "app, direct link to tiny_word2vec": [], "bare page": []}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        (Path(tmp) / "bare.py").write_text(BARE)
        browser = launch_chromium(p)
        for _ in range(args.repeats):  # interleaved, so a drift in machine speed hits all three
            runs["bare page"].append(cold_start(browser, "bare.py", tmp, "",
                                                 "[data-testid='stMarkdown']"))
            runs["app home"].append(cold_start(browser, "serve.py", ROOT, "", "h1"))
            runs["app, direct link to tiny_word2vec"].append(
                cold_start(browser, "serve.py", ROOT, "tiny_word2vec", ".st-key-tiny_next"))
        browser.close()

    bare = statistics.median(runs["bare page"])
    for name, times in runs.items():
        med = statistics.median(times)
        print(f"{name} | median {med:.2f} s over {len(times)} | {med / bare:.2f}x bare")
    ratio = statistics.median(runs["app home"]) / bare
    print(f"target | app home <= 1.5x bare | {ratio:.2f}x | {'met' if ratio <= 1.5 else 'MISSED'}")


if __name__ == "__main__":
    main()

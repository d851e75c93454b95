"""Median AppTest rerun time of clicking Next on a lesson page vs a trivial page, and the ratio.

    python bench/rerun_latency.py [--clicks 30]

Every lesson of the lesson list (ui/lessons.py) and the trivial page are measured in one run,
so the ratios hold when the machine's speed drifts. The first render (imports, torch autograd
check) is warm-up and not counted. Target: ratio <= 4x on every lesson.
"""
import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the pages import core/ and ui/ from the project root


def time_clicks(at, click, clicks, before=None):
    """Seconds per click; `before(at)`, not timed, runs ahead of each click."""
    times = []
    for _ in range(clicks):
        if before:
            before(at)
        t0 = time.perf_counter()
        click(at)
        times.append(time.perf_counter() - t0)
        assert not at.exception, at.exception
    return times


def lesson_clicks(file, prefix, clicks):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page(f"pages/{file}").run()
    assert not at.exception, at.exception

    def back_to_start(at):
        if at.button(key=f"{prefix}_next").disabled:
            at.button(key=f"{prefix}_reset").click().run()

    return time_clicks(at, lambda at: at.button(key=f"{prefix}_next").click().run(), clicks,
                       before=back_to_start)


def trivial_clicks(clicks):
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "trivial.py"
        script.write_text("import streamlit as st\nst.button('Next', key='next')\n")
        at = AppTest.from_file(str(script), default_timeout=60)
        at.run()
        return time_clicks(at, lambda at: at.button(key="next").click().run(), clicks)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clicks", type=int, default=30, help="clicks measured per page")
    args = ap.parse_args()
    from ui.lessons import lessons
    trivial = statistics.median(trivial_clicks(args.clicks))
    print(f"trivial one-button page | click rerun | median {trivial * 1000:.1f} ms over {args.clicks}")
    for file, L in lessons():
        lesson = statistics.median(lesson_clicks(file, L.prefix, args.clicks))
        print(f"{L.url_path} | Next click rerun | median {lesson * 1000:.1f} ms | "
              f"{lesson / trivial:.1f}x trivial | target <= 4x: "
              f"{'met' if lesson / trivial <= 4 else 'MISSED'}")


if __name__ == "__main__":
    main()

"""Median AppTest rerun time of clicking Next on a lesson page vs a trivial page, and the ratio.

    python bench/rerun_latency.py [--clicks 30]

Every lesson of the lesson list (ui/lessons.py) and the trivial page are measured in one run,
so the ratios hold when the machine's speed drifts. The first render (imports, torch autograd
check) is warm-up and not counted. Target: ratio <= 4x on every lesson.

AppTest reruns the whole page for every click. A served page reruns only the stepper's
fragment for Next (st.fragment), so the script also times what the server does for a Next
click: a websocket client sends the click and waits for the run's end, on the app served by
serve.py and on the same trivial page served with the same configuration (median, ratio).
"""
import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the pages import core/ and ui/ from the project root
sys.path.insert(0, str(ROOT / "bench"))
TRIVIAL = "import streamlit as st\nst.button('Next', key='next')\n"
SERVE_TRIVIAL = """import sys
sys.path.insert(0, {root!r})
import streamlit as st
from ui import serving
serving.turn_nagle_off()
app = st.App(str(__import__("pathlib").Path(__file__).with_name("trivial.py")))
"""


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
        script.write_text(TRIVIAL)
        at = AppTest.from_file(str(script), default_timeout=60)
        at.run()
        return time_clicks(at, lambda at: at.button(key="next").click().run(), clicks)


async def served_clicks(base, page, prefix, stages, clicks):
    """ms per Next click (Reset, not timed, after the last stage): sent -> run finished."""
    import websockets
    from load_test import button, rerun_msg, run_once
    url = base.replace("http://", "ws://") + "/_stcore/stream"
    times, stage = [], 1
    async with websockets.connect(url, subprotocols=["streamlit"], max_size=None) as ws:
        buttons, _, _ = await run_once(ws, rerun_msg(page))
        for _ in range(5):  # warm-up clicks, not counted
            bid, frag = button(buttons, "next" if not stages else f"{prefix}_next")
            buttons.update((await run_once(ws, rerun_msg(page, bid, frag)))[0])
            stage += 1
        while len(times) < clicks:
            key = "reset" if stages and stage >= stages else "next"
            bid, frag = button(buttons, key if not stages else f"{prefix}_{key}")
            t0 = time.perf_counter()
            buttons.update((await run_once(ws, rerun_msg(page, bid, frag)))[0])
            if key == "next":
                times.append((time.perf_counter() - t0) * 1000)
            stage = stage + 1 if key == "next" else 1
    return times


def served(clicks):
    """{name: median ms} of a served Next click, every lesson and the trivial page."""
    from load_test import warm_up
    from tests.e2e.server import start_server, stop_server
    from ui.lessons import lessons, stage_count
    out = {}
    proc, base = start_server()
    try:
        first = lessons()[0][1]  # its first stage has an autograd check line to wait for
        asyncio.run(warm_up(base, first.url_path, first.prefix, stage_count(first)))  # torch
        for _, L in lessons():
            out[L.url_path] = statistics.median(asyncio.run(
                served_clicks(base, L.url_path, L.prefix, stage_count(L), clicks)))
    finally:
        stop_server(proc)
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "trivial.py").write_text(TRIVIAL)
        script = Path(tmp) / "serve_trivial.py"  # served as serve.py serves the app
        script.write_text(SERVE_TRIVIAL.format(root=str(ROOT)))
        proc, base = start_server(script=script, cwd=ROOT)  # the app's .streamlit/config.toml
        try:
            out["trivial"] = statistics.median(asyncio.run(served_clicks(base, "", "", 0, clicks)))
        finally:
            stop_server(proc)
    return out


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
    ms = served(args.clicks)
    print(f"served trivial one-button page | click -> run finished | median {ms['trivial']:.1f} ms")
    for _, L in lessons():
        print(f"served {L.url_path} | Next click -> run finished (the stepper's fragment) | "
              f"median {ms[L.url_path]:.1f} ms | {ms[L.url_path] / ms['trivial']:.1f}x trivial")


if __name__ == "__main__":
    main()

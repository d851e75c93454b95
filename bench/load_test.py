"""Load test: N concurrent sessions click through a lesson on a local server.

    python bench/load_test.py [--sessions 20] [--rounds 3] [--lesson tiny_word2vec]

Starts `streamlit run serve.py` on a free loopback port, opens N sessions over Streamlit's own
websocket protocol (what a browser tab sends: a rerun request with the clicked button's
trigger, in the stepper's fragment), and has each click Next through every stage and Reset,
`rounds` times, all at once. A click's time runs from sending it until the server's
"script finished" message. It prints the errors (must be 0: a failed connection, a timeout,
an exception or st.error on the page, or a click that did not reach the expected stage),
the median and p95 click-to-update time, and the server's memory per session.

Bounded: loopback only, a fixed number of clicks, a time limit per click and in all; the
server is stopped at the end whatever happens. Browser rendering is not part of these times
(bench/click_latency.py measures a click in Chromium).
"""
import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.e2e.server import start_server, stop_server  # noqa: E402
from ui.lessons import lesson_of, lesson_option, lessons  # noqa: E402

CLICK_TIMEOUT = 60      # seconds one click may take
TOTAL_TIMEOUT = 900     # seconds the whole test may take
EARLY_FOR_RERUN = ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN


def rss_mb(pid):
    """Resident memory of a process, in MB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def rerun_msg(page, button_id="", fragment_id=""):
    """The BackMsg a browser sends to (re)run `page`, optionally clicking a button."""
    msg = BackMsg()
    msg.rerun_script.page_name = page
    if button_id:
        widget = msg.rerun_script.widget_states.widgets.add()
        widget.id, widget.trigger_value = button_id, True
    msg.rerun_script.fragment_id = fragment_id
    return msg.SerializeToString()


async def run_once(ws, payload):
    """Send a rerun; read until its run finishes. Returns ({button id: fragment id}, page bytes,
    errors shown on the page)."""
    await ws.send(payload)
    buttons, shown, errors = {}, [], []
    while True:
        fwd = ForwardMsg()
        fwd.ParseFromString(await asyncio.wait_for(ws.recv(), CLICK_TIMEOUT))
        kind = fwd.WhichOneof("type")
        if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
            element = fwd.delta.new_element
            shown.append(element.SerializeToString())
            if element.WhichOneof("type") == "button":
                buttons[element.button.id] = fwd.delta.fragment_id
            elif element.WhichOneof("type") == "exception":
                errors.append(f"exception: {element.exception.message}")
            elif element.WhichOneof("type") == "alert" and element.alert.format == 1:  # ERROR
                errors.append(f"st.error: {element.alert.body}")
        elif kind == "script_finished" and fwd.script_finished != EARLY_FOR_RERUN:
            return buttons, b"".join(shown), errors


def button(buttons, key):
    return next((bid, frag) for bid, frag in buttons.items() if bid.endswith(f"-{key}"))


async def session(base, page, prefix, stages, rounds, times, errors, hold):
    """One user: open the page, then `rounds` times click Next through every stage and Reset."""
    url = base.replace("http://", "ws://") + "/_stcore/stream"
    try:
        async with websockets.connect(url, subprotocols=["streamlit"], max_size=None) as ws:
            buttons, _, errs = await run_once(ws, rerun_msg(page))
            errors.extend(errs)
            for _ in range(rounds):
                for stage in list(range(2, stages + 1)) + [1]:
                    key = "next" if stage > 1 else "reset"
                    bid, frag = button(buttons, f"{prefix}_{key}")
                    t0 = time.perf_counter()
                    new, shown, errs = await run_once(ws, rerun_msg(page, bid, frag))
                    times.append(time.perf_counter() - t0)
                    buttons.update(new)
                    errors.extend(errs)
                    if f"Stage {stage} of {stages}".encode() not in shown:
                        errors.append(f"{key}: the page did not show stage {stage}")
            await hold.wait()  # stay connected until every session is measured
    except (OSError, asyncio.TimeoutError, websockets.WebSocketException, StopIteration) as err:
        errors.append(f"{type(err).__name__}: {err}")


async def warm_up(base, page, prefix, stages, timeout=120):
    """One session through the lesson (imports, caches), then new page loads until the
    autograd check lines are drawn: the page is drawn before torch is imported and torch
    loads in the background, which no measurement should share the server with. The check
    is looked for on the first lesson of the lesson list, whose first stage has one (a
    lesson's first stage may be text: CBOW's tokens)."""
    errors, done = [], asyncio.Event()
    done.set()
    await session(base, page, prefix, stages, 1, [], errors, done)
    if errors:
        raise SystemExit(f"warm-up failed: {errors[:3]}")
    url = base.replace("http://", "ws://") + "/_stcore/stream"
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        async with websockets.connect(url, subprotocols=["streamlit"], max_size=None) as ws:
            _, shown, _ = await run_once(ws, rerun_msg(lessons()[0][1].url_path))
        if b"equals torch autograd" in shown:
            return
        await asyncio.sleep(1)
    raise SystemExit("warm-up: the autograd check never appeared (torch did not load)")


async def main(args):
    proc, base = start_server()
    try:
        # Warm-up (imports, torch, caches), closed before the baseline is read.
        await warm_up(base, args.page, args.prefix, args.stages)
        await asyncio.sleep(1)
        baseline = rss_mb(proc.pid)

        times, errors = [], []
        hold = asyncio.Event()
        users = [asyncio.create_task(session(base, args.page, args.prefix, args.stages,
                                             args.rounds, times, errors, hold))
                 for _ in range(args.sessions)]
        t0 = time.perf_counter()
        clicks = args.sessions * args.rounds * args.stages
        while len(times) < clicks and not all(u.done() for u in users):
            if time.perf_counter() - t0 > TOTAL_TIMEOUT:
                errors.append("time limit reached")
                break
            await asyncio.sleep(0.2)
        wall = time.perf_counter() - t0
        loaded = rss_mb(proc.pid)
        hold.set()
        await asyncio.wait(users, timeout=30)
        for u in users:
            u.cancel()
    finally:
        stop_server(proc)

    print(f"{args.sessions} sessions x {args.rounds} rounds of {args.page} "
          f"({args.stages - 1} Next + 1 Reset), {len(times)} of {clicks} clicks in {wall:.1f} s")
    print_errors(errors)
    if times:
        print(f"click-to-update (server) | {spread(times)}")
    print(f"server memory | {baseline:.0f} MB after warm-up, {loaded:.0f} MB with "
          f"{args.sessions} sessions open | {(loaded - baseline) / args.sessions:.1f} MB per session")
    return 1 if errors else 0


def p95(xs):
    return statistics.quantiles(xs, n=20, method="inclusive")[-1] if len(xs) >= 2 else float("nan")


def spread(seconds):
    """'median … ms | p95 … ms | max … ms' of a list of times in seconds."""
    return (f"median {statistics.median(seconds) * 1000:.0f} ms | p95 {p95(seconds) * 1000:.0f} "
            f"ms | max {max(seconds) * 1000:.0f} ms")


def print_errors(errors):
    print(f"errors | {len(errors)} | must be 0")
    for err in errors[:10]:
        print(f"  {err[:200]}")


def run_bench(main, ap):
    """--lesson added to ap, the lesson's URL path, key prefix and stage count taken from the
    lesson list into args; exits with main(args)'s code."""
    lesson_option(ap)
    args = ap.parse_args()
    args.page, args.prefix, args.stages = lesson_of(args)
    sys.exit(asyncio.run(main(args)))


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=3, help="passes through the lesson per session")
    run_bench(main, ap)

"""Follow the teacher under load: one teacher and N following students on a local server.

    python bench/follow_the_teacher.py [--students 40] [--clicks 20]

Starts `streamlit run serve.py` on a free loopback port. The teacher's session opens the lesson
and switches "Lead the class" on; N student sessions open it with `?class=CODE` and behave as
browser tabs do (bench/load_test.py's protocol helpers, plus what the browser does on its own:
every `auto_rerun` fragment is rerun at its interval, a full run clearing the timers; and, as
ui/classroom's script does in the page, the tab waits on the news route (GET
/api/class/CODE?after=V, the version its page shows) and, told of a newer version, sends the
rerun that clicks the hidden catch-up button (a rerun of the stepper's fragment), then waits
until its page shows that version or ASK_AGAIN s pass). The teacher then clicks Next through
the stages (Reset, not timed, after the last) until `clicks` Next clicks are timed: from
sending the click until each student's session has received the stepper's "Stage k of n"
for the new stage.

Prints one line per figure: the time until every student has the new stage (per click,
median and p95), the same per student and click, the server's CPU time and the students'
script runs per click, the server's CPU while the students follow a teacher who does
nothing (the cost of waiting), and the server memory per follower (RSS after they joined minus
before, / N). Bounded: loopback only, a time limit per click and in
all; the server is stopped at the end whatever happens.
"""
import argparse
import asyncio
import json
import os
import random
import re
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from load_test import (button, p95, print_errors, rerun_msg, rss_mb, run_bench,  # noqa: E402
                       run_once, spread, warm_up)
from tests.e2e.server import start_server, stop_server  # noqa: E402
from ui.classroom import ASK_AGAIN, NEWS_GO, NEWS_PATH  # noqa: E402

CLICK_TIMEOUT = 20   # seconds for every student to see one click
TOTAL_TIMEOUT = 900  # seconds for the whole run
TARGET_P95 = 1.0     # seconds: every student sees the teacher's click within this, at p95


def message(page, query="", fragment_id="", auto=False, toggles=(), button_id="",
            page_hash=""):
    """load_test's rerun message, with more of what a browser tab sends: its URL's query
    string, the auto-rerun flag of a fragment timer and widget values (toggles: (id, bool)),
    which the browser sends with every message."""
    msg = BackMsg()
    msg.ParseFromString(rerun_msg(page, button_id, fragment_id))
    msg.rerun_script.query_string = query
    msg.rerun_script.page_script_hash = page_hash
    msg.rerun_script.is_auto_rerun = auto
    for wid, value in toggles:
        w = msg.rerun_script.widget_states.widgets.add()
        w.id, w.bool_value = wid, value
    return msg.SerializeToString()


def cpu_seconds(pid):
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def get_json(url):
    """GET a JSON answer over a connection of its own (as a browser's fetch)."""
    u = urllib.parse.urlsplit(url)
    reader, writer = await asyncio.open_connection(u.hostname, u.port)
    try:
        writer.write(f"GET {u.path}?{u.query} HTTP/1.1\r\nHost: {u.netloc}\r\n"
                     "Connection: close\r\n\r\n".encode())
        await writer.drain()
        head, body = (await reader.read()).split(b"\r\n\r\n", 1)
    finally:
        writer.close()
    if b" 200 " not in head.split(b"\r\n", 1)[0]:
        raise RuntimeError(f"GET {url}: {head[:80]!r}")
    return json.loads(body)


class Student:
    """One following tab: reads everything the server sends, reruns the auto-rerun fragments
    at their intervals, waits on the news route as the page's script does, and notes when
    each "Stage k of n" first arrives."""

    STAGE = re.compile(rb"\*\*Stage (\d+) of (\d+)\*\*")
    NEWS = re.compile(r"^(\S*" + re.escape(NEWS_PATH) + r"/\S+) (-?\d+)$")

    def __init__(self, ws, page, query, base):
        self.ws, self.page, self.query, self.base = ws, page, query, base
        self.news_url, self.shown = None, None  # the page's news box: address, version
        self.news_button, self.news_fragment = None, ""
        self.news_seen = asyncio.Event()
        self.timers = {}          # fragment id -> task
        self.page_hash = ""       # the page's script hash, sent back as a browser does
        self.stage, self.stage_at = None, 0.0
        self.changed = asyncio.Event()
        self.errors = []
        self.runs_finished = 0

    async def start(self):
        await self.ws.send(message(self.page, self.query))
        self.reader = asyncio.create_task(self.read())
        self.waiter = asyncio.create_task(self.wait_news())

    async def wait_news(self):
        """ui/classroom._NEWS_JS: wait on the route past the version shown; on news, click
        the catch-up button and wait (up to ASK_AGAIN s) until the page shows it."""
        while True:
            if self.shown is None or self.news_button is None:
                self.news_seen.clear()
                await self.news_seen.wait()
                continue
            url, shown = self.news_url, self.shown
            try:
                news = await get_json(f"{url}?after={shown}")
            except (OSError, RuntimeError, ValueError) as err:
                self.errors.append(f"news: {err}")
                await asyncio.sleep(1)
                continue
            if news.get("ended") or news["version"] > self.shown:
                await self.ws.send(message(self.page, self.query, self.news_fragment,
                                           button_id=self.news_button,
                                           page_hash=self.page_hash))
                until = time.perf_counter() + ASK_AGAIN
                while time.perf_counter() < until and (
                        news.get("ended") or self.shown < news["version"]):
                    self.news_seen.clear()
                    try:
                        await asyncio.wait_for(self.news_seen.wait(),
                                               until - time.perf_counter())
                    except asyncio.TimeoutError:
                        break

    async def tick(self, fragment_id, interval):
        while True:
            await asyncio.sleep(interval)
            await self.ws.send(message(self.page, self.query, fragment_id, auto=True,
                                       page_hash=self.page_hash))

    def clear_timers(self):
        for t in self.timers.values():
            t.cancel()
        self.timers.clear()

    async def read(self):
        try:
            async for raw in self.ws:
                fwd = ForwardMsg()
                fwd.ParseFromString(raw)
                kind = fwd.WhichOneof("type")
                if kind == "new_session" and not fwd.metadata.run.fragment_ids:
                    self.clear_timers()  # what the browser does when a full run starts
                    self.page_hash = fwd.new_session.page_script_hash
                elif kind == "auto_rerun":
                    fid, interval = fwd.auto_rerun.fragment_id, fwd.auto_rerun.interval
                    if fid not in self.timers:
                        self.timers[fid] = asyncio.create_task(self.tick(fid, interval))
                elif kind == "stop_auto_rerun":
                    for fid in fwd.stop_auto_rerun.fragment_ids:
                        t = self.timers.pop(fid, None)
                        if t:
                            t.cancel()
                elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                    el = fwd.delta.new_element
                    what = el.WhichOneof("type")
                    if what == "text":
                        m = self.NEWS.match(el.text.body.strip())
                        if m:
                            url = m.group(1)
                            self.news_url = url if url.startswith("http") else self.base + url
                            self.shown = int(m.group(2))
                            self.news_seen.set()
                    elif what == "button" and el.button.id.endswith(f"-{NEWS_GO}"):
                        self.news_button = el.button.id
                        self.news_fragment = fwd.delta.fragment_id  # the stepper's
                        self.news_seen.set()
                    elif what == "markdown":
                        m = self.STAGE.search(el.markdown.body.encode())
                        if m and int(m.group(1)) != self.stage:
                            self.stage, self.stage_at = int(m.group(1)), time.perf_counter()
                            self.changed.set()
                    elif what == "exception":
                        self.errors.append(f"exception: {el.exception.message}")
                elif kind == "script_finished":
                    self.runs_finished += 1

        except websockets.WebSocketException as err:
            self.errors.append(f"{type(err).__name__}: {err}")
        finally:
            self.clear_timers()
            self.waiter.cancel()

    async def wait_stage(self, stage, deadline):
        while self.stage != stage:
            self.changed.clear()
            left = deadline - time.perf_counter()
            if left <= 0:
                raise asyncio.TimeoutError
            await asyncio.wait_for(self.changed.wait(), left)
        return self.stage_at


async def lead(base, page, prefix):
    """The teacher's tab: open the lesson, switch "Lead the class" on; (ws, buttons, code,
    the toggle's (id, True) to send with every click)."""
    url = base.replace("http://", "ws://") + "/_stcore/stream"
    ws = await websockets.connect(url, subprotocols=["streamlit"], max_size=None)
    buttons, shown, errors = await run_once(ws, message(page))
    toggle = re.search(rb"\$\$ID-[0-9a-f]+-lead(?![A-Za-z0-9_])", shown)
    if errors or not toggle:
        raise SystemExit(f"the teacher's page: {errors[:3] or 'no Lead the class toggle'}")
    on = [(toggle.group().decode(), True)]
    new, shown, errors = await run_once(ws, message(page, toggles=on))
    buttons.update(new)
    code = re.search(rb"Leading class \*\*([A-Z0-9]+)\*\*", shown)
    if errors or not code:
        raise SystemExit(f"no class code on the teacher's page: {errors[:3]}")
    return ws, buttons, code.group(1).decode(), on


async def main(args):
    proc, base = start_server()
    teacher = None
    students, sockets = [], []
    try:
        # Warm-up (imports, torch, caches): one session through the lesson, closed.
        await warm_up(base, args.page, args.prefix, args.stages)
        teacher, tbuttons, code, on = await lead(base, args.page, args.prefix)
        await asyncio.sleep(1)
        baseline = rss_mb(proc.pid)

        url = base.replace("http://", "ws://") + "/_stcore/stream"
        for _ in range(args.students):
            ws = await websockets.connect(url, subprotocols=["streamlit"], max_size=None)
            sockets.append(ws)
            st = Student(ws, args.page, f"class={code}", base)
            await st.start()
            students.append(st)
        deadline = time.perf_counter() + 120
        await asyncio.gather(*(s.wait_stage(1, deadline) for s in students))
        await asyncio.sleep(2)
        joined = rss_mb(proc.pid)

        # Polling cost: everyone follows, the teacher does nothing for 5 s.
        c0, w0 = cpu_seconds(proc.pid), time.perf_counter()
        await asyncio.sleep(5)
        idle_cpu = (cpu_seconds(proc.pid) - c0) / (time.perf_counter() - w0)

        every, each, errors, cpu, runs = [], [], [], [], []
        stage, t_start = 1, time.perf_counter()
        while len(every) < args.clicks and time.perf_counter() - t_start < TOTAL_TIMEOUT:
            target = stage + 1 if stage < args.stages else 1
            key = "next" if target > 1 else "reset"
            bid, frag = button(tbuttons, f"{args.prefix}_{key}")
            await asyncio.sleep(random.uniform(0.2, 0.7))  # the clicks fall anywhere in a poll
            cpu0, runs0 = cpu_seconds(proc.pid), sum(s.runs_finished for s in students)
            t0 = time.perf_counter()
            new, _, errs = await run_once(teacher, message(args.page, fragment_id=frag,
                                                           toggles=on, button_id=bid))
            tbuttons.update(new)
            errors.extend(errs)
            try:
                seen = await asyncio.gather(*(s.wait_stage(target, t0 + CLICK_TIMEOUT)
                                              for s in students))
            except asyncio.TimeoutError:
                errors.append(f"click to stage {target}: not every student got it within "
                              f"{CLICK_TIMEOUT} s")
                missing = [s.stage for s in students if s.stage != target]

                errors.append(f"  {len(missing)} students on stages {sorted(set(missing))}")
                break
            stage = target
            if key == "next":
                every.append(max(seen) - t0)
                each.extend(t - t0 for t in seen)
                cpu.append(cpu_seconds(proc.pid) - cpu0)
                runs.append(sum(s.runs_finished for s in students) - runs0)
        for s in students:
            errors.extend(s.errors)
    finally:
        for ws in sockets + ([teacher] if teacher else []):
            await ws.close()
        stop_server(proc)

    print(f"{args.students} students following one teacher on {args.page}, "
          f"{len(every)} timed Next clicks, {os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.1f} at the end (other work on the machine slows every figure)")
    print_errors(errors)
    if every:
        print(f"teacher's Next -> every student has the new stage | {spread(every)} | target p95 "
              f"<= {TARGET_P95 * 1000:.0f} ms: {'met' if p95(every) <= TARGET_P95 else 'MISSED'}")
        print(f"teacher's Next -> one student has it (each student, each click) | median "
              f"{statistics.median(each) * 1000:.0f} ms | p95 {p95(each) * 1000:.0f} ms")
    if cpu:
        print(f"server CPU per Next click, until every student has it | median "
              f"{statistics.median(cpu) * 1000:.0f} ms | script runs of the students | median "
              f"{statistics.median(runs):.0f} ({statistics.median(runs) / args.students:.1f} per "
              f"student: the catch-up reruns)")
    print(f"server CPU while {args.students} students follow an idle teacher (each waiting on "
          f"the news route) | {idle_cpu * 100:.0f} % of one core")
    print(f"server memory | {baseline:.0f} MB with the teacher, {joined:.0f} MB with "
          f"{args.students} students | {(joined - baseline) / args.students:.2f} MB per follower")
    return 1 if errors else 0


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=40)
    ap.add_argument("--clicks", type=int, default=20, help="timed Next clicks")
    run_bench(main, ap)

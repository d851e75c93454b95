"""The class store behind "Follow the teacher" (ui/classroom.py): codes, versions, copies,
ending and the time-outs, with an injected clock. No Streamlit session, no browser."""
import gc
import threading
import time

import numpy as np
import pytest

from ui import classroom
from ui.classroom import ALPHABET, GONE_TTL, IDLE_TTL, InProcessStore, normalize


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def store(clock):
    return InProcessStore(clock=clock)


def snap(stage=0, lr=0.1):
    return {"page": "tiny_word2vec", "title": "Tiny word2vec", "stage": stage, "n_stages": 5,
            "settings": {"lr": lr}, "model": {"params": {"W": np.eye(2)}}, "model_rev": 0}


def test_codes_are_short_unambiguous_and_distinct(store):
    codes = [store.create(f"teacher{i}") for i in range(2000)]
    assert len(set(codes)) == len(codes)
    for code in codes:
        assert 4 <= len(code) <= 6
        assert set(code) <= set(ALPHABET)
        assert not set(code) & set("0O1I")
        assert normalize(code.lower()) == code and normalize(f" {code} ") == code
    assert len(store) == 2000


def test_normalize_refuses_what_cannot_be_a_code():
    for text in ("", "AB", "ABCDEFG", "AB0D", "ABIO", "AB-CD", "ÄBCD", "A B C D E F G"):
        assert normalize(text) is None, text


def test_a_new_class_has_no_snapshot_then_versions_count_publishes(store):
    code = store.create("t")
    assert store.read(code) == (0, None)
    assert store.version(code) == 0
    assert store.publish(code, snap(0)) == 1
    assert store.publish(code, snap(1)) == 2
    version, s = store.read(code)
    assert version == 2 == store.version(code)
    assert s["stage"] == 1


def test_the_store_keeps_its_own_copy(store):
    code = store.create("t")
    s = snap(2)
    store.publish(code, s)
    s["stage"] = 4
    s["model"]["params"]["W"][0, 0] = 99.0
    _, kept = store.read(code)
    assert kept["stage"] == 2
    assert kept["model"]["params"]["W"][0, 0] == 1.0


def test_classes_are_separate(store):
    a, b = store.create("ta"), store.create("tb")
    store.publish(a, snap(3))
    assert store.read(b) == (0, None)
    store.publish(b, snap(1, lr=0.5))
    store.publish(b, snap(2, lr=0.5))
    assert store.read(a)[0] == 1 and store.read(a)[1]["stage"] == 3
    assert store.read(b)[0] == 2 and store.read(b)[1]["settings"]["lr"] == 0.5


def test_end_ends_only_that_class(store):
    a, b = store.create("ta"), store.create("tb")
    store.publish(a, snap())
    store.end(a)
    assert store.read(a) is None and store.version(a) is None
    assert store.publish(a, snap()) is None
    assert store.touch(a) is False
    assert store.read(b) == (0, None)
    store.end(a)  # twice, or an unknown code: nothing happens
    store.end("ZZZZZ")


def test_unknown_codes(store):
    assert store.read("ABCDE") is None
    assert store.version("ABCDE") is None
    assert store.publish("ABCDE", snap()) is None
    assert store.touch("ABCDE") is False


def test_idle_time_out_counts_from_the_last_publish(store, clock):
    def heartbeats(code, seconds):
        for _ in range(int(seconds // 60)):
            clock.advance(60)
            if not store.touch(code):
                return False
        return True

    code = store.create("t")
    # The teacher's session stays (a heartbeat a minute) but nothing is published.
    assert heartbeats(code, IDLE_TTL - 60)
    assert not heartbeats(code, 120)
    assert store.read(code) is None
    code = store.create("t")
    assert heartbeats(code, IDLE_TTL - 60)
    store.publish(code, snap(1))  # a publish restarts the idle clock
    assert heartbeats(code, IDLE_TTL - 60)
    assert store.version(code) == 1


def test_teacher_gone_time_out_counts_from_the_last_sign(store, clock):
    code = store.create("t")
    clock.advance(GONE_TTL - 1)
    assert store.touch(code)            # a heartbeat: still there
    clock.advance(GONE_TTL - 1)
    assert store.publish(code, snap()) == 1   # a publish is a sign too
    clock.advance(GONE_TTL - 1)
    assert store.read(code) is not None
    clock.advance(2)                    # GONE_TTL + 1 since the last sign
    assert store.read(code) is None
    assert store.touch(code) is False   # a late heartbeat does not bring it back


def test_expired_classes_are_dropped_when_a_class_is_created(store, clock):
    for i in range(50):
        store.create(f"t{i}")
    clock.advance(GONE_TTL + 1)
    store.create("new")
    assert len(store) == 1


def test_custom_time_outs(clock):
    store = InProcessStore(clock=clock, idle_ttl=60, gone_ttl=30)
    code = store.create("t")
    clock.advance(25)
    assert store.touch(code)
    clock.advance(25)
    assert store.touch(code)
    clock.advance(11)  # 61 s since the create: idle
    assert store.read(code) is None


def test_concurrent_publishes_and_reads_count_every_version():
    store = InProcessStore()
    code = store.create("t")
    seen = []

    def teacher():
        for i in range(300):
            store.publish(code, snap(i % 5))

    def student():
        last = 0
        for _ in range(600):
            v = store.version(code)
            assert v >= last
            last = v
        seen.append(last)

    threads = [threading.Thread(target=teacher)] + [threading.Thread(target=student)
                                                    for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.version(code) == 300
    assert all(0 <= v <= 300 for v in seen)


def test_a_freed_teacher_session_ends_its_class(monkeypatch):
    """The guard kept in the teacher's session state ends the class when it is freed."""
    store = InProcessStore()
    monkeypatch.setattr(classroom, "store", lambda: store)
    code = store.create("t")
    guard = classroom._Guard(code)
    assert store.read(code) is not None
    del guard
    gc.collect()
    deadline = time.monotonic() + 5
    while store.read(code) is not None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert store.read(code) is None


def test_a_detached_guard_leaves_the_class(monkeypatch):
    store = InProcessStore()
    monkeypatch.setattr(classroom, "store", lambda: store)
    code = store.create("t")
    guard = classroom._Guard(code)
    guard.finalizer.detach()
    del guard
    gc.collect()
    time.sleep(0.05)
    assert store.read(code) == (0, None)


def test_class_link():
    assert classroom.class_link("ABCDE", "tiny_word2vec", base="https://x.org/app") == \
        "https://x.org/app/tiny_word2vec?class=ABCDE"
    assert classroom.class_link("ABCDE", "", base="http://h:8501") == "http://h:8501/?class=ABCDE"
    assert classroom.class_link("ABCDE", "cbow", base="") == "/cbow?class=ABCDE"


def test_qr_code_is_svg():
    svg = classroom.qr_svg("http://127.0.0.1:8501/tiny_word2vec?class=ABCDE")
    assert svg.lstrip().startswith("<svg") and "path" in svg


# --- the news route (GET /api/class/CODE?after=V) ----------------------------------------------

def _ask(code, after=None):
    """Call the route's handler as Starlette would; (seconds taken, JSON answer)."""
    import asyncio
    import json
    from concurrent.futures import ThreadPoolExecutor

    from starlette.requests import Request
    query = b"" if after is None else f"after={after}".encode()
    request = Request({"type": "http", "method": "GET", "path": f"/api/class/{code}",
                       "path_params": {"code": code}, "query_string": query, "headers": []})
    t0 = time.monotonic()
    # In a thread of its own: a browser test's Playwright may hold a running loop here.
    with ThreadPoolExecutor(1) as pool:
        response = pool.submit(asyncio.run, classroom.news(request)).result()
    assert response.headers["cache-control"] == "no-store"
    return time.monotonic() - t0, json.loads(response.body)


@pytest.fixture
def news_store(monkeypatch):
    s = InProcessStore()
    monkeypatch.setattr(classroom, "store", lambda: s)
    monkeypatch.setattr(classroom, "NEWS_WAIT", 0.3)
    monkeypatch.setattr(classroom, "NEWS_CHECK", 0.02)  # its looks for other processes' news
    return s


def test_news_answers_at_once_when_the_class_is_ahead(news_store):
    code = news_store.create("teacher")
    news_store.publish(code, snap())
    news_store.publish(code, snap(1))
    took, answer = _ask(code, after=1)
    assert answer == {"version": 2} and took < 0.2
    assert _ask(code.lower())[1] == {"version": 2}  # no "after": anything is news


def test_news_waits_for_the_next_publish_by_any_process(news_store):
    code = news_store.create("teacher")
    news_store.publish(code, snap())
    timer = threading.Timer(0.1, news_store.publish, (code, snap(1)))
    timer.start()
    took, answer = _ask(code, after=1)
    timer.join()
    assert answer == {"version": 2} and 0.08 < took < 0.28


def test_news_answers_the_same_version_when_nothing_happens(news_store):
    code = news_store.create("teacher")
    news_store.publish(code, snap())
    took, answer = _ask(code, after=1)
    assert answer == {"version": 1} and took >= 0.3


def test_news_says_when_a_class_has_ended_or_never_was(news_store):
    code = news_store.create("teacher")
    timer = threading.Timer(0.1, news_store.end, (code,))
    timer.start()
    took, answer = _ask(code, after=0)
    timer.join()
    assert answer == {"ended": True} and took < 0.28
    assert _ask("ZZZZZ", after=0)[1] == {"ended": True}
    assert _ask("not a code!", after=0)[1] == {"ended": True}
    assert _ask(code, after="x")[1] == {"ended": True}  # a bad "after" is not a crash


def test_news_is_woken_by_a_publish_in_this_process(news_store, monkeypatch):
    """The route does not wait for its next look (NEWS_CHECK) when this process published."""
    monkeypatch.setattr(classroom, "NEWS_CHECK", 10)
    code = news_store.create("teacher")
    news_store.publish(code, snap())

    def publish():
        news_store.publish(code, snap(1))
        classroom._changed()  # what lead() does after publishing
    timer = threading.Timer(0.1, publish)
    timer.start()
    took, answer = _ask(code, after=1)
    timer.join()
    assert answer == {"version": 2} and took < 0.28
    assert not classroom._waiting  # the request's waiter is gone

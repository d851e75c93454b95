"""Follow the teacher: a teacher leads a class, students who open the class link follow.

The teacher switches on "Lead the class" (app.py's sidebar): the app makes a short class code
and shows a link (any lesson URL with `?class=CODE`) and its QR code. A student who opens the
link follows: the lesson (page), its settings, parameters, learning rate and stage mirror the
teacher's within a second, without a reload. "Explore on my own" detaches (the student's own
changes are kept); "Follow again" catches up at once.

How it flows:
- the teacher's stepper calls `lead(L, ctx, stage, n_stages)` on every run (a Next click
  reruns only the stepper's fragment): when the page, the settings, the model or the stage
  changed, the teacher's snapshot is published to the class store (which counts versions);
- a following student's browser learns of a newer version by waiting on the news route
  (`news`, GET /api/class/CODE?after=V, mounted by serve.py): the server answers as soon
  as the class's version passes V (or the class ends), and the browser's script (_NEWS_JS)
  then clicks the hidden button in the page's news box (`news_box`, drawn at the end of
  the lesson's stepper, holding the address and the version shown). The button reruns the
  stepper's fragment alone: `catch_up(L)` at its top shows the teacher's new stage when
  only the stage changed (the usual click, and the teacher's own Next is a stepper rerun
  too); for anything else (page, settings, model, the class's end) it reruns the app. No
  script runs while nothing changes;
- served without the route (`streamlit run app.py`), the page instead draws `_poll`, an
  empty fragment the browser reruns every POLL seconds: it reads the class's version and,
  when it is newer than the one a finished run drew (asking again after ASK_AGAIN s if
  that run never finished), reruns the app;
- on a full run, `panel` (app.py) switches to the teacher's page if needed and draws the
  status line, `follow(L)` (ui/lesson.run, after init_state) writes the snapshot into the
  lesson's state, and `news_box()` (or `drawn()` at the end of app.py on a page without a
  stepper) records the version as shown. A follower's page is brief (the current stage;
  no training or exercises): forty of them are drawn for every click of the teacher's.

The class store: one interface, `ClassStore`; `InProcessStore` (a dict and a lock in this
process) is the default. When the app runs as several processes behind a load balancer, put
a shared store (Redis, a database) behind the same methods and install it once with
`use_store(...)`:

    create(teacher_id) -> code          a new class, its code unique among live classes
    publish(code, snapshot) -> version  store the teacher's snapshot, version + 1; None when
                                        the class has ended (unknown, ended or expired)
    read(code) -> (version, snapshot) | None
                                        the latest snapshot ((0, None) before the first
                                        publish); None when the class has ended
    version(code) -> int | None         the version alone: what the news route and the
                                        polls read (the route when this process published
                                        or ended a class, and every NEWS_CHECK s in case
                                        another process did)
    touch(code) -> bool                 the teacher's session is alive (a heartbeat every
                                        HEARTBEAT s); False when the class has ended
    end(code)                           the teacher left: the class ends now

Expiry: a class ends when its teacher switches "Lead the class" off, when the teacher's
session is closed by the server (in-process: the session's state is freed), after IDLE_TTL
(2 hours) without a publish, or after GONE_TTL (10 minutes) without a sign of the teacher's
session (a publish or a heartbeat: an open teacher tab sends one every HEARTBEAT seconds).
A snapshot is a picklable dict (page url_path and title, settings, model with numpy arrays,
stage and stage count); a store keeps its own copy and callers copy what they keep. With
Redis: a hash per class (teacher, version, snapshot pickled, published_at) under
`class:{code}` with EXPIRE GONE_TTL renewed by publish / touch, `version` = HGET, publish =
a MULTI of HINCRBY + HSET, create = SET NX on a random code.
"""
import asyncio
import copy
import pickle
import secrets
import threading
import time
import weakref
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

import streamlit as st

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0 / O, no 1 / I
CODE_LEN = 5                 # 32**5: 33 million codes
IDLE_TTL = 2 * 60 * 60       # seconds without a publish after which a class has ended
GONE_TTL = 10 * 60           # seconds without a sign of the teacher's session
HEARTBEAT = 60               # seconds between the teacher's heartbeats (a fragment rerun)
POLL = 0.5                   # seconds between a follower's polls, served without the news route
NEWS_PATH = "/api/class"     # the news route: GET NEWS_PATH/CODE?after=VERSION
NEWS_WAIT = 20               # seconds the route holds a request when nothing changes
NEWS_CHECK = 0.25            # seconds between the route's looks at a class's version when
                             # this process has not said it changed (another process may have)
ASK_AGAIN = 3                # seconds after which a poll asks again for a rerun not yet drawn

# Session-state keys (app-wide, not per lesson). "lead" is the sidebar toggle's key.
LEAD = "lead"
K_LEAD_CODE = "class_lead_code"      # the teacher's class code
K_LEAD_GUARD = "class_lead_guard"    # ends the class when the teacher's session is freed
K_PUBLISHED = "class_published"      # what the teacher published last (to skip repeats)
K_CODE = "class_code"                # the class a student is in (following or not)
K_FOLLOWING = "class_following"      # True: following; False: exploring on their own
K_SEEN = "class_seen"                # the newest version a finished full run has drawn
K_RUN = "class_run"                  # the version this full run follows (K_SEEN when drawn)
K_ASKED = "class_asked"              # (version, time) of the last full rerun a poll asked for
K_APPLIED = "class_applied"          # the version written into the lesson's state
K_REV = "class_model_rev"            # the teacher's model revision last applied
K_STATUS = "class_status"            # the title of the lesson the class is on
K_NOTICE = "class_notice"            # (kind, text) shown once at the top of the page
K_BAD = "class_bad"                  # a code that did not work (warned about once)
K_FULL = "class_full_run"            # set by panel: the poller is drawn in a full run
K_PAGE = "class_page"                # the page's url path (for the news address)
K_BOXED = "class_boxed"              # this run's stepper drew the news box
NEWS_BOX = "class_news"              # the hidden box: the news address, the version shown
NEWS_GO = "class_news_go"            # its button, clicked by the browser when there is news

_news_mounted = False                # serve.py mounted the news route (see news_route)


# --- the store -------------------------------------------------------------------------------

class ClassStore(Protocol):
    def create(self, teacher_id: str) -> str: ...
    def publish(self, code: str, snapshot: dict) -> int | None: ...
    def read(self, code: str) -> tuple[int, dict | None] | None: ...
    def version(self, code: str) -> int | None: ...
    def touch(self, code: str) -> bool: ...
    def end(self, code: str) -> None: ...


@dataclass
class _Class:
    teacher_id: str
    published_at: float
    seen_at: float
    version: int = 0
    snapshot: dict = field(default=None)


class InProcessStore:
    """Classes in a dict behind a lock: for one server process (Streamlit's default).
    `clock` (seconds, monotonic) and the time-outs can be injected for tests."""

    def __init__(self, clock=time.monotonic, idle_ttl=IDLE_TTL, gone_ttl=GONE_TTL,
                 code_len=CODE_LEN):
        self._clock, self._idle_ttl, self._gone_ttl = clock, idle_ttl, gone_ttl
        self._code_len = code_len
        self._lock = threading.Lock()
        self._classes: dict[str, _Class] = {}

    def _live(self, code, now):
        """The class if it has not ended (an expired one is dropped); under the lock."""
        c = self._classes.get(code)
        if c is None:
            return None
        if now - c.published_at > self._idle_ttl or now - c.seen_at > self._gone_ttl:
            del self._classes[code]
            return None
        return c

    def create(self, teacher_id):
        now = self._clock()
        with self._lock:
            for code in list(self._classes):  # drop the expired, so the dict stays small
                self._live(code, now)
            while True:
                code = "".join(secrets.choice(ALPHABET) for _ in range(self._code_len))
                if code not in self._classes:
                    break
            self._classes[code] = _Class(teacher_id, now, now)
            return code

    def publish(self, code, snapshot):
        snapshot = copy.deepcopy(snapshot)  # the store's own copy, taken outside the lock
        now = self._clock()
        with self._lock:
            c = self._live(code, now)
            if c is None:
                return None
            c.version += 1
            c.snapshot, c.published_at, c.seen_at = snapshot, now, now
            return c.version

    def read(self, code):
        with self._lock:
            c = self._live(code, self._clock())
            return None if c is None else (c.version, c.snapshot)

    def version(self, code):
        with self._lock:
            c = self._live(code, self._clock())
            return None if c is None else c.version

    def touch(self, code):
        now = self._clock()
        with self._lock:
            c = self._live(code, now)
            if c is not None:
                c.seen_at = now
            return c is not None

    def end(self, code):
        with self._lock:
            self._classes.pop(code, None)

    def __len__(self):
        with self._lock:
            return len(self._classes)


@st.cache_resource(show_spinner=False)
def _holder():
    """The process's class store, held by Streamlit's resource cache: it outlives reruns and
    a reload of this module (Streamlit re-imports a project module whose file changed).
    ("Clear caches" in the app's menu would also end every class.)"""
    return {"store": InProcessStore()}


def use_store(store: ClassStore):
    """Replace the class store (e.g. a Redis-backed one when the app runs as several
    processes). Call once, before the first page is served."""
    _holder()["store"] = store


def store() -> ClassStore:
    return _holder()["store"]


_waiting = set()                     # (event loop, asyncio.Event): the news route's requests
_waiting_lock = threading.Lock()


def _changed():
    """A class was published or ended in this process: wake the news route's waiting
    requests (called from script threads; the requests live on the server's event loop)."""
    with _waiting_lock:
        waiting = list(_waiting)
    for loop, event in waiting:
        try:
            loop.call_soon_threadsafe(event.set)
        except RuntimeError:  # that loop has closed
            pass


async def news(request):
    """GET NEWS_PATH/CODE?after=V: answers {"version": n} as soon as the class's version is
    newer than V, {"ended": true} when the class has ended, and the current version after
    NEWS_WAIT s when nothing changed (the browser then asks again). A follower's browser
    keeps one of these open instead of rerunning a poll every POLL seconds."""
    from starlette.responses import JSONResponse
    code = normalize(request.path_params.get("code", ""))
    try:
        after = int(request.query_params.get("after", "-1"))
    except ValueError:
        after = -1
    s = store()
    waiter = (asyncio.get_running_loop(), asyncio.Event())
    with _waiting_lock:
        _waiting.add(waiter)
    try:
        deadline = time.monotonic() + NEWS_WAIT
        while True:
            waiter[1].clear()  # before the read: a change after it sets the event again
            version = s.version(code) if code else None
            if version is None:
                return JSONResponse({"ended": True}, headers={"Cache-Control": "no-store"})
            left = deadline - time.monotonic()
            if version > after or left <= 0:
                return JSONResponse({"version": version},
                                    headers={"Cache-Control": "no-store"})
            try:
                await asyncio.wait_for(waiter[1].wait(), min(NEWS_CHECK, left))
            except asyncio.TimeoutError:
                pass
    finally:
        with _waiting_lock:
            _waiting.discard(waiter)


def news_route():
    """The news route for st.App (serve.py); once mounted, followers' pages wait on it."""
    global _news_mounted
    from starlette.routing import Route

    from ui.serving import under_base
    _news_mounted = True
    return Route(under_base(NEWS_PATH) + "/{code}", news, methods=["GET"])


def _end_soon(s, code):
    """End a class from a finalizer: in a thread of its own, as the finalizer may run (in
    garbage collection) inside a store call that holds the store's lock."""
    try:
        threading.Thread(target=lambda: (s.end(code), _changed()), daemon=True).start()
    except RuntimeError:  # the interpreter is shutting down
        pass


class _Guard:
    """Kept in the teacher's session state: when Streamlit frees the session, the class
    ends (the time-outs cover a session that is never freed, or another process)."""

    def __init__(self, code):
        self.finalizer = weakref.finalize(self, _end_soon, store(), code)


def normalize(code):
    """A code as typed or linked: case and spaces do not matter; None if it cannot be one."""
    code = "".join(str(code).split()).upper()
    return code if 4 <= len(code) <= 6 and all(ch in ALPHABET for ch in code) else None


def _session_id():
    from streamlit.runtime.scriptrunner import get_script_run_ctx
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else "unknown"


# --- the teacher -----------------------------------------------------------------------------

def _start_leading():
    s = st.session_state
    code = store().create(_session_id())
    s[K_LEAD_CODE], s[K_LEAD_GUARD] = code, _Guard(code)
    s.pop(K_PUBLISHED, None)
    _leave_class()  # a teacher follows no one


def _stop_leading():
    s = st.session_state
    code = s.pop(K_LEAD_CODE, None)
    guard = s.pop(K_LEAD_GUARD, None)
    if guard is not None:
        guard.finalizer.detach()
    s.pop(K_PUBLISHED, None)
    if code:
        store().end(code)
        _changed()


def _lead_changed():
    if st.session_state.get(LEAD):
        _start_leading()
    else:
        _stop_leading()


def _same(a, b):
    try:
        return bool(a == b)
    except (ValueError, TypeError):  # arrays: compare their bytes
        return pickle.dumps(a) == pickle.dumps(b)


def lead(L, ctx, stage, n_stages):
    """The teacher's snapshot (page, settings, model, stage), published when it changed.
    Called by the stepper on every run, full or fragment (ui/stepper.py)."""
    s = st.session_state
    code = s.get(K_LEAD_CODE)
    if not code or not s.get(LEAD):
        return
    # What the teacher's page shows: the last usable settings and their model (a setting
    # being typed that cannot be used is not sent; ui/lesson._good_ctx keeps the pair).
    settings = ctx.settings
    model = (s.get(L.key("good")) or (None, s[L.key("model")]))[1]
    last = s.get(K_PUBLISHED)
    rev = 0
    if last is not None:
        # The model is replaced whole on every change (ui/lesson.py), so `is` tells.
        rev = last["rev"] if last["model"] is model else last["rev"] + 1
        if (last["page"] == L.url_path and last["stage"] == stage and last["rev"] == rev
                and last["n"] == n_stages and _same(last["settings"], settings)):
            return
    snapshot = {"page": L.url_path, "title": L.menu_title, "settings": settings,
                "model": model, "model_rev": rev, "stage": stage, "n_stages": n_stages}
    version = store().publish(code, snapshot)
    _changed()
    s[K_PUBLISHED] = {"page": L.url_path, "stage": stage, "n": n_stages, "rev": rev,
                      "model": model, "settings": copy.deepcopy(settings),
                      "version": version}


@st.fragment(run_every=HEARTBEAT)
def _heartbeat():
    """The teacher's open tab says it is there (a fragment the browser reruns)."""
    code = st.session_state.get(K_LEAD_CODE)
    if code:
        store().touch(code)


def base_url(page_path):
    """The app's address as the browser sees it (without the current page's path), or ""
    when the browser has not said (AppTest)."""
    url = st.context.url
    if not url:
        return ""
    url = url.rstrip("/")
    if page_path and url.endswith("/" + page_path):
        url = url[:-len(page_path) - 1]
    return url


def class_link(code, page_path, base=None):
    """The link students open: the app's address, the lesson's path, ?class=CODE (relative
    when the app's address is not known)."""
    base = base_url(page_path) if base is None else base
    return f"{base}/{page_path}?class={code}" if base else f"/{page_path}?class={code}"


@lru_cache(maxsize=64)
def qr_svg(link):
    """The link as a QR code (SVG text, black on white, a quiet zone around it)."""
    import segno
    return segno.make(link, error="m").svg_inline(scale=5, dark="#000", light="#fff")


def _teacher(page_path):
    """The teacher's class code, link and QR code (sidebar), and a line at the top of the page
    (the sidebar is hidden in presenter mode)."""
    s = st.session_state
    code = s.get(K_LEAD_CODE)
    note = None
    if code and store().touch(code) is False:
        note = (f"Class {code} had ended (a time-out, or the server restarted): this is a new "
                "code; share the new link.")
        code = None
    if not code:
        _start_leading()
        code = s[K_LEAD_CODE]
    link = class_link(code, page_path)
    with st.sidebar:
        if note:
            st.info(note)
        st.markdown(f"Class code: **{code}**")
        st.code(link, language=None, wrap_lines=True)
        st.image(qr_svg(link), caption="Students scan this or open the link.", width=200)
        st.caption("Students who open the link follow your lesson, settings and stage. The "
                   "class ends when you switch this off or leave.")
        _heartbeat()
    with st.container(key="class_lead_banner"):
        c1, c2 = st.columns([6, 1], vertical_alignment="center")
        c1.markdown(f":material/groups: Leading class **{code}**: students follow at `{link}`")
        with c2.popover("QR code", icon=":material/qr_code_2:"):
            st.image(qr_svg(link), width=320)


# --- the students ----------------------------------------------------------------------------

def _leave_class(notice=None):
    s = st.session_state
    for k in (K_CODE, K_FOLLOWING, K_SEEN, K_APPLIED, K_REV, K_STATUS, K_RUN, K_ASKED):
        s.pop(k, None)
    if notice:
        s[K_NOTICE] = notice
    if "class" in st.query_params:
        del st.query_params["class"]


def _join_from_url():
    """A link's ?class=CODE: join that class, or warn once that there is none."""
    s = st.session_state
    raw = st.query_params.get("class")
    if raw is None:
        return
    code = normalize(raw)
    if code is not None and code in (s.get(K_CODE), s.get(K_LEAD_CODE)):
        return
    if raw == s.get(K_BAD):  # already warned (a page's routing can put the link back)
        del st.query_params["class"]
        return
    if code is None or store().read(code) is None:
        s[K_BAD] = raw
        from ui.format import md_text
        shown = md_text(raw[:12] + ("…" if len(raw) > 12 else ""))
        _leave_class(("warning", f"There is no class with the code “{shown}”: it may be "
                                 "mistyped, or the class has ended. You can use the app on "
                                 "your own; ask your teacher for the current link."))
        return
    _leave_class()
    s.update({K_CODE: code, K_FOLLOWING: True, K_SEEN: -1, K_APPLIED: -1, K_REV: None})
    st.query_params["class"] = code


def _ended(code):
    _leave_class(("info", f"Class {code} has ended. The lesson stays as it is; carry on "
                          "exploring on your own."))


def _detach():
    st.session_state[K_FOLLOWING] = False


def _rejoin():
    s = st.session_state
    # K_REV forgotten: the teacher's model then replaces what the student explored as a
    # history point, which Undo brings back
    s.update({K_FOLLOWING: True, K_SEEN: -1, K_APPLIED: -1, K_REV: None})
    if s.get(K_CODE):
        st.query_params["class"] = s[K_CODE]


@st.fragment(run_every=POLL)
def _poll():
    """A following student's check for news, rerun by the browser every POLL seconds when
    the app is served without the news route. It draws nothing (a poll costs a version read
    and an empty fragment run); when the class has a newer version, or has ended, the whole
    app reruns: panel, then follow(L)."""
    s = st.session_state
    if s.pop(K_FULL, False):  # drawn by a full run, which is following already
        return
    code = s.get(K_CODE)
    if not code or not s.get(K_FOLLOWING):
        return
    version = store().version(code)
    if version is None:
        _ended(code)
        st.rerun()
    if version > s.get(K_SEEN, -1):
        asked, now = s.get(K_ASKED), time.monotonic()
        if asked and asked[0] >= version and now - asked[1] < ASK_AGAIN:
            return  # the full run asked for is on its way
        # Asked again when no finished full run has drawn this version by then (one that was
        # cut short would otherwise leave the student on the old stage until the next click).
        s[K_ASKED] = (version, now)
        st.rerun()


# A follower's browser: wait on the news route for a version newer than the one the page
# shows (the hidden box's text: "ADDRESS VERSION"), then click the box's button (a rerun of
# the stepper's fragment, or of the app on a page without one) and wait until the page
# shows that version (after ASK_AGAIN s, ask again).
_NEWS_JS = """{
const doc = document;
const sleep = ms => new Promise(r => setTimeout(r, ms));
const shown = () => {
  const box = doc.querySelector('.st-key-%(box)s');
  const text = box && box.querySelector('[data-testid="stText"]');
  const m = text && text.textContent.trim().match(/^(\\S+) (-?\\d+)$/);
  return m ? {url: m[1], version: +m[2], button: box.querySelector('button')} : null;
};
(async () => {
  for (;;) {
    const now = shown();
    if (!now) { await sleep(300); continue; }
    let news = null;
    try {
      const r = await fetch(now.url + '?after=' + now.version, {cache: 'no-store'});
      if (r.ok) news = await r.json();
    } catch (e) {}
    if (!news) { await sleep(1000); continue; }
    const s = shown();
    if (!s || s.url !== now.url || !s.button) continue;
    if (!news.ended && s.version >= news.version) continue;
    s.button.click();
    const until = Date.now() + %(again)d;
    while (Date.now() < until) {
      await sleep(25);
      const t = shown();
      if (!t || t.url !== now.url || (!news.ended && t.version >= news.version)) break;
    }
  }
})();
}""" % {"box": NEWS_BOX, "again": ASK_AGAIN * 1000}


def drawn():
    """Called by app.py when a full run has drawn the page: the version it followed is now
    on the student's screen; the news box, if the page's stepper has not drawn it (a page
    without a lesson, e.g. while the teacher has not opened one)."""
    if not st.session_state.pop(K_BOXED, False):
        news_box()


def news_box():
    """The version now on a follower's screen (a poll stops asking for it) and, with the news
    route, the hidden box the browser's script reads (address and version) and clicks.
    Drawn at the end of a follower's stepper, so that a stage-only change redraws it with
    the stepper's fragment (see catch_up)."""
    s = st.session_state
    version = s.pop(K_RUN, None)
    if version is not None:
        s[K_SEEN] = max(s.get(K_SEEN, -1), version)
    if not (_news_mounted and following()):
        return
    s[K_BOXED] = True
    with st.container(key=NEWS_BOX):  # hidden by app.py's CSS
        url = f"{base_url(s.get(K_PAGE, ''))}{NEWS_PATH}/{s[K_CODE]}"
        st.text(f"{url} {s.get(K_SEEN, -1)}")
        st.button("Catch up with the teacher", key=NEWS_GO)
    from ui import keys
    keys.inject("step-through-news", _NEWS_JS)


def _class_settings(L, snap):
    """The settings of lesson L that the class's snapshot `snap` holds."""
    return {name: snap["settings"][name] for name in L.settings if name in snap["settings"]}


def _more_than_the_stage(L, snap):
    """True when the class's snapshot `snap` of lesson L differs from this follower's state in
    more than the stage: the teacher's model, or a setting the snapshot holds."""
    s = st.session_state
    settings = _class_settings(L, snap)
    return snap["model_rev"] != s.get(K_REV) or not _same(
        settings, {name: s.get(L.key(name)) for name in settings})


def catch_up(L):
    """Called at the top of a lesson's stepper (a fragment). When the follower's browser
    clicks the news button inside it, only the stepper reruns: if the class has only moved
    to another stage, that stage is shown from here (the teacher's Next is a stepper rerun
    too); any other change (page, settings, model) or the class's end reruns the app."""
    s = st.session_state
    if not following():
        return
    got = store().read(s[K_CODE])
    if got is None:
        st.rerun()
    version, snap = got
    if snap is None or version <= s.get(K_APPLIED, -1):
        return
    if snap["page"] != L.url_path or _more_than_the_stage(L, snap):
        st.rerun()
    s[L.key("stage")] = snap["stage"]
    s[K_APPLIED], s[K_STATUS] = version, snap["title"]
    s[K_RUN] = max(s.get(K_RUN, -1), version)


def _status(code):
    """The student's class line: following (with the teacher's lesson and stage) or not, and
    the button that switches. Drawn on full runs; a poll that finds news makes one."""
    s = st.session_state
    with st.container(border=True, key="class_bar"):
        c1, c2 = st.columns([5, 1], vertical_alignment="center")
        if s.get(K_FOLLOWING):
            status = s.get(K_STATUS)
            where = (f": {status}" if status
                     else ": waiting for the teacher to open a lesson")
            c1.markdown(f":material/groups: Following class **{code}**{where}")
            c2.button("Explore on my own", key="class_detach", on_click=_detach,
                      width="stretch", help="Stop following; your own changes are kept.")
        else:
            c1.markdown(f":material/explore: Exploring on your own; class **{code}** goes on.")
            c2.button("Follow again", key="class_rejoin", on_click=_rejoin, type="primary",
                      width="stretch", help="Catch up with the teacher now.")


def _lesson_files():
    from ui.lessons import lessons
    return {L.url_path: f"pages/{file}" for file, L in lessons()}


def panel(page):
    """Called by app.py on every full run, before the page: the sidebar's "Lead the class"
    and, for a teacher, the class code; for a student, joining from the link, going to the
    teacher's page, and the status bar."""
    s = st.session_state
    s.pop(K_BOXED, None)  # set by this run's stepper if it draws the news box
    with st.sidebar:
        st.toggle("Lead the class", key=LEAD, on_change=_lead_changed,
                  help="Students who open your class link follow what you show: the lesson, "
                       "its settings and numbers, and the stage.")
    if not s.get(LEAD):
        _join_from_url()
    notice = s.pop(K_NOTICE, None)  # a wrong code, or the class has ended
    if notice:
        getattr(st, notice[0])(notice[1])
    if s.get(LEAD):
        _teacher(page.url_path)
        return
    code = s.get(K_CODE)
    if not code:
        return
    got = store().read(code)
    if got is None:
        _ended(code)
        st.info(s.pop(K_NOTICE)[1])
        return
    version, snap = got
    if s.get(K_FOLLOWING):
        s[K_RUN] = version  # this run follows up to here (K_SEEN once drawn)
        if snap is not None:
            s[K_STATUS] = snap["title"]
            if snap["page"] != page.url_path:
                target = _lesson_files().get(snap["page"])
                if target:
                    st.switch_page(target, query_params={"class": code})
    _status(code)
    if s.get(K_FOLLOWING):
        s[K_PAGE] = page.url_path
        if not _news_mounted:  # else the browser waits on the news route
            s[K_FULL] = True
            _poll()


def following():
    """This session follows a class now (a student who has not chosen to explore)."""
    s = st.session_state
    return bool(s.get(K_CODE) and s.get(K_FOLLOWING) and not s.get(LEAD))


def follow(L):
    """A follower's lesson: write the class's newest snapshot into this lesson's state
    (settings, model, stage). Called by ui/lesson.run right after init_state."""
    s = st.session_state
    code = s.get(K_CODE)
    if not code or not s.get(K_FOLLOWING):
        return
    got = store().read(code)
    if got is None or got[1] is None:
        return
    version, snap = got
    if snap["page"] != L.url_path or version <= s.get(K_APPLIED, -1):
        return
    from ui import lesson
    changed = _more_than_the_stage(L, snap)
    for name, value in _class_settings(L, snap).items():
        s[L.key(name)] = copy.deepcopy(value)
    s[L.key("model")] = copy.deepcopy(snap["model"])
    s[L.key("stage")] = snap["stage"]
    if changed:
        lesson._record(L, "from the teacher")
    s[K_APPLIED], s[K_REV] = version, snap["model_rev"]
    s[K_RUN] = max(s.get(K_RUN, -1), version)
    s[K_STATUS] = snap["title"]

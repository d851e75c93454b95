"""What serve.py changes in the server around the app (also used by the benches to serve a
reference page the same way)."""
import asyncio.base_events
import contextlib
import re
import socket
import threading
import time
from pathlib import Path

import streamlit

_importing = []  # the thread importing the lessons once the server is up (serve.py)


def _no_delay(sock):
    """Turn Nagle's algorithm off on a TCP connection. asyncio does this only for sockets
    whose protocol number is TCP, and Streamlit's listening socket is made with protocol 0,
    so every websocket kept it on: after a run's first small message the rest waited for the
    client's delayed ACK. A websocket client's Next click on tiny word2vec took 48 ms from
    click to the run's last message, 13 ms with this (Chromium on loopback ACKs at once and
    showed no change; clients across a network delay their ACKs)."""
    if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def turn_nagle_off():
    """Every connection accepted from now on gets TCP_NODELAY."""
    asyncio.base_events._set_nodelay = _no_delay


def import_when_up(load):
    """A lifespan for st.App: once the server is up, run `load` (the lessons' imports: pages,
    core modules, numpy, ~0.25 s with no .pyc; then their first steps) in a thread, while a
    first visitor's browser fetches the app's scripts (a second in which the server has little
    to do). Imported before the server starts, they made it answer ~0.25 s later
    (bench/cold_start.py)."""
    def load_all():
        load()
        first_run_work()

    @contextlib.asynccontextmanager
    async def lifespan(app):
        _importing.append(threading.Thread(target=load_all, name="import-lessons", daemon=True))
        _importing[0].start()
        yield

    return lifespan


def first_run_work():
    """What Streamlit does in a server's first run and never again, done while the browser
    still fetches the page (a cold start's first run took 0.30 s, 0.21 s of it this):
    - before its first element Streamlit asks whether it runs in a Python prompt, by
      inspect.stack(), which looks up the source file of every module loaded: 0.14 s with
      the lessons' modules (here it answers no, as in a run, and is not asked again);
    - the tab's icon (app.FAVICON) is opened with PIL and its type looked up in the system's
      table of file types; PIL, its image formats and the table load on first use: 0.07 s."""
    import mimetypes

    import PIL.Image
    from streamlit import delta_generator
    if hasattr(delta_generator, "_maybe_print_use_warning"):
        delta_generator._maybe_print_use_warning()
    mimetypes.guess_type("favicon.png")
    PIL.Image.preinit()


def imported():
    """Wait for those imports, if serve.py started them: a run must not import the same
    modules alongside them (two threads importing modules that import each other can meet a
    half-initialised module)."""
    if _importing:
        _importing[0].join()


# A lesson's first screen waits for the code of Streamlit's HTML element (the stage's formulas
# and tables, the app's stylesheet), which its page loads only once the first such element
# has arrived (React.lazy), and then for KaTeX, which the formulas' script loads
# (ui/mathtex.py). Asked for with the page, they are there when the first run's elements are.
PRELOAD_KINDS = ("Html",)
STATIC = Path(streamlit.__file__).parent / "static"   # Streamlit's index.html and its code


def lazy_chunks(kinds=PRELOAD_KINDS):
    """The files (names in static/js) of these kinds' modules and of what they import, in a
    fixed order; a kind this Streamlit does not have is skipped."""
    folder = STATIC / "static" / "js"
    todo = [p.name for kind in kinds for p in sorted(folder.glob(f"{kind}.*.js"))
            if re.fullmatch(re.escape(kind) + r"\.[\w-]+\.js", p.name)]
    seen = {}
    while todo:
        name = todo.pop(0)
        if name not in seen and (folder / name).is_file():
            seen[name] = True
            todo += re.findall(r'(?:from|import)\s*"\./([\w.-]+\.js)"',
                               (folder / name).read_text())
    return list(seen)


# The KaTeX fonts every formula uses (letters, digits and signs, big sums and brackets).
KATEX_FONTS = ("KaTeX_Main-Regular", "KaTeX_Math-Italic", "KaTeX_Size1-Regular")


def katex_fonts():
    """The files (names in static/media) of KATEX_FONTS, as Streamlit's stylesheet asks for
    them."""
    folder = STATIC / "static" / "media"
    return [p.name for font in KATEX_FONTS for p in sorted(folder.glob(f"{font}.*.woff2"))]


def preloading_index(katex=True):
    """Streamlit's index.html changed for a lesson's first screen:
    - links at the top of its <head> ask for lazy_chunks() (those it does not ask for already);
    - a module script at its end runs PRELOAD_KINDS' modules once Streamlit's own code has run
      (module scripts run in order): when the first HTML element asks for its code, it is
      ready in ~10 ms instead of ~0.1 s, while the browser still waits for the app;
    - if `katex`, ui/mathtex's typesetting script at its end with links asking for the KaTeX
      fonts: KaTeX is loaded while the page loads Streamlit's code, and a formula is typeset
      the moment it is in the page (added by its st.html element, KaTeX came ~0.13 s after the
      first stage's formulas)."""
    from ui import mathtex
    index = (STATIC / "index.html").read_text()
    already = set(re.findall(r'href="\./static/js/([^"]+)"', index))
    links = "".join(f'<link rel="modulepreload" crossorigin href="./static/js/{name}">'
                    for name in lazy_chunks() if name not in already)
    kinds = lazy_chunks()[:len(PRELOAD_KINDS)]  # the kinds' own modules come first
    end = ('<script type="module">'
           + "".join(f'import("./static/js/{name}");' for name in kinds) + "</script>")
    if katex:
        end += "".join(f'<link rel="preload" as="font" type="font/woff2" crossorigin '
                       f'href="./static/media/{name}">' for name in katex_fonts())
        end += mathtex.typesetter()
    return index.replace("<head>", "<head>" + links, 1).replace("</head>", end + "</head>", 1)


SHELL_DRAWN = "_shell_drawn"  # session state: the pause below was made
SHELL_PAUSE = 0.06  # seconds


def shell_first(state, page):
    """On a new session's first run of a lesson, pause SHELL_PAUSE before drawing the lesson,
    after the shell (the sidebar's widgets, the app's stylesheet and typesetting script, both
    HTML elements). Streamlit's browser code gets an element kind's code the first time it
    draws one (React.lazy) and shows a placeholder for every element of that kind drawn in
    that same pass; the placeholders are filled in only at a later pass, ~0.3 s later. With
    the pause the browser draws the shell alone first, so the first stage's formulas and
    tables (HTML elements) come with the stage: on tiny word2vec, 0.5-0.7 s from the page's
    connection to its first stage typeset, 0.8-0.9 s without (bench/cold_start.py). Not in
    AppTest (no browser)."""
    from ui import cached
    from ui.lessons import FILES
    if state.get(SHELL_DRAWN) or cached.blocking_checks():
        return
    state[SHELL_DRAWN] = True
    if page.url_path in FILES:
        time.sleep(SHELL_PAUSE)


def under_base(path):
    """`path` under the app's server.baseUrlPath, where the browser asks for it: st.App's
    own routes are not moved there as Streamlit's are."""
    from streamlit import config
    base = (config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}{path}" if base else path


def index_routes(paths):
    """Routes for st.App answering the lessons' URLs (`paths`) with preloading_index(), as
    Streamlit answers every page's URL with its index.html (not cached). The home page keeps
    Streamlit's own: it draws no formulas."""
    from starlette.responses import HTMLResponse
    from starlette.routing import Route

    from ui import mathtex
    body = preloading_index(katex=mathtex.typesetting())

    async def index(request):
        return HTMLResponse(body, headers={"Cache-Control": "no-cache"})
    return [Route(under_base(f"/{p}"), index, methods=["GET", "HEAD"]) for p in paths]

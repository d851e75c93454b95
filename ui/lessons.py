"""The lesson list: the lesson definitions that app.py (navigation), the home page, tests and
bench scripts read. Each lives in its page file (pages/<file>.py defines `L`)."""
import copy
import functools
import importlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = ("tiny_word2vec", "manual_backprop", "cbow", "cbow_torch", "sgns", "char_mlp")


def lessons():
    """[(page file, Lesson)] in menu order."""
    return [(f"{name}.py", importlib.import_module(f"pages.{name}").L) for name in FILES]


@functools.lru_cache(maxsize=1)
def _pages():
    import streamlit as st
    pages = ROOT / "pages"
    return [st.Page(pages / "home.py", title="Home", icon=":material/home:", default=True)] + [
        st.Page(pages / file, title=L.menu_title, icon=L.icon, url_path=L.url_path)
        for file, L in lessons()]


def menu():
    """The app's pages for st.navigation: made once (each st.Page resolves its file's path,
    a tenth of a follower's run), copied for each run (navigation marks the one it runs)."""
    return [copy.copy(p) for p in _pages()]


def by_prefix(prefix):
    return next(L for _, L in lessons() if L.prefix == prefix)


def by_path(url_path):
    """The lesson at this URL path (its page file's name)."""
    found = [L for _, L in lessons() if L.url_path == url_path]
    if not found:
        raise ValueError(f"no lesson at {url_path!r}; the lessons: {', '.join(FILES)}")
    return found[0]


def stage_count(L):
    """The lesson's number of stages on its default settings (from the lesson definition)."""
    from ui import cached
    from ui.lesson import Ctx
    params = L.fresh(dict(L.settings), 0, None)
    ex = L.read(dict(L.settings), params)
    trace = cached.step(L.model, ex.params, ex.example, ex.lr)
    return len(L.stages(Ctx(L, dict(L.settings), ex, trace, 4, 0, 0)))


def warm():
    """Import every lesson and work out its step on the default settings once, as a direct
    link's first run would: serve.py does this in the background once the server is up, and
    the core modules' caches keep what it found (skip-gram's vocabulary of its default text,
    the text scanner's tables: ~0.05 s that a first visitor's first run waited for)."""
    for _, L in lessons():
        stage_count(L)


def lesson_option(ap):
    """--lesson URL_PATH on an argparse parser; after parse_args, lesson_of(args) gives
    (url path, widget-key prefix, number of stages) from the lesson list."""
    ap.add_argument("--lesson", default="tiny_word2vec", choices=FILES,
                    help="the lesson (its URL path), from the lesson list")


def lesson_of(args):
    L = by_path(args.lesson)
    return L.url_path, L.prefix, stage_count(L)

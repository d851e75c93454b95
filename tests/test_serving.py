"""serve.py's server: the lessons are imported in the background once the server is up, and a
run waits for them before importing anything itself."""
import asyncio
import mimetypes
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ui import serving


def test_lessons_are_imported_in_a_thread_once_the_server_is_up_and_runs_wait(monkeypatch):
    monkeypatch.setattr(serving, "_importing", [])
    started, release, done = threading.Event(), threading.Event(), []

    def load():
        started.set()
        release.wait(10)
        done.append(threading.current_thread().name)

    async def server_up():
        async with serving.import_when_up(load)(app=None):
            assert started.wait(10)  # loading while the server is up: it did not wait for it
            assert not done

    with ThreadPoolExecutor(1) as pool:  # a loop of its own (the browser tests leave one running)
        pool.submit(asyncio.run, server_up()).result()
    threading.Timer(0.2, release.set).start()
    serving.imported()  # a run waits for the imports to finish
    assert done == ["import-lessons"]


def test_a_run_without_serve_py_does_not_wait(monkeypatch):
    monkeypatch.setattr(serving, "_importing", [])
    serving.imported()  # returns at once: `streamlit run app.py` and AppTest start no thread


def test_the_first_runs_one_time_work_is_done_before_it(monkeypatch):
    """Streamlit asks once, before its first element, whether it runs in a Python prompt
    (inspect.stack over every module: 0.14 s of a cold start's first run). Done in the import
    thread, it is not asked again in a run."""
    from streamlit import delta_generator, env_util
    monkeypatch.setattr(delta_generator, "_use_warning_has_been_displayed", False)
    asked = []
    monkeypatch.setattr(env_util, "is_repl", lambda: asked.append(1) or False)
    serving.first_run_work()
    assert asked == [1]
    delta_generator._maybe_print_use_warning()  # what each element's delta calls
    assert asked == [1]
    assert mimetypes.inited and "PIL.PngImagePlugin" in sys.modules  # the tab icon's first read


def test_a_lessons_page_asks_for_the_html_elements_code_and_katex_with_its_first_bytes():
    index = (serving.STATIC / "index.html").read_text()
    page = serving.preloading_index()
    head = page[page.index("<head>"):page.index("</head>")]
    chunks = serving.lazy_chunks()
    html = [c for c in chunks if c.startswith("Html.")]
    assert len(html) == 1 and any(c.startswith("purify.") for c in chunks)  # Html imports it
    for name in chunks:  # each is a file Streamlit serves, asked for once
        assert (serving.STATIC / "static" / "js" / name).is_file()
        assert head.count(f'href="./static/js/{name}"') == 1, name
    first = head.index(f'<link rel="modulepreload" crossorigin href="./static/js/{html[0]}">')
    main = head.index('<script type="module"')  # Streamlit's own code
    assert first < main
    # The HTML element's module is run after Streamlit's code (module scripts run in order).
    run = head.index(f'<script type="module">import("./static/js/{html[0]}");</script>')
    assert run > main
    from ui import mathtex  # the typesetting script, loading KaTeX from where it is served
    assert mathtex.KATEX_JS.is_file() and "'../../app/static/' + %s" in mathtex._SCRIPT
    assert head.count(mathtex.typesetter()) == 1 and head.index(mathtex.typesetter()) > main
    fonts = serving.katex_fonts()
    assert len(fonts) == len(serving.KATEX_FONTS)
    for name in fonts:  # files Streamlit serves, where its stylesheet asks for them
        assert (serving.STATIC / "static" / "media" / name).is_file()
        assert head.count(f'href="./static/media/{name}"') == 1
        css = next((serving.STATIC / "static" / "css").glob("index.*.css")).read_text()
        assert f"../media/{name}" in css
    plain = serving.preloading_index(katex=False)
    assert "__stepThroughTex" not in plain and "katex" not in plain.lower().replace(
        index.lower(), "")
    assert page.replace(head, "") == index.replace(index[index.index("<head>"):
                                                         index.index("</head>")], "")


def test_a_new_tab_on_a_lesson_gets_the_shell_drawn_before_the_lesson(monkeypatch):
    """serving.shell_first pauses once per session, on a lesson's page only, never in AppTest."""
    from types import SimpleNamespace

    from ui import cached
    from ui.lessons import FILES
    pauses = []
    monkeypatch.setattr(serving.time, "sleep", pauses.append)
    monkeypatch.setattr(cached, "blocking_checks", lambda: False)  # as in a served app
    lesson, home = SimpleNamespace(url_path=FILES[4]), SimpleNamespace(url_path="")  # st.Page's
    state = {}
    serving.shell_first(state, lesson)
    serving.shell_first(state, lesson)  # the session's next runs: no pause
    assert pauses == [serving.SHELL_PAUSE]
    serving.shell_first({}, home)
    assert pauses == [serving.SHELL_PAUSE]  # the home page draws no formulas
    monkeypatch.setattr(cached, "blocking_checks", lambda: True)  # AppTest: no browser
    serving.shell_first({}, lesson)
    assert pauses == [serving.SHELL_PAUSE]


def test_the_server_starts_without_numpy():
    """serve.py's imports (run before the server answers) must not pull in numpy and the
    lessons: ~0.1 s on every start, which a first visitor waits for (bench/cold_start.py)."""
    import subprocess
    code = ("import sys, runpy; runpy.run_path('serve.py'); "
            "print(sorted(m for m in ('numpy', 'core', 'pages') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[1])
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_only_the_lessons_urls_are_answered_with_it():
    from ui.lessons import FILES
    paths = [r.path for r in serving.index_routes(FILES)]
    assert paths == [f"/{f}" for f in FILES] and "/" not in paths


def test_under_a_base_url_path_the_routes_are_where_the_browser_asks(monkeypatch):
    """st.App does not move its own routes under server.baseUrlPath as it moves Streamlit's:
    the lessons' pages and the news route must be put there (the browser asks for
    /BASE/tiny_word2vec and /BASE/api/class/CODE)."""
    from streamlit import config

    from ui import classroom
    from ui.lessons import FILES
    monkeypatch.setattr(classroom, "_news_mounted", classroom._news_mounted)
    before = config.get_option("server.baseUrlPath")
    try:
        config.set_option("server.baseUrlPath", "/cls/")
        assert [r.path for r in serving.index_routes(FILES)] == [f"/cls/{f}" for f in FILES]
        assert classroom.news_route().path == f"/cls{classroom.NEWS_PATH}/{{code}}"
        config.set_option("server.baseUrlPath", "")
        assert classroom.news_route().path == f"{classroom.NEWS_PATH}/{{code}}"
    finally:
        config.set_option("server.baseUrlPath", before)


def test_serve_py_works_out_each_lessons_first_step_in_the_background():
    """lessons.warm (serve.py's background work) leaves in the core caches what a direct
    link's first run would compute: skip-gram's vocabulary of its default text."""
    from core import sgns
    from ui import lessons
    assert "lifespan=serving.import_when_up(lessons.warm)" in (
        Path(__file__).resolve().parents[1] / "serve.py").read_text()
    sgns.vocab_of_text.cache_clear()
    lessons.warm()
    before = sgns.vocab_of_text.cache_info()
    lessons.stage_count(lessons.by_path("sgns"))
    after = sgns.vocab_of_text.cache_info()
    assert after.misses == before.misses and after.hits > before.hits

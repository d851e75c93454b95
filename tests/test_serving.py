"""serve.py's server: the lessons are imported in the background once the server is up, and a
run waits for them before importing anything itself."""
import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

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

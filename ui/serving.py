"""What serve.py changes in the server around the app (also used by the benches to serve a
reference page the same way)."""
import asyncio.base_events
import contextlib
import socket
import threading

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
    core modules, numpy; ~0.25 s with no .pyc) in a thread, while a first visitor's browser
    fetches the app's scripts (a second in which the server has little to do). Imported
    before the server starts, they made it answer ~0.25 s later (bench/cold_start.py)."""
    @contextlib.asynccontextmanager
    async def lifespan(app):
        _importing.append(threading.Thread(target=load, name="import-lessons", daemon=True))
        _importing[0].start()
        yield

    return lifespan


def imported():
    """Wait for those imports, if serve.py started them: a run must not import the same
    modules alongside them (two threads importing modules that import each other can meet a
    half-initialised module)."""
    if _importing:
        _importing[0].join()

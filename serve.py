"""Serve Step-through: the app (app.py) plus the route that following students' browsers wait
on for the teacher's next step (ui/classroom.news).

    streamlit run serve.py

`streamlit run app.py` serves the same app without the route (following students' pages
then poll for news twice a second) and without the fix below."""
import asyncio.base_events
import socket

import streamlit as st

from ui import classroom, lessons


def _no_delay(sock):
    """Turn Nagle's algorithm off on a TCP connection. asyncio does this only for sockets
    whose protocol number is TCP, and Streamlit's listening socket is made with protocol 0,
    so every websocket kept it on: after a run's first small message the rest waited for the
    client's delayed ACK. A websocket client's Next click on tiny word2vec took 48 ms from
    click to the run's last message, 13 ms with this (Chromium on loopback ACKs at once and
    showed no change; clients across a network delay their ACKs)."""
    if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


asyncio.base_events._set_nodelay = _no_delay  # used for every connection accepted from now on
# The lessons (their pages, core modules and numpy) are imported now, as the server starts,
# rather than in the first visitor's first run (~0.2 s of it).
lessons.lessons()
app = st.App("app.py", routes=[classroom.news_route()])


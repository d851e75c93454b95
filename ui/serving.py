"""What serve.py changes in the server around the app (also used by the benches to serve a
reference page the same way)."""
import asyncio.base_events
import socket


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

"""The pages' cached calls into core: the torch autograd checks and the training runs.

Defined here, once, rather than in a page: a page script runs again on every rerun, and
re-decorating a function costs Streamlit an inspect.getsource each time. A single numpy step
(~0.3 ms) is cheaper than a cache lookup (~1 ms of argument hashing), so pages call it
directly; what takes milliseconds or more is cached.
"""
import importlib
import sys
import threading

import streamlit as st

from core.common import max_diffs

_warm_up = []  # the background thread importing torch, once per server process
_warm_up_lock = threading.Lock()


def warm_torch(delay=3.0):
    """Import torch and its optimizer (~4 s) in the background, once per server, starting
    `delay` seconds from now (so it does not slow the first page while it is drawn): the
    first lesson opened from the home page then need not wait for it."""
    def load():
        import torch
        torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)  # imports its compiler

    with _warm_up_lock:
        if not _warm_up and "torch" not in sys.modules:
            _warm_up.append(threading.Timer(delay, load))
            _warm_up[0].daemon = True
            _warm_up[0].start()


def _core(module):
    # Two threads importing torch's modules at once can see them half initialised: cancel the
    # warm-up if it has not begun, else wait for it.
    if _warm_up:
        _warm_up[0].cancel()
        _warm_up[0].join()
    return importlib.import_module(f"core.{module}")


@st.cache_data(max_entries=512, show_spinner=False)
def autograd_diffs(module, step, torch_step, *args):
    """Largest |ours - torch autograd| per trace key of core.<module>.<step>(*args)."""
    core = _core(module)
    return max_diffs(getattr(core, step)(*args), getattr(core, torch_step)(*args))


@st.cache_data(max_entries=64, show_spinner=False)
def call(module, name, *args):
    """core.<module>.<name>(*args), computed once per distinct arguments (training runs)."""
    return getattr(_core(module), name)(*args)

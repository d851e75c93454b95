"""The pages' calls into core: the step itself, the cached torch autograd checks and the
cached training runs.

Defined here, once, rather than in a page: a page script runs again on every rerun, and
re-decorating a function costs Streamlit an inspect.getsource each time. A single numpy step
(~0.3 ms) is cheaper than a cache lookup (~1 ms of argument hashing), so it is called
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


WAITING = "_torch_waits"  # session state: runs of a lesson's fragment waiting for torch
# The browser reruns that fragment every AWAIT_EVERY seconds until torch is imported. Each rerun
# also redraws the page: on a cold start the browser shows an element whose code it had still
# to fetch only at its page's next redraw (or half a second after the last such wait, React's
# rule), so a frequent rerun brings the first screen's controls and formulas sooner
# (bench/cold_start.py). The import starts after WAIT_RERUNS of them, ~2 s after the page.
AWAIT_EVERY = 0.3
WAIT_RERUNS = 7


def warm_torch_when_drawn(state):
    """Called on every run of a lesson's fragment that waits for torch (ui/stepper.py): start the
    import on its WAIT_RERUNS-th rerun, which the browser asks for once it has the page.
    While torch loads it holds Python's lock for seconds at a time, and the server cannot
    send the browser the scripts its first screen still waits for: started a fixed second
    after the first run, the import held tiny word2vec's first stage back from 6.0 to 9.1 s
    after a server start on a slow machine (bench/cold_start.py)."""
    state[WAITING] = state.get(WAITING, 0) + 1
    if state[WAITING] > WAIT_RERUNS:
        warm_torch(delay=0)


def warm_torch_after_run(state):
    """Called at the end of every app run: on a page that is not a lesson's (the home page),
    start the import on warm_torch's timer; a lesson's page starts it once it is drawn."""
    if WAITING not in state:
        warm_torch()


def torch_ready():
    """True when torch is imported (an autograd check then takes milliseconds)."""
    return "torch" in sys.modules and not (_warm_up and _warm_up[0].is_alive())


def blocking_checks():
    """True where the page cannot rerun itself when torch is ready (AppTest runs no timers):
    the autograd check then waits for the import."""
    from streamlit import config
    return bool(config.get_option("global.appTest"))


def _wait_for_warm_up():
    # Two threads importing torch's modules at once can see them half initialised: cancel the
    # warm-up if it has not begun, else wait for it.
    if _warm_up:
        _warm_up[0].cancel()
        _warm_up[0].join()


def core(module):
    """core.<module> (imported once)."""
    return importlib.import_module(f"core.{module}")


def step(module, params, example, lr):
    """The lesson's step: core.<module>.trace_step (not cached: cheaper than a lookup)."""
    return core(module).trace_step(params, example, lr)


@st.cache_data(max_entries=512, show_spinner=False)
def autograd_diffs(module, params, example, lr):
    """Largest |ours - torch autograd| per Trace key of the lesson's step; {"error": text}
    when the check could not run."""
    _wait_for_warm_up()
    m = core(module)
    try:
        return max_diffs(m.trace_step(params, example, lr), m.torch_trace_step(params, example, lr))
    except (ValueError, FloatingPointError, RuntimeError, OverflowError) as err:
        return {"error": str(err)}


@st.cache_data(max_entries=64, show_spinner=False)
def call(module, name, *args):
    """core.<module>.<name>(*args), computed once per distinct arguments (training runs)."""
    _wait_for_warm_up()
    return getattr(core(module), name)(*args)

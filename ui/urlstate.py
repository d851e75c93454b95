"""Shareable state: a lesson's stage, words, learning rate, seed... live in the URL.

A page describes its parameters as {name: (session_key, parse)}; parse turns the URL text
into a value or raises ValueError. On the first run of a page in a session the URL is read
(bad values fall back to the defaults with a notice); on every run it is written back.
"""
import math

import streamlit as st

from core.common import LR_MAX, LR_MIN, strip_bidi
from ui.format import md_text

MAX_LEN = 200  # longer parameter values are refused before parsing


def int_in(lo, hi):
    def parse(text):
        try:
            x = int(text)
        except ValueError:
            raise ValueError("not a whole number") from None
        if not lo <= x <= hi:
            raise ValueError(f"must be between {lo} and {hi}")
        return x
    return parse


def positive_float(text):
    try:
        x = float(text)
    except ValueError:
        raise ValueError("not a number") from None
    if not math.isfinite(x) or not LR_MIN <= x <= LR_MAX:
        raise ValueError(f"must be a number from {LR_MIN:g} to {LR_MAX:g}")
    return x


def word_index(words):
    def parse(text):
        if text not in words:
            raise ValueError("not a word of the vocabulary")
        return words.index(text)
    return parse


def stage_param(n):
    """URL 'stage' is 1-based; session state holds the 0-based index."""
    def parse(text):
        return int_in(1, n)(text) - 1
    return parse


def read_url(prefix, spec):
    """Apply the URL's parameters once per session and page; warn about the ones ignored."""
    flag = f"{prefix}_url_read"
    if st.session_state.get(flag):
        return
    st.session_state[flag] = True
    problems = []
    for name, (key, parse) in spec.items():
        if name not in st.query_params:
            continue
        text = st.query_params.get(name, "")
        try:
            if len(text) > MAX_LEN:
                raise ValueError("too long")
            st.session_state[key] = parse(text)
        except ValueError as err:
            shown = text[:30] + ("…" if len(text) > 30 else "")
            problems.append(f"`{name}` = “{md_text(shown)}” ({md_text(err)})")
    if problems:
        st.session_state[f"{prefix}_url_notice"] = problems


def url_notice(prefix):
    """The notice about ignored URL parameters, shown once."""
    problems = st.session_state.pop(f"{prefix}_url_notice", None)
    if problems:
        st.warning("This link had parameters that could not be used, so their defaults are "
                   "shown instead: " + "; ".join(problems))


def write_url(values):
    """Put the current state in the address bar (only what changed, no rerun)."""
    values = {k: str(v) for k, v in values.items()}
    if dict(st.query_params) != values:
        st.query_params.from_dict(values)


# --- a lesson's URL ----------------------------------------------------------------------------

def _lesson_spec(L):
    """URL name -> (setting or None for the framework's own, parse)."""
    return {"seed": ("seed", int_in(0, 2**31 - 1))} if L.random_init else {}


def _parse_lesson_query(L, query, base=None):
    """(settings, stage, seed, problems) from a query dict, each parameter checked alone and
    then all together: what cannot be used with the rest falls back to `base` (the settings
    the link's parameters change; default: the lesson's defaults)."""
    import copy
    base = L.settings if base is None else base
    settings = {name: copy.deepcopy(v) for name, v in base.items()}
    used, problems, stage, seed = [], [], None, 0
    for name, param in L.url.items():
        if name not in query:
            continue
        text = strip_bidi(query.get(name, ""))
        try:
            if len(text) > MAX_LEN:
                raise ValueError("too long")
            settings[param.setting] = param.parse(text, settings)
            used.append(name)
        except ValueError as err:
            problems.append(_problem(name, text, err))
    while used:  # checked together: drop the last-read parameters until the rest work
        try:
            L.read(settings, L.fresh(settings, 0, None))
            break
        except (ValueError, FloatingPointError) as err:
            name = used.pop()
            problems.append(_problem(name, query.get(name, ""), f"does not fit the other "
                                     f"parameters: {err}"))
            settings[L.url[name].setting] = copy.deepcopy(base[L.url[name].setting])
    if "seed" in query and L.random_init:
        try:
            seed = int_in(0, 2**31 - 1)(query["seed"])
        except ValueError as err:
            problems.append(_problem("seed", query["seed"], err))
    if "stage" in query:
        stage = query["stage"]
    return settings, stage, seed, problems


def _problem(name, text, err):
    shown = text[:30] + ("…" if len(text) > 30 else "")
    return f"`{name}` = “{md_text(shown)}” ({md_text(err)})"  # errors repeat the words


def _apply_stage(L, text, problems):
    """The URL's 1-based stage, checked against the lesson's stage count at the first draw."""
    try:
        st.session_state[L.key("stage")] = int_in(1, 99)(text) - 1
        st.session_state[L.key("stage_from_url")] = True
    except ValueError as err:
        problems.append(_problem("stage", text, err))


def check_stage(L, n):
    """The link's stage against the lesson's n stages (known only once the page has its
    step): past the last one, the first stage is shown, with the notice."""
    s = st.session_state
    if s.pop(L.key("stage_from_url"), False) and not 0 <= s[L.key("stage")] < n:
        text = str(s[L.key("stage")] + 1)
        s[L.key("stage")] = 0
        s.setdefault(f"{L.prefix}_url_notice", []).append(
            _problem("stage", text, f"must be between 1 and {n}"))


def read_lesson_url(L):
    """Apply the link's parameters to a new session's lesson state."""
    query = st.query_params.to_dict()
    settings, stage, seed, problems = _parse_lesson_query(L, query)
    from ui import practice  # a sheet's variant, lock and hide (ui/practice.py, ui/locks.py)
    settings, seed = practice.read_link(L, query, settings, seed, problems)
    st.session_state.update({L.key(k): v for k, v in settings.items()})
    st.session_state[L.key("seed0")] = seed
    if stage is not None:
        _apply_stage(L, stage, problems)
    if problems:
        st.session_state[f"{L.prefix}_url_notice"] = problems


def follow_browser_history(L):
    """Browser Back / Forward: the address changed to an earlier (or later) one of this lesson
    without the app writing it, so show what it says (its stage and settings)."""
    last = st.session_state.get(L.key("url_last"))
    query = st.query_params.to_dict()
    query.pop("decimals", None)
    query.pop("class", None)  # a class link (ui/classroom.py)
    if last is None or not query or query == last:  # no parameters: opened from the menu
        return
    from ui import lesson
    current = {name: st.session_state[L.key(name)] for name in L.settings}
    settings, stage, seed, problems = _parse_lesson_query(L, query, current)  # the rest stays
    if not problems:
        if settings != current:  # as a widget's change: new weights when the sizes change
            st.session_state.update({L.key(k): v for k, v in settings.items()})
            lesson.settings_changed(L)
        model = st.session_state[L.key("model")]
        if L.random_init and "seed" in query and seed != model["seed"]:
            fresh = lesson._fresh_model(L, lesson.settings_of(L), seed, model["params"])
            lesson._apply(L, f"random seed {seed}", fresh)
        if stage is not None:
            _apply_stage(L, stage, problems)
    st.session_state[L.key("url_last")] = query


def lesson_query(L, ctx, stage):
    """The lesson's shareable state as URL parameters."""
    q = {"stage": str(stage + 1)}
    q.update({name: p.show(ctx.settings[p.setting], ctx.settings) for name, p in L.url.items()})
    if L.random_init:
        q["seed"] = str(ctx.seed)
    return q


def write_lesson_url(L, ctx, stage):
    """Put the lesson's state in the address bar (a browser history entry per change)."""
    from ui import practice  # the link's lock / hide, and the sheet variant shown
    q = {**lesson_query(L, ctx, stage), **practice.url_extras(L)}
    st.session_state[L.key("url_last")] = dict(q)
    kept = {"class": st.query_params["class"]} if "class" in st.query_params else {}
    write_url({**q, "decimals": ctx.decimals, **kept})  # a class link stays

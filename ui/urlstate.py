"""Shareable state: a lesson's stage, words, learning rate, seed... live in the URL.

A page describes its parameters as {name: (session_key, parse)}; parse turns the URL text
into a value or raises ValueError. On the first run of a page in a session the URL is read
(bad values fall back to the defaults with a notice); on every run it is written back.
"""
import math

import streamlit as st

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
    if not math.isfinite(x) or x <= 0 or x > 1e6:
        raise ValueError("must be a number greater than 0 (and at most 1e6)")
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
            problems.append(f"`{name}` = “{md_text(shown)}” ({err})")
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


def lesson_header(prefix, title, intro):
    """A lesson's title and introduction, then any notice about its URL parameters; returns
    the number of decimals chosen in the sidebar."""
    st.title(title)
    st.markdown(intro)
    url_notice(prefix)
    return int(st.session_state.get("decimals", 4))

"""Make a lesson opened by direct link go through app.py's navigation.

On a fresh server, Streamlit's first run still uses its old pages/ auto-discovery when a
pages/ folder exists: a link such as /tiny_word2vec then runs the page file alone, without
app.py (no shared sidebar, no presenter mode). Calling st.navigation later switches the whole
process to app.py's routing, so a page that finds itself in that fallback switches it and
reruns once: the rerun goes through app.py and lands on the same page.
"""
import sys

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def through_app():
    """Call first in every page. The URL's parameters survive the switch. AppTest resets the
    flag on every run and routes pages itself, so nothing is switched there (a rerun would
    swallow its clicks)."""
    if PagesManager.uses_pages_directory and "streamlit.testing.v1.app_test" not in sys.modules:
        PagesManager.uses_pages_directory = False
        st.session_state["_routing_query"] = st.query_params.to_dict()
        st.rerun()
    query = st.session_state.pop("_routing_query", None)
    if query:
        st.query_params.from_dict(query)

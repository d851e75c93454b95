"""Step-through: the entry point. It only routes and holds the shared sidebar."""
from pathlib import Path

import streamlit as st

from ui import cached, urlstate
from ui.lessons import lessons

HERE = Path(__file__).parent

# Presenter mode: bigger numbers and formulas; page controls (containers keyed *_controls)
# hidden. Their widgets stay mounted, so nothing is lost when it is switched off again.
PRESENTER_CSS = """<style>
.stMarkdown p, .stMarkdown li, [data-testid="stTable"] td, [data-testid="stTable"] th
  { font-size: 1.35rem !important; }
.katex { font-size: 1.7em !important; }
h2, h3 { font-size: 2.1rem !important; }
div[class*="st-key-"][class*="_controls"], div[class*="st-key-"][class*="_exports"]
  { display: none !important; }
</style>"""

st.set_page_config(page_title="Step-through", page_icon="🧮", layout="wide")

pages = [st.Page(HERE / "pages" / "home.py", title="Home", icon=":material/home:", default=True)]
pages += [st.Page(HERE / "pages" / file, title=L.nav_title, icon=L.icon, url_path=L.url_path)
          for file, L in lessons()]
page = st.navigation(pages)

st.session_state.setdefault("decimals", 4)
urlstate.read_url("app", {"decimals": ("decimals", urlstate.int_in(0, 10))})
with st.sidebar:
    st.slider("Decimals shown", 0, 10, key="decimals",
              help="Every number on every page is shown with this many decimals.")
    st.toggle("Presenter mode", key="presenter",
              help="Large numbers and formulas, fewer controls; → / ← / Home step the lesson.")
if st.session_state.get("presenter"):
    st.html(PRESENTER_CSS)
urlstate.url_notice("app")

page.run()
cached.warm_torch()  # after the page is drawn: it must not slow the first render

"""Step-through: the entry point. It only routes and holds the shared sidebar."""
from pathlib import Path

import streamlit as st

from ui.lessons import LESSONS

HERE = Path(__file__).parent

st.set_page_config(page_title="Step-through", page_icon="🧮", layout="wide")

pages = [st.Page(HERE / "pages" / "home.py", title="Home", icon="🏠", default=True)]
pages += [st.Page(HERE / "pages" / l.file, title=l.title, icon=l.icon, url_path=l.url_path)
          for l in LESSONS]
page = st.navigation(pages)

with st.sidebar:
    st.slider("Decimals shown", 0, 10, 4, key="decimals",
              help="Every number on every page is shown with this many decimals.")

page.run()

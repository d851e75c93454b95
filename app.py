"""Step-through: the entry point. It only routes and holds the shared sidebar."""
from pathlib import Path

import streamlit as st

from ui import serving

serving.imported()  # serve.py imports the lessons once the server is up: not twice at once
from ui import cached, charts, classroom, mathtex, urlstate  # noqa: E402
from ui.lessons import menu


# Presenter mode: bigger numbers and formulas; page controls (containers keyed *_controls)
# hidden. Their widgets stay mounted, so nothing is lost when it is switched off again.
PRESENTER_CSS = """<style>
.stMarkdown p, .stMarkdown li, .stMarkdown td, .stMarkdown th, .stMarkdown code,
[data-testid="stTable"] td, [data-testid="stTable"] th, [data-testid="stCaptionContainer"] p
  { font-size: 1.3rem !important; }
.katex { font-size: 1.3em !important; }
.stMarkdown td, .stMarkdown th, .stHtml td, .stHtml th { padding: 0.3rem 0.45rem !important; }
.stHtml th, .stHtml td { font-size: 1.3rem !important; }
.stMarkdown td code, table.matrix td, .stHtml td.num { font-size: 1.15rem !important; }
.stMarkdown td code { padding: 0.1em 0.2em !important; }
h1 { font-size: 2.2rem !important; } h2, h3 { font-size: 1.8rem !important; }
.stHtml p.trail, .stHtml p.stage-label { font-size: 1.3rem !important; }
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"] { display: none !important; }
div[class*="st-key-"][class*="_controls"], div[class*="st-key-"][class*="_exports"],
div[class*="st-key-"][class*="_intro"] { display: none !important; }
.block-container { padding-top: 1rem !important; }
html[data-stage-ahead] div:has(> div[class*="st-key-"][class*="_current"])
  { display: none !important; }  /* no earlier stages here: the stage left goes at once */
</style>"""
# The stage charts of ui/charts.py (HTML: a table coloured by value, bars, points in a box).
CHART_CSS = """table.heatmap caption { caption-side: top; text-align: left; font-weight: 600;
  padding: 0 0 0.4rem; }
.chart-legend { font-size: 0.875rem; margin: 0 0 0.5rem; }
.chart-legend .key { display: inline-block; width: 0.8rem; height: 0.8rem; margin: 0 0.3rem 0 1rem;
  background: var(--c); vertical-align: -0.05rem; }
.chart-legend .key:first-child { margin-left: 0; }
.chart-legend .key.tri { background: none; width: 0; height: 0; }
.chart-legend .key.tri, .bar-mark { border: 0.45rem solid transparent;  /* a triangle, point down */
  border-top: 0.7rem solid var(--c); border-bottom: 0; }
.stHtml:has(> .bar-chart), .stHtml:has(> .scatter) { overflow: visible; }  /* they fit: no scroll */
.bar-chart { margin: 0 0 1rem; max-width: 60rem; container: bars / inline-size; }
.bar-plot { position: relative; display: flex; align-items: stretch; height: 220px;
  margin: 1.6rem 0 1.8rem 3rem; border-bottom: 1px solid #808495;
  background: repeating-linear-gradient(to top, #e6e6e6 0 1px, transparent 1px 25%); }
.bar-axis span { position: absolute; left: -3rem; width: 2.6rem; text-align: right;
  font-size: 0.75rem; transform: translateY(50%); }
.bar-group { flex: 1 1 0; min-width: 0; display: flex; flex-direction: column; position: relative;
  padding: 0 0.2rem; }
.bars { flex: 1; display: flex; align-items: flex-end; gap: 1px; }
.bar { flex: 1; position: relative; min-height: 1px; }
.bar-value { position: absolute; bottom: 100%; left: 50%; transform: translateX(-50%);
  padding-bottom: 2px; font: 0.75rem "Source Code Pro", monospace; white-space: nowrap; }
.bar-word { position: absolute; top: 100%; left: 0; right: 0; text-align: center;
  font-size: 0.875rem; padding-top: 0.2rem; white-space: nowrap; }
.bar-mark { position: absolute; top: -1.5rem; left: 50%; translate: -50% 0; }
.scatter { position: relative; width: 520px; margin: 0.5rem 0 1rem 3rem;
  padding: 0 5rem 2.6rem 0; }
.scatter-plot { position: relative; height: 300px; border-left: 1px solid #808495;
  border-bottom: 1px solid #808495; }
.scatter .tick-x, .scatter .tick-y { position: absolute; font-size: 0.75rem; }
.scatter .tick-x { top: 100%; transform: translateX(-50%); padding-top: 0.2rem; }
.scatter .tick-y { right: 100%; transform: translateY(50%); padding-right: 0.3rem; }
.scatter .dot { position: absolute; width: 12px; height: 12px; border-radius: 50%;
  border: 2px solid; box-sizing: border-box; transform: translate(-50%, 50%); }
.scatter .dot.before { background: #fff; }
.scatter .dot-word { position: absolute; transform: translate(9px, -4px); font-size: 0.875rem; }
.scatter .move { position: absolute; height: 2px; transform-origin: 0 50%; }
.scatter .axis-x { position: absolute; bottom: 0; left: 50%; font-size: 0.875rem; }
.scatter .axis-y { position: absolute; top: 50%; left: -3rem; font-size: 0.875rem;
  writing-mode: vertical-rl; transform: rotate(180deg); }
""" + charts.BAR_CSS  # labels turned upright where the chart is too narrow for them
# Always: captions dark enough for WCAG AA (Streamlit's grey is 3.9:1 on white; this is 6:1);
# the tables of ui/tables.py (st.html) drawn as Streamlit draws a Markdown table, numbers
# monospace with their sign's space kept, marks in Streamlit's background colours and bold.
BASE_CSS = """<style>
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p, kbd
  { color: #4a4a4a !important; opacity: 1 !important; }
.katex-display { overflow: visible !important; }
.stMarkdown td code { white-space: pre !important; }
.st-key-class_news { display: none !important; }
/* The next stage is drawn hidden (key *_stage_ahead); a click on Next shows it at once in
   place of the current one (ui/stepper.py, ui/keys.py). Until the run that follows draws it as
   the current stage, the stage left is drawn as the closed box (40 px, a collapsed expander)
   that the run puts in its place ("placed": that box is in), so that nothing moves. */
html:not([data-stage-ahead]) div:has(> div[class*="st-key-"][class*="_stage_ahead"]),
html[data-stage-ahead] div[class*="st-key-"][class*="_current"] > *,
html[data-stage-ahead="placed"] div:has(> div[class*="st-key-"][class*="_current"])
  { display: none !important; }
html[data-stage-ahead] div[class*="st-key-"][class*="_current"] { flex: none !important;
  height: 40px !important; padding: 0 !important; }
div:has(> div[class*="st-key-"][class*="_current"]),
div:has(> div[class*="st-key-"][class*="_stage_ahead"])
  { overflow-anchor: none; }  /* the browser would scroll after the box it anchored on */
/* The stage trail (ui/stepper.trail_html) */
.stHtml p.trail, .stHtml p.stage-label { margin: 0; }
.trail .tick { visibility: hidden; }
.trail .done .tick { visibility: visible; }
.trail .now { text-decoration: underline 2px; text-underline-offset: 0.2em;
  box-shadow: 0 0 0 0.2em rgb(255, 246, 237); background: rgb(255, 246, 237); }
.stHtml { overflow-x: auto; }  /* a table wider than its box scrolls inside it */
.stHtml table { border-collapse: collapse; margin: 0 0 1rem; line-height: 1.6; }
.stHtml table + table { margin-top: 2rem; }  /* a stage's tables in one element: same spacing */
.stHtml p.cut-note { color: #4a4a4a; font-size: 0.875rem; margin: -0.5rem 0 2rem; }
.stHtml th, .stHtml td { padding: 0.375rem 0.75rem; vertical-align: middle;
  border: 1px solid rgb(232, 229, 226); text-align: left; }
.stHtml th { font-weight: 600; }
.stHtml tbody th { font-weight: 400; }
table.matrix thead th + th { text-align: right; }
table.matrix td, .stHtml td.num { text-align: right; white-space: pre; font-size: 0.875rem;
  font-family: "Source Code Pro", monospace; }
td.mark-target { background: rgb(255, 246, 237); font-weight: 700; }
td.mark-touched { background: rgb(237, 245, 255); font-weight: 700; }
td.mark-changed { background: rgb(241, 251, 246); font-weight: 700; }
""" + CHART_CSS + mathtex.CSS + "\n</style>"
# High contrast: black on white, thick borders, underlined links, bold marks.
CONTRAST_CSS = """<style>
.stApp, .stMarkdown, .stMarkdown p, .stMarkdown td { color: #000 !important; background: #fff; }
.stHtml th, .stHtml td { color: #000 !important; }
.stMarkdown table, .stMarkdown td, .stMarkdown th, .stHtml table, .stHtml td,
.stHtml th { border: 2px solid #000 !important; }
[data-testid="stVerticalBlockBorderWrapper"] { border: 3px solid #000 !important; }
a { text-decoration: underline !important; }
</style>"""

# A drawn icon (a worksheet grid with its touched row), not an emoji: a browser without an
# emoji font showed an empty box in the tab, and a Material icon is fetched from Google.
FAVICON = Path(__file__).resolve().parent / "static" / "favicon.png"
st.set_page_config(page_title="Step-through", page_icon=FAVICON, layout="wide")

page = st.navigation(menu())

st.session_state.setdefault("decimals", 4)
urlstate.read_url("app", {"decimals": ("decimals", urlstate.int_in(0, 10))})
with st.sidebar:
    st.slider("Decimals shown", 0, 10, key="decimals",
              help="Every number on every page is shown with this many decimals.")
    st.toggle("Presenter mode", key="presenter",
              help="For a projector: large type, the current stage only, the sidebar out of "
                   "the way; → / ← / PageDown / PageUp / Space step the lesson.")
    st.toggle("High contrast", key="contrast", help="Black on white with thick borders.")
st.html(BASE_CSS)
mathtex.install()  # typesets the lessons' formulas (ui/mathtex.py)
serving.shell_first(st.session_state, page)  # a new tab: the browser draws the above first
if st.session_state.get("presenter"):
    st.html(PRESENTER_CSS)
    st.button("Leave presenter mode", icon=":material/close_fullscreen:", key="presenter_off",
              on_click=lambda: st.session_state.update(presenter=False))
if st.session_state.get("contrast"):
    st.html(CONTRAST_CSS)
urlstate.url_notice("app")
classroom.panel(page)  # Lead the class (sidebar); a student's class bar

page.run()
classroom.drawn()  # a follower's page now shows the class's version
cached.warm_torch_after_run(st.session_state)  # after the page is drawn, not to slow it

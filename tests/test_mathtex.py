"""ui/mathtex: the lessons' formulas as escaped LaTeX lines that the browser typesets with the
KaTeX that Streamlit's own stylesheet was made for."""
import re
from pathlib import Path

import streamlit as st

from tests.conftest import ROOT, open_page, shown_math
from ui import mathtex

STREAMLIT_JS = Path(st.__file__).parent / "static" / "static" / "js"


def katex_version(text):
    return re.findall(r'version:\s*[`"](\d+\.\d+\.\d+)[`"]', text)


def test_the_served_katex_is_the_version_streamlits_stylesheet_is_for():
    """Streamlit's Markdown math (rehype-katex, whose KaTeX CSS every page loads) and
    static/katex.min.js must be one KaTeX version: class names changed between versions
    (a newer KaTeX drew subscripts on the baseline with this stylesheet)."""
    ours = set(katex_version(mathtex.KATEX_JS.read_text()))
    chunks = list(STREAMLIT_JS.glob("rehype-katex.*.js"))
    assert chunks, "Streamlit no longer ships rehype-katex: check ui/mathtex.py"
    theirs = set(katex_version(chunks[0].read_text()))
    assert len(ours) == 1 and ours == theirs, (ours, theirs)


def test_static_serving_is_on_for_the_app():
    assert 'enableStaticServing = true' in (ROOT / ".streamlit" / "config.toml").read_text()
    assert mathtex.KATEX_JS.is_file()


def test_lines_are_escaped_and_read_back_as_the_same_latex():
    lines = [r"\text{</div><script>alert(1)</script>} = 1", r"a < b \;\&\; \text{\"x\" & 'y'}",
             "\u202eevil\u202c x"]
    body = mathtex.tex_html(lines)
    assert "<script>" not in body and "</div><" not in body.replace('</div><div class="tex">', "")
    assert body.count('<div class="tex">') == 3

    class Shown:   # what AppTest hands shown_math
        latex, markdown = [], []
        html = [type("H", (), {"value": body})()]
    assert shown_math(Shown) == [lines[0], lines[1], "evil x"]  # bidi controls dropped


def test_a_lesson_draws_its_formulas_as_tex_lines(app):
    """Served with this project's config, a lesson's formulas and lines are ui.mathtex blocks
    (not Markdown math), and app.py puts the typesetting script on every page (AppTest keeps
    only the home page's copy: a page's own elements take the tree's first places)."""
    assert any("window.__stepThroughTex" in h.value for h in app.html)
    at = open_page(app, "tiny_word2vec.py")
    blocks = [h.value for h in at.html if h.value.startswith('<div class="tex">')]
    assert blocks, "no formula block on the page"
    assert not any("$$" in m.value for m in at.markdown)
    assert r"\text{dog}" in "".join(shown_math(at))

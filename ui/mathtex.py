"""Display formulas drawn by KaTeX straight into the page, not through Streamlit's Markdown.

A stage's formulas and plugged-in lines are one `st.html` element of `<div class="tex">`
lines holding the escaped LaTeX source. A script installed once per browser tab (`install`)
typesets each such line with KaTeX as soon as it is in the page (a MutationObserver runs
before the browser paints). Markdown math goes through a Markdown parser and builds every
KaTeX span as a React element: on a Next click that was most of the browser's time
(bench/click_latency.py); here KaTeX writes its HTML directly.

KaTeX is static/katex.min.js (MIT, static/KATEX-LICENSE), served by Streamlit's static file
serving (.streamlit/config.toml): the same version as the KaTeX inside Streamlit's Markdown,
whose stylesheet and fonts every Streamlit page already loads (tests/test_mathtex.py checks
that the two versions agree). Without static serving the lines fall back to Markdown.
"""
import json
from pathlib import Path

import streamlit as st

KATEX_JS = Path(__file__).resolve().parent.parent / "static" / "katex.min.js"
UNTYPESET = ".tex:not([data-tex])"  # a line the script has not typeset yet

_SCRIPT = """<script>
(() => {
  if (window.__stepThroughTex) return;
  window.__stepThroughTex = true;
  const root = document.documentElement;
  const main = document.querySelector('script[src*="static/js/index."]');
  const s = document.createElement('script');
  s.src = (main ? new URL('../../app/static/' + %s, main.src)
                : new URL('app/static/' + %s, document.baseURI)).href;
  s.onerror = () => root.classList.add('tex-plain');
  s.onload = () => {
    const katex = window.katex;
    if (!katex) return root.classList.add('tex-plain');
    const typeset = () => document.querySelectorAll('.stHtml ' + %s).forEach(el => {
      const tex = el.textContent;
      el.setAttribute('data-tex', tex);
      katex.render(tex, el, {displayMode: true, throwOnError: false, strict: 'ignore'});
    });
    new MutationObserver(typeset).observe(document.body || root, {childList: true, subtree: true});
    typeset();
  };
  document.head.appendChild(s);
})();
</script>"""

# Until typeset a line is kept invisible (its raw LaTeX would flash); shown as text if KaTeX
# could not be loaded.
CSS = """.st-key-tex_typesetter, div:has(> .st-key-tex_typesetter) { display: none !important; }
html:not(.tex-plain) .stHtml """ + UNTYPESET + """ { visibility: hidden; }
.stHtml > .tex:last-child .katex-display { margin-bottom: 0; }  /* as in Streamlit's Markdown */
.stHtml:has(> .tex) { overflow: visible; }  /* ui/keys fits a wide formula, or scrolls it */"""


def typesetting():
    """Whether the browser typesets ui.mathtex's lines (KaTeX is served), else Markdown."""
    return KATEX_JS.is_file() and bool(st.get_option("server.enableStaticServing"))


def typesetter():
    """The typesetting script: it loads KaTeX, then typesets every line in the page from then
    on (once per tab: a second copy does nothing)."""
    name = json.dumps(KATEX_JS.name)
    return _SCRIPT % (name, name, json.dumps(UNTYPESET))


def install():
    """Add the typesetting script to the page (hidden; its body never changes, so the browser
    runs it once per tab). Call on every run, before the page's formulas. A lesson's own
    address has it in the page already (ui/serving.preloading_index)."""
    if typesetting():
        with st.container(key="tex_typesetter"):
            st.html(typesetter(), unsafe_allow_javascript=True)


def tex_html(lines):
    """LaTeX lines as one HTML block, one display formula per line, the source escaped."""
    from ui.format import html_text  # not at the top: serve.py's start would import numpy
    return "".join(f'<div class="tex">{html_text(line)}</div>' for line in lines)


def show(lines, where=st):
    """Display `lines` (LaTeX) as formulas, one element for all of them."""
    if not lines:
        return
    if typesetting():
        where.html(tex_html(lines))
    else:
        where.markdown("\n\n".join(f"$$\n{line}\n$$" for line in lines))

"""Hostile input, table-driven, in Chromium: each case must show a clear message (or, for
odd but valid words, render them literally), raise no exception, run no injected code, and
keep the previous state.

A case is (url_path, action, expectation), listed under its page's key prefix in CASES; a
lesson adds its own list (and a PageSpec) when it lands. Cases with an action run one after
another in one browser session per page (opening a page costs seconds): after each, the
widgets it touched are put back and the page must show its starting state again. Cases without
an action are hostile URLs, each opened fresh.

Not covered yet: non-UTF-8 and binary uploads (no page has a file uploader), and a window
larger than the text (no page with a window is covered here yet).
"""
import urllib.error
import urllib.request
from typing import Callable, NamedTuple

import numpy as np
import pytest

from core import tiny_word2vec as tw
from tests.e2e.conftest import alerts, exceptions, new_context, open_app, table, wait_idle

pytestmark = pytest.mark.browser

WJ = "\u2060"  # the invisible word joiner ui.format.md_text puts into ':' and '->'-like pairs


# --- pages --------------------------------------------------------------------------------------

class PageSpec(NamedTuple):
    path: str        # URL path (and query) that shows the state table
    ready: str       # a selector on screen once the page has rendered
    state: str       # the table whose text is "the state" (its corner name)
    scope: str       # the container that holds that table
    default: Callable  # () -> the state table's values at the page's defaults


def tiny_step(**kw):
    P = tw.README_PARAMS
    args = dict(center=0, target=2, lr=0.1) | kw
    return tw.sgd_step(P["E"], P["W"], P["b"], args["center"], args["target"], args["lr"])


PAGES = {
    "tiny": PageSpec("tiny_word2vec?stage=5", ".st-key-tiny_next", "W_new",
                     ".st-key-tiny_current", lambda: tiny_step()["W_new"]),
}


# --- actions ------------------------------------------------------------------------------------

class Set(NamedTuple):
    """Put text into the widget with this key and commit it (Enter; Ctrl+Enter in a text area).
    `js`: a JavaScript expression building the text in the browser (megabytes)."""
    key: str
    text: str = ""
    js: str = ""


class Type(NamedTuple):
    """Type keys into the widget as a person would (a number box refuses letters), then Enter."""
    key: str
    keys: str


class Click(NamedTuple):
    key: str


SET_VALUE = """(el, [js, text]) => {
  const value = js ? eval(js) : text;
  const proto = el.tagName === 'TEXTAREA' ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  Object.getOwnPropertyDescriptor(proto, 'value').set.call(el, value);
  el.dispatchEvent(new Event('input', {bubbles: true}));
}"""
REVEAL = """e => { const d = e.closest('details');
                    if (d && !d.open) d.querySelector('summary').click(); }"""


def field(page, key):
    """The text box of widget `key`, its expander opened if it sits in a closed one."""
    box = page.locator(f".st-key-{key}").locator("input, textarea").first
    box.evaluate(REVEAL)
    box.wait_for(state="visible")
    return box


def commit(box):
    box.press("Control+Enter" if box.evaluate("e => e.tagName") == "TEXTAREA" else "Enter")


def run_step(page, step):
    if isinstance(step, Click):
        button = page.locator(f".st-key-{step.key} button")
        button.evaluate(REVEAL)
        button.click()
    elif isinstance(step, Type):
        box = field(page, step.key)
        box.click()
        page.keyboard.press("Control+A")
        page.keyboard.type(step.keys)
        box.press("Enter")
    else:
        box = field(page, step.key)
        box.evaluate(SET_VALUE, [step.js, step.text])
        commit(box)
    wait_idle(page)


# --- expectations -------------------------------------------------------------------------------

SAME = "same"


class Expect(NamedTuple):
    alert: str = None      # text of the error / warning / info expected; None: no error or warning
    state: object = SAME   # SAME: the state table as at the defaults; (name, values); or None
    words: tuple = None    # words that must appear literally (row labels, heading, LaTeX)
    fresh_after: bool = False  # the case changes state on purpose: reopen the page after it


def rejected(message):
    return Expect(alert=message)


def literal(*words):
    return Expect(words=words)


class Case(NamedTuple):
    id: str
    path: str            # URL path; with no action this is the hostile URL itself
    action: tuple        # steps, or () for a URL case
    expect: Expect


def tiny_url(query):
    return f"tiny_word2vec?{query}"


TINY = PAGES["tiny"].path
ONE_MB, TEN_MB = 1 << 20, 10 << 20
README_E = "-0.9937, -0.4648\n-0.948, 1.2738\n0.4065, 0.6565"

CASES = {"tiny": [
    # vocabulary: empty, one word, emoji, CJK, right-to-left, megabytes, control characters
    Case("vocab-empty", TINY, (Set("tiny_vocab", ""),), rejected("needs 2 to 12 words")),
    Case("vocab-one-word", TINY, (Set("tiny_vocab", "dog"),), rejected("needs 2 to 12 words")),
    Case("vocab-only-commas", TINY, (Set("tiny_vocab", " , ,, "),), rejected("needs 2 to 12")),
    Case("vocab-emoji-one-token", TINY, (Set("tiny_vocab", "🐶🐱🌳"),), rejected("needs 2 to 12")),
    Case("vocab-emoji", TINY, (Set("tiny_vocab", "🐶, 🐱, 🌳"),), literal("🐶", "🐱", "🌳")),
    Case("vocab-cjk", TINY, (Set("tiny_vocab", "狗, 猫, 公园"),), literal("狗", "猫", "公园")),
    Case("vocab-rtl", TINY, (Set("tiny_vocab", "כלב, חתול, פארק"),), literal("כלב", "חתול", "פארק")),
    Case("vocab-rtl-override", TINY, (Set("tiny_vocab", "\u202edog, كلب, park\u200d"),),
         literal("\u202edog", "كلب", "park\u200d")),
    Case("vocab-repeated", TINY, (Set("tiny_vocab", "dog, dog, cat"),), rejected("repeated")),
    Case("vocab-13-words", TINY, (Set("tiny_vocab", ", ".join(f"w{i}" for i in range(13))),),
         rejected("needs 2 to 12 words")),
    Case("vocab-long-word", TINY, (Set("tiny_vocab", "dog, cat, " + "p" * 31),),
         rejected("longer than 30")),
    Case("vocab-1mb", TINY, (Set("tiny_vocab", js=f"'w, '.repeat({ONE_MB // 3})"),),
         rejected("too long")),
    Case("vocab-10mb", TINY, (Set("tiny_vocab", js=f"'w, '.repeat({TEN_MB // 3})"),),
         rejected("too long")),
    Case("vocab-latex", TINY, (Set("tiny_vocab", r"$x$, \alpha, a_b^c"),),
         literal("$x$", r"\alpha", "a_b^c")),
    Case("vocab-markdown", TINY, (Set("tiny_vocab", "**bold**, __u__, ~~s~~"),),
         literal("**bold**", "__u__", "~~s~~")),
    Case("vocab-html-script", TINY,
         (Set("tiny_vocab", "<script>alert(1)</script>, <b>x</b>, <img src=x onerror=alert(1)>"),),
         literal("<script>alert(1)</script>", "<b>x</b>", "<img src=x onerror=alert(1)>")),
    Case("vocab-links-code-pipes", TINY,
         (Set("tiny_vocab", "[l](javascript:alert(1)), `code`, |pipe|"),),
         literal("[l](javascript:alert(1))", "`code`", "|pipe|")),
    Case("vocab-streamlit-directives", TINY,
         (Set("tiny_vocab", ":red[x], :material/home:, :streamlit:"),),
         literal(":red[x]", ":material/home:", ":streamlit:")),
    Case("vocab-emoji-shortcodes", TINY, (Set("tiny_vocab", ":dog:, :material_home:, a:b"),),
         literal(":dog:", ":material_home:", "a:b")),
    Case("vocab-tex-commands", TINY, (Set("tiny_vocab", r"\frac{1}{2}, ^%&, {}~#"),),
         literal(r"\frac{1}{2}", "^%&", "{}~#")),
    Case("vocab-dollars-backslashes", TINY, (Set("tiny_vocab", r"$$, \$, \\"),),
         literal("$$", r"\$", "\\\\")),
    Case("vocab-arrows-dashes", TINY, (Set("tiny_vocab", "->, <=, --"),), literal("->", "<=", "--")),
    Case("vocab-four-words-reinit", TINY, (Set("tiny_vocab", "dog, cat, park, ball"),),
         Expect(alert="changed size", state=None, fresh_after=True)),
    # weights typed as text
    Case("E-text", TINY, (Set("tiny_E", "abc def\n1 2\n3 4"),), rejected("'abc' is not a number")),
    Case("E-emoji", TINY, (Set("tiny_E", "🐶 1\n2 3\n4 5"),), rejected("is not a number")),
    Case("E-empty", TINY, (Set("tiny_E", ""),), rejected("E needs")),
    Case("E-too-few", TINY, (Set("tiny_E", "1 2\n3 4"),), rejected("E needs 6 numbers")),
    Case("E-markdown", TINY, (Set("tiny_E", "**1** $2$\n:streamlit: 4\n5 6"),),
         rejected("'**1**' is not a number")),
    Case("E-1mb", TINY, (Set("tiny_E", js=f"'0.5 '.repeat({ONE_MB // 4})"),), rejected("too long")),
    Case("E-10mb", TINY, (Set("tiny_E", js=f"'0.5 '.repeat({TEN_MB // 4})"),), rejected("too long")),
    Case("E-unicode-minus", TINY, (Set("tiny_E", README_E.replace("-", "−")),), Expect()),
    Case("W-inf", TINY, (Set("tiny_W", "inf 0\n0 0\n0 0"),), rejected("not a finite number")),
    Case("W-1e400", TINY, (Set("tiny_W", "1e400 0\n0 0\n0 0"),), rejected("not a finite number")),
    Case("b-nan", TINY, (Set("tiny_b", "nan 0 0"),), rejected("not a finite number")),
    Case("W-huge-overflows", TINY, (Set("tiny_W", "-1.7e308 0\n0 0\n1.7e308 0"),),
         rejected("overflowed")),
    # learning rates
    Case("lr-0", TINY, (Set("tiny_lr_exact", "0"),), rejected("learning rate")),
    Case("lr-negative", TINY, (Set("tiny_lr_exact", "-0.3"),), rejected("learning rate")),
    Case("lr-1e309", TINY, (Set("tiny_lr_exact", "1e309"),), rejected("learning rate")),
    Case("lr-typed-nan", TINY, (Type("tiny_lr_exact", "nan"),), rejected("learning rate")),
    Case("lr-typed-text", TINY, (Type("tiny_lr_exact", "fast"),), rejected("learning rate")),
    Case("lr-1e6", TINY, (Set("tiny_lr_exact", "1000000"),),
         Expect(state=("W_new", tiny_step(lr=1e6)["W_new"]))),
    # training: pairs and epochs
    Case("pairs-empty", TINY, (Set("tiny_pairs", ""), Click("tiny_train")),
         rejected("at least one training pair")),
    Case("pairs-unknown-word", TINY, (Set("tiny_pairs", "dog cow"), Click("tiny_train")),
         rejected("two vocabulary words")),
    Case("pairs-script", TINY,
         (Set("tiny_pairs", "<script>alert(1)</script> park"), Click("tiny_train")),
         rejected("two vocabulary words")),
    Case("pairs-1mb", TINY, (Set("tiny_pairs", js=f"'dog park, '.repeat({ONE_MB // 10})"),
                             Click("tiny_train")), rejected("too long")),
    Case("epochs-0", TINY, (Set("tiny_epochs", "0"), Click("tiny_train")),
         rejected("between 1 and 2000")),
    Case("epochs-1e9", TINY, (Set("tiny_epochs", "1000000000"), Click("tiny_train")),
         rejected("between 1 and 2000")),
    # the hand-calculation check of the current stage (stage 5: E_new)
    Case("handcheck-text", TINY, (Set("tiny_hc_text_4", "abc"), Click("tiny_hc_check_4")),
         rejected("expected 6 values")),
    Case("handcheck-markdown", TINY,
         (Set("tiny_hc_text_4", "**1** $x$ <script>alert(1)</script> 6"),
          Click("tiny_hc_check_4")), rejected("'**1**' is not a number")),
    Case("handcheck-1mb", TINY, (Set("tiny_hc_text_4", js=f"'1 '.repeat({ONE_MB // 2})"),
                                 Click("tiny_hc_check_4")), rejected("expected 6 values")),
    # hostile URLs, each opened fresh
    Case("url-stage-99", tiny_url("stage=99"), (),
         Expect("stage", state=("logits", tiny_step()["logits"]))),
    Case("url-stage-text", tiny_url("stage=%24x%24**y**"), (),
         Expect("“$x$**y**”", state=("logits", tiny_step()["logits"]))),
    Case("url-lr-nan", tiny_url("stage=5&lr=nan"), (), Expect("lr")),
    Case("url-lr-negative", tiny_url("stage=5&lr=-1"), (), Expect("lr")),
    Case("url-lr-huge", tiny_url("stage=5&lr=1e7"), (), Expect("at most 1e6")),
    Case("url-center-unknown", tiny_url("stage=5&center=cow"), (),
         Expect("not a word of the vocabulary")),
    Case("url-target-script", tiny_url("stage=5&target=%3Cscript%3Ealert(1)%3C/script%3E"), (),
         Expect("“<script>alert(1)</script>”")),
    Case("url-decimals-99", tiny_url("stage=5&decimals=99"), (), Expect("decimals")),
    Case("url-10k-chars", tiny_url("stage=5&lr=" + "9" * 10_000), (), Expect("too long")),
    Case("url-unknown-param-ignored", tiny_url("stage=5&foo=%3Cb%3Ebar"), (), Expect()),
]}

ALL = [(prefix, case) for prefix, cases in CASES.items() for case in cases]


# --- the runner ---------------------------------------------------------------------------------

# User text that reached the DOM as markup: script elements, event handlers, javascript: links.
INJECTED = """() => [...document.querySelectorAll('script')].filter(s => /alert/.test(s.textContent))
    .length + document.querySelectorAll('[onerror], [onload], [onclick], a[href^="javascript"], '
    + 'img[src="x"], main b').length"""


def state_values(page, spec, name=None):
    """(row labels, values) of the state table (or table `name`) as shown."""
    _, rows = table(page, name or spec.state, spec.scope)
    labels = [label.replace(WJ, "") for label in rows]
    return labels, np.array([[float(c) for c in cells] for cells in rows.values()])


def check(page, spec, expect):
    assert not exceptions(page), exceptions(page)
    assert page.evaluate(INJECTED) == 0, "user text reached the page as markup"
    assert not page.locator(".katex-error").count(), "a formula failed to render"
    shown = [a.replace(WJ, "") for a in alerts(page)]
    if expect.alert:
        assert any(expect.alert.lower() in a.lower() for a in shown), shown
    else:
        assert not alerts(page, ("error", "warning")), shown
    if expect.state is SAME or isinstance(expect.state, tuple):
        name, want = (spec.state, spec.default()) if expect.state is SAME else expect.state
        labels, values = state_values(page, spec, name)
        np.testing.assert_allclose(values, np.reshape(want, values.shape), rtol=1e-12,
                                   atol=0.5e-4 + 1e-9, err_msg=name)
        if not expect.words and np.ndim(want) == 2:
            assert labels == list(tw.VOCAB), labels
    if expect.words:
        labels, _ = state_values(page, spec)
        assert labels == list(expect.words), labels
        heading = page.locator("h4").first.text_content().replace(WJ, "")
        assert f"{expect.words[0]} → {expect.words[2]}" in heading, heading
        latex = "".join(page.locator(f"{spec.scope} .katex-html").all_inner_texts())
        latex = latex.replace("\xa0", " ")  # KaTeX writes the spaces of \text{} as no-break
        for w in expect.words:
            if not set(w) & set("'`\u202e\u200d"):  # TeX typesets quotes; marks are invisible
                assert w in latex, (w, "not literal in the formulas")


class Session:
    """One page per lesson, shared by its cases; reopened after a case that leaves it changed."""

    def __init__(self, browser, server):
        self.browser, self.server, self.ctx, self.page = browser, server, None, None
        self.dialogs = []

    def open(self, spec):
        self.close()
        self.ctx = new_context(self.browser)
        self.page = self.ctx.new_page()
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        open_app(self.page, self.server, spec.path, spec.ready)
        self.baseline = {}
        return self.page

    def value(self, key):
        """The widget's text as the page first showed it (to put back after a case)."""
        if key not in self.baseline:
            self.baseline[key] = field(self.page, key).input_value()
        return self.baseline[key]

    def close(self):
        if self.ctx:
            self.ctx.close()
        self.ctx = self.page = None


@pytest.fixture(scope="module")
def sessions(browser, server):
    made = {}
    yield lambda prefix: made.setdefault(prefix, Session(browser, server))
    for s in made.values():
        s.close()


def test_there_are_at_least_40_cases():
    assert len(ALL) >= 40
    assert len({c.id for _, c in ALL}) == len(ALL), "case ids must be unique"


@pytest.mark.parametrize("prefix,case", ALL, ids=[f"{p}-{c.id}" for p, c in ALL])
def test_hostile_input(sessions, browser, server, prefix, case):
    spec = PAGES[prefix]
    if not case.action:  # a hostile URL: its own fresh page
        ctx = new_context(browser)
        dialogs = []
        try:
            page = ctx.new_page()
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            open_app(page, server, case.path, spec.ready)
            check(page, spec, case.expect)
        finally:
            ctx.close()
        assert not dialogs, dialogs
        return

    session = sessions(prefix)
    page = session.page or session.open(spec)
    keys = [step.key for step in case.action if not isinstance(step, Click)]
    before = {k: session.value(k) for k in keys}
    try:
        for step in case.action:
            run_step(page, step)
        check(page, spec, case.expect)
        assert not session.dialogs, session.dialogs
        if case.expect.fresh_after:
            session.close()
            return
        # Put the widgets back: the page must return to its starting state, with no message.
        for key, text in before.items():
            run_step(page, Set(key, text))
        check(page, spec, Expect())
    except Exception:
        session.close()  # the next case starts from a fresh page
        raise


def test_huge_url_is_refused_by_the_server_which_keeps_serving(server, page):
    """A 1 MB query string never reaches the app: the web server answers 4xx."""
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(f"{server}/{tiny_url('lr=' + '9' * ONE_MB)}", timeout=30)
    assert 400 <= err.value.code < 500
    open_app(page, server, PAGES["tiny"].path, PAGES["tiny"].ready)
    check(page, PAGES["tiny"], Expect())


def test_unknown_page_falls_back_without_error(server, page):
    open_app(page, server, "no_such_page%3Cscript%3E", "h1")
    assert not exceptions(page)
    assert page.evaluate(INJECTED) == 0

"""Hostile input, table-driven, in Chromium: each case must show a clear message (or, for
odd but valid words, render them literally), raise no exception, run no injected code, and
keep the previous state.

A case is (url_path, action, expectation), listed under its page's key prefix in CASES; a
lesson adds its own list (and a PageSpec) when it lands. Cases with an action run one after
another in one browser session per page (opening a page costs seconds): after each, the
widgets it touched are put back (text retyped, uploaded files removed, a multiselect picked
again) and the page must show its starting state again. Cases without an action are hostile
URLs, each opened fresh. A message may be the page's own (st.error / st.warning) or the one a
Streamlit widget shows when it refuses a value itself (a number out of its range, a file type
the uploader does not take).

Not covered yet: drag-and-drop onto the uploader (files are set on its input, as a picker
would) and the sidebar's settings. A CBOW text with more than 60 different words is refused
(every stage shows V-wide tables and V formula lines: a stage took about 20 s at V = 1,000).
"""
import unicodedata
import urllib.error
import urllib.request
from typing import Callable, NamedTuple

import numpy as np
import pytest

from core import cbow_mlp as cm
from core import cbow_torch as ct
from core import corpus
from core import manual_backprop as mb
from core import char_mlp as char
from core import names_data, sgns, sgns_corpus
from core import tiny_word2vec as tw
from tests.e2e.conftest import (alerts, drawn, exceptions, new_context, open_app, table,
                                wait_idle)

pytestmark = pytest.mark.browser

WJ = "\u2060"  # the invisible word joiner ui.format puts into ':' and '->'-like pairs


def clean(text):
    return text.replace(WJ, "")


# --- pages --------------------------------------------------------------------------------------

class PageSpec(NamedTuple):
    path: str        # URL path (and query) that shows the state table
    ready: str       # a selector on screen once the page has rendered
    state: str       # the table whose text is "the state" (its corner name)
    scope: str       # the container that holds that table
    default: Callable  # () -> the state table's values at the page's defaults
    labels: tuple    # the state table's row labels at the defaults
    literal: Callable = None  # (page, spec, words): the words are shown literally


def tiny_step(params=None, **kw):
    P = params or tw.README_PARAMS
    args = dict(center=0, target=2, lr=0.1) | kw
    return tw.sgd_step(P["E"], P["W"], P["b"], args["center"], args["target"], args["lr"])


# The pages' default inputs (what they put into session state on a fresh session).
COURSE_TEXT = "I am happy because I am learning"
MB_SENTENCE = " ".join(mb.SEED_WORDS)
CBOWT_VOCAB = list(ct.VOCAB)


def cbow_step(text=COURSE_TEXT, C=cm.COURSE_C, N=cm.COURSE_N, lr=cm.DEFAULT_LR):
    """CBOW page: window 0 of `text`; the course's weights for its sentence and N = 3, else
    seed 0's."""
    tokens = corpus.tokenize(text)
    vocab = corpus.build_vocab(tokens)
    context, center = corpus.windows(tokens, C)[0]
    course = tuple(tokens) == cm.COURSE_TOKENS and N == cm.COURSE_N
    params = cm.COURSE_PARAMS if course else cm.init_params(len(vocab), N, 0)
    return cm.sgd_step(params, corpus.context_vector(context, vocab),
                       corpus.one_hot(center, vocab), lr)


def mb_vocab(sentence=MB_SENTENCE):
    return mb.vocab_of(sentence)


def mb_step(sentence=MB_SENTENCE, lr=mb.SEED_LR, seed=0):
    """Manual backprop page: d = 10, word 4 (0 when the sentence has fewer words)."""
    V = len(mb_vocab(sentence))
    p = mb.init_params(V, mb.SEED_DIM, seed)
    return mb.step(p["embedding"], p["linear"], mb.SEED_INDEX if V > mb.SEED_INDEX else 0, lr)


def cbowt_step(context=ct.DEFAULT_CONTEXT, target=ct.DEFAULT_TARGET, lr=ct.SEED_LR):
    """Torch CBOW page: seed 0, d = 5."""
    P = ct.init_params(len(CBOWT_VOCAB), ct.SEED_DIM, 0)
    return ct.sgd_step(P["E"], P["W"], P["b"], [CBOWT_VOCAB.index(w) for w in context],
                       CBOWT_VOCAB.index(target), lr)


def sgns_step(negatives="bread, park, red, bus, soup", lr=0.1):
    """Negative-sampling page: the built-in text, cat → dog, d = 8, seed 0."""
    words, _, _ = sgns.lesson_vocab(0, "", sgns_corpus.default_text())
    example = sgns.lesson_example(words, "cat", "dog", negatives)
    return sgns.step(sgns.lesson_params(0, len(words), 8, 0), example, lr)


def char_step(name="emma", row=1, lr=char.NOTEBOOK_LR):
    """Character-MLP page: the notebook's initialisation, example `row` of the name."""
    context, target = names_data.name_rows(names_data.clean_name(name), 3)[row]
    example = {"context": tuple(char.SYMBOLS.index(ch) for ch in context),
               "target": char.SYMBOLS.index(target)}
    return char.step(char.init_params(seed=42), example, lr)


def latex_text(page, spec):
    """The text of the formulas shown in the current stage (KaTeX writes \\text{} spaces as
    no-break spaces)."""
    return clean("".join(page.locator(f"{spec.scope} .katex-html").all_inner_texts())
                 ).replace("\xa0", " ")


def typeset_as_is(word):
    """False for words TeX shows otherwise: quotes, invisible marks, and combining accents
    (KaTeX sets them as accents over the letter)."""
    return not (set(word) & set("'`\u202e\u200d") or
                any("\u0300" <= ch <= "\u036f" for ch in word))


def in_formulas(word):
    """The word as the formulas show it: characters they cannot hold (control, private use)
    are U+FFFD there (ui.format.tex_text)."""
    return "".join("\ufffd" if unicodedata.category(ch) in ("Cc", "Co") else ch for ch in word)


def tiny_literal(page, spec, words):
    """The vocabulary as the state table's rows, in the heading and in the formulas."""
    labels, _ = state_values(page, spec)
    assert labels == list(words), labels
    heading = clean(page.locator("h4").first.text_content())
    assert f"{words[0]} → {words[2]}" in heading, heading
    latex = latex_text(page, spec)
    for w in words:
        if typeset_as_is(w):
            assert in_formulas(w) in latex, (w, "not literal in the formulas")


def cbow_literal(page, spec, tokens):
    """The tokens as the core gives them: window 0 in the heading, and on the current stage
    the token list (stage 1), the vocabulary table (2) or the probabilities (6)."""
    vocab = corpus.build_vocab(tokens)
    context, center = corpus.windows(tokens, cm.COURSE_C)[0]
    heading = clean(page.locator("h4").first.text_content())
    assert f"window 0, {', '.join(context)} → {center}," in heading, heading
    current = page.locator(spec.scope)
    title = current.locator("h3").first.text_content()
    if "Tokens" in title:
        listed = clean(current.locator("p", has_text="tokens:").first.text_content())
        assert listed == f"{len(tokens)} tokens: " + ", ".join(tokens), listed
    elif "Vocabulary" in title:
        _, rows = table(page, "index", spec.scope)
        assert [clean(cells[0]) for cells in rows.values()] == vocab, rows
    else:
        cols, _ = table(page, "y_hat", spec.scope)
        assert [clean(c) for c in cols] == vocab, cols
        latex = latex_text(page, spec)
        for w in vocab[:8]:  # the first eight lines are shown, the rest fold away
            if typeset_as_is(w):
                assert in_formulas(w) in latex, (w, "not literal in the formulas")


def mb_literal(page, spec, words):
    """The sentence's words as the columns of x (stage 1), in the heading and formulas."""
    cols, _ = table(page, "x", spec.scope)
    assert [clean(c) for c in cols] == list(words), cols
    index = mb.SEED_INDEX if len(words) > mb.SEED_INDEX else 0
    heading = clean(page.locator("h4").first.text_content())
    assert f"“{words[index]}” predicts itself" in heading, heading
    latex = latex_text(page, spec)
    for w in list(words[:4]) + [words[index]]:  # the lines name the first four words
        if typeset_as_is(w):
            assert in_formulas(w) in latex, (w, "not literal in the formulas")


PAGES = {
    "tiny": PageSpec("tiny_word2vec?stage=5", ".st-key-tiny_next", "W_new",
                     ".st-key-tiny_current", lambda: tiny_step()["W_new"], tuple(tw.VOCAB),
                     tiny_literal),
    "cbow": PageSpec("cbow?stage=8", ".st-key-cbow_next", "W2_new", ".st-key-cbow_current",
                     lambda: cbow_step()["W2_new"], tuple(corpus.build_vocab(cm.COURSE_TOKENS)),
                     cbow_literal),
    "mb": PageSpec("manual_backprop?stage=5", ".st-key-mb_next", "embedding_new",
                   ".st-key-mb_current", lambda: mb_step()["embedding_new"], tuple(mb_vocab()),
                   mb_literal),
    "cbowt": PageSpec("cbow_torch?stage=5", ".st-key-cbowt_next", "E_new",
                      ".st-key-cbowt_current", lambda: cbowt_step()["E_new"], tuple(ct.VOCAB)),
    "sgns": PageSpec("sgns?stage=2", ".st-key-sgns_next", "neg_scores", ".st-key-sgns_current",
                     lambda: sgns_step()["neg_scores"], ("bread", "park", "red", "bus", "soup")),
    "char": PageSpec("char_mlp?stage=4", ".st-key-char_next", "probs", ".st-key-char_current",
                     lambda: char_step()["probs"][:20], tuple(char.SYMBOLS)),  # 20 shown
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


class Open(NamedTuple):
    """Open the keyed expander whose content is drawn only while it is open (the hand check),
    and wait for that content; done before the case's other steps."""
    key: str


class Upload(NamedTuple):
    """Give the file uploader with this key an in-memory file, as its file picker would."""
    key: str
    name: str
    mime: str
    data: bytes


class Pick(NamedTuple):
    """Clear the multiselect with this key, then type each option and press Enter (text that
    is not one of its options picks nothing)."""
    key: str
    options: tuple


class Clear(NamedTuple):
    """Remove every file from the file uploader with this key."""
    key: str


class Edit(NamedTuple):
    """Put text into one text area of a lesson's "Weights (editable)" form, then press the
    form's "Use these weights". `key` is the area's key without its version suffix (ui.lesson
    keys it `{prefix}_edit_{name}_{version}`, the version changing with the model); `js` as
    in Set."""
    key: str
    text: str = ""
    js: str = ""


SET_VALUE = """(el, [js, text]) => {
  const value = js ? eval(js) : text;
  const proto = el.tagName === 'TEXTAREA' ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  Object.getOwnPropertyDescriptor(proto, 'value').set.call(el, value);
  el.dispatchEvent(new Event('input', {bubbles: true}));
}"""
REVEAL = """e => { const d = e.closest('details');
                    if (d && !d.open) d.querySelector('summary').click(); }"""
TAGS = "es => es.map(e => e.getAttribute('aria-label'))"


def field(page, key):
    """The text box of widget `key`, its expander opened if it sits in a closed one."""
    box = drawn(page, f".st-key-{key}").locator("input, textarea").first
    box.evaluate(REVEAL)
    box.wait_for(state="visible")
    return box


def edit_box(page, key):
    """The text area of an Edit key (any version), its expander opened."""
    box = drawn(page, f"[class*='st-key-{key}_'] textarea").first
    box.evaluate(REVEAL)
    box.wait_for(state="visible")
    return box


def commit(box):
    box.press("Control+Enter" if box.evaluate("e => e.tagName") == "TEXTAREA" else "Enter")


def pick(page, step):
    widget = page.locator(f".st-key-{step.key}")
    clear_all = widget.get_by_role("button", name="Clear all")
    if clear_all.count():
        clear_all.click()
        wait_idle(page)
    box = widget.locator("input").first
    for option in step.options:
        for _ in range(3):  # the rerun of the last pick can redraw the box while one is typed
            box.click()
            page.keyboard.press("Control+A")
            page.keyboard.type(option)
            offered = page.get_by_role("option", name=option, exact=True).count() > 0
            page.keyboard.press("Enter")
            wait_idle(page)
            if not offered or option in widget.locator("[data-tag]").evaluate_all(TAGS):
                break
    page.keyboard.press("Escape")  # (Backspace in the empty box would drop the last pick)


def run_step(page, step):
    if isinstance(step, Open):
        expander = page.locator(f".st-key-{step.key} details")
        if expander.get_attribute("open") is None:
            expander.locator("summary").click()
    elif isinstance(step, Click):
        button = page.locator(f".st-key-{step.key} button")
        button.evaluate(REVEAL)
        button.click()
    elif isinstance(step, Type):
        box = field(page, step.key)
        box.click()
        page.keyboard.press("Control+A")
        page.keyboard.type(step.keys)
        box.press("Enter")
    elif isinstance(step, Upload):
        drawn(page, f".st-key-{step.key} input[type=file]").set_input_files(
            {"name": step.name, "mimeType": step.mime, "buffer": step.data})
    elif isinstance(step, Pick):
        pick(page, step)
    elif isinstance(step, Clear):
        remove = page.locator(f".st-key-{step.key} [data-testid='stFileChipDeleteBtn'] button")
        while remove.count():
            remove.first.evaluate(REVEAL)   # its expander opened, if it sits in a closed one
            remove.first.click()
            wait_idle(page)
    elif isinstance(step, Edit):
        box = edit_box(page, step.key)
        box.evaluate(SET_VALUE, [step.js, step.text])
        box.locator("xpath=ancestor::*[@data-testid='stForm']").get_by_role(
            "button", name="Use these weights").click()
    else:
        box = field(page, step.key)
        box.evaluate(SET_VALUE, [step.js, step.text])
        commit(box)
    wait_idle(page)


def as_now(page, key):
    """The step that puts widget `key` back as it is now."""
    if "_edit_" in key:  # an Edit key (a weights form's text area, keyed by version)
        return Edit(key, edit_box(page, key).input_value())
    widget = drawn(page, f".st-key-{key}")
    widget.locator("input, textarea").first.wait_for(state="attached")  # drawn, not only placed
    if widget.locator("input[type=file]").count():
        return Clear(key)
    if widget.locator("[data-testid='stMultiSelect']").count():
        return Pick(key, tuple(widget.locator("[data-tag]").evaluate_all(TAGS)))
    return Set(key, field(page, key).input_value())


# --- expectations -------------------------------------------------------------------------------

SAME = "same"


class Expect(NamedTuple):
    alert: str = None      # text of the message expected; None: no error or warning
    state: object = SAME   # SAME: the state table as at the defaults; (name, values); or None
    words: tuple = None    # words that must appear literally (the page's PageSpec.literal)
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
TINY_WORDS = "the vocabulary: give 2 to 12 words"  # its refusal, naming the box

TINY_CASES = [
    # vocabulary: empty, one word, emoji, CJK, right-to-left, megabytes, control characters
    Case("vocab-empty", TINY, (Set("tiny_vocab", ""),), rejected(TINY_WORDS)),
    Case("vocab-one-word", TINY, (Set("tiny_vocab", "dog"),), rejected(TINY_WORDS)),
    Case("vocab-only-commas", TINY, (Set("tiny_vocab", " , ,, "),), rejected(TINY_WORDS)),
    Case("vocab-emoji-one-token", TINY, (Set("tiny_vocab", "🐶🐱🌳"),), rejected(TINY_WORDS)),
    Case("vocab-emoji", TINY, (Set("tiny_vocab", "🐶, 🐱, 🌳"),), literal("🐶", "🐱", "🌳")),
    Case("vocab-cjk", TINY, (Set("tiny_vocab", "狗, 猫, 公园"),), literal("狗", "猫", "公园")),
    Case("vocab-rtl", TINY, (Set("tiny_vocab", "כלב, חתול, פארק"),), literal("כלב", "חתול", "פארק")),
    # bidi controls are removed from words (core.common.clean_word); the joiner stays
    Case("vocab-rtl-override", TINY, (Set("tiny_vocab", "\u202edog, كلب, park\u200d"),),
         literal("dog", "كلب", "park\u200d")),
    Case("vocab-repeated", TINY, (Set("tiny_vocab", "dog, dog, cat"),), rejected("repeated")),
    Case("vocab-13-words", TINY, (Set("tiny_vocab", ", ".join(f"w{i}" for i in range(13))),),
         rejected(TINY_WORDS)),
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
         Expect(alert="changed the size", state=None, fresh_after=True)),
    # weights typed as text in the edit form ("Use these weights")
    Case("E-text", TINY, (Edit("tiny_edit_E", "abc def\n1 2\n3 4"),),
         rejected("'abc' is not a number")),
    Case("E-emoji", TINY, (Edit("tiny_edit_E", "🐶 1\n2 3\n4 5"),), rejected("is not a number")),
    Case("E-empty", TINY, (Edit("tiny_edit_E", ""),), rejected("E needs")),
    Case("E-too-few", TINY, (Edit("tiny_edit_E", "1 2\n3 4"),), rejected("E needs 6 numbers")),
    Case("E-markdown", TINY, (Edit("tiny_edit_E", "**1** $2$\n:streamlit: 4\n5 6"),),
         rejected("'**1**' is not a number")),
    Case("E-1mb", TINY, (Edit("tiny_edit_E", js=f"'0.5 '.repeat({ONE_MB // 4})"),),
         rejected("too long")),
    Case("E-10mb", TINY, (Edit("tiny_edit_E", js=f"'0.5 '.repeat({TEN_MB // 4})"),),
         rejected("too long")),
    Case("E-unicode-minus", TINY, (Edit("tiny_edit_E", README_E.replace("-", "−")),), Expect()),
    Case("W-inf", TINY, (Edit("tiny_edit_W", "inf 0\n0 0\n0 0"),),
         rejected("not a finite number")),
    Case("W-1e400", TINY, (Edit("tiny_edit_W", "1e400 0\n0 0\n0 0"),),
         rejected("not a finite number")),
    Case("b-nan", TINY, (Edit("tiny_edit_b", "nan 0 0"),), rejected("not a finite number")),
    Case("W-huge-overflows", TINY, (Edit("tiny_edit_W", "-1.7e308 0\n0 0\n1.7e308 0"),),
         rejected("overflowed")),
    # learning rates
    Case("lr-0", TINY, (Set("tiny_lr", "0"),), rejected("learning rate")),
    Case("lr-negative", TINY, (Set("tiny_lr", "-0.3"),), rejected("learning rate")),
    Case("lr-1e309", TINY, (Set("tiny_lr", "1e309"),), rejected("learning rate")),
    Case("lr-typed-nan", TINY, (Type("tiny_lr", "nan"),), rejected("learning rate")),
    Case("lr-typed-text", TINY, (Type("tiny_lr", "fast"),), rejected("learning rate")),
    Case("lr-typed-1e300", TINY, (Type("tiny_lr", "1e300"),), rejected("learning rate")),
    Case("lr-typed-1e-300", TINY, (Type("tiny_lr", "1e-300"),), rejected("learning rate")),
    Case("vocab-zero-width-word", TINY, (Set("tiny_vocab", "dog, \u200b\u200d, park"),),
         rejected("invisible")),
    Case("lr-1e6", TINY, (Set("tiny_lr", "1000000"),),
         Expect(state=("W_new", tiny_step(lr=1e6)["W_new"]))),
    # training: pairs and epochs
    Case("pairs-empty", TINY, (Set("tiny_train_pairs", ""), Click("tiny_train")),
         rejected("at least one training pair")),
    Case("pairs-unknown-word", TINY, (Set("tiny_train_pairs", "dog cow"), Click("tiny_train")),
         rejected("two vocabulary words")),
    Case("pairs-script", TINY,
         (Set("tiny_train_pairs", "<script>alert(1)</script> park"), Click("tiny_train")),
         rejected("two vocabulary words")),
    Case("pairs-1mb", TINY,
         (Set("tiny_train_pairs", js=f"'dog park, '.repeat({ONE_MB // 10})"), Click("tiny_train")),
         rejected("too long")),
    Case("epochs-0", TINY, (Set("tiny_train_epochs", "0"), Click("tiny_train")),
         rejected("from 1 to 2000")),
    Case("epochs-1e9", TINY, (Set("tiny_train_epochs", "1000000000"), Click("tiny_train")),
         rejected("from 1 to 2000")),
    # the hand-calculation check of the current stage (stage 5: E_new)
    Case("handcheck-text", TINY,
         (Open("tiny_hc_open_4"), Set("tiny_hc_text_4", "abc"), Click("tiny_hc_check_4")),
         rejected("expected 6 values")),
    Case("handcheck-markdown", TINY,
         (Open("tiny_hc_open_4"), Set("tiny_hc_text_4", "**1** $x$ <script>alert(1)</script> 6"),
          Click("tiny_hc_check_4")), rejected("'**1**' is not a number")),
    Case("handcheck-1mb", TINY,
         (Open("tiny_hc_open_4"), Set("tiny_hc_text_4", js=f"'1 '.repeat({ONE_MB // 2})"),
          Click("tiny_hc_check_4")), rejected("expected 6 values")),
    # hostile URLs, each opened fresh
    Case("url-stage-99", tiny_url("stage=99"), (),
         Expect("stage", state=("logits", tiny_step()["logits"]))),
    Case("url-stage-text", tiny_url("stage=%24x%24**y**"), (),
         Expect("“$x$**y**”", state=("logits", tiny_step()["logits"]))),
    Case("url-lr-nan", tiny_url("stage=5&lr=nan"), (), Expect("lr")),
    Case("url-lr-negative", tiny_url("stage=5&lr=-1"), (), Expect("lr")),
    Case("url-lr-huge", tiny_url("stage=5&lr=1e7"), (), Expect("from 1e-12 to 1e+06")),
    Case("url-lr-1e300", tiny_url("stage=5&lr=1e300"), (), Expect("from 1e-12 to 1e+06")),
    # issue "Practise and compare": sheet codes and lock / hide names from a link
    Case("url-variant-other-lesson", tiny_url("stage=5&variant=cbow-3"), (),
         Expect("not for this lesson")),
    Case("url-variant-not-a-code", tiny_url("stage=5&variant=%3Cb%3E-x"), (), Expect("variant")),
    Case("url-lock-unknown", tiny_url("stage=5&lock=lr,warp_drive"), (),
         Expect("“warp_drive”, which this lesson does not have")),
    Case("url-hide-unknown", tiny_url("stage=5&hide=%3Cscript%3E"), (),
         Expect("which this lesson does not have")),
    Case("url-lr-1e-300", tiny_url("stage=5&lr=1e-300"), (), Expect("from 1e-12 to 1e+06")),
    Case("url-center-unknown", tiny_url("stage=5&center=cow"), (),
         Expect("not a word of the vocabulary")),
    Case("url-target-script", tiny_url("stage=5&target=%3Cscript%3Ealert(1)%3C/script%3E"), (),
         Expect("“<script>alert(1)</script>”")),
    Case("url-decimals-99", tiny_url("stage=5&decimals=99"), (), Expect("decimals")),
    Case("url-10k-chars", tiny_url("stage=5&lr=" + "9" * 10_000), (), Expect("too long")),
    Case("url-unknown-param-ignored", tiny_url("stage=5&foo=%3Cb%3Ebar"), (), Expect()),
    Case("url-seed-1", tiny_url("stage=5&seed=1"), (),
         Expect(state=("W_new", tiny_step(tw.init_params(3, 2, 1))["W_new"]))),
    Case("url-seed-negative", tiny_url("stage=5&seed=-1"), (), Expect("seed")),
    Case("url-seed-markup", tiny_url("stage=5&seed=%24x%24**1**"), (), Expect("“$x$**1**”")),
]

# --- CBOW from raw text ---------------------------------------------------------------------

CBOW = PAGES["cbow"].path
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
       b"\x00\x00\x00\x1f\x15\xc4\x89")  # a PNG signature and header: not text
MARKUP_TEXT = (r"$x$ \alpha a_b **bold** <script>alert(1)</script> [l](javascript:alert(1)) "
               r"`code` |pipe| :red[x] :streamlit: {}~#^%&")
KEYCAP_TEXT = "Hello, world! #\ufe0f\u20e3 *\ufe0f\u20e3 well-known: don't stop…"
WORLD_TEXT = "🐶 狗 الكلب 🐱 猫 القط 🌳 \u0301\u0301 cafe\u0301 👍🏽"
NEXT = Click("cbow_next")


def cbow_url(query):
    return f"cbow?{query}"


def upload(name, data, mime="text/plain"):
    return (Upload("cbow_upload", name, mime, data),)


CBOW_CASES = [
    # the text: empty, one word, emoji, punctuation, CJK, right-to-left, megabytes
    Case("text-empty", CBOW, (Set("cbow_text", ""),), rejected("no words to learn from")),
    Case("text-one-word", CBOW, (Set("cbow_text", "hello"),), rejected("two different words")),
    Case("text-one-word-repeated", CBOW, (Set("cbow_text", "dog dog dog dog dog dog"),),
         rejected("two different words")),
    Case("text-only-punctuation", CBOW, (Set("cbow_text", "!!! ??? ;;; ... ,,, -- …"),),
         rejected("two different words")),
    Case("text-digits-and-quotes", CBOW, (Set("cbow_text", "123 4.56 \"'\" 7:30 ''"),),
         rejected("no words to learn from")),
    Case("text-emoji-only", CBOW, (Set("cbow_text", "🐶🐱🌳"),),
         rejected("a window needs 5 tokens; the text has 3")),
    Case("text-cjk-short", CBOW, (Set("cbow_text", "我爱你。你爱我。"),),
         rejected("a window needs 5 tokens; the text has 4")),
    Case("text-rtl-short", CBOW, (Set("cbow_text", "مرحبا بالعالم"),),
         rejected("a window needs 5 tokens; the text has 2")),
    Case("text-20001-chars", CBOW, (Set("cbow_text", "ab " * 6667),),
         rejected("too long (20,001 characters; at most 20,000)")),
    Case("text-61-different-words", CBOW,
         (Set("cbow_text", " ".join(f"w{chr(97 + i % 26)}{chr(97 + i // 26)}" for i in range(61))),),
         rejected("61 different words")),
    Case("text-1mb", CBOW, (Set("cbow_text", js=f"'word '.repeat({ONE_MB // 5})"),),
         rejected("too long")),
    Case("text-10mb", CBOW, (Set("cbow_text", js=f"'word '.repeat({TEN_MB // 5})"),),
         rejected("too long")),
    # odd but valid texts: the tokens the core gives, shown literally (a new text restarts)
    Case("text-markup", CBOW, (Set("cbow_text", MARKUP_TEXT),),
         Expect(state=None, words=corpus.tokenize(MARKUP_TEXT), fresh_after=True)),
    Case("text-punctuation-keycaps", CBOW, (Set("cbow_text", KEYCAP_TEXT), NEXT),
         Expect(state=None, words=corpus.tokenize(KEYCAP_TEXT), fresh_after=True)),
    Case("new-text-while-lr-refused", CBOW,  # the window box's labels change under it
         (Set("cbow_lr", "0"), Set("cbow_text", KEYCAP_TEXT), Set("cbow_lr", "0.03")),
         Expect(state=None, words=corpus.tokenize(KEYCAP_TEXT), fresh_after=True)),
    Case("text-emoji-cjk-rtl-marks", CBOW, (Set("cbow_text", WORLD_TEXT),) + (NEXT,) * 5,
         Expect(state=("y_hat", cbow_step(WORLD_TEXT)["y_hat"]),
                words=corpus.tokenize(WORLD_TEXT), fresh_after=True)),
    # files: not UTF-8, binary, too long, unusable text
    Case("upload-latin1", CBOW, upload("notes.txt", "café naïve über".encode("latin-1")),
         rejected("the file is not UTF-8 text")),
    Case("upload-utf16", CBOW, upload("notes.txt", "I am happy because I am learning"
                                      .encode("utf-16")), rejected("not UTF-8 text")),
    Case("upload-png-bytes-as-txt", CBOW, upload("picture.txt", PNG, "image/png"),
         rejected("not UTF-8 text")),
    Case("upload-nul-bytes", CBOW, upload("data.txt", b"I am happy\x00\x00 because I am"),
         rejected("looks binary")),
    Case("upload-png-file", CBOW, upload("picture.png", PNG, "image/png"),
         rejected("image/png files are not allowed")),
    Case("upload-empty", CBOW, upload("empty.txt", b""), rejected("no words to learn from")),
    Case("upload-one-word", CBOW, upload("one.txt", b"hello hello"),
         rejected("two different words")),
    Case("upload-50k-chars", CBOW, upload("long.txt", b"ab " * 16_667),
         rejected("too long (50,001 characters")),
    Case("upload-1mb", CBOW, upload("big.txt", b"word " * (ONE_MB // 5)),
         rejected("the file is too long")),
    Case("upload-utf8-text", CBOW, upload("notes.txt", WORLD_TEXT.encode()),  # used as if typed
         Expect(state=None, words=corpus.tokenize(WORLD_TEXT), fresh_after=True)),
    # the window C, the embedding size N
    Case("C-0", CBOW, (Set("cbow_C", "0"),), rejected("C must be at least 1")),
    Case("C-larger-than-text", CBOW, (Set("cbow_C", "10"),),
         rejected("with C = 10 a window needs 21 tokens; the text has 7")),
    Case("C-typed-11", CBOW, (Type("cbow_C", "11"),), rejected("between 0 and 10")),
    Case("N-typed-0", CBOW, (Type("cbow_N", "0"),), rejected("between 1 and 50")),
    # learning rates
    Case("lr-0", CBOW, (Set("cbow_lr", "0"),), rejected("learning rate")),
    Case("lr-negative", CBOW, (Set("cbow_lr", "-0.3"),), rejected("learning rate")),
    Case("lr-1e309", CBOW, (Set("cbow_lr", "1e309"),), rejected("learning rate")),
    Case("lr-typed-nan", CBOW, (Type("cbow_lr", "nan"),), rejected("learning rate")),
    Case("lr-1e6", CBOW, (Set("cbow_lr", "1000000"),),
         Expect(state=("W2_new", cbow_step(lr=1e6)["W2_new"]))),
    # the largest float is beyond the lessons' range: refused, and training keeps the last good
    # rate (training cannot diverge within the range: ReLU units die first)
    Case("lr-max-float-then-train", CBOW, (Set("cbow_lr", "1.7e308"), Click("cbow_train")),
         rejected("learning rate")),
    # training: epochs (checked by the run) and the steps a run may take
    Case("train-lr-1e6", CBOW, (Set("cbow_lr", "1000000"), Click("cbow_train")),
         Expect(state=("W2_new", cbow_step(lr=1e6)["W2_new"]))),
    Case("epochs-0", CBOW, (Set("cbow_train_epochs", "0"), Click("cbow_train")),
         rejected("whole number from 1 to 500")),
    Case("epochs-1e9", CBOW, (Set("cbow_train_epochs", "1000000000"), Click("cbow_train")),
         rejected("whole number from 1 to 500")),
    Case("train-too-many-steps", CBOW, (Set("cbow_text", "a b c d e " * 800),
                                        Set("cbow_train_epochs", "500"), Click("cbow_train")),
         Expect("more than 200,000 steps", state=None, fresh_after=True)),
    # hostile URLs, each opened fresh
    Case("url-stage-99", cbow_url("stage=99"), (), Expect("stage", state=None)),
    Case("url-C-0", cbow_url("stage=8&C=0"), (), Expect("between 1 and 10")),
    Case("url-C-script", cbow_url("stage=8&C=%3Cscript%3Ealert(1)%3C/script%3E"), (),
         Expect("“<script>alert(1)</script>”")),
    Case("url-window-99", cbow_url("stage=8&window=99"), (), Expect("between 0 and 2")),
    Case("url-C-10-alone", cbow_url("stage=8&C=10"), (), Expect("C = ")),
    Case("lr-typed-1e300", CBOW, (Type("cbow_lr", "1e300"),), rejected("learning rate")),
    Case("url-window-past-C", cbow_url("stage=8&C=3&window=1"), (),
         Expect("between 0 and 0", state=("W2_new", cbow_step(C=3)["W2_new"]))),
    Case("url-N-text", cbow_url("stage=8&N=**3**"), (), Expect("“**3**”")),
    Case("url-lr-nan", cbow_url("stage=8&lr=nan"), (), Expect("lr")),
    Case("url-lr-10k-chars", cbow_url("stage=8&lr=" + "9" * 10_000), (), Expect("too long")),
]


# --- manual backprop --------------------------------------------------------------------------

MB = PAGES["mb"].path
MB_MARKUP = r"$x$ \alpha a_b <script>alert(1)</script> **bold** [l](javascript:alert(1)) `c` |p|"
MB_DIRECTIVES = r":red[x] :material/home: :streamlit: \frac{1}{2} ^%&#~ {} $$ \$ -> <= --"
MB_WORLD = "🐶 狗 كلب \u202edog park\u200d 🐱 猫 פארק"
MB_MARKS = "\u0301x a-\u0301 a\x01b \ue000 x\u0301 y"  # (a word of marks only is refused)


def mb_url(query):
    return f"manual_backprop?{query}"


def mb_literal_case(name, sentence):
    words = tuple(mb_vocab(sentence))
    return Case(name, MB, (Set("mb_sentence", sentence),),
                Expect(state=("x", mb_step(sentence)["x"]), words=words, fresh_after=True))


MB_CASES = [
    # the sentence (its words are the vocabulary)
    Case("sentence-empty", MB, (Set("mb_sentence", ""),), rejected("2 to 40 different words")),
    Case("sentence-one-word", MB, (Set("mb_sentence", "dog"),),
         rejected("2 to 40 different words")),
    Case("sentence-one-word-repeated", MB, (Set("mb_sentence", "dog Dog DOG"),),
         rejected("2 to 40 different words")),
    Case("sentence-emoji-one-word", MB, (Set("mb_sentence", "🐶🐱🌳"),),
         rejected("2 to 40 different words")),
    Case("sentence-41-words", MB, (Set("mb_sentence", " ".join(f"w{i}" for i in range(41))),),
         rejected("2 to 40 different words")),
    Case("sentence-long-word", MB, (Set("mb_sentence", "the dog " + "p" * 31),),
         rejected("longer than 30")),
    Case("sentence-1mb", MB, (Set("mb_sentence", js=f"'w '.repeat({ONE_MB // 2})"),),
         rejected("too long")),
    Case("sentence-10mb", MB, (Set("mb_sentence", js=f"'w '.repeat({TEN_MB // 2})"),),
         rejected("too long")),
    Case("sentence-marks-only-word", MB, (Set("mb_sentence", "\u0301\u0301 a b"),),
         rejected("invisible characters")),
    Case("sentence-zero-width-word", MB, (Set("mb_sentence", "a \u200b\u200d b"),),
         rejected("invisible characters")),
    # odd but valid words, shown literally (new words start again at stage 1)
    mb_literal_case("sentence-markup", MB_MARKUP),
    mb_literal_case("sentence-streamlit-tex", MB_DIRECTIVES),
    mb_literal_case("sentence-emoji-cjk-rtl", MB_WORLD),
    mb_literal_case("sentence-marks-controls", MB_MARKS),
    Case("new-words-then-lr-0", MB,  # the word box's labels change under it
         (Set("mb_sentence", "a b c d e f g"), Set("mb_lr", "0")),
         Expect("learning rate", state=("x", mb_step("a b c d e f g")["x"]),
                words=tuple("abcdefg"), fresh_after=True)),
    # a seed typed while the sentence is refused: the last good state stays on screen, and
    # the seed is used once the sentence is fixed
    Case("sentence-refused-then-new-seed", MB, (Set("mb_sentence", ""), Set("mb_seed", "1")),
         Expect("2 to 40 different words", fresh_after=True)),
    Case("sentence-refused-new-seed-then-fixed", MB,
         (Set("mb_sentence", ""), Set("mb_seed", "1"), Set("mb_sentence", MB_SENTENCE)),
         Expect(state=("x", mb_step(seed=1)["x"]), fresh_after=True)),
    # learning rates, the embedding size, the seed
    Case("lr-0", MB, (Set("mb_lr", "0"),), rejected("learning rate")),
    Case("lr-negative", MB, (Set("mb_lr", "-1"),), rejected("learning rate")),
    Case("lr-1e309", MB, (Set("mb_lr", "1e309"),), rejected("learning rate")),
    Case("lr-typed-nan", MB, (Type("mb_lr", "nan"),), rejected("learning rate")),
    Case("lr-1e6", MB, (Set("mb_lr", "1000000"),),
         Expect(state=("embedding_new", mb_step(lr=1e6)["embedding_new"]))),
    Case("lr-max-float", MB, (Set("mb_lr", "1.7e308"),), rejected("learning rate")),
    # the notebook's loop (the training panel)
    Case("train-steps-0", MB, (Set("mb_train_steps", "0"), Click("mb_train")),
         rejected("number of steps")),
    Case("train-steps-1e9", MB, (Set("mb_train_steps", "1000000000"), Click("mb_train")),
         rejected("between 1 and 1000")),
    Case("train-lr-1e6", MB, (Set("mb_lr", "1000000"), Click("mb_train")),
         Expect(state=("embedding_new", mb_step(lr=1e6)["embedding_new"]))),
    Case("dim-typed-0", MB, (Type("mb_dim", "0"),), rejected("between 1 and 64")),
    Case("seed-typed-negative", MB, (Type("mb_seed", "-1"),), rejected("between 0 and")),
    # hostile URLs, each opened fresh
    Case("url-stage-0", mb_url("stage=0"), (), Expect("stage", state=("x", mb_step()["x"]))),
    Case("url-word-99", mb_url("stage=5&word=99"), (), Expect("between 0 and 7")),
    Case("url-word-script", mb_url("stage=5&word=%3Cscript%3Ealert(1)%3C/script%3E"), (),
         Expect("“<script>alert(1)</script>”")),
    Case("url-dim-0", mb_url("stage=5&dim=0"), (), Expect("between 1 and 64")),
    Case("url-lr-negative", mb_url("stage=5&lr=-1"), (), Expect("lr")),
    Case("url-seed-latex", mb_url("stage=5&seed=%24x%24%5Calpha"), (), Expect("“$x$\\alpha”")),
]


# --- torch CBOW -----------------------------------------------------------------------------

CBOWT = PAGES["cbowt"].path


def cbowt_url(query):
    return f"cbow_torch?{query}"


def typed(text):
    return (Set("cbowt_context_text", text),)


def unknown(word):
    return rejected(f"“{word}” is not in the vocabulary")


CBOWT_CASES = [
    # the typed context: unknown words, markup, scripts, too many, megabytes
    Case("context-unknown", CBOWT, typed("quick, unicorn"), unknown("unicorn")),
    Case("context-script", CBOWT, typed("quick, <script>alert(1)</script>"),
         unknown("<script>alert(1)</script>")),
    Case("context-markdown-tex", CBOWT, typed(r"**quick**, $x$"), unknown("**quick**")),
    Case("context-tex-backslash", CBOWT, typed(r"\alpha_1, over"), unknown(r"\alpha_1")),
    Case("context-streamlit-directive", CBOWT, typed("quick, :red[x]"), unknown(":red[x]")),
    Case("context-cjk", CBOWT, typed("狗, 猫"), unknown("狗")),
    Case("context-rtl", CBOWT, typed("كلب, quick"), unknown("كلب")),
    Case("context-emoji", CBOWT, typed("🐶, quick"), unknown("🐶")),
    Case("context-case", CBOWT, typed("Quick, brown"), unknown("Quick")),
    Case("context-11-words", CBOWT, typed(", ".join(["quick"] * 11)), rejected("1 to 10 words")),
    Case("context-only-commas", CBOWT, typed(" , ,, "), rejected("1 to 10 words")),
    Case("context-1mb", CBOWT, (Set("cbowt_context_text", js=f"'quick, '.repeat({ONE_MB // 7})"),),
         rejected("1 to 10 words")),
    Case("context-10mb-unknown", CBOWT, (Set("cbowt_context_text",
                                             js=f"'w, '.repeat({TEN_MB // 3})"),), unknown("w")),
    Case("context-repeats", CBOWT, typed("quick, quick, over"),
         Expect(state=("E_new", cbowt_step(("quick", "quick", "over"))["E_new"]))),
    # the multiselect: emptied, or given words it does not offer
    Case("multiselect-empty", CBOWT, (Pick("cbowt_context", ()),), rejected("1 to 10 words")),
    Case("multiselect-typed-unknown", CBOWT,
         (Pick("cbowt_context", ("<script>alert(1)</script>", "unicorn", "$x$")),),
         rejected("1 to 10 words")),
    Case("multiselect-two-words", CBOWT, (Pick("cbowt_context", ("dog", "the")),),
         Expect(state=("E_new", cbowt_step(("dog", "the"))["E_new"]))),
    # learning rates, the embedding size, the seed
    Case("lr-0", CBOWT, (Set("cbowt_lr", "0"),), rejected("learning rate")),
    Case("lr-negative", CBOWT, (Set("cbowt_lr", "-0.01"),), rejected("learning rate")),
    Case("lr-1e309", CBOWT, (Set("cbowt_lr", "1e309"),), rejected("learning rate")),
    Case("lr-typed-nan", CBOWT, (Type("cbowt_lr", "nan"),), rejected("learning rate")),
    Case("lr-1e6", CBOWT, (Set("cbowt_lr", "1000000"),),
         Expect(state=("E_new", cbowt_step(lr=1e6)["E_new"]))),
    Case("dim-typed-0", CBOWT, (Type("cbowt_dim", "0"),), rejected("between 1 and 32")),
    Case("dim-typed-1e9", CBOWT, (Type("cbowt_dim", "1000000000"),),
         rejected("between 1 and 32")),
    Case("seed-typed-negative", CBOWT, (Type("cbowt_seed", "-1"),), rejected("between 0 and")),
    # hostile URLs, each opened fresh
    Case("url-context-unknown", cbowt_url("stage=5&context=quick,unicorn"), (),
         Expect("“unicorn” is not in the vocabulary")),
    Case("url-context-script", cbowt_url("stage=5&context=%3Cscript%3Ealert(1)%3C/script%3E"),
         (), Expect("“<script>alert(1)</script>”")),
    Case("url-context-11", cbowt_url("stage=5&context=" + ",".join(["quick"] * 11)), (),
         Expect("1 to 10 words")),
    Case("url-target-unknown", cbowt_url("stage=5&target=cow"), (),
         Expect("not a word of the vocabulary")),
    Case("url-target-markdown", cbowt_url("stage=5&target=**fox**"), (), Expect("“**fox**”")),
    Case("url-dim-99", cbowt_url("stage=5&dim=99"), (), Expect("between 1 and 32")),
    Case("url-lr-0", cbowt_url("stage=5&lr=0"), (), Expect("lr")),
]

# --- skip-gram with negative sampling ------------------------------------------------------

SGNS = PAGES["sgns"].path


def negatives(text):
    return (Set("sgns_negatives", text),)


SGNS_CASES = [
    # the negatives typed: unknown words, markup, too many, none, repeats and the context word
    Case("negatives-unknown", SGNS, negatives("bread, unicorn"), unknown("unicorn")),
    Case("negatives-script", SGNS, negatives("<script>alert(1)</script>"),
         unknown("<script>alert(1)</script>")),
    Case("negatives-markdown-tex", SGNS, negatives(r"**park**, $x$"), unknown("**park**")),
    Case("negatives-21", SGNS, negatives(", ".join(["park"] * 21)), rejected("1 to 20 negatives")),
    Case("negatives-only-commas", SGNS, negatives(" , ,, "), rejected("1 to 20 negatives")),
    Case("negatives-repeat-and-context", SGNS, negatives("dog, park, park"),
         Expect(state=("neg_scores", sgns_step("dog, park, park")["neg_scores"]))),
    # learning rates
    Case("lr-0", SGNS, (Set("sgns_lr", "0"),), rejected("learning rate")),
    Case("lr-typed-nan", SGNS, (Type("sgns_lr", "nan"),), rejected("learning rate")),
    Case("lr-1e309", SGNS, (Set("sgns_lr", "1e309"),), rejected("learning rate")),
    # the text: one word, a huge paste, a file that is not UTF-8
    Case("text-one-word", SGNS, (Set("sgns_text", "cat cat cat"),),
         rejected("at least two different words")),
    Case("text-210k-chars", SGNS, (Set("sgns_text", js="'ab '.repeat(70000)"),),
         rejected("too long")),
    Case("upload-not-utf8", SGNS, (Upload("sgns_upload", "bad.txt", "text/plain", b"\xff\xfe\xfa"),),
         rejected("not UTF-8")),
    Case("upload-empty", SGNS, (Upload("sgns_upload", "empty.txt", "text/plain", b""),),
         rejected("the file is empty")),
    Case("upload-one-word", SGNS, (Upload("sgns_upload", "one.txt", "text/plain", b"cat cat\n"),),
         rejected("at least two different words")),
    # training settings out of range: a message, nothing trained
    Case("train-k-0", SGNS, (Type("sgns_train_k", "0"), Click("sgns_train")),
         rejected("from 1 to 20")),
    Case("train-lr-0", SGNS, (Set("sgns_train_lr", "0"), Click("sgns_train")),
         rejected("Starting learning rate must be")),
    # hostile URLs, each opened fresh
    Case("url-negatives-unknown", "sgns?stage=2&negatives=unicorn", (), Expect("“unicorn”")),
    Case("url-negatives-script", "sgns?stage=2&negatives=%3Cscript%3Ealert(1)%3C/script%3E", (),
         Expect("is not in the vocabulary")),
    Case("url-lr-0", "sgns?stage=2&lr=0", (), Expect("lr")),
]


# --- the character MLP ----------------------------------------------------------------------

CHAR = PAGES["char"].path


def name(text):
    return (Set("char_name", text),)


CHAR_CASES = [
    # the name: digits, spaces, nothing, markup, a megabyte
    Case("name-digit", CHAR, name("emma2"), rejected("contains '2'")),
    Case("name-space", CHAR, name("em ma"), rejected("contains a space")),
    Case("name-empty", CHAR, name(""), rejected("it is empty")),
    Case("name-script", CHAR, name("<script>alert(1)</script>"), rejected("only letters a-z")),
    Case("name-1mb", CHAR, (Set("char_name", js=f"'a'.repeat({ONE_MB})"),),
         rejected("longer than 40 letters")),
    # learning rates
    Case("lr-0", CHAR, (Set("char_lr", "0"),), rejected("learning rate")),
    Case("lr-typed-nan", CHAR, (Type("char_lr", "nan"),), rejected("learning rate")),
    Case("lr-1e309", CHAR, (Set("char_lr", "1e309"),), rejected("learning rate")),
    # training: steps out of range, a names file that is missing or not UTF-8
    Case("train-steps-0", CHAR, (Type("char_train_steps", "0"), Click("char_train")),
         rejected("from 1 to 20000")),
    Case("train-missing-path", CHAR, (Set("char_train_source", "/nonexistent/names.txt"),
                                      Click("char_train")), rejected("no names file")),
    Case("train-upload-not-utf8", CHAR, (Upload("char_names_file", "bad.txt", "text/plain",
                                                b"\xff\xfe"), Click("char_train")),
         rejected("not UTF-8")),
    Case("train-upload-empty", CHAR, (Upload("char_names_file", "empty.txt", "text/plain", b""),
                                      Click("char_train")), rejected("the file is empty")),
    # hostile URLs, each opened fresh
    Case("url-name-digit", "char_mlp?stage=4&name=emma2", (), Expect("contains '2'")),
    Case("url-row-99", "char_mlp?stage=4&row=99", (), Expect("between 0 and 40")),
    Case("url-lr-nan", "char_mlp?stage=4&lr=nan", (), Expect("lr")),
]

CASES = {"tiny": TINY_CASES, "cbow": CBOW_CASES, "mb": MB_CASES, "cbowt": CBOWT_CASES,
         "sgns": SGNS_CASES, "char": CHAR_CASES}
ALL = [(prefix, case) for prefix, cases in CASES.items() for case in cases]


# --- the runner ---------------------------------------------------------------------------------

# User text that reached the DOM as markup: script elements, event handlers, javascript: links.
INJECTED = """() => [...document.querySelectorAll('script')].filter(s => /alert/.test(s.textContent))
    .length + document.querySelectorAll('[onerror], [onload], [onclick], a[href^="javascript"], '
    + 'img[src="x"], main b').length"""
# What a widget says when it refuses a value itself (a number out of range, a file type).
WIDGET_MESSAGES = """() => [...document.querySelectorAll("[data-testid='stMain'] [role='alert']")]
    .filter(e => !e.closest("[data-testid^='stAlert']")).map(e => e.textContent)"""


def widget_messages(page):
    return page.evaluate(WIDGET_MESSAGES)


def state_values(page, spec, name=None):
    """(row labels, values) of the state table (or table `name`) as shown."""
    _, rows = table(page, name or spec.state, spec.scope)
    labels = [clean(label) for label in rows]
    return labels, np.array([[float(c) for c in cells] for cells in rows.values()])


def check(page, spec, expect):
    assert not exceptions(page), exceptions(page)
    assert page.evaluate(INJECTED) == 0, "user text reached the page as markup"
    assert not page.locator(".katex-error").count(), "a formula failed to render"
    shown = [clean(a) for a in alerts(page) + widget_messages(page)]
    if expect.alert:
        assert any(expect.alert.lower() in a.lower() for a in shown), shown
    else:
        assert not alerts(page, ("error", "warning")) and not widget_messages(page), shown
    if expect.state is SAME or isinstance(expect.state, tuple):
        name, want = (spec.state, spec.default()) if expect.state is SAME else expect.state
        labels, values = state_values(page, spec, name)
        np.testing.assert_allclose(values, np.reshape(want, values.shape), rtol=1e-12,
                                   atol=0.5e-4 + 1e-9, err_msg=name)
        if not expect.words and np.ndim(want) == 2:
            assert labels == list(spec.labels), labels
    if expect.words:
        spec.literal(page, spec, expect.words)


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
        """The step that puts the widget back as the page first showed it."""
        if key not in self.baseline:
            self.baseline[key] = as_now(self.page, key)
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
    assert all(len(cases) >= 10 for cases in CASES.values()), "at least 10 cases per page"
    ids = [f"{p}-{c.id}" for p, c in ALL]
    assert len(set(ids)) == len(ids), "case ids must be unique within a page"


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
    opened = [step for step in case.action if isinstance(step, Open)]
    for step in opened:  # content drawn only while open: there before its values are read
        run_step(page, step)
    keys = dict.fromkeys(step.key for step in case.action if not isinstance(step, (Click, Open)))
    before = [session.value(k) for k in keys]
    try:
        for step in case.action:
            if step not in opened:
                run_step(page, step)
        check(page, spec, case.expect)
        assert not session.dialogs, session.dialogs
        if case.expect.fresh_after:
            session.close()
            return
        # Put the widgets back: the page must return to its starting state, with no message.
        for step in before:
            run_step(page, step)
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


# --- issue "Practise and compare": exercise sheets and the learning-rate lens ---------------------
# (their panels open on a click, so these are their own tests rather than rows of CASES)

READY_TINY = ".st-key-tiny_next"


def practice_headline(page):
    return page.locator("h4").filter(has_text="Step ").first.text_content()


def fill(page, key, text):
    box = page.locator(f".st-key-{key} input")
    box.fill(text)
    box.press("Enter")
    wait_idle(page)


@pytest.mark.parametrize("count,message", [("0", "choose from 1"), ("10000", "choose from 1")])
def test_a_sheet_of_0_or_10000_variants_is_refused(page, server, count, message):
    open_app(page, server, "tiny_word2vec", READY_TINY)
    page.get_by_text("For teachers: exercise sheets").click()
    wait_idle(page)
    fill(page, "tiny_ex_n", count)
    page.locator(".st-key-tiny_ex_make button").click()
    wait_idle(page)
    assert message in " ".join(alerts(page, ("error",)))
    assert "dog → park" in practice_headline(page)        # nothing else changed
    assert not exceptions(page)


@pytest.mark.parametrize("lo,hi,message", [("1e3", "1e-4", "reversed"), ("0.1", "0.1", "empty"),
                                           ("nan", "1", "not a finite number"),
                                           ("1", "inf", "not a finite number")])
def test_a_lens_over_an_empty_or_non_finite_range_is_a_message(page, server, lo, hi, message):
    open_app(page, server, "tiny_word2vec", READY_TINY)
    page.get_by_text("Learning-rate lens").click()
    wait_idle(page)
    fill(page, "tiny_lens_lo", lo)
    fill(page, "tiny_lens_hi", hi)
    assert message in " ".join(alerts(page, ("error",)))
    assert "dog → park" in practice_headline(page)
    assert not exceptions(page)

"""AppTest for the manual-backprop, CBOW (course) and torch-CBOW pages, with bad input."""
import numpy as np
import pytest

from core import cbow_mlp as cm
from core import cbow_torch as ct
from core import corpus
from core import manual_backprop as mb
from tests.conftest import open_page, shown_table


def errors(at):
    return " ".join(e.value for e in at.error)


def click_to_last(at, prefix):
    while not at.button(key=f"{prefix}_next").disabled:
        at.button(key=f"{prefix}_next").click().run()
        assert not at.exception, at.exception


# --- manual backprop ------------------------------------------------------------------------

def test_manual_backprop_steps_through_and_matches_core(app):
    at = open_page(app, "manual_backprop.py")
    click_to_last(at, "mb")
    p = at.session_state["mb_params"]
    want = mb.step(p["embedding"], p["linear"], 4, 1.0)
    np.testing.assert_allclose(shown_table(at, "embedding_new").to_numpy(),
                               want["embedding_new"], atol=5e-5)
    assert "✅" in " ".join(m.value for m in at.markdown)


def test_manual_backprop_lr_and_new_init(app):
    at = open_page(app, "manual_backprop.py")
    at.session_state["mb_stage"] = 4
    at.run()
    before = shown_table(at, "embedding_new").to_numpy()
    at.number_input(key="mb_lr").set_value(0.5).run()
    after = shown_table(at, "embedding_new").to_numpy()
    assert not np.allclose(before, after)
    at.button(key="mb_new_init").click().run()
    assert at.session_state["mb_seed"] == 1
    at.session_state["mb_stage"] = 4
    at.run()
    assert not np.allclose(shown_table(at, "embedding_new").to_numpy(), after)


@pytest.mark.parametrize("key,value,message", [
    ("mb_lr", 0.0, "learning rate"), ("mb_lr", -1.0, "learning rate"),
    ("mb_sentence", "", "words"), ("mb_sentence", "dog", "words"),
])
def test_manual_backprop_bad_input(app, key, value, message):
    at = open_page(app, "manual_backprop.py")
    at.session_state["mb_stage"] = 4
    at.run()
    before = shown_table(at, "embedding_new").to_numpy()
    widget = at.number_input(key=key) if key == "mb_lr" else at.text_input(key=key)
    (widget.set_value(value) if key == "mb_lr" else widget.input(value)).run()
    assert not at.exception
    assert message in errors(at)
    np.testing.assert_array_equal(shown_table(at, "embedding_new").to_numpy(), before)


# --- CBOW from raw text -----------------------------------------------------------------------

def test_cbow_course_defaults_reach_the_update(app):
    at = open_page(app, "cbow.py")
    click_to_last(at, "cbow")
    tokens = corpus.tokenize("I am happy because I am learning")
    vocab = corpus.build_vocab(tokens)
    context, center = list(corpus.windows(tokens, 2))[0]
    x, y = corpus.context_vector(context, vocab), corpus.one_hot(center, vocab)
    want = cm.sgd_step(cm.COURSE_PARAMS, x, y, cm.DEFAULT_LR)
    np.testing.assert_allclose(shown_table(at, "W2_new").to_numpy(), want["W2_new"], atol=5e-5)
    # the course notes print z1 = [0.36483875, 0.63710329, -0.3236647]: the independent oracle
    np.testing.assert_allclose(want["z1"], [0.36483875, 0.63710329, -0.3236647], atol=1e-8)


def test_cbow_shows_the_notes_mistake_panel(app):
    at = open_page(app, "cbow.py")
    at.session_state["cbow_stage"] = 6
    at.run()
    text = " ".join(m.value for m in at.markdown)
    assert "Common mistake" in text


HUGE = "word " * 220_000   # about 1 MB


@pytest.mark.parametrize("text,C,message", [
    ("", 2, "no words"), ("hello", 2, "different words"), ("❤️ 😀 ❤️", 2, "window"),
    ("!!! ??? ;;;", 2, "different words"), ("one two three four", 2, "window"),
    (None, 0, "at least 1"), (None, 10, "window"), (HUGE, 2, "characters"),
])
def test_cbow_bad_input_keeps_page_usable(app, text, C, message):
    at = open_page(app, "cbow.py")
    at.session_state["cbow_stage"] = 7
    at.run()
    before = shown_table(at, "W1_new").to_numpy()
    if text is not None:                       # None: keep the course's text, change only C
        at.text_area(key="cbow_text").input(text).run()
    at.number_input(key="cbow_C").set_value(C).run()
    assert not at.exception
    assert message in errors(at), errors(at)
    np.testing.assert_array_equal(shown_table(at, "W1_new").to_numpy(), before)
    # still usable: fix the text and the lesson works again
    at.text_area(key="cbow_text").input("i am happy because i am learning").run()
    at.number_input(key="cbow_C").set_value(2).run()
    assert not at.error


# --- torch CBOW -------------------------------------------------------------------------------

def test_torch_cbow_matches_core_and_only_context_rows_move(app):
    at = open_page(app, "cbow_torch.py")
    click_to_last(at, "cbowt")
    p = at.session_state["cbowt_params"]
    vocab = list(ct.VOCAB)
    context = [vocab.index(x) for x in ct.DEFAULT_CONTEXT]
    want = ct.sgd_step(p["E"], p["W"], p["b"], context, vocab.index(ct.DEFAULT_TARGET), 0.01)
    shown = shown_table(at, "E_new").to_numpy()
    np.testing.assert_allclose(shown, want["E_new"], atol=5e-5)
    others = [i for i in range(len(vocab)) if i not in context]
    np.testing.assert_array_equal(want["E_new"][others], p["E"][others])


@pytest.mark.parametrize("typed,message", [("quick, unicorn", "not in the vocabulary"),
                                           ("a, " * 20, "not in the vocabulary"),
                                           ("<script>alert(1)</script>", "not in the vocabulary")])
def test_torch_cbow_bad_context(app, typed, message):
    at = open_page(app, "cbow_torch.py")
    at.text_input(key="cbowt_context_text").input(typed).run()
    assert not at.exception
    assert message in errors(at)

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
    p = at.session_state["mb_model"]["params"]
    want = mb.step(p["embedding"], p["linear"], 4, 1.0)
    np.testing.assert_allclose(shown_table(at, "embedding_new").to_numpy(),
                               want["embedding_new"], atol=5e-5)
    assert "equals torch autograd" in " ".join(m.value for m in at.markdown)


def test_manual_backprop_lr_and_new_init(app):
    at = open_page(app, "manual_backprop.py")
    at.session_state["mb_stage"] = 4
    at.run()
    before = shown_table(at, "embedding_new").to_numpy()
    at.number_input(key="mb_lr").set_value(0.5).run()
    after = shown_table(at, "embedding_new").to_numpy()
    assert not np.allclose(before, after)
    at.button(key="mb_new_init").click().run()
    assert at.session_state["mb_seed"] == 1 and at.session_state["mb_model"]["seed"] == 1
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


def test_manual_backprop_take_step_seed_box_and_training(app):
    at = open_page(app, "manual_backprop.py")
    p = mb.init_params(8, 10, 0)
    for _ in range(2):
        at.button(key="mb_take").click().run()
        p = mb.next_params(p, mb.trace_step(p, {"index": 4}, 1.0))
    model = at.session_state["mb_model"]
    assert model["steps"] == 2
    np.testing.assert_array_equal(model["params"]["embedding"], p["embedding"])
    at.number_input(key="mb_seed").set_value(3).run()        # a typed seed: fresh weights
    model = at.session_state["mb_model"]
    assert model["seed"] == 3 and model["steps"] == 0
    np.testing.assert_array_equal(model["params"]["embedding"],
                                  mb.init_params(8, 10, 3)["embedding"])
    at.number_input(key="mb_dim").set_value(4).run()         # another shape: same seed
    assert at.session_state["mb_model"]["params"]["linear"].shape == (4, 8)
    assert at.session_state["mb_model"]["seed"] == 3
    at.button(key="mb_train").click().run()
    assert not at.exception
    losses = at.session_state["mb_trained"]["result"]["losses"]
    assert len(losses) == 20 and np.all(np.diff(losses) < 0)
    at.button(key="mb_reset_params").click().run()
    assert at.session_state["mb_seed"] == 0 and at.session_state["mb_model"]["seed"] == 0
    np.testing.assert_array_equal(at.session_state["mb_model"]["params"]["embedding"],
                                  mb.init_params(8, 10, 0)["embedding"])


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
    """Each of the notes' mistakes on the Backward stage is a box titled with what is wrong
    where; opened, it holds the notes' version, the right one and why (core/seeds/cbow.py)."""
    from core.seeds import cbow as notes
    at = open_page(app, "cbow.py")
    at.session_state["cbow_stage"] = 6
    at.run()
    titles = [e.label for e in at.expander if "Common mistake" in e.label]
    backward = [(j, m) for j, m in enumerate(notes.MISTAKES) if m["stage"] == "backward"]
    assert titles == [f"**Common mistake in the CBOW course notes, `{m['key']}`**: {m['title']}"
                      for _, m in backward]
    assert len(set(titles)) == len(titles)                    # each says which one it is
    text = " ".join(m.value for m in at.markdown)
    assert "seed 003" not in text.lower() and "seed 003" not in " ".join(titles).lower()
    j, m = backward[0]
    assert m["explanation"] not in text                       # closed: not drawn
    at.session_state[f"cbow_mistake_open_{j}"] = True
    at.run()
    assert not at.exception, at.exception
    text = " ".join(m.value for m in at.markdown)
    for part in ("notes_version", "correct_version", "explanation"):
        assert m[part] in text, part
    assert backward[1][1]["explanation"] not in text          # the other boxes stay closed


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


def cbow_course_xy(window=0, C=2, text="I am happy because I am learning"):
    tokens = corpus.tokenize(text)
    vocab = corpus.build_vocab(tokens)
    context, center = corpus.windows(tokens, C)[window]
    return corpus.context_vector(context, vocab), corpus.one_hot(center, vocab)


def test_cbow_take_step_undo_reset_new_init_and_training(app):
    at = open_page(app, "cbow.py")
    x, y = cbow_course_xy()
    p = cm.COURSE_PARAMS
    for _ in range(2):
        at.button(key="cbow_take").click().run()
        assert not at.exception
        assert at.session_state["cbow_stage"] == 4            # back to the forward pass
        p = cm.next_params(p, cm.sgd_step(p, x, y, cm.DEFAULT_LR))
    model = at.session_state["cbow_model"]
    assert model["steps"] == 2
    for k in ("W1", "b1", "W2", "b2"):
        np.testing.assert_array_equal(model["params"][k], p[k])
    at.button(key="cbow_undo").click().run()
    assert at.session_state["cbow_model"]["steps"] == 1
    at.button(key="cbow_redo").click().run()
    assert at.session_state["cbow_model"]["steps"] == 2
    at.button(key="cbow_reset_params").click().run()
    model = at.session_state["cbow_model"]
    assert model["steps"] == 0 and all(np.array_equal(model["params"][k], cm.COURSE_PARAMS[k])
                                       for k in model["params"])
    at.button(key="cbow_new_init").click().run()
    model = at.session_state["cbow_model"]
    assert model["seed"] == 1
    np.testing.assert_array_equal(model["params"]["W1"], cm.init_params(5, 3, 1)["W1"])
    # training: the epochs box is checked by the run, with a message; then it trains
    at.number_input(key="cbow_train_epochs").set_value(0).run()
    at.button(key="cbow_train").click().run()
    assert "whole number from 1 to 500" in errors(at), errors(at)
    at.number_input(key="cbow_train_epochs").set_value(30).run()
    at.button(key="cbow_train").click().run()
    assert not at.exception and not at.error
    result = at.session_state["cbow_trained"]["result"]
    want = cm.train(cm.init_params(5, 3, 1), cm.COURSE_TOKENS, 2, cm.DEFAULT_LR, 30)
    np.testing.assert_allclose(result["losses"], want["losses"], rtol=1e-12)
    assert shown_table(at, "plotted").shape == (5, 2)


def test_cbow_window_N_and_other_text(app):
    at = open_page(app, "cbow.py")
    at.session_state["cbow_stage"] = 3
    at.run()
    at.selectbox(key="cbow_window").set_value(2).run()
    x, y = cbow_course_xy(window=2)
    np.testing.assert_allclose(shown_table(at, "x").to_numpy().ravel(), x, atol=5e-5)
    np.testing.assert_array_equal(at.session_state["cbow_model"]["params"]["W1"],
                                  cm.COURSE_PARAMS["W1"])          # the course's weights still
    at.number_input(key="cbow_C").set_value(3).run()               # one window: back to window 0
    assert not at.error and not at.exception
    np.testing.assert_allclose(shown_table(at, "x").to_numpy().ravel(),
                               cbow_course_xy(C=3)[0], atol=5e-5)
    at.number_input(key="cbow_N").set_value(4).run()               # new shape: seeded weights
    assert at.session_state["cbow_model"]["params"]["W1"].shape == (4, 5)
    np.testing.assert_array_equal(at.session_state["cbow_model"]["params"]["W1"],
                                  cm.init_params(5, 4, 0)["W1"])
    text = "the cat sat on the mat and the dog sat on the log"
    at.text_area(key="cbow_text").input(text).run()
    assert not at.error and not at.exception
    assert at.session_state["cbow_model"]["params"]["W1"].shape == (4, 8)


@pytest.mark.parametrize("query,notice,C", [
    ({"C": "10"}, "does not fit the other parameters", 2),   # the course text is too short
    ({"C": "3", "window": "1"}, "between 0 and 0", 3),
    ({"C": "0"}, "between 1 and 10", 2),
])
def test_cbow_link_parameters_are_checked_together(query, notice, C):
    from streamlit.testing.v1 import AppTest
    from tests.conftest import ROOT
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for k, v in {**query, "stage": "8"}.items():
        at.query_params[k] = v
    at.switch_page("pages/cbow.py").run()
    assert not at.exception, at.exception
    warning = " ".join(w.value for w in at.warning)
    assert notice in warning, warning
    assert at.session_state["cbow_C"] == C and at.session_state["cbow_stage"] == 7
    want = cm.sgd_step(cm.COURSE_PARAMS, *cbow_course_xy(C=C), cm.DEFAULT_LR)
    np.testing.assert_allclose(shown_table(at, "W2_new").to_numpy(), want["W2_new"], atol=5e-5)


# --- torch CBOW -------------------------------------------------------------------------------

def test_torch_cbow_matches_core_and_only_context_rows_move(app):
    at = open_page(app, "cbow_torch.py")
    click_to_last(at, "cbowt")
    p = at.session_state["cbowt_model"]["params"]
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


def test_torch_cbow_repeats_take_step_dim_and_training(app):
    at = open_page(app, "cbow_torch.py")
    at.text_input(key="cbowt_context_text").input("quick, quick, over").run()
    at.session_state["cbowt_stage"] = 4
    at.run()
    p = at.session_state["cbowt_model"]["params"]
    want = ct.sgd_step(p["E"], p["W"], p["b"], [1, 1, 5], 3, 0.01)
    np.testing.assert_allclose(shown_table(at, "E_new").to_numpy(), want["E_new"], atol=5e-5)
    at.button(key="cbowt_take").click().run()
    model = at.session_state["cbowt_model"]
    assert model["steps"] == 1
    np.testing.assert_array_equal(model["params"]["E"], want["E_new"])
    at.number_input(key="cbowt_dim").set_value(3).run()
    assert not at.exception
    assert at.session_state["cbowt_model"]["params"]["E"].shape == (8, 3)
    at.button(key="cbowt_undo").click().run()
    assert at.session_state["cbowt_model"]["params"]["E"].shape == (8, 5)
    # the seed box is the model's seed: typed, it re-inits; New random init adds 1
    at.number_input(key="cbowt_seed").set_value(3).run()
    np.testing.assert_array_equal(at.session_state["cbowt_model"]["params"]["E"],
                                  ct.init_params(8, 5, 3)["E"])
    at.button(key="cbowt_new_init").click().run()
    assert at.session_state["cbowt_seed"] == at.session_state["cbowt_model"]["seed"] == 4
    np.testing.assert_array_equal(at.session_state["cbowt_model"]["params"]["W"],
                                  ct.init_params(8, 5, 4)["W"])
    at.button(key="cbowt_train").click().run()
    assert not at.exception
    losses = at.session_state["cbowt_trained"]["result"]["losses"]
    assert len(losses) == 100 and losses[-1] < losses[0]


def test_a_lesson_is_drawn_before_torch_is_imported_and_checked_after(app, monkeypatch):
    """On a fresh server the stage is drawn at once, its check line saying it is on its way
    (torch loads in the background; the page reruns when it is there), then filled in."""
    from ui import cached
    monkeypatch.setattr(cached, "blocking_checks", lambda: False)
    monkeypatch.setattr(cached, "torch_ready", lambda: False)
    monkeypatch.setattr(cached, "warm_torch", lambda delay=0: None)
    at = open_page(app, "manual_backprop.py")
    assert not at.exception, at.exception
    assert at.subheader[0].value.startswith("Stage 1 of")
    captions = " ".join(c.value for c in at.caption)
    markdown = " ".join(m.value for m in at.markdown)
    assert "Checking against torch autograd" in captions and "equals torch autograd" not in markdown
    monkeypatch.setattr(cached, "torch_ready", lambda: True)
    at.run()
    assert "equals torch autograd" in " ".join(m.value for m in at.markdown)
    assert "Checking against torch autograd" not in " ".join(c.value for c in at.caption)


def test_torch_is_imported_only_once_the_browser_has_the_page(monkeypatch):
    """The waiting fragment's first run (the page's run) and its first rerun start nothing; the
    next rerun, which the browser asks for once it has the page, starts the import at once."""
    from ui import cached
    started = []
    monkeypatch.setattr(cached, "warm_torch", lambda delay=3.0: started.append(delay))
    state = {}
    for _ in range(cached.WAIT_RERUNS):
        cached.warm_torch_when_drawn(state)
    assert started == []
    cached.warm_torch_when_drawn(state)
    assert started == [0]
    cached.warm_torch_after_run(state)  # the app's end of run leaves it to the lesson's page
    assert started == [0]


def test_a_page_that_is_not_a_lesson_starts_torch_on_a_timer(monkeypatch):
    from ui import cached
    started = []
    monkeypatch.setattr(cached, "warm_torch", lambda delay=3.0: started.append(delay))
    cached.warm_torch_after_run({})
    assert started == [3.0]


def test_sgns_loss_stage_shows_the_notebooks_epsilon_loss_beside_ours(app):
    """The Loss stage's box names the notebook's loss (1e-7 inside both logs, worked out here
    from the page's own scores) beside ours; opened, it says what the 1e-7 changes."""
    import re

    from core import sgns
    from ui import lessons
    L = next(L for _, L in lessons.lessons() if L.prefix == "sgns")
    at = open_page(app, "sgns.py")
    at.session_state["sgns_stage"] = list(sgns.STAGES).index("Loss")
    at.run()
    settings = {name: at.session_state[L.key(name)] for name in L.settings}
    ex = L.read(settings, at.session_state[L.key("model")]["params"])
    t = sgns.trace_step(ex.params, ex.example, ex.lr)
    sig = lambda x: 1 / (1 + np.exp(-np.asarray(x)))  # noqa: E731
    theirs = -np.log(sig(t["pos_score"]) + 1e-7) - np.sum(np.log(sig(-t["neg_scores"]) + 1e-7))
    [label] = [e.label for e in at.expander if "inside the logs" in e.label]
    shown = [float(x) for x in re.findall(r"-?\d+\.\d{10}", label)]
    assert shown == [round(float(theirs), 10), round(float(t["loss"]), 10)]
    assert "What it changes" in label and sgns.EPSILON_NOTE not in " ".join(
        m.value for m in at.markdown)                          # closed: not drawn
    at.session_state["sgns_formula_open_0"] = True
    at.run()
    assert not at.exception, at.exception
    assert sgns.EPSILON_NOTE in " ".join(m.value for m in at.markdown)


def test_a_closed_box_of_settings_keeps_what_was_set_in_it(app):
    """Skip-gram's "The text" box is drawn only while open: its text area, file uploader and
    vector size are not on the page while it is closed, and what was set in it holds."""
    at = open_page(app, "sgns.py")
    assert "sgns_text" not in [w.key for w in at.text_area]
    assert "sgns_dim" not in [w.key for w in at.number_input]
    assert not at.get("file_uploader")
    at.session_state["sgns_text_open"] = True
    at.run()
    at.number_input(key="sgns_dim").set_value(3).run()
    text = "the cat and the dog ate bread and soup in the park by a red bus"  # the default words
    at.text_area(key="sgns_text").input(text).run()
    at.session_state["sgns_text_open"] = False
    at.run()
    assert "sgns_dim" not in [w.key for w in at.number_input]
    for _ in range(2):  # a run of the page and a Next click: nothing set is lost
        assert at.session_state["sgns_dim"] == 3
        assert at.session_state["sgns_text"] == text
        params = at.session_state["sgns_model"]["params"]
        assert all(p.shape[1] == 3 for p in params.values()), {k: p.shape for k, p in
                                                                params.items()}
        at.button(key="sgns_next").click().run()
        assert not at.exception and not at.error, at.error


def test_a_links_words_in_a_message_are_text_not_markdown():
    """The reason a link's parameter is ignored repeats its words (“…” is not in the
    vocabulary): a word written as a Markdown link or bold stays text."""
    from streamlit.testing.v1 import AppTest
    from tests.conftest import ROOT
    from ui.format import md_text
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["negatives"] = "[LOGIN](https://ev.il/x), **BOLD**"
    at.switch_page("pages/sgns.py").run()
    assert not at.exception, at.exception
    warning = " ".join(w.value for w in at.warning)
    assert "is not in the vocabulary" in warning, warning
    assert "[LOGIN](" not in warning and "**BOLD**" not in warning, warning
    assert md_text("[LOGIN](https://ev.il/x)") in warning, warning


def test_a_shorter_name_steps_on_the_example_on_screen(app):
    """Row 9 of "alexander", then the name "bo" (3 rows): the box shows the first row, and
    the headline and the step use it (the page used the last row, the box the first)."""
    from ui.format import md_code
    at = open_page(app, "char_mlp.py")
    at.text_input(key="char_name").input("alexander").run()
    at.selectbox(key="char_row").set_value(8).run()
    at.text_input(key="char_name").input("bo").run()
    assert not at.exception and not at.error
    assert at.selectbox(key="char_row").value == 0
    headline = f"{md_code('...')} → {md_code('b')}"
    assert any(headline in m.value for m in at.markdown), [m.value for m in at.markdown][:6]


def back(at, address):
    """Browser Back as the app sees it: the query parameters are an earlier address's."""
    for k in list(at.query_params):
        del at.query_params[k]
    at.query_params.update(address)
    at.run()


def test_browser_back_over_a_change_of_sizes_brings_the_earlier_model_back(app):
    """Back in the browser after d 10 -> 11: the address says d = 10 again, and the page
    follows it as it follows the box (weights made for d = 10, a history point), instead of
    saying the weights were made for other settings and writing d = 11 back."""
    at = open_page(app, "manual_backprop.py")
    before = dict(at.query_params)
    E10 = at.session_state["mb_model"]["params"]["embedding"].copy()
    at.number_input(key="mb_dim").set_value(11).run()
    assert at.session_state["mb_model"]["params"]["embedding"].shape[1] == 11
    back(at, before)
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.number_input(key="mb_dim").value == 10
    np.testing.assert_array_equal(at.session_state["mb_model"]["params"]["embedding"], E10)
    assert at.query_params["dim"] in ("10", ["10"])


def test_browser_back_over_new_random_init_brings_the_earlier_weights_back(app):
    at = open_page(app, "tiny_word2vec.py")
    before = dict(at.query_params)
    E0 = at.session_state["tiny_model"]["params"]["E"].copy()
    at.button(key="tiny_new_init").click().run()
    assert at.query_params["seed"] in ("1", ["1"])
    back(at, before)
    assert not at.exception and not at.error
    assert at.session_state["tiny_model"]["seed"] == 0
    np.testing.assert_array_equal(at.session_state["tiny_model"]["params"]["E"], E0)
    assert at.query_params["seed"] in ("0", ["0"])


def test_skip_gram_a_new_text_moves_the_chosen_words_onto_its_own(app):
    """A text without the chosen centre ("cat") and negatives: they move onto its words and
    the step is shown (it said the words must be of the vocabulary, with boxes offering the
    old text's words, until Undo). A typed negative that is no word stays an error."""
    from core import sgns
    at = open_page(app, "sgns.py")
    at.session_state["sgns_text_open"] = True   # the text's box, drawn only while open
    at.run()
    text = "the quick brown fox jumps over the lazy dog and the sleepy frog"
    at.text_area(key="sgns_text").input(text).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    words, s = sgns.vocab_of_text(text)[0], at.session_state
    assert s["sgns_center"] == words[0] and s["sgns_context"] == "dog"   # dog is in the text
    assert len(sgns.parse_negatives(s["sgns_negatives"], words)) == s["sgns_k"]
    assert list(at.selectbox(key="sgns_center").options) == list(words)
    at.text_input(key="sgns_negatives").input("quick, unicorn").run()
    assert "not in the vocabulary" in " ".join(e.value for e in at.error)
    assert s["sgns_center"] == words[0]

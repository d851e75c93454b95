"""AppTest: the tiny word2vec page, from the home page to the update, and bad input."""
import numpy as np
import pytest

from core import tiny_word2vec as tw
from tests.conftest import open_page, shown_table


def test_home_links_the_lesson(app):
    links = [el for el in app.get("page_link")]
    assert any("tiny_word2vec" in l.proto.page for l in links)
    assert any("Tiny word2vec" in l.proto.label for l in links)


def test_next_through_to_update_shows_new_dog_row(app):
    at = open_page(app, "tiny_word2vec.py")
    for _ in range(4):
        at.button(key="tiny_next").click().run()
        assert not at.exception
    assert at.session_state["tiny_stage"] == 4
    assert any("Update" in h.value for h in at.subheader)
    # E_new's dog row, read from the rendered table, matches the hand result [-0.9774, -0.4682].
    dog = shown_table(at, "E_new").loc["dog"].to_numpy()
    np.testing.assert_allclose(dog, [-0.9774, -0.4682], atol=5e-5)


def w_new_frame(at):
    return shown_table(at, "W_new")


def test_changing_lr_changes_w_new(app):
    at = open_page(app, "tiny_word2vec.py")
    at.session_state["tiny_stage"] = 4
    at.run()
    before = w_new_frame(at).astype(float).to_numpy()
    at.slider(key="tiny_lr").set_value(0.5).run()
    assert not at.exception
    after = w_new_frame(at).astype(float).to_numpy()
    assert not np.allclose(before, after)
    P = tw.README_PARAMS
    want = tw.sgd_step(P["E"], P["W"], P["b"], 0, 2, 0.5)["W_new"]
    np.testing.assert_allclose(after, want, atol=5e-5)
    assert at.session_state["tiny_lr_exact"] == 0.5


HUGE_E = "1e308 -1e308\n-0.948 1.2738\n0.4065 0.6565"  # valid numbers; finite at alpha 0.1


def set_widget(at, key, value):
    kind = {"tiny_lr_exact": at.number_input, "tiny_vocab": at.text_input}.get(key, at.text_area)
    widget = kind(key=key)
    (widget.set_value(value) if kind == at.number_input else widget.input(value)).run()


@pytest.mark.parametrize("setup,bad,message", [
    ((), ("tiny_lr_exact", 0.0), "learning rate"),
    ((), ("tiny_lr_exact", -0.3), "learning rate"),
    ((), ("tiny_E", "-0.99 abc\n1 2\n3 4"), "not a number"),
    ((), ("tiny_W", "1 2\n3 4"), "needs 6 numbers"),
    ((), ("tiny_b", "nan 0 0"), "not a finite number"),
    ((("tiny_E", HUGE_E),), ("tiny_lr_exact", 10.0), "overflow"),
    ((), ("tiny_vocab", "dog"), "vocabulary"),
    ((), ("tiny_vocab", "dog, dog, cat"), "repeated"),
])
def test_bad_input_shows_error_and_keeps_last_good_state(app, setup, bad, message):
    at = open_page(app, "tiny_word2vec.py")
    at.session_state["tiny_stage"] = 4
    at.run()
    for key, value in setup:
        set_widget(at, key, value)
    assert not at.error
    before = w_new_frame(at).to_numpy()
    set_widget(at, *bad)
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert message in errors, errors
    np.testing.assert_array_equal(w_new_frame(at).to_numpy(), before)


def test_take_step_three_times_matches_three_core_steps(app):
    at = open_page(app, "tiny_word2vec.py")
    P = tw.README_PARAMS
    E, W, b = P["E"], P["W"], P["b"]
    for _ in range(3):
        at.button(key="tiny_take").click().run()
        tr = tw.sgd_step(E, W, b, 0, 2, 0.1)
        E, W, b = tr["E_new"], tr["W_new"], tr["b_new"]
    assert at.session_state["tiny_steps"] == 3
    at.session_state["tiny_stage"] = 4
    at.run()
    np.testing.assert_allclose(at.session_state["tiny_good"]["W"], W, atol=1e-12)
    at.button(key="tiny_reset_params").click().run()
    assert at.session_state["tiny_steps"] == 0
    np.testing.assert_array_equal(at.session_state["tiny_good"]["W"], P["W"])


def test_training_runs_and_loss_falls(app):
    at = open_page(app, "tiny_word2vec.py")
    at.button(key="tiny_train").click().run()
    assert not at.exception
    losses = at.session_state["tiny_trained"]["result"]["losses"]
    assert len(losses) == 50 and losses[-1] < losses[0]

"""AppTest: the tiny word2vec page, from the home page to the update, and bad input."""
import numpy as np
import pytest

from core import tiny_word2vec as tw
from tests.conftest import open_page, shown_marks, shown_table
from ui.format import matrix_text, parse_matrix

P = tw.README_PARAMS


def model(at):
    """The lesson's model: {"params", "start", "steps", "seed", "log", "shape"}."""
    return at.session_state["tiny_model"]


def last_good(at):
    """(settings, model) of the last state shown without an error."""
    return at.session_state["tiny_good"]


def edit_box(at, name):
    """The "Weights (editable)" form's text area for parameter `name` (its key changes with
    the model's version)."""
    if not at.session_state["tiny_weights_open"]:  # the form is drawn only while open
        assert not [t for t in at.text_area if t.key.startswith("tiny_edit_")]
        at.session_state["tiny_weights_open"] = True
        at.run()
    boxes = [t for t in at.text_area if t.key.startswith(f"tiny_edit_{name}_")]
    assert len(boxes) == 1, [t.key for t in at.text_area]
    return boxes[0]


def edit_weights(at, name, text):
    """Type `text` as parameter `name` in the edit form, then press "Use these weights"."""
    edit_box(at, name).input(text)
    [b for b in at.button if b.label == "Use these weights"][0].click().run()


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


def test_the_update_marks_the_entries_it_changed_and_the_target(app):
    """On screen (the cells' marks): in E_new the dog row's entries, the only ones the step
    moves; in W_new every entry (each row gets a gradient); in probs the target, park."""
    at = open_page(app, "tiny_word2vec.py")
    at.session_state["tiny_stage"] = 4
    at.run()
    P = tw.README_PARAMS
    step = tw.sgd_step(P["E"], P["W"], P["b"], 0, 2, 0.1)
    for key, old in (("E_new", P["E"]), ("W_new", P["W"])):
        want = np.where(step[key] != old, "changed", "")
        np.testing.assert_array_equal(shown_marks(at, key), want, err_msg=key)
    assert (shown_marks(at, "E_new")[0] == "changed").all()
    at.session_state["tiny_stage"] = 1
    at.run()
    np.testing.assert_array_equal(shown_marks(at, "probs"), [["", "", "target"]])


def w_new_frame(at):
    return shown_table(at, "W_new")


def test_changing_lr_changes_w_new(app):
    at = open_page(app, "tiny_word2vec.py")
    at.session_state["tiny_stage"] = 4
    at.run()
    before = w_new_frame(at).astype(float).to_numpy()
    at.number_input(key="tiny_lr").set_value(0.5).run()
    assert not at.exception
    after = w_new_frame(at).astype(float).to_numpy()
    assert not np.allclose(before, after)
    want = tw.sgd_step(P["E"], P["W"], P["b"], 0, 2, 0.5)["W_new"]
    np.testing.assert_allclose(after, want, atol=5e-5)
    assert at.session_state["tiny_lr"] == 0.5
    assert last_good(at)[0]["lr"] == 0.5


HUGE_E = "1e308 -1e308\n-0.948 1.2738\n0.4065 0.6565"  # valid numbers; finite at alpha 0.1


def set_widget(at, key, value):
    """A setting's widget (tiny_lr, tiny_vocab), or E / W / b through the edit form."""
    if key in ("E", "W", "b"):
        edit_weights(at, key, value)
    elif key == "tiny_lr":
        at.number_input(key=key).set_value(value).run()
    else:
        if key == "tiny_vocab":  # its box is drawn only while open
            at.session_state["tiny_vocab_open"] = True
            at.run()
        at.text_input(key=key).input(value).run()


@pytest.mark.parametrize("setup,bad,message", [
    ((), ("tiny_lr", 0.0), "learning rate"),
    ((), ("tiny_lr", -0.3), "learning rate"),
    ((), ("E", "-0.99 abc\n1 2\n3 4"), "not a number"),
    ((), ("W", "1 2\n3 4"), "needs 6 numbers"),
    ((), ("b", "nan 0 0"), "not a finite number"),
    ((("E", HUGE_E),), ("tiny_lr", 10.0), "overflow"),
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
    good_settings, good_model = last_good(at)
    set_widget(at, *bad)
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert message in errors, errors
    np.testing.assert_array_equal(w_new_frame(at).to_numpy(), before)
    # the state behind the screen is the last good one too
    settings, m = last_good(at)
    assert settings == good_settings
    for k in ("E", "W", "b"):
        np.testing.assert_array_equal(m["params"][k], good_model["params"][k])


def test_take_step_three_times_matches_three_core_steps(app):
    at = open_page(app, "tiny_word2vec.py")
    E, W, b = P["E"], P["W"], P["b"]
    for _ in range(3):
        at.button(key="tiny_take").click().run()
        tr = tw.sgd_step(E, W, b, 0, 2, 0.1)
        E, W, b = tr["E_new"], tr["W_new"], tr["b_new"]
    assert model(at)["steps"] == 3
    at.session_state["tiny_stage"] = 4
    at.run()
    np.testing.assert_allclose(model(at)["params"]["W"], W, atol=1e-12)
    np.testing.assert_allclose(last_good(at)[1]["params"]["W"], W, atol=1e-12)
    at.button(key="tiny_reset_params").click().run()
    assert model(at)["steps"] == 0
    np.testing.assert_array_equal(model(at)["params"]["W"], P["W"])
    np.testing.assert_array_equal(last_good(at)[1]["params"]["W"], P["W"])


def test_edited_weights_are_used_and_the_form_shows_the_current_ones(app):
    at = open_page(app, "tiny_word2vec.py")
    at.session_state["tiny_stage"] = 4
    at.run()
    E = P["E"].copy()
    E[0] = [0.5, -0.25]
    edit_weights(at, "E", matrix_text(E))
    assert not at.error and not at.exception
    np.testing.assert_array_equal(model(at)["params"]["E"], E)
    want = tw.sgd_step(E, P["W"], P["b"], 0, 2, 0.1)["W_new"]
    np.testing.assert_allclose(w_new_frame(at).to_numpy(), want, atol=5e-5)
    # after a step and two undos the form holds the README's E again, as the model does
    at.button(key="tiny_take").click().run()
    at.button(key="tiny_undo").click().run()
    at.button(key="tiny_undo").click().run()
    np.testing.assert_array_equal(model(at)["params"]["E"], P["E"])
    np.testing.assert_array_equal(parse_matrix(edit_box(at, "E").value, (3, 2), "E"), P["E"])


def test_training_runs_and_loss_falls(app):
    at = open_page(app, "tiny_word2vec.py")
    at.button(key="tiny_train").click().run()
    assert not at.exception
    losses = at.session_state["tiny_trained"]["result"]["losses"]
    assert len(losses) == 50 and losses[-1] < losses[0]


def test_a_shorter_vocabulary_steps_on_the_words_on_screen(app):
    """The target was the 12th word; with 4 words left the box shows the first word, and the
    headline, the stages and the step taken use that word too (the step used 11 % 4 = 3, and
    the history recorded the box's word)."""
    at = open_page(app, "tiny_word2vec.py")
    set_widget(at, "tiny_vocab", ", ".join("abcdefghijkl"))
    at.selectbox(key="tiny_center").set_value(1).run()
    at.selectbox(key="tiny_target").set_value(11).run()
    assert any("b → l" in m.value for m in at.markdown)
    at.text_input(key="tiny_vocab").input("a, b, c, d").run()
    assert not at.exception and not at.error
    assert at.selectbox(key="tiny_target").value == 0
    assert any("b → a" in m.value for m in at.markdown), [m.value for m in at.markdown][:8]
    before = dict(at.session_state["tiny_model"]["params"])
    at.button(key="tiny_take").click().run()
    after = at.session_state["tiny_model"]["params"]
    want = tw.sgd_step(before["E"], before["W"], before["b"], 1, 0, 0.1)  # b → a
    for k in "EWb":
        np.testing.assert_allclose(after[k], want[f"{k}_new"], rtol=0, atol=1e-12)

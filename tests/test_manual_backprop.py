"""core.manual_backprop against torch autograd (float64), and the seed's own formulas and numbers."""
import numpy as np
import pytest
import torch

from core import manual_backprop as mb
from core.seeds import manual_backprop as seed_notes

TOL = 1e-10        # float64 agreement with autograd, relative and absolute
STAT_TOL = 0.05    # sampling error allowed when checking the init's distribution
KEYS = ["e", "x", "o", "loss", "dL_do", "dL_dx", "dL_de", "embedding_new"]


def init(V, d, seed):
    """(embedding, linear) from init_params' dict."""
    p = mb.init_params(V, d, seed)
    return p["embedding"], p["linear"]


def close(actual, desired, msg=""):
    np.testing.assert_allclose(actual, desired, rtol=TOL, atol=TOL, err_msg=msg)


def autograd(embedding, linear, index, lr, seed_softmax=True):
    """Independent oracle: the seed's forward and loss built in torch, gradients by autograd."""
    V = embedding.shape[0]
    emb = torch.tensor(embedding, requires_grad=True)
    e = emb[index]
    e.retain_grad()
    x = e @ torch.tensor(linear)
    x.retain_grad()
    o = torch.exp(x) / torch.exp(x).sum() if seed_softmax else torch.softmax(x, 0)
    o.retain_grad()
    y = torch.zeros(V, dtype=torch.float64)
    y[index] = 1
    loss = -1 / V * torch.inner(y, torch.log(o)) if seed_softmax else -torch.log(o[index]) / V
    loss.backward()
    return {"e": e.detach().numpy(), "x": x.detach().numpy(), "o": o.detach().numpy(),
            "loss": loss.item(), "dL_do": o.grad.numpy(), "dL_dx": x.grad.numpy(),
            "dL_de": e.grad.numpy(), "embedding_new": (emb - lr * emb.grad).detach().numpy()}


def random_case(seed):
    rng = np.random.default_rng(seed)
    V, d = int(rng.integers(2, 13)), int(rng.integers(1, 13))
    scale = [0.1, 1.0, 3.0, 6.0][seed % 4]  # 6.0 gives scores above 50: the shifted softmax
    E, L = rng.normal(0, scale, (V, d)), rng.normal(0, scale, (d, V))
    return E, L, int(rng.integers(V)), float(rng.uniform(1e-3, 5))


# --- one step ---------------------------------------------------------------------------

def test_manual_backprop_keys_in_order():
    E, L = init(8, 10, 0)
    assert list(mb.step(E, L, 4, 1.0)) == KEYS


@pytest.mark.parametrize("seed", range(60))
def test_manual_backprop_step_equals_autograd(seed):
    E, L, index, lr = random_case(seed)
    ours, ref = mb.step(E, L, index, lr), autograd(E, L, index, lr)
    for k in KEYS:
        close(ours[k], ref[k], k)


def test_manual_backprop_cases_reach_the_shifted_softmax():
    """The random cases above must include scores the plain exp() formula would not use."""
    assert any(np.abs(mb.step(*random_case(s))["x"]).max() > 50 for s in range(60))


@pytest.mark.parametrize("seed", range(20))
def test_manual_backprop_seed_formulas_equal_autograd(seed):
    """The seed's hand-derived gradients, computed from autograd's own o, equal autograd's."""
    E, L, index, _ = random_case(seed)
    ref = autograd(E, L, index, 1.0)
    V, o, y = len(ref["o"]), ref["o"], np.eye(E.shape[0])[index]
    close(-1 / V * y / o, ref["dL_do"], "dL_do = -(1/V) y/o")
    close((o - y) / V, ref["dL_dx"], "dL_dx = (o - y)/V")
    close(L @ ((o - y) / V), ref["dL_de"], "dL_de = linear @ dL_dx")


@pytest.mark.parametrize("seed", range(5))
def test_manual_backprop_torch_step_equals_oracle(seed):
    E, L, index, lr = random_case(seed)
    ours, ref = mb.torch_step(E, L, index, lr), autograd(E, L, index, lr)
    assert list(ours) == KEYS
    for k in KEYS:
        close(ours[k], ref[k], k)


def test_manual_backprop_only_the_word_row_moves_and_inputs_untouched():
    E, L = init(8, 4, 1)
    E0, L0 = E.copy(), L.copy()
    new = mb.step(E, L, 3, 1.0)["embedding_new"]
    np.testing.assert_array_equal(E, E0)
    np.testing.assert_array_equal(L, L0)
    np.testing.assert_array_equal(np.delete(new, 3, 0), np.delete(E, 3, 0))
    assert not np.array_equal(new[3], E[3])


def test_manual_backprop_underflowed_probability_is_not_nan():
    """A probability of exactly 0 off the target must not turn 0·log(0) into NaN."""
    E, L, index = np.array([[1.0], [1.0], [1.0]]), np.array([[800.0, 799.0, -800.0]]), 1
    ours, ref = mb.step(E, L, index, 1.0), autograd(E, L, index, 1.0, seed_softmax=False)
    assert ours["o"][2] == 0.0  # the premise: the softmax underflowed
    for k in KEYS:
        close(ours[k], ref[k], k)


def test_manual_backprop_certain_word_has_loss_plus_zero():
    ours = mb.step(np.ones((3, 1)), np.array([[0.0, 800.0, -800.0]]), 1, 1.0)
    assert ours["o"][1] == 1.0 and ours["loss"] == 0.0 and not np.signbit(ours["loss"])


def test_manual_backprop_target_probability_zero_raises():
    with pytest.raises(FloatingPointError, match="learning rate"):
        mb.step(np.ones((3, 1)), np.array([[800.0, -800.0, 0.0]]), 1, 1.0)


# --- the seed's loop --------------------------------------------------------------------

@pytest.mark.parametrize("V,d,index,lr,steps", [(8, 10, 4, 1.0, 20), (3, 2, 0, 0.3, 7),
                                                (12, 5, 11, 2.5, 30), (2, 1, 1, 1e-3, 1)])
def test_manual_backprop_run_equals_a_torch_loop(V, d, index, lr, steps):
    E, L = init(V, d, V + d)
    res = mb.run(E, L, index, lr, steps)
    emb, lin = torch.tensor(E, requires_grad=True), torch.tensor(L)
    losses = []
    for _ in range(steps):
        loss = -torch.log(torch.softmax(emb[index] @ lin, 0)[index]) / V
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            emb -= lr * emb.grad
            emb.grad.zero_()
    close(res["losses"], losses, "losses")
    close(res["embedding"], emb.detach().numpy(), "embedding")
    close(res["probs"], torch.softmax(emb[index] @ lin, 0).detach().numpy(), "probs")


def test_manual_backprop_run_learns_and_leaves_inputs():
    E, L = init(8, 10, 0)
    E0 = E.copy()
    res = mb.run(E, L, 4, 1.0, 20)
    np.testing.assert_array_equal(E, E0)
    assert np.all(np.diff(res["losses"]) < 0)  # frozen linear: every step helps
    assert res["probs"][4] > np.exp(-8 * res["losses"][-1])  # loss = -log(o[4]) / 8


# --- the seed's vocabulary, init and printed numbers -------------------------------------

def test_manual_backprop_vocab_first_appearance():
    assert mb.vocab_first_appearance(mb.SEED_WORDS) == ["the", "quick", "brown", "fox",
                                                        "jumps", "over", "lazy", "dog"]
    assert mb.vocab_first_appearance(["b", "a", "b", "c", "a"]) == ["b", "a", "c"]
    assert len(mb.SEED_WORDS) == 9 and len(set(mb.SEED_WORDS)) == 8


def test_manual_backprop_vocab_of_the_sentence():
    assert mb.vocab_of(mb.SENTENCE) == mb.vocab_first_appearance(mb.SEED_WORDS)
    assert mb.vocab_of("B a b  C\ta") == ["b", "a", "c"]            # lower-cased, any spaces
    assert mb.vocab_of("\u202edog cat dog") == ["dog", "cat"]        # bidi controls removed
    assert mb.vocab_of("🐶 狗 park\u200d") == ["🐶", "狗", "park\u200d"]
    assert len(mb.vocab_of(" ".join(f"w{i}" for i in range(40)))) == 40


@pytest.mark.parametrize("sentence,match", [
    ("", "2 to 40 different words"), ("dog", "2 to 40 different words"),
    ("dog Dog DOG", "2 to 40 different words"), ("🐶🐱🌳", "2 to 40 different words"),
    (" ".join(f"w{i}" for i in range(41)), "2 to 40 different words"),
    ("the dog " + "p" * 31, "longer than 30"), ("w " * 10_001, "too long"),
    ("\u0301\u0301 a b", "invisible"), ("a \u200b\u200b b", "invisible")])
def test_manual_backprop_vocab_of_refuses(sentence, match):
    with pytest.raises(ValueError, match=match):
        mb.vocab_of(sentence)


def test_manual_backprop_lesson_interface():
    """trace_step / next_params / train: the step and the loop on the params dict."""
    p = mb.init_params(8, 10, 0)
    assert set(p) == {"embedding", "linear"}
    trace = mb.trace_step(p, {"index": 4}, 1.0)
    want = mb.step(p["embedding"], p["linear"], 4, 1.0)
    for k in KEYS:
        np.testing.assert_array_equal(trace[k], want[k])
    new = mb.next_params(p, trace)
    np.testing.assert_array_equal(new["embedding"], trace["embedding_new"])
    assert new["linear"] is p["linear"]
    out = mb.train(p, {"index": 4}, 1.0, 20)
    ref = mb.run(p["embedding"], p["linear"], 4, 1.0, 20)
    np.testing.assert_array_equal(out["losses"], ref["losses"])
    np.testing.assert_array_equal(out["params"]["embedding"], ref["embedding"])
    np.testing.assert_array_equal(out["params"]["linear"], p["linear"])
    for steps, match in ((0, "number of steps"), (mb.MAX_STEPS + 1, "between 1 and")):
        with pytest.raises(ValueError, match=match):
            mb.train(p, {"index": 4}, 1.0, steps)


def test_manual_backprop_init_params_standard_normal_and_seeded():
    E, L = init(300, 40, 5)
    assert E.shape == (300, 40) and L.shape == (40, 300)
    for a in (E, L):
        assert abs(a.mean()) < STAT_TOL and abs(a.std() - 1) < STAT_TOL
    np.testing.assert_array_equal(init(300, 40, 5)[0], E)
    assert not np.array_equal(init(300, 40, 6)[0], E)


# The seed's printouts (cells 25-31), copied from the seed.
SEED_LOSS = 0.3671987876935347
SEED_DL_DO_4 = -2.35878996
SEED_DL_DX = np.array([0.0075362, 0.00585483, 0.00417056, 0.01973817, -0.11837584,
                       0.01104708, 0.05633672, 0.01369228])
SEED_DL_DE = np.array([-0.06941078, -0.34673677, -0.10697694, -0.23240771, 0.19650469,
                       0.09956768, -0.09942405, -0.02107459, -0.03876713, 0.03872456])
SEED_FINAL_PROBS = np.array([5.89988700e-04, 2.54744803e-03, 4.96841740e-03, 3.22029883e-03,
                             9.74169910e-01, 7.97206092e-04, 9.90784411e-03, 3.79888652e-03])
PRINT_TOL = 1e-6   # the seed prints 8 decimals


def test_manual_backprop_seed_printouts_agree_with_each_other():
    """What SEED_NOTES claims about the seed's numbers."""
    V, y = 8, np.eye(8)[4]
    o = V * SEED_DL_DX + y                                    # undo dL_dx = (o - y)/V
    assert abs(o.sum() - 1) < PRINT_TOL
    assert abs(-np.log(o[4]) / V - SEED_LOSS) < PRINT_TOL
    assert abs(-1 / (V * o[4]) - SEED_DL_DO_4) < PRINT_TOL
    # cell 29's lr 1e-3 update: first-order drop lr·|dL/de|², invisible at 3 decimals
    drop = 1e-3 * SEED_DL_DE @ SEED_DL_DE
    assert 0.0002 < drop < 0.0003 and round(SEED_LOSS - drop, 3) == 0.367
    # the probabilities after the 20th update: loss 0.0033 shows as the last printed 0.003
    assert abs(SEED_FINAL_PROBS.sum() - 1) < PRINT_TOL
    assert round(-np.log(SEED_FINAL_PROBS[4]) / V, 3) == 0.003


def test_manual_backprop_notes_are_text():
    assert seed_notes.NOTES and all(isinstance(n, str) and n for n in seed_notes.NOTES)
    assert seed_notes.SEED_NOTES == seed_notes.NOTES
    assert "set(" in seed_notes.SET_ORDER_NOTE


# --- bad input ---------------------------------------------------------------------------

@pytest.mark.parametrize("lr", [0, -1, float("nan"), float("inf"), "x", None])
def test_manual_backprop_bad_lr(lr):
    E, L = init(3, 2, 0)
    with pytest.raises(ValueError, match="learning rate"):
        mb.step(E, L, 0, lr)


@pytest.mark.parametrize("index", [-1, 3, 1.0, True, "0"])
def test_manual_backprop_bad_index(index):
    E, L = init(3, 2, 0)
    with pytest.raises(ValueError, match="word index"):
        mb.step(E, L, index, 1.0)


@pytest.mark.parametrize("E,L,match", [(np.ones((1, 2)), np.ones((2, 1)), "V >= 2"),
                                       (np.ones(3), np.ones((1, 3)), "V >= 2"),
                                       (np.ones((3, 2)), np.ones((3, 2)), "shape"),
                                       (np.full((3, 2), np.nan), np.ones((2, 3)), "NaN")])
def test_manual_backprop_bad_params(E, L, match):
    with pytest.raises(ValueError, match=match):
        mb.step(E, L, 0, 1.0)


@pytest.mark.parametrize("steps", [0, -1, 2.5, "3"])
def test_manual_backprop_bad_steps(steps):
    E, L = init(3, 2, 0)
    with pytest.raises(ValueError, match="number of steps"):
        mb.run(E, L, 0, 1.0, steps)


@pytest.mark.parametrize("V,d,seed,match", [(1, 2, 0, "vocabulary"), (3, 0, 0, "embedding"),
                                            (3, 2, -1, "seed"), (3, 2.0, 0, "embedding")])
def test_manual_backprop_bad_init(V, d, seed, match):
    with pytest.raises(ValueError, match=match):
        mb.init_params(V, d, seed)

"""core.sgns against torch autograd (float64), its sampling against its formulas, its training
on the planted default corpus, and core.sgns_corpus."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from core import sgns
from core.sgns_corpus import (GROUPS, PLANTED_GROUPS, default_corpus, default_text, group_quality,
                              planted_corpus)

TOL = 1e-10          # float64 agreement with autograd and with hand arithmetic
N_SE = 5             # sampled frequencies must be within 5 standard errors of the formula
DRAWS = 200_000      # draws per frequency check
QUALITY_MIN = 0.9    # group_quality(n=5) after DEFAULT_TRAINING on default_corpus
KEYS = ("v_c", "u_o", "u_neg", "pos_score", "neg_scores", "sigma_pos", "sigma_neg", "loss",
        "grad_v_c", "grad_u_o", "grad_u_neg", "W_in_new", "W_out_new")


def close(actual, desired, msg=""):
    np.testing.assert_allclose(actual, desired, rtol=TOL, atol=TOL, err_msg=msg)


def autograd_step(W_in, W_out, c, o, negatives, lr):
    """Independent oracle: leaf tables, F.logsigmoid loss, .backward(), W - lr * W.grad."""
    Wi = torch.tensor(W_in, requires_grad=True)
    Wo = torch.tensor(W_out, requires_grad=True)
    v_c, u_o, u_neg = Wi[c], Wo[o], Wo[torch.tensor(list(negatives))]  # (d,), (d,), (k, d)
    for t in (v_c, u_o, u_neg):
        t.retain_grad()
    pos, neg = u_o @ v_c, u_neg @ v_c
    loss = -(F.logsigmoid(pos) + F.logsigmoid(-neg).sum())
    loss.backward()
    out = {"v_c": v_c, "u_o": u_o, "u_neg": u_neg, "pos_score": pos, "neg_scores": neg,
           "sigma_pos": torch.sigmoid(pos), "sigma_neg": torch.sigmoid(-neg), "loss": loss,
           "grad_v_c": v_c.grad, "grad_u_o": u_o.grad, "grad_u_neg": u_neg.grad,
           "W_in_new": Wi - lr * Wi.grad, "W_out_new": Wo - lr * Wo.grad}
    return {k: v.detach().numpy() for k, v in out.items()}


def random_case(seed):
    """Random sizes and weights; seed % 4: 1 repeats a negative, 2 draws the context as a
    negative, 3 both. Large scales push scores far past where sigma saturates."""
    rng = np.random.default_rng(seed)
    V, d, k = int(rng.integers(3, 40)), int(rng.integers(1, 12)), int(rng.integers(2, 8))
    scale = [1.0, 10.0, 100.0, 1000.0][seed % 4]
    P = sgns.init_params(V, d, seed)
    W_in, W_out = P["W_in"] * scale, P["W_out"] * scale
    c, o = int(rng.integers(V)), int(rng.integers(V))
    neg = [int(x) for x in rng.integers(0, V, k)]
    if seed % 4 in (1, 3):
        neg[-1] = neg[0]
    if seed % 4 in (2, 3):
        neg[1] = o
    return W_in, W_out, c, o, neg, float(rng.uniform(1e-3, 2))


def as_params(case):
    W_in, W_out, c, o, neg, lr = case
    return {"W_in": W_in, "W_out": W_out}, {"center": c, "context": o, "negatives": neg}, lr


# --- one step against autograd ------------------------------------------------------------

def test_sgns_keys_in_order():
    P, ex, lr = sgns.init_params(), sgns.DEFAULT_EXAMPLE, sgns.SOURCE_LR
    assert sgns.TRACE_KEYS == KEYS
    assert tuple(sgns.step(P, ex, lr)) == KEYS
    assert tuple(sgns.torch_step(P, ex, lr)) == KEYS


def test_sgns_source_mock_setup_equals_autograd():
    P, ex = sgns.init_params(sgns.VOCAB_SIZE, sgns.EMBED_DIM, 0), sgns.DEFAULT_EXAMPLE
    assert ex == {"center": 0, "context": 1, "negatives": (50, 23, 99, 4, 12)}
    ours = sgns.step(P, ex, sgns.SOURCE_LR)
    ref = autograd_step(P["W_in"], P["W_out"], 0, 1, [50, 23, 99, 4, 12], 0.01)
    twin = sgns.torch_step(P, ex, sgns.SOURCE_LR)
    for key in KEYS:
        close(ours[key], ref[key], key)
        close(twin[key], ref[key], key)
    moved_in = np.flatnonzero(np.any(ours["W_in_new"] != P["W_in"], axis=1))
    moved_out = np.flatnonzero(np.any(ours["W_out_new"] != P["W_out"], axis=1))
    assert moved_in.tolist() == [0]
    assert moved_out.tolist() == [1, 4, 12, 23, 50, 99]


@pytest.mark.parametrize("seed", range(40))
def test_sgns_step_equals_autograd(seed):
    case = random_case(seed)
    ours, ref = sgns.sgns_step(*case), autograd_step(*case)
    for key in KEYS:
        close(ours[key], ref[key], key)
    assert all(isinstance(ours[k], float) for k in ("pos_score", "sigma_pos", "loss"))


@pytest.mark.parametrize("seed", range(12))
def test_sgns_torch_step_equals_autograd(seed):
    case = random_case(seed)
    twin, ref = sgns.torch_step(*as_params(case)), autograd_step(*case)
    assert tuple(twin) == KEYS
    for key in KEYS:
        close(twin[key], ref[key], key)


def test_sgns_cases_reach_repeats_context_negatives_and_saturation():
    cases = [random_case(s) for s in range(40)]
    assert sum(len(set(c[4])) < len(c[4]) for c in cases) >= 10
    assert sum(c[3] in c[4] for c in cases) >= 10
    assert any(abs(sgns.sgns_step(*c)["pos_score"]) > 40 for c in cases)


def test_sgns_repeated_and_context_negatives_accumulate():
    W_in, W_out, _, _, _, lr = random_case(0)
    t = sgns.sgns_step(W_in, W_out, 0, 2, [2, 1, 1], lr)    # context drawn once, word 1 twice
    g = t["grad_u_neg"]
    close(t["W_out_new"][2], W_out[2] - lr * (t["grad_u_o"] + g[0]))
    close(t["W_out_new"][1], W_out[1] - lr * (g[1] + g[2]))
    close(g[1], g[2])                                       # the same word, the same push
    assert sgns.negative_is_context(2, [2, 1, 1]) == [0]
    assert sgns.repeated_negatives([2, 1, 1, 5, 5, 5]) == {1: 2, 5: 3}
    assert sgns.repeated_negatives([3, 4]) == {}


def test_sgns_sigma_neg_is_the_factor_in_the_loss():
    t = sgns.step(sgns.init_params(), sgns.DEFAULT_EXAMPLE, 0.01)
    close(t["loss"], -(np.log(t["sigma_pos"]) + np.log(t["sigma_neg"]).sum()))
    close(t["sigma_neg"], 1 / (1 + np.exp(t["neg_scores"])))


def test_sgns_step_leaves_inputs_alone_and_next_params():
    P = sgns.init_params(12, 3, 5)
    before = {k: v.copy() for k, v in P.items()}
    t = sgns.step(P, {"center": 3, "context": 4, "negatives": [4, 4, 7]}, 0.5)
    for k in P:
        np.testing.assert_array_equal(P[k], before[k])
    nxt = sgns.next_params(P, t)
    assert nxt["W_in"] is t["W_in_new"] and nxt["W_out"] is t["W_out_new"]


def test_sgns_init_params_like_the_source():
    P = sgns.init_params(100, 10, seed=3)
    for W in P.values():
        assert W.shape == (100, 10) and W.dtype == np.float64
        assert np.abs(W).max() <= 0.05 and np.abs(W).max() > 0.045
    Q = sgns.init_params(100, 10, seed=3)
    np.testing.assert_array_equal(P["W_in"], Q["W_in"])
    assert not np.array_equal(P["W_in"], sgns.init_params(100, 10, seed=4)["W_in"])


def test_sgns_torch_step_leaves_the_global_rng_alone():
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    sgns.torch_step(sgns.init_params(), sgns.DEFAULT_EXAMPLE, 0.01)
    assert torch.equal(torch.rand(3), expected)


@pytest.mark.parametrize("kwargs, message", [
    ({"W_in": np.zeros((1, 3))}, "V >= 2"),
    ({"W_out": np.zeros((5, 2))}, "shape"),
    ({"center": 5}, "between 0 and 4"),
    ({"context": -1}, "between 0 and 4"),
    ({"center": True}, "whole numbers"),
    ({"negatives": []}, "at least one negative"),
    ({"negatives": [1, 9]}, "between 0 and 4"),
    ({"negatives": "12"}, "list of word indices"),
    ({"lr": 0}, "learning rate"),
    ({"lr": float("nan")}, "learning rate"),
    ({"W_in": [[1, 2, 3]] * 4 + [[1, 2, float("inf")]]}, "NaN or infinity"),
])
def test_sgns_step_rejects_bad_input(kwargs, message):
    args = {"W_in": np.zeros((5, 3)), "W_out": np.zeros((5, 3)), "center": 0, "context": 1,
            "negatives": [2, 3], "lr": 0.1} | kwargs
    with pytest.raises(ValueError, match=message):
        sgns.sgns_step(**args)


def test_sgns_step_reports_overflow():
    W = np.full((4, 2), 1e200)
    with pytest.raises(FloatingPointError, match="overflowed"):
        sgns.sgns_step(W, W, 0, 1, [2], 0.1)


# --- the 1e-7 of the source ----------------------------------------------------------------

def source_loss(pos, neg):
    """The source's loss as written, in torch float64."""
    pos, neg = torch.tensor(pos, dtype=torch.float64), torch.tensor(neg, dtype=torch.float64)
    return float(-(torch.log(torch.sigmoid(pos) + 1e-7)
                   + torch.log(torch.sigmoid(-neg) + 1e-7).sum()))


def test_sgns_loss_with_epsilon_is_the_source_formula():
    for seed in range(10):
        t = sgns.sgns_step(*random_case(seed))
        close(sgns.loss_with_epsilon(t["pos_score"], t["neg_scores"]),
              source_loss(t["pos_score"], t["neg_scores"]))


def test_sgns_epsilon_note_figures():
    eps = sgns.EPSILON
    # ordinary scores: at 0 each of the six terms is smaller by log(1 + 2e-7)
    diff = sgns.loss_with_epsilon(0.0, np.zeros(5)) - 6 * math.log(2)
    close(diff, -6 * math.log1p(2e-7))
    assert abs(diff + 1.2e-6) < 1e-12
    t = sgns.step(sgns.init_params(), sgns.DEFAULT_EXAMPLE, 0.01)
    assert 1.1e-6 < t["loss"] - sgns.loss_with_epsilon(t["pos_score"], t["neg_scores"]) < 1.3e-6
    assert math.log1p(eps / 0.01) < 1e-5
    # the cap: -log(1e-7) = 16.118 per term, 96.71 for k = 5
    close(-math.log(eps), 16.11809565095832)
    assert round(sgns.loss_with_epsilon(-1000.0, np.full(5, 1000.0)), 2) == 96.71
    assert sgns.step({"W_in": np.full((3, 1), 40.0), "W_out": np.full((3, 1), -40.0)},
                     {"center": 0, "context": 1, "negatives": [2]}, 0.1)["loss"] > 1000
    # the gradient factor sigma / (sigma + 1e-7): 1/2 at x = ln(eps / (1 - eps)), 2% at -20
    for x, factor in ((math.log(eps / (1 - eps)), 0.5), (-20.0, 0.0202)):
        xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        torch.log(torch.sigmoid(xt) + eps).backward()
        exact = 1 - 1 / (1 + math.exp(-x))                   # d log s(x) / dx
        assert abs(float(xt.grad) / exact - factor) < 1e-4
    assert round(math.log(eps / (1 - eps)), 3) == -16.118


# --- the noise distribution and drawing negatives ------------------------------------------

def test_sgns_noise_distribution_by_hand():
    close(sgns.noise_distribution([1, 16, 81]), np.array([1, 8, 27]) / 36)
    close(sgns.noise_distribution([2, 0, 6], power=1), [0.25, 0, 0.75])
    for bad in ([], [0, 0], [1, -1], [[1, 2]], ["a"]):
        with pytest.raises(ValueError):
            sgns.noise_distribution(bad)


def frequencies(draws, size):
    return np.bincount(draws, minlength=size) / len(draws)


def test_sgns_sample_negatives_frequencies():
    p = sgns.noise_distribution([5, 1, 30, 0, 12, 3])
    draws = sgns.sample_negatives(p, DRAWS, np.random.default_rng(0))
    assert draws.shape == (DRAWS,) and np.issubdtype(draws.dtype, np.integer)
    se = np.sqrt(p * (1 - p) / DRAWS)
    assert np.all(np.abs(frequencies(draws, 6) - p) <= N_SE * se + 1e-12)
    assert frequencies(draws, 6)[3] == 0                    # a word never seen is never drawn


def test_sgns_sample_negatives_excludes_by_drawing_again():
    p = sgns.noise_distribution([5, 1, 30, 0, 12, 3])
    draws = sgns.sample_negatives(p, DRAWS, np.random.default_rng(1), exclude=[2])
    q = np.where(np.arange(6) == 2, 0, p) / (1 - p[2])     # drawing again = renormalising
    se = np.sqrt(q * (1 - q) / DRAWS)
    assert 2 not in draws
    assert np.all(np.abs(frequencies(draws, 6) - q) <= N_SE * se + 1e-12)


def test_sgns_sample_negatives_is_reproducible_and_rejects_bad_input():
    p = sgns.noise_distribution([1, 2, 3])
    a = sgns.sample_negatives(p, 5, np.random.default_rng(7))
    np.testing.assert_array_equal(a, sgns.sample_negatives(p, 5, np.random.default_rng(7)))
    with pytest.raises(ValueError, match="at least 1"):
        sgns.sample_negatives(p, 0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="whole number"):
        sgns.sample_negatives(p, 2.5, np.random.default_rng(0))
    with pytest.raises(ValueError, match="all of the noise"):
        sgns.sample_negatives([0.5, 0.5, 0], 3, np.random.default_rng(0), exclude=[0, 1])
    with pytest.raises(ValueError, match="between 0 and 2"):
        sgns.sample_negatives(p, 3, np.random.default_rng(0), exclude=[3])
    with pytest.raises(ValueError, match="noise distribution"):
        sgns.sample_negatives([0, 0], 3, np.random.default_rng(0))


# --- windows --------------------------------------------------------------------------------

def test_sgns_pairs_never_cross_a_sentence():
    sentences = [["a", "b"], ["c", "d", "e"], ["f"]]
    got = sgns.pairs(sentences, 1, np.random.default_rng(0))
    assert got == [("a", "b"), ("b", "a"), ("c", "d"), ("d", "c"), ("d", "e"), ("e", "d")]
    for seed in range(20):
        for c, o in sgns.pairs(sentences, 5, np.random.default_rng(seed)):
            assert any(c in s and o in s for s in sentences)


def test_sgns_pairs_shrink_the_window_uniformly():
    """Window 2: a centre pairs with a word 2 away only when it draws b = 2 (probability 1/2)."""
    n = 20_001
    got = sgns.pairs([list(range(n))], 2, np.random.default_rng(0))
    dist = np.array([abs(c - o) for c, o in got])
    assert set(dist) == {1, 2}
    assert np.sum(dist == 1) == 2 * (n - 1)                 # every neighbour, both ways
    # both of a centre's far pairs come from one draw: variance (n - 4) * 4/4 + 4 * 1/4
    far, expected = np.sum(dist == 2), 2 * (n - 2) * 0.5
    assert abs(far - expected) <= N_SE * math.sqrt(n - 3)


# --- training -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def trained():
    return sgns.train(default_corpus(), **sgns.DEFAULT_TRAINING)


def test_sgns_train_puts_the_groups_together(trained):
    assert set(trained) == {"losses", "W_in", "W_out", "vocab"}
    assert group_quality(lambda w, n: sgns.neighbours(trained, w, n), GROUPS, 5) >= QUALITY_MIN
    animals = [w for w, _ in sgns.neighbours(trained, "cat", 5)]
    assert sum(w in GROUPS["animals"] for w in animals) >= 4


def test_sgns_train_loss_decreases(trained):
    losses = trained["losses"]
    assert 100 <= len(losses) <= 500
    assert np.mean(losses[-20:]) < np.mean(losses[:20]) - 1.0
    assert abs(losses[0] - 6 * math.log(2)) < 0.2      # at the start every score is near 0


def test_sgns_train_is_reproducible_and_callback_stops_it():
    corpus = default_corpus(300, seed=1)
    a = sgns.train(corpus, dim=8, epochs=2, seed=4)
    b = sgns.train(corpus, dim=8, epochs=2, seed=4)
    np.testing.assert_array_equal(a["W_in"], b["W_in"])
    seen = []
    c = sgns.train(corpus, dim=8, epochs=2, seed=4, callback=lambda f, l: seen.append((f, l)))
    assert seen[-1][0] == 1.0 and all(f0 < f1 for (f0, _), (f1, _) in zip(seen, seen[1:]))
    np.testing.assert_array_equal([l for _, l in seen], c["losses"])
    stop = sgns.train(corpus, dim=8, epochs=2, seed=4, callback=lambda f, l: len(seen) < 0)
    assert len(stop["losses"]) == 1


def test_sgns_train_vocab_order_and_min_count():
    corpus = [["b", "a", "c", "a"], ["c", "b", "a", "d"]]
    assert sgns.train(corpus, dim=2)["vocab"] == ["a", "b", "c", "d"]
    r = sgns.train(corpus, dim=2, min_count=2)
    assert r["vocab"] == ["a", "b", "c"] and r["W_in"].shape == (3, 2)


@pytest.mark.parametrize("corpus, kwargs, message", [
    ([], {}, "empty"),
    ([[], []], {}, "empty"),
    ("the cat sat", {}, "list of sentences"),
    (["the cat", "a dog"], {}, "list of words"),
    ([["cat", "cat", "cat"]], {}, "at least two different words"),
    ([["a", "b"], ["a"]], {"min_count": 2}, "at least two different words"),
    ([["a"], ["b"]], {}, "no sentence has two words"),
    ([["a", "b"]], {"k": 0}, "negatives k"),
    ([["a", "b"]], {"lr": -1}, "learning rate"),
    ([["a", "b"]], {"window": 0}, "window"),
    ([["a", "b"]], {"epochs": 1.5}, "epochs"),
])
def test_sgns_train_rejects_bad_input(corpus, kwargs, message):
    with pytest.raises(ValueError, match=message):
        sgns.train(corpus, **kwargs)


# --- neighbours and analogies on a hand-made table -----------------------------------------

VOCAB = ["man", "king", "woman", "queen", "apple"]
W = np.array([[1.0, 0.0, 0.0],
              [0.6, 0.0, 0.8],
              [0.0, 2.0, 0.0],            # length 2: cosines ignore it
              [-0.4, 1.0, 0.8],           # = king - man + woman (unit rows)
              [0.0, 0.0, -1.0]])


def test_sgns_neighbours_by_arithmetic():
    got = sgns.neighbours(W, VOCAB, "king", n=2)
    q = math.sqrt(0.16 + 1 + 0.64)
    assert [w for w, _ in got] == ["man", "queen"]
    close([c for _, c in got], [0.6, (-0.24 + 0.64) / q])
    assert sgns.neighbours({"W_in": W, "vocab": VOCAB}, "king", 2) == got
    assert len(sgns.neighbours(W, VOCAB, "king", n=10)) == 4
    with pytest.raises(ValueError, match="not in the vocabulary"):
        sgns.neighbours(W, VOCAB, "pear")


def test_sgns_analogy_by_arithmetic():
    got = sgns.analogy(W, VOCAB, "man", "king", "woman", n=2)
    assert [w for w, _ in got] == ["queen", "apple"]
    close([c for _, c in got], [1.0, -0.8 / math.sqrt(1.8)])
    assert sgns.analogy({"W_in": W, "vocab": VOCAB}, "man", "king", "woman", 2) == got
    with pytest.raises(ValueError, match="not in the vocabulary"):
        sgns.analogy(W, VOCAB, "man", "king", "pear")


def test_sgns_pca_2d_shape():
    assert sgns.pca_2d(W).shape == (5, 2)


# --- the corpora ----------------------------------------------------------------------------

def test_sgns_default_corpus_size_and_groups():
    corpus = default_corpus()
    words = {w for s in corpus for w in s}
    assert 20_000 <= sum(map(len, corpus)) <= 40_000
    assert all(set(g) <= words for g in GROUPS.values())
    assert corpus == default_corpus()
    assert default_text().splitlines()[0] == " ".join(corpus[0])


def test_sgns_planted_corpus_small():
    corpus = planted_corpus(5_000, seed=0)
    assert sum(map(len, corpus)) >= 5_000
    words = {w for s in corpus for w in s}
    assert all(len(g) == 25 for g in PLANTED_GROUPS.values())
    assert all(set(g[:5]) <= words for g in PLANTED_GROUPS.values())  # the commonest members
    assert corpus == planted_corpus(5_000, seed=0)


def test_sgns_group_quality_by_hand():
    groups = {"g1": ["a", "b", "c"], "g2": ["d", "e"]}
    table = {"a": ["b", "d"], "b": [("c", 0.9), ("a", 0.8)], "c": ["d", "e"],
             "d": ["a", "e"], "e": ["a", "b"]}
    # n = 2: a 1/2, b 2/2, c 0/2 -> g1 1/2; d 1/1, e 0/1 (one mate at most) -> g2 1/2
    assert group_quality(lambda w, n: table[w][:n], groups, 2) == pytest.approx(0.5)


@pytest.mark.parametrize("field,value,label", [("window", 99, "Window"), ("k", 0, "Negatives"),
                                               ("lr", 5.0, "learning rate")])
def test_sgns_training_fields_are_named_and_out_of_range_values_refused(field, value, label):
    from streamlit.testing.v1 import AppTest
    from tests.conftest import ROOT, open_page
    at = open_page(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60), "sgns.py")
    box = at.number_input(key=f"sgns_train_{field}")
    assert label in box.label
    box.set_value(value)
    at.button(key="sgns_train").click().run()
    assert not at.exception, at.exception
    errors = " ".join(e.value for e in at.error)
    assert label in errors and "Nothing was trained" in errors, errors
    assert "sgns_trained" not in at.session_state


def test_sgns_training_batch_is_one_sgd_step_on_the_summed_loss():
    """_train_batch against autograd: the summed pair losses (a negative equal to its pair's
    context word left out, as word2vec skips it), one SGD step; repeated rows accumulate."""
    rng = np.random.default_rng(7)
    V, d, B, k, alpha = 9, 4, 12, 3, 0.3
    W_in, W_out = rng.normal(0, 1, (V, d)), rng.normal(0, 1, (V, d))
    c, o = rng.integers(0, V, B), rng.integers(0, V, B)
    neg = rng.integers(0, V, (B, k))
    neg[0] = [o[0], o[0], 2]                             # twice the context word, then another
    c[1] = c[2]                                          # a centre row used by two pairs
    Wi, Wo = torch.tensor(W_in, requires_grad=True), torch.tensor(W_out, requires_grad=True)
    v = Wi[torch.tensor(c)]                                                   # (B, d)
    pos = (Wo[torch.tensor(o)] * v).sum(1)                                    # (B,)
    negs = (Wo[torch.tensor(neg)] * v[:, None, :]).sum(2)                     # (B, k)
    skip = torch.tensor(neg == o[:, None])
    loss = -(F.logsigmoid(pos).sum() + F.logsigmoid(-negs).masked_fill(skip, 0).sum())
    loss.backward()
    got_in, got_out = torch.tensor(W_in), torch.tensor(W_out)
    got_loss = sgns._train_batch(got_in, got_out, torch.tensor(c), torch.tensor(o),
                                 torch.tensor(neg), alpha)
    close(got_loss, loss.item())
    close(got_in.numpy(), (Wi - alpha * Wi.grad).detach().numpy())
    close(got_out.numpy(), (Wo - alpha * Wo.grad).detach().numpy())

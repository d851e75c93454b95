"""core.cbow_mlp against torch autograd, and the course notes (seed 003) against their text."""
import re

import numpy as np
import pytest
import torch

from core import cbow_mlp as cm
from core import corpus
from core.seeds import cbow as notes
from tests.test_corpus import notes_namespace, seed_text

TOL = 1e-10          # core vs torch autograd, float64
rng = np.random.default_rng(2024)
PARAM_KEYS = ("W1", "b1", "W2", "b2")


def torch_model(params):
    """Independent oracle: nn.Sequential(Linear(V, N), ReLU, Linear(N, V)), float64."""
    N, V = params["W1"].shape
    model = torch.nn.Sequential(torch.nn.Linear(V, N), torch.nn.ReLU(),
                                torch.nn.Linear(N, V)).double()
    with torch.no_grad():
        for layer, W, b in ((model[0], "W1", "b1"), (model[2], "W2", "b2")):
            layer.weight.copy_(torch.tensor(params[W]))
            layer.bias.copy_(torch.tensor(params[b]))
    return model


def torch_step(params, x, y, lr):
    model = torch_model(params)
    z1 = model[0](torch.tensor(x))
    h = model[1](z1)
    z2 = model[2](h)
    for t in (z1, h, z2):
        t.retain_grad()
    # CrossEntropyLoss with probability targets: -sum y log softmax(z2)
    loss = torch.nn.CrossEntropyLoss()(z2[None], torch.tensor(y)[None])
    loss.backward()
    out = {"x": x, "y": y, "z1": z1, "h": h, "z2": z2, "y_hat": torch.softmax(z2, 0),
           "loss": loss, "grad_z2": z2.grad, "grad_h": h.grad, "grad_z1": z1.grad,
           "grad_W1": model[0].weight.grad, "grad_b1": model[0].bias.grad,
           "grad_W2": model[2].weight.grad, "grad_b2": model[2].bias.grad}
    torch.optim.SGD(model.parameters(), lr=lr).step()
    out.update(W1_new=model[0].weight, b1_new=model[0].bias,
               W2_new=model[2].weight, b2_new=model[2].bias)
    return {k: v.detach().numpy() if torch.is_tensor(v) else v for k, v in out.items()}


def random_params(V, N, scale):
    return {"W1": rng.normal(0, scale, (N, V)), "b1": rng.normal(0, scale, N),
            "W2": rng.normal(0, scale, (V, N)), "b2": rng.normal(0, scale, V)}


def random_case(scale):
    V, N = int(rng.integers(2, 13)), int(rng.integers(1, 9))
    x = rng.dirichlet(np.ones(V)) if rng.random() < 0.5 else rng.normal(0, 1, V)
    y = np.eye(V)[rng.integers(V)] if rng.random() < 0.7 else rng.dirichlet(np.ones(V))
    return random_params(V, N, scale), x, y, float(rng.uniform(1e-3, 2))


def assert_trace_equals(ours, ref, tol=TOL):
    for k in cm.TRACE_KEYS:
        np.testing.assert_allclose(ours[k], ref[k], rtol=0, atol=tol, err_msg=k)


# --- the step against autograd ------------------------------------------------------------

def test_trace_keys_in_order_and_float64():
    x, y = cm.course_example()
    trace = cm.sgd_step(cm.COURSE_PARAMS, x, y, 0.1)
    assert list(trace) == ["x", "y", "z1", "h", "z2", "y_hat", "loss", "grad_z2", "grad_h",
                           "grad_z1", "grad_W1", "grad_b1", "grad_W2", "grad_b2", "W1_new",
                           "b1_new", "W2_new", "b2_new"]
    assert isinstance(trace["loss"], float)
    assert all(np.asarray(v).dtype == np.float64 for v in trace.values())


@pytest.mark.parametrize("case", range(90))
def test_step_equals_torch_autograd(case):
    params, x, y, lr = random_case(scale=[0.1, 1.0, 4.0][case % 3])
    assert_trace_equals(cm.sgd_step(params, x, y, lr), torch_step(params, x, y, lr))


def test_relu_at_exactly_zero_passes_no_gradient_like_torch():
    params = random_params(V=4, N=3, scale=1.0)
    params["b1"][:] = [0.0, 0.5, -0.5]
    x, y = np.zeros(4), np.eye(4)[1]               # z1 = b1 exactly: unit 0 sits on the kink
    ours = cm.sgd_step(params, x, y, 0.5)
    assert ours["z1"][0] == 0.0 and ours["grad_z1"][0] == 0.0 and ours["grad_h"][0] != 0.0
    assert_trace_equals(ours, torch_step(params, x, y, 0.5))


def test_huge_logits_stay_finite_and_agree():
    params = random_params(V=6, N=4, scale=30.0)
    x, y = np.eye(6)[2], np.eye(6)[5]
    ours = cm.sgd_step(params, x, y, 1e-3)
    assert np.isfinite(ours["loss"]) and np.max(np.abs(ours["z2"])) > 100
    ref = torch_step(params, x, y, 1e-3)
    assert_trace_equals(ours, ref, tol=TOL * max(1.0, abs(ref["loss"])))


def test_core_torch_check_agrees_with_independent_torch():
    params, x, y, lr = random_case(scale=1.0)
    assert_trace_equals(cm.torch_sgd_step(params, x, y, lr), torch_step(params, x, y, lr))


def test_inputs_are_not_mutated_and_course_params_are_read_only():
    params, x, y, lr = random_case(scale=1.0)
    copies = {k: v.copy() for k, v in params.items()}, x.copy(), y.copy()
    cm.sgd_step(params, x, y, lr)
    cm.train(random_params(4, 2, 1.0), list("abcdabcd"), 1, 0.1, 2)
    for k in PARAM_KEYS:
        np.testing.assert_array_equal(params[k], copies[0][k])
    np.testing.assert_array_equal(x, copies[1])
    np.testing.assert_array_equal(y, copies[2])
    with pytest.raises(ValueError):
        cm.COURSE_PARAMS["W1"][0, 0] = 1.0


def test_column_biases_as_in_the_notes_are_accepted():
    x, y = cm.course_example()
    P = dict(cm.COURSE_PARAMS, b1=cm.COURSE_PARAMS["b1"][:, None],
             b2=cm.COURSE_PARAMS["b2"][:, None])
    assert_trace_equals(cm.sgd_step(P, x, y, 0.1), cm.sgd_step(cm.COURSE_PARAMS, x, y, 0.1),
                        tol=0)


@pytest.mark.parametrize("change, message", [
    (dict(lr=0), "learning rate"), (dict(lr=-1), "learning rate"),
    (dict(lr=float("nan")), "learning rate"), (dict(lr="fast"), "learning rate"),
    (dict(x=np.ones(4)), "x"), (dict(y=np.ones(5)), "one-hot"),
    (dict(y=-np.eye(5)[0]), "one-hot"), (dict(x=[0, 0, np.inf, 0, 0]), "x"),
    (dict(params={"W1": np.ones((3, 5))}), "W1, b1, W2 and b2"),
    (dict(params=dict(cm.COURSE_PARAMS, W2=np.ones((3, 5)))), "W2"),
    (dict(params=dict(cm.COURSE_PARAMS, b1=np.ones(5))), "b1"),
    (dict(params=dict(cm.COURSE_PARAMS, W1=np.ones(5))), "W1"),
])
def test_bad_arguments_say_what_is_wrong(change, message):
    x, y = cm.course_example()
    args = dict(params=cm.COURSE_PARAMS, x=x, y=y, lr=0.1) | change
    with pytest.raises(ValueError, match=message):
        cm.sgd_step(**args)


def test_overflow_is_reported_in_words():
    params = random_params(V=3, N=2, scale=1.0)
    params["W2"] = params["W2"] * 1e300
    with pytest.raises(FloatingPointError, match="smaller"):
        cm.sgd_step(params, np.eye(3)[0] * 1e10, np.eye(3)[1], 1e300)


# --- the course notes' example -----------------------------------------------------------

def _printed_array(text, start):
    """The first `array(...)` printed after `start` in the notes, as floats, and its decimals."""
    body = text[text.index(start):]
    block = re.search(r"array\((\[.*?\])\)", body, re.S).group(1)
    return _numbers(block)


def _numbers(block):
    tokens = re.findall(r"-?\d+\.\d*(?:e-?\d+)?", block)
    decimals = max(len(t.split(".")[1]) for t in tokens)
    return np.array([float(t) for t in tokens]), decimals


def notes_printed():
    """What the notes print for the example window, parsed from their text: key -> (values,
    decimals). `Grad b1` is the block the notes label so."""
    text = seed_text()
    out = {
        "x": _numbers(re.search(r"\n    x:\n(.*?)\n\n", text, re.S).group(1)),
        "y": _numbers(re.search(r"\n    y:\n(.*?)\n\n", text, re.S).group(1)),
        "z1": _printed_array(text, "z1 = np.dot(W1, x) + b1\nz1"),
        "h": _printed_array(text, "h = relu(z1)\nh"),
        "z2": _printed_array(text, "# Print z2\nz2"),
        "y_hat": _printed_array(text, "y_hat = softmax(z2)\ny_hat"),
    }
    loss = re.search(r"cross_entropy_loss\(y_hat, y\)\n```\n\n\s+(\S+)", text).group(1)
    out["loss"] = (float(loss), len(loss.split(".")[1]))
    grads = text[text.index("    Grad W1:"):]
    for key, label, nxt in (("grad_W1", "Grad W1", "Grad W2"), ("grad_W2", "Grad W2", "Grad b1"),
                            ("grad_b1", "Grad b1", "Grad b2"), ("grad_b2", "Grad b2", "For")):
        out[key] = _numbers(grads[grads.index(label + ":") + 8:grads.index(nxt)])
    return out


def course_trace():
    x, y = cm.course_example()
    return cm.sgd_step(cm.COURSE_PARAMS, x, y, cm.DEFAULT_LR)


def test_course_constants_are_the_notes_text():
    ns = notes_namespace()
    for k in PARAM_KEYS:
        np.testing.assert_array_equal(np.reshape(cm.COURSE_PARAMS[k], ns[k].shape), ns[k])
    assert [cm.COURSE_PARAMS[k].shape for k in PARAM_KEYS] == [(3, 5), (3,), (5, 3), (5,)]
    assert list(cm.COURSE_TOKENS) == ns["words"]
    assert (cm.COURSE_N, len(corpus.build_vocab(cm.COURSE_TOKENS))) == (ns["N"], ns["V"])
    printed = notes_printed()
    assert set(printed) == set(notes.COURSE_PRINTED)
    for k, (values, decimals) in printed.items():
        ours, our_decimals = notes.COURSE_PRINTED[k]
        np.testing.assert_array_equal(np.ravel(ours), values, err_msg=k)
        assert our_decimals == decimals, k


def test_course_example_is_the_notes_first_window():
    ns = notes_namespace()
    x, y = cm.course_example()
    np.testing.assert_array_equal(x, np.ravel(ns["x"]))
    np.testing.assert_array_equal(y, np.ravel(ns["y"]))
    assert corpus.build_vocab(cm.COURSE_TOKENS)[int(np.argmax(course_trace()["y_hat"]))] \
        == cm.COURSE_PREDICTION == re.search(r"np.argmax\(y_hat\)\]\)\n```\n\n\s+(\w+)",
                                              seed_text()).group(1)


def _off(values, decimals, exact):
    """Elements further from the exact value than the printed rounding explains."""
    values, exact = np.ravel(values), np.ravel(exact)
    tol = 0.5 * 10.0 ** -decimals + 4 * np.finfo(float).eps * np.abs(exact)
    return values.shape != exact.shape or bool(np.any(np.abs(values - exact) > tol))


def test_notes_numbers_within_rounding_exactly_where_the_notes_are_right():
    """Autograd (not our code) is the reference: the printed values it contradicts are exactly
    grad_W1 and the block labelled Grad b1."""
    x, y = cm.course_example()
    ref = torch_step({k: np.array(v) for k, v in cm.COURSE_PARAMS.items()}, x, y, 0.1)
    ours = course_trace()
    wrong = set()
    for k, (values, decimals) in notes_printed().items():
        if _off(values, decimals, ref[k]):
            wrong.add(k)
        else:
            assert not _off(values, decimals, ours[k]), k
    assert wrong == {"grad_W1", "grad_b1"}


def test_notes_wrong_numbers_come_from_their_relu_formula_and_print_label():
    ns = notes_namespace()
    printed = notes_printed()
    # the notes' own code reproduces the printed grad_W1 ...
    assert not _off(*printed["grad_W1"], ns["grad_W1"])
    # ... and the printed "Grad b1" is grad_b2 (their print statement says so)
    assert 'print(f"Grad b1: {grad_b2}")' in seed_text()
    assert not _off(*printed["grad_b1"], ns["grad_b2"])
    # the notes' grad_b1 (never shown) is ReLU of the signal, not the signal masked by ReLU'
    ours = course_trace()
    signal = cm.COURSE_PARAMS["W2"].T @ ours["grad_z2"]
    np.testing.assert_allclose(np.ravel(ns["grad_b1"]), np.maximum(signal, 0), atol=TOL)
    assert np.any(np.abs(np.ravel(ns["grad_b1"]) - ours["grad_b1"]) > 0.05)


def test_each_notes_mistake_is_real():
    """Every entry is backed by a check; every check by an entry (with its stage and key)."""
    ns = notes_namespace()
    entries = [(m["stage"], m["key"]) for m in notes.NOTES_MISTAKES]
    for m in notes.NOTES_MISTAKES:
        assert set(m) == {"stage", "key", "title", "notes_version", "correct_version",
                          "explanation"}
        assert m["key"] in cm.TRACE_KEYS and all(m[f].strip() for f in m)
    proven = []
    # grad_W1, grad_b1 (formula): the notes' values differ from autograd on the example
    x, y = cm.course_example()
    ref = torch_step({k: np.array(v) for k, v in cm.COURSE_PARAMS.items()}, x, y, 0.1)
    for key in ("grad_W1", "grad_b1"):
        if np.max(np.abs(np.ravel(ns[key]) - np.ravel(ref[key]))) > 0.01:
            proven.append(("backward", key))
    # grad_b1 (print label): the printed block has V entries where b1 has N
    if notes_printed()["grad_b1"][0].size != cm.COURSE_PARAMS["b1"].size:
        proven.append(("backward", "grad_b1"))
    # y_hat: the notes' softmax on a V x m batch does not normalise each column
    Z = rng.normal(0, 1, (5, 4))
    if np.max(np.abs(ns["softmax"](Z) - torch.softmax(torch.tensor(Z), 0).numpy())) > 0.01:
        proven.append(("forward", "y_hat"))
    # loss: on a batch, the notes' cross-entropy is m times the mean the notes define
    Y = np.eye(5)[:, rng.integers(0, 5, 4)]
    P = torch.softmax(torch.tensor(Z), 0).numpy()
    mean = torch.nn.functional.cross_entropy(torch.tensor(Z.T), torch.tensor(Y.T)).item()
    if abs(ns["cross_entropy_loss"](P, Y) - mean) > 0.01:
        np.testing.assert_allclose(ns["cross_entropy_loss"](P, Y), 4 * mean, atol=TOL)
        proven.append(("loss", "loss"))
    # and on one example both are right
    assert not _off(*notes_printed()["y_hat"], ref["y_hat"])
    assert sorted(entries) == sorted(proven)


# --- training -----------------------------------------------------------------------------

def torch_train(params, tokens, C, lr, epochs):
    """The usual torch loop: one SGD step per window, in order; epoch loss = mean of steps."""
    model = torch_model(params)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    vocab = sorted(set(tokens))
    V = len(vocab)
    data = []
    for i in range(C, len(tokens) - C):
        x = torch.zeros(V, dtype=torch.float64)
        for w in tokens[i - C:i] + tokens[i + 1:i + C + 1]:
            x[vocab.index(w)] += 1.0 / (2 * C)
        data.append((x, torch.tensor([vocab.index(tokens[i])])))
    losses = []
    for _ in range(epochs):
        total = 0.0
        for x, t in data:
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(x)[None], t)
            loss.backward()
            opt.step()
            total += loss.item()
        losses.append(total / len(data))
    final = {"W1": model[0].weight, "b1": model[0].bias, "W2": model[2].weight,
             "b2": model[2].bias}
    return losses, {k: v.detach().numpy() for k, v in final.items()}


@pytest.mark.parametrize("case", range(6))
def test_train_equals_a_torch_loop(case):
    if case == 0:
        params, tokens, C, lr, epochs = cm.COURSE_PARAMS, list(cm.COURSE_TOKENS), 2, 0.03, 5
    else:
        tokens = [str(w) for w in rng.choice(list("abcdef"), int(rng.integers(8, 30)))]
        V, N = len(set(tokens)), int(rng.integers(1, 6))
        params, C = random_params(V, N, 0.5), int(rng.integers(1, 4))
        lr, epochs = float(rng.uniform(0.01, 0.5)), int(rng.integers(1, 6))
    ours = cm.train(params, tokens, C, lr, epochs)
    losses, final = torch_train(params, tokens, C, lr, epochs)
    np.testing.assert_allclose(ours["losses"], losses, rtol=0, atol=TOL)
    for k in PARAM_KEYS:
        np.testing.assert_allclose(ours["params"][k], final[k], rtol=0, atol=TOL, err_msg=k)
    assert ours["vocab"] == sorted(set(tokens)) and len(ours["losses"]) == epochs


def test_training_the_course_sentence_lowers_the_loss():
    res = cm.train(cm.COURSE_PARAMS, cm.COURSE_TOKENS, 2, 0.5, 60)
    assert res["losses"][-1] < 0.5 * res["losses"][0]


@pytest.mark.parametrize("args, message", [
    (dict(tokens=list("abcdab")), "V = 5"),
    (dict(epochs=0), "epochs"), (dict(epochs=2.5), "epochs"),
    (dict(C=0), "C"), (dict(C=4), "at least 9"),
    (dict(lr=0), "learning rate"),
])
def test_train_bad_arguments(args, message):
    kwargs = dict(params=cm.COURSE_PARAMS, tokens=cm.COURSE_TOKENS, C=2, lr=0.1, epochs=1)
    with pytest.raises(ValueError, match=message):
        cm.train(**(kwargs | args))


def test_train_divergence_is_reported():
    params = random_params(V=5, N=3, scale=1.0)
    with pytest.raises(FloatingPointError, match="learning rate"):
        cm.train(params, cm.COURSE_TOKENS, 1, 1e200, 3)


def test_init_params_is_seeded_and_shaped():
    a, b, c = cm.init_params(6, 3, 0), cm.init_params(6, 3, 0), cm.init_params(6, 3, 1)
    assert [a[k].shape for k in PARAM_KEYS] == [(3, 6), (3,), (6, 3), (6,)]
    assert all(np.array_equal(a[k], b[k]) for k in PARAM_KEYS)
    assert not np.array_equal(a["W1"], c["W1"])
    assert all(np.all(np.abs(a[k]) <= 0.5) for k in PARAM_KEYS)
    for V, N in ((1, 3), (5, 0), (5.0, 3), (True, 2)):
        with pytest.raises(ValueError):
            cm.init_params(V, N, 0)


# --- embeddings and PCA -------------------------------------------------------------------

def test_embeddings_are_W1_columns_W2_rows_and_their_mean():
    params = random_params(V=7, N=4, scale=1.0)
    emb = cm.embeddings(params)
    for j in range(7):
        np.testing.assert_array_equal(emb["W1"][j], params["W1"][:, j])
        np.testing.assert_array_equal(emb["W2"][j], params["W2"][j])
        np.testing.assert_allclose(emb["average"][j],
                                   (params["W1"][:, j] + params["W2"][j]) / 2, atol=TOL)


@pytest.mark.parametrize("n, N", [(7, 5), (12, 3), (3, 8), (6, 2), (5, 1), (1, 4)])
def test_pca_matches_the_covariance_eigenvectors(n, N):
    X = rng.normal(0, 1, (n, N)) * rng.uniform(0.5, 3, N)
    Y = cm.pca_2d(X)
    assert Y.shape == (n, 2)
    Xc = X - X.mean(0)
    vals, vecs = np.linalg.eigh(Xc.T @ Xc)            # independent route: eigenvectors
    k = min(2, N, n)
    for i in range(k):
        v = vecs[:, -1 - i]
        v = v * np.sign(v[np.abs(v).argmax()])        # documented sign: largest loading > 0
        if vals[-1 - i] > 1e-12:
            np.testing.assert_allclose(Y[:, i], Xc @ v, atol=1e-9)
    np.testing.assert_array_equal(Y[:, k:], 0.0)
    if N == 2:                                        # in 2-D, PCA is a rotation
        d = lambda A: np.linalg.norm(A[:, None] - A[None], axis=-1)
        np.testing.assert_allclose(d(Y), d(X), atol=1e-9)
    X0 = X.copy()
    cm.pca_2d(X)
    np.testing.assert_array_equal(X, X0)


def test_pca_rejects_bad_input():
    for bad in (np.ones(3), np.ones((0, 3)), [[1.0, np.nan]]):
        with pytest.raises(ValueError):
            cm.pca_2d(bad)


# --- what the lesson page asks of the core ------------------------------------------------

def test_lesson_params_are_the_notes_for_their_sentence_else_seeded():
    P = cm.lesson_params(corpus.tokenize(cm.COURSE_TEXT), 3, 0)
    assert list(corpus.tokenize(cm.COURSE_TEXT)) == list(cm.COURSE_TOKENS)
    assert all(P[k] is cm.COURSE_PARAMS[k] for k in PARAM_KEYS)
    for tokens, N, seed in ((cm.COURSE_TOKENS, 3, 1), (cm.COURSE_TOKENS, 4, 0),
                            (list("abcab"), 3, 0)):
        want = cm.init_params(len(set(tokens)), N, seed)
        got = cm.lesson_params(tokens, N, seed)
        assert all(np.array_equal(got[k], want[k]) for k in PARAM_KEYS)


def test_train_report_is_train_with_limits_and_the_plotted_numbers():
    r = cm.train_report(cm.COURSE_PARAMS, list(cm.COURSE_TOKENS), 2, 0.5, 5)
    ref = cm.train(cm.COURSE_PARAMS, cm.COURSE_TOKENS, 2, 0.5, 5)
    np.testing.assert_array_equal(r["losses"], ref["losses"])
    np.testing.assert_array_equal(r["average"], cm.embeddings(ref["params"])["average"])
    np.testing.assert_array_equal(r["xy"], cm.pca_2d(r["average"]))
    for epochs in (0, 501, 2.5, True):
        with pytest.raises(ValueError, match="whole number from 1 to 500"):
            cm.train_report(cm.COURSE_PARAMS, cm.COURSE_TOKENS, 2, 0.5, epochs)
    tokens = ["a", "b", "c", "d", "e"] * 200                # 996 windows: 201 epochs is too many
    with pytest.raises(ValueError, match="more than 200,000 steps"):
        cm.train_report(cm.init_params(5, 3, 0), tokens, 2, 0.5, 201)


def test_formulas_name_every_stage():
    assert set(cm.FORMULAS) == {"tokens", "vocab", "windows", "onehot", "forward", "loss",
                                "backward", "update"}
    assert all(isinstance(f, tuple) and all(isinstance(x, str) for x in f)
               for f in cm.FORMULAS.values())

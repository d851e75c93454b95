"""core.tiny_word2vec against torch autograd, and the README's example against its own text."""
import numpy as np
import pytest
import torch

from core import tiny_word2vec as tw
from core.seeds.tiny_word2vec import README_PRINTED, compare

TOL = 1e-10          # core vs torch autograd, float64
rng = np.random.default_rng(1234)


def torch_step(E, W, b, c, t, lr):
    """Independent oracle: nn.Sequential(Embedding, Linear) + CrossEntropyLoss + SGD."""
    V, d = E.shape
    model = torch.nn.Sequential(torch.nn.Embedding(V, d), torch.nn.Linear(d, V)).double()
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor(E))
        model[1].weight.copy_(torch.tensor(W))
        model[1].bias.copy_(torch.tensor(b))
    v = model[0](torch.tensor([c]))
    v.retain_grad()
    logits = model[1](v)
    logits.retain_grad()
    loss = torch.nn.CrossEntropyLoss()(logits, torch.tensor([t]))
    loss.backward()
    out = {"v": v[0], "logits": logits[0], "probs": torch.softmax(logits[0], 0), "loss": loss,
           "grad_logits": logits.grad[0], "grad_W": model[1].weight.grad,
           "grad_b": model[1].bias.grad, "grad_v": v.grad[0]}
    torch.optim.SGD(model.parameters(), lr=lr).step()
    out.update(E_new=model[0].weight, W_new=model[1].weight, b_new=model[1].bias)
    return {k: x.detach().numpy() for k, x in out.items()}


def random_case(scale=1.0):
    V, d = rng.integers(2, 9), rng.integers(1, 7)
    E, W, b = (rng.normal(0, scale, s) for s in ((V, d), (V, d), (V,)))
    return E, W, b, int(rng.integers(V)), int(rng.integers(V)), float(rng.uniform(1e-3, 2))


def test_keys_are_the_contract_in_order():
    P = tw.README_PARAMS
    trace = tw.sgd_step(P["E"], P["W"], P["b"], 0, 2, 0.1)
    assert list(trace) == ["v", "logits", "exp", "sum_exp", "probs", "loss", "grad_logits",
                           "grad_W", "grad_b", "grad_v", "E_new", "W_new", "b_new"]
    assert all(np.asarray(x).dtype == np.float64 for x in trace.values())


@pytest.mark.parametrize("case", range(60))
def test_step_equals_torch_autograd(case):
    E, W, b, c, t, lr = random_case(scale=[0.1, 1.0, 5.0][case % 3])
    ours, ref = tw.sgd_step(E, W, b, c, t, lr), torch_step(E, W, b, c, t, lr)
    for k, want in ref.items():
        np.testing.assert_allclose(ours[k], want, rtol=0, atol=TOL, err_msg=k)
    np.testing.assert_allclose(ours["exp"] / ours["sum_exp"], ours["probs"], atol=TOL)


def test_torch_check_in_core_agrees_with_independent_torch():
    E, W, b, c, t, lr = random_case()
    ours, ref = tw.torch_sgd_step(E, W, b, c, t, lr), torch_step(E, W, b, c, t, lr)
    for k, want in ref.items():
        np.testing.assert_allclose(ours[k], want, atol=TOL, err_msg=k)


def test_inputs_are_not_mutated_and_only_center_row_moves():
    E, W, b, c, t, lr = random_case()
    copies = E.copy(), W.copy(), b.copy()
    trace = tw.sgd_step(E, W, b, c, t, lr)
    for before, now in zip(copies, (E, W, b)):
        np.testing.assert_array_equal(before, now)
    others = np.arange(len(E)) != c
    np.testing.assert_array_equal(trace["E_new"][others], E[others])


@pytest.mark.parametrize("big", [200.0, 1000.0, -1000.0])
def test_large_logits_stay_finite_and_match_torch(big):
    V, d = 4, 1
    E = np.array([[1.0], [0.5], [0.0], [-1.0]])
    W = np.array([[big], [0.0], [-big], [big / 2]])
    b = np.zeros(V)
    ours, ref = tw.sgd_step(E, W, b, 0, 2, 0.1), torch_step(E, W, b, 0, 2, 0.1)
    assert all(np.all(np.isfinite(x)) for x in ours.values())
    for k, want in ref.items():
        np.testing.assert_allclose(ours[k], want, atol=1e-9 * max(1.0, abs(big)), err_msg=k)


@pytest.mark.parametrize("lr", [0, -0.1, float("nan"), float("inf"), "abc"])
def test_bad_learning_rate_is_refused(lr):
    P = tw.README_PARAMS
    with pytest.raises(ValueError, match="learning rate"):
        tw.sgd_step(P["E"], P["W"], P["b"], 0, 2, lr)


def test_overflow_is_reported_not_returned():
    P = tw.README_PARAMS
    with pytest.raises(FloatingPointError):
        tw.sgd_step(P["E"] * 1e300, P["W"] * 1e300, P["b"], 0, 2, 1e10)


def test_train_equals_torch_training_loop():
    P = tw.README_PARAMS
    pairs, lr, epochs = [(0, 2), (1, 2), (2, 0)], 0.3, 50
    res = tw.train(P["E"], P["W"], P["b"], pairs, lr, epochs)
    model = torch.nn.Sequential(torch.nn.Embedding(3, 2), torch.nn.Linear(2, 3)).double()
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor(P["E"]))
        model[1].weight.copy_(torch.tensor(P["W"]))
        model[1].bias.copy_(torch.tensor(P["b"]))
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    x, y = torch.tensor([c for c, _ in pairs]), torch.tensor([t for _, t in pairs])
    losses = []
    for _ in range(epochs):
        opt.zero_grad()
        loss = torch.nn.CrossEntropyLoss()(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    np.testing.assert_allclose(res["losses"], losses, atol=TOL)
    np.testing.assert_allclose(res["E"], model[0].weight.detach().numpy(), atol=TOL)
    np.testing.assert_allclose(res["W"], model[1].weight.detach().numpy(), atol=TOL)
    np.testing.assert_allclose(res["b"], model[1].bias.detach().numpy(), atol=TOL)
    assert res["losses"][-1] < res["losses"][0]


# --- the README's example (seed 000) --------------------------------------------------------

def readme_trace():
    P = tw.README_PARAMS
    return tw.sgd_step(P["E"], P["W"], P["b"], tw.README_CENTER, tw.README_TARGET, tw.README_LR)


def test_readme_params_are_the_readme_text():
    """The oracle here is the seed file itself: its printed tensors parse to our constants."""
    import re
    from tests.conftest import ROOT
    text = (ROOT.parent / "shared" / "seeds" / "000_2eadd7d0d5776b41.txt").read_text()
    tensors = [np.array(eval(m)) for m in re.findall(r"tensor\((\[.*?\])\)", text, re.S)]
    np.testing.assert_array_equal(tensors[0], tw.README_PARAMS["E"])
    np.testing.assert_array_equal(tensors[1], tw.README_PARAMS["W"])
    np.testing.assert_array_equal(tensors[2], tw.README_PARAMS["b"])


def test_readme_values_within_rounding_where_the_readme_is_right():
    """Hand arithmetic at 4 decimals, done independently of our code, for the lines the README
    gets right: the loss, p[cat], and the cat row of the W update."""
    tr = readme_trace()
    assert round(tr["loss"], 3) == 1.007                      # -log(0.3653) = 1.0070
    assert round(tr["probs"][1], 4) == 0.2225
    np.testing.assert_allclose(tr["grad_W"][1], [-0.2211, -0.1034], atol=5e-5)
    np.testing.assert_allclose(tr["W_new"][1], [0.43621, -0.09846], atol=1e-5)
    # E[dog] after the step, as the issue states it: about [-0.9774, -0.4682]
    np.testing.assert_allclose(tr["E_new"][0], [-0.9774, -0.4682], atol=5e-5)


def test_readme_slips_are_exactly_the_values_off_by_more_than_rounding():
    """By hand: z0 = 0.345709 - 0.171279 - 0.5017 = -0.327270 (README -0.3271, slip), etc.
    The flagged set is checked against an independent re-derivation with plain arithmetic."""
    tr = readme_trace()
    rows = compare(tr)
    assert len(rows) == sum(np.size(v) for v, _ in README_PRINTED.values())
    off = {(r["key"], r["index"]) for r in rows if r["off"]}
    # Logits by hand from the README's own inputs.
    z = [(-0.9937) * (-0.3479) + (-0.4648) * 0.3685 - 0.5017,
         (-0.9937) * 0.4141 + (-0.4648) * (-0.1088) - 0.5832,
         (-0.9937) * 0.1766 + (-0.4648) * 0.1483 - 0.2037]
    for j, printed in enumerate([-0.3271, -0.9445, -0.4482]):
        assert (abs(printed - z[j]) > 5e-5) == (("logits", (j,)) in off)
    # grad_W row 0 = p0 * v: 0.41223 * -0.9937 = -0.40964 (README -0.4094: a slip).
    assert ("grad_W", (0, 0)) in off and ("grad_W", (0, 1)) in off
    assert ("grad_W", (1, 0)) not in off and ("grad_W", (2, 1)) not in off
    # The loss 1.007 is right to its 3 decimals.
    assert ("loss", ()) not in off
    for r in rows:
        assert r["off"] == (r["reason"] != "")


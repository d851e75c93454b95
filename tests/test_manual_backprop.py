"""core.manual_backprop against torch autograd (float64), and the seed's formulas."""
import numpy as np
import pytest
import torch

from core import manual_backprop as mb

TOL = 1e-10
rng = np.random.default_rng(7)


def autograd(embedding, linear, index, lr):
    """Independent oracle: the seed's loss built in torch, gradients by autograd."""
    V = embedding.shape[0]
    emb = torch.tensor(embedding, requires_grad=True)
    e = emb[index]
    e.retain_grad()
    x = e @ torch.tensor(linear)
    x.retain_grad()
    o = torch.exp(x) / torch.exp(x).sum()
    o.retain_grad()
    y = torch.zeros(V, dtype=torch.float64)
    y[index] = 1
    loss = -1 / V * torch.inner(y, torch.log(o))
    loss.backward()
    return {"e": e.detach().numpy(), "x": x.detach().numpy(), "o": o.detach().numpy(),
            "loss": loss.item(), "dL_do": o.grad.numpy(), "dL_dx": x.grad.numpy(),
            "dL_de": e.grad.numpy(), "embedding_new": (emb - lr * emb.grad).detach().numpy()}


def test_keys_in_order():
    E, L = mb.init_params(8, 10, 0)
    assert list(mb.step(E, L, 4, 1.0)) == ["e", "x", "o", "loss", "dL_do", "dL_dx", "dL_de",
                                           "embedding_new"]


@pytest.mark.parametrize("case", range(40))
def test_step_equals_autograd(case):
    V, d = int(rng.integers(2, 12)), int(rng.integers(1, 12))
    E, L = rng.normal(0, [0.3, 1, 2][case % 3], (V, d)), rng.normal(0, 1, (d, V))
    index, lr = int(rng.integers(V)), float(rng.uniform(0.01, 3))
    ours, ref = mb.step(E, L, index, lr), autograd(E, L, index, lr)
    for k, want in ref.items():
        np.testing.assert_allclose(ours[k], want, rtol=1e-9, atol=TOL, err_msg=k)
    np.testing.assert_allclose(ours["dL_dx"], (ours["o"] - np.eye(V)[index]) / V, atol=TOL)


def test_core_torch_oracle_agrees():
    E, L = mb.init_params(8, 10, 3)
    ours, ref = mb.torch_step(E, L, 2, 0.5), autograd(E, L, 2, 0.5)
    for k, want in ref.items():
        np.testing.assert_allclose(ours[k], want, atol=TOL, err_msg=k)


def test_only_the_word_row_moves_and_inputs_untouched():
    E, L = mb.init_params(8, 4, 1)
    E0 = E.copy()
    new = mb.step(E, L, 3, 1.0)["embedding_new"]
    np.testing.assert_array_equal(E, E0)
    np.testing.assert_array_equal(np.delete(new, 3, 0), np.delete(E, 3, 0))
    assert not np.array_equal(new[3], E[3])


def test_run_equals_a_torch_loop_and_learns():
    E, L = mb.init_params(8, 10, 0)
    res = mb.run(E, L, 4, 1.0, 20)
    emb = torch.tensor(E, requires_grad=True)
    lin = torch.tensor(L)
    losses = []
    for _ in range(20):
        o = torch.softmax(emb[4] @ lin, 0)
        loss = -torch.log(o[4]) / 8
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            emb -= 1.0 * emb.grad
            emb.grad.zero_()
    np.testing.assert_allclose(res["losses"], losses, atol=TOL)
    np.testing.assert_allclose(res["embedding"], emb.detach().numpy(), atol=1e-9)
    assert res["losses"][-1] < res["losses"][0] and res["probs"][4] > 0.5


def test_vocab_first_appearance_is_stable():
    assert mb.vocab_first_appearance(mb.SEED_WORDS) == ["the", "quick", "brown", "fox",
                                                        "jumps", "over", "lazy", "dog"]


@pytest.mark.parametrize("lr", [0, -1, float("nan"), "x"])
def test_bad_lr(lr):
    E, L = mb.init_params(3, 2, 0)
    with pytest.raises(ValueError, match="learning rate"):
        mb.step(E, L, 0, lr)

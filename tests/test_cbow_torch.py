"""core.cbow_torch against torch autograd (float64): the seed's CBOWModel, one SGD step."""
import numpy as np
import pytest
import torch

from core import cbow_torch as ct

TOL = 1e-10
rng = np.random.default_rng(11)


def seed_model_step(E, W, b, context, target, lr):
    """Independent oracle: nn.Embedding + mean + nn.Linear, CrossEntropyLoss, optim.SGD."""
    V, d = E.shape
    emb, lin = torch.nn.Embedding(V, d).double(), torch.nn.Linear(d, V).double()
    with torch.no_grad():
        emb.weight.copy_(torch.tensor(E))
        lin.weight.copy_(torch.tensor(W))
        lin.bias.copy_(torch.tensor(b))
    h = emb(torch.tensor([context])).mean(dim=1)
    logits = lin(h)
    loss = torch.nn.CrossEntropyLoss()(logits, torch.tensor([target]))
    loss.backward()
    grads = {"grad_W": lin.weight.grad.numpy().copy(), "grad_b": lin.bias.grad.numpy().copy(),
             "grad_E": emb.weight.grad.numpy().copy(), "loss": loss.item(),
             "h": h.detach().numpy()[0], "logits": logits.detach().numpy()[0]}
    torch.optim.SGD(list(emb.parameters()) + list(lin.parameters()), lr=lr).step()
    grads.update(E_new=emb.weight.detach().numpy(), W_new=lin.weight.detach().numpy(),
                 b_new=lin.bias.detach().numpy())
    return grads


@pytest.mark.parametrize("case", range(40))
def test_step_equals_the_seed_model(case):
    V, d = int(rng.integers(2, 10)), int(rng.integers(1, 8))
    E, W, b = ct.init_params(V, d, case)
    context = list(rng.integers(0, V, int(rng.integers(1, 6))))  # repeats happen
    target, lr = int(rng.integers(V)), float(rng.uniform(0.001, 2))
    ours, ref = ct.sgd_step(E, W, b, context, target, lr), seed_model_step(E, W, b, context,
                                                                          target, lr)
    for k, want in ref.items():
        np.testing.assert_allclose(ours[k], want, atol=TOL, err_msg=k)


def test_keys_and_core_oracle():
    E, W, b = ct.init_params(8, 5, 0)
    ours = ct.sgd_step(E, W, b, [1, 2, 4, 5], 3, 0.01)
    assert tuple(ours) == ct.STEP_KEYS
    ref = ct.torch_step(E, W, b, [1, 2, 4, 5], 3, 0.01)
    for k in ct.STEP_KEYS:
        np.testing.assert_allclose(ours[k], ref[k], atol=TOL, err_msg=k)


def test_only_context_rows_get_gradient_each_grad_h_over_C():
    E, W, b = ct.init_params(8, 5, 1)
    context = [1, 2, 4, 5]
    tr = ct.sgd_step(E, W, b, context, 3, 0.01)
    for r in range(8):
        want = tr["grad_h"] / 4 if r in context else np.zeros(5)
        np.testing.assert_allclose(tr["grad_E"][r], want, atol=TOL)


def test_repeated_context_word_accumulates():
    E, W, b = ct.init_params(8, 5, 2)
    tr = ct.sgd_step(E, W, b, [1, 1, 4], 3, 0.01)
    np.testing.assert_allclose(tr["grad_E"][1], 2 * tr["grad_h"] / 3, atol=TOL)
    np.testing.assert_allclose(tr["grad_E"][4], tr["grad_h"] / 3, atol=TOL)


@pytest.mark.parametrize("args,match", [(([], 3, 0.01), "context"), (([9], 3, 0.01), "indices"),
                                        (([1], 3, 0.0), "learning rate")])
def test_bad_arguments(args, match):
    E, W, b = ct.init_params(8, 5, 0)
    with pytest.raises(ValueError, match=match):
        ct.sgd_step(E, W, b, *args)

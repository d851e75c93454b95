"""core.cbow_torch against torch autograd (float64): the seed's CBOWModel, one SGD step."""
import numpy as np
import pytest
import torch

from core import cbow_torch as ct

TOL = 1e-10        # float64 agreement with autograd, relative and absolute
STAT_TOL = 0.05    # sampling error allowed when checking the init's distribution
KEYS = ("context_vectors", "h", "logits", "probs", "loss", "grad_logits", "grad_W", "grad_b",
        "grad_h", "grad_E", "E_new", "W_new", "b_new")


def close(actual, desired, msg=""):
    np.testing.assert_allclose(actual, desired, rtol=TOL, atol=TOL, err_msg=msg)


def seed_model_step(E, W, b, context, target, lr):
    """Independent oracle: nn.Embedding + mean + nn.Linear, CrossEntropyLoss, optim.SGD."""
    V, d = E.shape
    emb, lin = torch.nn.Embedding(V, d).double(), torch.nn.Linear(d, V).double()
    with torch.no_grad():
        emb.weight.copy_(torch.tensor(E))
        lin.weight.copy_(torch.tensor(W))
        lin.bias.copy_(torch.tensor(b))
    embeds = emb(torch.tensor([context]))                       # (1, C, d)
    embeds.retain_grad()
    h = embeds.mean(dim=1)                                      # (1, d)
    h.retain_grad()
    logits = lin(h)                                             # (1, V)
    logits.retain_grad()
    loss = torch.nn.CrossEntropyLoss()(logits, torch.tensor([target]))
    loss.backward()
    out = {"context_vectors": embeds[0], "h": h[0], "logits": logits[0],
           "probs": torch.softmax(logits[0], 0), "loss": loss, "grad_logits": logits.grad[0],
           "grad_W": lin.weight.grad, "grad_b": lin.bias.grad, "grad_h": h.grad[0],
           "grad_E": emb.weight.grad}
    out = {k: v.detach().numpy().copy() for k, v in out.items()}
    torch.optim.SGD(list(emb.parameters()) + list(lin.parameters()), lr=lr).step()
    out.update(E_new=emb.weight.detach().numpy(), W_new=lin.weight.detach().numpy(),
               b_new=lin.bias.detach().numpy())
    return out


def unpack(params):
    return params["E"], params["W"], params["b"]


def random_case(seed):
    rng = np.random.default_rng(seed)
    V, d = int(rng.integers(2, 11)), int(rng.integers(1, 9))
    E, W, b = unpack(ct.init_params(V, d, seed))
    scale = [0.5, 1.0, 4.0, 40.0][seed % 4]  # 40 gives logits above 50: the shifted softmax
    context = [int(c) for c in rng.integers(0, V, int(rng.integers(1, 8)))]
    if seed % 3 == 0:
        context.append(context[0])           # a word repeated in the context
    return E * scale, W * scale, b, context, int(rng.integers(V)), float(rng.uniform(1e-3, 2))


# --- one step against autograd ------------------------------------------------------------

def test_cbow_torch_keys_in_order():
    E, W, b = unpack(ct.init_params(8, 5, 0))
    assert tuple(ct.sgd_step(E, W, b, [1, 2, 4, 5], 3, 0.01)) == KEYS


@pytest.mark.parametrize("seed", range(60))
def test_cbow_torch_step_equals_the_seed_model(seed):
    case = random_case(seed)
    ours, ref = ct.sgd_step(*case), seed_model_step(*case)
    for k in KEYS:
        close(ours[k], ref[k], k)


def test_cbow_torch_cases_reach_the_shifted_softmax_and_repeats():
    cases = [random_case(s) for s in range(60)]
    assert any(np.abs(ct.sgd_step(*c)["logits"]).max() > 50 for c in cases)
    assert any(len(set(c[3])) < len(c[3]) for c in cases)


@pytest.mark.parametrize("seed", range(6))
def test_cbow_torch_torch_step_equals_oracle(seed):
    case = random_case(seed)
    ours, ref = ct.torch_step(*case), seed_model_step(*case)
    assert tuple(ours) == KEYS
    for k in KEYS:
        close(ours[k], ref[k], k)


def test_cbow_torch_torch_step_leaves_the_global_rng_alone():
    torch.manual_seed(0)
    want = torch.rand(3)
    torch.manual_seed(0)
    ct.torch_step(*random_case(1))
    assert torch.equal(torch.rand(3), want)


# --- which rows of E learn ------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(12))
def test_cbow_torch_only_context_rows_get_gradient_each_grad_h_over_C(seed):
    E, W, b, context, target, lr = random_case(seed)
    ours, ref = ct.sgd_step(E, W, b, context, target, lr), seed_model_step(E, W, b, context,
                                                                         target, lr)
    C = len(context)
    for r in range(E.shape[0]):
        close(ours["grad_E"][r], context.count(r) * ref["grad_h"] / C, f"row {r}")
        if r not in context:
            np.testing.assert_array_equal(ours["E_new"][r], E[r])


def test_cbow_torch_repeated_context_word_accumulates():
    E, W, b = unpack(ct.init_params(8, 5, 2))
    ours = ct.sgd_step(E, W, b, [1, 1, 4], 3, 0.01)
    ref = seed_model_step(E, W, b, [1, 1, 4], 3, 0.01)
    close(ours["grad_E"][1], 2 * ref["grad_h"] / 3, "twice")
    close(ours["grad_E"][4], ref["grad_h"] / 3, "once")
    once = ct.sgd_step(E, W, b, [1, 4], 3, 0.01)
    assert not np.allclose(once["grad_E"][1], ours["grad_E"][1])


def test_cbow_torch_inputs_untouched():
    E, W, b = unpack(ct.init_params(8, 5, 3))
    before = [a.copy() for a in (E, W, b)]
    context = [1, 2, 4, 5]
    ct.sgd_step(E, W, b, context, 3, 0.5)
    ct.torch_step(E, W, b, context, 3, 0.5)
    for a, a0 in zip((E, W, b), before):
        np.testing.assert_array_equal(a, a0)
    assert context == [1, 2, 4, 5]


# --- the seed's setup -----------------------------------------------------------------------

def test_cbow_torch_seed_vocabulary_and_default_example():
    word_to_ix = {"the": 0, "quick": 1, "brown": 2, "fox": 3, "jumps": 4, "over": 5,
                  "lazy": 6, "dog": 7}                      # copied from the seed
    assert {w: i for i, w in enumerate(ct.VOCAB)} == word_to_ix
    assert [word_to_ix[w] for w in ct.DEFAULT_CONTEXT] == [1, 2, 4, 5]
    assert word_to_ix[ct.DEFAULT_TARGET] == 3


def test_cbow_torch_init_params_like_torch_defaults():
    V, d = 400, 9
    E, W, b = unpack(ct.init_params(V, d, 4))
    torch.manual_seed(4)
    emb, lin = torch.nn.Embedding(V, d), torch.nn.Linear(d, V)
    assert E.shape == tuple(emb.weight.shape) and W.shape == tuple(lin.weight.shape)
    assert b.shape == tuple(lin.bias.shape)
    for ours, theirs in [(E, emb.weight), (W, lin.weight), (b, lin.bias)]:
        theirs = theirs.detach().numpy()
        assert abs(ours.mean() - theirs.mean()) < STAT_TOL
        assert abs(ours.std() / theirs.std() - 1) < 2 * STAT_TOL
        assert abs(np.abs(ours).max() / np.abs(theirs).max() - 1) < 2 * STAT_TOL
    bound = 1 / np.sqrt(d)
    assert np.abs(W).max() <= bound and np.abs(b).max() <= bound
    np.testing.assert_array_equal(ct.init_params(V, d, 4)["W"], W)
    assert not np.array_equal(ct.init_params(V, d, 5)["W"], W)


# --- bad input ------------------------------------------------------------------------------

@pytest.mark.parametrize("context,target,lr,match", [
    ([], 3, 0.01, "at least one word"), ([9], 3, 0.01, "between 0 and 7"),
    ([-1], 3, 0.01, "between 0 and 7"), ([1], 8, 0.01, "between 0 and 7"),
    ("quick", 3, 0.01, "list of word indices"), ([1.5], 3, 0.01, "word indices"),
    ([True], 3, 0.01, "word indices"), ([1], "fox", 0.01, "word indices"),
    ([1], 3, 0.0, "learning rate"), ([1], 3, float("nan"), "learning rate"),
    ([1], 3, "fast", "learning rate")])
def test_cbow_torch_bad_arguments(context, target, lr, match):
    E, W, b = unpack(ct.init_params(8, 5, 0))
    for fn in (ct.sgd_step, ct.torch_step):
        with pytest.raises(ValueError, match=match):
            fn(E, W, b, context, target, lr)


@pytest.mark.parametrize("shapes,match", [(((8, 5), (5, 8), (8,)), "shape"),
                                          (((8, 5), (8, 5), (5,)), "shape"),
                                          (((1, 5), (1, 5), (1,)), "V >= 2")])
def test_cbow_torch_bad_params(shapes, match):
    E, W, b = (np.ones(s) for s in shapes)
    with pytest.raises(ValueError, match=match):
        ct.sgd_step(E, W, b, [0], 0, 0.1)


@pytest.mark.parametrize("V,d,seed,match", [(1, 5, 0, "vocabulary"), (8, 0, 0, "embedding"),
                                            (8, 5, -2, "seed"), (8, 5.0, 0, "embedding")])
def test_cbow_torch_bad_init(V, d, seed, match):
    with pytest.raises(ValueError, match=match):
        ct.init_params(V, d, seed)


# --- the lesson's pieces in core: the context, the sentence's windows, training ----------------

def test_cbow_torch_parse_context_typed_wins_and_keeps_repeats():
    assert ct.parse_context("quick, quick, over", ["dog"]) == (1, 1, 5)
    assert ct.parse_context("  ", ["dog", "the"]) == (7, 0)
    assert ct.parse_context("", list(ct.DEFAULT_CONTEXT)) == ct.DEFAULT_EXAMPLE["context"]
    for typed, picked, match in [("quick, unicorn", (), "“unicorn” is not in the vocabulary"),
                                 ("", (), "1 to 10 words"), (" , ,, ", ["dog"], "1 to 10 words"),
                                 (", ".join(["quick"] * 11), (), "1 to 10 words")]:
        with pytest.raises(ValueError, match=match):
            ct.parse_context(typed, picked)


@pytest.mark.parametrize("seed", range(40))
def test_cbow_torch_parse_context_reads_like_parse_word_list(seed):
    """Reading only the first 11 words gives parse_word_list's answer (or refuses, as it does)."""
    from core.common import parse_word_list
    rng = np.random.default_rng(seed)
    pool = list(ct.VOCAB) + ["unicorn", " ", "", "\u202e", "\u200b", "Quick", "p" * 31]
    text = ",".join(rng.choice(pool, int(rng.integers(0, 16))))
    try:
        want = parse_word_list(text, ct.VOCAB, 1, ct.MAX_CONTEXT)
    except ValueError:
        with pytest.raises(ValueError):
            ct.parse_context(text)
    else:
        assert ct.parse_context(text) == want


def test_cbow_torch_parse_context_megabytes():
    with pytest.raises(ValueError, match="“w” is not in the vocabulary"):
        ct.parse_context("w, " * 3_500_000)
    with pytest.raises(ValueError, match="1 to 10 words"):
        ct.parse_context("quick, " * 150_000)


def test_cbow_torch_sentence_examples_are_the_windows():
    words = ct.SENTENCE.split()
    examples = ct.sentence_examples(C=2)
    assert len(examples) == len(words) - 4
    for k, (context, target) in enumerate(examples):
        i = k + 2
        assert [ct.VOCAB[c] for c in context] == words[i - 2:i] + words[i + 1:i + 3]
        assert ct.VOCAB[target] == words[i]
    assert (ct.DEFAULT_EXAMPLE["context"], ct.DEFAULT_EXAMPLE["target"]) in examples


def test_cbow_torch_train_is_steps_in_order_and_loss_falls():
    params = ct.init_params(8, 5, 0)
    examples = ct.sentence_examples(C=2)
    result = ct.train(params, examples, 0.1, 2)
    p, losses = params, []
    for _ in range(2):
        total = 0.0
        for context, target in examples:
            tr = ct.sgd_step(*unpack(p), context, target, 0.1)
            total += tr["loss"]
            p = {"E": tr["E_new"], "W": tr["W_new"], "b": tr["b_new"]}
        losses.append(total / len(examples))
    close(result["losses"], losses)
    for k in "EWb":
        close(result["params"][k], p[k], k)
    long = ct.train(params, examples, 0.1, 100)["losses"]
    assert long[-1] < 0.5 * long[0]
    for epochs in (0, ct.MAX_EPOCHS + 1):
        with pytest.raises(ValueError, match="epochs"):
            ct.train(params, examples, 0.1, epochs)


# --- the page's worksheet lines: every number plugged in is the value it names ------------------

def page_ctx(settings=None, params=None):
    from pages.cbow_torch import L
    from ui.lesson import Ctx
    settings = {**L.settings, **(settings or {})}
    ex = L.read(settings, params if params is not None else L.fresh(settings, 0, None))
    return Ctx(L, settings, ex, ct.trace_step(ex.params, ex.example, ex.lr), 4, 0, 0)


def line_problems(c, line):
    """What is wrong with a worksheet Line: a plugged-in number that is not the value it names,
    an unnamed number that is not a whole constant, or a result the expression does not give."""
    from ui import worksheet as ws
    if not isinstance(line, ws.Line):
        return ["not a worksheet Line"]
    out = []
    for leaf in (line.expr.leaves() if line.expr is not None else []) + [line.result]:
        if leaf.src is None:
            if leaf.digits != 0 or leaf.x != int(leaf.x):
                out.append(f"{leaf.x} has no source")
            continue
        name, index = leaf.src
        want = c.value(name)
        if leaf.x != float(want[index] if index else want):
            out.append(f"{name}{list(index)} shown as {leaf.x}")
    if line.result.src is None:
        out.append("the result has no source")
    if line.expr is not None and not np.isclose(line.expr.value(), line.result.x, rtol=TOL,
                                                atol=TOL):
        out.append(f"{line.expr.value()} != {line.result.x}")
    return out


def page_lines(c):
    return [(s.name, line) for s in c.lesson.stages(c) for line in (s.lines(c) if s.lines else [])]


CASES = [({}, None), ({"context_text": "quick, quick, over, quick", "target": 0}, None),
         ({"context_text": "dog", "dim": 1}, None),
         ({"context_text": "the, lazy, the", "dim": 3}, {k: v * 40 for k, v in
                                                         ct.init_params(8, 3, 2).items()})]


@pytest.mark.parametrize("settings,params", CASES)
def test_cbow_torch_page_lines_plug_in_the_trace_and_add_up(settings, params):
    c = page_ctx(settings, params)
    lines = page_lines(c)
    for stage, line in lines:
        assert not line_problems(c, line), (stage, line.label, line_problems(c, line))
        line.tex(c.decimals)
    shown = {line.result.src for _, line in lines}
    context, d = c.ex.example["context"], c.params["E"].shape[1]
    want = ({("h", (i,)) for i in range(d)} | {("logits", (j,)) for j in range(8)} |
            {("probs", (j,)) for j in range(8)} | {("loss", ())} |
            {("grad_logits", (j,)) for j in range(8)} | {("grad_h", (i,)) for i in range(d)} |
            {(k, (x, i)) for k in ("grad_E", "E_new") for x in set(context) for i in range(d)})
    assert want <= shown, want - shown
    h0 = next(line for _, line in lines if line.result.src == ("h", (0,)))
    assert [leaf.src for leaf in h0.expr.leaves() if leaf.src] == [("E", (x, 0)) for x in context]


def test_cbow_torch_page_lines_catch_a_dropped_repeat_count():
    """grad_E written as grad_h / C without the count fails the check when a word repeats."""
    from ui import worksheet as ws
    c = page_ctx({"context_text": "quick, quick, over"})
    t, C = c.trace, 3
    ok = [line for _, line in page_lines(c) if line.result.src == ("grad_E", (1, 0))]
    assert len(ok) == 1 and not line_problems(c, ok[0])
    bug = ws.Line("bug", ws.div(ws.val(t, "grad_h", 0), ws.const(C)), ws.val(t, "grad_E", 1, 0))
    assert line_problems(c, bug)

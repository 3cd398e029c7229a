"""nn.interop <-> PyTorch: same outputs and the same gradient for every parameter (float64, 1e-12), every loss's
PyTorch form, from_torch's errors and the round trip. PyTorch is the independent truth here."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nn
from autograd_mini import Tensor, Value
from nn.interop import TORCH_LOSSES, from_torch, to_torch, torch_loss
from tests._optional import require_module

torch = require_module("torch", "torch")
TOL = {"rtol": 1e-12, "atol": 1e-12}
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HIDDEN = [a for a in nn.ACTIVATIONS if a != "softmax"]


# -- helpers ---------------------------------------------------------------------------------------------------------
def dense_layers(model):
    """Our layers in order (MLP, Layer, Sequential of them)."""
    if isinstance(model, nn.MLP):
        return list(model.layers)
    if isinstance(model, nn.Layer):
        return [model]
    if isinstance(model, nn.Sequential):
        return [layer for item in model.layers for layer in dense_layers(item)]
    return []


def our_grads(layer):
    if layer.engine == "value":
        dW = np.array([[n.w[i].grad for n in layer.neurons] for i in range(layer.nin)])
        return dW, np.array([n.b.grad for n in layer.neurons])
    return layer.weight.grad, layer.bias.grad


def torch_grads(module):
    return [(m.weight.grad.numpy().T, m.bias.grad.numpy()) for m in module if isinstance(m, torch.nn.Linear)]


def our_forward(model, X):
    """(batch, n_out) outputs and the graph output to feed a loss."""
    if nn.architecture.engine_dtype(model)[0] == "tensor":
        out = model(X)
        return out.data, out
    outs = [model(list(x)) for x in X]
    flat = np.array([[o.data] if isinstance(o, Value) else [v.data for v in o] for o in outs])
    return flat, outs


def targets(loss, shape, rng):
    """A valid target for ``loss`` and outputs of ``shape`` (batch, n_out)."""
    if loss in ("cross_entropy", "nll_loss"):
        return rng.integers(0, shape[1], size=shape[0])
    if loss == "hinge":
        return rng.choice([-1.0, 1.0], size=shape)
    if loss in ("symmetric_cross_entropy", "kl_divergence"):
        t = rng.uniform(0.0, 1.0, size=shape) * (rng.uniform(size=shape) < 0.7)
        t[:, 0] += 0.1
        return t / t.sum(axis=1, keepdims=True)
    if loss in ("binary_cross_entropy", "binary_cross_entropy_with_logits"):
        return rng.uniform(0.0, 1.0, size=shape)
    return rng.normal(size=shape)


def losses_for(last, n_out):
    """Losses defined for an output layer with activation ``last``."""
    names = ["squared_error", "half_squared_error", "mse", "hinge", "binary_cross_entropy_with_logits"]
    if last == "softmax":
        names += ["binary_cross_entropy", "symmetric_cross_entropy", "kl_divergence"]
    if last == "sigmoid":
        names += ["binary_cross_entropy"]
    if last == "linear" and n_out > 1:
        names += ["cross_entropy"]
    return names


@st.composite
def mlps(draw):
    nin = draw(st.integers(1, 4))
    sizes = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
    acts = [draw(st.sampled_from(HIDDEN)) for _ in sizes[:-1]]
    last = draw(st.sampled_from([*HIDDEN, "softmax"] if sizes[-1] > 1 else HIDDEN))
    engine = draw(st.sampled_from(nn.ENGINES))
    seed = draw(st.integers(0, 2**16))
    model = nn.MLP(nin, sizes, activation=[*acts, last], engine=engine, seed=seed, init="glorot")
    loss = draw(st.sampled_from(losses_for(last, sizes[-1])))
    batch = draw(st.integers(1, 4))
    return model, loss, batch, seed


# -- to_torch ----------------------------------------------------------------------------------------------------------
@SETTINGS
@given(mlps())
def test_to_torch_same_outputs_and_parameter_gradients(case):
    model, loss, batch, seed = case
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(batch, model.nin))
    out, graph = our_forward(model, X)
    y = targets(loss, out.shape, rng)
    module = to_torch(model)
    assert all(p.dtype == torch.float64 for p in module.parameters())
    t_out = module(torch.from_numpy(X))
    np.testing.assert_allclose(t_out.detach().numpy(), out, **TOL)

    model.zero_grad()
    nn.get_loss(loss)(graph, y).backward()
    torch_loss(loss)(t_out, y).backward()
    for layer, (dW, db) in zip(dense_layers(model), torch_grads(module), strict=True):
        ours_W, ours_b = our_grads(layer)
        np.testing.assert_allclose(dW, ours_W, **TOL)
        np.testing.assert_allclose(db, ours_b, **TOL)


@pytest.mark.parametrize("engine", nn.ENGINES)
@pytest.mark.parametrize("act", list(nn.ACTIVATIONS))
def test_every_activation_same_outputs_and_gradients(act, engine):
    acts = ["tanh", "tanh", act] if act == "softmax" else [act, act, "linear"]
    model = nn.MLP(3, [5, 4, 3], activation=acts, engine=engine, seed=7)
    X = np.random.default_rng(7).normal(scale=2.0, size=(6, 3))
    out, graph = our_forward(model, X)
    module = to_torch(model)
    t_out = module(torch.from_numpy(X))
    np.testing.assert_allclose(t_out.detach().numpy(), out, **TOL)
    y = targets("squared_error", out.shape, np.random.default_rng(8))
    nn.squared_error(graph, y).backward()
    torch_loss("squared_error")(t_out, y).backward()
    for layer, (dW, db) in zip(dense_layers(model), torch_grads(module), strict=True):
        np.testing.assert_allclose(dW, our_grads(layer)[0], **TOL)
        np.testing.assert_allclose(db, our_grads(layer)[1], **TOL)


def test_weight_convention_is_transposed():
    model = nn.Layer(3, 2, activation="tanh", engine="tensor", rng=0)
    module = to_torch(model)
    assert tuple(module[0].weight.shape) == (2, 3)
    np.testing.assert_array_equal(module[0].weight.detach().numpy(), model.W.T)
    np.testing.assert_array_equal(module[0].bias.detach().numpy(), model.b)
    assert isinstance(module[1], torch.nn.Tanh)


def test_step_activations_pass_zero_gradient_not_none():
    for act, expected in (("hardlimit", [0.0, 1.0, 1.0]), ("sign", [-1.0, 1.0, 1.0])):
        layer = nn.Layer(1, 3, activation=act, engine="tensor", rng=0)
        layer.set_weights([[1.0, 1.0, 1.0]], [-1.0, 0.0, 1.0])  # n = -1, 0, 1 for x = 0: the step at 0 included
        module = to_torch(layer)
        out = module(torch.zeros(1, 1, dtype=torch.float64))
        np.testing.assert_array_equal(out.detach().numpy()[0], expected)
        np.testing.assert_array_equal(layer(np.zeros((1, 1))).data[0], expected)
        out.sum().backward()
        np.testing.assert_array_equal(module[0].weight.grad.numpy(), 0.0)


def test_leaky_relu_slope_and_softmax_axis():
    model = nn.MLP(2, [3, 3], activation=["leaky_relu", "softmax"], engine="tensor", seed=3)
    module = to_torch(model)
    assert module[1].negative_slope == nn.LEAKY_ALPHA
    assert module[3].dim == -1


def test_sequential_of_layers_and_activation_functions_on_float32():
    model = nn.Sequential(
        nn.Linear(3, 4, engine="tensor", rng=1, dtype="float32"),
        nn.relu,
        nn.Layer(4, 2, activation="sigmoid", engine="tensor", rng=2, dtype="float32"),
        nn.softmax,
    )
    module = to_torch(model)
    assert all(p.dtype == torch.float32 for p in module.parameters())
    X = np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32)
    np.testing.assert_allclose(module(torch.from_numpy(X)).detach().numpy(), model(X).data, rtol=1e-6, atol=1e-6)


def test_to_torch_refuses_what_it_cannot_convert():
    with pytest.raises(ValueError, match=r"cannot describe a Neuron: supported are MLP, Layer, Linear, Sequential"):
        to_torch(nn.Neuron(2))
    with pytest.raises(ValueError, match=r"MLPClassifier \(an estimator's network is its \.model_\)"):
        to_torch(nn.MLPClassifier())


# -- losses ------------------------------------------------------------------------------------------------------------
def _loss_output(name, rng, shape):
    logits = rng.normal(size=shape) * 2
    if name in ("binary_cross_entropy", "symmetric_cross_entropy", "kl_divergence"):
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    if name == "nll_loss":
        return logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    return logits


@pytest.mark.parametrize("reduction", ["sum", "mean"])
@pytest.mark.parametrize("name", list(nn.LOSSES))
def test_every_loss_has_its_torch_form(name, reduction):
    rng = np.random.default_rng(len(name))
    shape = (4, 3)
    a = _loss_output(name, rng, shape)
    targets_to_try = [targets(name, shape, rng)]
    if name in ("cross_entropy", "symmetric_cross_entropy", "kl_divergence"):  # labels and distributions
        other = targets("kl_divergence" if name == "cross_entropy" else "cross_entropy", shape, rng)
        targets_to_try.append(other)
    for y in targets_to_try:
        ours_in = Tensor(a, requires_grad=True)
        ours = nn.get_loss(name)(ours_in, y, reduction=reduction)
        ours.backward()
        theirs_in = torch.tensor(a, requires_grad=True)
        theirs = torch_loss(name, reduction)(theirs_in, y)
        theirs.backward()
        np.testing.assert_allclose(theirs.item(), float(ours.data), **TOL)
        np.testing.assert_allclose(theirs_in.grad.numpy(), ours_in.grad, **TOL)


def test_loss_table_names_the_ones_without_a_builtin():
    assert set(TORCH_LOSSES) == set(nn.LOSSES)
    missing = sorted(k for k, v in TORCH_LOSSES.items() if v.startswith("no built-in"))
    assert missing == ["hinge", "symmetric_cross_entropy"]
    assert torch_loss("mse")(torch.zeros(2, 1, dtype=torch.float64), [1.0, 3.0]).item() == 5.0  # our default: mean
    with pytest.raises(ValueError, match="unknown loss 'l1'"):
        torch_loss("l1")


# -- from_torch --------------------------------------------------------------------------------------------------------
TORCH_ACTS = {
    "relu": lambda: torch.nn.ReLU(),
    "tanh": lambda: torch.nn.Tanh(),
    "sigmoid": lambda: torch.nn.Sigmoid(),
    "leaky": lambda: torch.nn.LeakyReLU(0.01),
    "identity": lambda: torch.nn.Identity(),
}


@st.composite
def torch_stacks(draw):
    width = draw(st.integers(1, 4))
    nin = width
    modules = []
    for _ in range(draw(st.integers(1, 3))):
        nout = draw(st.integers(1, 4))
        modules.append(torch.nn.Linear(width, nout, bias=draw(st.booleans()), dtype=torch.float64))
        width = nout
        for _ in range(draw(st.integers(0, 2))):  # zero, one or two activations in a row
            modules.append(TORCH_ACTS[draw(st.sampled_from(sorted(TORCH_ACTS)))]())
    if width > 1 and draw(st.booleans()):
        modules.append(torch.nn.Softmax(dim=-1))
    if draw(st.booleans()) and len(modules) > 1:  # a nested Sequential
        modules = [modules[0], torch.nn.Sequential(*modules[1:])]
    return nin, torch.nn.Sequential(*modules), draw(st.integers(0, 2**16))


@SETTINGS
@given(torch_stacks(), st.sampled_from(nn.ENGINES))
def test_from_torch_and_round_trip_compute_what_the_module_computes(case, engine):
    nin, module, seed = case
    torch.manual_seed(seed)
    for p in module.parameters():
        torch.nn.init.uniform_(p, -1.0, 1.0)
    X = np.random.default_rng(seed).normal(size=(3, nin))
    expected = module(torch.from_numpy(X)).detach().numpy()
    ours = from_torch(module, engine=engine)
    out, _ = our_forward(ours, X)
    np.testing.assert_allclose(out, expected, **TOL)
    again = to_torch(ours)
    np.testing.assert_allclose(again(torch.from_numpy(X)).detach().numpy(), expected, **TOL)


def test_from_torch_keeps_float32_on_the_tensor_engine_and_builds_an_mlp():
    module = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2), torch.nn.Softmax(1))
    ours = from_torch(module, engine="tensor")
    assert isinstance(ours, nn.MLP)
    assert [layer.activation for layer in ours.layers] == ["relu", "softmax"]
    assert ours.layers[0].dtype == np.float32
    X = np.random.default_rng(1).normal(size=(4, 2)).astype(np.float32)
    np.testing.assert_array_equal(ours(X).data.shape, (4, 2))
    np.testing.assert_allclose(ours(X).data, module(torch.from_numpy(X)).detach().numpy(), rtol=1e-6, atol=1e-7)


class Custom(torch.nn.Module):
    def forward(self, x):
        return x * 2


@pytest.mark.parametrize(
    ("bad", "where", "cls"),
    [
        (torch.nn.Conv2d(1, 1, 3), "1", "Conv2d"),
        (Custom(), "1", "Custom"),
        (torch.nn.LeakyReLU(0.2), "1", "LeakyReLU"),
        (torch.nn.Sequential(torch.nn.ReLU(), torch.nn.Dropout()), "1.1", "Dropout"),
    ],
)
def test_from_torch_names_the_unsupported_layer(bad, where, cls):
    module = torch.nn.Sequential(torch.nn.Linear(2, 2), bad)
    with pytest.raises(ValueError, match=rf"layer {where} \({cls}\) is not supported; supported: torch\.nn\.Linear"):
        from_torch(module)


def test_from_torch_bad_arguments():
    with pytest.raises(ValueError, match="no torch.nn.Linear layer"):
        from_torch(torch.nn.Sequential(torch.nn.ReLU()))
    with pytest.raises(TypeError, match="expected a torch.nn.Module, got list"):
        from_torch([torch.nn.Linear(1, 1)])
    with pytest.raises(ValueError, match="unknown engine 'gpu'"):
        from_torch(torch.nn.Linear(1, 1), engine="gpu")


def test_missing_torch_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(ImportError, match=r'pip install -e "\.\[torch\]"'):
        to_torch(nn.Linear(1, 1))


def test_save_torch_loads_without_our_code_and_trains(tmp_path):
    model = nn.MLP(3, [4, 2], activation=["sign", "softmax"], engine="value", seed=5)
    path = nn.save_torch(model, tmp_path / "net.pt2")
    extra = {"architecture.json": ""}
    loaded = torch.export.load(path, extra_files=extra).module()
    assert nn.architecture.build(extra["architecture.json"]).layers[1].activation == "softmax"
    assert sorted(loaded.state_dict()) == ["0.bias", "0.weight", "2.bias", "2.weight"]
    for batch in (1, 5):
        X = np.random.default_rng(batch).normal(size=(batch, 3))
        np.testing.assert_allclose(loaded(torch.from_numpy(X)).detach().numpy(), our_forward(model, X)[0], **TOL)
    model2 = nn.MLP(2, [3, 1], activation="tanh", engine="tensor", seed=1)
    loaded = torch.export.load(nn.save_torch(model2, tmp_path / "net2.pt2")).module()
    X = torch.from_numpy(np.random.default_rng(0).normal(size=(4, 2)))
    before = loaded(X).pow(2).sum()
    before.backward()
    with torch.no_grad():
        for p in loaded.parameters():
            p -= 0.01 * p.grad
    assert loaded(X).pow(2).sum().item() < before.item()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.pt2", "net2.pt2"]  # no temporary file left

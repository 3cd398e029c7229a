"""nn.Module: parameter discovery, shared weights, user-defined modules, state dicts and files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import autograd_mini as ag
import nn
from autograd_mini import Tensor, Value


class Block(nn.Module):
    """Parameters held directly, in a list, in a dict and in nested modules; a constant and a Tensor that
    does not require grad, which are not parameters."""

    def __init__(self) -> None:
        self.scale = Value(2.0)
        self.constant = Value(3.0, requires_grad=False)
        self.fixed = Tensor(np.ones(3))
        self.layers = [nn.Linear(3, 3, engine="tensor", rng=0), nn.Layer(3, 2, engine="tensor", rng=1)]
        self.extra = {"gain": Tensor(np.ones(2), requires_grad=True), "inner": nn.Linear(2, 2, engine="tensor", rng=2)}

    def forward(self, x: object) -> Tensor:
        h = self.layers[1](self.layers[0](x))
        return self.extra["inner"](h * self.extra["gain"]) * self.scale.data


def test_parameters_found_in_attributes_lists_dicts_and_nested_modules() -> None:
    block = Block()
    names = [name for name, _ in block.named_parameters()]
    assert names == [
        "scale",
        "layers.0.weight",
        "layers.0.bias",
        "layers.1.weight",
        "layers.1.bias",
        "extra.gain",
        "extra.inner.weight",
        "extra.inner.bias",
    ]
    assert [p for _, p in block.named_parameters()] == block.parameters()
    block(np.ones((4, 3))).sum().backward()
    assert len(block.parameters()) == 8  # the forward pass's n and a (graph nodes) are not parameters


def test_shared_weight_counted_once() -> None:
    first = nn.Linear(3, 3, engine="tensor", rng=0)
    second = nn.Linear(3, 3, engine="tensor", rng=1)
    second.weight = first.weight
    model = nn.Sequential(first, second)
    params = model.parameters()
    assert len(params) == 3 and sum(p is first.weight for p in params) == 1
    # value engine: one Value shared by neurons of two layers
    a, b = nn.Layer(2, 2, rng=0), nn.Layer(2, 2, rng=1)
    b.neurons[1].w[0] = a.neurons[0].w[0]
    assert len(nn.Sequential(a, b).parameters()) == 11


def test_micrograd_parameter_order() -> None:
    model = nn.MLP(2, [2, 1], seed=0)
    expected = [p for layer in model.layers for neuron in layer.neurons for p in [*neuron.w, neuron.b]]
    assert model.parameters() == expected


class Residual(nn.Module):
    """x + W2 tanh(x W1 + b1) + b2 with W2 = W1 (one weight used twice): a user-defined block."""

    def __init__(self, d: int) -> None:
        self.inner = nn.Layer(d, d, activation="tanh", engine="tensor", rng=0)
        self.outer = nn.Linear(d, d, engine="tensor", rng=1)
        self.outer.weight = self.inner.weight

    def forward(self, x: object) -> Tensor:
        return self.outer(self.inner(x)) + x


def test_residual_block_with_shared_weight_tensor_gradcheck() -> None:
    block = Residual(3)
    params = block.parameters()
    assert len(params) == 3  # W (shared), b1, b2
    X = np.random.default_rng(0).normal(size=(4, 3))
    target = np.random.default_rng(1).normal(size=(4, 3))
    fn = lambda *ps: nn.mse(block(X), target)
    assert ag.gradcheck(fn, params)
    block.zero_grad()
    fn().backward()
    numeric = ag.numerical_grad(fn, params)
    for p, g in zip(params, numeric):
        np.testing.assert_allclose(p.grad, g, rtol=1e-6, atol=1e-8)
    # the shared weight's gradient is the sum of both uses: it differs from either use alone
    assert params[0].grad.shape == (3, 3)


class ValueResidual(nn.Module):
    def __init__(self) -> None:
        self.inner = nn.Layer(2, 2, activation="tanh", rng=0)
        self.outer = nn.Linear(2, 2, rng=1)
        self.outer.neurons[0].w[1] = self.inner.neurons[1].w[0]  # one Value in two layers

    def forward(self, x: list[float]) -> list[Value]:
        h = self.outer(self.inner(x))
        return [hi + xi for hi, xi in zip(h, x)]


def test_residual_block_with_shared_weight_value_engine() -> None:
    block = ValueResidual()
    params = block.parameters()
    assert len(params) == 11
    fn = lambda *ps: nn.squared_error(block([0.3, -0.7]), [0.5, 0.1])
    assert ag.gradcheck(fn, params)
    block.zero_grad()
    fn().backward()
    numeric = ag.numerical_grad(fn, params)
    np.testing.assert_allclose([p.grad for p in params], numeric, rtol=1e-6, atol=1e-8)


def test_zero_grad_on_both_engines() -> None:
    for engine in ("value", "tensor"):
        model = nn.MLP(2, [3, 1], engine=engine, seed=0)
        out = model([1.0, 2.0] if engine == "value" else np.array([[1.0, 2.0]]))
        (out if engine == "value" else out.sum()).backward()
        model.zero_grad()
        assert all((p.grad == 0.0) if engine == "value" else p.grad is None for p in model.parameters())


def test_sequential() -> None:
    l1 = nn.Layer(2, 3, activation="tanh", engine="tensor", rng=0)
    l2 = nn.Linear(3, 1, engine="tensor", rng=1)
    model = nn.Sequential(l1, l2)
    assert model.layers == [l1, l2] and len(model) == 2 and model[1] is l2
    X = np.ones((2, 2))
    np.testing.assert_array_equal(model(X).data, l2(l1(X)).data)
    with pytest.raises(TypeError, match="not callable"):
        nn.Sequential(l1, 3)  # type: ignore[arg-type]


# -- state dicts and files --------------------------------------------------------------------------------
@pytest.mark.parametrize("engine", ["value", "tensor"])
def test_save_load_round_trip(tmp_path: Path, engine: str) -> None:
    source = nn.MLP(3, [4, 2], engine=engine, seed=0)
    target = nn.MLP(3, [4, 2], engine=engine, seed=1)
    path = source.save(tmp_path / "model")
    assert path.endswith(".npz")
    with np.load(path, allow_pickle=False) as f:
        # the parameters, and the architecture record nn.load_model reads (tests/test_architecture.py)
        assert sorted(f.files) == sorted(["__architecture__", *(name for name, _ in source.named_parameters())])
    ids = [id(p) for p in target.parameters()]
    target.load(path)
    assert [id(p) for p in target.parameters()] == ids  # loaded in place
    for a, b in zip(source.layers, target.layers):
        np.testing.assert_array_equal(a.W, b.W)
        np.testing.assert_array_equal(a.b, b.b)
    x = [0.1, 0.2, 0.3]
    sa, sb = source(x if engine == "value" else np.array(x)), target(x if engine == "value" else np.array(x))
    if engine == "value":
        assert [v.data for v in sa] == [v.data for v in sb]
    else:
        np.testing.assert_array_equal(sa.data, sb.data)


def test_float32_kept_through_state_dict(tmp_path: Path) -> None:
    model = nn.MLP(2, [2], engine="tensor", seed=0, dtype=np.float32)
    model.load(model.save(tmp_path / "m.npz"))
    assert all(v.dtype == np.float32 for v in model.state_dict().values())
    assert model.layers[0].weight.dtype == np.float32


def _snapshot(model: nn.Module) -> dict[str, np.ndarray]:
    return {k: v.copy() for k, v in model.state_dict().items()}


@pytest.mark.parametrize("engine", ["value", "tensor"])
def test_load_state_dict_rejects_mismatches_and_leaves_model_unchanged(engine: str) -> None:
    model = nn.MLP(2, [3, 1], engine=engine, seed=0)
    before = _snapshot(model)
    good = nn.MLP(2, [3, 1], engine=engine, seed=5).state_dict()
    first, last = next(iter(good)), list(good)[-1]

    missing = dict(good)
    del missing[last]
    with pytest.raises(ValueError, match=f"missing: {last}"):
        model.load_state_dict(missing)
    unexpected = {**good, "layers.9.weight": np.ones(2)}
    with pytest.raises(ValueError, match=r"unexpected: layers\.9\.weight"):
        model.load_state_dict(unexpected)
    bad_shape = {**good, last: np.ones((7,))}
    with pytest.raises(ValueError, match=rf"{last}: shape \(7,\) does not match"):
        model.load_state_dict(bad_shape)  # every other entry is fine: none may be written
    nan = {**good, first: np.full(np.shape(good[first]), np.nan)}
    with pytest.raises(ValueError, match="NaN"):
        model.load_state_dict(nan)
    after = _snapshot(model)
    assert after.keys() == before.keys()
    for k in before:
        np.testing.assert_array_equal(after[k], before[k])


def test_load_from_file_with_other_architecture_raises(tmp_path: Path) -> None:
    path = nn.MLP(2, [4, 1], engine="tensor", seed=0).save(tmp_path / "wide.npz")
    model = nn.MLP(2, [3, 1], engine="tensor", seed=1)
    before = _snapshot(model)
    with pytest.raises(ValueError, match="shape"):
        model.load(path)
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v, before[k])

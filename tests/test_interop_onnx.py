"""nn.to_onnx: written with onnx's helpers alone (no torch), checked by onnx.checker, run by onnxruntime: the
network's outputs within 1e-12 (float64) / 1e-6 (float32)."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nn
from autograd_mini import Value
from nn.interop import to_onnx
from tests._optional import require_module

onnx = require_module("onnx", "onnx")
ort = require_module("onnxruntime", "onnx")
HIDDEN = [a for a in nn.ACTIVATIONS if a != "softmax"]


def run(path, X):
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(["output"], {"input": X})[0]


def ours(model, X):
    if nn.architecture.engine_dtype(model)[0] == "tensor":
        return model(X).data
    rows = [model(list(x)) for x in X]
    return np.array([[r.data] if isinstance(r, Value) else [v.data for v in r] for r in rows])


@st.composite
def networks(draw):
    nin = draw(st.integers(1, 4))
    sizes = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
    acts = [draw(st.sampled_from(HIDDEN)) for _ in sizes[:-1]]
    acts.append(draw(st.sampled_from([*HIDDEN, "softmax"] if sizes[-1] > 1 else HIDDEN)))
    engine, dtype = draw(st.sampled_from([("value", None), ("tensor", "float64"), ("tensor", "float32")]))
    seed = draw(st.integers(0, 2**16))
    return nn.MLP(nin, sizes, activation=acts, engine=engine, seed=seed, dtype=dtype), draw(st.integers(1, 5)), seed


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(networks())
def test_onnxruntime_gives_the_networks_outputs(tmp_path, case):
    model, batch, seed = case
    dtype = nn.architecture.engine_dtype(model)[1]
    X = np.random.default_rng(seed).normal(scale=2.0, size=(batch, model.nin)).astype(dtype)
    path = to_onnx(model, tmp_path / "m.onnx")
    tol = 1e-12 if dtype == np.float64 else 1e-6
    np.testing.assert_allclose(run(path, X), ours(model, X), rtol=tol, atol=tol)


@pytest.mark.parametrize(
    ("engine", "dtype", "tol"), [("value", None, 1e-12), ("tensor", "float64", 1e-12), ("tensor", "float32", 1e-6)]
)
@pytest.mark.parametrize("act", list(nn.ACTIVATIONS))
def test_every_activation(tmp_path, act, engine, dtype, tol):
    acts = ["tanh", act] if act == "softmax" else [act, act]
    model = nn.MLP(3, [5, 3], activation=acts, engine=engine, seed=11, dtype=dtype)
    X = np.random.default_rng(11).normal(scale=2.0, size=(7, 3)).astype(dtype or np.float64)
    if act in ("hardlimit", "sign"):
        X[0] = 0.0  # n = b = 0 exactly: the step's value at 0 (1 for both)
    np.testing.assert_allclose(run(to_onnx(model, tmp_path / "m.onnx"), X), ours(model, X), rtol=tol, atol=tol)


def test_graph_checked_opset_and_architecture_record(tmp_path):
    model = nn.Sequential(nn.Linear(2, 3, engine="tensor", rng=0), nn.sign, nn.Layer(3, 2, "softmax", "tensor", rng=1))
    path = to_onnx(model, tmp_path / "m.onnx", opset=18)
    proto = onnx.load(path)
    onnx.checker.check_model(proto, full_check=True)
    assert [o.version for o in proto.opset_import if o.domain == ""] == [18]
    assert [n.op_type for n in proto.graph.node] == [
        "MatMul",
        "Add",
        "GreaterOrEqual",
        "Where",
        "MatMul",
        "Add",
        "Softmax",
        "Identity",
    ]
    record = {p.key: p.value for p in proto.metadata_props}["autograd-mini/architecture"]
    assert json.loads(record) == nn.architecture.describe(model)
    np.testing.assert_array_equal(onnx.numpy_helper.to_array(proto.graph.initializer[0]), model.layers[0].W)


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="opset must be an integer >= 17, got 13"):
        to_onnx(nn.Linear(1, 1), tmp_path / "m.onnx", opset=13)
    with pytest.raises(ValueError, match="cannot describe a Neuron"):
        to_onnx(nn.Neuron(2), tmp_path / "m.onnx")
    assert list(tmp_path.iterdir()) == []


def test_no_torch_needed_and_missing_onnx_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # any import of torch would fail
    model = nn.MLP(2, [2], engine="tensor", seed=0)
    X = np.ones((1, 2))
    np.testing.assert_allclose(run(to_onnx(model, tmp_path / "m.onnx"), X), model(X).data, rtol=1e-12, atol=1e-12)
    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(ImportError, match=r'pip install -e "\.\[onnx\]"'):
        to_onnx(model, tmp_path / "n.onnx")

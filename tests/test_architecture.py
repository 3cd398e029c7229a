"""nn.architecture: records that rebuild a network, the record saved beside the weights, nn.load_model."""

from __future__ import annotations

import json

import numpy as np
import pytest

import nn
from nn.architecture import build, describe, from_steps, steps
from nn.files import ArchiveError, write_archive
from nn.module import ARCHITECTURE_KEY


def _models():
    return [
        nn.MLP(3, [4, 2], activation=["tanh", "softmax"], engine="value", seed=1),
        nn.MLP(3, [5, 4, 1], activation=["relu", "leaky_relu", "sigmoid"], engine="tensor", seed=2),
        nn.MLP(3, [2], activation="sign", output_activation="hardlimit", engine="tensor", seed=3, dtype="float32"),
        nn.Layer(3, 2, activation="sigmoid", engine="value", rng=4),
        nn.Linear(3, 3, engine="tensor", rng=5),
        nn.Sequential(
            nn.Linear(3, 4, engine="tensor", rng=6), nn.relu, nn.MLP(4, [2], engine="tensor", seed=7), nn.softmax
        ),
    ]


def _outputs(model, X):
    if nn.architecture.engine_dtype(model)[0] == "tensor":
        return model(X.astype(nn.architecture.engine_dtype(model)[1])).data
    rows = [model(list(x)) for x in X]
    return np.array([[r.data] if not isinstance(r, list) else [v.data for v in r] for r in rows])


X = np.random.default_rng(0).normal(size=(5, 3))


@pytest.mark.parametrize("model", _models(), ids=lambda m: type(m).__name__)
def test_build_describe_gives_the_same_network(model):
    record = describe(model)
    json.dumps(record)  # plain data
    again = build(json.dumps(record))
    assert type(again) is type(model)
    assert [n for n, _ in again.named_parameters()] == [n for n, _ in model.named_parameters()]
    again.load_state_dict(model.state_dict())
    np.testing.assert_array_equal(_outputs(again, X), _outputs(model, X))
    assert describe(again) == record


@pytest.mark.parametrize("model", _models(), ids=lambda m: type(m).__name__)
def test_save_then_load_model_without_the_code(model, tmp_path):
    path = model.save(tmp_path / "m")
    with np.load(path, allow_pickle=False) as f:
        assert f[ARCHITECTURE_KEY].dtype == np.uint8
        assert json.loads(f[ARCHITECTURE_KEY].tobytes()) == describe(model)
    loaded = nn.load_model(tmp_path / "m")
    assert type(loaded) is type(model)
    np.testing.assert_array_equal(_outputs(loaded, X), _outputs(model, X))
    fresh = build(describe(model))  # Module.load still reads the file (the record is not a parameter)
    fresh.load(path)
    np.testing.assert_array_equal(_outputs(fresh, X), _outputs(model, X))


def test_steps_match_the_documented_row_form():
    model = nn.MLP(2, [3, 1], activation=["relu", "linear"], engine="tensor", seed=0)
    program = steps(model)
    assert [type(s).__name__ for s in program] == ["Dense", "Act", "Dense"]
    a = np.maximum(X[:, :2] @ program[0].W + program[0].b, 0) @ program[2].W + program[2].b
    np.testing.assert_allclose(a, model(X[:, :2]).data, rtol=0, atol=1e-15)
    rebuilt = from_steps([*program, nn.architecture.Act("tanh"), nn.architecture.Act("sigmoid")], engine="value")
    assert isinstance(rebuilt, nn.Sequential)  # two activations in a row: not an MLP
    np.testing.assert_allclose(
        _outputs(rebuilt, X[:, :2]).ravel(), 1 / (1 + np.exp(-np.tanh(a.ravel()))), rtol=0, atol=1e-15
    )


class Custom(nn.Module):
    def __init__(self):
        self.inner = nn.Linear(2, 1, engine="tensor", rng=0)

    def forward(self, x):
        return self.inner(x) * 2


def test_custom_module_saves_weights_only_and_load_model_says_what_to_do(tmp_path):
    path = Custom().save(tmp_path / "c.npz")
    with np.load(path) as f:
        assert sorted(f.files) == ["inner.bias", "inner.weight"]
    with pytest.raises(ArchiveError, match=r"c\.npz: holds weights but no architecture record .*\.load\(path\)"):
        nn.load_model(path)
    with pytest.raises(ValueError, match=r"cannot describe a Custom: supported are MLP"):
        describe(Custom())


def _archive(tmp_path, record, state):
    path = tmp_path / "bad.npz"
    arrays = dict(state)
    if record is not None:
        text = record if isinstance(record, str) else json.dumps(record)
        arrays[ARCHITECTURE_KEY] = np.frombuffer(text.encode(), dtype=np.uint8)
    write_archive(path, arrays)
    return path


def test_load_model_refuses_damaged_records(tmp_path):
    model = nn.MLP(2, [2], engine="tensor", seed=0)
    good = describe(model)
    state = model.state_dict()
    cases = [
        ("{not json", "a damaged architecture record"),
        ({**good, "format": "other"}, "not an 'autograd-mini/architecture' record"),
        ({**good, "version": 99}, "version 99 is not supported"),
        ({**good, "model": {**good["model"], "activations": ["swish"]}}, "unknown activation 'swish'"),
        ({**good, "model": {**good["model"], "engine": "gpu"}}, "unknown engine 'gpu'"),
        ({**good, "model": {**good["model"], "nouts": [3]}}, "describes 9 parameters, the file holds 6"),
        ({**good, "model": {**good["model"], "nouts": [10**9]}}, "describes 3000000000 parameters"),
        ({**good, "model": {"class": "Conv2d"}}, "unknown class 'Conv2d'"),
    ]
    for record, message in cases:
        with pytest.raises(ArchiveError, match=message):
            nn.load_model(_archive(tmp_path, record, state))
    path = tmp_path / "wrongtype.npz"
    write_archive(path, {**state, ARCHITECTURE_KEY: np.zeros(3)})
    with pytest.raises(ArchiveError, match=r"is not an architecture record \(expected a 1-D uint8 array"):
        nn.load_model(path)


def test_load_model_checks_weight_shapes_from_the_record(tmp_path):
    model = nn.MLP(2, [3, 1], engine="tensor", seed=0)
    state = model.state_dict()
    state["layers.0.weight"] = np.zeros((3, 2))  # transposed: same count, wrong shape
    with pytest.raises(ArchiveError, match=r"layers\.0\.weight: shape \(3, 2\) does not match"):
        nn.load_model(_archive(tmp_path, describe(model), state))

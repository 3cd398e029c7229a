"""nn.report.compare: the Report's API, its table, that the model is left as it was, and its errors."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

import nn
import nn.closed_form as cf
from nn.report import Report, compare


def _data(seed: int = 0, N: int = 5) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.normal(size=(N, 3)), rng.uniform(size=(N, 2))


@pytest.mark.parametrize("engine", ["value", "tensor"])
def test_gradients_and_layer_nodes_are_left_unchanged(engine: str) -> None:
    model = nn.MLP(3, [4, 2], activation="tanh", engine=engine, seed=1)
    X, Y = _data()
    x0 = X[0] if engine == "value" else X
    out = model(list(x0)) if engine == "value" else model(x0)
    loss = nn.squared_error(out, Y[0] if engine == "value" else Y)
    loss.backward()
    before = [np.array(p.grad, copy=True) for p in model.parameters()]
    nodes = [(layer.n, layer.a) for layer in model.layers]
    report = compare(model, X, Y)
    assert report.passed
    for p, g in zip(model.parameters(), before):
        np.testing.assert_array_equal(p.grad, g)
    for layer, (n, a) in zip(model.layers, nodes):
        assert layer.n is n and layer.a is a


def test_fresh_tensor_model_keeps_grad_none() -> None:
    model = nn.MLP(3, [2], engine="tensor", seed=0)
    X, Y = _data()
    compare(model, X, Y)
    assert all(p.grad is None for p in model.parameters())


def test_report_structure_dict_and_table() -> None:
    model = nn.MLP(3, [4, 3, 2], activation=["sigmoid", "relu", "linear"], engine="tensor", seed=3)
    X, Y = _data(N=4)
    report = compare(model, X, Y, loss="half_squared_error", reduction="mean", convention="column")
    assert isinstance(report, Report) and report.passed and report.failures() == []
    assert [layer.k for layer in report.layers] == [1, 2, 3]
    assert report.layers[0].dW.auto.shape == (3, 4) and report.layers[2].s.hand.shape == (4, 2)
    assert report.layers[1].db.auto.shape == (3,)
    d = report.to_dict()
    json.dumps(d)  # plain Python values
    assert d["passed"] is True and d["convention"] == "column" and len(d["layers"]) == 3
    assert d["layers"][0]["dW"]["hand"] == report.layers[0].dW.hand.tolist()
    text = str(report)
    assert text == report.table()
    rows = [line for line in text.splitlines() if line.startswith(("layer", "loss"))]
    assert len(rows) == 3 * 3 + 1
    assert len({row.index("max|auto-hand|") for row in rows}) == 1  # aligned
    assert all(row.split()[-1] == "ok" for row in rows[:-1])
    assert text.splitlines()[-1].startswith("PASSED")
    verbose = report.table(verbose=True)
    assert verbose.count("auto:") == 10 and verbose.count("hand:") == 10


def test_a_disagreement_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    real = cf.backprop_row

    def slipped(*args: Any, **kwargs: Any) -> Any:
        r = real(*args, **kwargs)
        r.dW[0] = r.dW[0] * (1 + 1e-6)  # a "hand derivation" off by a relative 1e-6
        return r

    monkeypatch.setattr(cf, "backprop_row", slipped)
    X, Y = _data()
    report = compare(nn.MLP(3, [3, 2], activation="sigmoid", engine="tensor", seed=0), X, Y)
    assert not report.passed
    assert report.failures() == ["layer 1 dL/dW"]
    assert 5e-7 < report.layers[0].dW.max_rel < 2e-6
    assert "FAIL" in str(report) and "FAILED: 1 of 7" in str(report)
    # at a looser tolerance the same slip passes
    assert compare(nn.MLP(3, [3, 2], activation="sigmoid", engine="tensor", seed=0), X, Y, rtol=1e-5).passed


def test_layer_and_sequential_models() -> None:
    X, Y = _data()
    layer = nn.Layer(3, 2, activation="sigmoid", engine="tensor", rng=0)
    assert compare(layer, X, Y, loss="log_loss").passed
    seq = nn.Sequential(
        nn.Layer(3, 4, activation="tanh", engine="value", rng=0),
        nn.Layer(4, 2, activation="linear", engine="value", rng=1),
    )
    report = compare(seq, X, Y, convention="doc001")
    assert report.passed and len(report.layers) == 2


def test_float32_tensor_model_at_float32_tolerance() -> None:
    model = nn.MLP(3, [4, 2], activation="tanh", engine="tensor", seed=0, dtype="float32")
    X, Y = _data()
    assert compare(model, X, Y, rtol=1e-5, atol=1e-6).passed


def test_binary_cross_entropy_is_log_loss() -> None:
    model = nn.MLP(3, [2], activation="sigmoid", output_activation="sigmoid", engine="tensor", seed=0)
    X, Y = _data()
    assert compare(model, X, Y, loss="binary_cross_entropy").loss_name == "log_loss"


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"loss": "hinge"}, "no closed form"),
        ({"reduction": "max"}, "reduction"),
        ({"convention": "diagonal"}, "convention"),
    ],
)
def test_bad_arguments(kwargs: dict[str, Any], match: str) -> None:
    X, Y = _data()
    with pytest.raises(ValueError, match=match):
        compare(nn.MLP(3, [2], engine="tensor", seed=0), X, Y, **kwargs)


def test_bad_models_and_data() -> None:
    X, Y = _data()
    with pytest.raises(ValueError, match="no derivative"):
        compare(nn.MLP(3, [2, 2], activation="sign", engine="tensor", seed=0), X, Y)
    with pytest.raises(ValueError, match="not an nn.Layer"):
        compare(nn.Sequential(nn.Layer(3, 2, engine="tensor", rng=0), lambda t: t), X, Y)
    with pytest.raises(ValueError, match="expected an nn.MLP"):
        compare(object(), X, Y)
    model = nn.MLP(3, [2], engine="tensor", seed=0)
    with pytest.raises(ValueError, match=r"X has shape \(5, 2\)"):
        compare(model, X[:, :2], Y)
    with pytest.raises(ValueError, match=r"Y has shape \(5, 3\)"):
        compare(model, X, np.ones((5, 3)))
    with pytest.raises(ValueError, match="NaN"):
        compare(model, np.full((5, 3), np.nan), Y)
    soft = nn.MLP(3, [2], output_activation="softmax", engine="tensor", seed=0)
    with pytest.raises(ValueError, match="sum to 1"):
        compare(soft, X, Y, loss="cross_entropy")
    with pytest.raises(ValueError, match="labels"):
        compare(soft, X, np.array([0, 1, 2, 0, 1]), loss="cross_entropy")


@pytest.mark.parametrize("loss", ["log_loss", "binary_cross_entropy", "cross_entropy"])
@pytest.mark.parametrize("output", ["tanh", "linear", "relu", "leaky_relu"])
def test_a_loss_that_takes_the_log_of_the_outputs_refuses_an_output_that_leaves_0_1(loss: str, output: str) -> None:
    """Without the check the closed form takes log(-0.3) = nan and the report compares nans."""
    model = nn.MLP(2, [3, 2], activation="sigmoid", output_activation=output, engine="tensor")
    X, Y = np.array([[0.5, -1.0]]), np.array([[1.0, 0.0]])
    with pytest.raises(ValueError, match=rf"compare: the loss \w+ takes the logarithm .* {output!r} .*sigmoid"):
        compare(model, X, Y, loss=loss)


def test_the_outputs_in_0_1_are_read_from_the_activation_ranges() -> None:
    from nn.report import UNIT_INTERVAL_OUTPUTS
    from nn.train import ACTIVATION_RANGES

    assert UNIT_INTERVAL_OUTPUTS == ("sigmoid", "softmax")
    assert all(0 <= ACTIVATION_RANGES[a][0] and ACTIVATION_RANGES[a][1] <= 1 for a in UNIT_INTERVAL_OUTPUTS)
    model = nn.MLP(2, [2], activation="sigmoid", output_activation="sigmoid", engine="tensor")
    assert compare(model, np.array([[0.5, -1.0]]), np.array([[1.0, 0.0]]), loss="log_loss").passed

"""The documents' printed numbers through both sides: autograd (nn models on both engines), the closed form
(nn/closed_form.py) and the comparison report (nn/report.py); and the derivation checker on the documents'
formulas (nn/documents.py's document_checks), including doc 001's softmax + cross-entropy slip."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import nn
from nn.closed_form import backprop_column, backprop_row, forward_column, sgd_update_column, sgd_update_row
from nn.documents import (
    AND_Y,
    OR_Y,
    XOR_Y,
    doc000_and,
    doc000_or,
    doc000_worked_example,
    doc000_xor_mlp,
    doc002_worked_example,
    doc003_forward_example,
    doc003_problem1,
    document_checks,
)
from nn.optim import SGD
from nn.report import compare

ENGINES = ["value", "tensor"]


def _autograd_step(model: nn.MLP, x: np.ndarray, y: np.ndarray, loss: Any, eta: float | None) -> dict[str, Any]:
    """Forward, loss (summed), backward, read a^l and s^k, then (unless eta is None) one SGD step."""
    model.zero_grad()
    if model.engine == "value":
        out = model(list(x[0]))
        out_list = out if isinstance(out, list) else [out]
        L = loss(out_list, list(y[0]), reduction="sum")
        L.backward()
        a = np.array([v.data for v in model.layers[-1].a])
        s = [np.array([v.grad for v in layer.n]) for layer in model.layers]
    else:
        out = model(x)
        L = loss(out, y, reduction="sum")
        L.backward()
        a = model.layers[-1].a.data[0]
        s = [layer.n.grad[0] for layer in model.layers]
    if eta is not None:
        SGD(model.parameters(), lr=eta).step()
    return {
        "L": float(L.data),
        "a": a,
        "s": s,
        "W": [layer.W for layer in model.layers],
        "b": [layer.b for layer in model.layers],
    }


# ------------------------------------------------------------------------------------------------------
# Doc 000, eqs. 39-51
# ------------------------------------------------------------------------------------------------------

# The document's printed values (eqs. 43, 45, 47, 48-51).
DOC000_A2 = 4.0
DOC000_S2 = [8.0]
DOC000_S1 = [8.0, 8.0]
DOC000_W1_NEW = [[0.2, 0.2], [0.2, 0.2]]
DOC000_B1_NEW = [-0.8, -0.8]
DOC000_W2_NEW = [[-0.6], [-0.6]]
DOC000_B2_NEW = [-0.8]


@pytest.mark.parametrize("engine", ENGINES)
def test_doc000_worked_example_autograd(engine: str) -> None:
    model, x, y, eta = doc000_worked_example(engine)
    assert eta == 0.1
    got = _autograd_step(model, x, y, nn.squared_error, eta)
    assert got["a"].tolist() == [DOC000_A2]  # eq. 43
    assert got["L"] == 16.0  # eq. 11: (0 - 4)^2
    np.testing.assert_array_equal(got["s"][1], DOC000_S2)  # eq. 45
    np.testing.assert_array_equal(got["s"][0], DOC000_S1)  # eq. 47
    np.testing.assert_allclose(got["W"][0], DOC000_W1_NEW, atol=1e-15)  # eq. 48
    np.testing.assert_allclose(got["b"][0], DOC000_B1_NEW, atol=1e-15)  # eq. 49
    np.testing.assert_allclose(got["W"][1], DOC000_W2_NEW, atol=1e-15)  # eq. 50
    np.testing.assert_allclose(got["b"][1], DOC000_B2_NEW, atol=1e-15)  # eq. 51


def test_doc000_worked_example_closed_form() -> None:
    model, x, y, eta = doc000_worked_example("value")
    Ws, bs = [layer.W for layer in model.layers], [layer.b for layer in model.layers]
    r = backprop_row(Ws, bs, ["relu", "linear"], x, y, loss="squared_error")
    assert r.a[2].tolist() == [[DOC000_A2]]
    np.testing.assert_array_equal(r.s[1], [DOC000_S2])
    np.testing.assert_array_equal(r.s[0], [DOC000_S1])
    new_Ws, new_bs = sgd_update_row(Ws, bs, r, eta)
    np.testing.assert_allclose(new_Ws[0], DOC000_W1_NEW, atol=1e-15)
    np.testing.assert_allclose(new_bs[0], DOC000_B1_NEW, atol=1e-15)
    np.testing.assert_allclose(new_Ws[1], DOC000_W2_NEW, atol=1e-15)
    np.testing.assert_allclose(new_bs[1], DOC000_B2_NEW, atol=1e-15)


@pytest.mark.parametrize("engine", ENGINES)
def test_doc000_worked_example_report(engine: str) -> None:
    ex = doc000_worked_example(engine)
    report = compare(ex.model, ex.x, ex.y, loss=ex.loss, convention=ex.convention)
    assert report.passed, str(report)
    for side in ("auto", "hand"):
        np.testing.assert_array_equal(getattr(report.layers[1].s, side), [DOC000_S2])
        np.testing.assert_array_equal(getattr(report.layers[0].s, side), [DOC000_S1])
        # eq. 19's gradient: (a^0)^T s^1 = [1 1]^T [8 8], (a^1)^T s^2 = [2 2]^T 8
        np.testing.assert_array_equal(getattr(report.layers[0].dW, side), [[8.0, 8.0], [8.0, 8.0]])
        np.testing.assert_array_equal(getattr(report.layers[1].dW, side), [[16.0], [16.0]])
        assert float(getattr(report.loss, side)) == 16.0
    assert report.layers[0].s.max_abs == 0.0 and report.loss.max_rel == 0.0
    assert "layer 1  s      max|auto-hand| 0.0e+00  rel 0.0e+00  ok" in str(report)


# ------------------------------------------------------------------------------------------------------
# Doc 002, "Back Propagation - Example"
# ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_doc002_worked_example_autograd_to_printed_digits(engine: str) -> None:
    model, x, y, _ = doc002_worked_example(engine)
    got = _autograd_step(model, x, y, nn.half_squared_error, eta=None)
    assert [round(v, 4) for v in got["a"]] == [0.7514, 0.7729]  # y~(1), y~(2)
    assert round(got["L"], 4) == 0.2984
    layer1, layer2 = model.layers
    n1 = layer1.n.data[0] if engine == "tensor" else np.array([v.data for v in layer1.n])
    n2 = layer2.n.data[0] if engine == "tensor" else np.array([v.data for v in layer2.n])
    a1 = layer1.a.data[0] if engine == "tensor" else np.array([v.data for v in layer1.a])
    assert [round(v, 4) for v in n1] == [0.3775, 0.3925]
    assert [round(v, 4) for v in a1] == [0.5933, 0.5969]
    assert [round(v, 3) for v in n2] == [1.106, 1.225]
    # dL/dw^[2]_{1,1} = dL/dy~(1) * dy~(1)/dz_1^[2] * dz_1^[2]/dw^[2]_{1,1} = 0.7414 * 0.1868 * 0.5933
    assert round(got["a"][0] - y[0, 0], 4) == 0.7414
    assert round(got["a"][0] * (1 - got["a"][0]), 4) == 0.1868
    dW2 = (
        layer2.weight.grad
        if engine == "tensor"
        else np.array([[neuron.w[i].grad for neuron in layer2.neurons] for i in range(2)])
    )
    assert round(float(dW2[0, 0]), 4) == 0.0822  # row layout: input 1 -> unit 1
    assert round(0.7414 * 0.1868 * 0.5933, 4) == 0.0822


def test_doc002_worked_example_closed_form_and_report() -> None:
    ex = doc002_worked_example("tensor")
    W_doc = [layer.W.T for layer in ex.model.layers]  # doc 002's W^[l], node x input
    np.testing.assert_array_equal(W_doc[0], [[0.15, 0.2], [0.25, 0.3]])
    assert ex.y is not None
    c = backprop_column(W_doc, [layer.b for layer in ex.model.layers], ["sigmoid", "sigmoid"], ex.x.T, ex.y.T)
    assert [round(v, 4) for v in c.a[2][:, 0]] == [0.7514, 0.7729]
    assert round(c.loss, 4) == 0.2984
    assert round(float(c.dW[1][0, 0]), 4) == 0.0822  # column layout: node 1, input 1
    for engine in ENGINES:
        ex = doc002_worked_example(engine)
        report = compare(ex.model, ex.x, ex.y, loss=ex.loss, convention=ex.convention)
        assert report.passed, str(report)
        assert round(report.loss_auto, 4) == round(report.loss_hand, 4) == 0.2984
        assert round(float(report.layers[1].dW.auto[0, 0]), 4) == 0.0822


# ------------------------------------------------------------------------------------------------------
# Doc 003, forward example and Problem 1
# ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_doc003_forward_example(engine: str) -> None:
    model, x, y, _ = doc003_forward_example(engine)
    assert y is None
    out = model(list(x[0])) if engine == "value" else model(x)
    hidden = model.layers[0].a
    h = np.array([v.data for v in hidden]) if engine == "value" else hidden.data[0]
    assert [round(v, 3) for v in h] == [0.964, 0.978, 0.987]  # n_3, n_4, n_5
    n6 = out.data if engine == "value" else float(out.data[0, 0])
    assert abs(n6 - 1.0) < 1e-12  # sigma(30.313) "= 1"
    assert n6 < 1.0  # but not exactly: 1 - 6.8e-14
    z, a = forward_column(
        [layer.W.T for layer in model.layers], [layer.b for layer in model.layers], ["sigmoid", "sigmoid"], x.T
    )
    assert [round(v, 3) for v in a[1][:, 0]] == [0.964, 0.978, 0.987]
    assert round(float(z[1][0, 0]), 3) == 30.314  # the document's 30.313 uses the rounded hidden values
    assert round(9 * 0.964 + 10 * 0.978 + 11 * 0.987 + 1, 3) == 30.313
    assert abs(float(a[2][0, 0]) - 1.0) < 1e-12


def _problem1_by_hand() -> dict[str, np.ndarray | float]:
    """Doc 003, Problem 1 solved step by step with plain numpy arithmetic (linear units: f(z) = z, f' = 1)."""
    W1 = np.array([[2.0, 3.0, 4.0], [2.0, 1.0, 2.0], [3.0, 5.0, 1.0], [2.0, 3.0, 4.0]])
    W2 = np.array([[3.0, 1.0, 1.0, 1.0], [1.0, 4.0, 2.0, 2.0]])
    x0 = np.array([2.0, 1.0, 3.0])
    b1 = np.array([4.0, 1.0, 1.0, 2.0])
    b2 = np.array([2.0, 3.0])
    t = np.array([4.0, 5.0])
    alpha = 0.1
    # forward, row by row: x1_i = sum_j W1[i, j] x0_j + b1_i
    x1 = np.array(
        [
            2 * 2 + 3 * 1 + 4 * 3 + 4,  # 23
            2 * 2 + 1 * 1 + 2 * 3 + 1,  # 12
            3 * 2 + 5 * 1 + 1 * 3 + 1,  # 15
            2 * 2 + 3 * 1 + 4 * 3 + 2,
        ],
        dtype=float,
    )  # 21
    assert x1.tolist() == [23.0, 12.0, 15.0, 21.0]
    x2 = np.array(
        [
            3 * 23 + 1 * 12 + 1 * 15 + 1 * 21 + 2,  # 119
            1 * 23 + 4 * 12 + 2 * 15 + 2 * 21 + 3,
        ],
        dtype=float,
    )  # 146
    assert x2.tolist() == [119.0, 146.0]
    E = 0.5 * ((119 - 4) ** 2 + (146 - 5) ** 2)  # 16553
    # backward: delta_2 = (x2 - t) * 1, delta_1 = W2^T delta_2 * 1
    delta2 = np.array([119 - 4, 146 - 5], dtype=float)  # [115, 141]
    delta1 = np.array(
        [
            3 * 115 + 1 * 141,  # 486
            1 * 115 + 4 * 141,  # 679
            1 * 115 + 2 * 141,  # 397
            1 * 115 + 2 * 141,
        ],
        dtype=float,
    )  # 397
    dW2 = np.array(
        [[115 * 23, 115 * 12, 115 * 15, 115 * 21], [141 * 23, 141 * 12, 141 * 15, 141 * 21]], dtype=float
    )  # delta_2 x_1^T
    dW1 = np.array(
        [
            [486 * 2, 486 * 1, 486 * 3],
            [679 * 2, 679 * 1, 679 * 3],
            [397 * 2, 397 * 1, 397 * 3],
            [397 * 2, 397 * 1, 397 * 3],
        ],
        dtype=float,
    )  # delta_1 x_0^T
    assert dW2[0].tolist() == [2645.0, 1380.0, 1725.0, 2415.0] and dW1[1].tolist() == [1358.0, 679.0, 2037.0]
    return {
        "x1": x1,
        "x2": x2,
        "E": E,
        "delta1": delta1,
        "delta2": delta2,
        "dW1": dW1,
        "dW2": dW2,
        "W1_new": W1 - alpha * dW1,
        "W2_new": W2 - alpha * dW2,
        "b1_new": b1 - alpha * delta1,
        "b2_new": b2 - alpha * delta2,
        "W1": W1,
        "W2": W2,
        "b1": b1,
        "b2": b2,
        "x0": x0,
        "t": t,
        "alpha": alpha,
    }


def test_doc003_problem1_new_weights_by_hand() -> None:
    h = _problem1_by_hand()
    np.testing.assert_allclose(
        h["W2_new"], [[-261.5, -137.0, -171.5, -240.5], [-323.3, -165.2, -209.5, -294.1]], rtol=0, atol=1e-12
    )
    np.testing.assert_allclose(h["b2_new"], [-9.5, -11.1], rtol=0, atol=1e-12)
    np.testing.assert_allclose(
        h["W1_new"],
        [[-95.2, -45.6, -141.8], [-133.8, -66.9, -201.7], [-76.4, -34.7, -118.1], [-77.4, -36.7, -115.1]],
        rtol=0,
        atol=1e-12,
    )
    np.testing.assert_allclose(h["b1_new"], [-44.6, -66.9, -38.7, -37.7], rtol=0, atol=1e-12)
    assert h["E"] == 16553.0


def test_doc003_problem1_closed_form() -> None:
    h = _problem1_by_hand()
    ex = doc003_problem1("value")
    assert ex.eta == h["alpha"]
    Ws = [layer.W.T for layer in ex.model.layers]  # doc 003's column-form W_1, W_2
    np.testing.assert_array_equal(Ws[0], h["W1"])
    np.testing.assert_array_equal(Ws[1], h["W2"])
    bs = [layer.b for layer in ex.model.layers]
    c = backprop_column(Ws, bs, ["linear", "linear"], h["x0"], h["t"])
    np.testing.assert_array_equal(c.a[1][:, 0], h["x1"])
    np.testing.assert_array_equal(c.a[2][:, 0], h["x2"])
    np.testing.assert_array_equal(c.delta[1][:, 0], h["delta2"])
    np.testing.assert_array_equal(c.delta[0][:, 0], h["delta1"])
    np.testing.assert_array_equal(c.dW[0], h["dW1"])
    np.testing.assert_array_equal(c.dW[1], h["dW2"])
    assert c.loss == h["E"]
    new_Ws, new_bs = sgd_update_column(Ws, bs, c, float(h["alpha"]))
    for got, want in zip([*new_Ws, *new_bs], [h["W1_new"], h["W2_new"], h["b1_new"], h["b2_new"]]):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


@pytest.mark.parametrize("engine", ENGINES)
def test_doc003_problem1_autograd_and_report(engine: str) -> None:
    h = _problem1_by_hand()
    ex = doc003_problem1(engine)
    report = compare(ex.model, ex.x, ex.y, loss=ex.loss, convention=ex.convention)
    assert report.passed, str(report)
    assert report.loss_auto == report.loss_hand == h["E"]
    assert ex.y is not None and ex.eta is not None
    got = _autograd_step(ex.model, ex.x, ex.y, nn.half_squared_error, ex.eta)
    np.testing.assert_array_equal(got["a"], h["x2"])
    np.testing.assert_array_equal(got["s"][1], h["delta2"])
    np.testing.assert_array_equal(got["s"][0], h["delta1"])
    np.testing.assert_allclose(got["W"][0].T, h["W1_new"], rtol=0, atol=1e-12)  # back to doc 003's layout
    np.testing.assert_allclose(got["W"][1].T, h["W2_new"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(got["b"][0], h["b1_new"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(got["b"][1], h["b2_new"], rtol=0, atol=1e-12)


# ------------------------------------------------------------------------------------------------------
# Doc 000's hand-designed HardLimit networks (forward only: no derivative to compare)
# ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("build,table", [(doc000_and, AND_Y), (doc000_or, OR_Y), (doc000_xor_mlp, XOR_Y)])
def test_doc000_hardlimit_networks_reproduce_the_tables(engine: str, build: Any, table: np.ndarray) -> None:
    model, X, y, eta = build(engine)
    assert eta is None
    np.testing.assert_array_equal(y, table)
    if engine == "value":
        out = np.array([[model(list(x)).data] for x in X])
    else:
        out = model(X).data
    np.testing.assert_array_equal(out, table)
    with pytest.raises(ValueError, match="hardlimit"):
        compare(model, X, y)


# ------------------------------------------------------------------------------------------------------
# The derivation checker on the documents' formulas
# ------------------------------------------------------------------------------------------------------

CHECKS = document_checks()


@pytest.mark.parametrize("check", CHECKS, ids=[c.name for c in CHECKS])
def test_document_formula(check: Any) -> None:
    result = check.run(max_examples=60)
    assert result.holds == check.holds, str(result)
    assert result.examples >= 1


def test_document_checks_cover_the_documents() -> None:
    sources = " ".join(c.source for c in CHECKS)
    for cite in ("doc 000, eq. 24", "doc 000, eq. 33", "doc 000, eq. 38", "doc 001", "doc 002", "doc 003"):
        assert cite in sources
    assert [c.holds for c in CHECKS].count(False) == 1


def test_doc001_softmax_cross_entropy_claim_fails_with_a_counterexample() -> None:
    (claim,) = [c for c in CHECKS if not c.holds]
    result = claim.run()
    assert not result.holds
    n = np.asarray(result.counterexample["n"], dtype=float)
    t = np.asarray(result.counterexample["t"], dtype=float)
    assert t.sum() == 1.0 and set(t.tolist()) <= {0.0, 1.0}  # a one-hot target
    z = np.exp(n - n.max()) / np.exp(n - n.max()).sum()
    np.testing.assert_allclose(result.expected_value, t - z, rtol=1e-12, atol=1e-12)  # the true delta
    np.testing.assert_allclose(result.formula_value, t * (1 - z), rtol=1e-12, atol=1e-12)  # the slide's
    assert result.max_abs_diff > 0.1
    assert "FAILS" in str(result)

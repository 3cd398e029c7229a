"""Proof by hypothesis: the documents' hand-derived backprop (nn/closed_form.py) equals autograd on both
engines, through nn.report.compare, for drawn networks (depth 1-4, widths 1-8, batch 1-16, random weights,
inputs and targets), in each document's convention; and both equal a numerical gradient on small cases.

* doc 000 (row vectors, L = (y - a^l)^2, eqs. 24 and 33);
* docs 002-003 (column vectors, E = 1/2 ||a - y||^2 and log loss);
* doc 001 (delta = -dJ/dnet);
* softmax + cross-entropy outputs (s^l = z - t) and sigmoid + log-loss outputs (s^l = a - y).

ReLU kinks are avoided: examples where a ReLU / leaky ReLU unit has |n| <= 1e-6 are discarded.
"""

from __future__ import annotations

from typing import Any

import hypothesis.extra.numpy as hnp
import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import autograd_mini as ag
import nn
from nn.closed_form import forward_row, sigmoid, softmax
from nn.report import Report, compare

HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", "linear"]
KINKED = ("relu", "leaky_relu")
RTOL = 1e-9
VALUE_EXAMPLES = 25  # the value engine builds one node per neuron and sample: fewer examples


def _floats(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False, width=64)


@st.composite
def networks(
    draw: Any,
    output: list[str] | None = None,
    max_depth: int = 4,
    max_width: int = 8,
    max_batch: int = 16,
    targets: str = "real",
) -> dict[str, Any]:
    """A network (sizes, activations, row-layout weights) with inputs X (N, n_in) and targets Y (N, p).

    ``output``: the output activations to draw from (default: the hidden ones); ``targets``: "real"
    (any value in [-2, 2]), "prob" (in [0, 1]) or "onehot" (one-hot rows) or "dist" (rows summing to 1).
    """
    depth = draw(st.integers(1, max_depth))
    n_in = draw(st.integers(1, max_width))
    sizes = [draw(st.integers(1, max_width)) for _ in range(depth)]
    if targets in ("onehot", "dist"):
        sizes[-1] = draw(st.integers(2, max_width))
    acts = [draw(st.sampled_from(HIDDEN)) for _ in range(depth - 1)]
    acts.append(draw(st.sampled_from(output or HIDDEN)))
    dims = [n_in, *sizes]
    Ws = [draw(hnp.arrays(np.float64, (dims[k], dims[k + 1]), elements=_floats(-1.5, 1.5))) for k in range(depth)]
    bs = [draw(hnp.arrays(np.float64, (dims[k + 1],), elements=_floats(-1.0, 1.0))) for k in range(depth)]
    N = draw(st.integers(1, max_batch))
    X = draw(hnp.arrays(np.float64, (N, n_in), elements=_floats(-2.0, 2.0)))
    p = sizes[-1]
    if targets == "real":
        Y = draw(hnp.arrays(np.float64, (N, p), elements=_floats(-2.0, 2.0)))
    elif targets == "prob":
        Y = draw(hnp.arrays(np.float64, (N, p), elements=_floats(0.0, 1.0)))
    elif targets == "onehot":
        labels = draw(hnp.arrays(np.int64, (N,), elements=st.integers(0, p - 1)))
        Y = np.eye(p)[labels]
    else:
        raw = draw(hnp.arrays(np.float64, (N, p), elements=_floats(0.01, 1.0)))
        Y = raw / raw.sum(axis=1, keepdims=True)
    return {"n_in": n_in, "sizes": sizes, "acts": acts, "Ws": Ws, "bs": bs, "X": X, "Y": Y}


def _avoid_kinks(net: dict[str, Any], margin: float = 1e-6) -> None:
    """Discard the example if a ReLU / leaky ReLU unit sits within ``margin`` of its kink at n = 0."""
    n, _ = forward_row(net["Ws"], net["bs"], net["acts"], net["X"])
    for name, n_k in zip(net["acts"], n):
        if name in KINKED:
            assume(bool(np.all(np.abs(n_k) > margin)))


def _unsaturated(net: dict[str, Any], limit: float) -> None:
    """Discard examples whose output units saturate: the closed form evaluates log(1 - a) and log z from the
    probabilities (doc 002's log loss, doc 001's cross-entropy as written), which loses digits once
    a = sigma(n) is within ~1e-5 of 1 (n > 10) or a softmax's logits spread beyond ``limit``; autograd's nn
    losses work from the logits and keep them. (The gradients agree regardless; the loss value would not.)"""
    n, _ = forward_row(net["Ws"], net["bs"], net["acts"], net["X"])
    spread = np.ptp(n[-1], axis=1) if net["acts"][-1] == "softmax" else np.abs(n[-1])
    assume(bool(np.all(spread <= limit)))


def _model(net: dict[str, Any], engine: str) -> nn.MLP:
    model = nn.MLP(net["n_in"], net["sizes"], activation=net["acts"], engine=engine, seed=0)
    model.set_weights(net["Ws"], net["bs"])
    return model


def _assert_agree(report: Report) -> None:
    """Every s^k, dL/dW^k, dL/db^k and L agree within relative 1e-9 (norm-wise: max |auto - hand| <=
    1e-9 max(|auto|, |hand|) + 1e-12), checked here directly on the two sides' arrays."""
    assert report.passed, str(report)
    pairs = [(q.auto, q.hand) for layer in report.layers for q in layer.quantities]
    pairs.append((report.loss.auto, report.loss.hand))
    for auto, hand in pairs:
        assert auto.shape == hand.shape
        scale = max(float(np.max(np.abs(hand), initial=0.0)), float(np.max(np.abs(auto), initial=0.0)))
        assert float(np.max(np.abs(auto - hand), initial=0.0)) <= RTOL * scale + 1e-12


def _check_shapes(report: Report, net: dict[str, Any]) -> None:
    N = net["X"].shape[0]
    for layer, W, size in zip(report.layers, net["Ws"], net["sizes"]):
        assert layer.s.auto.shape == (N, size)
        assert layer.dW.auto.shape == W.shape
        assert layer.db.auto.shape == (size,)


# ------------------------------------------------------------------------------------------------------
# doc 000: row vectors, L = (y - a^l)^2 (eq. 11), s^l by eq. 24, s^k by eq. 33
# ------------------------------------------------------------------------------------------------------


@given(net=networks(), reduction=st.sampled_from(["sum", "mean"]))
def test_row_doc000_tensor(net: dict[str, Any], reduction: str) -> None:
    _avoid_kinks(net)
    report = compare(
        _model(net, "tensor"), net["X"], net["Y"], loss="squared_error", reduction=reduction, convention="row"
    )
    _check_shapes(report, net)
    _assert_agree(report)


@settings(max_examples=VALUE_EXAMPLES)
@given(net=networks(), reduction=st.sampled_from(["sum", "mean"]))
def test_row_doc000_value(net: dict[str, Any], reduction: str) -> None:
    _avoid_kinks(net)
    report = compare(
        _model(net, "value"), net["X"], net["Y"], loss="squared_error", reduction=reduction, convention="row"
    )
    _check_shapes(report, net)
    _assert_agree(report)


# ------------------------------------------------------------------------------------------------------
# docs 002-003: column vectors, E = 1/2 ||a - y||^2 and log loss
# ------------------------------------------------------------------------------------------------------


@given(net=networks(), reduction=st.sampled_from(["sum", "mean"]))
def test_column_half_squared_error_tensor(net: dict[str, Any], reduction: str) -> None:
    _avoid_kinks(net)
    _assert_agree(
        compare(
            _model(net, "tensor"),
            net["X"],
            net["Y"],
            loss="half_squared_error",
            reduction=reduction,
            convention="column",
        )
    )


@settings(max_examples=VALUE_EXAMPLES)
@given(net=networks(), reduction=st.sampled_from(["sum", "mean"]))
def test_column_half_squared_error_value(net: dict[str, Any], reduction: str) -> None:
    _avoid_kinks(net)
    _assert_agree(
        compare(
            _model(net, "value"),
            net["X"],
            net["Y"],
            loss="half_squared_error",
            reduction=reduction,
            convention="column",
        )
    )


@given(
    net=networks(),
    loss=st.sampled_from(["mse", "squared_error"]),
    convention=st.sampled_from(["row", "column", "doc001"]),
)
def test_other_squared_losses_every_convention_tensor(net: dict[str, Any], loss: str, convention: str) -> None:
    _avoid_kinks(net)
    _assert_agree(
        compare(_model(net, "tensor"), net["X"], net["Y"], loss=loss, reduction="mean", convention=convention)
    )


# ------------------------------------------------------------------------------------------------------
# doc 001: delta = -dJ/dnet (J = 1/2 ||t - z||^2)
# ------------------------------------------------------------------------------------------------------


@given(net=networks(), reduction=st.sampled_from(["sum", "mean"]))
def test_doc001_tensor(net: dict[str, Any], reduction: str) -> None:
    _avoid_kinks(net)
    _assert_agree(
        compare(
            _model(net, "tensor"),
            net["X"],
            net["Y"],
            loss="half_squared_error",
            reduction=reduction,
            convention="doc001",
        )
    )


@settings(max_examples=VALUE_EXAMPLES)
@given(net=networks(), reduction=st.sampled_from(["sum", "mean"]))
def test_doc001_value(net: dict[str, Any], reduction: str) -> None:
    _avoid_kinks(net)
    _assert_agree(
        compare(
            _model(net, "value"),
            net["X"],
            net["Y"],
            loss="half_squared_error",
            reduction=reduction,
            convention="doc001",
        )
    )


# ------------------------------------------------------------------------------------------------------
# softmax + cross-entropy (doc 001) and sigmoid + log loss (doc 002)
# ------------------------------------------------------------------------------------------------------


def _agree_with_output_sensitivity(
    net: dict[str, Any], engine: str, loss: str, f: Any, limit: float, reduction: str, convention: str
) -> None:
    """Both sides agree, and the output sensitivity autograd finds is (f(n^l) - y) (/ N for the mean), the
    closed form's collapse of dL/da (.) f'(n) for these output/loss pairs, with f(n^l) computed by numpy."""
    _avoid_kinks(net)
    _unsaturated(net, limit)
    report = compare(_model(net, engine), net["X"], net["Y"], loss=loss, reduction=reduction, convention=convention)
    _assert_agree(report)
    n, _ = forward_row(net["Ws"], net["bs"], net["acts"], net["X"])
    scale = 1.0 / len(net["X"]) if reduction == "mean" else 1.0
    np.testing.assert_allclose(report.layers[-1].s.auto, scale * (f(n[-1]) - net["Y"]), rtol=1e-9, atol=1e-12)


@given(
    net=networks(output=["softmax"], targets="onehot"),
    reduction=st.sampled_from(["sum", "mean"]),
    convention=st.sampled_from(["row", "column", "doc001"]),
)
def test_softmax_cross_entropy_tensor(net: dict[str, Any], reduction: str, convention: str) -> None:
    # the output sensitivity is z - t (doc 001 with the cross terms kept), z = softmax(n^l) by numpy
    _agree_with_output_sensitivity(net, "tensor", "cross_entropy", softmax, 30.0, reduction, convention)


@settings(max_examples=VALUE_EXAMPLES)
@given(net=networks(output=["softmax"], targets="dist"), convention=st.sampled_from(["row", "doc001"]))
def test_softmax_cross_entropy_soft_targets_value(net: dict[str, Any], convention: str) -> None:
    _agree_with_output_sensitivity(net, "value", "cross_entropy", softmax, 30.0, "sum", convention)


@given(net=networks(output=["softmax"], targets="onehot", max_batch=8))
def test_softmax_cross_entropy_integer_labels_equal_one_hot(net: dict[str, Any]) -> None:
    _avoid_kinks(net)
    _unsaturated(net, 30.0)
    model = _model(net, "tensor")
    labels = np.argmax(net["Y"], axis=1)
    by_label = compare(model, net["X"], labels, loss="cross_entropy", reduction="mean")
    by_onehot = compare(model, net["X"], net["Y"], loss="cross_entropy", reduction="mean")
    _assert_agree(by_label)
    for q1, q2 in zip(
        [q for la in by_label.layers for q in la.quantities], [q for la in by_onehot.layers for q in la.quantities]
    ):
        np.testing.assert_array_equal(q1.hand, q2.hand)


@given(
    net=networks(output=["sigmoid"], targets="prob"),
    reduction=st.sampled_from(["sum", "mean"]),
    convention=st.sampled_from(["row", "column", "doc001"]),
)
def test_sigmoid_log_loss_tensor(net: dict[str, Any], reduction: str, convention: str) -> None:
    # doc 002: the log loss's dL/da times sigma'(z) = a (1 - a) collapses to s^L = a - y
    _agree_with_output_sensitivity(net, "tensor", "log_loss", sigmoid, 10.0, reduction, convention)


@settings(max_examples=VALUE_EXAMPLES)
@given(net=networks(output=["sigmoid"], targets="prob"))
def test_sigmoid_log_loss_value(net: dict[str, Any]) -> None:
    _agree_with_output_sensitivity(net, "value", "log_loss", sigmoid, 10.0, "sum", "column")


# ------------------------------------------------------------------------------------------------------
# Both sides against a numerical gradient (central differences) on small cases
# ------------------------------------------------------------------------------------------------------

#: loss -> (targets, output activations) for the numerical-gradient property
_NUMERIC_LOSSES: dict[str, tuple[str, list[str] | None]] = {
    "squared_error": ("real", None),
    "half_squared_error": ("real", None),
    "cross_entropy": ("onehot", ["softmax"]),
    "log_loss": ("prob", ["sigmoid"]),
}


def _numeric_loss(model: nn.MLP, X: np.ndarray, Y: np.ndarray, loss: str) -> Any:
    """L(model) summed over the samples, written with the engine's ops from the output a^l only."""
    if model.engine == "tensor":
        a = model(X)
        if loss == "squared_error":
            return ((a - Y) ** 2).sum()
        if loss == "half_squared_error":
            return 0.5 * ((a - Y) ** 2).sum()
        if loss == "cross_entropy":
            return -(a.log() * Y).sum()
        return -(a.log() * Y + (1.0 - a).log() * (1.0 - Y)).sum()
    total: Any = 0.0
    for x, y in zip(X, Y):
        out = model(list(x))
        outs = out if isinstance(out, list) else [out]
        for ai, yi in zip(outs, y):
            if loss == "squared_error":
                total = total + (ai - float(yi)) ** 2
            elif loss == "half_squared_error":
                total = total + 0.5 * (ai - float(yi)) ** 2
            elif loss == "cross_entropy":
                total = total - ai.log() * float(yi)
            else:
                total = total - (ai.log() * float(yi) + (1.0 - ai).log() * (1.0 - float(yi)))
    return total


@st.composite
def small_cases(draw: Any) -> tuple[dict[str, Any], str, str]:
    loss = draw(st.sampled_from(sorted(_NUMERIC_LOSSES)))
    targets, output = _NUMERIC_LOSSES[loss]
    net = draw(networks(output=output, max_depth=2, max_width=3, max_batch=3, targets=targets))
    engine = draw(st.sampled_from(["tensor", "value"]))
    return net, loss, engine


@settings(max_examples=30)
@given(case=small_cases(), convention=st.sampled_from(["row", "column", "doc001"]))
def test_hand_and_auto_equal_numerical_gradient(case: tuple[dict[str, Any], str, str], convention: str) -> None:
    net, loss, engine = case
    _avoid_kinks(net, margin=1e-3)  # central differences step 1e-6 must not cross a kink
    if loss in ("cross_entropy", "log_loss"):
        _unsaturated(net, 10.0)
    model = _model(net, engine)
    report = compare(model, net["X"], net["Y"], loss=loss, convention=convention)
    _assert_agree(report)
    params = model.parameters()
    numeric = ag.numerical_grad(lambda *_: _numeric_loss(model, net["X"], net["Y"], loss), params)
    if engine == "tensor":
        num_W = numeric[0::2]
        num_b = numeric[1::2]
    else:  # per neuron: w_1..w_nin, b; regroup into (n_in, n_out) and (n_out,)
        it = iter(numeric)
        num_W, num_b = [], []
        for layer in model.layers:
            cols, bias = [], []
            for _ in range(layer.nout):
                cols.append([next(it) for _ in range(layer.nin)])
                bias.append(next(it))
            num_W.append(np.array(cols).T)
            num_b.append(np.array(bias))
    for layer_report, nW, nb in zip(report.layers, num_W, num_b):
        for got in (layer_report.dW.hand, layer_report.dW.auto):
            np.testing.assert_allclose(got, nW, rtol=1e-5, atol=1e-6)
        for got in (layer_report.db.hand, layer_report.db.auto):
            np.testing.assert_allclose(got, nb, rtol=1e-5, atol=1e-6)
    L = float(np.asarray(_numeric_loss(model, net["X"], net["Y"], loss).data))  # the loss, written out again
    assert abs(report.loss_hand - L) <= 1e-9 * max(1.0, abs(L))

"""nn.losses on both engines: closed-form numpy values, numerical gradients, stability, target validation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis.extra import numpy as hnp

import autograd_mini as ag
import nn
from autograd_mini import Tensor, Value

REDUCTIONS = ["sum", "mean"]


def logsumexp(n: np.ndarray) -> np.ndarray:
    m = n.max(axis=-1, keepdims=True)
    return (m + np.log(np.exp(n - m).sum(axis=-1, keepdims=True)))[..., 0]


def log_softmax(n: np.ndarray) -> np.ndarray:
    return n - logsumexp(n)[..., None]


def reduce(per: np.ndarray, reduction: str) -> float:
    return float(per.sum() if reduction == "sum" else per.mean())


def to_values(a: np.ndarray) -> Any:
    return [to_values(r) for r in a] if a.ndim > 1 else [Value(float(v)) for v in a]


def leaves(vals: Any) -> list[Value]:
    return [v for r in vals for v in leaves(r)] if isinstance(vals[0], list) else list(vals)


def check_both_engines(loss: Callable[..., Any], a: np.ndarray, y: Any, expected: float, **kw: Any) -> None:
    """Value and gradient on both engines: value vs closed form, gradient vs gradcheck (central differences)."""
    # tensor engine
    t = Tensor(a, requires_grad=True)
    out = loss(t, y, **kw)
    assert isinstance(out, Tensor) and out.shape == ()
    np.testing.assert_allclose(out.item(), expected, rtol=1e-9, atol=1e-12)
    assert ag.gradcheck(lambda x: loss(x, y, **kw), [t])
    # value engine (a list of Values per sample, a list of lists for a batch)
    vals = to_values(a)
    out_v = loss(vals, y if not isinstance(y, np.ndarray) else y.tolist(), **kw)
    assert isinstance(out_v, Value)
    np.testing.assert_allclose(out_v.data, expected, rtol=1e-9, atol=1e-12)
    flat = leaves(vals)
    assert ag.gradcheck(lambda *xs: loss(_rebuild(xs, a.shape), y, **kw), flat)
    out_v.backward()
    out.backward()
    np.testing.assert_allclose([v.grad for v in flat], t.grad.ravel(), rtol=1e-9, atol=1e-12)


def _rebuild(xs: tuple[Value, ...], shape: tuple[int, ...]) -> Any:
    xs_list = list(xs)
    if len(shape) == 1:
        return xs_list
    k = shape[1]
    return [xs_list[i * k : (i + 1) * k] for i in range(shape[0])]


shapes = st.sampled_from([(1,), (3,), (2, 2), (3, 1), (4, 3)])
moderate = st.floats(-3, 3, allow_nan=False, allow_infinity=False)
probs = st.floats(0.05, 0.95, allow_nan=False, allow_infinity=False)


# -- elementwise losses ---------------------------------------------------------------------------------
@given(
    shapes.flatmap(
        lambda s: st.tuples(hnp.arrays(np.float64, s, elements=moderate), hnp.arrays(np.float64, s, elements=moderate))
    ),
    st.sampled_from(REDUCTIONS),
)
def test_squared_losses(ay: tuple[np.ndarray, np.ndarray], reduction: str) -> None:
    a, y = ay
    sq = (y - a) ** 2
    check_both_engines(nn.squared_error, a, y, reduce(sq, reduction), reduction=reduction)
    check_both_engines(nn.half_squared_error, a, y, reduce(0.5 * sq, reduction), reduction=reduction)
    check_both_engines(nn.mse, a, y, reduce(sq, reduction), reduction=reduction)


@given(
    shapes.flatmap(
        lambda s: st.tuples(
            hnp.arrays(np.float64, s, elements=probs),
            hnp.arrays(np.float64, s, elements=st.sampled_from([0.0, 1.0, 0.3])),
        )
    ),
    st.sampled_from(REDUCTIONS),
)
def test_binary_cross_entropy(ay: tuple[np.ndarray, np.ndarray], reduction: str) -> None:
    a, y = ay
    per = -(y * np.log(a) + (1 - y) * np.log(1 - a))
    check_both_engines(nn.binary_cross_entropy, a, y, reduce(per, reduction), reduction=reduction)


@given(
    shapes.flatmap(
        lambda s: st.tuples(
            hnp.arrays(np.float64, s, elements=st.floats(-30, 30)),
            hnp.arrays(np.float64, s, elements=st.sampled_from([0.0, 1.0, 0.3])),
        )
    ),
    st.sampled_from(REDUCTIONS),
)
def test_binary_cross_entropy_with_logits(ny: tuple[np.ndarray, np.ndarray], reduction: str) -> None:
    n, y = ny
    per = np.logaddexp(0.0, n) - y * n  # log(1 + e^n) - y n
    check_both_engines(nn.binary_cross_entropy_with_logits, n, y, reduce(per, reduction), reduction=reduction)


def test_binary_cross_entropy_with_logits_extremes_and_zero() -> None:
    n = Tensor([-1e4, 0.0, 1e4], requires_grad=True)
    loss = nn.binary_cross_entropy_with_logits(n, [1.0, 1.0, 0.0], reduction="sum")
    assert loss.item() == pytest.approx(2e4 + np.log(2))
    loss.backward()
    np.testing.assert_allclose(n.grad, [-1.0, -0.5, 1.0])  # sigma(n) - y, exact also at n = 0


@given(
    shapes.flatmap(
        lambda s: st.tuples(
            hnp.arrays(np.float64, s, elements=moderate),
            hnp.arrays(np.float64, s, elements=st.sampled_from([-1.0, 1.0])),
        )
    ),
    st.sampled_from(REDUCTIONS),
)
def test_hinge(sy: tuple[np.ndarray, np.ndarray], reduction: str) -> None:
    s, y = sy
    assume(np.all(np.abs(1 - y * s) > 1e-3))  # away from the kink, where central differences are exact
    check_both_engines(nn.hinge, s, y, reduce(np.maximum(0.0, 1 - y * s), reduction), reduction=reduction)


# -- distribution losses --------------------------------------------------------------------------------
@st.composite
def logits_and_labels(draw: st.DrawFn) -> tuple[np.ndarray, Any]:
    batch = draw(st.sampled_from([None, 1, 3]))
    classes = draw(st.integers(2, 4))
    shape = (classes,) if batch is None else (batch, classes)
    n = draw(hnp.arrays(np.float64, shape, elements=moderate))
    labels = draw(hnp.arrays(np.int64, shape[:-1], elements=st.integers(0, classes - 1)))
    return n, (int(labels) if batch is None else labels)


def distributions(n: np.ndarray) -> np.ndarray:
    e = np.exp(n - n.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@given(logits_and_labels(), st.sampled_from(REDUCTIONS))
def test_cross_entropy_with_labels(ny: tuple[np.ndarray, Any], reduction: str) -> None:
    n, y = ny
    per = logsumexp(n) - np.take_along_axis(n, np.reshape(y, n.shape[:-1] + (1,)), axis=-1)[..., 0]
    check_both_engines(nn.cross_entropy, n, y, reduce(np.atleast_1d(per), reduction), reduction=reduction)
    logp = log_softmax(n)
    check_both_engines(nn.nll_loss, logp, y, reduce(np.atleast_1d(per), reduction), reduction=reduction)


@given(logits_and_labels(), st.data(), st.sampled_from(REDUCTIONS))
def test_cross_entropy_with_probability_targets(
    ny: tuple[np.ndarray, Any], data: st.DataObject, reduction: str
) -> None:
    n, _ = ny
    t = distributions(data.draw(hnp.arrays(np.float64, n.shape, elements=moderate)))
    per = -(t * log_softmax(n)).sum(axis=-1)
    check_both_engines(nn.cross_entropy, n, t, reduce(np.atleast_1d(per), reduction), reduction=reduction)


@given(logits_and_labels(), st.data(), st.sampled_from(REDUCTIONS))
def test_kl_and_symmetric_cross_entropy(ny: tuple[np.ndarray, Any], data: st.DataObject, reduction: str) -> None:
    n, _ = ny
    z = distributions(n)
    t = distributions(data.draw(hnp.arrays(np.float64, n.shape, elements=moderate)))
    kl = (t * np.log(t / z)).sum(axis=-1)
    check_both_engines(nn.kl_divergence, z, t, reduce(np.atleast_1d(kl), reduction), reduction=reduction)
    sym = -(t * np.log(z) + z * np.log(t)).sum(axis=-1)
    check_both_engines(nn.symmetric_cross_entropy, z, t, reduce(np.atleast_1d(sym), reduction), reduction=reduction)
    # doc 001: CrossEntropy(t, z) = Entropy(t) + D_KL(t | z)
    entropy = -(t * np.log(t)).sum(axis=-1)
    ce = nn.cross_entropy(Tensor(n), t, reduction=reduction).item()
    assert ce == pytest.approx(
        reduce(np.atleast_1d(entropy), reduction) + nn.kl_divergence(Tensor(z), t, reduction=reduction).item(),
        rel=1e-9,
        abs=1e-12,
    )


def test_kl_and_symmetric_with_one_hot_labels() -> None:
    z = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    labels = np.array([0, 2])
    assert nn.kl_divergence(Tensor(z), labels).item() == pytest.approx(-np.log([0.7, 0.8]).mean())
    eps = nn.losses.EPS
    sym = -(np.log([0.7, 0.8]) + np.log(eps) * np.array([0.3, 0.2])).mean()
    assert nn.symmetric_cross_entropy(Tensor(z), labels).item() == pytest.approx(sym)
    assert nn.symmetric_cross_entropy(to_values(z), labels).data == pytest.approx(sym)


@pytest.mark.parametrize("engine", ["value", "tensor"])
def test_cross_entropy_finite_for_huge_logits(engine: str) -> None:
    n = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, 1e4]])
    y = np.array([1, 2])
    expected = float(np.mean(logsumexp(n) - n[np.arange(2), y]))
    assert expected == pytest.approx(1e4)
    x: Any = Tensor(n, requires_grad=True) if engine == "tensor" else to_values(n)
    loss = nn.cross_entropy(x, y)
    assert np.isfinite(loss.data) and float(loss.data) == pytest.approx(expected, rel=1e-12)
    loss.backward()
    grad = x.grad if engine == "tensor" else np.array([[v.grad for v in r] for r in x])
    onehot = np.eye(3)[y]
    np.testing.assert_allclose(grad, (distributions(n) - onehot) / 2, atol=1e-15)


def test_float32_kept() -> None:
    n = Tensor(np.zeros((2, 3), dtype=np.float32), requires_grad=True)
    assert nn.cross_entropy(n, [0, 1]).dtype == np.float32
    assert nn.mse(n, np.ones((2, 3))).dtype == np.float32
    assert nn.binary_cross_entropy(Tensor(np.full(3, 0.5, dtype=np.float32)), [0, 1, 1]).dtype == np.float32


def test_doc000_squared_error_and_its_sensitivity() -> None:
    a = Value(4.0)
    loss = nn.squared_error(a, 0.0)  # L = (y - a)^2 = 16, dL/da = -2 (y - a) = 8 (doc 000, eq. 45)
    loss.backward()
    assert (loss.data, a.grad) == (16.0, 8.0)


# -- names and validation ---------------------------------------------------------------------------------
def test_unknown_names_list_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="valid losses: squared_error, .*cross_entropy"):
        nn.get_loss("mae")
    with pytest.raises(ValueError, match="valid activations: hardlimit, .*softmax"):
        nn.get_activation("swish")
    assert nn.get_loss("hinge") is nn.hinge and set(nn.LOSSES) >= {"kl_divergence", "nll_loss"}
    with pytest.raises(ValueError, match="reduction must be 'sum' or 'mean'"):
        nn.mse(Tensor([1.0]), [1.0], reduction="none")


def _model_and_output(engine: str) -> tuple[nn.MLP, Any]:
    model = nn.MLP(2, [3, 3], engine=engine, seed=0)
    out = model(np.array([[0.5, -0.5], [1.0, 2.0]]) if engine == "tensor" else [0.5, -0.5])
    return model, out


@pytest.mark.parametrize("engine", ["value", "tensor"])
@pytest.mark.parametrize(
    ("loss", "target", "message"),
    [
        ("cross_entropy", "label_out_of_range", "label 3 is outside the valid range 0..2"),
        ("cross_entropy", "negative_label", "label -1 is outside the valid range 0..2"),
        ("cross_entropy", "fractional_label", "integer class indices"),
        ("cross_entropy", "wrong_shape", "target must be integer labels of shape"),
        ("cross_entropy", "nan", "NaN or Inf"),
        ("nll_loss", "label_out_of_range", "outside the valid range"),
        ("mse", "wrong_shape", "does not match the output shape"),
        ("mse", "nan", "NaN or Inf"),
        ("binary_cross_entropy", "out_of_unit_interval", r"\[0, 1\]"),
        ("hinge", "not_pm1", "-1 or \\+1"),
        ("kl_divergence", "not_a_distribution", "sum to 1"),
    ],
)
def test_bad_targets_raise_before_anything_changes(engine: str, loss: str, target: str, message: str) -> None:
    model, out = _model_and_output(engine)
    batch = (2,) if engine == "tensor" else ()
    targets = {
        "label_out_of_range": np.full(batch, 3),
        "negative_label": np.full(batch, -1),
        "fractional_label": np.full(batch, 0.5),
        "wrong_shape": np.zeros(batch + (4,)),
        "nan": np.full(batch + (3,), np.nan),
        "out_of_unit_interval": np.full(batch + (3,), 1.5),
        "not_pm1": np.full(batch + (3,), 0.0),
        "not_a_distribution": np.full(batch + (3,), 0.5),
    }
    before = {k: v.copy() for k, v in model.state_dict().items()}
    y = targets[target]
    with pytest.raises(ValueError, match=message):
        nn.get_loss(loss)(out, y if engine == "tensor" else y.tolist())
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v, before[k])
    assert all(p.grad is None or p.grad == 0.0 for p in model.parameters())


def test_column_targets_accepted_but_no_silent_broadcasting() -> None:
    a = Tensor(np.array([[1.0], [2.0], [3.0]]))
    assert nn.mse(a, np.array([1.0, 2.0, 3.0])).item() == 0.0  # (3,) against (3, 1): same elements
    with pytest.raises(ValueError, match=r"target shape \(3,\) does not match the output shape \(3, 2\)"):
        nn.mse(Tensor(np.ones((3, 2))), np.ones(3))
    with pytest.raises(ValueError, match="does not match"):
        nn.squared_error([Value(1.0), Value(2.0)], [1.0])

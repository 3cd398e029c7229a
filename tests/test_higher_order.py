"""Higher-order derivatives (create_graph=True): closed forms, Hessian-vector products against central
differences of the gradient, and grad of grad for every op in the rule table on both engines."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from _opspecs import F64, SPECS, TENSOR_OPS, VALUE_OPS, floats
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_mini as ag
from autograd_mini import Tensor, Value

XS = st.floats(-3, 3, allow_nan=False)


def _derivatives(f: Any, x: float, n: int) -> list[float]:
    """[f(x), f'(x), ..., f^(n)(x)] by repeated ag.grad(create_graph=True) on a Value."""
    v = Value(x)
    y = f(v)
    out = [y.data]
    for _ in range(n):
        (y,) = ag.grad(y, v, create_graph=True)
        out.append(y.data if isinstance(y, Value) else float(y))
    return out


@given(XS)
def test_tanh_second_derivative(x: float) -> None:
    t = math.tanh(x)
    _, d1, d2 = _derivatives(lambda v: v.tanh(), x, 2)
    assert d1 == pytest.approx(1 - t * t, rel=1e-12, abs=1e-15)
    assert d2 == pytest.approx(-2 * t * (1 - t * t), rel=1e-9, abs=1e-15)


@given(XS)
def test_sigmoid_second_derivative(x: float) -> None:
    s = 1 / (1 + math.exp(-x))
    _, d1, d2 = _derivatives(lambda v: v.sigmoid(), x, 2)
    assert d1 == pytest.approx(s * (1 - s), rel=1e-12)
    assert d2 == pytest.approx(s * (1 - s) * (1 - 2 * s), rel=1e-9, abs=1e-15)


@given(XS)
def test_x4_third_and_fourth_derivatives(x: float) -> None:
    _, d1, d2, d3, d4 = _derivatives(lambda v: v**4, x, 4)
    assert d1 == pytest.approx(4 * x**3, rel=1e-12, abs=1e-300)
    assert d2 == pytest.approx(12 * x**2, rel=1e-12, abs=1e-300)
    assert d3 == pytest.approx(24 * x, rel=1e-12, abs=1e-300)
    assert d4 == pytest.approx(24.0, rel=1e-12)


@given(XS)
def test_exp_derivatives_are_exp(x: float) -> None:
    ds = _derivatives(lambda v: v.exp(), x, 3)
    for d in ds:
        assert d == pytest.approx(math.exp(x), rel=1e-12)


@given(st.floats(0.05, 20))
def test_log_derivatives(x: float) -> None:
    _, d1, d2, d3 = _derivatives(lambda v: v.log(), x, 3)
    assert d1 == pytest.approx(1 / x, rel=1e-12)
    assert d2 == pytest.approx(-1 / x**2, rel=1e-12)
    assert d3 == pytest.approx(2 / x**3, rel=1e-12)


def test_tensor_second_derivatives_elementwise() -> None:
    x = Tensor([-1.5, -0.2, 0.0, 0.7, 2.0], requires_grad=True)
    (g,) = ag.grad(x.tanh().sum(), x, create_graph=True)
    (h,) = ag.grad(g.sum(), x)
    t = np.tanh(x.data)
    np.testing.assert_allclose(g.data, 1 - t**2, rtol=1e-12)
    np.testing.assert_allclose(h, -2 * t * (1 - t**2), rtol=1e-9, atol=1e-15)
    (g,) = ag.grad((x**4).sum(), x, create_graph=True)
    (h,) = ag.grad(g.sum(), x, create_graph=True)
    (k,) = ag.grad(h.sum(), x)
    np.testing.assert_allclose(k, 24 * x.data, rtol=1e-12)


def test_backward_create_graph_gives_differentiable_grad() -> None:
    x = Value(0.5)
    y = x.tanh() * x  # y' = tanh + x (1 - tanh^2);  y'' = 2 (1 - tanh^2) - 2 x tanh (1 - tanh^2)
    y.backward(create_graph=True)
    g = x.grad
    assert isinstance(g, Value)
    t = math.tanh(0.5)
    assert g.data == pytest.approx(t + 0.5 * (1 - t * t), rel=1e-12)
    (h,) = ag.grad(g, x)
    assert h == pytest.approx(2 * (1 - t * t) - 2 * 0.5 * t * (1 - t * t), rel=1e-12)


# -- Hessian-vector product of a small tanh MLP ------------------------------------------------------------------
def _mlp_loss(params: list[Tensor], X: np.ndarray, y: np.ndarray) -> Tensor:
    W1, b1, W2, b2 = params
    h = (X @ W1 + b1).tanh()
    pred = h @ W2 + b2
    return ((pred - y) ** 2).mean()


def _mlp_grad(arrays: list[np.ndarray], X: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    ps = [Tensor(a, requires_grad=True) for a in arrays]
    return ag.grad(_mlp_loss(ps, X, y), ps)


def test_hessian_vector_product_of_tanh_mlp_matches_central_differences() -> None:
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(6, 3)), rng.normal(size=(6, 1))
    arrays = [rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=(4, 1)), rng.normal(size=1)]
    vs = [rng.normal(size=a.shape) for a in arrays]
    ps = [Tensor(a, requires_grad=True) for a in arrays]
    grads = ag.grad(_mlp_loss(ps, X, y), ps, create_graph=True)
    gv = sum(((g * v).sum() for g, v in zip(grads, vs)), Tensor(0.0))
    hvp = ag.grad(gv, ps)
    eps = 1e-5
    plus = _mlp_grad([a + eps * v for a, v in zip(arrays, vs)], X, y)
    minus = _mlp_grad([a - eps * v for a, v in zip(arrays, vs)], X, y)
    for h, p, m in zip(hvp, plus, minus):
        np.testing.assert_allclose(h, (p - m) / (2 * eps), rtol=1e-6, atol=1e-8)
    # the first-order gradient against central differences of the loss too
    for k, (a, g) in enumerate(zip(arrays, grads)):
        num = np.zeros_like(a)
        for i in np.ndindex(a.shape):
            hi = [b.copy() for b in arrays]
            lo = [b.copy() for b in arrays]
            hi[k][i] += 1e-6
            lo[k][i] -= 1e-6
            with ag.no_grad():
                num[i] = (
                    _mlp_loss([Tensor(b) for b in hi], X, y).item() - _mlp_loss([Tensor(b) for b in lo], X, y).item()
                ) / 2e-6
        np.testing.assert_allclose(g.data, num, rtol=1e-6, atol=1e-9)


def test_hessian_vector_product_on_value_mlp() -> None:
    """Same check on the scalar engine: a 2-2-1 tanh net written with Values (and lincomb)."""
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(4, 2)), rng.normal(size=4)
    theta = rng.normal(size=9)
    v = rng.normal(size=9)

    def loss(ps: list[Value]) -> Value:
        total: Value = Value(0.0, requires_grad=False)
        for xrow, target in zip(X, y):
            h = [ag.lincomb(ps[2 * j : 2 * j + 2], list(xrow), ps[4 + j]).tanh() for j in range(2)]
            out = h[0] * ps[6] + h[1] * ps[7] + ps[8]
            total = total + (out - float(target)) ** 2
        return total / len(y)

    def grad_at(t: np.ndarray) -> np.ndarray:
        ps = [Value(float(a)) for a in t]
        return np.array(ag.grad(loss(ps), ps))

    ps = [Value(float(a)) for a in theta]
    grads = ag.grad(loss(ps), ps, create_graph=True)
    gv = sum((g * float(vi) for g, vi in zip(grads, v)), Value(0.0, requires_grad=False))
    hvp = np.array(ag.grad(gv, ps))
    eps = 1e-5
    np.testing.assert_allclose(
        hvp, (grad_at(theta + eps * v) - grad_at(theta - eps * v)) / (2 * eps), rtol=1e-6, atol=1e-8
    )


# -- grad of grad for named Tensor ops (closed forms) -------------------------------------------------------------
def test_matmul_second_order_cross_term() -> None:
    # L = sum(A @ B)^2 / 2 ... use L = sum((A @ B) * C); dL/dA = C B^T, d/dB <dL/dA, V> = A^T... check closed form:
    # d/dB sum(V * (C B^T)) = V^T C  (shape of B)
    rng = np.random.default_rng(3)
    A, B, C, V = rng.normal(size=(2, 3)), rng.normal(size=(3, 4)), rng.normal(size=(2, 4)), rng.normal(size=(2, 3))
    a, b = Tensor(A, requires_grad=True), Tensor(B, requires_grad=True)
    (ga,) = ag.grad(((a @ b) * C).sum(), a, create_graph=True)
    np.testing.assert_allclose(ga.data, C @ B.T, rtol=1e-12)
    (gb,) = ag.grad((ga * V).sum(), b)
    np.testing.assert_allclose(gb, V.T @ C, rtol=1e-12)


def test_softmax_hessian_closed_form() -> None:
    # L = sum(w * softmax(x)); dL/dx = s (w - <w,s>); Hessian-vector via the closed Jacobian J = diag(s) - s s^T
    x0 = np.array([0.3, -1.2, 2.0, 0.5])
    w = np.array([1.0, -2.0, 0.5, 3.0])
    v = np.array([0.1, 0.7, -0.4, 0.2])
    x = Tensor(x0, requires_grad=True)
    (g,) = ag.grad((x.softmax() * w).sum(), x, create_graph=True)
    s = np.exp(x0) / np.exp(x0).sum()
    J = np.diag(s) - np.outer(s, s)
    np.testing.assert_allclose(g.data, J @ w, rtol=1e-12)
    (h,) = ag.grad((g * v).sum(), x)
    # d/dx_k sum_i v_i s_i (w_i - <w,s>) = sum_i v_i J_ik (w_i - ws) - (v.s) (J w)_k
    ws = w @ s
    expected = J @ (v * (w - ws)) - (v @ s) * (J @ w)
    np.testing.assert_allclose(h, expected, rtol=1e-10, atol=1e-14)


def test_log_softmax_hessian_is_minus_softmax_jacobian() -> None:
    # d/dx sum(w * log_softmax(x)) = w - s sum(w); its Jacobian is -sum(w) (diag(s) - s s^T)
    x0 = np.array([[0.3, -1.2, 2.0], [1.0, 0.0, -1.0]])
    w = np.array([[1.0, -2.0, 0.5], [0.2, 0.3, -0.7]])
    v = np.array([[0.1, 0.7, -0.4], [1.0, -1.0, 0.5]])
    x = Tensor(x0, requires_grad=True)
    (g,) = ag.grad((x.log_softmax(axis=1) * w).sum(), x, create_graph=True)
    (h,) = ag.grad((g * v).sum(), x)
    for r in range(2):
        s = np.exp(x0[r]) / np.exp(x0[r]).sum()
        J = np.diag(s) - np.outer(s, s)
        np.testing.assert_allclose(g.data[r], w[r] - s * w[r].sum(), rtol=1e-12)
        np.testing.assert_allclose(h[r], -w[r].sum() * (J @ v[r]), rtol=1e-10, atol=1e-14)


def test_getitem_and_reductions_grad_of_grad() -> None:
    x0 = np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]])
    x = Tensor(x0, requires_grad=True)
    idx = (np.array([0, 1, 1, 0]), np.array([2, 1, 1, 2]))  # repeated entries
    # L = sum(x[idx]^3) + max(x^2, axis=1).sum() + mean(x^2)
    loss = (x[idx] ** 3).sum() + (x**2).max(axis=1).sum() + (x**2).mean()
    (g,) = ag.grad(loss, x, create_graph=True)
    counts = np.zeros_like(x0)
    np.add.at(counts, idx, 1.0)
    is_max = np.array([[0, 0, 1.0], [0, 1.0, 0]])
    np.testing.assert_allclose(g.data, counts * 3 * x0**2 + is_max * 2 * x0 + 2 * x0 / 6, rtol=1e-12)
    (h,) = ag.grad(g.sum(), x)  # diagonal Hessian summed over rows = the diagonal itself here
    np.testing.assert_allclose(h, counts * 6 * x0 + is_max * 2 + 2 / 6, rtol=1e-12)


def test_min_sum_grad_of_grad_with_keepdims() -> None:
    x0 = np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]])
    x = Tensor(x0, requires_grad=True)
    loss = ((x**3).min(axis=0, keepdims=True) * x.sum(axis=1, keepdims=True)).sum()
    (g,) = ag.grad(loss, x, create_graph=True)
    (h,) = ag.grad(g.sum(), x)

    # numeric second-order check along the all-ones direction
    def first(a: np.ndarray) -> np.ndarray:
        t = Tensor(a, requires_grad=True)
        return ag.grad(((t**3).min(axis=0, keepdims=True) * t.sum(axis=1, keepdims=True)).sum(), t)[0]

    eps = 1e-5
    num = (first(x0 + eps) - first(x0 - eps)) / (2 * eps)
    np.testing.assert_allclose(g.data, first(x0), rtol=1e-12)
    np.testing.assert_allclose(h, num, rtol=1e-6, atol=1e-8)


# -- grad of grad for every op, both engines ----------------------------------------------------------------------
def _first_grads(spec: Any, xs: list[np.ndarray], params: dict[str, Any], G: np.ndarray) -> list[Any]:
    ts = [Tensor(x, requires_grad=True) for x in xs]
    return ag.grad((spec.call(*ts, **params) * G).sum(), ts)


@pytest.mark.parametrize("name", TENSOR_OPS)
@given(data=st.data())
def test_tensor_op_hessian_vector_product(name: str, data: st.DataObject) -> None:
    """For L = sum(op(x) * G): grad(<grad L, V>) equals the directional central difference of grad L along V."""
    spec = SPECS[name]
    xs, params = spec.draw(data, False)
    ts = [Tensor(x, requires_grad=True) for x in xs]
    out = spec.call(*ts, **params)
    G = data.draw(hnp.arrays(F64, out.shape, elements=floats(-2, 2)), label="G")
    vs = [data.draw(hnp.arrays(F64, x.shape, elements=floats(-1, 1)), label=f"V{k}") for k, x in enumerate(xs)]
    grads = ag.grad((out * G).sum(), ts, create_graph=True)
    for g, x in zip(grads, xs):
        assert isinstance(g, Tensor) and g.shape == x.shape
    gv = sum(((g * v).sum() for g, v in zip(grads, vs)), Tensor(0.0))
    hvp = ag.grad(gv, ts) if gv.requires_grad else [np.zeros_like(x) for x in xs]
    eps = 1e-5
    plus = _first_grads(spec, [x + eps * v for x, v in zip(xs, vs)], params, G)
    minus = _first_grads(spec, [x - eps * v for x, v in zip(xs, vs)], params, G)
    for k, (h, p, m) in enumerate(zip(hvp, plus, minus)):
        assert np.shape(h) == xs[k].shape
        np.testing.assert_allclose(h, (p - m) / (2 * eps), rtol=1e-5, atol=1e-6, err_msg=f"{name}: input {k}")


@pytest.mark.parametrize("name", VALUE_OPS)
@given(data=st.data())
def test_value_op_second_derivatives(name: str, data: st.DataObject) -> None:
    spec = SPECS[name]
    xs, params = spec.draw(data, True)
    vals = [float(x) for x in xs]
    vs = [Value(a) for a in vals]
    grads = ag.grad(spec.call(*vs, **params), vs, create_graph=True)
    first = [g.data if isinstance(g, Value) else float(g) for g in grads]
    eps = 1e-5
    for j in range(len(vs)):  # Hessian column j by central differences of the (first-order) gradient

        def grad_at(shift: float, j: int = j) -> np.ndarray:
            ws = [Value(a + (shift if i == j else 0.0)) for i, a in enumerate(vals)]
            return np.array(ag.grad(spec.call(*ws, **params), ws))

        column = (grad_at(eps) - grad_at(-eps)) / (2 * eps)
        gj = grads[j]
        row = ag.grad(gj, vs) if isinstance(gj, Value) and gj.requires_grad else [0.0] * len(vs)
        np.testing.assert_allclose(
            np.array(row, dtype=float), column, rtol=1e-5, atol=1e-6, err_msg=f"{name}: d/dx d/dx{j}"
        )
    np.testing.assert_allclose(first, np.array(ag.grad(spec.call(*vs, **params), vs)), rtol=1e-13)

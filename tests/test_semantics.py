"""Engine semantics: repeated backward, shared nodes, the functional API, no_grad/detach/zero_grad, deep graphs,
the numeric domain policy (nan/inf with warnings, never complex), and Value/Tensor agreement on random
expression trees."""

from __future__ import annotations

import math
import sys
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_mini as ag
from autograd_mini import Tensor, Value


# -- second backward, shared nodes ------------------------------------------------------------------------------
def test_second_backward_adds_the_same_gradient_again() -> None:
    a = Value(2.0)
    c = a * a + a
    c.backward()
    assert a.grad == 5.0  # dc/da = 2a + 1
    c.backward()
    assert a.grad == 10.0  # micrograd double-counts through the intermediate a*a and gives 14


def test_second_backward_tensor() -> None:
    a = Tensor([2.0, -1.0], requires_grad=True)
    c = (a * a + a).sum()
    c.backward()
    np.testing.assert_array_equal(a.grad, [5.0, -1.0])
    c.backward()
    np.testing.assert_array_equal(a.grad, [10.0, -2.0])


def test_intermediate_grads_are_overwritten_not_accumulated() -> None:
    a = Value(3.0)
    b = a * a
    c = b * 2.0
    c.backward()
    assert (b.grad, a.grad) == (2.0, 12.0)
    c.backward()
    assert (b.grad, a.grad) == (2.0, 24.0)
    t = Tensor([1.0, 2.0], requires_grad=True)
    u = t * 3.0
    v = u.sum()
    v.backward()
    v.backward()
    np.testing.assert_array_equal(u.grad, [1.0, 1.0])
    np.testing.assert_array_equal(t.grad, [6.0, 6.0])


def test_diamond() -> None:
    a = Value(1.5)
    b = a + a
    c = b + b
    c.backward()
    assert a.grad == 4.0
    assert b.grad == 2.0
    t = Tensor(1.5, requires_grad=True)
    u = t + t
    (u + u).backward()
    assert t.grad == 4.0


def test_reused_node_many_paths() -> None:
    # f = x*y + x*x*y + sin-free polynomial: df/dx = y + 2xy, df/dy = x + x^2
    x, y = Value(1.5), Value(-2.0)
    xy = x * y
    f = xy + xy * x + y * 0.0
    f.backward()
    assert x.grad == pytest.approx(-2.0 + 2 * 1.5 * -2.0)
    assert y.grad == pytest.approx(1.5 + 1.5**2)


def test_functional_grad_does_not_touch_dot_grad() -> None:
    a = Value(2.0)
    b = a * a
    (ga,) = ag.grad(b * a, a)
    assert ga == 12.0  # d a^3 = 3 a^2
    assert a.grad == 0.0 and b.grad == 0.0
    t = Tensor([1.0, 2.0], requires_grad=True)
    (gt,) = ag.grad((t**2).sum(), t)
    np.testing.assert_array_equal(gt, [2.0, 4.0])
    assert t.grad is None


def test_functional_grad_unused_input_gets_zeros_and_grad_outputs_weights() -> None:
    a, b = Value(2.0), Value(5.0)
    ga, gb = ag.grad(a * 3.0, [a, b])
    assert (ga, gb) == (3.0, 0.0)
    t, u = Tensor([1.0, 2.0], requires_grad=True), Tensor(np.ones((2, 2)), requires_grad=True)
    gt, gu = ag.grad(t * 2.0, [t, u], grad_outputs=np.array([10.0, -1.0]))
    np.testing.assert_array_equal(gt, [20.0, -2.0])
    np.testing.assert_array_equal(gu, np.zeros((2, 2)))
    # several outputs, summed
    (g1,) = ag.grad([a * a, a * 3.0], a)
    assert g1 == 7.0


def test_no_grad_records_nothing() -> None:
    a = Value(2.0)
    t = Tensor([1.0, 2.0], requires_grad=True)
    with ag.no_grad():
        assert not ag.is_grad_enabled()
        b = a * a + 1.0
        u = (t * t).sum()
        with ag.enable_grad():
            assert ag.is_grad_enabled()
            assert (a * a).requires_grad
    assert ag.is_grad_enabled()
    for node in (b, u):
        assert node.is_leaf and not node.requires_grad and node._parents == () and node.op is None
    assert b.data == 5.0 and u.item() == 5.0
    with pytest.raises(RuntimeError, match="does not require grad"):
        b.backward()


def test_no_grad_restores_state_after_exception() -> None:
    with pytest.raises(KeyError), ag.no_grad():
        raise KeyError("x")
    assert ag.is_grad_enabled()


def test_detach_cuts_the_graph() -> None:
    a = Value(3.0)
    b = a * a
    c = b.detach() * a + b  # d/da = b + 2a = 9 + 6 (no gradient through the detached b)
    c.backward()
    assert a.grad == 15.0
    assert not b.detach().requires_grad and b.detach().data == 9.0
    t = Tensor([1.0, 2.0], requires_grad=True)
    u = t * t
    (u.detach() * t).sum().backward()
    np.testing.assert_array_equal(t.grad, [1.0, 4.0])


def test_zero_grad() -> None:
    a = Value(2.0)
    (a * a).backward()
    assert a.grad == 4.0
    a.zero_grad()
    assert a.grad == 0.0
    (a * 3.0).backward()
    assert a.grad == 3.0
    t = Tensor([1.0], requires_grad=True)
    (t * 2.0).sum().backward()
    t.zero_grad()
    assert t.grad is None
    (t * 5.0).sum().backward()
    np.testing.assert_array_equal(t.grad, [5.0])


def test_constants_get_no_gradient() -> None:
    a = Value(2.0)
    k = Value(5.0, requires_grad=False)
    (a * k).backward()
    assert a.grad == 5.0 and k.grad == 0.0
    t = Tensor([1.0, 2.0], requires_grad=True)
    c = Tensor([3.0, 4.0])
    (t * c).sum().backward()
    assert c.grad is None


def test_grad_is_fresh_array_not_shared() -> None:
    t = Tensor([1.0, 2.0], requires_grad=True)
    t.sum().backward()
    g = t.grad
    assert g is not None
    g[0] = 100.0  # mutating a returned gradient must not corrupt another tensor's grad
    u = Tensor([1.0, 2.0], requires_grad=True)
    u.sum().backward()
    np.testing.assert_array_equal(u.grad, [1.0, 1.0])
    s = Tensor([[1.0, 2.0]], requires_grad=True)
    out = s + 0.0
    out.backward(gradient=np.ones((1, 2)))
    assert s.grad is not None and out.grad is not None
    s.grad[0, 0] = 7.0
    assert out.grad[0, 0] == 1.0


def test_leaf_gradients_never_share_memory() -> None:
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0], requires_grad=True)
    c = a + b
    c.backward(gradient=np.ones(2))
    assert a.grad is not None and b.grad is not None and c.grad is not None
    a.grad *= 0.5  # an in-place update (clipping, scaling) of one gradient
    np.testing.assert_array_equal(b.grad, [1.0, 1.0])
    np.testing.assert_array_equal(c.grad, [1.0, 1.0])
    x = Tensor(np.arange(6.0), requires_grad=True)
    r = x.reshape(2, 3)
    t = r.T
    seed = np.ones((3, 2))
    t.backward(gradient=seed)
    # a leaf's gradient owns its buffer; intermediate nodes may share theirs (they are read-only by contract)
    assert not np.shares_memory(x.grad, r.grad) and not np.shares_memory(x.grad, t.grad)
    assert not any(np.shares_memory(g, seed) for g in [x.grad, r.grad, t.grad])
    x.grad *= 2.0
    np.testing.assert_array_equal(t.grad, np.ones((3, 2)))
    ga, gb = ag.grad(a + b, [a, b], grad_outputs=seed[0])
    assert not np.shares_memory(ga, gb) and not np.shares_memory(ga, seed)


def test_gradient_argument_may_be_a_node() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    seed = Tensor([1.0, 3.0])
    y = x * x
    y.backward(gradient=seed)
    assert type(x.grad) is np.ndarray and type(y.grad) is np.ndarray
    np.testing.assert_array_equal(x.grad, [2.0, 12.0])
    assert not np.shares_memory(y.grad, seed.data)
    v = Value(2.0)
    (v * v).backward(gradient=Value(3.0))
    assert type(v.grad) is float and v.grad == 12.0
    assert ag.grad(v * v, v, grad_outputs=Value(2.0)) == [8.0]


# -- deep graphs ---------------------------------------------------------------------------------------------------
def test_million_node_chain_backpropagates_without_recursion() -> None:
    n = 1_000_000
    limit = sys.getrecursionlimit()
    x = Value(0.3)
    k = Value(1.000001, requires_grad=False)
    y = x
    for _ in range(n):
        y = y * k
    y.backward()
    assert x.grad == pytest.approx(1.000001**n, rel=1e-9)  # = e^1.0000005.. ~ 2.718
    assert y.data == pytest.approx(0.3 * 1.000001**n, rel=1e-9)
    assert sys.getrecursionlimit() == limit
    del y  # freeing a million-deep chain must not overflow the C stack either (its speed: benchmarks/bench_deep.py)


def test_sum_of_ten_thousand_values() -> None:
    vs = [Value(float(i) / 100) for i in range(10_000)]
    s = sum(vs)
    assert isinstance(s, Value)
    assert s.data == pytest.approx(sum(i / 100 for i in range(10_000)))
    s.backward()
    assert all(v.grad == 1.0 for v in vs)
    sq = sum(v * v for v in vs)
    sq.backward()
    assert all(v.grad == pytest.approx(1.0 + 2 * v.data) for v in vs)


def test_deep_tensor_chain() -> None:
    x = Tensor(np.ones(3), requires_grad=True)
    y = x
    for _ in range(20_000):
        y = y * 1.0
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, np.ones(3))


# -- domain policy ---------------------------------------------------------------------------------------------------
def _warns(fn: Callable[[], Any]) -> Any:
    with pytest.warns(RuntimeWarning):
        return fn()


def test_negative_base_fractional_power_is_nan_never_complex() -> None:
    v = _warns(lambda: Value(-4.0) ** 0.5)
    assert type(v.data) is float and math.isnan(v.data)
    t = _warns(lambda: Tensor([-4.0, 4.0]) ** 0.5)
    assert t.dtype == np.float64 and np.isnan(t.data[0]) and t.data[1] == 2.0
    v = _warns(lambda: Value(-8.0) ** Value(1 / 3))
    assert math.isnan(v.data)
    # integer exponents of negative bases stay real, with the right gradient
    a = Value(-2.0)
    (a**3).backward()
    assert a.grad == 12.0
    b = Tensor([-2.0, 3.0], requires_grad=True)
    (b**2).sum().backward()
    np.testing.assert_array_equal(b.grad, [-4.0, 6.0])


def test_negative_base_fractional_power_backward_is_nan_not_complex() -> None:
    a = Value(-4.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        (a**0.5).backward()
    assert type(a.grad) is float and math.isnan(a.grad)


def test_zero_to_the_zero_backpropagates() -> None:
    a = Value(0.0)
    b = a**0
    b.backward()
    assert b.data == 1.0 and a.grad == 0.0
    a, e = Value(0.0), Value(0.0)
    (a**e).backward()
    assert (a.grad, e.grad) == (0.0, 0.0)
    t = Tensor([0.0, 2.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (t**0).sum().backward()
    np.testing.assert_array_equal(t.grad, [0.0, 0.0])
    a = Value(0.0)
    (a**2).backward()
    assert a.grad == 0.0


def test_zero_division_follows_numpy() -> None:
    v = _warns(lambda: Value(1.0) / 0.0)
    assert v.data == math.inf
    v = _warns(lambda: Value(0.0) ** -1)
    assert v.data == math.inf
    t = _warns(lambda: Tensor([1.0, -1.0]) / 0.0)
    np.testing.assert_array_equal(t.data, [np.inf, -np.inf])


@pytest.mark.parametrize("x", [1000.0, -1000.0, 1e4, -1e4])
def test_sigmoid_and_tanh_saturate_finitely(x: float) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warnings either
        for fn in (lambda v: v.sigmoid(), lambda v: v.tanh()):
            v = Value(x)
            out = fn(v)
            out.backward()
            assert math.isfinite(out.data) and math.isfinite(v.grad)
            assert abs(v.grad) < 1e-300
            t = Tensor([x, 0.0], requires_grad=True)
            o = fn(t)
            o.sum().backward()
            assert np.all(np.isfinite(o.data)) and np.all(np.isfinite(t.grad))
    assert Value(x).sigmoid().data == (1.0 if x > 0 else 0.0)
    assert Value(x).tanh().data == math.copysign(1.0, x)
    assert Tensor(0.0).sigmoid().item() == 0.5


def test_sigmoid_keeps_relative_precision_in_the_tail() -> None:
    assert Value(-30.0).sigmoid().data == pytest.approx(math.exp(-30) / (1 + math.exp(-30)), rel=1e-14)
    np.testing.assert_allclose(Tensor([-700.0]).sigmoid().data, [np.exp(-700.0)], rtol=1e-12)


def test_exp_overflow_is_inf_with_warning() -> None:
    v = _warns(lambda: Value(1000.0).exp())
    assert v.data == math.inf
    t = _warns(lambda: Tensor([1000.0]).exp())
    assert t.data[0] == np.inf


def test_log_and_sqrt_outside_domain() -> None:
    for engine in (Value, Tensor):
        assert float(_warns(lambda e=engine: e(0.0).log()).data) == -math.inf
        assert math.isnan(float(_warns(lambda e=engine: e(-1.0).log()).data))
        assert math.isnan(float(_warns(lambda e=engine: e(-1.0).sqrt()).data))
    assert Value(0.0).sqrt().data == 0.0


def test_log_backward_at_zero_is_inf() -> None:
    a = Value(0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        a.log().backward()
    assert a.grad == math.inf


@pytest.mark.parametrize("scale", [1.0, 1e2, 1e4])
def test_softmax_and_log_softmax_extreme_logits(scale: float) -> None:
    raw = np.array([[1.0, -1.0, 0.5, 0.0], [-1.0, -1.0, 1.0, 0.25]]) * scale
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x = Tensor(raw, requires_grad=True)
        s = x.softmax(axis=1)
        ls = x.log_softmax(axis=1)
        (s * np.arange(4.0)).sum().backward()
        (ls * np.arange(4.0)).sum().backward()
    assert np.all(np.isfinite(s.data)) and np.all(np.isfinite(ls.data)) and np.all(np.isfinite(x.grad))
    m = raw.max(axis=1, keepdims=True)
    lse = m + np.log(np.exp(raw - m).sum(axis=1, keepdims=True))
    np.testing.assert_allclose(ls.data, raw - lse, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(s.data, np.exp(raw - lse), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(s.data.sum(axis=1), [1.0, 1.0], rtol=1e-12)
    if scale == 1e4:
        np.testing.assert_array_equal(s.data[0], [1.0, 0.0, 0.0, 0.0])
        np.testing.assert_allclose(ls.data[0], [0.0, -2e4, -5e3, -1e4])


def test_cross_entropy_extreme_logits_and_closed_form() -> None:
    x = Tensor([[1e4, -1e4, 0.0], [0.0, 0.0, 0.0]], requires_grad=True)
    loss = ag.cross_entropy(x, [1, 2], reduction="mean")
    assert loss.item() == pytest.approx((2e4 + math.log(3)) / 2)
    loss.backward()
    np.testing.assert_allclose(x.grad, np.array([[1.0, -1.0, 0.0], [1 / 3, 1 / 3, -2 / 3]]) / 2, atol=1e-15)


# -- Value and Tensor agree on random expressions ---------------------------------------------------------------
UNARY = {
    "neg": lambda a: -a,
    "tanh": lambda a: a.tanh(),
    "sigmoid": lambda a: a.sigmoid(),
    "relu": lambda a: a.relu(),
    "leaky_relu": lambda a: a.leaky_relu(0.1),
    "abs": lambda a: abs(a),
    "exp_tanh": lambda a: a.tanh().exp(),
    "log1p_sq": lambda a: (a * a + 1.0).log(),
    "sqrt1p_sq": lambda a: (1.0 + a * a).sqrt(),
    "clip": lambda a: a.clip(-0.5, 0.8),
    "square": lambda a: a**2,
    "rsub": lambda a: 2.0 - a,
}
BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / (b * b + 1.0),
    "rdiv": lambda a, b: 1.0 / (1.5 + a.tanh()) + b,
    "pow": lambda a, b: (a.sigmoid() + 0.5) ** b.tanh(),
    "maximum": lambda a, b: ag.maximum(a, b),
    "minimum": lambda a, b: ag.minimum(a, b),
    "where": lambda a, b: ag.where(a.data > b.data, a, b * 0.5),
}

Expr = Any
EXPRS: st.SearchStrategy[Expr] = st.recursive(
    st.one_of(st.integers(0, 2).map(lambda i: ("var", i)), st.floats(-2, 2).map(lambda c: ("const", c))),
    lambda inner: st.one_of(
        st.tuples(st.sampled_from(sorted(UNARY)), inner),
        st.tuples(st.sampled_from(sorted(BINARY)), inner, inner),
    ),
    max_leaves=12,
)


def _evaluate(expr: Expr, xs: list[Any]) -> Any:
    kind = expr[0]
    if kind == "var":
        return xs[expr[1]]
    if kind == "const":  # a constant node (no gradient) of the engine's kind
        if isinstance(xs[0], Value):
            return Value(expr[1], requires_grad=False)
        return Tensor(np.full(xs[0].shape, expr[1]))
    args = [_evaluate(e, xs) for e in expr[1:]]
    return UNARY[kind](*args) if len(args) == 1 else BINARY[kind](*args)


def _kink_free(expr: Expr, xs: np.ndarray) -> bool:
    """False if any relu/abs/clip/leaky_relu/maximum/minimum/where input sits within 1e-6 of a kink."""

    def ev(e: Expr) -> np.ndarray:
        if e[0] == "var":
            return xs[e[1]]
        if e[0] == "const":
            return np.full(xs.shape[1], e[1])
        vals = [ev(a) for a in e[1:]]
        with np.errstate(all="ignore"):
            ts = [Tensor(v) for v in vals]
            return (UNARY[e[0]](*ts) if len(ts) == 1 else BINARY[e[0]](*ts)).data

    ok = True

    def walk(e: Expr) -> None:
        nonlocal ok
        if e[0] in ("var", "const"):
            return
        vals = [ev(a) for a in e[1:]]
        if e[0] in ("relu", "leaky_relu", "abs"):
            ok = ok and bool(np.all(np.abs(vals[0]) > 1e-6))
        if e[0] == "clip":
            ok = ok and bool(np.all((np.abs(vals[0] + 0.5) > 1e-6) & (np.abs(vals[0] - 0.8) > 1e-6)))
        if e[0] in ("maximum", "minimum", "where"):
            ok = ok and bool(np.all(np.abs(vals[0] - vals[1]) > 1e-6))
        for a in e[1:]:
            walk(a)

    walk(expr)
    return ok


@given(EXPRS, st.lists(st.lists(st.floats(-2, 2), min_size=3, max_size=3), min_size=1, max_size=4))
def test_value_and_tensor_agree_on_random_expressions(expr: Expr, rows: list[list[float]]) -> None:
    cols = np.array(rows, dtype=np.float64).T  # (3 variables, n samples)
    with np.errstate(all="ignore"):
        ts = [Tensor(c, requires_grad=True) for c in cols]
        tout = _evaluate(expr, ts)
    if not isinstance(tout, Tensor):
        return
    weights = np.linspace(0.5, 1.5, cols.shape[1])
    if tout.requires_grad:
        tout.backward(gradient=np.broadcast_to(weights, tout.shape).copy())
    for j in range(cols.shape[1]):
        vs = [Value(float(c[j])) for c in cols]
        vout = _evaluate(expr, vs)
        np.testing.assert_allclose(
            vout.data, np.broadcast_to(tout.data, (cols.shape[1],))[j], rtol=1e-12, atol=1e-14, equal_nan=True
        )
        if vout.requires_grad:
            vout.backward(gradient=float(weights[j]))
        if not _kink_free(expr, cols):  # where a tie decides a branch, engines may legitimately differ
            continue
        for v, t in zip(vs, ts):
            tg = 0.0 if t.grad is None else t.grad[j]
            np.testing.assert_allclose(v.grad, tg, rtol=1e-10, atol=1e-12, equal_nan=True)

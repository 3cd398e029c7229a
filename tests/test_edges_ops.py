"""Edge points of the rule table and the engine's API: ties, bounds, kinks, and the API's corner cases.

The hypothesis-driven gradient tests (test_ops_gradients.py) almost never draw x == y or x exactly at a bound, so
the conventions there are pinned here, each against PyTorch's (which the project follows, see node.py's
docstrings) or a closed form.
"""

from __future__ import annotations

import gc
import pickle
from typing import Any

import numpy as np
import pytest
from _optional import require_module

import autograd_mini as ag
from autograd_mini import Tensor, Value
from autograd_mini import ops as ops_mod


def _value_grads(fn, *xs: float) -> list[float]:  # type: ignore[no-untyped-def]
    vs = [Value(x) for x in xs]
    fn(*vs).backward()
    return [v.grad for v in vs]


def _tensor_grads(fn, *xs: np.ndarray, upstream: np.ndarray | None = None) -> list[np.ndarray]:  # type: ignore[no-untyped-def]
    ts = [Tensor(x, requires_grad=True) for x in xs]
    out = fn(*ts)
    out.backward(gradient=np.ones(out.shape) if upstream is None else upstream)
    return [t.grad for t in ts]


def _torch_grads(fn, *xs: np.ndarray, upstream: np.ndarray | None = None) -> list[np.ndarray]:  # type: ignore[no-untyped-def]
    torch = require_module("torch", "torch")
    ts = [torch.tensor(np.asarray(x, dtype=np.float64), requires_grad=True) for x in xs]
    out = fn(torch, *ts)
    out.backward(torch.ones_like(out) if upstream is None else torch.tensor(upstream))
    return [t.grad.numpy() for t in ts]


# -- ties: maximum / minimum (elementwise) -------------------------------------------------------------------
# x and y chosen so that every relation occurs: x > y, x == y, x < y (and a tie at 0 and at a negative number)
X = np.array([3.0, 2.0, -1.0, 0.0, -4.0, 5.0])
Y = np.array([1.0, 2.0, 4.0, 0.0, -4.0, 7.0])
G = np.array([1.0, 2.0, -3.0, 0.5, 4.0, -1.5])  # a non-uniform upstream gradient


@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_maximum_minimum_split_ties_between_both_operands_like_torch(name: str) -> None:
    ours = getattr(ag, name)
    gx, gy = _tensor_grads(ours, X, Y, upstream=G)
    tx, ty = _torch_grads(lambda torch, a, b: getattr(torch, name)(a, b), X, Y, upstream=G)
    np.testing.assert_array_equal(gx, tx)
    np.testing.assert_array_equal(gy, ty)
    # the closed form: the winner gets g, the loser 0, a tie g/2 each
    win_x = X > Y if name == "maximum" else X < Y
    tie = X == Y
    np.testing.assert_array_equal(gx, G * (win_x + 0.5 * tie))
    np.testing.assert_array_equal(gy, G * (~win_x & ~tie) + G * 0.5 * tie)
    np.testing.assert_array_equal(ours(Tensor(X), Tensor(Y)).data, getattr(np, name)(X, Y))


@pytest.mark.parametrize("name", ["maximum", "minimum"])
@pytest.mark.parametrize(("x", "y"), [(2.0, 2.0), (3.0, 1.0), (1.0, 3.0), (-0.0, 0.0)])
def test_value_maximum_minimum_gradients(name: str, x: float, y: float) -> None:
    fn = getattr(ag, name)
    gx, gy = _value_grads(lambda a, b: fn(a, b) * 3.0, x, y)
    if x == y:
        assert (gx, gy) == (1.5, 1.5)
    else:
        x_wins = (x > y) == (name == "maximum")
        assert (gx, gy) == ((3.0, 0.0) if x_wins else (0.0, 3.0))
    # the tie's split also reaches a constant operand: only the Value's half arrives
    v = Value(x)
    fn(v, y).backward()
    assert v.grad == (0.5 if x == y else float((x > y) == (name == "maximum")))
    w = Value(y)
    fn(x, w).backward()
    assert w.grad == (0.5 if x == y else float((y > x) == (name == "maximum")))


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_reductions_share_ties_equally_like_torch_amax(name: str) -> None:
    x = np.array([[1.0, 5.0, 5.0, 2.0], [7.0, 7.0, 7.0, 7.0], [-3.0, 0.0, -3.0, 9.0]])
    # torch.amax / amin split the gradient equally among tied entries, for a full reduction and per axis
    full = _tensor_grads(lambda t: getattr(t, name)() * 2.0, x)[0]
    tfull = _torch_grads(lambda torch, t: getattr(torch, "a" + name)(t) * 2.0, x)[0]
    np.testing.assert_allclose(full, tfull, rtol=0, atol=1e-15)
    for axis in (0, 1):
        up = np.arange(1.0, 1.0 + x.shape[1 - axis])
        g = _tensor_grads(lambda t, axis=axis: getattr(t, name)(axis=axis), x, upstream=up)[0]  # noqa: B023
        tg = _torch_grads(
            lambda torch, t, axis=axis: getattr(torch, "a" + name)(t, dim=axis),
            x,  # noqa: B023
            upstream=up,
        )[0]
        np.testing.assert_allclose(g, tg, rtol=0, atol=1e-15)
        gk = _tensor_grads(
            lambda t, axis=axis: getattr(t, name)(axis=axis, keepdims=True),
            x,  # noqa: B023
            upstream=np.expand_dims(up, axis),
        )[0]
        np.testing.assert_allclose(gk, tg, rtol=0, atol=1e-15)


# -- bounds and kinks --------------------------------------------------------------------------------------
def test_clip_passes_the_gradient_at_both_bounds_like_torch_clamp() -> None:
    x = np.array([-2.0, -1.0, 0.0, 1.0, 2.0, 0.999])
    gx = _tensor_grads(lambda t: t.clip(-1.0, 1.0), x, upstream=G)[0]
    tx = _torch_grads(lambda torch, t: torch.clamp(t, -1.0, 1.0), x, upstream=G)[0]
    np.testing.assert_array_equal(gx, tx)
    np.testing.assert_array_equal(gx, G * np.array([0, 1, 1, 1, 0, 1]))
    for x0, expected in [(-1.0, 1.0), (1.0, 1.0), (-1.0001, 0.0), (1.0001, 0.0), (0.3, 1.0)]:
        assert _value_grads(lambda v: v.clip(-1.0, 1.0), x0) == [expected]
    np.testing.assert_array_equal(Tensor(x).clip(-1.0, 1.0).data, np.clip(x, -1.0, 1.0))


@pytest.mark.parametrize(
    ("method", "torch_fn", "at_zero"),
    [
        ("relu", "relu", 0.0),  # PyTorch: 0 at the kink
        ("abs", "abs", 0.0),  # sign(0) = 0
    ],
)
def test_kinks_at_exactly_zero_follow_torch(method: str, torch_fn: str, at_zero: float) -> None:
    x = np.array([-1.5, -0.0, 0.0, 2.5])
    gx = _tensor_grads(lambda t: getattr(t, method)(), x, upstream=G[:4])[0]
    tx = _torch_grads(lambda torch, t: getattr(torch, torch_fn)(t), x, upstream=G[:4])[0]
    np.testing.assert_array_equal(gx, tx)
    assert _value_grads(lambda v: getattr(v, method)(), 0.0) == [at_zero]


def test_leaky_relu_slope_at_zero_is_alpha_like_torch() -> None:
    torch = require_module("torch", "torch")
    x = np.array([-2.0, 0.0, 3.0])
    gx = _tensor_grads(lambda t: t.leaky_relu(0.2), x)[0]
    tx = _torch_grads(lambda tc, t: torch.nn.functional.leaky_relu(t, 0.2), x)[0]
    np.testing.assert_array_equal(gx, tx)
    np.testing.assert_array_equal(gx, [0.2, 0.2, 1.0])
    assert _value_grads(lambda v: v.leaky_relu(), 0.0) == [0.01]  # doc 002's default alpha
    np.testing.assert_array_equal(Tensor(x).leaky_relu(0.2).data, [-0.4, 0.0, 3.0])


def test_step_units_at_zero_and_their_zero_gradient() -> None:
    # doc 000, eq. 34: hardlim(0) = 1; doc 001: sign unit +1 at 0
    x = np.array([-1e-300, 0.0, -0.0, 1e-300])
    np.testing.assert_array_equal(Tensor(x).hardlimit().data, [0.0, 1.0, 1.0, 1.0])
    np.testing.assert_array_equal(Tensor(x).sign().data, [-1.0, 1.0, 1.0, 1.0])
    for method in ("hardlimit", "sign"):
        np.testing.assert_array_equal(_tensor_grads(lambda t, m=method: getattr(t, m)(), x)[0], 0.0)
        assert _value_grads(lambda v, m=method: getattr(v, m)() * 5.0, 0.0) == [0.0]
    assert Value(0.0).hardlimit().data == 1.0 and Value(-0.5).sign().data == -1.0


def test_pow_at_zero_follows_torch() -> None:
    # d(x^y)/dx at x = 0: 0^0 -> 0 (torch), y = 1 -> 1, y = 2 -> 0, y = 3 -> 0; d/dy at x = 0 is 0.
    x = np.array([0.0, 0.0, 0.0, 0.0, 2.0])
    y = np.array([0.0, 1.0, 2.0, 3.0, 0.0])
    gx, gy = _tensor_grads(lambda a, b: a**b, x, y)
    tx, ty = _torch_grads(lambda torch, a, b: a**b, x, y)
    np.testing.assert_array_equal(gx, tx)
    np.testing.assert_array_equal(gy, ty)
    np.testing.assert_array_equal(gx, [0.0, 1.0, 0.0, 0.0, 0.0])
    np.testing.assert_allclose(gy, [0.0, 0.0, 0.0, 0.0, np.log(2.0)], rtol=1e-15)
    assert _value_grads(lambda a, b: a**b, 0.0, 0.0) == [0.0, 0.0]
    assert _value_grads(lambda a, b: a**b, 0.0, 1.0) == [1.0, 0.0]


def test_where_routes_the_gradient_by_the_condition() -> None:
    cond = np.array([True, False, True, False])
    gx, gy = _tensor_grads(lambda a, b: ag.where(cond, a, b), X[:4], Y[:4], upstream=G[:4])
    np.testing.assert_array_equal(gx, G[:4] * cond)
    np.testing.assert_array_equal(gy, G[:4] * ~cond)


def test_elementary_rules_against_closed_forms_at_ordinary_points() -> None:
    # one point each, exact closed forms (the hypothesis tests check them everywhere within tolerance)
    x = 0.7
    assert _value_grads(lambda v: v.exp(), x) == [pytest.approx(np.exp(x), rel=1e-15)]
    assert _value_grads(lambda v: v.log(), x) == [pytest.approx(1 / x, rel=1e-15)]
    assert _value_grads(lambda v: v.tanh(), x) == [pytest.approx(1 - np.tanh(x) ** 2, rel=1e-14)]
    s = 1 / (1 + np.exp(-x))
    assert _value_grads(lambda v: v.sigmoid(), x) == [pytest.approx(s * (1 - s), rel=1e-14)]
    assert _value_grads(lambda v: v.sqrt(), x) == [pytest.approx(0.5 / np.sqrt(x), rel=1e-15)]
    assert _value_grads(lambda a, b: a / b, 3.0, 4.0) == [0.25, pytest.approx(-3.0 / 16, rel=1e-15)]
    assert _value_grads(lambda a, b: a - b, 3.0, 4.0) == [1.0, -1.0]
    assert _value_grads(lambda a: -a, 3.0) == [-1.0]
    assert _value_grads(lambda a, b: a * b, 3.0, 4.0) == [4.0, 3.0]
    assert _value_grads(lambda a, b: a**b, 3.0, 2.0) == [6.0, pytest.approx(9 * np.log(3.0), rel=1e-15)]


# -- the engine's API edges ----------------------------------------------------------------------------------
def test_grad_with_the_same_output_twice_counts_it_twice() -> None:
    x = Value(1.5)
    y = x * x * x  # dy/dx = 3 x^2 = 6.75
    assert ag.grad([y, y], [x]) == [pytest.approx(13.5, rel=1e-15)]
    assert ag.grad([y, y], [x], grad_outputs=[1.0, -0.5]) == [pytest.approx(3.375, rel=1e-15)]
    t = Tensor([1.0, -2.0], requires_grad=True)
    s = (t * t).sum()
    np.testing.assert_array_equal(ag.grad([s, s], t)[0], [4.0, -8.0])
    np.testing.assert_array_equal(ag.grad([s, s, s], [t])[0], [6.0, -12.0])
    assert x.grad == 0.0 and t.grad is None  # grad() leaves .grad alone


def test_grad_create_graph_of_a_linear_function_is_a_constant_node() -> None:
    torch = require_module("torch", "torch")
    x = Value(2.0)
    y = x * 3.0 + 2.0
    (g,) = ag.grad(y, x, create_graph=True)
    assert isinstance(g, Value) and g.data == 3.0
    assert not g.requires_grad  # torch: the gradient of a linear function does not require grad either
    xt = torch.tensor(2.0, requires_grad=True)
    (gt,) = torch.autograd.grad(xt * 3.0 + 2.0, xt, create_graph=True)
    assert gt.item() == 3.0 and not gt.requires_grad
    assert ag.grad(g, x) == [0.0]  # the second derivative of a linear function is 0 (g is a constant)
    t = Tensor([1.0, 2.0], requires_grad=True)
    (gt2,) = ag.grad((t * 4.0 - 1.0).sum(), t, create_graph=True)
    assert isinstance(gt2, Tensor)
    np.testing.assert_array_equal(gt2.data, [4.0, 4.0])
    # an input the output does not depend on gets a zero *node* with create_graph
    u = Tensor([5.0], requires_grad=True)
    z = ag.grad((t * 2.0).sum(), [t, u], create_graph=True)
    assert isinstance(z[1], Tensor)
    np.testing.assert_array_equal(z[1].data, [0.0])
    assert ag.grad((t * 2.0).sum(), [u])[0].tolist() == [0.0]


def test_grad_create_graph_second_derivative_of_a_cubic() -> None:
    x = Value(1.5)
    (g,) = ag.grad(x * x * x, x, create_graph=True)
    assert g.requires_grad and g.data == pytest.approx(6.75, rel=1e-15)
    assert ag.grad(g, x) == [pytest.approx(9.0, rel=1e-15)]  # 6 x
    assert ag.grad(g, x, grad_outputs=2.0) == [pytest.approx(18.0, rel=1e-15)]


def test_grad_rejects_mismatched_grad_outputs_and_inputs_without_grad() -> None:
    x = Value(1.0)
    y = x * 2.0
    with pytest.raises(ValueError, match="1 outputs but 2 grad_outputs"):
        ag.grad([y], [x], grad_outputs=[1.0, 2.0])
    with pytest.raises(ValueError, match="input 1 does not require grad"):
        ag.grad(y, [x, Value(1.0, requires_grad=False)])
    with pytest.raises(TypeError, match=r"inputs\[0\] must be a Value or Tensor"):
        ag.grad(y, [3.0])  # type: ignore[list-item]


def test_grad_gives_each_input_its_own_buffer() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = Tensor([3.0, 4.0], requires_grad=True)
    gx, gy = ag.grad((x + y).sum(), [x, y])
    gx[0] = 100.0
    np.testing.assert_array_equal(gy, [1.0, 1.0])


@pytest.mark.parametrize("initially", [True, False])
def test_backward_restores_the_garbage_collectors_state(initially: bool) -> None:
    was = gc.isenabled()
    try:
        (gc.enable if initially else gc.disable)()
        x = Value(0.5)
        (x * x).tanh().backward()
        assert gc.isenabled() is initially
        ag.grad((x * x).sum() if isinstance(x, Tensor) else x * x, x)
        assert gc.isenabled() is initially
        # also when the pass raises (anomaly mode: log(0) gives an infinite gradient)
        z = Value(0.0)
        with ag.detect_anomaly(), pytest.raises(FloatingPointError), np.errstate(divide="ignore"):
            (z * 1.0).log().backward()
        assert gc.isenabled() is initially
    finally:
        (gc.enable if was else gc.disable)()


def test_backward_pauses_the_collector_during_the_pass() -> None:
    seen = []

    original = ops_mod.MUL.vjps

    def spy(g, out, x, y):  # type: ignore[no-untyped-def]
        seen.append(gc.isenabled())
        return g * y

    ops_mod.MUL.vjps = (spy, original[1])
    try:
        x = Value(2.0)
        (x * 3.0).backward()
    finally:
        ops_mod.MUL.vjps = original
    assert seen == [False] and gc.isenabled()
    assert x.grad == 3.0


def test_toposort_and_backprop_defaults() -> None:
    a = Value(1.0)
    c = Value(2.0, requires_grad=False)
    b = a * c
    d = b + a
    order = ag.toposort([d])
    assert order == [a, b, d]  # inputs first, constants left out by default
    full = ag.toposort([d], include_constants=True)
    assert set(full) == {a, b, c, d} and full.index(c) < full.index(b) and full[-1] is d
    assert ag.toposort([c]) == [c] and ag.toposort([d, d]) == [a, b, d]
    order2, grads = ag.backprop([d], [1.0])  # create_graph defaults to False: raw floats
    assert order2 == order
    assert grads[a] == 3.0 and isinstance(grads[a], float) and grads[b] == 1.0 and c not in grads
    assert a.grad == 0.0  # backprop() does not write .grad
    _, grads_g = ag.backprop([d], [Value(1.0, requires_grad=False)], create_graph=True)
    assert isinstance(grads_g[a], Value) and grads_g[a].data == 3.0
    _, two = ag.backprop([d, b], [1.0, 10.0])  # two roots, seeds summed where they meet
    assert two[a] == 1.0 + 2.0 * 11.0 and two[b] == 11.0


def test_toposort_puts_every_input_before_its_output_on_a_diamond() -> None:
    x = Value(1.0)
    a, b = x * 2.0, x * 3.0
    y = a * b
    order = ag.toposort([y])
    pos = {id(n): k for k, n in enumerate(order)}
    for n in order:
        for p in n._parents:
            if p.requires_grad:
                assert pos[id(p)] < pos[id(n)]
    assert len(order) == 4


def test_pickled_graph_with_intermediate_nodes_backpropagates_the_same() -> None:
    x = Value(0.3, label="x")
    w = Value(-1.2, label="w")
    h = (x * w).tanh()
    y = h * h + x
    y2, x2, w2, h2 = pickle.loads(pickle.dumps((y, x, w, h)))
    assert not h2.is_leaf and h2.op is ops_mod.TABLE["tanh"] and h2._op == "tanh" and y2._op == "+"
    assert [p.label for p in h2._parents[0]._parents] == ["x", "w"]
    y.backward()
    y2.backward()
    assert (x2.grad, w2.grad, h2.grad) == (x.grad, w.grad, h.grad)
    t = Tensor([[1.0, 2.0]], requires_grad=True)
    s = (t @ Tensor([[3.0], [4.0]])).sigmoid().sum()
    s2, t2 = pickle.loads(pickle.dumps((s, t)))
    s.backward()
    s2.backward()
    np.testing.assert_array_equal(t2.grad, t.grad)


def test_backward_twice_accumulates_on_leaves_only() -> None:
    # node.py's documented semantics: c = a*a + a at a = 2 gives 5 per pass, 10 after two (micrograd: 14)
    a = Value(2.0)
    b = a * a
    c = b + a
    c.backward()
    c.backward()
    assert a.grad == 10.0 and b.grad == 1.0


def test_no_grad_enable_grad_and_anomaly_modes_nest_and_restore() -> None:
    assert ag.is_grad_enabled()
    with ag.no_grad():
        assert not ag.is_grad_enabled()
        with ag.enable_grad():
            assert ag.is_grad_enabled()
            y = Value(1.0) * 2.0
        assert y.requires_grad
        z = Value(1.0) * 2.0
        assert not z.requires_grad and z.is_leaf and z.op is None and z._parents == ()
    assert ag.is_grad_enabled()
    with ag.detect_anomaly():
        with pytest.raises(FloatingPointError, match="forward of op 'log'"), np.errstate(invalid="ignore"):
            Value(-1.0).log()
    with np.errstate(invalid="ignore"):
        assert np.isnan(Value(-1.0).log().data)  # outside anomaly mode: numpy's policy, no error


def test_backward_of_a_constant_raises_and_detach_cuts() -> None:
    with pytest.raises(RuntimeError, match="does not require grad"):
        (Value(1.0, requires_grad=False) * 2.0).backward()
    x = Value(3.0, label="x")
    d = (x * 2.0).detach()
    assert d.is_leaf and d.data == 6.0 and d.op_name == ""
    (d * x).backward()
    assert x.grad == 6.0


def test_op_metadata() -> None:
    y = Value(1.0) + 2.0
    assert y.op_name == "add" and y._op == "+" and not y.is_leaf
    assert Value(1.0).op_name == "" and Value(1.0)._op == ""
    assert repr(ops_mod.TABLE["mul"]) == "Op('mul')"
    assert ops_mod.TABLE["tanh"].symbol == "tanh"
    assert ops_mod.TABLE["lincomb"].variadic and not ops_mod.TABLE["add"].variadic


# -- saturation ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["softmax", "log_softmax"])
@pytest.mark.parametrize("axis", [-1, 0, 1])
def test_softmax_and_log_softmax_at_huge_logits_match_torch(method: str, axis: int) -> None:
    torch = require_module("torch", "torch")
    x = np.array([[1000.0, -1000.0, 999.0], [-800.0, -801.0, -1000.0]])
    up = np.array([[1.0, -2.0, 0.5], [0.3, 0.0, -1.0]])
    t = Tensor(x, requires_grad=True)
    out = getattr(t, method)(axis=axis)
    xt = torch.tensor(x, requires_grad=True)
    ref = getattr(torch, method)(xt, dim=axis)
    assert np.all(np.isfinite(out.data))
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-12, atol=1e-300)
    out.backward(gradient=up)
    ref.backward(torch.tensor(up))
    np.testing.assert_allclose(t.grad, xt.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_fused_cross_entropy_at_huge_logits_matches_torch() -> None:
    torch = require_module("torch", "torch")
    x = np.array([[1000.0, -1000.0, 999.0], [-800.0, -801.0, -1000.0]])
    labels = np.array([1, 0])
    for reduction in ("mean", "sum"):
        t = Tensor(x, requires_grad=True)
        out = ag.cross_entropy(t, labels, reduction=reduction)
        xt = torch.tensor(x, requires_grad=True)
        ref = torch.nn.functional.cross_entropy(xt, torch.tensor(labels), reduction=reduction)
        assert out.item() == pytest.approx(ref.item(), rel=1e-12)
        out.backward(gradient=np.array(3.0))
        (ref * 3.0).backward()
        np.testing.assert_allclose(t.grad, xt.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_sigmoid_saturates_without_overflow_like_torch() -> None:
    torch = require_module("torch", "torch")
    x = np.array([-1e4, -700.0, -30.0, 0.0, 30.0, 1e4])
    t = Tensor(x, requires_grad=True)
    with np.errstate(over="raise", under="ignore"):
        out = t.sigmoid()
    xt = torch.tensor(x, requires_grad=True)
    ref = torch.sigmoid(xt)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-14, atol=0)
    out.backward(gradient=np.ones(6))
    ref.sum().backward()
    # sigma' = sigma (1 - sigma): 1 - sigma(30) keeps only an absolute precision of eps, in torch as here
    np.testing.assert_allclose(t.grad, xt.grad.numpy(), rtol=1e-12, atol=2e-16)
    closed = np.exp(-np.abs(x)) / (1 + np.exp(-np.abs(x))) ** 2
    np.testing.assert_allclose(t.grad, closed, rtol=1e-12, atol=2e-16)


# -- the table's own API -------------------------------------------------------------------------------------
def test_an_op_made_directly_is_not_variadic_and_is_named_by_its_symbol_or_name() -> None:
    double = ops_mod.Op("double", lambda x: 2 * x, [lambda g, out, x: 2 * g])
    assert not double.variadic and double.symbol == "double" and double.name == "double"
    assert double.rule(0)(1.5, None, 0.0) == 3.0
    with_symbol = ops_mod.Op("twice", lambda x: 2 * x, [lambda g, out, x: 2 * g], symbol="2*")
    assert with_symbol.symbol == "2*"
    assert "double" not in ops_mod.TABLE  # only defop registers


def test_variadic_rule_takes_the_input_position() -> None:
    lincomb = ops_mod.TABLE["lincomb"]
    inputs = (0.5, 2.0, 3.0, -1.0, 4.0)  # b, w1, x1, w2, x2
    out = ops_mod.lincomb_forward(*inputs)
    assert out == 0.5 + 2.0 * 3.0 + -1.0 * 4.0
    got = [lincomb.rule(i)(10.0, out, *inputs) for i in range(5)]
    assert got == [10.0, 30.0, 20.0, 40.0, -10.0]  # dn/db = 1, dn/dw = x, dn/dx = w
    assert [lincomb.vjps[0](i, 10.0, out, inputs) for i in range(5)] == got  # the table's form: inputs as one tuple
    v = [Value(x) for x in inputs]
    ag.lincomb([v[1], v[3]], [v[2], v[4]], v[0]).backward()
    assert [x.grad for x in v] == [1.0, 3.0, 2.0, 4.0, -1.0]


def test_sum_to_undoes_broadcasting_over_two_leading_axes_and_stretched_ones() -> None:
    g = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(ops_mod._sum_to_forward(g, ()), np.sum(g))
    np.testing.assert_array_equal(ops_mod._sum_to_forward(g, (4,)), g.sum(axis=(0, 1)))
    np.testing.assert_array_equal(ops_mod._sum_to_forward(g, (3, 1)), g.sum(axis=0).sum(axis=1, keepdims=True))
    np.testing.assert_array_equal(ops_mod._sum_to_forward(g, (1, 3, 1)), g.sum(axis=(0, 2), keepdims=True))
    np.testing.assert_array_equal(ops_mod._sum_to_forward(g, (2, 3, 4)), g)
    s = Tensor(2.0, requires_grad=True)
    m = Tensor(np.ones((2, 3)), requires_grad=True)
    (s * m).sum().backward()
    assert s.grad.shape == () and s.grad == 6.0


def test_backward_with_a_node_as_gradient_with_and_without_create_graph() -> None:
    x = Value(3.0)
    y = x * x  # dy/dx = 6
    y.backward(gradient=Value(2.0, requires_grad=False))
    assert x.grad == 12.0 and isinstance(x.grad, float)
    x2 = Value(3.0)
    (x2 * x2).backward(create_graph=True)  # default seed with create_graph: the gradient is a graph
    assert isinstance(x2.grad, Value) and x2.grad.data == 6.0 and x2.grad.requires_grad
    x3 = Value(3.0)
    (x3 * x3).backward(gradient=Value(0.5), create_graph=True)
    assert isinstance(x3.grad, Value) and x3.grad.data == 3.0
    t = Tensor([1.0, 2.0], requires_grad=True)
    (t * t).backward(gradient=Tensor([1.0, -1.0]))
    np.testing.assert_array_equal(t.grad, [2.0, -4.0])


def test_grad_of_an_input_the_output_does_not_reach_is_zero_for_values_too() -> None:
    x, u = Value(2.0), Value(5.0)
    assert ag.grad(x * 3.0, [x, u]) == [3.0, 0.0]
    gx, gu = ag.grad(x * x, [x, u], create_graph=True)
    assert isinstance(gu, Value) and gu.data == 0.0 and gx.data == 4.0
    c = Value(1.0, requires_grad=False) * 2.0  # an output that requires no grad contributes nothing
    assert ag.grad([c, x * 3.0], [x]) == [3.0]


def test_anomaly_mode_checks_op_outputs_not_leaves() -> None:
    with ag.detect_anomaly():
        leaf = Value(float("nan"))
        assert np.isnan(leaf.detach().data)  # a leaf (and a detached copy) is not an op's output
        t = Tensor([np.inf], requires_grad=True)
        assert np.isinf(t.detach().data[0])
        with pytest.raises(FloatingPointError, match="forward of op 'mul'"):
            leaf * 2.0
        x = Value(0.0)
        y = x.sqrt()  # sqrt(0) = 0 is finite; its gradient 1 / (2 sqrt 0) is not
        with pytest.raises(FloatingPointError, match="backward of op 'sqrt'"), np.errstate(divide="ignore"):
            y.backward()


def test_table_helpers_on_raw_data_and_their_defaults() -> None:
    # the helpers the rules are written with work on raw data (an ordinary backward) as on nodes
    x = np.arange(6.0).reshape(2, 3)
    total = ops_mod.sum_(x)  # defaults: every axis, no kept dimensions
    assert np.shape(total) == () and total == 15.0
    np.testing.assert_array_equal(ops_mod.sum_(x, (1,), True), [[3.0], [12.0]])
    np.testing.assert_array_equal(ops_mod.matrix_transpose(x), x.T)
    np.testing.assert_array_equal(ops_mod.reshape(x, (3, 2)), x.reshape(3, 2))
    np.testing.assert_array_equal(ops_mod.where(x > 2, x, -x), np.where(x > 2, x, -x))
    assert ops_mod.shape_of(Tensor(x)) == (2, 3) and ops_mod.shape_of(2.0) == ()
    t = Tensor(x, requires_grad=True)
    s = ops_mod.sum_(t)
    assert isinstance(s, Tensor) and s.shape == () and s.op_name == "sum"
    assert ops_mod.matrix_transpose(t).shape == (3, 2)


@pytest.mark.parametrize("engine", ["value", "tensor"])
@pytest.mark.parametrize("x0", [0.0, 5e-324, 1e-308, 0.5])
def test_pow_at_exponent_zero_with_create_graph_follows_the_documented_rule(engine: str, x0: float) -> None:
    # ops.py: d(x^y)/dx = y x^(y-1), with the exponent y - 1 replaced by y where y == 0 and 1/x is not finite
    # (x == 0 or subnormal): so d(x^0)/dx = 0 everywhere, and d/dy of that gradient is x^(y-1) (1 + y log x)
    # = 1/x at y = 0 wherever 1/x is finite, x^0 = 1 where it is not.
    def make(v: float) -> Any:
        return Value(v) if engine == "value" else Tensor(v, requires_grad=True)

    x, y = make(x0), make(0.0)
    (gx,) = ag.grad(x**y, x, create_graph=True)
    assert float(gx.data) == 0.0
    (gxy,) = ag.grad(gx, y)
    inv = 1.0 / x0 if x0 != 0.0 and np.isfinite(1.0 / x0) else None
    assert float(np.asarray(gxy)) == (inv if inv is not None else 1.0)
    first = make(x0)
    (first**0.0).backward()
    assert float(np.asarray(first.grad)) == 0.0

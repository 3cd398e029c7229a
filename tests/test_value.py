"""Value: the scalar engine. Documented numbers (micrograd's README, the tanh neuron of the micrograd lecture),
closed-form derivatives, operators with Python numbers, micrograd-compatible attributes, lincomb."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_mini as ag
from autograd_mini import Value


def test_micrograd_readme_example() -> None:
    # https://github.com/karpathy/micrograd README: g.data 24.7041, a.grad 138.8338, b.grad 645.5773
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    assert f"{g.data:.4f}" == "24.7041"
    g.backward()
    assert f"{a.grad:.4f}" == "138.8338"
    assert f"{b.grad:.4f}" == "645.5773"


def test_tanh_neuron_from_the_lecture() -> None:
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    o = n.tanh()
    o.backward()
    assert o.data == pytest.approx(math.sqrt(0.5), rel=1e-12)
    assert n.grad == pytest.approx(0.5, rel=1e-12)
    assert (x1.grad, w1.grad, x2.grad, w2.grad) == pytest.approx((-1.5, 1.0, 0.5, 0.0), rel=1e-12)
    # the same neuron with exp-based tanh: (e^2n - 1) / (e^2n + 1)
    for v in (x1, x2, w1, w2, b):
        v.zero_grad()
    n2 = ag.lincomb([w1, w2], [x1, x2], b)
    e = (2 * n2).exp()
    o2 = (e - 1) / (e + 1)
    o2.backward()
    assert o2.data == pytest.approx(math.sqrt(0.5), rel=1e-12)
    assert (x1.grad, w1.grad, x2.grad, w2.grad, b.grad) == pytest.approx((-1.5, 1.0, 0.5, 0.0, 0.5), rel=1e-12)


def test_agrees_with_micrograd_package() -> None:
    mg = pytest.importorskip("micrograd.engine")
    for engine in (mg.Value, Value):
        a, b = engine(1.5), engine(-0.7)
        out = ((a * b + 2) ** 2 / (a + 3) - b.relu() + (a - b).relu() + (-a) * 0.5) * (b**2 + 1) - 1 / a
        out.backward()
        if engine is mg.Value:
            ref = (out.data, a.grad, b.grad)
        else:
            assert (out.data, a.grad, b.grad) == pytest.approx(ref, rel=1e-12)


@given(st.floats(-5, 5), st.floats(0.1, 5))
def test_closed_form_derivatives(x: float, p: float) -> None:
    cases = [
        (lambda v: v.exp(), math.exp(x)),
        (lambda v: v.tanh(), 1 - math.tanh(x) ** 2),
        (lambda v: v.sigmoid(), math.exp(-x) / (1 + math.exp(-x)) ** 2),
        (lambda v: v * v * v, 3 * x * x),
        (lambda v: 1 / (v * v + 1), -2 * x / (x * x + 1) ** 2),
        (lambda v: (v * v + p).log(), 2 * x / (x * x + p)),
        (lambda v: (v * v + p).sqrt(), x / math.sqrt(x * x + p)),
        (lambda v: p**v, p**x * math.log(p)),
        (lambda v: (v * v + p) ** 1.5, 1.5 * (x * x + p) ** 0.5 * 2 * x),
        (lambda v: 3 - v / p, -1 / p),
    ]
    for f, expected in cases:
        v = Value(x)
        f(v).backward()
        assert v.grad == pytest.approx(expected, rel=1e-10, abs=1e-12)


def test_pow_with_value_exponent() -> None:
    a, b = Value(2.0), Value(3.0)
    c = a**b
    c.backward()
    assert c.data == 8.0
    assert a.grad == pytest.approx(12.0)  # b a^(b-1)
    assert b.grad == pytest.approx(8.0 * math.log(2.0))
    d, e = Value(0.0), Value(2.0)
    (d**e).backward()
    assert (d.grad, e.grad) == (0.0, 0.0)  # 0^y log 0 taken as 0


def test_reflected_operators_and_numpy_scalars() -> None:
    a = Value(3.0)
    for expr, expected in [
        (2 + a, 5.0),
        (2 - a, -1.0),
        (2 * a, 6.0),
        (6 / a, 2.0),
        (2**a, 8.0),
        (np.float64(2.0) * a, 6.0),
        (a * np.float32(2.0), 6.0),
        (np.int64(1) - a, -2.0),
        (a + True, 4.0),
        (-a, -3.0),
        (+a, 3.0),
        (abs(Value(-2.0)), 2.0),
    ]:
        assert isinstance(expr, Value)
        assert expr.data == expected
    s = Value(1.0)
    s += 2.0
    s *= 3.0
    s -= 1.0
    s /= 4.0
    assert s.data == 2.0
    assert isinstance(np.float64(2.0) + a, Value)


def test_value_attributes() -> None:
    a = Value(2, label="a")
    assert type(a.data) is float and a.data == 2.0 and a.grad == 0.0 and a.label == "a"
    assert a.is_leaf and a.requires_grad and a.op is None and a._parents == () and a._params is None
    b = a * 3 + 1
    assert b.op is not None and b.op.name == "add" and b.op_name == "add"
    (mul, const) = b._parents
    assert mul.op.name == "mul" and const.data == 1.0 and not const.requires_grad
    assert b._prev == {mul, const}
    lr = a.leaky_relu(0.2)
    assert lr._params == {"alpha": 0.2}
    assert "Value(data=2.0" in repr(a) and "label='a'" in repr(a)
    assert float(a) == 2.0
    assert Value(np.float32(1.5)).data == 1.5 and Value(np.array(2.0)).data == 2.0
    assert Value(Value(3.0)).data == 3.0


def test_comparisons_compare_data_and_identity_equality() -> None:
    a, b = Value(1.0), Value(2.0)
    assert a < b and a <= b and b > a and b >= a and a < 1.5 and b >= 2
    c = Value(1.0)
    assert a != c and a == a  # equality is identity, so Values key dicts and sets
    assert len({a, c, a}) == 2
    assert max([a, b, c]) is b


def test_relu_leaky_relu_abs_at_and_around_zero() -> None:
    for x, relu_g, leaky_g, abs_g in [(-1.0, 0.0, 0.01, -1.0), (0.0, 0.0, 0.01, 0.0), (2.0, 1.0, 1.0, 1.0)]:
        for f, g in ((lambda v: v.relu(), relu_g), (lambda v: v.leaky_relu(), leaky_g), (lambda v: v.abs(), abs_g)):
            v = Value(x)
            f(v).backward()
            assert v.grad == g
    assert Value(-3.0).leaky_relu().data == pytest.approx(-0.03)
    assert Value(-3.0).relu().data == 0.0
    assert Value(0.0).hardlimit().data == 1.0 and Value(-1e-9).hardlimit().data == 0.0
    assert Value(0.0).sign().data == 1.0 and Value(-2.0).sign().data == -1.0
    v = Value(0.3)
    (v.hardlimit() + v.sign()).backward()
    assert v.grad == 0.0


def test_clip() -> None:
    for x, out, g in [(-2.0, -1.0, 0.0), (0.5, 0.5, 1.0), (3.0, 1.0, 0.0), (1.0, 1.0, 1.0)]:
        v = Value(x)
        c = v.clip(-1.0, 1.0)
        c.backward()
        assert (c.data, v.grad) == (out, g)


def test_lincomb() -> None:
    ws = [Value(0.5), Value(-1.0), Value(2.0)]
    xs = [Value(1.0), Value(3.0), Value(-0.5)]
    b = Value(0.25)
    n = ag.lincomb(ws, xs, b)
    assert n.data == 0.25 + 0.5 - 3.0 - 1.0
    assert n.op_name == "lincomb" and len(n._parents) == 7
    n.backward()
    assert [w.grad for w in ws] == [x.data for x in xs]
    assert [x.grad for x in xs] == [w.data for w in ws]
    assert b.grad == 1.0
    # numbers mixed in, and the same value as the chain of * and +
    m = ag.lincomb([0.5, ws[1]], [xs[0], 2.0])
    assert m.data == sum((w * x for w, x in zip([0.5, ws[1]], [xs[0], 2.0])), 0.0).data
    k = ag.lincomb([1.0, 2.0], [3.0, 4.0], 1.0)
    assert k.data == 12.0 and not k.requires_grad
    with pytest.raises(ValueError, match="2 weights but 1 inputs"):
        ag.lincomb([1.0, 2.0], [xs[0]])


def test_requires_grad_false_values_are_constants() -> None:
    a = Value(2.0, requires_grad=False)
    b = a * a
    assert not b.requires_grad and b.is_leaf
    x = Value(1.0)
    (x * a + a).backward()
    assert x.grad == 2.0 and a.grad == 0.0


def test_large_fan_in_and_fan_out() -> None:
    x = Value(0.5)
    ys = [x * float(i) for i in range(1, 2001)]
    total = sum(ys, Value(0.0, requires_grad=False))
    total.backward()
    assert x.grad == pytest.approx(sum(range(1, 2001)))
    assert all(y.grad == 1.0 for y in ys)


def test_micrograd_op_strings_and_constructor():
    """micrograd's drawing code reads ``n._op`` as a string; its ``Value(data, children, op)`` is refused clearly."""
    a, b = ag.Value(2.0), ag.Value(3.0)
    assert (a * b)._op == "*" and (a + b)._op == "+" and (a**2)._op == "**" and a.tanh()._op == "tanh"
    assert a._op == "" and (a * b).op is ag.OPS["mul"]
    assert "" + (a - b)._op == "-"
    with pytest.raises(TypeError, match="records the graph itself"):
        ag.Value(6.0, (a, b), "*")

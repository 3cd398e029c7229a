"""Every op in ``autograd_mini.OPS``: forward equals a numpy reference, and autograd's gradient (with a random
upstream gradient) equals central differences of that reference, on hypothesis-drawn inputs and shapes.

Tensor runs every op; Value runs the elementwise/arithmetic ones. The op specs live in ``_opspecs.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from _opspecs import F64, SPECS, TENSOR_OPS, VALUE_OPS, central_difference, floats
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_mini as ag


def test_every_op_has_a_gradient_test() -> None:
    missing = sorted(set(ag.OPS) - set(SPECS))
    assert not missing, f"ops without a spec in tests/_opspecs.py (add one): {missing}"
    stale = sorted(set(SPECS) - set(ag.OPS))
    assert not stale, f"specs for ops that no longer exist: {stale}"


def test_value_ops_are_the_elementwise_ones() -> None:
    assert set(VALUE_OPS) == {
        "add",
        "sub",
        "mul",
        "div",
        "neg",
        "pow",
        "exp",
        "log",
        "tanh",
        "sigmoid",
        "relu",
        "leaky_relu",
        "hardlimit",
        "sign",
        "abs",
        "sqrt",
        "clip",
        "maximum",
        "minimum",
        "where",
        "lincomb",
    }


def _weighted_sum(spec: Any, params: dict[str, Any], G: Any) -> Any:
    return lambda *xs: float(np.sum(spec.ref(*xs, **params) * G))


@pytest.mark.parametrize("name", TENSOR_OPS)
@given(data=st.data())
def test_tensor_op_gradient_matches_central_differences(name: str, data: st.DataObject) -> None:
    spec = SPECS[name]
    xs, params = spec.draw(data, False)
    ts = [ag.Tensor(x, requires_grad=True) for x in xs]
    out = spec.call(*ts, **params)
    assert out.op_name == name, f"the spec for {name} built a {out.op_name} node"
    expected = np.asarray(spec.ref(*xs, **params))
    assert out.shape == expected.shape
    assert out.dtype == F64
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-12)

    G = data.draw(hnp.arrays(F64, out.shape, elements=floats(-2, 2)), label="upstream gradient")
    out.backward(gradient=G)
    for k, (x, t) in enumerate(zip(xs, ts)):
        numeric = central_difference(_weighted_sum(spec, params, G), xs, k)
        assert t.grad is not None
        assert t.grad.shape == x.shape, f"input {k}: gradient shape {t.grad.shape} for shape {x.shape}"
        assert t.grad.dtype == F64
        np.testing.assert_allclose(t.grad, numeric, rtol=1e-5, atol=1e-6, err_msg=f"{name}: input {k}")


@pytest.mark.parametrize("name", VALUE_OPS)
@given(data=st.data())
def test_value_op_gradient_matches_central_differences(name: str, data: st.DataObject) -> None:
    spec = SPECS[name]
    xs, params = spec.draw(data, True)
    vs = [ag.Value(float(x)) for x in xs]
    out = spec.call(*vs, **params)
    assert isinstance(out, ag.Value)
    assert out.op_name == name, f"the spec for {name} built a {out.op_name} node"
    assert type(out.data) is float
    assert out.data == pytest.approx(float(spec.ref(*xs, **params)), rel=1e-12, abs=1e-12)

    g = data.draw(floats(-2, 2), label="upstream gradient")
    out.backward(gradient=g)
    for k, v in enumerate(vs):
        numeric = float(central_difference(_weighted_sum(spec, params, g), xs, k))
        assert type(v.grad) is float
        assert v.grad == pytest.approx(numeric, rel=1e-5, abs=1e-6), f"{name}: input {k}"


@pytest.mark.parametrize("name", VALUE_OPS)
def test_value_and_tensor_rules_agree_per_op(name: str) -> None:
    """The same numbers through both engines give the same value and gradients (one fixed example per op)."""
    spec = SPECS[name]
    rng = np.random.default_rng(0)
    # fixed inputs inside every op's domain: positive, off the integer grid, ordered for maximum/minimum
    base = [1.37, 0.62, 2.21, 1.83, 0.41, 1.15, 2.74]
    arity = {
        "neg": 1,
        "exp": 1,
        "log": 1,
        "tanh": 1,
        "sigmoid": 1,
        "relu": 1,
        "leaky_relu": 1,
        "hardlimit": 1,
        "sign": 1,
        "abs": 1,
        "sqrt": 1,
        "clip": 1,
        "lincomb": 5,
    }.get(name, 2)
    xs = [np.array(b * s) for b, s in zip(base, rng.choice([-1.0, 1.0], size=arity))]
    if name in ("log", "sqrt", "pow"):
        xs = [np.abs(x) for x in xs]
    params = {"alpha": 0.2} if name == "leaky_relu" else {"cond": np.array(True)} if name == "where" else {}
    vs = [ag.Value(float(x)) for x in xs]
    ts = [ag.Tensor(x, requires_grad=True) for x in xs]
    vo, to = spec.call(*vs, **params), spec.call(*ts, **params)
    vo.backward()
    to.backward()
    assert vo.data == pytest.approx(to.item(), rel=1e-13)
    for v, t in zip(vs, ts):
        assert v.grad == pytest.approx(float(t.grad), rel=1e-13, abs=1e-300)

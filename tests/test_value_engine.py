"""The scalar engine's own machinery, checked against the generic one it must equal.

``Value`` keeps its inputs in two slots (a number as a plain float), runs ``backward()`` on floats with its own
topological order, takes each op's forward in a scalar form where one exists, and reads one shared counter
instead of its thread's grad-mode flags while no mode block is open. Each of these is compared here with the
engine-generic path (``toposort``, ``ag.grad``'s dict-based pass, numpy's forward), bit for bit (a gradient
that is exactly zero may differ in its sign: see ``test_backward_equals_the_generic_pass``).
"""

from __future__ import annotations

import math
import struct
import threading
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_mini as ag
from autograd_mini import node as node_mod
from autograd_mini import ops as ops_mod
from autograd_mini import value as value_mod
from autograd_mini.value import Value

ANY_FLOAT = st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True) | st.sampled_from(
    [0.0, -0.0, 5e-324, -5e-324, math.inf, -math.inf, math.nan]
)


def _bits(x: float) -> bytes:
    return struct.pack("<d", x)


def _same(a: float, b: float) -> bool:
    """Equal as IEEE doubles: the same bits, or both NaN."""
    return (math.isnan(a) and math.isnan(b)) or _bits(a) == _bits(b)


SCALAR_OPS = [op for op in ops_mod.TABLE.values() if op.scalar_forward is not op.forward]


def test_some_ops_have_a_scalar_form() -> None:
    assert {op.name for op in SCALAR_OPS} >= {"relu", "abs", "hardlimit", "sign", "leaky_relu"}


@pytest.mark.parametrize("op", SCALAR_OPS, ids=lambda op: op.name)
@given(x=ANY_FLOAT, alpha=st.floats(-2.0, 2.0))
def test_a_scalar_form_equals_the_numpy_forward_bit_for_bit(op: ops_mod.Op, x: float, alpha: float) -> None:
    params = {"alpha": alpha} if op.name == "leaky_relu" else {}
    with np.errstate(all="ignore"):
        want = float(op.forward(np.float64(x), **params))
    got = op.scalar_forward(x, **params)
    assert type(got) is float
    assert _same(got, want), (op.name, x, got, want)


# -- random scalar programs over the ops the float pass unrolls and the ones it hands to the general path -------
_UNARY: list[Callable[[Any], Any]] = [
    lambda v: v.relu(),
    lambda v: v.tanh(),
    lambda v: -v,
    lambda v: v.leaky_relu(0.1),  # an op with a parameter
    lambda v: abs(v),
    lambda v: v.sigmoid(),
]
_BINARY: list[Callable[[Any, Any], Any]] = [
    lambda a, b: a + b,
    lambda a, b: a - b,
    lambda a, b: a * b,
    lambda a, b: a / (b * b + 1.0),
    lambda a, b: ag.lincomb([a, b], [b, a], 0.5),  # three or more inputs
]
_WITH_CONSTANT: list[Callable[[Any, float], Any]] = [
    lambda a, c: a * c,
    lambda a, c: c * a,
    lambda a, c: c - a,
    lambda a, c: a + c,
    lambda a, c: a**2,
]


@st.composite
def programs(draw: st.DrawFn) -> tuple[list[Value], Value]:
    """Leaves (some constant Values), then ops on earlier nodes: shared inputs, constants, every kind of node."""
    n_leaves = draw(st.integers(1, 4))
    leaves = [
        Value(draw(st.floats(-3, 3)), requires_grad=draw(st.booleans()) or k == 0, label=f"x{k}")
        for k in range(n_leaves)
    ]
    nodes: list[Value] = list(leaves)
    for _ in range(draw(st.integers(1, 25))):
        kind = draw(st.integers(0, 2))
        a = draw(st.sampled_from(nodes))
        if kind == 0:
            nodes.append(draw(st.sampled_from(_UNARY))(a))
        elif kind == 1:
            nodes.append(draw(st.sampled_from(_BINARY))(a, draw(st.sampled_from(nodes))))
        else:
            nodes.append(draw(st.sampled_from(_WITH_CONSTANT))(a, draw(st.floats(-2, 2))))
    root = nodes[-1]
    for extra in nodes[:-1]:
        if draw(st.booleans()):
            root = root + extra  # most nodes reach the root, through several paths
    return leaves, root


def _equal(a: float, b: float) -> bool:
    """Equal as numbers (0.0 == -0.0), or both NaN."""
    return a == b or (math.isnan(a) and math.isnan(b))


@given(programs())
def test_backward_equals_the_generic_pass(program: tuple[list[Value], Value]) -> None:
    """The same sums in the same order, so the same floats; one difference, in the sign of a zero: the float
    pass starts every gradient at +0.0 and adds to it, so a gradient that is exactly -0.0 in the generic pass
    (whose first contribution is stored as it is) reads +0.0 here. (Found by the deep hypothesis profile.)"""
    leaves, root = program
    if not root.requires_grad:
        return
    live = [x for x in leaves if x.requires_grad]
    want = ag.grad(root, live)  # the engine-generic pass: dict of gradients, generic toposort
    root.backward()
    for x, w in zip(live, want):
        assert _equal(x.grad, w), (x.label, x.grad, w)
        assert _same(x.grad, w) or x.grad == w == 0.0, (x.label, x.grad, w)


@given(programs())
def test_the_float_pass_walks_toposorts_order(program: tuple[list[Value], Value]) -> None:
    _, root = program
    if root.requires_grad:
        order, _ = value_mod._pass_order(root)
        assert order == node_mod.toposort([root])


@given(programs(), st.floats(-2, 2))
def test_a_second_backward_adds_the_same_gradient_to_leaves_only(
    program: tuple[list[Value], Value], old: float
) -> None:
    leaves, root = program
    if not root.requires_grad:
        return
    for x in leaves:
        x.grad = old
    root.backward()
    first = [x.grad for x in leaves]
    root.backward()
    for x, g in zip(leaves, first):
        if x.requires_grad:
            assert x.grad == pytest.approx(old + 2 * (g - old), rel=1e-12, abs=1e-12)
        else:
            assert x.grad == old  # a constant leaf is not part of the pass


# -- constants kept as floats --------------------------------------------------------------------------------------
def test_a_number_operand_is_kept_as_a_float_and_becomes_one_stable_constant_node() -> None:
    x = Value(3.0, label="x")
    y = x * 2.5
    assert type(y._b) is float  # no node was made for the constant
    (a, c) = y._parents
    assert a is x and isinstance(c, Value) and c.data == 2.5 and not c.requires_grad and c.is_leaf
    assert y._parents[1] is c  # made once, then kept: the graph keeps its identity
    y.backward()  # the constant node made after y is not "newer" than y: no modified-input error
    assert x.grad == 2.5 and c.grad == 0.0


def test_a_reflected_constant_sits_first() -> None:
    x = Value(3.0)
    y = 10.0 - x
    assert type(y._a) is float and y._b is x
    y.backward()
    assert y.data == 7.0 and x.grad == -1.0


def test_a_chain_step_with_a_constant_costs_one_node_and_its_float() -> None:
    """The result node (10 slots, with the collector's header) and its float, nothing for the constant."""
    steps = 20_000
    tracemalloc.start()
    try:
        y = Value(1.0)
        before, _ = tracemalloc.get_traced_memory()
        for _ in range(steps):
            y = y * 1.0000001
        after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    per_step = (after - before) / steps
    assert per_step <= 150, per_step
    y.backward()
    assert y.grad == 1.0


# -- grad mode stays per thread ------------------------------------------------------------------------------------
def test_no_grad_in_one_thread_does_not_stop_recording_in_another() -> None:
    entered, release = threading.Event(), threading.Event()
    inside: list[bool] = []

    def worker() -> None:
        with ag.no_grad():
            entered.set()
            release.wait(10)
            z = Value(2.0) * Value(3.0)
            inside.append(z.requires_grad)

    t = threading.Thread(target=worker)
    t.start()
    assert entered.wait(10)
    assert node_mod.modes_open[0] == 1
    recorded = Value(2.0) * Value(3.0)  # this thread is not inside no_grad
    release.set()
    t.join(10)
    assert recorded.requires_grad and recorded.op_name == "mul"
    assert inside == [False]
    assert node_mod.modes_open[0] == 0


def test_a_mode_block_left_by_an_exception_is_closed() -> None:
    with pytest.raises(ZeroDivisionError), ag.detect_anomaly(), ag.no_grad():
        raise ZeroDivisionError
    assert node_mod.modes_open[0] == 0
    assert (Value(1.0) * Value(2.0)).requires_grad


def test_anomaly_mode_still_catches_a_fast_path_op() -> None:
    big = Value(1e308)
    with ag.detect_anomaly(), pytest.raises(FloatingPointError, match="'mul'"):
        big * big

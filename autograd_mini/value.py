"""``Value``: the scalar engine, micrograd-compatible (one graph node per number, as in the documents' figures).

Numeric policy (documented, tested): arithmetic runs on Python floats for speed; wherever Python would
raise or leave the reals (``1/0``, ``0.0 ** -1``, ``math.exp(1000)``, ``(-4) ** 0.5`` which Python makes
complex) the op is recomputed with numpy float64 scalars, so results follow numpy: ``inf`` or ``nan`` with
a ``RuntimeWarning``, never a complex number and never ``ZeroDivisionError``. ``log`` of a non-positive
number and ``sqrt`` of a negative one likewise give ``-inf``/``nan`` with a warning, as numpy does.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import ops as _ops
from .node import (
    Node,
    Uncoercible,
    _check_finite,
    _check_not_tracing,
    _cyclic_gc_paused,
    _raise_modified,
    _state,
    modes_open,
    version_clock,
)
from .ops import Op, lincomb_forward

_NUMBER = (int, float, bool, np.integer, np.floating, np.bool_)
_SOFT_ERRORS = (ArithmeticError, ValueError)
_NO_PARAMS: dict[str, Any] = {}


def _numpy_semantics(fn: Callable[..., Any], args: Sequence[Any], params: dict[str, Any]) -> Any:
    """Run ``fn`` on Python floats; if Python raises or goes complex, rerun it on numpy float64."""
    try:
        r = fn(*args, **params)
        if type(r) is complex:
            raise ValueError("complex result")
        return r
    except _SOFT_ERRORS:
        return fn(*[np.float64(a) for a in args], **params)


_object_new = object.__new__


def _binary_operator(op: Op, arithmetic: Callable[[float, float], float]) -> Callable[[Any, Any], Any]:
    """``Value``'s operator for ``op`` (``+ - *``): between two Values, :func:`_record` written out (grad mode
    on and anomaly mode off while no mode block is open; Python floats never raise here), a quarter of an op's
    cost saved on the hottest path; with a number, another type or an open mode block, ``Value._apply``."""

    def operator_method(self: Any, other: Any) -> Any:
        if type(other) is not Value or modes_open[0]:
            return self._apply(op, self, other)
        node = _object_new(Value)
        node._data = arithmetic(self._data, other._data)
        node._version = version_clock[0]
        node.grad = 0.0
        node.label = ""
        node._params = None
        if self.requires_grad or other.requires_grad:
            node.requires_grad = True
            node.op = op
            node._a = self
            node._b = other
        else:
            node.requires_grad = False
            node.op = node._a = node._b = None
        return node

    operator_method.__name__ = operator_method.__qualname__ = f"__{arithmetic.__name__}__"
    return operator_method


class Value(Node):
    """A scalar that records how it was computed.

    ``Value(2.0)``, ``.data``, ``.grad``, an optional ``label``; ``+ - * / **`` with numbers or Values,
    ``exp log tanh sigmoid relu leaky_relu abs sqrt``; ``backward()`` seeds dL/dL = 1 and fills ``.grad``.
    Comparisons (``<`` ...) compare ``.data``; equality stays identity, so Values can key dicts and sets.
    """

    # The op's inputs, in two slots instead of a tuple (one object per node fewer to allocate, free and for the
    # cyclic collector to track): a leaf has (None, None), a unary op (x, None), a binary op (x, y), an op of
    # three or more inputs (the tuple of them, None). An input given as a Python number is kept as the float
    # itself: a constant needs no node. ``_parents`` shows them all as nodes.
    __slots__ = ("_a", "_b")
    _a: Value | float | tuple[Value, ...] | None
    _b: Value | float | None
    __array_ufunc__ = None  # numpy defers to Value's reflected operators: np.float64(2) * v is a Value
    _grad_init = 0.0

    def __init__(
        self, data: Any, _children: tuple[Value, ...] = (), _op: str = "", label: str = "", requires_grad: bool = True
    ) -> None:
        if _children or _op:
            raise TypeError(
                "Value(data, _children, _op): autograd-mini records the graph itself and has no per-node _backward "
                "to set; build the node with an operator or method instead (a * b, a + b, a.tanh()), or add a rule "
                "to autograd_mini/ops.py"
            )
        if isinstance(data, Value):
            data = data._data
        if not isinstance(data, _NUMBER) and not (isinstance(data, np.ndarray) and data.shape == ()):
            raise TypeError(f"Value needs a real number, got {type(data).__name__}: {data!r}")
        if not isinstance(label, str):
            raise TypeError(f"Value: label must be a str, got {type(label).__name__}: {label!r}")
        self._data = float(data)
        self._version = version_clock[0]
        self.grad = 0.0
        self.requires_grad = requires_grad
        self.label = label
        self.op = None
        self._a = None
        self._b = None
        self._params = None

    # -- the inputs as nodes ----------------------------------------------------------------------
    def _get_parents(self) -> tuple[Node, ...]:
        a, b = self._a, self._b
        if a is None:
            return ()
        if type(a) is tuple:
            return a
        if type(a) is float:
            a = self._a = self._constant_input(a)
        if b is None:
            return (a,)  # type: ignore[return-value]
        if type(b) is float:
            b = self._b = self._constant_input(b)
        return (a, b)  # type: ignore[return-value]

    def _set_parents(self, parents: tuple[Node, ...]) -> None:
        n = len(parents)
        self._a = None if n == 0 else parents[0] if n <= 2 else parents  # type: ignore[assignment]
        self._b = parents[1] if n == 2 else None  # type: ignore[assignment]

    _parents = property(
        _get_parents,
        _set_parents,
        doc="The op's inputs as nodes (what every other engine part reads). A constant kept as a float becomes "
        "a constant leaf Value on first access, and stays that node, so the graph keeps its identity.",
    )

    def _constant_input(self, x: float) -> Value:
        leaf = Value(x, requires_grad=False)
        leaf._version = self._version  # as old as its op: the constant was never reassigned
        return leaf

    # -- engine hooks ----------------------------------------------------------------------------
    @classmethod
    def _coerce(cls, x: Any, like: Node | None = None) -> Value:
        if isinstance(x, Value):
            return x
        if isinstance(x, _NUMBER):
            return cls(float(x), requires_grad=False)
        if isinstance(x, np.ndarray) and x.size == 1 and x.dtype.kind in "biuf":
            return cls(float(x.item()), requires_grad=False)  # a size-1 array is a number (any ndim)
        raise Uncoercible(f"cannot use {type(x).__name__} as a Value operand")

    @classmethod
    def _forward(cls, op: Op, datas: list[Any], params: dict[str, Any]) -> float:
        return _forward_float(op, datas, params)

    @classmethod
    def _apply(cls, op: Op, *args: Any, **params: Any) -> Any:
        # Same contract as Node._apply, unrolled for the scalar engine (one or two inputs; numbers stay floats).
        if len(args) == 1 and type(args[0]) is Value:  # a function of one Value (relu, tanh...): the common case
            x = args[0]
            return _record(op, _forward_float(op, [x._data], params), x, None, x.requires_grad, params or None)
        if len(args) > 2:  # lincomb: the inputs as one tuple of nodes
            inputs = tuple(x if isinstance(x, Value) else cls._coerce(x) for x in args)
            needs_grad = any(x.requires_grad for x in inputs)
            return _record(
                op, _forward_float(op, [x._data for x in inputs], params), inputs, None, needs_grad, params or None
            )
        a = _operand(args[0])
        b = _operand(args[1]) if len(args) == 2 else None
        datas = [_raw_input(a)] if b is None else [_raw_input(a), _raw_input(b)]
        needs_grad = _needs_grad(a) or _needs_grad(b)
        return _record(op, _forward_float(op, datas, params), a, b, needs_grad, params or None)

    @classmethod
    def _local_grad(cls, fn: Callable[..., Any], g: Any, out: Any, args: Sequence[Any], params: dict) -> Any:
        return _numpy_semantics(fn, [g, out, *args], params)

    @classmethod
    def _finish_grad(cls, g: Any) -> Any:
        return g if isinstance(g, Node) else float(g)

    @classmethod
    def _seed(cls, root: Node, gradient: Any) -> Any:
        if gradient is None:
            return 1.0
        if isinstance(gradient, Value):
            return gradient
        if isinstance(gradient, _NUMBER) or (isinstance(gradient, np.ndarray) and gradient.size == 1):
            return float(gradient.item() if isinstance(gradient, np.ndarray) else gradient)
        raise TypeError(
            f"backward(): gradient must be a number or a Value (dL/d this node), "
            f"got {type(gradient).__name__}: {gradient!r}"
        )

    @classmethod
    def _store_grads(cls, order: list[Node], grads: dict[Node, Any]) -> None:
        get = grads.get
        for node in order:
            g = get(node)
            if g is None:
                continue
            if type(g) is not float and not isinstance(g, Node):
                g = float(g)
            node.grad = node.grad + g if node.op is None else g

    def backward(self, gradient: Any = None, create_graph: bool = False) -> None:
        """Reverse-mode pass from this node (see :meth:`Node.backward`); the scalar engine's own pass for the
        common case (float gradients, no ``create_graph``): same semantics, no dict of gradients."""
        if create_graph or not self.requires_grad:
            return super().backward(gradient, create_graph)
        seed = self._seed(self, gradient)
        if isinstance(seed, Node):
            seed = seed._data
        with _cyclic_gc_paused():
            _backprop_floats(self, seed)
        return None

    # -- the scalar fast path: arithmetic between two Values records directly (see _binary_operator); the
    # -- reflected forms only ever see a non-Value on the left, which _apply keeps as a float
    __add__ = _binary_operator(_ops.ADD, operator.add)
    __sub__ = _binary_operator(_ops.SUB, operator.sub)
    __mul__ = _binary_operator(_ops.MUL, operator.mul)

    def __radd__(self, other: Any) -> Any:
        return self._apply(_ops.ADD, other, self)

    def __rsub__(self, other: Any) -> Any:
        return self._apply(_ops.SUB, other, self)

    def __rmul__(self, other: Any) -> Any:
        return self._apply(_ops.MUL, other, self)

    def __neg__(self) -> Any:
        return _record(_ops.NEG, -self._data, self, None, self.requires_grad)

    def zero_grad(self) -> None:
        """Set ``.grad`` to 0.0."""
        self.grad = 0.0

    # -- micrograd compatibility and conveniences -------------------------------------------------
    @property
    def _prev(self) -> set[Node]:
        """micrograd's name for the set of inputs."""
        return set(self._parents)

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self._data}, grad={self.grad}{label})"

    def __float__(self) -> float:
        _check_not_tracing("float() of a Value")
        return self._data

    def __bool__(self) -> bool:
        _check_not_tracing("bool() of a Value")
        return True

    def __lt__(self, other: Any) -> bool:
        _check_not_tracing("a comparison (<) of a Value")
        return self._data < _raw(other)

    def __le__(self, other: Any) -> bool:
        _check_not_tracing("a comparison (<=) of a Value")
        return self._data <= _raw(other)

    def __gt__(self, other: Any) -> bool:
        _check_not_tracing("a comparison (>) of a Value")
        return self._data > _raw(other)

    def __ge__(self, other: Any) -> bool:
        _check_not_tracing("a comparison (>=) of a Value")
        return self._data >= _raw(other)

    __hash__ = Node.__hash__


def _record(op: Op, r: float, a: Any, b: Any, needs_grad: bool, params: dict[str, Any] | None = None) -> Value:
    """Node._new for the scalar engine: a Value holding ``r`` that records ``op`` on inputs ``a``, ``b`` (see
    ``Value._a``) when it needs to."""
    node = _object_new(Value)
    node._data = r
    node._version = version_clock[0]
    node.grad = 0.0
    node.label = ""
    if needs_grad and (not modes_open[0] or _state.enabled):
        node.requires_grad = True
        node.op = op
        node._a = a
        node._b = b
        node._params = params
    else:
        node.requires_grad = False
        node.op = None
        node._a = None
        node._b = None
        node._params = None
    if modes_open[0] and _state.anomaly:
        _check_finite(r, f"forward of op '{op.name}'")
    return node


def _forward_float(op: Op, datas: list[float], params: dict[str, Any]) -> float:
    """``op``'s forward on floats (its scalar form); where Python raises or goes complex, numpy's result."""
    try:
        r = op.scalar_forward(*datas, **params) if params else op.scalar_forward(*datas)
        if type(r) is float:
            return r
        if type(r) is not complex:
            return float(r)
    except _SOFT_ERRORS:
        pass
    return float(_numpy_semantics(op.forward, datas, params))


def _operand(x: Any) -> Any:
    """An op's input as the scalar engine keeps it: a Value as itself, a number as a Python float (a constant
    needs no node); anything else goes through ``Value._coerce`` (a size-1 array becomes a constant leaf, other
    types raise)."""
    if isinstance(x, Value):
        return x
    if type(x) is float:
        return x
    if isinstance(x, _NUMBER):
        return float(x)
    return Value._coerce(x)


def _raw_input(x: Any) -> float:
    return x if type(x) is float else x._data


def _needs_grad(x: Any) -> bool:
    return x is not None and type(x) is not float and x.requires_grad


def _backprop_floats(root: Value, seed: float) -> None:
    """The reverse pass of ``Value.backward`` on floats, gradients held in ``.grad`` itself.

    Every node of the pass starts at 0.0 and receives its inputs' contributions; a leaf's earlier gradient is
    set aside and added back at the end, so leaves accumulate (``old + this pass``) and intermediate nodes hold
    this pass's gradient, exactly as the generic pass (:func:`autograd_mini.node.backprop`) does. If the pass
    fails (a modified input, anomaly mode), every leaf gets its earlier gradient back.
    """
    order, held = _pass_order(root)
    root.grad = seed
    try:
        _reverse_floats(order)
    except BaseException:
        for node in order:
            if node.op is None:
                node.grad = 0.0
        for node, old in held:
            node.grad = old
        raise
    for node, old in held:
        node.grad = old + node.grad


def _pass_order(root: Value) -> tuple[list[Value], list[tuple[Value, Any]]]:
    """:func:`autograd_mini.node.toposort` of ``root`` (the same order), read from the input slots directly (no
    tuple, no node for a constant), each node's ``.grad`` set to 0.0 for the pass; and the leaves' earlier
    gradients, set aside to be added back.

    The depth-first walk marks nodes in ``.grad`` itself with two new float objects equal to 0.0 (no set of
    seen nodes to hash into): ``expanding`` for a node whose inputs are on the stack above it (popped again,
    it is emitted), ``done`` for an emitted one. The first gradient added to a node, after the walk, replaces
    the object."""
    order: list[Value] = []
    held: list[tuple[Value, Any]] = []
    expanding, done = float("0"), float("0")  # new objects, that no node holds yet
    stack: list[Any] = [root]
    push, pop, emit = stack.append, stack.pop, order.append
    while stack:
        node = pop()
        g = node.grad
        if g is done:
            continue
        if g is expanding:  # its inputs are all emitted by now
            node.grad = done
            emit(node)
            continue
        a = node._a
        if a is None:  # a leaf: set its gradient so far aside
            if type(g) is not float or g != 0.0:
                held.append((node, g))
            node.grad = done
            emit(node)
            continue
        node.grad = expanding
        push(node)
        if type(a) is tuple:  # inputs are pushed in order, so the last one is expanded first (as in toposort)
            stack.extend(p for p in a if p.requires_grad)
            continue
        if type(a) is not float and a.requires_grad and a.grad is not done:
            push(a)
        b = node._b
        if b is not None and type(b) is not float and b.requires_grad and b.grad is not done:
            push(b)
    return order, held


def _reverse_floats(order: list[Value]) -> None:
    """Outputs first, each node's gradient to its inputs: the table's rules called on floats. A binary op is
    unrolled here, a unary one in :func:`_backprop_other`; an op with parameters or more inputs, anomaly mode,
    and a rule whose result is not a float (Python raised, or went complex, or numpy answered) take the general
    :func:`_backprop_node`."""
    clock, anomaly = version_clock[0], _state.anomaly
    for node in reversed(order):
        op = node.op
        if op is None:
            continue
        if node._version != clock:  # some .data was assigned since this node was made: check its inputs
            _check_unmodified(node)
        b = node._b
        if b is None or anomaly or node._params is not None:
            _backprop_other(node, op, anomaly)
            continue
        a = node._a
        a_gets = type(a) is not float and a.requires_grad  # type: ignore[union-attr]
        b_gets = type(b) is not float and b.requires_grad  # type: ignore[union-attr]
        ad = a if type(a) is float else a._data  # type: ignore[union-attr]
        bd = b if type(b) is float else b._data  # type: ignore[union-attr]
        g, out, vjps = node.grad, node._data, op.vjps
        try:
            ga = vjps[0](g, out, ad, bd) if a_gets else 0.0
            gb = vjps[1](g, out, ad, bd) if b_gets else 0.0
        except _SOFT_ERRORS:
            ga = None
        if type(ga) is not float or type(gb) is not float:
            _backprop_node(node, op, anomaly)  # numpy's policy, or float() of another number
            continue
        if a_gets:
            a.grad += ga  # type: ignore[union-attr]
        if b_gets:
            b.grad += gb  # type: ignore[union-attr]


def _backprop_other(node: Value, op: Op, anomaly: bool) -> None:
    """A node of the float pass that is not a plain binary op: a unary op unrolled, else the general case."""
    a = node._a
    if anomaly or node._params is not None or type(a) is tuple or not a.requires_grad:  # type: ignore[union-attr]
        _backprop_node(node, op, anomaly)
        return
    try:
        ga = op.vjps[0](node.grad, node._data, a._data)  # type: ignore[union-attr]
    except _SOFT_ERRORS:
        ga = None
    if type(ga) is float:
        a.grad += ga  # type: ignore[union-attr]
    else:
        _backprop_node(node, op, anomaly)  # numpy's policy, or float() of another number


def _check_unmodified(node: Value) -> None:
    """Raise if an input's data was assigned after ``node`` was computed from it."""
    version = node._version
    for i, p in enumerate(node._parents):
        if p._version > version:
            _raise_modified(node, p, i)


def _backprop_node(node: Value, op: Op, anomaly: bool) -> None:
    """One node of the float pass, any number of inputs and parameters (the general case)."""
    parents = node._parents
    args = [q._data for q in parents]
    try:
        grads = _local_grads(op, node.grad, node._data, args, node._params, parents)
    except (*_SOFT_ERRORS, TypeError):
        grads = _local_grads_numpy(op, node.grad, node._data, args, node._params or {}, parents)
    if anomaly:
        for i, gi in enumerate(grads):
            if gi is not None:
                _check_finite(gi, f"backward of op '{op.name}' (gradient of input {i})")
    for p, gi in zip(parents, grads):
        if gi is not None:
            p.grad += gi


def _local_grads(
    op: Op, g: float, out: float, args: list[float], params: dict[str, Any] | None, parents: tuple[Node, ...]
) -> list[float | None]:
    """Each input's gradient contribution on Python floats (None for inputs that need none); raises like Python
    (ZeroDivisionError, OverflowError; TypeError from float() for a complex result) for the numpy fallback."""
    vjps, kw = op.vjps, params or _NO_PARAMS
    if op.variadic and not kw:  # lincomb: one rule, the inputs passed as one sequence
        rule = vjps[0]
        return [float(rule(i, g, out, args)) if p.requires_grad else None for i, p in enumerate(parents)]
    if op.variadic:
        rule = vjps[0]
        return [float(rule(i, g, out, args, **kw)) if p.requires_grad else None for i, p in enumerate(parents)]
    return [float(vjps[i](g, out, *args, **kw)) if p.requires_grad else None for i, p in enumerate(parents)]


def _local_grads_numpy(
    op: Op, g: float, out: float, args: list[float], params: dict[str, Any], parents: tuple[Node, ...]
) -> list[float | None]:
    """``_local_grads`` with numpy's policy (inf/nan with a warning) where Python raises or goes complex."""
    return [
        float(_numpy_semantics(op.rule(i), [g, out, *args], params)) if p.requires_grad else None
        for i, p in enumerate(parents)
    ]


def _raw(x: Any) -> Any:
    return x._data if isinstance(x, Value) else x


def lincomb(weights: Sequence[Any], inputs: Sequence[Any], bias: Any = 0.0) -> Value:
    """A neuron's net input n = b + sum_i w_i x_i as one graph node (doc 000, eq. 3, for one unit).

    Same value as ``sum((w * x for w, x in zip(weights, inputs)), bias)`` (summed in that order), with one
    node instead of 2 per input; its gradients are dn/dw_i = x_i, dn/dx_i = w_i, dn/db = 1.
    """
    if len(weights) != len(inputs):
        raise ValueError(f"lincomb: {len(weights)} weights but {len(inputs)} inputs")
    args: list[Any] = [bias]
    for w, x in zip(weights, inputs):
        args.append(w)
        args.append(x)
    if not any(isinstance(a, Value) for a in args):
        return Value(lincomb_forward(*[float(a) for a in args]), requires_grad=False)
    return Value._apply(_ops.LINCOMB, *args)

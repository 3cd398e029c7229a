"""``Value``: the scalar engine, micrograd-compatible (one graph node per number, as in the documents' figures).

Numeric policy (documented, tested): arithmetic runs on Python floats for speed; wherever Python would
raise or leave the reals (``1/0``, ``0.0 ** -1``, ``math.exp(1000)``, ``(-4) ** 0.5`` which Python makes
complex) the op is recomputed with numpy float64 scalars, so results follow numpy: ``inf`` or ``nan`` with
a ``RuntimeWarning``, never a complex number and never ``ZeroDivisionError``. ``log`` of a non-positive
number and ``sqrt`` of a negative one likewise give ``-inf``/``nan`` with a warning, as numpy does.
"""

from __future__ import annotations

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
    toposort,
    version_clock,
)
from .ops import Op, lincomb_forward

_NUMBER = (int, float, bool, np.integer, np.floating, np.bool_)
_SOFT_ERRORS = (ArithmeticError, ValueError)


def _numpy_semantics(fn: Callable[..., Any], args: Sequence[Any], params: dict[str, Any]) -> Any:
    """Run ``fn`` on Python floats; if Python raises or goes complex, rerun it on numpy float64."""
    try:
        r = fn(*args, **params)
        if type(r) is complex:
            raise ValueError("complex result")
        return r
    except _SOFT_ERRORS:
        return fn(*[np.float64(a) for a in args], **params)


class Value(Node):
    """A scalar that records how it was computed.

    ``Value(2.0)``, ``.data``, ``.grad``, an optional ``label``; ``+ - * / **`` with numbers or Values,
    ``exp log tanh sigmoid relu leaky_relu abs sqrt``; ``backward()`` seeds dL/dL = 1 and fills ``.grad``.
    Comparisons (``<`` ...) compare ``.data``; equality stays identity, so Values can key dicts and sets.
    """

    __slots__ = ()
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
        self._parents = ()
        self._params = None

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
        return float(_numpy_semantics(op.forward, datas, params))

    @classmethod
    def _apply(cls, op: Op, *args: Any, **params: Any) -> Any:
        # Same contract as Node._apply, unrolled for the scalar engine's hot path (millions of calls).
        if len(args) > 2:
            return super()._apply(op, *args, **params)
        x = args[0] if type(args[0]) is Value else cls._coerce(args[0])
        if len(args) == 1:
            parents: tuple[Value, ...] = (x,)
            needs_grad = x.requires_grad
            datas = [x._data]
        else:
            y = args[1] if type(args[1]) is Value else cls._coerce(args[1])
            parents = (x, y)
            needs_grad = x.requires_grad or y.requires_grad
            datas = [x._data, y._data]
        try:
            r = op.forward(*datas, **params)
            if type(r) is not float:
                r = float(r) if type(r) is not complex else float(_numpy_semantics(op.forward, datas, params))
        except _SOFT_ERRORS:
            r = float(_numpy_semantics(op.forward, datas, params))
        return cls._new(r, op, parents, params, needs_grad)

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

    # -- the scalar fast path: the arithmetic operators record directly (Python floats never raise here) --
    def __add__(self, other: Any) -> Any:
        o = other if type(other) is Value else _operand(other)
        return _record(_ops.ADD, self._data + o._data, (self, o), self.requires_grad or o.requires_grad)

    def __radd__(self, other: Any) -> Any:
        o = other if type(other) is Value else _operand(other)
        return _record(_ops.ADD, o._data + self._data, (o, self), self.requires_grad or o.requires_grad)

    def __sub__(self, other: Any) -> Any:
        o = other if type(other) is Value else _operand(other)
        return _record(_ops.SUB, self._data - o._data, (self, o), self.requires_grad or o.requires_grad)

    def __rsub__(self, other: Any) -> Any:
        o = other if type(other) is Value else _operand(other)
        return _record(_ops.SUB, o._data - self._data, (o, self), self.requires_grad or o.requires_grad)

    def __mul__(self, other: Any) -> Any:
        o = other if type(other) is Value else _operand(other)
        return _record(_ops.MUL, self._data * o._data, (self, o), self.requires_grad or o.requires_grad)

    def __rmul__(self, other: Any) -> Any:
        o = other if type(other) is Value else _operand(other)
        return _record(_ops.MUL, o._data * self._data, (o, self), self.requires_grad or o.requires_grad)

    def __neg__(self) -> Any:
        return _record(_ops.NEG, -self._data, (self,), self.requires_grad)

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


_object_new = object.__new__


def _record(op: Op, r: float, parents: tuple[Value, ...], needs_grad: bool) -> Value:
    """Node._new for the scalar fast path: a Value holding ``r`` that records ``op`` when it needs to."""
    node = _object_new(Value)
    node._data = r
    node._version = version_clock[0]
    node.grad = 0.0
    node.label = ""
    node._params = None
    if needs_grad and _state.enabled:
        node.requires_grad = True
        node.op = op
        node._parents = parents
    else:
        node.requires_grad = False
        node.op = None
        node._parents = ()
    if _state.anomaly:
        _check_finite(r, f"forward of op '{op.name}'")
    return node


def _operand(x: Any) -> Value:
    """A number as a constant leaf (no gradient); other operands go through ``Value._coerce``."""
    t = type(x)
    if t is float or t is int:
        node = _object_new(Value)
        node._data = float(x)
        node._version = version_clock[0]
        node.grad = 0.0
        node.requires_grad = False
        node.label = ""
        node.op = None
        node._parents = ()
        node._params = None
        return node
    return Value._coerce(x)


def _backprop_floats(root: Value, seed: float) -> None:
    """The reverse pass of ``Value.backward`` on floats, gradients held in ``.grad`` itself.

    Every node of the pass starts at 0.0 and receives its inputs' contributions; a leaf's earlier gradient is
    set aside and added back at the end, so leaves accumulate (``old + this pass``) and intermediate nodes hold
    this pass's gradient, exactly as the generic pass (:func:`autograd_mini.node.backprop`) does. If the pass
    fails (a modified input, anomaly mode), every leaf gets its earlier gradient back.
    """
    order = toposort([root])
    held = []
    for node in order:
        if node.op is None and (type(node.grad) is not float or node.grad != 0.0):
            held.append((node, node.grad))
        node.grad = 0.0
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


def _reverse_floats(order: list[Node]) -> None:
    """Outputs first, each node's gradient to its inputs: the table's rules called on floats (where Python
    raises or goes complex, the node is redone with numpy's policy)."""
    anomaly = _state.anomaly
    for node in reversed(order):
        op = node.op
        if op is None:
            continue
        parents = node._parents
        if len(parents) != 2 or op.variadic or node._params or anomaly:
            _backprop_node(node, op, parents, anomaly)
            continue
        x, y = parents  # the common case (a binary op), unrolled
        version = node._version
        if x._version > version or y._version > version:
            _raise_modified(node, x if x._version > version else y, 0 if x._version > version else 1)
        g, out, xd, yd = node.grad, node._data, x._data, y._data
        try:
            gx = _as_float(op.vjps[0](g, out, xd, yd)) if x.requires_grad else 0.0
            gy = _as_float(op.vjps[1](g, out, xd, yd)) if y.requires_grad else 0.0
        except _SOFT_ERRORS:
            _backprop_node(node, op, parents, anomaly)
            continue
        if x.requires_grad:
            x.grad += gx
        if y.requires_grad:
            y.grad += gy


def _as_float(g: Any) -> float:
    """A rule's result as a float; a complex one raises (the node is then redone with numpy's policy)."""
    if type(g) is float:
        return g
    if type(g) is complex:
        raise ValueError("complex gradient")
    return float(g)


def _backprop_node(node: Node, op: Op, parents: tuple[Node, ...], anomaly: bool) -> None:
    """One node of the float pass, any number of inputs and parameters (the general case)."""
    version = node._version
    for i, p in enumerate(parents):
        if p._version > version:
            _raise_modified(node, p, i)
    args = [q._data for q in parents]
    try:
        grads = _local_grads(op, node.grad, node._data, args, node._params, parents)
    except _SOFT_ERRORS:
        grads = _local_grads_numpy(op, node.grad, node._data, args, node._params or {}, parents)
    for i, (p, gi) in enumerate(zip(parents, grads)):
        if gi is not None:
            if anomaly:
                _check_finite(gi, f"backward of op '{op.name}' (gradient of input {i})")
            p.grad += gi


def _local_grads(
    op: Op, g: float, out: float, args: list[float], params: dict[str, Any] | None, parents: tuple[Node, ...]
) -> list[float | None]:
    """Each input's gradient contribution on Python floats (None for inputs that need none); raises like Python
    (ZeroDivisionError, OverflowError, or ValueError for a complex result) for the numpy fallback."""
    vjps = op.vjps
    out_grads: list[float | None] = []
    for i, p in enumerate(parents):
        if not p.requires_grad:
            out_grads.append(None)
            continue
        if op.variadic:
            gi = vjps[0](i, g, out, args, **params) if params else vjps[0](i, g, out, args)
        else:
            gi = vjps[i](g, out, *args, **params) if params else vjps[i](g, out, *args)
        out_grads.append(_as_float(gi))
    return out_grads


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

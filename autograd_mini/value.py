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
from .node import Node, _check_not_tracing, _clock, _Uncoercible
from .ops import Op, _lincomb_forward

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

    def __init__(self, data: Any, _children: tuple[Value, ...] = (), _op: str = "", label: str = "",
                 requires_grad: bool = True) -> None:
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
        self._version = _clock[0]
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
        raise _Uncoercible(f"cannot use {type(x).__name__} as a Value operand")

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
        raise TypeError(f"backward(): gradient must be a number or a Value (dL/d this node), "
                        f"got {type(gradient).__name__}: {gradient!r}")

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
        return Value(_lincomb_forward(*[float(a) for a in args]), requires_grad=False)
    return Value._apply(_ops.LINCOMB, *args)

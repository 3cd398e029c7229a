"""``Tensor``: the vectorized engine, a numpy ndarray that records how it was computed.

float64 by default (integers and booleans become float64); float32 stays float32, also against Python
numbers (which take the tensor's dtype, as in numpy's NEP 50 and PyTorch). Every binary op broadcasts; the
engine sums each gradient back to its tensor's shape once, for all ops, and checks it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NoReturn

import numpy as np

from . import ops as _ops
from .node import Node, Uncoercible, _check_not_tracing, _raise_modified, _state, toposort, version_clock
from .ops import Op

_FLOATS = (np.float16, np.float32, np.float64)
_NO_PARAMS: dict[str, Any] = {}
Axis = int | Sequence[int] | None


def _float_dtype(dtype: Any) -> np.dtype | None:
    """``dtype`` as a numpy float dtype (None stays None); a non-float dtype is refused, never silently changed."""
    if dtype is None:
        return None
    try:
        dt = np.dtype(dtype)
    except TypeError as exc:
        raise TypeError(f"Tensor: dtype {dtype!r} is not a numpy dtype ({exc})") from None
    if dt.type not in _FLOATS:
        raise TypeError(
            f"Tensor: dtype must be a float dtype (float16, float32 or float64), got {dt}; "
            "a Tensor holds real numbers to differentiate"
        )
    return dt


def _as_float_array(data: Any, dtype: Any = None, copy: bool = True) -> np.ndarray:
    if isinstance(data, Tensor):
        data = data._data
    try:
        arr = np.array(data, dtype=dtype) if copy else np.asarray(data, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"Tensor needs numeric data, got {type(data).__name__}: {exc}") from None
    if arr.dtype.type in _FLOATS:
        return arr
    if arr.dtype.kind in "biu":
        return arr.astype(np.float64)
    raise TypeError(f"Tensor needs real numeric data, got dtype {arr.dtype}")


class Tensor(Node):
    """An n-dimensional array with reverse-mode autodiff.

    ``Tensor(data, requires_grad=False, dtype=None, label="")`` copies ``data``. ``.grad`` is an ndarray of
    the tensor's shape once a backward pass has reached it (``None`` before, and after ``zero_grad()``).
    """

    __slots__ = ("_parents",)
    __array_ufunc__ = None  # numpy defers to Tensor's reflected operators: ndarray + Tensor is a Tensor
    _broadcasts = True

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None, label: str = "") -> None:
        if not isinstance(label, str):
            raise TypeError(f"Tensor: label must be a str, got {type(label).__name__}: {label!r}")
        self._data = _as_float_array(data, _float_dtype(dtype))
        self._version = version_clock[0]
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self.label = label
        self.op = None
        self._parents = ()
        self._params = None

    # -- engine hooks ----------------------------------------------------------------------------
    @classmethod
    def _coerce(cls, x: Any, like: Node | None = None) -> Tensor:
        if type(x) is np.ndarray and x.dtype.type in _FLOATS:  # the common constant: kept as it is (no copy)
            return cls._new(x, None, (), None, False)
        if isinstance(x, Tensor):
            return x
        if isinstance(x, Node) or isinstance(x, (str, bytes)) or x is None:
            raise Uncoercible(f"cannot use {type(x).__name__} as a Tensor operand")
        dtype = like._data.dtype if like is not None else None
        if isinstance(x, np.ndarray) and x.dtype.type in _FLOATS:
            dtype = None  # an explicit float array keeps its dtype (numpy promotion applies)
        try:
            return cls._new(_as_float_array(x, dtype, copy=False))
        except TypeError as exc:
            raise Uncoercible(str(exc)) from None

    @classmethod
    def _forward(cls, op: Op, datas: Sequence[Any], params: dict[str, Any]) -> np.ndarray:
        try:
            out = op.forward(*datas, **params)
        except ValueError as exc:
            _raise_incompatible(op, datas, exc)
        return out if type(out) is np.ndarray else np.asarray(out)

    @classmethod
    def _reduce_to(cls, g: Any, target: Node) -> Any:
        tdata = target._data
        if isinstance(g, Node):
            if g._data.shape != tdata.shape:
                g = _ops.sum_to(g, tdata.shape)
            gshape = g._data.shape
        else:
            if type(g) is not np.ndarray:
                g = np.asarray(g)
            if g.shape != tdata.shape:
                g = _ops.SUM_TO.forward(g, tdata.shape)
            if g.dtype != tdata.dtype:
                g = g.astype(tdata.dtype)
            gshape = g.shape
        if gshape != tdata.shape:
            raise RuntimeError(f"internal error: gradient of shape {gshape} for a tensor of shape {tdata.shape}")
        return g

    @classmethod
    def _finish_grad(cls, g: Any) -> Any:
        if isinstance(g, Node):
            return g
        g = np.asarray(g)
        return g if g.flags.writeable else g.copy()

    @classmethod
    def _seed(cls, root: Node, gradient: Any) -> Any:
        if gradient is None:
            if root._data.size != 1:
                raise RuntimeError(
                    f"backward() on a Tensor of shape {root._data.shape} needs a gradient argument of that "
                    "shape (dL/d this tensor); only single-element tensors get the implicit seed 1"
                )
            return np.ones_like(root._data)
        # a copy: the caller's array must not become (and be aliased by) the .grad of the graph's nodes
        if isinstance(gradient, Tensor):
            gd = gradient._data
        else:
            try:
                gd = np.array(gradient, dtype=root._data.dtype)
            except (TypeError, ValueError):
                raise TypeError(
                    f"backward(): gradient must be numeric (an array or Tensor of shape "
                    f"{root._data.shape}), got {type(gradient).__name__}: {gradient!r}"
                ) from None
        if gd.shape != root._data.shape:
            raise ValueError(f"backward(): gradient of shape {gd.shape} for a tensor of shape {root._data.shape}")
        return gradient if isinstance(gradient, Tensor) else gd

    @classmethod
    def _store_grads(cls, order: list[Node], grads: dict[Node, Any]) -> None:
        # Rules pass gradients through unchanged (add) or as views (reshape, transpose, getitem), so several
        # nodes can receive one buffer. Intermediate nodes keep what the pass gave them (treat their .grad as
        # read-only); every leaf gets a buffer of its own, so an in-place update of a parameter's gradient
        # (p.grad *= s) never changes another gradient.
        owners: set[int] = set()  # buffers already handed out in this pass
        leaves = []
        for node in order:
            g = grads.get(node)
            if g is None:
                continue
            if type(g) is not np.ndarray or not g.flags.writeable:
                g = cls._finish_grad(g)
            if node.op is None:
                leaves.append((node, g))
                continue
            node.grad = g
            if type(g) is np.ndarray:
                owners.add(id(g if g.base is None else _base(g)))
        for node, g in leaves:
            if node.grad is not None:
                node.grad = node.grad + g
            else:
                node.grad = _own(g, owners) if isinstance(g, np.ndarray) else g

    def backward(self, gradient: Any = None, create_graph: bool = False) -> None:
        """Reverse-mode pass from this tensor (see :meth:`Node.backward`); the tensor engine's own pass for the
        common case (array gradients, no ``create_graph``, no anomaly mode): the same rules, the same semantics."""
        if create_graph or _state.anomaly or not self.requires_grad:
            return super().backward(gradient, create_graph)
        seed = self._seed(self, gradient)
        if isinstance(seed, Node):
            seed = self._seed(self, seed._data)
        order = toposort([self])
        self._store_grads(order, _reverse_arrays(order, {self: seed}))
        return None

    def zero_grad(self) -> None:
        """Forget the gradient (``.grad = None``, as PyTorch's default ``set_to_none``)."""
        self.grad = None

    # -- array attributes ------------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return self._data.shape

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self._data.dtype

    @property
    def size(self) -> int:
        return self._data.size

    def __len__(self) -> int:
        return len(self._data)

    def __bool__(self) -> bool:
        _check_not_tracing("bool() of a Tensor")
        return self.__len__() != 0

    def item(self) -> float:
        """The single element as a Python float."""
        _check_not_tracing("item() of a Tensor")
        return self._data.item()

    def __float__(self) -> float:
        """``float(t)`` of a single-element tensor (as numpy and PyTorch allow)."""
        _check_not_tracing("float() of a Tensor")
        if self._data.size != 1:
            raise TypeError(
                f"float(): only a single-element Tensor converts to a float, this one has shape {self._data.shape}"
            )
        return float(self._data.item())

    def numpy(self) -> np.ndarray:
        """The underlying ndarray (shared, not copied)."""
        return self._data

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        """``np.asarray(t)``: the numeric data (shared unless a copy or another dtype is asked for), so numpy,
        matplotlib, pandas and ``torch.as_tensor`` take a Tensor as an array. numpy 2's ``copy``: True always
        copies, False refuses a conversion that would need one (ValueError), None copies only if needed."""
        arr = self._data
        if dtype is not None and np.dtype(dtype) != arr.dtype:
            if copy is False:
                raise ValueError(
                    f"Tensor.__array__: a {arr.dtype} tensor cannot be given as {np.dtype(dtype)} "
                    "without a copy (copy=False)"
                )
            return arr.astype(dtype)
        return arr.copy() if copy else arr

    def __dlpack__(self, **kwargs: Any) -> Any:
        """DLPack export of the data (what ``torch.as_tensor``/``torch.from_dlpack`` read; shares memory)."""
        return self._data.__dlpack__(**kwargs)

    def __dlpack_device__(self) -> tuple[int, int]:
        return self._data.__dlpack_device__()

    def __repr__(self) -> str:
        body = np.array2string(self._data, precision=4, threshold=20, separator=", ")
        extra = f", op={self.op_name}" if self.op is not None else ""
        if not extra and self.requires_grad:
            extra = ", requires_grad=True"
        return f"Tensor({body}, dtype={self._data.dtype}{extra})"

    def __lt__(self, other: Any) -> np.ndarray:
        _check_not_tracing("a comparison (<) of a Tensor")
        return self._data < _raw(other)

    def __le__(self, other: Any) -> np.ndarray:
        _check_not_tracing("a comparison (<=) of a Tensor")
        return self._data <= _raw(other)

    def __gt__(self, other: Any) -> np.ndarray:
        _check_not_tracing("a comparison (>) of a Tensor")
        return self._data > _raw(other)

    def __ge__(self, other: Any) -> np.ndarray:
        _check_not_tracing("a comparison (>=) of a Tensor")
        return self._data >= _raw(other)

    __hash__ = Node.__hash__

    # -- binary ops with shape checks --------------------------------------------------------------
    @classmethod
    def _apply(cls, op: Op, *args: Any, **params: Any) -> Any:
        # Node._apply with the one- and two-operand cases unrolled: per-op overhead matters for small batches.
        n = len(args)
        if n == 1:
            x = args[0]
            if not isinstance(x, Tensor):
                x = cls._coerce(x)
            xd = x._data
            try:  # _forward, inlined
                out = op.forward(xd, **params) if params else op.forward(xd)
            except ValueError as exc:
                _raise_incompatible(op, (xd,), exc)
            if type(out) is not np.ndarray:
                out = np.asarray(out)
            return cls._new(out, op, (x,), params, x.requires_grad)
        if n != 2:
            return super()._apply(op, *args, **params)
        x, y = args
        if not isinstance(x, Tensor):
            x = cls._coerce(x, y if isinstance(y, Tensor) else None)
        if not isinstance(y, Tensor):
            y = cls._coerce(y, x)
        xd, yd = x._data, y._data
        try:  # _forward, inlined
            out = op.forward(xd, yd, **params) if params else op.forward(xd, yd)
        except ValueError as exc:
            _raise_incompatible(op, (xd, yd), exc)
        if type(out) is not np.ndarray:
            out = np.asarray(out)
        return cls._new(out, op, (x, y), params, x.requires_grad or y.requires_grad)

    def __matmul__(self, other: Any) -> Any:
        return self._apply(_ops.MATMUL, self, other)

    def __rmatmul__(self, other: Any) -> Any:
        return self._apply(_ops.MATMUL, other, self)

    # -- reductions --------------------------------------------------------------------------------
    def _axis(self, axis: Axis) -> tuple[int, ...] | None:
        if axis is None:
            return None
        if isinstance(axis, (int, np.integer)) and not isinstance(axis, (bool, np.bool_)):
            axes: tuple[Any, ...] = (axis,)
        elif isinstance(axis, (tuple, list)) and all(
            isinstance(a, (int, np.integer)) and not isinstance(a, (bool, np.bool_)) for a in axis
        ):
            axes = tuple(axis)
        else:
            raise TypeError(f"axis must be None, an int or a tuple of ints, got {type(axis).__name__}: {axis!r}")
        nd = self._data.ndim
        for a in axes:
            if not -nd <= a < nd:
                raise ValueError(f"axis {a} is out of range for a tensor of shape {self._data.shape}")
        return tuple(sorted(int(a) % nd for a in axes))

    def sum(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Sum over ``axis`` (all axes by default)."""
        return self._apply(_ops.SUM, self, axis=self._axis(axis), keepdims=keepdims)

    def mean(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Arithmetic mean over ``axis``: sum / count (one node, the sum times 1 / count)."""
        return self._apply(_ops.MEAN, self, axis=self._axis(axis), keepdims=keepdims)

    def max(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Maximum over ``axis``; the gradient goes to the maximal entries (split equally among ties)."""
        return self._apply(_ops.MAX, self, axis=self._axis(axis), keepdims=keepdims)

    def min(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Minimum over ``axis``; the gradient goes to the minimal entries (split equally among ties)."""
        return self._apply(_ops.MIN, self, axis=self._axis(axis), keepdims=keepdims)

    def softmax(self, axis: int = -1) -> Tensor:
        """softmax(x)_i = e^(x_i - max x) / sum_j e^(x_j - max x) along ``axis``; finite for logits of 1e4
        (doc 001; doc 002)."""
        self._axis(axis)
        return self._apply(_ops.SOFTMAX, self, axis=axis)

    def log_softmax(self, axis: int = -1) -> Tensor:
        """log softmax(x) = (x - max) - log sum e^(x - max), the stable form used with nll loss (doc 001)."""
        self._axis(axis)
        return self._apply(_ops.LOG_SOFTMAX, self, axis=axis)

    # -- shape and indexing ------------------------------------------------------------------------
    def reshape(self, *shape: Any) -> Tensor:
        """Same data, new shape (one entry may be -1)."""
        new = tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        try:
            target = np.reshape(self._data, new).shape
        except ValueError:
            raise ValueError(f"reshape: cannot reshape a tensor of shape {self.shape} into {new}") from None
        return self._apply(_ops.RESHAPE, self, shape=target)

    def transpose(self, *axes: Any) -> Tensor:
        """Permute the axes (reverse them by default)."""
        perm = tuple(axes[0]) if len(axes) == 1 and isinstance(axes[0], (tuple, list)) else axes
        if not perm:
            perm = tuple(reversed(range(self.ndim)))
        if sorted(int(a) % max(self.ndim, 1) for a in perm) != list(range(self.ndim)):
            raise ValueError(f"transpose: axes {perm} are not a permutation for shape {self.shape}")
        return self._apply(_ops.TRANSPOSE, self, axes=tuple(int(a) % self.ndim for a in perm))

    @property
    def T(self) -> Tensor:
        """The transpose (axes reversed)."""
        return self.transpose()

    def __getitem__(self, index: Any) -> Tensor:
        index = _normalize_index(index)
        try:
            out = self._data[index]  # the op's forward, run here once to word a bad index's error
        except IndexError as exc:
            raise IndexError(f"index {index!r} is invalid for a tensor of shape {self.shape}: {exc}") from None
        return self._new(np.asarray(out), _ops.GETITEM, (self,), {"index": index}, self.requires_grad)

    def __iter__(self) -> Any:
        return (self[i] for i in range(len(self)))


def _raise_incompatible(op: Op, datas: Sequence[Any], exc: ValueError) -> NoReturn:
    """Re-raise a forward's ValueError; one about shapes names the op and the operands' shapes."""
    text = str(exc)
    if "broadcast" in text or "mismatch" in text or "aligned" in text or "dimension" in text:
        shapes = " and ".join(str(d.shape) for d in datas)
        raise ValueError(f"{op.name}: shapes {shapes} are not compatible ({exc})") from None
    raise exc


def _reverse_arrays(order: list[Node], grads: dict[Node, Any]) -> dict[Node, Any]:
    """``Tensor.backward``'s reverse pass on raw arrays: returns {node: dL/dnode}, as :func:`node.backprop` does.

    The generic pass minus what arrays never need (a retry under Python's numeric policy, the graph-recording
    mode of ``create_graph``, anomaly checks: those passes go the generic way), with the one- and two-input
    cases unrolled. Rules on raw data record nothing.
    """
    get = grads.get
    for node in reversed(order):
        op = node.op
        g = get(node)
        if op is None or g is None:
            continue
        n = len(node._parents)
        if n == 2 and not op.variadic:
            _reverse_binary(node, op, g, grads)
        elif n == 1 and not op.variadic:
            _reverse_unary(node, op, g, grads)
        else:
            _reverse_node(node, op, g, grads)
    return grads


def _reverse_unary(node: Node, op: Op, g: Any, grads: dict[Node, Any]) -> None:
    """A one-input node of the pass (``_reverse_node`` unrolled)."""
    (x,) = node._parents
    if x._version > node._version:
        _raise_modified(node, x, 0)
    if x.requires_grad:
        params, rule = node._params, op.vjps[0]
        _add_grad(grads, x, rule(g, node._data, x._data, **params) if params else rule(g, node._data, x._data))


def _reverse_binary(node: Node, op: Op, g: Any, grads: dict[Node, Any]) -> None:
    """A two-input node of the pass (``_reverse_node`` unrolled: most ops of a network take two inputs)."""
    x, y = node._parents
    version = node._version
    if x._version > version:
        _raise_modified(node, x, 0)
    if y._version > version:
        _raise_modified(node, y, 1)
    out, xd, yd, params = node._data, x._data, y._data, node._params
    if x.requires_grad:
        rule = op.vjps[0]
        _add_grad(grads, x, rule(g, out, xd, yd, **params) if params else rule(g, out, xd, yd))
    if y.requires_grad:
        rule = op.vjps[1]
        _add_grad(grads, y, rule(g, out, xd, yd, **params) if params else rule(g, out, xd, yd))


def _reverse_node(node: Node, op: Op, g: Any, grads: dict[Node, Any]) -> None:
    """One node of the pass: the op's rule gives each input that requires grad its share of ``g``."""
    parents = node._parents
    params = node._params or _NO_PARAMS
    out = node._data
    args = [p._data for p in parents]
    version = node._version
    vjps = op.vjps
    for i, p in enumerate(parents):
        if p._version > version:
            _raise_modified(node, p, i)
        if p.requires_grad:
            gi = vjps[0](i, g, out, args, **params) if op.variadic else vjps[i](g, out, *args, **params)
            _add_grad(grads, p, gi)


def _add_grad(grads: dict[Node, Any], p: Node, gi: Any) -> None:
    """Add ``gi`` into ``p``'s gradient, first summed back to ``p``'s shape and dtype if it is not already that."""
    pd = p._data
    if type(gi) is not np.ndarray or gi.shape != pd.shape or gi.dtype != pd.dtype:
        gi = Tensor._reduce_to(gi, p)
    prev = grads.get(p)
    grads[p] = gi if prev is None else prev + gi


def _raw(x: Any) -> Any:
    return x._data if isinstance(x, Node) else x


def _base(g: np.ndarray) -> np.ndarray:
    """The array that owns ``g``'s memory."""
    while isinstance(g.base, np.ndarray):
        g = g.base
    return g


def _own(g: np.ndarray, owners: set[int]) -> np.ndarray:
    """``g``, or a copy of it if its memory was already handed out (``owners`` holds the ids of the buffers)."""
    key = id(g if g.base is None else _base(g))
    if key in owners:
        g = g.copy()
        key = id(g)
    owners.add(key)
    return g


def _index_part(i: Any) -> Any:
    """One part of an index as numpy takes it: a Tensor's or list's integers as an array (floats only if whole)."""
    if isinstance(i, Tensor):
        i = i._data
    if isinstance(i, list):
        i = np.asarray(i)
    if isinstance(i, np.ndarray) and i.dtype.kind == "f":
        if not np.all(np.equal(np.mod(i, 1), 0)):
            raise IndexError("tensor indices must be integers or booleans")
        i = i.astype(np.intp)
    return i


def _normalize_index(index: Any) -> Any:
    return tuple([_index_part(i) for i in index]) if isinstance(index, tuple) else _index_part(index)


def tensor(data: Any, requires_grad: bool = False, dtype: Any = None, label: str = "") -> Tensor:
    """Make a Tensor (same as ``Tensor(...)``)."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype, label=label)


def _engine_of(xs: Sequence[Any]) -> type[Node]:
    for x in xs:
        if isinstance(x, Node):
            return type(x)
    return Tensor


def _check_same_engine(name: str, xs: Sequence[Any]) -> None:
    kinds = {type(x).__name__ for x in xs if isinstance(x, Node)}
    if len(kinds) > 1:
        raise TypeError(f"{name}: cannot mix {' and '.join(sorted(kinds))}")


def concatenate(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join tensors along an existing axis; the gradient is split back by slicing."""
    xs = [x if isinstance(x, Tensor) else Tensor(x) for x in tensors]
    if not xs:
        raise ValueError("concatenate: need at least one tensor")
    nd = xs[0].ndim
    if nd == 0 or not -nd <= axis < nd:
        raise ValueError(f"concatenate: axis {axis} is out of range for shapes {[x.shape for x in xs]}")
    try:
        return Tensor._apply(_ops.CONCATENATE, *xs, axis=axis % nd)
    except ValueError as exc:
        raise ValueError(f"concatenate: shapes {[x.shape for x in xs]} along axis {axis}: {exc}") from None


def stack(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join same-shape tensors along a new axis."""
    xs = [x if isinstance(x, Tensor) else Tensor(x) for x in tensors]
    if not xs:
        raise ValueError("stack: need at least one tensor")
    if len({x.shape for x in xs}) != 1:
        raise ValueError(f"stack: all tensors need the same shape, got {[x.shape for x in xs]}")
    nd = xs[0].ndim + 1
    if not -nd <= axis < nd:
        raise ValueError(f"stack: axis {axis} is out of range for {nd}-d result")
    return Tensor._apply(_ops.STACK, *xs, axis=axis % nd)


def where(cond: Any, x: Any, y: Any) -> Any:
    """Elementwise ``x if cond else y``; ``cond`` is a constant (no gradient)."""
    _check_same_engine("where", [x, y])
    c = np.asarray(_raw(cond), dtype=bool)
    return _engine_of([x, y])._apply(_ops.WHERE, x, y, cond=c)


def maximum(x: Any, y: Any) -> Any:
    """Elementwise maximum; at ties the gradient is shared equally."""
    _check_same_engine("maximum", [x, y])
    return _engine_of([x, y])._apply(_ops.MAXIMUM, x, y)


def minimum(x: Any, y: Any) -> Any:
    """Elementwise minimum; at ties the gradient is shared equally."""
    _check_same_engine("minimum", [x, y])
    return _engine_of([x, y])._apply(_ops.MINIMUM, x, y)


def cross_entropy(logits: Any, labels: Any, reduction: str = "mean") -> Tensor:
    """Softmax cross-entropy from logits, fused and stable: L = -sum_i log softmax(n_i)[y_i] (doc 001),
    divided by the batch size when ``reduction="mean"``. ``logits`` is (batch, classes), ``labels`` integer
    class indices (batch,). Its gradient is softmax(n) - onehot(y) (per sample, / batch for the mean).
    """
    x = logits if isinstance(logits, Tensor) else Tensor(logits)
    if x.ndim != 2:
        raise ValueError(f"cross_entropy: logits must be 2-D (batch, classes), got shape {x.shape}")
    y = np.asarray(_raw(labels))
    if y.dtype.kind not in "biuf":
        raise TypeError(f"cross_entropy: labels must be integer class indices, got {y.dtype} data: {y[:3]!r}")
    if y.shape != (x.shape[0],):
        raise ValueError(f"cross_entropy: labels must have shape ({x.shape[0]},), got {y.shape}")
    if y.size and (y.dtype.kind not in "iu" and not np.all(np.mod(y, 1) == 0)):
        raise ValueError("cross_entropy: labels must be integer class indices")
    y = y.astype(np.intp)
    if y.size and (y.min() < 0 or y.max() >= x.shape[1]):
        bad = y[(y < 0) | (y >= x.shape[1])][0]
        raise ValueError(f"cross_entropy: label {bad} is outside the valid range 0..{x.shape[1] - 1}")
    if reduction not in ("mean", "sum"):
        raise ValueError(f"cross_entropy: reduction must be 'mean' or 'sum', got {reduction!r}")
    if reduction == "mean" and x.shape[0] == 0:
        # PyTorch returns nan here; a loss with no samples to average is a mistake upstream: say so.
        raise ValueError(
            "cross_entropy: empty batch (0 rows): the mean loss over no samples is undefined; "
            "use reduction='sum' (0 for an empty batch) or skip the batch"
        )
    return Tensor._apply(_ops.CROSS_ENTROPY, x, labels=y, reduction=reduction)

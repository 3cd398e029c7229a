"""One test spec per op in ``autograd_mini.OPS``: how to draw inputs, how to call the op, and a numpy reference.

The reference (``ref``) is plain numpy written independently of the engine; gradients are checked against
central differences of the reference, so the truth never goes through autograd_mini.

Inputs are drawn away from the places where an op is not differentiable: ``offgrid()`` never comes within
0.05 of an integer (the kinks of relu/abs/leaky_relu/hardlimit/sign at 0 and of clip(-1, 1) at +-1),
``maximum``/``minimum`` get operands with disjoint fractional parts (never tied), and ``max``/``min``
reductions get distinct entries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import hypothesis.strategies as st
import numpy as np
from hypothesis.extra import numpy as hnp

import autograd_mini as ag
from autograd_mini import ops

F64 = np.float64


# -- element strategies ---------------------------------------------------------------------------------------
def floats(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def offgrid(lo: int = -3, hi: int = 3, frac: tuple[float, float] = (0.05, 0.95)) -> st.SearchStrategy[float]:
    """n + f with integer n in [lo, hi) and f in ``frac``: never within 0.05 of an integer."""
    return st.builds(lambda n, f: n + f, st.integers(lo, hi - 1), floats(*frac))


def away_from_zero(lo: float = 0.5, hi: float = 3.0) -> st.SearchStrategy[float]:
    return st.builds(lambda s, m: s * m, st.sampled_from([-1.0, 1.0]), floats(lo, hi))


LOW_FRAC = offgrid(frac=(0.05, 0.45))  # x and y from these two are never closer than 0.1
HIGH_FRAC = offgrid(frac=(0.55, 0.95))
DISTINCT = st.integers(-60, 60).map(lambda k: k * 0.1 + 0.013)  # use with unique=True: gaps of 0.1

SHAPE = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)


def shapes_for(
    data: st.DataObject, n: int, scalar: bool, max_dims: int = 3, max_side: int = 4
) -> list[tuple[int, ...]]:
    """n mutually broadcastable shapes (or n scalar shapes)."""
    if scalar:
        return [()] * n
    if n == 1:
        return [data.draw(hnp.array_shapes(min_dims=0, max_dims=max_dims, min_side=1, max_side=max_side))]
    drawn = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=n, min_dims=0, max_dims=max_dims, max_side=max_side))
    return list(drawn.input_shapes)


def array(
    data: st.DataObject, shape: tuple[int, ...], elements: st.SearchStrategy[float], unique: bool = False
) -> np.ndarray:
    return data.draw(hnp.arrays(F64, shape, elements=elements, unique=unique))


Draw = Callable[[st.DataObject, bool], tuple[list[np.ndarray], dict[str, Any]]]


@dataclass(frozen=True)
class Spec:
    draw: Draw  # (data, scalar) -> (input arrays, params)
    call: Callable[..., Any]  # (*nodes, **params) -> output node (made by the op under test)
    ref: Callable[..., Any]  # (*arrays, **params) -> numpy result
    value: bool = False  # also run on the Value engine (scalar inputs)


def elementwise(
    call: Callable[..., Any],
    ref: Callable[..., Any],
    *elements: st.SearchStrategy[float],
    value: bool = True,
    params: dict[str, st.SearchStrategy[Any]] | None = None,
) -> Spec:
    def draw(data: st.DataObject, scalar: bool) -> tuple[list[np.ndarray], dict[str, Any]]:
        shapes = shapes_for(data, len(elements), scalar)
        xs = [array(data, s, e) for s, e in zip(shapes, elements)]
        return xs, {k: data.draw(v) for k, v in (params or {}).items()}

    return Spec(draw, call, ref, value)


# -- custom draws ---------------------------------------------------------------------------------------------
def _draw_matmul(data: st.DataObject, scalar: bool) -> tuple[list[np.ndarray], dict[str, Any]]:
    shapes = data.draw(hnp.mutually_broadcastable_shapes(signature=np.matmul.signature, max_dims=2, max_side=3))
    return [array(data, s, floats(-2, 2)) for s in shapes.input_shapes], {}


def _draw_where(data: st.DataObject, scalar: bool) -> tuple[list[np.ndarray], dict[str, Any]]:
    sx, sy, sc = shapes_for(data, 3, scalar)
    xs = [array(data, sx, floats(-3, 3)), array(data, sy, floats(-3, 3))]
    return xs, {"cond": data.draw(hnp.arrays(np.bool_, sc))}


def _axis_strategy(nd: int) -> st.SearchStrategy[Any]:
    options: list[st.SearchStrategy[Any]] = [st.none()]
    if nd:
        options.append(st.integers(-nd, nd - 1))
        options.append(st.lists(st.integers(0, nd - 1), unique=True, max_size=nd).map(tuple))
    return st.one_of(*options)


def _draw_reduction(distinct: bool) -> Draw:
    def draw(data: st.DataObject, scalar: bool) -> tuple[list[np.ndarray], dict[str, Any]]:
        shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3))
        x = array(data, shape, DISTINCT if distinct else floats(-3, 3), unique=distinct)
        return [x], {"axis": data.draw(_axis_strategy(len(shape))), "keepdims": data.draw(st.booleans())}

    return draw


def _draw_softmax(data: st.DataObject, scalar: bool) -> tuple[list[np.ndarray], dict[str, Any]]:
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    nd = len(shape)
    return [array(data, shape, floats(-5, 5))], {"axis": data.draw(st.integers(-nd, nd - 1))}


def _draw_cross_entropy(data: st.DataObject, scalar: bool) -> tuple[list[np.ndarray], dict[str, Any]]:
    n, c = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4))
    labels = data.draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, c - 1)))
    return [array(data, (n, c), floats(-4, 4))], {
        "labels": labels,
        "reduction": data.draw(st.sampled_from(["mean", "sum"])),
    }


def _draw_reshape(data: st.DataObject, scalar: bool) -> tuple[list[np.ndarray], dict[str, Any]]:
    shape = data.draw(SHAPE)
    n = int(np.prod(shape))
    target = data.draw(st.sampled_from([(n,), (1, n), (n, 1), (-1,), shape[::-1], (1, *shape), (*shape, 1)]))
    return [array(data, shape, floats(-3, 3))], {"target": target, "star": data.draw(st.booleans())}


def _draw_transpose(data: st.DataObject, scalar: bool) -> tuple[list[np.ndarray], dict[str, Any]]:
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=3))
    axes = data.draw(st.one_of(st.none(), st.permutations(range(len(shape))).map(tuple)))
    return [array(data, shape, floats(-3, 3))], {"axes": axes}


def _index_strategy(shape: tuple[int, ...]) -> st.SearchStrategy[Any]:
    options = [
        hnp.basic_indices(shape, allow_newaxis=True, allow_ellipsis=True),
        hnp.integer_array_indices(shape, result_shape=hnp.array_shapes(min_dims=1, max_dims=2, max_side=5)),
        hnp.arrays(np.bool_, shape),
    ]
    if len(shape) >= 2:  # the classifier's pattern: logp[np.arange(n), y] (with repeats from y)
        n, c = shape[0], shape[1]
        options.append(hnp.arrays(np.intp, (n,), elements=st.integers(0, c - 1)).map(lambda y: (np.arange(n), y)))
        options.append(hnp.arrays(np.intp, (5,), elements=st.integers(-c, c - 1)).map(lambda y: (slice(None), y)))
    return st.one_of(*options)


def _draw_getitem(data: st.DataObject, scalar: bool) -> tuple[list[np.ndarray], dict[str, Any]]:
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    return [array(data, shape, floats(-3, 3))], {"index": data.draw(_index_strategy(shape))}


def _draw_index_add(data: st.DataObject, scalar: bool) -> tuple[list[np.ndarray], dict[str, Any]]:
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    index = data.draw(_index_strategy(shape))
    gshape = np.zeros(shape)[index].shape
    return [array(data, gshape, floats(-3, 3))], {"index": index, "shape": shape}


def _draw_broadcast_to(data: st.DataObject, scalar: bool) -> tuple[list[np.ndarray], dict[str, Any]]:
    drawn = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=4))
    return [array(data, drawn.input_shapes[0], floats(-3, 3))], {"shape": drawn.result_shape}


def _draw_sum_to(data: st.DataObject, scalar: bool) -> tuple[list[np.ndarray], dict[str, Any]]:
    drawn = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=4))
    return [array(data, drawn.result_shape, floats(-3, 3))], {"shape": drawn.input_shapes[0]}


def _draw_lincomb(data: st.DataObject, scalar: bool) -> tuple[list[np.ndarray], dict[str, Any]]:
    k = data.draw(st.integers(1, 3))
    shapes = shapes_for(data, 2 * k + 1, scalar, max_dims=2, max_side=3)
    return [array(data, s, floats(-3, 3)) for s in shapes], {}


def _draw_concatenate(data: st.DataObject, scalar: bool) -> tuple[list[np.ndarray], dict[str, Any]]:
    base = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3))
    nd = len(base)
    axis = data.draw(st.integers(-nd, nd - 1))
    sizes = data.draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    shapes = [base[: axis % nd] + (s,) + base[axis % nd + 1 :] for s in sizes]
    return [array(data, s, floats(-3, 3)) for s in shapes], {"axis": axis}


def _draw_stack(data: st.DataObject, scalar: bool) -> tuple[list[np.ndarray], dict[str, Any]]:
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3))
    nd = len(shape) + 1
    k = data.draw(st.integers(1, 3))
    return [array(data, shape, floats(-3, 3)) for _ in range(k)], {"axis": data.draw(st.integers(-nd, nd - 1))}


# -- numpy references -----------------------------------------------------------------------------------------
def _np_log_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    m = np.max(x, axis=axis, keepdims=True)
    return x - m - np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))


def _np_cross_entropy(x: np.ndarray, labels: np.ndarray, reduction: str) -> Any:
    nll = -_np_log_softmax(x, 1)[np.arange(len(labels)), labels]
    return nll.mean() if reduction == "mean" else nll.sum()


def _np_index_add(g: np.ndarray, index: Any, shape: tuple[int, ...]) -> np.ndarray:
    out = np.zeros(shape)
    np.add.at(out, index, g)
    return out


def _np_sum_to(x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    lead = x.ndim - len(shape)
    x = x.sum(axis=tuple(range(lead)))
    return x.sum(axis=tuple(k for k, n in enumerate(shape) if n == 1), keepdims=True).reshape(shape)


def _lincomb_call(*a: Any) -> Any:
    if isinstance(a[0], ag.Value):
        return ag.lincomb(a[1::2], a[2::2], a[0])
    return ag.Tensor._apply(ops.LINCOMB, *a)


def _reshape_call(x: Any, target: tuple[int, ...], star: bool) -> Any:
    return x.reshape(*target) if star else x.reshape(target)


SPECS: dict[str, Spec] = {
    "add": elementwise(lambda x, y: x + y, np.add, floats(-3, 3), floats(-3, 3)),
    "sub": elementwise(lambda x, y: x - y, np.subtract, floats(-3, 3), floats(-3, 3)),
    "mul": elementwise(lambda x, y: x * y, np.multiply, floats(-3, 3), floats(-3, 3)),
    "div": elementwise(lambda x, y: x / y, np.divide, floats(-3, 3), away_from_zero()),
    "neg": elementwise(lambda x: -x, np.negative, floats(-3, 3)),
    "pow": elementwise(lambda x, y: x**y, np.power, floats(0.3, 3), floats(-2, 2)),
    "exp": elementwise(lambda x: x.exp(), np.exp, floats(-3, 3)),
    "log": elementwise(lambda x: x.log(), np.log, floats(0.1, 5)),
    "tanh": elementwise(lambda x: x.tanh(), np.tanh, floats(-4, 4)),
    "sigmoid": elementwise(lambda x: x.sigmoid(), lambda x: 1 / (1 + np.exp(-x)), floats(-6, 6)),
    "relu": elementwise(lambda x: x.relu(), lambda x: np.where(x > 0, x, 0.0), offgrid()),
    "leaky_relu": elementwise(
        lambda x, alpha: x.leaky_relu(alpha),
        lambda x, alpha: np.where(x > 0, x, alpha * x),
        offgrid(),
        params={"alpha": st.sampled_from([0.01, 0.2])},
    ),
    "hardlimit": elementwise(lambda x: x.hardlimit(), lambda x: np.where(x >= 0, 1.0, 0.0), offgrid()),
    "sign": elementwise(lambda x: x.sign(), lambda x: np.where(x >= 0, 1.0, -1.0), offgrid()),
    "abs": elementwise(lambda x: x.abs(), np.abs, offgrid()),
    "sqrt": elementwise(lambda x: x.sqrt(), np.sqrt, floats(0.1, 5)),
    "clip": elementwise(lambda x: x.clip(-1.0, 1.0), lambda x: np.minimum(np.maximum(x, -1.0), 1.0), offgrid()),
    "maximum": elementwise(ag.maximum, np.maximum, LOW_FRAC, HIGH_FRAC),
    "minimum": elementwise(ag.minimum, np.minimum, HIGH_FRAC, LOW_FRAC),
    "where": Spec(
        _draw_where, lambda x, y, cond: ag.where(cond, x, y), lambda x, y, cond: np.where(cond, x, y), value=True
    ),
    "lincomb": Spec(
        _draw_lincomb,
        _lincomb_call,
        lambda b, *wx: b + sum((w * x for w, x in zip(wx[0::2], wx[1::2])), np.zeros(())),
        value=True,
    ),
    "matmul": Spec(_draw_matmul, lambda x, y: x @ y, np.matmul),
    "sum": Spec(
        _draw_reduction(False),
        lambda x, axis, keepdims: x.sum(axis, keepdims),
        lambda x, axis, keepdims: np.sum(x, axis=axis, keepdims=keepdims),
    ),
    "mean": Spec(
        _draw_reduction(False),
        lambda x, axis, keepdims: x.mean(axis, keepdims),
        lambda x, axis, keepdims: np.mean(x, axis=axis, keepdims=keepdims),
    ),
    "max": Spec(
        _draw_reduction(True),
        lambda x, axis, keepdims: x.max(axis=axis, keepdims=keepdims),
        lambda x, axis, keepdims: np.max(x, axis=axis, keepdims=keepdims),
    ),
    "min": Spec(
        _draw_reduction(True),
        lambda x, axis, keepdims: x.min(axis=axis, keepdims=keepdims),
        lambda x, axis, keepdims: np.min(x, axis=axis, keepdims=keepdims),
    ),
    "softmax": Spec(
        _draw_softmax, lambda x, axis: x.softmax(axis=axis), lambda x, axis: np.exp(_np_log_softmax(x, axis))
    ),
    "log_softmax": Spec(_draw_softmax, lambda x, axis: x.log_softmax(axis=axis), _np_log_softmax),
    "cross_entropy": Spec(_draw_cross_entropy, ag.cross_entropy, _np_cross_entropy),
    "reshape": Spec(_draw_reshape, _reshape_call, lambda x, target, star: np.reshape(x, target)),
    "transpose": Spec(
        _draw_transpose,
        lambda x, axes: x.T if axes is None else x.transpose(*axes),
        lambda x, axes: np.transpose(x, axes),
    ),
    "getitem": Spec(_draw_getitem, lambda x, index: x[index], lambda x, index: x[index]),
    "index_add": Spec(
        _draw_index_add, lambda g, index, shape: ops.call(ops.INDEX_ADD, g, index=index, shape=shape), _np_index_add
    ),
    "broadcast_to": Spec(_draw_broadcast_to, lambda x, shape: ops.broadcast_to(x, shape), np.broadcast_to),
    "sum_to": Spec(_draw_sum_to, lambda x, shape: ops.sum_to(x, shape), _np_sum_to),
    "concatenate": Spec(
        _draw_concatenate,
        lambda *xs, axis: ag.concatenate(list(xs), axis=axis),
        lambda *xs, axis: np.concatenate(xs, axis=axis),
    ),
    "stack": Spec(_draw_stack, lambda *xs, axis: ag.stack(list(xs), axis=axis), lambda *xs, axis: np.stack(xs, axis)),
}

VALUE_OPS = sorted(name for name, spec in SPECS.items() if spec.value)
TENSOR_OPS = sorted(SPECS)


def central_difference(f: Callable[..., float], xs: list[np.ndarray], k: int, eps: float = 1e-6) -> np.ndarray:
    """d f(*xs) / d xs[k] by central differences, entry by entry (float64)."""
    args = [np.array(x, dtype=F64) for x in xs]
    x = args[k]
    out = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        orig = x[i]
        x[i] = orig + eps
        plus = f(*args)
        x[i] = orig - eps
        minus = f(*args)
        x[i] = orig
        out[i] = (plus - minus) / (2 * eps)
    return out

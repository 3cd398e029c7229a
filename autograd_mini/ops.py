"""Every differentiable operation of autograd-mini, each forward beside its local derivative, in one table.

An entry is ``defop(name, forward, *vjps)``:

* ``forward(*inputs, **params)`` computes the op on raw data (a Python float for ``Value``, a numpy array
  for ``Tensor``);
* ``vjps[i](g, out, *inputs, **params)`` is the vector-Jacobian product for input ``i``: given the upstream
  gradient ``g = dL/dout`` it returns ``dL/dinput_i`` = g * d(out)/d(input_i), *before* broadcasting is
  undone (the engine sums every gradient back to its input's shape, once, for all ops).

The rules are written with arithmetic operators and the helpers below, which work on raw data *and* on
graph nodes. The engine calls a rule on raw data for an ordinary ``backward()``, and on the graph nodes
themselves for ``create_graph=True``: then the gradient is a graph too, and higher-order derivatives come
for free (the HIPS autograd design). Masks such as ``data(x) > 0`` are constants: the derivative of a
piecewise-linear function is piecewise constant.

Both engines share this table, so there is one copy of each derivative rule in the project.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

_RAW = (float, int, bool, np.ndarray, np.generic)


class Op:
    """A differentiable operation: a name, a forward function and one VJP rule per input.

    A *variadic* op (lincomb, concatenate, stack) has a single rule taking the input's position first and the
    inputs as one sequence: ``rule(i, g, out, inputs, **params)`` (so a pass over n inputs costs O(n), not the
    O(n^2) of unpacking every input into each of the n calls).
    """

    __slots__ = ("name", "forward", "vjps", "variadic", "symbol", "scalar_forward")

    def __init__(
        self,
        name: str,
        forward: Callable[..., Any],
        vjps: Sequence[Callable[..., Any]],
        variadic: bool = False,
        symbol: str | None = None,
        scalar_forward: Callable[..., Any] | None = None,
    ) -> None:
        self.name = name
        self.forward = forward
        self.vjps = tuple(vjps)
        self.variadic = variadic
        self.symbol = name if symbol is None else symbol  # micrograd's short form ('+', '*'), else the name
        # forward on Python floats for the scalar engine: the same function written with Python's operators where
        # they give numpy's result bit for bit (a numpy ufunc on one float costs ~1 us); else forward itself
        self.scalar_forward = forward if scalar_forward is None else scalar_forward

    def rule(self, i: int) -> Callable[..., Any]:
        """The VJP rule for input ``i``: ``rule(g, out, *inputs, **params)``."""
        if self.variadic:
            variadic_rule = self.vjps[0]
            return lambda g, out, *inputs, **params: variadic_rule(i, g, out, inputs, **params)
        return self.vjps[i]

    def __repr__(self) -> str:
        return f"Op({self.name!r})"

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        # Pickle an op by its name (its rules are lambdas), so graphs and models holding them pickle.
        return (_op_named, (self.name,))


def _op_named(name: str) -> Op:
    return TABLE[name]


TABLE: dict[str, Op] = {}


def defop(
    name: str,
    forward: Callable[..., Any],
    *vjps: Callable[..., Any],
    variadic: bool = False,
    symbol: str | None = None,
    scalar: Callable[..., Any] | None = None,
) -> Op:
    """Register an op in ``TABLE`` and return it (``symbol``: its operator, for micrograd-style drawings;
    ``scalar``: the forward on one Python float, equal to ``forward`` bit for bit, where it is much cheaper)."""
    op = Op(name, forward, vjps, variadic, symbol, scalar)
    TABLE[name] = op
    return op


# -- helpers usable on raw data and on graph nodes alike ---------------------------------------------------
def data(x: Any) -> Any:
    """The raw data of a node, or ``x`` itself if it is already raw."""
    return x if isinstance(x, _RAW) else x._data


def call(op: Op, *args: Any, **params: Any) -> Any:
    """Apply ``op``: recorded if any argument is a graph node, plain ``op.forward`` otherwise."""
    for a in args:
        if not isinstance(a, _RAW):
            return type(a)._apply(op, *args, **params)
    return op.forward(*args, **params)


def shape_of(x: Any) -> tuple[int, ...]:
    """Shape of a node or raw datum."""
    return tuple(np.shape(data(x)))


def log(x: Any) -> Any:
    return call(LOG, x)


def exp(x: Any) -> Any:
    return call(EXP, x)


def reshape(x: Any, newshape: tuple[int, ...]) -> Any:
    return call(RESHAPE, x, shape=tuple(newshape))


def transpose(x: Any, axes: tuple[int, ...]) -> Any:
    return call(TRANSPOSE, x, axes=tuple(axes))


def matrix_transpose(x: Any) -> Any:
    """Swap the last two axes (x^T for a matrix, per-matrix for a batch)."""
    if isinstance(x, np.ndarray):
        return x.swapaxes(-1, -2)
    nd = len(shape_of(x))
    axes = list(range(nd))
    axes[-1], axes[-2] = axes[-2], axes[-1]
    return transpose(x, tuple(axes))


def sum_(x: Any, axis: tuple[int, ...] | None = None, keepdims: bool = False) -> Any:
    return call(SUM, x, axis=axis, keepdims=keepdims)


def where(cond: Any, x: Any, y: Any) -> Any:
    return call(WHERE, x, y, cond=cond)


def _keepdims_shape(in_shape: tuple[int, ...], axis: tuple[int, ...] | None) -> tuple[int, ...]:
    if axis is None:
        return (1,) * len(in_shape)
    return tuple(1 if k in axis else n for k, n in enumerate(in_shape))


def expand_reduced(g: Any, x: Any, axis: tuple[int, ...] | None, keepdims: bool) -> Any:
    """Give a reduction's upstream gradient its reduced axes back (size 1) so it broadcasts against x."""
    if keepdims:
        return g
    return reshape(g, _keepdims_shape(shape_of(x), axis))


def spread(g: Any, x: Any, axis: tuple[int, ...] | None, keepdims: bool) -> Any:
    """A reduction's upstream gradient copied to every entry of x that went into it (broadcast to x's shape).

    On raw data a new array (no ``np.broadcast_to``, whose Python-level checks cost more than the copy; the
    engine hands every gradient out in a writeable array anyway); on graph nodes a ``broadcast_to`` node.
    """
    if isinstance(g, _RAW) and isinstance(x, np.ndarray):
        g = np.asarray(g)
        if not keepdims and axis is not None:
            g = g.reshape(_keepdims_shape(x.shape, axis))
        dense = np.empty(x.shape, dtype=g.dtype)
        dense[...] = g
        return dense
    return broadcast_to(expand_reduced(g, x, axis, keepdims), shape_of(x))


def sum_to(x: Any, target: tuple[int, ...]) -> Any:
    """Sum ``x`` down to ``target`` shape: the inverse of numpy broadcasting (used by the engine)."""
    return call(SUM_TO, x, shape=tuple(target))


def _sum_to_forward(x: Any, shape: tuple[int, ...]) -> Any:
    # Undo broadcasting: sum the leading axes numpy added, then the axes that were stretched from size 1.
    xs = np.shape(x)
    lead = len(xs) - len(shape)
    if lead > 0:
        x = np.add.reduce(x, axis=tuple(range(lead)) if lead > 1 else 0)
    if 1 in shape:
        stretched = tuple(k for k, n in enumerate(shape) if n == 1 and xs[lead + k] != 1)
        if stretched:
            x = np.add.reduce(x, axis=stretched, keepdims=True)
    return x if np.shape(x) == shape else np.reshape(x, shape)


def _stable_sigmoid(x: Any) -> Any:
    # sigma(x) = exp(-log(1 + e^-x)) = exp(-logaddexp(0, -x)): no overflow at +-1e4, full relative precision.
    return np.exp(-np.logaddexp(0.0, -x))


# (np.maximum.reduce and np.add.reduce are np.max and np.sum without their Python-level dispatch)
def _softmax_forward(x: Any, axis: int) -> Any:
    e = np.exp(x - np.maximum.reduce(x, axis=axis, keepdims=True))
    e /= np.add.reduce(e, axis=axis, keepdims=True)
    return e


def _log_softmax_forward(x: Any, axis: int) -> Any:
    shifted = x - np.maximum.reduce(x, axis=axis, keepdims=True)
    shifted -= np.log(np.add.reduce(np.exp(shifted), axis=axis, keepdims=True))
    return shifted


def _cross_entropy_forward(x: Any, labels: Any, reduction: str) -> Any:
    # L = -sum_i log softmax(x_i)[y_i]  (divided by the batch size for reduction="mean"), where
    # log softmax(x_i)[y] = (x_iy - max_j x_ij) - log sum_j e^(x_ij - max_j x_ij): only the picked entries are formed
    shifted = x - np.maximum.reduce(x, axis=-1, keepdims=True)
    picked = shifted[np.arange(x.shape[0]), labels] - np.log(np.add.reduce(np.exp(shifted), axis=-1))
    total = np.add.reduce(picked)
    return -(total / x.shape[0] if reduction == "mean" else total)


def _cross_entropy_vjp(g: Any, out: Any, x: Any, labels: Any, reduction: str) -> Any:
    # dL/dx_i = softmax(x_i) - onehot(y_i)  (doc 001: the softmax + cross-entropy sensitivity), / n for "mean"
    n = shape_of(x)[0]
    scale = g / n if reduction == "mean" else g
    if isinstance(x, np.ndarray):  # raw data: the same formula, written into the softmax's fresh array
        s = _softmax_forward(x, -1)
        s[np.arange(n), labels] -= 1.0
        s *= scale
        return s
    onehot = np.zeros(shape_of(x), dtype=data(x).dtype)
    onehot[np.arange(n), labels] = 1.0
    return (call(SOFTMAX, x, axis=-1) - onehot) * scale


def _log_softmax_vjp(g: Any, out: Any, x: Any, axis: int) -> Any:
    # J^T g = g - softmax(x) * sum(g) along the axis, with softmax(x) = e^out
    if type(out) is np.ndarray:  # raw data: the same, the product formed in place in e^out's fresh array
        s = np.exp(out)
        s *= np.add.reduce(g, axis=axis, keepdims=True)
        return g - s
    return g - exp(out) * sum_(g, (axis % len(shape_of(x)),), True)


def _index_add_forward(g: Any, index: Any, shape: tuple[int, ...]) -> Any:
    out = np.zeros(shape, dtype=np.result_type(g, np.float32))
    np.add.at(out, index, g)
    return out


def inverse_count(shape: tuple[int, ...], axis: tuple[int, ...] | None) -> float:
    """1 / (how many entries of an array of ``shape`` go into each result of a reduction over ``axis``)."""
    count = math.prod(shape) if axis is None else math.prod(shape[a] for a in axis)
    return 1.0 / max(count, 1)


def _mean_forward(x: Any, axis: tuple[int, ...] | None, keepdims: bool) -> Any:
    return SUM.forward(x, axis=axis, keepdims=keepdims) * inverse_count(np.shape(x), axis)


def _extreme_vjp(g: Any, out: Any, x: Any, axis: tuple[int, ...] | None, keepdims: bool) -> Any:
    # Gradient of max/min: flows to the arg-extreme entries, split equally among ties.
    xd = data(x)
    hit = xd == np.reshape(data(out), _keepdims_shape(xd.shape, axis))
    share = hit / np.sum(hit, axis=axis, keepdims=True)
    return expand_reduced(g, x, axis, keepdims) * share.astype(xd.dtype)


def _pow_keeps_exponent(x: Any, y: Any) -> Any:
    """Where d(x^y)/dx = y x^(y-1) can be evaluated as written: y != 0 or 1/x finite (see POW)."""
    if type(x) is float and type(y) is float:
        return y != 0.0 or (x != 0.0 and math.isfinite(1.0 / x))
    with np.errstate(divide="ignore", over="ignore"):
        return (y != 0) | np.isfinite(np.reciprocal(x))


def _matmul_vjp_x(g: Any, out: Any, x: Any, y: Any) -> Any:
    # out = x @ y  =>  dL/dx = g @ y^T (1-D operands are promoted to matrices, then squeezed back).
    if type(y) is np.ndarray and y.ndim > 1 and x.ndim > 1:  # raw matrices, the common case: no dispatch
        return g @ y.swapaxes(-1, -2)
    xn, yn = np.ndim(data(x)), np.ndim(data(y))
    if xn == 1 and yn == 1:
        return g * y
    if yn == 1:
        return reshape(g, shape_of(g) + (1,)) @ reshape(y, (1, shape_of(y)[0]))
    if xn == 1:
        gs = shape_of(g)
        gx = reshape(g, gs[:-1] + (1, gs[-1])) @ matrix_transpose(y)
        return reshape(gx, gs[:-1] + (shape_of(x)[0],))
    return g @ matrix_transpose(y)


def _matmul_vjp_y(g: Any, out: Any, x: Any, y: Any) -> Any:
    # out = x @ y  =>  dL/dy = x^T @ g
    if type(x) is np.ndarray and x.ndim > 1 and y.ndim > 1:  # raw matrices, the common case: no dispatch
        return x.swapaxes(-1, -2) @ g
    xn, yn = np.ndim(data(x)), np.ndim(data(y))
    if xn == 1 and yn == 1:
        return g * x
    if xn == 1:
        return reshape(x, (shape_of(x)[0], 1)) @ reshape(g, shape_of(g)[:-1] + (1, shape_of(g)[-1]))
    if yn == 1:
        gs = shape_of(g)
        gy = matrix_transpose(x) @ reshape(g, gs + (1,))
        return reshape(gy, gs[:-1] + (shape_of(y)[0],))
    return matrix_transpose(x) @ g


def lincomb_forward(b: Any, *wx: Any) -> Any:
    # n = b + sum_i w_i x_i, inputs interleaved (b, w_1, x_1, w_2, x_2, ...), summed left to right.
    n = b
    for k in range(0, len(wx), 2):
        n = n + wx[k] * wx[k + 1]
    return n


def _lincomb_vjp(i: int, g: Any, out: Any, inputs: Sequence[Any]) -> Any:
    # dn/db = 1; dn/dw_k = x_k; dn/dx_k = w_k  (w at odd positions, its x right after it)
    if i == 0:
        return g
    return g * inputs[i + 1] if i % 2 == 1 else g * inputs[i - 1]


def _concat_vjp(i: int, g: Any, out: Any, xs: Sequence[Any], axis: int) -> Any:
    sizes = [shape_of(x)[axis] for x in xs]
    start = sum(sizes[:i])
    index = (slice(None),) * (axis % len(shape_of(g))) + (slice(start, start + sizes[i]),)
    return call(GETITEM, g, index=index)


def _stack_vjp(i: int, g: Any, out: Any, xs: Sequence[Any], axis: int) -> Any:
    index = (slice(None),) * (axis % len(shape_of(g))) + (i,)
    return call(GETITEM, g, index=index)


# fmt: off
# (the table keeps its columns: each rule under its op, the math in a comment beside it)
# == THE TABLE ==============================================================================================
# name, forward, then one VJP per input: g is dL/dout, out is the op's output.

# -- arithmetic (elementwise, broadcasting) --
ADD = defop("add", lambda x, y: x + y,
            lambda g, out, x, y: g,
            lambda g, out, x, y: g, symbol="+")
SUB = defop("sub", lambda x, y: x - y,
            lambda g, out, x, y: g,
            lambda g, out, x, y: -g, symbol="-")
MUL = defop("mul", lambda x, y: x * y,
            lambda g, out, x, y: g * y,
            lambda g, out, x, y: g * x, symbol="*")
DIV = defop("div", lambda x, y: x / y,
            lambda g, out, x, y: g / y,
            lambda g, out, x, y: -g * out / y, symbol="/")          # d(x/y)/dy = -x/y^2 = -out/y
NEG = defop("neg", lambda x: -x,
            lambda g, out, x: -g, symbol="-")
# d(x^y)/dx = y x^(y-1); the exponent y - 1 is replaced by y - 0 where y == 0 and 1/x is not finite (x == 0,
# or |x| so small that 1/x overflows) and only there, so x^0 has derivative 0 everywhere (0^0 as in PyTorch)
# instead of 0 * inf = nan, and d/dy of this gradient stays x^(y-1) (1 + y log x) elsewhere, y == 0 included
# (second derivatives).  d(x^y)/dy = x^y log x, taken as 0 where x == 0.
POW = defop("pow", lambda x, y: x ** y,
            lambda g, out, x, y: g * y * x ** (y - _pow_keeps_exponent(data(x), data(y))),
            lambda g, out, x, y: g * out * log(where(data(x) == 0, 1.0, x)), symbol="**")
MATMUL = defop("matmul", lambda x, y: x @ y, _matmul_vjp_x, _matmul_vjp_y, symbol="@")

# -- elementwise functions (doc 000, eqs. 34-38; doc 001; doc 002) --
EXP = defop("exp", np.exp,
            lambda g, out, x: g * out)                              # (e^x)' = e^x
LOG = defop("log", np.log,
            lambda g, out, x: g / x)                                # (ln x)' = 1/x
TANH = defop("tanh", np.tanh,
             lambda g, out, x: g * (1 - out * out))                 # tanh' = 1 - tanh^2
SIGMOID = defop("sigmoid", _stable_sigmoid,
                lambda g, out, x: g * out * (1 - out))              # sigma' = sigma (1 - sigma)
RELU = defop("relu", lambda x: np.maximum(x, 0.0),
             lambda g, out, x: g * (data(x) > 0),                   # 1 if x > 0 else 0
             scalar=lambda x: x if not x <= 0.0 else 0.0)           # (max(nan, 0) = nan, max(-0.0, 0) = 0.0)
LEAKY_RELU = defop("leaky_relu", lambda x, alpha: np.where(x > 0, x, alpha * x),
                   lambda g, out, x, alpha: g * np.where(data(x) > 0, 1.0, alpha),
                   scalar=lambda x, alpha: x if x > 0 else alpha * x)
# Step functions: derivative 0 almost everywhere (undefined at 0), so no gradient flows through them.
HARDLIMIT = defop("hardlimit", lambda x: np.where(x >= 0, 1.0, 0.0).astype(np.result_type(x, np.float32)),
                  lambda g, out, x: g * 0.0,                        # doc 000, eq. 34: 1 if x >= 0 else 0
                  scalar=lambda x: 1.0 if x >= 0 else 0.0)
SIGN = defop("sign", lambda x: np.where(x >= 0, 1.0, -1.0).astype(np.result_type(x, np.float32)),
             lambda g, out, x: g * 0.0,                             # doc 001: +1 if s >= 0 else -1
             scalar=lambda x: 1.0 if x >= 0 else -1.0)
ABS = defop("abs", np.abs,
            lambda g, out, x: g * np.sign(data(x)), scalar=abs)
SQRT = defop("sqrt", np.sqrt,
             lambda g, out, x: g / (2 * out))                       # (sqrt x)' = 1 / (2 sqrt x)
CLIP = defop("clip", lambda x, lo, hi: np.clip(x, lo, hi),
             lambda g, out, x, lo, hi: g * ((data(x) >= lo) & (data(x) <= hi)))
MAXIMUM = defop("maximum", np.maximum,                               # ties share the gradient equally
                lambda g, out, x, y: g * ((data(x) > data(y)) + 0.5 * (data(x) == data(y))),
                lambda g, out, x, y: g * ((data(x) < data(y)) + 0.5 * (data(x) == data(y))))
MINIMUM = defop("minimum", np.minimum,
                lambda g, out, x, y: g * ((data(x) < data(y)) + 0.5 * (data(x) == data(y))),
                lambda g, out, x, y: g * ((data(x) > data(y)) + 0.5 * (data(x) == data(y))))
WHERE = defop("where", lambda x, y, cond: np.where(cond, x, y),
              lambda g, out, x, y, cond: g * cond,
              lambda g, out, x, y, cond: g * ~np.asarray(cond))

# -- reductions (axis is None or a tuple of non-negative ints) --
SUM = defop("sum", lambda x, axis, keepdims: np.add.reduce(x, axis=axis, keepdims=keepdims),   # = np.sum
            lambda g, out, x, axis, keepdims: spread(g, x, axis, keepdims))    # d(sum x)/dx_k = 1
MEAN = defop("mean", _mean_forward,                                  # sum / count, as sum * (1 / count)
             lambda g, out, x, axis, keepdims: spread(g * inverse_count(shape_of(x), axis), x, axis, keepdims))
MAX = defop("max", lambda x, axis, keepdims: np.max(x, axis=axis, keepdims=keepdims), _extreme_vjp)
MIN = defop("min", lambda x, axis, keepdims: np.min(x, axis=axis, keepdims=keepdims), _extreme_vjp)
SOFTMAX = defop("softmax", _softmax_forward,                        # J^T g = out (g - <g, out>)
                lambda g, out, x, axis: out * (g - sum_(g * out, (axis % len(shape_of(x)),), True)))
LOG_SOFTMAX = defop("log_softmax", _log_softmax_forward,            # J^T g = g - softmax * sum(g)
                    _log_softmax_vjp)

CROSS_ENTROPY = defop("cross_entropy", _cross_entropy_forward,   # fused softmax + cross-entropy from logits
                      _cross_entropy_vjp)

# -- shape and indexing --
RESHAPE = defop("reshape", lambda x, shape: np.reshape(x, shape),
                lambda g, out, x, shape: reshape(g, shape_of(x)))
TRANSPOSE = defop("transpose", lambda x, axes: np.transpose(x, axes),
                  lambda g, out, x, axes: transpose(g, tuple(np.argsort(axes))))
GETITEM: Op = defop("getitem", lambda x, index: x[index],
                lambda g, out, x, index: call(INDEX_ADD, g, index=index, shape=shape_of(x)))
INDEX_ADD: Op = defop("index_add", _index_add_forward,                  # scatter-add: the adjoint of indexing
                  lambda g, out, x, index, shape: call(GETITEM, g, index=index))
BROADCAST_TO = defop("broadcast_to", lambda x, shape: np.broadcast_to(x, shape),
                     lambda g, out, x, shape: sum_to(g, shape_of(x)))
SUM_TO = defop("sum_to", _sum_to_forward,
               lambda g, out, x, shape: broadcast_to(g, shape_of(x)))
# A neuron's net input n = b + sum_i w_i x_i as ONE node (doc 000, eq. 3 per unit): the documents' picture,
# and half the graph of separate * and + nodes.
LINCOMB = defop("lincomb", lincomb_forward, _lincomb_vjp, variadic=True)
CONCATENATE = defop("concatenate", lambda *xs, axis: np.concatenate(xs, axis=axis), _concat_vjp, variadic=True)
STACK = defop("stack", lambda *xs, axis: np.stack(xs, axis=axis), _stack_vjp, variadic=True)
# fmt: on


def broadcast_to(x: Any, target: tuple[int, ...]) -> Any:
    return call(BROADCAST_TO, x, shape=tuple(target))

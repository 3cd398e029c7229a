"""Loss functions L(a, y): the network's output ``a`` (or logits ``n``) first, the target ``y`` second.

Every loss works on both engines: a ``Value`` / list of Values (value engine), or a ``Tensor`` (tensor
engine); targets are constants (numbers, lists or arrays). Targets are validated before anything is
computed: a wrong shape, NaN/Inf, a label outside 0..C-1 or a value outside the loss's domain raises
ValueError naming the problem.

Reductions, stated per loss:

* elementwise losses (``squared_error``, ``half_squared_error``, ``mse``, ``binary_cross_entropy``,
  ``binary_cross_entropy_with_logits``, ``hinge``): one term per output element; ``reduction="sum"`` adds
  all terms, ``"mean"`` divides that sum by the number of terms (PyTorch's convention).
* distribution losses (``cross_entropy``, ``nll_loss``, ``symmetric_cross_entropy``, ``kl_divergence``):
  one term per sample, summed over the classes (the last axis, or a value-engine list); ``"sum"`` adds
  the samples' terms, ``"mean"`` divides by the number of samples. A value-engine batch is a list of
  lists (one list of Values per sample); a Tensor batch is 2-D (batch, classes).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd_mini import Tensor, Value, minimum
from autograd_mini import cross_entropy as fused_cross_entropy

REDUCTIONS = ("sum", "mean")
#: the clip applied to probabilities before a log (finite also in float32: 1 - 1e-7 < 1).
EPS = 1e-7

Loss = Callable[..., Any]


# -- validation helpers ---------------------------------------------------------------------------------
def _check_reduction(loss: str, reduction: str) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f"{loss}: reduction must be 'sum' or 'mean', got {reduction!r}")


def _raw_target(loss: str, y: Any) -> np.ndarray:
    if isinstance(y, (Value, Tensor)):
        y = y.data
    elif isinstance(y, (list, tuple)):
        y = [v.data if isinstance(v, Value) else v for v in y]
    try:
        arr = np.asarray(y)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{loss}: target must be numeric: {exc}") from None
    if arr.dtype == object:
        try:
            arr = np.asarray(_nested_data(y), dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{loss}: target must be numeric: {exc}") from None
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"{loss}: target must be numeric, got dtype {arr.dtype}")
    if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        raise ValueError(f"{loss}: target contains NaN or Inf")
    return arr


def _nested_data(y: Any) -> Any:
    if isinstance(y, (list, tuple)):
        return [_nested_data(v) for v in y]
    return y.data if isinstance(y, Value) else y


def _flatten(loss: str, a: Any) -> tuple[list[Any], tuple[int, ...]]:
    """Value-engine output -> (flat list of Values/numbers, nested shape)."""
    if isinstance(a, Value):
        return [a], ()
    if isinstance(a, (list, tuple)):
        if not a:
            raise ValueError(f"{loss}: the output is an empty list")
        parts = [_flatten(loss, v) for v in a]
        shapes = {s for _, s in parts}
        if len(shapes) != 1:
            raise ValueError(f"{loss}: the output is a ragged nested list")
        return [v for flat, _ in parts for v in flat], (len(a), *parts[0][1])
    if isinstance(a, (int, float, np.integer, np.floating)) and not isinstance(a, bool):
        return [a], ()
    raise TypeError(f"{loss}: expected a Value, a list of Values or a Tensor as the output, got {type(a).__name__}")


def _match_shape(loss: str, y: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """y must have the output's shape; (batch,) vs (batch, 1) and a scalar vs one element are accepted
    (same elements), anything else raises (numpy would broadcast it silently to a wrong loss)."""
    if y.shape == shape:
        return y
    if y.size == int(np.prod(shape)) and np.squeeze(y).shape == tuple(d for d in shape if d != 1):
        return y.reshape(shape)
    raise ValueError(f"{loss}: target shape {y.shape} does not match the output shape {shape}")


def _reduce_values(terms: list[Any], reduction: str, count: int) -> Any:
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    if not isinstance(total, Value):
        total = Value(float(total), requires_grad=False)
    return total * (1.0 / count) if reduction == "mean" else total


def _reduce_tensor(terms: Tensor, reduction: str) -> Tensor:
    return terms.mean() if reduction == "mean" else terms.sum()


# -- elementwise losses -------------------------------------------------------------------------------
def _elementwise(
    loss: str,
    a: Any,
    y: Any,
    reduction: str,
    term: Callable[[Any, Any], Any],
    check: Callable[[np.ndarray], None] | None = None,
) -> Any:
    _check_reduction(loss, reduction)
    yr = _raw_target(loss, y).astype(np.float64)
    if isinstance(a, Tensor):
        yt = _match_shape(loss, yr, a.shape)
        if check is not None:
            check(yt)
        return _reduce_tensor(term(a, yt.astype(a.dtype)), reduction)
    flat, shape = _flatten(loss, a)
    yt = _match_shape(loss, yr, shape)
    if check is not None:
        check(yt)
    terms = [term(ai, float(yi)) for ai, yi in zip(flat, yt.ravel())]
    return _reduce_values(terms, reduction, len(terms))


def _sq(a: Any, y: Any) -> Any:
    d = a - y
    return d * d


def squared_error(a: Any, y: Any, reduction: str = "sum") -> Any:
    """L = sum_k (y_k - a_k)^2 (doc 000, eq. 11, "Mean Squared Error" for one sample); its gradient
    dL/da = -2 (y - a) gives the output sensitivity s^l = -2 (y - a) f'(n^l) (doc 000, eq. 24).
    ``reduction="sum"`` (default) adds all elements' terms; ``"mean"`` averages them (= :func:`mse`)."""
    return _elementwise("squared_error", a, y, reduction, _sq)


def half_squared_error(a: Any, y: Any, reduction: str = "sum") -> Any:
    """J = 1/2 sum_k (t_k - z_k)^2 = 1/2 ||t - z||^2 (doc 001's squared loss; doc 002's worked example,
    L = 0.2984; docs 003-004), with t = y and z = a; dJ/dz_k = -(t_k - z_k). ``"sum"`` (default) or ``"mean"``
    (the sum divided by the number of elements)."""
    return _elementwise("half_squared_error", a, y, reduction, lambda ai, yi: 0.5 * _sq(ai, yi))


def mse(a: Any, y: Any, reduction: str = "mean") -> Any:
    """Mean squared error: (1/N) sum_k (y_k - a_k)^2 over all N elements (default ``"mean"``; ``"sum"`` is
    :func:`squared_error`)."""
    return _elementwise("mse", a, y, reduction, _sq)


def _check_probability_target(loss: str) -> Callable[[np.ndarray], None]:
    def check(y: np.ndarray) -> None:
        if y.size and (y.min() < 0 or y.max() > 1):
            raise ValueError(f"{loss}: targets must lie in [0, 1], got values in [{y.min()}, {y.max()}]")

    return check


def binary_cross_entropy(a: Any, y: Any, reduction: str = "mean", eps: float = EPS) -> Any:
    """Log loss from probabilities: L = -(y log a + (1 - y) log(1 - a)) per element (doc 002: "log loss"
    for a sigmoid output; doc 001's cross-entropy for two classes). ``a`` is clipped to [eps, 1 - eps]
    (no gradient outside) so L stays finite. Targets in [0, 1]. ``"mean"`` (default) or ``"sum"``."""

    def term(ai: Any, yi: Any) -> Any:
        p = ai.clip(eps, 1.0 - eps) if isinstance(ai, (Value, Tensor)) else min(max(ai, eps), 1.0 - eps)
        return -(yi * _log(p) + (1.0 - yi) * _log(1.0 - p))

    check = _check_probability_target("binary_cross_entropy")
    return _elementwise("binary_cross_entropy", a, y, reduction, term, check)


def _log(x: Any) -> Any:
    return x.log() if isinstance(x, (Value, Tensor)) else np.log(x)


def _log_sigmoid(n: Any) -> Any:
    # log sigma(n) = min(n, 0) - log(1 + e^-|n|): finite for any n; at n = 0 min's tie rule gives the
    # exact derivative 1 - sigma(0) = 1/2.
    return minimum(n, 0.0) - ((-n.abs()).exp() + 1.0).log()


def binary_cross_entropy_with_logits(n: Any, y: Any, reduction: str = "mean") -> Any:
    """Log loss from the logit n (a = sigma(n)), stably: L = -(y log sigma(n) + (1 - y) log sigma(-n))
    = (1 - y) n - log sigma(n), with log sigma(n) = min(n, 0) - log(1 + e^-|n|) (doc 002's log loss with a
    sigmoid output). Gradient dL/dn = sigma(n) - y. ``"mean"`` (default) or ``"sum"``."""

    def term(ni: Any, yi: Any) -> Any:
        if not isinstance(ni, (Value, Tensor)):
            ni = Value(float(ni), requires_grad=False)
        return (1.0 - yi) * ni - _log_sigmoid(ni)

    return _elementwise(
        "binary_cross_entropy_with_logits",
        n,
        y,
        reduction,
        term,
        _check_probability_target("binary_cross_entropy_with_logits"),
    )


def hinge(s: Any, y: Any, reduction: str = "mean") -> Any:
    """Hinge loss with labels y in {-1, +1}: L = max(0, 1 - y s) = relu(1 - y s) per element (micrograd's
    demo: ``(1 + -yi*scorei).relu()``, averaged). ``"mean"`` (default) or ``"sum"``."""

    def check(yv: np.ndarray) -> None:
        bad = yv[(yv != 1) & (yv != -1)]
        if bad.size:
            raise ValueError(f"hinge: labels must be -1 or +1, got {bad.flat[0]}")

    def term(si: Any, yi: Any) -> Any:
        if not isinstance(si, (Value, Tensor)):
            si = Value(float(si), requires_grad=False)
        return (1.0 - si * yi).relu()

    return _elementwise("hinge", s, y, reduction, term, check)


# -- distribution losses --------------------------------------------------------------------------------
def _labels(loss: str, y: np.ndarray, shape: tuple[int, ...], classes: int) -> np.ndarray:
    if y.shape != shape:
        raise ValueError(f"{loss}: labels must have shape {shape}, got {y.shape}")
    if y.dtype.kind == "f" and y.size and not np.all(np.mod(y, 1) == 0):
        raise ValueError(f"{loss}: labels must be integer class indices, got {y.ravel()[np.mod(y.ravel(), 1) != 0][0]}")
    yi = y.astype(np.intp)
    if yi.size and (yi.min() < 0 or yi.max() >= classes):
        bad = yi[(yi < 0) | (yi >= classes)].flat[0]
        raise ValueError(f"{loss}: label {bad} is outside the valid range 0..{classes - 1}")
    return yi


def _distribution(loss: str, y: np.ndarray, shape: tuple[int, ...], check_sum: bool = True) -> np.ndarray:
    if y.shape != shape:
        raise ValueError(
            f"{loss}: target must be integer labels of shape {shape[:-1]} or a distribution of "
            f"shape {shape}, got shape {y.shape}"
        )
    y = y.astype(np.float64)
    if y.size and (y.min() < 0 or y.max() > 1):
        raise ValueError(f"{loss}: target probabilities must lie in [0, 1]")
    if check_sum and y.size and not np.allclose(y.sum(axis=-1), 1.0, rtol=0, atol=1e-6):
        raise ValueError(f"{loss}: each target distribution must sum to 1, got sums {y.sum(axis=-1)}")
    return y


def _samples(loss: str, a: Any) -> tuple[list[list[Any]], bool]:
    """Value-engine output -> (list of samples, each a list of Values/numbers; whether a was a batch)."""
    if isinstance(a, Value):
        raise ValueError(f"{loss}: needs one output per class (a list of Values), got a single Value")
    if not isinstance(a, (list, tuple)) or not a:
        raise TypeError(f"{loss}: expected a Tensor, a list of Values or a list of such lists, got {type(a).__name__}")
    if isinstance(a[0], (list, tuple)):
        rows = [list(r) for r in a]
        if len({len(r) for r in rows}) != 1:
            raise ValueError(f"{loss}: the samples have different numbers of classes")
        return rows, True
    return [list(a)], False


def _value_lse(row: list[Any]) -> Any:
    # log sum_i e^(n_i) = m + log sum_i e^(n_i - m), m = max n (a constant shift: exact, and stable)
    m = max(v.data if isinstance(v, Value) else float(v) for v in row)
    e = [(v - m).exp() if isinstance(v, Value) else Value(float(v) - m, requires_grad=False).exp() for v in row]
    total = e[0]
    for ei in e[1:]:
        total = total + ei
    return total.log() + m


def _value_targets(loss: str, a: Any, y: Any) -> tuple[list[list[Any]], np.ndarray | None, np.ndarray]:
    """Value-engine output and target -> (samples, integer labels or None, target distributions)."""
    rows, batched = _samples(loss, a)
    yr = _raw_target(loss, y)
    classes = len(rows[0])
    lead: tuple[int, ...] = (len(rows),) if batched else ()
    if yr.shape == lead:
        labels = _labels(loss, yr, lead, classes).reshape(-1)
        return rows, labels, np.eye(classes)[labels]
    return rows, None, _distribution(loss, yr, (*lead, classes)).reshape(-1, classes)


def cross_entropy(n: Any, y: Any, reduction: str = "mean") -> Any:
    """Softmax cross-entropy from logits n (the output layer's net input, no softmax applied):
    L = -sum_k t_k log z_k with z = softmax(n) (doc 001: cross entropy with a softmax output), computed as
    -log_softmax(n)[y] = log sum_i e^(n_i) - n_y, stable for logits of any size (PyTorch's log_softmax +
    nll_loss, doc 001). Its gradient is dL/dn = z - t.

    ``y``: integer labels (shape (batch,) for a (batch, C) Tensor or a value-engine list of lists, a single
    int for one sample) or target distributions t of the output's shape (one-hot or soft, rows summing to
    1). ``"mean"`` (default, over samples) or ``"sum"``.
    """
    loss = "cross_entropy"
    _check_reduction(loss, reduction)
    if not isinstance(n, Tensor):
        rows, labels, dists = _value_targets(loss, n, y)
        if labels is not None:  # L = log sum_i e^(n_i) - n_y
            terms = [_value_lse(row) - row[k] for row, k in zip(rows, labels)]
        else:  # L = -sum_k t_k (n_k - lse) = lse sum_k t_k - sum_k t_k n_k
            terms = []
            for row, t in zip(rows, dists):
                terms.append(_value_lse(row) * float(t.sum()) - _dot_const(row, t))
        return _reduce_values(terms, reduction, len(terms))
    yr = _raw_target(loss, y)
    if n.ndim not in (1, 2):
        raise ValueError(f"{loss}: logits must be 1-D (classes,) or 2-D (batch, classes), got shape {n.shape}")
    if yr.shape == n.shape[:-1]:
        labels = _labels(loss, yr, n.shape[:-1], n.shape[-1])
        if n.ndim == 1:
            return -n.log_softmax(axis=-1)[int(labels)]
        # the engine's fused op: same value as -log_softmax(n)[arange, y] reduced, one node, gradient z - t
        return fused_cross_entropy(n, labels, reduction=reduction)
    t = _distribution(loss, yr, n.shape).astype(n.dtype)
    return _reduce_tensor(-(n.log_softmax(axis=-1) * t).sum(axis=-1), reduction)


def _dot_const(xs: list[Any], t: np.ndarray) -> Any:
    total: Any = 0.0
    for x, ti in zip(xs, t):
        if ti != 0:
            total = x * float(ti) + total
    return total


def nll_loss(logp: Any, y: Any, reduction: str = "mean") -> Any:
    """Negative log-likelihood from log-probabilities (e.g. ``log_softmax`` output, doc 001's PyTorch MNIST
    example): L = -logp[y] per sample, with integer labels y. ``"mean"`` (default) or ``"sum"``."""
    loss = "nll_loss"
    _check_reduction(loss, reduction)
    if not isinstance(logp, Tensor):
        rows, batched = _samples(loss, logp)
        lead = (len(rows),) if batched else ()
        labels = _labels(loss, _raw_target(loss, y), lead, len(rows[0])).reshape(-1)
        return _reduce_values([-row[int(k)] for row, k in zip(rows, labels)], reduction, len(rows))
    if logp.ndim not in (1, 2):
        raise ValueError(f"{loss}: log-probabilities must be 1-D or 2-D (batch, classes), got shape {logp.shape}")
    labels = _labels(loss, _raw_target(loss, y), logp.shape[:-1], logp.shape[-1])
    if logp.ndim == 1:
        return -logp[int(labels)]
    picked = logp[np.arange(logp.shape[0]), labels]
    return -(picked.mean() if reduction == "mean" else picked.sum())


def _const_log(t: np.ndarray, eps: float) -> np.ndarray:
    return np.log(np.clip(t, eps, 1.0))


def symmetric_cross_entropy(a: Any, y: Any, reduction: str = "mean", eps: float = EPS) -> Any:
    """Symmetric cross-entropy J(t, z) = -sum_k (t_k log z_k + z_k log t_k) (doc 001), with z = a the
    predicted probabilities (e.g. a softmax output) and t = y the target distribution (or integer labels,
    taken one-hot). Both are clipped to [eps, 1] inside the logs, so one-hot targets give a finite
    log 0 = log eps. ``"mean"`` (default, over samples) or ``"sum"``."""
    loss = "symmetric_cross_entropy"
    _check_reduction(loss, reduction)
    if isinstance(a, Tensor):
        t = _tensor_distribution_target(loss, a, y)
        z = a.clip(eps, 1.0)
        per = -((z.log() * t) + a * _const_log(t, eps).astype(a.dtype)).sum(axis=-1)
        return _reduce_tensor(per, reduction)

    def per_sample(row: list[Any], t: np.ndarray) -> Any:
        logt = _const_log(t, eps)
        total: Any = 0.0
        for z, tk, lt in zip(row, t, logt):
            zc = z.clip(eps, 1.0) if isinstance(z, Value) else Value(min(max(float(z), eps), 1.0), requires_grad=False)
            total = total - (zc.log() * float(tk) + z * float(lt))
        return total

    rows, _, dists = _value_targets(loss, a, y)
    return _reduce_values([per_sample(row, t) for row, t in zip(rows, dists)], reduction, len(rows))


def kl_divergence(a: Any, y: Any, reduction: str = "mean", eps: float = EPS) -> Any:
    """Kullback-Leibler divergence D_KL(t | z) = sum_k t_k log(t_k / z_k) (doc 001: CrossEntropy(t, z) =
    Entropy(t) + D_KL(t | z)), with z = a the predicted probabilities and t = y the target distribution
    (or integer labels, taken one-hot). Terms with t_k = 0 are 0; z is clipped to [eps, 1] inside the log.
    ``"mean"`` (default, over samples) or ``"sum"``."""
    loss = "kl_divergence"
    _check_reduction(loss, reduction)
    if isinstance(a, Tensor):
        t = _tensor_distribution_target(loss, a, y)
        logt = np.log(np.where(t > 0, t, 1.0))
        per = ((a.clip(eps, 1.0).log() * -t) + (t * logt)).sum(axis=-1)
        return _reduce_tensor(per, reduction)

    def per_sample(row: list[Any], t: np.ndarray) -> Any:
        total: Any = 0.0
        for z, tk in zip(row, t):
            if tk > 0:
                zc = (
                    z.clip(eps, 1.0)
                    if isinstance(z, Value)
                    else Value(min(max(float(z), eps), 1.0), requires_grad=False)
                )
                total = total + float(tk) * (float(np.log(tk)) - zc.log())
        return total

    rows, _, dists = _value_targets(loss, a, y)
    return _reduce_values([per_sample(row, t) for row, t in zip(rows, dists)], reduction, len(rows))


def _tensor_distribution_target(loss: str, a: Tensor, y: Any) -> np.ndarray:
    if a.ndim not in (1, 2):
        raise ValueError(f"{loss}: probabilities must be 1-D or 2-D (batch, classes), got shape {a.shape}")
    yr = _raw_target(loss, y)
    if yr.shape == a.shape[:-1]:
        labels = _labels(loss, yr, a.shape[:-1], a.shape[-1])
        return np.eye(a.shape[-1], dtype=a.dtype)[labels]
    return _distribution(loss, yr, a.shape).astype(a.dtype)


LOSSES: dict[str, Loss] = {
    "squared_error": squared_error,
    "half_squared_error": half_squared_error,
    "mse": mse,
    "binary_cross_entropy": binary_cross_entropy,
    "binary_cross_entropy_with_logits": binary_cross_entropy_with_logits,
    "cross_entropy": cross_entropy,
    "nll_loss": nll_loss,
    "hinge": hinge,
    "symmetric_cross_entropy": symmetric_cross_entropy,
    "kl_divergence": kl_divergence,
}


def get_loss(name: str) -> Loss:
    """The loss function called ``name``; a ValueError lists the valid names for an unknown one."""
    try:
        return LOSSES[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown loss {name!r}; valid losses: {', '.join(LOSSES)}") from None

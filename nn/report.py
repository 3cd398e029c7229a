"""Autograd against the documents' hand-derived backpropagation, layer by layer: :func:`compare`.

One call runs both sides on the same network and data and reports, for every layer k, the sensitivity
s^k = dL/dn^k (doc 000, eq. 18), dL/dW^k and dL/db^k (doc 000, eqs. 17-19) from each side with their
largest absolute and relative difference, plus the loss from each side::

    import nn
    from nn.report import compare
    model = nn.MLP(2, [3, 1], activation="tanh", engine="value", seed=0)
    report = compare(model, X, Y, loss="squared_error")
    print(report)             # one aligned row per layer and quantity
    assert report.passed

* autograd side: a forward pass through the model (``layer.n`` and ``layer.a`` are graph nodes), the
  ``nn`` loss, one ``backward()``; s^k is read from ``layer.n``'s ``.grad``, dL/dW^k and dL/db^k from the
  parameters' ``.grad`` (value engine: neuron j's ``w[i].grad`` goes to entry [i, j] of the (n_in, n_out)
  array, doc 000's W layout). The model's gradients, ``layer.n`` and ``layer.a`` are restored afterwards.
* hand side: :mod:`nn.closed_form` on the model's ``Layer.W`` / ``Layer.b`` in the chosen document's
  convention (``"row"``: doc 000's :func:`~nn.closed_form.backprop_row`; ``"column"``: docs 002-003's
  :func:`~nn.closed_form.backprop_column` with W^[l] = W.T and one sample per column; ``"doc001"``:
  :func:`~nn.closed_form.backprop_doc001` with w_kj = W.T and delta = -s). Its results are brought back to
  the model's layout (samples as rows, W as (n_in, n_out), s = -delta for doc 001) before comparing.

Batches: samples are rows of X and Y. ``reduction="sum"`` is L = sum_p L_p over the samples (doc 001's
J = sum_p J_p, doc 004's Err), ``"mean"`` is (1/N) sum_p L_p, where L_p is the per-sample loss of
:func:`nn.closed_form.loss_per_sample` (summed over the output units, or averaged for ``"mse"``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from autograd_mini import Tensor, Value

from . import closed_form as cf
from .activations import LEAKY_ALPHA
from .layers import Layer
from .losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    half_squared_error,
    mse,
    squared_error,
)
from .module import VALUE, Module
from .train import ACTIVATION_RANGES

Array = NDArray[np.float64]

#: the losses with a closed form (nn/closed_form.py); "binary_cross_entropy" is another name of "log_loss".
LOSSES: tuple[str, ...] = cf.LOSSES
_LOSS_ALIASES = {"binary_cross_entropy": "log_loss", "log-loss": "log_loss", "logloss": "log_loss"}
#: activations whose derivative backpropagation can use (doc 000, eqs. 35-38; doc 001; doc 002).
DIFFERENTIABLE = ("linear", "sigmoid", "tanh", "relu", "leaky_relu", "softmax")
#: the closed-form losses that take the logarithm of the output layer's activations: those must lie in [0, 1].
LOG_LOSSES = ("cross_entropy", "log_loss")
#: the differentiable output activations whose values stay in [0, 1], as a LOG_LOSSES loss needs.
UNIT_INTERVAL_OUTPUTS = tuple(
    a
    for a in DIFFERENTIABLE
    if a in ACTIVATION_RANGES and ACTIVATION_RANGES[a][0] >= 0 and ACTIVATION_RANGES[a][1] <= 1
)
QUANTITIES = ("s", "dL/dW", "dL/db")


# ------------------------------------------------------------------------------------------------------
# Result types
# ------------------------------------------------------------------------------------------------------


@dataclass
class Comparison:
    """One quantity from both sides. ``max_abs`` = max |auto - hand| over its entries; ``max_rel`` =
    max_abs / max(max |auto|, max |hand|) (0 when both are all zero), a norm-wise relative difference, so
    an entry that is zero up to rounding does not blow it up. ``passed`` when
    max_abs <= atol + rtol * max(max |auto|, max |hand|) and nothing is NaN."""

    name: str
    auto: Array
    hand: Array
    rtol: float
    atol: float
    max_abs: float = field(init=False)
    max_rel: float = field(init=False)
    passed: bool = field(init=False)

    def __post_init__(self) -> None:
        self.auto = np.asarray(self.auto, dtype=np.float64)
        self.hand = np.asarray(self.hand, dtype=np.float64)
        if self.auto.shape != self.hand.shape:
            raise ValueError(f"{self.name}: autograd gives shape {self.auto.shape}, the closed form {self.hand.shape}")
        if self.auto.size == 0:
            self.max_abs, self.max_rel, self.passed = 0.0, 0.0, True
            return
        diff = float(np.max(np.abs(self.auto - self.hand)))
        scale = float(max(np.max(np.abs(self.auto)), np.max(np.abs(self.hand))))
        finite = bool(np.all(np.isfinite(self.auto)) and np.all(np.isfinite(self.hand)))
        if not finite:
            diff, rel = float("nan"), float("nan")
        else:
            rel = diff / scale if scale > 0 else 0.0
        self.max_abs = diff
        self.max_rel = rel
        self.passed = finite and diff <= self.atol + self.rtol * scale

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "auto": self.auto.tolist(),
            "hand": self.hand.tolist(),
            "max_abs": self.max_abs,
            "max_rel": self.max_rel,
            "passed": self.passed,
        }


@dataclass
class LayerComparison:
    """Layer k (from 1, doc 000's numbering): s^k (N, p^k), dL/dW^k (p^(k-1), p^k) and dL/db^k (p^k,),
    each as a :class:`Comparison` of autograd (``.auto``) and the closed form (``.hand``)."""

    k: int
    activation: str
    s: Comparison
    dW: Comparison
    db: Comparison

    @property
    def quantities(self) -> list[Comparison]:
        return [self.s, self.dW, self.db]

    @property
    def passed(self) -> bool:
        return all(q.passed for q in self.quantities)

    def to_dict(self) -> dict[str, Any]:
        return {
            "k": self.k,
            "activation": self.activation,
            "passed": self.passed,
            "s": self.s.to_dict(),
            "dW": self.dW.to_dict(),
            "db": self.db.to_dict(),
        }


def _fmt_matrix(a: Array, indent: str) -> str:
    text = np.array2string(np.atleast_1d(a), precision=6, suppress_small=False, max_line_width=110)
    return "\n".join(indent + line for line in text.splitlines())


@dataclass
class Report:
    """What :func:`compare` found: ``layers`` (one :class:`LayerComparison` per layer) and ``loss`` (L from
    each side, 0-d arrays). ``passed`` when every quantity agrees within (rtol, atol). ``str(report)`` is
    :meth:`table`; :meth:`to_dict` gives plain Python values (JSON-serializable)."""

    layers: list[LayerComparison]
    loss: Comparison
    loss_name: str
    reduction: str
    convention: str
    engine: str
    n_samples: int
    rtol: float
    atol: float
    model: str = ""

    @property
    def passed(self) -> bool:
        return self.loss.passed and all(layer.passed for layer in self.layers)

    @property
    def loss_auto(self) -> float:
        return float(self.loss.auto)

    @property
    def loss_hand(self) -> float:
        return float(self.loss.hand)

    def failures(self) -> list[str]:
        """The failing checks, e.g. ``["layer 2 dL/dW"]``."""
        out = [f"layer {layer.k} {q.name}" for layer in self.layers for q in layer.quantities if not q.passed]
        return out + (["loss"] if not self.loss.passed else [])

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "loss_name": self.loss_name,
            "reduction": self.reduction,
            "convention": self.convention,
            "engine": self.engine,
            "n_samples": self.n_samples,
            "rtol": self.rtol,
            "atol": self.atol,
            "model": self.model,
            "loss": self.loss.to_dict(),
            "layers": [layer.to_dict() for layer in self.layers],
        }

    def table(self, verbose: bool = False) -> str:
        """One aligned row per layer and quantity (``layer 1  s      max|auto-hand| 0.0e+00  rel 0.0e+00
        ok``) and one for the loss; ``verbose=True`` adds both sides' full matrices under each row."""
        lines = [
            f"autograd ({self.engine} engine) vs closed form, convention {self.convention!r} "
            f"({CONVENTIONS[self.convention].description})",
            f"model {self.model}, loss {self.loss_name} (reduction={self.reduction}), N = {self.n_samples}, "
            f"rtol {self.rtol:.0e}, atol {self.atol:.0e}",
        ]

        def row(label: str, q: Comparison, extra: str = "") -> None:
            status = "ok" if q.passed else "FAIL"
            lines.append(f"{label}{q.name:<7}max|auto-hand| {q.max_abs:.1e}  rel {q.max_rel:.1e}  {status}{extra}")
            if verbose:
                lines.append("    auto:")
                lines.append(_fmt_matrix(q.auto, "      "))
                lines.append("    hand:")
                lines.append(_fmt_matrix(q.hand, "      "))

        for layer in self.layers:
            for q in layer.quantities:
                row(f"layer {layer.k:<3d}", q)
        row("loss     ", self.loss, f"    (auto {self.loss_auto:.10g}, hand {self.loss_hand:.10g})")
        checks = 3 * len(self.layers) + 1
        if self.passed:
            lines.append(f"PASSED: all {checks} checks agree")
        else:
            fails = self.failures()
            lines.append(f"FAILED: {len(fails)} of {checks} checks differ ({', '.join(fails)})")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()


# ------------------------------------------------------------------------------------------------------
# compare
# ------------------------------------------------------------------------------------------------------


def _layers_of(model: Any) -> list[Layer]:
    if isinstance(model, Layer):
        return [model]
    layers = getattr(model, "layers", None)
    if not isinstance(model, Module) or not isinstance(layers, list) or not layers:
        raise ValueError(
            f"compare: expected an nn.MLP, an nn.Layer or an nn.Sequential of Layers, got {type(model).__name__}"
        )
    for k, layer in enumerate(layers, 1):
        if not isinstance(layer, Layer):
            raise ValueError(
                f"compare: item {k} of the model is a {type(layer).__name__}, not an nn.Layer; "
                f"the closed form (nn/closed_form.py) covers stacks of fully connected layers only"
            )
    for k in range(1, len(layers)):
        if layers[k].nin != layers[k - 1].nout:
            raise ValueError(
                f"compare: layer {k + 1} takes {layers[k].nin} inputs but layer {k} has {layers[k - 1].nout} units"
            )
    engines = {layer.engine for layer in layers}
    if len(engines) != 1:
        raise ValueError(f"compare: the layers mix engines {sorted(engines)}")
    return layers


def _check_model(layers: list[Layer]) -> list[str]:
    acts = [layer.activation for layer in layers]
    for k, name in enumerate(acts, 1):
        if name not in DIFFERENTIABLE:
            raise ValueError(
                f"compare: layer {k} uses {name!r}, which has no derivative to backpropagate (0 wherever it "
                f"exists, none at n = 0; doc 000, eq. 34), so there is no closed-form gradient to compare; "
                f"train such units with the perceptron rule (nn.perceptron). Activations with a closed form: "
                f"{', '.join(DIFFERENTIABLE)}"
            )
        if name == "softmax" and k != len(acts):
            raise ValueError(f"compare: softmax is for the output layer only (layer {k} of {len(acts)})")
    return acts


def check_loss_fits_output(loss: str, output_activation: str, loss_is: str = "the loss", output_is: str = "") -> None:
    """Raise ValueError if ``loss`` takes the logarithm of the outputs (``LOG_LOSSES``) and the output layer's
    activation does not keep them in [0, 1] (tanh's -0.3 has no logarithm). ``loss_is``/``output_is`` name the
    two as the caller's user wrote them (``--loss``, ``--output-activation`` in the CLI)."""
    if _LOSS_ALIASES.get(loss, loss) in LOG_LOSSES and output_activation not in UNIT_INTERVAL_OUTPUTS:
        output = f"{output_is} {output_activation}" if output_is else f"an output activation {output_activation!r}"
        raise ValueError(
            f"{loss_is} {loss} takes the logarithm of the outputs, which must lie in [0, 1]; {output} does not keep "
            f"them there (use {' or '.join(UNIT_INTERVAL_OUTPUTS)})"
        )


def _normalize_loss(loss: str, reduction: str, convention: str) -> str:
    if not isinstance(loss, str):
        raise ValueError(f"compare: loss must be a name, got {loss!r}")
    name = _LOSS_ALIASES.get(loss, loss)
    if name not in LOSSES:
        raise ValueError(
            f"compare: the loss {loss!r} has no closed form in nn/closed_form.py; losses with one: "
            f"{', '.join(LOSSES)} (binary_cross_entropy = log_loss)"
        )
    if reduction not in cf.REDUCTIONS:
        raise ValueError(f"compare: reduction must be 'sum' or 'mean', got {reduction!r}")
    if convention not in CONVENTIONS:
        raise ValueError(f"compare: unknown convention {convention!r}; valid: {', '.join(CONVENTIONS)}")
    return name


def _data(X: ArrayLike, Y: ArrayLike, n_in: int, n_out: int, loss: str) -> tuple[Array, Array]:
    """X as (N, n_in), Y as (N, n_out) (samples as rows). A 1-D X is one sample; a 1-D Y is one sample's
    targets or one target per sample; for cross_entropy, integer labels (N,) become one-hot rows."""
    try:
        X_arr = np.asarray(X, dtype=np.float64)
        Y_raw = np.asarray(Y)
        Y_arr = Y_raw.astype(np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"compare: X and Y must be numeric arrays: {exc}") from None
    if X_arr.ndim == 1:
        X_arr = X_arr.reshape(1, -1)
    if X_arr.ndim != 2 or X_arr.shape[1] != n_in or X_arr.shape[0] == 0:
        raise ValueError(f"compare: X has shape {np.shape(X)}, expected (N, {n_in}) with one sample per row")
    N = X_arr.shape[0]
    is_labels = Y_raw.dtype.kind in "iu" and (Y_raw.shape == (N,) or (N == 1 and Y_raw.ndim == 0))
    if loss == "cross_entropy" and n_out > 1 and is_labels:
        labels = Y_raw.reshape(-1)
        if labels.min() < 0 or labels.max() >= n_out:
            raise ValueError(f"compare: labels must lie in 0..{n_out - 1}, got {labels.tolist()}")
        Y_arr = np.eye(n_out)[labels]
    try:
        X_arr, Y_rows = cf.samples_as_rows(X_arr, Y_arr, n_in, n_out)
    except ValueError as exc:
        raise ValueError(f"compare: {exc}") from None
    assert Y_rows is not None
    Y_arr = Y_rows
    if not (np.all(np.isfinite(X_arr)) and np.all(np.isfinite(Y_arr))):
        raise ValueError("compare: X or Y contains NaN or Inf")
    return X_arr, Y_arr


@dataclass
class _Sides:
    s: list[Array]
    dW: list[Array]
    db: list[Array]
    loss: float


HandSide = Callable[[list[Array], list[Array], list[str], Array, Array, str, str], "_Sides"]


@dataclass(frozen=True)
class Convention:
    """One document's way of writing backpropagation: what it means (and which document it cites), and how to
    run its hand-derived equations (nn/closed_form.py) on the model's weights (W as (n_in, n_out), samples as
    rows) with the results brought back to that layout: ``run(Ws, bs, acts, X, Y, loss, reduction)``."""

    name: str
    description: str
    run: HandSide


def _row(Ws: list[Array], bs: list[Array], acts: list[str], X: Array, Y: Array, loss: str, reduction: str) -> _Sides:
    r = cf.backprop_row(Ws, bs, acts, X, Y, loss=loss, reduction=reduction, leaky_alpha=LEAKY_ALPHA)
    return _Sides(list(r.s), list(r.dW), [np.reshape(d, -1) for d in r.db], r.loss)


def _column(Ws: list[Array], bs: list[Array], acts: list[str], X: Array, Y: Array, loss: str, reduction: str) -> _Sides:
    # W^[l] = W.T, samples as columns
    c = cf.backprop_column(
        [W.T for W in Ws], bs, acts, X.T, Y.T, loss=loss, reduction=reduction, leaky_alpha=LEAKY_ALPHA
    )
    return _Sides([d.T for d in c.delta], [d.T for d in c.dW], [np.reshape(d, -1) for d in c.db], c.loss)


def _doc001(Ws: list[Array], bs: list[Array], acts: list[str], X: Array, Y: Array, loss: str, reduction: str) -> _Sides:
    # w_kj = W.T, delta = -dJ/dnet; with eta = 1, Delta w_kj = -dJ/dw_kj and Delta w_k0 = -dJ/dw_k0
    d = cf.backprop_doc001(
        [W.T for W in Ws], bs, acts, X, Y, eta=1.0, loss=loss, reduction=reduction, leaky_alpha=LEAKY_ALPHA
    )
    return _Sides(
        [-delta for delta in d.delta], [-DW.T for DW in d.Delta_W], [-np.reshape(Dw0, -1) for Dw0 in d.Delta_w0], d.J
    )


#: The documents' conventions, the one registry that ``compare(convention=...)`` and the CLI read: a new
#: convention is one function (like :func:`_row`) and one entry here.
CONVENTIONS: dict[str, Convention] = {
    c.name: c
    for c in (
        Convention("row", "doc 000: n^k = b^k + a^(k-1) W^k, s^k = dL/dn^k (eqs. 24, 33)", _row),
        Convention("column", "docs 002-003: z = W a + b with W^[l] = W.T, delta^l = dL/dz^[l]", _column),
        Convention("doc001", "doc 001: net_k = sum_j y_j w_kj + w_k0 with w_kj = W.T, delta = -dJ/dnet = -s", _doc001),
    )
}


def _hand(
    layers: list[Layer], acts: list[str], X: Array, Y: Array, loss: str, reduction: str, convention: str
) -> _Sides:
    """nn/closed_form.py on the model's weights, converted to the model's layout."""
    Ws = [layer.W.astype(np.float64) for layer in layers]
    bs = [layer.b.astype(np.float64) for layer in layers]
    return CONVENTIONS[convention].run(Ws, bs, acts, X, Y, loss, reduction)


def _log_loss(last: Layer, a_out: Any, n_out: Any, Y: Array) -> Any:
    if last.activation == "sigmoid":  # from the logits: -[y log sigma(n) + (1 - y) log sigma(-n)]
        return binary_cross_entropy_with_logits(n_out, Y, reduction="sum")
    return binary_cross_entropy(a_out, Y, reduction="sum")  # on the output, clipped to [1e-7, 1 - 1e-7]


def _cross_entropy(last: Layer, a_out: Any, n_out: Any, Y: Array) -> Any:
    if last.activation == "softmax":  # -sum_k t_k log softmax(n)_k from the logits (stable log-sum-exp)
        return cross_entropy(n_out, Y, reduction="sum")
    if isinstance(a_out, Tensor):  # J = -sum_k t_k log z_k on the output z = a^l as it is (doc 001)
        return -(a_out.log() * Y).sum()
    total = Value(0.0, requires_grad=False)
    for row, t in zip(a_out, Y):
        for z, tk in zip(row, t):
            total = total - z.log() * float(tk)
    return total


#: loss name -> (the summed nn loss on the output (last layer, a^l, n^l, Y), its per-sample scale relative to
#: the closed form's L_p (1/p for "mse", whose L_p is the mean over the p output units)).
_AUTOGRAD_LOSSES: dict[str, tuple[Callable[[Layer, Any, Any, Array], Any], bool]] = {
    "squared_error": (lambda last, a, n, Y: squared_error(a, Y, reduction="sum"), False),
    "half_squared_error": (lambda last, a, n, Y: half_squared_error(a, Y, reduction="sum"), False),
    "mse": (lambda last, a, n, Y: mse(a, Y, reduction="sum"), True),
    "cross_entropy": (_cross_entropy, False),
    "log_loss": (_log_loss, False),
}


def _autograd_loss(loss: str, reduction: str, last: Layer, a_out: Any, n_out: Any, Y: Array, N: int) -> Any:
    """The nn loss on the output (tensor: (N, p) Tensors; value: lists of per-sample lists of Values),
    reduced over the samples as the closed form does (sum, or (1/N) sum)."""
    summed, per_unit = _AUTOGRAD_LOSSES[loss]
    scale = (1.0 / N if reduction == "mean" else 1.0) / (Y.shape[1] if per_unit else 1)
    total = summed(last, a_out, n_out, Y)
    return total * scale if scale != 1.0 else total


def _autograd(model: Any, layers: list[Layer], X: Array, Y: Array, loss: str, reduction: str) -> _Sides:
    """Forward through the model, the nn loss, backward; read s^k from layer.n's .grad and the gradients
    from the parameters' .grad. The caller saves and restores the model's gradients."""
    N = X.shape[0]
    last = layers[-1]
    if layers[0].engine == VALUE:
        ns: list[list[list[Value]]] = [[] for _ in layers]  # ns[k][sample] = layer k+1's n nodes
        outs: list[list[Value]] = []
        for x in X:
            model([float(v) for v in x])
            for k, layer in enumerate(layers):
                ns[k].append(list(layer.n))
            outs.append(list(last.a))
        logits = ns[-1]
        L = _autograd_loss(loss, reduction, last, outs, logits, Y, N)
        L.backward()
        s = [np.array([[v.grad for v in sample] for sample in per_layer]) for per_layer in ns]
        dW = [_grads(layer.weight) for layer in layers]
        db = [_grads(layer.bias) for layer in layers]
        return _Sides(s, dW, db, float(L.data))
    out = model(X)
    if not isinstance(out, Tensor) or out.shape != (N, last.nout):
        raise ValueError(
            f"compare: the model returned {type(out).__name__} of shape {getattr(out, 'shape', None)}, "
            f"expected a Tensor of shape ({N}, {last.nout})"
        )
    L = _autograd_loss(loss, reduction, last, last.a, last.n, Y, N)
    L.backward()

    def g(t: Tensor) -> Array:
        return np.zeros(t.shape) if t.grad is None else np.asarray(t.grad, dtype=np.float64)

    s = [g(layer.n) for layer in layers]
    return _Sides(s, [g(layer.weight) for layer in layers], [g(layer.bias) for layer in layers], float(L.data))


def _grads(values: np.ndarray) -> Array:
    """The ``.grad`` of each Value in an object array (a value-engine layer's ``weight`` or ``bias``)."""
    return np.vectorize(lambda v: v.grad, otypes=[np.float64])(values).reshape(values.shape)


def _describe(layers: Sequence[Layer]) -> str:
    sizes = "-".join(str(n) for n in [layers[0].nin, *(layer.nout for layer in layers)])
    return f"{sizes} [{', '.join(layer.activation for layer in layers)}]"


def compare(
    model: Any,
    X: ArrayLike,
    Y: ArrayLike | None,
    loss: str = "squared_error",
    reduction: str = "sum",
    convention: str = "row",
    rtol: float = 1e-9,
    atol: float = 1e-12,
) -> Report:
    """Compare autograd's gradients with the documents' closed form (nn/closed_form.py) on ``model``.

    ``model``: an ``nn.MLP`` (either engine), an ``nn.Layer`` or an ``nn.Sequential`` of Layers. ``X``:
    (N, n_in) inputs, one sample per row (a 1-D X is one sample); ``Y``: (N, n_out) targets (integer labels
    (N,) for ``cross_entropy``). ``loss``: one of ``nn.report.LOSSES`` (``squared_error`` is doc 000's
    eq. 11, ``half_squared_error`` docs 001-004's 1/2 ||t - z||^2, ``cross_entropy`` doc 001's
    -sum t log z, ``log_loss`` doc 002's log loss). ``reduction``: ``"sum"`` or ``"mean"`` over the samples.
    ``convention``: ``"row"`` (doc 000), ``"column"`` (docs 002-003) or ``"doc001"``.

    Returns a :class:`Report`. The model's parameters' gradients, ``layer.n`` and ``layer.a`` are the same
    after the call as before it. Raises ValueError for a model or loss without a closed form (a HardLimit
    or sign unit, doc 000 eq. 34; a loss not in ``LOSSES``) and for mis-shaped data.
    """
    if Y is None:
        raise ValueError("compare: no targets Y (a loss, and so a gradient, needs them)")
    layers = _layers_of(model)
    loss_name = _normalize_loss(loss, reduction, convention)
    acts = _check_model(layers)
    check_loss_fits_output(loss_name, acts[-1], "compare: the loss")
    X_arr, Y_arr = _data(X, Y, layers[0].nin, layers[-1].nout, loss_name)
    if (
        loss_name == "cross_entropy"
        and acts[-1] == "softmax"
        and not np.allclose(Y_arr.sum(axis=1), 1.0, rtol=0, atol=1e-6)
    ):
        raise ValueError(
            "compare: cross_entropy with a softmax output needs target rows that sum to 1 "
            "(one-hot or probabilities), or integer labels"
        )
    hand = _hand(layers, acts, X_arr, Y_arr, loss_name, reduction, convention)

    params = model.parameters()
    saved_grads = [p.grad.copy() if isinstance(p.grad, np.ndarray) else p.grad for p in params]
    saved_nodes = [(layer.n, layer.a) for layer in layers]
    try:
        for p in params:
            p.grad = 0.0 if isinstance(p, Value) else None
        auto = _autograd(model, layers, X_arr, Y_arr, loss_name, reduction)
    finally:
        for p, grad in zip(params, saved_grads):
            p.grad = grad
        for layer, (n, a) in zip(layers, saved_nodes):
            layer.n, layer.a = n, a

    comparisons = [
        LayerComparison(
            k,
            layer.activation,
            Comparison("s", auto.s[k - 1], hand.s[k - 1], rtol, atol),
            Comparison("dL/dW", auto.dW[k - 1], hand.dW[k - 1], rtol, atol),
            Comparison("dL/db", auto.db[k - 1], hand.db[k - 1], rtol, atol),
        )
        for k, layer in enumerate(layers, 1)
    ]
    return Report(
        layers=comparisons,
        loss=Comparison("L", np.array(auto.loss), np.array(hand.loss), rtol, atol),
        loss_name=loss_name,
        reduction=reduction,
        convention=convention,
        engine=layers[0].engine,
        n_samples=X_arr.shape[0],
        rtol=rtol,
        atol=atol,
        model=_describe(layers),
    )


__all__ = ["CONVENTIONS", "DIFFERENTIABLE", "LOSSES", "Comparison", "LayerComparison", "Report", "compare"]

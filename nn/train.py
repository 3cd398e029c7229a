"""Training loop: backpropagation with gradient descent, in the three regimes of doc 001.

:func:`fit` repeats epochs (one epoch = one complete run through the training data, doc 001). In each update
it runs the forward pass, the loss J, ``J.backward()`` (backprop: the sensitivities and dJ/dW for every
parameter) and one optimizer step W <- W - eta dJ/dW (doc 000's gradient-descent step; doc 004's update
rules). The regime is set by ``batch_size``:

* ``batch_size=1``: doc 001's Algorithm 1 (one-example SGD): n updates per epoch, each on one pattern.
* ``batch_size=k``: doc 001's Algorithm 2 (mini-batch BP): the data are reshuffled each epoch (``shuffle``)
  and cut into ceil(n / k) mini-batches, one update per mini-batch.
* ``batch_size=None``: full-batch gradient descent, one update per epoch on the whole training set.

Stopping: after ``epochs`` epochs, or as soon as the gradient of J over the whole training set at the current
weights has a norm below the criterion ``theta`` ("until ||grad J(w)|| < theta", doc 001, Algorithms 1-2).
That check is made at the end of each epoch (for the mini-batch regimes it costs one extra forward/backward
pass over the data; in the full-batch regime that gradient is the next update's, so it is reused).

Both engines: with ``Value`` parameters each sample is its own scalar graph (a Python loop over the batch,
the outputs joined by the loss); with ``Tensor`` parameters a batch is one (batch, n_in) array.
"""

from __future__ import annotations

import math
import sys
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import autograd_mini as ag
from autograd_mini import Tensor, Value

from ._extras import require
from .checks import positive_int
from .losses import get_loss
from .module import TENSOR, VALUE
from .optim import SGD, Adam, Optimizer, grad_norm

__all__ = ["ACTIVATION_RANGES", "History", "fit", "model_engine"]

#: losses whose outputs are logits/scores compared with class labels; accuracy is reported for them.
CLASSIFICATION_LOSSES = frozenset(
    {"cross_entropy", "nll_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits", "hinge"}
)
#: losses that compare the output layer's activations a with the targets directly: y must lie in a's range.
_DIRECT_LOSSES = frozenset(
    {"squared_error", "half_squared_error", "mse", "binary_cross_entropy", "symmetric_cross_entropy", "kl_divergence"}
)
#: the range of each bounded output activation (doc 000, eqs. 34-38; doc 001).
ACTIVATION_RANGES = {
    "sigmoid": (0.0, 1.0),
    "softmax": (0.0, 1.0),
    "hardlimit": (0.0, 1.0),
    "tanh": (-1.0, 1.0),
    "sign": (-1.0, 1.0),
    "relu": (0.0, math.inf),
}


@dataclass
class History:
    """What :func:`fit` did: per epoch the training ``loss`` (the average over the epoch's updates of the
    batch losses, weighted by batch size with ``reduction="mean"``, summed with ``"sum"``), ``accuracy``
    (fraction of samples classified correctly during the epoch, before each update; None when the task is
    not classification), ``grad_norm`` (||grad J(w)|| over the whole training set after the epoch, only when
    ``theta`` is given) and ``updates`` (optimizer steps); ``converged`` is True when the theta criterion
    stopped training."""

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] | None = None
    grad_norm: list[float] = field(default_factory=list)
    updates: list[int] = field(default_factory=list)
    converged: bool = False

    @property
    def epochs(self) -> int:
        """Number of epochs run."""
        return len(self.loss)

    @property
    def n_updates(self) -> int:
        """Total number of optimizer steps."""
        return sum(self.updates)

    def __repr__(self) -> str:
        last = f", final loss {self.loss[-1]:.6g}" if self.loss else ""
        acc = f", final accuracy {self.accuracy[-1]:.4g}" if self.accuracy else ""
        return f"History({self.epochs} epochs, {self.n_updates} updates{last}{acc}, converged={self.converged})"

    def plot(self, ax: Any = None) -> Any:
        """Draw the training loss against the epoch (1, 2, ...) with matplotlib and, when recorded, the accuracy
        on a second y axis at the right (its Axes is ``ax.figure.axes[-1]``). ``ax``: the matplotlib Axes to
        draw on (default: a new figure). Returns the loss's Axes. Needs matplotlib (the ``examples`` extra)."""
        if ax is None:
            _, ax = require("matplotlib.pyplot", "History.plot()").subplots(figsize=(6, 4))
        epochs = np.arange(1, self.epochs + 1)
        ax.plot(epochs, self.loss, "o-" if self.epochs <= 50 else "-", color="tab:blue", label="loss")
        ax.set_xlabel("epoch")
        ax.set_ylabel("training loss", color="tab:blue")
        ax.set_title(f"{self.epochs} epochs, final loss {self.loss[-1]:.4g}" if self.loss else "no epoch run")
        if self.accuracy:
            right = ax.twinx()
            right.plot(epochs, self.accuracy, "--", color="tab:green", label="accuracy")
            right.set_ylabel("training accuracy", color="tab:green")
            right.set_ylim(0, 1.05)
        return ax


def model_engine(model: Any) -> str:
    """ "value" if the model's parameters are Values, "tensor" if they are Tensors (TypeError if mixed/none)."""
    params = model.parameters()
    kinds = {VALUE if isinstance(p, Value) else TENSOR for p in params}
    if len(kinds) != 1:
        raise TypeError(
            "fit: the model has no parameters" if not kinds else "fit: the model mixes Value and Tensor parameters"
        )
    return kinds.pop()


def _as_array(name: str, a: Any) -> np.ndarray:
    if isinstance(a, (Value, Tensor)):
        a = a.data
    try:
        arr = np.asarray(a)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"fit: {name} must be a numeric array: {exc}") from None
    if arr.dtype == object or arr.dtype.kind not in "biuf":
        raise ValueError(f"fit: {name} must be numeric, got dtype {arr.dtype}")
    if arr.size and not np.all(np.isfinite(arr)):
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise ValueError(f"fit: {name} contains NaN or Inf (first at index {tuple(int(i) for i in bad)})")
    return arr


def _make_optimizer(optimizer: Optimizer | str | None, model: Any, params: list[Any], lr: float) -> Optimizer:
    if isinstance(optimizer, Optimizer):
        _check_optimizer_params(optimizer, model, params)
        return optimizer
    if optimizer is None or optimizer == "sgd":
        return SGD(params, lr=lr)
    if optimizer == "adam":
        return Adam(params, lr=lr)
    raise ValueError(f"fit: optimizer must be an Optimizer, 'sgd' or 'adam', got {optimizer!r}")


def _check_optimizer_params(optimizer: Optimizer, model: Any, params: list[Any]) -> None:
    """Every parameter the optimizer steps must be one of the model's (a subset is fine: frozen layers)."""
    own = {id(p) for p in params}
    foreign = [i for i, p in enumerate(optimizer.params) if id(p) not in own]
    if foreign:
        raise ValueError(
            f"fit: the optimizer's parameters are not the model's: {len(foreign)} of its {len(optimizer.params)} "
            f"parameters (first: index {foreign[0]}) are not parameters of this {type(model).__name__}, so "
            f"training would not change the model; make it from the model, e.g. "
            f"{type(optimizer).__name__}(model.parameters(), lr=...)"
        )


def _output_activation(model: Any) -> str | None:
    layers = getattr(model, "layers", None)
    if isinstance(layers, Sequence) and layers:
        act = getattr(layers[-1], "activation", None)
        return act if isinstance(act, str) else None
    act = getattr(model, "activation", None)
    return act if isinstance(act, str) else None


def _binary_levels(y: np.ndarray) -> tuple[float, float] | None:
    vals = set(np.unique(y).tolist())
    if vals <= {0.0, 1.0}:
        return (0.0, 1.0)
    if vals <= {-1.0, 1.0}:
        return (-1.0, 1.0)
    return None


class _Scorer:
    """Counts correct predictions from a batch's outputs (rules chosen once from the loss and the targets)."""

    def __init__(self, loss_name: str | None, y: np.ndarray, width: int) -> None:
        self.width = width
        self.onehot = y.ndim == 2 and y.shape[1] > 1
        self.threshold = 0.5
        self.levels = (0.0, 1.0)
        if width == 1:
            if loss_name in ("binary_cross_entropy_with_logits", "hinge"):
                self.threshold = 0.0
                self.levels = (-1.0, 1.0) if loss_name == "hinge" else (0.0, 1.0)
            else:
                levels = _binary_levels(y) or (0.0, 1.0)
                self.levels = levels
                self.threshold = (levels[0] + levels[1]) / 2.0

    def correct(self, out: np.ndarray, y: np.ndarray) -> int:
        if self.width > 1:
            pred = np.argmax(out.reshape(len(y), self.width), axis=1)
            target = np.argmax(y, axis=1) if self.onehot else y.reshape(-1)
        else:
            lo, hi = self.levels
            pred = np.where(out.reshape(-1) >= self.threshold, hi, lo)
            target = y.reshape(-1)
        return int(np.sum(pred == target))


def _is_classification(loss_name: str | None, y: np.ndarray, width: int) -> bool:
    if loss_name in CLASSIFICATION_LOSSES:
        return True
    if width == 1:
        return _binary_levels(y) is not None
    return y.ndim == 2 and bool(np.all((y == 0) | (y == 1))) and bool(np.all(y.sum(axis=1) == 1))


def fit(
    model: Any,
    X: Any,
    y: Any,
    loss: str | Callable[..., Any] = "mse",
    optimizer: Optimizer | str | None = None,
    epochs: int = 100,
    batch_size: int | None = None,
    theta: float | None = None,
    lr: float = 0.1,
    seed: int | np.random.Generator | None = None,
    shuffle: bool = True,
    reduction: str = "mean",
    accuracy: bool | None = None,
    progress: bool = True,
    callback: Callable[[int, History], bool | None] | None = None,
    compile: bool = False,
) -> History:
    """Train ``model`` on (X, y) by backpropagation and gradient descent; returns a :class:`History`.

    Each update: J = loss(model(X_batch), y_batch), J.backward(), optimizer.step(), i.e.
    W <- W - eta dJ/dW (doc 000; doc 004), or doc 001's w <- w + eta delta x with delta = -dJ/dnet.

    * ``model``: a :class:`nn.module.Module` (e.g. ``MLP``) on either engine; its parameters are trained.
    * ``X``: (n_samples, n_in); ``y``: (n_samples,) or (n_samples, n_out), or integer class labels for
      ``cross_entropy`` / ``nll_loss``.
    * ``loss``: a name from ``nn.losses.LOSSES`` (called with ``reduction``) or a callable
      ``loss(output, target) -> scalar node`` (output: a Tensor (batch, n_out), or on the value engine a list
      with one output per sample).
    * ``optimizer``: an :class:`nn.optim.Optimizer` over the model's parameters (its state carries over
      between calls), or "sgd" (default) / "adam" made with learning rate ``lr`` (eta).
    * ``batch_size``: 1 (doc 001, Algorithm 1), k (Algorithm 2, reshuffled each epoch when ``shuffle``), or
      None (full batch). ``epochs``: the epoch limit. ``theta``: stop when ||grad J(w)|| < theta over the whole
      training set, checked after each epoch (doc 001's criterion); ``History.converged`` says whether it did.
    * ``seed``: int or Generator for the shuffling. ``accuracy``: record accuracy per epoch (default: for
      classification losses, or when the targets are binary 0/1, -1/+1 or one-hot).
    * ``progress``: a progress bar over the updates (``tqdm.auto``: a widget in Jupyter with ipywidgets, else
      text on stderr; tqdm is imported only then, and without it training goes on without a bar after one
      note). ``callback(epoch, history)`` runs after each epoch (e.g. to record a held-out accuracy, as the
      digit recognizer does); returning True stops training.
    * ``compile``: run each update's forward and backward pass as code generated by ``autograd_mini.compile``
      (traced once per batch size; same numbers as without it, bit for bit, and faster, notably on the value
      engine). A loss or model that cannot be compiled faithfully raises ``autograd_mini.TracingError``.

    The data are validated before any weight changes: non-numeric data, NaN/Inf in X or y, a wrong number of
    features or of targets, targets outside the output layer's range or labels outside 0..n_out-1 raise
    ValueError naming the problem, with the model untouched; so does an ``optimizer`` holding parameters that
    are not the model's. A loss that becomes NaN/Inf, or a finite loss whose gradient does (e.g. ``sqrt`` of a
    zero error), raises FloatingPointError naming it before the step that would spread it into the weights:
    the weights stay those of the last good step.
    """
    _check_arguments(epochs, batch_size, theta, reduction)
    loss_name, loss_fn = _loss_function(loss, reduction)
    engine = model_engine(model)
    params = model.parameters()
    opt = _make_optimizer(optimizer, model, params, lr)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    data = _prepare_data(model, engine, X, y, loss_name, loss_fn)
    classify = _is_classification(loss_name, data.y, data.width) if accuracy is None else bool(accuracy)
    trainer = _Trainer(
        model, data, loss_fn, opt, _Scorer(loss_name, data.y, data.width) if classify else None, reduction, compile
    )
    history = History(accuracy=[] if classify else None)
    n_batches = 1 if batch_size is None else math.ceil(data.n / batch_size)
    with _ProgressBar(progress, epochs * n_batches) as bar:
        for epoch in range(1, epochs + 1):
            trainer.run_epoch(epoch, _batches(data.n, batch_size, shuffle, rng), history, bar)
            if theta is not None:
                trainer.check_convergence(history, theta)
            bar.end_epoch(epoch, epochs, history)
            if history.converged or (callback is not None and callback(epoch, history)):
                break
    return history


# -- fit's steps ------------------------------------------------------------------------------------------------
def _check_arguments(epochs: Any, batch_size: Any, theta: Any, reduction: Any) -> None:
    positive_int("fit: epochs", epochs)
    if batch_size is not None:
        positive_int("fit: batch_size (or None for the full batch)", batch_size)
    if theta is not None and not (isinstance(theta, (int, float, np.number)) and theta > 0 and math.isfinite(theta)):
        raise ValueError(f"fit: theta must be a positive number or None, got {theta!r}")
    if reduction not in ("mean", "sum"):
        raise ValueError(f"fit: reduction must be 'mean' or 'sum', got {reduction!r}")


def _loss_function(loss: str | Callable[..., Any], reduction: str) -> tuple[str | None, Callable[..., Any]]:
    """(the loss's name or None for a callable, ``loss_fn(output, target) -> scalar node``)."""
    if isinstance(loss, str):
        base = get_loss(loss)

        def loss_fn(out: Any, target: Any) -> Any:
            return base(out, target, reduction=reduction)

        return loss, loss_fn
    if callable(loss):
        return None, loss
    raise TypeError(f"fit: loss must be a loss name or a callable, got {type(loss).__name__}")


@dataclass
class _Data:
    """The validated training data: X as an array of the parameters' dtype (and as lists of floats, ``rows``,
    on the value engine), y, and the width of the model's output layer."""

    engine: str
    X: np.ndarray
    rows: Any
    y: np.ndarray
    width: int

    @property
    def n(self) -> int:
        return int(self.X.shape[0])


def _prepare_data(model: Any, engine: str, X: Any, y: Any, loss_name: str | None, loss_fn: Callable[..., Any]) -> _Data:
    """Validate X and y against the model and the loss before anything changes (ValueError naming the
    problem)."""
    X_arr = _as_array("X", X)
    y_arr = _as_array("y", y)
    _check_shapes(X_arr, y_arr)
    if engine == TENSOR:
        dtype = next(p.data.dtype for p in model.parameters() if isinstance(p, Tensor))
        X_arr = X_arr.astype(dtype, copy=False)
        rows: Any = None
    else:
        X_arr = X_arr.astype(np.float64, copy=False)
        rows = X_arr.tolist()
    width = _output_width(model, engine, X_arr, rows)
    y_arr = _check_targets(model, loss_name, y_arr, width)
    with ag.no_grad():  # the loss's own target checks (shape, label range 0..n_out-1, domain) on all of y
        try:
            loss_fn(_dummy_output(engine, len(X_arr), width, X_arr.dtype), y_arr)
        except ValueError as exc:
            raise ValueError(
                f"fit: y does not fit the loss and the model's output layer ({width} units): {exc}"
            ) from None
    return _Data(engine, X_arr, rows, y_arr, width)


def _check_shapes(X: np.ndarray, y: np.ndarray) -> None:
    if X.ndim != 2:
        raise ValueError(f"fit: X must be 2-D (n_samples, n_in), got shape {X.shape}")
    n = X.shape[0]
    if n == 0:
        raise ValueError("fit: X has no samples")
    if y.ndim not in (1, 2) or y.shape[0] != n:
        raise ValueError(f"fit: y must have shape ({n},) or ({n}, n_out) to match X's {n} samples, got shape {y.shape}")


def _output_width(model: Any, engine: str, X: np.ndarray, rows: Any) -> int:
    """The number of output units, from one forward pass on the first sample (no graph recorded)."""
    with ag.no_grad():
        try:
            probe = model(X[:1]) if engine == TENSOR else model(rows[0])
        except ValueError as exc:
            raise ValueError(f"fit: X (shape {X.shape}) does not fit the model: {exc}") from None
    return _width(probe)


def _check_targets(model: Any, loss_name: str | None, y: np.ndarray, width: int) -> np.ndarray:
    """y's columns against the output layer and its activation's range; class labels as one column become
    (n,)."""
    labels = loss_name in ("cross_entropy", "nll_loss")
    if y.ndim == 2 and y.shape[1] != width and not (labels and y.shape[1] == 1):
        raise ValueError(f"fit: y has {y.shape[1]} columns but the model's output layer has {width} units")
    _check_output_range(model, loss_name, y)
    return y[:, 0] if labels and y.ndim == 2 and y.shape[1] == 1 else y


def _batches(n: int, batch_size: int | None, shuffle: bool, rng: np.random.Generator) -> list[np.ndarray]:
    """One epoch's mini-batches of sample indices: all at once (full batch), or the (reshuffled) order cut
    into pieces of ``batch_size`` (doc 001, Algorithms 1 and 2)."""
    if batch_size is None or batch_size >= n:
        return [np.arange(n)]
    order = rng.permutation(n) if shuffle else np.arange(n)
    return [order[i : i + batch_size] for i in range(0, n, batch_size)]


class _Trainer:
    """fit's update, as named steps: :meth:`forward_backward` (J on a batch, then J.backward()),
    :meth:`check_gradients` (every gradient finite), then the optimizer's step."""

    def __init__(
        self,
        model: Any,
        data: _Data,
        loss_fn: Callable[..., Any],
        opt: Optimizer,
        scorer: _Scorer | None,
        reduction: str,
        compiled: bool = False,
    ) -> None:
        self.model, self.data, self.loss_fn, self.opt = model, data, loss_fn, opt
        self.scorer, self.reduction = scorer, reduction
        self.programs: dict[int, Any] | None = {} if compiled else None  # batch size -> ag.compile's program
        self.cached: tuple[float, int] | None = None  # full batch + theta: the gradient already in .grad
        names = model.named_parameters() if callable(getattr(model, "named_parameters", None)) else []
        self.names = {id(p): name for name, p in names}

    def forward(self, idx: np.ndarray) -> tuple[Any, np.ndarray]:
        """The model's output on the samples ``idx`` and its numbers (one row per sample)."""
        d = self.data
        if d.engine == TENSOR:
            out = self.model(d.X[idx])
            return out, out.data
        outs = [self.model(d.rows[i]) for i in idx]
        return outs, np.array([[v.data for v in o] if isinstance(o, list) else o.data for o in outs])

    def forward_backward(self, idx: np.ndarray, epoch: int) -> tuple[float, int]:
        """Zero the gradients, J = loss(model(X[idx]), y[idx]), J.backward(); returns (J, correct
        predictions). A non-finite J raises FloatingPointError before backward."""
        self.opt.zero_grad()
        if self.programs is not None:
            value, out_data = self.compiled_forward_backward(idx)
            self.check_loss(value, epoch)
            return value, self._correct(out_data, idx)
        out, out_data = self.forward(idx)
        J = self.loss_fn(out, self.data.y[idx])
        value = float(J.data)
        self.check_loss(value, epoch)
        J.backward()
        return value, self._correct(out_data, idx)

    def check_loss(self, value: float, epoch: int) -> None:
        """FloatingPointError for a non-finite J, raised before the step (the weights keep their values)."""
        if not math.isfinite(value):
            raise FloatingPointError(
                f"fit: the loss became {value} in epoch {epoch}; the weights were not updated with it "
                f"(try a smaller learning rate than eta = {self.opt.lr})"
            )

    def _step_function(self) -> Callable[..., Any]:
        """J and the output as a function of one batch (x, y): what ``ag.compile`` traces."""
        model, loss_fn = self.model, self.loss_fn
        if self.data.engine == TENSOR:

            def step(x: Any, y: Any) -> Any:
                out = model(x)
                return loss_fn(out, y), out
        else:

            def step(x: Any, y: Any) -> Any:
                outs = [model(row) for row in x]
                return loss_fn(outs, y), outs

        return step

    def compiled_forward_backward(self, idx: np.ndarray) -> tuple[float, np.ndarray]:
        """J on the batch and the output's numbers, by the compiled program (which adds dJ/dp to every p.grad)."""
        assert self.programs is not None
        d = self.data
        if d.engine == TENSOR:
            x: Any = d.X[idx]
            y: Any = d.y[idx]
        else:
            x = [d.rows[i] for i in idx]
            y = d.y[idx] if d.y.dtype.kind in "iu" else d.y[idx].tolist()
        run = self.programs.get(len(idx))
        if run is None:
            try:
                run = self.programs[len(idx)] = ag.compile(self._step_function(), x, y)
            except ag.TracingError as exc:
                raise ag.TracingError(
                    f"fit(compile=True): this loss and model cannot be compiled faithfully ({exc}); "
                    "train with compile=False"
                ) from None
        J, out = run(x, y)
        return float(J), np.asarray(out, dtype=np.float64).reshape(len(idx), -1)

    def _correct(self, out_data: np.ndarray, idx: np.ndarray) -> int:
        return self.scorer.correct(out_data, self.data.y[idx]) if self.scorer is not None else 0

    def check_gradients(self, epoch: int) -> None:
        """FloatingPointError naming the first parameter whose gradient holds NaN or Inf; raised before the
        step, so the weights keep their last finite values."""
        for i, p in enumerate(self.opt.params):
            g = p.grad
            if g is None:
                continue
            g = g.data if isinstance(g, (Value, Tensor)) else g
            if isinstance(g, float) and math.isfinite(g) or not isinstance(g, float) and np.isfinite(g).all():
                continue
            bad = np.asarray(g, dtype=np.float64)
            what = "NaN" if np.isnan(bad).any() else "Inf"
            name = self.names.get(id(p), f"optimizer parameter {i}")
            raise FloatingPointError(
                f"fit: the gradient of {name} (shape {np.shape(bad)}) contains {what} in epoch {epoch} although "
                f"the loss is finite (a derivative that is infinite or undefined at this point, e.g. sqrt at 0); "
                f"the weights were not updated with it"
            )

    def run_epoch(self, epoch: int, batches: list[np.ndarray], history: History, bar: _ProgressBar) -> None:
        """One pass over the data: per batch forward_backward, check_gradients, the optimizer's step."""
        total, hits = 0.0, 0
        for idx in batches:
            value, correct = self.cached if self.cached is not None else self.forward_backward(idx, epoch)
            self.cached = None
            self.check_gradients(epoch)
            self.opt.step()
            total += value * (len(idx) if self.reduction == "mean" else 1)
            hits += correct
            bar.update()
        n = self.data.n
        history.loss.append(total / n if self.reduction == "mean" else total)
        history.updates.append(len(batches))
        if history.accuracy is not None:
            history.accuracy.append(hits / n)

    def check_convergence(self, history: History, theta: float) -> None:
        """doc 001's criterion ||grad J(w)|| < theta on the whole training set at the current weights. With one
        batch per epoch that gradient is the next update's, so it is kept (``cached``)."""
        self.opt.zero_grad()
        all_idx = np.arange(self.data.n)
        out, out_data = self.forward(all_idx)
        J = self.loss_fn(out, self.data.y)
        J.backward()
        g = grad_norm(self.model.parameters())
        history.grad_norm.append(g)
        if history.updates[-1] == 1 and math.isfinite(float(J.data)):
            self.cached = (float(J.data), self._correct(out_data, all_idx))
        history.converged = g < theta


def _width(out: Any) -> int:
    if isinstance(out, Tensor):
        return 1 if out.ndim < 2 else int(out.shape[-1])
    if isinstance(out, (list, tuple)):
        return len(out)
    return 1


def _dummy_output(engine: str, n: int, width: int, dtype: Any) -> Any:
    """A constant output of the model's shape (n samples), 0.5 everywhere (inside every loss's domain)."""
    if engine == TENSOR:
        return Tensor(np.full((n, width), 0.5, dtype=dtype))
    if width == 1:
        return [Value(0.5, requires_grad=False) for _ in range(n)]
    return [[Value(0.5, requires_grad=False) for _ in range(width)] for _ in range(n)]


def _check_output_range(model: Any, loss_name: str | None, y: np.ndarray) -> None:
    act = _output_activation(model)
    if loss_name not in _DIRECT_LOSSES or act not in ACTIVATION_RANGES:
        return
    lo, hi = ACTIVATION_RANGES[act]
    if y.size and (y.min() < lo or y.max() > hi):
        raise ValueError(
            f"fit: targets must lie in [{lo:g}, {hi:g}], the range of the output layer's {act!r} "
            f"activation; got values in [{y.min():g}, {y.max():g}]"
        )


_said_no_tqdm = False  # fit(progress=True) without tqdm says so once per process, not once per call


def _tqdm() -> Any | None:
    """``tqdm.auto.tqdm`` (a widget in Jupyter with ipywidgets, else the text bar), or None without tqdm.

    tqdm.auto warns when it runs in a notebook without ipywidgets ("IProgress not found") and falls back to
    the text bar, which works: that warning is silenced. A missing tqdm prints one line, the first time."""
    global _said_no_tqdm
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*IProgress not found.*")
            warnings.filterwarnings("ignore", message=".*notebook mode.*")
            return require("tqdm.auto", "the progress bar (progress=True)").tqdm
    except ImportError as exc:
        if not _said_no_tqdm:
            _said_no_tqdm = True
            print(f"note: training without a progress bar: {exc}", file=sys.stderr)
        return None


class _ProgressBar:
    """fit's progress bar over the updates (a context manager; does nothing when off or without tqdm)."""

    def __init__(self, on: bool, total: int) -> None:
        tqdm = _tqdm() if on else None
        self.bar = tqdm(total=total, desc="fit", unit="batch") if tqdm is not None else None

    def __enter__(self) -> _ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.close()

    def update(self) -> None:
        if self.bar is not None:
            self.bar.update(1)

    def end_epoch(self, epoch: int, epochs: int, history: History) -> None:
        if self.bar is None:
            return
        post = {"epoch": f"{epoch}/{epochs}", "loss": f"{history.loss[-1]:.4g}"}
        if history.accuracy:
            post["acc"] = f"{history.accuracy[-1]:.3f}"
        self.bar.set_postfix(post, refresh=False)

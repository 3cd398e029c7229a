"""scikit-learn-style estimators: :class:`MLPClassifier` and :class:`MLPRegressor` on the tensor engine.

They follow scikit-learn's estimator contract without importing scikit-learn: ``__init__`` only stores its
arguments, ``get_params``/``set_params`` are read off the ``__init__`` signature (``sklearn.base.clone``,
``GridSearchCV`` and ``cross_val_score`` work), ``fit`` returns ``self``, fitted attributes end in ``_``.
The names and defaults of the arguments are scikit-learn's ``MLPClassifier``/``MLPRegressor``'s.

Inside: an ``nn.layers.MLP`` (``engine="tensor"``) trained by :func:`nn.train.fit` by backpropagation with
Adam or SGD (doc 001, Algorithm 2: mini-batches reshuffled each epoch). The loss minimised is scikit-learn's:

* classifier: softmax cross-entropy J = -(1/B) sum_i log softmax(n^l_i)[y_i] (doc 001), one output unit per
  class (also for two classes);
* regressor: half squared error J = 1/(2 B k) sum_i ||t_i - a^l_i||^2 (docs 001-004's 1/2 ||t - z||^2,
  averaged over the B samples and k outputs) with a linear output layer;

plus the L2 penalty (alpha / (2 B)) sum_k ||W^k||^2 on the weights (not the biases).
Training stops after ``max_iter`` epochs, when the epoch loss has not improved by at least ``tol`` for
``n_iter_no_change`` consecutive epochs (scikit-learn's rule), or when ||grad J(w)|| < ``theta`` (doc 001's
criterion, off by default).
"""

from __future__ import annotations

import functools
import importlib
import inspect
import sys
import warnings
from types import SimpleNamespace
from typing import Any

import numpy as np

from autograd_mini import Tensor, no_grad

from .layers import MLP
from .losses import cross_entropy, half_squared_error
from .module import TENSOR
from .optim import SGD, Adam, Optimizer
from .train import History
from .train import fit as train_fit

__all__ = ["DataConversionWarning", "MLPClassifier", "MLPRegressor", "NotFittedError"]


class NotFittedError(ValueError, AttributeError):
    """Raised when ``predict`` & co. are called before ``fit`` (like scikit-learn's, a ValueError and an
    AttributeError). When scikit-learn is installed the error raised is also an instance of
    ``sklearn.exceptions.NotFittedError``."""


class DataConversionWarning(UserWarning):
    """A column-vector y given where a 1-d array is expected (scikit-learn's warning; with scikit-learn
    installed the warning issued is also an instance of ``sklearn.exceptions.DataConversionWarning``)."""


@functools.cache
def _with_sklearn(ours: type) -> type:
    """``ours``, or, when scikit-learn is installed, a class deriving from it and from scikit-learn's class of
    the same name in ``sklearn.exceptions`` (so both ``except`` clauses catch it). Imported only when an error
    or warning is raised: nn never needs scikit-learn."""
    try:
        theirs = getattr(importlib.import_module("sklearn.exceptions"), ours.__name__)
    except (ImportError, AttributeError):
        return ours
    return type(ours.__name__, (ours, theirs), {"__module__": ours.__module__, "__doc__": ours.__doc__})


class _BaseMLP:
    """Shared machinery of the two estimators (parameters, training loop, sklearn protocol)."""

    _estimator_type = "none"  # scikit-learn < 1.6 reads this; >= 1.6 reads __sklearn_tags__

    def __init__(
        self,
        hidden_layer_sizes: tuple[int, ...] | list[int] | int = (100,),
        activation: str = "relu",
        solver: str = "adam",
        alpha: float = 1e-4,
        batch_size: int | str = "auto",
        learning_rate_init: float = 1e-3,
        max_iter: int = 200,
        shuffle: bool = True,
        random_state: int | np.random.Generator | None = None,
        tol: float = 1e-4,
        momentum: float = 0.9,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        n_iter_no_change: int = 10,
        theta: float | None = None,
        init: str = "glorot",
        verbose: bool = False,
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.momentum = momentum
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.theta = theta
        self.init = init
        self.verbose = verbose

    # -- scikit-learn's parameter protocol ----------------------------------------------------------------
    @classmethod
    def _get_param_names(cls) -> list[str]:
        sig = inspect.signature(cls.__init__)
        return sorted(
            p.name
            for p in sig.parameters.values()
            if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        )

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor arguments as a dict (``deep`` is accepted for compatibility; there are no
        sub-estimators)."""
        return {name: getattr(self, name) for name in self._get_param_names()}

    def set_params(self, **params: Any) -> Any:
        """Set constructor arguments by name; an unknown name raises ValueError listing the valid ones.
        Takes effect at the next ``fit``."""
        valid = self._get_param_names()
        for name, value in params.items():
            if name not in valid:
                raise ValueError(
                    f"invalid parameter {name!r} for {type(self).__name__}; valid parameters: {', '.join(valid)}"
                )
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        sig = inspect.signature(type(self).__init__)
        changed = []
        for name in self._get_param_names():
            default = sig.parameters[name].default
            value = getattr(self, name)
            if value is not default and not (type(value) is type(default) and value == default):
                changed.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(changed)})"

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "model_")

    def __sklearn_tags__(self) -> Any:
        """scikit-learn's estimator tags, built from scikit-learn's own classes when scikit-learn is loaded
        (it is the caller); nn never imports it."""
        kind = self._estimator_type
        sk = sys.modules.get("sklearn.utils")
        if sk is not None and hasattr(sk, "Tags"):
            tags = sk.Tags(
                estimator_type=kind,
                target_tags=sk.TargetTags(required=True, multi_output=kind == "regressor"),
                input_tags=sk.InputTags(),
            )
            if kind == "classifier":
                tags.classifier_tags = sk.ClassifierTags()
            else:
                tags.regressor_tags = sk.RegressorTags()
            return tags
        return SimpleNamespace(
            estimator_type=kind,
            target_tags=SimpleNamespace(required=True),
            input_tags=SimpleNamespace(pairwise=False, sparse=False, allow_nan=False),
            classifier_tags=None,
            regressor_tags=None,
            requires_fit=True,
        )

    # -- validation -------------------------------------------------------------------------------------------
    def _check_params(self) -> tuple[list[int], str]:
        hls = self.hidden_layer_sizes
        sizes = [hls] if isinstance(hls, (int, np.integer)) else list(hls)
        if any(isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 1 for s in sizes):
            raise ValueError(f"hidden_layer_sizes must be positive integers, got {hls!r}")
        if self.solver not in ("adam", "sgd"):
            raise ValueError(f"solver must be 'adam' or 'sgd', got {self.solver!r}")
        if self.activation == "logistic":
            act = "sigmoid"  # scikit-learn's name
        elif self.activation == "identity":
            act = "linear"
        else:
            act = self.activation
        if act not in ("relu", "tanh", "sigmoid", "linear", "leaky_relu"):
            raise ValueError(
                f"activation must be one of 'relu', 'tanh', 'logistic'/'sigmoid', 'identity'/'linear', "
                f"'leaky_relu'; got {self.activation!r}"
            )
        if not (isinstance(self.max_iter, (int, np.integer)) and self.max_iter >= 1):
            raise ValueError(f"max_iter must be a positive integer, got {self.max_iter!r}")
        if not (self.alpha >= 0):
            raise ValueError(f"alpha must be >= 0, got {self.alpha!r}")
        if not (self.learning_rate_init > 0):
            raise ValueError(f"learning_rate_init must be > 0, got {self.learning_rate_init!r}")
        bs = self.batch_size
        if bs != "auto" and (isinstance(bs, bool) or not isinstance(bs, (int, np.integer)) or bs < 1):
            raise ValueError(f"batch_size must be 'auto' or a positive integer, got {bs!r}")
        return [int(s) for s in sizes], act

    def _check_X(self, X: Any, fitted: bool) -> np.ndarray:
        name = type(self).__name__
        if hasattr(X, "toarray") and hasattr(X, "nnz"):
            raise TypeError(f"{name}: sparse input is not supported; pass a dense array (X.toarray())")
        raw = np.asarray(X)
        if raw.dtype.kind == "c":
            raise ValueError(f"{name}: Complex data not supported")
        try:
            X_arr = np.asarray(raw, dtype=np.float64)
        except (TypeError, ValueError) as exc:  # TypeError for objects that are not numbers, as scikit-learn
            raise type(exc)(f"{name}: X must be a numeric array: {exc}") from None
        if X_arr.ndim != 2:
            raise ValueError(
                f"{name}: X must be 2-D (n_samples, n_features), got shape {X_arr.shape}. Reshape your "
                "data with X.reshape(-1, 1) if it has a single feature or X.reshape(1, -1) if it is "
                "a single sample"
            )
        if X_arr.shape[0] == 0:
            raise ValueError(f"{name}: X has 0 sample(s) (shape={X_arr.shape}) while a minimum of 1 is required.")
        if X_arr.shape[1] == 0:
            raise ValueError(f"{name}: X has 0 feature(s) (shape={X_arr.shape}) while a minimum of 1 is required.")
        if not np.all(np.isfinite(X_arr)):
            raise ValueError(f"{name}: X contains NaN or Inf")
        if fitted and X_arr.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X_arr.shape[1]} features, but {name} is expecting {self.n_features_in_} features as input."
            )
        return X_arr

    def _check_fitted(self) -> None:
        if not hasattr(self, "model_"):
            raise _with_sklearn(NotFittedError)(
                f"This {type(self).__name__} instance is not fitted yet. Call 'fit' with appropriate arguments "
                "before using this estimator."
            )

    # -- training ---------------------------------------------------------------------------------------------
    def _n_outputs_for(self, y: np.ndarray) -> int:  # pragma: no cover - abstract
        raise NotImplementedError

    def _base_loss(self, out: Tensor, target: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def _initialize(self, n_features: int, n_outputs: int) -> None:
        sizes, act = self._check_params()
        self._rng = (
            np.random.default_rng(self.random_state)
            if not isinstance(self.random_state, np.random.Generator)
            else self.random_state
        )
        self.model_ = MLP(
            n_features,
            [*sizes, n_outputs],
            activation=act,
            output_activation="linear",
            engine=TENSOR,
            init=self.init,
            seed=self._rng,
        )
        params = self.model_.parameters()
        self.optimizer_: Optimizer
        if self.solver == "adam":
            self.optimizer_ = Adam(
                params, lr=self.learning_rate_init, betas=(self.beta_1, self.beta_2), eps=self.epsilon
            )
        else:
            self.optimizer_ = SGD(params, lr=self.learning_rate_init, momentum=self.momentum)
        self.n_features_in_ = n_features
        self.n_outputs_ = n_outputs
        self.loss_curve_: list[float] = []
        self.best_loss_ = np.inf
        self.n_iter_ = 0
        self.converged_ = False
        self._no_improvement = 0

    def _loss(self, out: Tensor, target: Any) -> Any:
        J = self._base_loss(out, target)
        if self.alpha:
            batch = out.shape[0]
            penalty = sum(((layer.weight * layer.weight).sum() for layer in self.model_.layers), Tensor(0.0))
            J = J + penalty * (0.5 * self.alpha / batch)
        return J

    def _train(self, X: np.ndarray, y: np.ndarray, epochs: int, stop_early: bool) -> History:
        bs = min(200, X.shape[0]) if self.batch_size == "auto" else min(int(self.batch_size), X.shape[0])

        def callback(epoch: int, history: History) -> bool:
            loss = history.loss[-1]
            self.loss_curve_.append(loss)
            self.n_iter_ += 1
            if loss > self.best_loss_ - self.tol:  # scikit-learn's no-improvement rule
                self._no_improvement += 1
            else:
                self._no_improvement = 0
            self.best_loss_ = min(self.best_loss_, loss)
            return stop_early and self._no_improvement > self.n_iter_no_change

        history = train_fit(
            self.model_,
            X,
            y,
            loss=self._loss,
            optimizer=self.optimizer_,
            epochs=epochs,
            batch_size=bs,
            theta=self.theta,
            seed=self._rng,
            shuffle=bool(self.shuffle),
            accuracy=False,
            progress=bool(self.verbose),
            callback=callback,
        )
        for layer in self.model_.layers:  # drop the last batch's graph (keeps the estimator picklable)
            layer.n = layer.a = None
        if history.converged:  # theta stopped it before the callback ran for the last epoch
            callback(history.epochs, history)
            self.converged_ = True
        elif stop_early:
            self.converged_ = self._no_improvement > self.n_iter_no_change
        self.history_ = history
        return history

    def _raw_output(self, X: Any) -> np.ndarray:
        self._check_fitted()
        X_arr = self._check_X(X, fitted=True)
        with no_grad():
            out = self.model_(X_arr)
        return np.asarray(out.data, dtype=np.float64)


def _column_to_1d(y: np.ndarray) -> np.ndarray:
    """A column vector (n, 1) as (n,), with scikit-learn's DataConversionWarning; anything else unchanged."""
    if y.ndim == 2 and y.shape[1] == 1:
        warnings.warn(
            "A column-vector y was passed when a 1d array was expected. Please change the shape of y "
            "to (n_samples, ), for example using ravel().",
            _with_sklearn(DataConversionWarning),
            stacklevel=4,
        )
        return y[:, 0]
    return y


def _as_target(name: str, y: Any) -> np.ndarray:
    if y is None:
        raise ValueError(f"{name} requires y to be passed, but the target y is None")
    arr = np.asarray(y)
    if arr.dtype == object:
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError):
            arr = np.asarray(y, dtype=str)
    if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name}: y contains NaN or Inf")
    return arr


class MLPClassifier(_BaseMLP):
    """Multilayer-perceptron classifier, scikit-learn's API: softmax cross-entropy on one output unit per class
    (doc 001), trained by backprop with Adam (default) or SGD on shuffled mini-batches (doc 001, Algorithm 2).

    Fitted attributes: ``classes_`` (sorted labels), ``model_`` (the ``nn.layers.MLP``), ``optimizer_``,
    ``loss_curve_`` (loss per epoch, all fit/partial_fit calls since the last fit), ``n_iter_``,
    ``converged_``, ``n_features_in_``, ``history_`` (the last :class:`nn.train.History`).
    """

    _estimator_type = "classifier"

    def _n_outputs_for(self, y: np.ndarray) -> int:
        return len(self.classes_)

    def _base_loss(self, out: Tensor, target: Any) -> Any:
        return cross_entropy(out, target, reduction="mean")

    def _encode(self, y: Any, n: int) -> np.ndarray:
        arr = _column_to_1d(_as_target(type(self).__name__, y))
        if arr.ndim != 1 or arr.shape[0] != n:
            raise ValueError(f"{type(self).__name__}: y must have shape ({n},), got {np.shape(y)}")
        idx = np.searchsorted(self.classes_, arr)
        idx = np.clip(idx, 0, len(self.classes_) - 1)
        unknown = self.classes_[idx] != arr
        if np.any(unknown):
            raise ValueError(
                f"{type(self).__name__}: y contains labels not in classes_ {self.classes_.tolist()}: "
                f"{np.unique(arr[unknown]).tolist()}"
            )
        return idx

    def fit(self, X: Any, y: Any) -> MLPClassifier:
        """Fit from scratch: X (n_samples, n_features), y (n_samples,) labels of any sortable type."""
        X_arr = self._check_X(X, fitted=False)
        y_arr = _column_to_1d(_as_target(type(self).__name__, y))
        if y_arr.ndim != 1 or y_arr.shape[0] != X_arr.shape[0]:
            raise ValueError(f"{type(self).__name__}: y must have shape ({X_arr.shape[0]},), got {np.shape(y)}")
        if y_arr.dtype.kind == "f" and not np.all(np.mod(y_arr, 1) == 0):
            raise ValueError(
                f"{type(self).__name__}: Unknown label type: continuous target (non-integer floats); "
                "use MLPRegressor for regression"
            )
        classes = np.unique(y_arr)
        if len(classes) < 2:
            raise ValueError(f"{type(self).__name__}: y needs at least 2 classes, got one class {classes.tolist()}")
        self.classes_ = classes
        codes = self._encode(y_arr, X_arr.shape[0])
        self._initialize(X_arr.shape[1], len(classes))
        self._train(X_arr, codes, self.max_iter, stop_early=True)
        return self

    def partial_fit(self, X: Any, y: Any, classes: Any = None) -> MLPClassifier:
        """One epoch on (X, y), continuing from the current weights and optimizer state. The first call
        (before any fit) fixes ``classes_`` from ``classes`` (all labels that will ever occur) or, if None,
        from y."""
        X_arr = self._check_X(X, fitted=hasattr(self, "model_"))
        if not hasattr(self, "model_"):
            labels = _as_target(type(self).__name__, y if classes is None else classes)
            self.classes_ = np.unique(labels)
            if len(self.classes_) < 2:
                raise ValueError(
                    f"{type(self).__name__}: partial_fit needs at least 2 classes, "
                    f"got {self.classes_.tolist()} (pass classes=...)"
                )
            codes = self._encode(y, X_arr.shape[0])
            self._initialize(X_arr.shape[1], len(self.classes_))
        else:
            if classes is not None and not np.array_equal(np.unique(np.asarray(classes)), self.classes_):
                raise ValueError(
                    f"{type(self).__name__}: classes {np.unique(np.asarray(classes)).tolist()} differ "
                    f"from classes_ {self.classes_.tolist()} of the first call"
                )
            codes = self._encode(y, X_arr.shape[0])
        self._train(X_arr, codes, 1, stop_early=False)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities softmax(n^l) (doc 001), shape (n_samples, n_classes), columns in classes_ order."""
        return Tensor(self._raw_output(X)).softmax(axis=1).data  # the engine's one stable softmax

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """log softmax(n^l), computed stably (the engine's log_softmax)."""
        return Tensor(self._raw_output(X)).log_softmax(axis=1).data

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class for each sample (argmax of the output layer)."""
        out = self._raw_output(X)
        return self.classes_[np.argmax(out, axis=1)]

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Mean accuracy (weighted by ``sample_weight`` if given)."""
        pred = self.predict(X)
        y_arr = np.asarray(y).reshape(-1)
        if y_arr.shape != pred.shape:
            raise ValueError(f"{type(self).__name__}.score: y must have shape {pred.shape}, got {np.shape(y)}")
        return float(np.average(pred == y_arr, weights=sample_weight))


class MLPRegressor(_BaseMLP):
    """Multilayer-perceptron regressor, scikit-learn's API: a linear output layer and the half squared error
    1/2 ||t - z||^2 (docs 001-004), averaged over samples and outputs, trained by backprop with Adam (default)
    or SGD on shuffled mini-batches (doc 001, Algorithm 2). ``score`` is R^2.

    Fitted attributes: ``model_``, ``optimizer_``, ``loss_curve_``, ``n_iter_``, ``converged_``,
    ``n_features_in_``, ``n_outputs_``, ``history_``.
    """

    _estimator_type = "regressor"

    def _n_outputs_for(self, y: np.ndarray) -> int:
        return 1 if y.ndim == 1 else y.shape[1]

    def _base_loss(self, out: Tensor, target: Any) -> Any:
        return half_squared_error(out, target, reduction="mean")

    def _check_y(self, y: Any, n: int) -> np.ndarray:
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target y is None")
        try:
            y_arr = np.asarray(y, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{type(self).__name__}: y must be numeric: {exc}") from None
        if y_arr.ndim not in (1, 2) or y_arr.shape[0] != n:
            raise ValueError(f"{type(self).__name__}: y must have shape ({n},) or ({n}, n_outputs), got {y_arr.shape}")
        if not np.all(np.isfinite(y_arr)):
            raise ValueError(f"{type(self).__name__}: y contains NaN or Inf")
        return y_arr

    def fit(self, X: Any, y: Any) -> MLPRegressor:
        """Fit from scratch: X (n_samples, n_features), y (n_samples,) or (n_samples, n_outputs)."""
        X_arr = self._check_X(X, fitted=False)
        y_arr = self._check_y(y, X_arr.shape[0])
        self._y_1d = y_arr.ndim == 1
        self._initialize(X_arr.shape[1], self._n_outputs_for(y_arr))
        self._train(X_arr, y_arr, self.max_iter, stop_early=True)
        return self

    def partial_fit(self, X: Any, y: Any) -> MLPRegressor:
        """One epoch on (X, y), continuing from the current weights and optimizer state."""
        fitted = hasattr(self, "model_")
        X_arr = self._check_X(X, fitted=fitted)
        y_arr = self._check_y(y, X_arr.shape[0])
        if not fitted:
            self._y_1d = y_arr.ndim == 1
            self._initialize(X_arr.shape[1], self._n_outputs_for(y_arr))
        elif self._n_outputs_for(y_arr) != self.n_outputs_:
            raise ValueError(
                f"{type(self).__name__}: y has {self._n_outputs_for(y_arr)} outputs, the model {self.n_outputs_}"
            )
        self._train(X_arr, y_arr, 1, stop_early=False)
        return self

    def predict(self, X: Any) -> np.ndarray:
        """The network's output a^l: shape (n_samples,) if fitted on 1-D y, else (n_samples, n_outputs)."""
        out = self._raw_output(X)
        return out[:, 0] if self._y_1d and out.shape[1] == 1 else out

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Coefficient of determination R^2 = 1 - sum (t - z)^2 / sum (t - mean t)^2, averaged over outputs
        (scikit-learn's r2_score; 1.0 for a perfect fit of a constant target, 0.0 otherwise)."""
        pred = self.predict(X).reshape(len(X), -1)
        t = np.asarray(y, dtype=np.float64).reshape(len(X), -1)
        w = np.ones(len(t)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        w = w[:, None]
        ss_res = np.sum(w * (t - pred) ** 2, axis=0)
        ss_tot = np.sum(w * (t - np.average(t, axis=0, weights=w[:, 0])) ** 2, axis=0)
        r2 = np.where(ss_tot > 0, 1.0 - ss_res / np.where(ss_tot > 0, ss_tot, 1.0), np.where(ss_res == 0, 1.0, 0.0))
        return float(np.mean(r2))

"""The single-layer perceptron (SLP) trained by the perceptron learning rule (doc 000; doc 001).

Row-vector notation of doc 000: for a sample x (1 x n),

    n = b + x W            (doc 000, eq. 3; W is n x p, b is 1 x p)
    a = f(n)               (eq. 5), f = HardLimit: 1 if n >= 0 else 0 (eq. 4), or sign: +1 if n >= 0 else -1
                           (doc 001's perceptron)
    theta <- theta + eta [1 x]^T (y - a)      with theta = [b; W], (n+1) x p     (doc 000, eqs. 6-7)

i.e. b <- b + eta (y - a) and W <- W + eta x^T (y - a), one sample at a time. The rule needs no gradient
(HardLimit's derivative is 0 almost everywhere), so this model is plain numpy; the step functions are the
engine's own ``hardlimit``/``sign`` ops, so it agrees with a HardLimit layer of ``nn.layers``.
It converges (an epoch without a single error) whenever the data are linearly separable (AND, OR); on XOR it
cannot, and stops after ``max_epochs`` with ``converged_ = False``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_mini import Tensor

from .checks import positive_int

__all__ = ["Perceptron"]

_OUTPUTS = {"hardlimit": (0.0, 1.0), "sign": (-1.0, 1.0)}
_INITS = ("zeros", "uniform")


class Perceptron:
    """Single-layer perceptron with ``n_out`` units and step outputs, trained by doc 000's eq. 6.

    Parameters: ``n_in`` inputs, ``n_out`` units; ``output`` "hardlimit" (targets 0/1, doc 000 eq. 4) or
    "sign" (targets -1/+1, doc 001); ``eta`` the learning rate; ``max_epochs`` the epoch limit; ``init``
    "zeros" (W = 0, b = 0, the classic start, deterministic) or "uniform" (U(-1, 1) from ``seed``);
    ``shuffle``: present the samples in a new random order (from ``seed``) each epoch, as doc 001's
    "randomly chosen pattern", instead of in the given order.

    After :meth:`fit`: ``W`` (n_in, n_out), ``b`` (n_out,), ``converged_`` (True iff the last epoch made no
    error), ``n_epochs_`` (epochs run), ``errors_`` (number of misclassified samples, i.e. of updates, in each
    epoch).
    """

    def __init__(
        self,
        n_in: int,
        n_out: int = 1,
        output: str = "hardlimit",
        eta: float = 1.0,
        max_epochs: int = 100,
        seed: int | None = None,
        init: str = "zeros",
        shuffle: bool = False,
    ) -> None:
        positive_int("Perceptron: n_in", n_in)
        positive_int("Perceptron: n_out", n_out)
        if output not in _OUTPUTS:
            raise ValueError(f"Perceptron: output must be one of {sorted(_OUTPUTS)}, got {output!r}")
        if not np.isfinite(eta) or eta <= 0:
            raise ValueError(f"Perceptron: eta must be a positive number, got {eta!r}")
        positive_int("Perceptron: max_epochs", max_epochs)
        if init not in _INITS:
            raise ValueError(f"Perceptron: init must be one of {list(_INITS)}, got {init!r}")
        self.n_in = int(n_in)
        self.n_out = int(n_out)
        self.output = output
        self.eta = float(eta)
        self.max_epochs = int(max_epochs)
        self.seed = seed
        self.init = init
        self.shuffle = shuffle
        self._rng = np.random.default_rng(seed)
        if init == "zeros":
            self.W = np.zeros((self.n_in, self.n_out))
            self.b = np.zeros(self.n_out)
        else:
            self.W = self._rng.uniform(-1.0, 1.0, size=(self.n_in, self.n_out))
            self.b = self._rng.uniform(-1.0, 1.0, size=self.n_out)
        self.converged_ = False
        self.n_epochs_ = 0
        self.errors_: list[int] = []

    # -- the model -----------------------------------------------------------------------------------
    def set_weights(self, W: Any, b: Any) -> None:
        """Set W (n_in, n_out) and b (n_out,) exactly, e.g. doc 000's hand-designed AND: W = [1 1]^T,
        b = -1.5. A scalar b is allowed when n_out = 1."""
        W_arr = np.array(W, dtype=np.float64)
        if W_arr.ndim == 1 and self.n_out == 1:
            W_arr = W_arr.reshape(-1, 1)
        b_arr = np.array(b, dtype=np.float64).reshape(-1)
        if W_arr.shape != (self.n_in, self.n_out):
            raise ValueError(f"Perceptron.set_weights: W must have shape {(self.n_in, self.n_out)}, got {W_arr.shape}")
        if b_arr.shape != (self.n_out,):
            raise ValueError(f"Perceptron.set_weights: b must have shape {(self.n_out,)}, got {b_arr.shape}")
        if not (np.all(np.isfinite(W_arr)) and np.all(np.isfinite(b_arr))):
            raise ValueError("Perceptron.set_weights: W and b must be finite (found NaN or Inf)")
        self.W, self.b = W_arr, b_arr

    def _f(self, n: np.ndarray) -> np.ndarray:
        t = Tensor(n)
        return (t.hardlimit() if self.output == "hardlimit" else t.sign()).data

    def net_input(self, X: Any) -> np.ndarray:
        """n = b + X W for a batch X (n_samples, n_in) (doc 000, eq. 3, one row per sample)."""
        X_arr = self._check_X(X, "net_input")
        return self.b + X_arr @ self.W

    def predict(self, X: Any) -> np.ndarray:
        """a = f(b + X W) (doc 000, eq. 5): shape (n_samples,) when n_out = 1, else (n_samples, n_out)."""
        a = self._f(self.net_input(X))
        return a[:, 0] if self.n_out == 1 else a

    def score(self, X: Any, y: Any) -> float:
        """Fraction of samples whose every output equals its target."""
        X_arr = self._check_X(X, "score")
        Y = self._check_y(y, X_arr.shape[0], "score")
        a = self._f(self.b + X_arr @ self.W)
        return float(np.mean(np.all(a == Y, axis=1)))

    # -- training ------------------------------------------------------------------------------------
    def fit(self, X: Any, y: Any) -> Perceptron:
        """Train with the perceptron rule, one sample at a time (doc 000, eq. 6):

            a = f(b + x W);   b <- b + eta (y - a);   W <- W + eta x^T (y - a)

        until an epoch passes with no error (``converged_ = True``) or after ``max_epochs`` epochs
        (``converged_ = False``; never an exception, e.g. on XOR). Continues from the current weights. The data
        are validated first (shape, NaN/Inf, labels in {0, 1} or {-1, +1}); on a ValueError nothing changes.
        """
        X_arr = self._check_X(X, "fit")
        Y = self._check_y(y, X_arr.shape[0], "fit")
        n = X_arr.shape[0]
        self.errors_ = []
        self.converged_ = False
        self.n_epochs_ = 0
        for _ in range(self.max_epochs):
            order = self._rng.permutation(n) if self.shuffle else np.arange(n)
            errors = 0
            for i in order:
                x = X_arr[i]
                a = self._f(self.b + x @ self.W)
                e = Y[i] - a  # y - a
                if np.any(e != 0):
                    errors += 1
                    self.b = self.b + self.eta * e  # theta's first row: [1 x]^T (y - a)
                    self.W = self.W + self.eta * np.outer(x, e)  # the other rows: x^T (y - a)
            self.errors_.append(errors)
            self.n_epochs_ += 1
            if errors == 0:
                self.converged_ = True
                break
        return self

    # -- validation ----------------------------------------------------------------------------------
    def _check_X(self, X: Any, where: str) -> np.ndarray:
        try:
            X_arr = np.array(X, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"Perceptron.{where}: X must be numeric, got {type(X).__name__}") from None
        if X_arr.ndim != 2 or X_arr.shape[1] != self.n_in:
            raise ValueError(f"Perceptron.{where}: X must have shape (n_samples, {self.n_in}), got {X_arr.shape}")
        if X_arr.shape[0] == 0:
            raise ValueError(f"Perceptron.{where}: X has no samples")
        if not np.all(np.isfinite(X_arr)):
            raise ValueError(f"Perceptron.{where}: X contains NaN or Inf")
        return X_arr

    def _check_y(self, y: Any, n: int, where: str) -> np.ndarray:
        try:
            Y = np.array(y, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"Perceptron.{where}: y must be numeric, got {type(y).__name__}") from None
        if Y.ndim == 1 and self.n_out == 1:
            Y = Y.reshape(-1, 1)
        if Y.shape != (n, self.n_out):
            want = f"({n},) or ({n}, 1)" if self.n_out == 1 else f"({n}, {self.n_out})"
            raise ValueError(f"Perceptron.{where}: y must have shape {want}, got {np.shape(y)}")
        if not np.all(np.isfinite(Y)):
            raise ValueError(f"Perceptron.{where}: y contains NaN or Inf")
        allowed = _OUTPUTS[self.output]
        bad = ~np.isin(Y, allowed)
        if np.any(bad):
            raise ValueError(
                f"Perceptron.{where}: labels must be in {{{allowed[0]:g}, {allowed[1]:g}}} for output="
                f"{self.output!r}, found {Y[bad][0]:g}"
            )
        return Y

    def __repr__(self) -> str:
        return f"Perceptron(n_in={self.n_in}, n_out={self.n_out}, output={self.output!r}, eta={self.eta})"

"""The course documents' hand-derived backpropagation equations, in numpy only (no autograd).

Each form keeps its own document's notation, so a reader can put the code beside the slides:

* :func:`backprop_row`: doc 000, row vectors (one sample per row). n^k = b^k + a^(k-1) W^k with W^k of
  shape p^(k-1) x p^k, a^k = f^k(n^k), sensitivities s^k = dL/dn^k (eqs. 11-33), the update eq. 19
  (:func:`sgd_update_row`).
* :func:`backprop_column`: docs 002-003, column vectors (one sample per column). z = W a + b with W of shape
  n_out x n_in, delta^l = dL/dz^l, dL/dW^l = delta^l a^(l-1)^T (:func:`sgd_update_column`).
* :func:`backprop_doc001`: doc 001's sign convention delta = -dJ/dnet, weights w_kj (row k = unit, column
  j = input), Delta w = eta delta y.
* :func:`backprop_doc004_xor`: doc 004's XOR network with the bias-augmented hidden output y~_H = [1; y_H].

Output layer (:func:`output_sensitivity`): the closed forms s^l = -2 (y - a^l) f'^l(n^l) (doc 000,
eq. 24), (a - t) f'(n) for 1/2 ||t - z||^2 (docs 001-004), s = a - t for softmax + cross-entropy (doc 001)
and s = a - y for sigmoid + log loss (doc 002); any other pair uses dL/da (.) f'(n), or the softmax
Jacobian.

Batches: a loss is summed over the samples (``reduction="sum"``, doc 001's J = sum_p J_p, doc 004's Err)
or averaged (``reduction="mean"``); the stored sensitivities are the derivatives of that reduced loss, so
dL/dW^k = (a^(k-1))^T s^k and dL/db^k = sum over samples of s^k hold for both.

Layer lists are 0-based in Python: ``Ws[0]`` is W^1. In a result, ``a[k]`` is a^k (``a[0]`` = a^0 = x,
doc 000 eq. 2) while ``n[k - 1]``, ``s[k - 1]``, ``dW[k - 1]`` and ``db[k - 1]`` belong to layer k.

Non-differentiable points: HardLimit and sign have derivative 0 wherever it exists (everywhere but n = 0),
so no sensitivity passes through them; at n = 0 we also return 0. ReLU and leaky ReLU take the left
derivative at n = 0 (0 and alpha), the same choice as ``autograd_mini``; doc 002 writes g'(0) = 1.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .activations import LEAKY_ALPHA  # doc 002's alpha = 0.01, defined once for nn

Array = NDArray[np.float64]
ActivationFn = Callable[[Array], Array]


LOSSES = ("squared_error", "half_squared_error", "mse", "cross_entropy", "log_loss")
REDUCTIONS = ("sum", "mean")


# --------------------------------------------------------------------------------------------------------
# Activations f and their derivatives f' (units along the last axis).
# --------------------------------------------------------------------------------------------------------


def hardlimit(n: Array) -> Array:
    """HardLimit(n) = 1 if n >= 0 else 0 (doc 000, eq. 4 and eq. 34; doc 002's "step")."""
    return np.where(n >= 0, 1.0, 0.0)


def hardlimit_prime(n: Array) -> Array:
    """HardLimit'(n) = 0 for n != 0, undefined at n = 0 (returned as 0): zero almost everywhere, so no
    sensitivity flows back through a HardLimit unit (doc 000, eq. 34)."""
    return np.zeros_like(n, dtype=float)


def sign(n: Array) -> Array:
    """sign(n) = +1 if n >= 0 else -1, the perceptron's output unit (doc 001, "Perceptron")."""
    return np.where(n >= 0, 1.0, -1.0)


def sign_prime(n: Array) -> Array:
    """sign'(n) = 0 for n != 0, undefined at n = 0 (returned as 0): zero almost everywhere (doc 001)."""
    return np.zeros_like(n, dtype=float)


def linear(n: Array) -> Array:
    """Linear(n) = n (doc 000, eq. 36; doc 002 "identity", with alpha = 1, beta = 0)."""
    return np.asarray(n, dtype=float).copy()


def linear_prime(n: Array) -> Array:
    """Linear'(n) = 1 (doc 000, eq. 44; doc 003, Problem 1: "always has a derivative of 1")."""
    return np.ones_like(n, dtype=float)


def sigmoid(n: Array) -> Array:
    """sigma(n) = 1 / (1 + e^-n) (doc 000, eq. 37; doc 001; doc 002; doc 003), evaluated as e^-|n| based
    fractions so that no exponential overflows."""
    e = np.exp(-np.abs(n))
    return np.where(n >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_prime(n: Array) -> Array:
    """sigma'(n) = sigma(n) (1 - sigma(n)) (doc 001 "Example 1"; doc 002; doc 003)."""
    a = sigmoid(n)
    return a * (1.0 - a)


def tanh(n: Array) -> Array:
    """tanh(n) = 2 sigma(2n) - 1 = (e^n - e^-n) / (e^n + e^-n) (doc 000, eq. 38; doc 001; doc 002)."""
    return np.tanh(n)


def tanh_prime(n: Array) -> Array:
    """tanh'(n) = 1 - tanh(n)^2 (doc 002)."""
    return 1.0 - np.tanh(n) ** 2


def relu(n: Array) -> Array:
    """ReLU(n) = n if n >= 0 else 0 = max(0, n) (doc 000, eq. 35; doc 001; doc 002)."""
    return np.maximum(n, 0.0)


def relu_prime(n: Array) -> Array:
    """ReLU'(n) = 1 if n > 0 else 0 (doc 002; at n = 0 we take 0, doc 002 takes 1)."""
    return np.where(n > 0, 1.0, 0.0)


def leaky_relu(n: Array, alpha: float = LEAKY_ALPHA) -> Array:
    """LeakyReLU(n) = n if n >= 0 else alpha n, alpha = 0.01 by default (doc 001; doc 002)."""
    return np.where(n >= 0, n, alpha * n)


def leaky_relu_prime(n: Array, alpha: float = LEAKY_ALPHA) -> Array:
    """LeakyReLU'(n) = 1 if n > 0 else alpha (doc 002; at n = 0 we take alpha, doc 002 takes 1)."""
    return np.where(n > 0, 1.0, alpha)


def softmax(n: Array) -> Array:
    """softmax(n)_k = e^(n_k) / sum_i e^(n_i) over the last axis (doc 001 "Softmax Function"; doc 002),
    computed with n - max(n), which gives the same value without overflow. Output layer only."""
    e = np.exp(n - np.max(n, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def softmax_prime(n: Array) -> Array:
    """Softmax has no elementwise derivative: its Jacobian dz_k/dnet_i = z_k (1[k = i] - z_i) is full, so
    F'(n) in doc 000's eq. 33 is not diagonal. It is handled in :func:`output_sensitivity` only."""
    raise ValueError("softmax has a full Jacobian, not an elementwise derivative; use it on the output layer")


#: name -> (f, f'), elementwise except softmax (output layer only).
ACTIVATIONS: dict[str, tuple[ActivationFn, ActivationFn]] = {
    "hardlimit": (hardlimit, hardlimit_prime),
    "sign": (sign, sign_prime),
    "linear": (linear, linear_prime),
    "sigmoid": (sigmoid, sigmoid_prime),
    "tanh": (tanh, tanh_prime),
    "relu": (relu, relu_prime),
    "leaky_relu": (leaky_relu, leaky_relu_prime),
    "softmax": (softmax, softmax_prime),
}


def get_activation(name: str, leaky_alpha: float = LEAKY_ALPHA) -> tuple[ActivationFn, ActivationFn]:
    """(f, f') for ``name`` (doc 000, eqs. 34-38; doc 001; doc 002); ``leaky_alpha`` sets leaky ReLU's
    slope. An unknown name raises a ValueError listing the valid names."""
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; valid activations: {', '.join(ACTIVATIONS)}")
    if name == "leaky_relu" and leaky_alpha != LEAKY_ALPHA:
        return partial(leaky_relu, alpha=leaky_alpha), partial(leaky_relu_prime, alpha=leaky_alpha)
    return ACTIVATIONS[name]


# --------------------------------------------------------------------------------------------------------
# Losses and the output-layer sensitivity (samples along axis 0, output units along axis 1).
# --------------------------------------------------------------------------------------------------------


def _check_loss(loss: str, reduction: str) -> None:
    """A ValueError listing the valid names for an unknown loss or reduction."""
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; valid losses: {', '.join(LOSSES)}")
    if reduction not in REDUCTIONS:
        raise ValueError(f"unknown reduction {reduction!r}; valid reductions: {', '.join(REDUCTIONS)}")


def loss_per_sample(loss: str, a: Array, y: Array) -> Array:
    """The loss of each sample (row) of outputs ``a`` against targets ``y``, shape (N,):

    * ``squared_error``: L = (y - a^l)^2 summed over output units (doc 000, eq. 11);
    * ``half_squared_error``: J = 1/2 ||t - z||^2 (doc 001; doc 002; doc 003 E = 1/2 ||x_2 - y||^2;
      doc 004 Err = 1/2 (c - y_R)^2);
    * ``mse``: the mean over the p output units of (y - a)^2 (doc 000 names eq. 11 "Mean Squared Error");
    * ``cross_entropy``: J = -sum_k t_k log z_k (doc 001 "Training error");
    * ``log_loss``: L = -[y log a + (1 - y) log(1 - a)] summed over output units (doc 002, "Log-loss").
    """
    _check_loss(loss, "sum")
    if loss == "squared_error":
        return np.sum((y - a) ** 2, axis=1)
    if loss == "half_squared_error":
        return 0.5 * np.sum((y - a) ** 2, axis=1)
    if loss == "mse":
        return np.mean((y - a) ** 2, axis=1)
    if loss == "cross_entropy":
        return -np.sum(y * np.log(a), axis=1)
    return -np.sum(y * np.log(a) + (1.0 - y) * np.log(1.0 - a), axis=1)


def loss_derivative(loss: str, a: Array, y: Array) -> Array:
    """dL/da^l for one sample per row (before any reduction):

    * ``squared_error``: -2 (y - a) (doc 000, eq. 24);
    * ``half_squared_error``: a - y = -(t - z) (doc 001 "Example 1"; doc 002; doc 003; doc 004);
    * ``mse``: -2 (y - a) / p with p output units;
    * ``cross_entropy``: -t / z (doc 001 "Example 2");
    * ``log_loss``: -(y / a - (1 - y) / (1 - a)) (doc 002, "Log-loss").
    """
    _check_loss(loss, "sum")
    if loss == "squared_error":
        return -2.0 * (y - a)
    if loss == "half_squared_error":
        return a - y
    if loss == "mse":
        return -2.0 * (y - a) / a.shape[1]
    if loss == "cross_entropy":
        return -y / a
    return -(y / a - (1.0 - y) / (1.0 - a))


def output_sensitivity(
    loss: str, activation: str, n: Array, a: Array, y: Array, leaky_alpha: float = LEAKY_ALPHA
) -> Array:
    """s^l = dL/dn^l of one sample per row (before any reduction), by closed form:

    * softmax + ``cross_entropy``: s = a sum_k t_k - t, which is s = a - t for targets that sum to 1
      (doc 001 "Example 2" with the off-diagonal Jacobian terms that the slide drops);
    * sigmoid + ``log_loss``: s = a - y (doc 002, "Log-loss" times sigma' = a (1 - a));
    * softmax + any other loss: s = a (.) (g - sum_k g_k a_k) with g = dL/da, the softmax Jacobian
      (symmetric) applied to g;
    * otherwise: s = dL/da (.) f'(n), e.g. s^l = -2 (y - a^l) f'^l(n^l) (doc 000, eq. 24) or
      delta^L = (a^L - y) (.) g'(z^L) (doc 002; doc 003) and delta_k = -s_k = (t_k - z_k) f'(net_k) (doc 001).
    """
    if activation == "softmax" and loss == "cross_entropy":
        return a * np.sum(y, axis=1, keepdims=True) - y
    if activation == "sigmoid" and loss == "log_loss":
        return a - y
    g = loss_derivative(loss, a, y)
    if activation == "softmax":
        return a * (g - np.sum(g * a, axis=1, keepdims=True))
    return g * get_activation(activation, leaky_alpha)[1](n)


def _reduce(loss: str, reduction: str, a: Array, y: Array) -> tuple[float, float]:
    """(L, scale): L = sum_p L_p (doc 001 "Stochastic Gradient Descent", J = sum_p J_p; doc 004's Err) or
    L = (1/N) sum_p L_p over the samples (rows), and the factor 1 or 1/N that turns a per-sample dL_p/dn
    into dL/dn."""
    per_sample = loss_per_sample(loss, a, y)
    scale = 1.0 if reduction == "sum" else 1.0 / a.shape[0]
    return float(np.sum(per_sample) * scale), scale


# --------------------------------------------------------------------------------------------------------
# Input checks (shape errors name the shapes).
# --------------------------------------------------------------------------------------------------------


def _check_activations(activations: Sequence[str], n_layers: int) -> list[str]:
    """One known activation name per layer (doc 000, eqs. 34-38), softmax only on the last one (doc 002:
    "Softmax if output needs to be probability distribution")."""
    names = [activations] if isinstance(activations, str) else list(activations)
    if len(names) != n_layers:
        raise ValueError(f"got {len(names)} activations for {n_layers} layers (one per layer: {names!r})")
    for k, name in enumerate(names, start=1):
        get_activation(name)
        if name == "softmax" and k != n_layers:
            raise ValueError(f"softmax is for the output layer only; layer {k} of {n_layers} uses it")
    return names


@dataclass(frozen=True)
class _Layout:
    """How a document writes a layer's weights: doc 000's rows (W^k is p^(k-1) x p^k, b^k a 1 x p^k row) or
    docs 002-003's columns (W^[l] is m^[l] x m^[l-1], b^[l] an m^[l] x 1 column)."""

    in_axis: int  # the axis of W that runs over the layer's inputs: 0 for rows, 1 for columns
    brackets: bool  # W^[k] (docs 002-003) instead of W^k (doc 000)
    equation: str

    def name(self, what: str, k: int) -> str:
        return f"{what}^[{k}]" if self.brackets else f"{what}^{k}"

    def shape_text(self, k: int) -> str:
        return f"p^{k - 1} x p^{k}" if self.in_axis == 0 else f"m^[{k}] x m^[{k - 1}]"

    def bias_shape(self, p: int) -> tuple[int, int]:
        return (1, p) if self.in_axis == 0 else (p, 1)


_ROWS = _Layout(0, False, "n^k = b^k + a^(k-1) W^k")
_COLUMNS = _Layout(1, True, "z^[l] = W^[l] a^[l-1] + b^[l]")


def _check_layers(
    Ws: Sequence[ArrayLike], bs: Sequence[ArrayLike], activations: Sequence[str], layout: _Layout
) -> tuple[list[Array], list[Array], list[str]]:
    """One W and one b per layer in ``layout``, consecutive layers fitting together, one activation per layer.
    Returns float copies with each b as a row (doc 000) or a column (docs 002-003)."""
    if len(Ws) != len(bs) or not Ws:
        raise ValueError(f"need one W and one b per layer, got {len(Ws)} W and {len(bs)} b")
    W_list = [np.array(W, dtype=float, ndmin=2) for W in Ws]
    b_list = [_check_layer(k, W_list, b, layout) for k, b in enumerate(bs, start=1)]
    return W_list, b_list, _check_activations(activations, len(W_list))


def _check_layer(k: int, W_list: list[Array], b: ArrayLike, layout: _Layout) -> Array:
    """Layer k's W fits layer k-1's, and its b has one entry per unit; returns b in ``layout``'s shape."""
    W, name = W_list[k - 1], layout.name("W", k)
    if W.ndim != 2:
        raise ValueError(f"{name} must be a matrix ({layout.shape_text(k)}), got shape {W.shape}")
    out_axis = 1 - layout.in_axis
    if k > 1 and W.shape[layout.in_axis] != W_list[k - 2].shape[out_axis]:
        prev = layout.name("W", k - 1)
        ins, outs = ("rows", "columns") if layout.in_axis == 0 else ("columns", "rows")
        raise ValueError(
            f"{name} has shape {W.shape} but {prev} has shape {W_list[k - 2].shape}: "
            f"{ins} of {name} must equal {outs} of {prev} ({layout.equation})"
        )
    b_arr = np.asarray(b, dtype=float)
    expected = layout.bias_shape(W.shape[out_axis])
    if b_arr.size != W.shape[out_axis] or (b_arr.ndim == 2 and b_arr.shape != expected) or b_arr.ndim > 2:
        raise ValueError(
            f"{layout.name('b', k)} has shape {b_arr.shape}, expected {expected} or ({W.shape[out_axis]},)"
        )
    return b_arr.reshape(expected)


def samples_as_rows(X: ArrayLike, Y: ArrayLike | None, n_in: int, n_out: int) -> tuple[Array, Array | None]:
    """X as N x n_in and Y as N x n_out; a vector X is one sample (a 1 x n row, doc 000 eq. 2), a vector Y is
    one sample's targets or, for one output unit, one target per sample; a scalar Y is 1 x 1."""
    X_arr = np.asarray(X, dtype=float)
    if X_arr.ndim == 1:
        X_arr = X_arr.reshape(1, -1)
    if X_arr.ndim != 2 or X_arr.shape[1] != n_in:
        raise ValueError(f"X has shape {np.shape(X)}, expected (N, {n_in}) with one sample per row")
    if Y is None:
        return X_arr, None
    N = X_arr.shape[0]
    Y_arr = np.asarray(Y, dtype=float)
    if Y_arr.ndim == 0:
        Y_arr = Y_arr.reshape(1, 1)
    elif Y_arr.ndim == 1:
        if N == 1 and Y_arr.size == n_out:
            Y_arr = Y_arr.reshape(1, -1)
        elif n_out == 1 and Y_arr.size == N:
            Y_arr = Y_arr.reshape(-1, 1)
    if Y_arr.shape != (N, n_out):
        raise ValueError(f"Y has shape {np.shape(Y)}, expected ({N}, {n_out}) for X of shape {X_arr.shape}")
    return X_arr, Y_arr


# --------------------------------------------------------------------------------------------------------
# Doc 000: row vectors, n^k = b^k + a^(k-1) W^k, s^k = dL/dn^k.
# --------------------------------------------------------------------------------------------------------


@dataclass
class BackpropResult:
    """Doc 000's quantities for a batch (one sample per row). ``a[k]`` = a^k for k = 0..l (a^0 = x, eq. 2);
    ``n[k-1]`` = n^k (eq. 16), ``s[k-1]`` = s^k = dL/dn^k (eq. 18), ``dW[k-1]`` = dL/dW^k = (a^(k-1))^T s^k
    and ``db[k-1]`` = dL/db^k = s^k summed over the samples (eq. 17 split into its b and W rows);
    ``loss`` is L summed or averaged over the samples."""

    n: list[Array]
    a: list[Array]
    s: list[Array]
    dW: list[Array]
    db: list[Array]
    loss: float


def forward_row(
    Ws: Sequence[ArrayLike],
    bs: Sequence[ArrayLike],
    activations: Sequence[str],
    X: ArrayLike,
    leaky_alpha: float = LEAKY_ALPHA,
) -> tuple[list[Array], list[Array]]:
    """Forward pass (doc 000, eqs. 2 and 21): a^0 = x, n^k = b^k + a^(k-1) W^k, a^k = f^k(n^k) for
    1 <= k <= l, one sample per row of X. Returns (n, a) with n = [n^1..n^l] and a = [a^0..a^l]."""
    W_list, b_list, names = _check_layers(Ws, bs, activations, _ROWS)
    a0, _ = samples_as_rows(X, None, W_list[0].shape[0], W_list[-1].shape[1])
    n: list[Array] = []
    a: list[Array] = [a0]
    for W, b, name in zip(W_list, b_list, names):
        n.append(b + a[-1] @ W)
        a.append(get_activation(name, leaky_alpha)[0](n[-1]))
    return n, a


def backprop_row(
    Ws: Sequence[ArrayLike],
    bs: Sequence[ArrayLike],
    activations: Sequence[str],
    X: ArrayLike,
    Y: ArrayLike,
    loss: str = "squared_error",
    reduction: str = "sum",
    leaky_alpha: float = LEAKY_ALPHA,
) -> BackpropResult:
    """Backpropagation in doc 000's row-vector form, for a batch with one sample per row:

    * forward: n^k = b^k + a^(k-1) W^k, a^k = f^k(n^k) (eq. 21);
    * output sensitivity: s^l = -2 (y - a^l) f'^l(n^l) for L = (y - a^l)^2 (eq. 24; other losses by
      :func:`output_sensitivity`), times 1/N for ``reduction="mean"``;
    * recursion: s^k = s^(k+1) (W^(k+1))^T F'^k(n^k) for l-1 >= k >= 1 (eq. 33), where the diagonal
      F'^k(n^k) (eq. 32) is applied as the elementwise product with f'^k(n^k);
    * gradients: dL/dW^k = (a^(k-1))^T s^k and dL/db^k = s^k (eqs. 17-19), summed over the samples.
    """
    _check_loss(loss, reduction)
    W_list, b_list, names = _check_layers(Ws, bs, activations, _ROWS)
    _, Y_arr = samples_as_rows(X, Y, W_list[0].shape[0], W_list[-1].shape[1])
    assert Y_arr is not None
    n, a = forward_row(W_list, b_list, names, X, leaky_alpha)
    L, scale = _reduce(loss, reduction, a[-1], Y_arr)
    s = [scale * output_sensitivity(loss, names[-1], n[-1], a[-1], Y_arr, leaky_alpha)]
    for k in range(len(W_list) - 1, 0, -1):  # layer k+1 -> layer k, with W^(k+1) = W_list[k]
        s.insert(0, (s[0] @ W_list[k].T) * get_activation(names[k - 1], leaky_alpha)[1](n[k - 1]))
    dW = [a[k].T @ s[k] for k in range(len(W_list))]
    db = [np.sum(s_k, axis=0).reshape(np.shape(b)) for s_k, b in zip(s, bs)]
    return BackpropResult(n=n, a=a, s=s, dW=dW, db=db, loss=L)


def sgd_update_row(
    Ws: Sequence[ArrayLike], bs: Sequence[ArrayLike], result: BackpropResult, eta: float
) -> tuple[list[Array], list[Array]]:
    """One gradient-descent step (doc 000, eq. 19): theta^k <- theta^k - eta [1 a^(k-1)]^T s^k, with
    theta^k = [b^k; W^k] ((p^(k-1) + 1) x p^k, eq. 13) and, for a batch, the rows [1 a^(k-1)] of all samples
    stacked. Equivalently W^k <- W^k - eta (a^(k-1))^T s^k (eq. 48) and b^k <- b^k - eta s^k (eq. 49).
    Returns new lists (W^k, b^k) with the shapes given; the inputs are not modified."""
    new_Ws: list[Array] = []
    new_bs: list[Array] = []
    for W, b, a_prev, s_k in zip(Ws, bs, result.a, result.s):
        W_arr = np.array(W, dtype=float, ndmin=2)
        theta = np.vstack([np.asarray(b, dtype=float).reshape(1, -1), W_arr])
        ones_a = np.hstack([np.ones((a_prev.shape[0], 1)), a_prev])  # [1 a^(k-1)]
        theta = theta - eta * ones_a.T @ s_k
        new_bs.append(theta[0].reshape(np.shape(b)))
        new_Ws.append(theta[1:].reshape(W_arr.shape))
    return new_Ws, new_bs


# --------------------------------------------------------------------------------------------------------
# Docs 002-003: column vectors, z = W a + b, delta = dL/dz.
# --------------------------------------------------------------------------------------------------------


@dataclass
class ColumnBackpropResult:
    """Docs 002-003's quantities for a batch (one sample per column, doc 002's A^[l] = g(W^[l] A^[l-1] +
    b^[l])). ``a[l]`` = a^[l] for l = 0..L (a^[0] = x); ``z[l-1]`` = z^[l], ``delta[l-1]`` = delta^l =
    dL/dz^[l], ``dW[l-1]`` = dL/dW^[l] = delta^l a^[l-1]^T and ``db[l-1]`` = dL/db^[l] = delta^l summed over
    the samples; ``loss`` is L summed or averaged over the samples."""

    z: list[Array]
    a: list[Array]
    delta: list[Array]
    dW: list[Array]
    db: list[Array]
    loss: float


def forward_column(
    Ws: Sequence[ArrayLike],
    bs: Sequence[ArrayLike],
    activations: Sequence[str],
    X: ArrayLike,
    leaky_alpha: float = LEAKY_ALPHA,
) -> tuple[list[Array], list[Array]]:
    """Forward pass (doc 002 "Forward Pass Summary - All Inputs"; doc 003 "Vectorized Forward
    Propagation"): a^[0] = X, z^[l] = W^[l] a^[l-1] + b^[l], a^[l] = g(z^[l]) for l = 1..L, one sample per
    column of X (a vector X is one column). Returns (z, a) with z = [z^[1]..z^[L]], a = [a^[0]..a^[L]]."""
    W_list, b_list, names = _check_layers(Ws, bs, activations, _COLUMNS)
    X_arr = np.asarray(X, dtype=float)
    if X_arr.ndim == 1:
        X_arr = X_arr.reshape(-1, 1)
    rows, _ = samples_as_rows(X_arr.T, None, W_list[0].shape[1], W_list[-1].shape[0])
    z: list[Array] = []
    a: list[Array] = [rows.T]
    for W, b, name in zip(W_list, b_list, names):
        z.append(W @ a[-1] + b)
        a.append(get_activation(name, leaky_alpha)[0](z[-1].T).T)  # units on axis 0 (softmax per column)
    return z, a


def backprop_column(
    Ws: Sequence[ArrayLike],
    bs: Sequence[ArrayLike],
    activations: Sequence[str],
    X: ArrayLike,
    Y: ArrayLike,
    loss: str = "half_squared_error",
    reduction: str = "sum",
    leaky_alpha: float = LEAKY_ALPHA,
) -> ColumnBackpropResult:
    """Backpropagation in docs 002-003's column-vector form, one sample per column:

    * base case: delta^L = dL/da^[L] (.) g'(z^[L]) (doc 002 "Back Propagation - Vectorization"; doc 003
      delta_L = (x_L - y) (.) sigma'(W_L x_(L-1))), for E = 1/2 ||a^[L] - y||^2 dL/da^[L] = a^[L] - y and
      for log loss dL/da^[L] = -(y / a - (1 - y) / (1 - a)), so that delta^L = a - y with sigmoid (other
      losses by :func:`output_sensitivity`); times 1/N for ``reduction="mean"``;
    * recursion: delta^l = (W^[l+1]^T delta^(l+1)) (.) g'(z^[l]) (doc 002; doc 003 delta_i);
    * gradients: dL/dW^[l] = delta^l a^[l-1]^T, dL/db^[l] = delta^l (doc 002 "Key Equations"; doc 003),
      summed over the samples (columns).
    """
    _check_loss(loss, reduction)
    W_list, b_list, names = _check_layers(Ws, bs, activations, _COLUMNS)
    z, a = forward_column(W_list, b_list, names, X, leaky_alpha)
    Y_arr = np.asarray(Y, dtype=float)
    N, m_L = a[-1].shape[1], a[-1].shape[0]
    if Y_arr.ndim == 0:
        Y_arr = Y_arr.reshape(1, 1)
    elif Y_arr.ndim == 1:
        Y_arr = Y_arr.reshape(-1, 1) if (N == 1 and Y_arr.size == m_L) else Y_arr.reshape(1, -1)
    if Y_arr.shape != (m_L, N):
        raise ValueError(f"Y has shape {np.shape(Y)}, expected ({m_L}, {N}) with one sample per column")
    L, scale = _reduce(loss, reduction, a[-1].T, Y_arr.T)
    delta = [scale * output_sensitivity(loss, names[-1], z[-1].T, a[-1].T, Y_arr.T, leaky_alpha).T]
    for k in range(len(W_list) - 1, 0, -1):  # delta^k from delta^(k+1), with W^[k+1] = W_list[k]
        delta.insert(0, (W_list[k].T @ delta[0]) * get_activation(names[k - 1], leaky_alpha)[1](z[k - 1]))
    dW = [delta[k] @ a[k].T for k in range(len(W_list))]
    db = [np.sum(d, axis=1).reshape(np.shape(b)) for d, b in zip(delta, bs)]
    return ColumnBackpropResult(z=z, a=a, delta=delta, dW=dW, db=db, loss=L)


def sgd_update_column(
    Ws: Sequence[ArrayLike], bs: Sequence[ArrayLike], result: ColumnBackpropResult, alpha: float
) -> tuple[list[Array], list[Array]]:
    """One gradient-descent step (doc 002: W^[l] = W^[l] - alpha dL/dW^[l], b^[l] = b^[l] - alpha dL/db^[l];
    doc 003: W_i = W_i - alpha delta_i x_(i-1)^T, b_i = b_i - alpha delta_i). Returns new lists with the
    shapes given; the inputs are not modified."""
    new_Ws = [np.asarray(W, dtype=float) - alpha * dW for W, dW in zip(Ws, result.dW)]
    new_bs = [np.asarray(b, dtype=float) - alpha * db for b, db in zip(bs, result.db)]
    return new_Ws, new_bs


# --------------------------------------------------------------------------------------------------------
# Doc 001: delta = -dJ/dnet, net_k = sum_j y_j w_kj + w_k0, Delta w = eta delta y.
# --------------------------------------------------------------------------------------------------------


@dataclass
class Doc001Result:
    """Doc 001's quantities for a batch (one pattern per row). ``y[0]`` = x and ``y[k]`` = f(net^k), the last
    being the output z; ``net[k-1]`` = net^k; ``delta[k-1]`` = delta^k = -dJ/dnet^k (= -s^k of doc 000);
    ``Delta_W[k-1]`` = eta sum_m delta_k y_j (entry [k, j], the w_kj layout) and ``Delta_w0[k-1]`` =
    eta sum_m delta_k, the steps w <- w + Delta w (Algorithms 1 and 2); ``J`` is the summed or averaged
    loss."""

    net: list[Array]
    y: list[Array]
    z: Array
    delta: list[Array]
    Delta_W: list[Array]
    Delta_w0: list[Array]
    J: float


def backprop_doc001(
    Ws: Sequence[ArrayLike],
    w0s: Sequence[ArrayLike],
    activations: Sequence[str],
    X: ArrayLike,
    T: ArrayLike,
    eta: float,
    loss: str = "half_squared_error",
    reduction: str = "sum",
    leaky_alpha: float = LEAKY_ALPHA,
) -> Doc001Result:
    """Backpropagation in doc 001's notation and sign convention, one pattern per row of X:

    * net_k = sum_j y_j w_kj + w_k0 with W[k, j] = w_kj (unit k, input j), z_k = f(net_k);
    * output units: delta_k = -dJ/dnet_k = (t_k - z_k) f'(net_k) for J = 1/2 ||t - z||^2 ("Hidden-to-output
      weight"; other losses: delta = -s from :func:`output_sensitivity`, e.g. t - z for softmax +
      cross-entropy), times 1/N for ``reduction="mean"``;
    * hidden units: delta_j = f'(net_j) sum_k w_kj delta_k ("Input-to-hidden weight");
    * updates: Delta w_kj = eta delta_k y_j and Delta w_ji = eta delta_j x_i ("Backpropagation summary"),
      accumulated over the patterns as in Algorithm 2 (``reduction="mean"`` gives batch gradient descent's
      eta / n sum_p, "Stochastic Gradient Descent"), with Delta w_k0 = eta delta_k (bias input y_0 = 1).
    """
    _check_loss(loss, reduction)
    W_list, w0_list, names = _check_layers(Ws, w0s, activations, _COLUMNS)  # W[k, j] = w_kj: n_out x n_in
    Y0, T_arr = samples_as_rows(X, T, W_list[0].shape[1], W_list[-1].shape[0])
    assert T_arr is not None
    net: list[Array] = []
    y: list[Array] = [Y0]
    for W, w0, name in zip(W_list, w0_list, names):
        net.append(y[-1] @ W.T + w0.T)  # net_k = sum_j y_j w_kj + w_k0, one pattern per row
        y.append(get_activation(name, leaky_alpha)[0](net[-1]))
    J, scale = _reduce(loss, reduction, y[-1], T_arr)
    delta = [-scale * output_sensitivity(loss, names[-1], net[-1], y[-1], T_arr, leaky_alpha)]
    for k in range(len(W_list) - 1, 0, -1):  # delta_j = f'(net_j) sum_k w_kj delta_k
        delta.insert(0, get_activation(names[k - 1], leaky_alpha)[1](net[k - 1]) * (delta[0] @ W_list[k]))
    Delta_W = [eta * delta[k].T @ y[k] for k in range(len(W_list))]
    Delta_w0 = [eta * np.sum(d, axis=0).reshape(np.shape(w0)) for d, w0 in zip(delta, w0s)]
    return Doc001Result(net=net, y=y, z=y[-1], delta=delta, Delta_W=Delta_W, Delta_w0=Delta_w0, J=J)


# --------------------------------------------------------------------------------------------------------
# Doc 004: the XOR network, y_R = sigma(w_O . y~_H), y~_H = [1; y_H], y_H = sigma(x~ . w_H).
# --------------------------------------------------------------------------------------------------------


@dataclass
class Doc004Result:
    """Doc 004's quantities for a data set D (one example per row). ``x_tilde`` = [1 x] (the bias input of
    w_0P, w_0Q), ``y_H`` the hidden outputs, ``y_tilde_H`` = [1 y_H], ``y_R`` the output, ``delta_O`` and
    ``delta_H`` per example, ``grad_w_O`` = dErr/dw_O = -sum delta_O y~_H, ``grad_w_H`` = dErr/dw_H =
    -sum x~^T delta_H, the updated weights ``w_O_new`` and ``w_H_new``, and ``Err``."""

    x_tilde: Array
    y_H: Array
    y_tilde_H: Array
    y_R: Array
    delta_O: Array
    delta_H: Array
    grad_w_O: Array
    grad_w_H: Array
    w_O_new: Array
    w_H_new: Array
    Err: float


def backprop_doc004_xor(w_H: ArrayLike, w_O: ArrayLike, X: ArrayLike, c: ArrayLike, eta: float) -> Doc004Result:
    """Doc 004's sigmoid MLP (the XOR network, any number of inputs d and hidden units h), summed over D:

    * w_H is (d+1) x h, column j = (w_0j, w_1j, ..., w_dj) for hidden unit j (P, Q); w_O = (w_0R, w_PR,
      w_QR, ...) has length h + 1;
    * forward: y_H = sigma(x~ . w_H) with x~ = [1 x], y~_H = [1; y_H], y_R = sigma(w_O . y~_H);
    * Err = 1/2 sum_D (c(x) - y_R)^2;
    * delta_O = (c(x) - y_R) (.) (y_R (.) (1 - y_R));
    * delta_H = (delta_O . w_O) (.) (y_H (.) (1 - y_H)), where w_O here is without its bias weight w_0R
      (the slide multiplies by all of w_O; only (w_PR, w_QR) connect to y_H);
    * updates: w_O <- w_O + eta delta_O y~_H, w_H <- w_H + eta delta_H x~ (x~ where the slide writes x),
      summed over D since Err sums over D.
    """
    w_H_arr = np.array(w_H, dtype=float, ndmin=2)
    w_O_arr = np.asarray(w_O, dtype=float).reshape(-1)
    X_arr = np.array(X, dtype=float, ndmin=2)
    c_arr = np.asarray(c, dtype=float).reshape(-1)
    d, h = w_H_arr.shape[0] - 1, w_H_arr.shape[1]
    if w_O_arr.shape != (h + 1,):
        raise ValueError(f"w_O has shape {np.shape(w_O)}, expected ({h + 1},) = (1 + hidden units of w_H)")
    if X_arr.shape[1] != d or c_arr.shape != (X_arr.shape[0],):
        raise ValueError(
            f"X has shape {np.shape(X)} and c has shape {np.shape(c)}; w_H of shape {w_H_arr.shape} needs "
            f"X as (N, {d}) and c as (N,)"
        )
    ones = np.ones((X_arr.shape[0], 1))
    x_tilde = np.hstack([ones, X_arr])
    y_H = sigmoid(x_tilde @ w_H_arr)
    y_tilde_H = np.hstack([ones, y_H])
    y_R = sigmoid(y_tilde_H @ w_O_arr)
    Err = float(0.5 * np.sum((c_arr - y_R) ** 2))
    delta_O = (c_arr - y_R) * (y_R * (1.0 - y_R))
    delta_H = np.outer(delta_O, w_O_arr[1:]) * (y_H * (1.0 - y_H))
    grad_w_O = -(delta_O @ y_tilde_H)
    grad_w_H = -(x_tilde.T @ delta_H)
    return Doc004Result(
        x_tilde=x_tilde,
        y_H=y_H,
        y_tilde_H=y_tilde_H,
        y_R=y_R,
        delta_O=delta_O,
        delta_H=delta_H,
        grad_w_O=grad_w_O,
        grad_w_H=grad_w_H,
        w_O_new=w_O_arr + eta * (delta_O @ y_tilde_H),
        w_H_new=w_H_arr + eta * (x_tilde.T @ delta_H),
        Err=Err,
    )

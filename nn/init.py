"""Weight initialization: W of shape (n_in, n_out) (doc 000's row-vector convention, n = b + a W).

* ``uniform``: W_ij ~ U(-1, 1), the documents' default ("weights and biases of a network are initialized
  randomly between -1 and 1", doc 003) and micrograd's.
* ``glorot`` (alias ``xavier``): W_ij ~ U(-l, l) with l = sqrt(6 / (n_in + n_out)), so Var W = 2 / (n_in +
  n_out) (Glorot & Bengio 2010), for sigmoid / tanh layers.
* ``he`` (alias ``kaiming``): W_ij ~ N(0, 2 / n_in) (He et al. 2015), for ReLU layers.

Every function takes ``rng``: a ``numpy.random.Generator`` or an int seed (same seed, same weights).
Biases start at 0 (micrograd's choice).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .checks import positive_int

RNG = np.random.Generator | int


def make_rng(rng: RNG | None) -> np.random.Generator:
    """A Generator from a Generator (returned as is), an int seed, or None (fresh OS entropy)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, (int, np.integer)) and not isinstance(rng, bool)):
        return np.random.default_rng(rng)
    raise TypeError(f"rng must be a numpy.random.Generator or an int seed, got {type(rng).__name__}")


def _check_sizes(n_in: int, n_out: int) -> None:
    positive_int("n_in", n_in)
    positive_int("n_out", n_out)


def uniform(n_in: int, n_out: int, rng: RNG) -> np.ndarray:
    """W_ij ~ U(-1, 1), shape (n_in, n_out) (doc 003's "randomly between -1 and 1"; micrograd)."""
    _check_sizes(n_in, n_out)
    return make_rng(rng).uniform(-1.0, 1.0, size=(n_in, n_out))


def glorot_uniform(n_in: int, n_out: int, rng: RNG) -> np.ndarray:
    """W_ij ~ U(-l, l), l = sqrt(6 / (n_in + n_out)): Var W_ij = 2 / (n_in + n_out) (Glorot / Xavier)."""
    _check_sizes(n_in, n_out)
    limit = math.sqrt(6.0 / (n_in + n_out))
    return make_rng(rng).uniform(-limit, limit, size=(n_in, n_out))


def he_normal(n_in: int, n_out: int, rng: RNG) -> np.ndarray:
    """W_ij ~ N(0, 2 / n_in): Var W_ij = 2 / n_in (He / Kaiming), for ReLU layers."""
    _check_sizes(n_in, n_out)
    return make_rng(rng).normal(0.0, math.sqrt(2.0 / n_in), size=(n_in, n_out))


INITIALIZERS: dict[str, Callable[[int, int, RNG], np.ndarray]] = {
    "uniform": uniform,
    "glorot": glorot_uniform,
    "xavier": glorot_uniform,
    "he": he_normal,
    "kaiming": he_normal,
}


def get_init(name: str) -> Callable[[int, int, RNG], np.ndarray]:
    """The initializer called ``name``; a ValueError lists the valid names for an unknown one."""
    try:
        return INITIALIZERS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown init {name!r}; valid inits: {', '.join(INITIALIZERS)}") from None


def init_weights(name: str, n_in: int, n_out: int, rng: RNG) -> np.ndarray:
    """W of shape (n_in, n_out), float64, drawn by the initializer ``name`` from ``rng``."""
    return get_init(name)(n_in, n_out, rng)


def init_std(name: str, n_in: int, n_out: int) -> float:
    """The standard deviation of each W_ij under initializer ``name`` (1/sqrt(3) for U(-1, 1))."""
    get_init(name)
    if name == "uniform":
        return 1.0 / math.sqrt(3.0)
    if name in ("glorot", "xavier"):
        return math.sqrt(2.0 / (n_in + n_out))
    return math.sqrt(2.0 / n_in)

"""Argument checks shared by ``nn``: one definition each, imported where used (all raise ValueError naming
the argument and what it got)."""

from __future__ import annotations

from typing import Any

import numpy as np


def positive_int(what: str, n: Any) -> int:
    """``n`` as an int if it is a positive integer (bools are not), else ValueError naming ``what``."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"{what} must be a positive integer, got {n!r}")
    return int(n)


def finite_array(what: str, x: Any, shape: tuple[int, ...] | None = None) -> np.ndarray:
    """``x`` (numbers, an array, or a graph node's ``.data``) as a float64 array of ``shape`` with only finite
    entries, else ValueError naming ``what``."""
    try:
        arr = np.asarray(getattr(x, "data", x), dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what} must be an array of real numbers: {exc}") from None
    if shape is not None and arr.shape != shape:
        raise ValueError(f"{what} must have shape {shape}, got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{what} contains NaN or Inf")
    return arr


__all__ = ["finite_array", "positive_int"]

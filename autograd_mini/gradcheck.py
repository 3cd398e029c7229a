"""Gradient checking: automatic gradients against central differences.

Defaults follow PyTorch's ``gradcheck``: eps = 1e-6, atol = 1e-5, rtol = 1e-3, meant for float64 inputs.
An entry passes when |analytic - numeric| <= atol + rtol * |numeric|.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .node import Node, grad, no_grad


class GradcheckError(AssertionError):
    """Raised by :func:`gradcheck` with a per-input table of the disagreement."""


def _as_list(inputs: Node | Sequence[Node]) -> list[Node]:
    xs = [inputs] if isinstance(inputs, Node) else list(inputs)
    for k, x in enumerate(xs):
        if not isinstance(x, Node):
            raise TypeError(f"gradcheck: input {k} is a {type(x).__name__}, not a Value or Tensor")
        if not x.requires_grad:
            raise ValueError(f"gradcheck: input {k} does not require grad")
    return xs


def _flat_output(out: Any) -> np.ndarray:
    return np.atleast_1d(np.asarray(out.data if isinstance(out, Node) else out, dtype=np.float64)).ravel()


def _nudge(x: Node, i: int, delta: float) -> None:
    if isinstance(x.data, np.ndarray):
        x.data.reshape(-1)[i] += delta  # reshape of a contiguous array is a view
    else:
        x.data = x.data + delta


def numerical_jacobian(fn: Callable[..., Any], inputs: Sequence[Node], eps: float = 1e-6) -> list[np.ndarray]:
    """Central differences: J_k[j, i] = (f_j(x_k + eps e_i) - f_j(x_k - eps e_i)) / (2 eps), per input k."""
    versions = [x._version for x in inputs]
    jacobians = _central_differences(fn, inputs, eps)
    # every nudge was undone exactly, so graphs recorded before this check stay valid for backward()
    for x, v in zip(inputs, versions):
        x._version = v
    return jacobians


def _central_differences(fn: Callable[..., Any], inputs: Sequence[Node], eps: float) -> list[np.ndarray]:
    jacobians = []
    with no_grad():
        for x in inputs:
            if isinstance(x.data, np.ndarray) and not x.data.flags.c_contiguous:
                x.data = np.ascontiguousarray(x.data)
            n = int(np.size(x.data))
            cols = []
            for i in range(n):
                original = np.asarray(x.data).reshape(-1)[i].item()
                _nudge(x, i, eps)
                plus = _flat_output(fn(*inputs))
                _nudge(x, i, -2 * eps)
                minus = _flat_output(fn(*inputs))
                if isinstance(x.data, np.ndarray):
                    x.data.reshape(-1)[i] = original
                else:
                    x.data = original
                cols.append((plus - minus) / (2 * eps))
            jacobians.append(np.stack(cols, axis=1) if cols else np.zeros((0, 0)))
    return jacobians


def numerical_grad(fn: Callable[..., Any], inputs: Node | Sequence[Node], eps: float = 1e-6) -> list[Any]:
    """Central-difference gradient of a scalar-valued ``fn`` w.r.t. each input, shaped like the input."""
    xs = _as_list(inputs)
    return [
        j.reshape(np.shape(x.data)) if isinstance(x.data, np.ndarray) else float(j[0, 0])
        for x, j in zip(xs, numerical_jacobian(fn, xs, eps))
    ]


def analytic_jacobian(fn: Callable[..., Any], inputs: Sequence[Node]) -> list[np.ndarray]:
    """Reverse-mode Jacobian, one backward pass per output element."""
    out = fn(*inputs)
    m = _flat_output(out).size
    rows: list[list[np.ndarray]] = [[] for _ in inputs]
    for j in range(m):
        if isinstance(out.data, np.ndarray):
            seed = np.zeros(out.data.size, dtype=out.data.dtype)
            seed[j] = 1.0
            gs = grad(out, inputs, grad_outputs=seed.reshape(out.data.shape))
        else:
            gs = grad(out, inputs)
        for k, g in enumerate(gs):
            rows[k].append(np.asarray(g, dtype=np.float64).ravel())
    return [np.stack(r, axis=0) for r in rows]


def gradcheck(
    fn: Callable[..., Any],
    inputs: Node | Sequence[Node],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Check autograd's Jacobian of ``fn(*inputs)`` against central differences.

    Returns True when every entry satisfies |analytic - numeric| <= atol + rtol |numeric|. Otherwise raises
    :class:`GradcheckError` with a table per input (max abs and rel error, the worst index and both values),
    or returns False if ``raise_exception=False``.
    """
    xs = _as_list(inputs)
    out = fn(*xs)
    if not isinstance(out, Node):
        raise TypeError(f"gradcheck: fn must return a Value or Tensor, got {type(out).__name__}")
    analytic = analytic_jacobian(fn, xs)
    numeric = numerical_jacobian(fn, xs, eps)
    lines = []
    ok = True
    for k, (a, n, x) in enumerate(zip(analytic, numeric, xs)):
        if a.size == 0:
            continue
        err = np.abs(a - n)
        bad = err > atol + rtol * np.abs(n)
        worst = np.unravel_index(int(np.argmax(err - (atol + rtol * np.abs(n)))), err.shape)
        rel = float(np.max(err / np.maximum(np.abs(n), 1e-300)))
        flag = "FAIL" if bad.any() else "ok"
        ok = ok and not bad.any()
        in_index = np.unravel_index(worst[1], np.shape(x.data)) if np.ndim(x.data) else ()
        lines.append(
            f"input {k} {np.shape(x.data)!s:>10} {flag:>4}  max abs err {err.max():.3e}  max rel err {rel:.3e}"
            f"  worst: output[{worst[0]}] / input{list(in_index)}  autograd {a[worst]:.10g}"
            f"  numeric {n[worst]:.10g}  ({int(bad.sum())} of {bad.size} entries off)"
        )
    if ok:
        return True
    if raise_exception:
        head = f"gradcheck failed (eps={eps}, atol={atol}, rtol={rtol}):"
        raise GradcheckError("\n".join([head, *lines]))
    return False

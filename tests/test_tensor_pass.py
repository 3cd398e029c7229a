"""``Tensor.backward``'s own reverse pass (arrays, no create_graph, no anomaly mode) against independent truths.

The truth is a hand-written numpy backprop of a ReLU MLP with softmax cross-entropy (the benchmark's network,
smaller), PyTorch for the log_softmax-and-index loss, and the documented semantics: leaves accumulate,
intermediate nodes hold the latest pass's gradient, float32 stays float32, every leaf owns its gradient's
memory, a modified input is refused before anything is written. The generic pass (``ag.grad``, and
``backward`` under anomaly mode) must give the same numbers.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from _optional import require_module

import autograd_mini as ag
from autograd_mini import Tensor

SIZES = (6, 5, 4, 3)
B = 8


def _setup(dtype: Any) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    rng = np.random.default_rng(7)
    x = rng.normal(size=(B, SIZES[0])).astype(dtype)
    y = rng.integers(0, SIZES[-1], B)
    params = []
    for n_in, n_out in zip(SIZES[:-1], SIZES[1:]):
        params.append(rng.normal(size=(n_in, n_out)).astype(dtype))
        params.append(rng.normal(size=n_out).astype(dtype) * 0.1)
    return x, y, params


def _hand_backprop(x: np.ndarray, y: np.ndarray, p: list[np.ndarray]) -> list[np.ndarray]:
    """dL/dparams of mean softmax cross-entropy, written out by hand in float64 (no autograd)."""
    W1, b1, W2, b2, W3, b3 = (a.astype(np.float64) for a in p)
    x = x.astype(np.float64)
    z1 = x @ W1 + b1
    a1 = np.maximum(z1, 0)
    z2 = a1 @ W2 + b2
    a2 = np.maximum(z2, 0)
    z3 = a2 @ W3 + b3
    e = np.exp(z3 - z3.max(axis=1, keepdims=True))
    d3 = e / e.sum(axis=1, keepdims=True)
    d3[np.arange(len(y)), y] -= 1
    d3 /= len(y)
    d2 = (d3 @ W3.T) * (z2 > 0)
    d1 = (d2 @ W2.T) * (z1 > 0)
    return [x.T @ d1, d1.sum(0), a1.T @ d2, d2.sum(0), a2.T @ d3, d3.sum(0)]


def _loss(x: np.ndarray, y: np.ndarray, P: list[Tensor], spelling: str) -> Tensor:
    W1, b1, W2, b2, W3, b3 = P
    logits = ((x @ W1 + b1).relu() @ W2 + b2).relu() @ W3 + b3
    if spelling == "fused":
        return ag.cross_entropy(logits, y)
    return -(logits.log_softmax(axis=1)[np.arange(len(y)), y]).mean()


@pytest.mark.parametrize("spelling", ["fused", "log_softmax_index"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_pass_matches_hand_written_backprop(spelling: str, dtype: Any) -> None:
    x, y, init = _setup(dtype)
    P = [Tensor(a, requires_grad=True) for a in init]
    loss = _loss(x, y, P, spelling)
    loss.backward()
    tol = {"rtol": 2e-5, "atol": 2e-6} if dtype == np.float32 else {"rtol": 1e-12, "atol": 1e-14}
    for p, want in zip(P, _hand_backprop(x, y, init)):
        assert p.grad is not None and p.grad.dtype == dtype and p.grad.shape == p.shape
        np.testing.assert_allclose(p.grad, want, **tol)
        assert p.grad.flags.writeable
    for i, p in enumerate(P):  # every leaf owns its gradient's memory
        for q in P[i + 1 :]:
            assert not np.may_share_memory(p.grad, q.grad)
    # intermediate nodes hold their sensitivity, in their own dtype and shape
    for node in ag.node.toposort([loss]):
        assert node.grad is not None and node.grad.dtype == dtype and node.grad.shape == node.shape


@pytest.mark.parametrize("spelling", ["fused", "log_softmax_index"])
def test_pass_agrees_with_the_generic_pass(spelling: str) -> None:
    x, y, init = _setup(np.float64)
    P = [Tensor(a, requires_grad=True) for a in init]
    loss = _loss(x, y, P, spelling)
    generic = ag.grad(loss, P)
    loss.backward()
    own = [p.grad.copy() for p in P]
    for p in P:
        p.zero_grad()
    with ag.detect_anomaly():
        loss.backward()
    for a, b, c, p in zip(own, generic, (p.grad for p in P), P):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c)
        assert p.grad is not None


def test_leaves_accumulate_intermediates_hold_the_latest_pass() -> None:
    x, y, init = _setup(np.float64)
    P = [Tensor(a, requires_grad=True) for a in init]
    loss = _loss(x, y, P, "log_softmax_index")
    loss.backward()
    first = [p.grad.copy() for p in P]
    inner = [n for n in ag.node.toposort([loss]) if not n.is_leaf]
    inner_first = [n.grad.copy() for n in inner]
    loss.backward()
    for p, g in zip(P, first):
        np.testing.assert_allclose(p.grad, 2 * g, rtol=1e-15)
    for n, g in zip(inner, inner_first):
        np.testing.assert_array_equal(n.grad, g)


def test_a_modified_input_is_refused_and_nothing_is_written() -> None:
    x, y, init = _setup(np.float64)
    P = [Tensor(a, requires_grad=True) for a in init]
    loss = _loss(x, y, P, "fused")
    P[3].data = P[3].data + 1.0  # b2, used by the graph
    with pytest.raises(RuntimeError, match="was assigned after the op used it"):
        loss.backward()
    assert all(p.grad is None for p in P)
    t = Tensor(np.array([1.0, 2.0]), requires_grad=True)  # the input of a one-input op (exp), then of a variadic one
    for loss in (t.exp().sum(), ag.stack([t, t]).sum()):
        t.data = t.data * 2.0
        with pytest.raises(RuntimeError, match="was assigned after the op used it"):
            loss.backward()
        assert t.grad is None


def test_shared_input_and_broadcast_gradients_sum() -> None:
    # x feeds three ops (two of them broadcast it), so its gradient is the sum of three contributions
    x = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    m = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    loss = (x * m).sum() + (x + m).sum() + (x * x).sum()
    loss.backward()
    np.testing.assert_allclose(x.grad, m.data.sum(0) + 2 + 2 * x.data)
    np.testing.assert_allclose(m.grad, np.broadcast_to(x.data, (2, 3)) + 1)
    assert not np.may_share_memory(x.grad, m.grad)
    # add hands one buffer to both inputs: each leaf still gets memory of its own
    a, b = Tensor(np.ones(3), requires_grad=True), Tensor(np.ones(3), requires_grad=True)
    (a + b).sum().backward()
    a.grad *= 5.0
    np.testing.assert_array_equal(b.grad, np.ones(3))


def test_log_softmax_index_mean_matches_torch() -> None:
    torch = require_module("torch", "torch")
    rng = np.random.default_rng(3)
    logits = rng.normal(size=(7, 4)) * 3
    y = np.array([0, 3, 3, 1, 2, 0, 3])
    t = Tensor(logits, requires_grad=True)
    loss = -(t.log_softmax(axis=1)[np.arange(7), y]).mean()
    loss.backward()
    tt = torch.tensor(logits, requires_grad=True)
    tl = -(torch.log_softmax(tt, dim=1)[torch.arange(7), torch.tensor(y)]).mean()
    tl.backward()
    assert loss.item() == pytest.approx(tl.item(), rel=1e-14)
    np.testing.assert_allclose(t.grad, tt.grad.numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("axis", [None, 0, 1, (0, 2), -1])
@pytest.mark.parametrize("keepdims", [False, True])
def test_sum_and_mean_spread_the_upstream_gradient(dtype: Any, axis: Any, keepdims: bool) -> None:
    # closed forms: d(sum_k w_k s_k)/dx = w broadcast back over the reduced axes, and the mean's is that / count
    x = Tensor(np.arange(24.0).reshape(2, 3, 4), dtype=dtype, requires_grad=True)
    ax = (axis,) if isinstance(axis, int) else axis
    count = 24 if ax is None else int(np.prod([x.shape[a] for a in ax]))
    for reduce, scale in ((x.sum, 1.0), (x.mean, 1.0 / count)):
        x.zero_grad()
        out = reduce(axis=axis, keepdims=keepdims)
        w = np.arange(1.0, out.size + 1).reshape(out.shape).astype(dtype)
        (out * w).sum().backward()
        expanded = w if keepdims or ax is None else np.expand_dims(w, tuple(a % 3 for a in ax))
        want = np.broadcast_to(expanded * scale, (2, 3, 4))
        assert x.grad is not None and x.grad.dtype == dtype and x.grad.flags.writeable
        np.testing.assert_allclose(x.grad, want, rtol=1e-6 if dtype == np.float32 else 1e-15)
        if reduce == x.mean:
            np.testing.assert_allclose(out.data, np.mean(x.data, axis=axis, keepdims=keepdims), rtol=1e-6)

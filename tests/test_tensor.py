"""Tensor: dtypes, shapes of gradients under broadcasting, matmul, reductions, shape ops, indexing, joining,
where/maximum/minimum/clip, and mixing with numpy arrays and Python numbers. Expected values are closed forms."""

from __future__ import annotations

import numpy as np
import pytest
from _opspecs import floats
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_mini as ag
from autograd_mini import Tensor


# -- construction and dtypes -----------------------------------------------------------------------------------
def test_defaults() -> None:
    t = Tensor([[1.0, 2.0], [3.0, 4.0]])
    assert t.dtype == np.float64 and t.shape == (2, 2) and t.ndim == 2 and t.size == 4 and len(t) == 2
    assert not t.requires_grad and t.grad is None and t.is_leaf and t.op_name == ""
    assert ag.tensor(3).item() == 3.0 and isinstance(ag.tensor(3).item(), float)
    assert t.numpy() is t.data
    assert "Tensor(" in repr(t) and "requires_grad=True" in repr(Tensor(1.0, requires_grad=True))
    assert "op=mul" in repr(Tensor(1.0, requires_grad=True) * 2.0)


@pytest.mark.parametrize("data", [[1, 2, 3], np.arange(3), np.array([True, False]), 7, np.int32(4)])
def test_int_and_bool_input_become_float64(data: object) -> None:
    assert Tensor(data).dtype == np.float64


def test_constructor_copies() -> None:
    a = np.ones(3)
    t = Tensor(a)
    a[0] = 5.0
    assert t.data[0] == 1.0


def test_float32_is_preserved() -> None:
    x = Tensor(np.array([1.0, 2.0, 3.0], dtype=np.float32), requires_grad=True)
    y = ((x * 2 + 1.5) / 3.0 - 0.25) ** 2
    z = (y.exp().log() * 0.5).tanh().sigmoid().sum()
    assert y.dtype == np.float32 and z.dtype == np.float32
    z.backward()
    assert x.grad is not None and x.grad.dtype == np.float32 and x.grad.shape == (3,)
    w = Tensor(np.ones((3, 2), dtype=np.float32), requires_grad=True)
    out = (x @ w).softmax().max()
    assert out.dtype == np.float32
    out.backward()
    assert w.grad is not None and w.grad.dtype == np.float32
    assert Tensor([1.0], dtype=np.float32).dtype == np.float32
    assert (2.0 * Tensor([1.0], dtype=np.float32)).dtype == np.float32


def test_float32_with_float64_array_promotes() -> None:
    x = Tensor(np.ones(2, dtype=np.float32), requires_grad=True)
    y = x * np.array([1.0, 2.0])  # an explicit float64 array: numpy promotion
    assert y.dtype == np.float64
    y.sum().backward()
    assert x.grad is not None and x.grad.dtype == np.float32  # the gradient keeps the tensor's own dtype


# -- broadcasting: every gradient has its tensor's shape -------------------------------------------------------------
@given(st.data())
def test_broadcast_gradients_are_reduced_to_each_shape(data: st.DataObject) -> None:
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=4, max_side=3))
    arrays = [data.draw(hnp.arrays(np.float64, s, elements=floats(0.5, 2))) for s in shapes.input_shapes]
    a, b, c = (Tensor(x, requires_grad=True) for x in arrays)
    out = a * b + c / b - a
    assert out.shape == shapes.result_shape
    out.backward(gradient=np.ones(shapes.result_shape))
    A, B, C = (np.broadcast_to(x, shapes.result_shape) for x in arrays)

    def reduce(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        g = g.sum(axis=tuple(range(g.ndim - len(shape))))
        return g.sum(axis=tuple(k for k, n in enumerate(shape) if n == 1), keepdims=True)

    for t, expected in zip((a, b, c), (B - 1, A - C / B**2, 1 / B)):
        assert t.grad is not None and t.grad.shape == t.shape
        np.testing.assert_allclose(t.grad, reduce(expected, t.shape), rtol=1e-12, atol=1e-12)


def test_scalar_and_row_broadcast_closed_form() -> None:
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    b = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    s = Tensor(2.0, requires_grad=True)
    ((x + b) * s).sum().backward()
    np.testing.assert_array_equal(b.grad, [4.0, 4.0, 4.0])
    assert s.grad == 15.0 + 2 * 6.0 and s.grad.shape == ()
    np.testing.assert_array_equal(x.grad, np.full((2, 3), 2.0))


# -- mixing with numpy arrays and Python numbers ------------------------------------------------------------------
def test_ndarray_on_either_side_gives_tensor() -> None:
    t = Tensor([1.0, 2.0], requires_grad=True)
    arr = np.array([3.0, 4.0])
    results = [arr + t, t + arr, arr * t, arr - t, arr / t, arr**t, t**arr, arr @ t, t @ arr, np.float64(2) * t]
    for r in results:
        assert isinstance(r, Tensor) and r.requires_grad
    np.testing.assert_allclose((arr - t).data, [2.0, 2.0])
    np.testing.assert_allclose((arr / t).data, [3.0, 2.0])
    assert (arr @ t).item() == 11.0
    (arr**t).sum().backward()
    np.testing.assert_allclose(t.grad, arr**t.data * np.log(arr))


def test_python_numbers_on_either_side() -> None:
    t = Tensor([1.0, 2.0], requires_grad=True)
    out = (2 - t) * 3 + 1 / t + t**2 + 2**t - (-t)
    expected = (2 - t.data) * 3 + 1 / t.data + t.data**2 + 2**t.data + t.data
    np.testing.assert_allclose(out.data, expected)
    out.sum().backward()
    np.testing.assert_allclose(t.grad, -3 - 1 / t.data**2 + 2 * t.data + 2**t.data * np.log(2) + 1)
    assert (+t) is t


def test_comparisons_return_arrays() -> None:
    t = Tensor([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(t > 1.5, [False, True, True])
    np.testing.assert_array_equal(t <= Tensor([1.0, 1.0, 5.0]), [True, False, True])
    assert isinstance(t < 2, np.ndarray) and isinstance(t >= 2, np.ndarray)


# -- matmul ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("sa", "sb"),
    [
        ((3,), (3,)),
        ((2, 3), (3,)),
        ((3,), (3, 4)),
        ((2, 3), (3, 4)),
        ((5, 2, 3), (3, 4)),
        ((2, 3), (5, 3, 4)),
        ((5, 2, 3), (5, 3, 4)),
        ((5, 1, 2, 3), (4, 3, 2)),
        ((5, 2, 3), (3,)),
        ((3,), (5, 3, 4)),
    ],
)
def test_matmul_gradients(sa: tuple[int, ...], sb: tuple[int, ...]) -> None:
    rng = np.random.default_rng(len(sa) * 10 + len(sb))
    A, B = rng.normal(size=sa), rng.normal(size=sb)
    a, b = Tensor(A, requires_grad=True), Tensor(B, requires_grad=True)
    out = a @ b
    np.testing.assert_allclose(out.data, A @ B, rtol=1e-12)
    G = rng.normal(size=out.shape)
    out.backward(gradient=G)

    # out is linear in each operand, so d sum(G * (A @ B)) / dA[i] = sum(G * (E_i @ B)) exactly (E_i: unit array)
    def basis(shape: tuple[int, ...], i: tuple[int, ...]) -> np.ndarray:
        e = np.zeros(shape)
        e[i] = 1.0
        return e

    dA = np.array([np.sum(G * (basis(sa, i) @ B)) for i in np.ndindex(sa)]).reshape(sa)
    dB = np.array([np.sum(G * (A @ basis(sb, i))) for i in np.ndindex(sb)]).reshape(sb)
    assert a.grad is not None and b.grad is not None
    assert a.grad.shape == sa and b.grad.shape == sb
    np.testing.assert_allclose(a.grad, dA, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(b.grad, dB, rtol=1e-10, atol=1e-12)


def test_matmul_with_ndarray_and_rmatmul() -> None:
    W = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    x = Tensor([1.0, -1.0, 2.0], requires_grad=True)
    (x @ W).sum().backward()
    np.testing.assert_array_equal(x.grad, W.sum(axis=1))
    y = Tensor([[1.0], [2.0]], requires_grad=True)
    (W @ y).sum().backward()
    np.testing.assert_array_equal(y.grad, W.sum(axis=0)[:, None])


# -- reductions -------------------------------------------------------------------------------------------------------
X = np.array([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]])


@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 1), ()])
@pytest.mark.parametrize("keepdims", [False, True])
def test_sum_mean(axis: object, keepdims: bool) -> None:
    x = Tensor(X, requires_grad=True)
    s = x.sum(axis=axis, keepdims=keepdims)  # type: ignore[arg-type]
    m = x.mean(axis=axis, keepdims=keepdims)  # type: ignore[arg-type]
    np.testing.assert_allclose(s.data, np.sum(X, axis=axis, keepdims=keepdims))  # type: ignore[call-overload]
    np.testing.assert_allclose(m.data, np.mean(X, axis=axis, keepdims=keepdims))  # type: ignore[call-overload]
    (s.sum() + m.sum()).backward()
    count = X.size / np.size(np.sum(X, axis=axis))  # type: ignore[call-overload]
    np.testing.assert_allclose(x.grad, np.full(X.shape, 1.0 + 1.0 / count))


@pytest.mark.parametrize("axis", [None, 0, 1, -1])
@pytest.mark.parametrize("keepdims", [False, True])
def test_max_min(axis: int | None, keepdims: bool) -> None:
    x = Tensor(X, requires_grad=True)
    mx, mn = x.max(axis=axis, keepdims=keepdims), x.min(axis=axis, keepdims=keepdims)
    np.testing.assert_array_equal(mx.data, np.max(X, axis=axis, keepdims=keepdims))
    np.testing.assert_array_equal(mn.data, np.min(X, axis=axis, keepdims=keepdims))
    (mx.sum() * 2.0 + mn.sum() * 3.0).backward()
    expected = 2.0 * (X == np.max(X, axis=axis, keepdims=True)) + 3.0 * (X == np.min(X, axis=axis, keepdims=True))
    np.testing.assert_array_equal(x.grad, expected)


def test_max_ties_share_the_gradient() -> None:
    x = Tensor([[2.0, 2.0, 1.0], [3.0, 3.0, 3.0]], requires_grad=True)
    x.max(axis=1).sum().backward()
    np.testing.assert_allclose(x.grad, [[0.5, 0.5, 0.0], [1 / 3, 1 / 3, 1 / 3]])
    y = Tensor([1.0, 1.0], requires_grad=True)
    ag.maximum(y, Tensor([1.0, 0.0])).sum().backward()
    np.testing.assert_array_equal(y.grad, [0.5, 1.0])


def test_softmax_rows_and_columns() -> None:
    x = Tensor(X, requires_grad=True)
    for axis in (0, 1, -1):
        e = np.exp(X - X.max(axis=axis, keepdims=True))
        np.testing.assert_allclose(x.softmax(axis=axis).data, e / e.sum(axis=axis, keepdims=True), rtol=1e-12)
    # gradient of sum of softmax is zero (it sums to one)
    x.softmax(axis=0).sum().backward()
    np.testing.assert_allclose(x.grad, np.zeros_like(X), atol=1e-15)


# -- shape ops and indexing -------------------------------------------------------------------------------------------
def test_reshape_and_transpose() -> None:
    x = Tensor(np.arange(6.0), requires_grad=True)
    r = x.reshape(2, 3)
    assert r.shape == (2, 3) and x.reshape((3, -1)).shape == (3, 2) and x.reshape([6]).shape == (6,)
    assert r.T.shape == (3, 2) and r.transpose(1, 0).shape == (3, 2) and r.transpose((1, 0)).shape == (3, 2)
    t3 = Tensor(np.zeros((2, 3, 4)))
    assert t3.T.shape == (4, 3, 2) and t3.transpose(1, 2, 0).shape == (3, 4, 2)
    assert t3.transpose(-1, 0, 1).shape == (4, 2, 3)
    w = np.arange(6.0).reshape(3, 2)
    (r.T * w).sum().backward()
    np.testing.assert_array_equal(x.grad, w.T.reshape(6))


def test_integer_array_indexing_accumulates_repeats() -> None:
    logits = Tensor(np.log(np.array([[0.2, 0.3, 0.5], [0.1, 0.1, 0.8], [0.6, 0.2, 0.2]])), requires_grad=True)
    y = np.array([2, 0, 0])
    n = 3
    logp = logits.log_softmax(axis=1)
    nll = -logp[np.arange(n), y].mean()
    assert nll.item() == pytest.approx(-(np.log(0.5) + np.log(0.1) + np.log(0.6)) / 3)
    nll.backward()
    p = np.exp(logits.data)
    onehot = np.eye(3)[y]
    np.testing.assert_allclose(logits.grad, (p - onehot) / n, atol=1e-12)
    # repeated indices accumulate
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[np.array([0, 0, 2, 0])].sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 0.0, 1.0])
    z = Tensor(np.zeros((2, 2)), requires_grad=True)
    (z[[0, 0, 1], [1, 1, 0]] * Tensor([1.0, 2.0, 5.0])).sum().backward()
    np.testing.assert_array_equal(z.grad, [[0.0, 3.0], [5.0, 0.0]])


def test_slicing_boolean_mask_and_iteration() -> None:
    x = Tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
    parts = [x[1], x[:, 1:3], x[::2, -1], x[..., 0], x[None, 0, 1:2], x[x.data > 9], x[Tensor([0.0, 2.0])]]
    assert [p.shape for p in parts] == [(4,), (3, 2), (2,), (3,), (1, 1), (2,), (2, 4)]
    sum(p.sum() for p in parts).backward()
    expected = np.zeros((3, 4))
    expected[1] += 1
    expected[:, 1:3] += 1
    expected[::2, -1] += 1
    expected[:, 0] += 1
    expected[0, 1] += 1
    expected[x.data > 9] += 1
    expected[[0, 2]] += 1
    np.testing.assert_array_equal(x.grad, expected)
    rows = list(x)
    assert len(rows) == 3 and all(r.shape == (4,) for r in rows)
    with pytest.raises(IndexError):
        x[Tensor([0.5])]


def test_concatenate_and_stack() -> None:
    a = Tensor(np.ones((2, 3)), requires_grad=True)
    b = Tensor(np.full((1, 3), 2.0), requires_grad=True)
    c = ag.concatenate([a, b, np.zeros((2, 3))], axis=0)
    assert c.shape == (5, 3)
    (c * np.arange(5.0)[:, None]).sum().backward()
    np.testing.assert_array_equal(a.grad, [[0.0] * 3, [1.0] * 3])
    np.testing.assert_array_equal(b.grad, [[2.0] * 3])
    d = ag.concatenate([a, a], axis=-1)
    assert d.shape == (2, 6)
    u, v = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0], requires_grad=True)
    s = ag.stack([u, v, u], axis=1)
    assert s.shape == (2, 3)
    np.testing.assert_array_equal(s.data, [[1.0, 3.0, 1.0], [2.0, 4.0, 2.0]])
    (s * np.array([1.0, 10.0, 100.0])).sum().backward()
    np.testing.assert_array_equal(u.grad, [101.0, 101.0])
    np.testing.assert_array_equal(v.grad, [10.0, 10.0])
    assert ag.stack([u, v], axis=-1).shape == (2, 2)


def test_where_maximum_minimum_clip() -> None:
    x = Tensor([-2.0, -0.5, 0.5, 2.0], requires_grad=True)
    y = Tensor([1.0, 1.0, 1.0, 1.0], requires_grad=True)
    w = ag.where(x.data > 0, x * 3.0, y * 2.0)
    np.testing.assert_array_equal(w.data, [2.0, 2.0, 1.5, 6.0])
    m = ag.maximum(x, 0.0) + ag.minimum(x, y) + x.clip(-1.0, 1.0)
    np.testing.assert_array_equal(m.data, [-3.0, -1.0, 1.5, 4.0])
    (w.sum() + m.sum()).backward()
    np.testing.assert_array_equal(x.grad, [1.0, 2.0, 3.0 + 1.0 + 1.0 + 1.0, 3.0 + 1.0])
    np.testing.assert_array_equal(y.grad, [2.0, 2.0, 0.0, 1.0])
    # where with a broadcast condition and a numpy operand
    z = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    ag.where(np.array([True, False]), z, np.zeros(2)).sum().backward()
    np.testing.assert_array_equal(z.grad, [[1.0, 0.0], [1.0, 0.0]])


def test_activations_closed_forms() -> None:
    x0 = np.array([-2.0, -0.5, 0.5, 2.0])
    x = Tensor(x0, requires_grad=True)
    outs = [x.relu(), x.leaky_relu(0.1), x.abs(), x.hardlimit(), x.sign(), abs(x)]
    expected = [
        np.maximum(x0, 0),
        np.where(x0 > 0, x0, 0.1 * x0),
        np.abs(x0),
        (x0 >= 0) * 1.0,
        np.where(x0 >= 0, 1.0, -1.0),
        np.abs(x0),
    ]
    for o, e in zip(outs, expected):
        np.testing.assert_array_equal(o.data, e)
    sum(o.sum() for o in outs).backward()
    np.testing.assert_allclose(x.grad, (x0 > 0) + np.where(x0 > 0, 1.0, 0.1) + 2 * np.sign(x0))
    assert Tensor(0.0).hardlimit().item() == 1.0 and Tensor(0.0).sign().item() == 1.0
    z = Tensor([0.0], requires_grad=True)
    (z.relu() + z.abs()).sum().backward()
    np.testing.assert_array_equal(z.grad, [0.0])


def test_empty_tensors() -> None:
    x = Tensor(np.zeros((0, 3)), requires_grad=True)
    s = (x * 2.0).sum()
    assert s.item() == 0.0
    s.backward()
    assert x.grad is not None and x.grad.shape == (0, 3)


def test_detach_shares_no_graph_but_keeps_data() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True, label="x")
    d = (x * 2.0).detach()
    assert d.is_leaf and not d.requires_grad
    np.testing.assert_array_equal(d.data, [2.0, 4.0])
    assert x.detach().label == "x"

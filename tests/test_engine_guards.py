"""Engine guards from issues 9 and 11: arrays out, x**0 at subnormal x, stale graphs, clear argument errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd_mini as ag
from tests._optional import require_module


# -- issue 9: a Tensor is an array for numpy, matplotlib, pandas, torch -------------------------------------
def test_asarray_gives_the_numeric_array_shared() -> None:
    t = ag.Tensor([[1.0, 2.0], [3.0, 4.0]])
    a = np.asarray(t)
    assert a.dtype == np.float64 and a.shape == (2, 2)
    assert np.shares_memory(a, t.data)
    assert np.array_equal(a, [[1.0, 2.0], [3.0, 4.0]])
    # a list of tensors stacks numerically (it was an object array of 0-d Tensors)
    assert np.array_equal(np.array([ag.Tensor([1.0, 2.0]), ag.Tensor([3.0, 4.0])]), [[1, 2], [3, 4]])
    assert np.array([ag.Tensor(1.0), ag.Tensor(2.0)]).dtype == np.float64


def test_array_honours_numpy2_dtype_and_copy() -> None:
    t = ag.Tensor([1.0, 2.0])
    c = np.array(t, copy=True)
    assert not np.shares_memory(c, t.data)
    f = np.asarray(t, dtype=np.float32)
    assert f.dtype == np.float32 and np.array_equal(f, [1.0, 2.0])
    assert np.shares_memory(np.asarray(t, copy=False), t.data)
    with pytest.raises(ValueError, match="without a copy"):
        np.asarray(t, dtype=np.float32, copy=False)


def test_torch_as_tensor_accepts_a_tensor() -> None:
    torch = require_module("torch", "torch")
    t = ag.Tensor([[1.0, 2.0], [3.0, 4.0]])
    tt = torch.as_tensor(t)
    assert tt.dtype == torch.float64 and tt.tolist() == [[1.0, 2.0], [3.0, 4.0]]


def test_pandas_and_matplotlib_accept_a_tensor() -> None:
    pd = require_module("pandas", "examples")  # mlxtend's dependency
    t = ag.Tensor([[1.0, 2.0], [3.0, 4.0]])
    assert pd.DataFrame(t).to_numpy().tolist() == [[1.0, 2.0], [3.0, 4.0]]
    matplotlib = require_module("matplotlib", "examples")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    (line,) = ax.plot(ag.Tensor([0.0, 1.0, 2.0]), ag.Tensor([3.0, 1.0, 2.0]))
    assert np.array_equal(np.asarray(line.get_ydata(), dtype=float), [3.0, 1.0, 2.0])
    plt.close(fig)


def test_float_of_single_element_tensor() -> None:
    assert float(ag.Tensor([[2.5]])) == 2.5
    with pytest.raises(TypeError, match="single-element"):
        float(ag.Tensor([1.0, 2.0]))


# -- issue 11 item 9: d(x^0)/dx = 0 everywhere ----------------------------------------------------------------
@pytest.mark.parametrize("x0", [1e-310, -1e-310, 5e-324, 0.0, 1e-300, 2.0])
def test_value_pow_zero_has_zero_derivative(x0: float) -> None:
    x = ag.Value(x0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (x**0).backward()
    assert x.grad == 0.0


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_tensor_pow_zero_has_zero_derivative(dtype: type) -> None:
    tiny = np.finfo(dtype).smallest_subnormal
    x = ag.Tensor(np.array([tiny, -tiny, 0.0, 1e-39, 3.0], dtype=dtype), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (x ** ag.Tensor(np.zeros(5, dtype=dtype))).sum().backward()
    assert np.array_equal(x.grad, np.zeros(5))


def test_pow_zero_second_derivatives_kept() -> None:
    # d/dy of d(x^y)/dx = x^(y-1) (1 + y log x); at y = 0, x = 2: 1/2 (closed form)
    x, y = ag.Value(2.0), ag.Value(0.0)
    (gx,) = ag.grad(x**y, [x], create_graph=True)
    (gxy,) = ag.grad(gx, [y])
    assert gxy == pytest.approx(0.5)
    # 0^0: derivative 0 as in PyTorch, second derivative d2/dx2 of x^2 at 0 is 2
    z = ag.Value(0.0)
    (gz,) = ag.grad(z**2, [z], create_graph=True)
    (gzz,) = ag.grad(gz, [z])
    assert gz.data == 0.0 and gzz == 2.0


# -- issue 11 item 10: assigning .data between forward and backward ------------------------------------------
def test_value_data_assigned_after_forward_raises_naming_it() -> None:
    w = ag.Value(2.0, label="w")
    loss = w * w
    w.data = 3.0  # before this check, backward silently gave 2 * 3 = 6 instead of 4
    with pytest.raises(RuntimeError, match="'w'.*assigned after the op used it"):
        loss.backward()
    assert w.grad == 0.0  # nothing written


def test_tensor_data_changed_in_place_raises_naming_it() -> None:
    W = ag.Tensor(np.ones(3), requires_grad=True, label="W")
    loss = (W * W).sum()
    W.data -= 1.0  # the usual in-place update of an optimizer step, between forward and backward
    with pytest.raises(RuntimeError, match="'W'"):
        loss.backward()
    with pytest.raises(RuntimeError, match="assigned after"):
        ag.grad(loss, [W])


def test_intermediate_data_assigned_raises_and_fresh_graph_works() -> None:
    x = ag.Value(3.0, label="x")
    h = x * 2.0
    y = h * h
    h.data = 0.0
    with pytest.raises(RuntimeError, match="result of op 'mul'"):
        y.backward()
    x.data = 4.0  # assigning before a new forward pass is fine
    z = x * x
    z.backward()
    assert x.grad == 8.0


def test_training_loop_pattern_still_works() -> None:
    w = ag.Tensor(np.array([1.0, -2.0]), requires_grad=True)
    for _ in range(3):
        loss = (w * w).sum()
        loss.backward()
        w.data -= 0.25 * w.grad
        w.grad = None
    assert np.allclose(w.data, np.array([1.0, -2.0]) * 0.5**3)


# -- issue 11 item 10: bad arguments get clear errors ----------------------------------------------------------
def test_value_times_size_one_array_is_a_value() -> None:
    a = ag.Value(1.5, label="a")
    for arr in (np.array([2.0]), np.array([[2.0]]), np.array(2.0)):
        out = a * arr
        assert isinstance(out, ag.Value) and out.data == 3.0
        out.backward()
    assert a.grad == 6.0
    r = np.array([2.0]) * a
    assert isinstance(r, ag.Value) and r.data == 3.0
    with pytest.raises(TypeError):
        a * np.array([1.0, 2.0])


def test_label_must_be_str() -> None:
    with pytest.raises(TypeError, match="label must be a str, got int"):
        ag.Value(1, label=5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="label must be a str"):
        ag.Tensor([1.0], label=3)  # type: ignore[arg-type]


def test_backward_gradient_argument_checked() -> None:
    v = ag.Value(2.0) * ag.Value(3.0)
    with pytest.raises(TypeError, match="gradient must be a number"):
        v.backward("x")
    t = (ag.Tensor([1.0, 2.0], requires_grad=True) * 2).sum()
    with pytest.raises(TypeError, match="gradient must be numeric"):
        t.backward("x")


def test_grad_arguments_checked() -> None:
    x = ag.Value(1.0)
    with pytest.raises(TypeError, match="outputs must be"):
        ag.grad(outputs="y", inputs=[x])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"inputs\[1\] must be a Value or Tensor"):
        ag.grad(x * x, [x, "x"])  # type: ignore[list-item]


@pytest.mark.parametrize("axis", ["a", 1.5, True, (0, "b")])
def test_reduction_axis_must_be_ints(axis: object) -> None:
    t = ag.Tensor(np.ones((2, 3)))
    with pytest.raises(TypeError, match="axis must be None, an int or a tuple of ints"):
        t.sum(axis=axis)  # type: ignore[arg-type]


def test_cross_entropy_string_labels_rejected() -> None:
    with pytest.raises(TypeError, match="labels must be integer class indices"):
        ag.cross_entropy(ag.Tensor(np.zeros((2, 3))), ["a", "b"])


@pytest.mark.parametrize("dtype", [int, np.int32, bool, "complex128"])
def test_tensor_non_float_dtype_rejected(dtype: object) -> None:
    with pytest.raises(TypeError, match="dtype must be a float dtype"):
        ag.Tensor([1.5], dtype=dtype)


def test_cross_entropy_empty_batch() -> None:
    with pytest.raises(ValueError, match="empty batch"):
        ag.cross_entropy(ag.Tensor(np.zeros((0, 3)), requires_grad=True), np.zeros(0, dtype=int))
    # the sum over no samples is 0 (PyTorch: tensor(0.)), with an empty gradient
    x = ag.Tensor(np.zeros((0, 3)), requires_grad=True)
    loss = ag.cross_entropy(x, np.zeros(0, dtype=int), reduction="sum")
    assert loss.item() == 0.0
    loss.backward()
    assert x.grad.shape == (0, 3)


def test_failed_backward_leaves_every_leaf_gradient_as_it_was() -> None:
    w = ag.Value(2.0, label="w")
    x = ag.Value(3.0, label="x")
    w.grad = 5.0  # from an earlier pass: leaves accumulate
    loss = (w * x + w) * 2.0
    x.data = 1.0
    with pytest.raises(RuntimeError, match="'x'"):
        loss.backward()
    assert w.grad == 5.0 and x.grad == 0.0
    W = ag.Tensor(np.ones(2), requires_grad=True, label="W")
    W.grad = np.array([1.0, 2.0])
    t = (W * W).sum()
    W.data = np.zeros(2)
    with pytest.raises(RuntimeError, match="'W'"):
        t.backward()
    assert np.array_equal(W.grad, [1.0, 2.0])

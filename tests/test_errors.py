"""Error messages and diagnostics: shape mismatches, bad operands, backward on non-scalars, anomaly mode,
gradcheck."""

from __future__ import annotations

import re
import warnings
from typing import Any

import numpy as np
import pytest

import autograd_mini as ag
from autograd_mini import GradcheckError, Tensor, Value


# -- shape mismatches --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("op", "a", "b"),
    [
        ("add", (2, 3), (4,)),
        ("sub", (2, 3), (3, 2)),
        ("mul", (5,), (4,)),
        ("div", (2, 1, 3), (2, 4)),
        ("pow", (3,), (2,)),
        ("matmul", (2, 3), (4,)),
        ("matmul", (2, 3), (2, 3)),
        ("matmul", (5, 2, 3), (4, 3, 2)),
        ("maximum", (2,), (3,)),
        ("minimum", (2,), (3,)),
    ],
)
def test_shape_mismatch_names_op_and_both_shapes(op: str, a: tuple[int, ...], b: tuple[int, ...]) -> None:
    x, y = Tensor(np.ones(a), requires_grad=True), Tensor(np.ones(b))
    fns = {
        "add": lambda: x + y,
        "sub": lambda: x - y,
        "mul": lambda: x * y,
        "div": lambda: x / y,
        "pow": lambda: x**y,
        "matmul": lambda: x @ y,
        "maximum": lambda: ag.maximum(x, y),
        "minimum": lambda: ag.minimum(x, y),
    }
    with pytest.raises(ValueError) as info:
        fns[op]()
    msg = str(info.value)
    assert op in msg and str(a) in msg and str(b) in msg


def test_shape_mismatch_with_ndarray_operand() -> None:
    with pytest.raises(ValueError, match=re.escape("(3,)") + ".*" + re.escape("(2,)")):
        Tensor([1.0, 2.0, 3.0]) + np.ones(2)
    with pytest.raises(ValueError, match="add"):
        np.ones(2) + Tensor([1.0, 2.0, 3.0])


def test_shape_errors_of_shape_ops() -> None:
    t = Tensor(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"reshape.*\(2, 3\)"):
        t.reshape(4, 2)
    with pytest.raises(ValueError, match="transpose"):
        t.transpose(0, 0)
    with pytest.raises(ValueError, match="axis"):
        t.sum(axis=2)
    with pytest.raises(ValueError, match="concatenate"):
        ag.concatenate([t, Tensor(np.ones((3, 2)))], axis=0)
    with pytest.raises(ValueError, match="stack"):
        ag.stack([t, Tensor(np.ones((3, 2)))])
    with pytest.raises(ValueError, match="stack"):
        ag.stack([])
    with pytest.raises(IndexError, match=r"\(2, 3\)"):
        t[5]
    with pytest.raises(ValueError, match=r"backward\(\): gradient of shape \(3,\)"):
        Tensor(np.ones((2, 3)), requires_grad=True).exp().backward(gradient=np.ones(3))


# -- non-numeric operands ------------------------------------------------------------------------------------------
BAD = ["a", None, ["a", "b"], {"x": 1}, object()]


@pytest.mark.parametrize("bad", BAD, ids=["str", "None", "list-of-str", "dict", "object"])
@pytest.mark.parametrize("engine", ["Value", "Tensor"])
def test_non_numeric_operand_is_type_error(bad: Any, engine: str) -> None:
    x = Value(1.0) if engine == "Value" else Tensor([1.0, 2.0], requires_grad=True)
    for fn in (
        lambda: x + bad,
        lambda: bad + x,
        lambda: x * bad,
        lambda: bad * x,
        lambda: x - bad,
        lambda: x / bad,
        lambda: x**bad,
        lambda: bad**x,
    ):
        with pytest.raises(TypeError):
            fn()
    with pytest.raises(TypeError):
        ag.maximum(x, bad)


@pytest.mark.parametrize("bad", BAD, ids=["str", "None", "list-of-str", "dict", "object"])
def test_non_numeric_constructor_is_type_error(bad: Any) -> None:
    with pytest.raises(TypeError):
        Value(bad)
    with pytest.raises(TypeError):
        Tensor(bad)


def test_type_error_names_the_type() -> None:
    with pytest.raises(TypeError, match="str"):
        Value(1.0) + "a"
    with pytest.raises(TypeError, match="NoneType"):
        Tensor([1.0]) * None
    with pytest.raises(TypeError):
        Tensor(np.array(["a", "b"]))
    with pytest.raises(TypeError):
        Tensor([1 + 2j])


def test_value_rejects_arrays_with_more_than_one_element() -> None:
    with pytest.raises(TypeError):
        Value(1.0) + np.ones(3)
    with pytest.raises(TypeError):
        Value(np.ones(3))


def test_mixing_engines_is_type_error() -> None:
    with pytest.raises(TypeError):
        Value(1.0) + Tensor([1.0])
    with pytest.raises(TypeError):
        Tensor([1.0]) + Value(1.0)
    with pytest.raises(TypeError):
        ag.maximum(Value(1.0), Tensor([1.0]))


# -- backward misuse ---------------------------------------------------------------------------------------------
def test_backward_on_non_scalar_tensor_needs_gradient() -> None:
    t = Tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(RuntimeError, match=r"\(2, 3\).*gradient"):
        (t * 2.0).backward()
    (t * 2.0).sum().backward()  # a scalar is fine, and so is a one-element tensor
    (t[0:1, 0:1] * 2.0).backward()
    np.testing.assert_array_equal(t.grad, np.full((2, 3), 2.0) + np.pad([[2.0]], ((0, 1), (0, 2))))


def test_backward_on_constant_is_runtime_error() -> None:
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor([1.0]).sum().backward()
    with pytest.raises(RuntimeError, match="does not require grad"):
        Value(1.0, requires_grad=False).exp().backward()


def test_grad_of_input_without_requires_grad_is_error() -> None:
    x = Tensor([1.0])
    with pytest.raises(ValueError, match="input 0"):
        ag.grad((x * 2.0).sum(), x)
    with pytest.raises(ValueError, match="grad_outputs"):
        y = Tensor([1.0], requires_grad=True)
        ag.grad([y.sum(), y.sum()], y, grad_outputs=[1.0])


# -- anomaly mode --------------------------------------------------------------------------------------------------
def test_anomaly_mode_forward_names_the_op() -> None:
    x = Value(-1.0)
    with ag.detect_anomaly(), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        y = x * 2.0  # fine
        with pytest.raises(FloatingPointError, match="forward of op 'log'"):
            y.log()
        with pytest.raises(FloatingPointError, match="forward of op 'exp'"):
            Tensor([1000.0], requires_grad=True).exp()
        with pytest.raises(FloatingPointError, match="forward of op 'div'"):
            Tensor([1.0]) / Tensor([0.0])
    # outside anomaly mode the same computations only warn
    with pytest.warns(RuntimeWarning):
        assert np.isnan(x.log().data)


def test_anomaly_mode_backward_names_the_op() -> None:
    # sqrt(0) is finite, its derivative 1/(2 sqrt 0) is not
    for x in (Value(0.0), Tensor([0.0, 4.0], requires_grad=True)):
        y = x.sqrt() * 3.0
        loss = y if isinstance(y, Value) else y.sum()
        with ag.detect_anomaly(), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            with pytest.raises(FloatingPointError, match="backward of op 'sqrt'"):
                loss.backward()


def test_anomaly_mode_is_quiet_for_finite_graphs_and_restores() -> None:
    x = Tensor([0.5, 1.0], requires_grad=True)
    with ag.detect_anomaly():
        (x.log() * x.exp()).sum().backward()
    np.testing.assert_allclose(x.grad, np.exp(x.data) * (1 / x.data + np.log(x.data)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert np.isnan(Tensor([-1.0]).log().data[0])  # no raise once the block is left


# -- gradcheck -----------------------------------------------------------------------------------------------------
def test_gradcheck_passes_correct_functions() -> None:
    rng = np.random.default_rng(0)
    x = Tensor(rng.normal(size=(3, 4)), requires_grad=True)
    w = Tensor(rng.normal(size=(4, 2)), requires_grad=True)
    assert ag.gradcheck(lambda a, b: (a @ b).tanh().log_softmax(axis=1), [x, w]) is True
    assert ag.gradcheck(lambda a: a.sigmoid() * a, Value(0.3)) is True
    assert ag.gradcheck(lambda a, b: (a * b + b.exp()).sqrt(), [Value(1.2), Value(-0.4)]) is True


def _broken(a: Any) -> Any:
    # f = a^2, but half of the gradient path is cut: autograd reports a instead of 2a
    return a * a.detach()


def test_gradcheck_catches_a_broken_gradient_with_a_table() -> None:
    x = Tensor([[1.0, 2.0], [3.0, -1.5]], requires_grad=True)
    y = Tensor([0.5, 0.25], requires_grad=True)
    with pytest.raises(GradcheckError) as info:
        ag.gradcheck(lambda a, b: (_broken(a) * b).sum(), [x, y])
    msg = str(info.value)
    assert "gradcheck failed" in msg
    lines = msg.splitlines()
    assert any(line.startswith("input 0") and "FAIL" in line for line in lines)
    assert any(line.startswith("input 1") and "ok" in line for line in lines)
    assert "(2, 2)" in msg and "4 of 4 entries off" in msg
    assert "autograd 1.5" in msg and "numeric 3" in msg  # worst: x = 3, b = 0.5: 3*0.5 vs 2*3*0.5


def test_gradcheck_raise_exception_false_returns_false() -> None:
    assert ag.gradcheck(_broken, Value(2.0), raise_exception=False) is False
    assert ag.gradcheck(lambda a: a * a, Value(2.0), raise_exception=False) is True
    with pytest.raises(GradcheckError, match="input 0"):
        ag.gradcheck(_broken, Value(2.0))


def test_gradcheck_input_validation() -> None:
    with pytest.raises(ValueError, match="does not require grad"):
        ag.gradcheck(lambda a: a * 2.0, Tensor([1.0]))
    with pytest.raises(TypeError):
        ag.gradcheck(lambda a: a * 2.0, [np.ones(2)])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="must return"):
        ag.gradcheck(lambda a: 3.0, Value(1.0))


def test_gradcheck_restores_inputs() -> None:
    x = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    before = x.data.copy()
    ag.gradcheck(lambda a: (a * a).sum(), x)
    np.testing.assert_array_equal(x.data, before)
    t = Tensor(np.arange(6.0).reshape(2, 3).T, requires_grad=True)  # a non-contiguous input
    before = t.data.copy()
    assert ag.gradcheck(lambda a: (a**2).sum(axis=0), t)
    np.testing.assert_array_equal(t.data, before)


def test_numerical_grad_matches_closed_form() -> None:
    (g,) = ag.numerical_grad(lambda a: (a**3).sum(), Tensor([1.0, -2.0], requires_grad=True))
    np.testing.assert_allclose(g, [3.0, 12.0], rtol=1e-8)
    (h,) = ag.numerical_grad(lambda a: a.exp(), Value(0.0))
    assert h == pytest.approx(1.0, rel=1e-8)


def test_cross_entropy_and_joining_validation() -> None:
    logits = Tensor(np.zeros((2, 3)), requires_grad=True)
    with pytest.raises(ValueError, match="2-D"):
        ag.cross_entropy(Tensor(np.zeros(3)), [0])
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        ag.cross_entropy(logits, [0, 1, 2])
    with pytest.raises(ValueError, match="integer class indices"):
        ag.cross_entropy(logits, [0.5, 1.0])
    with pytest.raises(ValueError, match="label 3 is outside"):
        ag.cross_entropy(logits, [0, 3])
    with pytest.raises(ValueError, match="label -1 is outside"):
        ag.cross_entropy(logits, [-1, 0])
    with pytest.raises(ValueError, match="reduction"):
        ag.cross_entropy(logits, [0, 1], reduction="none")
    assert ag.cross_entropy(logits, np.array([0.0, 2.0]), reduction="sum").item() == pytest.approx(2 * np.log(3))
    with pytest.raises(ValueError, match="at least one"):
        ag.concatenate([])
    with pytest.raises(ValueError, match="axis 2"):
        ag.concatenate([logits, logits], axis=2)
    with pytest.raises(ValueError, match="axis"):
        ag.concatenate([Tensor(1.0), Tensor(2.0)])
    with pytest.raises(ValueError, match="axis 3"):
        ag.stack([logits, logits], axis=3)


def test_reduction_axis_on_a_0d_tensor_is_named() -> None:
    with pytest.raises(ValueError, match=r"axis 0 is out of range for a tensor of shape \(\)"):
        Tensor(3.0).sum(axis=0)
    with pytest.raises(ValueError, match=r"axis -3 is out of range for a tensor of shape \(2, 2\)"):
        Tensor(np.ones((2, 2))).max(axis=-3)

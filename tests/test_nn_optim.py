"""nn.optim: SGD (with momentum) and Adam against hand-computed updates, on both engines."""

import math

import numpy as np
import pytest

import autograd_mini as ag
from autograd_mini import Tensor, Value
from nn.optim import SGD, Adam, grad_norm


def _quadratic_grad(w: Tensor) -> None:
    """Fill w.grad with d/dw sum(w^2) = 2w."""
    (w * w).sum().backward()


def test_sgd_plain_step_is_w_minus_eta_grad() -> None:
    w = Tensor([1.0, -2.0, 3.0], requires_grad=True)
    opt = SGD([w], lr=0.1)
    _quadratic_grad(w)  # grad = [2, -4, 6]
    opt.step()
    np.testing.assert_allclose(w.data, [1.0 - 0.2, -2.0 + 0.4, 3.0 - 0.6])


def test_sgd_momentum_matches_hand_computed_trace() -> None:
    # f(w) = w^2, g = 2w, eta = 0.1, mu = 0.9; v1 = g1, v2 = mu v1 + g2, v3 = mu v2 + g3; w <- w - eta v
    # w0 = 1: g1 = 2 -> v1 = 2 -> w1 = 0.8; g2 = 1.6 -> v2 = 3.4 -> w2 = 0.46;
    # g3 = 0.92 -> v3 = 3.06 + 0.92 = 3.98 -> w3 = 0.46 - 0.398 = 0.062
    for make in (lambda: Value(1.0), lambda: Tensor(1.0, requires_grad=True)):
        w = make()
        opt = SGD([w], lr=0.1, momentum=0.9)
        got = []
        for _ in range(3):
            opt.zero_grad()
            (w * w).backward()
            opt.step()
            got.append(float(w.data))
        np.testing.assert_allclose(got, [0.8, 0.46, 0.062], rtol=1e-12)


def test_adam_first_steps_match_closed_form() -> None:
    # With bias correction, after t steps of a constant gradient g the update is exactly eta * g/(|g| + eps/...)
    # i.e. eta * sign(g) up to eps. Here the gradient changes (f = w^2), so compute the closed form step by step.
    eta, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
    w_val = Value(1.5)
    w_ten = Tensor([1.5, -0.5], requires_grad=True)
    opt_v = Adam([w_val], lr=eta, betas=(b1, b2), eps=eps)
    opt_t = Adam([w_ten], lr=eta, betas=(b1, b2), eps=eps)
    ref = np.array([1.5, -0.5])
    m = np.zeros(2)
    v = np.zeros(2)
    for t in range(1, 4):
        g = 2 * ref
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        ref = ref - eta * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
        opt_v.zero_grad()
        (w_val * w_val).backward()
        opt_v.step()
        opt_t.zero_grad()
        (w_ten * w_ten).sum().backward()
        opt_t.step()
        assert w_val.data == pytest.approx(ref[0], rel=1e-12)
        np.testing.assert_allclose(w_ten.data, ref, rtol=1e-12)
    # the very first Adam step is eta * g / (|g| + eps): a move of (almost exactly) eta against the gradient
    u = Value(3.0)
    opt = Adam([u], lr=0.01)
    (u * u).backward()
    opt.step()
    assert u.data == pytest.approx(3.0 - 0.01 * 6.0 / (6.0 + 1e-8), rel=1e-14)


def test_step_skips_params_without_grad_and_keeps_float32() -> None:
    used = Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    unused = Tensor(np.ones(2, dtype=np.float32), requires_grad=True)
    for opt in (SGD([used, unused], lr=0.5, momentum=0.5), Adam([used, unused], lr=0.5)):
        before_data = used.data
        opt.zero_grad()
        (used * 2.0).sum().backward()
        assert unused.grad is None
        opt.step()
        assert used.data is before_data, "updated in place: the ndarray keeps its identity"
        assert used.dtype == np.float32 and unused.dtype == np.float32
        np.testing.assert_array_equal(unused.data, np.ones(2, dtype=np.float32))
        assert not np.array_equal(used.data, np.ones(3, dtype=np.float32))
        used.data[...] = 1.0


def test_step_records_no_graph_and_zero_grad_clears() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    v = Value(2.0)
    opt = SGD([w, v], lr=0.1)
    (w.sum() * 3.0).backward()
    (v * v).backward()
    opt.step()
    assert w.is_leaf and v.is_leaf and w.op is None and v.op is None
    np.testing.assert_allclose(w.data, [0.7, 1.7])
    assert v.data == pytest.approx(2.0 - 0.4)
    opt.zero_grad()
    assert w.grad is None and v.grad == 0.0


def test_grad_norm_is_euclidean_norm_over_all_params() -> None:
    w = Tensor([3.0, 0.0], requires_grad=True)
    v = Value(2.0)
    (w.sum() * 1.0 + w[0] * 2.0).backward()  # grad w = [3, 1]
    (v * 1.5).backward()  # grad v = 1.5
    assert grad_norm([w, v]) == pytest.approx(math.sqrt(9 + 1 + 2.25))
    assert grad_norm([Tensor([1.0], requires_grad=True)]) == 0.0


def test_duplicates_counted_once_and_invalid_arguments() -> None:
    w = Tensor([1.0], requires_grad=True)
    opt = SGD([w, w], lr=1.0)
    assert len(opt.params) == 1
    (w * 1.0).sum().backward()
    opt.step()
    np.testing.assert_allclose(w.data, [0.0])  # one step, not two
    with pytest.raises(ValueError, match="empty"):
        SGD([], lr=0.1)
    with pytest.raises(TypeError, match="expected a Value or a Tensor"):
        SGD([np.ones(2)], lr=0.1)
    with pytest.raises(ValueError, match="lr"):
        SGD([w], lr=0.0)
    with pytest.raises(ValueError, match="momentum"):
        SGD([w], lr=0.1, momentum=1.0)
    with pytest.raises(ValueError, match="beta1"):
        Adam([w], betas=(1.2, 0.9))
    with pytest.raises(ValueError, match="eps"):
        Adam([w], eps=0.0)


def test_weight_decay_adds_lambda_w_to_gradient() -> None:
    w = Tensor([2.0], requires_grad=True)
    opt = SGD([w], lr=0.1, weight_decay=0.5)
    (w * 3.0).sum().backward()  # g = 3, plus 0.5 * 2 = 4
    opt.step()
    np.testing.assert_allclose(w.data, [2.0 - 0.4])


def test_sgd_minimizes_a_quadratic_on_value_params() -> None:
    a, b = Value(5.0), Value(-3.0)
    opt = SGD([a, b], lr=0.1, momentum=0.5)
    for _ in range(100):
        opt.zero_grad()
        loss = (a - 1.0) ** 2 + (b + 2.0) ** 2
        loss.backward()
        opt.step()
    assert a.data == pytest.approx(1.0, abs=1e-6) and b.data == pytest.approx(-2.0, abs=1e-6)
    with ag.no_grad():
        assert ((a - 1.0) ** 2).data < 1e-12

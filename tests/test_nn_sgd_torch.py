"""SGD with momentum, dampening, weight decay and Nesterov: PyTorch's numbers (issue 11)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import nn
from autograd_mini import Tensor, Value
from nn.optim import SGD
from tests._optional import require_module

W0 = np.array([[0.3, -1.2, 0.8], [1.5, 0.1, -0.4]])
B0 = np.array([0.05, -0.7, 0.2])
X = np.array([[0.5, -1.0], [2.0, 0.3], [-0.7, 1.1], [0.9, 0.9]])


def _our_run(steps: int, **kwargs: Any) -> tuple[list[np.ndarray], list[float]]:
    W, b, c = (
        Tensor(W0.copy(), requires_grad=True),
        Tensor(B0.copy(), requires_grad=True),
        Tensor(np.array(0.4), requires_grad=True),
    )
    opt = SGD([W, b, c], **kwargs)
    history = []
    for _ in range(steps):
        opt.zero_grad()
        h = (Tensor(X) @ W + b).tanh()
        loss = (h * h).sum() * c + c * c * 3.0 + (h.sum() * 0.5)
        loss.backward()
        opt.step()
        history.append((W.data.copy(), b.data.copy(), float(c.data)))
    return [h[0] for h in history] + [h[1] for h in history], [h[2] for h in history]


def _torch_run(torch: Any, steps: int, **kwargs: Any) -> tuple[list[np.ndarray], list[float]]:
    W = torch.tensor(W0, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(B0, dtype=torch.float64, requires_grad=True)
    c = torch.tensor(0.4, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([W, b, c], **kwargs)
    x = torch.tensor(X, dtype=torch.float64)
    history = []
    for _ in range(steps):
        opt.zero_grad()
        h = torch.tanh(x @ W + b)
        loss = (h * h).sum() * c + c * c * 3.0 + h.sum() * 0.5
        loss.backward()
        opt.step()
        history.append((W.detach().numpy().copy(), b.detach().numpy().copy(), float(c.detach())))
    return [h[0] for h in history] + [h[1] for h in history], [h[2] for h in history]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"lr": 0.1, "momentum": 0.9, "nesterov": True},
        {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weight_decay": 0.01},
        {"lr": 0.1, "momentum": 0.9},
        {"lr": 0.1, "momentum": 0.7, "dampening": 0.3, "weight_decay": 0.02},
        {"lr": 0.2},
    ],
)
def test_sgd_matches_torch_step_by_step(kwargs: dict[str, Any]) -> None:
    torch = require_module("torch", "torch")
    ours_arrays, ours_c = _our_run(6, **kwargs)
    theirs_arrays, theirs_c = _torch_run(torch, 6, **kwargs)
    for a, t in zip(ours_arrays, theirs_arrays):
        np.testing.assert_allclose(a, t, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(ours_c, theirs_c, rtol=1e-12, atol=1e-15)


def test_nesterov_differs_from_plain_momentum_after_the_first_step() -> None:
    plain, _ = _our_run(3, lr=0.1, momentum=0.9)
    nesterov, _ = _our_run(3, lr=0.1, momentum=0.9, nesterov=True)
    assert not np.allclose(plain[0], nesterov[0])  # nesterov looks ahead already at the first step: g + mu g


def test_nesterov_closed_form_on_a_quadratic() -> None:
    # L = w^2 / 2: g = w. v1 = w0; w1 = w0 - lr (g0 + mu v1) = w0 (1 - lr (1 + mu))
    w = Value(2.0)
    opt = SGD([w], lr=0.1, momentum=0.5, nesterov=True)
    (w * w * 0.5).backward()
    opt.step()
    assert w.data == pytest.approx(2.0 * (1 - 0.1 * 1.5), rel=1e-15)


@pytest.mark.parametrize("kwargs", [{"nesterov": True}, {"nesterov": True, "momentum": 0.9, "dampening": 0.1}])
def test_nesterov_without_momentum_or_with_dampening_is_refused_as_torch_does(kwargs: dict[str, Any]) -> None:
    torch = require_module("torch", "torch")
    with pytest.raises(ValueError, match="Nesterov momentum requires a momentum and zero dampening"):
        torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1, **kwargs)
    with pytest.raises(ValueError, match="Nesterov momentum requires a momentum and zero dampening"):
        SGD([Value(1.0)], lr=0.1, **kwargs)


def test_sgd_argument_order_is_torchs() -> None:
    w = Value(1.0)
    opt = SGD([w], 0.1, 0.9, 0.0, 0.01, True)
    assert (opt.lr, opt.momentum, opt.dampening, opt.weight_decay, opt.nesterov) == (0.1, 0.9, 0.0, 0.01, True)
    with pytest.raises(ValueError, match="dampening"):
        SGD([w], lr=0.1, momentum=0.9, dampening=1.5)
    assert nn.optim.SGD is SGD

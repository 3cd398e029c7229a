"""Edge cases of nn/: the losses at saturation and on bad targets, the optimizers' bounds and defaults, the closed
forms' checks. Each value is asserted against an independent truth (a closed form, PyTorch, the documents)."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pytest
from _optional import require_module

import autograd_mini as ag
import nn
import nn.closed_form as cf
from autograd_mini import Tensor, Value
from nn.optim import SGD, Adam, grad_norm

# == optimizers ==============================================================================================


def _adam_reference(
    w0: np.ndarray,
    grads: list[np.ndarray],
    lr: float = 1e-3,
    b1: float = 0.9,
    b2: float = 0.999,
    eps: float = 1e-8,
    wd: float = 0.0,
) -> np.ndarray:
    """Kingma & Ba (2015), Algorithm 1, written out (with L2 weight decay added to the gradient as in PyTorch)."""
    w, m, v = w0.copy(), np.zeros_like(w0), np.zeros_like(w0)
    for t, g in enumerate(grads, start=1):
        g = g + wd * w
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        w = w - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
    return w


def test_sgd_default_learning_rate_is_the_documented_0_01() -> None:
    # SGD(params, lr=0.01, ...): the default shown by help(SGD); one step moves w by 0.01 * dL/dw.
    w = Tensor([1.0, -3.0], requires_grad=True)
    opt = SGD([w])
    (w * w).sum().backward()  # grad 2w = [2, -6]
    opt.step()
    np.testing.assert_allclose(w.data, [1.0 - 0.02, -3.0 + 0.06], rtol=0, atol=1e-15)


def test_adam_defaults_match_kingma_ba_and_torch() -> None:
    # lr 1e-3, betas (0.9, 0.999), eps 1e-8: the paper's defaults, and torch.optim.Adam's.
    torch = require_module("torch", "torch")
    w0 = np.array([0.5, -1.5, 2.0])
    wt = torch.tensor(w0.copy(), requires_grad=True)
    topt = torch.optim.Adam([wt])
    w = Tensor(w0.copy(), requires_grad=True)
    opt = Adam([w])
    grads = []
    for _ in range(4):
        opt.zero_grad()
        topt.zero_grad()
        ((w * w * w).sum()).backward()
        (wt**3).sum().backward()
        grads.append(np.array(w.grad))
        opt.step()
        topt.step()
    np.testing.assert_allclose(w.data, wt.detach().numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(_adam_reference(w0, grads), w.data, rtol=1e-12)
    # the first step moves each weight by about lr * sign(g) (the docstring's claim): g = 3 w^2 > 0 here
    v = Tensor(w0.copy(), requires_grad=True)
    first = Adam([v])
    assert first.lr == 1e-3 and first.betas == (0.9, 0.999) and first.eps == 1e-8
    (v * v * v).sum().backward()
    first.step()
    np.testing.assert_allclose(w0 - v.data, 1e-3 * np.sign(3 * w0**2), rtol=1e-7)


def test_adam_with_weight_decay_and_betas_matches_torch_on_a_value() -> None:
    torch = require_module("torch", "torch")
    w = Value(0.7)
    wt = torch.tensor(0.7, dtype=torch.float64, requires_grad=True)
    opt = Adam([w], lr=0.05, betas=(0.5, 0.8), eps=1e-3, weight_decay=0.3)
    topt = torch.optim.Adam([wt], lr=0.05, betas=(0.5, 0.8), eps=1e-3, weight_decay=0.3)
    for _ in range(5):
        opt.zero_grad()
        topt.zero_grad()
        (w.tanh() * 3.0).backward()
        (wt.tanh() * 3.0).backward()
        opt.step()
        topt.step()
        assert isinstance(w.data, float)
        assert w.data == pytest.approx(wt.item(), rel=1e-12, abs=1e-15)


def test_sgd_momentum_and_weight_decay_match_torch() -> None:
    torch = require_module("torch", "torch")
    w0 = np.array([[0.3, -0.2], [1.0, 0.4]])
    w = Tensor(w0.copy(), requires_grad=True)
    wt = torch.tensor(w0.copy(), requires_grad=True)
    opt = SGD([w], lr=0.1, momentum=0.5, weight_decay=0.2)
    topt = torch.optim.SGD([wt], lr=0.1, momentum=0.5, weight_decay=0.2)
    for _ in range(4):
        opt.zero_grad()
        topt.zero_grad()
        (w.sigmoid() * w).sum().backward()
        (torch.sigmoid(wt) * wt).sum().backward()
        opt.step()
        topt.step()
    np.testing.assert_allclose(w.data, wt.detach().numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"lr": 0.0},
        {"lr": -0.1},
        {"lr": math.inf},
        {"lr": math.nan},
        {"momentum": 1.0},
        {"momentum": -1e-9},
        {"momentum": math.nan},
        {"weight_decay": -1e-9},
        {"weight_decay": math.inf},
    ],
)
def test_sgd_rejects_out_of_range_numbers(kwargs: dict) -> None:
    w = Tensor([1.0], requires_grad=True)
    name = next(iter(kwargs))
    with pytest.raises(ValueError, match=name):
        SGD([w], **kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"lr": 1e-300},
        {"momentum": 0.0},
        {"momentum": 0.999999},
        {"weight_decay": 0.0},
        {"weight_decay": 1e6},
    ],
)
def test_sgd_accepts_numbers_at_the_edges_of_their_range(kwargs: dict) -> None:
    w = Tensor([1.0], requires_grad=True)
    opt = SGD([w], **kwargs)
    for name, value in kwargs.items():
        assert getattr(opt, name) == value


@pytest.mark.parametrize(
    "kwargs",
    [
        {"betas": (1.0, 0.999)},
        {"betas": (0.9, 1.0)},
        {"betas": (-0.1, 0.999)},
        {"betas": (0.9, -1e-12)},
        {"betas": (0.9,)},
        {"betas": (0.9, 0.99, 0.5)},
        {"eps": 0.0},
        {"eps": -1e-8},
        {"lr": 0.0},
    ],
)
def test_adam_rejects_out_of_range_numbers(kwargs: dict) -> None:
    w = Tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError, match="beta|eps|lr"):
        Adam([w], **kwargs)


def test_adam_accepts_betas_zero() -> None:
    # beta1 = beta2 = 0: m = g, v = g^2, no bias correction left: the step is lr * g / (|g| + eps)
    w = Tensor([2.0, -0.5], requires_grad=True)
    opt = Adam([w], lr=0.1, betas=(0.0, 0.0), eps=1e-8)
    (w * w).sum().backward()  # g = [4, -1]
    opt.step()
    np.testing.assert_allclose(w.data, [2.0 - 0.1 * 4 / (4 + 1e-8), -0.5 + 0.1 * 1 / (1 + 1e-8)], rtol=1e-14)


def test_grad_norm_counts_values_tensors_and_skips_missing_gradients() -> None:
    a = Value(3.0)
    b = Tensor([1.0, 2.0], requires_grad=True)
    c = Tensor([5.0], requires_grad=True)  # never reached: grad None
    (a * a).backward()  # grad 6
    (b * b).sum().backward()  # grad [2, 4]
    assert c.grad is None
    assert grad_norm([a, b, c]) == pytest.approx(math.sqrt(36 + 4 + 16), rel=1e-15)
    assert grad_norm([c]) == 0.0


def test_a_parameter_listed_twice_is_updated_once() -> None:
    w = Tensor([1.0], requires_grad=True)
    opt = SGD([w, w], lr=0.5)
    assert len(opt.params) == 1
    (w * w).sum().backward()
    opt.step()
    np.testing.assert_allclose(w.data, [0.0])


def test_step_with_a_graph_gradient_uses_its_value() -> None:
    w = Value(1.5)
    (w * w * w).backward(create_graph=True)  # grad 3 w^2 = 6.75, kept as a graph
    assert isinstance(w.grad, Value)
    SGD([w], lr=0.1).step()
    assert w.data == pytest.approx(1.5 - 0.675, rel=1e-15)


def test_float32_parameters_stay_float32_under_adam() -> None:
    w = Tensor(np.array([1.0, 2.0], dtype=np.float32), requires_grad=True)
    before = w.data
    opt = Adam([w], lr=0.1)
    (w * w).sum().backward()
    opt.step()
    assert w.data is before and w.data.dtype == np.float32
    np.testing.assert_allclose(w.data, [0.9, 1.9], rtol=1e-6)


def test_no_grad_during_step() -> None:
    w = Tensor([1.0], requires_grad=True)
    (w * 2.0).sum().backward()
    seen = []

    class Spy(SGD):
        def _update(self, g, state):  # type: ignore[no-untyped-def]
            seen.append(ag.is_grad_enabled())
            return super()._update(g, state)

    Spy([w], lr=0.1).step()
    assert seen == [False]


# == losses ==================================================================================================
EPS = 1e-7  # nn.losses.EPS, the documented clip of probabilities before a log


def _vals(a: np.ndarray) -> list:
    return [_vals(r) for r in a] if np.ndim(a) > 1 else [Value(float(v)) for v in a]


def _grads(vals: list) -> np.ndarray:
    return np.array([_grads(r) for r in vals]) if isinstance(vals[0], list) else np.array([v.grad for v in vals])


@pytest.mark.parametrize("engine", ["value", "tensor"])
def test_binary_cross_entropy_at_exactly_0_and_1_is_the_documented_clip(engine: str) -> None:
    a = np.array([0.0, 1.0, 0.0, 1.0])
    y = np.array([1.0, 0.0, 0.0, 1.0])
    # closed form with a clipped to [eps, 1 - eps]: the two wrong certainties cost -log(eps) each, the right ones
    # -log(1 - eps); no gradient flows outside the clip (a = 0 and a = 1 lie outside [eps, 1 - eps])
    # (in float64, 1 - (1 - eps) is eps up to rounding: the clip is applied to a, then 1 - a is taken)
    expected = (-np.log(EPS) - np.log(1.0 - (1.0 - EPS)) + 2 * -np.log1p(-EPS)) / 4
    x: Any = Tensor(a, requires_grad=True) if engine == "tensor" else _vals(a)
    loss = nn.binary_cross_entropy(x, y)
    assert float(loss.data) == pytest.approx(expected, rel=1e-12)
    assert np.isfinite(float(loss.data))
    loss.backward()
    g = x.grad if engine == "tensor" else _grads(x)
    np.testing.assert_array_equal(g, 0.0)
    # inside the clip the gradient is the closed form (a - y) / (a (1 - a)) / N
    inside = np.array([EPS, 1 - 1e-3])
    xi: Any = Tensor(inside, requires_grad=True) if engine == "tensor" else _vals(inside)
    nn.binary_cross_entropy(xi, [1.0, 1.0], reduction="sum").backward()
    gi = xi.grad if engine == "tensor" else _grads(xi)
    np.testing.assert_allclose(gi, -1.0 / inside, rtol=1e-9)


def test_binary_cross_entropy_on_plain_numbers_and_mixed_rows_matches_torch() -> None:
    torch = require_module("torch", "torch")
    a = np.array([0.2, 0.9, 0.6])
    y = np.array([0.0, 1.0, 0.3])
    ref = torch.nn.functional.binary_cross_entropy(torch.tensor(a), torch.tensor(y), reduction="sum").item()
    v = Value(0.9)
    loss = nn.binary_cross_entropy([0.2, v, 0.6], y, reduction="sum")
    assert loss.data == pytest.approx(ref, rel=1e-12)
    loss.backward()
    assert v.grad == pytest.approx(-1.0 / 0.9, rel=1e-12)
    assert nn.binary_cross_entropy([0.0, 1.0], [1.0, 1.0], reduction="sum").data == pytest.approx(
        -np.log(EPS) - np.log1p(-EPS), rel=1e-12
    )  # 1 - eps with y = 1: log(1 - eps) without rounding


@pytest.mark.parametrize("engine", ["value", "tensor"])
def test_kl_divergence_with_zero_target_entries_matches_torch(engine: str) -> None:
    torch = require_module("torch", "torch")
    z = np.array([[0.5, 0.3, 0.2], [0.1, 0.6, 0.3]])
    t = np.array([[0.0, 0.25, 0.75], [1.0, 0.0, 0.0]])  # zeros, and a one-hot row
    for reduction, torch_red in (("mean", "batchmean"), ("sum", "sum")):
        ref_z = torch.tensor(z, requires_grad=True)
        ref = torch.nn.functional.kl_div(ref_z.log(), torch.tensor(t), reduction=torch_red)
        ref.backward()
        x: Any = Tensor(z, requires_grad=True) if engine == "tensor" else _vals(z)
        loss = nn.kl_divergence(x, t if engine == "tensor" else t.tolist(), reduction=reduction)
        assert float(loss.data) == pytest.approx(ref.item(), rel=1e-12)
        loss.backward()
        g = x.grad if engine == "tensor" else _grads(x)
        np.testing.assert_allclose(g, ref_z.grad.numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("engine", ["value", "tensor"])
def test_kl_divergence_of_a_zero_prediction_is_clipped_and_a_distribution_with_itself_is_zero(engine: str) -> None:
    z = np.array([0.0, 0.4, 0.6])
    t = np.array([0.5, 0.5, 0.0])
    x: Any = Tensor(z, requires_grad=True) if engine == "tensor" else _vals(z)
    loss = nn.kl_divergence(x, t)
    expected = 0.5 * (np.log(0.5) - np.log(EPS)) + 0.5 * (np.log(0.5) - np.log(0.4))
    assert float(loss.data) == pytest.approx(expected, rel=1e-12)
    same = np.array([0.2, 0.8])
    assert float(nn.kl_divergence(Tensor(same) if engine == "tensor" else _vals(same), same).data) == 0.0


@pytest.mark.parametrize("engine", ["value", "tensor"])
def test_cross_entropy_with_one_hot_probability_targets_equals_labels_and_torch(engine: str) -> None:
    torch = require_module("torch", "torch")
    n = np.array([[2.0, -1.0, 0.5], [0.0, 0.0, 3.0]])
    labels = [2, 0]
    onehot = np.eye(3)[labels]
    soft = np.array([[0.0, 0.5, 0.5], [0.25, 0.0, 0.75]])
    for target, ref_target in ((onehot, onehot), (soft, soft), (labels, labels)):
        for reduction in ("mean", "sum"):
            nt = torch.tensor(n, requires_grad=True)
            tt = torch.tensor(ref_target) if isinstance(ref_target, np.ndarray) else torch.tensor(ref_target)
            ref = torch.nn.functional.cross_entropy(nt, tt, reduction=reduction)
            ref.backward()
            x: Any = Tensor(n, requires_grad=True) if engine == "tensor" else _vals(n)
            tgt = target.tolist() if isinstance(target, np.ndarray) and engine == "value" else target
            loss = nn.cross_entropy(x, tgt, reduction=reduction)
            assert float(loss.data) == pytest.approx(ref.item(), rel=1e-12)
            loss.backward()
            g = x.grad if engine == "tensor" else _grads(x)
            np.testing.assert_allclose(g, nt.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_value_cross_entropy_with_a_zero_row_sum_target_and_one_sample() -> None:
    # one sample, not a batch: a flat list of Values with an int label or a distribution
    torch = require_module("torch", "torch")
    n = np.array([1.0, 2.0, -0.5])
    ref = torch.nn.functional.cross_entropy(torch.tensor(n)[None], torch.tensor([1])).item()
    assert nn.cross_entropy(_vals(n), 1).data == pytest.approx(ref, rel=1e-12)
    assert nn.cross_entropy(_vals(n), [0.0, 1.0, 0.0]).data == pytest.approx(ref, rel=1e-12)
    assert nn.cross_entropy(Tensor(n), 1).item() == pytest.approx(ref, rel=1e-12)
    assert nn.nll_loss(_vals(np.log([0.2, 0.5, 0.3])), 1).data == pytest.approx(-np.log(0.5), rel=1e-12)


@pytest.mark.parametrize("loss_name", ["cross_entropy", "kl_divergence", "symmetric_cross_entropy"])
def test_rows_mixing_numbers_and_values(loss_name: str) -> None:
    # a constant (plain number) among the Values: same value as all-Value rows, gradients for the Values only
    loss = nn.get_loss(loss_name)
    z = np.array([[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]])
    t = np.array([[0.0, 1.0, 0.0], [0.5, 0.25, 0.25]])
    full = _vals(z)
    ref = loss(full, t.tolist())
    ref.backward()
    mixed: list = [[float(z[0, 0]), Value(z[0, 1]), float(z[0, 2])], [Value(z[1, 0]), float(z[1, 1]), Value(z[1, 2])]]
    got = loss(mixed, t.tolist())
    assert got.data == pytest.approx(ref.data, rel=1e-14)
    got.backward()
    for i, row in enumerate(mixed):
        for k, v in enumerate(row):
            if isinstance(v, Value):
                assert v.grad == pytest.approx(full[i][k].grad, rel=1e-14, abs=1e-15)
    assert isinstance(loss([[0.2, 0.5, 0.3]], [[0.0, 1.0, 0.0]]), Value)  # all numbers: a constant Value


def test_symmetric_cross_entropy_closed_form_with_a_zero_prediction() -> None:
    # J = -sum_k (t_k log z_k + z_k log t_k), both clipped to [eps, 1] inside the logs (doc 001)
    z = np.array([0.0, 0.7, 0.3])
    t = np.array([0.2, 0.8, 0.0])
    zc, tc = np.clip(z, EPS, 1), np.clip(t, EPS, 1)
    expected = -np.sum(t * np.log(zc) + z * np.log(tc))
    for x in (Tensor(z, requires_grad=True), _vals(z)):
        loss = nn.symmetric_cross_entropy(x, t, reduction="sum")
        assert float(loss.data) == pytest.approx(expected, rel=1e-12)
        loss.backward()
        g = x.grad if isinstance(x, Tensor) else _grads(x)
        # dJ/dz_k = -t_k / z_k inside the clip (0 outside) - log t_k
        np.testing.assert_allclose(g, [0.0 - np.log(0.2), -0.8 / 0.7 - np.log(0.8), -np.log(EPS)], rtol=1e-12)


@pytest.mark.parametrize("engine", ["value", "tensor"])
def test_target_with_the_same_size_but_another_shape_is_refused(engine: str) -> None:
    a = np.arange(6.0).reshape(2, 3) / 10
    y = np.arange(6.0).reshape(3, 2) / 10
    x: Any = Tensor(a) if engine == "tensor" else _vals(a)
    for name in ("mse", "squared_error", "binary_cross_entropy", "half_squared_error"):
        with pytest.raises(ValueError, match=r"target shape \(3, 2\) does not match the output shape \(2, 3\)"):
            nn.get_loss(name)(x, y if engine == "tensor" else y.tolist())
    with pytest.raises(ValueError, match="shape"):
        nn.cross_entropy(x, np.full((3, 2), 1 / 2))
    with pytest.raises(ValueError, match="shape"):
        nn.kl_divergence(x, np.full((3, 2), 1 / 2))
    with pytest.raises(ValueError, match="labels must have shape"):
        nn.nll_loss(x, [[0], [1]])
    # (batch,) against (batch, 1), and a scalar against one element, are the same elements: accepted
    col = Tensor(np.array([[0.5], [1.5]]))
    assert nn.mse(col, [0.5, 1.5]).item() == 0.0
    assert nn.mse([Value(2.0)], 2.0).data == 0.0


@pytest.mark.parametrize("engine", ["value", "tensor"])
def test_probability_targets_outside_0_1_are_refused(engine: str) -> None:
    a = np.array([[0.2, 0.8], [0.5, 0.5]])
    x: Any = Tensor(a) if engine == "tensor" else _vals(a)
    for bad in ([[1.5, -0.5], [0.5, 0.5]], [[1.0000001, 0.0], [0.5, 0.5]], [[-1e-9, 1.0], [0.5, 0.5]]):
        for name in ("kl_divergence", "cross_entropy", "symmetric_cross_entropy"):
            with pytest.raises(ValueError, match=r"probabilities must lie in \[0, 1\]"):
                nn.get_loss(name)(x, bad)
        for name in ("binary_cross_entropy", "binary_cross_entropy_with_logits"):
            with pytest.raises(ValueError, match=r"targets must lie in \[0, 1\]"):
                nn.get_loss(name)(x, bad)
    # the bounds themselves are valid targets
    edge = [[1.0, 0.0], [0.0, 1.0]]
    for name in ("kl_divergence", "cross_entropy", "binary_cross_entropy", "binary_cross_entropy_with_logits"):
        assert np.isfinite(float(nn.get_loss(name)(x, edge).data))


@pytest.mark.parametrize("engine", ["value", "tensor"])
def test_float_labels_with_integer_values_are_labels(engine: str) -> None:
    n = np.array([[0.3, -0.2, 1.0], [2.0, 0.1, -1.0]])
    x: Any = Tensor(n) if engine == "tensor" else _vals(n)
    for name in ("cross_entropy", "nll_loss", "kl_divergence"):
        loss = nn.get_loss(name)
        z = (
            x
            if name != "kl_divergence"
            else (Tensor(np.full((2, 3), 1 / 3)) if engine == "tensor" else _vals(np.full((2, 3), 1 / 3)))
        )
        assert float(loss(z, [2.0, 0.0]).data) == pytest.approx(float(loss(z, [2, 0]).data), rel=1e-15)
        assert float(loss(z, np.array([2.0, 0.0], dtype=np.float32)).data) == pytest.approx(
            float(loss(z, np.array([2, 0])).data), rel=1e-15
        )
        with pytest.raises(ValueError, match="integer class indices"):
            loss(z, [2.5, 0.0])
        with pytest.raises(ValueError, match="label 3 is outside the valid range 0..2"):
            loss(z, [3.0, 0.0])
        with pytest.raises(ValueError, match="label -1 is outside"):
            loss(z, [-1, 0])
    assert nn.cross_entropy(x, [2.0, 0.0], reduction="sum").data == pytest.approx(
        np.sum(np.log(np.exp(n).sum(axis=1)) - n[[0, 1], [2, 0]]), rel=1e-12
    )


def test_nested_targets() -> None:
    # targets given as nested lists, with Values inside (their data are the targets), or as Values
    a = np.array([[0.1, 0.9], [0.4, 0.6]])
    y = [[Value(0.0), 1.0], [Value(0.5), Value(0.5)]]
    yn = np.array([[0.0, 1.0], [0.5, 0.5]])
    assert nn.mse(_vals(a), y).data == pytest.approx(np.mean((a - yn) ** 2), rel=1e-14)
    assert nn.mse(Tensor(a), y).item() == pytest.approx(np.mean((a - yn) ** 2), rel=1e-14)
    kl = nn.kl_divergence(Tensor(a), y).item()
    assert kl == pytest.approx(0.5 * (np.log(1 / 0.9) + 0.5 * np.log(0.5 / 0.4) + 0.5 * np.log(0.5 / 0.6)), rel=1e-12)
    assert nn.mse(Tensor(np.array([3.0])), Tensor(np.array([1.0]))).item() == 4.0
    assert nn.squared_error(Value(3.0), Value(1.0)).data == 4.0
    with pytest.raises(ValueError, match="numeric"):
        nn.mse(Tensor(np.ones(2)), [[1.0], "a"])
    with pytest.raises(ValueError, match="numeric"):
        nn.mse(Tensor(np.ones(2)), ["a", "b"])
    with pytest.raises(ValueError, match="NaN or Inf"):
        nn.mse(_vals(a), [[Value(np.nan), 1.0], [0.0, 0.0]])
    with pytest.raises(ValueError, match="ragged"):
        nn.mse([[Value(1.0)], [Value(1.0), Value(2.0)]], [1.0, 1.0, 2.0])
    with pytest.raises(ValueError, match="empty"):
        nn.mse([], [])
    with pytest.raises(TypeError, match="expected a Value"):
        nn.mse("a", [1.0])


def test_hinge_at_the_margin_and_its_labels() -> None:
    # L = max(0, 1 - y s): at y s = 1 exactly the ReLU's kink, gradient 0 (PyTorch's relu convention)
    s = [Value(1.0), Value(-1.0), Value(0.5), 2.0]
    y = [1, -1, -1, -1]
    loss = nn.hinge(s, y, reduction="sum")
    assert loss.data == 0.0 + 0.0 + 1.5 + 3.0
    loss.backward()
    assert [v.grad for v in s[:3]] == [0.0, 0.0, 1.0]
    t = Tensor([1.0, -1.0, 0.5, 2.0], requires_grad=True)
    lt = nn.hinge(t, y)
    assert lt.item() == 4.5 / 4
    lt.backward()
    np.testing.assert_array_equal(t.grad, [0.0, 0.0, 0.25, 0.25])
    for bad in ([1, 0, 1, 1], [1, 1.0001, 1, 1], [2, 1, 1, 1]):
        with pytest.raises(ValueError, match="-1 or \\+1"):
            nn.hinge(t, bad)


def test_binary_cross_entropy_with_logits_against_torch_at_extremes_and_plain_numbers() -> None:
    torch = require_module("torch", "torch")
    n = np.array([-800.0, -2.0, 0.0, 3.0, 800.0])
    y = np.array([1.0, 0.25, 1.0, 0.0, 0.0])
    nt = torch.tensor(n, requires_grad=True)
    ref = torch.nn.functional.binary_cross_entropy_with_logits(nt, torch.tensor(y), reduction="sum")
    ref.backward()
    t = Tensor(n, requires_grad=True)
    got = nn.binary_cross_entropy_with_logits(t, y, reduction="sum")
    assert got.item() == pytest.approx(ref.item(), rel=1e-12)
    got.backward()
    np.testing.assert_allclose(t.grad, nt.grad.numpy(), rtol=1e-12, atol=1e-15)
    vals: list = [Value(-2.0), 0.0, Value(3.0)]
    gv = nn.binary_cross_entropy_with_logits(vals, [0.25, 1.0, 0.0], reduction="mean")
    f64 = torch.float64
    ref_v = torch.nn.functional.binary_cross_entropy_with_logits(
        torch.tensor([-2.0, 0.0, 3.0], dtype=f64), torch.tensor([0.25, 1.0, 0.0], dtype=f64)
    )
    assert gv.data == pytest.approx(ref_v.item(), rel=1e-12)


@pytest.mark.parametrize(
    "name",
    ["squared_error", "half_squared_error", "mse", "binary_cross_entropy", "binary_cross_entropy_with_logits", "hinge"],
)
def test_elementwise_reductions_against_closed_forms(name: str) -> None:
    a = np.array([[0.2, 0.7], [0.9, 0.4]])
    y = np.array([[1.0, 0.0], [1.0, 1.0]]) if name != "hinge" else np.array([[1.0, -1.0], [1.0, 1.0]])
    per = {
        "squared_error": (y - a) ** 2,
        "half_squared_error": 0.5 * (y - a) ** 2,
        "mse": (y - a) ** 2,
        "binary_cross_entropy": -(y * np.log(a) + (1 - y) * np.log(1 - a)),
        "binary_cross_entropy_with_logits": -(y * np.log(1 / (1 + np.exp(-a))) + (1 - y) * np.log(1 / (1 + np.exp(a)))),
        "hinge": np.maximum(0.0, 1 - y * a),
    }[name]
    loss = nn.get_loss(name)
    for reduction, expected in (("sum", per.sum()), ("mean", per.mean())):
        assert loss(Tensor(a), y, reduction=reduction).item() == pytest.approx(expected, rel=1e-12)
        assert loss(_vals(a), y.tolist(), reduction=reduction).data == pytest.approx(expected, rel=1e-12)
    default = {"squared_error": per.sum(), "half_squared_error": per.sum()}.get(name, per.mean())
    assert loss(Tensor(a), y).item() == pytest.approx(default, rel=1e-12)  # the documented default reduction


@pytest.mark.parametrize("name", ["cross_entropy", "nll_loss", "kl_divergence", "symmetric_cross_entropy"])
def test_distribution_losses_default_to_the_mean_over_samples(name: str) -> None:
    z = np.array([[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]])
    labels = [1, 0]
    loss = nn.get_loss(name)
    for x in (Tensor(z), _vals(z)):
        total = float(loss(x, labels, reduction="sum").data)
        assert float(loss(x, labels).data) == pytest.approx(total / 2, rel=1e-14)
        assert float(loss(x, labels, reduction="mean").data) == pytest.approx(total / 2, rel=1e-14)
        with pytest.raises(ValueError, match="reduction must be 'sum' or 'mean'"):
            loss(x, labels, reduction="Mean")
    single = [float(loss(Tensor(z[i]), labels[i]).data) for i in range(2)]
    assert sum(single) == pytest.approx(float(loss(Tensor(z), labels, reduction="sum").data), rel=1e-14)


# == closed forms ============================================================================================
def test_closed_form_derivatives_at_exactly_zero_follow_the_documented_convention() -> None:
    # closed_form's docstring: ReLU and leaky ReLU take the left derivative at n = 0 (0 and alpha), the same
    # choice as autograd_mini (and PyTorch); HardLimit and sign return 0 there; doc 002 would write 1.
    n = np.array([[-1.0, -0.0, 0.0, 1e-300, 2.0]])
    np.testing.assert_array_equal(cf.relu_prime(n), [[0.0, 0.0, 0.0, 1.0, 1.0]])
    np.testing.assert_array_equal(cf.leaky_relu_prime(n), [[0.01, 0.01, 0.01, 1.0, 1.0]])
    np.testing.assert_array_equal(cf.leaky_relu_prime(n, 0.3), [[0.3, 0.3, 0.3, 1.0, 1.0]])
    np.testing.assert_array_equal(cf.hardlimit_prime(n), 0.0)
    np.testing.assert_array_equal(cf.sign_prime(n), 0.0)
    np.testing.assert_array_equal(cf.linear_prime(n), 1.0)
    np.testing.assert_array_equal(cf.relu(n), [[0.0, 0.0, 0.0, 1e-300, 2.0]])
    np.testing.assert_array_equal(cf.leaky_relu(n), [[-0.01, 0.0, 0.0, 1e-300, 2.0]])
    np.testing.assert_array_equal(cf.hardlimit(n), [[0.0, 1.0, 1.0, 1.0, 1.0]])  # doc 000, eq. 34: 1 at n = 0
    np.testing.assert_array_equal(cf.sign(n), [[-1.0, 1.0, 1.0, 1.0, 1.0]])
    assert cf.LEAKY_ALPHA == 0.01  # doc 002: "alpha = 0.01 for leaky ReLU"
    # the same convention as the engine: relu and leaky_relu gradients at exactly 0
    t = Tensor(np.array([0.0]), requires_grad=True)
    t.relu().sum().backward()
    assert t.grad.tolist() == cf.relu_prime(np.array([0.0])).tolist()
    t2 = Tensor(np.array([0.0]), requires_grad=True)
    t2.leaky_relu().sum().backward()
    assert t2.grad.tolist() == cf.leaky_relu_prime(np.array([0.0])).tolist()


def test_closed_form_sigmoid_is_exact_and_finite_at_extremes() -> None:
    n = np.array([-1000.0, -30.0, -1.0, 0.0, 1.0, 30.0, 1000.0])
    with np.errstate(over="raise"):
        a = cf.sigmoid(n)
    ref = np.array(
        [0.0, np.exp(-30) / (1 + np.exp(-30)), 1 / (1 + np.e), 0.5, 1 / (1 + np.exp(-1)), 1 / (1 + np.exp(-30)), 1.0]
    )
    np.testing.assert_allclose(a, ref, rtol=1e-15, atol=0)
    np.testing.assert_allclose(cf.sigmoid_prime(n), ref * (1 - ref), rtol=1e-15, atol=0)
    np.testing.assert_allclose(cf.tanh_prime(n), 1 - np.tanh(n) ** 2, rtol=1e-15)
    np.testing.assert_allclose(
        cf.softmax(np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])),
        [np.exp([1, 2, 3]) / np.exp([1, 2, 3]).sum(), [1 / 3] * 3],
        rtol=1e-15,
    )
    with pytest.raises(ValueError, match="full Jacobian"):
        cf.softmax_prime(n)


def test_closed_form_layer_count_mismatches_are_refused() -> None:
    X, Y = np.ones((3, 2)), np.ones((3, 1))
    W2 = [np.ones((2, 4)), np.ones((4, 1))]
    b2 = [np.zeros(4), np.zeros(1)]
    for fn, Ws in ((cf.backprop_row, W2), (cf.backprop_column, [W.T for W in W2])):
        Xf = X if fn is cf.backprop_row else X.T
        Yf = Y if fn is cf.backprop_row else Y.T
        with pytest.raises(ValueError, match="need one W and one b per layer, got 2 W and 1 b"):
            fn(Ws, b2[:1], ["tanh", "linear"], Xf, Yf)
        with pytest.raises(ValueError, match="need one W and one b per layer, got 0 W and 0 b"):
            fn([], [], [], Xf, Yf)
        with pytest.raises(ValueError, match="got 1 activations for 2 layers"):
            fn(Ws, b2, ["tanh"], Xf, Yf)
        with pytest.raises(ValueError, match="got 3 activations for 2 layers"):
            fn(Ws, b2, ["tanh", "tanh", "linear"], Xf, Yf)
    with pytest.raises(ValueError, match="need one W and one b per layer"):
        cf.backprop_doc001([np.ones((4, 2))], [], ["tanh"], X, np.ones(3), eta=0.1)
    # one name (a string) for a one-layer network is accepted, for two layers refused
    r = cf.backprop_row([np.ones((2, 1))], [np.zeros(1)], "linear", X, Y)
    np.testing.assert_allclose(r.a[-1], 2.0)
    with pytest.raises(ValueError, match="1 activations for 2 layers"):
        cf.backprop_row(W2, b2, "linear", X, Y)


def test_closed_form_softmax_cross_entropy_sensitivity_with_unnormalized_targets() -> None:
    # s = a sum_k t_k - t (doc 001 "Example 2" with the full Jacobian): for targets summing to 2, twice a minus t
    n = np.array([[0.5, -1.0, 2.0]])
    a = cf.softmax(n)
    t = np.array([[1.0, 0.0, 1.0]])
    s = cf.output_sensitivity("cross_entropy", "softmax", n, a, t)
    np.testing.assert_allclose(s, 2 * a - t, rtol=1e-15)
    # the same through the Jacobian route (softmax with any other loss): J^T dL/da
    g = cf.loss_derivative("cross_entropy", a, t)
    J = np.diag(a[0]) - np.outer(a[0], a[0])
    np.testing.assert_allclose(s[0], J @ g[0], rtol=1e-12)
    s_mse = cf.output_sensitivity("mse", "softmax", n, a, t)
    np.testing.assert_allclose(s_mse[0], J @ (-2 * (t - a)[0] / 3), rtol=1e-12)
    # sigmoid + log loss: s = a - y
    s_log = cf.output_sensitivity("log_loss", "sigmoid", n, cf.sigmoid(n), np.array([[1.0, 0.0, 0.5]]))
    np.testing.assert_allclose(s_log, cf.sigmoid(n) - [[1.0, 0.0, 0.5]], rtol=1e-15)


def test_check_number_bounds_open_and_closed() -> None:
    from nn.optim import _check_number

    assert _check_number("x", 1.0, 0.0, 1.0, hi_open=False) == 1.0  # [0, 1]: 1 is inside
    with pytest.raises(ValueError, match=r"x must be in \[0.0, 1.0\), got 1.0"):
        _check_number("x", 1.0, 0.0, 1.0)
    with pytest.raises(ValueError, match=r"x must be in \(0.0, 1.0\], got 0.0"):
        _check_number("x", 0.0, 0.0, 1.0, lo_open=True, hi_open=False)
    with pytest.raises(ValueError, match=r"x must be in \[0.0, 1.0\], got 1.5"):
        _check_number("x", 1.5, 0.0, 1.0, hi_open=False)
    assert _check_number("x", 0.0, 0.0) == 0.0 and _check_number("x", 1e300, 0.0) == 1e300
    assert isinstance(_check_number("x", 3, 0.0), float)


def test_a_custom_optimizer_has_no_weight_decay_by_default() -> None:
    from nn.optim import Optimizer

    class PlainStep(Optimizer):
        def _update(self, g, state):  # type: ignore[no-untyped-def]
            return self.lr * g

    w = Value(2.0)
    opt = PlainStep([w], lr=0.25)
    assert opt.weight_decay == 0.0 and opt.state == {}
    (w * w).backward()  # grad 4
    opt.step()
    assert w.data == 1.0
    assert repr(opt) == "PlainStep(1 parameters, lr=0.25)"


@pytest.mark.parametrize("make", [lambda: Value(0.0), lambda: Tensor([0.0, 1.0], requires_grad=True)])
def test_adam_with_a_zero_gradient_leaves_the_weight_and_its_moments_at_zero(make) -> None:  # type: ignore[no-untyped-def]
    # g = 0 at the first step: m = v = 0, the step is 0 / (0 + eps) = 0 (PyTorch gives the same)
    w = make()
    opt = Adam([w], lr=0.1)
    (w * w).sum().backward() if isinstance(w, Tensor) else (w * w).backward()  # grad 2w: 0 at w = 0
    opt.step()
    data = np.atleast_1d(np.asarray(w.data, dtype=float))
    assert np.all(np.isfinite(data)) and data[0] == 0.0
    state = opt.state[0]
    assert np.all(np.atleast_1d(state["m"])[:1] == 0.0) and np.all(np.atleast_1d(state["v"])[:1] == 0.0)
    assert state["t"] == 1


@pytest.mark.parametrize("engine", ["value", "tensor"])
def test_predictions_outside_0_1_are_clipped_inside_the_logs(engine: str) -> None:
    # kl_divergence and symmetric_cross_entropy clip z to [eps, 1] inside log z (their docstrings): a prediction
    # above 1 counts as 1 and one below 0 as eps, and no gradient flows through log z outside the clip
    z = np.array([1.2, -0.2, 0.5])
    t = np.array([0.5, 0.25, 0.25])
    zc = np.clip(z, EPS, 1.0)
    x: Any = Tensor(z, requires_grad=True) if engine == "tensor" else _vals(z)
    kl = nn.kl_divergence(x, t, reduction="sum")
    assert float(kl.data) == pytest.approx(np.sum(t * (np.log(t) - np.log(zc))), rel=1e-12)
    kl.backward()
    g = x.grad if engine == "tensor" else _grads(x)
    np.testing.assert_allclose(g, [0.0, 0.0, -0.25 / 0.5], rtol=1e-12)
    x2: Any = Tensor(z, requires_grad=True) if engine == "tensor" else _vals(z)
    sym = nn.symmetric_cross_entropy(x2, t, reduction="sum")
    assert float(sym.data) == pytest.approx(-np.sum(t * np.log(zc) + z * np.log(t)), rel=1e-12)
    sym.backward()
    g2 = x2.grad if engine == "tensor" else _grads(x2)
    np.testing.assert_allclose(g2, [-np.log(0.5), -np.log(0.25), -0.25 / 0.5 - np.log(0.25)], rtol=1e-12)


@pytest.mark.parametrize("loss_name", ["kl_divergence", "symmetric_cross_entropy", "binary_cross_entropy"])
def test_plain_number_predictions_outside_0_1_are_clipped_too(loss_name: str) -> None:
    loss = nn.get_loss(loss_name)
    z = [1.3, 0.0, 0.5]
    t = [0.5, 0.0, 0.5] if loss_name != "binary_cross_entropy" else [1.0, 0.0, 0.5]
    mixed = [z[0], z[1], Value(z[2])]
    ref = loss(Tensor(np.array(z)), t, reduction="sum").item()
    assert loss(mixed, t, reduction="sum").data == pytest.approx(ref, rel=1e-12)


def test_value_cross_entropy_with_a_target_summing_to_almost_one_is_exact() -> None:
    # L = lse(n) sum_k t_k - sum_k t_k n_k holds for any t; the check allows sums within 1e-6 of 1
    n = np.array([0.3, -1.2, 2.0])
    t = np.array([0.2, 0.3, 0.5 + 5e-7])
    lse = np.log(np.sum(np.exp(n)))
    expected = lse * t.sum() - t @ n
    assert nn.cross_entropy(_vals(n), t.tolist()).data == pytest.approx(expected, rel=1e-13)
    assert nn.cross_entropy(Tensor(n), t).item() == pytest.approx(expected, rel=1e-13)


def test_distribution_losses_refuse_ragged_rows_and_3d_outputs() -> None:
    rows = [[Value(0.5), Value(0.5)], [Value(1.0)]]
    for name in ("cross_entropy", "nll_loss", "kl_divergence", "symmetric_cross_entropy"):
        loss = nn.get_loss(name)
        with pytest.raises(ValueError, match="different numbers of classes"):
            loss(rows, [0, 0])
        with pytest.raises(ValueError, match="got shape \\(2, 2, 2\\)"):
            loss(Tensor(np.full((2, 2, 2), 0.5)), np.zeros((2, 2), dtype=int))
        with pytest.raises(ValueError, match="single Value"):
            loss(Value(0.5), 0)
        with pytest.raises(TypeError, match="expected a Tensor, a list of Values"):
            loss("abc", 0)
    with pytest.raises(ValueError, match="unknown loss"):
        nn.get_loss(["mse"])  # type: ignore[arg-type]


def test_closed_form_get_activation_edges() -> None:
    assert cf.get_activation("leaky_relu", 0.01) == cf.ACTIVATIONS["leaky_relu"]  # the default: the table's pair
    f, fp = cf.get_activation("leaky_relu", 0.2)
    np.testing.assert_array_equal(f(np.array([-1.0, 2.0])), [-0.2, 2.0])
    np.testing.assert_array_equal(fp(np.array([-1.0, 0.0, 2.0])), [0.2, 0.2, 1.0])
    assert cf.get_activation("relu", 0.2) == cf.ACTIVATIONS["relu"]  # leaky_alpha only changes leaky ReLU
    for bad in (None, ["relu"], "ReLU", ""):
        with pytest.raises(ValueError, match="unknown activation"):
            cf.get_activation(bad)  # type: ignore[arg-type]


def test_closed_form_bias_and_weight_shapes_per_layout() -> None:
    X, Y = np.array([[1.0, 2.0]]), np.array([[0.5]])
    W, W_col = np.array([[0.1], [0.2]]), np.array([[0.1, 0.2]])
    for b in (np.array([0.3]), np.array([[0.3]])):
        r = cf.backprop_row([W], [b], ["linear"], X, Y)
        assert r.db[0].shape == b.shape  # dL/db keeps the shape b was given in
        c = cf.backprop_column(
            [W_col], [b.reshape(-1, 1) if b.ndim == 2 else b], ["linear"], X.T, Y.T, loss="squared_error"
        )
        np.testing.assert_allclose(c.dW[0], r.dW[0].T, rtol=1e-15)
    W2 = np.ones((2, 3))
    with pytest.raises(ValueError, match=r"b\^1 has shape \(3, 1\), expected \(1, 3\) or \(3,\)"):
        cf.backprop_row([W2], [np.zeros((3, 1))], ["linear"], X, np.zeros((1, 3)))
    with pytest.raises(ValueError, match=r"b\^\[1\] has shape \(1, 2\), expected \(2, 1\) or \(2,\)"):
        cf.backprop_column([W2], [np.zeros((1, 2))], ["linear"], np.ones((3, 1)), np.zeros((2, 1)))
    with pytest.raises(ValueError, match=r"b\^1 has shape \(1, 1, 3\)"):
        cf.backprop_row([W2], [np.zeros((1, 1, 3))], ["linear"], X, np.zeros((1, 3)))
    with pytest.raises(ValueError, match=r"W\^1 must be a matrix"):
        cf.backprop_row([np.ones((2, 3, 1))], [np.zeros(3)], ["linear"], X, np.zeros((1, 3)))
    with pytest.raises(ValueError, match=r"W\^\[2\] has shape \(1, 4\) but W\^\[1\] has shape \(3, 2\)"):
        cf.forward_column(
            [np.ones((3, 2)), np.ones((1, 4))], [np.zeros(3), np.zeros(1)], ["tanh", "linear"], np.ones(2)
        )


def test_closed_form_target_shapes_one_sample_and_one_output() -> None:
    W, b = np.array([[0.5], [-0.25]]), np.array([0.1])
    X = np.array([[1.0, 2.0], [3.0, -1.0], [0.0, 0.5]])
    a = b + X @ W  # linear output, one unit
    y = np.array([1.0, 0.0, 2.0])
    r = cf.backprop_row([W], [b], ["linear"], X, y)  # a vector Y: one target per sample (one output unit)
    np.testing.assert_allclose(r.loss, np.sum((y[:, None] - a) ** 2), rtol=1e-15)
    r1 = cf.backprop_row([W], [b], ["linear"], X[0], 1.0)  # one sample (a vector X) and a scalar target
    np.testing.assert_allclose(r1.loss, (1.0 - a[0, 0]) ** 2, rtol=1e-15)
    W2, b2 = np.eye(2), np.zeros(2)
    r2 = cf.backprop_row([W2], [b2], ["linear"], X[0], [0.0, 1.0])  # a vector Y: one sample's targets
    np.testing.assert_allclose(r2.s[0], -2 * (np.array([[0.0, 1.0]]) - X[:1]), rtol=1e-15)
    c = cf.backprop_column([W.T], [b], ["linear"], X.T, y, loss="squared_error")
    np.testing.assert_allclose(c.loss, r.loss, rtol=1e-15)
    c1 = cf.backprop_column([W.T], [b], ["linear"], X[0], 1.0, loss="squared_error")
    np.testing.assert_allclose(c1.loss, r1.loss, rtol=1e-15)
    c2 = cf.backprop_column([W2], [b2], ["linear"], X[0], [0.0, 1.0], loss="squared_error")
    np.testing.assert_allclose(c2.delta[0], r2.s[0].T, rtol=1e-15)
    with pytest.raises(ValueError, match=r"Y has shape \(2,\), expected \(3, 1\)"):
        cf.backprop_row([W], [b], ["linear"], X, [1.0, 2.0])
    with pytest.raises(ValueError, match=r"X has shape \(2, 2, 1\)"):
        cf.backprop_row([W], [b], ["linear"], np.ones((2, 2, 1)), [1.0, 2.0])


@pytest.mark.parametrize("loss", ["squared_error", "half_squared_error", "mse", "cross_entropy", "log_loss"])
def test_closed_form_losses_and_their_derivatives_against_closed_forms(loss: str) -> None:
    a = np.array([[0.2, 0.5, 0.3], [0.6, 0.3, 0.1]])
    y = np.array([[0.0, 1.0, 0.0], [0.5, 0.25, 0.25]])
    per = {
        "squared_error": ((y - a) ** 2).sum(axis=1),
        "half_squared_error": 0.5 * ((y - a) ** 2).sum(axis=1),
        "mse": ((y - a) ** 2).mean(axis=1),
        "cross_entropy": -(y * np.log(a)).sum(axis=1),
        "log_loss": -(y * np.log(a) + (1 - y) * np.log(1 - a)).sum(axis=1),
    }[loss]
    np.testing.assert_allclose(cf.loss_per_sample(loss, a, y), per, rtol=1e-14)
    h = 1e-6
    numeric = np.zeros_like(a)
    for idx in np.ndindex(a.shape):
        ap, am = a.copy(), a.copy()
        ap[idx] += h
        am[idx] -= h
        numeric[idx] = (cf.loss_per_sample(loss, ap, y)[idx[0]] - cf.loss_per_sample(loss, am, y)[idx[0]]) / (2 * h)
    np.testing.assert_allclose(cf.loss_derivative(loss, a, y), numeric, rtol=1e-7, atol=1e-9)
    with pytest.raises(ValueError, match="unknown loss"):
        cf.loss_per_sample("hinge", a, y)
    with pytest.raises(ValueError, match="unknown loss"):
        cf.loss_derivative("hinge", a, y)


def test_closed_form_updates_leave_their_inputs_alone_and_keep_shapes() -> None:
    W, b = np.array([[0.5, -0.5], [0.25, 1.0]]), np.array([[0.1, -0.1]])
    X, Y = np.array([[1.0, 2.0], [0.5, -1.0]]), np.array([[0.0, 1.0], [1.0, 0.0]])
    W0, b0 = W.copy(), b.copy()
    r = cf.backprop_row([W], [b], ["sigmoid"], X, Y, reduction="mean")
    new_W, new_b = cf.sgd_update_row([W], [b], r, eta=0.5)
    np.testing.assert_array_equal(W, W0)
    np.testing.assert_array_equal(b, b0)
    np.testing.assert_allclose(new_W[0], W - 0.5 * r.dW[0], rtol=1e-15)
    np.testing.assert_allclose(new_b[0], b - 0.5 * r.db[0], rtol=1e-15)
    assert new_b[0].shape == (1, 2)
    c = cf.backprop_column([W.T], [b.T], ["sigmoid"], X.T, Y.T, reduction="mean", loss="squared_error")
    new_Wc, new_bc = cf.sgd_update_column([W.T], [b.T], c, alpha=0.5)
    np.testing.assert_allclose(new_Wc[0], new_W[0].T, rtol=1e-14)
    np.testing.assert_allclose(new_bc[0], new_b[0].T, rtol=1e-14)
    # the mean is the sum over N = 2 samples
    s = cf.backprop_row([W], [b], ["sigmoid"], X, Y, reduction="sum")
    np.testing.assert_allclose(r.dW[0], s.dW[0] / 2, rtol=1e-15)
    assert r.loss == pytest.approx(s.loss / 2, rel=1e-15)


def test_doc004_checks_x_and_c_shapes() -> None:
    w_H, w_O = np.ones((3, 2)), np.ones(3)
    with pytest.raises(ValueError, match=r"X has shape \(4, 3\) and c has shape \(4,\)"):
        cf.backprop_doc004_xor(w_H, w_O, np.ones((4, 3)), np.ones(4), eta=0.1)
    with pytest.raises(ValueError, match=r"c has shape \(3,\)"):
        cf.backprop_doc004_xor(w_H, w_O, np.ones((4, 2)), np.ones(3), eta=0.1)
    r = cf.backprop_doc004_xor(w_H, w_O, np.ones(2), 1.0, eta=0.1)  # one example as vectors
    assert r.y_R.shape == (1,) and r.x_tilde.tolist() == [[1.0, 1.0, 1.0]]


@pytest.mark.parametrize("name", sorted(nn.LOSSES))
def test_a_loss_of_plain_numbers_is_a_constant(name: str) -> None:
    # no Value among the outputs: the loss is a constant Value (nothing to differentiate), equal to the Tensor's
    loss = nn.get_loss(name)
    if name in ("cross_entropy", "nll_loss", "kl_divergence", "symmetric_cross_entropy"):
        a = np.array([[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]])
        y: Any = [1, 0]
    else:
        a = np.array([0.2, 0.7, 0.4])
        y = [1.0, -1.0, 1.0] if name == "hinge" else [1.0, 0.0, 0.5]
    out = loss(a.tolist(), y)
    assert isinstance(out, Value) and not out.requires_grad and out.is_leaf
    assert out.data == pytest.approx(loss(Tensor(a), y).item(), rel=1e-12)
    with pytest.raises(RuntimeError, match="does not require grad"):
        out.backward()


@pytest.mark.parametrize("name", ["cross_entropy", "nll_loss", "kl_divergence"])
def test_the_label_error_names_the_first_invalid_label_not_a_valid_one(name: str) -> None:
    x = Tensor(np.full((3, 3), 1 / 3))
    loss = nn.get_loss(name)
    with pytest.raises(ValueError, match="label 5 is outside the valid range 0..2"):
        loss(x, [0, 2, 5])
    with pytest.raises(ValueError, match="label -2 is outside the valid range 0..2"):
        loss(x, [0, 1, -2])


def test_closed_form_softmax_is_over_the_last_axis_of_any_rank() -> None:
    # softmax(n)_k = e^(n_k) / sum_i e^(n_i) over the LAST axis (doc 001): a vector, and a 3-D stack of rows
    v = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(cf.softmax(v), np.exp(v) / np.exp(v).sum(), rtol=1e-15)
    n = np.arange(24.0).reshape(2, 3, 4) / 7.0 - np.array([0.0, 3.0, -2.0]).reshape(1, 3, 1)
    e = np.exp(n)
    np.testing.assert_allclose(cf.softmax(n), e / e.sum(axis=2, keepdims=True), rtol=1e-14)
    np.testing.assert_allclose(cf.softmax(n).sum(axis=-1), np.ones((2, 3)), rtol=1e-15)


def test_closed_form_layout_errors_name_each_documents_shapes() -> None:
    # doc 000 writes W^k as p^(k-1) x p^k (rows = inputs), docs 002-003 W^[l] as m^[l] x m^[l-1] (columns = inputs)
    X = np.ones((1, 2))
    with pytest.raises(ValueError, match=r"W\^1 must be a matrix \(p\^0 x p\^1\), got shape \(2, 3, 1\)"):
        cf.backprop_row([np.ones((2, 3, 1))], [np.zeros(3)], ["linear"], X, np.zeros((1, 3)))
    with pytest.raises(ValueError, match=r"W\^\[1\] must be a matrix \(m\^\[1\] x m\^\[0\]\), got shape \(3, 2, 1\)"):
        cf.backprop_column([np.ones((3, 2, 1))], [np.zeros(3)], ["linear"], X.T, np.zeros((3, 1)))
    with pytest.raises(ValueError, match=r"rows of W\^2 must equal columns of W\^1 \(n\^k = b\^k \+ a\^\(k-1\) W\^k\)"):
        cf.forward_row([np.ones((2, 4)), np.ones((3, 1))], [np.zeros(4), np.zeros(1)], ["tanh", "linear"], X)
    with pytest.raises(ValueError, match=r"columns of W\^\[2\] must equal rows of W\^\[1\] \(z\^\[l\] = W\^\[l\]"):
        cf.forward_column([np.ones((3, 2)), np.ones((1, 4))], [np.zeros(3), np.zeros(1)], ["tanh", "linear"], X.T)


def test_closed_form_layouts_are_constants() -> None:
    # the two ways of writing a layer are shared by every form: assigning to one is refused, not silently shared
    for layout in (cf._ROWS, cf._COLUMNS):
        with pytest.raises(dataclasses.FrozenInstanceError):
            layout.in_axis = 1 - layout.in_axis  # type: ignore[misc]
    assert (cf._ROWS.in_axis, cf._COLUMNS.in_axis) == (0, 1)


def test_closed_form_output_sensitivities_stay_finite_at_saturation() -> None:
    # doc 001: softmax + cross-entropy gives s = a - t; doc 002: sigmoid + log loss gives s = a - y. At outputs
    # that are exactly 0 or 1 the general route dL/da (.) f'(n) is 0/0; the closed forms are exact there.
    n = np.array([[0.0, -1000.0], [-1000.0, 0.0]])
    t = np.array([[1.0, 0.0], [1.0, 0.0]])
    a = cf.softmax(n)
    np.testing.assert_array_equal(a, [[1.0, 0.0], [0.0, 1.0]])
    np.testing.assert_array_equal(cf.output_sensitivity("cross_entropy", "softmax", n, a, t), [[0.0, 0.0], [-1.0, 1.0]])
    n = np.array([[1000.0, -1000.0, 0.0]])
    y = np.array([[1.0, 0.0, 1.0]])
    a = cf.sigmoid(n)
    np.testing.assert_array_equal(a, [[1.0, 0.0, 0.5]])
    np.testing.assert_array_equal(cf.output_sensitivity("log_loss", "sigmoid", n, a, y), [[0.0, 0.0, -0.5]])

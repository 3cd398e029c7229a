"""Optimizers: gradient descent on a list of parameters (``Value`` leaves or ``Tensor`` leaves).

Every optimizer follows the same protocol as PyTorch's::

    opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
    for ...:
        opt.zero_grad()        # clear the gradients of the previous step
        loss = ...             # forward pass
        loss.backward()        # fills p.grad for every parameter p
        opt.step()             # p.data <- p.data - eta * (update computed from p.grad)

``step()`` changes ``p.data`` in place (an ndarray keeps its identity and its dtype, float32 stays float32; a
``Value`` gets a new float) inside ``autograd_mini.no_grad()``, and skips every parameter whose ``.grad`` is
``None`` (a Tensor that no backward pass reached since the last ``zero_grad()``). The plain rule is the
documents' gradient-descent update W <- W - eta dL/dW (doc 000, backprop's gradient-descent step; doc 001,
Algorithms 1 and 2 write it as w <- w + eta delta x with delta = -dJ/dnet; doc 004: w <- w - eta dErr/dw).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

import autograd_mini as ag
from autograd_mini import Tensor, Value

Param = Value | Tensor

__all__ = ["SGD", "Adam", "Optimizer", "Param", "grad_norm"]


def _collect(params: Any) -> list[Param]:
    """The parameters as a list, unique by identity (first occurrence kept), validated."""
    if hasattr(params, "parameters") and callable(params.parameters):
        params = params.parameters()
    if isinstance(params, (Value, Tensor)):
        params = [params]
    try:
        items = list(params)
    except TypeError:
        raise TypeError(
            f"optimizer: params must be an iterable of Value or Tensor parameters, got {type(params).__name__}"
        ) from None
    out: list[Param] = []
    seen: set[int] = set()
    for i, p in enumerate(items):
        if not isinstance(p, (Value, Tensor)):
            raise TypeError(f"optimizer: parameter {i} is a {type(p).__name__}, expected a Value or a Tensor")
        if id(p) in seen:
            continue
        seen.add(id(p))
        out.append(p)
    if not out:
        raise ValueError("optimizer: got an empty parameter list")
    return out


def _grad_array(p: Param) -> np.ndarray | float | None:
    """``p.grad`` as plain numbers (a float for a Value, an ndarray for a Tensor), or None if there is none."""
    g = p.grad
    if g is None:
        return None
    if isinstance(g, (Value, Tensor)):  # a gradient kept as a graph (backward(create_graph=True))
        g = g.data
    if isinstance(p, Value):
        return float(g)
    return np.array(g)  # a copy: optimizer state must not alias p.grad


def grad_norm(params: Iterable[Param]) -> float:
    """Euclidean norm of all gradients together, ||grad J(w)|| = sqrt(sum_p sum_i (dJ/dw_i)^2); parameters
    without a gradient count as 0. This is the quantity doc 001's Algorithms 1 and 2 compare with the
    criterion theta ("until ||grad J(w)|| < theta")."""
    total = 0.0
    for p in params:
        g = _grad_array(p)
        if g is None:
            continue
        if isinstance(g, float):
            total += g * g
        else:
            total += float(np.sum(np.square(g, dtype=np.float64)))
    return math.sqrt(total)


def _check_number(
    name: str, value: float, lo: float, hi: float = math.inf, lo_open: bool = False, hi_open: bool = True
) -> float:
    v = float(value)
    ok = math.isfinite(v) and (v > lo if lo_open else v >= lo) and (v < hi if hi_open else v <= hi)
    if not ok:
        left = "(" if lo_open else "["
        right = ")" if hi_open else "]"
        raise ValueError(f"{name} must be in {left}{lo}, {hi}{right}, got {value!r}")
    return v


class Optimizer:
    """Base class: holds ``params`` (unique by identity, in the given order), ``lr`` (eta) and ``state``, a dict
    from a parameter's index in ``params`` to its state (velocity, Adam's moments; keyed by position, not by
    ``id``, so an optimizer survives ``copy.deepcopy`` and pickling together with its model); subclasses
    implement :meth:`_update` for one parameter."""

    def __init__(self, params: Iterable[Param] | Any, lr: float, weight_decay: float = 0.0) -> None:
        self.params: list[Param] = _collect(params)
        self.lr = _check_number("lr (eta)", lr, 0.0, lo_open=True)
        self.weight_decay = _check_number("weight_decay", weight_decay, 0.0)
        self.state: dict[int, dict[str, Any]] = {}

    def zero_grad(self) -> None:
        """Clear every parameter's gradient (a Value's ``.grad`` becomes 0.0, a Tensor's becomes None)."""
        for p in self.params:
            p.zero_grad()

    def step(self) -> None:
        """Update every parameter that has a gradient, in place, without recording a graph."""
        with ag.no_grad():
            for i, p in enumerate(self.params):
                g = _grad_array(p)
                if g is None:
                    continue
                if self.weight_decay:
                    g = g + self.weight_decay * p.data  # L2 penalty (lambda/2) ||w||^2 adds lambda w
                state = self.state.setdefault(i, {})
                delta = self._update(g, state)
                if isinstance(p, Value):
                    p.data = float(p.data - delta)
                else:
                    p.data -= np.asarray(delta).astype(p.data.dtype, copy=False)

    def _update(self, g: Any, state: dict[str, Any]) -> Any:  # pragma: no cover - abstract
        """The amount to subtract from the parameter, given its gradient ``g`` and its ``state``."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self.params)} parameters, lr={self.lr})"


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum (PyTorch's ``torch.optim.SGD``, same arguments).

    Without momentum: W <- W - eta dL/dW (doc 000's gradient-descent step; doc 001, Algorithm 1 line 4 written
    as w <- w + eta delta x with delta = -dJ/dnet; doc 004's update rules).

    With momentum mu (PyTorch's form): v <- mu v + (1 - dampening) g, with v = g at the first step (so the first
    step is the plain one); then W <- W - eta v, or with ``nesterov=True`` W <- W - eta (g + mu v) (PyTorch's
    Nesterov formula, which needs mu > 0 and no dampening). ``weight_decay`` lambda adds lambda W to g first.
    """

    def __init__(
        self,
        params: Iterable[Param] | Any,
        lr: float = 0.01,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        super().__init__(params, lr, weight_decay)
        self.momentum = _check_number("momentum", momentum, 0.0, 1.0)
        self.dampening = _check_number("dampening", dampening, 0.0, 1.0, hi_open=False)
        if not isinstance(nesterov, (bool, np.bool_)):
            raise TypeError(f"nesterov must be True or False, got {nesterov!r}")
        if nesterov and (self.momentum <= 0.0 or self.dampening != 0.0):
            raise ValueError(
                f"Nesterov momentum requires a momentum and zero dampening (as in PyTorch), got "
                f"momentum={momentum!r}, dampening={dampening!r}"
            )
        self.nesterov = bool(nesterov)

    def _update(self, g: Any, state: dict[str, Any]) -> Any:
        if not self.momentum:
            return self.lr * g
        v = state.get("velocity")
        v = g if v is None else self.momentum * v + (1.0 - self.dampening) * g
        state["velocity"] = v
        if self.nesterov:
            return self.lr * (g + self.momentum * v)
        return self.lr * v


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015), per parameter with its own step count t (t = 1 at its first update):

        m <- beta1 m + (1 - beta1) g,        v <- beta2 v + (1 - beta2) g^2
        m_hat = m / (1 - beta1^t),           v_hat = v / (1 - beta2^t)
        W <- W - eta m_hat / (sqrt(v_hat) + eps)

    with g = dL/dW (plus lambda W with ``weight_decay``). The first step therefore moves each weight by about
    eta * sign(g). The documents stop at plain gradient descent; Adam is what scikit-learn's MLPClassifier
    uses by default, so the estimators use it too.
    """

    def __init__(
        self,
        params: Iterable[Param] | Any,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr, weight_decay)
        if len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        self.betas = (_check_number("beta1", betas[0], 0.0, 1.0), _check_number("beta2", betas[1], 0.0, 1.0))
        self.eps = _check_number("eps", eps, 0.0, lo_open=True)

    def _update(self, g: Any, state: dict[str, Any]) -> Any:
        b1, b2 = self.betas
        t = state.get("t", 0) + 1
        m = state.get("m", 0.0 * g)
        v = state.get("v", 0.0 * g)
        m = b1 * m + (1.0 - b1) * g
        v = b2 * v + (1.0 - b2) * (g * g)
        state.update(t=t, m=m, v=v)
        m_hat = m / (1.0 - b1**t)
        v_hat = v / (1.0 - b2**t)
        return self.lr * m_hat / (np.sqrt(v_hat) + self.eps)

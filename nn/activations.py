"""Activation functions f with a = f(n), for a ``Value``, a list of Values (one layer's units) or a ``Tensor``.

``ACTIVATIONS`` maps each name to its function; :func:`get_activation` looks a name up. Elementwise ones apply
unit by unit; ``softmax`` acts on the whole output layer (the list, or the last axis of a Tensor).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from autograd_mini import Tensor, Value

#: the slope of leaky ReLU for n < 0 (doc 002: "alpha = 0.01 for leaky ReLU").
LEAKY_ALPHA = 0.01

Activation = Callable[[Any], Any]


def _map(x: Any, f: Callable[[Any], Any]) -> Any:
    if isinstance(x, (Value, Tensor)):
        return f(x)
    if isinstance(x, (list, tuple)):
        return [f(v) for v in x]
    raise TypeError(f"activation: expected a Value, a list of Values or a Tensor, got {type(x).__name__}")


def hardlimit(n: Any) -> Any:
    """HardLimit(n) = 1 if n >= 0 else 0 (doc 000, eq. 34; doc 002's "step"). Its derivative is 0 wherever
    it exists, so no gradient flows through it: hand-design such networks or train them with the
    perceptron rule (doc 000, eq. 6)."""
    return _map(n, lambda v: v.hardlimit())


def sign(n: Any) -> Any:
    """The perceptron's sign unit: +1 if n >= 0 else -1 (doc 001). Derivative 0 almost everywhere."""
    return _map(n, lambda v: v.sign())


def linear(n: Any) -> Any:
    """Linear(n) = n (doc 000, eq. 36): the identity, for regression outputs (doc 002). Returns ``n``
    itself (the same graph nodes; a tuple becomes a list)."""
    if isinstance(n, tuple):
        return list(n)
    if isinstance(n, (Value, Tensor, list)):
        return n
    raise TypeError(f"activation: expected a Value, a list of Values or a Tensor, got {type(n).__name__}")


def sigmoid(n: Any) -> Any:
    """sigma(n) = 1 / (1 + e^-n) (doc 000, eq. 37; doc 001; doc 003), computed stably; sigma' = sigma (1 -
    sigma)."""
    return _map(n, lambda v: v.sigmoid())


def tanh(n: Any) -> Any:
    """tanh(n) = 2 sigma(2n) - 1 (doc 000, eq. 38; doc 001); tanh' = 1 - tanh^2."""
    return _map(n, lambda v: v.tanh())


def relu(n: Any) -> Any:
    """ReLU(n) = n if n >= 0 else 0 (doc 000, eq. 35; micrograd's hidden units); derivative 1 for n > 0,
    0 for n < 0 (taken as 0 at n = 0)."""
    return _map(n, lambda v: v.relu())


def leaky_relu(n: Any) -> Any:
    """Leaky ReLU: n if n >= 0 else alpha n with alpha = 0.01 (doc 002); derivative 1 or alpha."""
    return _map(n, lambda v: v.leaky_relu(LEAKY_ALPHA))


def softmax(n: Any) -> Any:
    """softmax(n)_k = e^(n_k) / sum_i e^(n_i) (doc 001; doc 002: the output layer for a probability
    distribution over classes). Over the list of a layer's Values, or the last axis of a Tensor; computed
    as e^(n_k - max n) / sum_i e^(n_i - max n), which is finite for logits of any size."""
    if isinstance(n, Tensor):
        return n.softmax(axis=-1)
    if isinstance(n, Value):
        return softmax([n])[0]
    if not isinstance(n, (list, tuple)) or not n:
        raise TypeError(f"softmax: expected a non-empty list of Values or a Tensor, got {n!r}")
    m = max(v.data if isinstance(v, Value) else float(v) for v in n)  # a constant shift: same softmax
    e = [(v - m).exp() if isinstance(v, Value) else Value(float(v) - m, requires_grad=False).exp() for v in n]
    total = e[0]
    for ei in e[1:]:
        total = total + ei
    return [ei / total for ei in e]


ACTIVATIONS: dict[str, Activation] = {
    "hardlimit": hardlimit,
    "sign": sign,
    "linear": linear,
    "sigmoid": sigmoid,
    "tanh": tanh,
    "relu": relu,
    "leaky_relu": leaky_relu,
    "softmax": softmax,
}


def get_activation(name: str) -> Activation:
    """The activation function called ``name``; a ValueError lists the valid names for an unknown one."""
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown activation {name!r}; valid activations: {', '.join(ACTIVATIONS)}") from None

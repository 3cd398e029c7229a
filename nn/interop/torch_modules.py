"""PyTorch modules for this project's activations (imports torch: only ``nn.interop`` imports this, lazily).

``torch.nn`` has a module for most of ``nn.ACTIVATIONS``; the two step functions have none, so they are here:
:class:`HardLimit` (doc 000, eq. 34: 1 if n >= 0 else 0) and :class:`Sign` (doc 001: +1 if n >= 0 else -1).
Like the engine's rule (``g * 0``) they pass a gradient of exactly 0 back (not None), built only from torch
ops (``torch.sign``, whose derivative torch defines as 0, and ``clamp``), so ``torch.export`` and the ONNX
exporter handle them.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from ..activations import ACTIVATIONS, LEAKY_ALPHA


class HardLimit(torch.nn.Module):
    """HardLimit(n) = 1 if n >= 0 else 0, elementwise; gradient 0 everywhere (doc 000, eq. 34)."""

    def forward(self, n: torch.Tensor) -> torch.Tensor:
        # sign(n) + 1 is 0, 1, 2 for n < 0, n = 0, n > 0; clamped at 1 it is the step with 1 at n = 0.
        return (torch.sign(n) + 1).clamp(max=1)


class Sign(torch.nn.Module):
    """Sign(n) = +1 if n >= 0 else -1, elementwise (+1 at n = 0, unlike torch.sign); gradient 0 (doc 001)."""

    def forward(self, n: torch.Tensor) -> torch.Tensor:
        return 2 * (torch.sign(n) + 1).clamp(max=1) - 1


#: one torch module per activation name (``linear`` has none: it adds no module).
MODULES: dict[str, Callable[[], torch.nn.Module]] = {
    "hardlimit": HardLimit,
    "sign": Sign,
    "sigmoid": torch.nn.Sigmoid,
    "tanh": torch.nn.Tanh,
    "relu": torch.nn.ReLU,
    "leaky_relu": lambda: torch.nn.LeakyReLU(LEAKY_ALPHA),
    "softmax": lambda: torch.nn.Softmax(dim=-1),
}
assert set(MODULES) | {"linear"} == set(ACTIVATIONS), "every activation needs its torch module"


def activation_name(module: torch.nn.Module) -> str | None:
    """Our activation name for a torch activation module that computes it exactly, else None.

    ``LeakyReLU`` counts only with slope ``nn.LEAKY_ALPHA``, ``Softmax`` only over the last axis (dim -1, or 1
    for the (batch, features) inputs of a Linear stack).
    """
    kinds: dict[type, str] = {
        HardLimit: "hardlimit",
        Sign: "sign",
        torch.nn.Sigmoid: "sigmoid",
        torch.nn.Tanh: "tanh",
        torch.nn.ReLU: "relu",
        torch.nn.Identity: "linear",
    }
    if type(module) in kinds:
        return kinds[type(module)]
    if type(module) is torch.nn.LeakyReLU and module.negative_slope == LEAKY_ALPHA:
        return "leaky_relu"
    if type(module) is torch.nn.Softmax and module.dim in (-1, 1):
        return "softmax"
    return None

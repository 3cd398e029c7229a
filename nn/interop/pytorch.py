"""Out to PyTorch and back: :func:`to_torch`, :func:`from_torch`, :func:`torch_loss` and :func:`save_torch`.

Weights: our layers compute n = b + a W with W of shape (n_in, n_out) (doc 000's row form); ``torch.nn.Linear``
computes ``a @ weight.T + bias`` with ``weight`` of shape (n_out, n_in). So ``weight = W.T`` and ``bias = b``.
torch is imported inside the functions; without it they raise an ImportError naming the extra.
"""

from __future__ import annotations

import inspect
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from .. import architecture
from .._extras import require
from ..architecture import Act, Dense, Step
from ..losses import EPS, LOSSES
from ..module import VALUE, check_engine

#: how each of ``nn.LOSSES`` is computed in PyTorch by :func:`torch_loss`; the ones starting with "no built-in"
#: have no ``torch.nn`` loss of their own and are written with torch operations.
TORCH_LOSSES: dict[str, str] = {
    "squared_error": "torch.nn.MSELoss(reduction='sum')",
    "half_squared_error": "0.5 * torch.nn.MSELoss(reduction='sum')",
    "mse": "torch.nn.MSELoss()",
    "binary_cross_entropy": f"torch.nn.BCELoss() on the output clamped to [{EPS}, 1 - {EPS}]",
    "binary_cross_entropy_with_logits": "torch.nn.BCEWithLogitsLoss()",
    "cross_entropy": "torch.nn.CrossEntropyLoss() (integer labels or class probabilities)",
    "nll_loss": "torch.nn.NLLLoss()",
    "hinge": "no built-in (torch.nn.HingeEmbeddingLoss is another loss): torch.relu(1 - y * s)",
    "symmetric_cross_entropy": f"no built-in: -(t * log z + z * log t) summed over classes, both clamped to [{EPS}, 1]",
    "kl_divergence": f"torch.nn.KLDivLoss(reduction='batchmean') on the log of the output clamped to [{EPS}, 1]",
}
assert set(TORCH_LOSSES) == set(LOSSES), "every loss needs its PyTorch form"


def _torch() -> Any:
    return require("torch", "nn.interop (PyTorch)", extra="torch")


def _torch_dtype(torch: Any, dtype: np.dtype) -> Any:
    return getattr(torch, np.dtype(dtype).name)


# -- out to PyTorch -----------------------------------------------------------------------------------------------
def steps_to_torch(program: list[Step], dtype: Any = np.float64) -> Any:
    """A ``torch.nn.Sequential`` computing ``program`` (``nn.architecture`` steps) in ``dtype``."""
    torch = _torch()
    from .torch_modules import MODULES

    tdtype = _torch_dtype(torch, dtype)
    modules = []
    for step in program:
        if isinstance(step, Dense):
            n_in, n_out = step.W.shape
            linear = torch.nn.Linear(n_in, n_out, dtype=tdtype)
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(np.ascontiguousarray(step.W.T)))
                linear.bias.copy_(torch.from_numpy(np.asarray(step.b)))
            modules.append(linear)
        elif step.name != "linear":
            modules.append(MODULES[step.name]())
    return torch.nn.Sequential(*modules)


def to_torch(model: Any) -> Any:
    """A ``torch.nn.Sequential`` of ``Linear`` and activation modules computing what ``model`` computes.

    ``model`` is an ``MLP``, ``Layer``, ``Linear`` or ``Sequential`` of those (and activation functions), on
    either engine. The torch module takes (batch, n_in) inputs and returns (batch, n_out); its dtype is the
    model's (float64 for the value engine). Each of our ``Layer`` becomes a ``torch.nn.Linear`` with ``weight``
    = W.T and ``bias`` = b, followed by its activation's module (none for ``linear``; ``HardLimit`` and ``Sign``
    from ``nn.interop.torch_modules`` for the step functions). Raises ValueError naming an unsupported class.
    """
    program = architecture.steps(model)
    _, dtype = architecture.engine_dtype(model)
    return steps_to_torch(program, dtype)


# -- in from PyTorch ------------------------------------------------------------------------------------------------
def _supported_torch() -> str:
    return (
        "torch.nn.Linear, ReLU, Sigmoid, Tanh, LeakyReLU(0.01), Softmax(dim=-1), Identity, "
        "nn.interop.torch_modules.HardLimit and Sign, inside a torch.nn.Sequential (nested ones too)"
    )


def _children(module: Any, prefix: str) -> Iterator[tuple[str, Any]]:
    torch = _torch()
    if type(module) is torch.nn.Sequential:
        for name, child in module.named_children():
            yield from _children(child, f"{prefix}{name}.")
    else:
        yield prefix.rstrip(".") or "0", module


def _torch_step(torch: Any, where: str, module: Any) -> Step | None:
    from .torch_modules import activation_name

    if type(module) is torch.nn.Linear:
        W = module.weight.detach().cpu().double().numpy().T
        b = module.bias.detach().cpu().double().numpy() if module.bias is not None else np.zeros(module.out_features)
        return Dense(W, b)
    name = activation_name(module)
    if name is None:
        raise ValueError(
            f"from_torch: layer {where} ({type(module).__name__}) is not supported; supported: {_supported_torch()}"
        )
    return None if name == "linear" else Act(name)


def _torch_dtype_of(torch: Any, module: Any) -> np.dtype:
    names = {torch.float16: "float16", torch.float32: "float32", torch.float64: "float64"}
    for p in module.parameters():
        if p.dtype not in names:
            raise ValueError(f"from_torch: parameters of dtype {p.dtype} are not supported (float16/32/64 are)")
        return np.dtype(names[p.dtype])
    return np.dtype(np.float64)


def from_torch(module: Any, engine: str = VALUE) -> Any:
    """This project's network computing what the PyTorch ``module`` computes, on ``engine`` ("value" or
    "tensor").

    ``module`` is a ``torch.nn.Sequential`` (or one ``Linear``) of ``Linear`` layers and the activations in
    ``nn.interop.torch_modules.activation_name``. The weights are copied (W = weight.T; a Linear without bias
    gets b = 0). The result is an ``MLP`` when the layers alternate Linear / activation, else a ``Sequential``.
    On the tensor engine the dtype is the module's; the value engine computes in float64. Anything else (a
    Conv2d, a custom module, Dropout) raises ValueError naming the layer (its index in the Sequential and its
    class) and listing what is supported.
    """
    check_engine(engine)
    torch = _torch()
    if not isinstance(module, torch.nn.Module):
        raise TypeError(f"from_torch: expected a torch.nn.Module, got {type(module).__name__}")
    program = [s for where, child in _children(module, "") if (s := _torch_step(torch, where, child)) is not None]
    if not any(isinstance(s, Dense) for s in program):
        raise ValueError(f"from_torch: the module has no torch.nn.Linear layer (supported: {_supported_torch()})")
    return architecture.from_steps(program, engine=engine, dtype=_torch_dtype_of(torch, module))


# -- losses ----------------------------------------------------------------------------------------------------------
def _same_shape(torch: Any, out: Any, y: Any) -> Any:
    t = torch.as_tensor(np.asarray(y) if not isinstance(y, torch.Tensor) else y, dtype=out.dtype)
    if t.numel() != out.numel():
        raise ValueError(f"target with {t.numel()} elements for an output of shape {tuple(out.shape)}")
    return t.reshape(out.shape)


def _is_labels(torch: Any, out: Any, y: Any) -> tuple[bool, Any]:
    t = torch.as_tensor(np.asarray(y) if not isinstance(y, torch.Tensor) else y)
    return tuple(t.shape) == tuple(out.shape[:-1]), t


def _distribution(torch: Any, out: Any, y: Any) -> Any:
    labels, t = _is_labels(torch, out, y)
    if labels:
        return torch.nn.functional.one_hot(t.long(), out.shape[-1]).to(out.dtype)
    return t.to(out.dtype)


def _per_sample(total: Any, out: Any, reduction: str) -> Any:
    return total / out.shape[0] if reduction == "mean" and out.dim() == 2 else total


def _loss_fns(torch: Any) -> dict[str, Callable[[Any, Any, str], Any]]:
    F = torch.nn.functional

    def ce(out: Any, y: Any, r: str) -> Any:
        labels, t = _is_labels(torch, out, y)
        return F.cross_entropy(out, t.long() if labels else t.to(out.dtype), reduction=r)

    def sce(out: Any, y: Any, r: str) -> Any:
        t = _distribution(torch, out, y)
        per = -(out.clamp(EPS, 1.0).log() * t + out * t.clamp(EPS, 1.0).log()).sum()
        return _per_sample(per, out, r)

    def kl(out: Any, y: Any, r: str) -> Any:
        total = F.kl_div(out.clamp(EPS, 1.0).log(), _distribution(torch, out, y), reduction="sum")
        return _per_sample(total, out, r)

    return {
        "squared_error": lambda o, y, r: F.mse_loss(o, _same_shape(torch, o, y), reduction=r),
        "half_squared_error": lambda o, y, r: 0.5 * F.mse_loss(o, _same_shape(torch, o, y), reduction=r),
        "mse": lambda o, y, r: F.mse_loss(o, _same_shape(torch, o, y), reduction=r),
        "binary_cross_entropy": lambda o, y, r: F.binary_cross_entropy(
            o.clamp(EPS, 1.0 - EPS), _same_shape(torch, o, y), reduction=r
        ),
        "binary_cross_entropy_with_logits": lambda o, y, r: F.binary_cross_entropy_with_logits(
            o, _same_shape(torch, o, y), reduction=r
        ),
        "cross_entropy": ce,
        "nll_loss": lambda o, y, r: F.nll_loss(o, _is_labels(torch, o, y)[1].long(), reduction=r),
        "hinge": lambda o, y, r: getattr(torch.relu(1.0 - o * _same_shape(torch, o, y)), r)(),
        "symmetric_cross_entropy": sce,
        "kl_divergence": kl,
    }


def torch_loss(name: str, reduction: str | None = None) -> Callable[[Any, Any], Any]:
    """The PyTorch form of our loss ``name`` (a key of ``nn.LOSSES``): a function ``(output, target)`` of a torch
    output tensor and a target (array or tensor, as our loss takes it) returning the same value, with the same
    gradient, as ``nn.LOSSES[name]``. ``reduction`` defaults to our loss's default. ``TORCH_LOSSES[name]`` says
    which torch loss it is, or that torch has none built in."""
    if name not in LOSSES:
        raise ValueError(f"unknown loss {name!r}; valid losses: {', '.join(LOSSES)}")
    if reduction is None:
        reduction = inspect.signature(LOSSES[name]).parameters["reduction"].default
    if reduction not in ("sum", "mean"):
        raise ValueError(f"{name}: reduction must be 'sum' or 'mean', got {reduction!r}")
    fn = _loss_fns(_torch())[name]
    red: str = reduction
    return lambda output, target: fn(output, target, red)


# -- files -------------------------------------------------------------------------------------------------------------
def save_torch(model: Any, path: str | os.PathLike[str]) -> str:
    """Write ``to_torch(model)`` as a ``torch.export`` program (``.pt2``), which PyTorch loads without this
    project's code: ``torch.export.load(path).module()`` is a trainable module taking (batch, n_in) inputs, with
    the state dict keys of the ``torch.nn.Sequential`` (``0.weight``, ``0.bias``, ...). The architecture record
    (``nn.architecture.describe``) is stored in the archive's extra file ``architecture.json``. Written to a
    temporary file, then renamed. Returns the path."""
    torch = _torch()
    path = os.fspath(path)
    module = to_torch(model)
    n_in = next(s.W.shape[0] for s in architecture.steps(model) if isinstance(s, Dense))
    _, dtype = architecture.engine_dtype(model)
    example = torch.zeros(2, n_in, dtype=_torch_dtype(torch, dtype))
    batch = torch.export.Dim("batch")
    program = torch.export.export(module, (example,), dynamic_shapes=({0: batch},))
    record = json.dumps(architecture.describe(model))
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(suffix=".pt2", dir=directory)
    os.close(fd)
    try:
        torch.export.save(program, tmp, extra_files={"architecture.json": record})
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


__all__ = ["TORCH_LOSSES", "from_torch", "save_torch", "steps_to_torch", "to_torch", "torch_loss"]

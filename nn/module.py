"""``Module``: the base of every model in ``nn`` (parameters, gradients, saving), and ``Sequential``.

A module finds its parameters by looking at its attributes (as PyTorch does): every leaf ``Value`` and every
leaf ``Tensor`` with ``requires_grad=True`` held directly, in a list / tuple / dict, or inside a nested
module is a parameter. Each parameter is reported once even when two layers share it (identity, not
equality, decides), in discovery order, which for the MLPs is micrograd's order (layer by layer, neuron by
neuron, w then b).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

from autograd_mini import Tensor, Value

from .files import ArchiveError, ArrayHeader, read_archive, write_archive

Parameter = Value | Tensor

#: The archive member where ``Module.save`` records the architecture (``nn.architecture``), beside the weights.
ARCHITECTURE_KEY = "__architecture__"

#: Engine names accepted by every layer-building class: the scalar graph (micrograd-compatible) ...
VALUE = "value"
#: ... and the vectorized numpy engine (batches).
TENSOR = "tensor"
ENGINES = (VALUE, TENSOR)


def check_engine(engine: str) -> str:
    """Return ``engine`` if it is "value" or "tensor", else raise ValueError naming the valid ones."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; valid engines: {', '.join(repr(e) for e in ENGINES)}")
    return engine


def _is_parameter(x: Any) -> bool:
    return isinstance(x, (Value, Tensor)) and x.requires_grad and x.op is None


class Module:
    """Base class of models: ``__call__`` runs ``forward``; parameters are found among the attributes.

    Subclasses set parameters and sub-modules as attributes in ``__init__`` and define ``forward``.
    Attributes named in the class attribute ``_not_parameters`` are never searched (a layer's ``n`` and
    ``a``, which hold the last forward pass's graph nodes).
    """

    _not_parameters: frozenset[str] = frozenset()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The computation; every subclass defines it."""
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    # -- parameter discovery ------------------------------------------------------------------------
    def _walk(self, prefix: str, seen_params: set[int], seen_modules: set[int]) -> Iterator[tuple[str, Parameter]]:
        seen_modules.add(id(self))
        skip = type(self)._not_parameters
        for name, value in vars(self).items():
            if name in skip:
                continue
            yield from _walk_value(prefix + name, value, seen_params, seen_modules)

    def named_parameters(self) -> list[tuple[str, Parameter]]:
        """``[(dotted name, parameter), ...]``, each parameter once (first name found), in discovery order.

        Names follow the attribute path: ``layers.0.weight`` (tensor engine), ``layers.0.neurons.3.w.1``
        (value engine).
        """
        return list(self._walk("", set(), set()))

    def parameters(self) -> list[Parameter]:
        """The trainable leaves (Values, and Tensors with ``requires_grad=True``), each once."""
        return [p for _, p in self._walk("", set(), set())]

    def zero_grad(self) -> None:
        """Reset every parameter's gradient (0.0 for a Value, None for a Tensor)."""
        for p in self.parameters():
            p.zero_grad()

    # -- sub-modules and modes (PyTorch's Module API) ------------------------------------------------
    #: True after ``train()`` (the default), False after ``eval()``. No layer of ``nn`` behaves differently
    #: yet; a user's module (dropout, batch statistics) reads it as in PyTorch.
    training: bool = True

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """The immediate sub-modules as ``(name, module)``, each once, in attribute order.

        A module held directly is named after its attribute; one in a list, tuple or dict attribute is
        named ``attr.0`` / ``attr.key`` (PyTorch would wrap the list in a ``ModuleList``, a module of its
        own; here the list is not a module, so the names match ``named_parameters``'s).
        """
        seen: set[int] = set()
        for name, module in _child_modules(self):
            if id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self) -> Iterator[Module]:
        """The immediate sub-modules, each once (see :meth:`named_children`)."""
        for _, module in self.named_children():
            yield module

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module (named ``prefix``) and every module below it, each once, in PyTorch's order:
        depth-first, a module before its children; a shared module is listed where it is met first."""
        seen: set[int] = set()
        stack: list[tuple[str, Module]] = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            below = [(f"{name}.{child}" if name else child, m) for child, m in module.named_children()]
            stack.extend(reversed(below))

    def modules(self) -> Iterator[Module]:
        """This module and every module below it, each once (see :meth:`named_modules`)."""
        for _, module in self.named_modules():
            yield module

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call ``fn`` on every sub-module, children before their parent, then on ``self``; return ``self``.

        PyTorch's order and semantics: each module's children are visited in turn (a module shared by two
        parents is visited under each); a module that contains one of its ancestors is not re-entered.
        """
        stack: list[tuple[Module, bool]] = [(self, False)]
        active: list[int] = []  # the ancestors of the module being expanded
        while stack:
            module, expanded = stack.pop()
            if expanded:
                active.pop()
                fn(module)
                continue
            active.append(id(module))
            stack.append((module, True))
            stack.extend((child, False) for child in reversed(list(module.children())) if id(child) not in active)
        return self

    def train(self, mode: bool = True) -> Module:
        """Set ``training`` to ``mode`` on this module and every module below it; return ``self``."""
        if not isinstance(mode, bool):
            raise ValueError(f"training mode is expected to be boolean, got {mode!r}")
        for module in self.modules():
            module.training = mode
        return self

    def eval(self) -> Module:
        """``train(False)``: evaluation mode; returns ``self``."""
        return self.train(False)

    # -- state --------------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, np.ndarray]:
        """``{name: copy of the parameter's data as an ndarray}`` (0-d arrays for Values)."""
        return {
            name: np.array(p.data, dtype=np.float64 if isinstance(p, Value) else p.data.dtype)
            for name, p in self.named_parameters()
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Copy ``state`` into the parameters, all or nothing.

        Every name must match a parameter and every shape the parameter's shape, and the values must be
        real numbers that are finite once cast to the parameter's dtype (``1e300`` does not fit a float32
        model); otherwise a ValueError lists the missing and unexpected names or the mismatches, and no
        parameter is changed. Tensors keep their dtype.
        """
        named = dict(self.named_parameters())
        arrays: dict[str, np.ndarray] = {}
        problems = _name_problems(named, state)
        for name, p in named.items():
            if name not in state:
                continue
            arr_or_problem = _as_parameter_array(name, state[name], p)
            if isinstance(arr_or_problem, str):
                problems.append(arr_or_problem)
            else:
                arrays[name] = arr_or_problem
        if problems:
            raise ValueError("load_state_dict: state does not fit the model (model unchanged); " + "; ".join(problems))
        for name, p in named.items():
            if isinstance(p, Value):
                p.data = float(arrays[name])
            else:
                p.data[...] = arrays[name]

    def save(self, path: str | os.PathLike[str]) -> str:
        """Write the state dict to an ``.npz`` archive (one ``<name>.npy`` member per parameter, what
        ``np.savez`` writes) and return the path written (``.npz`` is added when the name lacks it).

        The write is atomic (:func:`nn.files.write_archive`): a failure part-way (full disk, file-size limit,
        a kill) leaves an existing file at ``path`` exactly as it was.
        """
        path = os.fspath(path)
        if not path.endswith(".npz"):
            path += ".npz"
        arrays: dict[str, np.ndarray] = dict(self.state_dict())
        record = self._architecture_record()
        if record is not None:
            arrays[ARCHITECTURE_KEY] = record
        write_archive(path, arrays)
        return path

    def _architecture_record(self) -> np.ndarray | None:
        """The network's architecture (``nn.architecture.describe``) as UTF-8 JSON bytes in a uint8 array, saved
        beside the weights so ``nn.load_model`` can rebuild the network; None for a module it cannot describe
        (a subclass with its own code: only its weights are saved)."""
        from .architecture import record_array  # nn.architecture builds on the layers, which build on Module

        try:
            return record_array(self)
        except ValueError:
            return None

    def load(self, path: str | os.PathLike[str]) -> None:
        """Load parameters saved by :meth:`save`, all or nothing (``path + ".npz"`` is tried when ``path``
        does not exist).

        Names, shapes and dtypes are checked from the archive's ``.npy`` headers before any data is read
        (:func:`nn.files.read_archive`), so a small file declaring a huge array costs nothing; then values
        are checked as in :meth:`load_state_dict`. Every error is a ValueError naming the file; the model is
        unchanged on any error.
        """
        path = os.fspath(path)
        if not os.path.exists(path) and os.path.exists(path + ".npz"):
            path += ".npz"
        state = read_archive(path, check=lambda headers: self._check_headers(path, headers))
        state.pop(ARCHITECTURE_KEY, None)
        try:
            self.load_state_dict(state)
        except ValueError as exc:
            raise ArchiveError(path, str(exc)) from None

    def _check_headers(self, path: str, headers: Mapping[str, ArrayHeader]) -> None:
        """Refuse an archive whose names, shapes or dtypes do not fit the parameters (before reading data)."""
        named = dict(self.named_parameters())
        headers = {name: header for name, header in headers.items() if name != ARCHITECTURE_KEY}
        problems = _name_problems(named, headers)
        for name, header in headers.items():
            if name in named:
                problem = _shape_dtype_problem(name, header.shape, header.dtype, np.shape(named[name].data))
                if problem:
                    problems.append(problem)
        if problems:
            raise ArchiveError(path, "does not fit the model (model unchanged); " + "; ".join(problems))


def _name_problems(named: Mapping[str, Parameter], state: Mapping[str, Any]) -> list[str]:
    """The missing and unexpected names of a state against the parameters, as message parts."""
    problems = []
    missing = [k for k in named if k not in state]
    unexpected = [k for k in state if k not in named]
    if missing:
        problems.append(f"missing: {', '.join(missing)}")
    if unexpected:
        problems.append(f"unexpected: {', '.join(map(str, unexpected))}")
    return problems


def _shape_dtype_problem(
    name: str, shape: tuple[int, ...], dtype: np.dtype[Any], expected: tuple[int, ...]
) -> str | None:
    if shape != expected:
        return f"{name}: shape {shape} does not match the parameter's shape {expected}"
    if dtype.kind not in "biuf":
        return f"{name}: dtype {dtype} is not a real number type"
    return None


def _as_parameter_array(name: str, raw: Any, p: Parameter) -> np.ndarray | str:
    """``raw`` as an array of ``p``'s dtype (float64 for a Value), or a description of why it does not fit.

    Finiteness is checked after the cast: a finite float64 too large for a float32 parameter is refused.
    """
    raw = raw.data if isinstance(raw, (Value, Tensor)) else raw
    try:
        arr = np.asarray(raw)
    except Exception as exc:  # noqa: BLE001 - report any conversion failure as bad input
        return f"{name}: cannot convert to an array ({exc})"
    problem = _shape_dtype_problem(name, arr.shape, arr.dtype, np.shape(p.data))
    if problem:
        return problem
    dtype = np.dtype(np.float64) if isinstance(p, Value) else p.data.dtype
    with np.errstate(over="ignore", invalid="ignore"):
        cast = arr.astype(dtype)
    if np.all(np.isfinite(cast)):
        return cast
    if np.all(np.isfinite(arr)):
        return (
            f"{name}: values up to {float(np.max(np.abs(arr))):g} overflow the parameter's dtype {dtype} "
            f"(largest finite {np.finfo(dtype).max:g})"
        )
    return f"{name}: contains NaN or Inf"


def _modules_in(name: str, value: Any) -> Iterator[tuple[str, Module]]:
    """The modules in an attribute's value: the value itself, or the items of a list / tuple / dict."""
    if isinstance(value, Module):
        yield name, value
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from _modules_in(f"{name}.{i}", item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _modules_in(f"{name}.{key}", item)


def _child_modules(module: Module) -> Iterator[tuple[str, Module]]:
    skip = type(module)._not_parameters
    for name, value in vars(module).items():
        if name not in skip:
            yield from _modules_in(name, value)


def _walk_value(
    name: str, value: Any, seen_params: set[int], seen_modules: set[int]
) -> Iterator[tuple[str, Parameter]]:
    if isinstance(value, (Value, Tensor)):
        if _is_parameter(value) and id(value) not in seen_params:
            seen_params.add(id(value))
            yield name, value
    elif isinstance(value, Module):
        if id(value) not in seen_modules:
            yield from value._walk(name + ".", seen_params, seen_modules)
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from _walk_value(f"{name}.{i}", item, seen_params, seen_modules)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk_value(f"{name}.{key}", item, seen_params, seen_modules)


class Sequential(Module):
    """Apply modules (or any callables) one after another: ``Sequential(l1, l2)(x) == l2(l1(x))``.

    The modules are kept, in order, in ``.layers``.
    """

    def __init__(self, *layers: Module | Callable[[Any], Any]) -> None:
        for k, layer in enumerate(layers):
            if not callable(layer):
                raise TypeError(f"Sequential: item {k} ({type(layer).__name__}) is not callable")
        self.layers = list(layers)

    def forward(self, x: Any) -> Any:
        for layer in self.layers:
            x = layer(x)
        return x

    def __len__(self) -> int:
        return len(self.layers)

    def __getitem__(self, k: int) -> Any:
        return self.layers[k]

    def __repr__(self) -> str:
        return f"Sequential({', '.join(repr(layer) for layer in self.layers)})"

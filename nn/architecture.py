"""A network's architecture as plain data, and its computation as a flat list of steps.

Two views of a network built from this project's layers (``MLP``, ``Layer``, ``Linear``, and ``Sequential`` of
those and of the activation functions in ``nn.ACTIVATIONS``), on either engine:

* :func:`describe` gives its *architecture*: a JSON-ready dict naming each class, its sizes, activations, engine
  and dtype. :func:`build` makes a fresh network from such a dict, with the same class and the same parameter
  names, so that ``build(describe(m)).load_state_dict(m.state_dict())`` reproduces ``m``. ``Module.save``
  stores it beside the weights, and ``nn.load_model`` rebuilds a saved network without the code that made it.
* :func:`steps` gives its *computation* as a flat list of :class:`Dense` (n = b + a W, doc 000's row form,
  W of shape (n_in, n_out)) and :class:`Act` (a = f(n)) steps, the common ground of the exports to PyTorch and
  ONNX (``nn.interop``); :func:`from_steps` builds a network of ours that computes a list of steps.

No optional package is imported here.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .activations import ACTIVATIONS
from .files import ArchiveError, ArrayHeader, read_archive
from .layers import MLP, Layer, Linear
from .module import ARCHITECTURE_KEY, ENGINES, VALUE, Module, Sequential

#: the format tag and version written into every architecture record.
FORMAT = "autograd-mini/architecture"
VERSION = 1
#: the classes an architecture record can name.
SUPPORTED = ("MLP", "Layer", "Linear", "Sequential", "an activation function from nn.ACTIVATIONS")
_DTYPES = ("float16", "float32", "float64")


@dataclass(frozen=True)
class Dense:
    """n = b + a W with W of shape (n_in, n_out) and b of shape (n_out,) (doc 000, eq. 16)."""

    W: np.ndarray
    b: np.ndarray


@dataclass(frozen=True)
class Act:
    """a = f(n) for the activation called ``name`` in ``nn.ACTIVATIONS`` (``leaky_relu`` uses
    ``nn.LEAKY_ALPHA``; ``softmax`` acts on the last axis)."""

    name: str


Step = Dense | Act


def unsupported(model: Any) -> str:
    """The message for a model these functions cannot describe: its class and what is supported."""
    hint = " (an estimator's network is its .model_)" if hasattr(model, "fit") and hasattr(model, "predict") else ""
    return f"cannot describe a {type(model).__name__}{hint}: supported are {', '.join(SUPPORTED)}"


def _activation_name(fn: Any) -> str | None:
    for name, f in ACTIVATIONS.items():
        if fn is f:
            return name
    return None


# -- architecture records -------------------------------------------------------------------------------
def _describe(model: Any) -> dict[str, Any]:
    if isinstance(model, MLP):
        layers = model.layers
        return {
            "class": "MLP",
            "nin": model.nin,
            "nouts": [layer.nout for layer in layers],
            "activations": [layer.activation for layer in layers],
            "engine": model.engine,
            "dtype": str(layers[0].dtype),
        }
    if isinstance(model, Layer):
        spec = {
            "class": type(model).__name__,
            "nin": model.nin,
            "nout": model.nout,
            "engine": model.engine,
            "dtype": str(model.dtype),
        }
        if type(model) is Layer:
            spec["activation"] = model.activation
        elif type(model) is not Linear:
            raise ValueError(unsupported(model))
        return spec
    if isinstance(model, Sequential) and type(model) is Sequential:
        return {"class": "Sequential", "layers": [_describe(item) for item in model.layers]}
    name = _activation_name(model)
    if name is not None:
        return {"class": "activation", "name": name}
    raise ValueError(unsupported(model))


def describe(model: Any) -> dict[str, Any]:
    """The architecture of ``model`` as a JSON-ready dict (format tag, version and the nested classes).

    Raises ValueError naming the class for anything not built from ``MLP``, ``Layer``, ``Linear``, ``Sequential``
    and ``nn.ACTIVATIONS`` (a subclass with its own code cannot be rebuilt from data).
    """
    return {"format": FORMAT, "version": VERSION, "model": _describe(model)}


def _field(spec: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if key not in spec:
        raise ValueError(f"architecture: {where} has no {key!r}")
    value = spec[key]
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ValueError(f"architecture: {where}: {key!r} has the wrong type ({type(value).__name__})")
    return value


def _engine_dtype(spec: dict[str, Any], where: str) -> tuple[str, str]:
    engine = _field(spec, "engine", str, where)
    dtype = _field(spec, "dtype", str, where)
    if engine not in ENGINES:
        raise ValueError(f"architecture: {where}: unknown engine {engine!r}")
    if dtype not in _DTYPES:
        raise ValueError(f"architecture: {where}: unknown dtype {dtype!r}")
    return engine, dtype


def _build(spec: Any, where: str) -> Any:
    if not isinstance(spec, dict):
        raise ValueError(f"architecture: {where} is not an object")
    cls = spec.get("class")
    if cls == "activation":
        name = _field(spec, "name", str, where)
        if name not in ACTIVATIONS:
            raise ValueError(f"architecture: {where}: unknown activation {name!r}")
        return ACTIVATIONS[name]
    if cls == "Sequential":
        items = _field(spec, "layers", list, where)
        return Sequential(*[_build(item, f"{where}.layers[{k}]") for k, item in enumerate(items)])
    if cls not in ("MLP", "Layer", "Linear"):
        raise ValueError(
            f"architecture: {where}: unknown class {cls!r}; known: MLP, Layer, Linear, Sequential, activation"
        )
    engine, dtype = _engine_dtype(spec, where)
    nin = _field(spec, "nin", int, where)
    if cls == "MLP":
        nouts = _field(spec, "nouts", list, where)
        acts = _field(spec, "activations", list, where)
        return MLP(nin, nouts, activation=acts, engine=engine, seed=0, dtype=dtype)
    nout = _field(spec, "nout", int, where)
    if cls == "Linear":
        return Linear(nin, nout, engine=engine, rng=0, dtype=dtype)
    return Layer(nin, nout, activation=_field(spec, "activation", str, where), engine=engine, rng=0, dtype=dtype)


def build(record: Any) -> Any:
    """A fresh network (weights from seed 0) with the architecture ``record`` (a dict from :func:`describe`,
    or its JSON text). Raises ValueError naming what is wrong with a malformed record."""
    if isinstance(record, (str, bytes)):
        try:
            record = json.loads(record)
        except json.JSONDecodeError as exc:
            raise ValueError(f"architecture: not valid JSON ({exc})") from None
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise ValueError(f"architecture: not an {FORMAT!r} record")
    if record.get("version") != VERSION:
        raise ValueError(f"architecture: version {record.get('version')!r} is not supported (this is {VERSION})")
    try:
        return _build(record.get("model"), "model")
    except (TypeError, ValueError) as exc:
        msg = str(exc)
        raise ValueError(msg if msg.startswith("architecture") else f"architecture: {msg}") from None


# -- beside the weights in a saved model -----------------------------------------------------------------------
#: the largest architecture record ``load_model`` reads (a record is a few hundred bytes per layer).
MAX_RECORD_BYTES = 1 << 20


def record_array(model: Any) -> np.ndarray:
    """``describe(model)`` as UTF-8 JSON bytes in a 1-D uint8 array (what ``Module.save`` stores, no pickle)."""
    return np.frombuffer(json.dumps(describe(model)).encode("utf-8"), dtype=np.uint8).copy()


def _check_record_header(path: str, headers: Mapping[str, ArrayHeader]) -> None:
    header = headers.get(ARCHITECTURE_KEY)
    if header is None:
        raise ArchiveError(
            path,
            "holds weights but no architecture record (saved by a module nn.architecture cannot describe, "
            "or before records existed): build the network in code and call its .load(path)",
        )
    if header.dtype != np.uint8 or len(header.shape) != 1 or header.nbytes > MAX_RECORD_BYTES:
        raise ArchiveError(
            path,
            f"member {ARCHITECTURE_KEY!r} is not an architecture record (expected a 1-D uint8 array of at most "
            f"{MAX_RECORD_BYTES} bytes, got dtype {header.dtype} and shape {header.shape})",
        )


def load_model(path: str | os.PathLike[str]) -> Module:
    """The network saved by ``model.save(path)``, rebuilt from its architecture record without the code that
    made it: same class, engine, dtype, sizes, activations and weights (``path + ".npz"`` is tried when ``path``
    does not exist).

    The record is read first (its header checked: present, uint8, at most 1 MiB); then the weights are loaded by
    ``Module.load``, which checks names and shapes from the headers before reading any data. Every error is a
    ValueError naming the file.
    """
    where = os.fspath(path)
    if not os.path.exists(where) and os.path.exists(where + ".npz"):
        where += ".npz"
    headers: dict[str, ArrayHeader] = {}

    def check(found: Mapping[str, ArrayHeader]) -> None:
        _check_record_header(where, found)
        headers.update(found)

    raw = read_archive(where, check=check, names=[ARCHITECTURE_KEY])
    try:
        record = json.loads(raw[ARCHITECTURE_KEY].tobytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ArchiveError(where, f"a damaged architecture record ({exc})") from None
    stored = sum(int(np.prod(h.shape)) for name, h in headers.items() if name != ARCHITECTURE_KEY)
    declared = _parameter_count(record.get("model") if isinstance(record, dict) else None)
    if declared is not None and declared != stored:  # checked before building: a record cannot make us allocate
        raise ArchiveError(where, f"the architecture record describes {declared} parameters, the file holds {stored}")
    try:
        model = build(record)
    except ValueError as exc:
        raise ArchiveError(where, f"a damaged architecture record ({exc})") from None
    model.load(where)
    return model


def _parameter_count(spec: Any) -> int | None:
    """How many numbers the weights of ``spec`` hold, or None when the record is malformed (``build`` says how)."""
    if not isinstance(spec, dict):
        return None
    sizes: Any = None
    if spec.get("class") in ("Layer", "Linear"):
        sizes = [spec.get("nin"), spec.get("nout")]
    elif spec.get("class") == "MLP" and isinstance(spec.get("nouts"), list):
        sizes = [spec.get("nin"), *spec["nouts"]]
    elif spec.get("class") == "Sequential" and isinstance(spec.get("layers"), list):
        counts = [_parameter_count(item) for item in spec["layers"]]
        return None if None in counts else sum(c for c in counts if c is not None)
    elif spec.get("class") == "activation":
        return 0
    if sizes is None or not all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in sizes):
        return None
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))


# -- the computation as steps ------------------------------------------------------------------------------
def _layer_steps(layer: Layer) -> list[Step]:
    out: list[Step] = [Dense(layer.W, layer.b)]
    if layer.activation != "linear":
        out.append(Act(layer.activation))
    return out


def steps(model: Any) -> list[Step]:
    """What ``model`` computes, as a flat list of :class:`Dense` and :class:`Act` steps (weights copied, as
    float64 for the value engine and in the layer's dtype for the tensor engine).

    Raises ValueError naming the class for anything :func:`describe` cannot describe.
    """
    if isinstance(model, MLP):
        return [s for layer in model.layers for s in _layer_steps(layer)]
    if isinstance(model, Layer) and type(model) in (Layer, Linear):
        return _layer_steps(model)
    if isinstance(model, Sequential) and type(model) is Sequential:
        return [s for item in model.layers for s in steps(item)]
    name = _activation_name(model)
    if name is not None:
        return [] if name == "linear" else [Act(name)]
    raise ValueError(unsupported(model))


def engine_dtype(model: Any) -> tuple[str, np.dtype]:
    """The engine and dtype of a describable model (its first layer's; the value engine is float64)."""
    if isinstance(model, MLP):
        return model.engine, model.layers[0].dtype
    if isinstance(model, Layer):
        return model.engine, model.dtype
    if isinstance(model, Sequential):
        for item in model.layers:
            if isinstance(item, (MLP, Layer, Sequential)):
                return engine_dtype(item)
    raise ValueError(f"{type(model).__name__} has no layer to tell its engine and dtype")


def _as_mlp(program: Sequence[Step]) -> tuple[list[Dense], list[str]] | None:
    """(dense steps, one activation each) if the steps are Dense [Act] Dense [Act] ... with softmax last."""
    denses: list[Dense] = []
    acts: list[str] = []
    for step in program:
        if isinstance(step, Dense):
            denses.append(step)
            acts.append("linear")
        elif not denses or acts[-1] != "linear" or step.name == "linear":
            return None
        else:
            acts[-1] = step.name
    if not denses or "softmax" in acts[:-1]:
        return None
    return denses, acts


def from_steps(program: Sequence[Step], engine: str = VALUE, dtype: Any = None) -> Module:
    """A network of ours computing ``program``: an ``MLP`` when the steps are Dense, optional activation,
    Dense, ... (softmax only at the end), else a ``Sequential`` of ``Layer`` and activation functions.

    The input width is the first Dense step's; every Dense step's width must match what reaches it.
    """
    dt = np.dtype(np.float64 if dtype is None or engine == VALUE else dtype)
    _check_widths(program)
    mlp = _as_mlp(program)
    if mlp is not None:
        denses, acts = mlp
        model = MLP(
            denses[0].W.shape[0],
            [d.W.shape[1] for d in denses],
            activation=acts,
            engine=engine,
            seed=0,
            dtype=None if engine == VALUE else dt,
        )
        model.set_weights([d.W for d in denses], [d.b for d in denses])
        return model
    items: list[Any] = []
    for step in program:
        if isinstance(step, Dense):
            n_in, n_out = step.W.shape
            layer = Linear(n_in, n_out, engine=engine, rng=0, dtype=None if engine == VALUE else dt)
            layer.set_weights(step.W, step.b)
            items.append(layer)
        else:
            items.append(ACTIVATIONS[step.name])
    return Sequential(*items)


def _check_widths(program: Sequence[Step]) -> None:
    width = None
    for k, step in enumerate(program):
        if isinstance(step, Act):
            if step.name not in ACTIVATIONS:
                raise ValueError(f"step {k}: unknown activation {step.name!r}; valid: {', '.join(ACTIVATIONS)}")
            continue
        if width is not None and step.W.shape[0] != width:
            raise ValueError(f"step {k}: a dense step on {step.W.shape[0]} inputs follows one with {width} outputs")
        width = step.W.shape[1]
    if width is None:
        raise ValueError("the network has no dense (Linear) step, so its input width is unknown")


__all__ = [
    "FORMAT",
    "SUPPORTED",
    "VERSION",
    "Act",
    "Dense",
    "Step",
    "build",
    "describe",
    "engine_dtype",
    "from_steps",
    "load_model",
    "record_array",
    "steps",
]

"""``compile(fn, *example_inputs)``: trace ``fn`` once, then run its forward and reverse pass as generated code.

The function is traced on the example inputs (and once more on perturbed copies of them, to tell what depends
on the inputs from what does not), turned into straight-line code by :func:`autograd_mini.codegen`, and the
returned :class:`CompiledFunction` runs that code on new inputs of the same shapes and dtypes without
recording a graph. Each call returns ``fn``'s outputs (raw data: floats, ndarrays, in ``fn``'s structure) and
adds the gradient of the first output (the loss) to ``.grad`` of every parameter, exactly as
``loss.backward()`` would: same numbers, bit for bit.

Inputs: ndarrays and Tensors become Tensor leaves (integer arrays, e.g. class labels, are passed as they are),
numbers and Values become Value leaves, lists and tuples are followed. Leaves that ``fn`` reaches without
receiving them (a model's parameters) are read live at each call, so an optimizer's updates are seen.

Refused, with an error naming the line: Python control flow on traced data (a comparison, ``bool()``,
``float()`` or ``item()`` of a traced value), and any value that depends on the inputs outside the graph (e.g.
through ``.data``), which a compiled program would silently freeze.
"""

from __future__ import annotations

import inspect
import os
import traceback
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .codegen import FloatingPointFallback, Program, codegen
from .node import Node, TracingError, _state, enable_grad, toposort
from .tensor import Tensor
from .value import Value

_HERE = os.path.dirname(os.path.abspath(__file__))
_NUMBER = (int, float, np.integer, np.floating)


def _refuse_data_use(what: str) -> None:
    """Raise TracingError naming the first line outside the engine (the user's code)."""
    for frame in reversed(traceback.extract_stack()[:-1]):
        if not os.path.abspath(frame.filename).startswith(_HERE + os.sep):
            where = f"{frame.filename}:{frame.lineno}: {(frame.line or '').strip()}"
            break
    else:  # pragma: no cover - always some caller outside the package
        where = "unknown line"
    raise TracingError(
        f"compile: {what} while tracing, at {where}. Python control flow on a traced value would freeze one "
        "branch into the compiled program; express it with the engine's ops (where, maximum, relu, clip...) "
        "or run this function without compile"
    )


# -- inputs ----------------------------------------------------------------------------------------------------
@dataclass
class _Slot:
    """One leaf input: where it sits in the arguments, what kind it is and its shape/dtype."""

    path: tuple[int, ...]
    kind: str  # "tensor" | "value" | "raw"
    shape: tuple[int, ...]
    dtype: Any
    wants_grad: bool
    name: str


def _arg_names(fn: Callable[..., Any], n: int) -> list[str]:
    try:
        params = [
            p.name
            for p in inspect.signature(fn).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
    except (TypeError, ValueError):
        params = []
    return [params[k] if k < len(params) else f"arg{k}" for k in range(n)]


def _slots(x: Any, path: tuple[int, ...], name: str, out: list[_Slot]) -> None:
    if isinstance(x, Tensor):
        out.append(_Slot(path, "tensor", x.shape, x.dtype, x.requires_grad, name))
    elif isinstance(x, np.ndarray) and x.dtype.kind == "f":
        out.append(_Slot(path, "tensor", x.shape, x.dtype, False, name))
    elif isinstance(x, np.ndarray) and x.dtype.kind in "biu":
        out.append(_Slot(path, "raw", x.shape, x.dtype, False, name))
    elif isinstance(x, Value):
        out.append(_Slot(path, "value", (), None, x.requires_grad, name))
    elif isinstance(x, _NUMBER) and not isinstance(x, bool):
        out.append(_Slot(path, "value", (), None, False, name))
    elif isinstance(x, (list, tuple)):
        for k, item in enumerate(x):
            _slots(item, (*path, k), f"{name}_{k}", out)
    else:
        raise TypeError(
            f"compile: cannot trace an input of type {type(x).__name__} (at {name}); pass arrays, "
            "Tensors, numbers, Values, or lists of them"
        )


def _get(x: Any, path: tuple[int, ...]) -> Any:
    for k in path:
        x = x[k]
    return x


def _raw_of(slot: _Slot, x: Any) -> Any:
    """The raw datum for ``slot`` from a new input ``x``, checked against the traced shape and dtype."""
    if slot.kind == "value":
        if isinstance(x, Value):
            return x.data
        if isinstance(x, _NUMBER) and not isinstance(x, bool):
            return float(x)
        raise TypeError(f"compile: input {slot.name} must be a number, got {type(x).__name__}")
    data = x.data if isinstance(x, Tensor) else np.asarray(x)
    if data.shape != slot.shape or data.dtype != slot.dtype:
        raise ValueError(
            f"compile: input {slot.name} has shape {data.shape} and dtype {data.dtype}; the program "
            f"was traced for shape {slot.shape} and dtype {slot.dtype} (compile again for new shapes)"
        )
    return data


def _permuted(u: np.ndarray) -> np.ndarray:
    """``u``'s elements in another order (same shape, dtype and set of values), or ``u`` if all are equal."""
    flat = u.reshape(-1)
    for v in (flat[::-1], np.roll(flat, 1)):
        if not np.array_equal(v, flat):
            return v.reshape(u.shape)
    return u


def _perturb(
    slots: list[_Slot], raws: dict[tuple[int, ...], Any], how: str
) -> tuple[dict[tuple[int, ...], Any], dict[tuple[int, ...], bool]]:
    """Other example inputs of the same shapes and dtypes, and which of them differ from ``raws``.

    ``how="permute"``: each array's elements reordered, and each argument's numbers rotated among its Value
    slots (the values stay in the loss's domain: labels, probabilities, +-1 targets). ``how="affine"``: every
    float x becomes 1.25 x + 0.375 (catches what a permutation leaves unchanged, such as a sum)."""
    out = dict(raws)
    if how == "affine":
        for s in slots:
            if s.kind == "value":
                out[s.path] = raws[s.path] * 1.25 + 0.375
            elif s.kind == "tensor":
                out[s.path] = (raws[s.path] * 1.25 + 0.375).astype(raws[s.path].dtype)
    else:
        groups: dict[int, list[_Slot]] = {}
        for s in slots:
            if s.kind == "value":
                groups.setdefault(s.path[0], []).append(s)
            else:
                out[s.path] = _permuted(raws[s.path])
        for group in groups.values():
            values = [raws[s.path] for s in group]
            for s, v in zip(group, values[-1:] + values[:-1]):
                out[s.path] = v
    moved = {s.path: not _same(out[s.path], raws[s.path]) for s in slots}
    return out, moved


def _build(
    x: Any,
    raws: dict[tuple[int, ...], Any],
    leaves: dict[tuple[int, ...], Any],
    slots: dict[tuple[int, ...], _Slot],
    path: tuple[int, ...],
) -> Any:
    if path in slots:
        slot, u = slots[path], raws[path]
        if slot.kind == "raw":
            return u
        leaf: Node = Value(u) if slot.kind == "value" else Tensor(u, requires_grad=True, label=slot.name)
        leaf.requires_grad = True  # every op on an input is recorded (pruned from the program when not needed)
        leaf.label = slot.name
        leaves[path] = leaf
        return leaf
    items = [_build(item, raws, leaves, slots, (*path, k)) for k, item in enumerate(x)]
    return tuple(items) if isinstance(x, tuple) else items


def _flatten_outputs(out: Any, acc: list[Node]) -> Any:
    """``fn``'s result with every node replaced by its position in ``acc`` (the structure to rebuild)."""
    if isinstance(out, Node):
        acc.append(out)
        return len(acc) - 1
    if isinstance(out, (list, tuple)):
        return type(out)(_flatten_outputs(o, acc) for o in out)
    raise TypeError(
        f"compile: the function must return Values/Tensors (or lists/tuples of them), got {type(out).__name__}"
    )


def _rebuild(structure: Any, values: Sequence[Any]) -> Any:
    if isinstance(structure, int):
        return values[structure]
    return type(structure)(_rebuild(s, values) for s in structure)


@dataclass
class _Trace:
    outputs: list[Node]
    structure: Any
    leaves: dict[tuple[int, ...], Node]
    order: list[Node]


def _trace(
    fn: Callable[..., Any],
    examples: Sequence[Any],
    slots: dict[tuple[int, ...], _Slot],
    raws: dict[tuple[int, ...], Any],
) -> _Trace:
    leaves: dict[tuple[int, ...], Node] = {}
    args = [_build(x, raws, leaves, slots, (k,)) for k, x in enumerate(examples)]
    previous = _state.tracing
    _state.tracing = True
    try:
        with enable_grad():
            out = fn(*args)
    finally:
        _state.tracing = previous
    outputs: list[Node] = []
    structure = _flatten_outputs(out, outputs)
    if not outputs:
        raise TypeError("compile: the function returned no Value or Tensor")
    return _Trace(outputs, structure, leaves, toposort(outputs, include_constants=True))


# -- comparing the two traces ------------------------------------------------------------------------------------
def _same(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (
            isinstance(a, np.ndarray)
            and isinstance(b, np.ndarray)
            and a.dtype == b.dtype
            and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
        )
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b:
        return True
    return type(a) is type(b) and bool(a == b)


class _Binder:
    """Finds, for a constant of the trace, the input it was converted from (if any), using every trace.

    ``raws[k]`` are the raw inputs of trace k (trace 0 the examples). An input *matches* a constant when its
    conversion equals the constant in every trace."""

    def __init__(
        self, slots: list[_Slot], raws: list[dict[tuple[int, ...], Any]], names: dict[tuple[int, ...], str]
    ) -> None:
        self.slots, self.raws, self.names = slots, raws, names
        self.varies = {s.path: any(not _same(r[s.path], raws[0][s.path]) for r in raws[1:]) for s in slots}

    def bind(self, cs: list[Any], what: str) -> str | None:
        """The expression computing the constant with values ``cs`` (one per trace), or None for a true
        constant; TracingError when it follows the inputs in a way the program could not reproduce."""
        varies = any(not _same(c, cs[0]) for c in cs[1:])
        found = [
            (s, e) for s in self.slots if self.varies[s.path] == varies for e in [self._match(s, cs)] if e is not None
        ]
        if varies and not found:
            raise TracingError(
                f"compile: {what} depends on the inputs outside the graph (through .data, numpy or "
                "Python arithmetic on traced data); the compiled program would freeze it"
            )
        if len({e for _, e in found}) > 1:
            which = ", ".join(self.names[s.path] for s, _ in found)
            raise TracingError(
                f"compile: {what} equals several inputs ({which}); cannot tell which it comes from: "
                "give example inputs with distinct values"
            )
        if found and not varies and found[0][0].kind != "raw":
            raise TracingError(
                f"compile: {what} equals the input {self.names[found[0][0].path]}, which could not be "
                "varied to tell whether it comes from it: give example inputs with distinct values"
            )
        return found[0][1] if found else None

    def _match(self, slot: _Slot, cs: list[Any]) -> str | None:
        us = [r[slot.path] for r in self.raws]
        name = self.names[slot.path]
        c1 = cs[0]
        if slot.kind == "value" or not isinstance(c1, np.ndarray):
            ok = slot.kind == "value" and type(c1) is float and all(c == u for c, u in zip(cs, us))
            return name if ok else None
        if us[0].size != c1.size:
            return None
        for c, u in zip(cs, us):
            if not np.array_equal(np.asarray(u, dtype=c1.dtype).reshape(c1.shape), c):
                return None
        return f"_convert({name}, np.{c1.dtype.name}, {c1.shape!r})"


def _convert(u: Any, dtype: Any, shape: tuple[int, ...]) -> np.ndarray:
    return np.asarray(u, dtype=dtype).reshape(shape)


def _structure_error(detail: str) -> TracingError:
    return TracingError(
        f"compile: the function's graph depends on its input values ({detail}); it cannot be "
        "compiled faithfully (does it branch on .data or on a value computed outside the engine?)"
    )


def _check_structure(t1: _Trace, t2: _Trace, persistent: set[int]) -> None:
    """The two traces record the same ops on the same positions; inputs and parameters keep their roles."""
    if len(t1.order) != len(t2.order) or len(t1.outputs) != len(t2.outputs):
        raise _structure_error(f"{len(t1.order)} nodes, then {len(t2.order)}")
    pos1 = {n: k for k, n in enumerate(t1.order)}
    pos2 = {n: k for k, n in enumerate(t2.order)}
    roles1 = {id(v): p for p, v in t1.leaves.items()}
    roles2 = {id(v): p for p, v in t2.leaves.items()}
    for n1, n2 in zip(t1.order, t2.order):
        if n1.op is not n2.op or [pos1[p] for p in n1._parents] != [pos2[p] for p in n2._parents]:
            raise _structure_error(f"node {pos1[n1]} is {n1.op_name or 'a leaf'}, then {n2.op_name or 'a leaf'}")
        if n1.op is None and (roles1.get(id(n1)) != roles2.get(id(n2)) or (id(n1) in persistent) != (n1 is n2)):
            raise _structure_error(f"leaf {pos1[n1]} changed role")
        p1, p2 = n1._params or {}, n2._params or {}
        for key, v1 in p1.items():
            if not isinstance(v1, np.ndarray) and not _same(v1, p2[key]):
                raise _structure_error(f"parameter {key} of op {n1.op_name} is {v1!r}, then {p2[key]!r}")


def _bindings(traces: list[_Trace], binder: _Binder, persistent: set[int]) -> dict[int, str]:
    """{id(constant leaf or array parameter of trace 0): the expression computing it from the inputs}."""
    t1 = traces[0]
    for t in traces[1:]:
        _check_structure(t1, t, persistent)
    inputs = {id(v) for v in t1.leaves.values()}
    bindings: dict[int, str] = {}
    for k, n1 in enumerate(t1.order):
        ns = [t.order[k] for t in traces]
        if n1.op is None:
            if id(n1) not in inputs and id(n1) not in persistent:
                expr = binder.bind([n.data for n in ns], f"the constant {n1.label or k}")
                if expr is not None:
                    bindings[id(n1)] = expr
            continue
        for key, v1 in (n1._params or {}).items():
            if isinstance(v1, np.ndarray):
                expr = binder.bind([(n._params or {})[key] for n in ns], f"the parameter {key} of op {n1.op_name}")
                if expr is not None:
                    bindings[id(v1)] = expr
    return bindings


# -- the compiled function ------------------------------------------------------------------------------------------
class CompiledFunction:
    """What :func:`compile` returns; call it like ``fn`` (see the module docstring).

    ``program`` is the generated :class:`~autograd_mini.codegen.Program` (``source`` its text); ``parameters``
    the leaves whose ``.grad`` each call accumulates; ``input_grads`` the gradients of the inputs given as
    Tensors/Values with ``requires_grad=True`` after the last call; ``fallbacks`` counts the calls a scalar
    program handed to the interpreter (where Python would raise but the engine follows numpy: ``1/0``).
    """

    def __init__(
        self,
        fn: Callable[..., Any],
        examples: Sequence[Any],
        slots: list[_Slot],
        trace: _Trace,
        program: Program,
        parameters: list[Node],
        raw_slots: list[_Slot],
    ) -> None:
        self.fn = fn
        self._n_args = len(examples)
        self._slots = slots
        self._node_slots = [s for s in slots if s.kind != "raw"]
        self._raw_slots = raw_slots
        self._structure = trace.structure
        self.program = program
        self.parameters = parameters
        self._wants = [s for s in self._node_slots if s.wants_grad]
        self.input_grads: list[Any] = []
        self.fallbacks = 0
        self._store = type(trace.outputs[0])._store_grads

    @property
    def source(self) -> str:
        return self.program.source

    def __repr__(self) -> str:
        return (
            f"<compiled {getattr(self.fn, '__name__', 'function')}: {len(self.program.source.splitlines())} "
            f"lines, {len(self.parameters)} parameters>"
        )

    def __call__(self, *inputs: Any) -> Any:
        if len(inputs) != self._n_args:
            raise TypeError(f"compiled function takes {self._n_args} inputs, got {len(inputs)}")
        datas = [_raw_of(s, _get(inputs, s.path)) for s in self._node_slots]
        datas += [p.data for p in self.parameters]
        datas += [_raw_of(s, _get(inputs, s.path)) for s in self._raw_slots]
        try:
            outs, grads = self.program.fn(*datas)
        except (FloatingPointFallback, ArithmeticError, ValueError, TypeError):
            if self.program.outputs[0]._broadcasts:
                raise
            return self._interpret(inputs)
        n_in = len(self._wants)
        self.input_grads = list(grads[:n_in])
        self._store(self.parameters, {p: g for p, g in zip(self.parameters, grads[n_in:]) if g is not None})
        return _rebuild(self._structure, outs)

    def _interpret(self, inputs: Sequence[Any]) -> Any:
        """Run ``fn`` with the interpreter (recorded graph, backward) for this call: same semantics."""
        self.fallbacks += 1
        leaves: dict[tuple[int, ...], Node] = {}
        raws = {s.path: _raw_of(s, _get(inputs, s.path)) for s in self._slots}
        slots = {s.path: s for s in self._slots}
        args = [_build(x, raws, leaves, slots, (k,)) for k, x in enumerate(inputs)]
        for s in self._node_slots:
            leaves[s.path].requires_grad = s.wants_grad
        with enable_grad():
            out = fn_out = self.fn(*args)
        outputs: list[Node] = []
        _flatten_outputs(fn_out, outputs)
        outputs[0].backward()
        self.input_grads = [leaves[s.path].grad for s in self._wants]
        del out
        return _rebuild(self._structure, [o.data for o in outputs])


def compile(fn: Callable[..., Any], *example_inputs: Any) -> CompiledFunction:  # noqa: A001 - the issue's name
    """Trace ``fn(*example_inputs)`` and return a :class:`CompiledFunction` running it as generated code.

    ``fn`` returns the loss (a single-element Value/Tensor), or a tuple/list whose first item is the loss and
    whose other items are further outputs. See the module docstring for what is refused.
    """
    if not callable(fn):
        raise TypeError(f"compile: fn must be callable, got {type(fn).__name__}")
    names = _arg_names(fn, len(example_inputs))
    slots: list[_Slot] = []
    for k, x in enumerate(example_inputs):
        _slots(x, (k,), names[k], slots)
    by_path = {s.path: s for s in slots}
    raws1 = {s.path: _raw_of(s, _get(example_inputs, s.path)) for s in slots}
    t1 = _trace(fn, example_inputs, by_path, raws1)
    others: list[tuple[_Trace, dict[tuple[int, ...], Any]]] = []
    for how in ("permute", "affine"):
        raws, moved = _perturb(slots, raws1, how)
        if not any(moved.values()):
            continue
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            try:
                others.append((_trace(fn, example_inputs, by_path, raws), raws))
            except TracingError:
                raise
            except Exception as exc:
                if how == "permute":  # the same values in another order: a failure means data-dependent code
                    raise TracingError(
                        f"compile: the function failed on the example inputs reordered "
                        f"({type(exc).__name__}: {exc}); its graph depends on the input values"
                    ) from exc
                # scaled inputs may leave the loss's domain (labels, probabilities): that trace is skipped
    return _finish(fn, example_inputs, slots, t1, others)


def _argument_names(slots: list[_Slot], t1: _Trace) -> tuple[dict[tuple[int, ...], str], dict[Node, str]]:
    names: dict[tuple[int, ...], str] = {}
    node_names: dict[Node, str] = {}
    used: set[str] = set()
    for s in slots:
        base = "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in s.name) or "arg"
        while base in used:
            base += "_"
        used.add(base)
        names[s.path] = base
        if s.path in t1.leaves:
            node_names[t1.leaves[s.path]] = base
    return names, node_names


def _finish(
    fn: Callable[..., Any],
    examples: Sequence[Any],
    slots: list[_Slot],
    t1: _Trace,
    others: list[tuple[_Trace, dict[tuple[int, ...], Any]]],
) -> CompiledFunction:
    root = t1.outputs[0]
    if not root.requires_grad:
        raise ValueError("compile: the loss (the first output) does not depend on anything that requires grad")
    inputs1 = {id(v) for v in t1.leaves.values()}
    if not others:  # nothing could be varied: the leaves that require grad are the parameters
        persistent = [n for n in t1.order if n.op is None and id(n) not in inputs1 and n.requires_grad]
    else:
        t2_ids = {id(n) for n in others[0][0].order}
        persistent = [n for n in t1.order if n.op is None and id(n) not in inputs1 and id(n) in t2_ids]
    node_slots = [s for s in slots if s.kind != "raw"]
    raw_slots = [s for s in slots if s.kind == "raw"]
    names, node_names = _argument_names(slots, t1)
    raws1 = {s.path: _raw_of(s, _get(examples, s.path)) for s in slots}
    binder = _Binder(slots, [raws1, *(r for _, r in others)], names)
    bindings = _bindings([t1, *(t for t, _ in others)], binder, {id(n) for n in persistent})
    arguments = [t1.leaves[s.path] for s in node_slots] + persistent
    params = [n for n in persistent if n.requires_grad]
    wrt = [t1.leaves[s.path] for s in node_slots if s.wants_grad] + params
    program = codegen(
        t1.outputs,
        arguments,
        wrt,
        names=node_names,
        bindings=bindings,
        extra_args=[names[s.path] for s in raw_slots],
        helpers={"_convert": _convert},
    )
    return CompiledFunction(fn, examples, slots, t1, program, params, raw_slots)


__all__ = ["CompiledFunction", "TracingError", "compile"]

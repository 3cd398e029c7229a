"""The graph machinery shared by ``Value`` and ``Tensor``: recording, grad mode, anomaly mode, reverse pass.

A node records the op that made it, its inputs (``_parents``: a tuple slot in ``Tensor``; two slots in
``Value``, where a number operand stays a float) and the op's constant parameters (``_params``). Nothing else
is kept per node: no closures, so a graph is plain data that Python frees by reference counting (micrograd
keeps a closure per node, whose reference cycles leave the freeing to the cyclic garbage collector).

The generic reverse pass (``backprop``: ``grad()``, ``create_graph``) walks a topological order built
*without recursion* and holds the gradients of the pass in a dict keyed by node identity (HIPS autograd
style); ``Value.backward`` and ``Tensor.backward`` run the same pass in their own, unrolled form (same order,
same rules, same results). Each op's local derivative comes from the one rule table in :mod:`autograd_mini.ops`.

Semantics of ``backward()`` called twice on the same graph (decided, documented, tested): leaves *accumulate*
into ``.grad`` (like PyTorch), while intermediate nodes get this pass's gradient (their ``.grad`` is
overwritten), so a second call adds exactly the same gradient again to every leaf. micrograd instead
accumulates into intermediates too, and so double-counts: for c = a*a + a at a = 2 it gives 14 after two
calls instead of 10.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from . import ops as _ops
from .ops import Op


class _GradState(threading.local):
    def __init__(self) -> None:
        self.enabled = True
        self.anomaly = False
        self.tracing = False  # True while autograd_mini.compile traces a function


_state = _GradState()
_NO_PARAMS: dict[str, Any] = {}
# The version clock (PyTorch's version counter, one clock for all nodes): assigning ``.data`` advances it and
# stamps the node; every node is stamped with the clock's reading when it is made. A node whose input's stamp
# is newer than its own was computed from data that has since been replaced: backward() refuses it.
version_clock = [0]


class TracingError(RuntimeError):
    """Raised by ``autograd_mini.compile`` when the traced function branches on a traced value."""


def _check_not_tracing(what: str) -> None:
    """Hook of comparisons, ``bool()`` and ``float()``: while tracing, using a traced value's data in Python
    control flow would freeze one branch into the compiled program, so refuse, naming the user's line."""
    if _state.tracing:
        from .compile import _refuse_data_use  # the tracer itself lives in compile.py

        _refuse_data_use(what)


def is_grad_enabled() -> bool:
    """Whether new operations are recorded in the graph (False inside ``no_grad()``)."""
    return _state.enabled


# How many blocks that change a thread's mode (no_grad, enable_grad, detect_anomaly) are open, in all threads.
# While it is 0 every thread records with grad mode on and anomaly mode off, so the scalar engine's hot path
# reads this one shared number instead of two thread-local flags (a thread-local read costs ~35 ns, a third
# of an op); a thread's own flags are read only while some block is open.
modes_open = [0]
_modes_lock = threading.Lock()


@contextlib.contextmanager
def _mode_block() -> Iterator[None]:
    with _modes_lock:
        modes_open[0] += 1
    try:
        yield
    finally:
        with _modes_lock:
            modes_open[0] -= 1


@contextlib.contextmanager
def _set_grad_enabled(mode: bool) -> Iterator[None]:
    previous = _state.enabled
    with _mode_block():
        _state.enabled = mode
        try:
            yield
        finally:
            _state.enabled = previous


def no_grad() -> contextlib.AbstractContextManager[None]:
    """Context manager: operations inside it are computed but not recorded (results have no graph).

    Use it for parameter updates and evaluation, exactly like ``torch.no_grad()``.
    """
    return _set_grad_enabled(False)


def enable_grad() -> contextlib.AbstractContextManager[None]:
    """Context manager that turns recording back on (inside a ``no_grad()`` block)."""
    return _set_grad_enabled(True)


@contextlib.contextmanager
def detect_anomaly() -> Iterator[None]:
    """Anomaly mode: raise ``FloatingPointError`` at the first op whose output, or whose gradient in the
    reverse pass, contains NaN or Inf, naming the op. Slower; meant for debugging."""
    previous = _state.anomaly
    with _mode_block():
        _state.anomaly = True
        try:
            yield
        finally:
            _state.anomaly = previous


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector during a reverse pass.

    The pass allocates many short-lived containers (traversal stack entries, gradients) but creates no
    reference cycles (graphs are DAGs without closures; refcounting frees everything), while each allocation
    burst would trigger collections that traverse the whole live graph: on a 1,000,000-node chain they
    cost about as much as the pass itself.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _check_finite(x: Any, what: str) -> None:
    if not np.all(np.isfinite(x._data if isinstance(x, Node) else x)):
        raise FloatingPointError(f"anomaly mode: {what} contains NaN or Inf")


class Node:
    """Base of ``Value`` and ``Tensor``: a datum plus how it was computed."""

    # (the inputs, ``_parents``, are stored by each engine: a tuple slot in Tensor, two slots in Value)
    __slots__ = ("_data", "grad", "requires_grad", "label", "op", "_params", "_version", "__weakref__")

    _data: Any
    grad: Any
    requires_grad: bool
    label: str
    op: Op | None  # the rule-table entry that produced this node (None for a leaf)
    _parents: tuple[Node, ...]
    _params: dict[str, Any] | None
    _version: int  # the version clock's reading when this node's data was made or last assigned

    def _get_data(self) -> Any:
        return self._data

    def _set_data(self, value: Any) -> None:
        self._data = value
        version_clock[0] += 1
        self._version = version_clock[0]

    data = property(
        _get_data,
        _set_data,
        doc="The node's value (a float for Value, an ndarray for Tensor). "
        "Assigning it advances the node's version: a graph recorded before cannot be backpropagated.",
    )

    _broadcasts = False  # True for engines whose gradients may need summing back to the input's shape
    _grad_init: Any = None  # what .grad holds before any backward pass

    # -- hooks each engine defines ---------------------------------------------------------------
    @classmethod
    def _coerce(cls, x: Any, like: Node | None = None) -> Node:
        """Turn a constant (number, array) into a node of this class; raise TypeError if impossible."""
        raise NotImplementedError

    @classmethod
    def _forward(cls, op: Op, datas: list[Any], params: dict[str, Any]) -> Any:
        """Run ``op.forward`` on raw data and normalize the result to this engine's data type."""
        raise NotImplementedError

    @classmethod
    def _local_grad(cls, fn: Callable[..., Any], g: Any, out: Any, args: Sequence[Any], params: dict) -> Any:
        """Evaluate one VJP rule on raw data (engine-specific numeric policy)."""
        return fn(g, out, *args, **params)

    @classmethod
    def _reduce_to(cls, g: Any, target: Node) -> Any:
        """Sum a (possibly broadcast) gradient back to ``target``'s shape: done here, once, for every op."""
        return g

    @classmethod
    def _finish_grad(cls, g: Any) -> Any:
        """Normalize a raw gradient for the user (a float for Value, an owned ndarray for Tensor)."""
        return g

    @classmethod
    def _seed(cls, root: Node, gradient: Any) -> Any:
        raise NotImplementedError

    @classmethod
    def _store_grads(cls, order: list[Node], grads: dict[Node, Any]) -> None:
        """Write a pass's gradients to ``.grad``: leaves accumulate, intermediate nodes are overwritten."""
        raise NotImplementedError

    # -- recording ---------------------------------------------------------------------------------
    @classmethod
    def _new(
        cls,
        data: Any,
        op: Op | None = None,
        parents: tuple[Node, ...] = (),
        params: dict[str, Any] | None = None,
        needs_grad: bool | None = None,
    ) -> Any:
        """A new node holding ``data``; it records ``op`` and ``parents`` only when grad mode is on and an input
        requires grad (``needs_grad``, computed from ``parents`` when not given)."""
        node: Any = cls.__new__(cls)  # Any: each engine stores _parents its own way
        node._data = data
        node._version = version_clock[0]
        node.grad = cls._grad_init
        node.label = ""
        if needs_grad is None:
            needs_grad = any(p.requires_grad for p in parents)
        if op is not None and needs_grad and _state.enabled:
            node.requires_grad = True
            node.op = op
            node._parents = parents
            node._params = params or None
        else:
            node.requires_grad = False
            node.op = None
            node._parents = ()
            node._params = None
        if op is not None and _state.anomaly:
            _check_finite(data, f"forward of op '{op.name}'")
        return node

    @classmethod
    def _apply(cls, op: Op, *args: Any, **params: Any) -> Any:
        """Compute ``op`` on nodes/constants and record it: the single entry point of every operation."""
        like = next((a for a in args if isinstance(a, cls)), None)
        parents = tuple(a if isinstance(a, cls) else cls._coerce(a, like) for a in args)
        return cls._new(cls._forward(op, [p._data for p in parents], params), op, parents, params)

    # -- inspection --------------------------------------------------------------------------------
    @property
    def is_leaf(self) -> bool:
        """True for nodes not produced by a recorded op (user-made inputs and parameters)."""
        return self.op is None

    @property
    def op_name(self) -> str:
        """Name of the op that produced this node ('' for a leaf)."""
        return "" if self.op is None else self.op.name

    @property
    def _op(self) -> str:
        """micrograd's ``_op``: the op as a short string ('+', '*', '**', 'tanh', ...; '' for a leaf), so micrograd's
        own drawing code (``'' + n._op``) works on this engine's graphs. The rule itself is :attr:`op`."""
        return "" if self.op is None else self.op.symbol

    def detach(self) -> Any:
        """A new leaf holding the same data, cut from the graph (no gradient flows through it)."""
        out = type(self)._new(self._data)
        out.label = self.label
        return out

    def backward(self, gradient: Any = None, create_graph: bool = False) -> None:
        """Reverse-mode pass from this node; gradients land in ``.grad`` of every node that needs one.

        Leaves accumulate (``leaf.grad += dL/dleaf``); intermediate nodes are overwritten with this pass's
        value. With ``create_graph=True`` the gradients are themselves graph nodes, so they can be
        differentiated again (higher-order derivatives).
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward(): this node does not require grad (it was made from constants, "
                "inside no_grad(), or by detach())"
            )
        seed = type(self)._seed(self, gradient)
        if isinstance(seed, Node) and not create_graph:
            seed = type(self)._seed(self, seed._data)  # a node as gradient only matters for create_graph
        order, grads = backprop([self], [seed], create_graph)
        type(self)._store_grads(order, grads)

    def zero_grad(self) -> None:
        raise NotImplementedError

    # -- operators shared by both engines (the rules live in ops.py) -------------------------------
    def __add__(self, other: Any) -> Any:
        return self._apply(_ops.ADD, self, other)

    def __radd__(self, other: Any) -> Any:
        return self._apply(_ops.ADD, other, self)

    def __sub__(self, other: Any) -> Any:
        return self._apply(_ops.SUB, self, other)

    def __rsub__(self, other: Any) -> Any:
        return self._apply(_ops.SUB, other, self)

    def __mul__(self, other: Any) -> Any:
        return self._apply(_ops.MUL, self, other)

    def __rmul__(self, other: Any) -> Any:
        return self._apply(_ops.MUL, other, self)

    def __truediv__(self, other: Any) -> Any:
        return self._apply(_ops.DIV, self, other)

    def __rtruediv__(self, other: Any) -> Any:
        return self._apply(_ops.DIV, other, self)

    def __pow__(self, other: Any) -> Any:
        return self._apply(_ops.POW, self, other)

    def __rpow__(self, other: Any) -> Any:
        return self._apply(_ops.POW, other, self)

    def __neg__(self) -> Any:
        return self._apply(_ops.NEG, self)

    def __pos__(self) -> Any:
        return self

    def exp(self) -> Any:
        """e^x."""
        return self._apply(_ops.EXP, self)

    def log(self) -> Any:
        """Natural log; numpy's policy outside the domain: log(0) = -inf, log(x<0) = nan, with a warning."""
        return self._apply(_ops.LOG, self)

    def tanh(self) -> Any:
        """tanh(x) = 2 sigma(2x) - 1 (doc 000, eq. 38; doc 001; doc 002)."""
        return self._apply(_ops.TANH, self)

    def sigmoid(self) -> Any:
        """Logistic sigmoid 1 / (1 + e^-x), computed stably for large |x| (doc 000, eq. 37)."""
        return self._apply(_ops.SIGMOID, self)

    def relu(self) -> Any:
        """max(0, x) (doc 000, eq. 35); derivative 1 if x > 0 else 0 (0 at the kink, as in PyTorch)."""
        return self._apply(_ops.RELU, self)

    def leaky_relu(self, alpha: float = 0.01) -> Any:
        """x if x > 0 else alpha x (doc 002: alpha = 0.01); derivative 1 if x > 0 else alpha (alpha at 0, as in
        PyTorch; doc 002 takes 1 at 0)."""
        return self._apply(_ops.LEAKY_RELU, self, alpha=alpha)

    def hardlimit(self) -> Any:
        """HardLimit: 1 if x >= 0 else 0 (doc 000, eq. 34). Its derivative is 0 almost everywhere (undefined
        at 0), so backprop passes no gradient through it: train such units with the perceptron rule."""
        return self._apply(_ops.HARDLIMIT, self)

    def sign(self) -> Any:
        """Sign unit of the perceptron: +1 if x >= 0 else -1 (doc 001). Derivative 0 almost everywhere."""
        return self._apply(_ops.SIGN, self)

    def abs(self) -> Any:
        """|x|; derivative sign(x) (0 at 0)."""
        return self._apply(_ops.ABS, self)

    def __abs__(self) -> Any:
        return self.abs()

    def sqrt(self) -> Any:
        """Square root; sqrt of a negative number is nan with a warning (numpy's policy)."""
        return self._apply(_ops.SQRT, self)

    def clip(self, lo: float, hi: float) -> Any:
        """Clamp to [lo, hi]; gradient 1 inside, 0 outside."""
        return self._apply(_ops.CLIP, self, lo=lo, hi=hi)


class Uncoercible(TypeError):
    """Raised by ``_coerce`` for operands that are not numbers (a TypeError naming the type)."""


def toposort(roots: Iterable[Node], include_constants: bool = False) -> list[Node]:
    """Nodes reachable from ``roots``, inputs before outputs (only those that require grad, unless
    ``include_constants``). Iterative DFS, O(nodes + edges), so a chain of millions of nodes needs no Python
    recursion, and no allocation per step: the stack holds nodes to expand, and ``node, None`` for a node
    whose inputs come first. (The last input of a node is expanded first, so a shared input such as a
    constant factor in a long chain is expanded once, early, instead of waiting on the stack at every level.)"""
    order: list[Node] = []
    seen: set[Node] = set()
    stack: list[Any] = list(roots)
    push, pop, emit, see = stack.append, stack.pop, order.append, seen.add
    while stack:
        node = pop()
        if node is None:  # below it: a node whose inputs are all emitted by now
            emit(pop())
            continue
        if node in seen:
            continue
        see(node)
        parents = node._parents
        if not parents:
            emit(node)
            continue
        push(node)
        push(None)
        for p in parents:
            if (include_constants or p.requires_grad) and p not in seen:
                push(p)
    return order


def backprop(
    roots: Sequence[Node], seeds: Sequence[Any], create_graph: bool = False
) -> tuple[list[Node], dict[Node, Any]]:
    """The reverse pass. Returns the topological order and {node: dL/dnode} for every reached node.

    For each node (outputs first) and each input that requires grad, the op's rule from the table gives
    the vector-Jacobian product; the engine sums it back to the input's shape and accumulates it.
    With ``create_graph`` the rules run on graph nodes (recorded), otherwise on raw data.
    """
    with _cyclic_gc_paused():
        return _backprop(roots, seeds, create_graph)


def _backprop(roots: Sequence[Node], seeds: Sequence[Any], create_graph: bool) -> tuple[list[Node], dict[Node, Any]]:
    order = toposort(roots)
    grads: dict[Node, Any] = {}
    for r, s in zip(roots, seeds):
        grads[r] = s if r not in grads else grads[r] + s
    anomaly = _state.anomaly
    with _set_grad_enabled(create_graph):
        for node in reversed(order):
            g = grads.get(node)
            if node.op is not None and g is not None:
                _backprop_node(node, g, grads, create_graph, anomaly)
    return order, grads


def _backprop_node(node: Node, g: Any, grads: dict[Node, Any], create_graph: bool, anomaly: bool) -> None:
    """One node of the generic pass: its gradient ``g`` to each input that requires grad, added into ``grads``."""
    op = node.op
    assert op is not None
    parents = node._parents
    params = node._params
    args: Sequence[Any]
    if create_graph:
        out, args = node, parents
    else:
        out, args = node._data, [q._data for q in parents]
    version = node._version
    for i, p in enumerate(parents):
        if p._version > version:
            _raise_modified(node, p, i)
        if not p.requires_grad:
            continue
        try:
            gi = _call_rule(op, i, g, out, args, params)
            if type(gi) is complex:
                raise ValueError("complex gradient")
        except (ArithmeticError, ValueError):
            if create_graph:
                raise
            gi = type(node)._local_grad(op.rule(i), g, out, args, params or _NO_PARAMS)  # numeric policy
        if node._broadcasts:
            gi = _fit_to(node, gi, p)
        if anomaly:
            _check_finite(gi, f"backward of op '{op.name}' (gradient of input {i})")
        prev = grads.get(p)
        grads[p] = gi if prev is None else prev + gi


def _fit_to(node: Node, gi: Any, p: Node) -> Any:
    """``gi`` summed back to ``p``'s shape and dtype if it is not already an array of that shape and dtype."""
    pd = p._data
    if type(gi) is not np.ndarray or gi.shape != pd.shape or gi.dtype != pd.dtype:
        return type(node)._reduce_to(gi, p)
    return gi


def _call_rule(op: Op, i: int, g: Any, out: Any, args: Sequence[Any], params: dict[str, Any] | None) -> Any:
    """The VJP of input ``i`` (a variadic op's one rule takes the position first)."""
    if op.variadic:
        return op.vjps[0](i, g, out, args, **params) if params else op.vjps[0](i, g, out, args)
    return op.vjps[i](g, out, *args, **params) if params else op.vjps[i](g, out, *args)


def _raise_modified(node: Node, parent: Node, i: int) -> None:
    name = f"'{parent.label}'" if parent.label else repr(parent)
    kind = "leaf" if parent.op is None else f"result of op '{parent.op.name}'"
    raise RuntimeError(
        f"backward(): the data of {name} ({kind}, input {i} of op '{node.op_name}') was assigned after the op "
        "used it, so the recorded graph no longer matches its inputs and its gradient would be wrong; run the "
        "forward pass again after changing .data (PyTorch raises here too: 'modified by an inplace operation')"
    )


def _nodes_arg(x: Any, what: str) -> list[Node]:
    """``x`` (a node or a sequence of nodes) as a list; anything else is a TypeError naming the argument."""
    if isinstance(x, Node):
        return [x]
    if isinstance(x, (str, bytes)) or not isinstance(x, Iterable):
        raise TypeError(f"grad(): {what} must be a Value/Tensor or a sequence of them, got {type(x).__name__}: {x!r}")
    xs = list(x)
    for k, n in enumerate(xs):
        if not isinstance(n, Node):
            raise TypeError(f"grad(): {what}[{k}] must be a Value or Tensor, got {type(n).__name__}: {n!r}")
    return xs


def grad(
    outputs: Node | Sequence[Node], inputs: Node | Sequence[Node], grad_outputs: Any = None, create_graph: bool = False
) -> list[Any]:
    """Functional gradient: d(sum of outputs weighted by grad_outputs)/d(inputs), without touching ``.grad``.

    Returns one gradient per input (an input the outputs do not depend on gets zeros). With
    ``create_graph=True`` the returned gradients are graph nodes, so ``grad`` can be applied again
    (second derivatives, Hessian-vector products).
    """
    outs = _nodes_arg(outputs, "outputs")
    ins = _nodes_arg(inputs, "inputs")
    if grad_outputs is None:
        gouts: list[Any] = [None] * len(outs)
    elif isinstance(outputs, Node):
        gouts = [grad_outputs]
    else:
        gouts = list(grad_outputs)
    if len(gouts) != len(outs):
        raise ValueError(f"grad(): {len(outs)} outputs but {len(gouts)} grad_outputs")
    for k, x in enumerate(ins):
        if not isinstance(x, Node) or not x.requires_grad:
            raise ValueError(f"grad(): input {k} does not require grad, so it has no gradient")
    live = [(o, g) for o, g in zip(outs, gouts) if o.requires_grad]
    seeds = [type(o)._seed(o, g) for o, g in live]
    if create_graph:
        seeds = [s if isinstance(s, Node) else type(o)._coerce(s, o) for (o, _), s in zip(live, seeds)]
    else:
        seeds = [type(o)._seed(o, s._data) if isinstance(s, Node) else s for (o, _), s in zip(live, seeds)]
    _, grads = backprop([o for o, _ in live], seeds, create_graph)
    return _handed_out(ins, grads, create_graph)


def _handed_out(ins: list[Node], grads: dict[Node, Any], create_graph: bool) -> list[Any]:
    """``grad()``'s results: zeros for inputs the pass did not reach, and one buffer per input."""
    result = []
    handed_out: list[np.ndarray] = []
    for x in ins:
        g = grads.get(x)
        if g is None:
            g = np.zeros_like(x._data) if isinstance(x._data, np.ndarray) else 0.0
            if create_graph:
                g = type(x)._coerce(g, x)
        elif not create_graph:
            g = type(x)._finish_grad(g)
            if isinstance(g, np.ndarray):  # two inputs may get one buffer (x + y): give each its own
                if any(np.may_share_memory(g, h) for h in handed_out):
                    g = g.copy()
                handed_out.append(g)
        result.append(g)
    return result

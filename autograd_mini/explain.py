"""The reverse pass written out: which node, which local rule (in symbols), which numbers, which gradient.

``explain(root)`` runs the same reverse pass as ``root.backward()`` (the engine's :func:`backprop`, nothing
re-derived; ``.grad`` is left untouched) and returns an :class:`Explanation`: one :class:`Step` per node that
passes a gradient on, outputs first, each listing for every input the symbolic rule from :data:`RULES`, the
gradient it contributes and the total accumulated so far. ``str()`` is terminal text; in Jupyter the
explanation displays as Markdown with LaTeX (``_repr_markdown_``).

:data:`RULES` holds the symbolic form of every op in the rule table (:mod:`autograd_mini.ops`), keyed by the
op's name: the derivatives themselves live in the table; these are only their written form.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .node import Node, backprop, toposort
from .ops import Op

# One written rule: (terminal text, LaTeX).
Formula = tuple[str, str]

#: op name -> one formula per input (variadic ops: see :func:`rule_formula`).
RULES: dict[str, tuple[Formula, ...]] = {
    "add": (
        ("∂(x + y)/∂x = 1", r"\frac{\partial (x+y)}{\partial x} = 1"),
        ("∂(x + y)/∂y = 1", r"\frac{\partial (x+y)}{\partial y} = 1"),
    ),
    "sub": (
        ("∂(x − y)/∂x = 1", r"\frac{\partial (x-y)}{\partial x} = 1"),
        ("∂(x − y)/∂y = −1", r"\frac{\partial (x-y)}{\partial y} = -1"),
    ),
    "mul": (
        ("∂(x·y)/∂x = y", r"\frac{\partial (x y)}{\partial x} = y"),
        ("∂(x·y)/∂y = x", r"\frac{\partial (x y)}{\partial y} = x"),
    ),
    "div": (
        ("∂(x/y)/∂x = 1/y", r"\frac{\partial (x/y)}{\partial x} = \frac{1}{y}"),
        ("∂(x/y)/∂y = −x/y²", r"\frac{\partial (x/y)}{\partial y} = -\frac{x}{y^2}"),
    ),
    "neg": (("∂(−x)/∂x = −1", r"\frac{\partial (-x)}{\partial x} = -1"),),
    "pow": (
        ("∂(xʸ)/∂x = y·xʸ⁻¹", r"\frac{\partial x^y}{\partial x} = y\,x^{y-1}"),
        ("∂(xʸ)/∂y = xʸ·ln x", r"\frac{\partial x^y}{\partial y} = x^y \ln x"),
    ),
    "matmul": (
        ("∂L/∂X = G·Yᵀ  (for X·Y)", r"\frac{\partial L}{\partial X} = G\,Y^\top"),
        ("∂L/∂Y = Xᵀ·G  (for X·Y)", r"\frac{\partial L}{\partial Y} = X^\top G"),
    ),
    "exp": (("∂eˣ/∂x = eˣ", r"\frac{\partial e^x}{\partial x} = e^x"),),
    "log": (("∂ln x/∂x = 1/x", r"\frac{\partial \ln x}{\partial x} = \frac{1}{x}"),),
    "tanh": (("∂tanh(x)/∂x = 1 − tanh²(x)", r"\frac{\partial \tanh x}{\partial x} = 1 - \tanh^2 x"),),
    "sigmoid": (("∂σ(x)/∂x = σ(x)(1 − σ(x))", r"\frac{\partial \sigma(x)}{\partial x} = \sigma(x)(1-\sigma(x))"),),
    "relu": (("∂relu(x)/∂x = 1 if x > 0 else 0", r"\frac{\partial\,\mathrm{relu}(x)}{\partial x} = [x > 0]"),),
    "leaky_relu": (
        (
            "∂lrelu(x)/∂x = 1 if x > 0 else α",
            r"\frac{\partial\,\mathrm{lrelu}(x)}{\partial x} = 1 \text{ if } x > 0 \text{ else } \alpha",
        ),
    ),
    "hardlimit": (("∂hardlim(x)/∂x = 0 (almost everywhere)", r"\frac{\partial\,\mathrm{hardlim}(x)}{\partial x} = 0"),),
    "sign": (("∂sign(x)/∂x = 0 (almost everywhere)", r"\frac{\partial\,\mathrm{sign}(x)}{\partial x} = 0"),),
    "abs": (("∂|x|/∂x = sign(x)", r"\frac{\partial |x|}{\partial x} = \mathrm{sign}(x)"),),
    "sqrt": (("∂√x/∂x = 1/(2√x)", r"\frac{\partial \sqrt{x}}{\partial x} = \frac{1}{2\sqrt{x}}"),),
    "clip": (
        ("∂clip(x)/∂x = 1 if lo ≤ x ≤ hi else 0", r"\frac{\partial\,\mathrm{clip}(x)}{\partial x} = [lo \le x \le hi]"),
    ),
    "maximum": (
        (
            "∂max(x, y)/∂x = 1 if x > y, ½ if x = y, else 0",
            r"\frac{\partial \max(x,y)}{\partial x} = [x>y] + \tfrac12 [x=y]",
        ),
        (
            "∂max(x, y)/∂y = 1 if y > x, ½ if x = y, else 0",
            r"\frac{\partial \max(x,y)}{\partial y} = [y>x] + \tfrac12 [x=y]",
        ),
    ),
    "minimum": (
        (
            "∂min(x, y)/∂x = 1 if x < y, ½ if x = y, else 0",
            r"\frac{\partial \min(x,y)}{\partial x} = [x<y] + \tfrac12 [x=y]",
        ),
        (
            "∂min(x, y)/∂y = 1 if y < x, ½ if x = y, else 0",
            r"\frac{\partial \min(x,y)}{\partial y} = [y<x] + \tfrac12 [x=y]",
        ),
    ),
    "where": (
        ("∂where(c, x, y)/∂x = c", r"\frac{\partial\,\mathrm{where}(c,x,y)}{\partial x} = c"),
        ("∂where(c, x, y)/∂y = 1 − c", r"\frac{\partial\,\mathrm{where}(c,x,y)}{\partial y} = 1 - c"),
    ),
    "sum": (("∂Σx/∂x = 1 (g spread back over the summed axes)", r"\frac{\partial \sum x}{\partial x} = 1"),),
    "mean": (
        (
            "∂mean x/∂x = 1/N (g spread back over the averaged axes, N entries per mean)",
            r"\frac{\partial\, \mathrm{mean}\, x}{\partial x} = \frac{1}{N}",
        ),
    ),
    "max": (
        (
            "∂max x/∂x = 1 at the maximum (shared among ties), else 0",
            r"\frac{\partial \max x}{\partial x_i} = [x_i = \max x] / \#\mathrm{ties}",
        ),
    ),
    "min": (
        (
            "∂min x/∂x = 1 at the minimum (shared among ties), else 0",
            r"\frac{\partial \min x}{\partial x_i} = [x_i = \min x] / \#\mathrm{ties}",
        ),
    ),
    "softmax": (
        (
            "∂L/∂x = p ⊙ (g − Σ g⊙p),  p = softmax(x)",
            r"\frac{\partial L}{\partial x} = p \odot \left(g - \textstyle\sum g \odot p\right)",
        ),
    ),
    "log_softmax": (
        ("∂L/∂x = g − softmax(x)·Σg", r"\frac{\partial L}{\partial x} = g - \mathrm{softmax}(x) \textstyle\sum g"),
    ),
    "cross_entropy": (
        (
            "∂L/∂n = (softmax(n) − onehot(y)) / N (N = batch for the mean)",
            r"\frac{\partial L}{\partial n} = \frac{\mathrm{softmax}(n) - \mathrm{onehot}(y)}{N}",
        ),
    ),
    "reshape": (("∂L/∂x = g reshaped to x's shape", r"\frac{\partial L}{\partial x} = \mathrm{reshape}(g)"),),
    "transpose": (("∂L/∂x = g with the axes permuted back", r"\frac{\partial L}{\partial x} = g^\top"),),
    "getitem": (
        (
            "∂L/∂x = g scattered (added) into x's shape at the index",
            r"\frac{\partial L}{\partial x} = \mathrm{scatter}(g)",
        ),
    ),
    "index_add": (("∂L/∂g = (upstream)[index]", r"\frac{\partial L}{\partial g} = G[\mathrm{index}]"),),
    "broadcast_to": (("∂L/∂x = g summed back to x's shape", r"\frac{\partial L}{\partial x} = \textstyle\sum g"),),
    "sum_to": (("∂L/∂x = g broadcast to x's shape", r"\frac{\partial L}{\partial x} = \mathrm{broadcast}(g)"),),
    "lincomb": (
        ("∂(b + Σ wᵢxᵢ)/∂b = 1", r"\frac{\partial n}{\partial b} = 1"),
        ("∂(b + Σ wᵢxᵢ)/∂wᵢ = xᵢ", r"\frac{\partial n}{\partial w_i} = x_i"),
        ("∂(b + Σ wᵢxᵢ)/∂xᵢ = wᵢ", r"\frac{\partial n}{\partial x_i} = w_i"),
    ),
    "concatenate": (("∂L/∂xᵢ = the slice of g that xᵢ filled", r"\frac{\partial L}{\partial x_i} = g[\ldots]"),),
    "stack": (("∂L/∂xᵢ = g[..., i, ...]", r"\frac{\partial L}{\partial x_i} = g_i"),),
}


def rule_formula(op: Op, i: int) -> Formula:
    """The written rule of ``op`` for its input ``i``."""
    forms = RULES[op.name]
    if op.name == "lincomb":  # inputs (b, w_1, x_1, w_2, x_2, ...)
        return forms[0] if i == 0 else forms[1 if i % 2 == 1 else 2]
    return forms[min(i, len(forms) - 1)]


def format_number(x: Any, precision: int = 6, threshold: int = 12) -> str:
    """A node's data or a raw number on one line: a scalar to 6 significant digits, an array with ``precision``
    decimals (at most ``threshold`` entries before it is summarized)."""
    if isinstance(x, Node):
        x = x.data
    if isinstance(x, np.ndarray) and x.ndim > 0:
        with np.printoptions(precision=precision, suppress=True, threshold=threshold, edgeitems=2):
            return np.array2string(x, separator=" ").replace("\n", "")
    return f"{float(x):.6g}"


def latex_name(name: str) -> str:
    """A label such as ``n^2_1`` or ``W^1`` as LaTeX (superscripts and subscripts braced)."""
    if "^" not in name and "_" not in name:
        return name if len(name) == 1 else rf"\mathrm{{{name}}}"
    out, buf, mode = "", "", ""
    for ch in name + "\0":
        if ch in "^_\0":
            out += f"{mode}{{{buf}}}" if mode else buf
            buf, mode = "", ch if ch != "\0" else ""
        else:
            buf += ch
    return out


def latex_num(x: Any) -> str:
    if isinstance(x, Node):
        x = x.data
    if isinstance(x, np.ndarray) and x.ndim > 0:
        if x.ndim <= 2 and x.size <= 16:
            rows = np.atleast_2d(x)
            body = r" \\ ".join(" & ".join(f"{v:.6g}" for v in row) for row in rows)
            return rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"
        return rf"\text{{array of shape {x.shape}}}"
    return f"{float(x):.6g}"


@dataclass
class Edge:
    """The gradient passed from a step's node to one of its inputs."""

    name: str
    rule: Formula
    local: Any  # the local derivative d(out)/d(input) (scalar engine), else None
    contribution: Any
    total: Any  # the input's gradient accumulated so far


@dataclass
class Step:
    """One node of the reverse pass: ``name = op(inputs)``, its gradient ``grad`` and what it passes on."""

    index: int
    name: str
    op: str
    inputs: list[str]
    value: Any
    grad: Any
    edges: list[Edge] = field(default_factory=list)
    node: Node | None = field(default=None, repr=False)

    def text(self) -> str:
        lines = [
            f"[{self.index}] {self.name} = {self.op}({', '.join(self.inputs)}) = {format_number(self.value)}"
            f"    ∂L/∂{self.name} = {format_number(self.grad)}"
        ]
        for e in self.edges:
            local = "" if e.local is None else f" = {format_number(e.local)}"
            lines.append(
                f"      → {e.name}: {e.rule[0]}{local};  adds {format_number(e.contribution)}"
                f"  (∂L/∂{e.name} so far {format_number(e.total)})"
            )
        return "\n".join(lines)

    def markdown(self) -> str:
        name = latex_name(self.name)
        head = (
            f"{self.index}. ${name} = \\mathrm{{{self.op}}}({', '.join(latex_name(i) for i in self.inputs)})"
            f" = {latex_num(self.value)}$, "
            f"$\\frac{{\\partial L}}{{\\partial {name}}} = {latex_num(self.grad)}$"
        )
        rows = [head]
        for e in self.edges:
            local = "" if e.local is None else f" = {latex_num(e.local)}"
            en = latex_name(e.name)
            rows.append(
                f"    - ${e.rule[1]}{local}$; adds ${latex_num(e.contribution)}$ to "
                f"$\\frac{{\\partial L}}{{\\partial {en}}}$ (now ${latex_num(e.total)}$)"
            )
        return "\n".join(rows)


@dataclass
class Explanation:
    """The reverse pass from ``root`` as ordered steps (outputs first); ``grads`` maps each node to dL/dnode."""

    root: Node
    steps: list[Step]
    grads: dict[Node, Any]
    names: dict[Node, str]

    def grad_of(self, node: Node) -> Any:
        """dL/d``node`` as computed by the pass (None if the pass does not reach it)."""
        return self.grads.get(node)

    def steps_for(self, nodes: Sequence[Node]) -> list[Step]:
        wanted = {id(n) for n in nodes}
        return [s for s in self.steps if s.node is not None and id(s.node) in wanted]

    def __str__(self) -> str:
        head = f"Reverse pass from {self.names[self.root]} ({len(self.steps)} steps, outputs first):"
        return "\n".join([head, *(s.text() for s in self.steps)])

    def _repr_markdown_(self) -> str:
        head = f"**Reverse pass** from ${latex_name(self.names[self.root])}$ ({len(self.steps)} steps):\n"
        return "\n".join([head, *(s.markdown() for s in self.steps)])

    def __repr__(self) -> str:
        return f"<Explanation of {len(self.steps)} steps from {self.names[self.root]}>"


def node_names(order: Sequence[Node]) -> dict[Node, str]:
    """A readable, unique name per node: its label, else ``t1``, ``t2``... (constants ``c1``...)."""
    names: dict[Node, str] = {}
    used: set[str] = set()
    counts: dict[str, int] = {}
    for node in order:
        base = node.label
        if not base or base in used:
            prefix = base + "#" if base else ("c" if not node.requires_grad else "t")
            counts[prefix] = counts.get(prefix, 0) + 1
            base = f"{prefix}{counts[prefix]}"
        names[node] = base
        used.add(base)
    return names


def _local_derivative(node: Node, i: int, args: list[Any]) -> Any:
    """d(out)/d(input i) for a scalar node: the rule evaluated with upstream gradient 1."""
    if isinstance(node.data, np.ndarray):
        return None
    try:
        return type(node)._local_grad(node.op.rule(i), 1.0, node.data, args, node._params or {})  # type: ignore[union-attr]
    except (ArithmeticError, ValueError):
        return None


def _step(index: int, node: Node, grads: dict[Node, Any], names: dict[Node, str], running: dict[Node, Any]) -> Step:
    op = node.op
    assert op is not None
    g = grads[node]
    args = [p.data for p in node._parents]
    params = node._params or {}
    step = Step(index, names[node], op.name, [names[p] for p in node._parents], node.data, g, node=node)
    for i, p in enumerate(node._parents):
        if not p.requires_grad:
            continue
        gi = type(node)._local_grad(op.rule(i), g, node.data, args, params)
        if node._broadcasts:
            gi = type(node)._reduce_to(gi, p)
        running[p] = gi if p not in running else running[p] + gi
        step.edges.append(Edge(names[p], rule_formula(op, i), _local_derivative(node, i, args), gi, running[p]))
    return step


def explain(root: Node, gradient: Any = None) -> Explanation:
    """The reverse pass from ``root`` written out step by step (see the module docstring).

    ``gradient`` is the seed dL/droot, as for ``backward()`` (1 for a single-element root). The numbers are
    the engine's own: the totals come from the same :func:`backprop` that ``backward()`` runs.
    """
    if not isinstance(root, Node):
        raise TypeError(f"explain(): expected a Value or Tensor, got {type(root).__name__}")
    if not root.requires_grad:
        raise ValueError(
            "explain(): this node does not require grad (it was made from constants, inside "
            "no_grad(), or by detach()), so there is no reverse pass to explain"
        )
    seed = type(root)._seed(root, gradient)
    if isinstance(seed, Node):
        seed = seed.data
    order, grads = backprop([root], [seed])
    names = node_names(toposort([root], include_constants=True))
    running: dict[Node, Any] = {}
    steps: list[Step] = []
    for node in reversed(order):
        if node.op is not None and node in grads:
            steps.append(_step(len(steps) + 1, node, grads, names, running))
    return Explanation(root, steps, grads, names)


__all__ = ["RULES", "Edge", "Explanation", "Step", "explain", "node_names", "rule_formula"]

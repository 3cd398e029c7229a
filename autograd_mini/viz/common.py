"""Building blocks shared by the plain, textbook and collapsed drawings: traversal, layers, number and text
formatting, node fields (record or HTML table), colours and the emission of layer clusters."""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import graphviz
import numpy as np

from ..node import Node, toposort
from .notation import Notation

INSTALL_HINT = (
    "Graphviz's `dot` program was not found on PATH, so the graph cannot be rendered (its DOT text, "
    "graph.source, is available without it). The pip package `graphviz` only holds the Python bindings; "
    "install the Graphviz program itself: `apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` "
    "(macOS), `conda install -c conda-forge graphviz` (conda), or https://graphviz.org/download/ (Windows), "
    "then make sure `dot -V` works."
)

_RANKDIRS = ("LR", "TB", "RL", "BT")

# How an op is shown in its ellipse (the op's own name when not listed).
_SYMBOLS = {"add": "+", "sub": "-", "mul": "*", "div": "/", "neg": "neg", "pow": "**", "lincomb": "lincomb"}
# Ops whose inputs are not interchangeable: their edges carry the input's position.
_ORDERED = frozenset({"sub", "div", "pow", "matmul", "where", "concatenate", "stack", "index_add", "cross_entropy"})
# Fill colours of the node kinds.
_COLORS = {
    "param": "#dbeafe",
    "const": "#f1f5f9",
    "root": "#dcfce7",
    "value": "#ffffff",
    "sens": "#ffedd5",
    "label": "#f8fafc",
    "op": "#ffffff",
    "cluster": "#64748b",
    "current": "#fde047",
    "receiver": "#dc2626",
    "receiver_fill": "#fecaca",
}


# == traversal ================================================================================================
def _roots(root: Any) -> list[Node]:
    if isinstance(root, Node):
        return [root]
    if isinstance(root, Iterable) and not isinstance(root, (str, bytes)):
        out: list[Node] = []
        stack = [iter(root)]
        while stack:  # flattens nested lists of roots without recursion
            try:
                item = next(stack[-1])
            except StopIteration:
                stack.pop()
                continue
            if isinstance(item, Node):
                out.append(item)
            elif isinstance(item, Iterable) and not isinstance(item, (str, bytes)):
                stack.append(iter(item))
            else:
                raise TypeError(f"draw_dot: roots must be Value or Tensor nodes, got {type(item).__name__}")
        if not out:
            raise ValueError("draw_dot: no root node given")
        return out
    raise TypeError(f"draw_dot: root must be a Value, a Tensor or a list of them, got {type(root).__name__}")


def collect_nodes(roots: Node | Iterable[Any]) -> list[Node]:
    """Every node reachable from ``roots``, constants included, inputs before outputs.

    Iterative depth-first search (no recursion), O(nodes + edges): fine for graphs of millions of nodes.
    """
    return toposort(_roots(roots), include_constants=True)


def _layers(order: Sequence[Node], notes: dict[Node, Notation | None]) -> dict[Node, int]:
    """Layer of each node: its label's superscript, else (unlabeled nodes) the layer of a consumer."""
    layer: dict[Node, int] = {}
    for node in order:
        note = notes[node]
        if note is not None and note.layer is not None:
            layer[node] = note.layer
    for node in reversed(order):  # consumers before their inputs
        k = layer.get(node)
        if k is None:
            continue
        for p in node._parents:
            if not p.label and p not in layer:
                layer[p] = k
    return layer


# == text helpers =============================================================================================
def _num(x: float, precision: int) -> str:
    x = float(x)
    if math.isnan(x) or math.isinf(x):
        return str(x)
    text = f"{x:.{precision}f}" if x == 0 or 1e-3 <= abs(x) < 1e5 else f"{x:.{precision}g}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text  # no "-0.0000"


def _preview(a: Any, precision: int, width: int = 48) -> str:
    """The entries of an array on one line, summarized with "..." beyond a few, cut to ``width`` characters."""
    arr = np.asarray(a)
    if arr.ndim == 0:
        return _num(float(arr), precision)
    digits = max(precision - 1, 1)
    text = np.array2string(
        arr,
        formatter={"float_kind": lambda v: f"{v:.{digits}g}"},
        threshold=6,
        edgeitems=2,
        separator=", ",
        max_line_width=10**6,
    )
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def _dot_text(text: str) -> str:
    """A user string as a literal DOT string: never read as an HTML label (``<...>``) and its backslashes doubled,
    so escape sequences (``\\n``, ``\\l``), a trailing backslash or ``\\"`` cannot end the string early."""
    return graphviz.nohtml(str(text).replace("\\", "\\\\"))


def _record_escape(text: str) -> str:
    text = text.replace("\\", "\\\\")
    return re.sub(r"([{}|<>])", r"\\\1", text)


def _short(v: Any) -> str:
    if isinstance(v, np.ndarray):
        return str(v.tolist()) if v.size <= 4 else f"{v.dtype}{list(v.shape)}"
    if isinstance(v, slice):
        parts = ["" if s is None else str(s) for s in (v.start, v.stop, v.step)]
        return ":".join(parts[:2]) if v.step is None else ":".join(parts)
    if isinstance(v, tuple):
        return "(" + ", ".join(_short(x) for x in v) + ("," if len(v) == 1 else "") + ")"
    if v is Ellipsis:
        return "..."
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def _op_text(node: Node) -> str:
    """The text of an op's ellipse: its symbol plus its constant parameters ("sum(axis=(1,))")."""
    op = node.op
    name = "" if op is None else op.name
    text = _SYMBOLS.get(name, name)
    params = node._params
    if not params:
        return text
    if name == "getitem":
        index = params.get("index")
        inner = _short(index)[1:-1] if isinstance(index, tuple) else _short(index)
        return f"{text}[{inner}]"
    shown = []
    for key, v in params.items():
        if (key == "keepdims" and not v) or (key == "axis" and v is None) or key in ("cond", "labels"):
            continue
        shown.append(f"{key}={_short(v)}")
    extra = ", ".join(shown)
    if len(extra) > 32:
        extra = extra[:29] + "..."
    return f"{text}({extra})" if extra else text


def _grad_of(node: Node) -> Any:
    """``node.grad`` as raw data (after ``backward(create_graph=True)`` it is itself a graph node)."""
    g = node.grad
    return g.data if isinstance(g, Node) else g


def _kind(node: Node, roots: set[Node]) -> str:
    if node in roots:
        return "root"
    if node.op is None:
        return "param" if node.requires_grad else "const"
    return "value"


# == one field of a node: plain text for records, optional richer HTML for textbook mode =======================
@dataclass
class _Field:
    text: str
    html: str | None = None
    color: str | None = None
    bold: bool = False


def _record(fields: list[_Field]) -> str:
    return "{ " + " | ".join(_record_escape(f.text) for f in fields) + " }"


def _html_table(fields: list[_Field], bgcolor: str, dashed: bool = False) -> str:
    cells = []
    for f in fields:
        body = f.html if f.html is not None else html.escape(f.text)
        if f.bold and f.html is None:
            body = f"<B>{body}</B>"
        color = f' BGCOLOR="{f.color}"' if f.color else ""
        cells.append(f"<TD{color}>{body}</TD>")
    style = ' STYLE="DASHED"' if dashed else ""
    return (
        f'<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4" BGCOLOR="{bgcolor}"{style}>'
        f"<TR>{''.join(cells)}</TR></TABLE>>"
    )


def _label_field(label: str, note: Notation | None, textbook: bool, is_tensor: bool) -> _Field:
    rich = note.html(bold=is_tensor) if (textbook and note is not None) else None
    return _Field(label, rich, _COLORS["label"], bold=True)


@dataclass
class Frame:
    """A moment of the reverse pass to draw instead of the final state: each node's gradient so far
    (``grads``; a node missing from it shows 0), the node being processed and the inputs it passes to."""

    grads: dict[Node, Any]
    current: Node | None = None
    receivers: frozenset[Node] = frozenset()
    group: frozenset[Node] = frozenset()  # a collapsed graph's frame processes a whole group


#: Set by :mod:`.steps` while it draws one frame of the backward pass; None draws the graph as it is.
FRAME: ContextVar[Frame | None] = ContextVar("autograd_mini_viz_frame", default=None)


@dataclass
class _Options:
    textbook: bool
    show_grad: bool
    show_data: bool
    show_sensitivity: bool
    precision: int
    frame: Frame | None = None

    def grad(self, node: Node) -> Any:
        """The gradient to show: the frame's running total (0 before any), else ``node.grad``."""
        if self.frame is None:
            return _grad_of(node)
        g = self.frame.grads.get(node)
        if g is None:
            return np.zeros_like(node.data) if isinstance(node.data, np.ndarray) else 0.0
        return g.data if isinstance(g, Node) else g


@dataclass
class _Spec:
    """One DOT node statement, kept until clusters are emitted."""

    name: str
    attrs: dict[str, str]
    layer: int | None = None


def _emit(g: graphviz.Digraph, specs: list[_Spec], clusters: bool, titled: bool = True) -> None:
    """Node statements, those of layer k inside ``cluster_k`` (titled "layer k" unless ``titled`` is False)."""
    by_layer: dict[int, list[_Spec]] = {}
    for s in specs:
        if clusters and s.layer is not None:
            by_layer.setdefault(s.layer, []).append(s)
        else:
            g.node(s.name, **s.attrs)
    for k in sorted(by_layer):
        with g.subgraph(name=f"cluster_{k}") as c:
            c.attr(
                label=f"layer {k}" if titled else "",
                style="rounded,dashed",
                color=_COLORS["cluster"],
                fontcolor=_COLORS["cluster"],
                labeljust="l",
            )
            for s in by_layer[k]:
                c.node(s.name, **s.attrs)


def _value_attrs(
    fields: list[_Field], kind: str, opts: _Options, tooltip: str, fill: str | None = None
) -> dict[str, str]:
    fill = fill or _COLORS[kind]
    if opts.textbook:
        attrs = {
            "shape": "plaintext",
            "label": _html_table(fields, fill, dashed=kind == "const"),
            "margin": "0",
            "width": "0",
            "height": "0",
        }  # as large as the table, no larger
    else:
        style = "filled,dashed" if kind == "const" else "filled"
        attrs = {"shape": "record", "label": graphviz.nohtml(_record(fields)), "style": style, "fillcolor": fill}
    if kind == "root" and not opts.textbook:
        attrs["penwidth"] = "2"
    attrs["tooltip"] = _dot_text(tooltip)
    return attrs

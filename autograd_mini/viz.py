"""Computation graphs drawn with Graphviz, plain (micrograd style) or in the documents' notation.

* :func:`draw_dot` returns a :class:`graphviz.Digraph` for any ``Value`` or ``Tensor`` graph (or several roots):
  one record per value (label, data, grad; for a tensor its shape, dtype and a preview of its entries), one
  ellipse per operation ("*", "+", "tanh", "matmul", ...) between its inputs and its output. Constant inputs
  (``requires_grad=False``) are drawn too, grey and dashed. In Jupyter the returned graph displays inline.
* ``textbook=True`` (or :func:`draw_network`) renders labels written in the documents' notation ("w^1_12",
  "b^2_1", "n^k_j", "a^k_j", "W^k", "x_i", "L") with real superscripts and subscripts, groups the nodes of layer
  k into a box titled "layer k" (``subgraph cluster_k``, as in doc 000's figures), and with
  ``show_sensitivity=True`` prints beside every net input its sensitivity s^k_j = dL/dn^k_j (doc 000, eq. 18),
  which is that node's ``.grad`` after ``backward()``.
* Graphs with more than ``max_nodes`` values are collapsed, in linear time, into one node per group: per label
  stem when labels exist ("w^1: 784 x 16 weights", "n^1: 16 net inputs"), otherwise per run of same-op nodes
  that read the same groups ("12,544 mul"), so a 784-input MLP on the scalar engine stays a picture of tens of
  nodes.
* :func:`render` / :func:`to_svg` write a file; without Graphviz's ``dot`` program they raise a
  ``RuntimeError`` that says how to install it (the DOT text, ``graph.source``, needs no Graphviz at all).

Which layer an unlabeled node belongs to: the layer of the node that consumes it (propagated from outputs to
inputs), so the products w*x and partial sums feeding n^k_j sit in layer k; nodes that feed only unlabeled
nodes outside any layer (the loss) stay outside the clusters.
"""

from __future__ import annotations

import html
import math
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import graphviz
import numpy as np

from .node import Node, toposort

__all__ = [
    "INSTALL_HINT",
    "Notation",
    "collect_nodes",
    "draw_dot",
    "draw_network",
    "parse_label",
    "render",
    "to_svg",
]

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
_ORDERED = frozenset({"sub", "div", "pow", "matmul", "where", "concatenate", "stack", "index_add",
                      "cross_entropy"})
# What a group of labelled values is called in the collapsed picture (by the label's base letter).
_NOUNS = {"w": "weights", "W": "weights", "b": "biases", "n": "net inputs", "z": "net inputs", "a": "outputs",
          "x": "inputs", "p": "inputs", "y": "targets", "t": "targets", "s": "sensitivities", "L": "losses"}

_COLORS = {"param": "#dbeafe", "const": "#f1f5f9", "root": "#dcfce7", "value": "#ffffff", "sens": "#ffedd5",
           "label": "#f8fafc", "op": "#ffffff", "cluster": "#64748b"}


# == the documents' notation ==================================================================================
@dataclass(frozen=True)
class Notation:
    """A label in the documents' notation: ``base^sup_sub``, e.g. "w^1_12" -> ("w", "1", "12")."""

    base: str
    sup: str = ""
    sub: str = ""

    @property
    def layer(self) -> int | None:
        """The layer index k >= 1 read from the superscript ("n^2_1" -> 2); None without one (x, y, L, a^0)."""
        if self.sup.isdigit() and int(self.sup) >= 1:
            return int(self.sup)
        return None

    @property
    def stem(self) -> str:
        """The label without its subscript: the name of the vector or matrix the entry belongs to ("w^1")."""
        return self.base + (f"^{self.sup}" if self.sup else "")

    @property
    def indices(self) -> tuple[int, ...] | None:
        """Integer subscripts: "12" of a weight -> (1, 2); "3" -> (3,); "12,3" or "{12,3}" -> (12, 3)."""
        sub = self.sub
        if not sub:
            return None
        parts = [p.strip() for p in sub.split(",")]
        if not all(p.isdigit() for p in parts):
            return None
        if len(parts) == 1 and len(sub) == 2 and self.base in ("w", "W"):
            return (int(sub[0]), int(sub[1]))  # w^k_ij with one-digit i and j, as the documents write it
        return tuple(int(p) for p in parts)

    def html(self, bold: bool = False, sub: str | None = None) -> str:
        """Graphviz HTML-like markup: "w^1_12" -> ``<I>w</I><SUP>1</SUP><SUB>12</SUB>``."""
        s = self.sub if sub is None else sub
        base = html.escape(self.base)
        out = f"<B>{base}</B>" if bold else f"<I>{base}</I>"
        if self.sup:
            out += f"<SUP>{html.escape(self.sup)}</SUP>"
        if s:
            out += f"<SUB>{html.escape(s)}</SUB>"
        return out


_NOTATION = re.compile(r"([A-Za-z\u0370-\u03ff][A-Za-z\u0370-\u03ff']*)((?:[\^_](?:\{[^{}]*\}|[A-Za-z0-9,]+))*)")
_SCRIPT = re.compile(r"([\^_])(\{[^{}]*\}|[A-Za-z0-9,]+)")


def parse_label(label: str) -> Notation | None:
    """Parse "w^1_12", "b^{2}_{1}", "x_3", "W^1" or "L" into a :class:`Notation`; None for other labels."""
    m = _NOTATION.fullmatch(label.strip())
    if m is None:
        return None
    scripts = {"^": "", "_": ""}
    for kind, text in _SCRIPT.findall(m.group(2)):
        if scripts[kind]:
            return None  # two superscripts or two subscripts: not the documents' notation
        scripts[kind] = text[1:-1].strip() if text.startswith("{") else text
    return Notation(m.group(1), scripts["^"], scripts["_"])


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
    text = np.array2string(arr, formatter={"float_kind": lambda v: f"{v:.{digits}g}"}, threshold=6, edgeitems=2,
                           separator=", ", max_line_width=10**6)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


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
    return (f'<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4" BGCOLOR="{bgcolor}"{style}>'
            f"<TR>{''.join(cells)}</TR></TABLE>>")


def _label_field(label: str, note: Notation | None, textbook: bool, is_tensor: bool) -> _Field:
    rich = note.html(bold=is_tensor) if (textbook and note is not None) else None
    return _Field(label, rich, _COLORS["label"], bold=True)


def _node_fields(node: Node, note: Notation | None, kind: str, opts: _Options) -> list[_Field]:
    """label | data | grad (| sensitivity) for a Value; label | shape dtype | data | grad for a Tensor."""
    p = opts.precision
    fields: list[_Field] = []
    is_tensor = isinstance(node.data, np.ndarray)
    if node.label:
        fields.append(_label_field(node.label, note, opts.textbook, is_tensor))
    if is_tensor:
        fields.append(_Field(f"{tuple(node.data.shape)} {node.data.dtype}"))
    if opts.show_data:
        data = _preview(node.data, p) if is_tensor else _num(node.data, p)
        fields.append(_Field(f"{'const' if kind == 'const' else 'data'} {data}"))
    if kind == "const" or not (opts.show_grad or opts.show_sensitivity):
        return fields
    g = _grad_of(node)
    gtext = "None" if g is None else (_preview(g, p) if is_tensor else _num(g, p))
    if opts.show_sensitivity and note is not None and note.base in ("n", "z") and note.layer is not None:
        s = Notation("s", note.sup, note.sub)
        fields.append(_Field(f"s^{note.sup}{'_' + note.sub if note.sub else ''} = {gtext}",
                             f"{s.html(bold=is_tensor)} = {html.escape(gtext)}", _COLORS["sens"]))
    elif opts.show_grad:
        fields.append(_Field(f"grad {gtext}"))
    return fields


@dataclass
class _Options:
    textbook: bool
    show_grad: bool
    show_data: bool
    show_sensitivity: bool
    precision: int


# == the graph object ===========================================================================================
class _Digraph(graphviz.Digraph):
    """A :class:`graphviz.Digraph` that, in Jupyter without the ``dot`` program, shows how to install it and
    the DOT text instead of a traceback."""

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **kwargs: Any) -> dict[str, Any]:
        try:
            return dict(super()._repr_mimebundle_(include, exclude, **kwargs))
        except graphviz.ExecutableNotFound:
            return {"text/plain": INSTALL_HINT + "\n\n" + self.source}


@dataclass
class _Spec:
    """One DOT node statement, kept until clusters are emitted."""

    name: str
    attrs: dict[str, str]
    layer: int | None = None


def _emit(g: graphviz.Digraph, specs: list[_Spec], clusters: bool) -> None:
    by_layer: dict[int, list[_Spec]] = {}
    for s in specs:
        if clusters and s.layer is not None:
            by_layer.setdefault(s.layer, []).append(s)
        else:
            g.node(s.name, **s.attrs)
    for k in sorted(by_layer):
        with g.subgraph(name=f"cluster_{k}") as c:
            c.attr(label=f"layer {k}", style="rounded,dashed", color=_COLORS["cluster"],
                   fontcolor=_COLORS["cluster"], labeljust="l")
            for s in by_layer[k]:
                c.node(s.name, **s.attrs)


def _value_attrs(fields: list[_Field], kind: str, opts: _Options, tooltip: str) -> dict[str, str]:
    fill = _COLORS[kind]
    if opts.textbook:
        attrs = {"shape": "plaintext", "label": _html_table(fields, fill, dashed=kind == "const")}
    else:
        style = "filled,dashed" if kind == "const" else "filled"
        attrs = {"shape": "record", "label": graphviz.nohtml(_record(fields)), "style": style, "fillcolor": fill}
    if kind == "root" and not opts.textbook:
        attrs["penwidth"] = "2"
    attrs["tooltip"] = graphviz.nohtml(tooltip)
    return attrs


def _tooltip(node: Node, kind: str) -> str:
    what = type(node).__name__
    parts = [f"{what} {node.label!r}" if node.label else what]
    if node.op is not None:
        parts.append(f"op {node.op_name}")
    parts.append({"const": "constant (requires_grad=False)", "param": "leaf (requires_grad=True)",
                  "root": "output", "value": "intermediate"}[kind])
    if isinstance(node.data, np.ndarray):
        parts.append(f"shape {tuple(node.data.shape)} {node.data.dtype}")
    return ", ".join(parts)


def _draw_full(g: graphviz.Digraph, order: list[Node], roots: list[Node], notes: dict[Node, Notation | None],
               layers: dict[Node, int], opts: _Options, show_constants: bool, clusters: bool) -> None:
    rootset = set(roots)
    ids: dict[Node, str] = {}
    specs: list[_Spec] = []
    edges: list[tuple[str, str, dict[str, str]]] = []
    for node in order:
        kind = _kind(node, rootset)
        if kind == "const" and not show_constants and node not in rootset:
            continue
        name = f"v{len(ids)}"
        ids[node] = name
        note = notes[node]
        layer = layers.get(node)
        fields = _node_fields(node, note, kind, opts)
        specs.append(_Spec(name, _value_attrs(fields, kind, opts, _tooltip(node, kind)), layer))
        if node.op is None:
            continue
        op_name = f"{name}op"
        specs.append(_Spec(op_name, {"label": graphviz.nohtml(_op_text(node)), "shape": "ellipse",
                                     "tooltip": graphviz.nohtml(f"op {node.op_name}")}, layer))
        edges.append((op_name, name, {}))
        ordered = node.op_name in _ORDERED and len(node._parents) > 1
        for i, p in enumerate(node._parents):
            src = ids.get(p)
            if src is None:
                continue  # a hidden constant
            edges.append((src, op_name, {"label": str(i + 1), "fontsize": "9"} if ordered else {}))
    _emit(g, specs, clusters)
    for a, b, attrs in edges:
        g.edge(a, b, **attrs)


# == collapsing large graphs (linear time) ===================================================================
@dataclass
class _Group:
    key: Any
    kind: str  # "label" | "op" | "param" | "const"
    first: Node
    note: Notation | None = None
    count: int = 0
    layer: int | None = None
    ops: dict[str, int] = field(default_factory=dict)
    lo: float = math.inf
    hi: float = -math.inf
    glo: float = math.inf
    ghi: float = -math.inf
    rows: set[int] = field(default_factory=set)
    cols: set[int] = field(default_factory=set)
    has_root: bool = False
    elements: int = 0
    params: int = 0
    consts: int = 0

    @property
    def color_kind(self) -> str:
        """Fill colour class: all trainable leaves -> "param", all constants -> "const", else "value"."""
        if self.has_root:
            return "root"
        if self.params == self.count:
            return "param"
        return "const" if self.consts == self.count else "value"


def _group_nodes(order: list[Node], notes: dict[Node, Notation | None], tier: int, limit: int
                 ) -> tuple[dict[Node, int], list[Any]] | None:
    """Assign each node a group id. Tier 0: label stems, then same-op runs reading the same groups; tier 1: the
    same without labels; tier 2: one group per op name (always small). O(nodes + edges); gives up (None) as soon
    as a tier 0 or 1 grouping exceeds ``limit`` groups."""
    use_labels = tier == 0
    gid: dict[Node, int] = {}
    keys: list[Any] = []
    index: dict[Any, int] = {}

    def group_for(key: Any) -> int:
        g = index.get(key)
        if g is None:
            g = index[key] = len(keys)
            keys.append(key)
        return g

    def labelled(n: Node) -> bool:
        note = notes[n]
        return use_labels and note is not None

    leaf_token = {True: ("leaf", True), False: ("leaf", False)}
    pending_leaves: list[Node] = []
    for node in order:
        if labelled(node):
            gid[node] = group_for(("label", notes[node].stem, type(node).__name__))  # type: ignore[union-attr]
            continue
        if node.op is None:
            pending_leaves.append(node)
            continue
        name = node.op.name
        if tier == 2:
            gid[node] = group_for(("op", name))
            continue
        joined = None
        for p in node._parents:  # a run of the same op (a chain of adds) is one group
            if p.op is not None and p.op.name == name and not labelled(p):
                joined = gid[p]
                break
        if joined is not None:
            gid[node] = joined
            continue
        tokens = frozenset(gid[p] if p in gid else leaf_token[p.requires_grad] for p in node._parents)
        gid[node] = group_for(("op", name, tokens))
        if len(keys) > limit and tier < 2:
            return None
    # Leaves without a (used) label: grouped by what consumes them, so each layer's weights stay apart.
    if pending_leaves:
        consumers: dict[Node, set[int]] = {n: set() for n in pending_leaves}
        for node in order:
            g = gid.get(node)
            if g is None:
                continue
            for p in node._parents:
                c = consumers.get(p)
                if c is not None:
                    c.add(g)
        for n in pending_leaves:
            sig = frozenset(consumers[n]) if tier < 2 else frozenset()
            gid[n] = group_for(("leaf", n.requires_grad, sig))
    return gid, keys


def _summarize(order: list[Node], gid: dict[Node, int], keys: list[Any], notes: dict[Node, Notation | None],
               layers: dict[Node, int], roots: set[Node]) -> list[_Group]:
    groups: list[_Group | None] = [None] * len(keys)
    for node in order:
        g = gid[node]
        grp = groups[g]
        if grp is None:
            key = keys[g]
            kind = key[0] if key[0] != "leaf" else ("param" if key[1] else "const")
            note = notes[node] if kind == "label" else None
            layer = note.layer if note is not None and note.layer is not None else layers.get(node)
            grp = groups[g] = _Group(key, kind, node, note, layer=layer)
        grp.count += 1
        if node.op is not None:
            grp.ops[node.op.name] = grp.ops.get(node.op.name, 0) + 1
        if node in roots:
            grp.has_root = True
        if node.op is None:
            if node.requires_grad:
                grp.params += 1
            else:
                grp.consts += 1
        d = node.data
        if isinstance(d, np.ndarray):
            grp.elements += d.size
            if d.size:
                grp.lo = min(grp.lo, float(np.nanmin(d)))
                grp.hi = max(grp.hi, float(np.nanmax(d)))
            gr = _grad_of(node)
            if gr is not None and np.size(gr):
                grp.glo = min(grp.glo, float(np.nanmin(gr)))
                grp.ghi = max(grp.ghi, float(np.nanmax(gr)))
        else:
            if d < grp.lo:
                grp.lo = d
            if d > grp.hi:
                grp.hi = d
            gr = _grad_of(node)
            if node.requires_grad and gr is not None:
                if gr < grp.glo:
                    grp.glo = gr
                if gr > grp.ghi:
                    grp.ghi = gr
        note = notes[node]
        if grp.kind == "label" and note is not None:
            idx = note.indices
            if idx is not None and len(idx) == 2:
                grp.rows.add(idx[0])
                grp.cols.add(idx[1])
    return [g for g in groups if g is not None]  # every group has a first node, so none is None


def _range(lo: float, hi: float, p: int) -> str:
    if lo > hi:
        return "None"
    return _num(lo, p) if lo == hi else f"[{_num(lo, p)}, {_num(hi, p)}]"


def _group_fields(grp: _Group, opts: _Options) -> list[_Field]:
    p = min(opts.precision, 3)
    first = grp.first
    is_tensor = isinstance(first.data, np.ndarray)
    fields: list[_Field] = []
    n = grp.count
    if grp.kind == "label" and grp.note is not None:
        note = grp.note
        generic = "" if n == 1 else ("ij" if len(note.indices or ()) == 2 else ("i" if note.base == "x" else "j"))
        sub = note.sub if n == 1 else generic
        text = note.stem + (f"_{sub}" if sub else "")
        fields.append(_Field(text, note.html(bold=is_tensor, sub=sub) if opts.textbook else None,
                             _COLORS["label"], bold=True))
        noun = _NOUNS.get(note.base, "nodes")
        made_by = f" ({', '.join(grp.ops)})" if grp.ops else ""
        if n > 1 and len(grp.rows) * len(grp.cols) == n:
            fields.append(_Field(f"{len(grp.rows):,} x {len(grp.cols):,} {noun}{made_by}"))
        elif n > 1:
            fields.append(_Field(f"{n:,} {noun}{made_by}"))
    elif grp.kind == "op":
        ops = ", ".join(grp.ops)
        fields.append(_Field(f"{n:,} {ops}" if n > 1 else _SYMBOLS.get(ops, ops), bold=True))
    else:
        noun = "parameters" if grp.kind == "param" else "constants"
        fields.append(_Field(f"{n:,} {noun}" if n > 1 else f"1 {noun[:-1]}", bold=True))
    if is_tensor:
        fields.append(_Field(f"{tuple(first.data.shape)} {first.data.dtype}" if n == 1
                             else f"{n:,} tensors, {grp.elements:,} entries"))
    if opts.show_data:
        fields.append(_Field(f"data {_range(grp.lo, grp.hi, p)}"))
    if grp.consts < grp.count and (opts.show_grad or opts.show_sensitivity):
        gtext = _range(grp.glo, grp.ghi, p)
        gnote = grp.note
        if opts.show_sensitivity and gnote is not None and gnote.base in ("n", "z") and gnote.layer is not None:
            s = Notation("s", gnote.sup, "" if n > 1 else gnote.sub)
            fields.append(_Field(f"s^{gnote.sup} = {gtext}", f"{s.html(bold=is_tensor)} = {html.escape(gtext)}",
                                 _COLORS["sens"]))
        elif opts.show_grad:
            fields.append(_Field(f"grad {gtext}"))
    return fields


def _draw_collapsed(g: graphviz.Digraph, order: list[Node], roots: list[Node], notes: dict[Node, Notation | None],
                    layers: dict[Node, int], opts: _Options, max_nodes: int, clusters: bool,
                    show_constants: bool) -> None:
    has_labels = any(note is not None for note in notes.values())
    grouping = None
    for tier in (0, 1, 2):
        if tier == 1 and not has_labels:
            continue  # same as tier 0
        grouping = _group_nodes(order, notes, tier, max_nodes)
        if grouping is not None and len(grouping[1]) <= max_nodes:
            break
    assert grouping is not None  # tier 2 always succeeds
    gid, keys = grouping
    groups = _summarize(order, gid, keys, notes, layers, set(roots))
    name_of = [f"g{i}" for i in range(len(groups))]
    hidden = {name for grp, name in zip(groups, name_of) if not show_constants and grp.color_kind == "const"}
    specs: list[_Spec] = []
    for grp, name in zip(groups, name_of):
        if name in hidden:
            continue
        fields = _group_fields(grp, opts)
        kind = grp.color_kind
        ops = ", ".join(f"{k} x{v:,}" for k, v in grp.ops.items()) or "none (leaves)"
        tooltip = f"{grp.count:,} node{'s' if grp.count > 1 else ''}; ops: {ops}"
        if grp.kind == "op" and not grp.has_root:
            attrs = {"shape": "ellipse", "label": graphviz.nohtml("\n".join(f.text for f in fields)),
                     "tooltip": graphviz.nohtml(tooltip)}
            if grp.count > 1:
                attrs["peripheries"] = "2"
        else:
            attrs = _value_attrs(fields, kind, opts, tooltip)
        specs.append(_Spec(name, attrs, grp.layer))
    _emit(g, specs, clusters)
    counts: dict[tuple[str, str], int] = {}
    for node in order:
        dst = name_of[gid[node]]
        for p in node._parents:
            src = name_of[gid[p]]
            if src != dst and src not in hidden:
                counts[(src, dst)] = counts.get((src, dst), 0) + 1
    for (a, b), c in counts.items():
        attrs = {"tooltip": f"{c:,} edge{'s' if c > 1 else ''}"}
        if c > 1:
            attrs["penwidth"] = f"{1 + math.log10(c) / 2:.2f}"
        g.edge(a, b, **attrs)


# == public API =================================================================================================
def draw_dot(root: Node | Iterable[Any], rankdir: str = "LR", format: str = "svg", show_grad: bool = True,
             max_nodes: int = 200, *, textbook: bool = False, show_sensitivity: bool = False,
             show_data: bool = True, show_constants: bool = True, collapse: bool | None = None,
             clusters: bool | None = None, precision: int = 4, title: str | None = None,
             graph_attr: dict[str, str] | None = None) -> graphviz.Digraph:
    """Draw the computation graph that produced ``root`` (a Value, a Tensor, or a list of them).

    Args:
        root: the output node(s); every node they depend on is drawn, constants included.
        rankdir: "LR" (inputs on the left, as micrograd) or "TB" (top to bottom); also "RL", "BT".
        format: output format used by ``graph.render()`` / :func:`render` ("svg", "png", "pdf", ...).
        show_grad: show each node's ``.grad`` (None for a tensor no backward pass has reached).
        max_nodes: above this many value nodes the graph is collapsed into groups (see ``collapse``).
        textbook: labels in the documents' notation with real super/subscripts and one cluster per layer.
        show_sensitivity: beside each net input n^k_j, its sensitivity s^k_j = dL/dn^k_j (its ``.grad``).
        show_data: show each node's data (for a tensor a short preview of its entries).
        show_constants: draw constant inputs (requires_grad=False); False hides them as micrograd does.
        collapse: None collapses only beyond ``max_nodes``; True always; False never (may be huge).
        clusters: draw a "layer k" box per layer (default: on in textbook mode).
        precision: decimals for numbers.
        title: a caption under the graph.
        graph_attr: extra Graphviz graph attributes (e.g. {"size": "8,8", "dpi": "150"}).

    Returns:
        A :class:`graphviz.Digraph`: ``.source`` is the DOT text, ``.render()`` / :func:`render` write a file,
        and Jupyter displays it inline.
    """
    if rankdir not in _RANKDIRS:
        raise ValueError(f"draw_dot: rankdir must be one of {', '.join(_RANKDIRS)}, got {rankdir!r}")
    if max_nodes < 1:
        raise ValueError(f"draw_dot: max_nodes must be at least 1, got {max_nodes}")
    roots = _roots(root)
    order = collect_nodes(roots)
    notes = {n: (parse_label(n.label) if n.label else None) for n in order}
    use_clusters = textbook if clusters is None else clusters
    layers = _layers(order, notes) if use_clusters else {}
    opts = _Options(textbook, show_grad, show_data, show_sensitivity, precision)
    attrs = {"rankdir": rankdir}
    if title:
        attrs.update(label=title, labelloc="b", fontsize="14")
    attrs.update(graph_attr or {})
    g = _Digraph(format=format, graph_attr=attrs, node_attr={"fontsize": "11"}, edge_attr={"arrowsize": "0.7"})
    if collapse or (collapse is None and len(order) > max_nodes):
        _draw_collapsed(g, order, roots, notes, layers, opts, max_nodes, use_clusters, show_constants)
    else:
        _draw_full(g, order, roots, notes, layers, opts, show_constants, use_clusters)
    return g


def draw_network(root: Node | Iterable[Any], show_sensitivity: bool = True, **kwargs: Any) -> graphviz.Digraph:
    """A network built with ``nn`` (or labelled by hand) as the documents draw it: ``draw_dot(root,
    textbook=True, show_sensitivity=True, ...)`` -- w^k_ij, b^k_j, n^k_j, a^k_j with real super- and
    subscripts, one "layer k" cluster per layer and each net input's sensitivity s^k_j = dL/dn^k_j."""
    kwargs.setdefault("textbook", True)
    return draw_dot(root, show_sensitivity=show_sensitivity, **kwargs)


def render(graph: graphviz.Digraph | Node | Iterable[Any], path: str | os.PathLike[str], format: str | None = None,
           **draw_kwargs: Any) -> Path:
    """Write ``graph`` (a Digraph from :func:`draw_dot`, or root node(s) to draw first) to ``path``.

    The format is ``format``, else the path's extension ("graph.png" -> png), else the graph's own format;
    a path without an extension gets one. Only the image is written (no stray DOT file).
    Raises RuntimeError explaining how to install Graphviz when its ``dot`` program is missing.
    """
    if not isinstance(graph, graphviz.Digraph):
        graph = draw_dot(graph, **draw_kwargs)
    elif draw_kwargs:
        raise TypeError(f"render: drawing options {sorted(draw_kwargs)} need root nodes, not a ready Digraph")
    out = Path(path)
    fmt = format or out.suffix.lstrip(".") or graph.format or "svg"
    if not out.suffix:
        out = out.with_suffix("." + fmt)
    try:
        data = graph.pipe(format=fmt)
    except graphviz.ExecutableNotFound as exc:
        raise RuntimeError(INSTALL_HINT) from exc
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return out


def to_svg(root: Node | Iterable[Any], path: str | os.PathLike[str], **kwargs: Any) -> Path:
    """Draw ``root``'s graph (``draw_dot`` options in ``kwargs``) and write it as an SVG file at ``path``."""
    return render(draw_dot(root, format="svg", **kwargs), path, format="svg")

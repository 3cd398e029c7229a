"""Graph to DOT: :func:`draw_dot` (plain records or the documents' notation) and :func:`draw_network`."""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

import graphviz
import numpy as np

from ..node import Node
from .collapse import _draw_collapsed
from .common import (
    _COLORS,
    _ORDERED,
    _RANKDIRS,
    FRAME,
    INSTALL_HINT,
    Frame,
    _dot_text,
    _emit,
    _Field,
    _kind,
    _label_field,
    _layers,
    _num,
    _op_text,
    _Options,
    _preview,
    _roots,
    _Spec,
    _value_attrs,
    collect_nodes,
)
from .layout import pin_specs, text_width, textbook_positions
from .notation import Notation, parse_label


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
    g = opts.grad(node)
    gtext = "None" if g is None else (_preview(g, p) if is_tensor else _num(g, p))
    if opts.show_sensitivity and note is not None and note.base in ("n", "z") and note.layer is not None:
        s = Notation("s", note.sup, note.sub)
        fields.append(
            _Field(
                f"s^{note.sup}{'_' + note.sub if note.sub else ''} = {gtext}",
                f"{s.html(bold=is_tensor)} = {html.escape(gtext)}",
                _COLORS["sens"],
            )
        )
    elif opts.show_grad:
        fields.append(_Field(f"grad {gtext}"))
    return fields


class _Digraph(graphviz.Digraph):
    """A :class:`graphviz.Digraph` that, in Jupyter without the ``dot`` program, shows how to install it and
    the DOT text instead of a traceback."""

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **kwargs: Any) -> dict[str, Any]:
        try:
            return dict(super()._repr_mimebundle_(include, exclude, **kwargs))
        except graphviz.ExecutableNotFound:
            return {"text/plain": INSTALL_HINT + "\n\n" + self.source}


def _tooltip(node: Node, kind: str) -> str:
    what = type(node).__name__
    parts = [f"{what} {node.label!r}" if node.label else what]
    if node.op is not None:
        parts.append(f"op {node.op_name}")
    parts.append(
        {
            "const": "constant (requires_grad=False)",
            "param": "leaf (requires_grad=True)",
            "root": "output",
            "value": "intermediate",
        }[kind]
    )
    if isinstance(node.data, np.ndarray):
        parts.append(f"shape {tuple(node.data.shape)} {node.data.dtype}")
    return ", ".join(parts)


_WRAP = 2.5  # a tensor graph wider than this many times its height is wrapped into bands (issue 12: <= ~3:1)


def _edge_label(p: Node, i: int, ordered: bool) -> dict[str, str]:
    """An input edge's label: the input's position for ops whose inputs are not interchangeable, and for a
    tensor its shape (so the picture reads as the shapes flowing through the network)."""
    text = str(i + 1) if ordered else ""
    if isinstance(p.data, np.ndarray):
        shape = str(tuple(p.data.shape))
        text = f"{text}: {shape}" if text else shape
    return {"label": text, "fontsize": "9"} if text else {}


def _frame_fill(node: Node, frame: Frame | None) -> str | None:
    """In a frame of the backward pass: the node being processed in yellow, the inputs it passes a gradient
    to in red."""
    if frame is None:
        return None
    if node is frame.current:
        return _COLORS["current"]
    return _COLORS["receiver_fill"] if node in frame.receivers else None


def _small_constant(node: Node, tooltip: str) -> dict[str, str]:
    """An unlabelled constant in textbook mode: just its value, small and grey, as a slide would show a 2 or 1/2."""
    data = node.data
    text = _preview(data, 3) if isinstance(data, np.ndarray) else f"{float(data):g}"
    return {
        "label": _dot_text(text),
        "shape": "plaintext",
        "fontsize": "9",
        "fontcolor": _COLORS["cluster"],
        "width": "0",
        "height": "0",
        "margin": "0.02",
        "tooltip": _dot_text(tooltip),
    }


def _value_spec(
    node: Node, note: Notation | None, kind: str, opts: _Options
) -> tuple[dict[str, str], tuple[float, float]]:
    """A value node's attributes and its estimated size (inches) for the layout."""
    if opts.textbook and kind == "const" and not node.label:
        attrs = _small_constant(node, _tooltip(node, kind))
        return attrs, (text_width(len(attrs["label"])), 0.25)
    fields = _node_fields(node, note, kind, opts)
    attrs = _value_attrs(fields, kind, opts, _tooltip(node, kind), _frame_fill(node, opts.frame))
    return attrs, (sum(text_width(len(f.text)) for f in fields), 0.34)


def _op_spec(node: Node, opts: _Options) -> tuple[dict[str, str], tuple[float, float]]:
    """An op's ellipse (yellow when a frame of the backward pass processes it) and its estimated size."""
    text = _op_text(node)
    attrs = {"label": _dot_text(text), "shape": "ellipse", "tooltip": _dot_text(f"op {node.op_name}")}
    if opts.frame is not None and opts.frame.current is node:
        attrs.update(style="filled", fillcolor=_COLORS["current"], penwidth="2")
    return attrs, (max(0.75, text_width(len(text), 0.4)), 0.5)


def _draw_full(
    g: graphviz.Digraph,
    order: list[Node],
    roots: list[Node],
    notes: dict[Node, Notation | None],
    layers: dict[Node, int],
    opts: _Options,
    show_constants: bool,
    clusters: bool,
) -> None:
    rootset = set(roots)
    ids: dict[Node, str] = {}
    specs: list[_Spec] = []
    sizes: dict[str, tuple[float, float]] = {}
    edges: list[tuple[str, str, dict[str, str]]] = []
    for node in order:
        kind = _kind(node, rootset)
        if kind == "const" and not show_constants and node not in rootset:
            continue
        name = f"v{len(ids)}"
        ids[node] = name
        layer = layers.get(node)
        attrs, sizes[name] = _value_spec(node, notes[node], kind, opts)
        specs.append(_Spec(name, attrs, layer))
        if node.op is None:
            continue
        op_name = f"{name}op"
        attrs, sizes[op_name] = _op_spec(node, opts)
        specs.append(_Spec(op_name, attrs, layer))
        edges.append((op_name, name, {}))
        ordered = node.op_name in _ORDERED and len(node._parents) > 1
        for i, p in enumerate(node._parents):
            src = ids.get(p)
            if src is None:
                continue  # a hidden constant
            attrs = _edge_label(p, i, ordered)
            if opts.frame is not None and opts.frame.current is node and p in opts.frame.receivers:
                attrs.update(color=_COLORS["receiver"], penwidth="2.5", dir="back")  # the gradient flows back
            edges.append((src, op_name, attrs))
    tensors = all(isinstance(n.data, np.ndarray) for n in ids)
    titled = True
    if opts.textbook or tensors:
        titled = False  # each layer's title is a pinned node, so the cluster's box makes room for it
        pos, titles = textbook_positions(
            order, ids, notes, layers, sizes, g.graph_attr.get("rankdir", "LR"), wrap=_WRAP if tensors else None
        )
        pin_specs(g, specs, pos, titles if clusters else {})
    _emit(g, specs, clusters, titled)
    for a, b, attrs in edges:
        g.edge(a, b, **attrs)


# == public API =================================================================================================
def draw_dot(
    root: Node | Iterable[Any],
    rankdir: str = "LR",
    format: str = "svg",
    show_grad: bool = True,
    max_nodes: int = 200,
    *,
    textbook: bool = False,
    show_sensitivity: bool = False,
    show_data: bool = True,
    show_constants: bool = True,
    collapse: bool | None = None,
    clusters: bool | None = None,
    precision: int = 4,
    title: str | None = None,
    graph_attr: dict[str, str] | None = None,
) -> graphviz.Digraph:
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
    opts = _Options(textbook, show_grad, show_data, show_sensitivity, precision, FRAME.get())
    attrs = {"rankdir": rankdir}
    if title:
        attrs.update(label=_dot_text(title), labelloc="b", fontsize="14")
    attrs.update({str(k): _dot_text(v) for k, v in (graph_attr or {}).items()})
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

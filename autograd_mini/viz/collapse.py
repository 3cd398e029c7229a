"""Large graphs collapsed, in linear time, into one node per group: per label stem when labels exist
("w^1: 784 x 16 weights"), otherwise per run of same-op nodes that read the same groups ("12,544 mul")."""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import graphviz
import numpy as np

from ..node import Node
from .common import _COLORS, _SYMBOLS, _dot_text, _emit, _Field, _grad_of, _num, _Options, _Spec, _value_attrs
from .layout import group_positions, pin_specs, text_width
from .notation import Notation

# What a group of labelled values is called in the collapsed picture (by the label's base letter).
_NOUNS = {
    "w": "weights",
    "W": "weights",
    "b": "biases",
    "n": "net inputs",
    "z": "net inputs",
    "a": "outputs",
    "x": "inputs",
    "p": "inputs",
    "y": "targets",
    "t": "targets",
    "s": "sensitivities",
    "L": "losses",
}


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

    @classmethod
    def open(cls, key: Any, first: Node, notes: dict[Node, Notation | None], layers: dict[Node, int]) -> _Group:
        """The empty group ``key`` (from ``_group_nodes``) met first at ``first``: its kind, its label's notation
        (a labelled group only) and its layer (the label's, else the node's place in ``layers``)."""
        kind = key[0] if key[0] != "leaf" else ("param" if key[1] else "const")
        note = notes[first] if kind == "label" else None
        layer = note.layer if note is not None and note.layer is not None else layers.get(first)
        return cls(key, kind, first, note, layer=layer)

    def add_node(self, node: Node, is_root: bool) -> None:
        """Count ``node``: one more member, its op (or, for a leaf, trainable or constant), whether it is a root."""
        self.count += 1
        if node.op is not None:
            self.ops[node.op.name] = self.ops.get(node.op.name, 0) + 1
        elif node.requires_grad:
            self.params += 1
        else:
            self.consts += 1
        if is_root:
            self.has_root = True

    def add_data(self, node: Node, grad_of: Callable[[Node], Any]) -> None:
        """Widen the data and gradient ranges by ``node``'s data and ``grad_of(node)`` (NaN entries ignored)."""
        d = node.data
        if isinstance(d, np.ndarray):
            self._add_array(d, grad_of(node))
        else:
            gr = grad_of(node)
            self._add_scalar(d, gr if node.requires_grad else None)

    def _add_array(self, d: np.ndarray, gr: Any) -> None:
        """A tensor's entries: count them and widen the ranges by their smallest and largest (an empty one adds
        nothing; nor does a missing or empty gradient)."""
        self.elements += d.size
        if d.size:
            self.lo = min(self.lo, float(np.nanmin(d)))
            self.hi = max(self.hi, float(np.nanmax(d)))
        if gr is not None and np.size(gr):
            self.glo = min(self.glo, float(np.nanmin(gr)))
            self.ghi = max(self.ghi, float(np.nanmax(gr)))

    def _add_scalar(self, d: Any, gr: Any) -> None:
        """A scalar value and its gradient (None: no gradient to show)."""
        if d < self.lo:
            self.lo = d
        if d > self.hi:
            self.hi = d
        if gr is not None:
            if gr < self.glo:
                self.glo = gr
            if gr > self.ghi:
                self.ghi = gr

    def add_indices(self, note: Notation | None) -> None:
        """A labelled group's index sets: rows and columns of a matrix's entries w_ij, rows of a vector's x_i."""
        if self.kind != "label" or note is None or note.indices is None:
            return
        idx = note.indices
        if len(idx) == 2:
            self.rows.add(idx[0])
            self.cols.add(idx[1])
        elif len(idx) == 1:
            self.rows.add(idx[0])  # the range x_1..x_n of a vector's entries


# A leaf that is not (yet) in a group, as an input of an op node: trainable or constant.
_LEAF_TOKEN = {True: ("leaf", True), False: ("leaf", False)}


class _Grouping:
    """One tier of ``_group_nodes``: the group id of each node so far and the group keys, ids in order of first
    use."""

    def __init__(self, notes: dict[Node, Notation | None], tier: int) -> None:
        self.notes = notes
        self.tier = tier
        self.gid: dict[Node, int] = {}
        self.keys: list[Any] = []
        self.index: dict[Any, int] = {}

    def group_for(self, key: Any) -> int:
        """The id of group ``key``, a new one if it is the first time ``key`` is met."""
        g = self.index.get(key)
        if g is None:
            g = self.index[key] = len(self.keys)
            self.keys.append(key)
        return g

    def labelled(self, node: Node) -> bool:
        """Whether ``node`` is grouped by its label's stem (tier 0 and a label in the documents' notation)."""
        return self.tier == 0 and self.notes[node] is not None

    def add_labelled(self, node: Node) -> None:
        """A labelled node joins its label stem's group (scalars and tensors apart)."""
        note = self.notes[node]
        assert note is not None
        self.gid[node] = self.group_for(("label", note.stem, type(node).__name__))

    def add_op(self, node: Node) -> None:
        """An op node: tier 2 groups by op name; otherwise it joins a parent made by the same op (a chain of adds
        is one run), else the group of that op reading the same groups (leaves not yet grouped: by kind)."""
        assert node.op is not None
        name = node.op.name
        if self.tier == 2:
            self.gid[node] = self.group_for(("op", name))
            return
        joined = self._run_of(node, name)
        if joined is not None:
            self.gid[node] = joined
            return
        gid = self.gid
        tokens = frozenset(gid[p] if p in gid else _LEAF_TOKEN[p.requires_grad] for p in node._parents)
        gid[node] = self.group_for(("op", name, tokens))

    def _run_of(self, node: Node, name: str) -> int | None:
        """The group of ``node``'s first unlabelled parent made by the op ``name``, if any."""
        for p in node._parents:
            if p.op is not None and p.op.name == name and not self.labelled(p):
                return self.gid[p]
        return None

    def add_leaves(self, order: list[Node], leaves: list[Node]) -> None:
        """Leaves without a (used) label, grouped by kind and, below tier 2, by the groups that consume them (so
        each layer's weights stay apart). Every node of ``order`` but ``leaves`` already has its group."""
        consumers: dict[Node, set[int]] = {n: set() for n in leaves}
        if self.tier < 2:
            for node in order:
                g = self.gid.get(node)
                if g is None:
                    continue
                for p in node._parents:
                    c = consumers.get(p)
                    if c is not None:
                        c.add(g)
        for n in leaves:
            self.gid[n] = self.group_for(("leaf", n.requires_grad, frozenset(consumers[n])))


def _group_nodes(
    order: list[Node], notes: dict[Node, Notation | None], tier: int, limit: int
) -> tuple[dict[Node, int], list[Any]] | None:
    """Assign each node a group id. Tier 0: label stems, then same-op runs reading the same groups; tier 1: the
    same without labels; tier 2: one group per op name (always small). O(nodes + edges); gives up (None) as soon
    as a tier 0 or 1 grouping exceeds ``limit`` groups."""
    grouping = _Grouping(notes, tier)
    pending_leaves: list[Node] = []
    for node in order:
        if grouping.labelled(node):
            grouping.add_labelled(node)
        elif node.op is None:
            pending_leaves.append(node)
        else:
            grouping.add_op(node)
            if len(grouping.keys) > limit and tier < 2:
                return None
    grouping.add_leaves(order, pending_leaves)
    return grouping.gid, grouping.keys


def _summarize(
    order: list[Node],
    gid: dict[Node, int],
    keys: list[Any],
    notes: dict[Node, Notation | None],
    layers: dict[Node, int],
    roots: set[Node],
    grad_of: Callable[[Node], Any] = _grad_of,
) -> list[_Group]:
    """One summary per group (in group id order): its members' count, ops, data and gradient ranges, indices."""
    groups: list[_Group | None] = [None] * len(keys)
    for node in order:
        g = gid[node]
        grp = groups[g]
        if grp is None:
            grp = groups[g] = _Group.open(keys[g], node, notes, layers)
        grp.add_node(node, node in roots)
        grp.add_data(node, grad_of)
        grp.add_indices(notes[node])
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
        fields.append(
            _Field(text, note.html(bold=is_tensor, sub=sub) if opts.textbook else None, _COLORS["label"], bold=True)
        )
        noun = _NOUNS.get(note.base, "nodes")
        made_by = f" ({', '.join(grp.ops)})" if grp.ops else ""
        if n > 1 and len(grp.rows) * len(grp.cols) == n:
            fields.append(_Field(f"{len(grp.rows):,} x {len(grp.cols):,} {noun}{made_by}"))
        elif n > 1:
            span = f" {note.stem}_{min(grp.rows)}..{note.stem}_{max(grp.rows)}" if len(grp.rows) == n else ""
            fields.append(_Field(f"{n:,} {noun}{span}{made_by}"))
    elif grp.kind == "op":
        ops = ", ".join(grp.ops)
        fields.append(_Field(f"{n:,} {ops}" if n > 1 else _SYMBOLS.get(ops, ops), bold=True))
    else:
        noun = "parameters" if grp.kind == "param" else "constants"
        fields.append(_Field(f"{n:,} {noun}" if n > 1 else f"1 {noun[:-1]}", bold=True))
    if is_tensor:
        fields.append(
            _Field(
                f"{tuple(first.data.shape)} {first.data.dtype}"
                if n == 1
                else f"{n:,} tensors, {grp.elements:,} entries"
            )
        )
    if opts.show_data:
        fields.append(_Field(f"data {_range(grp.lo, grp.hi, p)}"))
    if grp.consts < grp.count and (opts.show_grad or opts.show_sensitivity):
        gtext = _range(grp.glo, grp.ghi, p)
        gnote = grp.note
        if opts.show_sensitivity and gnote is not None and gnote.base in ("n", "z") and gnote.layer is not None:
            s = Notation("s", gnote.sup, "" if n > 1 else gnote.sub)
            fields.append(
                _Field(f"s^{gnote.sup} = {gtext}", f"{s.html(bold=is_tensor)} = {html.escape(gtext)}", _COLORS["sens"])
            )
        elif opts.show_grad:
            fields.append(_Field(f"grad {gtext}"))
    return fields


def group_ids(
    order: list[Node], notes: dict[Node, Notation | None], max_nodes: int
) -> tuple[dict[Node, int], list[Any]]:
    """The group of every node (at most ``max_nodes`` groups): label stems, else same-op runs, else op names."""
    has_labels = any(note is not None for note in notes.values())
    grouping = None
    for tier in (0, 1, 2):
        if tier == 1 and not has_labels:
            continue  # same as tier 0
        grouping = _group_nodes(order, notes, tier, max_nodes)
        if grouping is not None and len(grouping[1]) <= max_nodes:
            break
    assert grouping is not None  # tier 2 always succeeds
    return grouping


def _frame_groups(gid: dict[Node, int], opts: _Options) -> dict[int, str]:
    """In a frame of the backward pass: fill colour of the groups being processed and of those receiving."""
    frame = opts.frame
    if frame is None:
        return {}
    out = {gid[n]: _COLORS["receiver_fill"] for n in frame.receivers if n in gid}
    current = set(frame.group) | ({frame.current} if frame.current is not None else set())
    out.update({gid[n]: _COLORS["current"] for n in current if n in gid})
    return out


def _group_spec(grp: _Group, opts: _Options, fill: str | None) -> tuple[dict[str, str], tuple[float, float]]:
    """A group's node (an ellipse for a group of ops, else a record or table) and its estimated size."""
    fields = _group_fields(grp, opts)
    ops = ", ".join(f"{k} x{v:,}" for k, v in grp.ops.items()) or "none (leaves)"
    tooltip = f"{grp.count:,} node{'s' if grp.count > 1 else ''}; ops: {ops}"
    if grp.kind == "op" and not grp.has_root:
        attrs = {
            "shape": "ellipse",
            "label": _dot_text("\n".join(f.text for f in fields)),
            "tooltip": _dot_text(tooltip),
        }
        if grp.count > 1:
            attrs["peripheries"] = "2"
        if fill:
            attrs.update(style="filled", fillcolor=fill)
        return attrs, (max(0.75, max(text_width(len(f.text), 0.4) for f in fields)), 0.34 * len(fields))
    attrs = _value_attrs(fields, grp.color_kind, opts, tooltip, fill)
    return attrs, (sum(text_width(len(f.text)) for f in fields), 0.34)


def _pin_groups(
    g: graphviz.Digraph,
    specs: list[_Spec],
    groups: list[_Group],
    name_of: list[str],
    counts: dict[tuple[str, str], int],
    sizes: dict[str, tuple[float, float]],
    clusters: bool,
) -> None:
    """Textbook mode: the groups in the documents' layout (inputs, layer 1, layer 2, ..., the loss)."""
    drawn = [s.name for s in specs]
    kind = {name: grp for grp, name in zip(groups, name_of)}
    parents: dict[str, list[str]] = {n: [] for n in drawn}
    for a, b in counts:
        parents[b].append(a)
    layer = {n: kind[n].layer if clusters else None for n in drawn}
    leaf = {n: not kind[n].ops for n in drawn}
    pos, titles = group_positions(drawn, layer, leaf, parents, sizes, g.graph_attr.get("rankdir", "LR"))
    pin_specs(g, specs, pos, titles if clusters else {})


def _draw_collapsed(
    g: graphviz.Digraph,
    order: list[Node],
    roots: list[Node],
    notes: dict[Node, Notation | None],
    layers: dict[Node, int],
    opts: _Options,
    max_nodes: int,
    clusters: bool,
    show_constants: bool,
) -> None:
    gid, keys = group_ids(order, notes, max_nodes)
    groups = _summarize(order, gid, keys, notes, layers, set(roots), opts.grad)
    marks = _frame_groups(gid, opts)
    name_of = [f"g{i}" for i in range(len(groups))]
    hidden = {name for grp, name in zip(groups, name_of) if not show_constants and grp.color_kind == "const"}
    specs: list[_Spec] = []
    sizes: dict[str, tuple[float, float]] = {}
    for grp, name in zip(groups, name_of):
        if name in hidden:
            continue
        attrs, sizes[name] = _group_spec(grp, opts, marks.get(int(name[1:])))
        specs.append(_Spec(name, attrs, grp.layer))
    counts: dict[tuple[str, str], int] = {}
    for node in order:
        dst = name_of[gid[node]]
        for p in node._parents:
            src = name_of[gid[p]]
            if src != dst and src not in hidden:
                counts[(src, dst)] = counts.get((src, dst), 0) + 1
    titled = True
    if opts.textbook:
        titled = False
        _pin_groups(g, specs, groups, name_of, counts, sizes, clusters)
    _emit(g, specs, clusters, titled)
    for (a, b), c in counts.items():
        attrs = {"tooltip": f"{c:,} edge{'s' if c > 1 else ''}"}
        if c > 1:
            attrs["penwidth"] = f"{1 + math.log10(c) / 2:.2f}"
        g.edge(a, b, **attrs)

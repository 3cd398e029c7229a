"""The documents' layout for textbook drawings: a grid computed here, pinned with ``pos``, drawn by Graphviz.

Columns run left to right: the network inputs, then layer 1, layer 2, ..., then what follows the last layer
(the loss). Within a layer every node sits one column right of its rightmost input and a leaf (a weight, a
bias) one column left of the node it feeds, so each weight stands beside its unit; each layer starts right of
the previous one. Rows run top to bottom by unit index (x_1 above x_2, n^k_1 above n^k_2) and, within a unit,
by input index (w^k_1j above w^k_2j, then b^k_j). Graphviz's own ordering cannot promise that, so the
positions are computed here (widths estimated from the text) and the graph is drawn by ``neato`` with every
node pinned; ``layout=neato`` is written into the DOT text, so ``dot -Tsvg`` on a saved file gives the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import graphviz

from ..node import Node
from .common import _COLORS, _Spec
from .notation import Notation

_CHAR_IN = 0.085  # estimated width of one character at fontsize 11, inches (Times averages less)
_COL_GAP = 0.6  # horizontal gap between columns, inches
_ROW_GAP = 0.3  # vertical gap between rows, inches
TITLE_WIDTH, TITLE_HEIGHT = 0.75, 0.3  # a layer's title ("layer 1"), inches


@dataclass
class Cell:
    """What the layout needs to know about one drawn node."""

    name: str
    layer: int  # 0: network inputs; 1..K: layers; K + 1: after the last layer
    unit: float  # row band inside the layer (the j of n^k_j, the i of x_i); 0 when unknown
    sub: int  # order inside the band (the i of w^k_ij; biases after weights)
    width: float  # estimated, inches
    height: float
    leaf: bool
    col: int = 0
    x: float = 0.0
    y: float = 0.0


def text_width(chars: int, pad: float = 0.12) -> float:
    """Estimated width in inches of ``chars`` characters of 11-point text plus padding."""
    return chars * _CHAR_IN + pad


def _columns(cells: dict[str, Cell], order: list[str], parents: dict[str, list[str]]) -> None:
    """Each non-leaf one column right of its rightmost input, each leaf one column left of its leftmost
    consumer; then layers pushed right until each starts after the previous one ends."""
    consumers: dict[str, list[str]] = {n: [] for n in order}
    for n in order:
        for p in parents[n]:
            consumers[p].append(n)
    for n in order:  # inputs before outputs
        ps = parents[n]
        cells[n].col = max((cells[p].col + 1 for p in ps), default=0)
    for n in reversed(order):
        c = cells[n]
        if c.leaf and consumers[n]:
            c.col = max(min(cells[m].col for m in consumers[n]) - 1, 0)
    layers = sorted({c.layer for c in cells.values()})
    for k in layers[1:]:
        before = max(c.col for c in cells.values() if c.layer < k)
        start = min(c.col for c in cells.values() if c.layer == k)
        shift = before + 1 - start
        if shift > 0:
            for c in cells.values():
                if c.layer >= k:
                    c.col += shift


def _rows(cells: dict[str, Cell]) -> None:
    """Vertical positions: per layer, one band per unit (as tall as its tallest column), bands top to bottom
    by unit index, each layer centred on the same axis."""
    by_layer: dict[int, list[Cell]] = {}
    for c in cells.values():
        by_layer.setdefault(c.layer, []).append(c)
    for group in by_layer.values():
        stacks: dict[tuple[float, int], list[Cell]] = {}
        for c in sorted(group, key=lambda c: (c.unit, c.sub)):
            stacks.setdefault((c.unit, c.col), []).append(c)
        band: dict[float, float] = {}
        for (unit, _), stack in stacks.items():
            band[unit] = max(band.get(unit, 0.0), sum(c.height + _ROW_GAP for c in stack))
        total = sum(band.values())
        top = total / 2
        centre: dict[float, float] = {}
        for unit in sorted(band):
            centre[unit] = top - band[unit] / 2
            top -= band[unit]
        for (unit, _), stack in stacks.items():
            y = centre[unit] + sum(c.height + _ROW_GAP for c in stack) / 2
            for c in stack:
                c.y = y - (c.height + _ROW_GAP) / 2
                y -= c.height + _ROW_GAP


def place(cells: dict[str, Cell], order: list[str], parents: dict[str, list[str]], wrap: float | None = None) -> None:
    """Compute every cell's position (x, y: centre, inches, left to right). ``order`` lists the names inputs
    before outputs; ``parents`` gives each name's drawn inputs. With ``wrap``, a picture wider than ``wrap``
    times its height is cut into bands of columns laid one under the other, alternately left to right and
    right to left (so each band's last node stands above the next band's first)."""
    _columns(cells, order, parents)
    _rows(cells)
    widths: dict[int, float] = {}
    for c in cells.values():
        widths[c.col] = max(widths.get(c.col, 0.0), c.width)
    layered = len({c.layer for c in cells.values()}) > 2
    bands = _layer_bands(cells) if wrap is not None and layered else _bands(widths, cells, wrap)
    height = max(c.y + c.height / 2 for c in cells.values()) - min(c.y - c.height / 2 for c in cells.values())
    left: dict[int, float] = {}
    drop: dict[int, float] = {}
    for b, cols in enumerate(bands):
        x = 0.0
        for col in cols if b % 2 == 0 or layered else cols[::-1]:
            left[col] = x + widths[col] / 2
            drop[col] = b * (height + 2 * _COL_GAP)
            x += widths[col] + _COL_GAP
    for c in cells.values():
        c.x = left[c.col]
        c.y -= drop[c.col]


def _layer_bands(cells: dict[str, Cell]) -> list[list[int]]:
    """One band per layer (the inputs with layer 1), each read left to right, like lines of text."""
    first: dict[int, int] = {}
    for c in cells.values():
        first[c.col] = min(first.get(c.col, c.layer), max(c.layer, 1))
    out: dict[int, list[int]] = {}
    for col in sorted(first):
        out.setdefault(first[col], []).append(col)
    return [out[k] for k in sorted(out)]


def _bands(widths: dict[int, float], cells: dict[str, Cell], wrap: float | None) -> list[list[int]]:
    """The columns cut into as few consecutive bands as bring the width down to ``wrap`` times the height."""
    cols = sorted(widths)
    total = sum(widths.values()) + _COL_GAP * len(cols)
    height = max(c.y + c.height / 2 for c in cells.values()) - min(c.y - c.height / 2 for c in cells.values())
    count = 1
    while wrap is not None and count < len(cols):
        width = total / count
        if width <= wrap * (count * height + (count - 1) * 2 * _COL_GAP):
            break
        count += 1
    out: list[list[int]] = [[] for _ in range(count)]
    share = total / count
    used = 0.0
    for col in cols:
        out[min(int(used / share), count - 1)].append(col)
        used += widths[col] + _COL_GAP
    return [band for band in out if band]


def _titles(cells: dict[str, Cell], cluster: dict[str, int], turned: bool) -> dict[int, tuple[float, float]]:
    """Where each layer's title goes: above its top node (left of its first node when ``turned`` top to
    bottom), at the start of the layer."""
    out: dict[int, tuple[float, float]] = {}
    size = (TITLE_WIDTH, TITLE_HEIGHT)
    across, along = size if turned else size[::-1]
    for k in sorted(set(cluster.values())):
        mine = [cells[n] for n, layer in cluster.items() if layer == k]
        start = min(c.x - c.width / 2 for c in mine)
        top = max(c.y + c.height / 2 for c in mine)
        out[k] = (start + along / 2, top + across / 2 + 0.25)
    return out


def _orient(x: float, y: float, rankdir: str) -> tuple[float, float]:
    """Map left-to-right coordinates to ``rankdir`` (TB: columns become rows, first unit on the left)."""
    if rankdir == "TB":
        return -y, -x
    if rankdir == "RL":
        return -x, y
    if rankdir == "BT":
        return -y, x
    return x, y


# == from graph nodes to cells ===================================================================================
_AFTER_WEIGHTS = 1_000_000  # a bias sorts after the weights of its unit


def _unit_and_sub(note: Notation | None) -> tuple[float | None, int]:
    """Band and order from a label: w^k_ij -> (j, i); b^k_j -> (j, after the weights); n, a, x_i -> (j, 0)."""
    if note is None or note.indices is None:
        return None, 0
    idx = note.indices
    if note.base in ("w", "W") and len(idx) == 2:
        return idx[1], idx[0]
    return idx[0], (_AFTER_WEIGHTS if note.base == "b" else 0)


def _cell_layers(order: Sequence[Node], drawn: set[Node], layers: dict[Node, int]) -> dict[Node, int]:
    """Layer of each drawn node for the columns: its cluster's layer; outside the clusters a leaf that feeds
    the layers is a network input (0) and anything computed after a layer goes after it."""
    cell: dict[Node, int] = {}
    for node in order:
        if node not in drawn or node.op is None:
            continue
        if node in layers:
            cell[node] = layers[node]
            continue
        ks = [layers[p] + 1 if p in layers else cell.get(p, 0) for p in node._parents if p in drawn]
        cell[node] = max(ks, default=0)
    consumers: dict[Node, list[Node]] = {}
    for node in order:
        for p in node._parents:
            consumers.setdefault(p, []).append(node)
    for node in order:
        if node not in drawn or node.op is not None:
            continue
        if node in layers:
            cell[node] = layers[node]
            continue
        users = [cell[c] for c in consumers.get(node, []) if c in cell]
        first = min(users, default=0)
        cell[node] = first - 1 if any(c in layers and layers[c] == first for c in consumers.get(node, [])) else first
        cell[node] = max(cell[node], 0)
    return cell


def _units(
    order: Sequence[Node], notes: dict[Node, Notation | None], after: set[Node]
) -> dict[Node, tuple[float, int]]:
    """(band, order) of each node: from its label; after the last layer (the loss), the band of its inputs
    (their mean when it joins several, so a sum sits between its terms); else the band of its consumer."""
    out: dict[Node, tuple[float, int]] = {}
    for pos, node in enumerate(order):
        unit, sub = _unit_and_sub(notes[node])
        if unit is not None:
            out[node] = (unit, sub)
        elif node in after and node.op is not None:
            bands = {out[p][0] for p in node._parents if p in out}
            if bands:
                out[node] = (sum(bands) / len(bands), pos)
    for pos, node in reversed(list(enumerate(order))):
        if node not in out:
            out[node] = (0, pos)
        unit = out[node][0]
        for i, p in enumerate(node._parents):
            if p not in out and _unit_and_sub(notes[p])[0] is None:
                out[p] = (unit, pos * 64 + i)
    return out


def textbook_positions(
    order: Sequence[Node],
    ids: dict[Node, str],
    notes: dict[Node, Notation | None],
    layers: dict[Node, int],
    sizes: dict[str, tuple[float, float]],
    rankdir: str,
    wrap: float | None = None,
) -> tuple[dict[str, str], dict[int, str]]:
    """``pos`` of every drawn node (value ``ids[n]``, its op ``ids[n] + "op"``) in the documents' layout, and
    of each layer's title (by layer k). ``wrap``: see :func:`place`."""
    drawn = set(ids)
    cell_layer = _cell_layers(order, drawn, layers)
    top = max(layers.values(), default=0)
    units = _units(order, notes, {n for n, k in cell_layer.items() if k > top})
    cells: dict[str, Cell] = {}
    names: list[str] = []
    parents: dict[str, list[str]] = {}
    cluster: dict[str, int] = {}
    for node in order:
        name = ids.get(node)
        if name is None:
            continue
        unit, sub = units[node]
        k = cell_layer[node]
        if node.op is not None:
            op = name + "op"
            cells[op] = Cell(op, k, unit, sub, *sizes[op], leaf=False)
            names.append(op)
            parents[op] = [ids[p] for p in node._parents if p in ids]
            parents[name] = [op]
            if node in layers:
                cluster[op] = layers[node]
        else:
            parents[name] = []
        cells[name] = Cell(name, k, unit, sub, *sizes[name], leaf=node.op is None)
        names.append(name)
        if node in layers:
            cluster[name] = layers[node]
    return grid_positions(cells, names, parents, cluster, rankdir, wrap)


def grid_positions(
    cells: dict[str, Cell],
    names: list[str],
    parents: dict[str, list[str]],
    cluster: dict[str, int],
    rankdir: str,
    wrap: float | None = None,
) -> tuple[dict[str, str], dict[int, str]]:
    """Place ``cells`` (see :func:`place`) and return the pinned ``pos`` of each and of each layer's title."""
    if rankdir in ("TB", "BT"):  # columns become rows: lay out with each node's extent along that axis
        for c in cells.values():
            c.width, c.height = c.height, c.width
    place(cells, names, parents, wrap)
    pos = {name: _pin(c.x, c.y, rankdir) for name, c in cells.items()}
    titles = {k: _pin(x, y, rankdir) for k, (x, y) in _titles(cells, cluster, rankdir in ("TB", "BT")).items()}
    return pos, titles


def _topological(names: list[str], parents: dict[str, list[str]], consumers: dict[str, list[str]]) -> list[str]:
    """``names`` inputs before outputs (Kahn's algorithm); nodes on a cycle of groups follow in given order."""
    waiting = {n: len(set(parents[n])) for n in names}
    ready = [n for n in names if waiting[n] == 0]
    out: list[str] = []
    seen: set[str] = set()
    while ready:
        n = ready.pop(0)
        out.append(n)
        seen.add(n)
        for m in dict.fromkeys(consumers[n]):
            waiting[m] -= 1
            if waiting[m] == 0:
                ready.append(m)
    return out + [n for n in names if n not in seen]


def group_positions(
    names: list[str],
    layer: dict[str, int | None],
    leaf: dict[str, bool],
    parents: dict[str, list[str]],
    sizes: dict[str, tuple[float, float]],
    rankdir: str,
) -> tuple[dict[str, str], dict[int, str]]:
    """The documents' layout for a collapsed graph: one cell per group (``names`` inputs before outputs), the
    groups of layer k in its columns; a group outside the layers that feeds them counts as the inputs, one
    computed after them goes after them."""
    consumers: dict[str, list[str]] = {n: [] for n in names}
    for n in names:
        for p in parents[n]:
            consumers[p].append(n)
    names = _topological(names, parents, consumers)
    cell_layer: dict[str, int] = {}
    for n in names:
        if layer[n] is not None:
            cell_layer[n] = layer[n]  # type: ignore[assignment]
        elif not leaf[n]:
            cell_layer[n] = max(
                (cell_layer.get(p, 0) + (1 if layer[p] is not None else 0) for p in parents[n]), default=0
            )
    for n in reversed(names):
        if n not in cell_layer:
            users = [m for m in consumers[n] if m in cell_layer]
            first = min((cell_layer[m] for m in users), default=0)
            inside = any(layer[m] == first for m in users)
            cell_layer[n] = max(first - 1 if inside else first, 0)
    cells = {n: Cell(n, cell_layer[n], 0, i, *sizes[n], leaf=leaf[n]) for i, n in enumerate(names)}
    cluster = {n: k for n, k in layer.items() if k is not None}
    return grid_positions(cells, names, parents, cluster, rankdir)


def _pin(x: float, y: float, rankdir: str) -> str:
    px, py = _orient(x, y, rankdir)
    return f"{px:.3f},{py:.3f}!"


def pin_specs(g: graphviz.Digraph, specs: list[_Spec], pos: dict[str, str], titles: dict[int, str]) -> None:
    """Pin every node where the documents' layout puts it and let ``neato`` draw the edges around them."""
    for s in specs:
        s.attrs["pos"] = pos[s.name]
    for k, at in titles.items():
        specs.append(
            _Spec(
                f"layer{k}",
                {
                    "label": f"layer {k}",
                    "shape": "plaintext",
                    "pos": at,
                    "fontcolor": _COLORS["cluster"],
                    "fontsize": "12",
                    "margin": "0",
                    "width": str(TITLE_WIDTH),
                    "height": str(TITLE_HEIGHT),
                    "fixedsize": "true",
                },
                k,
            )
        )
    g.engine = "neato"
    g.graph_attr.update(layout="neato", splines="true", overlap="true", sep="+2", esep="+1")

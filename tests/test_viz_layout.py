"""Issue 12: the documents' layout, checked on the rendered coordinates (``dot -Tplain``), not the DOT text.

Inputs at the left, then layer 1, layer 2, ..., the loss at the right; within a layer units top to bottom in
index order; each weight beside (left of, in the band of) the unit it feeds; every network input one node.
"""

from __future__ import annotations

import random
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nn
from autograd_mini import Tensor, Value
from autograd_mini.viz import Notation, draw_dot, draw_network
from nn import documents
from tests._dotplain import Layout, PlainNode, layout

VALUE_DOCUMENTS = [
    "doc000_worked_example",
    "doc000_and",
    "doc000_or",
    "doc000_xor_mlp",
    "doc002_worked_example",
    "doc003_forward_example",
    "doc003_problem1",
]


def mark(base: str, sup: str = "", sub: str = "") -> str:
    """How a label in the documents' notation appears in a rendered textbook node."""
    return Notation(base, sup, sub).html()


def cluster_members(source: str) -> dict[int, set[str]]:
    """Layer k -> the DOT names inside ``cluster_k``."""
    out = {}
    for k, body in re.findall(r"subgraph cluster_(\d+) \{\n(.*?)\n\t\}", source, re.S):
        out[int(k)] = set(re.findall(r"^\t\t(\w+) \[", body, re.M))
    return out


def left(n: PlainNode) -> float:
    return n.x - n.width / 2


def right(n: PlainNode) -> float:
    return n.x + n.width / 2


def network_graph(model: nn.MLP, x: list[float], y: list[float] | None) -> tuple[Value, list[int]]:
    """Forward (inputs as plain numbers, as a user writes them), loss, backward; the root and the sizes."""
    out = model(x)
    outs = out if isinstance(out, list) else [out]
    if y is None:
        root = outs[0] if len(outs) == 1 else sum(outs)
    else:
        root = sum((o - t) ** 2 for o, t in zip(outs, y))
        root.label = "L"
    root.backward()
    return root, [model.layers[0].nin] + [layer.nout for layer in model.layers]


def check_textbook_layout(lay: Layout, source: str, sizes: list[int]) -> None:
    members = cluster_members(source)
    depth = len(sizes) - 1
    assert sorted(members) == list(range(1, depth + 1))
    inputs = [lay.named(f">{mark('x', '', str(i))}<") for i in range(1, sizes[0] + 1)]
    # every input once, labelled x_i, top to bottom in index order, left of layer 1
    assert all(a.y > b.y for a, b in zip(inputs, inputs[1:]))
    columns = [inputs] + [[lay.nodes[name] for name in members[k]] for k in range(1, depth + 1)]
    rest = [
        n
        for name, n in lay.nodes.items()
        if all(name not in m for m in members.values()) and n not in inputs and n.label.strip('"')
    ]
    if rest:
        columns.append(rest)  # the loss and what computes it
    for before, after in zip(columns, columns[1:]):
        assert max(map(right, before)) < min(map(left, after))
    for k in range(1, depth + 1):
        units = [lay.named(f">{mark('n', str(k), str(j))}<") for j in range(1, sizes[k] + 1)]
        assert all(a.y > b.y for a, b in zip(units, units[1:])), f"n^{k}_j not in index order"
        for j, unit in enumerate(units, 1):
            ws = [
                lay.named(f">{mark('w', str(k), f'{i}{j}' if max(sizes) < 10 else f'{i},{j}')}<")
                for i in range(1, sizes[k - 1] + 1)
            ]
            bias = lay.named(f">{mark('b', str(k), str(j))}<")
            feeders = [*ws, bias]
            assert all(a.y > b.y for a, b in zip(feeders, feeders[1:])), f"w^{k}_ij of unit {j} not in order"
            for w in feeders:  # beside its unit: left of it, nearer to it (vertically) than to any other unit
                assert right(w) < left(unit)
                nearest = min(units, key=lambda u: abs(u.y - w.y))
                assert nearest is unit, (w.label, unit.label)


@pytest.mark.parametrize("name", VALUE_DOCUMENTS)
def test_documents_networks_read_left_to_right(name: str) -> None:
    example = getattr(documents, name)()
    x = example.x[0].tolist()
    y = None if example.y is None else example.y[0].tolist()
    root, sizes = network_graph(example.model, x, y)
    g = draw_network(root, collapse=False)
    check_textbook_layout(layout(g), g.source, sizes)


@settings(max_examples=max(1, settings.default.max_examples // 3))  # each example renders with dot (~2 s)
@given(st.lists(st.integers(1, 8), min_size=1, max_size=2), st.integers(1, 4), st.integers(1, 3), st.integers(0, 2**16))
def test_random_mlps_read_left_to_right(hidden: list[int], n_in: int, n_out: int, seed: int) -> None:
    rnd = random.Random(seed)
    model = nn.MLP(n_in, [*hidden, n_out], seed=seed)
    x = [rnd.uniform(-1, 1) for _ in range(n_in)]
    root, sizes = network_graph(model, x, [0.5] * n_out)
    g = draw_network(root, collapse=False)
    check_textbook_layout(layout(g), g.source, sizes)


def test_largest_mlp_4_8_8_3() -> None:
    model = nn.MLP(4, [8, 8, 3], seed=1)
    root, sizes = network_graph(model, [0.1, -0.2, 0.3, 0.4], [0.0, 1.0, 0.0])
    g = draw_network(root, collapse=False)
    check_textbook_layout(layout(g), g.source, sizes)


def test_inputs_once_and_constants_small() -> None:
    model = nn.MLP(2, [3, 1], seed=0)
    root, _ = network_graph(model, [1.0, 2.0], [0.0])
    lay = layout(draw_network(root))
    for i in (1, 2):
        assert len([n for n in lay.nodes.values() if f">{mark('x', '', str(i))}<" in n.label]) == 1
    x1 = lay.named(f">{mark('x', '', '1')}<")
    edges_from_x1 = [e for e in lay.edges if e[0] == x1.name]
    assert len(edges_from_x1) == 3  # read by the 3 units, drawn once
    # the target 0 is an unlabelled constant: a small plain number, not a table
    consts = [
        n
        for n in lay.nodes.values()
        if "plaintext" in n.label and "TABLE" not in n.label and re.match(r'^"?0"? ', n.label)
    ]
    assert consts and all(c.height <= 0.3 for c in consts)


def test_collapsed_inputs_are_named() -> None:
    model = nn.MLP(2, [16, 16, 1], seed=0)  # micrograd's demo network
    root, _ = network_graph(model, [1.0, -1.0], [1.0])
    src = draw_network(root).source
    assert "2 inputs x_1..x_2" in src and "constants" not in src.replace("1 constant", "")


def test_rankdir_tb_turns_the_layout() -> None:
    model = nn.MLP(2, [2, 1], seed=0)
    root, _ = network_graph(model, [1.0, 2.0], [0.0])
    lay = layout(draw_network(root, rankdir="TB"))
    x1, x2 = (lay.named(f">{mark('x', '', str(i))}<") for i in (1, 2))
    n1 = lay.named(f">{mark('n', '1', '1')}<")
    loss = lay.named(f">{mark('L')}<")
    assert x1.x < x2.x and x1.y > n1.y > loss.y  # inputs at the top, x_1 left of x_2, the loss at the bottom


def test_tensor_textbook_graph_fits_a_page() -> None:
    example = documents.doc002_worked_example(engine="tensor")
    model, X, Y, _ = example
    out = model(Tensor(X[:1], label="x"))
    loss = ((out - Y[:1]) ** 2).sum() * 0.5
    loss.label = "L"
    loss.backward()
    g = draw_dot(loss)
    lay = layout(g)
    assert lay.width / lay.height <= 3.0, (lay.width, lay.height)  # was a 7,702 x 277 pixel strip
    shapes = re.findall(r'label="(?:\d: )?\(([0-9, ]*)\)"', g.source)
    assert "1, 2" in shapes and "2, 2" in shapes  # shapes on the edges
    tb = layout(draw_network(loss))  # textbook: one band per layer, stacked top to bottom
    w1, w2 = tb.named(">W</B><SUP>1<"), tb.named(">W</B><SUP>2<")
    assert w1.y > w2.y


def test_plain_mode_unchanged_by_textbook_layout() -> None:
    v = Value(2.0, label="a") * 3
    g = draw_dot(v)
    assert "pos=" not in g.source and "neato" not in g.source
    assert np.isclose(v.data, 6.0)

"""Graph rendering (autograd_mini.viz): DOT structure, textbook notation, collapsing, rendering, missing Graphviz."""

from __future__ import annotations

import random
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import graphviz
import numpy as np
import pytest

import autograd_mini as ag
from autograd_mini import Tensor, Value, lincomb
from autograd_mini.viz import INSTALL_HINT, Notation, collect_nodes, draw_dot, draw_network, parse_label, render, to_svg

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot program is not installed")


# -- helpers reading the DOT text ------------------------------------------------------------------------------
def nodes(g: graphviz.Digraph) -> dict[str, str]:
    """name -> attribute text of every node statement."""
    out = {}
    for m in re.finditer(r"^\t+(\w+) \[(.*?)\]$", g.source, re.M | re.S):
        if m.group(1) not in ("graph", "node", "edge"):
            out[m.group(1)] = m.group(2)
    return out


def edges(g: graphviz.Digraph) -> list[tuple[str, str]]:
    return re.findall(r"^\t+(\w+) -> (\w+)", g.source, re.M)


def value_nodes(g: graphviz.Digraph) -> dict[str, str]:
    return {k: v for k, v in nodes(g).items() if "shape=ellipse" not in v}


def op_nodes(g: graphviz.Digraph) -> dict[str, str]:
    return {k: v for k, v in nodes(g).items() if "shape=ellipse" in v}


def clusters(g: graphviz.Digraph) -> dict[str, str]:
    """cluster name -> its body."""
    return dict(re.findall(r"subgraph (cluster_\d+) \{\n(.*?)\n\t\}", g.source, re.S))


def node_named(g: graphviz.Digraph, text: str) -> str:
    """The DOT name of the single node whose label contains ``text``."""
    hits = [k for k, v in nodes(g).items() if text in v]
    assert len(hits) == 1, (text, hits)
    return hits[0]


# -- graphs used below --------------------------------------------------------------------------------------------
def micrograd_example() -> Value:
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    c = Value(10.0, label="c")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    f = Value(-2.0, label="f")
    L = d * f
    L.label = "L"
    L.backward()
    return L


def doc000_worked_example(use_lincomb: bool = False) -> dict[str, Value]:
    """Doc 000, eqs. 39-47: x = [1 1], W1 = ones, b1 = 0, ReLU, W2 = [1 1]^T, b2 = 0, linear output, y = 0,
    L = (y - a^2)^2; sensitivities s^2 = 8, s^1 = [8 8]."""
    x = [Value(1.0, label=f"x_{i}", requires_grad=False) for i in (1, 2)]
    w1 = {(i, j): Value(1.0, label=f"w^1_{i}{j}") for i in (1, 2) for j in (1, 2)}
    b1 = {j: Value(0.0, label=f"b^1_{j}") for j in (1, 2)}
    out: dict[str, Value] = {}
    a1 = []
    for j in (1, 2):
        if use_lincomb:
            n = lincomb([w1[1, j], w1[2, j]], x, b1[j])
        else:
            n = b1[j] + x[0] * w1[1, j] + x[1] * w1[2, j]  # unlabeled products and partial sums
        n.label = f"n^1_{j}"
        a = n.relu()
        a.label = f"a^1_{j}"
        out[n.label], out[a.label] = n, a
        a1.append(a)
    w2 = [Value(1.0, label=f"w^2_{i}1") for i in (1, 2)]
    n2 = lincomb(w2, a1, Value(0.0, label="b^2_1"))
    n2.label = "n^2_1"  # linear output: a^2 = n^2 is the same node
    y = Value(0.0, label="y", requires_grad=False)
    L = (y - n2) ** 2
    L.label = "L"
    L.backward()
    out.update({"n^2_1": n2, "L": L, "w^1_12": w1[1, 2], "w^2_11": w2[0]})
    return out


def value_mlp(sizes: list[int], labels: bool = True, use_lincomb: bool = False) -> Value:
    """A value-engine MLP built directly from Values, labelled like nn's layers (w^k_i,j, b^k_j, n^k_j, a^k_j)."""
    rng = random.Random(0)
    a: list[Value] = [
        Value(rng.random(), label=f"x_{i + 1}" if labels else "", requires_grad=False) for i in range(sizes[0])
    ]
    for k in range(1, len(sizes)):
        nxt = []
        for j in range(sizes[k]):
            ws = [Value(rng.uniform(-1, 1), label=f"w^{k}_{i + 1},{j + 1}" if labels else "") for i in range(len(a))]
            b = Value(0.0, label=f"b^{k}_{j + 1}" if labels else "")
            n = lincomb(ws, a, b) if use_lincomb else sum((w * x for w, x in zip(ws, a)), b)
            act = n.relu() if k < len(sizes) - 1 else n
            if labels:
                n.label = f"n^{k}_{j + 1}"
                if act is not n:
                    act.label = f"a^{k}_{j + 1}"
            nxt.append(act)
        a = nxt
    L = sum((o - 0.5) ** 2 for o in a)
    if labels:
        L.label = "L"
    L.backward()
    return L


def tensor_graph(dtype: type = np.float64) -> Tensor:
    rng = np.random.default_rng(0)
    x = Tensor(rng.normal(size=(4, 3)), dtype=dtype, label="x")
    W = Tensor(rng.normal(size=(3, 5)), requires_grad=True, dtype=dtype, label="W")
    b = Tensor(np.zeros(5), requires_grad=True, dtype=dtype, label="b")
    h = (x @ W + b).relu()
    logp = h.log_softmax(axis=-1)
    y = np.array([0, 4, 2, 1])
    loss = -logp[np.arange(4), y].mean()
    loss.label = "loss"
    return loss


# -- plain (micrograd-style) drawing ------------------------------------------------------------------------------
def test_micrograd_example_structure() -> None:
    g = draw_dot(micrograd_example())
    assert isinstance(g, graphviz.Digraph)
    assert len(value_nodes(g)) == 7  # a b c e d f L
    assert sorted(v.split('"')[1] for v in op_nodes(g).values()) == ["*", "*", "+"]
    assert len(edges(g)) == 9  # each of 3 binary ops: 2 inputs -> op -> output
    assert "{ a | data 2.0000 | grad 6.0000 }" in g.source  # dL/da = b f = 6
    assert "{ L | data -8.0000 | grad 1.0000 }" in g.source
    assert "shape=record" in g.source and "rankdir=LR" in g.source
    # every op node sits between its inputs and its output
    ops = set(op_nodes(g))
    for a, b in edges(g):
        assert (a in ops) != (b in ops)


def test_constants_are_drawn_and_can_be_hidden() -> None:
    x = Value(3.0, label="x")
    y = x * 2 + 1
    g = draw_dot(y)
    consts = [v for v in value_nodes(g).values() if "const" in v]
    assert len(consts) == 2 and all("dashed" in v for v in consts)
    assert "const 2.0000" in g.source and "const 1.0000" in g.source
    g2 = draw_dot(y, show_constants=False)
    assert "const" not in g2.source
    assert len(value_nodes(g2)) == 3 and len(edges(g2)) == 4


def test_repeated_operand_and_ordered_inputs() -> None:
    a = Value(3.0, label="a")
    sq = a * a
    g = draw_dot(sq)
    assert edges(g).count((node_named(g, "{ a |"), next(iter(op_nodes(g))))) == 2
    c = Value(1.0, label="c") - Value(2.0, label="d")
    g = draw_dot(c)
    assert "label=1" in g.source and "label=2" in g.source  # sub: which input is which


def test_list_of_roots_shares_nodes() -> None:
    a = Value(2.0, label="a")
    u, v = a.tanh(), a.exp()
    g = draw_dot([u, [v]])
    assert len(value_nodes(g)) == 3
    assert g.source.count("#dcfce7") == 2  # both roots highlighted
    assert collect_nodes([u, v])[0] is a


def test_options_and_validation() -> None:
    L = micrograd_example()
    g = draw_dot(L, rankdir="TB", show_grad=False, title="example", graph_attr={"dpi": "150"})
    assert "rankdir=TB" in g.source and "| grad" not in g.source and "example" in g.source and "dpi=150" in g.source
    assert draw_dot(L, format="png").format == "png"
    with pytest.raises(ValueError, match="rankdir"):
        draw_dot(L, rankdir="XY")
    with pytest.raises(ValueError, match="max_nodes"):
        draw_dot(L, max_nodes=0)
    with pytest.raises(TypeError, match="Value"):
        draw_dot(3.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        draw_dot([L, "x"])


def test_special_characters_are_escaped() -> None:
    v = Value(1.0, label="{a|b} <c>")
    w = v * 2
    g = draw_dot(w)
    assert r"\{a\|b\} \<c\>" in g.source
    tb = draw_dot(w, textbook=True)
    assert "{a|b} &lt;c&gt;" in tb.source


def test_op_parameters_are_shown() -> None:
    t = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    out = t.leaky_relu(0.1).sum(axis=1).clip(0.0, 5.0)
    src = draw_dot(out).source
    assert "leaky_relu(alpha=0.1)" in src and "sum(axis=(1,))" in src and "clip(lo=0, hi=5)" in src


# -- tensors -------------------------------------------------------------------------------------------------------
def test_tensor_graph_shapes_dtype_preview() -> None:
    loss = tensor_graph()
    g = draw_dot(loss)
    src = g.source
    before = src
    assert "grad None" in before  # no backward yet
    loss.backward()
    src = draw_dot(loss).source
    for text in ("(4, 3) float64", "(3, 5) float64", "(4, 5) float64", "(4,) float64", "() float64"):
        assert text in src
    for op in ("matmul", "relu", "log_softmax(axis=-1)", "getitem[", "neg", "+"):
        assert f'label="{op}' in src or f"label={op}" in src, op
    assert "{ W | (3, 5) float64 | data [[" in src
    assert "grad None" not in src
    assert "float32" in draw_dot(tensor_graph(np.float32)).source


def test_tensor_textbook_bold_matrices() -> None:
    rng = np.random.default_rng(1)
    x = Tensor(rng.normal(size=(2, 3)), label="x")
    W1 = Tensor(rng.normal(size=(3, 4)), requires_grad=True, label="W^1")
    b1 = Tensor(np.zeros(4), requires_grad=True, label="b^1")
    n1 = x @ W1 + b1
    n1.label = "n^1"
    a1 = n1.tanh()
    a1.label = "a^1"
    W2 = Tensor(rng.normal(size=(4, 1)), requires_grad=True, label="W^2")
    n2 = a1 @ W2
    n2.label = "n^2"
    L = (n2 * n2).sum()
    L.label = "L"
    L.backward()
    g = draw_network(L)
    cl = clusters(g)
    assert set(cl) == {"cluster_1", "cluster_2"}
    assert "<B>W</B><SUP>1</SUP>" in cl["cluster_1"] and "<B>W</B><SUP>2</SUP>" in cl["cluster_2"]
    assert "<B>s</B><SUP>1</SUP> = [[" in cl["cluster_1"]


# -- textbook mode: doc 000's worked example --------------------------------------------------------------------
@pytest.mark.parametrize("use_lincomb", [False, True])
def test_textbook_worked_example(use_lincomb: bool) -> None:
    ex = doc000_worked_example(use_lincomb)
    g = draw_dot(ex["L"], textbook=True, show_sensitivity=True)
    src = g.source
    assert "<I>w</I><SUP>1</SUP><SUB>12</SUB>" in src
    assert "<I>x</I><SUB>1</SUB>" in src
    cl = clusters(g)
    assert set(cl) == {"cluster_1", "cluster_2"}
    assert 'label="layer 1"' in cl["cluster_1"] and 'label="layer 2"' in cl["cluster_2"]
    # net inputs with their sensitivities s^k_j = dL/dn^k_j (doc 000, eqs. 45 and 47)
    assert "<I>s</I><SUP>2</SUP><SUB>1</SUB> = 8.0000" in cl["cluster_2"]
    for j in (1, 2):
        assert f"<I>s</I><SUP>1</SUP><SUB>{j}</SUB> = 8.0000" in cl["cluster_1"]
        assert f"<I>n</I><SUP>1</SUP><SUB>{j}</SUB></TD><TD>data 2.0000" in cl["cluster_1"]
    assert "<I>w</I><SUP>2</SUP><SUB>11</SUB></TD><TD>data 1.0000</TD><TD>grad 16.0000" in cl["cluster_2"]
    # inputs, target and loss stay outside the layers; unlabeled products w*x go with their layer
    inside = "".join(cl.values())
    for outside in ("<I>L</I>", "<I>y</I>", "<I>x</I><SUB>1</SUB>"):
        assert outside in src and outside not in inside
    if not use_lincomb:
        assert cl["cluster_1"].count('label="*"') == 4
    assert "shape=plaintext" in src and "shape=record" not in src


def test_draw_network_defaults_and_plain_labels() -> None:
    ex = doc000_worked_example()
    g = draw_network(ex["L"])
    assert "<I>s</I><SUP>1</SUP><SUB>1</SUB> = 8.0000" in g.source
    g = draw_network(ex["L"], show_sensitivity=False)
    assert "<I>s</I>" not in g.source and "grad 8.0000" in g.source
    plain = draw_dot(ex["L"])  # default mode: labels as written, no clusters
    assert "w^1_12" in plain.source and "cluster" not in plain.source
    assert "cluster_1" in draw_dot(ex["L"], clusters=True).source


def test_parse_label() -> None:
    assert parse_label("w^1_12") == Notation("w", "1", "12")
    assert parse_label("w^1_12").indices == (1, 2)  # type: ignore[union-attr]
    assert parse_label("w^3_12,3").indices == (12, 3)  # type: ignore[union-attr]
    assert parse_label("b^{2}_{1}") == Notation("b", "2", "1")
    assert parse_label("x_3") == Notation("x", "", "3")
    assert parse_label("W^2").layer == 2 and parse_label("W^2").stem == "W^2"  # type: ignore[union-attr]
    assert parse_label("a^0").layer is None and parse_label("L").layer is None  # type: ignore[union-attr]
    assert parse_label("my loss") is None and parse_label("w^1^2") is None and parse_label("h1") is None
    assert Notation("n", "1", "2").html() == "<I>n</I><SUP>1</SUP><SUB>2</SUB>"


def test_with_nn_layers() -> None:
    from nn.layers import MLP  # the project's own package: an import error must fail, never skip

    mlp = MLP(2, [2, 1])
    out = mlp([1.0, 1.0])
    L = (out - 0.0) ** 2
    L.label = "L"
    L.backward()
    g = draw_network(L)
    cl = clusters(g)
    assert {"cluster_1", "cluster_2"} <= set(cl)
    assert "<I>w</I><SUP>1</SUP><SUB>11</SUB>" in cl["cluster_1"]
    assert "<I>s</I><SUP>2</SUP><SUB>1</SUB> = " in cl["cluster_2"]


# -- collapsing large graphs -------------------------------------------------------------------------------------
def test_collapse_labelled_784_16_10() -> None:
    L = value_mlp([784, 16, 10])
    g = draw_dot(L, textbook=True, show_sensitivity=True)
    assert len(nodes(g)) <= 30 and len(edges(g)) <= 40
    src = g.source
    assert "784 x 16 weights" in src and "16 x 10 weights" in src and "784 inputs" in src
    assert "12,544 mul" in src and "16 net inputs" in src and "10 biases" in src
    cl = clusters(g)
    assert set(cl) == {"cluster_1", "cluster_2"}
    assert "<I>w</I><SUP>1</SUP><SUB>ij</SUB>" in cl["cluster_1"] and "12,544 mul" in cl["cluster_1"]
    assert "<I>s</I><SUP>2</SUP> = [" in cl["cluster_2"]
    plain = draw_dot(L)
    assert len(nodes(plain)) <= 30 and "w^1_ij" in plain.source


def test_collapse_unlabelled_and_lincomb() -> None:
    g = draw_dot(value_mlp([784, 16, 10], labels=False))
    assert len(nodes(g)) <= 25
    assert "12,544 mul" in g.source and "12,544 parameters" in g.source and "784 constants" in g.source
    g = draw_dot(value_mlp([784, 16, 10], labels=True, use_lincomb=True), textbook=True)
    assert len(nodes(g)) <= 25 and "16 net inputs" in g.source and "784 x 16 weights" in g.source


def test_collapse_threshold_and_forcing() -> None:
    L = micrograd_example()
    assert "{ a |" in draw_dot(L).source
    assert len(nodes(draw_dot(L, collapse=True))) == 7  # every label its own group
    big = value_mlp([20, 8, 1])
    assert len(value_nodes(draw_dot(big, collapse=False))) == len(collect_nodes(big))
    assert len(nodes(draw_dot(big, max_nodes=50))) < 50


def test_collapse_long_chain_is_linear_and_recursion_free() -> None:
    x = Value(0.5, label="x")
    y = x
    for _ in range(50_000):  # 100,000+ nodes: adds alternating with tanh
        y = (y + 1.0).tanh()
    g = draw_dot(y, max_nodes=40)
    assert len(nodes(g)) <= 40
    assert "50,000 tanh" in g.source or "49,999 tanh" in g.source
    assert len(collect_nodes(y)) == 150_001


def test_collapse_falls_back_when_labels_are_unique() -> None:
    v = Value(1.0, label="v")
    for i in range(500):
        v = v * 1.01
        v.label = f"h{i}"  # unique labels, not the documents' notation
    g = draw_dot(v, max_nodes=20)
    assert len(nodes(g)) <= 20


# -- rendering ----------------------------------------------------------------------------------------------------
@needs_dot
def test_render_svg_png_and_to_svg(tmp_path: Path) -> None:
    L = micrograd_example()
    path = to_svg(L, tmp_path / "plain.svg")
    assert ET.parse(path).getroot().tag.endswith("svg")
    ex = doc000_worked_example()
    out = render(draw_network(ex["L"]), tmp_path / "net")  # no extension: the graph's format (svg)
    assert out.suffix == ".svg"
    text = out.read_text()
    assert ET.fromstring(text).tag.endswith("svg")
    assert "layer 1" in text and 'baseline-shift="super"' in text
    png = render(L, tmp_path / "g.png")  # root nodes drawn on the fly
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert list(tmp_path.iterdir()) and not list(tmp_path.glob("*.gv"))
    big = to_svg(value_mlp([784, 16, 10]), tmp_path / "big.svg", textbook=True)
    assert ET.parse(big).getroot().tag.endswith("svg")
    t = to_svg(tensor_graph(), tmp_path / "t.svg")
    assert "(4, 3) float64" in t.read_text()


@needs_dot
def test_jupyter_display() -> None:
    g = draw_dot(micrograd_example())
    bundle = g._repr_mimebundle_()
    assert ET.fromstring(bundle["image/svg+xml"]).tag.endswith("svg")


def test_missing_dot_program(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot executable anywhere on PATH
    g = draw_dot(micrograd_example())
    assert g.source.startswith("digraph")  # building the DOT text needs no Graphviz
    with pytest.raises(RuntimeError) as info:
        render(g, tmp_path / "g.svg")
    msg = str(info.value)
    for hint in ("apt-get install graphviz", "brew install graphviz", "conda install", "graph.source"):
        assert hint in msg
    assert isinstance(info.value.__cause__, graphviz.ExecutableNotFound)
    with pytest.raises(RuntimeError, match="apt-get install graphviz"):
        to_svg(micrograd_example(), tmp_path / "g.svg")
    bundle = g._repr_mimebundle_()
    assert bundle["text/plain"].startswith(INSTALL_HINT) and "digraph" in bundle["text/plain"]


def test_render_rejects_options_with_a_ready_graph(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="root nodes"):
        render(draw_dot(micrograd_example()), tmp_path / "x.svg", textbook=True)


def test_exports() -> None:
    for name in ("draw_dot", "draw_network", "render", "to_svg"):
        assert getattr(ag, name) is not None and name in ag.__all__


def test_grads_that_are_graph_nodes() -> None:
    x = Value(2.0, label="x")
    y = x**3
    y.backward(create_graph=True)  # x.grad is a Value node
    assert "grad 12.0000" in draw_dot(y).source and "grad 12.000 " in draw_dot(y, collapse=True).source
    t = Tensor([1.0, 2.0], requires_grad=True, label="t")
    s = (t * t).sum()
    s.backward(create_graph=True)
    assert "grad [2, 4]" in draw_dot(s).source

"""Issue 11.8: every user string that reaches DOT is escaped (titles, graph attributes, labels, op parameters)."""

from __future__ import annotations

import pytest

from autograd_mini import Tensor, Value
from autograd_mini.viz import draw_dot
from tests._dotplain import layout

NASTY = [
    "<x> ] ; evil [ label=<INJECTED>",  # looks like an HTML label: must stay text
    "a\\",  # a trailing backslash would escape the closing quote
    'q\\"] ; evil [ label=x',  # a pre-escaped quote
    'say "hi"; } digraph { evil',
    "a\\nb \\l \\N",  # DOT escape sequences shown literally
    "ünïcode ∂L/∂w",
]


def small() -> Value:
    a = Value(2.0, label="a")
    b = (a * 3).tanh()
    b.label = "b"
    b.backward()
    return b


@pytest.mark.parametrize("text", NASTY)
@pytest.mark.parametrize("textbook", [False, True])
def test_title_and_labels_cannot_inject(text: str, textbook: bool) -> None:
    clean = layout(draw_dot(small(), textbook=textbook))
    g = draw_dot(small(), textbook=textbook, title=text, graph_attr={"comment": text})
    got = layout(g)  # valid DOT: dot exits 0 with no warning
    assert len(got.nodes) == len(clean.nodes) == 6 and len(got.edges) == len(clean.edges)
    assert "INJECTED" not in "".join(n.label for n in got.nodes.values())
    for tb in (False, True):
        for collapse in (False, True):
            harmless = layout(draw_dot(labelled("plain text"), textbook=tb, title="t", collapse=collapse))
            lay = layout(draw_dot(labelled(text), textbook=tb, title=text, collapse=collapse))
            assert len(lay.nodes) == len(harmless.nodes) and len(lay.edges) == len(harmless.edges)


def labelled(text: str) -> Value:
    """The same small graph with ``text`` as the label of its input and of its output."""
    a = Value(1.0, label=text)
    out = (a * 2).relu()
    out.label = text
    out.backward()
    return out


def test_title_is_shown_verbatim() -> None:
    svg = draw_dot(small(), title="a\\ <b>").pipe(format="svg").decode()
    assert "a\\ &lt;b&gt;" in svg


def test_tensor_op_parameters_are_escaped() -> None:
    t = Tensor([[1.0, 2.0]], requires_grad=True, label="t\\")
    s = t.sum(axis=1)
    assert len(layout(draw_dot(s)).nodes) == 3

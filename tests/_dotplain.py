"""Graphviz's rendered layout, read from ``dot -Tplain``: node positions and sizes, edges, the picture's size.

Lets tests check what a reader sees (where nodes land, how many there are) rather than only the DOT text.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass

import graphviz

from tests._optional import require_program


@dataclass(frozen=True)
class PlainNode:
    name: str
    x: float  # centre, inches, y grows upwards
    y: float
    width: float
    height: float
    label: str  # as dot prints it (HTML labels keep their markup)


@dataclass
class Layout:
    width: float
    height: float
    nodes: dict[str, PlainNode]
    edges: list[tuple[str, str]]

    def named(self, text: str) -> PlainNode:
        """The single node whose label contains ``text``."""
        hits = [n for n in self.nodes.values() if text in n.label]
        assert len(hits) == 1, (text, [h.label for h in hits])
        return hits[0]


def layout(graph: graphviz.Digraph | str) -> Layout:
    """Run ``dot -Tplain`` on a graph (or DOT text); fail on any syntax error or warning."""
    dot = require_program("dot", "apt-get install graphviz")
    source = graph if isinstance(graph, str) else graph.source
    run = subprocess.run([dot, "-Tplain"], input=source, capture_output=True, text=True, check=False)
    assert run.returncode == 0 and not run.stderr.strip(), run.stderr
    out = Layout(0.0, 0.0, {}, [])
    lines: list[str] = []
    for line in run.stdout.splitlines():  # a label with a newline continues on the next line
        if lines and not line.startswith(("graph ", "node ", "edge ", "stop")):
            lines[-1] += "\n" + line
        else:
            lines.append(line)
    for line in lines:
        kind, _, rest = line.partition(" ")
        if kind == "graph":
            _, w, h = rest.split()[:3]
            out.width, out.height = float(w), float(h)
        elif kind == "node":
            name, x, y, w, h, label = rest.split(" ", 5)
            out.nodes[name] = PlainNode(name, float(x), float(y), float(w), float(h), label)
        elif kind == "edge":
            tail, head = rest.split()[:2]
            out.edges.append((tail, head))
    return out

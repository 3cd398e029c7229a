"""Writing a drawing to a file (SVG, PNG, PDF, ...), with an install hint when Graphviz's ``dot`` is missing."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import graphviz

from ..node import Node
from .common import INSTALL_HINT
from .dot import draw_dot


def render(
    graph: graphviz.Digraph | Node | Iterable[Any],
    path: str | os.PathLike[str],
    format: str | None = None,
    **draw_kwargs: Any,
) -> Path:
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

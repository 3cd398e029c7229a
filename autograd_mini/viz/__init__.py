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

Modules: :mod:`.notation` (the documents' labels), :mod:`.common` (traversal, text and DOT building blocks),
:mod:`.dot` (graph to DOT: ``draw_dot``, ``draw_network``), :mod:`.collapse` (large graphs as groups),
:mod:`.render` (files: ``render``, ``to_svg``), :mod:`.layout` (the documents' layout), :mod:`.steps` (the backward
pass frame by frame: ``backward_steps``).
"""

from .common import INSTALL_HINT, collect_nodes
from .dot import draw_dot, draw_network
from .notation import Notation, parse_label
from .render import render, to_svg
from .steps import BackwardSteps, StepFrame, backward_steps

__all__ = [
    "BackwardSteps",
    "StepFrame",
    "backward_steps",
    "INSTALL_HINT",
    "Notation",
    "collect_nodes",
    "draw_dot",
    "draw_network",
    "parse_label",
    "render",
    "to_svg",
]

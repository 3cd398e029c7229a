"""Out to ONNX without PyTorch: :func:`to_onnx` writes the network with the ``onnx`` package's helpers.

The graph takes ``input`` of shape (batch, n_in) and gives ``output`` of shape (batch, n_out), in the model's dtype
(float64 for the value engine). Each Dense step (n = b + a W, doc 000's row form) is ``MatMul`` by W as stored here,
(n_in, n_out), then ``Add`` b; each activation is its ONNX operator (``Relu``, ``Sigmoid``, ``Tanh``,
``Softmax(axis=-1)``); leaky ReLU is ``Where(n > 0, n, alpha n)`` with alpha = ``nn.LEAKY_ALPHA`` stored in the
model's dtype (``LeakyRelu``'s alpha attribute is a float32, off by 2e-10 in float64), and the step functions are
``GreaterOrEqual`` then ``Where`` (1/0 for hardlimit, 1/-1 for sign, both 1 at n = 0). The architecture record
(``nn.architecture``) is stored in the model's ``metadata_props`` under ``autograd-mini/architecture``.
"""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np

from .. import architecture
from .._extras import require
from ..activations import LEAKY_ALPHA
from ..architecture import Act, Dense, Step
from ..files import atomic_write

#: the lowest opset written (Softmax over one axis, GreaterOrEqual and Where all exist from opset 13 on).
MIN_OPSET = 17
#: the metadata key holding the architecture record.
METADATA_KEY = "autograd-mini/architecture"
_SIMPLE = {"relu": ("Relu", {}), "sigmoid": ("Sigmoid", {}), "tanh": ("Tanh", {}), "softmax": ("Softmax", {"axis": -1})}
_STEP_LOW = {"hardlimit": 0.0, "sign": -1.0}  # the value below 0 (both are 1 for n >= 0)


class _Graph:
    """Nodes and initializers collected while the steps are translated."""

    def __init__(self, onnx: Any, dtype: np.dtype) -> None:
        self.onnx = onnx
        self.dtype = dtype
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []

    def constant(self, name: str, value: Any) -> str:
        array = np.asarray(value, dtype=self.dtype)
        self.initializers.append(self.onnx.numpy_helper.from_array(array, name=name))
        return name

    def node(self, op: str, inputs: list[str], output: str, **attrs: Any) -> str:
        self.nodes.append(self.onnx.helper.make_node(op, inputs, [output], name=output, **attrs))
        return output

    def dense(self, k: int, step: Dense, x: str) -> str:
        W = self.constant(f"W{k}", step.W)
        b = self.constant(f"b{k}", step.b)
        return self.node("Add", [self.node("MatMul", [x, W], f"aW{k}"), b], f"n{k}")

    def activation(self, k: int, step: Act, x: str) -> str:
        if step.name in _SIMPLE:
            op, attrs = _SIMPLE[step.name]
            return self.node(op, [x], f"a{k}", **attrs)
        if step.name in _STEP_LOW:
            zero = self.constant(f"zero{k}", 0.0)
            cond = self.node("GreaterOrEqual", [x, zero], f"n{k}_ge_0")
            one, low = self.constant(f"one{k}", 1.0), self.constant(f"low{k}", _STEP_LOW[step.name])
            return self.node("Where", [cond, one, low], f"a{k}")
        if step.name == "leaky_relu":  # LeakyRelu's alpha attribute is a float32: 0.01 would be off by 2e-10
            alpha = self.constant(f"alpha{k}", LEAKY_ALPHA)
            positive = self.node("Greater", [x, self.constant(f"zero{k}", 0.0)], f"n{k}_gt_0")
            return self.node("Where", [positive, x, self.node("Mul", [x, alpha], f"alpha_n{k}")], f"a{k}")
        return x  # linear: the identity adds no node


def _translate(graph: _Graph, program: list[Step]) -> str:
    x = "input"
    k = 0
    for step in program:
        if isinstance(step, Dense):
            k += 1
            x = graph.dense(k, step, x)
        else:
            x = graph.activation(k, step, x)
    return x


def build_onnx(model: Any, opset: int = MIN_OPSET) -> Any:
    """The ``onnx.ModelProto`` of ``model`` (checked with ``onnx.checker``); see :func:`to_onnx`."""
    onnx = require("onnx", "nn.to_onnx", extra="onnx")
    if isinstance(opset, bool) or not isinstance(opset, int) or opset < MIN_OPSET:
        raise ValueError(f"to_onnx: opset must be an integer >= {MIN_OPSET}, got {opset!r}")
    program = architecture.steps(model)
    _, dtype = architecture.engine_dtype(model)
    denses = [s for s in program if isinstance(s, Dense)]
    graph = _Graph(onnx, np.dtype(dtype))
    last = _translate(graph, program)
    if last == "input":
        raise ValueError("to_onnx: the network computes nothing (no dense step)")
    elem = onnx.helper.np_dtype_to_tensor_dtype(np.dtype(dtype))
    nodes = [*graph.nodes, onnx.helper.make_node("Identity", [last], ["output"], name="output")]
    proto = onnx.helper.make_graph(
        nodes,
        "autograd_mini_network",
        [onnx.helper.make_tensor_value_info("input", elem, ["batch", denses[0].W.shape[0]])],
        [onnx.helper.make_tensor_value_info("output", elem, ["batch", denses[-1].W.shape[1]])],
        initializer=graph.initializers,
    )
    opsets = [onnx.helper.make_opsetid("", opset)]
    model_proto = onnx.helper.make_model(
        proto,
        opset_imports=opsets,
        producer_name="autograd-mini",
        ir_version=onnx.helper.find_min_ir_version_for(opsets),
    )
    onnx.helper.set_model_props(model_proto, {METADATA_KEY: json.dumps(architecture.describe(model))})
    onnx.checker.check_model(model_proto, full_check=True)
    return model_proto


def to_onnx(model: Any, path: str | os.PathLike[str], opset: int = MIN_OPSET) -> str:
    """Write ``model`` (an ``MLP``, ``Layer``, ``Linear`` or ``Sequential`` of those, either engine) as an ONNX
    model at ``path`` with the ``onnx`` package alone (no PyTorch): input ``input`` (batch, n_in), output
    ``output`` (batch, n_out), in the model's dtype (float64 for the value engine), opset ``opset`` (>= 17).
    The model is checked with ``onnx.checker`` (full check, with shape inference) before it is written, to a
    temporary file then renamed. Returns the path. ``onnxruntime.InferenceSession(path).run(None, {"input": X})``
    gives the network's outputs."""
    model_proto = build_onnx(model, opset)
    path = os.fspath(path)
    with atomic_write(path) as fh:
        fh.write(model_proto.SerializeToString())
    return path


__all__ = ["METADATA_KEY", "MIN_OPSET", "build_onnx", "to_onnx"]

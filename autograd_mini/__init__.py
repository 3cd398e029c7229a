"""autograd-mini: a small reverse-mode autodiff engine for learning, teaching and checking backpropagation.

* :class:`Value`: a scalar that records its computation graph (micrograd-compatible).
* :class:`Tensor`: a numpy-backed array that does the same, for batches and real data.
* One rule table (:mod:`autograd_mini.ops`) holds every op's forward and local derivative for both.
"""

from .codegen import Program, codegen
from .compile import CompiledFunction, TracingError, compile
from .explain import Explanation, explain
from .gradcheck import GradcheckError, gradcheck, numerical_grad
from .node import Node, backprop, detect_anomaly, enable_grad, grad, is_grad_enabled, no_grad, toposort
from .ops import TABLE as OPS
from .tensor import Tensor, concatenate, cross_entropy, maximum, minimum, stack, tensor, where
from .value import Value, lincomb
from .viz import backward_steps, draw_dot, draw_network, render, to_svg

__version__ = "0.1.0"

__all__ = [
    "OPS",
    "Explanation",
    "CompiledFunction",
    "GradcheckError",
    "Node",
    "Program",
    "Tensor",
    "TracingError",
    "Value",
    "backprop",
    "backward_steps",
    "codegen",
    "compile",
    "concatenate",
    "cross_entropy",
    "detect_anomaly",
    "draw_dot",
    "draw_network",
    "enable_grad",
    "explain",
    "grad",
    "gradcheck",
    "is_grad_enabled",
    "lincomb",
    "maximum",
    "minimum",
    "no_grad",
    "numerical_grad",
    "render",
    "stack",
    "tensor",
    "to_svg",
    "toposort",
    "where",
]

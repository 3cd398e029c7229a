"""nn: neurons, layers, MLPs, activations, initializers and losses on autograd_mini's two engines.

Every layer-building class takes ``engine="value"`` (default: the scalar ``Value`` graph, one node per
neuron, micrograd-compatible) or ``engine="tensor"`` (vectorized ``Tensor``, batches). Notation follows
the course documents (doc 000's row vectors: n = b + a W, a = f(n), sensitivities s = dL/dn).
"""

from . import init
from .activations import (
    ACTIVATIONS,
    LEAKY_ALPHA,
    get_activation,
    hardlimit,
    leaky_relu,
    linear,
    relu,
    sigmoid,
    sign,
    softmax,
    tanh,
)
from .init import INITIALIZERS, get_init, glorot_uniform, he_normal, init_weights, make_rng, uniform
from .layers import MLP, Layer, Linear, Neuron
from .losses import (
    LOSSES,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    get_loss,
    half_squared_error,
    hinge,
    kl_divergence,
    mse,
    nll_loss,
    squared_error,
    symmetric_cross_entropy,
)
from .module import ENGINES, TENSOR, VALUE, Module, Sequential

__all__ = [
    "ACTIVATIONS",
    "ENGINES",
    "INITIALIZERS",
    "LEAKY_ALPHA",
    "LOSSES",
    "MLP",
    "TENSOR",
    "VALUE",
    "Layer",
    "Linear",
    "Module",
    "Neuron",
    "Sequential",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "get_activation",
    "get_init",
    "get_loss",
    "glorot_uniform",
    "half_squared_error",
    "hardlimit",
    "he_normal",
    "hinge",
    "init",
    "init_weights",
    "kl_divergence",
    "leaky_relu",
    "linear",
    "make_rng",
    "mse",
    "nll_loss",
    "relu",
    "sigmoid",
    "sign",
    "softmax",
    "squared_error",
    "symmetric_cross_entropy",
    "tanh",
    "uniform",
]

# Training (doc 000 eq. 6; doc 001 Algorithms 1 and 2), estimators, and the hand-derived side (issue 4).
from . import closed_form, datasets, derivation, documents, report  # noqa: E402
from .estimators import MLPClassifier, MLPRegressor, NotFittedError  # noqa: E402
from .optim import SGD, Adam, Optimizer, grad_norm  # noqa: E402
from .perceptron import Perceptron  # noqa: E402
from .report import Report, compare  # noqa: E402
from .train import History, fit  # noqa: E402

__all__ += [
    "SGD",
    "Adam",
    "History",
    "MLPClassifier",
    "MLPRegressor",
    "NotFittedError",
    "Optimizer",
    "Perceptron",
    "Report",
    "closed_form",
    "compare",
    "datasets",
    "derivation",
    "documents",
    "fit",
    "report",
    "grad_norm",
]

# Moving networks to and from PyTorch / ONNX (issue 14); torch and onnx are imported only when called.
from . import architecture, interop  # noqa: E402
from .architecture import load_model  # noqa: E402
from .interop import TORCH_LOSSES, from_torch, save_torch, to_onnx, to_torch, torch_loss  # noqa: E402

__all__ += [
    "TORCH_LOSSES",
    "architecture",
    "from_torch",
    "interop",
    "load_model",
    "save_torch",
    "to_onnx",
    "to_torch",
    "torch_loss",
]

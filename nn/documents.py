"""The course documents' networks, data and derivations, built with ``nn`` for tests, examples and the CLI.

Builders (each takes ``engine="value"`` or ``"tensor"`` and returns an :class:`Example`, which unpacks as
``model, x, y, eta = ...``; samples are rows of ``x`` and ``y``, weights in doc 000's row layout, W of
shape (n_in, n_out), so docs 002-003's column-form W^[l] is our ``W.T``):

* :func:`doc000_worked_example`: doc 000's ReLU/Linear first iteration (eqs. 39-51), eta = 0.1.
* :func:`doc000_and`, :func:`doc000_or`: doc 000's single-layer perceptrons (HardLimit) for Tables 1-2.
* :func:`doc000_xor_mlp`: doc 000's hand-designed HardLimit MLP for the XOR data (Table 3).
* :func:`doc004_xor_sigmoid`: doc 004's sigmoid XOR network before training (random weights from a seed).
* :func:`doc002_worked_example`: doc 002's 2-2-2 sigmoid network ("Back Propagation - Example").
* :func:`doc003_forward_example`: doc 003's 2-3-1 sigmoid network ("Non-Vectorized Forward Propagation").
* :func:`doc003_problem1`: doc 003's "Problems" no. 1 (linear units, t = [4, 5], alpha = 0.1).

:data:`NETWORKS` names them (``"xor"``, ``"worked"``, ...): name -> :class:`Network` (builder, description).

:func:`document_checks` lists the derivation-checker runs (:mod:`nn.derivation`) on the documents'
formulas, each with the outcome the documents' text leads to expect; ``check.run()`` runs one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .activations import LEAKY_ALPHA
from .closed_form import sigmoid, softmax
from .layers import MLP
from .module import VALUE

Array = NDArray[np.float64]


@dataclass
class Example:
    """A document's network and data. Unpacks as ``model, x, y, eta = example``. ``y`` is None where the
    document gives no target, ``eta`` None where it gives no learning rate. ``loss``, ``convention`` are the
    arguments of :func:`nn.report.compare` that match the document; ``source`` cites it."""

    model: MLP
    x: Array
    y: Array | None
    eta: float | None
    loss: str = "squared_error"
    convention: str = "row"
    source: str = ""

    def __iter__(self) -> Iterator[Any]:
        return iter((self.model, self.x, self.y, self.eta))


def _mlp(n_in: int, Ws: list[Any], bs: list[Any], activations: list[str], engine: str) -> MLP:
    """An MLP with exactly these weights (row layout) and one activation per layer."""
    Ws_arr = [np.array(W, dtype=np.float64) for W in Ws]
    model = MLP(n_in, [W.shape[1] for W in Ws_arr], activation=activations, engine=engine, seed=0)
    model.set_weights(Ws_arr, [np.array(b, dtype=np.float64) for b in bs])
    return model


#: doc 000's Tables 1-3: the inputs (x_1, x_2) of the logic-gate data, in the tables' order.
GATE_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
AND_Y = np.array([[0.0], [0.0], [0.0], [1.0]])  # Table 1
OR_Y = np.array([[0.0], [1.0], [1.0], [1.0]])  # Table 2
XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])  # Table 3


def doc000_worked_example(engine: str = VALUE) -> Example:
    """Doc 000, "Example" (eqs. 39-51): x = [1 1], y = 0, W^1 = [[1 1], [1 1]], b^1 = [0 0], W^2 = [1 1]^T,
    b^2 = 0, f^1 = ReLU, f^2 = Linear, L = (y - a^2)^2 (eq. 11), eta = 0.1. The document gets a^2 = 4,
    s^2 = 8, s^1 = [8 8] and after one step W^1 = 0.2, b^1 = [-0.8 -0.8], W^2 = [-0.6 -0.6]^T, b^2 = -0.8."""
    model = _mlp(2, [np.ones((2, 2)), [[1.0], [1.0]]], [[0.0, 0.0], [0.0]], ["relu", "linear"], engine)
    return Example(model, np.array([[1.0, 1.0]]), np.array([[0.0]]), 0.1, "squared_error", "row", "doc 000, eqs. 39-51")


def doc000_and(engine: str = VALUE) -> Example:
    """Doc 000, "A Corresponding SLP" for the AND data (Table 1): W^1 = [1 1]^T, b^1 = -1.5, HardLimit
    (eq. 4)."""
    model = _mlp(2, [[[1.0], [1.0]]], [[-1.5]], ["hardlimit"], engine)
    return Example(model, GATE_X.copy(), AND_Y.copy(), None, "squared_error", "row", "doc 000, Table 1")


def doc000_or(engine: str = VALUE) -> Example:
    """Doc 000, "A Corresponding SLP" for the OR data (Table 2): W^1 = [1 1]^T, b^1 = -0.5, HardLimit."""
    model = _mlp(2, [[[1.0], [1.0]]], [[-0.5]], ["hardlimit"], engine)
    return Example(model, GATE_X.copy(), OR_Y.copy(), None, "squared_error", "row", "doc 000, Table 2")


def doc000_xor_mlp(engine: str = VALUE) -> Example:
    """Doc 000, "A MLP for the Logical XOR Data": W^1 = [[1 -1], [-1 1]], b^1 = [-0.5 -0.5],
    W^2 = [1 1]^T, b^2 = -0.5, HardLimit on both layers (eq. 4); on Table 3's inputs it outputs XOR."""
    model = _mlp(
        2, [[[1.0, -1.0], [-1.0, 1.0]], [[1.0], [1.0]]], [[-0.5, -0.5], [-0.5]], ["hardlimit", "hardlimit"], engine
    )
    return Example(model, GATE_X.copy(), XOR_Y.copy(), None, "squared_error", "row", "doc 000, Table 3")


def doc004_xor_sigmoid(engine: str = VALUE, seed: int = 0) -> Example:
    """Doc 004 ("ML-LAB VI"): the XOR network with sigmoid units (2 inputs, 2 hidden, 1 output) that
    backpropagation trains, Err = 1/2 sum (c - y)^2, BEFORE training: the document starts from random weights,
    here ``MLP(2, [2, 1], activation="sigmoid", seed=seed)``'s. On Table 3's XOR data every sample has a
    non-zero loss, so a backward pass shows gradients flowing (unlike doc 000's HardLimit XOR network)."""
    model = MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid", engine=engine, seed=seed)
    return Example(model, GATE_X.copy(), XOR_Y.copy(), None, "half_squared_error", "row", "doc 004, ML-LAB VI")


def doc002_worked_example(engine: str = VALUE) -> Example:
    """Doc 002, "Back Propagation - Example": 2 inputs, 2 sigmoid hidden units, 2 sigmoid outputs;
    x = (0.05, 0.1), y = (0.01, 0.99); w^[1]_{1,1} = 0.15, w^[1]_{1,2} = 0.2, w^[1]_{2,1} = 0.25,
    w^[1]_{2,2} = 0.3, b^[1] = 0.35; w^[2]_{1,1} = 0.4, w^[2]_{1,2} = 0.45, w^[2]_{2,1} = 0.5,
    w^[2]_{2,2} = 0.55, b^[2] = 0.6 (w_{i,j}: node i, input j, so our W[j-1, i-1]); L = 1/2 ||y~ - y||^2.
    The document prints L = 0.2984, outputs 0.7514 and 0.7729, dL/dw^[2]_{1,1} = 0.7414 x 0.1868 x
    0.5933. No learning rate is given (eta None)."""
    W1_doc = np.array([[0.15, 0.2], [0.25, 0.3]])  # doc 002's W^[1] (node x input)
    W2_doc = np.array([[0.4, 0.45], [0.5, 0.55]])
    model = _mlp(2, [W1_doc.T, W2_doc.T], [[0.35, 0.35], [0.6, 0.6]], ["sigmoid", "sigmoid"], engine)
    return Example(
        model,
        np.array([[0.05, 0.1]]),
        np.array([[0.01, 0.99]]),
        None,
        "half_squared_error",
        "column",
        "doc 002, Back Propagation - Example",
    )


def doc003_forward_example(engine: str = VALUE) -> Example:
    """Doc 003, "Non-Vectorized Forward Propagation": inputs n_1 = 0.2, n_2 = 0.3; w_13 = 4, w_14 = 5,
    w_15 = 6, w_23 = 5, w_24 = 6, w_25 = 7, w_36 = 9, w_46 = 10, w_56 = 11, all biases 1, sigmoid units.
    The document gets n_3 = 0.964, n_4 = 0.978, n_5 = 0.987 and n_6 = sigma(30.313) = 1. No target
    (y None)."""
    W1 = [[4.0, 5.0, 6.0], [5.0, 6.0, 7.0]]  # row i = input n_(i+1), column j = unit n_(j+3): w_(i)(j)
    W2 = [[9.0], [10.0], [11.0]]
    model = _mlp(2, [W1, W2], [[1.0, 1.0, 1.0], [1.0]], ["sigmoid", "sigmoid"], engine)
    return Example(
        model,
        np.array([[0.2, 0.3]]),
        None,
        None,
        "half_squared_error",
        "column",
        "doc 003, Non-Vectorized Forward Propagation",
    )


def doc003_problem1(engine: str = VALUE) -> Example:
    """Doc 003, "Problems" no. 1: W_1 = [[2 3 4], [2 1 2], [3 5 1], [2 3 4]], W_2 = [[3 1 1 1], [1 4 2 2]],
    x_0 = [2 1 3]^T, b_1 = [4 1 1 2]^T, b_2 = [2 3]^T, linear units ("y = x, which always has a
    derivative of 1"), target t = [4 5]^T, alpha = 0.1, E = 1/2 ||x_2 - t||^2. Column-form W_i, so the
    model holds W_i.T."""
    W1_doc = np.array([[2.0, 3.0, 4.0], [2.0, 1.0, 2.0], [3.0, 5.0, 1.0], [2.0, 3.0, 4.0]])
    W2_doc = np.array([[3.0, 1.0, 1.0, 1.0], [1.0, 4.0, 2.0, 2.0]])
    model = _mlp(3, [W1_doc.T, W2_doc.T], [[4.0, 1.0, 1.0, 2.0], [2.0, 3.0]], ["linear", "linear"], engine)
    return Example(
        model,
        np.array([[2.0, 1.0, 3.0]]),
        np.array([[4.0, 5.0]]),
        0.1,
        "half_squared_error",
        "column",
        "doc 003, Problems, no. 1",
    )


@dataclass(frozen=True)
class Network:
    """One entry of :data:`NETWORKS`: ``builder(engine=...)`` returns the :class:`Example`; ``description``
    says in one line what it is."""

    builder: Callable[..., Example]
    description: str

    def build(self, engine: str = VALUE) -> Example:
        """``builder(engine=engine)``."""
        return self.builder(engine=engine)


#: the documents' networks by short name (the command line's ``graph`` and ``check`` read this registry).
NETWORKS: dict[str, Network] = {
    "xor_sigmoid": Network(doc004_xor_sigmoid, "doc 004's sigmoid 2-2-1 XOR network before training (seed 0)"),
    "xor": Network(doc000_xor_mlp, "doc 000's hand-designed HardLimit MLP for XOR (W1 = [[1, -1], [-1, 1]], ...)"),
    "worked": Network(doc000_worked_example, "doc 000's worked ReLU/Linear example (eqs. 39-51)"),
    "and": Network(doc000_and, "doc 000's single-layer perceptron for AND (W = [1 1]^T, b = -1.5)"),
    "or": Network(doc000_or, "doc 000's single-layer perceptron for OR (W = [1 1]^T, b = -0.5)"),
    "doc002": Network(doc002_worked_example, "doc 002's 2-2-2 sigmoid worked example (L = 0.2984)"),
    "doc003": Network(doc003_forward_example, "doc 003's 2-3-1 sigmoid forward example (no target, no backward)"),
    "problem1": Network(doc003_problem1, "doc 003's exercise Problem 1 (linear units, t = [4, 5])"),
}


# ------------------------------------------------------------------------------------------------------
# The documents' derivations, for the derivation checker (nn/derivation.py)
# ------------------------------------------------------------------------------------------------------


@dataclass
class DocumentCheck:
    """One derivation-checker call: ``formula`` (the document's hand-derived expression, numpy) against
    ``equals`` (an ``nn.derivation.Grad``, autograd's derivative, or a function for an identity) on the
    hypothesis strategies ``inputs``. ``holds`` is the outcome expected (False for a formula the checker
    refutes); ``source`` cites the document."""

    name: str
    formula: Callable[..., Any]
    equals: Any
    inputs: Any
    holds: bool = True
    source: str = ""

    def run(self, **kwargs: Any) -> Any:
        """``nn.derivation.check(formula, equals, inputs, name=name, **kwargs)`` -> CheckResult."""
        from .derivation import check

        return check(self.formula, self.equals, self.inputs, name=self.name, **kwargs)


# The documents' hand-derived formulas (numpy) and the losses autograd differentiates to check them.


def _eq24(n: Array, y: Array) -> Array:  # s^l = -2 (y - a^l) f'(n^l), f = sigma
    a = sigmoid(n)
    return -2.0 * (y - a) * a * (1.0 - a)


def _eq33(n: Array, W: Array, b: Array, y: Array) -> Array:  # s^k = s^(k+1) (W^(k+1))^T F'^k(n^k)
    a1 = np.tanh(n)  # f^k = tanh
    a2 = sigmoid(b + a1 @ W)  # f^(k+1) = sigma
    s2 = -2.0 * (y - a2) * a2 * (1.0 - a2)  # eq. 24
    return (s2 @ W.T) * (1.0 - a1**2)  # F'^k as the elementwise product


def _eq33_loss(n: Any, W: Any, b: Any, y: Any) -> Any:
    return ((y - ((n.tanh() @ W) + b).sigmoid()) ** 2).sum()


def _delta_base(z: Array, y: Array) -> Array:  # doc 002: (a - y) (.) g'(z), g = sigma
    a = sigmoid(z)
    return (a - y) * a * (1.0 - a)


def _delta_logloss(z: Array, y: Array) -> Array:  # doc 002: -(y/a - (1-y)/(1-a)) (.) sigma'(z)
    a = sigmoid(z)
    return -(y / a - (1.0 - y) / (1.0 - a)) * a * (1.0 - a)


def _logloss(z: Any, y: Any) -> Any:
    a = z.sigmoid()
    return -(y * a.log() + (1.0 - y) * (1.0 - a).log()).sum()


def _delta_hidden(z1: Array, W2: Array, b2: Array, y: Array) -> Array:  # (W^[2]T delta^2) (.) g'(z^[1])
    a1 = sigmoid(z1)
    a2 = sigmoid(W2 @ a1 + b2)
    delta2 = (a2 - y) * a2 * (1.0 - a2)
    return (W2.T @ delta2) * a1 * (1.0 - a1)


def _two_layer_loss(z1: Any, W2: Any, b2: Any, y: Any) -> Any:
    return 0.5 * ((((W2 @ z1.sigmoid()) + b2).sigmoid() - y) ** 2).sum()


def _dL_dW2(z1: Array, W2: Array, b2: Array, y: Array) -> Array:  # delta^2 a^[1]T
    a1 = sigmoid(z1)
    a2 = sigmoid(W2 @ a1 + b2)
    return ((a2 - y) * a2 * (1.0 - a2)) @ a1.T


def _doc003_dW1(x0: Array, W1: Array, W2: Array, y: Array) -> Array:  # delta_1 x_0^T, no biases
    x1 = sigmoid(W1 @ x0)
    x2 = sigmoid(W2 @ x1)
    delta2 = (x2 - y) * x2 * (1.0 - x2)
    delta1 = (W2.T @ delta2) * x1 * (1.0 - x1)
    return delta1 @ x0.T


def _doc003_loss(x0: Any, W1: Any, W2: Any, y: Any) -> Any:
    return 0.5 * (((W2 @ (W1 @ x0).sigmoid()).sigmoid() - y) ** 2).sum()


def _doc001_sigmoid_delta(n: Array, t: Array) -> Array:  # delta_k = (t_k - z_k) z_k (1 - z_k)
    z = sigmoid(n)
    return (t - z) * z * (1.0 - z)


def document_checks() -> list[DocumentCheck]:
    """The documents' formulas as derivation-checker calls (needs hypothesis): the activation derivatives
    (docs 000-003), doc 000's eq. 24 and eq. 33, doc 002's delta equations, doc 003's dE/dW_1, doc 001's
    output deltas, and doc 001's softmax + cross-entropy claim delta_k = t_k (1 - z_k), which FAILS (the
    true value is t_k - z_k when the targets sum to one, also listed)."""
    from .derivation import Grad, floats, one_hot_and_logits

    def nonzero(lo: float, hi: float, shape: int | tuple[int, ...] = ()) -> Any:
        return floats(lo, hi, shape).filter(lambda x: bool(np.all(x != 0)))

    col3, col2 = (3, 1), (2, 1)
    return [
        DocumentCheck(
            "sigma'(x) = sigma(x)(1 - sigma(x))",
            lambda x: sigmoid(x) * (1.0 - sigmoid(x)),
            Grad(lambda x: x.sigmoid(), "x"),
            {"x": floats(-30, 30)},
            True,
            "doc 001 Example 1; doc 002; doc 003",
        ),
        DocumentCheck(
            "tanh'(x) = 1 - tanh(x)^2",
            lambda x: 1.0 - np.tanh(x) ** 2,
            Grad(lambda x: x.tanh(), "x"),
            {"x": floats(-20, 20)},
            True,
            "doc 002",
        ),
        DocumentCheck(
            "tanh(x) = 2 sigma(2x) - 1",
            lambda x: 2.0 * sigmoid(2.0 * x) - 1.0,
            lambda x: np.tanh(x),
            {"x": floats(-20, 20)},
            True,
            "doc 000, eq. 38",
        ),
        DocumentCheck(
            "ReLU'(z) = 1 if z >= 0 else 0 (z != 0)",
            lambda x: np.where(x >= 0, 1.0, 0.0),
            Grad(lambda x: x.relu(), "x"),
            {"x": nonzero(-10, 10)},
            True,
            "doc 002 (not differentiable at 0)",
        ),
        DocumentCheck(
            "LeakyReLU'(z) = 1 if z >= 0 else 0.01 (z != 0)",
            lambda x: np.where(x >= 0, 1.0, LEAKY_ALPHA),
            Grad(lambda x: x.leaky_relu(LEAKY_ALPHA), "x"),
            {"x": nonzero(-10, 10)},
            True,
            "doc 002",
        ),
        DocumentCheck(
            "eq. 24: s^l = -2 (y - a^l) f'(n^l)",
            _eq24,
            Grad(lambda n, y: ((y - n.sigmoid()) ** 2).sum(), "n"),
            {"n": floats(-10, 10, (1, 3)), "y": floats(-1, 2, (1, 3))},
            True,
            "doc 000, eq. 24",
        ),
        DocumentCheck(
            "eq. 33: s^k = s^(k+1) (W^(k+1))^T F'^k(n^k)",
            _eq33,
            Grad(_eq33_loss, "n"),
            {
                "n": floats(-3, 3, (1, 3)),
                "W": floats(-2, 2, (3, 2)),
                "b": floats(-1, 1, (2,)),
                "y": floats(0, 1, (1, 2)),
            },
            True,
            "doc 000, eq. 33",
        ),
        DocumentCheck(
            "delta^L = (a^[L] - y) (.) g'(z^[L])",
            _delta_base,
            Grad(lambda z, y: 0.5 * ((z.sigmoid() - y) ** 2).sum(), "z"),
            {"z": floats(-10, 10, col2), "y": floats(0, 1, col2)},
            True,
            "doc 002, base case (squared error)",
        ),
        DocumentCheck(
            "delta^L = -(y/a - (1-y)/(1-a)) (.) g'(z^[L]) = a - y",
            _delta_logloss,
            Grad(_logloss, "z"),
            {"z": floats(-8, 8, col2), "y": floats(0, 1, col2)},
            True,
            "doc 002, log loss",
        ),
        DocumentCheck(
            "delta^l = (W^[l+1]T delta^(l+1)) (.) g'(z^[l])",
            _delta_hidden,
            Grad(_two_layer_loss, "z1"),
            {
                "z1": floats(-4, 4, col3),
                "W2": floats(-2, 2, (2, 3)),
                "b2": floats(-1, 1, col2),
                "y": floats(0, 1, col2),
            },
            True,
            "doc 002, Key Equations",
        ),
        DocumentCheck(
            "dL/dW^[l] = delta^l a^[l-1]T",
            _dL_dW2,
            Grad(_two_layer_loss, "W2"),
            {
                "z1": floats(-4, 4, col3),
                "W2": floats(-2, 2, (2, 3)),
                "b2": floats(-1, 1, col2),
                "y": floats(0, 1, col2),
            },
            True,
            "doc 002, Key Equations",
        ),
        DocumentCheck(
            "dE/dW_1 = delta_1 x_0^T",
            _doc003_dW1,
            Grad(_doc003_loss, "W1"),
            {
                "x0": floats(-2, 2, col3),
                "W1": floats(-2, 2, (4, 3)),
                "W2": floats(-2, 2, (2, 4)),
                "y": floats(0, 1, col2),
            },
            True,
            "doc 003, Vectorized Backpropagation",
        ),
        DocumentCheck(
            "delta_k = (t_k - z_k) z_k (1 - z_k)",
            _doc001_sigmoid_delta,
            Grad(lambda n, t: 0.5 * ((t - n.sigmoid()) ** 2).sum(), "n", negate=True),
            {"n": floats(-10, 10, (3,)), "t": floats(0, 1, (3,))},
            True,
            "doc 001, Example 1 (sigmoid, squared loss)",
        ),
        DocumentCheck(
            "softmax + cross-entropy: delta_k = t_k (1 - z_k)",
            lambda n, t: t * (1.0 - softmax(n)),
            Grad(lambda n, t: -(t * n.log_softmax()).sum(), "n", negate=True),
            one_hot_and_logits(),
            False,
            "doc 001, Example 2 (drops the cross terms of the softmax Jacobian)",
        ),
        DocumentCheck(
            "softmax + cross-entropy: delta_k = t_k - z_k (corrected)",
            lambda n, t: t - softmax(n),
            Grad(lambda n, t: -(t * n.log_softmax()).sum(), "n", negate=True),
            one_hot_and_logits(),
            True,
            "doc 001, Example 2, corrected",
        ),
    ]


__all__ = [
    "AND_Y",
    "GATE_X",
    "NETWORKS",
    "OR_Y",
    "XOR_Y",
    "DocumentCheck",
    "Example",
    "Network",
    "doc000_and",
    "doc000_or",
    "doc000_worked_example",
    "doc000_xor_mlp",
    "doc002_worked_example",
    "doc003_forward_example",
    "doc003_problem1",
    "doc004_xor_sigmoid",
    "document_checks",
]

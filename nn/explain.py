"""The engine's derivation of one training step, grouped per layer in doc 000's notation.

``explain_step(model, x, y, loss, eta)`` runs the forward pass and the engine's reverse pass
(:func:`autograd_mini.explain`) on one batch and returns a :class:`NetworkExplanation`: for each layer k,
from the output back, the sensitivity s^k = ∂L/∂n^k (doc 000, eqs. 18, 24 and 33), the gradients ∂L/∂W^k and
∂L/∂b^k, the updated weights W^k − η ∂L/∂W^k, b^k − η ∂L/∂b^k (eq. 34's update; doc 000's worked example,
eqs. 45-51), and the engine's own steps for that layer's nodes. The model is not changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import autograd_mini as ag
from autograd_mini.explain import Explanation, Step, latex_name, latex_num

from .layers import MLP
from .losses import get_loss
from .module import VALUE


def _arr(x: Any) -> str:
    a = np.asarray(x, dtype=np.float64)
    with np.printoptions(precision=6, suppress=True, threshold=40, edgeitems=3, floatmode="maxprec"):
        return np.array2string(a, separator=" ")


def _line(prefix: str, x: Any) -> str:
    """``prefix`` then the array, its further rows aligned under the first."""
    return prefix + _arr(x).replace("\n", "\n" + " " * len(prefix))


@dataclass
class LayerStep:
    """Layer k's part of the reverse pass (arrays in doc 000's row layout: W of shape (n_in, n_out))."""

    k: int
    s: np.ndarray  # dL/dn^k, (batch, n_out)
    dW: np.ndarray
    db: np.ndarray
    W_new: np.ndarray | None
    b_new: np.ndarray | None
    steps: list[Step] = field(default_factory=list)

    def text(self, detail: bool) -> str:
        k = self.k
        s = self.s[0] if self.s.shape[0] == 1 else self.s
        lines = [
            f"Layer {k}:",
            _line(f"  s^{k} = ∂L/∂n^{k} = ", s),
            _line(f"  ∂L/∂W^{k} = ", self.dW),
            _line(f"  ∂L/∂b^{k} = ", self.db),
        ]
        if self.W_new is not None and self.b_new is not None:
            lines += [
                _line(f"  W^{k} ← W^{k} − η ∂L/∂W^{k} = ", self.W_new),
                _line(f"  b^{k} ← b^{k} − η ∂L/∂b^{k} = ", self.b_new),
            ]
        if detail:
            lines += ["    " + line for step in self.steps for line in step.text().split("\n")]
        return "\n".join(lines)

    def markdown(self) -> str:
        k = self.k
        s = self.s[0] if self.s.shape[0] == 1 else self.s
        rows = [
            f"**Layer {k}**",
            "",
            f"- $s^{{{k}}} = \\frac{{\\partial L}}{{\\partial n^{{{k}}}}} = {latex_num(s)}$",
            f"- $\\frac{{\\partial L}}{{\\partial W^{{{k}}}}} = {latex_num(self.dW)}$",
            f"- $\\frac{{\\partial L}}{{\\partial b^{{{k}}}}} = {latex_num(self.db)}$",
        ]
        if self.W_new is not None and self.b_new is not None:
            rows += [
                f"- $W^{{{k}}} \\leftarrow W^{{{k}}} - \\eta \\frac{{\\partial L}}{{\\partial W^{{{k}}}}}"
                f" = {latex_num(self.W_new)}$",
                f"- $b^{{{k}}} \\leftarrow b^{{{k}}} - \\eta \\frac{{\\partial L}}{{\\partial b^{{{k}}}}}"
                f" = {latex_num(self.b_new)}$",
            ]
        return "\n".join(rows)


@dataclass
class NetworkExplanation:
    """One training step of an MLP explained per layer (output layer first); ``engine`` is the full
    step-by-step :class:`autograd_mini.explain.Explanation`. ``detail=True`` in :meth:`text` adds it."""

    loss: float
    output: np.ndarray
    eta: float | None
    layers: list[LayerStep]
    engine: Explanation

    def text(self, detail: bool = False) -> str:
        eta = "" if self.eta is None else f", η = {self.eta:g}"
        lines = [
            _line(f"Forward: L = {self.loss:.6g}{eta}, a^{len(self.layers)} = ", self.output),
            "Backward (output layer first):",
        ]
        lines += [layer.text(detail) for layer in self.layers]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()

    def _repr_markdown_(self) -> str:
        eta = "" if self.eta is None else f", $\\eta = {self.eta:g}$"
        head = (
            f"Forward: ${latex_name('a^' + str(len(self.layers)))} = {latex_num(self.output)}$, "
            f"$L = {self.loss:.6g}${eta}\n"
        )
        return "\n\n".join([head, *(layer.markdown() for layer in self.layers)])


def _value_layer_arrays(layer: Any, grads: dict[Any, Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    s = np.array([[float(grads.get(v, 0.0)) for v in layer.n]])
    dW = np.array([[float(grads.get(neuron.w[i], 0.0)) for neuron in layer.neurons] for i in range(layer.nin)])
    db = np.array([float(grads.get(neuron.b, 0.0)) for neuron in layer.neurons])
    return s, dW, db


def _tensor_layer_arrays(layer: Any, grads: dict[Any, Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    def get(node: Any) -> np.ndarray:
        g = grads.get(node)
        return np.zeros_like(node.data) if g is None else np.asarray(g)

    s = np.atleast_2d(get(layer.n))
    return s, get(layer.weight), get(layer.bias)


def _layer_nodes(layer: Any) -> list[Any]:
    if layer.engine == VALUE:
        nodes = [*layer.n, *(layer.a if isinstance(layer.a, list) else [layer.a])]
        return nodes + [p for neuron in layer.neurons for p in [*neuron.w, neuron.b]]
    return [layer.n, layer.a, layer.weight, layer.bias]


def explain_step(
    model: MLP,
    x: Any,
    y: Any,
    loss: str | Callable[..., Any] = "squared_error",
    eta: float | None = None,
    reduction: str = "sum",
) -> NetworkExplanation:
    """Explain one step of training ``model`` on the batch (x, y) per layer (see the module docstring).

    ``x``: (batch, n_in) (the value engine takes one sample); ``loss``: a name from ``nn.LOSSES`` (called with
    ``reduction``, "sum" as in doc 000's worked example) or a callable ``loss(output, y)``.
    """
    if not isinstance(model, MLP):
        raise TypeError(f"explain_step: expected an nn.MLP, got {type(model).__name__}")
    loss_fn = (lambda out, t: get_loss(loss)(out, t, reduction=reduction)) if isinstance(loss, str) else loss
    x_arr = np.atleast_2d(np.asarray(x, dtype=np.float64))
    y_arr = np.atleast_2d(np.asarray(y, dtype=np.float64))
    if model.engine == VALUE:
        if x_arr.shape[0] != 1:
            raise ValueError(
                f"explain_step: the value engine explains one sample at a time, got {x_arr.shape[0]} "
                "(use the tensor engine for a batch)"
            )
        out = model(list(x_arr[0]))
        outs = out if isinstance(out, list) else [out]
        L = loss_fn(outs, list(y_arr[0]))
        output = np.array([v.data for v in outs])
    else:
        out = model(x_arr)
        L = loss_fn(out, y_arr)
        output = np.asarray(out.data)
    engine = ag.explain(L)
    layers = []
    for layer in reversed(model.layers):
        arrays = _value_layer_arrays if model.engine == VALUE else _tensor_layer_arrays
        s, dW, db = arrays(layer, engine.grads)
        W_new = None if eta is None else layer.W - eta * dW
        b_new = None if eta is None else layer.b - eta * db
        layers.append(LayerStep(layer.k, s, dW, db, W_new, b_new, engine.steps_for(_layer_nodes(layer))))
    return NetworkExplanation(float(np.asarray(L.data).sum()), output, eta, layers, engine)


__all__ = ["LayerStep", "NetworkExplanation", "explain_step"]


def _one_line(x: Any) -> str:
    a = np.asarray(x, dtype=np.float64)
    with np.printoptions(precision=6, suppress=True, threshold=12, edgeitems=2, floatmode="maxprec"):
        return " ".join(np.array2string(a, separator=" ").split())


def beside_document(
    model: MLP,
    x: Any,
    y: Any,
    loss: str = "squared_error",
    eta: float | None = None,
    reduction: str = "sum",
    detail: bool = False,
) -> str:
    """The engine's derivation (:func:`explain_step`) beside the document's hand derivation (doc 000's row form,
    :func:`nn.closed_form.backprop_row`: eqs. 24 and 33 for s^k, 17-19 for the gradients, 48-51 for the
    update), one quantity per line, output layer first, each with ``=`` when the two agree to 1e-12."""
    from . import closed_form as cf

    ex = explain_step(model, x, y, loss, eta, reduction)
    Ws, bs = [layer.W for layer in model.layers], [layer.b for layer in model.layers]
    doc = cf.backprop_row(Ws, bs, [layer.activation for layer in model.layers], x, y, loss=loss, reduction=reduction)
    new = cf.sgd_update_row(Ws, bs, doc, eta) if eta is not None else None
    rows: list[tuple[str, Any, Any]] = [("L", doc.loss, ex.loss)]
    for step in ex.layers:
        k = step.k
        rows += [
            (f"s^{k} = ∂L/∂n^{k}", doc.s[k - 1], step.s),
            (f"∂L/∂W^{k}", doc.dW[k - 1], step.dW),
            (f"∂L/∂b^{k}", doc.db[k - 1], step.db),
        ]
        if new is not None:
            rows += [
                (f"W^{k} after the step", new[0][k - 1], step.W_new),
                (f"b^{k} after the step", new[1][k - 1], step.b_new),
            ]
    cells = [(name, _one_line(d), _one_line(e), bool(np.allclose(d, e, rtol=1e-12, atol=1e-12))) for name, d, e in rows]
    w0 = max(len(c[0]) for c in cells)
    w1 = max(len("document (by hand)"), *(len(c[1]) for c in cells))
    lines = [f"{'':<{w0}}  {'document (by hand)':<{w1}}    engine (reverse pass)"]
    if w0 + 2 * w1 > 110:  # too wide for one line per quantity: each side on its own line
        lines = [
            f"{name}\n    document (by hand):    {d}\n  {'=' if same else '≠'} engine (reverse pass): {e}"
            for name, d, e, same in cells
        ]
    else:
        lines += [f"{name:<{w0}}  {d:<{w1}}  {'=' if same else '≠'} {e}" for name, d, e, same in cells]
    if detail:
        lines += ["", str(ex.engine)]
    return "\n".join(lines)


__all__ += ["beside_document"]

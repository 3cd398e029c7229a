"""The documents' worked examples, replayed step by step: hand-derived beside automatic.

For each example the forward pass, the loss, the sensitivities, the gradients and the updated weights are
computed twice and printed side by side:

* hand: the documents' own equations in numpy (``nn.closed_form``: doc 000's row-vector backprop, eqs. 21-33,
  or docs 002-003's column-vector backprop, delta^L = (a^[L] - y) (.) g'(z^[L])), each in its document's
  notation and layout (doc 000: W^k is n_in x n_out; docs 002-003: W^[l] is n_out x n_in, our W.T);
* autograd: the network built with ``nn`` (``nn.documents``), its loss, one ``backward()`` (the sensitivities
  are the net inputs' ``.grad``, doc 000 eq. 18) and one ``nn.SGD`` step.

Examples: doc 000's ReLU/Linear network (eqs. 39-51), doc 002's 2-2-2 sigmoid network (L = 0.2984), doc 003's
sigmoid forward example (0.964, 0.978, 0.987, sigma(30.313)) and the solution of doc 003's exercise
"Problem 1" (linear units, t = [4, 5], alpha = 0.1). Where a document prints a number, the run is checked
against it. Each example ends with ``nn.report.compare``'s hand-vs-auto table. No pictures unless
``--graphs``: then each example's computation graph (textbook notation, sensitivities) is written as SVG.

Matrices are printed row by row with rows separated by ";", so a column vector reads [119; 146].

Run ``python examples/worked_examples.py [--engine value|tensor] [--graphs] [--out out/worked_examples]``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from _common import make_parser, out_dir  # noqa: E402

import autograd_mini as ag  # noqa: E402
import nn  # noqa: E402
from nn import closed_form as cf  # noqa: E402
from nn import documents  # noqa: E402
from nn.optim import SGD  # noqa: E402
from nn.report import compare  # noqa: E402

#: doc 002 gives no learning rate; this is the one of the classic version of its example.
DOC002_ETA = 0.5


def fmt(a: Any) -> str:
    """A number or an array on one line, up to 6 significant digits; a matrix row by row, rows separated by
    ";" (so a column vector reads [119; 146])."""
    arr = np.asarray(a, dtype=float)
    if arr.ndim == 0:
        return f"{float(arr):.6g}"
    if arr.ndim == 1:
        return "[" + ", ".join(f"{v:.6g}" for v in arr) + "]"
    return "[" + "; ".join(", ".join(f"{v:.6g}" for v in row) for row in arr.reshape(arr.shape[0], -1)) + "]"


def close(a: Any, b: Any) -> bool:
    return bool(np.allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=1e-9, atol=1e-12))


@dataclass
class Side:
    """One side's numbers in doc 000's row layout (samples as rows, W as n_in x n_out)."""

    n: list[np.ndarray]
    a: list[np.ndarray]
    loss: float | None = None
    s: list[np.ndarray] | None = None
    dW: list[np.ndarray] | None = None
    db: list[np.ndarray] | None = None
    W: list[np.ndarray] | None = None
    b: list[np.ndarray] | None = None


class Printer:
    """Prints "quantity  hand ...  autograd ...  agree" rows and counts disagreements."""

    def __init__(self) -> None:
        self.mismatches = 0

    def row(self, name: str, hand: Any, auto: Any, doc: Any = None) -> None:
        ok = close(hand, auto)
        self.mismatches += not ok
        h, a = fmt(hand), fmt(auto)
        verdict = "agree" if ok else "DIFFER"
        if doc is not None:
            matches = bool(
                np.allclose(np.asarray(auto, dtype=float), np.asarray(doc, dtype=float), atol=5e-4, rtol=5e-4)
            )
            self.mismatches += not matches
            verdict += f", document: {fmt(doc)} {'(matches)' if matches else '(DOES NOT MATCH)'}"
        if len(h) + len(a) <= 60:
            print(f"  {name:<16} hand {h:<30} autograd {a:<30} {verdict}")
        else:
            print(f"  {name:<16} hand     {h}")
            print(f"  {'':<16} autograd {a}   {verdict}")


def autograd_side(model: nn.MLP, x: np.ndarray, y: np.ndarray | None, loss: str, eta: float | None) -> Side:
    """Forward, loss, backward and one SGD step with nn on one sample (a row x)."""
    engine = model.engine
    out = model(list(x[0]) if engine == nn.VALUE else x)
    layers = model.layers

    def rows(nodes: Any, attr: str) -> np.ndarray:
        if engine == nn.VALUE:
            return np.array([[getattr(v, attr) for v in nodes]])
        value = getattr(nodes, attr)
        return np.zeros_like(nodes.data) if value is None else np.array(value)

    side = Side(n=[rows(layer.n, "data") for layer in layers], a=[x] + [rows(layer.a, "data") for layer in layers])
    if y is None:
        return side
    L = nn.get_loss(loss)(out, y[0] if engine == nn.VALUE else y, reduction="sum")
    model.zero_grad()
    L.backward()
    side.loss = float(L.data)
    side.s = [rows(layer.n, "grad") for layer in layers]
    side.dW, side.db = [], []
    for layer in layers:
        if engine == nn.VALUE:
            side.dW.append(np.array([[nrn.w[i].grad for nrn in layer.neurons] for i in range(layer.nin)]))
            side.db.append(np.array([nrn.b.grad for nrn in layer.neurons]))
        else:
            side.dW.append(np.array(layer.weight.grad))
            side.db.append(np.array(layer.bias.grad))
    if eta is not None:
        SGD(model.parameters(), lr=eta).step()
        side.W = [layer.W for layer in layers]
        side.b = [layer.b for layer in layers]
    return side


def replay(
    title: str,
    example: documents.Example,
    eta: float | None,
    expected: dict[str, Any],
    printer: Printer,
    out: Path | None,
) -> None:
    """Print one worked example step by step, hand beside autograd (and the document's numbers)."""
    model, x, y, _ = example
    column = example.convention == "column"
    acts = [layer.activation for layer in model.layers]
    Ws = [layer.W for layer in model.layers]
    bs = [layer.b for layer in model.layers]
    print(f"\n== {title} ==")
    print(
        f"   ({example.source}; network {model.nin}-{'-'.join(str(la.nout) for la in model.layers)} "
        f"[{', '.join(acts)}], loss {example.loss}" + (f", learning rate {eta:g})" if eta is not None else ")")
    )

    # hand side, in the document's own layout
    if column:
        Wc = [W.T for W in Ws]
        if y is None:
            z, a = cf.forward_column(Wc, bs, acts, x.T)
            hand = Side(n=[v.T for v in z], a=[v.T for v in a])
        else:
            res = cf.backprop_column(Wc, bs, acts, x.T, y.T, loss=example.loss)
            hand = Side(
                n=[v.T for v in res.z],
                a=[v.T for v in res.a],
                loss=res.loss,
                s=[d.T for d in res.delta],
                dW=[g.T for g in res.dW],
                db=res.db,
            )
            if eta is not None:
                new_W, new_b = cf.sgd_update_column(Wc, bs, res, eta)
                hand.W, hand.b = [W.T for W in new_W], new_b
    else:
        r = cf.backprop_row(Ws, bs, acts, x, y, loss=example.loss)
        hand = Side(n=r.n, a=r.a, loss=r.loss, s=r.s, dW=r.dW, db=r.db)
        if eta is not None:
            hand.W, hand.b = cf.sgd_update_row(Ws, bs, r, eta)
    auto = autograd_side(model, x, y, example.loss, eta)

    # names in the document's notation; column layout shown as the document does (W^[l] = W.T, columns)
    def show(v: np.ndarray) -> np.ndarray:
        return v.T if column and v.ndim == 2 else v

    n_, a_, s_, W_, b_ = (
        ("z^[{}]", "a^[{}]", "delta^{}", "W^[{}]", "b^[{}]") if column else ("n^{}", "a^{}", "s^{}", "W^{}", "b^{}")
    )
    print(" forward pass")
    printer.row(a_.format(0) + " = x", show(hand.a[0]), show(auto.a[0]))
    for k in range(1, len(acts) + 1):
        printer.row(n_.format(k), show(hand.n[k - 1]), show(auto.n[k - 1]), expected.get(f"n{k}"))
        printer.row(a_.format(k), show(hand.a[k]), show(auto.a[k]), expected.get(f"a{k}"))
    if y is None:
        return
    assert hand.s is not None and auto.s is not None and hand.dW is not None and auto.dW is not None
    assert hand.db is not None and auto.db is not None
    print(" loss")
    printer.row("L", hand.loss, auto.loss, expected.get("L"))
    print(" backward pass: sensitivities (last layer first)")
    for k in range(len(acts), 0, -1):
        printer.row(s_.format(k), show(hand.s[k - 1]), show(auto.s[k - 1]), expected.get(f"s{k}"))
    print(" gradients")
    for k in range(len(acts), 0, -1):
        printer.row("dL/d" + W_.format(k), show(hand.dW[k - 1]), show(auto.dW[k - 1]))
        printer.row("dL/d" + b_.format(k), show(hand.db[k - 1].reshape(-1)), show(auto.db[k - 1]))
    if hand.W is not None and auto.W is not None and hand.b is not None and auto.b is not None:
        print(f" updated weights (one gradient-descent step, learning rate {eta:g})")
        for k in range(1, len(acts) + 1):
            printer.row(W_.format(k), show(hand.W[k - 1]), show(auto.W[k - 1]), expected.get(f"W{k}"))
            printer.row(b_.format(k), show(hand.b[k - 1].reshape(-1)), show(auto.b[k - 1]), expected.get(f"b{k}"))
    fresh = getattr(documents, example_builder[title])(engine=model.engine)
    report = compare(fresh.model, fresh.x, fresh.y, loss=fresh.loss, convention=fresh.convention)
    printer.mismatches += not report.passed
    print(" nn.report.compare (hand vs autograd, before the step):")
    print("   " + str(report).replace("\n", "\n   "))
    if out is not None:
        g = fresh.model(list(fresh.x[0])) if fresh.model.engine == nn.VALUE else fresh.model(fresh.x)
        L = nn.get_loss(fresh.loss)(g, fresh.y[0] if fresh.model.engine == nn.VALUE else fresh.y, reduction="sum")
        L.label = "L"
        L.backward()
        try:
            path = ag.to_svg(L, out / f"{example_builder[title]}.svg", textbook=True, show_sensitivity=True)
            print(f" graph written to {path}")
        except RuntimeError as exc:  # Graphviz's dot program is missing
            print(f" graph not rendered: {exc}")


#: example title -> the nn.documents builder that makes its network.
example_builder: dict[str, str] = {}


def main(argv: list[str] | None = None) -> int:
    parser = make_parser("worked_examples", __doc__.splitlines()[0])
    parser.add_argument(
        "--engine",
        choices=("value", "tensor"),
        default="value",
        help="autograd engine of the nn networks (scalar Value graph or numpy Tensor)",
    )
    parser.add_argument("--graphs", action="store_true", help="also write each example's graph as SVG to --out")
    parser.add_argument(
        "--eta-002",
        type=float,
        default=DOC002_ETA,
        help="learning rate for doc 002's example (the document gives none)",
    )
    args = parser.parse_args(argv)
    out = out_dir(args.out) if args.graphs else None
    printer = Printer()
    runs: list[tuple[str, str, float | None, dict[str, Any]]] = [
        (
            "doc000_worked_example",
            "doc 000: ReLU/Linear network, first iteration (eqs. 39-51)",
            None,
            {
                "n1": [[2, 2]],
                "a1": [[2, 2]],
                "n2": [[4]],
                "a2": [[4]],
                "L": 16,
                "s2": [[8]],
                "s1": [[8, 8]],
                "W1": [[0.2, 0.2], [0.2, 0.2]],
                "b1": [-0.8, -0.8],
                "W2": [[-0.6], [-0.6]],
                "b2": [-0.8],
            },
        ),
        (
            "doc002_worked_example",
            "doc 002: 2-2-2 sigmoid network, Back Propagation - Example",
            args.eta_002,
            {"n1": [[0.3775], [0.3925]], "a1": [[0.5933], [0.5969]], "a2": [[0.7514], [0.7729]], "L": 0.2984},
        ),
        (
            "doc003_forward_example",
            "doc 003: sigmoid forward propagation example",
            None,
            {"a1": [[0.964], [0.978], [0.987]]},
        ),
        (
            "doc003_problem1",
            "doc 003: Problems, no. 1 (solution)",
            None,
            {
                "n2": [[119], [146]],
                "a2": [[119], [146]],
                "L": 16553,
                "s2": [[115], [141]],
                "s1": [[486], [679], [397], [397]],
                "W1": [[-95.2, -45.6, -141.8], [-133.8, -66.9, -201.7], [-76.4, -34.7, -118.1], [-77.4, -36.7, -115.1]],
                "b1": [-44.6, -66.9, -38.7, -37.7],
                "W2": [[-261.5, -137, -171.5, -240.5], [-323.3, -165.2, -209.5, -294.1]],
                "b2": [-9.5, -11.1],
            },
        ),
    ]
    for builder, title, eta, expected in runs:
        example_builder[title] = builder
        example = getattr(documents, builder)(engine=args.engine)
        replay(title, example, eta if eta is not None else example.eta, expected, printer, out)
        if builder == "doc002_worked_example":
            print(
                f"   doc 002's dL/dw^[2]_1,1 = 0.7414 x 0.1868 x 0.5933 = {0.7414 * 0.1868 * 0.5933:.6f}; "
                f"here (a_1^[2] - y_1) a_1^[2] (1 - a_1^[2]) a_1^[1] before the step = "
                f"{_doc002_check():.6f}"
            )
        if builder == "doc003_forward_example":
            z = 9 * 0.964 + 10 * 0.978 + 11 * 0.987 + 1
            z_exact = float(
                example.model.layers[1].n[0].data if args.engine == "value" else example.model.layers[1].n.data[0, 0]
            )
            print(
                f"   doc 003 rounds the hidden outputs first: 9(0.964) + 10(0.978) + 11(0.987) + 1 = {z:.3f}; "
                f"unrounded z = {z_exact:.4f}, sigma(z) = 1 - {1 - 1 / (1 + np.exp(-z_exact)):.2g}"
            )
    print()
    if printer.mismatches:
        print(f"{printer.mismatches} quantities DIFFER")
        return 1
    print("every quantity agrees: hand-derived = autograd, and both match the documents' printed numbers")
    return 0


def _doc002_check() -> float:
    """dL/dw^[2]_1,1 from the closed form on a fresh copy of doc 002's network (before the step)."""
    fresh = documents.doc002_worked_example()
    assert fresh.y is not None
    Wc = [layer.W.T for layer in fresh.model.layers]
    res = cf.backprop_column(
        Wc, [la.b for la in fresh.model.layers], ["sigmoid", "sigmoid"], fresh.x.T, fresh.y.T, loss="half_squared_error"
    )
    return float(res.dW[1][0, 0])


if __name__ == "__main__":
    raise SystemExit(main())

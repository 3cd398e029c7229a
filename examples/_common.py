"""Helpers shared by the examples: the command line (--out), the output folder and lazy matplotlib.

Not an example itself. Each example puts this folder on ``sys.path`` first so that it runs both as
``python examples/NAME.py`` and when a test imports it by file path.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from nn._extras import require


def make_parser(name: str, description: str) -> argparse.ArgumentParser:
    """An argument parser with the ``--out`` option every example has (default ``out/NAME``)."""
    parser = argparse.ArgumentParser(
        prog=f"python examples/{name}.py",
        description=description,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--out", default=str(Path("out") / name), help="folder the pictures are written to")
    return parser


def out_dir(path: str | Path) -> Path:
    """Create the output folder (and its parents) and return it."""
    out = Path(path)
    out.mkdir(parents=True, exist_ok=True)
    return out


def pyplot() -> Any:
    """matplotlib.pyplot with the non-interactive Agg backend, imported only when a picture is drawn."""
    require("matplotlib", "the examples' pictures").use("Agg")
    return require("matplotlib.pyplot", "the examples' pictures")


def decision_boundary(
    path: Path,
    predict: Callable[[np.ndarray], np.ndarray],
    X: np.ndarray,
    y: np.ndarray,
    title: str,
    lo: Sequence[float] = (-0.5, -0.5),
    hi: Sequence[float] = (1.5, 1.5),
    steps: int = 200,
) -> Path:
    """Save a picture of the regions where ``predict`` (batch of points -> one score per point) is above or
    below its threshold (0.5 for outputs in [0, 1], else 0), with the data points on top."""
    plt = pyplot()
    xx, yy = np.meshgrid(np.linspace(lo[0], hi[0], steps), np.linspace(lo[1], hi[1], steps))
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    scores = np.asarray(predict(grid), dtype=float).reshape(xx.shape)
    threshold = 0.5 if scores.min() >= 0.0 and scores.max() <= 1.0 else 0.0
    fig, ax = plt.subplots(figsize=(4.2, 4.0))
    ax.contourf(xx, yy, (scores > threshold).astype(float), levels=[-0.5, 0.5, 1.5], colors=["#fde2e2", "#dbeafe"])
    ax.contour(xx, yy, scores, levels=[threshold], colors="k", linewidths=1)
    positive = y > (0.5 if y.min() >= 0 else 0.0)
    ax.scatter(
        X[~positive, 0], X[~positive, 1], c="#dc2626", marker="o", edgecolors="k", label="0" if y.min() >= 0 else "-1"
    )
    ax.scatter(
        X[positive, 0], X[positive, 1], c="#2563eb", marker="s", edgecolors="k", label="1" if y.min() >= 0 else "+1"
    )
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title, fontsize=10)
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def truth_table(name: str, X: np.ndarray, outputs: np.ndarray, targets: np.ndarray) -> str:
    """The truth table of a two-input gate, with the network's output beside the target."""
    lines = [f"  x1 x2 | {name:>6} | target", "  ------+--------+-------"]
    for (x1, x2), a, t in zip(X, np.asarray(outputs).reshape(-1), np.asarray(targets).reshape(-1)):
        shown = f"{a:6.3f}" if abs(a - round(a)) > 1e-12 else f"{int(round(a)):6d}"
        lines.append(f"   {int(x1)}  {int(x2)} | {shown} | {int(t):6d}")
    return "\n".join(lines)

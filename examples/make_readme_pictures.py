"""Regenerate the README's pictures of doc 000's worked example (eqs. 39-51), all with one command:

    python examples/make_readme_pictures.py            # writes docs/worked_graph.svg and docs/worked_step_*.svg

* ``worked_graph.svg``: the network after one backward pass in the documents' layout and notation (inputs at
  the left, layer 1, layer 2, the loss at the right; sensitivities s^k_j beside the net inputs).
* ``worked_step_1.svg``, ``worked_step_3.svg``, ``worked_step_7.svg``: three frames of the backward pass step by
  step (``ag.backward_steps``): the first step (L = (n^2 - y)^2 passes 8 back), the output unit passing
  s^2 = 8 to its weights, and the last step (unit 2 of layer 1 passing s^1_2 = 8 to w^1_12, w^1_22 and b^1_2).

``--out DIR`` writes elsewhere; ``--all-frames`` also writes every frame, ``steps.html`` and ``steps.gif``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import autograd_mini as ag
import nn
from nn import documents

FRAMES = (1, 3, 7)


def worked_example_loss() -> ag.Value:
    """Doc 000's worked example after one forward and one backward pass: L = (a^2 - y)^2 = 16."""
    model, X, Y, _ = documents.doc000_worked_example()
    L = nn.get_loss("squared_error")(model(X[0].tolist()), Y[0].tolist(), reduction="sum")
    L.label = "L"
    L.backward()
    return L


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--out",
        default=str(Path(__file__).resolve().parent.parent / "docs"),
        help="folder for the pictures (default: the repository's docs/)",
    )
    parser.add_argument("--all-frames", action="store_true", help="also every frame, steps.html and steps.gif")
    args = parser.parse_args(argv)
    out = Path(args.out)
    L = worked_example_loss()
    caption = (
        "doc 000's worked example (eqs. 39-51): x = [1 1], W^1 = ones, b^1 = 0, ReLU, W^2 = [1 1]^T, "
        "b^2 = 0, linear output, y = 0; L = (y - a^2)^2 = 16 after one backward pass"
    )
    written = [ag.render(ag.draw_network(L, title=caption), out / "worked_graph.svg")]
    steps = ag.backward_steps(L, show_sensitivity=True)
    for k in FRAMES:
        path = out / f"worked_step_{k}.svg"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(steps[k].svg(), encoding="utf-8")
        written.append(path)
    if args.all_frames:
        steps.save(out / "worked_steps")
        written.append(out / "worked_steps")
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

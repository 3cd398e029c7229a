"""micrograd's demo on autograd-mini's value engine: a 2-16-16-1 ReLU MLP separates the two moons.

The same recipe as Karpathy's micrograd ``demo.ipynb``: 100 points of two interleaving moons (labels -1/+1,
``nn.datasets.two_moons``), ``MLP(2, [16, 16, 1])`` (ReLU hidden layers, linear output, one ``Value`` per
number), the SVM "max-margin" loss mean(relu(1 - y_i s_i)) plus the L2 penalty 1e-4 sum p^2, and 100 steps of
full-batch gradient descent with learning rate 1.0 - 0.9 k / 100. It reaches 100% training accuracy; the
decision boundary is drawn to ``out/micrograd_demo/decision_boundary.png``.

The step is written out as micrograd writes it (``model.zero_grad(); total_loss.backward();
p.data -= learning_rate * p.grad``). The hinge loss is doc 001's perceptron criterion with a margin; the
weights are updated by the generic gradient-descent rule W <- W - eta dL/dW (doc 000, eq. 19).

Run ``python examples/micrograd_demo.py [--steps 100] [--samples 100] [--out out/micrograd_demo]``.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from _common import decision_boundary, make_parser, out_dir  # noqa: E402

import nn  # noqa: E402
from autograd_mini import Value  # noqa: E402
from nn.closed_form import forward_row  # noqa: E402
from nn.datasets import two_moons  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = make_parser("micrograd_demo", __doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=100, help="number of two-moons points")
    parser.add_argument("--noise", type=float, default=0.1, help="standard deviation of the moons' noise")
    parser.add_argument("--steps", type=int, default=100, help="gradient-descent steps")
    parser.add_argument("--alpha", type=float, default=1e-4, help="L2 regularization strength")
    parser.add_argument("--data-seed", type=int, default=1, help="seed of the two-moons data")
    parser.add_argument("--seed", type=int, default=1337, help="seed of Python's random for the initial weights")
    args = parser.parse_args(argv)
    out = out_dir(args.out)

    X, y = two_moons(args.samples, noise=args.noise, seed=args.data_seed)
    random.seed(args.seed)  # nn.MLP on the value engine draws its weights from Python's random, as micrograd
    model = nn.MLP(2, [16, 16, 1])
    print(model)
    print(f"number of parameters {len(model.parameters())}")
    inputs = [[Value(float(v), requires_grad=False) for v in row] for row in X]

    def loss() -> tuple[Value, float]:
        scores = [model(row) for row in inputs]
        data_loss = nn.hinge(scores, y, reduction="mean")  # mean of relu(1 - y_i * score_i)
        reg_loss = args.alpha * sum((p * p for p in model.parameters()), Value(0.0))
        accuracy = float(np.mean([(yi > 0) == (s.data > 0) for yi, s in zip(y, scores)]))
        return data_loss + reg_loss, accuracy

    start = time.perf_counter()
    acc = 0.0
    for k in range(args.steps):
        total_loss, acc = loss()
        model.zero_grad()
        total_loss.backward()
        learning_rate = 1.0 - 0.9 * k / args.steps
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        if k % 10 == 0 or k == args.steps - 1:
            print(f"step {k} loss {total_loss.data:.6f}, accuracy {acc * 100:.0f}%")
    _, final_acc = loss()
    print(f"after {args.steps} steps ({time.perf_counter() - start:.1f} s): training accuracy {final_acc * 100:.0f}%")

    Ws = [layer.W for layer in model.layers]
    bs = [layer.b for layer in model.layers]
    acts = [layer.activation for layer in model.layers]
    lo, hi = X.min(axis=0) - 1.0, X.max(axis=0) + 1.0
    path = decision_boundary(
        out / "decision_boundary.png",
        lambda G: forward_row(Ws, bs, acts, G)[1][-1].ravel(),
        X,
        y,
        f"micrograd demo: MLP(2, [16, 16, 1]), accuracy {final_acc * 100:.0f}%",
        lo,
        hi,
    )
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Logic gates: hand-designed perceptrons, the perceptron rule, and backprop on XOR.

Doc 000 ("Shallow Neural Networks") builds AND and OR from a single HardLimit unit, n = b + x W,
a = HardLimit(n) (eqs. 3-5), with W = [1 1]^T and b = -1.5 (AND) or b = -0.5 (OR), and XOR from a two-layer
HardLimit MLP with W^1 = [[1, -1], [-1, 1]], b^1 = [-0.5, -0.5], W^2 = [1 1]^T, b^2 = -0.5. The perceptron
learning rule (eq. 6) finds AND and OR by itself but cannot learn XOR (not linearly separable: it stops
after its epoch limit with ``converged_ = False``). Doc 004's sigmoid MLP (two hidden units P, Q and one
output R, Err = 1/2 sum (c - y_R)^2) learns XOR by backpropagation.

Run ``python examples/logic_gates.py [--out out/logic_gates] [--epochs 1500]``; the decision boundaries are
written as PNG files to the output folder.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Literal

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from _common import decision_boundary, make_parser, out_dir, truth_table  # noqa: E402

import autograd_mini as ag  # noqa: E402
import nn  # noqa: E402
from nn.closed_form import forward_row  # noqa: E402
from nn.datasets import logic_gate  # noqa: E402
from nn.perceptron import Perceptron  # noqa: E402
from nn.train import fit  # noqa: E402

#: doc 000's hand-designed single-layer perceptrons (W is n_in x n_out, doc 000's row-vector form).
HAND_SLP = {"and": ([[1.0], [1.0]], [-1.5]), "or": ([[1.0], [1.0]], [-0.5])}
#: doc 000's HardLimit MLP for XOR.
HAND_XOR = ([[[1.0, -1.0], [-1.0, 1.0]], [[1.0], [1.0]]], [[-0.5, -0.5], [-0.5]])


def hand_slp(gate: str) -> nn.Layer:
    """One HardLimit unit with doc 000's weights for ``gate`` ("and" or "or")."""
    layer = nn.Layer(2, 1, activation="hardlimit", engine=nn.TENSOR)
    layer.set_weights(*HAND_SLP[gate])
    return layer


def hand_xor() -> nn.MLP:
    """Doc 000's two-layer HardLimit MLP for XOR."""
    mlp = nn.MLP(2, [2, 1], activation="hardlimit", output_activation="hardlimit", engine=nn.TENSOR)
    mlp.set_weights(*HAND_XOR)
    return mlp


def tensor_predict(model: nn.Module) -> Callable[[np.ndarray], np.ndarray]:
    """A batch predictor (n, 2) -> (n,) for a tensor-engine model, with no graph recorded."""

    def predict(X: np.ndarray) -> np.ndarray:
        with ag.no_grad():
            return model(X).data.reshape(-1)

    return predict


def main(argv: list[str] | None = None) -> int:
    parser = make_parser("logic_gates", __doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=1500, help="epochs of backprop for the sigmoid XOR network")
    parser.add_argument("--lr", type=float, default=2.0, help="learning rate eta of the sigmoid XOR network")
    parser.add_argument("--seed", type=int, default=0, help="seed of the sigmoid XOR network's initial weights")
    parser.add_argument("--perceptron-epochs", type=int, default=100, help="epoch limit of the perceptron rule")
    args = parser.parse_args(argv)
    out = out_dir(args.out)
    pictures: list[Path] = []

    print("== 1. Hand-designed networks (doc 000) ==")
    hand_gates: tuple[Literal["and", "or"], ...] = ("and", "or")
    for gate in hand_gates:
        X, y = logic_gate(gate)
        slp = hand_slp(gate)
        a = tensor_predict(slp)(X)
        W, b = HAND_SLP[gate]
        print(f"{gate.upper()}: one HardLimit unit, W = {np.ravel(W).tolist()}^T, b = {b[0]}")
        print(truth_table(gate.upper(), X, a, y))
        assert np.array_equal(a, y), f"hand-designed {gate} is wrong"
        pictures.append(
            decision_boundary(
                out / f"{gate}_hand.png", tensor_predict(slp), X, y, f"{gate.upper()}: hand-designed SLP (doc 000)"
            )
        )
    X, y = logic_gate("xor")
    mlp = hand_xor()
    a = tensor_predict(mlp)(X)
    print("XOR: HardLimit MLP, W1 = [[1, -1], [-1, 1]], b1 = [-0.5, -0.5], W2 = [1 1]^T, b2 = -0.5")
    print(truth_table("XOR", X, a, y))
    assert np.array_equal(a, y), "hand-designed xor is wrong"
    pictures.append(
        decision_boundary(out / "xor_hand.png", tensor_predict(mlp), X, y, "XOR: hand-designed HardLimit MLP (doc 000)")
    )

    print("\n== 2. The perceptron learning rule (doc 000, eq. 6) ==")
    all_gates: tuple[Literal["and", "or", "xor"], ...] = ("and", "or", "xor")
    for name in all_gates:
        X, y = logic_gate(name)
        p = Perceptron(2, max_epochs=args.perceptron_epochs).fit(X, y)
        print(
            f"{name.upper():>3}: converged {p.converged_} after {p.n_epochs_} epochs, "
            f"W = {p.W.ravel().tolist()}, b = {p.b.tolist()}, accuracy {p.score(X, y):.2f}"
        )
        verdict = "learned" if p.converged_ else "not linearly separable: no convergence"
        pictures.append(
            decision_boundary(
                out / f"{name}_perceptron.png", p.predict, X, y, f"{name.upper()}: perceptron rule ({verdict})"
            )
        )

    print("\n== 3. XOR by backpropagation: doc 004's sigmoid MLP 2-2-1, Err = 1/2 sum (c - y_R)^2 ==")
    X, y = logic_gate("xor")
    net = nn.MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid", seed=args.seed)
    history = fit(
        net,
        X,
        y.astype(float),
        loss="half_squared_error",
        reduction="sum",
        lr=args.lr,
        epochs=args.epochs,
        progress=False,
    )
    outputs = np.array([net(list(x)).data for x in X])
    print(f"{history.epochs} epochs of full-batch gradient descent (eta = {args.lr}): Err = {history.loss[-1]:.6f}")
    print(truth_table("y_R", X, outputs, y))
    correct = int(np.sum((outputs > 0.5) == (y == 1)))
    print(f"accuracy {correct}/4")
    Ws = [layer.W for layer in net.layers]
    bs = [layer.b for layer in net.layers]
    pictures.append(
        decision_boundary(
            out / "xor_backprop.png",
            lambda G: forward_row(Ws, bs, ["sigmoid", "sigmoid"], G)[1][-1].ravel(),
            X,
            y,
            "XOR: sigmoid MLP trained by backprop (doc 004)",
        )
    )

    print(f"\nwrote {len(pictures)} pictures to {out}/: {', '.join(p.name for p in pictures)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

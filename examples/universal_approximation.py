"""Universal approximation (doc 001): one hidden layer of sigmoids fits a 1-D function, better with more units.

Doc 001 states the theorem, F^(x) = sum_i v_i f(w_i^T x + b_i) can approximate any continuous F, and
explains it with "bumps": a steep sigmoid sigma(w x + b) is nearly a step at s = -b / w (w = 999,
b = -400 gives s = 0.40); two steps with output weights 1.2 and -1.2 make a bump that starts at 0.4, ends at
0.6 and has height 1.2; more pairs of hidden units give more bumps, and more hidden units a better
approximation.

This example shows both halves on the Tensor engine:

1. The bump built from two steep sigmoids (a 1-2-1 network with hand-set weights), and a staircase of
   bumps approximating the target (hand-set too: bump i has the target's height at its centre).
2. Networks 1-h-1 (sigmoid hidden layer, linear output) trained by backprop (Adam, mean squared error) to fit
   sin on [-3, 3] for h = 1, 2, 4, 8, 16. Each width starts from the previous width's trained network plus
   new hidden units whose output weights are 0 (so it starts from the same error and can only add detail);
   the error per width is printed and plotted.

Run ``python examples/universal_approximation.py [--out out/universal_approximation]``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from _common import make_parser, out_dir, pyplot  # noqa: E402

import autograd_mini as ag  # noqa: E402
import nn  # noqa: E402
from nn.train import fit  # noqa: E402

TARGETS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sin": np.sin,
    "cos": np.cos,
    "tanh3": lambda x: np.tanh(3.0 * x),
    "abs": np.abs,
}


def predict(model: nn.MLP, x: np.ndarray) -> np.ndarray:
    """The network's outputs for a column of inputs x (n, 1), without recording a graph."""
    with ag.no_grad():
        return model(x).data.reshape(-1)


def step_network(steps: np.ndarray, heights: np.ndarray, bias: float, w: float) -> nn.MLP:
    """A 1-h-1 network whose hidden unit i is a steep sigmoid sigma(w (x - s_i)), a step at s_i = -b_i / w
    (doc 001), with output weight ``heights[i]`` and output bias ``bias``."""
    h = len(steps)
    net = nn.MLP(1, [h, 1], activation="sigmoid", output_activation="linear", engine=nn.TENSOR)
    net.set_weights(
        [np.full((1, h), w), np.asarray(heights, dtype=float).reshape(h, 1)],
        [-w * np.asarray(steps, dtype=float), [bias]],
    )
    return net


def widen(previous: nn.MLP | None, width: int, rng: np.random.Generator) -> nn.MLP:
    """A fresh 1-width-1 sigmoid network; if ``previous`` is given its hidden units are copied in and the new
    units get output weight 0, so the new network computes exactly what ``previous`` did."""
    net = nn.MLP(1, [width, 1], activation="sigmoid", output_activation="linear", engine=nn.TENSOR, seed=rng)
    if previous is not None:
        hidden, output = net.layers
        W1, b1, W2, b2 = hidden.W, hidden.b, output.W, output.b
        k = previous.layers[0].nout
        W1[:, :k], b1[:k] = previous.layers[0].W, previous.layers[0].b
        W2[:k], W2[k:], b2[:] = previous.layers[1].W, 0.0, previous.layers[1].b
        net.set_weights([W1, W2], [b1, b2])
    return net


def main(argv: list[str] | None = None) -> int:
    parser = make_parser("universal_approximation", __doc__.splitlines()[0])
    parser.add_argument("--function", choices=sorted(TARGETS), default="sin", help="the function to fit")
    parser.add_argument("--widths", default="1,2,4,8,16", help="hidden-layer widths, comma separated, increasing")
    parser.add_argument("--epochs", type=int, default=1000, help="epochs of full-batch Adam per width")
    parser.add_argument("--lr", type=float, default=0.05, help="Adam's learning rate")
    parser.add_argument("--points", type=int, default=100, help="training points evenly spaced on [-3, 3]")
    parser.add_argument("--seed", type=int, default=0, help="seed of the initial weights")
    args = parser.parse_args(argv)
    widths = [int(w) for w in args.widths.split(",")]
    if widths != sorted(set(widths)) or widths[0] < 1:
        parser.error(f"--widths must be increasing positive integers, got {args.widths}")
    out = out_dir(args.out)
    plt = pyplot()
    f = TARGETS[args.function]

    # 1. Bumps from steep sigmoids (doc 001).
    print("== 1. A bump from two steep sigmoids (doc 001) ==")
    w = 1000.0
    bump = step_network(np.array([0.4, 0.6]), np.array([1.2, -1.2]), 0.0, w)
    u = np.linspace(0.0, 1.0, 1001).reshape(-1, 1)
    bump_y = predict(bump, u)
    hidden = bump.layers[0].a.data  # the two hidden outputs of the last forward pass (doc 000's a^1)
    print(
        f"hidden units sigma({w:g} x - {w * 0.4:g}) and sigma({w:g} x - {w * 0.6:g}): steps at s = -b / w = 0.4 "
        f"and 0.6; output weights 1.2 and -1.2"
    )
    for x0 in (0.2, 0.5, 0.8):
        print(f"  bump({x0}) = {predict(bump, np.array([[x0]]))[0]:.4f}")
    x = np.linspace(-3.0, 3.0, args.points).reshape(-1, 1)
    y = f(x)
    n_bumps = 12
    edges = np.linspace(-3.0, 3.0, n_bumps + 1)
    centres = (edges[:-1] + edges[1:]) / 2
    levels = f(centres)  # bump i has height f(centre_i): up-step of levels[i] at edges[i], down-step at edges[i+1]
    stairs = step_network(np.concatenate([edges[:-1], edges[1:]]), np.concatenate([levels, -levels]), 0.0, 50.0)
    fine = np.linspace(-3.0, 3.0, 600).reshape(-1, 1)
    stairs_rmse = float(np.sqrt(np.mean((predict(stairs, x) - y.ravel()) ** 2)))
    print(
        f"{n_bumps} bumps ({2 * n_bumps} hidden units, weights set by hand) approximate {args.function}: "
        f"RMS error {stairs_rmse:.4f}"
    )
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    axes[0].plot(u, hidden[:, 0], "--", label="$\\sigma(1000x - 400)$")
    axes[0].plot(u, hidden[:, 1], "--", label="$\\sigma(1000x - 600)$")
    axes[0].plot(u, bump_y, "k", lw=2, label="$1.2\\,\\sigma_1 - 1.2\\,\\sigma_2$")
    axes[0].set_title("A bump from two steep sigmoids (doc 001)")
    axes[0].legend(fontsize=8)
    axes[1].plot(fine, f(fine), "k--", label=args.function)
    axes[1].plot(fine, predict(stairs, fine), label=f"{n_bumps} bumps, {2 * n_bumps} hidden units")
    axes[1].set_title("More bumps: a hand-built approximation")
    axes[1].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "bump.png", dpi=100)
    plt.close(fig)

    # 2. Trained networks of increasing width.
    print(f"\n== 2. 1-h-1 sigmoid networks trained by backprop to fit {args.function} on [-3, 3] ==")
    rng = np.random.default_rng(args.seed)
    previous: nn.MLP | None = None
    errors: list[float] = []
    fits: list[np.ndarray] = []
    print("  hidden units | RMS error | max error")
    for width in widths:
        net = widen(previous, width, rng)
        fit(net, x, y, loss="mse", optimizer="adam", lr=args.lr, epochs=args.epochs, progress=False)
        p = predict(net, x)
        errors.append(float(np.sqrt(np.mean((p - y.ravel()) ** 2))))
        print(f"  {width:12d} | {errors[-1]:9.5f} | {np.max(np.abs(p - y.ravel())):9.5f}")
        fits.append(predict(net, fine))
        previous = net
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    axes[0].plot(fine, f(fine), "k--", lw=2, label=args.function)
    for width, curve in zip(widths, fits):
        axes[0].plot(fine, curve, label=f"h = {width}")
    axes[0].set_title("One hidden layer of sigmoids, trained by backprop")
    axes[0].legend(fontsize=8)
    axes[1].plot(widths, errors, "o-")
    axes[1].set_xscale("log", base=2)
    axes[1].set_yscale("log")
    axes[1].set_xlabel("hidden units h")
    axes[1].set_ylabel("RMS error")
    axes[1].set_title("More hidden units, closer fit")
    fig.tight_layout()
    fig.savefig(out / "fits.png", dpi=100)
    plt.close(fig)
    print(f"\nwrote bump.png and fits.png to {out}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Scalar engine benchmark: micrograd's own demo workload, autograd_mini.Value against micrograd.

Workload (micrograd's demo.ipynb): an MLP 2-16-16-1 (ReLU hidden, linear output, weights uniform(-1, 1)
drawn from Python's ``random`` in micrograd's order, biases 0) on 100 two-moons points (noise 0.1, fixed
seed, y in {-1, 1}); loss = mean(relu(1 - y * score)) + 1e-4 * sum(p * p); full batch; one step = forward,
``zero_grad``, backward, SGD with lr = 1.0 - 0.9 * k / 100. The step code is the demo's, written once and
run unchanged with each engine's ``Value`` and ``MLP``.

Contenders, all measured in this run from the same initial weights:
  (a) autograd_mini: ``autograd_mini.Value`` with ``nn.MLP(2, [16, 16, 1])`` (a fused net-input node per
      neuron), and with a micrograd-style MLP written here (two nodes per weight: the engine's raw op speed);
  (b) the ``micrograd`` PyPI package (0.1.0);
  (c) micrograd with ``gc.collect()`` after each step (its per-node closures form reference cycles, so its
      graphs are only freed by the cyclic collector), and (b') micrograd with the collector disabled during
      the timed steps (its engine's own speed: most of micrograd's time is full collections of its cyclic
      garbage, which grow with the number of objects alive in the process);
  (d) the same network hand-written on Python floats (no graph, manual backprop): the ceiling for any
      pure-Python scalar engine.
Every contender must reproduce the same loss trajectory (checked and printed), else its speed is meaningless.

    python benchmarks/bench_scalar.py [--steps N] [--repeat R]
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from _common import engine_status, fmt_ratio, header, load_note, optional, use_repo_root

SEED = 1337  # micrograd's demo seeds both random and numpy with 1337
DATA_SEED = 1337
N_POINTS = 100
NOISE = 0.1
SIZES = (2, 16, 16, 1)
ALPHA = 1e-4
TARGET = 5.0


def make_moons(n: int = N_POINTS, noise: float = NOISE, seed: int = DATA_SEED) -> tuple[list[list[float]], list[int]]:
    """sklearn.datasets.make_moons rebuilt with numpy (two interleaved half circles plus Gaussian noise).

    Returned as Python floats and ints: the demo's numpy scalars would make every engine do numpy-scalar
    arithmetic, which measures numpy's scalar overhead rather than the engines.
    """
    rng = np.random.default_rng(seed)
    n_out = n // 2
    n_in = n - n_out
    t_out = np.linspace(0.0, np.pi, n_out)
    t_in = np.linspace(0.0, np.pi, n_in)
    X = np.vstack(
        [
            np.column_stack([np.cos(t_out), np.sin(t_out)]),
            np.column_stack([1.0 - np.cos(t_in), 1.0 - np.sin(t_in) - 0.5]),
        ]
    )
    y = np.concatenate([np.zeros(n_out, dtype=np.int64), np.ones(n_in, dtype=np.int64)])
    X = X + rng.normal(scale=noise, size=X.shape)
    perm = rng.permutation(n)
    return X[perm].tolist(), (2 * y[perm] - 1).tolist()


def lr_at(k: int) -> float:
    return 1.0 - 0.9 * (k % 100) / 100


# -- (a), (b), (c): one step of micrograd's demo, identical code for every graph engine ---------------------
def graph_step(model: Any, value_cls: type, X: list[list[float]], Y: list[int], k: int) -> tuple[float, float]:
    inputs = [list(map(value_cls, xrow)) for xrow in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(Y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = ALPHA * sum(p * p for p in model.parameters())
    total_loss = data_loss + reg_loss
    accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(Y, scores)]
    model.zero_grad()
    total_loss.backward()
    learning_rate = lr_at(k)
    for p in model.parameters():
        p.data -= learning_rate * p.grad
    return total_loss.data, sum(accuracy) / len(accuracy)


def micrograd_style_mlp(value_cls: type) -> Any:
    """micrograd's nn.MLP verbatim over any Value class (two graph nodes per weight per sample)."""

    class Neuron:
        def __init__(self, nin: int, nonlin: bool = True) -> None:
            self.w = [value_cls(random.uniform(-1, 1)) for _ in range(nin)]
            self.b = value_cls(0.0)
            self.nonlin = nonlin

        def __call__(self, x: list[Any]) -> Any:
            act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
            return act.relu() if self.nonlin else act

        def parameters(self) -> list[Any]:
            return self.w + [self.b]

    class Layer:
        def __init__(self, nin: int, nout: int, **kwargs: Any) -> None:
            self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]

        def __call__(self, x: list[Any]) -> Any:
            out = [n(x) for n in self.neurons]
            return out[0] if len(out) == 1 else out

        def parameters(self) -> list[Any]:
            return [p for n in self.neurons for p in n.parameters()]

    class MLP:
        def __init__(self, nin: int, nouts: list[int]) -> None:
            sz = [nin] + nouts
            self.layers = [Layer(sz[i], sz[i + 1], nonlin=i != len(nouts) - 1) for i in range(len(nouts))]

        def __call__(self, x: list[Any]) -> Any:
            for layer in self.layers:
                x = layer(x)
            return x

        def parameters(self) -> list[Any]:
            return [p for layer in self.layers for p in layer.parameters()]

        def zero_grad(self) -> None:
            for p in self.parameters():
                p.grad = 0.0

    return MLP(SIZES[0], list(SIZES[1:]))


# -- (d): the ceiling, hand-written on floats ---------------------------------------------------------------
class PureMLP:
    """The same network on lists of floats with manual backprop; same init draws as micrograd."""

    def __init__(self, sizes: tuple[int, ...] = SIZES) -> None:
        self.W: list[list[list[float]]] = []  # W[l][j] = weights of neuron j of layer l
        self.B: list[list[float]] = []
        for nin, nout in zip(sizes[:-1], sizes[1:]):
            self.W.append([[random.uniform(-1, 1) for _ in range(nin)] for _ in range(nout)])
            self.B.append([0.0] * nout)

    def step(self, X: list[list[float]], Y: list[int], k: int) -> tuple[float, float]:
        W, B = self.W, self.B
        L = len(W)
        gW = [[[0.0] * len(row) for row in Wl] for Wl in W]
        gB = [[0.0] * len(Bl) for Bl in B]
        inv_n = 1.0 / len(X)
        hinge_sum = 0.0
        correct = 0
        for x, y in zip(X, Y):
            acts = [x]
            a = x
            for li in range(L):
                nets = [sum((w * ai for w, ai in zip(row, a)), b) for row, b in zip(W[li], B[li])]
                a = nets if li == L - 1 else [v if v > 0.0 else 0.0 for v in nets]
                acts.append(a)
            score = a[0]
            correct += (y > 0) == (score > 0)
            margin = 1 + -y * score
            if margin <= 0.0:
                continue
            hinge_sum += margin
            delta = [-y * inv_n]  # dL/dnet of the output layer
            for li in range(L - 1, -1, -1):
                a_prev = acts[li]
                Wl, gWl, gBl = W[li], gW[li], gB[li]
                for j, d in enumerate(delta):
                    if d != 0.0:
                        row = gWl[j]
                        for i, ai in enumerate(a_prev):
                            row[i] += d * ai
                        gBl[j] += d
                if li == 0:
                    break
                # a_prev is the post-ReLU output of layer li-1: its derivative is 1 where it is > 0
                delta = [
                    sum(d * Wl[j][i] for j, d in enumerate(delta)) if a_prev[i] > 0.0 else 0.0
                    for i in range(len(a_prev))
                ]
        sq = 0.0
        lr = lr_at(k)
        for li in range(L):
            for row, grow in zip(W[li], gW[li]):
                for i, w in enumerate(row):
                    sq += w * w
                    row[i] = w - lr * (grow[i] + 2.0 * ALPHA * w)
            Bl = B[li]
            for j, b in enumerate(Bl):
                sq += b * b
                Bl[j] = b - lr * (gB[li][j] + 2.0 * ALPHA * b)
        return hinge_sum * inv_n + ALPHA * sq, correct / len(X)


# -- driver -----------------------------------------------------------------------------------------------
def run(
    make: Callable[[], Callable[[int], tuple[float, float]]], steps: int, repeat: int, gc_mode: str = "on"
) -> tuple[float, list[float]]:
    """Median steps/s over ``repeat`` runs of ``steps`` steps, each from the same seeded init; and the losses.

    ``gc_mode``: "on" (Python's default), "collect" (``gc.collect()`` after every step, inside the timing),
    "off" (``gc.disable()`` during the timed steps; the garbage is collected after the timing).
    """
    rates = []
    losses: list[float] = []
    for _ in range(repeat):
        random.seed(SEED)
        step = make()
        gc.collect()
        losses = []
        if gc_mode == "off":
            gc.disable()
        try:
            t0 = time.perf_counter()
            for k in range(steps):
                loss, _acc = step(k)
                losses.append(loss)
                if gc_mode == "collect":
                    gc.collect()
            rates.append(steps / (time.perf_counter() - t0))
        finally:
            gc.enable()
        del step
        gc.collect()
    return statistics.median(rates), losses


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", type=int, default=4, help="training steps per timed run (default 4)")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per contender; the median is shown")
    args = ap.parse_args(argv)
    use_repo_root()
    header(
        f"bench_scalar: micrograd demo workload, MLP {'-'.join(map(str, SIZES))}, {N_POINTS} moons, "
        f"full batch, {args.steps} steps x {args.repeat} runs (median)"
    )
    X, Y = make_moons()

    contenders: list[tuple[str, Callable[[], Callable[[int], tuple[float, float]]], str]] = []

    status = engine_status()
    if status is None:
        import autograd_mini

        Value = autograd_mini.Value
        nn_mod = optional("nn")
        if nn_mod is not None and hasattr(nn_mod, "MLP"):
            MLP = nn_mod.MLP

            def make_ag_nn() -> Callable[[int], tuple[float, float]]:
                model = MLP(SIZES[0], list(SIZES[1:]))
                return lambda k: graph_step(model, Value, X, Y, k)

            contenders.append(("(a) autograd_mini Value + nn.MLP", make_ag_nn, "on"))
        else:
            print("note: nn.MLP not available; autograd_mini is measured with the local micrograd-style MLP only")

        def make_ag_local() -> Callable[[int], tuple[float, float]]:
            model = micrograd_style_mlp(Value)
            return lambda k: graph_step(model, Value, X, Y, k)

        contenders.append(("(a') autograd_mini Value + micrograd-style MLP", make_ag_local, "on"))
    else:
        print(f"note: autograd_mini not importable yet ({status}); measuring the references only")

    mg_engine = optional("micrograd.engine")
    mg_nn = optional("micrograd.nn")
    if mg_engine is not None and mg_nn is not None:
        MgValue = mg_engine.Value
        MgMLP = mg_nn.MLP

        def make_mg() -> Callable[[int], tuple[float, float]]:
            model = MgMLP(SIZES[0], list(SIZES[1:]))
            return lambda k: graph_step(model, MgValue, X, Y, k)

        contenders.append(("(b) micrograd 0.1.0", make_mg, "on"))
        contenders.append(("(b') micrograd, gc disabled while timed", make_mg, "off"))
        contenders.append(("(c) micrograd + gc.collect() per step", make_mg, "collect"))

    def make_pure() -> Callable[[int], tuple[float, float]]:
        net = PureMLP()
        return lambda k: net.step(X, Y, k)

    contenders.append(("(d) pure Python floats, manual backprop", make_pure, "on"))

    results: dict[str, tuple[float, list[float]]] = {}
    gc.collect()
    print(f"gc-tracked objects in the process before timing: {len(gc.get_objects())}")
    for name, make, gc_mode in contenders:
        results[name] = run(make, args.steps, args.repeat, gc_mode)

    ref_losses = results[contenders[-1][0]][1]
    width = max(len(n) for n in results)
    print(f"{'contender':<{width}}  {'steps/s':>9}  {'ms/step':>8}  {'final loss':>12}  max |loss - pure| (all steps)")
    for name, (rate, losses) in results.items():
        diff = max(abs(a - b) for a, b in zip(losses, ref_losses))
        print(f"{name:<{width}}  {rate:9.2f}  {1000 / rate:8.2f}  {losses[-1]:12.8f}  {diff:.2e}")

    bad = [
        n
        for n, (_, losses) in results.items()
        if max(abs(a - b) for a, b in zip(losses, ref_losses)) > 1e-9 * max(1.0, abs(ref_losses[0]))
    ]
    if bad:
        print(f"WARNING: these contenders do not reproduce the reference loss trajectory: {bad}")

    def rate(key: str) -> float | None:
        return results[key][0] if key in results else None

    mg = rate("(b) micrograd 0.1.0")
    mg_gc = rate("(c) micrograd + gc.collect() per step")
    mg_off = rate("(b') micrograd, gc disabled while timed")
    pure = rate("(d) pure Python floats, manual backprop")
    for name in ("(a) autograd_mini Value + nn.MLP", "(a') autograd_mini Value + micrograd-style MLP"):
        ag = rate(name)
        if ag is None:
            continue
        parts = []
        if mg is not None:
            verdict = "MET" if ag / mg >= TARGET else "NOT MET"
            parts.append(f"vs micrograd {fmt_ratio(ag / mg)} (target >= {TARGET:g}x: {verdict})")
        if mg_gc is not None:
            parts.append(f"vs micrograd+gc {fmt_ratio(ag / mg_gc)}")
        if mg_off is not None:
            parts.append(f"vs micrograd gc-off {fmt_ratio(ag / mg_off)}")
        if pure is not None:
            parts.append(f"{100 * ag / pure:.0f}% of the pure-Python ceiling")
        print(f"ratio {name.split(' ', 1)[1]}: " + ", ".join(parts))
    if mg is not None and pure is not None:
        print(f"ratio pure Python / micrograd: {fmt_ratio(pure / mg)} (the most any pure-Python engine could gain)")
    print(f"at the end: {load_note()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

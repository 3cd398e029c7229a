"""Where the time of one training step goes: cProfile of one scalar step and one tensor step.

* scalar: one step of micrograd's demo with micrograd's own ``nn.py`` on autograd_mini's ``Value`` (the
  workload of ``bench_scalar``), plus the same step timed in phases (forward with Python's gc as it is, forward
  with gc disabled, backward) next to micrograd 0.1.0's, to separate the engine's own cost from the cyclic
  collector's;
* tensor: one batch-64 step of ``bench_tensor``'s 784-128-64-10 MLP with each loss spelling of the goals
  table (the fused ``ag.cross_entropy``, and ``-(logits.log_softmax(axis=1)[np.arange(B), y]).mean()``), and
  the engine's pure overhead: the same steps on a tiny network (8-6-5-3, batch 4), where numpy's work is
  negligible, per step, against the hand-written numpy step on that tiny network.

    python benchmarks/profile_steps.py [--top N] [--part all|scalar|tensor]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import os
import pstats
import random
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from _common import use_repo_root

use_repo_root()

import bench_scalar as bs  # noqa: E402
import bench_tensor as bt  # noqa: E402
import run_goals as rg  # noqa: E402 - its log_softmax-and-index contender


def profile(stmt: Callable[[], Any], top: int) -> str:
    prof = cProfile.Profile()
    prof.enable()
    stmt()
    prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out).sort_stats("tottime")
    stats.print_stats(top)
    text = out.getvalue()
    keep = [
        ln for ln in text.splitlines() if ln.strip() and not ln.startswith("   Ordered") and "List reduced" not in ln
    ]
    return "\n".join(keep).replace(str(bs.__file__).rsplit("/", 2)[0] + "/", "")


def profile_per_step(step: Callable[[], Any], steps: int, top: int) -> str:
    """cProfile of ``steps`` repetitions of ``step``, shown per step in µs (one step is too short to read)."""
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(steps):
        step()
    prof.disable()
    stats = pstats.Stats(prof).stats  # type: ignore[attr-defined]
    rows = sorted(stats.items(), key=lambda kv: -kv[1][2])[:top]
    total = sum(v[2] for v in stats.values())
    lines = [
        f"total {1e6 * total / steps:.0f} µs per step (under cProfile), {steps} steps profiled",
        f"{'calls/step':>10} {'own µs/step':>12} {'cum µs/step':>12}  function",
    ]
    for (file, line, name), (_cc, nc, tt, ct, _callers) in rows:
        where = f"{file.rsplit('/', 2)[-2]}/{file.rsplit('/', 1)[-1]}:{line}({name})" if "/" in file else name
        lines.append(f"{nc / steps:10.1f} {1e6 * tt / steps:12.1f} {1e6 * ct / steps:12.1f}  {where}")
    return "\n".join(lines)


def scalar_phases(value_cls: type, model: Any, X: list[list[float]], Y: list[int]) -> tuple[float, float, float]:
    """Best-of-3 ms of: forward with gc as it is, forward with gc disabled, backward."""

    def forward() -> Any:
        inputs = [list(map(value_cls, xrow)) for xrow in X]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(Y, scores)]
        return sum(losses) * (1.0 / len(losses)) + bs.ALPHA * sum(p * p for p in model.parameters())

    best = [1e9, 1e9, 1e9]
    for _ in range(3):
        for k, gc_on in ((0, True), (1, False)):
            gc.collect()
            if not gc_on:
                gc.disable()
            t0 = time.perf_counter()
            loss = forward()
            best[k] = min(best[k], time.perf_counter() - t0)
            gc.enable()
            if k == 1:
                model.zero_grad()
                gc.disable()
                t0 = time.perf_counter()
                loss.backward()
                best[2] = min(best[2], time.perf_counter() - t0)
                gc.enable()
            del loss
    return best[0] * 1e3, best[1] * 1e3, best[2] * 1e3


def _spellings() -> dict[str, Callable[[Any, np.ndarray], Any]]:
    """The tensor rows' two loss spellings (run_goals' workloads): the fused loss, log_softmax-and-index."""
    import autograd_mini as ag

    def fused(logits: Any, yb: np.ndarray) -> Any:
        return ag.cross_entropy(logits, yb)

    def log_softmax_index(logits: Any, yb: np.ndarray) -> Any:
        return -(logits.log_softmax(axis=1)[np.arange(len(yb)), yb]).mean()

    return {"fused cross_entropy": fused, "log_softmax[arange(B), y].mean()": log_softmax_index}


def _best_us(step: Callable[[], Any]) -> float:
    for _ in range(200):
        step()
    best = 1e9
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(300):
            step()
        best = min(best, (time.perf_counter() - t0) / 300)
    return best * 1e6


def tiny_overhead() -> dict[str, float]:
    """µs per step of a tiny network (numpy's work negligible): autograd_mini with each loss spelling, and
    hand-written numpy."""
    import autograd_mini as ag

    rng = np.random.default_rng(0)
    xb, yb = rng.random((4, 8)), np.array([0, 1, 2, 1])
    shapes = [(8, 6), (6,), (6, 5), (5,), (5, 3), (3,)]
    P = [ag.Tensor(rng.random(s), requires_grad=True) for s in shapes]
    R = [rng.random(s) for s in shapes]

    def ours(loss_of: Callable[[Any, np.ndarray], Any]) -> Callable[[], None]:
        def step() -> None:
            W1, b1, W2, b2, W3, b3 = P
            loss = loss_of((((xb @ W1 + b1).relu() @ W2 + b2).relu()) @ W3 + b3, yb)
            loss.backward()
            for p in P:
                p.data -= 0.01 * p.grad
                p.grad = None

        return step

    ref = bt.NumpyRef([(xb, yb)])
    ref.p = R
    per = {"hand-written numpy": _best_us(ref.epoch)}
    for name, loss_of in _spellings().items():
        per[name] = _best_us(ours(loss_of))
    return per


def scalar_part(top: int) -> None:
    import micrograd.engine as mge
    import micrograd.nn as mgn

    import autograd_mini as ag

    X, Y = bs.make_moons()
    random.seed(bs.SEED)
    model = bs.micrograd_style_mlp(ag.Value)
    bs.graph_step(model, ag.Value, X, Y, 0)
    print("== one scalar step (micrograd's nn.py on autograd_mini.Value), cProfile, by own time ==")
    print(profile(lambda: bs.graph_step(model, ag.Value, X, Y, 1), top))
    random.seed(bs.SEED)
    mg_model = mgn.MLP(bs.SIZES[0], list(bs.SIZES[1:]))
    print("== phases of one scalar step, best of 3, ms: forward (gc on) / forward (gc off) / backward ==")
    for name, cls, m in (("autograd_mini", ag.Value, model), ("micrograd 0.1.0", mge.Value, mg_model)):
        f_on, f_off, back = scalar_phases(cls, m, X, Y)
        print(f"{name:>16}: {f_on:7.1f} / {f_off:7.1f} / {back:7.1f}")


def tensor_part(top: int) -> None:
    Xd, yd, _ = bt.load_data(False)
    _, _, batches = bt.make_batches(Xd, yd, np.dtype("float32"))
    contenders = {"fused cross_entropy": bt.AutogradMini, "log_softmax[arange(B), y].mean()": rg._LogSoftmaxIndex}
    for name, contender in contenders.items():
        net = contender(batches[:1])
        net.reset(bt.make_init(np.dtype("float32")))
        net.epoch()
        print(f"== one tensor step (batch 64, float32, {name}), cProfile, by own time ==")
        print(profile_per_step(net.epoch, 200, top))
    per = tiny_overhead()
    ref = per.pop("hand-written numpy")
    print(f"== engine overhead per step (tiny 8-6-5-3 net, batch 4): hand-written numpy {ref:.0f} µs; autograd_mini ==")
    for name, us in per.items():
        print(f"{name:>32}: {us:.0f} µs, difference {us - ref:.0f} µs")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--top", type=int, default=12)
    ap.add_argument("--part", choices=("all", "scalar", "tensor"), default="all", help="which engine's step")
    args = ap.parse_args(argv)
    print(f"load average {os.getloadavg()}; python {sys.version.split()[0]}, numpy {np.__version__}")
    if args.part in ("all", "scalar"):
        scalar_part(args.top)
    if args.part in ("all", "tensor"):
        tensor_part(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())

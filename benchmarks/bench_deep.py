"""Deep-graph benchmark: a 1,000,000-node Value chain, built and backpropagated; bytes per node; micrograd's
recursion limit.

* autograd_mini: ``x = x * c`` N times (``c`` one shared ``Value``, so each op makes exactly one new graph
  node; ``--op add-const`` uses ``x = x + 1e-6`` instead, where the engine keeps the constant as the float
  itself, in the node's second input slot: no leaf Value is made for it). Times: build, ``backward()``, and
  freeing the graph (``del``); the gradients are checked against the closed form (dx0 = c^N,
  dc = N c^(N-1) x0). Memory: tracemalloc in a separate run (it slows Python down): graph bytes per node
  after the build, and the peak during ``backward()`` per node; plus a sys.getsizeof estimate of the objects
  each node owns.
* micrograd 0.1.0: bytes per Value (tracemalloc over a chain of ``--mg-nodes`` nodes, and getsizeof), build
  time of that chain, and the chain length at which its recursive topological sort raises RecursionError
  (tries 500, 1000, 2000, then bisects to the exact length).

    python benchmarks/bench_deep.py [--nodes N] [--mg-nodes M] [--op mul|add-const]
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from _common import engine_status, header, load_note, optional, use_repo_root

C = 1.0000001
ADD = 1e-6


def build_chain(value_cls: type, n: int, op: str) -> tuple[Any, Any, Any]:
    """x0, c, x_n for the chain; c is None for add-const."""
    x0 = value_cls(1.0)
    x = x0
    if op == "mul":
        c = value_cls(C)
        for _ in range(n):
            x = x * c
        return x0, c, x
    for _ in range(n):
        x = x + ADD
    return x0, None, x


def size_of_node(node: Any, engine: str, const: Any = None, const_leaf: bool = False) -> tuple[int, str]:
    """sys.getsizeof of the objects one chain node owns (shared objects such as op tables excluded), plus
    ``const``, the leaf micrograd makes for the op's constant (one per op). For such a leaf
    (``const_leaf``) the float is the script's shared literal, its grad the shared 0, its parents ``()``."""
    parts: list[tuple[str, int]] = [("object", sys.getsizeof(node))]
    if hasattr(node, "__dict__"):
        parts.append(("__dict__", sys.getsizeof(node.__dict__)))
    if engine == "autograd_mini":  # the inputs sit in two slots of the object (no tuple)
        if node._params is not None:
            parts.append(("_params dict", sys.getsizeof(node._params)))
    else:  # micrograd: _prev set and the _backward closure (function, its closure tuple and cells)
        parts.append(("_prev set", sys.getsizeof(node._prev)))
        fn = node._backward
        parts.append(("_backward function", sys.getsizeof(fn)))
        if getattr(fn, "__closure__", None):
            parts.append(("closure tuple", sys.getsizeof(fn.__closure__)))
            parts.append((f"{len(fn.__closure__)} cells", sum(sys.getsizeof(c) for c in fn.__closure__)))
    if not const_leaf:
        parts.append(("data float", sys.getsizeof(node.data)))
        if type(node.grad) is float:
            parts.append(("grad float", sys.getsizeof(node.grad)))
    if const is not None:  # add-const: each op also wraps its constant in a new leaf Value
        size, _ = size_of_node(const, engine, const_leaf=True)
        parts.append(("constant leaf", size))
    return sum(s for _, s in parts), ", ".join(f"{k} {s}" for k, s in parts)


def traced(fn: Callable[[], Any]) -> tuple[Any, int, int]:
    """(result, bytes still allocated after fn, peak bytes during fn), relative to the start."""
    gc.collect()
    tracemalloc.start()
    base, _ = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    out = fn()
    cur, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return out, cur - base, peak - base


def bench_autograd_mini(n: int, op: str) -> None:
    from autograd_mini import Value

    what = "x = x * c, c shared" if op == "mul" else "x = x + 1e-6"
    print(f"-- autograd_mini Value: chain of {n:,} ops ({what})")
    gc.collect()
    t0 = time.perf_counter()
    x0, c, x = build_chain(Value, n, op)
    t_build = time.perf_counter() - t0
    t0 = time.perf_counter()
    x.backward()
    t_back = time.perf_counter() - t0
    if op == "mul":
        want_x0 = C**n
        want_c = n * C ** (n - 1)
        err = max(abs(x0.grad - want_x0) / want_x0, abs(c.grad - want_c) / want_c)
        check = f"x0.grad {x0.grad:.10g} (c^N {want_x0:.10g}), c.grad {c.grad:.10g} (N c^(N-1) {want_c:.10g})"
    else:
        err = abs(x0.grad - 1.0)
        check = f"x0.grad {x0.grad!r} (want 1.0)"
    print(f"  gradients: {check}; max rel err {err:.1e} {'OK' if err < 1e-6 else 'WRONG'}")
    mid = x
    for _ in range(n // 2):  # a node in the middle of the chain, after backward (its grad is set)
        mid = mid._a  # the first input's slot (reading _parents would make nodes for kept constants)
    size, parts = size_of_node(mid, "autograd_mini")
    t0 = time.perf_counter()
    del x, mid
    t_free = time.perf_counter() - t0
    del x0, c
    print(
        f"  time: build {t_build:.2f} s ({1e9 * t_build / n:.0f} ns/node), backward {t_back:.2f} s "
        f"({1e9 * t_back / n:.0f} ns/node), free (del) {t_free:.2f} s"
    )
    print(f"  getsizeof estimate per node: {size} B ({parts}; label, op and shared objects excluded)")

    holder: dict[str, Any] = {}

    def build() -> None:
        holder["chain"] = build_chain(Value, n, op)

    _, graph_bytes, build_peak = traced(build)

    def back() -> None:
        holder["chain"][2].backward()

    tracemalloc.start()
    base, _ = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    # the graph was built before tracing restarted, so measure backward's own allocations on top of it
    back()
    cur, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    back_extra_peak = peak - base
    holder.clear()
    gc.collect()
    print(
        f"  tracemalloc: graph after build {graph_bytes / 1e6:.1f} MB = {graph_bytes / n:.0f} B/node "
        f"(build peak {build_peak / n:.0f} B/node); backward's extra peak {back_extra_peak / 1e6:.1f} MB = "
        f"{back_extra_peak / n:.0f} B/node; graph + backward peak "
        f"{(graph_bytes + back_extra_peak) / n:.0f} B/node; still held after backward "
        f"{(cur - base) / n:.0f} B/node (the grads)"
    )
    for depth in (500, 1000, 2000):
        x0, c, x = build_chain(Value, depth, op)
        x.backward()
    print(
        f"  backward on chains of 500, 1000, 2000 and {n:,}: no RecursionError "
        f"(recursion limit {sys.getrecursionlimit()})"
    )


def micrograd_fails_at(value_cls: type, depth: int, op: str) -> bool:
    x0, c, x = build_chain(value_cls, depth, op)
    try:
        x.backward()
    except RecursionError:
        return True
    return False


def bench_micrograd(n: int, op: str) -> None:
    mg = optional("micrograd.engine")
    if mg is None:
        return
    Value = mg.Value
    print(f"-- micrograd 0.1.0 Value: chain of {n:,} ops (build only: its backward recurses)")
    gc.collect()
    t0 = time.perf_counter()
    chain = build_chain(Value, n, op)
    t_build = time.perf_counter() - t0
    mid = chain[2]
    for _ in range(n // 2):
        mid = next(p for p in mid._prev if p._prev)
    const = next((p for p in mid._prev if not p._prev), None) if op == "add-const" else None
    size, parts = size_of_node(mid, "micrograd", const)
    del chain, mid
    gc.collect()
    holder: dict[str, Any] = {}

    def build() -> None:
        holder["chain"] = build_chain(Value, n, op)

    _, graph_bytes, _peak = traced(build)
    holder.clear()
    gc.collect()
    print(f"  time: build {t_build:.2f} s ({1e9 * t_build / n:.0f} ns/node)")
    print(f"  getsizeof estimate per node: {size} B ({parts})")
    print(f"  tracemalloc: graph after build {graph_bytes / 1e6:.1f} MB = {graph_bytes / n:.0f} B/node")
    limit = sys.getrecursionlimit()
    results = {d: micrograd_fails_at(Value, d, op) for d in (500, 1000, 2000)}
    tries = ", ".join(f"chain {d}: {'RecursionError' if f else 'ok'}" for d, f in results.items())
    print(f"  backward: {tries} (sys.getrecursionlimit() = {limit})")
    ok = [d for d, f in results.items() if not f]
    bad = [d for d, f in results.items() if f]
    if ok and bad:
        lo, hi = max(ok), min(bad)
        while hi - lo > 1:
            m = (lo + hi) // 2
            if micrograd_fails_at(Value, m, op):
                hi = m
            else:
                lo = m
        print(f"  backward: longest chain that works {lo}, RecursionError from {hi} ops on")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--nodes", type=int, default=1_000_000, help="chain length for autograd_mini")
    ap.add_argument("--mg-nodes", type=int, default=200_000, help="chain length for micrograd's memory/time")
    ap.add_argument("--op", choices=("mul", "add-const"), default="mul")
    args = ap.parse_args(argv)
    use_repo_root()
    header(f"bench_deep: {args.nodes:,}-node Value chain, op {args.op}")
    status = engine_status()
    if status is None:
        bench_autograd_mini(args.nodes, args.op)
    else:
        print(f"note: autograd_mini not importable yet ({status}); micrograd only")
    bench_micrograd(args.mg_nodes, args.op)
    print(f"at the end: {load_note()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Small helpers shared by the benchmark scripts (no timing logic that could differ between contenders)."""

from __future__ import annotations

import gc
import importlib
import platform
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def use_repo_root() -> None:
    """Make ``autograd_mini`` and ``nn`` importable from this checkout (``python benchmarks/x.py``)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


def optional(name: str) -> ModuleType | None:
    """Import an optional peer; print a note and return None if it is not installed (or fails to import)."""
    try:
        return importlib.import_module(name)
    except Exception as exc:  # any import failure just means "skip this peer"
        print(f"note: {name} not importable ({type(exc).__name__}: {exc}); skipped")
        return None


def engine_status() -> str | None:
    """None if autograd_mini (Value and Tensor) imports, else the reason it does not."""
    use_repo_root()
    try:
        mod = importlib.import_module("autograd_mini")
        mod.Value  # noqa: B018 - the attribute access is the check
        mod.Tensor  # noqa: B018
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def header(title: str) -> None:
    import numpy as np

    print(f"== {title} ==")
    print(
        f"python {platform.python_version()} ({platform.python_implementation()}), numpy {np.__version__}, "
        f"{platform.machine()}, {_cpu_count()} logical CPUs"
    )
    print(load_note())


def load_note() -> str:
    """The 1-minute load average; above the CPU count, other processes share the CPUs (noisy timings)."""
    import os

    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # pragma: no cover - not Unix
        return "load average: unknown"
    busy = " (busy machine: expect noisy timings)" if load > 0.5 * _cpu_count() else ""
    return f"load average (1 min): {load:.2f}{busy}"


def _cpu_count() -> int:
    import os

    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def fmt_ratio(x: float) -> str:
    return f"{x:.2f}x"


def time_epochs(contenders: list[Any], init: Any, repeat: int) -> dict[str, list[float]]:
    """Seconds per epoch of each contender, ``repeat`` rounds, the contenders interleaved within a round (so a
    change in the machine's load touches them alike); each starts from the weights ``init``."""
    times: dict[str, list[float]] = {c.name: [] for c in contenders}
    for _ in range(repeat):
        for c in contenders:
            c.reset(init)
            gc.collect()
            t0 = time.perf_counter()
            c.epoch()
            times[c.name].append(time.perf_counter() - t0)
    return times

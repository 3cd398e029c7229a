"""README's benchmark table is generated from benchmarks/results.json, never copied by hand."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _update_readme() -> object:
    spec = importlib.util.spec_from_file_location("update_readme", ROOT / "benchmarks" / "update_readme.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_readme_table_is_what_results_json_gives() -> None:
    mod = _update_readme()
    results = json.loads((ROOT / "benchmarks" / "results.json").read_text())
    readme = (ROOT / "README.md").read_text()
    assert mod.replace_block(readme, mod.render(results)) == readme  # type: ignore[attr-defined]


def test_readme_wall_times_are_what_example_times_json_gives() -> None:
    """Every command of README's examples table and every notebook has a measured time, and README shows them."""
    mod = _update_readme()
    times = json.loads((ROOT / "benchmarks" / "example_times.json").read_text())
    readme = (ROOT / "README.md").read_text()
    block = mod.render_times(times)  # type: ignore[attr-defined]
    assert mod.replace_block(readme, block, mod.TIMES_BEGIN, mod.TIMES_END) == readme  # type: ignore[attr-defined]
    timed = {row["what"] for row in times["rows"]}
    notebooks = {f"notebooks/{p.name}" for p in (ROOT / "notebooks").glob("*.ipynb")}
    examples = {f"examples/{name}" for name in re.findall(r"`python examples/(\w+\.py)`", readme)}
    assert notebooks | examples | {"autograd-mini digits", "autograd-mini demo"} == timed
    assert all(row["seconds"] > 0 for row in times["rows"])


def test_results_describe_the_machine_and_every_goal() -> None:
    results = json.loads((ROOT / "benchmarks" / "results.json").read_text())
    m = results["machine"]
    for key in ("cpu", "cpus_available", "python", "numpy", "micrograd", "torch", "blas_default", "commit"):
        assert key in m, key
    assert "load average" in results["uptime_start"] and "load average" in results["uptime_end"]
    ids = {r["id"] for r in results["rows"]}
    assert {
        "scalar_vs_micrograd",
        "scalar_vs_micrograd_gc_off",
        "scalar_nn_mlp_vs_micrograd",
        "tensor_fused_blas1",
        "tensor_log_softmax_index_blas1",
        "tensor_fused_blasdefault",
        "tensor_log_softmax_index_blasdefault",
        "scalar_chain_bytes_per_step",
    } <= ids
    for r in results["rows"]:
        value, goal = r["value"], float(r["goal"].split()[1])
        assert r["met"] == (value >= goal if r["goal"].startswith(">=") else value <= goal), r["id"]


def test_a_figure_never_rounds_across_its_goal() -> None:
    """README shows 2 decimals, or 3 where 2 would make a missed goal look met (1.3957 shown as 1.40 >= 1.4)."""
    mod = _update_readme()

    def figure(value: float, goal: str) -> str:
        return mod._figure({"value": value, "unit": "x", "goal": goal})  # type: ignore[attr-defined]

    assert figure(1.3957, ">= 1.4") == "1.396x"
    assert figure(1.1004, "<= 1.1") == "1.100x"
    assert figure(1.0479, "<= 1.1") == "1.05x"
    assert figure(11.3122, ">= 5") == "11.31x"
    assert mod._figure({"value": 136.002, "unit": "B", "goal": "<= 150"}) == "136 B"  # type: ignore[attr-defined]

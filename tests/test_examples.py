"""The examples run on small settings (each example's main(argv) is imported from its file)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def pngs(folder: Path) -> list[str]:
    names = sorted(p.name for p in folder.glob("*.png"))
    for name in names:
        assert (folder / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
    return names


def test_logic_gates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert load("logic_gates").main(["--out", str(tmp_path), "--epochs", "1500"]) == 0
    text = capsys.readouterr().out
    assert "AND: converged True" in text and "OR: converged True" in text
    assert "XOR: converged False" in text
    assert "accuracy 4/4" in text
    expected = [f"{g}_{k}.png" for g in ("and", "or", "xor") for k in ("hand", "perceptron")] + ["xor_backprop.png"]
    assert pngs(tmp_path) == sorted(expected)


def test_worked_examples(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert load("worked_examples").main(["--out", str(tmp_path)]) == 0
    text = capsys.readouterr().out
    # doc 003's Problem 1: the numbers the brief and the document's solution give
    assert "[119; 146]" in text and "16553" in text and "[115; 141]" in text and "[486; 679; 397; 397]" in text
    assert "[-9.5, -11.1]" in text and "[-44.6, -66.9, -38.7, -37.7]" in text
    assert "DIFFER" not in text and "DOES NOT MATCH" not in text
    assert text.count("PASSED") == 3 and "FAILED" not in text


def test_worked_examples_tensor_engine_with_graphs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert load("worked_examples").main(["--engine", "tensor", "--graphs", "--out", str(tmp_path)]) == 0
    assert "every quantity agrees" in capsys.readouterr().out
    svg = tmp_path / "doc000_worked_example.svg"
    assert svg.exists() and "<svg" in svg.read_text()


def test_derivation_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert load("derivation_check").main(["--out", str(tmp_path), "--examples", "30"]) == 0
    text = capsys.readouterr().out
    assert "delta_k = t_k (1 - z_k): FAILS" in text
    assert "n = [0. 0.]" in text and "t = [1. 0.]" in text
    assert "all as expected" in text
    assert (tmp_path / "derivation_check.txt").exists()


def test_universal_approximation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    module = load("universal_approximation")
    assert module.main(["--out", str(tmp_path), "--widths", "1,2,4", "--epochs", "300", "--points", "40"]) == 0
    text = capsys.readouterr().out
    assert "bump(0.5) = 1.2000" in text and "bump(0.2) = 0.0000" in text
    rows = [line.split("|") for line in text.splitlines() if line.strip()[:1].isdigit() and "|" in line]
    errors = [float(r[1]) for r in rows]
    assert len(errors) == 3 and errors[-1] < errors[0]
    assert pngs(tmp_path) == ["bump.png", "fits.png"]


def test_micrograd_demo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert load("micrograd_demo").main(["--out", str(tmp_path), "--steps", "3", "--samples", "20"]) == 0
    text = capsys.readouterr().out
    assert "number of parameters 337" in text and "training accuracy" in text
    assert pngs(tmp_path) == ["decision_boundary.png"]


@pytest.mark.parametrize(
    "name", ["logic_gates", "worked_examples", "derivation_check", "universal_approximation", "micrograd_demo"]
)
def test_runs_as_a_script_and_documents_its_options(name: str) -> None:
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / f"{name}.py"), "--help"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "--out" in done.stdout and f"out/{name}" in done.stdout


def test_script_run_writes_default_folder(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "worked_examples.py"), "--graphs"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "worked_examples" / "doc003_problem1.svg").exists()

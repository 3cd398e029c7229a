"""Every notebook in notebooks/ runs top to bottom headless (nbclient, an ipykernel kernel) without a cell error,
and is stored with its outputs stripped.

The kernel is this test's own Python (a temporary kernelspec first on JUPYTER_PATH), started in the repository
root with the checkout on PYTHONPATH, so the notebooks import the code under test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from _optional import require_module, require_program

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
TIMEOUT_PER_CELL = 300  # seconds; each notebook runs in well under a minute on an idle 2-core machine


def test_the_four_notebooks_exist() -> None:
    assert [p.name[:3] for p in NOTEBOOKS] == ["01_", "02_", "03_", "04_"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_stored_without_outputs(path: Path) -> None:
    """Outputs are stripped in the working tree and in git's HEAD copy (when the file is committed)."""
    _assert_stripped(json.loads(path.read_text(encoding="utf-8")), path.name)
    relative = path.relative_to(ROOT).as_posix()
    shown = subprocess.run(["git", "show", f"HEAD:{relative}"], cwd=ROOT, capture_output=True, text=True)
    if shown.returncode == 0:  # not committed yet: the working-tree check above is the one that applies
        _assert_stripped(json.loads(shown.stdout), f"HEAD:{relative}")


def _assert_stripped(nb: dict[str, Any], where: str) -> None:
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"{where}: cell {i} has stored outputs"
            assert cell.get("execution_count") is None, f"{where}: cell {i} has an execution count"


def _kernel_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A kernelspec named python3 that runs this interpreter, first on JUPYTER_PATH; the checkout importable."""
    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "Python 3", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")


def execute(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Run the notebook at ``path`` in a fresh kernel (cwd = repository root); return the executed notebook."""
    nbformat = require_module("nbformat", "test")
    nbclient = require_module("nbclient", "test")
    require_module("ipykernel", "test")
    _kernel_environment(tmp_path, monkeypatch)
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=TIMEOUT_PER_CELL, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    )
    client.execute()  # raises CellExecutionError (with the cell's traceback) on the first failing cell
    return nb


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Each notebook executed once for the tests below."""
    require_program("dot", "apt-get install graphviz")
    done: dict[str, Any] = {}
    with pytest.MonkeyPatch.context() as monkeypatch:
        for path in NOTEBOOKS:
            done[path.stem] = execute(path, tmp_path_factory.mktemp(path.stem), monkeypatch)
    return done


def _outputs(nb: Any) -> list[dict[str, Any]]:
    return [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs]


@pytest.mark.parametrize("stem", [p.stem for p in NOTEBOOKS])
def test_notebook_runs_without_error(executed: dict[str, Any], stem: str) -> None:
    outputs = _outputs(executed[stem])
    assert outputs, f"{stem}: no output at all"
    errors = [out for out in outputs if out.output_type == "error"]
    assert not errors, f"{stem}: {errors[0]['ename']}: {errors[0]['evalue']}"


def _text(nb: Any) -> str:
    parts = []
    for out in _outputs(nb):
        if out.output_type == "stream":
            parts.append(out.text)
        elif "data" in out and "text/plain" in out.data:
            parts.append(out.data["text/plain"])
    return "\n".join(parts)


def test_graphs_display_inline_as_svg(executed: dict[str, Any]) -> None:
    """A cell ending in a graphviz graph (draw_dot, draw_network, micrograd's drawing code) shows an SVG."""
    for stem, min_svgs in (("01_micrograd_in_ten_minutes", 4), ("02_worked_examples_hand_vs_autograd", 1)):
        svgs = [out.data["image/svg+xml"] for out in _outputs(executed[stem]) if "image/svg+xml" in out.get("data", {})]
        assert len(svgs) >= min_svgs, stem
        assert all("<svg" in svg for svg in svgs)
    textbook = [
        out.data["image/svg+xml"]
        for out in _outputs(executed["02_worked_examples_hand_vs_autograd"])
        if "image/svg+xml" in out.get("data", {})
    ][0]
    assert "layer 1" in textbook and "layer 2" in textbook  # doc 000's worked example, one box per layer


def test_pictures_are_drawn(executed: dict[str, Any]) -> None:
    """matplotlib figures (two moons, decision boundary, loss curve) and the misclassified digits show as PNGs."""
    counts = {stem: sum("image/png" in out.get("data", {}) for out in _outputs(nb)) for stem, nb in executed.items()}
    assert counts["01_micrograd_in_ten_minutes"] >= 2
    assert counts["04_digit_recognizer"] >= 2


def test_notebooks_show_the_documents_numbers(executed: dict[str, Any]) -> None:
    worked = _text(executed["02_worked_examples_hand_vs_autograd"])
    assert "a2 = 4, L = 16, s2 = 8, s1 = [8. 8.]" in worked
    assert "PASSED" in worked and "FAILED" not in worked
    checker = _text(executed["03_derivation_checker"])
    assert "doc 001, softmax + cross-entropy: FAILS" in checker
    assert "delta_k = t_k - z_k: holds" in checker
    digits = _text(executed["04_digit_recognizer"])
    assert "held-out accuracy" in digits


def test_micrograd_drawing_code_reads_our_value_graph() -> None:
    """The attributes micrograd's trace_graph draw_dot reads: ``_prev`` (a set of inputs), ``_op`` a string
    concatenated to ``str(id(n))`` and truthy only for a computed node, ``data``/``grad`` formatted with %.4f;
    run on our Value, the same drawing gives one record per value and one op node per computed value."""
    graphviz = require_module("graphviz", "core")
    from autograd_mini import Value

    def trace(root: Any) -> tuple[set[Any], set[tuple[Any, Any]]]:
        nodes: set[Any] = set()
        edges: set[tuple[Any, Any]] = set()
        todo = [root]
        while todo:
            v = todo.pop()
            if v not in nodes:
                nodes.add(v)
                for child in v._prev:
                    edges.add((child, v))
                    todo.append(child)
        return nodes, edges

    x = Value(1.0)
    y = (x * 2 + 1).relu()
    y.backward()
    dot = graphviz.Digraph(format="svg", graph_attr={"rankdir": "LR"})
    nodes, edges = trace(y)
    for n in nodes:
        dot.node(name=str(id(n)), label="{ data %.4f | grad %.4f }" % (n.data, n.grad), shape="record")  # noqa: UP031
        if n._op:
            dot.node(name=str(id(n)) + n._op, label=n._op)
            dot.edge(str(id(n)) + n._op, str(id(n)))
    for n1, n2 in edges:
        dot.edge(str(id(n1)), str(id(n2)) + n2._op)
    source = dot.source
    assert sorted(n._op for n in nodes) == ["", "", "", "*", "+", "relu"]  # leaves: x and the constants 2, 1
    assert "{ data 3.0000 | grad 1.0000 }" in source and "{ data 1.0000 | grad 2.0000 }" in source
    assert source.count("label=relu") == 1 and source.count("->") == 3 + 5  # 3 op->value, 5 input->op

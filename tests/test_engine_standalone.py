"""The engine stands alone: nothing in autograd_mini/ imports nn (nor its command line), not even inside a
function. Checked on the syntax trees, so an import hidden in a rarely run branch is found too."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ENGINE = Path(__file__).resolve().parents[1] / "autograd_mini"
FORBIDDEN = "nn"


def _is_forbidden(module: str | None) -> bool:
    return module is not None and (module == FORBIDDEN or module.startswith(FORBIDDEN + "."))


def nn_imports(source: str, filename: str = "<string>") -> list[str]:
    """Every place in ``source`` that imports ``nn``: ``import nn[.x]``, ``from nn[.x] import ...``, and
    ``importlib.import_module("nn...")`` / ``__import__("nn...")`` with a literal name; as "line N: what"."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            found += [f"line {node.lineno}: import {a.name}" for a in node.names if _is_forbidden(a.name)]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and _is_forbidden(node.module):
            found.append(f"line {node.lineno}: from {node.module} import ...")
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in ("import_module", "__import__") and _is_forbidden(str(node.args[0].value)):
                found.append(f"line {node.lineno}: {name}({node.args[0].value!r})")
    return found


def engine_files() -> list[Path]:
    return sorted(ENGINE.rglob("*.py"))


def test_the_engine_has_files_to_check() -> None:
    names = {p.name for p in engine_files()}
    assert {"__init__.py", "node.py", "ops.py", "value.py", "tensor.py"} <= names


@pytest.mark.parametrize("path", engine_files(), ids=lambda p: str(p.relative_to(ENGINE)))
def test_engine_module_does_not_import_nn(path: Path) -> None:
    assert nn_imports(path.read_text(), str(path)) == [], f"{path.name} imports nn"


@pytest.mark.parametrize(
    "source",
    [
        "import nn",
        "import numpy, nn.layers as layers",
        "from nn import MLP",
        "from nn.report import compare",
        "def f():\n    if True:\n        from nn import cli\n",
        "class C:\n    def m(self):\n        import nn.train\n",
        "import importlib\nimportlib.import_module('nn.cli')",
        "__import__('nn')",
    ],
)
def test_the_checker_finds_every_form_of_import(source: str) -> None:
    assert len(nn_imports(source)) == 1


@pytest.mark.parametrize(
    "source", ["import nnx", "from . import nn", "from .nn import x", "import numpy as nn", "from nnet import nn"]
)
def test_the_checker_ignores_other_modules(source: str) -> None:
    assert nn_imports(source) == []


def test_no_python_dash_m_autograd_mini() -> None:
    # the command line lives in nn (python -m nn); the engine has no __main__ that would need nn
    assert not (ENGINE / "__main__.py").exists() and not (ENGINE / "cli.py").exists()


def test_importing_every_engine_module_leaves_nn_unimported() -> None:
    modules = [".".join(p.relative_to(ENGINE.parent).with_suffix("").parts) for p in engine_files()]
    code = (
        f"import importlib, sys\nfor m in {modules!r}:\n    importlib.import_module(m.removesuffix('.__init__'))\n"
        "loaded = sorted(m for m in sys.modules if m == 'nn' or m.startswith('nn.'))\n"
        "sys.exit(f'the engine imported {loaded}' if loaded else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ENGINE.parent)
    assert done.returncode == 0, done.stderr

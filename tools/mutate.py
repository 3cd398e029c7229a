"""Mutation testing of autograd-mini: change one thing in a source file, run that file's tests, repeat.

    nice -n 15 python tools/mutate.py                     # every file in FILES, one after the other
    nice -n 15 python tools/mutate.py autograd_mini/ops.py --list     # the mutants, without running them
    nice -n 15 python tools/mutate.py nn/losses.py --only 12,40       # re-run chosen mutants

Each mutant is one small change made on the syntax tree (``ast``) of a copy of the source tree in a temporary
directory, never in the working tree:

* arithmetic operators swapped (+ -, * /, ** *, @ *, | &, // /, % //), also in augmented assignments;
* comparisons swapped (< <=, > >=, == !=, is / is not, in / not in), ``and`` / ``or`` swapped;
* a unary ``-``, ``not`` or ``~`` dropped;
* number constants changed (n -> n + 1), ``True`` / ``False`` swapped, a string compared with ``==`` changed.

Docstrings, annotations, f-strings and the arguments of ``raise`` (error messages) are not mutated.

For each file, the tests in ``FILES`` run once on the unchanged copy (they must pass) under coverage with one
context per test, which gives, for each line, the tests that execute it. A mutant on a line no test executes is
*not covered* (a survivor, not run); any other runs only the tests of its line (all of the file's tests for a line
executed only at import, such as a default value), file by file with ``pytest -x``, in a process forked from one
that has already imported numpy, pytest, hypothesis and torch (hypothesis is derandomized by tests/conftest.py).
``--only`` skips the coverage pass and runs the chosen mutants against all of the file's tests. A mutant is
*killed* when a test fails (or collection breaks, or the time limit passes), *survived* when all pass. Results go
to ``out/mutation/FILE.json`` (rewritten after every mutant) and a summary line per file to stdout; the mutants in
``EQUIVALENT`` (by file, the line's code and the change, each with its reason) are counted apart. Not part of CI;
docs/MUTATION.md records the measured kill rates.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import gc
import importlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "out" / "mutation"

# file -> the tests that exercise it (fast ones first: pytest -x stops at the first failure)
_OPS_TESTS = [
    "tests/test_edges_ops.py",
    "tests/test_value.py",
    "tests/test_tensor.py",
    "tests/test_errors.py",
    "tests/test_engine_guards.py",
    "tests/test_compile.py",
    "tests/test_ops_gradients.py",
    "tests/test_higher_order.py",
    "tests/test_semantics.py",
]
FILES: dict[str, list[str]] = {
    "autograd_mini/ops.py": _OPS_TESTS,
    "autograd_mini/node.py": _OPS_TESTS,
    "nn/losses.py": ["tests/test_edges_nn.py", "tests/test_nn_losses.py", "tests/test_errors.py"],
    "nn/optim.py": ["tests/test_edges_nn.py", "tests/test_nn_optim.py"],
    "nn/closed_form.py": ["tests/test_edges_nn.py", "tests/test_closed_form.py", "tests/test_hand_vs_auto.py"],
}
# deselected everywhere: slow by design and covered by the files' faster tests
DESELECT = ["tests/test_semantics.py::test_million_node_chain_backpropagates_without_recursion"]

# Equivalent mutants (no input can tell them apart from the original): (file, the line's code, the change, why).
_EQUIVALENT_LIST: list[tuple[str, str, str, str]] = [
    (
        "nn/optim.py",
        "p.data -= np.asarray(delta).astype(p.data.dtype, copy=False)",
        "False -> True",
        "copy=True only adds a copy of the update before it is subtracted: same values",
    ),
    (
        "autograd_mini/ops.py",
        "x = np.add.reduce(x, axis=tuple(range(lead)) if lead > 1 else 0)",
        "> -> >= (#0)",
        "for lead == 1, axis (0,) and axis 0 reduce the same axis",
    ),
    (
        "autograd_mini/ops.py",
        "x = np.add.reduce(x, axis=stretched, keepdims=True)",
        "True -> False",
        "the final np.reshape(x, shape) puts the reduced size-1 axes back",
    ),
    (
        "autograd_mini/ops.py",
        "return x if np.shape(x) == shape else np.reshape(x, shape)",
        "== -> != (#0)",
        "after the two reductions (keepdims=True) x already has the target shape: the reshape never changes anything",
    ),
    (
        "autograd_mini/ops.py",
        "picked = _log_softmax_forward(x, -1)[np.arange(x.shape[0]), labels]",
        "drop unary -",
        "the fused cross_entropy takes 2-D logits only (checked before), where axis 1 is axis -1",
    ),
    (
        "autograd_mini/ops.py",
        "return (call(SOFTMAX, x, axis=-1) - onehot) * scale",
        "drop unary -",
        "the fused cross_entropy takes 2-D logits only (checked before), where axis 1 is axis -1",
    ),
    (
        "autograd_mini/ops.py",
        "if type(x) is float and type(y) is float:",
        "and -> or",
        "the two operands are always of one kind (a Value's floats or a Tensor's arrays), never mixed",
    ),
    (
        "autograd_mini/ops.py",
        "if type(x) is float and type(y) is float:",
        "is -> is not (#0)",
        "the float shortcut and the numpy path compute the same mask; the shortcut is only faster",
    ),
    (
        "autograd_mini/ops.py",
        "return reshape(g, shape_of(g) + (1,)) @ reshape(y, (1, shape_of(y)[0]))",
        "@ -> *",
        "(..., m, 1) @ (1, n) is an outer product, which broadcasting * computes too",
    ),
    (
        "autograd_mini/ops.py",
        "return reshape(x, (shape_of(x)[0], 1)) @ reshape(g, shape_of(g)[:-1] + (1, shape_of(g)[-1]))",
        "@ -> *",
        "(n, 1) @ (..., 1, m) is an outer product, which broadcasting * computes too",
    ),
    (
        "autograd_mini/ops.py",
        'LEAKY_RELU = defop("leaky_relu", lambda x, alpha: np.where(x > 0, x, alpha * x),',
        "> -> >= (#0)",
        "at x == 0 both branches give 0 (x and alpha * x; -0.0 too)",
    ),
    (
        "autograd_mini/node.py",
        "version_clock = [0]",
        "0 -> 1",
        "the version clock's starting reading does not matter, only the order of its readings",
    ),
    (
        "autograd_mini/node.py",
        "version_clock[0] += 1",
        "1 -> 2",
        "any positive step keeps the readings increasing, which is all the version check compares",
    ),
    (
        "autograd_mini/node.py",
        "if type(gi) is not np.ndarray or gi.shape != pd.shape or gi.dtype != pd.dtype:",
        "is not -> is (#0)",
        "the test only skips _reduce_to for a gradient already of the input's shape and dtype, where it is a no-op",
    ),
    (
        "nn/losses.py",
        "return (1.0 - si * yi).relu()",
        "* -> /",
        "hinge labels are checked to be -1 or +1, for which s * y == s / y",
    ),
    (
        "nn/losses.py",
        "labels = _labels(loss, yr, lead, classes).reshape(-1)",
        "1 -> 2",
        "numpy takes any negative size as the one unknown dimension: reshape(-2) is reshape(-1)",
    ),
    (
        "nn/losses.py",
        "return rows, None, _distribution(loss, yr, (*lead, classes)).reshape(-1, classes)",
        "1 -> 2",
        "numpy takes any negative size as the one unknown dimension: reshape(-2, c) is reshape(-1, c)",
    ),
    (
        "nn/losses.py",
        "labels = _labels(loss, _raw_target(loss, y), lead, len(rows[0])).reshape(-1)",
        "1 -> 2",
        "numpy takes any negative size as the one unknown dimension: reshape(-2) is reshape(-1)",
    ),
    (
        "nn/losses.py",
        "return np.log(np.clip(t, eps, 1.0))",
        "1.0 -> 2.0",
        "targets are checked to lie in [0, 1] first, so an upper clip at 2 changes nothing",
    ),
    (
        "nn/losses.py",
        "logt = np.log(np.where(t > 0, t, 1.0))",
        "1.0 -> 2.0",
        "where t == 0 the log is multiplied by t: 0 * log 1 and 0 * log 2 are both 0",
    ),
    (
        "nn/losses.py",
        'if arr.dtype.kind not in "biuf":',
        "'biuf' -> 'XXbiufXX'",
        "a containment test: the four kinds are still in the string and no numpy dtype kind is 'X'",
    ),
    (
        "nn/closed_form.py",
        "return np.where(n >= 0, 1.0 / (1.0 + e), e / (1.0 + e))",
        ">= -> > (#0)",
        "at n == 0, e = 1 and both branches give 1/2",
    ),
    (
        "nn/closed_form.py",
        "return np.where(n >= 0, n, alpha * n)",
        ">= -> > (#0)",
        "at n == 0 both branches give 0 (n and alpha * n; -0.0 too)",
    ),
    (
        "nn/closed_form.py",
        "X_arr = X_arr.reshape(1, -1)",
        "1 -> 2",
        "numpy takes any negative size as the one unknown dimension: reshape(-2) is reshape(-1)",
    ),
    (
        "nn/closed_form.py",
        "Y_arr = Y_arr.reshape(1, -1)",
        "1 -> 2",
        "numpy takes any negative size as the one unknown dimension: reshape(-2) is reshape(-1)",
    ),
    (
        "nn/closed_form.py",
        "Y_arr = Y_arr.reshape(-1, 1)",
        "1 -> 2",
        "numpy takes any negative size as the one unknown dimension: reshape(-2) is reshape(-1)",
    ),
    (
        "nn/closed_form.py",
        "theta = np.vstack([np.asarray(b, dtype=float).reshape(1, -1), W_arr])",
        "1 -> 2",
        "numpy takes any negative size as the one unknown dimension: reshape(-2) is reshape(-1)",
    ),
    (
        "nn/closed_form.py",
        "X_arr = X_arr.reshape(-1, 1)",
        "1 -> 2",
        "numpy takes any negative size as the one unknown dimension: reshape(-2) is reshape(-1)",
    ),
    (
        "nn/closed_form.py",
        "Y_arr = Y_arr.reshape(-1, 1) if (N == 1 and Y_arr.size == m_L) else Y_arr.reshape(1, -1)",
        "1 -> 2",
        "numpy takes any negative size as the one unknown dimension: reshape(-2) is reshape(-1) (both reshapes)",
    ),
    (
        "nn/closed_form.py",
        "w_O_arr = np.asarray(w_O, dtype=float).reshape(-1)",
        "1 -> 2",
        "numpy takes any negative size as the one unknown dimension: reshape(-2) is reshape(-1)",
    ),
    (
        "nn/closed_form.py",
        "c_arr = np.asarray(c, dtype=float).reshape(-1)",
        "1 -> 2",
        "numpy takes any negative size as the one unknown dimension: reshape(-2) is reshape(-1)",
    ),
    (
        "nn/closed_form.py",
        "if N == 1 and Y_arr.size == n_out:",
        "and -> or",
        "where the two tests differ, both branches give a wrong shape: the same error, naming Y's given shape",
    ),
    (
        "nn/closed_form.py",
        "elif n_out == 1 and Y_arr.size == N:",
        "and -> or",
        "where the two tests differ, both branches give a wrong shape: the same error, naming Y's given shape",
    ),
    (
        "nn/closed_form.py",
        "Y_arr = Y_arr.reshape(-1, 1) if (N == 1 and Y_arr.size == m_L) else Y_arr.reshape(1, -1)",
        "and -> or",
        "where the two tests differ, both branches give a wrong shape: the same error, naming Y's given shape",
    ),
    (
        "nn/closed_form.py",
        "rows, _ = samples_as_rows(X_arr.T, None, W_list[0].shape[1], W_list[-1].shape[0])",
        "0 -> 1",
        "samples_as_rows uses n_out only to check Y, and the forward pass gives it no Y",
    ),
    (
        "nn/closed_form.py",
        "N, m_L = a[-1].shape[1], a[-1].shape[0]",
        "drop unary -",
        "every a^[l] has one column per sample: a[1] has N columns too",
    ),
    (
        "nn/closed_form.py",
        "N, m_L = a[-1].shape[1], a[-1].shape[0]",
        "1 -> 2",
        "every a^[l] has one column per sample: a[-2] has N columns too",
    ),
]

_BINOPS: dict[type, type] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.Pow: ast.Mult,
    ast.MatMult: ast.Mult,
    ast.BitOr: ast.BitAnd,
    ast.BitAnd: ast.BitOr,
    ast.BitXor: ast.BitOr,
    ast.FloorDiv: ast.Div,
    ast.Mod: ast.FloorDiv,
    ast.LShift: ast.RShift,
    ast.RShift: ast.LShift,
}
_CMPOPS: dict[type, type] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
}
_SYMBOL = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.Pow: "**",
    ast.MatMult: "@",
    ast.BitOr: "|",
    ast.BitAnd: "&",
    ast.BitXor: "^",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.And: "and",
    ast.Or: "or",
    ast.USub: "-",
    ast.Not: "not",
    ast.Invert: "~",
}


@dataclass
class Mutant:
    index: int  # position in the file's list of mutants
    site: int  # position of the mutated node in the traversal
    line: int
    what: str  # e.g. "+ -> -", "0.5 -> 1.5"

    @property
    def key(self) -> str:
        return f"{self.line}:{self.what}"


# -- finding and applying mutations ------------------------------------------------------------------------
def _sites(tree: ast.AST) -> list[ast.AST]:
    """The mutable nodes, in a fixed order (the same for every parse of the same source)."""
    found: list[ast.AST] = []
    stack: list[tuple[ast.AST, bool]] = [(tree, False)]
    while stack:
        node, skip = stack.pop()
        if isinstance(node, (ast.JoinedStr, ast.Raise)):
            continue
        if not skip and _alternatives(node, None):
            found.append(node)
        children = []
        for field, value in ast.iter_fields(node):
            items = value if isinstance(value, list) else [value]
            for k, child in enumerate(items):
                if not isinstance(child, ast.AST):
                    continue
                if field in ("annotation", "returns"):
                    continue
                if field == "body" and k == 0 and _is_docstring(child):
                    continue
                children.append((child, False))
        stack.extend(reversed(children))
    return found


def _is_docstring(node: ast.AST) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)


def _alternatives(node: ast.AST, parent_compare: bool | None) -> list[str]:
    """Descriptions of the mutations possible at ``node`` (one mutant each)."""
    if isinstance(node, (ast.BinOp, ast.AugAssign)) and type(node.op) in _BINOPS:
        return [f"{_SYMBOL[type(node.op)]} -> {_SYMBOL[_BINOPS[type(node.op)]]}"]
    if isinstance(node, ast.Compare):
        return [f"{_SYMBOL[type(op)]} -> {_SYMBOL[_CMPOPS[type(op)]]} (#{k})" for k, op in enumerate(node.ops)]
    if isinstance(node, ast.BoolOp):
        return [f"{_SYMBOL[type(node.op)]} -> {'or' if isinstance(node.op, ast.And) else 'and'}"]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.Not, ast.Invert)):
        return [f"drop unary {_SYMBOL[type(node.op)]}"]
    if isinstance(node, ast.Constant):
        v = node.value
        if isinstance(v, bool):
            return [f"{v} -> {not v}"]
        if isinstance(v, (int, float)) and not isinstance(v, complex):
            return [f"{v!r} -> {v + 1!r}"]
    if isinstance(node, ast.Compare):
        return []
    return []


def _compare_strings(tree: ast.AST) -> list[ast.Constant]:
    """String constants compared with == / != / in (e.g. ``reduction == "mean"``): mutated too."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for operand in (node.left, *node.comparators):
                if isinstance(operand, ast.Constant) and isinstance(operand.value, str):
                    out.append(operand)
    return out


def mutants_of(source: str) -> list[Mutant]:
    tree = ast.parse(source)
    strings = {id(s) for s in _compare_strings(tree)}
    result: list[Mutant] = []
    sites = _sites(tree)
    for site, node in enumerate(sites):
        for what in _alternatives(node, None):
            result.append(Mutant(len(result), site, node.lineno, what))
    for node in ast.walk(tree):
        if id(node) in strings:
            result.append(Mutant(len(result), -1, node.lineno, f"{node.value!r} -> 'XX{node.value}XX'"))
    return result


def apply(source: str, m: Mutant) -> str:
    tree = ast.parse(source)
    if m.site == -1:
        for node in _compare_strings(tree):
            if node.lineno == m.line and m.what.startswith(repr(node.value) + " ->"):
                node.value = f"XX{node.value}XX"
                return ast.unparse(tree)
        raise LookupError(m)
    node = _sites(tree)[m.site]
    what = m.what
    if isinstance(node, (ast.BinOp, ast.AugAssign)):
        node.op = _BINOPS[type(node.op)]()
    elif isinstance(node, ast.Compare):
        k = int(what.rsplit("#", 1)[1].rstrip(")"))
        node.ops[k] = _CMPOPS[type(node.ops[k])]()
    elif isinstance(node, ast.BoolOp):
        node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
    elif isinstance(node, ast.UnaryOp):
        _replace(tree, node, node.operand)
    elif isinstance(node, ast.Constant):
        node.value = (not node.value) if isinstance(node.value, bool) else node.value + 1
    return ast.unparse(tree)


def _replace(tree: ast.AST, old: ast.AST, new: ast.AST) -> None:
    for parent in ast.walk(tree):
        for field, value in ast.iter_fields(parent):
            if value is old:
                setattr(parent, field, new)
                return
            if isinstance(value, list):
                for k, item in enumerate(value):
                    if item is old:
                        value[k] = new
                        return
    raise LookupError("node not found")


# -- running ---------------------------------------------------------------------------------------------
def _copy_tree(dest: Path) -> None:
    for name in ("autograd_mini", "nn", "tests", "examples", "docs"):
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__", ".hypothesis"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, dest / name)


def _pytest_args(tests: list[str]) -> list[str]:
    args = ["-x", "-q", "-p", "no:cacheprovider", "--no-header", "-o", "addopts="]
    for d in DESELECT:
        args += ["--deselect", d]
    return args + tests


def _tests_by_line(work: Path, target: str, tests: list[str]) -> tuple[dict[int, list[str]], float]:
    """Run the selection once on the unchanged copy under coverage with one context per test: for each line of
    ``target`` the test node ids that execute it (``[]`` for a line run only at import, such as a default value:
    every mutant there runs the whole selection)."""
    env = dict(os.environ, PYTHONPATH=str(work), PYTHONDONTWRITEBYTECODE="1", COVERAGE_FILE=str(work / ".cov"))
    package_dir = str(work / Path(target).parts[0])  # a directory: coverage must not import anything itself
    start = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            *_pytest_args(tests),
            f"--cov={package_dir}",
            "--cov-context=test",
            "--cov-report=",
        ],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"the tests fail on the unchanged {target}; fix that first:\n{proc.stdout[-3000:]}")
    import coverage

    cov = coverage.Coverage(data_file=str(work / ".cov"))
    cov.load()
    by_line = cov.get_data().contexts_by_lineno(str(work / target))
    order = {t: k for k, t in enumerate(tests)}
    result: dict[int, list[str]] = {}
    for line, contexts in by_line.items():
        ids = {c.rsplit("|", 1)[0] for c in contexts if c}
        result[line] = sorted(ids, key=lambda i: (order.get(i.split("::")[0], len(order)), i))
    return result, elapsed


def _by_file(tests: list[str]) -> list[list[str]]:
    """Test ids (or files) grouped by file, in the given order."""
    groups: dict[str, list[str]] = {}
    for t in tests:
        groups.setdefault(t.split("::")[0], []).append(t)
    return list(groups.values())


def _run_forked(work: Path, tests: list[str], timeout: float) -> str:
    """Run pytest on ``tests`` in a forked child: 'killed' (a test failed, or collection broke), 'survived',
    'timeout', or 'error' (pytest's usage error or no tests: a problem of this tool, never counted as a kill)."""
    pid = os.fork()
    if pid == 0:  # child
        rc = 99
        try:
            os.setpgid(0, 0)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            import pytest

            rc = 0
            for group in _by_file(tests):  # one file at a time: a kill in the first file skips collecting the rest
                rc = int(pytest.main(_pytest_args(group)))
                if rc != 0:
                    break
        finally:
            os._exit(rc)
    with contextlib.suppress(OSError):
        os.setpgid(pid, pid)
    deadline = time.monotonic() + timeout
    done = 0
    try:
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                code = os.waitstatus_to_exitcode(status)
                return {0: "survived", 1: "killed", 2: "killed", 3: "killed"}.get(code, "error")
            if time.monotonic() > deadline:
                return "timeout"
            time.sleep(0.02)
    finally:
        if not done:
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)
            os.waitpid(pid, 0)


def _prepare_parent(work: Path) -> None:
    # What every child would import anyway, imported once here (never the project itself).
    sys.dont_write_bytecode = True
    os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
    os.chdir(work)
    sys.path[:0] = [str(work), str(work / "tests")]
    import hypothesis.extra.numpy  # noqa: F401
    import numpy  # noqa: F401
    import pytest  # noqa: F401

    for optional in ("torch", "pytest_cov.plugin"):  # torch costs ~2 s of CPU per import: once, not per mutant
        with contextlib.suppress(ImportError):
            importlib.import_module(optional)

    gc.freeze()  # the children's collections (pytest runs several per session) skip all of this: 3x faster
    for mod in list(sys.modules):
        if mod.split(".")[0] in ("autograd_mini", "nn"):
            raise SystemExit(f"{mod} was imported before forking: mutants would not be seen")


def _summary(target: str, commit: str, blob: str, results: list[dict], base: float, seconds: float, total: int) -> dict:
    counts = {
        s: sum(r["status"] == s for r in results)
        for s in ("killed", "timeout", "survived", "not covered", "equivalent", "error")
    }
    judged = len(results) - counts["equivalent"]
    rate = 100.0 * (counts["killed"] + counts["timeout"]) / judged if judged else 100.0
    return {
        "file": target,
        "commit": commit,
        "blob": blob,  # the file's git blob id: names the measured version even after a rebase
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "tool": "tools/mutate.py",
        "mutants": len(results),
        "of": total,
        **counts,
        "kill_rate_excluding_equivalent": round(rate, 1),
        "baseline_seconds": round(base, 1),
        "seconds": round(seconds, 1),
        "tests": FILES[target],
        "results": results,
    }


def equivalent_key(target: str, code: str, what: str) -> str:
    """How ``EQUIVALENT`` names a mutant: file, the changed line's code and the change (not the line number,
    which moves whenever the file is edited)."""
    return f"{target} | {code} | {what}"


EQUIVALENT: dict[str, str] = {equivalent_key(f, code, what): why for f, code, what, why in _EQUIVALENT_LIST}


def run_file(target: str, only: set[int] | None, commit: str, out: Path) -> dict:
    """Mutate ``target`` one mutant at a time; the summary so far is rewritten to ``out`` after each mutant."""
    tests = FILES[target]
    source = (ROOT / target).read_text()
    blob = _blob(target)
    lines = source.splitlines()
    mutants = [m for m in mutants_of(source) if only is None or m.index in only]
    work = Path(tempfile.mkdtemp(prefix="mutate-"))
    results: list[dict] = []
    try:
        _copy_tree(work)
        if only is None:
            by_line, base = _tests_by_line(work, target, tests)
        else:  # re-running chosen mutants: no coverage pass, each runs the whole selection (file by file, -x)
            by_line, base = {m.line: [] for m in mutants}, 200.0
        timeout = 3 * base + 20
        cwd, path = os.getcwd(), list(sys.path)
        _prepare_parent(work)
        start = time.perf_counter()
        for m in mutants:
            code = lines[m.line - 1].strip()
            if m.line not in by_line:
                status = "not covered"
            else:
                (work / target).write_text(apply(source, m))
                status = _run_forked(work, by_line[m.line] or tests, timeout)
            if status != "killed" and equivalent_key(target, code, m.what) in EQUIVALENT:
                status = "equivalent"
            results.append({"index": m.index, "line": m.line, "what": m.what, "status": status, "code": code})
            if status in ("survived", "not covered", "error"):
                print(f"  {status}: {target}:{m.line} [{m.index}] {m.what}    {code[:80]}", flush=True)
            if len(results) % 20 == 0:
                print(f"  ... {len(results)}/{len(mutants)} mutants ({time.perf_counter() - start:.0f} s)", flush=True)
            summary = _summary(target, commit, blob, results, base, time.perf_counter() - start, len(mutants))
            out.write_text(json.dumps(summary, indent=1))
        os.chdir(cwd)
        sys.path[:] = path
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return summary


def _blob(target: str) -> str:
    out = subprocess.run(["git", "hash-object", target], cwd=ROOT, capture_output=True, text=True)
    return out.stdout.strip()[:10]


def _commit() -> str:
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--", *FILES], cwd=ROOT, capture_output=True, text=True)
    return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="*", default=list(FILES), help=f"files to mutate (default: {', '.join(FILES)})")
    parser.add_argument("--list", action="store_true", help="list the mutants without running them")
    parser.add_argument(
        "--only", help="comma-separated mutant indices to run again (each against the file's whole test selection)"
    )
    args = parser.parse_args(argv)
    only = {int(k) for k in args.only.split(",")} if args.only else None
    for target in args.files:
        if target not in FILES:
            parser.error(f"no test selection for {target}; known files: {', '.join(FILES)}")
    if args.list:
        for target in args.files:
            source = (ROOT / target).read_text()
            for m in mutants_of(source):
                print(f"{target}:{m.line} [{m.index}] {m.what}")
        return 0
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the finally blocks end the running child
    OUT.mkdir(parents=True, exist_ok=True)
    commit = _commit()
    for target in args.files:
        out = OUT / (target.replace("/", "_") + (".partial" if only else "") + ".json")
        summary = run_file(target, only, commit, out)
        print(
            f"{target} @ {commit} (blob {summary['blob']}): {summary['mutants']} mutants, "
            f"killed {summary['killed'] + summary['timeout']}, "
            f"survived {summary['survived']}, not covered {summary['not covered']}, "
            f"equivalent {summary['equivalent']}, errors {summary['error']}: "
            f"kill rate {summary['kill_rate_excluding_equivalent']}% excluding equivalent mutants "
            f"({summary['seconds']:.0f} s)",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

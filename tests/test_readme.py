"""Every ```python block of README.md runs, and a ```text block right after one is its exact output.

After a deliberate change of a printed format, ``python tests/test_readme.py --update`` rewrites those output
blocks from a real run (then review the diff).
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCK = re.compile(r"```(\w+)\n(.*?)```", re.S)


def blocks() -> list[tuple[str, str, int]]:
    """(language, code, end offset) of every fenced block."""
    return [(m.group(1), m.group(2), m.end()) for m in BLOCK.finditer(README.read_text(encoding="utf-8"))]


def python_blocks() -> list[tuple[str, str | None]]:
    """Each python block with the text block that directly follows it (its expected output), if any."""
    text = README.read_text(encoding="utf-8")
    found = blocks()
    out: list[tuple[str, str | None]] = []
    for i, (lang, code, end) in enumerate(found):
        if lang != "python":
            continue
        expected = None
        if i + 1 < len(found) and found[i + 1][0] == "text":
            between = text[end : text.index("```text", end)]
            if not between.strip():
                expected = found[i + 1][1]
        out.append((code, expected))
    return out


CASES = python_blocks()


def test_readme_has_snippets() -> None:
    assert len(CASES) >= 4
    assert sum(expected is not None for _, expected in CASES) >= 3


@pytest.mark.parametrize("code,expected", CASES, ids=[f"block{i}" for i in range(len(CASES))])
def test_python_block_runs(code: str, expected: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    output = run_block(code)
    if expected is not None:  # after a change of a printed format: python tests/test_readme.py --update
        assert _normalize(output) == _normalize(expected)


ROUNDING_NOISE = re.compile(r"\b\d(?:\.\d+)?e-(?:1[3-9]|[2-9]\d|\d{3})\b")


def _normalize(text: str) -> str:
    """Rounding noise (numbers below 1e-12 in e-notation, such as a report's 4.4e-16) depends on the order
    of floating-point sums and on the BLAS build, so it reads as one token; every other character must match."""
    return ROUNDING_NOISE.sub("<1e-12", text)


def test_readme_keeps_setup_commands_and_links() -> None:
    text = README.read_text(encoding="utf-8")
    assert "docs/ERRATA.md" in text and (README.parent / "docs" / "ERRATA.md").exists()
    for picture in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text):
        path = README.parent / picture
        assert path.exists(), picture
        assert path.read_text(encoding="utf-8").lstrip().startswith(("<?xml", "<svg", "<!DOCTYPE"))
    assert "<!-- bench -->" in text and "Figures: see the table below" in text and "benchmarks/README.md" in text


def _readme_setup() -> ModuleType:
    """.ci/readme_setup.py, the parser .ci/run uses to read the set-up commands."""
    path = README.parent / ".ci" / "readme_setup.py"
    spec = importlib.util.spec_from_file_location("readme_setup", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_setup_block_holds_the_two_commands_ci_runs() -> None:
    """Exactly two commands: install + demo on built-in data, then install the test extra + run the tests
    (.ci/run runs these same two, read by the same parser, in a fresh virtual environment)."""
    commands = _readme_setup().setup_commands(README.read_text(encoding="utf-8"))
    assert commands == [
        'pip install -e ".[examples]" && autograd-mini demo',
        'pip install -e ".[test]" && python -m pytest',
    ]
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "python .ci/readme_setup.py" in ci and 'bash -euo pipefail -c "${setup[0]}"' in ci
    assert ci.index('-c "${setup[0]}"') < ci.index("export AUTOGRAD_MINI_CI=1") < ci.index('-c "${setup[1]}"')


def test_extras_named_by_the_setup_commands_exist() -> None:
    """The `examples` extra holds what the demo and examples import; `test` everything the suite imports."""
    if sys.version_info < (3, 11):
        pytest.skip("tomllib is in the standard library from Python 3.11")
    import tomllib

    extras = tomllib.loads((README.parent / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "optional-dependencies"
    ]
    names = {extra: {re.split(r"[<>=!~\[ ]", req, maxsplit=1)[0] for req in reqs} for extra, reqs in extras.items()}
    assert {"matplotlib", "tqdm", "scikit-learn", "mlxtend", "hypothesis"} <= names["examples"]
    assert {"autograd-mini", "pytest", "micrograd", "nbclient", "nbformat", "ipykernel"} <= names["test"]
    included = {e for req in extras["test"] if req.startswith("autograd-mini[") for e in req[14:-1].split(",")}
    assert {"examples", "viz"} <= included  # the test extra pulls in what the examples and the pictures import


def test_setup_parser_refuses_a_readme_without_the_block() -> None:
    parser = _readme_setup()
    with pytest.raises(ValueError, match="Set-up"):
        parser.setup_commands("# title\n\n## Usage\n")
    with pytest.raises(ValueError, match="bash block"):
        parser.setup_commands("## Set-up\n\nno commands\n\n## Next\n")
    assert parser.setup_commands("## Set-up\n```bash\n# comment\na\n\nb\n```\n## Next\n```bash\nc\n```\n") == ["a", "b"]


def test_shadowing_note_quotes_the_real_error(tmp_path: Path) -> None:
    """README's note: a local nn.py hides the package; the error it quotes is the one Python gives."""
    import os
    import subprocess
    import sys

    text = README.read_text(encoding="utf-8")
    (tmp_path / "nn.py").write_text("# the user's own file\n")
    env = {**os.environ, "PYTHONPATH": str(README.parent)}
    script = subprocess.run(
        [sys.executable, "-c", "import nn; nn.MLP(2, [1])"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    quoted = script.stderr.strip().splitlines()[-1]
    assert quoted == "AttributeError: module 'nn' has no attribute 'MLP'" and f"`{quoted}`" in text
    (tmp_path / "nn.py").write_text("print('the local nn.py ran')\n")
    cli = subprocess.run(
        [sys.executable, "-m", "nn", "demo", "--out", str(tmp_path / "out")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert (cli.returncode, cli.stdout, cli.stderr) == (0, "the local nn.py ran\n", "")
    assert "`python -m nn demo` run from that folder runs your\n`nn.py` instead of the demo, without any error" in text


def run_block(code: str) -> str:
    """The stdout of one python block, run in a fresh namespace."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        exec(compile(code, str(README), "exec"), {"__name__": "__readme__"})
    return buffer.getvalue()


def update() -> int:
    """Rewrite every output block (a ```text block right after a ```python block) with the real output:
    ``python tests/test_readme.py --update`` after a change of the printed formats."""
    import os
    import tempfile

    text = README.read_text(encoding="utf-8")
    found = list(BLOCK.finditer(text))
    pieces: list[str] = []
    last = 0
    changed = 0
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        try:
            for prev, cur in zip(found, found[1:]):
                if prev.group(1) == "python" and cur.group(1) == "text" and not text[prev.end() : cur.start()].strip():
                    output = run_block(prev.group(2))
                    changed += output != cur.group(2)
                    pieces.append(text[last : cur.start()] + "```text\n" + output + "```")
                    last = cur.end()
        finally:
            os.chdir(cwd)
    README.write_text("".join(pieces) + text[last:], encoding="utf-8")
    print(f"{changed} output block(s) of {README} updated")
    return 0


if __name__ == "__main__":
    import sys

    if sys.argv[1:] != ["--update"]:
        raise SystemExit("usage: python tests/test_readme.py --update   (rewrites README.md's output blocks)")
    raise SystemExit(update())

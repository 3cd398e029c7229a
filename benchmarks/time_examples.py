"""Wall time of every example command and notebook the README lists, written to benchmarks/example_times.json.

Each example runs as the README shows it (``python examples/NAME.py``, ``autograd-mini digits`` as
``python -m nn digits``), in a fresh process with this checkout first on PYTHONPATH and a temporary working
directory (the pictures they write land there); each notebook runs top to bottom in a fresh kernel (nbclient,
as ``tests/test_notebooks.py`` does). A command that fails stops the script: no time is written for a run that
did not work. ``update_readme.py`` puts the times in README.md, with the machine and its load.

    python benchmarks/time_examples.py [--out benchmarks/example_times.json]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import ROOT, use_repo_root

use_repo_root()

from run_goals import start_record, write_record  # noqa: E402 - after use_repo_root

OUT = Path(__file__).resolve().parent / "example_times.json"
#: README's name for each command -> the argv that runs it (the interpreter running this script is prepended)
COMMANDS = {
    "autograd-mini demo": ["-m", "nn", "demo"],
    "examples/logic_gates.py": [str(ROOT / "examples" / "logic_gates.py")],
    "examples/worked_examples.py": [str(ROOT / "examples" / "worked_examples.py")],
    "examples/derivation_check.py": [str(ROOT / "examples" / "derivation_check.py")],
    "examples/universal_approximation.py": [str(ROOT / "examples" / "universal_approximation.py")],
    "examples/micrograd_demo.py": [str(ROOT / "examples" / "micrograd_demo.py")],
    "autograd-mini digits": ["-m", "nn", "digits"],
    "examples/scale_up_with_torch.py": [str(ROOT / "examples" / "scale_up_with_torch.py")],  # the [torch] extra
}
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["MPLBACKEND"] = "Agg"
    return env


def time_command(argv: list[str], cwd: str) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, *argv], cwd=cwd, env=_environment(), capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"time_examples: {' '.join(argv)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return seconds


def time_notebook(path: Path) -> float:
    """Seconds to run the notebook in a fresh kernel of this interpreter, the checkout importable."""
    import nbclient
    import nbformat

    os.environ["PYTHONPATH"] = _environment()["PYTHONPATH"]  # the kernel inherits it
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    nb = nbformat.read(path, as_version=4)
    t0 = time.perf_counter()
    nbclient.NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    ).execute()
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    record = start_record("benchmarks/time_examples.py")
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as cwd:
        for name, command in COMMANDS.items():
            rows.append({"what": name, "kind": "command", "seconds": round(time_command(command, cwd), 1)})
            print(f"  {name}: {rows[-1]['seconds']} s", flush=True)
    for path in NOTEBOOKS:
        rows.append({"what": f"notebooks/{path.name}", "kind": "notebook", "seconds": round(time_notebook(path), 1)})
        print(f"  {path.name}: {rows[-1]['seconds']} s", flush=True)
    write_record(record, rows, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""README.md's set-up commands: the fenced block under "## Set-up", the single source of how to install.

``python .ci/readme_setup.py`` prints them one per line (``.ci/run`` runs them in a fresh virtual
environment); ``tests/test_readme.py`` checks them through :func:`setup_commands`.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
SECTION = re.compile(r"^## Set-up\n(.*?)(?=^## |\Z)", re.S | re.M)
SHELL_BLOCK = re.compile(r"^```(?:bash|sh|shell)\n(.*?)^```", re.S | re.M)


def setup_commands(text: str) -> list[str]:
    """The commands of the first shell block of the "## Set-up" section (blank lines and comments dropped)."""
    section = SECTION.search(text)
    if section is None:
        raise ValueError("README.md has no '## Set-up' section")
    block = SHELL_BLOCK.search(section.group(1))
    if block is None:
        raise ValueError("README.md's '## Set-up' section has no ```bash block")
    lines = (line.strip() for line in block.group(1).splitlines())
    return [line for line in lines if line and not line.startswith("#")]


if __name__ == "__main__":
    try:
        print("\n".join(setup_commands(README.read_text(encoding="utf-8"))))
    except ValueError as exc:
        sys.exit(f"readme_setup: {exc}")

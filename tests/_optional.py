"""Optional packages and programs in tests: skipped on a developer's machine without them, required in CI.

CI (``.ci/run``) installs every extra and every program the tests use and sets ``AUTOGRAD_MINI_CI=1``; there a
missing one fails the test instead of skipping it, so nothing the suite claims to check is silently skipped.
"""

from __future__ import annotations

import os
import shutil
from types import ModuleType

import pytest

IN_CI = os.environ.get("AUTOGRAD_MINI_CI") == "1"


def require_module(name: str, extra: str) -> ModuleType:
    """Import ``name`` (from the project's extra ``extra``); skip without it, fail in CI."""
    if IN_CI:
        import importlib

        return importlib.import_module(name)
    return pytest.importorskip(name, reason=f"{name} is not installed (pip install -e '.[{extra}]')")


def require_program(name: str, hint: str) -> str:
    """The path of the program ``name``; skip without it, fail in CI."""
    path = shutil.which(name)
    if path is None:
        if IN_CI:
            pytest.fail(f"{name} is not on PATH in CI ({hint})")
        pytest.skip(f"{name} is not on PATH ({hint})")
    return path

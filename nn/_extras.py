"""The one way ``nn`` imports an optional package (matplotlib, tqdm, hypothesis, mlxtend, scikit-learn...).

Optional packages belong to pyproject.toml's extras and are imported only inside the function that needs them,
through :func:`require`: when one is missing the user reads one line naming the package and the command that
installs it from a checkout, instead of a bare ``ModuleNotFoundError`` from deep inside a call.
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["PACKAGES", "install_command", "require"]

#: Distribution names (what pip installs) of the import names that differ from them.
PACKAGES = {"sklearn": "scikit-learn"}


def install_command(extra: str) -> str:
    """The command that installs the extra ``extra`` from a checkout of the repository."""
    return f'pip install -e ".[{extra}]"'


def require(module: str, what: str, extra: str = "examples") -> ModuleType:
    """Import ``module`` (e.g. ``"matplotlib.figure"``) for the feature ``what``.

    Raises:
        ImportError: one line naming the missing package and ``pip install -e ".[EXTRA]"``, when ``module``
            or one of its parent packages is not installed. An installed package that fails to import for
            another reason (one of its own dependencies broken) keeps its original error.
    """
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        missing = exc.name or module
        if module != missing and not module.startswith(missing + "."):
            raise
        top = module.split(".", 1)[0]
        package = PACKAGES.get(top, top)
        raise ImportError(
            f"{what} needs {package}, which is not installed: {install_command(extra)} "
            f"(from a checkout of autograd-mini; or pip install {package})"
        ) from exc

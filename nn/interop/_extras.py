"""Importing an optional package for ``nn.interop``, with a one-line message naming the extra to install."""

from __future__ import annotations

import importlib
from types import ModuleType

#: package -> the project's extra that installs it.
EXTRAS = {"torch": "torch", "onnx": "onnx", "onnxruntime": "onnx"}


def require(package: str, what: str) -> ModuleType:
    """Import ``package`` or raise an ImportError saying which extra to install."""
    try:
        return importlib.import_module(package)
    except ImportError:
        extra = EXTRAS[package]
        raise ImportError(
            f'{what} needs {package}, which is not installed: pip install -e ".[{extra}]" '
            f'(or pip install "autograd-mini[{extra}]")'
        ) from None

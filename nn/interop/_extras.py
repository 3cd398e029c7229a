"""Importing an optional package for ``nn.interop``, with a one-line message naming the extra to install
(through nn/_extras.py's :func:`~nn._extras.require`, the one way nn imports an optional package)."""

from __future__ import annotations

from types import ModuleType

from .._extras import require as _require

#: package -> the project's extra that installs it.
EXTRAS = {"torch": "torch", "onnx": "onnx", "onnxruntime": "onnx"}


def require(package: str, what: str) -> ModuleType:
    """Import ``package`` or raise an ImportError saying which extra to install."""
    return _require(package, what, extra=EXTRAS[package])

"""Moving a network between this project and PyTorch / ONNX (issue 14).

* :func:`to_torch` / :func:`from_torch`: a ``torch.nn.Sequential`` of ``Linear`` and activation modules with the
  same outputs and gradients; :func:`torch_loss` and ``TORCH_LOSSES``: each of ``nn.LOSSES`` in PyTorch;
  :func:`save_torch`: a ``torch.export`` file (``.pt2``) PyTorch loads without this project.
* :func:`to_onnx`: an ONNX model written with the ``onnx`` package alone (no PyTorch needed).

torch, onnx and onnxruntime are optional (extras ``[torch]`` and ``[onnx]``), imported only inside these
functions; without them a call raises an ImportError naming the extra to install.
"""

from .onnx_export import to_onnx
from .pytorch import TORCH_LOSSES, from_torch, save_torch, steps_to_torch, to_torch, torch_loss

__all__ = ["TORCH_LOSSES", "from_torch", "save_torch", "steps_to_torch", "to_onnx", "to_torch", "torch_loss"]

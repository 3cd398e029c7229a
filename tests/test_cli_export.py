"""autograd-mini export: a saved model, rebuilt from its architecture record, to PyTorch (.pt2) and ONNX."""

from __future__ import annotations

import numpy as np

import nn
from nn.cli import main
from tests._optional import require_module


def _saved(tmp_path):
    model = nn.MLP(3, [4, 2], activation=["leaky_relu", "softmax"], engine="tensor", seed=4)
    return model, model.save(tmp_path / "model.npz")


def test_export_onnx_runs_with_onnxruntime(tmp_path, capsys):
    ort = require_module("onnxruntime", "onnx")
    require_module("onnx", "onnx")
    model, path = _saved(tmp_path)
    assert main(["export", path, "--to", "onnx"]) == 0
    out = tmp_path / "model.onnx"
    assert f"wrote {out}" in capsys.readouterr().out
    X = np.random.default_rng(0).normal(size=(5, 3))
    got = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"]).run(None, {"input": X})[0]
    np.testing.assert_allclose(got, model(X).data, rtol=1e-12, atol=1e-12)


def test_export_torch_loads_with_torch_export(tmp_path, capsys):
    torch = require_module("torch", "torch")
    model, path = _saved(tmp_path)
    out = tmp_path / "elsewhere.pt2"
    assert main(["export", path, "--to", "torch", "--out", str(out)]) == 0
    assert "torch.export.load" in capsys.readouterr().out
    X = np.random.default_rng(1).normal(size=(2, 3))
    got = torch.export.load(out).module()(torch.from_numpy(X)).detach().numpy()
    np.testing.assert_allclose(got, model(X).data, rtol=1e-12, atol=1e-12)


def test_export_errors_exit_2_with_one_line(tmp_path, capsys):
    (tmp_path / "notes.npz").write_text("hello")
    assert main(["export", str(tmp_path / "notes.npz"), "--to", "onnx"]) == 2
    assert "notes.npz: a text file, not an .npz archive" in capsys.readouterr().err

    class Twice(nn.Module):
        def __init__(self):
            self.inner = nn.Linear(2, 1, engine="tensor", rng=0)

        def forward(self, x):
            return self.inner(x) * 2

    path = Twice().save(tmp_path / "custom.npz")
    assert main(["export", path, "--to", "torch"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("autograd-mini export: error: ") and "no architecture record" in err
    assert not (tmp_path / "custom.pt2").exists()

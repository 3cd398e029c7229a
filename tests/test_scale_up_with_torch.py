"""examples/scale_up_with_torch.py, short: trained here, continued with DistributedDataParallel on 2 CPU processes
(gloo, localhost), imported back. Run as a script (torch.multiprocessing.spawn re-imports its __main__)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests._optional import require_module

ROOT = Path(__file__).resolve().parent.parent


def test_loss_keeps_falling_across_the_hand_over_and_the_import_is_exact(tmp_path):
    require_module("torch", "torch")
    out = tmp_path / "results.json"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "scale_up_with_torch.py"), "--quick", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    r = json.loads(out.read_text())
    assert r["handover"] < r["start"]
    assert abs(r["ddp"][0] - r["handover"]) < 1e-12  # torch computes the handed-over model's loss exactly
    assert r["ddp"][-1] < r["ddp"][0]  # DDP training went on lowering it
    assert all(b < a for a, b in zip(r["ddp"], r["ddp"][1:]))
    assert abs(r["final"] - r["ddp"][-1]) < 1e-12  # evaluated here after the import: the same loss
    assert r["max_output_difference"] <= 1e-12  # the imported model's outputs are torch's final model's
    assert "the loss kept falling across the hand-overs" in proc.stdout

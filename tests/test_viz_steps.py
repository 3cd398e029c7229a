"""Issue 12: the backward pass step by step (frames, SVG, GIF, HTML in headless Chromium).

The numbers of frame k are checked against partial sums computed here independently: the engine's final
gradients (``backward()``) of the nodes processed in frames 1..k times local derivatives by central
differences of each op's forward function.
"""

from __future__ import annotations

import random
import re
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import nn
from autograd_mini import Tensor, Value
from autograd_mini.node import Node, toposort
from autograd_mini.viz import backward_steps
from nn import documents
from tests._optional import require_module, require_program

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def worked_example() -> Value:
    """Doc 000's worked example (eqs. 39-51): L = 16, s^2 = 8, s^1 = [8 8]; inputs as plain numbers."""
    model, X, Y, _ = documents.doc000_worked_example()
    L = (model(X[0].tolist()) - float(Y[0, 0])) ** 2
    L.label = "L"
    L.backward()
    return L


def random_mlp(seed: int) -> Value:
    rnd = random.Random(seed)
    sizes = [rnd.randint(1, 3), rnd.randint(1, 4), rnd.randint(1, 2)]
    model = nn.MLP(sizes[0], sizes[1:], activation=["tanh", "linear"], seed=seed)
    out = model([rnd.uniform(-1, 1) for _ in range(sizes[0])])
    outs = out if isinstance(out, list) else [out]
    L = sum((o - 0.3) ** 2 for o in outs)
    L.label = "L"
    L.backward()
    return L


def numeric_local(node: Node, i: int, h: float = 1e-6) -> float:
    """d node / d input i by central differences of the op's forward function (not its rule)."""
    args = [p.data for p in node._parents]
    params = node._params or {}
    up, down = list(args), list(args)
    up[i] += h
    down[i] -= h
    return (float(node.op.forward(*up, **params)) - float(node.op.forward(*down, **params))) / (2 * h)  # type: ignore[union-attr]


def micrograd_network() -> Value:
    """nn's MLP(2, [16, 16, 1]) (micrograd's demo network): over 200 nodes, so drawn collapsed."""
    model = nn.MLP(2, [16, 16, 1], seed=0)
    L = (model([1.0, -1.0]) - 1.0) ** 2
    L.label = "L"
    L.backward()
    return L


@pytest.mark.parametrize("make", [worked_example, lambda: random_mlp(1), lambda: random_mlp(7), micrograd_network])
def test_frame_numbers_are_the_partial_sums_of_the_reverse_pass(make: Any) -> None:
    L = make()
    steps = backward_steps(L)
    order = toposort([L], include_constants=True)
    processed: list[Node] = []
    for frame in steps:
        processed.extend(frame.processed)
        # a node is processed only after every consumer of it (reverse topological order)
        for k, node in enumerate(processed):
            consumers = [c for c in order if any(p is node for p in c._parents)]
            assert all(c in processed[:k] for c in consumers if c.requires_grad)
        for p in order:
            if not p.requires_grad or p is L:
                continue
            expected = sum(c.grad * numeric_local(c, i) for c in processed for i, q in enumerate(c._parents) if q is p)
            assert frame.grads.get(p, 0.0) == pytest.approx(expected, rel=1e-5, abs=1e-7), (frame.index, p.label)
    last = steps[len(steps) - 1]
    assert len(processed) == sum(1 for n in order if n.op is not None and n.requires_grad)
    for p in order:  # the last frame holds the final gradients, those backward() gave
        if p.requires_grad:
            assert last.grads[p] == pytest.approx(p.grad, rel=1e-12)


def test_collapsed_graph_one_frame_per_group() -> None:
    steps = backward_steps(micrograd_network())
    assert len(steps) == 8  # frame 0, L, the subtraction, then n^3, a^2, n^2, a^1, n^1
    assert [len(f.processed) for f in steps] == [0, 1, 1, 1, 16, 16, 16, 16]
    assert "Group 4 of 7: 16 nodes like a^2_1 = relu(...)" in steps[4].caption[0]
    assert "16 outputs a^2_1..a^2_16 (relu)" in steps[4].graph.source and "#fde047" in steps[4].graph.source


def test_worked_example_frames_read_as_the_document() -> None:
    steps = backward_steps(worked_example())
    assert steps[0].caption[0].startswith("Frame 0 of 7") and "∂L/∂L = 1" in steps[0].caption[0]
    third = "\n".join(steps[3].caption)
    assert "n^2_1 = lincomb" in third and "∂L/∂n^2_1 = 8" in third  # s^2 = 8 (doc 000, eq. 45)
    assert "∂n^2_1/∂w^2_11 = a^1_1 = 2, so ∂L/∂w^2_11 += 8 × 2 = 16" in third
    last = "\n".join(f.caption[-1] for f in steps)
    assert "∂n^1_2/∂w^1_22 = x_2 = 1, so ∂L/∂w^1_22 += 8 × 1 = 8" in last  # s^1_2 = 8 times x_2 = 1
    src = steps[3].graph.source  # the processed node in yellow, the inputs it feeds back in red
    assert src.count("#fde047") == 2 and src.count("#fecaca") == 5 and src.count("#dc2626") == 5


def test_tensor_graph_steps() -> None:
    rng = np.random.default_rng(0)
    W = Tensor(rng.normal(size=(3, 2)), requires_grad=True, label="W")
    x = Tensor(rng.normal(size=(4, 3)), label="x")
    L = ((x @ W).tanh() ** 2).sum()
    L.label = "L"
    L.backward()
    steps = backward_steps(L)
    assert len(steps) == 5  # sum, pow, tanh, matmul + frame 0
    np.testing.assert_allclose(steps[len(steps) - 1].grads[W], W.grad)
    np.testing.assert_allclose(steps[1].grads.get(W, 0), 0)  # nothing reached W after the first step


def test_files(tmp_path: Path) -> None:
    require_program("dot", "apt-get install graphviz")
    steps = backward_steps(worked_example())
    svgs = steps.write_svgs(tmp_path / "frames")
    assert [p.name for p in svgs] == [f"step_{k:03d}.svg" for k in range(8)]
    assert all(ET.parse(p).getroot().tag.endswith("svg") for p in svgs)
    assert "grad 16.0000" in svgs[-1].read_text() and "grad 16.0000" not in svgs[0].read_text()
    page = steps.write_html(tmp_path / "steps.html").read_text()
    assert page.count('class="frame"') == 8
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)  # nothing fetched from a network
    assert not list(tmp_path.glob("**/*.tmp"))


def test_gif(tmp_path: Path) -> None:
    require_program("dot", "apt-get install graphviz")
    image = require_module("PIL.Image", "viz")
    path = backward_steps(worked_example()).write_gif(tmp_path / "steps.gif", ms_per_frame=500)
    with image.open(path) as gif:
        assert gif.format == "GIF" and gif.n_frames == 8 and gif.info["duration"] == 500


def chromium_dom(page: Path, query: str) -> tuple[str, str]:
    chromium = require_program("chromium", "apt-get install chromium")
    with tempfile.TemporaryDirectory() as profile:
        run = subprocess.run(
            [
                chromium,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                "--enable-logging=stderr",
                "--v=0",
                "--dump-dom",
                page.resolve().as_uri() + query,
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert run.returncode == 0, run.stderr[-2000:]
    return run.stdout, run.stderr


def js_errors(dom: str, log: str) -> list[str]:
    """Errors the page's own handler recorded on <html>, and uncaught ones Chromium logged."""
    recorded = re.findall(r'<html[^>]*data-js-errors="([^"]*)"', dom)
    return recorded + [line for line in log.splitlines() if "CONSOLE" in line and "Uncaught" in line]


def visible_frame(dom: str) -> tuple[int, str]:
    counter = re.search(r'id="counter" data-frame="(\d+)"', dom)
    assert counter is not None, dom[:500]
    shown = re.findall(r'<div class="frame" id="frame-(\d+)" data-index="\d+">(.*?)</div>', dom, re.S)
    assert len(shown) == 1  # exactly one frame is not hidden
    assert shown[0][0] == counter.group(1)
    return int(counter.group(1)), shown[0][1]


def test_html_page_in_headless_chromium(tmp_path: Path) -> None:
    require_program("dot", "apt-get install graphviz")
    page = backward_steps(worked_example()).write_html(tmp_path / "steps.html")
    dom, log = chromium_dom(page, "")
    assert not js_errors(dom, log)
    k, first = visible_frame(dom)
    assert k == 0 and "Frame 0 of 7" in first
    dom, log = chromium_dom(page, "?step=3")  # three presses of the right arrow key
    assert not js_errors(dom, log)
    k, third = visible_frame(dom)
    assert k == 3 and "Step 3 of 7" in third and third != first
    dom, _ = chromium_dom(page, "?step=100")  # stepping stops at the last frame: the final gradients
    k, last = visible_frame(dom)
    assert k == 7 and "Step 7 of 7" in last
    assert last.count("grad 16.0000") == 2 and "grad 8.0000" in last  # dL/dw^2 = 16, dL/dw^1 = 8 (doc 000)
    dom, _ = chromium_dom(page, "?frame=5&step=-2")  # the left arrow steps back
    assert visible_frame(dom)[0] == 3


def test_readme_pictures_come_from_one_command(tmp_path: Path) -> None:
    require_program("dot", "apt-get install graphviz")
    import importlib.util

    root = Path(__file__).resolve().parent.parent
    spec = importlib.util.spec_from_file_location("make_readme_pictures", root / "examples" / "make_readme_pictures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--out", str(tmp_path)]) == 0
    made = sorted(p.name for p in tmp_path.glob("*.svg"))
    shown = sorted(set(re.findall(r"\]\(docs/(worked_[a-z_0-9]+\.svg)\)", (root / "README.md").read_text())))
    assert made == shown and all((root / "docs" / name).exists() for name in shown)
    assert "Step 3 of 7" in (tmp_path / "worked_step_3.svg").read_text()


def test_cli_graph_steps(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    require_program("dot", "apt-get install graphviz")
    from nn.cli import main

    assert main(["graph", "worked", "--steps", "--textbook", "--out", str(tmp_path)]) == 0
    assert "wrote 8 frames" in capsys.readouterr().out
    assert len(list(tmp_path.glob("step_*.svg"))) == 8 and (tmp_path / "steps.html").exists()
    assert "∂L/∂w^2_11 += 8 × 2 = 16" in (tmp_path / "steps.html").read_text()

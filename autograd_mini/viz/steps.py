"""The backward pass step by step, as pictures: numbered SVG frames, an animated GIF, one self-contained HTML page.

:func:`backward_steps` takes the reverse pass that :func:`autograd_mini.explain.explain` writes out (the engine's
own :func:`~autograd_mini.backprop`, ``.grad`` untouched) and draws one frame per node it processes, in the
order it processes them: that node in yellow, the inputs it passes a gradient to in red with their edges,
every gradient accumulated so far in its node (0 before any), and the local rule in words and numbers as the
caption (``∂n^1_1/∂w^1_21: ∂n/∂w_i = x_i = 1, so ∂L/∂w^1_21 += 8 × 1 = 8``). Frame 0 is the seed
(dL/dL = 1, nothing passed on yet); the last frame holds the final gradients, those ``backward()`` gives.

The HTML page inlines every frame's SVG and a few lines of script: no network access; buttons and the arrow
keys step forward and back (Home/End jump), ``?frame=N`` opens frame N, ``?step=N`` steps N times from the
first frame through the same code the keys run. The GIF needs Pillow (``pip install -e ".[viz]"``).
"""

from __future__ import annotations

import html
import io
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import graphviz

from ..explain import Explanation, Step, explain, format_number
from ..node import Node
from .collapse import group_ids
from .common import FRAME, INSTALL_HINT, Frame, collect_nodes
from .dot import draw_dot
from .notation import parse_label


@dataclass
class StepFrame:
    """One frame: ``index`` (0 = the seed), the reverse-pass step it shows (None for frame 0), every node's
    gradient accumulated so far (``grads``), its caption lines and its drawing (a ``graphviz.Digraph``)."""

    index: int
    step: Step | None
    grads: dict[Node, Any]
    caption: list[str]
    graph: graphviz.Digraph
    processed: tuple[Node, ...] = ()  # the nodes that passed their gradient on in this frame

    @property
    def node(self) -> Node | None:
        """The node processed in this frame (None for frame 0)."""
        return None if self.step is None else self.step.node

    def svg(self) -> str:
        """This frame as SVG text."""
        return _pipe(self.graph, "svg").decode("utf-8")


def _num(x: Any) -> str:
    return format_number(x, precision=4, threshold=8)  # shorter than explain's text: it sits in a caption


def _caption(index: int, total: int, step: Step | None, root: str, seed: Any) -> list[str]:
    """The rule applied in words and numbers, one line per input that receives a gradient."""
    if step is None:
        return [
            f"Frame 0 of {total}: the backward pass starts at {root} with ∂{root}/∂{root} = {_num(seed)}; "
            "every other gradient is 0"
        ]
    lines = [
        f"Step {index} of {total}: {step.name} = {step.op}({', '.join(step.inputs)}) = {_num(step.value)}, "
        f"its gradient is complete: ∂{root}/∂{step.name} = {_num(step.grad)}"
    ]
    for e, i in zip(step.edges, _receiving_positions(step)):
        if e.local is not None:
            lines.append(
                f"{_rule_in_names(step, i, e.rule[0])} = {_num(e.local)}, so ∂{root}/∂{e.name} += "
                f"{_num(step.grad)} × {_num(e.local)} = {_num(e.contribution)}   (now {_num(e.total)})"
            )
        else:
            lines.append(f"{e.rule[0]}: ∂{root}/∂{e.name} += {_num(e.contribution)}   (now {_num(e.total)})")
    if not step.edges:
        lines.append("no input needs a gradient (all constants)")
    return lines


def _group_steps(
    root: Node, expl: Explanation, order: list[Node], max_nodes: int, textbook: bool, draw_kwargs: dict[str, Any]
) -> BackwardSteps:
    """A collapsed graph: one frame per group, groups in the order the reverse pass first reaches them, each
    frame after every node of its group has passed its gradient on (a valid reverse order: a layer's group
    is complete only once the groups it feeds are)."""
    gid, _ = group_ids(order, {n: parse_label(n.label) if n.label else None for n in order}, max_nodes)
    by_group: dict[int, list[Step]] = {}
    for step in expl.steps:
        assert step.node is not None
        by_group.setdefault(gid[step.node], []).append(step)
    name = expl.names[root]
    seed = expl.grads[root]
    running: dict[Node, Any] = {root: seed}
    total = len(by_group)
    frames = [
        _draw_frame(root, 0, None, Frame(dict(running)), _caption(0, total, None, name, seed), textbook, draw_kwargs)
    ]
    for k, steps in enumerate(by_group.values(), 1):
        receivers: set[Node] = set()
        for step in steps:
            for e, p in zip(step.edges, _receivers(step)):
                running[p] = running[p] + e.contribution if p in running else e.contribution
                receivers.add(p)
        group = frozenset(s.node for s in steps if s.node is not None)
        rules = sorted({e.rule[0] for s in steps for e in s.edges})
        many = len(steps) > 1
        caption = [
            f"Group {k} of {total}: {len(steps)} node{'s' if many else ''} like {steps[0].name} = "
            f"{steps[0].op}(...) pass{'' if many else 'es'} the gradient on to {len(receivers)} "
            f"input{'s' if len(receivers) != 1 else ''}, by",
            *rules,
        ]
        frames.append(
            _draw_frame(
                root,
                k,
                steps[-1],
                Frame(dict(running), None, frozenset(receivers), group),
                caption,
                textbook,
                draw_kwargs,
            )
        )
    return BackwardSteps(expl, frames)


def _receiving_positions(step: Step) -> list[int]:
    node = step.node
    assert node is not None
    return [i for i, p in enumerate(node._parents) if p.requires_grad]


def _rule_in_names(step: Step, i: int, rule: str) -> str:
    """The local derivative with the graph's own names where it is the other factor of a product
    (``∂n^1_1/∂w^1_21 = x_2``); otherwise the written rule."""
    node = step.node
    assert node is not None and node.op is not None
    head = f"∂{step.name}/∂{step.inputs[i]}"
    name = node.op.name
    if name == "lincomb":  # inputs (b, w_1, x_1, w_2, x_2, ...)
        if i == 0:
            return head
        return f"{head} = {step.inputs[i + 1] if i % 2 == 1 else step.inputs[i - 1]}"
    if name == "mul" and len(step.inputs) == 2:
        return f"{head} = {step.inputs[1 - i]}"
    if name in ("add", "sub") and not (name == "sub" and i == 1):
        return head
    return f"{head}: {rule}"


@dataclass
class BackwardSteps:
    """The frames of one reverse pass; iterate it, index it, or write it (:meth:`save`)."""

    explanation: Explanation
    frames: list[StepFrame]

    def __len__(self) -> int:
        return len(self.frames)

    def __iter__(self) -> Iterator[StepFrame]:
        return iter(self.frames)

    def __getitem__(self, k: int) -> StepFrame:
        return self.frames[k]

    def write_svgs(self, folder: str | os.PathLike[str]) -> list[Path]:
        """Numbered SVG frames ``step_000.svg``, ``step_001.svg``, ... in ``folder``."""
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        width = max(3, len(str(len(self.frames) - 1)))
        return [_atomic_write(out / f"step_{f.index:0{width}d}.svg", f.svg().encode("utf-8")) for f in self.frames]

    def write_gif(self, path: str | os.PathLike[str], ms_per_frame: int = 1500, dpi: int = 72) -> Path:
        """An animated GIF of the frames (needs Pillow: ``pip install -e ".[viz]"``)."""
        try:
            from PIL import Image
        except ImportError as exc:
            raise ImportError('write_gif needs Pillow: pip install -e ".[viz]" (or pip install pillow)') from exc
        images = []
        for f in self.frames:
            g = f.graph.copy()
            g.graph_attr["dpi"] = str(dpi)
            images.append(Image.open(io.BytesIO(_pipe(g, "png"))).convert("RGB"))
        width = max(im.width for im in images)
        height = max(im.height for im in images)
        padded = []
        for im in images:  # every frame on the same white canvas (captions differ in length)
            canvas = Image.new("RGB", (width, height), "white")
            canvas.paste(im, (0, 0))
            padded.append(canvas.quantize(colors=256))
        buffer = io.BytesIO()
        padded[0].save(buffer, format="GIF", save_all=True, append_images=padded[1:], duration=ms_per_frame, loop=0)
        return _atomic_write(Path(path), buffer.getvalue())

    def html(self, title: str = "The backward pass, step by step") -> str:
        """One self-contained page: every frame inline, buttons and arrow keys to step (no network access)."""
        frames = "\n".join(
            f'<div class="frame" id="frame-{f.index}" data-index="{f.index}" hidden>'
            f'<pre class="caption">{html.escape(chr(10).join(f.caption))}</pre>{_strip_xml_header(f.svg())}</div>'
            for f in self.frames
        )
        return _PAGE.format(title=html.escape(title), frames=frames, last=len(self.frames) - 1)

    def write_html(self, path: str | os.PathLike[str], title: str = "The backward pass, step by step") -> Path:
        """:meth:`html` written to ``path``."""
        return _atomic_write(Path(path), self.html(title).encode("utf-8"))

    def save(self, folder: str | os.PathLike[str], gif: bool = True) -> dict[str, Any]:
        """SVG frames, ``steps.html`` and (with Pillow, unless ``gif=False``) ``steps.gif`` in ``folder``."""
        out = Path(folder)
        written: dict[str, Any] = {"svg": self.write_svgs(out), "html": self.write_html(out / "steps.html")}
        if gif:
            written["gif"] = self.write_gif(out / "steps.gif")
        return written


def backward_steps(root: Node, textbook: bool | None = None, gradient: Any = None, **draw_kwargs: Any) -> BackwardSteps:
    """The reverse pass from ``root`` as frames (see the module docstring).

    Args:
        root: the output (a Value or a single-element Tensor; otherwise pass ``gradient``).
        textbook: draw in the documents' notation and layout (default: when the graph has such labels).
        gradient: the seed dL/droot, as for ``backward()``.
        draw_kwargs: further :func:`draw_dot` options (``show_data``, ``precision``, ``rankdir``, ...).
    """
    expl = explain(root, gradient)
    if textbook is None:
        textbook = any("^" in n.label for n in expl.names if n.label)
    order = collect_nodes(root)
    collapse, max_nodes = draw_kwargs.get("collapse"), draw_kwargs.get("max_nodes", 200)
    if collapse or (collapse is None and len(order) > max_nodes):
        return _group_steps(root, expl, order, max_nodes, textbook, draw_kwargs)
    name = expl.names[root]
    seed = expl.grads[root]
    running: dict[Node, Any] = {root: seed}
    total = len(expl.steps)
    frames = [_frame(root, 0, None, running, _caption(0, total, None, name, seed), textbook, draw_kwargs)]
    for step in expl.steps:
        for e, p in zip(step.edges, _receivers(step)):
            running[p] = e.total
        frames.append(
            _frame(
                root, step.index, step, running, _caption(step.index, total, step, name, seed), textbook, draw_kwargs
            )
        )
    return BackwardSteps(expl, frames)


def _receivers(step: Step) -> list[Node]:
    """The inputs of ``step``'s node that receive a gradient, in the order of ``step.edges``."""
    node = step.node
    assert node is not None
    return [node._parents[i] for i in _receiving_positions(step)]


def _frame(
    root: Node,
    index: int,
    step: Step | None,
    running: dict[Node, Any],
    caption: list[str],
    textbook: bool,
    draw_kwargs: dict[str, Any],
) -> StepFrame:
    current = None if step is None else step.node
    receivers = frozenset() if step is None else frozenset(_receivers(step))
    return _draw_frame(root, index, step, Frame(dict(running), current, receivers), caption, textbook, draw_kwargs)


def _draw_frame(
    root: Node,
    index: int,
    step: Step | None,
    frame: Frame,
    caption: list[str],
    textbook: bool,
    draw_kwargs: dict[str, Any],
) -> StepFrame:
    token = FRAME.set(frame)
    try:
        graph = draw_dot(root, textbook=textbook, **draw_kwargs)
    finally:
        FRAME.reset(token)
    lines = "".join(line.replace("\\", "\\\\") + "\\l" for line in caption)  # \l: a left-justified line
    graph.graph_attr.update(label=graphviz.nohtml(lines), labelloc="t", labeljust="l", fontsize="13")
    processed = tuple(frame.group) if frame.group else (() if frame.current is None else (frame.current,))
    return StepFrame(index, step, frame.grads, caption, graph, processed)


def _pipe(graph: graphviz.Digraph, fmt: str) -> bytes:
    try:
        return graph.pipe(format=fmt)
    except graphviz.ExecutableNotFound as exc:
        raise RuntimeError(INSTALL_HINT) from exc


def _strip_xml_header(svg: str) -> str:
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg


def _atomic_write(path: Path, data: bytes) -> Path:
    """Write through a temporary file in the same folder, then rename (no half-written file on failure)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: sans-serif; margin: 1em; }}
nav {{ position: sticky; top: 0; background: #fff; padding: .4em 0; border-bottom: 1px solid #ddd; }}
button {{ font-size: 1em; margin-right: .3em; }}
.caption {{ font-size: 1.05em; background: #fefce8; padding: .5em; white-space: pre-wrap; }}
.frame svg {{ max-width: 100%; height: auto; }}
</style></head>
<body>
<script>
window.addEventListener("error", function (e) {{
  var seen = document.documentElement.getAttribute("data-js-errors") || "";
  document.documentElement.setAttribute("data-js-errors", seen + String(e.message) + ";");
}});
</script>
<h1>{title}</h1>
<nav>
<button id="first" title="Home">&#x23EE; first</button>
<button id="prev" title="left arrow">&#x25C0; back</button>
<button id="next" title="right arrow">forward &#x25B6;</button>
<button id="last" title="End">last &#x23ED;</button>
<span id="counter" data-frame="0">frame 0 of {last}</span>
<span> (arrow keys step; Home/End jump)</span>
</nav>
<main id="frames">
{frames}
</main>
<script>
(function () {{
  "use strict";
  var last = {last};
  var current = 0;
  function show(k) {{
    current = Math.max(0, Math.min(last, k));
    var frames = document.querySelectorAll(".frame");
    for (var i = 0; i < frames.length; i++) {{
      frames[i].hidden = Number(frames[i].dataset.index) !== current;
    }}
    var counter = document.getElementById("counter");
    counter.textContent = "frame " + current + " of " + last;
    counter.dataset.frame = String(current);
  }}
  function step(d) {{ show(current + d); }}
  document.getElementById("first").addEventListener("click", function () {{ show(0); }});
  document.getElementById("prev").addEventListener("click", function () {{ step(-1); }});
  document.getElementById("next").addEventListener("click", function () {{ step(1); }});
  document.getElementById("last").addEventListener("click", function () {{ show(last); }});
  document.addEventListener("keydown", function (e) {{
    if (e.key === "ArrowRight" || e.key === "ArrowDown" || e.key === " ") {{ step(1); e.preventDefault(); }}
    else if (e.key === "ArrowLeft" || e.key === "ArrowUp") {{ step(-1); e.preventDefault(); }}
    else if (e.key === "Home") {{ show(0); }}
    else if (e.key === "End") {{ show(last); }}
  }});
  var params = new URLSearchParams(window.location.search);
  show(Number(params.get("frame") || 0));
  var n = Number(params.get("step") || 0);
  for (var i = 0; i < Math.abs(n); i++) {{
    document.dispatchEvent(new KeyboardEvent("keydown", {{ key: n > 0 ? "ArrowRight" : "ArrowLeft" }}));
  }}
}})();
</script>
</body></html>
"""

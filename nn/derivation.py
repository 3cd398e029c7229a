"""A derivation checker: test a hand-derived formula against autograd on hypothesis-drawn inputs.

Write the formula you derived as a Python function of named numpy inputs, say what it should equal (an
autograd gradient, ``Grad(loss, wrt)``, or another expression for an identity), and call :func:`check`.
It answers "holds on N examples" or gives the smallest counterexample hypothesis could shrink to, with
both values::

    from nn.derivation import Grad, check, floats
    sigma = lambda x: 1 / (1 + np.exp(-x))
    check(lambda x: sigma(x) * (1 - sigma(x)),              # the hand-derived sigma'(x)
          Grad(lambda x: x.sigmoid(), wrt="x"),              # what autograd computes
          {"x": floats(-30, 30)})
    # -> holds on 100 examples

Inputs reach the formula as numpy values (float64) and reach the loss as ``autograd_mini.Tensor`` leaves,
so a loss is written with the engine's ops. Hypothesis is needed at run time (``pip install hypothesis``,
included in the ``examples`` and ``test`` extras).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import autograd_mini as ag

from ._extras import require


def _hypothesis() -> Any:
    """hypothesis, with its ``extra.numpy`` and ``strategies`` submodules loaded."""
    what = "the derivation checker (nn.derivation)"
    require("hypothesis.extra.numpy", what)
    require("hypothesis.strategies", what)
    return require("hypothesis", what)


@dataclass(frozen=True)
class Grad:
    """The quantity autograd computes: d(loss)/d(wrt) (times -1 with ``negate=True``, for doc 001's
    convention delta = -dJ/dnet). A loss with several elements is summed first, so for an elementwise
    function this is its elementwise derivative."""

    loss: Callable[..., Any]
    wrt: str
    negate: bool = False

    def __call__(self, **inputs: Any) -> np.ndarray:
        leaves = {k: ag.Tensor(v, requires_grad=True) for k, v in inputs.items()}
        out = self.loss(**leaves)
        if not isinstance(out, ag.Tensor):
            raise TypeError(f"Grad: the loss must return a Tensor, got {type(out).__name__}")
        total = out.sum() if out.size != 1 else out
        (g,) = ag.grad(total, [leaves[self.wrt]])
        return -np.asarray(g) if self.negate else np.asarray(g)


@dataclass
class CheckResult:
    """What :func:`check` found. ``holds`` is True when no counterexample turned up in ``examples`` tries."""

    name: str
    holds: bool
    examples: int
    counterexample: dict[str, Any] = field(default_factory=dict)
    formula_value: Any = None
    expected_value: Any = None

    @property
    def max_abs_diff(self) -> float:
        if self.holds:
            return 0.0
        return float(np.max(np.abs(np.asarray(self.formula_value) - np.asarray(self.expected_value))))

    def __str__(self) -> str:
        if self.holds:
            return f"{self.name}: holds on {self.examples} examples"
        with np.printoptions(precision=6, suppress=True):
            lines = [f"{self.name}: FAILS (smallest counterexample of {self.examples} examples tried)"]
            lines += [f"    {k} = {np.asarray(v)}" for k, v in self.counterexample.items()]
            lines.append(f"    formula  = {np.asarray(self.formula_value)}")
            lines.append(f"    autograd = {np.asarray(self.expected_value)}")
            lines.append(f"    max |difference| = {self.max_abs_diff:.6g}")
        return "\n".join(lines)


def floats(lo: float, hi: float, shape: int | tuple[int, ...] = ()) -> Any:
    """Strategy: float64 arrays of ``shape`` (a scalar by default) with entries in [lo, hi]."""
    hyp = _hypothesis()
    elements = hyp.strategies.floats(lo, hi, allow_nan=False, allow_infinity=False)
    return hyp.extra.numpy.arrays(np.float64, shape, elements=elements)


def one_hot_and_logits(k_min: int = 2, k_max: int = 6, lo: float = -5.0, hi: float = 5.0) -> Any:
    """Strategy: {"n": logits of K classes, "t": a one-hot target of K classes}, K drawn in [k_min, k_max]."""
    hyp = _hypothesis()
    st = hyp.strategies

    @st.composite
    def draw(d: Any) -> dict[str, np.ndarray]:
        k = d(st.integers(k_min, k_max))
        n = d(floats(lo, hi, (k,)))
        t = np.zeros(k)
        t[d(st.integers(0, k - 1))] = 1.0
        return {"n": n, "t": t}

    return draw()


def _close(a: Any, b: Any, rtol: float, atol: float) -> bool:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape and a.size != b.size:
        return False
    return bool(np.allclose(a.reshape(b.shape), b, rtol=rtol, atol=atol, equal_nan=False))


def check(
    formula: Callable[..., Any],
    equals: Grad | Callable[..., Any],
    inputs: Mapping[str, Any] | Any,
    *,
    name: str = "",
    max_examples: int = 100,
    rtol: float = 1e-7,
    atol: float = 1e-9,
    seed: int = 0,
) -> CheckResult:
    """Check that ``formula(**x) == equals(**x)`` for hypothesis-drawn ``x``.

    ``inputs`` maps each name to a hypothesis strategy (see :func:`floats`), or is one strategy drawing a
    whole dict (for inputs that depend on each other, see :func:`one_hot_and_logits`). ``equals`` is a
    :class:`Grad` (autograd's derivative) or any function of the same inputs (for identities). The run is
    deterministic (derandomized, no example database) so a counterexample is reproducible.
    """
    hyp = _hypothesis()
    st = hyp.strategies
    strategy = st.fixed_dictionaries(dict(inputs)) if isinstance(inputs, Mapping) else inputs
    label = name or getattr(formula, "__name__", "formula")
    state: dict[str, Any] = {"n": 0, "fail": None}

    def body(x: dict[str, Any]) -> None:
        state["n"] += 1
        got = np.asarray(formula(**x), dtype=np.float64)
        want = np.asarray(equals(**x), dtype=np.float64)
        if not _close(got, want, rtol, atol):
            state["fail"] = (dict(x), got, want)
            raise AssertionError("mismatch")

    settings = hyp.settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(hyp.HealthCheck),
        print_blob=False,
        verbosity=hyp.Verbosity.quiet,
    )
    test = settings(hyp.seed(seed)(hyp.given(strategy)(body)))
    try:
        test()
    except AssertionError:
        x, got, want = state["fail"]
        return CheckResult(label, False, state["n"], x, got, want)
    return CheckResult(label, True, state["n"])

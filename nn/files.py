"""Files written whole or not at all, and numpy ``.npz`` archives read header first.

* :func:`atomic_write` -- the one way ``nn`` writes a file: into a temporary file in the target's directory,
  flushed and ``fsync``-ed, then renamed over the target with ``os.replace``. A failure at any point (full
  disk, file-size limit, an exception in the writer, a kill) leaves the previous file untouched and no
  temporary file behind (a kill can leave a hidden ``.<name>.*.tmp``, never a damaged target).
* :func:`write_archive` -- named arrays to an ``.npz`` archive (the layout of ``numpy.savez``: one ``<name>.npy``
  member per array, never pickled), atomically.
* :func:`read_archive` -- the reverse, in two phases on one open file: every member's ``.npy`` header (name,
  shape, dtype) is parsed and handed to a ``check`` callback *before* any array data is read, so a small
  file that declares a huge array is rejected without inflating it. A file that is not an ``.npz`` archive
  (empty, text, a single ``.npy`` array, a pickle, a truncated zip) gets an :class:`ArchiveError` naming the
  file and what it is instead.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import IO, Any

import numpy as np
import numpy.lib.format as npy_format

__all__ = ["ArchiveError", "ArrayHeader", "atomic_write", "check_writable_directory", "read_archive", "write_archive"]

#: Largest ``.npy`` header accepted (numpy's own default limit for ``np.load``).
MAX_HEADER_SIZE = 10_000

_NPY_SUFFIX = ".npy"
_ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")  # a local file header; an empty archive's end record
_PICKLE_PROTOCOL_2_PLUS = b"\x80"


class ArchiveError(ValueError):
    """A file that cannot be read as an ``.npz`` archive of arrays, or whose contents do not fit.

    The message reads ``"<path>: <problem>"``; the parts are the attributes ``path`` and ``problem``.
    """

    def __init__(self, path: str | os.PathLike[str], problem: str) -> None:
        self.path = os.fspath(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")

    def __reduce__(self) -> tuple[type[ArchiveError], tuple[str, str]]:
        return (type(self), (self.path, self.problem))


@dataclass(frozen=True)
class ArrayHeader:
    """What a member's ``.npy`` header declares (read without touching the data)."""

    shape: tuple[int, ...]
    dtype: np.dtype[Any]
    fortran_order: bool

    @property
    def nbytes(self) -> int:
        """Size of the data the header announces."""
        return int(np.prod(self.shape, dtype=object)) * self.dtype.itemsize


# -- writing ----------------------------------------------------------------------------------------------
def _new_file_mode() -> int:
    """The permission bits ``open(path, "w")`` would give a new file (0o666 minus the umask)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _fsync_directory(directory: str) -> None:
    """Make a rename durable (POSIX); a platform without directory handles (Windows) skips it."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str], mode: str = "wb", **open_kwargs: Any) -> Iterator[IO[Any]]:
    """Open a temporary file next to ``path`` for writing; on a clean exit it replaces ``path``.

    ``mode`` is a write mode of :func:`open` (``"wb"``, ``"w"``); ``open_kwargs`` go to :func:`os.fdopen`
    (``encoding=``, ``newline=``). The new file gets the old file's permission bits, or those of a plain
    ``open()`` when there was none. On any exception the temporary file is removed, ``path`` is left as it
    was, and the exception propagates.
    """
    target = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(target))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(target)}.", suffix=".tmp")
    try:
        with os.fdopen(fd, mode, **open_kwargs) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        try:
            permissions = stat.S_IMODE(os.stat(target).st_mode)
        except FileNotFoundError:
            permissions = _new_file_mode()
        os.chmod(tmp, permissions)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_directory(directory)


def write_archive(path: str | os.PathLike[str], arrays: Mapping[str, np.ndarray]) -> None:
    """Write ``{name: array}`` to ``path`` as an uncompressed ``.npz`` archive (``np.load`` reads it), atomically.

    ``path`` is used as given (no suffix is added). Object arrays are refused (nothing is ever pickled).
    """
    for name, arr in arrays.items():
        if not isinstance(name, str) or not name or "/" in name:
            raise ValueError(f"write_archive: array name {name!r} must be a non-empty string without '/'")
        if np.asarray(arr).dtype.hasobject:
            raise ValueError(f"write_archive: array {name!r} holds Python objects; only numeric arrays are saved")
    with atomic_write(path) as fh, zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name, arr in arrays.items():
            with zf.open(name + _NPY_SUFFIX, "w", force_zip64=True) as member:
                npy_format.write_array(member, np.asanyarray(arr), allow_pickle=False)


# -- reading ----------------------------------------------------------------------------------------------
def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 3  # only a multi-byte character cut by the sample's end
    return True


def _what_it_is(head: bytes) -> str:
    """A short description of a file that is not a zip archive, from its first bytes."""
    if not head:
        return "an empty file (0 bytes), not an .npz archive"
    if head.startswith(npy_format.MAGIC_PREFIX):
        return "a single .npy array, not an .npz archive of named arrays"
    if head.startswith(_PICKLE_PROTOCOL_2_PLUS):
        return "pickled Python data, not an .npz archive (pickles are never loaded)"
    if _looks_like_text(head):
        return "a text file, not an .npz archive"
    return f"a binary file starting with {head[:8]!r}, not an .npz archive"


def _open_zip(path: str) -> zipfile.ZipFile:
    """Open ``path`` as a zip file, or raise ArchiveError saying what the file is instead."""
    with open(path, "rb") as fh:
        head = fh.read(512)
    if not head.startswith(_ZIP_SIGNATURES):
        raise ArchiveError(path, _what_it_is(head))
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        raise ArchiveError(path, f"a truncated or corrupt zip archive, not a readable .npz archive ({exc})") from None


def _members(path: str, zf: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """``{array name: member}``; every member must be a distinct ``<name>.npy``."""
    members: dict[str, zipfile.ZipInfo] = {}
    for info in zf.infolist():
        if not info.filename.endswith(_NPY_SUFFIX) or info.is_dir():
            raise ArchiveError(
                path, f"a zip archive but not an .npz archive: member {info.filename!r} is not an .npy array"
            )
        name = info.filename[: -len(_NPY_SUFFIX)]
        if name in members:
            raise ArchiveError(path, f"member {info.filename!r} appears twice")
        members[name] = info
    return members


def _read_header(path: str, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> ArrayHeader:
    """Parse one member's ``.npy`` header (a few hundred bytes are read, never the data)."""
    with zf.open(info) as fh:
        try:
            version = npy_format.read_magic(fh)
            if version == (1, 0):
                shape, fortran, dtype = npy_format.read_array_header_1_0(fh, max_header_size=MAX_HEADER_SIZE)
            elif version == (2, 0):
                shape, fortran, dtype = npy_format.read_array_header_2_0(fh, max_header_size=MAX_HEADER_SIZE)
            else:
                raise ValueError(f"unsupported .npy format version {version}")
        except ValueError as exc:
            raise ArchiveError(path, f"member {info.filename!r} is not a valid .npy array ({exc})") from None
        header = ArrayHeader(tuple(int(n) for n in shape), np.dtype(dtype), bool(fortran))
        data_offset = fh.tell()
    if header.dtype.hasobject:
        raise ArchiveError(
            path, f"member {info.filename!r} holds Python objects (pickled data), which are never loaded"
        )
    if info.file_size < data_offset + header.nbytes:
        raise ArchiveError(
            path,
            f"member {info.filename!r} is truncated: its header announces {header.nbytes} "
            f"bytes of data, the member holds {info.file_size - data_offset}",
        )
    return header


def _read_data(path: str, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> np.ndarray:
    with zf.open(info) as fh:
        try:
            return npy_format.read_array(fh, allow_pickle=False, max_header_size=MAX_HEADER_SIZE)
        except ValueError as exc:
            raise ArchiveError(path, f"member {info.filename!r} is corrupt ({exc})") from None


def read_archive(
    path: str | os.PathLike[str],
    check: Callable[[Mapping[str, ArrayHeader]], None] | None = None,
    names: Collection[str] | None = None,
) -> dict[str, np.ndarray]:
    """Read every array of the ``.npz`` archive ``path``: ``{name: array}``, in the archive's order.

    First all headers are read and ``check(headers)`` is called with ``{name: ArrayHeader}``; it raises to
    refuse the file, in which case no array data is read at all. Object arrays are always refused. With
    ``names``, only those members' data is read (the ones present; every header is still checked).

    Raises:
        ArchiveError: (a ValueError) naming the file: not a zip archive (and what it is instead), a corrupt or
            truncated archive, a member that is not an ``.npy`` array, an object array.
        OSError: if the file cannot be opened.
    """
    where = os.fspath(path)
    with _open_zip(where) as zf:
        try:
            members = _members(where, zf)
            headers = {name: _read_header(where, zf, info) for name, info in members.items()}
            if check is not None:
                check(headers)
            wanted = members if names is None else {k: v for k, v in members.items() if k in names}
            return {name: _read_data(where, zf, info) for name, info in wanted.items()}
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise ArchiveError(where, f"a corrupt zip archive ({type(exc).__name__}: {exc})") from None


def check_writable_directory(path: str | os.PathLike[str], what: str = "output folder") -> str:
    """``path`` (as a str) after checking, before any work, that files can be written in it there, without
    creating it: it is a directory, or does not exist yet and its nearest existing ancestor is a directory
    in which a file can be created (probed with a temporary file, removed at once). ValueError naming
    ``what``, the path and the problem otherwise (a file in the way, a read-only or forbidden place)."""
    shown = os.fspath(path)
    probe = os.path.abspath(shown)
    while not os.path.exists(probe) and os.path.dirname(probe) != probe:
        probe = os.path.dirname(probe)
    if not os.path.isdir(probe):
        where = "is a file" if probe == os.path.abspath(shown) else f"is inside {probe!r}, which is a file"
        raise ValueError(f"{what} {shown!r} {where}, not a folder")
    try:
        with tempfile.TemporaryFile(dir=probe):
            pass
    except OSError as exc:
        raise ValueError(f"{what} {shown!r}: cannot write in {probe!r} ({exc.strerror or exc})") from None
    return shown

"""Writing index files so that a crash, a power cut or a full disk never leaves a
record naming torn data, and the one-sentence errors for a data folder that is
full, read-only or damaged."""

from __future__ import annotations

import errno
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REBUILD_HINT = "run `rag ingest PATH... --rebuild` to build the index again"


class DiskFull(RuntimeError):
    """No space is left in the data folder; the index keeps its last committed state."""

    def __init__(self, data_dir: Path) -> None:
        super().__init__(
            f"no space left in DATA_DIR {data_dir}: the index keeps its last committed state "
            "and answers from it; free some space and ingest again"
        )


class ReadOnlyIndex(RuntimeError):
    """The data folder cannot be written: questions are answered, ingests refused."""

    def __init__(self, data_dir: Path) -> None:
        super().__init__(
            f"DATA_DIR {data_dir} is read-only: questions are answered from it, "
            "but nothing can be ingested or removed there"
        )


class IndexCorrupt(RuntimeError):
    """An index file is damaged; the message names it."""

    def __init__(self, path: Path, what: str) -> None:
        super().__init__(f"index file {path} is damaged ({what}); {REBUILD_HINT}")
        self.path = path


INDEX_FAULTS = (DiskFull, ReadOnlyIndex, IndexCorrupt)  # each said in one sentence


def is_no_space(error: BaseException) -> bool:
    return isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT)


def is_read_only(error: BaseException) -> bool:
    return isinstance(error, OSError) and error.errno in (errno.EROFS, errno.EACCES, errno.EPERM)


@contextmanager
def clear_write_errors(data_dir: Path) -> Iterator[None]:
    """A full or read-only disk under a write becomes DiskFull or ReadOnlyIndex."""
    try:
        yield
    except OSError as error:
        if is_no_space(error):
            raise DiskFull(data_dir) from error
        if is_read_only(error):
            raise ReadOnlyIndex(data_dir) from error
        raise


def write_durably(path: Path, data: bytes) -> None:
    """Write and fsync `path`: on disk before any record that names it.
    A file left half-written by a full disk is removed, not left to fill it."""
    try:
        with path.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError:
        path.unlink(missing_ok=True)
        raise


def atomic_write(path: Path, data: str | bytes) -> None:
    """Replace `path` whole or not at all, durably (file, then its folder, fsynced)."""
    tmp = path.with_name(f".{path.name}.tmp")
    write_durably(tmp, data.encode("utf-8") if isinstance(data, str) else data)
    os.replace(tmp, path)
    fsync_folder(path.parent)


def fsync_folder(folder: Path) -> None:
    """Makes the names created or replaced in `folder` durable."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def checksum(data: bytes) -> dict[str, int | str]:
    """What an index records of a file it wrote, to tell later whether it changed."""
    return {"size": len(data), "sha256": digest(data)}


def read_verified(path: Path, expected: dict[str, int | str] | None) -> bytes:
    """The bytes of `path`, checked against the checksum written with it (None: an
    index from before checksums, read as is)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as error:
        raise IndexCorrupt(path, "missing") from error
    if expected is not None:
        if len(data) != expected["size"]:
            raise IndexCorrupt(path, f"{len(data)} bytes, {expected['size']} were written")
        if digest(data) != expected["sha256"]:
            raise IndexCorrupt(path, "its checksum does not match the one written with it")
    return data


def verify_size(path: Path, expected: dict[str, int | str] | None) -> None:
    """The cheap check for a file read later by offset: present, and of its written size."""
    if expected is None:
        return
    try:
        size = path.stat().st_size
    except FileNotFoundError as error:
        raise IndexCorrupt(path, "missing") from error
    if size != expected["size"]:
        raise IndexCorrupt(path, f"{size} bytes, {expected['size']} were written")

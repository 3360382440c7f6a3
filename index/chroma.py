"""Chroma clients: of a server, or of the embedded store in a data folder (opened
through a private copy where that folder cannot be written), and the errors a
lost server and a full or read-only folder are reported as."""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from index.files import DiskFull, ReadOnlyIndex, is_no_space

_OPENING = threading.Lock()  # see _persistent_client


class StoreUnavailable(RuntimeError):
    """A server the index lives on (Chroma's, Qdrant's) cannot be reached."""


def chroma_client(data_dir: Path, url: str | None, *, reading: bool = False) -> Any:
    """A client of the server at `url`, or of the store in `data_dir`; `reading`: for
    questions only, so a store that cannot be written to is still opened (a copy)."""
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False, allow_reset=False)
    if not url:
        path = data_dir / "chroma"
        try:
            return _persistent_client(path, settings)
        except Exception as error:
            refused = write_refused(error, data_dir)
            if refused is None:
                raise
            if not reading:
                raise refused from error
            return _persistent_client(_private_copy(path), settings)
    parsed = urlparse(url if "://" in url else f"http://{url}")
    try:
        client = chromadb.HttpClient(
            host=parsed.hostname or "localhost",
            port=parsed.port or (443 if parsed.scheme == "https" else 8000),
            ssl=parsed.scheme == "https",
            settings=settings,
        )
        client.heartbeat()
    except Exception as error:
        raise StoreUnavailable(f"Chroma server at {url} is not reachable: {error}") from error
    return client


def _persistent_client(path: Path, settings: Any) -> Any:
    """Chroma's embedded client, opened one thread at a time: two threads opening
    one path race in Chroma's per-path cache. An open that failed leaves its system
    cached half-started, so it is forgotten and the open tried once more."""
    import chromadb
    from chromadb.api.shared_system_client import SharedSystemClient

    with _OPENING:
        for attempt in (1, 2):
            try:
                return chromadb.PersistentClient(path=str(path), settings=settings)
            except Exception:
                SharedSystemClient._identifier_to_system.pop(str(path), None)
                if attempt == 2:
                    raise
    raise AssertionError("unreachable")


def write_refused(error: Exception, data_dir: Path) -> DiskFull | ReadOnlyIndex | None:
    """What Chroma's embedded store (which reports disk errors as text) ran into, when
    it was a full or read-only data folder."""
    text = str(error).lower()
    if any(s in text for s in ("readonly database", "read-only file system", "permission denied")):
        return ReadOnlyIndex(data_dir)
    if "disk is full" in text or "no space left" in text or _out_of_space(data_dir):
        return DiskFull(data_dir)
    return None


def _out_of_space(data_dir: Path, probe_bytes: int = 4 << 20) -> bool:
    """Whether a few MB can still be written there: Chroma words some failures of a
    full disk without saying so ("Failed to apply logs to the metadata segment")."""
    probe = data_dir / ".space-probe"
    try:
        with probe.open("wb") as handle:
            handle.write(bytes(probe_bytes))
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as error:
        return is_no_space(error)
    finally:
        with contextlib.suppress(OSError):
            probe.unlink()
    return False


def _private_copy(path: Path) -> Path:
    """Chroma's embedded store writes as it opens (its migrations and log), so a
    read-only or full data folder is read through a copy in the temporary folder,
    removed at exit. It costs the store's size in time and space once per process."""
    folder = Path(tempfile.mkdtemp(prefix="rag-chroma-"))
    atexit.register(shutil.rmtree, folder, True)
    try:
        copy = Path(shutil.copytree(path, folder / "chroma"))
        for place, _, names in os.walk(copy):  # the copy keeps a read-only folder's modes
            os.chmod(place, 0o700)
            for name in names:
                os.chmod(os.path.join(place, name), 0o600)
        return copy
    except OSError as error:
        raise StoreUnavailable(
            f"Chroma's store in {path} cannot be opened without writing to it, and copying it "
            f"to {folder} failed: {error}"
        ) from error


class OnServer:
    """A Chroma server's client or collection; a lost connection surfaces as
    StoreUnavailable (not as an httpx error from deep inside a query)."""

    def __init__(self, wrapped: Any, url: str) -> None:
        self._wrapped = wrapped
        self._url = url

    def __getattr__(self, name: str) -> Any:
        import httpx

        attribute = getattr(self._wrapped, name)
        if not callable(attribute):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            for attempt in range(_UNFLUSHED_TRIES):
                try:
                    return attribute(*args, **kwargs)
                except httpx.TransportError as error:
                    raise StoreUnavailable(
                        f"lost the Chroma server at {self._url}: {error}"
                    ) from error
                except Exception as error:
                    if _UNFLUSHED not in str(error) or attempt == _UNFLUSHED_TRIES - 1:
                        raise
                    time.sleep(_UNFLUSHED_WAIT * (attempt + 1))
            raise AssertionError("unreachable")

        return call

    def query(self, *args: Any, **kwargs: Any) -> Any:
        """A collection's query, its distances the float32 numbers Chroma computed.
        The server sends each as the shortest decimal that names that float32
        (0.04522276); read as a float64 it is another number, 1e-8 off the
        embedded store's (0.04522275924682617), enough to reorder near ties
        between a server and the embedded default."""
        import numpy as np

        found = self.__getattr__("query")(*args, **kwargs)
        if found.get("distances"):
            found["distances"] = [
                np.asarray(row, np.float32).tolist() for row in found["distances"]
            ]
        return found


# Chroma 1.5.9's server, queried while another client's writes bring a
# collection its first vector index on disk, may answer this for a moment
# (seen with three writers and two readers, tests/test_shared_index.py): asked
# again shortly after, it answers.
_UNFLUSHED = "Nothing found on disk"
_UNFLUSHED_TRIES = 5
_UNFLUSHED_WAIT = 0.2  # seconds, growing with each try

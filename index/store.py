"""The Chroma collection, the BM25 index beside it, and the manifest that ties
them to the files they came from and to the model that embedded them."""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import re
import shutil
import tempfile
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from index.bm25 import BM25Index
from index.files import (
    DiskFull,
    IndexCorrupt,
    ReadOnlyIndex,
    atomic_write,
    clear_write_errors,
    is_no_space,
)

MANIFEST_FORMAT = 1
_OPENING = threading.Lock()  # see _persistent_client


class IndexMismatch(RuntimeError):
    """The index was built with another embedding model or chunking."""


class StoreUnavailable(RuntimeError):
    """The Chroma server cannot be reached."""


@dataclass
class FileEntry:
    sha1: str
    size: int
    mtime_ns: int
    chunk_ids: list[str]
    articles: list[dict[str, Any]]
    # False while a feed is ingested in batches: what is listed is committed, and
    # the next ingest of the same file goes on after those articles.
    complete: bool = True


@dataclass
class Manifest:
    build: dict[str, Any] = field(default_factory=dict)  # embedding signature + chunking
    files: dict[str, FileEntry] = field(default_factory=dict)
    # Which Chroma collection and BM25 folder hold the index: a rebuild writes the
    # next generation beside this one and switches by saving its manifest.
    generation: int = 0

    @classmethod
    def load(cls, path: Path) -> Manifest:
        if not path.exists():
            return cls()
        try:
            raw = json.loads(path.read_text("utf-8"))
            return cls(
                dict(raw.get("build", {})),
                {str(k): FileEntry(**v) for k, v in raw["files"].items()},
                int(raw.get("generation", 0)),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise IndexCorrupt(path, f"unreadable: {error}") from error

    def save(self, path: Path) -> None:
        raw = {
            "format": MANIFEST_FORMAT,
            "generation": self.generation,
            "build": self.build,
            "files": {k: vars(v) for k, v in sorted(self.files.items())},
        }
        atomic_write(path, json.dumps(raw, ensure_ascii=False, indent=1))

    def chunk_ids(self) -> set[str]:
        return {cid for entry in self.files.values() for cid in entry.chunk_ids}

    def check(self, build: dict[str, Any], *, chunking: bool = True) -> None:
        """Raise unless `build` (embedding signature and, unless told not to, chunking)
        matches this index's. Questions need only the embedding to match."""
        built, wanted = self.build.get("embedding", {}), build.get("embedding", {})
        same_model = all(
            built.get(key) == wanted.get(key) for key in ("model", "query_prompt", "passage_prompt")
        )
        same_chunking = not chunking or self.build.get("chunking") == build.get("chunking")
        if not self.build or (same_model and same_chunking):
            return
        what = (
            f"embedding model {built.get('model')!r} (dimension {built.get('dimension')})"
            if built.get("model") != wanted.get("model")
            else "other embedding prompts, chunking settings or cleaning rules"
        )
        raise IndexMismatch(
            f"This index was built with {what}; the current settings ask for "
            f"{wanted.get('model')!r}. Rebuild it with `rag ingest PATH... --rebuild`, "
            f"or set --embed-model {built.get('model')!r} to use it as built."
        )


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
            refused = _write_refused(error, data_dir)
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


def _write_refused(error: Exception, data_dir: Path) -> DiskFull | ReadOnlyIndex | None:
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


class _ServerCollection:
    """A collection on a Chroma server; a lost connection surfaces as StoreUnavailable
    (not as an httpx error from deep inside a query)."""

    def __init__(self, collection: Any, url: str) -> None:
        self._collection = collection
        self._url = url

    def __getattr__(self, name: str) -> Any:
        import httpx

        attribute = getattr(self._collection, name)
        if not callable(attribute):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                return attribute(*args, **kwargs)
            except httpx.TransportError as error:
                raise StoreUnavailable(f"lost the Chroma server at {self._url}: {error}") from error

        return call


class ChunkStore:
    """Chroma (dense vectors, texts, metadata) + BM25 (lexical) + manifest, kept in step."""

    def __init__(
        self,
        data_dir: Path,
        collection: str = "articles",
        url: str | None = None,
        *,
        generation: int | None = None,
    ):
        """`generation` given: a new, empty index of that generation (see `beside`)."""
        if len(collection) < 3:
            raise ValueError("collection names need at least 3 characters (a Chroma rule)")
        self.data_dir = Path(data_dir)
        with clear_write_errors(self.data_dir):
            self.data_dir.mkdir(parents=True, exist_ok=True)
        self.url = url
        self.collection_name = collection
        self._suffix = "" if collection == "articles" else f"-{collection}"
        self.manifest_path = self.data_dir / f"manifest{self._suffix}.json"
        self.staging = generation is not None  # commits leave manifest.json alone
        self._manifest: Manifest | None = Manifest(generation=generation or 0)
        self._manifest_error: IndexCorrupt | None = None
        self._manifest_mtime = 0
        if generation is None:
            self._load_manifest()
        self._known_ids: set[str] | None = None
        self._bm25: BM25Index | None = None
        self._collection: Any = None
        self._vector_store: Any = None
        self._writing = False

    def _load_manifest(self) -> None:
        """A damaged manifest is kept as its error, raised on use: a rebuild needs none."""
        self._manifest_mtime = _mtime(self.manifest_path)
        try:
            self._manifest, self._manifest_error = Manifest.load(self.manifest_path), None
        except IndexCorrupt as error:
            self._manifest, self._manifest_error = None, error
        self._known_ids = None

    @property
    def manifest(self) -> Manifest:
        if self._manifest is None:
            assert self._manifest_error is not None
            raise self._manifest_error
        return self._manifest

    @property
    def generation(self) -> int:
        return self._manifest.generation if self._manifest else 0

    @property
    def chroma_name(self) -> str:
        """The Chroma collection of this generation."""
        return self.collection_name + (f".g{self.generation}" if self.generation else "")

    @property
    def bm25_dir(self) -> Path:
        return self._bm25_dir(self.generation)

    def _bm25_dir(self, generation: int) -> Path:
        name = f"bm25{self._suffix}" + (f".g{generation}" if generation else "")
        return self.data_dir / name

    # Lazy parts: BM25 alone serves a Hindi question without touching Chroma's HNSW.

    @property
    def bm25(self) -> BM25Index:
        if self._bm25 is None:
            self._bm25 = BM25Index.load(self.bm25_dir)
        return self._bm25

    @property
    def collection(self) -> Any:
        if self._collection is None:
            client = chroma_client(self.data_dir, self.url, reading=not self._writing)
            with self._clear_chroma_errors():
                collection = client.get_or_create_collection(
                    self.chroma_name, metadata={"hnsw:space": "cosine"}
                )
            self._collection = _ServerCollection(collection, self.url) if self.url else collection
        return self._collection

    @property
    def vector_store(self) -> Any:
        if self._vector_store is None:
            from llama_index.vector_stores.chroma import ChromaVectorStore

            self._vector_store = ChromaVectorStore(chroma_collection=self.collection)
        return self._vector_store

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """While an ingest writes: Chroma opened for writing (a private copy that a
        reader opened before is dropped), and a full or read-only disk said so."""
        if not self.url and self._collection is not None:
            self._collection = self._vector_store = None  # it may be a reader's copy
        self._writing = True
        try:
            with clear_write_errors(self.data_dir):
                yield
        finally:
            self._writing = False

    @contextlib.contextmanager
    def _clear_chroma_errors(self) -> Iterator[None]:
        try:
            yield
        except Exception as error:
            if self.url or isinstance(error, OSError):
                raise
            if (refused := _write_refused(error, self.data_dir)) is None:
                raise
            raise refused from error

    def refresh(self) -> None:
        """Pick up what another process ingested since this store was opened."""
        if self.staging:
            return
        if _mtime(self.manifest_path) != self._manifest_mtime:
            generation = self.generation
            self._load_manifest()
            self._bm25 = None
            if self.generation != generation:  # a rebuild switched
                self._collection = self._vector_store = None

    def check_build(self, build: dict[str, Any]) -> None:
        self.manifest.check(build)
        # A shared server may hold a collection another machine built.
        if self.url and (stored := (self.collection.metadata or {}).get("build")):
            Manifest(json.loads(stored)).check(build)

    def add(self, nodes: Sequence[Any]) -> None:
        if nodes:
            with self._clear_chroma_errors():
                self.vector_store.add(list(nodes))

    def delete(self, chunk_ids: Iterable[str]) -> None:
        ids = list(chunk_ids)
        with self._clear_chroma_errors():
            for start in range(0, len(ids), 5000):
                self.collection.delete(ids=ids[start : start + 5000])
        self.bm25.delete(ids)

    @staticmethod
    def stored_fields(text: str, metadata: dict[str, Any]) -> dict[str, Any]:
        """What BM25 keeps of a chunk for `get` to return."""
        return {"text": text, "metadata": metadata}

    def get(self, chunk_ids: Sequence[str]) -> dict[str, tuple[str, dict[str, Any]]]:
        """Text and metadata of each chunk: from BM25's stored fields, and from
        Chroma for any chunk stored there alone (an index built before them).
        Chunks that the manifest does not name are left out: they are what an
        ingest that failed (a full disk) wrote past the last commit."""
        # A manifest-less data folder of a server's reader names nothing: no filter.
        known = self.known_ids if self.manifest.files else None
        stored = self.bm25.stored(chunk_ids)
        out = {
            i: (s["text"], s["metadata"]) for i, s in stored.items() if known is None or i in known
        }
        if missing := [i for i in chunk_ids if i not in out and (known is None or i in known)]:
            found = self.collection.get(ids=missing, include=["documents", "metadatas"])
            out.update(
                (i, (doc or "", dict(meta or {})))
                for i, doc, meta in zip(
                    found["ids"], found["documents"], found["metadatas"], strict=True
                )
            )
        return out

    @property
    def known_ids(self) -> set[str]:
        """The chunk ids the manifest names (kept until it changes)."""
        if self._known_ids is None:
            self._known_ids = self.manifest.chunk_ids()
        return self._known_ids

    def all_chroma_ids(self) -> set[str]:
        return set(self._chroma_paths())

    def _chroma_paths(self, with_paths: bool = False) -> dict[str, str]:
        """Every chunk id in Chroma, with its file's path when asked for."""
        out: dict[str, str] = {}
        include = ["metadatas"] if with_paths else []
        while True:
            page = self.collection.get(include=include, limit=10_000, offset=len(out))
            metas = page.get("metadatas") or [None] * len(page["ids"])
            out.update(
                (i, str((m or {}).get("path", ""))) for i, m in zip(page["ids"], metas, strict=True)
            )
            if len(page["ids"]) < 10_000:
                return out

    def commit(self, build: dict[str, Any]) -> None:
        """Persist BM25 then the manifest: the manifest is the record of what is complete.
        While staging (a rebuild), the manifest waits for `switch`."""
        self.manifest.build = build
        self._known_ids = None
        self.bm25.save(self.bm25_dir)
        if not self.staging:
            self.manifest.save(self.manifest_path)
            self._manifest_mtime = _mtime(self.manifest_path)
        if self.url:
            # Only "build": Chroma refuses any "hnsw:space" in a modify, even an unchanged
            # one, and keeps the distance set at creation.
            self.collection.modify(metadata={"build": json.dumps(build, sort_keys=True)})

    def beside(self) -> ChunkStore:
        """A new, empty index of the next generation, for a rebuild: readers keep
        answering from this one until the new one's `switch`."""
        generation = max([self.generation, *self._generations_on_disk()]) + 1
        new = ChunkStore(self.data_dir, self.collection_name, self.url, generation=generation)
        new._discard_generation(generation)  # what a killed rebuild left under that name
        return new

    def switch(self, build: dict[str, Any]) -> None:
        """Make this staged index the one readers use: its manifest replaces the old
        one in one rename (`drop_other_generations` deletes the old one after)."""
        self.staging = False
        self.commit(build)

    def drop_other_generations(self) -> None:
        for generation in self._generations_on_disk() | self._generations_in_chroma():
            if generation != self.generation:
                self._discard_generation(generation)

    def _generations_on_disk(self) -> set[int]:
        found = set()
        for folder in self.data_dir.glob(f"bm25{self._suffix}*"):
            if folder == self._bm25_dir(0):
                found.add(0)
            elif match := re.fullmatch(rf"bm25{re.escape(self._suffix)}\.g(\d+)", folder.name):
                found.add(int(match[1]))
        return found

    def _generations_in_chroma(self) -> set[int]:
        client = chroma_client(self.data_dir, self.url)
        found = set()
        for item in client.list_collections():
            name = getattr(item, "name", item)
            if name == self.collection_name:
                found.add(0)
            elif match := re.fullmatch(rf"{re.escape(self.collection_name)}\.g(\d+)", name):
                found.add(int(match[1]))
        return found

    def _discard_generation(self, generation: int) -> None:
        shutil.rmtree(self._bm25_dir(generation), ignore_errors=True)
        name = self.collection_name + (f".g{generation}" if generation else "")
        with contextlib.suppress(Exception):  # there was none
            chroma_client(self.data_dir, self.url).delete_collection(name)

    def reconcile(self) -> int:
        """Drop what an interrupted ingest left half-written; returns chunks removed.

        Chunks not named by the manifest are orphans; a file whose chunks are not
        all in both stores is forgotten, so the next ingest writes it again. A
        rebuild that never switched leaves a generation no manifest names: deleted.
        """
        self.drop_other_generations()
        known = self.manifest.chunk_ids()
        in_chroma = self.all_chroma_ids()
        orphans = (in_chroma - known) | {i for i in self.bm25.position if i not in known}
        for path, entry in list(self.manifest.files.items()):
            if any(c not in in_chroma or c not in self.bm25 for c in entry.chunk_ids):
                orphans.update(entry.chunk_ids)
                del self.manifest.files[path]
        if orphans:
            self.delete(orphans)
        return len(orphans)

    def check(self) -> list[str]:
        """Problems found reading every file of the index and comparing its three
        records (manifest, Chroma, BM25): chunk ids, chunks per file, checksums."""
        self._load_manifest()  # all read afresh
        self._bm25 = self._collection = self._vector_store = None
        if self._manifest_error is not None:
            return [str(self._manifest_error)]
        manifest = self.manifest
        problems = []
        named = [c for entry in manifest.files.values() for c in entry.chunk_ids]
        if duplicated := sorted(c for c, n in Counter(named).items() if n > 1):
            problems.append(f"the manifest names {_some(duplicated)} more than once")
        for path, entry in manifest.files.items():
            counted = sum(int(a.get("chunks", 0)) for a in entry.articles)
            if counted != len(entry.chunk_ids):
                problems.append(
                    f"the manifest lists {len(entry.chunk_ids)} chunks of {path}, "
                    f"its articles {counted}"
                )
        records = {"manifest": {c: p for p, e in manifest.files.items() for c in e.chunk_ids}}
        try:
            bm25 = BM25Index.load(self.bm25_dir, thorough=True)
            stored = bm25.stored(list(bm25.position))
            records["BM25"] = {
                c: str(stored.get(c, {}).get("metadata", {}).get("path", "")) for c in bm25.position
            }
        except IndexCorrupt as error:
            problems.append(str(error))
        records["Chroma"] = self._chroma_paths(with_paths=True)
        problems += _disagreements(records)
        return problems


def _disagreements(records: dict[str, dict[str, str]]) -> list[str]:
    """Where the records' chunk ids, or the file each chunk comes from, differ."""
    problems = []
    manifest = records["manifest"]
    for where, chunks in records.items():
        if where == "manifest":
            continue
        if missing := sorted(set(manifest) - set(chunks)):
            problems.append(f"{where} lacks {_some(missing)} that the manifest names")
        if extra := sorted(set(chunks) - set(manifest)):
            problems.append(f"{where} holds {_some(extra)} that the manifest does not name")
        per_file = Counter(manifest[c] for c in manifest if c in chunks)
        theirs = Counter(chunks[c] for c in chunks if c in manifest and chunks[c])
        for path in sorted(p for p in per_file if theirs.get(p, per_file[p]) != per_file[p]):
            problems.append(
                f"{where} holds {theirs[path]} chunks of {path}, the manifest {per_file[path]}"
            )
    return problems


def _some(ids: Sequence[str], shown: int = 5) -> str:
    more = f" and {len(ids) - shown} more" if len(ids) > shown else ""
    return f"{len(ids)} chunk(s) ({', '.join(ids[:shown])}{more})"


def _mtime(path: Path) -> int:
    try:
        return os.stat(path).st_mtime_ns
    except FileNotFoundError:
        return 0

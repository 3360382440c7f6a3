"""The Chroma collection, the BM25 index beside it, and the manifest that ties
them to the files they came from and to the model that embedded them."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from index.bm25 import BM25Index, _atomic_write

MANIFEST_FORMAT = 1


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


@dataclass
class Manifest:
    build: dict[str, Any] = field(default_factory=dict)  # embedding signature + chunking
    files: dict[str, FileEntry] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Manifest:
        if not path.exists():
            return cls()
        raw = json.loads(path.read_text("utf-8"))
        return cls(raw.get("build", {}), {k: FileEntry(**v) for k, v in raw["files"].items()})

    def save(self, path: Path) -> None:
        raw = {
            "format": MANIFEST_FORMAT,
            "build": self.build,
            "files": {k: vars(v) for k, v in sorted(self.files.items())},
        }
        _atomic_write(path, json.dumps(raw, ensure_ascii=False, indent=1))

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


def chroma_client(data_dir: Path, url: str | None) -> Any:
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False, allow_reset=False)
    if not url:
        return chromadb.PersistentClient(path=str(data_dir / "chroma"), settings=settings)
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

    def __init__(self, data_dir: Path, collection: str = "articles", url: str | None = None):
        if len(collection) < 3:
            raise ValueError("collection names need at least 3 characters (a Chroma rule)")
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.url = url
        self.collection_name = collection
        suffix = "" if collection == "articles" else f"-{collection}"
        self.manifest_path = self.data_dir / f"manifest{suffix}.json"
        self.bm25_dir = self.data_dir / f"bm25{suffix}"
        self.manifest = Manifest.load(self.manifest_path)
        self._manifest_mtime = _mtime(self.manifest_path)
        self._bm25: BM25Index | None = None
        self._collection: Any = None
        self._vector_store: Any = None

    # Lazy parts: BM25 alone serves a Hindi question without touching Chroma's HNSW.

    @property
    def bm25(self) -> BM25Index:
        if self._bm25 is None:
            self._bm25 = BM25Index.load(self.bm25_dir)
        return self._bm25

    @property
    def collection(self) -> Any:
        if self._collection is None:
            client = chroma_client(self.data_dir, self.url)
            collection = client.get_or_create_collection(
                self.collection_name, metadata={"hnsw:space": "cosine"}
            )
            self._collection = _ServerCollection(collection, self.url) if self.url else collection
        return self._collection

    @property
    def vector_store(self) -> Any:
        if self._vector_store is None:
            from llama_index.vector_stores.chroma import ChromaVectorStore

            self._vector_store = ChromaVectorStore(chroma_collection=self.collection)
        return self._vector_store

    def refresh(self) -> None:
        """Pick up what another process ingested since this store was opened."""
        mtime = _mtime(self.manifest_path)
        if mtime != self._manifest_mtime:
            self.manifest = Manifest.load(self.manifest_path)
            self._manifest_mtime = mtime
            self._bm25 = None

    def check_build(self, build: dict[str, Any]) -> None:
        self.manifest.check(build)
        # A shared server may hold a collection another machine built.
        if self.url and (stored := (self.collection.metadata or {}).get("build")):
            Manifest(json.loads(stored)).check(build)

    def add(self, nodes: Sequence[Any]) -> None:
        if nodes:
            self.vector_store.add(list(nodes))

    def delete(self, chunk_ids: Iterable[str]) -> None:
        ids = list(chunk_ids)
        for start in range(0, len(ids), 5000):
            self.collection.delete(ids=ids[start : start + 5000])
        self.bm25.delete(ids)

    @staticmethod
    def stored_fields(text: str, metadata: dict[str, Any]) -> dict[str, Any]:
        """What BM25 keeps of a chunk for `get` to return."""
        return {"text": text, "metadata": metadata}

    def get(self, chunk_ids: Sequence[str]) -> dict[str, tuple[str, dict[str, Any]]]:
        """Text and metadata of each chunk: from BM25's stored fields, and from
        Chroma for any chunk stored there alone (an index built before them)."""
        stored = self.bm25.stored(chunk_ids)
        out = {i: (s["text"], s["metadata"]) for i, s in stored.items()}
        if missing := [i for i in chunk_ids if i not in out]:
            found = self.collection.get(ids=missing, include=["documents", "metadatas"])
            out.update(
                (i, (doc or "", dict(meta or {})))
                for i, doc, meta in zip(
                    found["ids"], found["documents"], found["metadatas"], strict=True
                )
            )
        return out

    def all_chroma_ids(self) -> set[str]:
        ids: set[str] = set()
        offset = 0
        while True:
            page = self.collection.get(include=[], limit=10_000, offset=offset)["ids"]
            ids.update(page)
            if len(page) < 10_000:
                return ids
            offset += len(page)

    def commit(self, build: dict[str, Any]) -> None:
        """Persist BM25 then the manifest: the manifest is the record of what is complete."""
        self.manifest.build = build
        self.bm25.save(self.bm25_dir)
        self.manifest.save(self.manifest_path)
        self._manifest_mtime = _mtime(self.manifest_path)
        if self.url:
            # Only "build": Chroma refuses any "hnsw:space" in a modify, even an unchanged
            # one, and keeps the distance set at creation.
            self.collection.modify(metadata={"build": json.dumps(build, sort_keys=True)})

    def reconcile(self) -> int:
        """Drop what an interrupted ingest left half-written; returns chunks removed.

        Chunks not named by the manifest are orphans; a file whose chunks are not
        all in both stores is forgotten, so the next ingest writes it again.
        """
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

    def reset(self) -> None:
        """Empty the collection, BM25 and manifest (for --rebuild).

        The records go first (manifest, then BM25's state): interrupted half-way,
        what is left are orphans that `reconcile` removes, never a record that
        names missing data.
        """
        self.manifest = Manifest()
        self.manifest_path.unlink(missing_ok=True)
        self._bm25 = BM25Index()
        (self.bm25_dir / "state.json").unlink(missing_ok=True)
        for stale in self.bm25_dir.glob("*"):
            stale.unlink()
        client = chroma_client(self.data_dir, self.url)
        with contextlib.suppress(Exception):  # there was none yet
            client.delete_collection(self.collection_name)
        self._collection = self._vector_store = None


def _mtime(path: Path) -> int:
    try:
        return os.stat(path).st_mtime_ns
    except FileNotFoundError:
        return 0

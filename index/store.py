"""The Chroma collection, the lexical index beside it, and the manifest that ties
them to the files they came from and to the model that embedded them.

Three ways to lay them out (docs/scale.md):
- embedded (the default): Chroma's store, BM25 segments and `manifest.json` in
  the data folder;
- a Chroma server: vectors, texts and the manifest on the server
  (index.shared_manifest), so every app server and writer sees the same files;
  BM25 segments in each data folder are then that machine's replica, brought up
  to date from Chroma's texts when the manifest changes (index.replica);
- either, with `lexical_url`: the lexical index in Qdrant (index.qdrant_lexical),
  one for every machine, nothing to replicate.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

from index.bm25 import BM25Index
from index.chroma import (
    OnServer,
    StoreUnavailable,
    chroma_client,
    write_refused,
)
from index.files import IndexCorrupt, atomic_write, clear_write_errors
from index.lexical import LexicalIndex, lexical_row
from index.manifest import FileEntry, IndexMismatch, Manifest
from index.shared_manifest import Head, SharedManifest

__all__ = ["ChunkStore", "FileEntry", "IndexMismatch", "Manifest", "StoreUnavailable"]

# A reader asks a Chroma server whether the manifest changed at most this often.
SHARED_REFRESH_SECONDS = 1.0


class ChunkStore:
    """Chroma (dense vectors, texts, metadata) + a lexical index (BM25) + the
    manifest, kept in step: files are written (`write`) and forgotten (`forget`)
    here alone, each record after the chunks it names, so that a crash leaves
    only chunks no record names, which `reconcile` deletes."""

    def __init__(
        self,
        data_dir: Path,
        collection: str = "articles",
        url: str | None = None,
        *,
        lexical_url: str | None = None,
        generation: int | None = None,
    ):
        """`generation` given: a new, empty index of that generation (see `beside`).
        `lexical_url`: a Qdrant server (http://host:port) or a folder for Qdrant's
        local mode, instead of BM25 segments in the data folder."""
        if len(collection) < 3:
            raise ValueError("collection names need at least 3 characters (a Chroma rule)")
        self.data_dir = Path(data_dir)
        with clear_write_errors(self.data_dir):
            self.data_dir.mkdir(parents=True, exist_ok=True)
        self.url = url
        self.lexical_url = lexical_url
        self.shared = bool(url)  # the manifest lives in the Chroma server
        self.collection_name = collection
        self._suffix = "" if collection == "articles" else f"-{collection}"
        # With a Chroma server and BM25 segments: the record of what the replica holds.
        self.manifest_path = self.data_dir / f"manifest{self._suffix}.json"
        self.lock_path = self.data_dir / f".ingest-{collection}.lock"
        self._in_flight_path = self.data_dir / f".ingest-{collection}.in-flight"
        self.staging = generation is not None  # commits leave manifest.json alone
        self._built_beside = self.staging  # its commits switch readers to it once it is done
        self._manifest: Manifest | None = Manifest(generation=generation or 0)
        self._manifest_error: IndexCorrupt | None = None
        self._manifest_mtime = 0
        self._shared_manifest: SharedManifest | None = None
        self._head: Head | None = None  # of the shared manifest, as last read
        self._records: dict[str, str] = {}  # its files' records, as last read or written
        self._checked_at = 0.0
        self._replica_behind = False
        self._in_flight: set[str] | None = None
        self._known_ids: set[str] | None = None
        self._bm25: LexicalIndex | None = None
        self._collection: Any = None
        self._vector_store: Any = None
        self._writing = False
        if generation is None:
            if self.shared:
                self._manifest = None  # read from the server on first need
            else:
                self._load_manifest()

    def _load_manifest(self) -> None:
        """A damaged manifest is kept as its error, raised on use: a rebuild needs none."""
        if self.shared:
            self._load_shared(self.shared_manifest.head())
            return
        self._manifest_mtime = _mtime(self.manifest_path)
        try:
            self._manifest, self._manifest_error = Manifest.load(self.manifest_path), None
        except IndexCorrupt as error:
            self._manifest, self._manifest_error = None, error
        self._known_ids = None

    @property
    def manifest(self) -> Manifest:
        """Read only: its files change through `write` and `forget`."""
        if self._manifest is None and self._manifest_error is None:
            self._load_manifest()
        if self._manifest is None:
            assert self._manifest_error is not None
            raise self._manifest_error
        return self._manifest

    @property
    def generation(self) -> int:
        if self.shared and self._manifest is None:
            return self.manifest.generation
        return self._manifest.generation if self._manifest else 0

    @property
    def chroma_name(self) -> str:
        """The Chroma collection of this generation."""
        return self._generation_name(self.generation)

    def _generation_name(self, generation: int) -> str:
        """The collection (Chroma's, and Qdrant's) of a generation."""
        return self.collection_name + (f".g{generation}" if generation else "")

    @property
    def bm25_dir(self) -> Path:
        return self._bm25_dir(self.generation)

    def _bm25_dir(self, generation: int) -> Path:
        name = f"bm25{self._suffix}" + (f".g{generation}" if generation else "")
        return self.data_dir / name

    # Lazy parts: BM25 alone serves a Hindi question without touching Chroma's HNSW.

    @property
    def bm25(self) -> LexicalIndex:
        """The lexical index: BM25 segments, or Qdrant's sparse vectors."""
        if self._bm25 is None:
            self._bm25 = self._open_lexical(self.generation)
        return self._bm25

    def _open_lexical(self, generation: int, *, thorough: bool = False) -> LexicalIndex:
        if self.lexical_url:
            from index.qdrant_lexical import QdrantLexicalIndex

            return QdrantLexicalIndex(self.lexical_url, self._generation_name(generation))
        return BM25Index.load(self._bm25_dir(generation), thorough=thorough)

    @property
    def collection(self) -> Any:
        if self._collection is None:
            client = chroma_client(self.data_dir, self.url, reading=not self._writing)
            with self._clear_chroma_errors():
                collection = client.get_or_create_collection(
                    self.chroma_name, metadata={"hnsw:space": "cosine"}
                )
            self._collection = OnServer(collection, self.url) if self.url else collection
        return self._collection

    @property
    def shared_manifest(self) -> SharedManifest:
        if self._shared_manifest is None:
            assert self.url is not None
            url = self.url
            self._shared_manifest = SharedManifest(
                OnServer(chroma_client(self.data_dir, url), url),
                self.collection_name,
                lambda collection: OnServer(collection, url),
            )
        return self._shared_manifest

    @property
    def vector_store(self) -> Any:
        if self._vector_store is None:
            from llama_index.vector_stores.chroma import ChromaVectorStore

            self._vector_store = ChromaVectorStore(chroma_collection=self.collection)
        return self._vector_store

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """While an ingest writes (holding `lock_path`): Chroma opened for writing
        (a private copy that a reader opened before is dropped), the shared
        manifest read afresh, and a full or read-only disk said so."""
        if not self.url and self._collection is not None:
            self._collection = self._vector_store = None  # it may be a reader's copy
        if self.shared and not self.staging:
            self._writing = True  # the replica may be brought up to date: the lock is held
            self._load_shared(self.shared_manifest.head())
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
            if (refused := write_refused(error, self.data_dir)) is None:
                raise
            raise refused from error

    def refresh(self) -> None:
        """Pick up what another process ingested since this store was opened."""
        if self.staging:
            return
        if self.shared:
            self._refresh_shared()
            return
        if _mtime(self.manifest_path) != self._manifest_mtime:
            generation = self.generation
            self._load_manifest()
            self._bm25 = None
            if self.generation != generation:  # a rebuild switched
                self._collection = self._vector_store = None

    # The manifest in a Chroma server

    def _refresh_shared(self) -> None:
        """Read the shared manifest again if a commit changed it (asked at most every
        SHARED_REFRESH_SECONDS); an ingest keeps its own view until it commits."""
        if self._writing:
            return
        now = time.monotonic()
        fresh = now - self._checked_at < SHARED_REFRESH_SECONDS
        if self._head is not None and fresh and not self._replica_behind:
            return
        self._checked_at = now
        head = self.shared_manifest.head()
        if head != self._head or self._replica_behind:
            generation = self._manifest.generation if self._manifest else None
            self._load_shared(head)
            if self.generation != generation:  # a rebuild switched
                self._collection = self._vector_store = None

    def _load_shared(self, head: Head) -> None:
        manifest, records = self.shared_manifest.load(head, self._generation_name(head.generation))
        self._bm25 = None
        if not self.lexical_url:
            self._bm25 = self._sync_replica(manifest)
        self._manifest, self._manifest_error = manifest, None
        self._records, self._head, self._known_ids = records, head, None

    def _sync_replica(self, manifest: Manifest) -> BM25Index | None:
        """This machine's BM25 segments brought to the shared manifest, unless another
        process of this data folder is writing them (then tried again at the next
        refresh, and texts missing here are read from Chroma meanwhile)."""
        from index.replica import sync_replica

        with self._replica_lock() as locked:
            self._replica_behind = not locked
            if not locked:
                return None
            collection = self._generation_collection(manifest.generation)
            return sync_replica(
                self._bm25_dir(manifest.generation),
                self.manifest_path,
                manifest,
                lambda ids: _chunks_of(collection, ids),
            )

    @contextlib.contextmanager
    def _replica_lock(self) -> Iterator[bool]:
        if self._writing:  # the ingest holds it
            yield True
            return
        with clear_write_errors(self.data_dir), self.lock_path.open("a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            yield True

    def _generation_collection(self, generation: int) -> Any:
        """The chunks of a generation on the Chroma server."""
        if self._manifest is not None and generation == self.generation:
            return self.collection
        assert self.url is not None
        client = chroma_client(self.data_dir, self.url)
        name = self._generation_name(generation)
        return OnServer(
            client.get_or_create_collection(name, metadata={"hnsw:space": "cosine"}), self.url
        )

    def _begin(self, paths: Iterable[str]) -> None:
        """Files about to change. In a shared index they are written down until the
        commit: the repair after a crash looks at those alone, as the chunks of
        another writer's files in flight look just the same."""
        if not self.shared or self.staging:
            return
        in_flight = self._read_in_flight()
        if new := set(paths) - in_flight:
            in_flight |= new
            atomic_write(self._in_flight_path, json.dumps(sorted(in_flight), ensure_ascii=False))

    def _read_in_flight(self) -> set[str]:
        if self._in_flight is None:
            try:
                self._in_flight = set(json.loads(self._in_flight_path.read_text("utf-8")))
            except (OSError, ValueError):
                self._in_flight = set()
        return self._in_flight

    def _reconcile_in_flight(self) -> int:
        """The shared index's repair: for each file a killed ingest had in flight,
        chunks its record does not name are deleted, and a file whose chunks are
        not all in both stores is forgotten (the next ingest writes it again)."""
        orphans: set[str] = set()
        for path in sorted(self._read_in_flight()):
            entry = self.manifest.files.get(path)
            named = set(entry.chunk_ids) if entry else set()
            found = set(self.collection.get(where={"path": path}, include=[])["ids"])
            orphans |= found - named
            in_lexical = set(self.bm25.languages_of(named))
            if entry and not named <= (found & in_lexical):
                orphans |= named
                del self.manifest.files[path]
        if orphans:
            self._delete(orphans)
        return len(orphans)

    # Writing and reading chunks

    def check_build(self, build: dict[str, Any]) -> None:
        self.manifest.check(build)
        # A shared server may hold a collection another machine built.
        if self.url and (stored := (self.collection.metadata or {}).get("build")):
            Manifest(json.loads(stored)).check(build)

    def entry(self, path: str) -> FileEntry | None:
        """The record of a file (its resolved path), None for a file not indexed."""
        return self.manifest.files.get(path)

    def entries(self) -> Mapping[str, FileEntry]:
        """Every file's record by path, read only: they change through `write`
        and `forget`."""
        return MappingProxyType(self.manifest.files)

    def write(
        self,
        files: Mapping[str, FileEntry],
        nodes: Sequence[Any] = (),
        replaces: Iterable[str] = (),
    ) -> None:
        """Files' new records, with the chunks they add (llama-index nodes, embedded):
        first `replaces` (chunks of the files' older versions) are deleted, then the
        nodes go to Chroma and the lexical index, then the records are set; all of
        it durable at the next `commit`. A write that fails midway leaves the
        records as they were, and what it wrote is repaired (`reconcile`)."""
        stale = list(replaces)
        named = {chunk for entry in files.values() for chunk in entry.chunk_ids}
        if strays := sorted(n.id_ for n in nodes if n.id_ not in named):
            raise ValueError(f"no record names the chunks {_some(strays)}")
        if nodes or stale:
            self._begin(files)
        if stale:
            self._delete(stale)
        if nodes:
            self._add_to_chroma(nodes)
            self.bm25.add([lexical_row(n.id_, n.text, n.metadata) for n in nodes])
        self.manifest.files.update(files)

    def forget(self, paths: Iterable[str]) -> int:
        """Files' chunks deleted from both stores, then their records; returns how
        many of the files were indexed."""
        known = [p for p in dict.fromkeys(paths) if p in self.manifest.files]
        if not known:
            return 0
        self._begin(known)
        self._delete([c for path in known for c in self.manifest.files[path].chunk_ids])
        for path in known:
            del self.manifest.files[path]
        return len(known)

    def _add_to_chroma(self, nodes: Sequence[Any]) -> None:
        with self._clear_chroma_errors():
            self.vector_store.add(list(nodes))

    def _delete(self, chunk_ids: Iterable[str]) -> None:
        """From Chroma and the lexical index; the records that named them are the
        caller's to change."""
        ids = list(chunk_ids)
        with self._clear_chroma_errors():
            for start in range(0, len(ids), 5000):
                self.collection.delete(ids=ids[start : start + 5000])
        self.bm25.delete(ids)

    def get(self, chunk_ids: Sequence[str]) -> dict[str, tuple[str, dict[str, Any]]]:
        """Text and metadata of each chunk: from the lexical index's stored fields,
        and from Chroma for any chunk stored there alone (an index built before
        them, a replica not brought up to date yet). Chunks that the manifest does
        not name are left out: they are what an ingest that failed (a full disk)
        wrote past the last commit, or another writer's not committed yet."""
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

    # Commits and generations

    def commit(self, build: dict[str, Any]) -> None:
        """Persist the lexical index then the manifest: the manifest is the record of
        what is complete. While staging (a rebuild), the manifest waits for `switch`."""
        self.manifest.build = build
        self._known_ids = None
        self.bm25.commit()
        if not self.staging:
            if self.shared:
                self._commit_shared()
            else:
                self.manifest.save(self.manifest_path)
                self._manifest_mtime = _mtime(self.manifest_path)
        if self.url:
            # Only "build": Chroma refuses any "hnsw:space" in a modify, even an unchanged
            # one, and keeps the distance set at creation.
            self.collection.modify(metadata={"build": json.dumps(build, sort_keys=True)})

    def _commit_shared(self) -> None:
        self._records = self.shared_manifest.save(
            self.manifest, self.chroma_name, self._records, switch=self._built_beside
        )
        if not self.lexical_url:  # what this machine's replica now holds
            self.manifest.save(self.manifest_path)
        self._head = None  # read again at the next refresh, with other writers' commits
        if self._read_in_flight():
            self._in_flight_path.unlink(missing_ok=True)
            self._in_flight = set()

    def beside(self) -> ChunkStore:
        """A new, empty index of the next generation, for a rebuild: readers keep
        answering from this one until the new one's `switch`."""
        generation = max([self.generation, *self._lexical_generations()]) + 1
        new = ChunkStore(
            self.data_dir,
            self.collection_name,
            self.url,
            lexical_url=self.lexical_url,
            generation=generation,
        )
        new._discard_generation(generation)  # what a killed rebuild left under that name
        return new

    def switch(self, build: dict[str, Any]) -> None:
        """Make this staged index the one readers use: its manifest replaces the old
        one in one rename, or one metadata update on a Chroma server
        (`drop_other_generations` deletes the old one after)."""
        self.staging = False
        self.commit(build)

    def drop_other_generations(self) -> None:
        for generation in self._lexical_generations() | self._generations_in_chroma():
            if generation != self.generation:
                self._discard_generation(generation)

    def _lexical_generations(self) -> set[int]:
        """The generations the lexical index holds: folders, or Qdrant collections."""
        if self.lexical_url:
            from index.qdrant_lexical import collection_names

            names = collection_names(self.lexical_url)
            return self._generations_named(names, self.collection_name)
        found = set()
        for folder in self.data_dir.glob(f"bm25{self._suffix}*"):
            if folder == self._bm25_dir(0):
                found.add(0)
            elif match := re.fullmatch(rf"bm25{re.escape(self._suffix)}\.g(\d+)", folder.name):
                found.add(int(match[1]))
        return found

    def _generations_in_chroma(self) -> set[int]:
        client = chroma_client(self.data_dir, self.url)
        names = [getattr(item, "name", item) for item in client.list_collections()]
        return self._generations_named(names, self.collection_name)

    @staticmethod
    def _generations_named(names: Iterable[str], base: str) -> set[int]:
        found = set()
        for name in names:
            if name == base:
                found.add(0)
            elif match := re.fullmatch(rf"{re.escape(base)}\.g(\d+)", name):
                found.add(int(match[1]))
        return found

    def _discard_generation(self, generation: int) -> None:
        name = self._generation_name(generation)
        if self.lexical_url:
            from index.qdrant_lexical import QdrantLexicalIndex

            QdrantLexicalIndex(self.lexical_url, name).drop()
        shutil.rmtree(self._bm25_dir(generation), ignore_errors=True)
        for chroma_name in (name, f"{name}.files") if self.shared else (name,):
            with contextlib.suppress(Exception):  # there was none
                chroma_client(self.data_dir, self.url).delete_collection(chroma_name)

    def reconcile(self) -> int:
        """Drop what an interrupted ingest left half-written; returns chunks removed.

        Chunks not named by the manifest are orphans; a file whose chunks are not
        all in both stores is forgotten, so the next ingest writes it again. A
        rebuild that never switched leaves a generation no manifest names: deleted.
        A shared index is repaired for the files in flight alone (`begin`).
        """
        if self.shared:
            return self._reconcile_in_flight()
        self.drop_other_generations()
        known = self.manifest.chunk_ids()
        in_chroma = self.all_chroma_ids()
        in_lexical = self.bm25.chunk_ids()
        orphans = (in_chroma - known) | (in_lexical - known)
        for path, entry in list(self.manifest.files.items()):
            if any(c not in in_chroma or c not in in_lexical for c in entry.chunk_ids):
                orphans.update(entry.chunk_ids)
                del self.manifest.files[path]
        if orphans:
            self._delete(orphans)
        return len(orphans)

    def check(self) -> list[str]:
        """Problems found reading every file of the index and comparing its three
        records (manifest, Chroma, the lexical index): chunk ids, chunks per file,
        checksums."""
        self._manifest = self._manifest_error = None
        self._bm25 = self._collection = self._vector_store = None
        self._load_manifest()  # all read afresh
        if self._manifest_error is not None:
            return [str(self._manifest_error)]
        manifest = self.manifest
        problems = []
        named = [c for entry in manifest.files.values() for c in entry.chunk_ids]
        if duplicated := sorted(c for c, n in Counter(named).items() if n > 1):
            problems.append(f"the manifest names {_some(duplicated)} more than once")
        for path, entry in manifest.files.items():
            counted = sum(a.chunks for a in entry.articles)
            if counted != len(entry.chunk_ids):
                problems.append(
                    f"the manifest lists {len(entry.chunk_ids)} chunks of {path}, "
                    f"its articles {counted}"
                )
        records = {"manifest": {c: p for p, e in manifest.files.items() for c in e.chunk_ids}}
        try:
            lexical = self._open_lexical(self.generation, thorough=True)
            ids = lexical.chunk_ids()
            stored = lexical.stored(ids)
            records["BM25"] = {
                c: str(stored.get(c, {}).get("metadata", {}).get("path", "")) for c in ids
            }
        except IndexCorrupt as error:
            problems.append(str(error))
        records["Chroma"] = self._chroma_paths(with_paths=True)
        problems += _disagreements(records)
        return problems


def _chunks_of(collection: Any, ids: list[str]) -> dict[str, tuple[str, dict[str, Any]]]:
    """Texts and metadata of chunks in Chroma, as the ingest gave them."""
    from index.replica import chunk_metadata

    found = collection.get(ids=ids, include=["documents", "metadatas"])
    return {
        i: (doc or "", chunk_metadata(dict(meta or {})))
        for i, doc, meta in zip(found["ids"], found["documents"], found["metadatas"], strict=True)
    }


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

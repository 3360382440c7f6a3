"""Ingestion: files → articles → chunks → embeddings → Chroma + BM25 + manifest."""

from __future__ import annotations

import fcntl
import hashlib
import os
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from index.chunking import Chunker, ChunkingConfig
from index.documents import Article, ArticleRecord, Chunk, IngestSummary, Skipped
from index.embedding import EmbeddingConfig, load_embedding, token_window
from index.files import clear_write_errors
from index.loaders import LoadOptions, SkipFile, check_file, discover, load_file
from index.store import ChunkStore, FileEntry

# What an ingest holds around each change of the index (see Indexer.ingest).
Guard = Callable[[], AbstractContextManager[Any]]

_BATCH_CHUNKS = 256
_COMMIT_SECONDS = 30.0


class IndexBusy(RuntimeError):
    """Another ingest holds this index."""


@dataclass
class _Pending:
    """Some articles of one file, ready to write; a feed comes in several of these."""

    path: str
    # The file's record before the first piece (a resumed feed's, or an empty one);
    # None: later pieces, which go on from what the pieces before them wrote.
    starts_from: FileEntry | None
    articles: list[ArticleRecord] = field(default_factory=list)
    chunks: list[Chunk] = field(default_factory=list)
    replaces: list[str] = field(default_factory=list)  # an older version's chunk ids
    last: bool = True  # the file's record is complete once this piece is written


class Indexer:
    def __init__(
        self,
        store: ChunkStore,
        embedding: EmbeddingConfig,
        chunking: ChunkingConfig,
        load_options: LoadOptions,
        embed_model: Callable[[], Any] | None = None,
    ) -> None:
        """`embed_model` provides the (shared, lazily loaded) llama-index embedding."""
        self.store = store
        self.embedding_config = embedding
        self.chunking = chunking
        self.load_options = load_options
        self._embed_model_provider = embed_model or (lambda: load_embedding(embedding))
        self._embed_model: Any = None
        self._chunker: Chunker | None = None
        self._dimension = 0

    @property
    def build(self) -> dict[str, Any]:
        embedding: dict[str, Any] = dict(self.embedding_config.signature())
        built = self.store.manifest.build.get("embedding", {})
        if dimension := self._dimension or built.get("dimension"):
            embedding["dimension"] = dimension
        return {"embedding": embedding, "chunking": asdict(self.chunking)}

    @property
    def embed_model(self) -> Any:
        if self._embed_model is None:
            self._embed_model = self._embed_model_provider()
        return self._embed_model

    @property
    def chunker(self) -> Chunker:
        if self._chunker is None:
            self._chunker = Chunker(self.chunking, token_window(self.embed_model))  # type: ignore[arg-type]
        return self._chunker

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        with clear_write_errors(self.store.data_dir):  # a read-only folder: refused here
            handle = self.store.lock_path.open("a+")
        with handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as error:
                raise IndexBusy(
                    f"another ingest is writing to {self.store.data_dir}; wait for it to finish"
                ) from error
            yield

    @contextmanager
    def _changing(self, repair: bool = True, guard: Guard = nullcontext) -> Iterator[None]:
        """Marks the index dirty while it changes: after a crash (or any error), the
        next writer first removes what was left half-written (not a rebuild: it
        replaces all of it, damaged or not)."""
        dirty = self.store.data_dir / f".ingest-{self.store.collection_name}.dirty"
        if dirty.exists() and repair:
            with guard():
                self.store.reconcile()
        dirty.touch()
        yield
        dirty.unlink()

    def ingest(
        self,
        paths: Iterable[str | Path],
        *,
        rebuild: bool = False,
        prune: bool = False,
        progress: bool = False,
        guard: Guard = nullcontext,
    ) -> IngestSummary:
        """`guard`: held around each change of the index, not while files are read
        and embedded, so that a process's readers (who hold it to search) wait
        for a batch's write, not for the whole ingest; a rebuild holds it throughout."""
        started = time.perf_counter()
        store = self.store
        with self._exclusive(), store.writing():
            if not rebuild:  # refuse before anything changes
                store.check_build(self.build)
            with self._changing(repair=not rebuild, guard=guard):
                try:
                    if rebuild:
                        with guard():
                            summary = self._rebuild(paths, progress)
                    else:
                        summary = self._ingest(paths, prune, progress, guard)
                finally:
                    # Worker processes (embed_processes > 1) hold a model each: they
                    # end with the ingest rather than linger in a chat server.
                    if close := getattr(self._embed_model, "close", None):
                        close()
        summary.seconds = time.perf_counter() - started
        return summary

    def _rebuild(self, paths: Iterable[str | Path], progress: bool) -> IngestSummary:
        """Builds a new index beside the old one, which readers keep using until the
        new one is complete and switched to; a rebuild killed before that leaves
        the old index as it was (the next ingest deletes the unfinished one)."""
        old = self.store
        new = self.store = old.beside()
        try:
            with new.writing():
                summary = self._ingest(paths, False, progress)
                new.switch(self.build)
        finally:
            self.store = old
        old.refresh()
        old.drop_other_generations()
        return summary

    def _ingest(
        self,
        paths: Iterable[str | Path],
        prune: bool,
        progress: bool,
        guard: Guard = nullcontext,
    ) -> IngestSummary:
        store = self.store
        summary = IngestSummary()
        paths = list(paths)
        found = list(discover(paths))
        files = [f for f in found if isinstance(f, Path)]
        summary.skipped += [f for f in found if isinstance(f, Skipped)]
        pending: list[_Pending] = []
        last_commit = time.monotonic()
        embedding = _EmbeddingProgress(progress)
        for path in _progress(files, progress):
            for item in self._prepare(path, summary, progress, guard):
                pending.append(item)
                embedding.planned(len(item.chunks))
                if sum(len(p.chunks) for p in pending) < _BATCH_CHUNKS:
                    continue
                self._write(pending, summary, embedding, guard)
                pending = []
                if time.monotonic() - last_commit > _COMMIT_SECONDS:
                    with guard():
                        store.commit(self.build)
                    last_commit = time.monotonic()
        self._write(pending, summary, embedding, guard)
        embedding.close()
        with guard():
            if prune:
                summary.removed = self._prune(paths)
            store.commit(self.build)
        return summary

    def _prepare(
        self, path: Path, summary: IngestSummary, progress: bool, guard: Guard = nullcontext
    ) -> Iterator[_Pending]:
        """A file's articles, chunked, in pieces of about a batch: a feed of 50 000
        articles is written (and committed) a batch at a time, and a feed that an
        earlier ingest left partly written goes on after its committed articles."""
        key = str(path.resolve())
        entry = self.store.entry(key)
        try:
            stat = check_file(path, self.load_options.max_bytes)
            same_stat = entry and (entry.size, entry.mtime_ns) == (stat.st_size, stat.st_mtime_ns)
            if entry and entry.complete and same_stat:
                summary.unchanged += 1
                return
            with path.open("rb") as file:
                digest = hashlib.file_digest(file, "sha1").hexdigest()
            if entry and entry.complete and entry.sha1 == digest:
                with guard():
                    self.store.write(
                        {key: replace(entry, size=stat.st_size, mtime_ns=stat.st_mtime_ns)}
                    )
                summary.unchanged += 1
                return
            articles = load_file(path, self.load_options)
        except SkipFile as reason:
            summary.skipped.append(Skipped(str(path), str(reason)))
            return
        except OSError as error:
            summary.skipped.append(Skipped(str(path), f"cannot read: {error}"))
            return
        resumed = entry if entry and not entry.complete and entry.sha1 == digest else None
        done = {a.id for a in resumed.articles} if resumed else set()
        new_entry = FileEntry(
            sha1=digest,
            size=stat.st_size,
            mtime_ns=stat.st_mtime_ns,
            chunk_ids=list(resumed.chunk_ids) if resumed else [],
            articles=list(resumed.articles) if resumed else [],
            complete=False,
        )
        piece = _Pending(key, new_entry, replaces=[] if resumed or not entry else entry.chunk_ids)
        # Articles keep the resolved path so that ids do not depend on the cwd.
        todo = [a for a in (replace(a, path=key) for a in articles) if a.id not in done]
        for article in _article_progress(todo, path, progress):
            chunks = self.chunker.chunk(article)
            piece.chunks += chunks
            piece.articles.append(ArticleRecord.of(article, len(chunks)))
            if len(piece.chunks) >= _BATCH_CHUNKS:
                piece.last = False
                yield piece
                piece = _Pending(key, None)
        yield piece

    def _write(
        self,
        pending: list[_Pending],
        summary: IngestSummary,
        embedding: _EmbeddingProgress | None = None,
        guard: Guard = nullcontext,
    ) -> None:
        if not pending:
            return
        from llama_index.core.schema import TextNode

        chunks = [c for p in pending for c in p.chunks]
        vectors = self._embed([c.text for c in chunks], embedding or _EmbeddingProgress(False))
        metadata = [c.stored().to_metadata() for c in chunks]
        nodes = [
            TextNode(
                id_=c.id,
                text=c.text,
                metadata=meta,
                embedding=v,
                excluded_embed_metadata_keys=list(meta),
                excluded_llm_metadata_keys=list(meta),
            )
            for c, meta, v in zip(chunks, metadata, vectors, strict=True)
        ]
        with guard():
            self.store.write(
                self._records(pending), nodes, replaces=[cid for p in pending for cid in p.replaces]
            )
        if vectors:
            self._dimension = len(vectors[0])
        summary.articles += sum(len(p.articles) for p in pending)
        summary.chunks += len(chunks)

    def _records(self, pending: list[_Pending]) -> dict[str, FileEntry]:
        """The files' records once these pieces are written: each piece's articles and
        chunks after those of the pieces before it."""
        records: dict[str, FileEntry] = {}
        for p in pending:
            before = records.get(p.path) or p.starts_from or self.store.entry(p.path)
            assert before is not None, "a file's later piece comes after its first"
            records[p.path] = replace(
                before,
                chunk_ids=[*before.chunk_ids, *(c.id for c in p.chunks)],
                articles=[*before.articles, *p.articles],
                complete=p.last,
            )
        return records

    def _embed(self, texts: list[str], progress: _EmbeddingProgress) -> list[list[float]]:
        """Embeds texts grouped by length in model tokens, returned in their order.

        A batch is padded to its longest text; in file order Hindi and English
        chunks of very different lengths share batches (sentence-transformers sorts
        only within a call, and by characters), which costs a fifth more work.
        """
        count = self.chunker.window[0] if self.chunker.window else len
        order = sorted(range(len(texts)), key=lambda i: count(texts[i]))
        # A model batch for each worker process at a time, so that the bar moves.
        step = self.embedding_config.batch_size * max(1, self.embedding_config.processes)
        vectors: list[list[float]] = []
        for start in range(0, len(order), step):
            batch = [texts[i] for i in order[start : start + step]]
            vectors += self.embed_model.get_text_embedding_batch(batch)
            progress.done(len(batch))
        in_order: list[list[float]] = [[] for _ in texts]
        for i, vector in zip(order, vectors, strict=True):
            in_order[i] = vector
        return in_order

    def _prune(self, paths: Iterable[str | Path]) -> int:
        """Forget files that are gone; in a shared index only those under `paths`,
        as other writers' files may not be on this machine at all."""
        gone = [path for path in self.store.entries() if not os.path.exists(path)]
        if self.store.shared:
            roots = [Path(p).resolve() for p in paths]
            gone = [p for p in gone if any(Path(p).is_relative_to(r) for r in roots)]
        return self.store.forget(gone)

    def remove(self, article_paths: Iterable[str]) -> int:
        """Forget files (by path) and their chunks; returns how many were known."""
        with self._exclusive(), self.store.writing(), self._changing():
            removed = self.store.forget(str(Path(path).resolve()) for path in article_paths)
            self.store.commit(self.build)
            return removed


def _progress(items: list[Path], enabled: bool) -> Iterable[Path]:
    if not enabled or len(items) < 2:
        return items
    from tqdm import tqdm

    return tqdm(items, desc="ingesting", unit="file")


class _EmbeddingProgress:
    """Chunks embedded of those prepared so far, with tqdm's rate and ETA: most of
    an ingest's time, and it comes after the files are read."""

    def __init__(self, enabled: bool) -> None:
        self._bar: Any = None
        if enabled:
            from tqdm import tqdm

            self._bar = tqdm(total=0, desc="embedding", unit="chunk")

    def planned(self, chunks: int) -> None:
        if self._bar is not None:
            self._bar.total += chunks
            self._bar.refresh()

    def done(self, chunks: int) -> None:
        if self._bar is not None:
            self._bar.update(chunks)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _article_progress(articles: list[Article], path: Path, enabled: bool) -> Iterable[Article]:
    """A feed's articles, with a progress bar of their own."""
    if not enabled or len(articles) < 2:
        return articles
    from tqdm import tqdm

    return tqdm(articles, desc=path.name, unit="article", leave=False)

"""The manifest: which files the index holds, their chunks and articles, and the
build (embedding model, chunking) that made it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from index.documents import ArticleRecord
from index.files import IndexCorrupt, atomic_write

MANIFEST_FORMAT = 1


class IndexMismatch(RuntimeError):
    """The index was built with another embedding model or chunking."""


@dataclass
class FileEntry:
    sha1: str
    size: int
    mtime_ns: int
    chunk_ids: list[str]
    articles: list[ArticleRecord]
    # False while a feed is ingested in batches: what is listed is committed, and
    # the next ingest of the same file goes on after those articles.
    complete: bool = True

    @classmethod
    def from_stored(cls, raw: dict[str, Any]) -> FileEntry:
        """From the record as saved (the manifest's JSON, a shared manifest's record)."""
        articles = [ArticleRecord.from_stored(a) for a in raw["articles"]]
        return cls(**{**raw, "articles": articles})

    def to_stored(self) -> dict[str, Any]:
        return {**vars(self), "articles": [a.to_stored() for a in self.articles]}


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
                {str(k): FileEntry.from_stored(v) for k, v in raw["files"].items()},
                int(raw.get("generation", 0)),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise IndexCorrupt(path, f"unreadable: {error}") from error

    def save(self, path: Path) -> None:
        raw = {
            "format": MANIFEST_FORMAT,
            "generation": self.generation,
            "build": self.build,
            "files": {k: v.to_stored() for k, v in sorted(self.files.items())},
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

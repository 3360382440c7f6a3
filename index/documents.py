"""What flows through ingestion: articles in, chunks out, skipped files reported."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import Any

from index.language import Language


@dataclass(frozen=True, slots=True)
class Article:
    """One cleaned news article, from a file or one record of a feed file."""

    title: str
    text: str
    language: Language
    path: str
    record: int | None = None  # 1-based record number inside a JSON/JSONL feed
    published: date | None = None
    outlet: str = ""  # the publication: PTI, Dainik Jagran
    url: str = ""
    author: str = ""

    @property
    def id(self) -> str:
        """Deterministic: the same file (and record) always gets the same id."""
        return hashlib.sha1(self.ref_path.encode()).hexdigest()[:16]

    @property
    def ref_path(self) -> str:
        return self.path if self.record is None else f"{self.path}#{self.record}"

    @property
    def ref(self) -> str:
        """Short reference for people and evaluation sets: `name.txt` or `feed.jsonl#2`."""
        return Path(self.ref_path).name

    @property
    def date_iso(self) -> str:
        return self.published.isoformat() if self.published else ""

    def byline(self) -> dict[str, str]:
        """What its chunks and its manifest record repeat of it, by the same names."""
        return {
            "ref": self.ref,
            "title": self.title,
            "outlet": self.outlet,
            "url": self.url,
            "author": self.author,
        }

    @property
    def date_number(self) -> int:
        """YYYYMMDD, 0 when unknown: Chroma's range filters compare numbers only."""
        return int(self.published.strftime("%Y%m%d")) if self.published else 0


@dataclass(frozen=True, slots=True)
class Chunk:
    """A run of whole sentences of one article, with its place in the cleaned text."""

    article: Article
    position: int
    text: str
    start: int
    end: int
    language: Language

    @property
    def id(self) -> str:
        return f"{self.article.id}-{self.position:04d}"

    def stored(self) -> StoredChunk:
        a = self.article
        return StoredChunk(
            article_id=a.id,
            path=a.path,
            language=self.language,
            article_language=a.language,
            date=a.date_number,
            date_iso=a.date_iso,
            start=self.start,
            end=self.end,
            position=self.position,
            **a.byline(),
        )


# Stored keys that differ from the field names: indexes written before the fields
# were renamed stay readable, and their filters (Chroma's, BM25's, Qdrant's) match.
_CHUNK_KEYS = {"outlet": "source", "language": "lang", "article_language": "article_lang"}
_ARTICLE_KEYS = {"outlet": "source"}


@functools.cache
def _stored_names(kind: Any, skip: str) -> tuple[tuple[str, str, bool], ...]:
    """(field, stored key, whether a number) of each stored field of `kind`: once, as
    a manifest of 50 000 articles reads every record."""
    keys = _CHUNK_KEYS if kind is StoredChunk else _ARTICLE_KEYS
    return tuple(
        (f.name, keys.get(f.name, f.name), f.type in ("int", int))
        for f in fields(kind)
        if f.name != skip
    )


def _to_stored(record: Any, skip: str = "") -> dict[str, Any]:
    return {key: getattr(record, name) for name, key, _ in _stored_names(record.__class__, skip)}


def _from_stored(kind: Any, raw: dict[str, Any], skip: str = "") -> dict[str, Any]:
    """The fields of `kind` (but `skip`) from a stored dict, a missing one empty."""
    return {
        name: int(raw.get(key) or 0) if number else str(raw.get(key) or "")
        for name, key, number in _stored_names(kind, skip)
    }


@dataclass(frozen=True, slots=True)
class StoredChunk:
    """What the index keeps beside a chunk's text: its metadata in Chroma and in the
    lexical index's stored fields. Read back with `from_metadata`, so a missing
    field (an older index) reads as empty."""

    article_id: str = ""
    path: str = ""  # the file, resolved
    ref: str = ""  # the file for people: `name.txt`, `feed.jsonl#2`
    title: str = ""
    outlet: str = ""
    url: str = ""
    author: str = ""
    language: str = ""  # the chunk's
    article_language: str = ""
    date: int = 0  # YYYYMMDD, 0 when unknown
    date_iso: str = ""
    start: int = 0  # offsets of the chunk in the cleaned article
    end: int = 0
    position: int = 0

    @staticmethod
    def key(name: str) -> str:
        """The stored key of a field (what Chroma's filters name)."""
        return _CHUNK_KEYS.get(name, name)

    def to_metadata(self) -> dict[str, str | int]:
        return _to_stored(self)

    @classmethod
    def from_metadata(cls, meta: dict[str, Any]) -> StoredChunk:
        return cls(**_from_stored(cls, meta))


@dataclass(frozen=True, slots=True)
class ArticleRecord:
    """What the manifest lists of an article; `path` is its file's (the manifest's
    key, not stored in the record)."""

    id: str
    ref: str
    title: str
    language: str
    date: str  # YYYY-MM-DD, "" when unknown
    outlet: str
    url: str
    author: str
    chunks: int
    path: str = ""

    @classmethod
    def of(cls, article: Article, chunks: int) -> ArticleRecord:
        return cls(
            id=article.id,
            language=article.language,
            date=article.date_iso,
            chunks=chunks,
            **article.byline(),
        )

    def to_stored(self) -> dict[str, Any]:
        return _to_stored(self, skip="path")

    @classmethod
    def from_stored(cls, raw: dict[str, Any]) -> ArticleRecord:
        """A KeyError for a record without an id (a damaged manifest); other fields
        missing (a manifest from before them) read as empty."""
        if "id" not in raw:  # the one field a record cannot lack
            raise KeyError("id")
        return cls(**_from_stored(cls, raw, skip="path"))


@dataclass(frozen=True, slots=True)
class Skipped:
    path: str
    reason: str


@dataclass(slots=True)
class IngestSummary:
    articles: int = 0
    chunks: int = 0
    unchanged: int = 0
    removed: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    seconds: float = 0.0

    def lines(self) -> list[str]:
        out = [
            f"articles indexed: {self.articles}",
            f"chunks written:   {self.chunks}",
            f"files unchanged:  {self.unchanged}",
            f"files removed:    {self.removed}",
            f"files skipped:    {len(self.skipped)}",
        ]
        out += [f"  - {s.path}: {s.reason}" for s in self.skipped]
        out.append(f"seconds:          {self.seconds:.1f}")
        return out

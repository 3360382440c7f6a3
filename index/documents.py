"""What flows through ingestion: articles in, chunks out, skipped files reported."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

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
    source: str = ""
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

    def metadata(self) -> dict[str, str | int]:
        a = self.article
        return {
            "article_id": a.id,
            "path": a.path,
            "ref": a.ref,
            "title": a.title,
            "source": a.source,
            "url": a.url,
            "author": a.author,
            "lang": self.language,
            "article_lang": a.language,
            "date": a.date_number,
            "date_iso": a.published.isoformat() if a.published else "",
            "start": self.start,
            "end": self.end,
            "position": self.position,
        }


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

"""What answering hands back: passages retrieved, citations checked, the answer."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Filters:
    """Restrict retrieval: chunk language, outlet, publication date (YYYY-MM-DD)."""

    languages: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    date_from: str = ""
    date_to: str = ""

    @classmethod
    def coerce(cls, value: Filters | dict[str, Any] | None) -> Filters:
        if value is None:
            return cls()
        if isinstance(value, Filters):
            return value

        def as_tuple(v: Any) -> tuple[str, ...]:
            return (v,) if isinstance(v, str) else tuple(v or ())

        languages = as_tuple(value.get("languages") or value.get("language"))
        if unknown := set(languages) - {"hi", "en", "mixed"}:
            raise ValueError(f"unknown language filter {sorted(unknown)}: use hi, en or mixed")
        for key in ("date_from", "date_to"):
            if value.get(key) and not _ISO_DATE.fullmatch(str(value[key])):
                raise ValueError(f"{key} must be a date as YYYY-MM-DD, not {value[key]!r}")
        return cls(
            languages=languages,
            sources=as_tuple(value.get("sources") or value.get("source")),
            date_from=str(value.get("date_from") or ""),
            date_to=str(value.get("date_to") or ""),
        )

    def __bool__(self) -> bool:
        return bool(self.languages or self.sources or self.date_from or self.date_to)


@dataclass
class Passage:
    """A retrieved chunk, numbered by rank (1-based) as the answer cites it."""

    n: int
    chunk_id: str
    text: str
    source: str  # file name (or feed.jsonl#2)
    path: str
    title: str
    outlet: str
    url: str
    date: str
    language: str
    start: int  # offsets of the chunk in the cleaned article
    end: int
    score: float
    scores: dict[str, float] = field(default_factory=dict)  # per retriever
    article_id: str = ""
    author: str = ""

    @classmethod
    def from_metadata(
        cls,
        n: int,
        chunk_id: str,
        text: str,
        meta: dict[str, Any],
        score: float,
        scores: dict[str, float],
    ) -> Passage:
        return cls(
            n=n,
            chunk_id=chunk_id,
            text=text,
            source=str(meta.get("ref", "")),
            path=str(meta.get("path", "")),
            title=str(meta.get("title", "")),
            outlet=str(meta.get("source", "")),
            url=str(meta.get("url", "")),
            date=str(meta.get("date_iso", "")),
            language=str(meta.get("lang", "")),
            start=int(meta.get("start", 0)),
            end=int(meta.get("end", 0)),
            score=score,
            scores=scores,
            article_id=str(meta.get("article_id", "")),
            author=str(meta.get("author", "")),
        )


@dataclass
class Citation:
    n: int
    source: str
    title: str
    outlet: str
    url: str
    date: str
    quote: str  # the sentence of the passage that supports the claim
    start: int  # offsets of the quote in the cleaned article
    end: int
    language: str
    path: str = ""
    author: str = ""


@dataclass
class Answer:
    question: str
    text: str
    language: str
    answered: bool
    citations: list[Citation] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    backend: str = "extractive"
    note: str = ""  # e.g. why the LLM answer fell back to the extractive one
    evidence_languages: tuple[str, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)  # milliseconds
    # The language model's reply as it came, before its citations were checked:
    # for debugging only, as it is not what the reader is shown when it cites nothing.
    llm_reply: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

"""What answering hands back: passages retrieved, citations checked, the answer."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from index.documents import StoredChunk

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_FILTER_KEYS = frozenset({"language", "languages", "outlet", "outlets", "date_from", "date_to"})
# The names these filters had, still read from a dict of them.
_OLD_FILTER_KEYS = {"source": "outlet", "sources": "outlets"}


def _check_date(key: str, value: str) -> None:
    """A real calendar date as YYYY-MM-DD, or none: 2025-13-45 is refused."""
    if not value:
        return
    try:
        if _ISO_DATE.fullmatch(value):
            date.fromisoformat(value)
            return
    except ValueError:
        pass
    raise ValueError(f"{key} must be a date as YYYY-MM-DD, not {value!r}")


@dataclass(frozen=True)
class Filters:
    """Restrict retrieval: chunk language, outlet, publication date (YYYY-MM-DD).

    A ValueError names the filter for anything that could never match; an outlet
    the index does not know is refused where the index is known (Assistant)."""

    languages: tuple[str, ...] = ()
    outlets: tuple[str, ...] = ()
    date_from: str = ""
    date_to: str = ""

    def __post_init__(self) -> None:
        if unknown := set(self.languages) - {"hi", "en", "mixed"}:
            raise ValueError(f"unknown language filter {sorted(unknown)}: use hi, en or mixed")
        _check_date("date_from", self.date_from)
        _check_date("date_to", self.date_to)

    @classmethod
    def coerce(cls, value: Filters | dict[str, Any] | None) -> Filters:
        """Filters from a dict of them: {"language": "hi", "outlet": "IANS", ...}."""
        if value is None:
            return cls()
        if isinstance(value, Filters):
            return value
        value = {_OLD_FILTER_KEYS.get(key, key): v for key, v in value.items()}
        if unknown := set(value) - _FILTER_KEYS:
            raise ValueError(
                f"unknown filter(s) {', '.join(sorted(unknown))}: "
                f"use {', '.join(sorted(_FILTER_KEYS))}"
            )

        def as_tuple(v: Any) -> tuple[str, ...]:
            items = (v,) if isinstance(v, str) else tuple(v or ())
            return tuple(text for item in items if (text := str(item).strip()))

        return cls(
            languages=as_tuple(value.get("languages") or value.get("language")),
            outlets=as_tuple(value.get("outlets") or value.get("outlet")),
            date_from=str(value.get("date_from") or "").strip(),
            date_to=str(value.get("date_to") or "").strip(),
        )

    def __bool__(self) -> bool:
        return bool(self.languages or self.outlets or self.date_from or self.date_to)

    def describe(self) -> str:
        """The filters for a reader, as the Python API names them: "outlet PTI, date_from 2025-01-01"."""
        parts = [f"language {', '.join(self.languages)}"] if self.languages else []
        parts += [f"outlet {', '.join(self.outlets)}"] if self.outlets else []
        parts += [
            f"{key} {value}" for key in ("date_from", "date_to") if (value := getattr(self, key))
        ]
        return "; ".join(parts)


@dataclass
class Passage:
    """A retrieved chunk, numbered by rank (1-based) as the answer cites it."""

    n: int
    chunk_id: str
    text: str
    ref: str  # the file for people: `name.txt`, `feed.jsonl#2`
    path: str  # the file, resolved
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
    rank: int = 0  # 1-based place in the retrieval; n is the citation number

    @property
    def retrieval_rank(self) -> int:
        return self.rank or self.n

    def reads_in(self, language: str) -> bool:
        """Whether a reader of `language` reads it as written (a mixed passage: either)."""
        return self.language in (language, "mixed")

    @classmethod
    def of(
        cls,
        n: int,
        chunk_id: str,
        text: str,
        stored: StoredChunk,
        score: float,
        scores: dict[str, float],
    ) -> Passage:
        """The passage of a chunk as the index stores it, at rank `n`."""
        return cls(
            n=n,
            chunk_id=chunk_id,
            text=text,
            ref=stored.ref,
            path=stored.path,
            title=stored.title,
            outlet=stored.outlet,
            url=stored.url,
            date=stored.date_iso,
            language=stored.language,
            start=stored.start,
            end=stored.end,
            score=score,
            scores=scores,
            article_id=stored.article_id,
            author=stored.author,
            rank=n,
        )


@dataclass
class Citation:
    n: int
    ref: str  # the passage's file, as `Passage.ref`
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
    # "author", "date" or "outlet" when the quote is that field of the article's
    # metadata rather than a sentence of its text (start == end then).
    field: str = ""

    @classmethod
    def of(cls, passage: Passage, quote: str, start: int, end: int, field: str = "") -> Citation:
        """The citation of `quote` (offsets in the cleaned article) from `passage`."""
        p = passage
        return cls(
            n=p.n,
            ref=p.ref,
            title=p.title,
            outlet=p.outlet,
            url=p.url,
            date=p.date,
            quote=quote,
            start=start,
            end=end,
            language=p.language,
            path=p.path,
            author=p.author,
            field=field,
        )


@dataclass
class Answer:
    question: str
    text: str
    language: str
    answered: bool
    citations: list[Citation] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    backend: str = ""  # the answerer's name (with its model), stamped by the Assistant if unset
    note: str = ""  # e.g. why the LLM answer fell back to the extractive one
    # The fallback's reason as the code states it, untranslated: the note tells the
    # reader, this tells a program (the evaluation counts it as the model's failure).
    fallback_reason: str = ""
    evidence_languages: tuple[str, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)  # milliseconds
    # The language model's reply as it came, before its citations were checked:
    # for debugging only, as it is not what the reader is shown when it cites nothing.
    llm_reply: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

"""What the offline answerer chooses among: a sentence of a retrieved passage, or
one of its article's metadata facts (byline, date, outlet), with its features."""

from __future__ import annotations

from dataclasses import dataclass, field

from rag.types import Passage


@dataclass(frozen=True)
class Candidate:
    passage: Passage
    text: str
    start: int  # in the article
    end: int
    features: dict[str, float] = field(default_factory=dict)
    score: float = 0.0  # the scorer's utility: higher is likelier to answer
    field: str = ""  # "author", "date" or "outlet" for an article's metadata; "" for a sentence

"""The [n] citations of a model's answer, checked against the passages it was given.

A model's citation is a claim, not a fact: a marker naming no retrieved passage
is dropped, and each kept one is pinned to the sentence of its passage that
shares the most terms with the claim before the marker, so the reader sees the
exact evidence, with offsets in the cleaned article.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from index.sentences import Sentence, clip_quote, split_sentences
from index.tokenize import index_terms
from rag.messages import MESSAGES
from rag.types import Citation, Passage

# [3], [1, 2], [1,2]; \d also takes Devanagari digits, which int() reads.
MARKER = re.compile(r"\[\s*(\d+(?:\s*,\s*\d+)*)\s*\]")


@dataclass(frozen=True)
class CheckedText:
    text: str  # markers naming no passage removed
    citations: list[Citation]  # in order of first mention, one per (passage, quote)


def cited_numbers(marker: str) -> list[int]:
    """Passage numbers in one marker, e.g. "[1, 3]" -> [1, 3]."""
    return list(dict.fromkeys(int(n) for n in re.findall(r"\d+", marker)))


def claim_before(text: str, end: int) -> str:
    """The sentence a marker at `end` closes: "X happened. [1]" and "X happened [1]." alike."""
    sentences = split_sentences(MARKER.sub(" ", text[:end]))
    return sentences[-1].text if sentences else ""


def supporting_sentence(claim: str, passage: Passage) -> Citation:
    """The sentence of `passage` sharing most terms with `claim` (the first on a tie).

    Terms include name skeletons, so a Hindi claim still finds its sentence in
    an English passage through the names and numbers they share.
    """
    wanted = set(index_terms(claim))
    sentences = split_sentences(passage.text) or [Sentence(passage.text, 0, len(passage.text))]
    shared = [len(wanted & set(index_terms(s.text))) for s in sentences]
    best = max(range(len(sentences)), key=lambda i: (shared[i], -i))
    sentence = clip_quote(sentences[best])
    return Citation.of(
        passage, sentence.text, passage.start + sentence.start, passage.start + sentence.end
    )


def check_citations(text: str, passages: Sequence[Passage]) -> CheckedText:
    by_number = {p.n: p for p in passages}
    parts: list[str] = []
    citations: dict[tuple[int, int], Citation] = {}
    position = 0
    for match in MARKER.finditer(text):
        numbers = cited_numbers(match.group())
        kept = [n for n in numbers if n in by_number]
        before = text[position : match.start()]
        if kept:
            parts.append(before)
            parts.append(match.group() if kept == numbers else f"[{', '.join(map(str, kept))}]")
        else:
            parts.append(before.rstrip(" \t"))  # "claim [9]." becomes "claim."
        claim = claim_before(text, match.start())
        for n in kept:
            citation = supporting_sentence(claim, by_number[n])
            citations.setdefault((n, citation.start), citation)
        position = match.end()
    parts.append(text[position:])
    return CheckedText("".join(parts).strip(), list(citations.values()))


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[.।?!\"“”]", " ", MARKER.sub(" ", text)).casefold().split())


_REFUSALS = tuple(_plain(sentence) for sentence in MESSAGES["no_answer"].values())


def is_refusal(text: str) -> bool:
    """Whether the answer is (or contains) the refusal sentence of either language."""
    plain = _plain(text)
    return any(refusal in plain for refusal in _REFUSALS)

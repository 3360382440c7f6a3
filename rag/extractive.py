"""The offline answerer: the sentences of the retrieved passages that answer the
question, composed with [n] citations; a refusal when none supports an answer.

Sentences are scored by the share of the question's information (BM25 idf of
its terms) they contain, so a question about a "12th session" is not answered
by a sentence about the 11th: the rarest term carries the most weight.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from index.language import question_language
from index.sentences import split_sentences
from index.tokenize import name_skeletons, tokenize
from rag.messages import say
from rag.retrieval import SKELETON_WEIGHT
from rag.types import Answer, Citation, Passage

# Minimum share of the question's idf mass a sentence must cover to be an answer.
MIN_SUPPORT = 0.5
SECOND_SENTENCE_RATIO = 0.85
# Evidence in the other language is matched on names and numbers alone: less sure.
CROSS_LANGUAGE_DISCOUNT = 0.8
_NUMBER_QUESTION = re.compile(
    r"\b(how many|how much|what percentage|what share|what number)\b|कितन[ाेी]|कितनी", re.I
)
_TIME_QUESTION = re.compile(r"\b(when|what year|what date|which year|which day)\b|कब\b|किस दिन|किस साल|किस वर्ष", re.I)
_HAS_NUMBER = re.compile(r"\d|[०-९]")
_WEEKDAYS = re.compile(
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|सोमवार|मंगलवार|बुधवार|गुरुवार|"
    r"शुक्रवार|शनिवार|रविवार", re.I
)


@dataclass(frozen=True)
class Candidate:
    passage: Passage
    text: str
    start: int  # in the article
    end: int
    support: float  # share of the question's idf mass found in the sentence
    score: float


@dataclass(frozen=True)
class QueryTerm:
    term: str
    weight: float
    entity: bool  # a number, or a name/acronym the question spells out


_NEUTRAL = re.compile(r"^[0-9a-z~]")  # digits, Latin and skeletons match across scripts


def query_terms(question: str, weight: float = 1.0) -> list[QueryTerm]:
    """Terms of the question; numbers and spelled-out names are entities.

    Hindi has no capitals, so there only numbers and Latin words count as
    entities; in English, capitalised words after the first one do too.
    """
    is_hindi = question_language(question) == "hi"
    names: set[str] = set()
    words = re.findall(r"[A-Za-z][\w-]*|[\u0900-\u097f]+|\d\S*", question)
    for position, word in enumerate(words):
        if (is_hindi and word.isascii()) or (position > 0 and word[:1].isupper()):
            names.update(tokenize(word))
    terms = [
        QueryTerm(t, weight, t[0].isdigit() or t in names)
        for t in dict.fromkeys(tokenize(question))
    ]
    terms += [QueryTerm(t, weight * SKELETON_WEIGHT, False)
              for t in dict.fromkeys(name_skeletons(question))]
    return terms


def rank_sentences(
    question: str,
    passages: Sequence[Passage],
    idf: Callable[[list[str]], np.ndarray],
    context: str = "",
) -> list[Candidate]:
    """Every sentence of the passages that could answer, best first.

    A sentence's support is the share of the question's idf mass it holds,
    with terms found only in its neighbours (±2 sentences) at half weight. A
    term the corpus never uses counts fully if it is an entity (a "12th"
    session, "France") and half otherwise (a paraphrased verb); a sentence
    whose passage lacks an entity of the question is no answer. `context`
    (earlier turns of a conversation) adds its terms at a low weight, so a
    follow-up stays on topic.
    """
    terms = query_terms(question)
    if context:
        seen = {t.term for t in terms}
        terms += [t for t in query_terms(context, 0.3) if t.term not in seen]
    if not terms:
        return []
    raw_idf = idf([t.term for t in terms])
    ceiling = float(raw_idf.max())
    mass = np.array([
        w * (ceiling if t.entity else 0.5 * ceiling) if i >= ceiling - 1e-9 else w * i
        for t, i, w in zip(terms, raw_idf, [t.weight for t in terms], strict=True)
    ])
    question_lang = question_language(question)
    wants_number = bool(_NUMBER_QUESTION.search(question))
    wants_time = bool(_TIME_QUESTION.search(question))
    candidates = []
    for passage in passages:
        sentences = split_sentences(passage.text)
        found = [set(tokenize(x.text)) | set(name_skeletons(x.text)) for x in sentences]
        in_passage = set().union(*found) if found else set()
        cross = passage.language not in (question_lang, "mixed")
        countable = [bool(_NEUTRAL.match(t.term)) or not cross for t in terms]
        if any(t.entity and ok and t.term not in in_passage
               for t, ok in zip(terms, countable, strict=True)):
            continue
        total = float(sum(m for m, ok in zip(mass, countable, strict=True) if ok))
        if total == 0:
            continue
        for number, sentence in enumerate(sentences):
            near = set().union(*found[max(0, number - 2) : number + 3])
            held = sum(
                m if t.term in found[number] else 0.5 * m if t.term in near else 0.0
                for t, m, ok in zip(terms, mass, countable, strict=True) if ok
            )
            support = held / total * (CROSS_LANGUAGE_DISCOUNT if cross else 1.0)
            score = support + 0.05 / passage.n
            if wants_number and _HAS_NUMBER.search(sentence.text):
                score += 0.15
            if wants_time and (_HAS_NUMBER.search(sentence.text) or _WEEKDAYS.search(sentence.text)):
                score += 0.1
            candidates.append(Candidate(passage, sentence.text, passage.start + sentence.start,
                                        passage.start + sentence.end, support, score))
    candidates.sort(key=lambda c: -c.score)
    return candidates


def choose(candidates: Sequence[Candidate], min_support: float = MIN_SUPPORT,
           max_sentences: int = 2) -> list[Candidate]:
    """The best sentence if it is supported, plus a second one nearly as good."""
    if not candidates or candidates[0].support < min_support:
        return []
    best = candidates[0]
    chosen = [best]
    for other in candidates[1:]:
        if len(chosen) >= max_sentences or other.score < SECOND_SENTENCE_RATIO * best.score:
            break
        if other.support >= min_support and other.text != best.text and not _overlaps(other, chosen):
            chosen.append(other)
    return chosen


def _overlaps(candidate: Candidate, chosen: list[Candidate]) -> bool:
    return any(c.passage.article_id == candidate.passage.article_id
               and c.start < candidate.end and candidate.start < c.end for c in chosen)


def citation_for(candidate: Candidate) -> Citation:
    p = candidate.passage
    return Citation(n=p.n, source=p.source, title=p.title, outlet=p.outlet, url=p.url,
                    date=p.date, quote=candidate.text, start=candidate.start,
                    end=candidate.end, language=p.language, path=p.path)


def compose(question: str, language: str, chosen: Sequence[Candidate],
            passages: list[Passage]) -> Answer:
    if not chosen:
        return Answer(question, say("no_answer", language), language, False, passages=passages)
    parts = []
    for c in chosen:
        if c.passage.language in (language, "mixed"):
            parts.append(f"{c.text} [{c.passage.n}]")
        else:
            parts.append(f"{say('other_language', language)}: “{c.text}” [{c.passage.n}]")
    return Answer(
        question=question,
        text=" ".join(parts),
        language=language,
        answered=True,
        citations=[citation_for(c) for c in chosen],
        passages=passages,
        evidence_languages=tuple(dict.fromkeys(c.passage.language for c in chosen)),
    )


def answer_extractively(
    question: str,
    language: str,
    passages: list[Passage],
    idf: Callable[[list[str]], np.ndarray],
    context: str = "",
) -> Answer:
    chosen = choose(rank_sentences(question, passages, idf, context))
    return compose(question, language, chosen, passages)

"""The offline answerer: the sentence of the retrieved passages that answers the
question, led by the answer itself where its type allows, with its [n] citation;
a refusal when no sentence is likely enough to answer.

A small pipeline: question analysis (rag/question.py) → candidates (every
sentence of the passages, and for questions about an article its byline, date
and outlet) → features (rag/scoring.py's FEATURES) → one logistic scorer whose
weights were fitted on the tune half of the readers set → refuse below its
threshold, else compose (rag/compose.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np

from index.language import word_script
from index.lexicon import Lexicon
from index.sentences import clip_quote, split_sentences
from index.text import fold_for_matching
from index.tokenize import name_skeletons, tokenize
from rag.candidate import Candidate
from rag.compose import compose
from rag.entities import (
    CALENDAR_TERMS,
    MONTHS_EN,
    NUMBER,
    RECOGNISERS,
    asked_units,
    calendar_terms,
    counted_word,
    in_units,
    mentions,
    new_mentions,
)
from rag.question import Question, analyse
from rag.scoring import MODEL_FEATURES, AnswerWeights, load_weights
from rag.types import Answer, Passage

Idf = Callable[[list[str]], np.ndarray]


class Meaning(Protocol):
    """The embedding model's reading (rag/meaning.py's SentenceMeaning)."""

    def __call__(self, question: str, sentences: Sequence[str]) -> np.ndarray:
        """Each sentence's closeness in meaning to the question."""
        ...

    def translations(self, question: str, texts: Sequence[str]) -> dict[str, set[str]]:
        """The question's terms' translations among the other script's words of `texts`."""
        ...

    def said_in(self, words: Sequence[str], text: str) -> list[bool]:
        """For each word, whether `text` says it in other words."""
        ...


# Inside a retrieved sentence even a two-letter skeleton is a safe bridge
# (मुंबई ~ Mumbai); across a whole index it would not be.
ANSWER_SKELETON_MIN = 2
# A reader also knows which language an article is in ("the Hindi report").
_LANGUAGE_WORDS = {"hi": "Hindi हिंदी हिन्दी", "en": "English अंग्रेज़ी अंग्रेजी"}
_SENTENCE_END = re.compile(r"[.?!।॥][\"'”’)]*$")
METADATA_TYPES = frozenset({"authorship", "published"})
# "When was it published" wants the date; "which outlet ran it" the outlet.
_ASKS_WHEN = re.compile(
    r"\b(when|what date|which date|which day|what day)\b|कब|तारीख|तिथि|दिन", re.I
)


@dataclass(frozen=True)
class Reader:
    """What the answerer reads passages with: the index's idf, the bilingual word
    list, the embedding model's reading (None where it cannot read both
    languages) and that model's name. The scorer's weights follow from the last
    two unless given."""

    idf: Idf
    lexicon: Lexicon | None = None
    meaning: Meaning | None = None
    model: str | None = None
    weights: AnswerWeights | None = None

    def scorer(self) -> AnswerWeights:
        """The weights fitted for this model, else the lexical ones."""
        return (self.weights or load_weights()).for_model(self.model, self.meaning is not None)


@dataclass(frozen=True)
class QueryTerm:
    term: str
    skeleton: str | None  # the word's transliteration skeleton, matching the other script
    entity: bool  # a number, or a name the question spells out
    translations: tuple[str, ...] = ()  # the other language's terms for it
    # An abbreviation in capitals that the dictionary does not translate (SBI, NVS-04,
    # not US: अमेरिका): articles of both languages write it so.
    abbreviation: bool = False

    def found_in(self, terms: AbstractSet[str]) -> bool:
        return (
            self.term in terms
            or (self.skeleton is not None and self.skeleton in terms)
            or any(t in terms for t in self.translations)
        )


# Hyphens split words: "NVS-05" is two terms, each with its own skeleton.
# ZWJ/ZWNJ stay inside a word (normalize_text keeps them where they mean something).
_QUESTION_WORD = re.compile(
    r"[A-Za-z0-9\u0900-\u0963\u0966-\u097f][\w'\u0900-\u0963\u0966-\u097f\u200c\u200d]*"
)


# Two capitals at least: "T20" is written टी20 in Hindi reports.
_CAPITALS = re.compile(r"(?=(?:[^A-Z]*[A-Z]){2})[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*[A-Z0-9]")


def query_terms(question: Question, lexicon: Lexicon | None = None) -> list[QueryTerm]:
    """Terms of the question, each with its cross-script skeleton and translations."""
    entity_terms = {t for e in question.entities for t in tokenize(e)}
    terms: dict[str, QueryTerm] = {}
    for word in _QUESTION_WORD.findall(question.text):
        skeletons = name_skeletons(word, ANSWER_SKELETON_MIN)
        for term in tokenize(word):
            if term not in terms:
                number = term[0].isdigit()
                skeleton = skeletons[0] if skeletons and not number else None
                translations = lexicon.translations(term) if lexicon else ()
                terms[term] = QueryTerm(
                    term,
                    skeleton,
                    term in entity_terms,
                    translations,
                    bool(_CAPITALS.fullmatch(word)) and not translations,
                )
    return list(terms.values())


def _term_mass(terms: list[QueryTerm], idf: Idf) -> tuple[np.ndarray, np.ndarray]:
    """Each term's information as a share of the most a term can have: its idf
    (the least of word and skeleton, or of its translations when only the other
    language has it) over the idf of a term no article holds. A word no article
    uses carries none, unless it names something: then its absence is the point.
    Also, which terms no article uses at all."""
    ceiling = float(idf(["\x00"])[0])
    word_idf = idf([t.term for t in terms])
    skeleton_idf = idf([t.skeleton or "" for t in terms])
    mass, unknown = [], []
    for t, w, s in zip(terms, word_idf, skeleton_idf, strict=True):
        value = float(min(w, s) if t.skeleton else w)
        if value >= ceiling - 1e-9 and t.translations:
            value = float(idf(list(t.translations)).min())
        unknown.append(value >= ceiling - 1e-9)
        if unknown[-1] and not t.entity:
            value = 0.0
        mass.append(value / ceiling)
    return np.array(mass), np.array(unknown, bool)


def _sentence_terms(text: str) -> set[str]:
    """A sentence's terms, with its names' skeletons and its months and weekdays in both scripts."""
    return (
        set(tokenize(text)) | set(name_skeletons(text, ANSWER_SKELETON_MIN)) | calendar_terms(text)
    )


def _about(passage: Passage) -> set[str]:
    """What a reader knows of a passage besides its words: headline, outlet, the
    year and month it was published, its language."""
    known = f"{passage.title} {passage.outlet} {passage.date[:4]} {_month_name(passage.date)}"
    return _sentence_terms(f"{known} {_LANGUAGE_WORDS.get(passage.language, '')}")


def _month_name(iso_date: str) -> str:
    month = iso_date[5:7]
    return MONTHS_EN[int(month) - 1] if month.isdigit() and 1 <= int(month) <= 12 else ""


def _metadata_candidates(question: Question, passage: Passage) -> list[Candidate]:
    """The article's byline, date and outlet as citable facts, for questions about them."""
    if question.type not in METADATA_TYPES:
        return []
    facts = {"author": passage.author}
    if question.type == "published":
        asks_when = bool(_ASKS_WHEN.search(question.text))
        facts = {"date": passage.date} if asks_when else {"outlet": passage.outlet}
    return [
        Candidate(passage, value, passage.start, passage.start, field=name)
        for name, value in facts.items()
        if value
    ]


def gather(question: Question, passages: Sequence[Passage]) -> list[Candidate]:
    """Every sentence of the passages, then the metadata facts the question asks about."""
    found = []
    for p in passages:
        for s in map(clip_quote, split_sentences(p.text)):
            found.append(Candidate(p, s.text, p.start + s.start, p.start + s.end))
        found += _metadata_candidates(question, p)
    return found


def features(
    question: Question,
    candidates: list[Candidate],
    idf: Idf,
    context: str = "",
    lexicon: Lexicon | None = None,
) -> list[dict[str, float]]:
    """FEATURES of each candidate, in order; "similar" is the passage's until
    `with_similarity` measures the sentence's."""
    terms = query_terms(question, lexicon)
    seen = {t.term for t in terms}
    earlier = [t for t in query_terms(analyse(context), lexicon) if t.term not in seen]
    earlier_mass = _term_mass(earlier, idf)[0] if earlier else np.zeros(0)
    mass, unknown = _term_mass(terms, idf) if terms else (np.zeros(0), np.zeros(0, bool))
    unknown_share = float(unknown.mean()) if len(unknown) else 0.0
    held = [_sentence_terms(c.text) for c in candidates]
    by_passage: dict[str, set[str]] = {}
    for c, h in zip(candidates, held, strict=True):
        by_passage.setdefault(c.passage.chunk_id, _about(c.passage)).update(h)
    # A follow-up's topic is the article's, not only the sentence's.
    about_earlier = np.array(
        [[t.found_in(by_passage[c.passage.chunk_id]) for t in earlier] for c in candidates], float
    ).reshape(len(candidates), len(earlier))
    earlier_total = float(earlier_mass.sum()) or 1.0
    found = np.array([[t.found_in(h) for t in terms] for h in held], float).reshape(
        len(candidates), len(terms)
    )
    near = np.array(
        [[t.found_in(by_passage[c.passage.chunk_id]) for t in terms] for c in candidates], float
    ).reshape(len(candidates), len(terms))
    # A word the index has no term for (a name whose skeleton is too short to be
    # indexed: असम ~ Assam) but a candidate holds is as rare as a word can be.
    mass = np.where(unknown & near.any(axis=0), 1.0, mass) if len(terms) else mass
    # Words every candidate shares (the topic) say little about which one answers.
    local_df = found.sum(axis=0)
    focus_mass = mass * np.log1p((len(candidates) - local_df + 0.5) / (local_df + 0.5))
    total, focus_total = float(mass.sum()) or 1.0, float(focus_mass.sum()) or 1.0
    entity_terms = [i for i, t in enumerate(terms) if t.entity]
    rows = []
    kind = question.type
    units = asked_units(question.text) if kind == "number" else []
    counted_terms = {*tokenize(counted_word(question.text))}
    counted = [t for t in terms if t.term in counted_terms]
    for i, c in enumerate(candidates):
        fresh = new_mentions(kind, c.text, question.text)
        fitting = [m for m in fresh if _fits(m, units, counted)] if kind == "number" else []
        missing = [j for j in entity_terms if not near[i, j] and _must_match(terms[j], c)]
        rows.append(
            {
                "coverage": float(found[i] @ mass) / total,
                "context": float((near[i] - found[i]).clip(0) @ mass) / total,
                "focus": float(found[i] @ focus_mass) / focus_total,
                "history": float(about_earlier[i] @ earlier_mass) / earlier_total,
                "typed": float(bool(c.field) or bool(mentions(kind, c.text))),
                "typed_new": float(bool(c.field) or bool(fresh)),
                "typed_fit": float(bool(fitting)),
                "rank": 1.0 / max(1, c.passage.n),
                "fragment": float(not c.field and not _SENTENCE_END.search(c.text)),
                "missing_entities": len(missing) / len(entity_terms) if entity_terms else 0.0,
                "metadata": float(bool(c.field) or _is_byline(c)),
                "meaning": c.passage.scores.get("dense", 0.0),
                "similar": c.passage.scores.get("dense", 0.0),
                "unknown_words": unknown_share,
                "gap": float((mass * (1 - near[i])).max(initial=0.0)),
            }
        )
    return rows


def _fits(mention: str, units: list[str], counted: list[QueryTerm]) -> bool:
    """A quantity in the unit the question names, or, when it names none, one of
    the thing it counts, in either language ("how many stations" / "four
    underground stations")."""
    if units:
        return in_units(mention, units)
    held = _sentence_terms(mention)
    return any(t.found_in(held) for t in counted)


def with_similarity(
    question: Question, candidates: list[Candidate], context: str, meaning: Meaning | None
) -> list[Candidate]:
    """The sentences' own closeness in meaning to the question (with a follow-up's
    context) as their "similar"; a metadata fact, or any candidate without a
    model, keeps its passage's."""
    sentences = [c for c in candidates if not c.field]
    if meaning is None or not sentences:
        return candidates
    asked = f"{question.text} {context}".strip()
    values = iter(meaning(asked, [c.text for c in sentences]))
    return [
        c if c.field else replace(c, features={**c.features, "similar": float(next(values))})
        for c in candidates
    ]


def candidates(
    question: Question, passages: Sequence[Passage], reader: Reader, context: str = ""
) -> list[Candidate]:
    """The candidates that may answer (`eligible`), with their FEATURES. Only
    those are embedded for the sentence similarity: it is the costly feature,
    and the rest could not be chosen whatever it said."""
    able = [c for c in featured(question, passages, reader, context) if eligible(question, c)]
    return with_similarity(question, able, context, reader.meaning)


def featured(
    question: Question, passages: Sequence[Passage], reader: Reader, context: str = ""
) -> list[Candidate]:
    """Every candidate with its FEATURES ("similar" still the passage's); with
    the embedding model, the question's words also meet their translations
    among the passages' words."""
    found, lexicon = gather(question, passages), reader.lexicon
    if reader.meaning is not None:
        asked = f"{question.text} {context}"
        found_words = reader.meaning.translations(asked, [p.text for p in passages])
        lexicon = (lexicon or Lexicon()).with_translations(found_words)
    rows = features(question, found, reader.idf, context, lexicon)
    return [replace(c, features=f) for c, f in zip(found, rows, strict=True)]


def _unmeasured(candidate: Candidate, weights: AnswerWeights, reader: Reader) -> set[str]:
    """The model features the weights cannot read as they are for this candidate:
    all under another model; the passage's dense score where only BM25 found it
    (and the sentence's, which falls back to it, when no sentence was embedded)."""
    if not weights.fitted_with(reader.model):
        return set(MODEL_FEATURES)
    if "dense" in candidate.passage.scores:
        return set()
    return {"meaning"} | ({"similar"} if reader.meaning is None or candidate.field else set())


def _must_match(term: QueryTerm, candidate: Candidate) -> bool:
    """Across scripts only numbers and abbreviations in capitals are sure to be
    spelled alike (a Hindi report writes RBI, SBI, NVS-04), and months and
    weekdays sure to be translated."""
    same_script = candidate.passage.language in ("mixed", word_script(term.term))
    alike = bool(NUMBER.fullmatch(term.term)) or term.abbreviation
    return same_script or alike or term.term in CALENDAR_TERMS


def _is_byline(candidate: Candidate) -> bool:
    author = candidate.passage.author
    return bool(author) and fold_for_matching(author) in fold_for_matching(candidate.text)


# Types whose recognisers are sure enough to rule a sentence out: a number,
# date or day is there or not; a name or place without capitals (Hindi) is not.
# A clock time is sure too, but "on Wednesday evening" still half answers "at
# what time", so a time question without one is left to the scorer.
REQUIRED_TYPES = frozenset({"number", "date", "when", "day"})


def eligible(question: Question, candidate: Candidate) -> bool:
    """Whether a candidate may answer at all: it names every name and number the
    question names (in either script; a yes/no question excepted), for a number, date or day question holds
    a new one, and for a number in a named unit (rupees, per cent) one in that unit."""
    f = candidate.features
    # A yes/no question's evidence may name another thing: that is its "No".
    if f.get("missing_entities", 0.0) > 0 and question.type != "yes-no":
        return False
    if question.type == "number" and asked_units(question.text) and not f.get("typed_fit"):
        return False
    return question.type not in REQUIRED_TYPES or f.get("typed_new", 0.0) > 0


def choose(ranked: Sequence[Candidate]) -> Candidate | None:
    """The likeliest candidate (every ranked one is eligible)."""
    return next(iter(ranked), None)


def runner_up(
    question: Question, ranked: Sequence[Candidate], weights: AnswerWeights
) -> Candidate | None:
    """Where the scorer cannot tell the first of `ranked` from the rest (its
    chance under the choice model below `weights.runner_up_below`), the likeliest
    other sentence of its article that offers another answer: for a question of
    a type the recognisers find (a number, a name, a day), one holding such a
    thing the question does not name. Fewer second quotes that only pad, the same
    facts quoted (tune half, cross-validated: 26 % of answers with two quotes
    against 31 %, key facts 0.798 either way)."""
    if not ranked or ranked[0].field or weights.chance(ranked) >= weights.runner_up_below:
        return None
    best = ranked[0]
    typed = question.type in RECOGNISERS or question.type == "when"

    def offers_another(c: Candidate) -> bool:
        same_article = c.passage.ref == best.passage.ref and not c.field and c.text != best.text
        return same_article and (not typed or c.features.get("typed_new", 0.0) > 0)

    return next(filter(offers_another, ranked[1:]), None)


def from_another_article(
    ranked: Sequence[Candidate], chosen: Candidate, weights: AnswerWeights
) -> Candidate | None:
    """For a question about two articles, the likeliest answer in an article other
    than the chosen one's, if it is likely enough to answer by itself."""
    others = (c for c in ranked if c.passage.ref != chosen.passage.ref)
    return next((c for c in others if answers(c, weights)), None)


def answers(candidate: Candidate | None, weights: AnswerWeights) -> bool:
    """Whether the chosen candidate is likely enough that the articles answer at all."""
    return candidate is not None and weights.answerable(candidate.features) >= weights.threshold


def rank(
    question: Question, passages: Sequence[Passage], reader: Reader, context: str = ""
) -> list[Candidate]:
    """The eligible candidates with the scorer's utility, the likeliest answer first."""
    weights, scored = reader.scorer(), []
    for c in candidates(question, passages, reader, context):
        unmeasured = _unmeasured(c, weights, reader)
        readable = weights.with_typical(c.features, unmeasured)
        if not c.passage.reads_in(question.language):
            readable = weights.across_scripts(readable, set(MODEL_FEATURES) - unmeasured)
        scored.append(replace(c, features=readable, score=weights.utility(readable)))
    return sorted(scored, key=lambda c: -c.score)


def unsupported(question: Question, evidence: Candidate, reader: Reader) -> list[str]:
    """The question's words that no article uses, its article's headline, date and
    outlet do not hold, and the evidence does not say in other words either: a
    claim of a yes/no question that the articles cannot back ("Is the stretch
    elevated?" against "the underground stretch")."""
    terms = query_terms(question, reader.lexicon)
    unknown = {t.term for t, no in zip(terms, _term_mass(terms, reader.idf)[1], strict=True) if no}
    unknown -= _about(evidence.passage)  # "the 2018 report": its date says so
    words = [
        w for w in dict.fromkeys(_QUESTION_WORD.findall(question.text)) if unknown & {*tokenize(w)}
    ]
    if reader.meaning is None or not words:
        return words
    said = reader.meaning.said_in(words, evidence.text)
    return [w for w, yes in zip(words, said, strict=True) if not yes]


def answer_extractively(
    question: str, language: str, passages: list[Passage], reader: Reader, context: str = ""
) -> Answer:
    weights, asked = reader.scorer(), analyse(question, language)
    ranked = rank(asked, passages, reader, context)
    best = choose(ranked)
    if best is None or not answers(best, weights):
        return compose(asked, [], passages)
    second = from_another_article(ranked, best, weights) if asked.several_articles else None
    claim = unsupported(asked, best, reader) if asked.type == "yes-no" else []
    also = runner_up(asked, ranked, weights)
    return compose(asked, [best, second] if second else [best], passages, claim, also)

"""The offline answerer: the sentences of the retrieved passages that answer the
question, composed with [n] citations; a refusal when none supports an answer.

Sentences are scored by the share of the question's information (BM25 idf of
its terms) they contain, so a question about a "12th session" is not answered
by a sentence about the 11th: the rarest term carries the most weight.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

import numpy as np

from index.language import question_language
from index.lexicon import Lexicon
from index.sentences import split_sentences
from index.text import fold_for_matching
from index.tokenize import name_skeletons, tokenize
from rag.messages import say
from rag.types import Answer, Citation, Passage

# Minimum share of the question's idf mass a sentence must cover to be an answer.
MIN_SUPPORT = 0.4
SECOND_SENTENCE_RATIO = 0.0
# A question's name or number is required in the passage when rarer than this
# share of the rarest possible term.
REQUIRED_ENTITY_IDF = 0.6
# ...and some sentence must also hold this share of the question's distinctive
# words: "Russia's ambassador" is not answered by sentences about Russia alone.
MIN_FOCUS = 0.2
# A sentence may answer if it holds this share of the support the question needs.
ELIGIBLE_SHARE = 0.7
# A question word no article uses is a missing fact if it names something, but
# usually a paraphrase otherwise ("took part" for "participation").
ABSENT_WORD_SHARE = 0.3
# Inside a retrieved sentence even a two-letter skeleton is a safe bridge
# (मुंबई ~ Mumbai); across a whole index it would not be.
ANSWER_SKELETON_MIN = 2
_NUMBER_QUESTION = re.compile(
    r"\b(how (many|much|heavy|long|far|big|large|old|tall|high|fast)|what (percentage|share|number))\b"
    r"|कितन[ाेी]|कितनी",
    re.I,
)
_TIME_QUESTION = re.compile(
    r"\b(when|what year|what date|which year|which day)\b|कब\b|किस दिन|किस साल|किस वर्ष", re.I
)
# "Which journalist wrote…", "किस पत्रकार ने लिखी…": answered by the byline,
# which names the article's author; words of authorship count as found there.
_AUTHOR_QUESTION = re.compile(
    r"\b(who|which|whose)\b.*\b(wrote|write|written|authored|journalist|reporter|correspondent"
    r"|writer|author|byline)|(किस|किसने|कौन).*(पत्रकार|संवाददाता|रिपोर्टर|लेखक|लिख)",
    re.IGNORECASE,
)
_AUTHORSHIP_TERMS = frozenset(
    tokenize(
        "wrote write written authored journalist reporter correspondent writer author byline "
        "report story article पत्रकार संवाददाता रिपोर्टर लेखक लिखी लिखा लिखे रिपोर्ट खबर लेख"
    )
)
# A reader also knows which language an article is in ("the Hindi report").
_LANGUAGE_WORDS = {"hi": "Hindi हिंदी हिन्दी", "en": "English अंग्रेज़ी अंग्रेजी"}
_PERSON_QUESTION = re.compile(r"^\s*(who|whom|whose)\b", re.IGNORECASE)
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*")


def _new_name(sentence: str, asked: set[str]) -> bool:
    """A capitalised name (not the sentence's first word) that is none of the `asked` terms."""
    return any(not set(tokenize(m.group())) <= asked for m in _NAME.finditer(sentence))


_SENTENCE_END = re.compile(r"[.?!।॥][\"'”’)]*$")
_HAS_NUMBER = re.compile(r"\d|[०-९]")
_MONTH = (
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?|जनवरी|फरवरी|मार्च|"
    r"अप्रैल|मई|जून|जुलाई|अगस्त|सितंबर|अक्टूबर|नवंबर|दिसंबर"
)
_MONTH_WORD = re.compile(_MONTH, re.IGNORECASE)
# Dates, years, clock times and ordinals are numbers that count nothing.
_NOT_A_QUANTITY = re.compile(
    rf"(?:{_MONTH})\s+\d{{1,2}}\b|\b\d{{1,2}}\s+(?:{_MONTH})|\b(?:19|20)\d\d\b|\d{{1,2}}:\d\d"
    r"|\d+(?:st|nd|rd|th|वां|वीं|वें)|\b\d{1,2}\s*(?:am|pm|a\.m\.|p\.m\.)",
    re.IGNORECASE,
)


_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")


def has_quantity(text: str) -> bool:
    text = text.translate(_DIGITS)
    return bool(re.search(r"\d", _NOT_A_QUANTITY.sub(" ", text)))


_WEEKDAYS = re.compile(
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|सोमवार|मंगलवार|बुधवार|गुरुवार|"
    r"शुक्रवार|शनिवार|रविवार",
    re.I,
)


@dataclass(frozen=True)
class Candidate:
    passage: Passage
    text: str
    start: int  # in the article
    end: int
    support: float  # share of the question's idf mass found in the sentence
    focus: float  # the same share with words weighed by their rarity among the candidates
    score: float


@dataclass(frozen=True)
class QueryTerm:
    term: str
    skeleton: str | None  # the word's transliteration skeleton, matching the other script
    weight: float
    entity: bool  # a number, or a name/acronym the question spells out
    translations: tuple[str, ...] = ()  # the other language's terms for it

    def found_in(self, terms: AbstractSet[str]) -> bool:
        return (
            self.term in terms
            or (self.skeleton is not None and self.skeleton in terms)
            or any(t in terms for t in self.translations)
        )


def query_terms(
    question: str, weight: float = 1.0, lexicon: Lexicon | None = None
) -> list[QueryTerm]:
    """Terms of the question, each with its cross-script skeleton and translations.

    Hindi has no capitals, so there only numbers and Latin words count as
    entities; in English, capitalised words after the first one do too.
    """
    is_hindi = question_language(question) == "hi"
    terms: dict[str, QueryTerm] = {}
    # Hyphens split words: "NVS-05" is two terms, each with its own skeleton.
    words = re.findall(
        r"[A-Za-z0-9\u0900-\u0963\u0966-\u097f][\w'\u0900-\u0963\u0966-\u097f]*", question
    )
    for position, word in enumerate(words):
        named = (is_hindi and word.isascii() and word[0].isalpha()) or (
            position > 0 and word[:1].isupper()
        )
        skeletons = name_skeletons(word, ANSWER_SKELETON_MIN)
        for term in tokenize(word):
            if term not in terms:
                number = term[0].isdigit()
                entity = number or named or bool(_MONTH_WORD.fullmatch(word))
                skeleton = skeletons[0] if skeletons and not number else None
                translations = lexicon.translations(term) if lexicon else ()
                terms[term] = QueryTerm(term, skeleton, weight, entity, translations)
    return list(terms.values())


def rank_sentences(
    question: str,
    passages: Sequence[Passage],
    idf: Callable[[list[str]], np.ndarray],
    context: str = "",
    lexicon: Lexicon | None = None,
) -> list[Candidate]:
    """Every sentence of the passages that could answer, best first.

    A sentence's support is the share of the question's idf mass it holds
    (a word counts as held if it or its skeleton is there), with words found
    only in its neighbours (±2 sentences) at half weight. A word the corpus
    never uses counts fully if it is an entity (a "12th" session, "France")
    and half otherwise (a paraphrased verb); a sentence whose passage lacks an
    entity of the question is no answer. The question's most specific word
    found in the passages anchors the answer: sentences holding it rank higher.
    `context` (earlier turns of a conversation) adds its words at a low
    weight, so a follow-up stays on topic. With a `lexicon`, a word also
    counts where its translation stands (weighed by the commonest translation
    when only the other language has the word).
    """
    terms = query_terms(question, lexicon=lexicon)
    if context:
        seen = {t.term for t in terms}
        terms += [t for t in query_terms(context, 0.3, lexicon) if t.term not in seen]
    if not terms:
        return []
    word_idf = idf([t.term for t in terms])
    skeleton_idf = idf([t.skeleton or "" for t in terms])
    ceiling = float(idf(["\x00"])[0])  # a term no document holds
    mass = []
    for t, w_idf, s_idf in zip(terms, word_idf, skeleton_idf, strict=True):
        value = min(w_idf, s_idf) if t.skeleton else w_idf
        if value >= ceiling - 1e-9 and t.translations:  # only the other language has it
            value = float(idf(list(t.translations)).min())
        if value >= ceiling - 1e-9:
            value = ceiling if t.entity else ABSENT_WORD_SHARE * ceiling
        mass.append(t.weight * value)
    passage_sentences = [split_sentences(p.text) for p in passages]
    passage_terms = [
        [set(tokenize(x.text)) | set(name_skeletons(x.text, ANSWER_SKELETON_MIN)) for x in split]
        for split in passage_sentences
    ]
    # What a reader knows of a passage besides its words: the headline, the
    # outlet and the date ("in the 2018 report", "KNN's story").
    about = [
        set(tokenize(f"{p.title} {p.outlet} {p.date[:4]} {_LANGUAGE_WORDS.get(p.language, '')}"))
        for p in passages
    ]
    # Ranking weighs each word also by how rare it is among the retrieved
    # sentences: words every candidate shares ("11th session", the topic) say
    # little about which sentence answers; the rare ones ("delegates") do.
    # Refusal still uses the corpus weights alone.
    distinct = {frozenset(f) for found in passage_terms for f in found}
    local_df = np.array([sum(t.found_in(f) for f in distinct) for t in terms], float)
    local_idf = np.log1p((len(distinct) - local_df + 0.5) / (local_df + 0.5))
    mass_vector = np.array(mass)
    focus = mass_vector * local_idf
    wants_number = bool(_NUMBER_QUESTION.search(question))
    question_lang = question_language(question)
    wants_time = bool(_TIME_QUESTION.search(question))
    asked = set(tokenize(question)) if _PERSON_QUESTION.search(question) else None
    authorship = _AUTHORSHIP_TERMS if _AUTHOR_QUESTION.search(question) else frozenset()
    total = float(sum(mass))
    # Rare names and numbers must be in the passage ("Goa", a "12th" session);
    # ones most articles share ("India", "11th session") need not be in each.
    required = [
        t
        for t, m in zip(terms, mass, strict=True)
        if t.entity and t.weight == 1.0 and m >= REQUIRED_ENTITY_IDF * ceiling
    ]
    focus_total = float(focus.sum()) or 1.0
    candidates = []
    for passage, sentences, found, known in zip(
        passages, passage_sentences, passage_terms, about, strict=True
    ):
        in_passage = set().union(known, *found)
        # Across scripts only numbers are sure to be spelled alike.
        cross = passage.language not in (question_lang, "mixed")
        if any(not t.found_in(in_passage) for t in required if not cross or t.term[0].isdigit()):
            continue
        for number, sentence in enumerate(sentences):
            byline = bool(authorship) and _names(passage.author, sentence.text)
            if byline:  # it speaks for the whole article
                held = found[number] | in_passage | authorship
                share = np.array([1.0 if t.found_in(held) else 0.0 for t in terms])
            else:
                near = set().union(known, *found[max(0, number - 2) : number + 3])
                share = np.array(
                    [
                        1.0 if t.found_in(found[number]) else 0.5 if t.found_in(near) else 0.0
                        for t in terms
                    ]
                )
            support = float(share @ mass_vector) / total
            quantity = wants_number and has_quantity(sentence.text)
            if wants_number and not quantity:
                support *= 0.5  # "how many" is not answered by a sentence without a number
            focus_share = float(share @ focus) / focus_total
            score = focus_share + 0.05 / passage.n
            if not _SENTENCE_END.search(sentence.text):
                score -= 0.05  # a headline or fragment: prefer the sentence that says it
            if wants_number:
                score += 0.15 if quantity else -0.15
            if byline:
                score += 0.3
            if asked is not None and _new_name(sentence.text, asked):
                score += 0.1
            if wants_time and (
                _HAS_NUMBER.search(sentence.text) or _WEEKDAYS.search(sentence.text)
            ):
                score += 0.1
            candidates.append(
                Candidate(
                    passage,
                    sentence.text,
                    passage.start + sentence.start,
                    passage.start + sentence.end,
                    support,
                    focus_share,
                    score,
                )
            )
    candidates.sort(key=lambda c: -c.score)
    return candidates


def _names(author: str, text: str) -> bool:
    return bool(author) and fold_for_matching(author) in fold_for_matching(text)


def choose(
    candidates: Sequence[Candidate], min_support: float | None = None, max_sentences: int = 2
) -> list[Candidate]:
    """The best sentence, if the passages support an answer at all, plus a
    second one nearly as good.

    Whether to answer depends on the best-supported sentence; which sentence
    answers is then the best-ranked one that is itself reasonably supported.
    """
    min_support = MIN_SUPPORT if min_support is None else min_support
    if not candidates or max(c.support for c in candidates) < min_support:
        return []
    if max(c.focus for c in candidates) < MIN_FOCUS:
        return []
    eligible = [c for c in candidates if c.support >= ELIGIBLE_SHARE * min_support]
    if not eligible:
        return []
    best = eligible[0]
    chosen = [best]
    for other in eligible[1:]:
        if len(chosen) >= max_sentences:
            break
        close = other.score >= SECOND_SENTENCE_RATIO * best.score or _follows(best, other)
        if close and other.text != best.text and not _overlaps(other, chosen):
            chosen.append(other)
    return chosen


def _follows(first: Candidate, second: Candidate) -> bool:
    """The sentence right after: answers often run on ("… said that both sides …")."""
    return (
        first.passage.article_id == second.passage.article_id and 0 <= second.start - first.end <= 3
    )


def _overlaps(candidate: Candidate, chosen: list[Candidate]) -> bool:
    return any(
        c.passage.article_id == candidate.passage.article_id
        and c.start < candidate.end
        and candidate.start < c.end
        for c in chosen
    )


def citation_for(candidate: Candidate) -> Citation:
    p = candidate.passage
    return Citation(
        n=p.n,
        source=p.source,
        title=p.title,
        outlet=p.outlet,
        url=p.url,
        date=p.date,
        quote=candidate.text,
        start=candidate.start,
        end=candidate.end,
        language=p.language,
        path=p.path,
        author=p.author,
    )


def compose(
    question: str, language: str, chosen: Sequence[Candidate], passages: list[Passage]
) -> Answer:
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
    lexicon: Lexicon | None = None,
) -> Answer:
    chosen = choose(rank_sentences(question, passages, idf, context, lexicon))
    return compose(question, language, chosen, passages)

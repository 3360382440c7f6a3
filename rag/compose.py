"""An answer's text from the sentence chosen to answer: the answer first, then its evidence.

A yes/no question starts with Yes or No; a question about an article's byline,
date or outlet is answered from that metadata; a number, date or day found in
the evidence leads in the reader's language (a name's span would be a guess:
the quoted evidence names it). Evidence in the other language is quoted and said to
be so. Bracketed numbers inside a quote are written as (n), so that only the
answerer's own markers read as citations.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from index.text import fold_for_matching
from index.tokenize import tokenize
from rag.candidate import Candidate
from rag.entities import (
    DAY,
    NUMBER,
    asked_units,
    day_date,
    expands,
    in_language,
    in_units,
    new_mentions,
    quantity_in_language,
    weekday,
)
from rag.messages import say
from rag.question import Question
from rag.types import Answer, Citation, Passage

# Hindi words end where Devanagari does: \b would end "न" before a vowel sign (ने, नई).
_NEGATION = re.compile(
    r"\b(?:not|no|never|neither|nor|without|n't)\b"
    r"|(?<![\u0900-\u0963\u0966-\u097f])(?:नहीं|नहीँ|न|मत|बिना)(?![\u0900-\u0963\u0966-\u097f])",
    re.I,
)
# Which way a claim goes ("above normal", "cut the rate"; Hindi read with its
# nuktas folded): evidence going only the other way says No.
_WAYS = {
    "up": re.compile(
        r"\b(?:more|higher|above|increas\w*|ris(?:e|es|en|ing)|rose|rais(?:e|es|ed|ing)|"
        r"hike[sd]?|grew|grow(?:s|n|ing)?|exceed\w*)\b"
        r"|(?<![\u0900-\u097f])(?:बढ(?:ा|ाया|ाई|ाए|ाकर|ी|े|ेगा|ेगी|ेंगे|ने|कर|ोतरी|त)|"
        r"ज्यादा|अधिक|ऊपर)(?![\u0900-\u097f])",
        re.I,
    ),
    "down": re.compile(
        r"\b(?:less|lower\w*|below|fewer|decreas\w*|cut|cuts|cutting|fell|fall(?:s|en|ing)?|"
        r"reduc\w*|drop(?:s|ped|ping)?|declin\w*|slash\w*)\b"
        r"|(?<![\u0900-\u097f])(?:घट(?:ा|ाया|ाई|ाए|ाकर|ी|े|ेगा|ेगी|ेंगे|ने|कर)|कम|कमी|"
        r"कटौती|नीचे)(?![\u0900-\u097f])",
        re.I,
    ),
}
_FORGED_MARKER = re.compile(r"\[\s*(\d+(?:\s*,\s*\d+)*)\s*\]")
_LEADING_WORDS = re.compile(r"^(?:about|around|nearly|over|some|almost|करीब|लगभग)\s+", re.I)
_TRAILING_WORDS = re.compile(r"\s+(?:में|स्थित|the|of|and|in|on|at|to|by|for|से|के|की|का|को|पर|तक)$")
_MONTHS_EN = "January February March April May June July August September October November December"


def neutralise_markers(quote: str) -> str:
    """ "[1]" inside quoted text is the source's, not ours: written "(1)"."""
    return _FORGED_MARKER.sub(r"(\1)", quote)


def _verdict(question: Question, best: Candidate, unsupported: Sequence[str]) -> str:
    """No when the evidence negates or goes the other way (but not both), or names
    something else where the question names a thing (a place, a number) the
    passage lacks; else yes, unless some of
    the question's words are `unsupported` (no article uses them, and the evidence
    does not say them in other words): then only the evidence is quoted."""
    negated = bool(_NEGATION.search(best.text)) != bool(_NEGATION.search(question.text))
    if (
        negated != _opposed(question.text, best.text)
        or best.features.get("missing_entities", 0.0) > 0
    ):
        return say("no", question.language) + " "
    return "" if unsupported else say("yes", question.language) + " "


def _ways(text: str) -> set[str]:
    folded = fold_for_matching(text)
    return {way for way, said in _WAYS.items() if said.search(folded)}


def _opposed(question: str, evidence: str) -> bool:
    """The question's claim goes one way and the evidence only the other ("more
    rain than normal?" / "less than normal"). A comparison with a number is one
    of numbers ("fewer than 100?" / "more than 80"), which direction cannot settle."""
    asked, given = _ways(question), _ways(evidence)
    one_way = len(asked) == len(given) == 1
    return one_way and asked != given and not NUMBER.search(question)


def _fits(question: Question, mention: str) -> tuple[bool, bool]:
    """Whether a quantity is in the unit the question names ("how much did it
    cost" → rupees), and whether it counts a word the question names ("how many delegates")."""
    counted = set(tokenize(mention)) & set(tokenize(question.text))
    return in_units(mention, asked_units(question.text)), bool(counted)


def _lead(question: Question, best: Candidate) -> str:
    """The thing asked for, found in the evidence, as the reader can read it."""
    found = new_mentions(question.type, best.text, question.text)
    if question.type == "expansion":  # the long form of the abbreviation asked about
        spelled = [m for m in found if expands(m, question.text)]
        return _TRAILING_WORDS.sub("", spelled[0]).strip() if spelled else ""
    if not found or question.type not in ("number", "date", "when", "day", "time"):
        return ""  # a name's span is a guess; the quoted evidence names it
    found.sort(key=lambda m: _fits(question, m), reverse=True)  # stable: else the first
    value = _TRAILING_WORDS.sub("", _LEADING_WORDS.sub("", found[0])).strip(" ,.")
    if question.type == "number" and not best.passage.reads_in(question.language):
        # The counted word is in the other language: its size, translated, reads in both.
        return quantity_in_language(value, question.language)
    if DAY.fullmatch(value) and (on := day_date(value, best.text, best.passage.date)):
        # "On Tuesday" in a report of 12 August: the reader gets the date as well;
        # "yesterday" or "कल" only the date.
        dated = _date_text(on.isoformat(), question.language)
        named = weekday(value) is not None
        return f"{in_language(value, question.language)}, {dated}" if named else dated
    return in_language(value, question.language)


def _date_text(iso: str, language: str) -> str:
    year, month, day = (iso + "--").split("-")[:3]
    if not (year.isdigit() and month.isdigit() and day[:2].isdigit()):
        return iso
    english = f"{int(day[:2])} {_MONTHS_EN.split()[int(month) - 1]} {year}"
    return in_language(english, language)


def _metadata_claim(question: Question, best: Candidate) -> str:
    p, language = best.passage, question.language
    if best.field == "author":
        return say("wrote", language, author=p.author)
    if best.field == "date":
        return say("published_on", language, date=_date_text(p.date, language))
    return say("published_by", language, outlet=p.outlet)


def _evidence(question: Question, best: Candidate, said_where: bool = False) -> str:
    """`best` quoted and cited; in the other language, said to be so unless the
    quote before (`said_where`) already said it."""
    quote = neutralise_markers(best.text)
    if best.passage.reads_in(question.language):
        return f"{quote} [{best.passage.n}]"
    where = "" if said_where else f"{say('other_language', question.language)}: "
    return f"{where}“{quote}” [{best.passage.n}]"


def answer_text(
    question: Question, best: Candidate, unsupported: Sequence[str] = (), sure: bool = True
) -> str:
    """The answer first, then `best` as its evidence; `unsupported`: a yes/no
    question's words that the articles do not back (see _verdict). Not `sure`
    (a runner-up follows), a value found in `best` does not lead."""
    if best.field:
        return f"{_metadata_claim(question, best)} [{best.passage.n}]."
    evidence = _evidence(question, best)
    if question.type == "yes-no":
        return f"{_verdict(question, best, unsupported)}{evidence}"
    lead = _lead(question, best) if sure else ""
    return f"{lead} — {evidence}" if lead else evidence


def compose(
    question: Question,
    chosen: list[Candidate],
    passages: list[Passage],
    unsupported: Sequence[str] = (),
    also: Candidate | None = None,
) -> Answer:
    """The answer from the chosen candidates (none: a refusal). A second one, from
    another article, answers a question about two articles: its evidence follows
    the first's, and a yes/no verdict, which would compare them, is left out.
    `also`, a sentence of the first one's article, is quoted after the first's
    evidence: the scorer could not tell which of the two answers."""
    language = question.language
    if not chosen:
        return Answer(question.text, say("no_answer", language), language, False, passages=passages)
    quoted = [chosen[0], *filter(None, [also]), *chosen[1:]]
    passages = cited_first(passages, [c.passage for c in quoted])
    numbered = {p.chunk_id: p for p in passages}
    first, *more = quoted = [replace(c, passage=numbered[c.passage.chunk_id]) for c in quoted]
    runner_up, others = (more[:1], more[1:]) if also else ([], more)
    if others and question.type == "yes-no":
        parts = [_evidence(question, c) for c in quoted]
    else:
        parts = [
            answer_text(question, first, unsupported, sure=not runner_up),
            *(_evidence(question, c, said_where=True) for c in runner_up),  # its article's
            *(answer_text(question, c) for c in others),
        ]
    return Answer(
        question=question.text,
        text=" ".join(parts),
        language=language,
        answered=True,
        citations=[Citation.of(c.passage, c.text, c.start, c.end, c.field) for c in quoted],
        passages=passages,
        evidence_languages=tuple(dict.fromkeys(c.passage.language for c in quoted)),
    )


def cited_first(passages: list[Passage], cited: list[Passage]) -> list[Passage]:
    """The passages renumbered with the cited ones first: an answer cites [1] (and
    [2]), and the sources list follows the order of citation, then of rank."""
    first = {p.chunk_id: p for p in cited}
    ordered = [*first.values(), *(p for p in passages if p.chunk_id not in first)]
    return [replace(p, n=n) for n, p in enumerate(ordered, start=1)]

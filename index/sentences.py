"""Sentence splitting for Hindi and English news text, with character offsets.

NLTK punkt and llama-index's SentenceSplitter do not end sentences at the danda
(।), so a Hindi article would be cut mid-sentence; this splitter knows both
scripts and the abbreviations of both (डॉ., Dr., U.S.).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sr",
        "jr",
        "st",
        "mt",
        "gen",
        "col",
        "lt",
        "maj",
        "capt",
        "sgt",
        "cmdr",
        "adm",
        "gov",
        "sen",
        "rep",
        "hon",
        "shri",
        "smt",
        "sh",
        "km",
        "kg",
        "cm",
        "mm",
        "no",
        "nos",
        "vol",
        "fig",
        "approx",
        "est",
        "dept",
        "govt",
        "ltd",
        "pvt",
        "co",
        "corp",
        "inc",
        "bros",
        "vs",
        "etc",
        "al",
        "e.g",
        "i.e",
        "a.m",
        "p.m",
        "u.s",
        "u.k",
        "u.n",
        "u.p",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "rs",
    ]
)
_DEVANAGARI_ABBREVIATIONS = frozenset({"डॉ", "श्री", "सं", "पृ", "प्रो", "ई", "रु"})
# Short Hindi words that do end sentences; any other one- or two-letter word
# before a period is taken for an initial (वी. in "डॉ. वी. नारायणन").
_HINDI_SHORT_FINALS = frozenset(
    {"है", "हैं", "था", "थी", "थे", "गई", "गए", "दी", "ली", "की", "हो", "रहे", "रही", "जी"}
)

# A candidate end: danda/double danda, ?, ! or a period, with closing quotes.
_END = re.compile(r"[।॥?!]+[\"'”’)\]]*|\.(?:\.\.)?[\"'”’)\]]*")
_WORD_BEFORE = re.compile(r"([\w\u0900-\u0963\u0966-\u097f.]+)$")
_NEXT_CHARACTER = re.compile(r"\s*(\S)")
# How far back an abbreviation is looked for: enough for any real one, and it
# keeps a line of ten thousand "Dr." linear instead of quadratic.
_WORD_WINDOW = 40


# A quote is evidence to read, not a page: an answer quotes at most this much of
# one sentence (a chunk bounds it too, but chunk_tokens is a setting).
MAX_QUOTE_CHARS = 600


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str
    start: int
    end: int


def clip_quote(sentence: Sentence, limit: int = MAX_QUOTE_CHARS) -> Sentence:
    """`sentence`, or its first `limit` characters cut after a whole word, with
    offsets still exact (text == article[start:end]): what an answer may quote."""
    if len(sentence.text) <= limit:
        return sentence
    space = sentence.text.rfind(" ", 0, limit + 1)
    text = sentence.text[: space if space > 0 else limit].rstrip()
    return Sentence(text, sentence.start, sentence.start + len(text))


def _is_abbreviation(text: str, dot: int) -> bool:
    match = _WORD_BEFORE.search(text, max(0, dot - _WORD_WINDOW), dot)
    if not match:
        return False
    word = match.group(1).strip(".")
    if word.casefold() in _ABBREVIATIONS or word in _DEVANAGARI_ABBREVIATIONS:
        return True
    # Initials: "A." in "A. P. J. Abdul Kalam", "वी." in "डॉ. वी. नारायणन", "U.S.".
    if "." in word or (len(word) == 1 and word.isupper()):
        return True
    return (
        len(word) <= 2
        and word not in _HINDI_SHORT_FINALS
        and all("\u0900" <= c <= "\u097f" for c in word)
    )


def _ends_sentence(text: str, match: re.Match[str], line_end: int) -> bool:
    end = match.end()
    if end >= line_end:
        return True
    if not text[end].isspace():
        return False  # 3.5, U.S.-based, "...".
    if match.group().startswith("."):
        following = _NEXT_CHARACTER.match(text, end, line_end)
        if following and following.group(1).islower():
            return False
        return not _is_abbreviation(text, match.start())
    return True


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of `text` in order; lines and paragraphs always end one."""
    sentences: list[Sentence] = []
    for line in re.finditer(r"[^\n]+", text):
        start = line.start()
        for match in _END.finditer(text, line.start(), line.end()):
            if _ends_sentence(text, match, line.end()):
                _append(sentences, text, start, match.end())
                start = match.end()
        _append(sentences, text, start, line.end())
    return sentences


def _append(sentences: list[Sentence], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        sentences.append(Sentence(text[start:end], start, end))

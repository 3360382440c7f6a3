"""Lexical tokens for BM25 that keep Hindi words whole.

The usual token pattern `(?u)\\b\\w\\w+\\b` (bm25s, llama-index) destroys Hindi:
Python's `re` does not count vowel signs as word characters, so मोदी yields
nothing and भारत yields रत. Here the Devanagari block counts as word
characters, digits are folded to ASCII, English is Snowball-stemmed and Hindi
loses its commonest inflectional suffixes.
"""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer

from index.stopwords import ENGLISH, HINDI
from index.text import fold_for_matching

# Ordinals keep only their number, so "11th" and "11वीं" are one term.
_TOKEN = re.compile(
    r"([0-9]+(?:\.[0-9]+)?)(?![0-9])(?:st|nd|rd|th|वां|वीं|वें|वा|वी|वे)?(?![a-z\u0900-\u097f])"
    r"|([0-9]+[a-z\u0900-\u097f]*|[a-z\u00c0-\u024f]+|[\u0900-\u0963\u0970-\u097f]+)"
)

# Longest first; a stem must keep at least two letters. After Ramanathan & Rao
# (2003), "A lightweight stemmer for Hindi", trimmed to suffixes that are
# inflections in news prose.
_HINDI_SUFFIXES = tuple(
    sorted(
        [
            "ाएंगे",
            "ाएंगी",
            "ाऊंगा",
            "ाऊंगी",
            "ियों",
            "ियां",
            "ुओं",
            "ुएं",
            "ाओं",
            "ाएं",
            "ताओं",
            "ाने",
            "ाना",
            "ाता",
            "ाती",
            "ाते",
            "ीं",
            "ों",
            "ें",
            "ियाँ",
            "ाँ",
            "ां",
            "ाई",
            "ाए",
            "ीय",
            "ता",
            "ती",
            "ते",
            "ना",
            "ने",
            "नी",
            "ा",
            "ी",
            "े",
            "ो",
            "ु",
            "ू",
        ],
        key=len,
        reverse=True,
    )
)
_english_stemmer = Stemmer.Stemmer("english")

# Transliteration skeletons let a Hindi question reach an English article (and
# back) through the names both share: भाटिया and Bhatia both become "bt".
_DEVANAGARI_CONSONANTS = dict(
    zip(
        "कखगघङचछजझञटठडढणतथदधनपफबभमयरलवशषसहळ",
        "kkggnccjjnttddnttddnpfbbmyrlvsssh" + "l",
        strict=True,
    )
)
_LATIN_DIGRAPHS = (
    ("ph", "f"),
    ("sh", "s"),
    ("ch", "c"),
    ("kh", "k"),
    ("gh", "g"),
    ("th", "t"),
    ("dh", "d"),
    ("bh", "b"),
    ("jh", "j"),
    ("x", "ks"),
    ("z", "j"),
    ("w", "v"),
    ("q", "k"),
    ("c", "k"),
)
_SKELETON_MIN = 3
SKELETON_PREFIX = "~"


def _stem_hindi(token: str) -> str:
    for suffix in _HINDI_SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= 2:
            return token[: -len(suffix)]
    return token


@lru_cache(maxsize=200_000)
def _term(token: str) -> str | None:
    if token in ENGLISH or token in HINDI:
        return None
    if token[0].isdigit():
        return token
    if token[0] < "\u0900":
        return _english_stemmer.stemWord(token) if len(token) > 1 else None
    return _stem_hindi(token)


def tokenize(text: str) -> list[str]:
    """Terms of `text` in order, stop words removed."""
    terms = (_term(number or word) for number, word in _TOKEN.findall(fold_for_matching(text)))
    return [t for t in terms if t]


@lru_cache(maxsize=200_000)
def skeleton(word: str, minimum: int = _SKELETON_MIN) -> str | None:
    """Consonant skeleton of a name in either script, or None if too short to trust."""
    word = fold_for_matching(word)
    if not word:  # a lone nukta folds away
        return None
    if word[0] >= "\u0900":
        letters = []
        for i, ch in enumerate(word):
            if ch in _DEVANAGARI_CONSONANTS:
                letters.append(_DEVANAGARI_CONSONANTS[ch])
            elif ch == "\u0902":  # anusvara: m before labials, n elsewhere
                following = word[i + 1 : i + 2]
                letters.append("m" if following in ("प", "फ", "ब", "भ", "म") else "n")
        out = "".join(letters)
    else:
        out = word[:-1] if word.endswith("w") else word  # Moscow: a silent w
        for digraph, simple in _LATIN_DIGRAPHS:
            out = out.replace(digraph, simple)
        out = re.sub(r"[aeiouyh]", "", out)
    out = re.sub(r"(.)\1+", r"\1", out.replace("y", "").replace("h", ""))
    return out if len(out) >= minimum else None


def name_skeletons(text: str, minimum: int = _SKELETON_MIN) -> list[str]:
    """Skeleton terms for the words of `text` that may be names.

    In English that is capitalised words; Hindi has no case, so every Hindi
    content word offers its skeleton.
    """
    return [t for raw in _WORD.findall(text) if (t := _name_term(raw, minimum))]


# A Devanagari word may hold the joiners normalize_text keeps (क्\u200dष); skeleton() folds them.
_WORD = re.compile(
    r"[A-Za-z]+|[\u0900-\u0963\u0970-\u097f]+(?:[\u200c\u200d][\u0900-\u0963\u0970-\u097f]+)*"
)


@lru_cache(maxsize=200_000)
def _name_term(raw: str, minimum: int) -> str | None:
    is_name = raw[0].isupper() if raw[0].isascii() else fold_for_matching(raw) not in HINDI
    return SKELETON_PREFIX + sk if is_name and (sk := skeleton(raw, minimum)) else None


def index_terms(text: str) -> list[str]:
    return tokenize(text) + name_skeletons(text)

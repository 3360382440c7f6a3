"""Language by script: Hindi, English or mixed.

General-purpose detectors misread short Hindi as Marathi or Nepali; this corpus
only has to tell Hindi from English, and the script does that reliably.
"""

from __future__ import annotations

import re
from typing import Literal

Language = Literal["hi", "en", "mixed"]
LANGUAGES: tuple[Language, ...] = ("hi", "en", "mixed")

# Hindi news copy routinely carries Latin acronyms (DPIIT, ISRO) and English
# text quotes Hindi names: a text is "mixed" only when neither script dominates.
_DOMINANT_SHARE = 0.75


# Runs of Devanagari letters with the vowel signs and virama that complete them;
# runs of Latin letters. Regular expressions, as a loop over characters in Python cost
# seconds a megabyte of text (tests/test_cleaning.py checks the classes).
_DEVANAGARI_LETTERS = re.compile(
    "[\u0904-\u0939\u093d-\u094d\u0950\u0958-\u0961\u0971-\u097f\ua8f2-\ua8f7\ua8fb\ua8fd\ua8fe]+"
)
_LATIN_LETTERS = re.compile("[A-Za-z]+")


def script_counts(text: str) -> tuple[int, int]:
    """How many Devanagari and how many Latin letters `text` has."""
    return _letters(_DEVANAGARI_LETTERS, text), _letters(_LATIN_LETTERS, text)


def _letters(runs: re.Pattern[str], text: str) -> int:
    return sum(map(len, runs.findall(text)))


def detect_language(text: str, default: Language = "en") -> Language:
    deva, latin = script_counts(text)
    total = deva + latin
    if total == 0:
        return default
    if deva / total >= _DOMINANT_SHARE:
        return "hi"
    if latin / total >= _DOMINANT_SHARE:
        return "en"
    return "mixed"


def word_script(word: str) -> Literal["hi", "en"]:
    """A word's script as its language: Hindi if it has any Devanagari."""
    return "hi" if any("\u0900" <= ch <= "\u097f" for ch in word) else "en"


def question_language(text: str) -> Literal["hi", "en"]:
    """The language to answer in: a Hindi question naming ALROSA is still Hindi."""
    deva, latin = script_counts(text)
    return "hi" if deva and deva >= latin / 3 else "en"

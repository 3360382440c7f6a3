"""Language by script: Hindi, English or mixed.

General-purpose detectors misread short Hindi as Marathi or Nepali; this corpus
only has to tell Hindi from English, and the script does that reliably.
"""

from __future__ import annotations

from typing import Literal

from index.text import is_devanagari

Language = Literal["hi", "en", "mixed"]
LANGUAGES: tuple[Language, ...] = ("hi", "en", "mixed")

# Hindi news copy routinely carries Latin acronyms (DPIIT, ISRO) and English
# text quotes Hindi names: a text is "mixed" only when neither script dominates.
_DOMINANT_SHARE = 0.75


def script_counts(text: str) -> tuple[int, int]:
    deva = latin = 0
    for ch in text:
        if is_devanagari(ch):
            deva += ch.isalpha() or "\u093e" <= ch <= "\u094d"
        elif ch.isascii() and ch.isalpha():
            latin += 1
    return deva, latin


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


def question_language(text: str) -> Literal["hi", "en"]:
    """The language to answer in: a Hindi question naming ALROSA is still Hindi."""
    deva, latin = script_counts(text)
    return "hi" if deva and deva >= latin / 3 else "en"

"""Unicode hygiene shared by cleaning, tokenizing and evaluation."""

from __future__ import annotations

import re
import unicodedata

# Zero-width space/joiners, BOM, soft hyphen, word joiner: invisible, but they
# split words for every tokenizer and defeat exact matching.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_DEVANAGARI_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")
# Thousands separators, Western (2,232) and Indian (1,00,000) style.
_DIGIT_GROUPS = re.compile(r"(?<=\d),(?=\d{2,3}\b)")


def normalize_text(text: str) -> str:
    """NFC with invisible characters removed; what every stored text goes through."""
    return _INVISIBLE.sub("", unicodedata.normalize("NFC", text))


def fold_for_matching(text: str) -> str:
    """A lossy form for comparing text: case, digit script, nukta, digit grouping."""
    text = normalize_text(text).casefold().translate(_DEVANAGARI_DIGITS)
    # Nukta and chandrabindu are spelled inconsistently in Hindi news copy.
    text = text.replace("\u093c", "").replace("\u0901", "\u0902")
    return _DIGIT_GROUPS.sub("", text)


def is_devanagari(ch: str) -> bool:
    return "\u0900" <= ch <= "\u097f" or "\ua8e0" <= ch <= "\ua8ff"

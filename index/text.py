"""Unicode hygiene shared by cleaning, tokenizing, questions and evaluation."""

from __future__ import annotations

import re
import unicodedata

# Every format character (Unicode category Cf, as of Unicode 15) and lone
# surrogates: bidi overrides, embeddings and isolates (U+202A-U+202E,
# U+2066-U+2069) and marks, zero-width space and joiners, word joiner, BOM,
# soft hyphen, tag characters. Invisible, they reorder what a reader sees
# (U+202E shows "txt.exe" as "exe.txt"), split words for every tokenizer and
# defeat exact matching. Lone surrogates cannot even be written out as UTF-8.
# The class is spelled out because computing it from unicodedata costs a
# second at import; tests/test_cleaning.py checks it against unicodedata.
_FORMAT = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f]"
)
# Control characters other than tab and line ends separate what they stand
# between (an escape sequence, a NUL in a field), so they become spaces.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
JOINERS = "\u200c\u200d"  # ZWNJ, ZWJ
_VIRAMA = "\u094d"
_DEVANAGARI_LETTER = re.compile("[\u0915-\u0939\u0958-\u095f\u0978-\u097f]")
_DEVANAGARI_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")
# Thousands separators, Western (2,232) and Indian (1,00,000) style.
_DIGIT_GROUPS = re.compile(r"(?<=\d),(?=\d{2,3}\b)")


def normalize_text(text: str) -> str:
    """NFC, invisible format characters removed and control characters made spaces:
    what every article and every question goes through.

    ZWJ and ZWNJ stay where Devanagari spelling uses them: after a virama, before
    a consonant (क्‍ष, a half form; क्‌ष, a visible virama) and in the eyelash
    ra (र‍्). Anywhere else they are stray, and dropped.
    """
    text = _CONTROL.sub(" ", text)
    text = _FORMAT.sub(lambda m: m.group() if _meaningful_joiner(m.string, m.start()) else "", text)
    return unicodedata.normalize("NFC", text)


def _meaningful_joiner(text: str, at: int) -> bool:
    if text[at] not in JOINERS or at == 0 or at + 1 >= len(text):
        return False
    before, after = text[at - 1], text[at + 1]
    if before == _VIRAMA:
        return bool(_DEVANAGARI_LETTER.match(after))
    return text[at] == "\u200d" and before == "र" and after == _VIRAMA


def fold_for_matching(text: str) -> str:
    """A lossy form for comparing text: case, digit script, nukta, joiners, digit grouping.

    The joiners that `normalize_text` keeps only choose a glyph's shape:
    क्‍ष and क्ष are one word to a reader, so they are one term to a search.
    """
    text = normalize_text(text).casefold().translate(_DEVANAGARI_DIGITS)
    # Nukta and chandrabindu are spelled inconsistently in Hindi news copy.
    text = text.replace("\u093c", "").replace("\u0901", "\u0902")
    text = text.replace("\u200c", "").replace("\u200d", "")
    return _DIGIT_GROUPS.sub("", text)


# A report's opening "New Delhi, Aug 7 (KNN):": where and when it was filed.
_DATELINE = re.compile(r"^[A-Z][\w .]{1,40}, \w{3,9}\.? \d{1,2}\b")
DATELINE_AGENCY = re.compile(_DATELINE.pattern + r" \(([A-Z]{2,10})\)")
DATELINE_PREFIX = re.compile(_DATELINE.pattern + r"(?: \([A-Z]{2,10}\))?\s*[:\-–—]?\s*")


def dateline_end(text: str) -> int:
    """Where the dateline that opens `text` ends; 0 when it opens with none."""
    found = DATELINE_PREFIX.match(text)
    return found.end() if found else 0

"""From extracted text to the text worth indexing.

Order matters: markup is parsed first and entities are unescaped inside the
parser (see `index.html`), so `&lt;p&gt;` never survives as `<p>`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from index.text import normalize_text

# Part of an index's build signature: when cleaning changes what gets indexed,
# an index built before asks for a rebuild instead of mixing old and new text.
CLEANING_VERSION = 3  # 2: bylines kept; 3: bidi and other format characters removed
_TERMINAL = re.compile(r"[.!?।॥:\"'”’)]\s*$")
# Scraped pages set the byline and dateline as separate short lines
# ("शिवानी शर्मा", "• नई दिल्ली,", "• 06 अगस्त 2025,", "• अपडेटेड 10:55 PM IST") or
# as one ("By Neha Kale | Pune | Updated: Aug 24, 2025"). Who wrote a story and
# when are facts readers ask about: the block is kept, joined into one line.
_DATELINE_PART = re.compile(
    r"[•·]\s*(?P<bullet>.+)|(?P<stamp>(updated|last updated|published|posted on|अपडेटेड|प्रकाशित)\b.*)"
    r"|(?P<byline>by\s[^|]{2,40}\|.*)",
    re.IGNORECASE,
)
_DATELINE_WORDS = 8  # longer bullet lines are list items of the story, kept as they are
BYLINE_SEPARATOR = " · "


@dataclass(frozen=True)
class Cleaner:
    rules: tuple[re.Pattern[str], ...]

    @classmethod
    def load(cls, extra_rules: Iterable[Path] = ()) -> Cleaner:
        sources = [files("index").joinpath("boilerplate.txt").read_text("utf-8")]
        sources += [Path(p).read_text("utf-8") for p in extra_rules]
        rules = [
            re.compile(line.strip(), re.IGNORECASE)
            for text in sources
            for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")
        ]
        return cls(tuple(rules))

    def is_boilerplate(self, line: str) -> bool:
        return any(rule.fullmatch(line) for rule in self.rules)

    def clean(self, text: str, *, keep_first_line: bool = True) -> str:
        return self.clean_with_author(text, keep_first_line=keep_first_line)[0]

    def clean_with_author(self, text: str, *, keep_first_line: bool = True) -> tuple[str, str]:
        """Paragraphs of substance, one per line-pair, in their original order,
        and the author named by the first byline ("" if none).

        A short line without sentence punctuation (a stray label) is dropped
        unless it is the first line, which is usually the headline, or the
        name that opens a byline block.
        """
        author = ""
        kept: list[str] = []
        seen: set[str] = set()
        byline: list[str] = []
        fragment = ""  # the short line just before, perhaps a byline's name
        for raw in normalize_text(text).replace("\r\n", "\n").replace("\r", "\n").split("\n"):
            line = " ".join(raw.split())
            if not line:
                continue
            if part := _dateline_part(line):
                if not byline and (name := fragment or _by_name(line)):
                    author = author or name
                byline += [fragment, part] if fragment and not byline else [part]
                fragment = ""
                continue
            if byline:
                kept += _byline(byline)
                byline = []
            is_headline = keep_first_line and not kept
            fragment = line if _is_fragment(line) and not is_headline else ""
            if fragment or line in seen or self.is_boilerplate(line):
                continue
            seen.add(line)
            kept.append(line)
        return "\n\n".join(kept + _byline(byline)), author


def _by_name(line: str) -> str:
    m = re.match(r"by\s+([^|]+)\|", line, re.IGNORECASE)
    return m.group(1).strip() if m else ""


def _byline(parts: list[str]) -> list[str]:
    """The block as one line if it dates the story; bare bullets are page furniture."""
    line = BYLINE_SEPARATOR.join(parts)
    return [line] if re.search(r"[0-9०-९]", line) else []


def _dateline_part(line: str) -> str:
    m = _DATELINE_PART.fullmatch(line)
    if m is None:
        return ""
    if m.group("byline"):
        return BYLINE_SEPARATOR.join(p.strip() for p in m.group("byline").split("|") if p.strip())
    part = (m.group("bullet") or m.group("stamp")).strip().rstrip(",;")
    return part if len(part.split()) <= _DATELINE_WORDS else ""


def _is_fragment(line: str) -> bool:
    return len(line.split()) <= 3 and not _TERMINAL.search(line)

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

_TERMINAL = re.compile(r"[.!?।॥:\"'”’)]\s*$")


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
        """Paragraphs of substance, one per line-pair, in their original order.

        A short line without sentence punctuation (a byline, a stray label) is
        dropped unless it is the first line, which is usually the headline.
        """
        kept: list[str] = []
        seen: set[str] = set()
        for raw in normalize_text(text).replace("\r\n", "\n").replace("\r", "\n").split("\n"):
            line = " ".join(raw.split())
            if not line or line in seen or self.is_boilerplate(line):
                continue
            is_headline = keep_first_line and not kept
            if _is_fragment(line) and not is_headline:
                continue
            seen.add(line)
            kept.append(line)
        return "\n\n".join(kept)


def _is_fragment(line: str) -> bool:
    return len(line.split()) <= 3 and not _TERMINAL.search(line)

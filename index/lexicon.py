"""A bilingual word list, so that a question and its evidence can meet across scripts.

Offline there is no translation model, but a dictionary still lets "प्रतिनिधि"
meet "delegates". The default is FreeDict's English–Hindi dictionary as Debian
ships it (`apt-get install dict-freedict-eng-hin`; GPL, read where it is
installed, never copied into this project). A tab-separated file of
`english<TAB>hindi, hindi…` lines works too, for a newsroom's own vocabulary.
Both sides go through the index tokenizer, so entries meet the stemmed terms
that BM25 and the answerer compare.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

from index import tokenize as tokenize_module
from index.language import word_script
from index.tokenize import tokenize

FREEDICT_ENG_HIN = Path("/usr/share/dictd/freedict-eng-hin.dict.dz")
# Common words have dozens of senses; the first few carry the everyday meaning.
MAX_TRANSLATIONS = 6
_HEADWORD = re.compile(r"^(?P<head>[A-Za-z][^/<\t]*?)\s*(?:/[^/]*/)?\s*<[^>]+>\s*$")
_SENSE = re.compile(r"^\d+\.\s+(?P<senses>.+)$")


@dataclass(frozen=True)
class Lexicon:
    to_english: dict[str, tuple[str, ...]] = field(default_factory=dict)
    to_hindi: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.to_english or self.to_hindi)

    def translations(self, term: str) -> tuple[str, ...]:
        """The other language's terms for a tokenized term (none if unknown)."""
        return self.to_english.get(term) or self.to_hindi.get(term) or ()

    def with_translations(self, found: Mapping[str, Iterable[str]]) -> Lexicon:
        """This lexicon with more translations for some terms (one question's, from
        the embedding model)."""
        more: dict[str, dict[str, tuple[str, ...]]] = {"en": {}, "hi": {}}
        for term, others in found.items():
            known = self.translations(term)
            more[word_script(term)][term] = tuple(dict.fromkeys((*known, *others)))
        return Lexicon({**self.to_english, **more["hi"]}, {**self.to_hindi, **more["en"]})

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]]) -> Lexicon:
        """From (english, hindi) phrases; only those that are one term on each side."""
        to_english: dict[str, list[str]] = {}
        to_hindi: dict[str, list[str]] = {}
        for english, hindi in pairs:
            en, hi = tokenize(english), tokenize(hindi)
            if len(en) != 1 or len(hi) != 1 or en == hi:
                continue
            for table, key, value in ((to_english, hi[0], en[0]), (to_hindi, en[0], hi[0])):
                known = table.setdefault(key, [])
                if value not in known and len(known) < MAX_TRANSLATIONS:
                    known.append(value)
        return cls(
            {k: tuple(v) for k, v in to_english.items()},
            {k: tuple(v) for k, v in to_hindi.items()},
        )


def freedict_pairs(text: str) -> Iterator[tuple[str, str]]:
    """(english, hindi) from the text of a FreeDict English–Hindi dictd file."""
    head = ""
    for line in text.splitlines():
        if m := _HEADWORD.match(line):
            head = m.group("head")
        elif head and (m := _SENSE.match(line)):
            for hindi in m.group("senses").split(","):
                yield head, hindi.replace("~", " ")


def tsv_pairs(text: str) -> Iterator[tuple[str, str]]:
    for line in text.splitlines():
        english, _, hindi = line.partition("\t")
        if hindi and not english.startswith("#"):
            for phrase in hindi.split(","):
                yield english, phrase


def read_lexicon(path: Path) -> Lexicon:
    if not path.is_file():
        raise FileNotFoundError(f"no lexicon at {path}")
    raw = path.read_bytes()
    text = (gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw).decode("utf-8")
    pairs = tsv_pairs(text) if path.suffix in (".tsv", ".txt") else freedict_pairs(text)
    return Lexicon.from_pairs(pairs)


@lru_cache(maxsize=4)
def load_lexicon(setting: str, cache_dir: Path | None = None) -> Lexicon:
    """`auto`: FreeDict's dictionary if installed, else none; `off`; or a path.

    Reading and stemming a dictionary takes about half a second, too much for
    every `rag ask`; with a `cache_dir` the result is kept there as JSON, keyed
    by the file and by the tokenizer that stemmed it.
    """
    if setting == "off" or (setting == "auto" and not FREEDICT_ENG_HIN.is_file()):
        return Lexicon()
    path = FREEDICT_ENG_HIN if setting == "auto" else Path(setting).expanduser()
    if cache_dir is None or not path.is_file():
        return read_lexicon(path)
    cached = cache_dir / "lexicon" / f"{_fingerprint(path)}.json"
    try:
        tables = json.loads(cached.read_text("utf-8"))
        return Lexicon(
            *({k: tuple(v) for k, v in tables[name].items()} for name in ("to_english", "to_hindi"))
        )
    except (OSError, ValueError, KeyError, AttributeError):
        lexicon = read_lexicon(path)
    cached.parent.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(asdict(lexicon), ensure_ascii=False), "utf-8")
    os.replace(tmp, cached)
    return lexicon


def _fingerprint(path: Path) -> str:
    stat = path.stat()
    parts = [str(path.resolve()), str(stat.st_size), str(stat.st_mtime_ns), str(MAX_TRANSLATIONS)]
    parts.append(hashlib.sha1(Path(tokenize_module.__file__ or "").read_bytes()).hexdigest())
    return hashlib.sha1("\n".join(parts).encode()).hexdigest()[:16]

"""Evaluation sets: JSONL files of questions with gold files and key facts.

One item a line: id, question, language, kind, reference, key_facts (each a list of
accepted variants), gold_refs (the files that hold the answer: `name.txt`,
`feed.jsonl#2`; sets written before name them `gold_sources`, still read), history,
type."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
SETS_DIR = Path(__file__).resolve().parent / "sets"
KINDS = ("single-source", "multi-source", "cross-language", "unanswerable", "follow-up")
LANGUAGES = ("hi", "en")
# What kind of thing the answer is; "" where a set does not say.
TYPES = (
    "",
    "person",
    "place",
    "organisation",
    "number",
    "date",
    "day",
    "yes-no",
    "authorship",
    "published",
    "description",
    "comparison",
)
SHARED_CORPUS = REPO_ROOT.parent / "shared" / "corpus"
SAMPLE_CORPUS = REPO_ROOT / "index" / "sample_corpus"

# The corpora each named set was written against.
SET_CORPORA: dict[str, list[Path]] = {
    "seed": [SHARED_CORPUS],
    "sample": [SAMPLE_CORPUS],
    "readers": [SHARED_CORPUS, SAMPLE_CORPUS],
    "fresh": [SHARED_CORPUS, SAMPLE_CORPUS],
}
# A set split once into halves by a hash of each id: answering is tuned on
# "tune" only, and the figures reported (and gated in CI) are "test"'s.
SPLITS = ("tune", "test")


@dataclass(frozen=True)
class EvalItem:
    id: str
    question: str
    language: str
    kind: str
    reference: str = ""
    key_facts: list[list[str]] = field(default_factory=list)  # each fact: accepted variants
    gold_refs: list[str] = field(default_factory=list)  # `name.txt`, `feed.jsonl#2`
    history: list[str] = field(default_factory=list)  # earlier questions of the conversation
    type: str = ""  # one of TYPES

    @property
    def split(self) -> str:
        """ "tune" or "test", fixed by the id alone, so adding items moves none."""
        return SPLITS[hashlib.sha1(self.id.encode()).digest()[0] % 2]

    @property
    def answerable(self) -> bool:
        return self.kind != "unanswerable"

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any], where: str = "") -> EvalItem:
        try:
            item = cls(
                id=str(raw["id"]),
                question=str(raw["question"]),
                language=str(raw["language"]),
                kind=str(raw["kind"]),
                reference=str(raw.get("reference") or ""),
                key_facts=[[str(v) for v in fact] for fact in raw.get("key_facts") or []],
                # "gold_sources": the key's name in sets written before
                gold_refs=[str(s) for s in raw.get("gold_refs") or raw.get("gold_sources") or []],
                history=[str(h) for h in raw.get("history") or []],
                type=str(raw.get("type") or ""),
            )
        except KeyError as missing:
            raise ValueError(f"{where}: missing field {missing}") from None
        if item.kind not in KINDS:
            raise ValueError(f"{where}: kind {item.kind!r} is not one of {', '.join(KINDS)}")
        if item.type not in TYPES:
            raise ValueError(f"{where}: type {item.type!r} is not one of {', '.join(TYPES[1:])}")
        if item.language not in LANGUAGES:
            raise ValueError(f"{where}: language {item.language!r} is not hi or en")
        if item.answerable and not item.gold_refs:
            raise ValueError(f"{where}: an answerable item needs gold_refs")
        return item


@dataclass(frozen=True)
class EvalSet:
    name: str
    items: list[EvalItem]
    corpus: list[Path]  # what to index before asking


def set_path(name_or_path: str | Path) -> Path:
    """A set's file: a name from eval/sets (`seed`, `sample`) or a path."""
    named = SETS_DIR / f"{name_or_path}.jsonl"
    if isinstance(name_or_path, str) and "/" not in name_or_path and named.exists():
        return named
    path = Path(name_or_path)
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in SETS_DIR.glob("*.jsonl")))
        raise ValueError(f"no evaluation set {str(name_or_path)!r} (named sets: {known})")
    return path


def read_items(path: Path) -> list[EvalItem]:
    items = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as error:
            raise ValueError(f"{where}: {error.msg}") from None
        items.append(EvalItem.from_dict(raw, where))
    ids = [item.id for item in items]
    if duplicated := sorted({i for i in ids if ids.count(i) > 1}):
        raise ValueError(f"{path}: duplicate ids {', '.join(duplicated)}")
    return items


def load_set(name_or_path: str | Path, corpus: list[Path] | None = None) -> EvalSet:
    """A named set with its own corpus, or a set file with the corpus given."""
    path = set_path(name_or_path)
    corpus = corpus or (
        SET_CORPORA[path.stem] if path.parent == SETS_DIR and path.stem in SET_CORPORA else None
    )
    if not corpus:
        raise ValueError(f"the set {path} has no known corpus: give it with --corpus PATH")
    missing = [str(p) for p in corpus if not p.exists()]
    if missing:
        raise ValueError(f"corpus not found: {', '.join(missing)}")
    return EvalSet(path.stem, read_items(path), corpus)


def split_items(items: list[EvalItem], split: str | None) -> list[EvalItem]:
    """The items of one half ("tune" or "test"); all of them for None."""
    if split is None:
        return items
    if split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}, not {split!r}")
    return [item for item in items if item.split == split]


def spread(items: list[EvalItem], limit: int | None) -> list[EvalItem]:
    """At most `limit` items, evenly spaced, so a short run still covers every
    language and kind of a set that lists them in blocks."""
    if limit is None or limit >= len(items):
        return items
    if limit <= 0:
        return []
    return [items[i * len(items) // limit] for i in range(limit)]

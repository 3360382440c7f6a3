"""SQuAD-format benchmarks (XQuAD) as evaluation sets.

Each paragraph becomes a small document, one JSONL record per paragraph, so the
project's own loader ingests it; the record's ref (`xquad.en.jsonl#3` for
paragraph 2, records count from 1) is the gold source of its questions.
XQuAD's files are translations of each other: paragraph i and question id q
mean the same in every language, which is what makes the mixed pool and the
cross-language runs possible.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from eval.datasets import REPO_ROOT, EvalItem, EvalSet

XQUAD_DIR = REPO_ROOT.parent / "shared" / "bench" / "xquad"

# Mode: (languages of the questions, languages of the pool searched).
# "hi-en" asks the Hindi questions against the English paragraphs.
MODES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "en": (("en",), ("en",)),
    "hi": (("hi",), ("hi",)),
    "mixed": (("en", "hi"), ("en", "hi")),
    "hi-en": (("hi",), ("en",)),
    "en-hi": (("en",), ("hi",)),
}


@dataclass(frozen=True)
class SquadQuestion:
    id: str
    question: str
    answers: list[str]


@dataclass(frozen=True)
class SquadParagraph:
    title: str
    context: str
    questions: list[SquadQuestion]


def load_squad(path: Path) -> list[SquadParagraph]:
    """The paragraphs of a SQuAD v1.1 JSON file, in file order."""
    data = json.loads(Path(path).read_text("utf-8"))
    return [
        SquadParagraph(
            title=article.get("title", "").replace("_", " "),
            context=paragraph["context"],
            questions=[
                SquadQuestion(
                    qa["id"], qa["question"], list(dict.fromkeys(a["text"] for a in qa["answers"]))
                )
                for qa in paragraph["qas"]
            ],
        )
        for article in data["data"]
        for paragraph in article["paragraphs"]
    ]


def xquad_files(folder: Path = XQUAD_DIR) -> dict[str, Path]:
    return {lang: folder / f"xquad-dev.{lang}.json" for lang in ("en", "hi")}


def pool_name(lang: str) -> str:
    return f"xquad.{lang}.jsonl"


def paragraph_ref(lang: str, index: int) -> str:
    return f"{pool_name(lang)}#{index + 1}"


def write_pool(paragraphs: list[SquadParagraph], lang: str, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / pool_name(lang)
    records = (
        {"title": p.title, "text": p.context, "lang": lang, "source": f"xquad-{lang}"}
        for p in paragraphs
    )
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


def _answers_by_id(paragraphs: list[SquadParagraph]) -> dict[str, list[str]]:
    return {q.id: q.answers for p in paragraphs for q in p.questions}


def squad_set(mode: str, files: Mapping[str, Path], folder: Path) -> EvalSet:
    """Write the pool for `mode` into `folder` and return its questions as a set."""
    if mode not in MODES:
        raise ValueError(f"unknown SQuAD mode {mode!r} (one of {', '.join(MODES)})")
    question_langs, pool_langs = MODES[mode]
    langs = list(dict.fromkeys(question_langs + pool_langs))
    if missing := [lang for lang in langs if lang not in files or not Path(files[lang]).is_file()]:
        raise ValueError(
            f"SQuAD file for {', '.join(missing)} not found "
            f"({', '.join(str(files.get(lang, '?')) for lang in missing)})"
        )
    data = {lang: load_squad(files[lang]) for lang in langs}
    if len({len(paragraphs) for paragraphs in data.values()}) > 1:
        raise ValueError(
            "the SQuAD files are not translations of each other (their paragraph counts differ)"
        )
    answers = {lang: _answers_by_id(paragraphs) for lang, paragraphs in data.items()}
    corpus = [write_pool(data[lang], lang, folder) for lang in pool_langs]
    items = []
    for lang in question_langs:
        for index, paragraph in enumerate(data[lang]):
            for q in paragraph.questions:
                # The answer may quote a paragraph in any pool language.
                variants = [
                    a for other in (lang, *pool_langs) for a in answers[other].get(q.id, [])
                ]
                items.append(
                    EvalItem(
                        id=f"{lang}-{q.id}",
                        question=q.question,
                        language=lang,
                        kind="single-source" if lang in pool_langs else "cross-language",
                        reference=q.answers[0] if q.answers else "",
                        key_facts=[list(dict.fromkeys(variants))],
                        gold_refs=[paragraph_ref(pool, index) for pool in pool_langs],
                    )
                )
    return EvalSet(f"xquad-{mode}", items, corpus)

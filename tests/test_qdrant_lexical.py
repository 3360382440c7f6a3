"""BM25 in Qdrant's sparse vectors (qdrant-client's local mode) ranks as the BM25
segments do: the same top 10, the same scores, the same document frequencies,
and the same passages and answers through the whole assistant.

A Qdrant server was not run here (none can be installed on this machine): local
mode is qdrant-client's own implementation of the same API, not the server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import hashed_embedding
import numpy as np
import pytest

from index.bm25 import BM25Index, Row, RowFilter
from index.lexical import lexical_row
from index.tokenize import index_terms
from rag.retrieval import query_terms

pytest.importorskip("qdrant_client", reason="Qdrant's client is the `scale` extra")

from index.qdrant_lexical import QdrantLexicalIndex, collection_names

XQUAD = Path(__file__).resolve().parents[2] / "shared" / "bench" / "xquad"
EVERYTHING = 1_000_000  # a k past every candidate: the local ranking with all its ties


def both(rows: list[Row], folder: Path) -> tuple[BM25Index, QdrantLexicalIndex]:
    local = BM25Index()
    local.add(rows)
    qdrant = QdrantLexicalIndex(str(folder), "articles")
    qdrant.add(rows)
    qdrant.commit()
    return local, qdrant


def assert_same_top(local: BM25Index, qdrant: QdrantLexicalIndex, question: str, **kw: Any) -> None:
    """Qdrant's top 10 is the segments' full ranking (ties by id) cut at 10, to the
    last bit of every score. (The segments' own top 10 picks among passages tied
    at the 10th place as numpy's partition falls: the full ranking does not.)"""
    terms, weights = query_terms(question)
    expected = local.search(terms, EVERYTHING, weights=weights, **kw)[:10]
    assert qdrant.search(terms, 10, weights=weights, **kw) == expected, question


def xquad_rows_and_questions() -> tuple[list[Row], list[tuple[str, str]]]:
    rows, questions = [], []
    for lang in ("en", "hi"):
        data = json.loads((XQUAD / f"xquad-dev.{lang}.json").read_text("utf-8"))
        paragraphs = [p for article in data["data"] for p in article["paragraphs"]]
        for i, paragraph in enumerate(paragraphs):
            # Two outlets and a spread of dates, for the filters.
            meta = {"lang": lang, "source": f"outlet-{i % 2}", "date": 20250101 + i}
            rows.append(lexical_row(f"{lang}-{i:03d}", paragraph["context"], meta))
            questions += [(lang, qa["question"]) for qa in paragraph["qas"]]
    return rows, questions


@pytest.mark.slow
def test_the_xquad_mixed_pool_ranks_the_same(tmp_path: Path) -> None:
    if not (XQUAD / "xquad-dev.en.json").is_file():
        pytest.skip(f"XQuAD dev is not at {XQUAD} (absent from a fresh clone)")
    rows, questions = xquad_rows_and_questions()
    local, qdrant = both(rows, tmp_path / "qdrant")
    assert len(qdrant) == len(rows) == 240
    # A third of the questions (about 400): every passage is still scored by many,
    # and all of them took a minute and a half of the suite.
    for n, (lang, question) in enumerate(questions[::3]):
        # As retrieval asks: the question's own language (with "mixed" passages).
        assert_same_top(local, qdrant, question, row_filter=RowFilter(langs=(lang, "mixed")))
        if n % 4 == 0:  # the whole pool, and narrowed by outlet and date
            assert_same_top(local, qdrant, question)
            dates = RowFilter(outlets=("outlet-1",), date_from=20250110, date_to=20250190)
            assert_same_top(local, qdrant, question, row_filter=dates)
    words = [*sorted({t for _, q in questions[::10] for t in query_terms(q)[0]}), "\x00"]
    assert np.array_equal(qdrant.idf(words), local.idf(words))


def sample_assistants(sample_corpus: Path, tmp_path: Path, **settings: Any) -> tuple[Any, Any]:
    segments = hashed_embedding.assistant(tmp_path / "segments", **settings)
    qdrant = hashed_embedding.assistant(
        tmp_path / "qdrant-data", lexical_url=str(tmp_path / "qdrant"), **settings
    )
    for assistant in (segments, qdrant):
        assistant.ingest([sample_corpus])
    return segments, qdrant


def sample_questions(repo_root: Path) -> list[str]:
    lines = (repo_root / "eval" / "sets" / "sample.jsonl").read_text("utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()]


@pytest.mark.parametrize("retriever", ["bm25", "hybrid"])
def test_the_sample_corpus_answers_the_same(
    retriever: str, sample_corpus: Path, repo_root: Path, tmp_path: Path
) -> None:
    """Through the assistant: the same BM25 lists, the same passages (the lexical
    bridge across languages, fusion and duplicates included) and the same answers."""
    segments, qdrant = sample_assistants(sample_corpus, tmp_path, retriever=retriever)
    local_index, qdrant_index = segments.store.bm25, qdrant.store.bm25
    assert isinstance(qdrant_index, QdrantLexicalIndex)
    assert qdrant_index.chunk_ids() == local_index.chunk_ids() == segments.store.known_ids
    questions = sample_questions(repo_root)
    assert len(questions) > 20
    for question in questions:
        for langs in (("en", "mixed"), ("hi", "mixed"), ()):
            assert_same_top(local_index, qdrant_index, question, row_filter=RowFilter(langs=langs))
        expected, got = segments.retrieve(question), qdrant.retrieve(question)
        assert [(p.chunk_id, p.scores) for p in got.passages] == [
            (p.chunk_id, p.scores) for p in expected.passages
        ], question
    answers = [(segments.ask(q), qdrant.ask(q)) for q in questions[::3]]
    assert [b.text for _, b in answers] == [a.text for a, _ in answers]
    assert sum(a.answered for a, _ in answers) >= 3
    some = sorted(segments.store.known_ids)[:12]
    assert qdrant_index.stored(some) == local_index.stored(some)
    assert qdrant_index.languages_of(some) == local_index.languages_of(some)
    assert {i: len(t) for i, t in qdrant_index.term_sets(some).items()} == {
        i: len(t) for i, t in local_index.term_sets(some).items()
    }


def test_revisions_removals_and_a_rebuild_keep_qdrant_in_step(
    sample_corpus: Path, tmp_path: Path
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("en_isro_gslv_f21.txt", "hi_isro_gslv_f21.txt", "en_upi_july_2025.txt"):
        (corpus / name).write_bytes((sample_corpus / name).read_bytes())
    qdrant_dir = tmp_path / "qdrant"
    assistant = hashed_embedding.assistant(tmp_path / "data", lexical_url=str(qdrant_dir))
    assistant.ingest([corpus])
    revised = corpus / "en_upi_july_2025.txt"
    revised.write_text(revised.read_text("utf-8") + "\n\nA zebracrossing paragraph.\n", "utf-8")
    assistant.ingest([corpus])
    store = assistant.store
    assert store.bm25.search(index_terms("zebracrossing"), 5)
    assistant.remove([str(corpus / "hi_isro_gslv_f21.txt")])
    assert store.bm25.chunk_ids() == store.known_ids == store.all_chroma_ids()
    assert store.check() == []

    assistant.ingest([corpus], rebuild=True)
    store = assistant.store
    assert store.generation == 1
    assert collection_names(str(qdrant_dir)) == ["articles.g1"]  # the old one dropped
    assert store.bm25.chunk_ids() == store.known_ids and store.check() == []
    fresh = hashed_embedding.assistant(tmp_path / "data", lexical_url=str(qdrant_dir))
    answer = fresh.ask("How many banks were live on UPI at the end of July 2025?")
    assert answer.answered and {c.ref for c in answer.citations} == {revised.name}

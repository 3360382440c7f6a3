"""`rag bench` end to end at a tiny size, and the synthetic corpus it measures on.

No timing is asserted: the numbers depend on the machine. What must hold is
that every measurement ran and says what it should (an unchanged re-ingest
writes nothing, adding articles rewrites at most the small recent BM25 segments).
"""

from __future__ import annotations

import importlib.util
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from eval.synthetic import entity_name, news_item, planted_questions, write_feeds
from rag.cli import main

HAS_QDRANT = importlib.util.find_spec("qdrant_client") is not None


def test_every_article_names_its_own_entity_and_states_the_planted_answer() -> None:
    names = {entity_name(number, seed=7) for number in range(5000)}
    assert len(names) == 5000
    for question in planted_questions(range(300), 40, seed=7):
        feed, record = question.gold.split("#")
        number = int(re.findall(r"\d+", feed)[0]) * 200 + int(record) - 1
        item = news_item(number, seed=7)
        assert item.question == question.question
        assert item.language == question.language
        assert question.answer in item.text


def test_questions_alternate_languages_over_the_whole_corpus() -> None:
    questions = planted_questions(range(1000), 10, seed=7)
    assert [q.language for q in questions] == ["en", "hi"] * 5
    assert len({q.gold for q in questions}) == 10
    assert {q.gold.split("#")[0] for q in questions} >= {"feed-00000.jsonl", "feed-00004.jsonl"}


def test_feeds_are_deterministic(tmp_path: Path) -> None:
    first = write_feeds(tmp_path / "a", range(5, 250), seed=3)
    second = write_feeds(tmp_path / "b", range(5, 250), seed=3)
    assert [p.name for p in first] == ["feed-00000.jsonl", "feed-00001.jsonl"]
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    records = [json.loads(line) for line in first[0].read_text("utf-8").splitlines()]
    assert len(records) == 200
    assert {"title", "text", "date", "source", "url"} <= set(records[0])


def test_bad_sizes_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--sizes", "0"]) == 2
    assert "--sizes" in capsys.readouterr().err


@dataclass(frozen=True)
class Bench:
    report: dict[str, Any]
    table: str


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Bench:
    """One tiny `rag bench` with everything on: two sizes, the baseline at the
    first only, and the shared layout (a real `chroma run`, BM25 in Qdrant's local
    mode) beside the embedded default, where Qdrant's client is installed (the
    `scale` extra). One run, as starting one costs a minute."""
    root = tmp_path_factory.mktemp("bench")
    sizes = ["--sizes", "30,40", "--baseline-max-chunks", "35"]
    small = ["--questions", "4", "--extra", "4", "--cold-runs", "1"]
    shared = ["--chroma-server", "--lexical", "qdrant-local"] if HAS_QDRANT else []
    places = ["--out", str(root / "out"), "--work-dir", str(root / "work")]
    assert main(["bench", *sizes, *small, *shared, *places]) == 0
    [report_path] = (root / "out").glob("bench-*.json")
    table = report_path.with_suffix(".md").read_text("utf-8")
    return Bench(json.loads(report_path.read_text("utf-8")), table)


@pytest.mark.slow
def test_bench_runs_end_to_end(bench: Bench) -> None:
    assert "ask p50 ÷ floor p50" in bench.table
    report = bench.report
    assert report["machine"]["cores"] >= 1 and report["machine"]["cpu"]
    assert report["settings"]["embed_device"] == "auto"
    size, larger = report["sizes"]
    ours, baseline = size["ours"], size["baseline"]
    assert ours["device"] == baseline["device"]
    assert ours["ingest"]["chunks"] > 0 and ours["ingest"]["articles"] == size["articles"]
    assert ours["reingest"]["chunks"] == 0 and ours["reingest"]["unchanged_files"] == 1
    assert ours["raw"]["texts"] == ours["ingest"]["chunks"]  # a sample, when there are more
    assert ours["raw"]["tokens"] == ours["ingest"]["tokens"] > 0
    # The embedding model was seen at work (llama-index's instrumentation events).
    assert ours["ingest"]["model_seconds"] > 0 and baseline["ingest"]["model_seconds"] > 0
    incremental = ours["incremental"]
    assert incremental["articles"] == 4
    assert incremental["bm25_segments_after"] >= 1
    assert 0 <= incremental["bm25_rows_rewritten"] < incremental["bm25_rows_before"] / 2
    assert baseline["ingest"]["articles"] == size["articles"]
    assert baseline["ingest"]["chunks"] > 0 and baseline["ingest"]["tokens"] > 0
    for side in (ours, baseline):
        assert 0 <= side["hit_at_5"]["all"] <= 1
        assert side["latency"]["retrieve"]["p50_ms"] > 0
    assert len(size["load_average"]) == 2
    assert set(size["cold_start"]) == {"en", "hi"}
    assert all(len(runs) == 1 and runs[0] > 0 for runs in size["cold_start"].values())
    assert {
        "ingest_vs_raw",
        "ingest_vs_raw_cpu",
        "model_share",
        "reingest_speedup",
        "ask_vs_floor",
        "ask_en_vs_floor",
        "ask_vs_baseline",
        "tokens_per_s_vs_baseline",
        "disk_mb_per_10k_chunks",
    } <= set(size["derived"])
    # Above --baseline-max-chunks the plain retriever runs over our collection.
    assert "ingest" not in larger["baseline"] and larger["baseline"]["over"]
    assert larger["baseline"]["latency"]["retrieve"]["p50_ms"] > 0
    assert larger["baseline"]["hit_at_5"]["all"] is not None
    assert "ask_vs_baseline" in larger["derived"]
    assert "tokens_per_s_vs_baseline" not in larger["derived"]


@pytest.mark.slow
def test_bench_runs_the_shared_layout_beside_the_embedded_default(bench: Bench) -> None:
    """The same corpus and questions on the shared layout, in the same table."""
    if not HAS_QDRANT:
        pytest.skip("Qdrant's client is the `scale` extra")
    for size in bench.report["sizes"]:
        ours, shared = size["ours"], size["shared"]
        layout = "chroma run on 127.0.0.1 (manifest in Chroma) + Qdrant local mode"
        assert shared["layout"] == layout
        assert shared["ingest"]["chunks"] == ours["ingest"]["chunks"] > 0
        assert len(shared["rankings"]) == len(ours["rankings"]) == size["questions"]
        assert all(len(ranking) > 0 for ranking in shared["rankings"])
        assert shared["latency"]["ask"]["p50_ms"] > 0
        assert shared["latency"]["retrieve"]["p50_ms"] > 0
        # Fewer chunks than Chroma's ef_search (100): both HNSW searches are
        # exhaustive, so the layouts must agree on every question.
        assert size["derived"]["shared_rankings_agree"] == 1.0
        assert size["derived"]["shared_answers_agree"] == 1.0
    assert "same top-k ids in order" in bench.table and "Shared layout: chroma run" in bench.table


def test_a_lexical_layout_the_bench_does_not_know_is_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["bench", "--lexical", "qdrant-server"])
    assert "--lexical" in capsys.readouterr().err

"""The evaluation harness end to end on the sample set, run comparison, the set
loader and the SQuAD adapter (on a tiny file, and on XQuAD when it is there)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from eval.datasets import KINDS, REPO_ROOT, EvalItem, load_set, read_items, spread
from eval.harness import RunResult, evaluate_set, run_eval
from eval.squad import load_squad, squad_set, xquad_files
from index.cleaning import Cleaner
from index.loaders import LoadOptions, load_file
from rag.cli import main as rag_main

XQUAD = REPO_ROOT.parent / "shared" / "bench" / "xquad"


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    eval_set = load_set("sample")
    out = tmp_path_factory.mktemp("sample-run")
    return run_eval({}, eval_set.items, eval_set.corpus, out, progress=False, set_name="sample")


# The harness on the sample set


@pytest.mark.slow
def test_run_writes_results_report_and_chart(sample_run: RunResult) -> None:
    out = sample_run.out_dir
    assert (out / "chart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    report = (out / "report.md").read_text("utf-8")
    for heading in ("## Overall", "## Per language", "## Per kind", "## Per language × kind"):
        assert heading in report
    saved = json.loads((out / "results.json").read_text("utf-8"))
    assert saved["config"]["settings"]["retriever"] == "hybrid"
    assert saved["config"]["settings"]["data_dir"] == str(out / "index")
    assert saved["config"]["index"]["articles"] == 10
    assert saved["aggregates"] == sample_run.aggregates


@pytest.mark.slow
def test_every_item_has_a_scored_row(sample_run: RunResult) -> None:
    items = load_set("sample").items
    rows = {row["id"]: row for row in sample_run.rows}
    assert set(rows) == {item.id for item in items}
    for item in items:
        row = rows[item.id]
        assert row["answer"], item.id
        assert len(row["retrieved"]) <= 5
        assert row["metrics"]["total_ms"] > 0
        if item.answerable:
            assert 0 <= row["metrics"]["hit@5"] <= 1
            assert row["metrics"]["refusal_accuracy"] is None
        else:
            assert row["metrics"]["hit@5"] is None
            assert row["metrics"]["citation_precision"] is None
            assert row["metrics"]["refusal_accuracy"] is (not row["answered"])


def _in_unit_range(aggregates: dict[str, Any], *names: str) -> None:
    for name in names:
        assert 0.0 <= aggregates[name] <= 1.0, name


@pytest.mark.slow
def test_aggregates_per_language_and_kind_are_plausible(sample_run: RunResult) -> None:
    agg = sample_run.aggregates
    assert agg["overall"]["n"] == 27
    assert set(agg["language"]) == {"en", "hi"}
    assert set(agg["kind"]) == set(KINDS)
    assert sum(v["n"] for v in agg["language/kind"].values()) == 27
    _in_unit_range(
        agg["overall"],
        "hit@1",
        "hit@5",
        "mrr@10",
        "key_fact_recall",
        "citation_precision",
        "citation_recall",
        "refusal_accuracy",
        "language_ok",
    )
    # The sample set's articles are few and distinct: retrieval finds the right one.
    assert agg["overall"]["hit@5"] >= 0.8
    assert agg["overall"]["hit@1"] <= agg["overall"]["hit@5"]
    for language in ("en", "hi"):
        _in_unit_range(agg["language"][language], "hit@5", "mrr@10", "key_fact_recall")
    assert agg["kind"]["unanswerable"]["hit@5"] is None
    assert agg["kind"]["single-source"]["refusal_accuracy"] is None
    overall = agg["overall"]
    assert 0 < overall["total_ms_p50"] <= overall["total_ms_p95"]
    assert overall["retrieval_ms_p50"] is not None and overall["answer_ms_p50"] is not None


@pytest.mark.slow
def test_cli_run_and_compare(
    sample_run: RunResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index = str(sample_run.out_dir / "index")
    code = rag_main(
        [
            "eval",
            "--set",
            "sample",
            "--limit",
            "6",
            "--retriever",
            "bm25",
            "--data-dir",
            index,
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 0
    summary = capsys.readouterr().out
    assert "hit@5" in summary and "overall" in summary
    (run,) = tmp_path.iterdir()
    assert run.name.endswith("-sample-bm25")
    second = json.loads((run / "results.json").read_text("utf-8"))
    assert len(second["rows"]) == 6
    assert {r["language"] for r in second["rows"]} == {"en", "hi"}  # spread, not the first 6

    assert rag_main(["eval", "--compare", str(sample_run.out_dir), str(run)]) == 0
    compared = capsys.readouterr().out
    assert "settings that differ" in compared
    assert any(
        line.split()[:3] == ["retriever", "hybrid", "bm25"] for line in compared.splitlines()
    )
    n_line = next(line.split() for line in compared.splitlines() if line.startswith("n "))
    assert n_line == ["n", "27", "6", "-21"]
    assert "language hi" in compared and "kind unanswerable" in compared


@pytest.mark.slow
def test_evaluate_set_returns_the_aggregates(sample_run: RunResult) -> None:
    # bm25 over the existing index: no embedding model, nothing re-indexed.
    aggregates = evaluate_set("sample", data_dir=sample_run.out_dir / "index", retriever="bm25")
    assert aggregates["overall"]["n"] == 27
    assert set(aggregates["language"]) == {"en", "hi"}


# Sets


def test_named_sets_load_with_their_corpus() -> None:
    sample = load_set("sample")
    assert sample.corpus == [REPO_ROOT / "index" / "sample_corpus"]
    assert len(sample.items) == 27
    assert {item.kind for item in sample.items} == set(KINDS)
    follow_up = next(item for item in sample.items if item.kind == "follow-up")
    assert follow_up.history


def test_seed_set_points_at_the_shared_corpus() -> None:
    corpus = REPO_ROOT.parent / "shared" / "corpus"
    if not corpus.is_dir():
        pytest.skip(f"the user's corpus is not at {corpus} in this checkout")
    seed = load_set("seed")
    assert seed.corpus == [corpus]
    names = {p.name for p in corpus.iterdir()}
    assert {s for item in seed.items for s in item.gold_refs} <= names


def test_a_set_file_needs_a_corpus_and_valid_items(tmp_path: Path) -> None:
    good = {
        "id": "x1",
        "question": "Who?",
        "language": "en",
        "kind": "single-source",
        "key_facts": [["A"]],
        "gold_refs": ["a.txt"],
    }
    path = tmp_path / "mine.jsonl"
    path.write_text(json.dumps(good) + "\n\n", "utf-8")
    with pytest.raises(ValueError, match="--corpus"):
        load_set(path)
    loaded = load_set(path, [tmp_path])
    assert loaded.name == "mine"
    assert loaded.items == [EvalItem("x1", "Who?", "en", "single-source", "", [["A"]], ["a.txt"])]
    # "gold_sources": the key's name in sets written before, still read.
    old = {k: v for k, v in good.items() if k != "gold_refs"} | {"gold_sources": ["a.txt"]}
    path.write_text(json.dumps(old) + "\n", "utf-8")
    assert read_items(path) == loaded.items

    path.write_text(json.dumps({**good, "kind": "trivia"}) + "\n", "utf-8")
    with pytest.raises(ValueError, match=r"mine\.jsonl:1: kind 'trivia'"):
        read_items(path)
    path.write_text(json.dumps({**good, "gold_refs": []}) + "\n", "utf-8")
    with pytest.raises(ValueError, match="gold_refs"):
        read_items(path)
    path.write_text(json.dumps(good) + "\n" + json.dumps(good) + "\n", "utf-8")
    with pytest.raises(ValueError, match="duplicate ids x1"):
        read_items(path)
    with pytest.raises(ValueError, match=r"named sets: .*sample"):
        load_set("no-such-set")


def test_spread_keeps_evenly_spaced_items() -> None:
    items = [EvalItem(str(i), "q", "en", "unanswerable") for i in range(10)]
    assert [i.id for i in spread(items, 3)] == ["0", "3", "6"]
    assert spread(items, None) == items
    assert spread(items, 50) == items
    assert spread(items, 0) == []


# SQuAD adapter


def _squad(paragraphs: list[tuple[str, list[tuple[str, str, list[str]]]]]) -> dict[str, Any]:
    return {
        "version": "1.1",
        "data": [
            {
                "title": "Tiny_Test",
                "paragraphs": [
                    {
                        "context": context,
                        "qas": [
                            {
                                "id": qid,
                                "question": question,
                                "answers": [
                                    {"answer_start": context.find(a), "text": a} for a in answers
                                ],
                            }
                            for qid, question, answers in qas
                        ],
                    }
                    for context, qas in paragraphs
                ],
            }
        ],
    }


@pytest.fixture
def tiny_squad(tmp_path: Path) -> dict[str, Path]:
    en = _squad(
        [
            (
                "The Panthers defense gave up just 308 points. Kawann Short led the team in sacks.",
                [
                    (
                        "q1",
                        "How many points did the Panthers defense give up?",
                        ["308", "308 points"],
                    ),
                    ("q2", "Who led the team in sacks?", ["Kawann Short"]),
                ],
            ),
            (
                "The Broncos won Super Bowl 50 in Santa Clara.",
                [("q3", "Where was Super Bowl 50 played?", ["Santa Clara"])],
            ),
        ]
    )
    hi = _squad(
        [
            (
                "पैंथर्स की डिफ़ेन्स ने केवल 308 अंक दिए। कावन शॉर्ट ने सैक में टीम का नेतृत्व किया।",
                [
                    ("q1", "पैंथर्स डिफ़ेंस ने कितने अंक दिए?", ["308"]),
                    ("q2", "सैक में टीम का नेतृत्व किसने किया?", ["कावन शॉर्ट"]),
                ],
            ),
            (
                "ब्रोंकोस ने सांता क्लारा में सुपर बाउल 50 जीता।",
                [("q3", "सुपर बाउल 50 कहाँ खेला गया?", ["सांता क्लारा"])],
            ),
        ]
    )
    files = {}
    for lang, data in (("en", en), ("hi", hi)):
        files[lang] = tmp_path / f"tiny.{lang}.json"
        files[lang].write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return files


def _refs(path: Path) -> list[str]:
    articles = load_file(path, LoadOptions(Cleaner.load([])))
    return [a.ref for a in articles]


def test_squad_one_language(tiny_squad: dict[str, Path], tmp_path: Path) -> None:
    eval_set = squad_set("en", tiny_squad, tmp_path / "pool")
    assert eval_set.name == "xquad-en"
    assert eval_set.corpus == [tmp_path / "pool" / "xquad.en.jsonl"]
    records = [json.loads(line) for line in eval_set.corpus[0].read_text("utf-8").splitlines()]
    assert [r["source"] for r in records] == ["xquad-en", "xquad-en"]
    assert records[0]["title"] == "Tiny Test" and records[1]["lang"] == "en"
    # The gold refs are exactly the refs the project's loader gives the records.
    assert _refs(eval_set.corpus[0]) == ["xquad.en.jsonl#1", "xquad.en.jsonl#2"]
    first, _, third = eval_set.items
    assert (first.id, first.language, first.kind) == ("en-q1", "en", "single-source")
    assert first.reference == "308"
    assert first.key_facts == [["308", "308 points"]]
    assert first.gold_refs == ["xquad.en.jsonl#1"]
    assert third.gold_refs == ["xquad.en.jsonl#2"]


def test_squad_mixed_pool_and_cross_language(tiny_squad: dict[str, Path], tmp_path: Path) -> None:
    mixed = squad_set("mixed", tiny_squad, tmp_path / "mixed")
    assert [p.name for p in mixed.corpus] == ["xquad.en.jsonl", "xquad.hi.jsonl"]
    assert len(mixed.items) == 6
    hindi = next(item for item in mixed.items if item.id == "hi-q2")
    assert hindi.kind == "single-source"
    assert hindi.gold_refs == ["xquad.en.jsonl#1", "xquad.hi.jsonl#1"]
    assert hindi.key_facts == [["कावन शॉर्ट", "Kawann Short"]]
    assert hindi.reference == "कावन शॉर्ट"

    cross = squad_set("hi-en", tiny_squad, tmp_path / "cross")
    assert [p.name for p in cross.corpus] == ["xquad.en.jsonl"]
    assert {item.kind for item in cross.items} == {"cross-language"}
    assert [item.language for item in cross.items] == ["hi"] * 3
    last = cross.items[-1]
    assert last.gold_refs == ["xquad.en.jsonl#2"]
    assert last.key_facts == [["सांता क्लारा", "Santa Clara"]]


def test_squad_files_must_be_translations(tiny_squad: dict[str, Path], tmp_path: Path) -> None:
    shorter = json.loads(tiny_squad["hi"].read_text("utf-8"))
    shorter["data"][0]["paragraphs"].pop()
    tiny_squad["hi"].write_text(json.dumps(shorter, ensure_ascii=False), "utf-8")
    with pytest.raises(ValueError, match="paragraph counts differ"):
        squad_set("en-hi", tiny_squad, tmp_path)
    with pytest.raises(ValueError, match="not found"):
        squad_set("hi", {"hi": tmp_path / "absent.json"}, tmp_path)
    with pytest.raises(ValueError, match="unknown SQuAD mode"):
        squad_set("fr", tiny_squad, tmp_path)


def test_xquad_has_120_paragraphs_and_612_questions_per_language(tmp_path: Path) -> None:
    if not XQUAD.is_dir():
        pytest.skip(f"XQuAD is not at {XQUAD} (../shared/bench/xquad from the repo)")
    files = xquad_files(XQUAD)
    ids = {}
    for lang in ("en", "hi"):
        paragraphs = load_squad(files[lang])
        assert len(paragraphs) == 120
        assert sum(len(p.questions) for p in paragraphs) == 612
        ids[lang] = [[q.id for q in p.questions] for p in paragraphs]
    assert ids["en"] == ids["hi"]  # paragraph i and question q are translations
    mixed = squad_set("mixed", files, tmp_path)
    assert len(mixed.items) == 2 * 612
    assert _refs(mixed.corpus[1])[-1] == "xquad.hi.jsonl#120"
    assert all(item.key_facts[0] and item.reference for item in mixed.items)

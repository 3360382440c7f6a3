"""The index survives a bad day: a full disk, a read-only data folder, damaged
files, readers during a rebuild, a feed killed half-way, a power cut between a
segment and the state naming it. Real Chroma, BM25 and files throughout; the
embedding is HashedEmbedding (the faults are in the files, not in the model).
Full disks and read-only mounts are real tmpfs mounts (needs root, as in CI)."""

from __future__ import annotations

import codecs
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import hashed_embedding
import pytest

from index import files, pipeline
from index.bm25 import BM25Index, Row
from index.files import DiskFull, IndexCorrupt, ReadOnlyIndex
from index.store import ChunkStore

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "index" / "sample_corpus"
EN_QUESTION = "Which rocket launched the navigation satellite NVS-04?"
EN_SOURCE = "en_isro_gslv_f21.txt"
HI_QUESTION = "सितंबर में मानसून की बारिश कितनी हुई?"
SAMPLE_SOURCES = {p.name for p in SAMPLE.iterdir()}

# A reader in a process of its own, as `rag ask` is: Chroma opened afresh.
READER = r"""
import json, sys
sys.path.insert(0, sys.argv[2])
import hashed_embedding
assistant = hashed_embedding.assistant(sys.argv[1])
out = {}
for name, question in (("en", sys.argv[3]), ("hi", sys.argv[4])):
    answer = assistant.ask(question)
    out[name] = {"answered": answer.answered, "sources": sorted({c.ref for c in answer.citations})}
print(json.dumps(out))
"""


def read_in_another_process(data_dir: Path) -> dict[str, Any]:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            READER,
            str(data_dir),
            str(REPO / "tests"),
            EN_QUESTION,
            HI_QUESTION,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    reply: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return reply


def assert_answers_from_the_sample(reply: dict[str, Any]) -> None:
    assert reply["en"]["answered"] and EN_SOURCE in reply["en"]["sources"], reply
    assert reply["hi"]["answered"] and reply["hi"]["sources"], reply
    for language in ("en", "hi"):
        assert set(reply[language]["sources"]) <= SAMPLE_SOURCES, reply


def rag_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rag.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=False,
    )


def write_articles(folder: Path, count: int, start: int = 0) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(start, start + count):
        (folder / f"en_more_{n:03d}.txt").write_text(
            f"Ward {n} council story zqmarker{n}\n\nThe civic body approved a plan for ward {n} "
            "to repair roads and drains on Monday, officials said after the meeting.",
            "utf-8",
        )
    return folder


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample corpus, indexed once; tests work on copies."""
    data = tmp_path_factory.mktemp("built") / "data"
    hashed_embedding.assistant(data).ingest([SAMPLE])
    return data


def copy_index(built: Path, to: Path) -> Path:
    shutil.copytree(built, to, ignore=shutil.ignore_patterns("*.lock"))
    return to


@contextmanager
def tmpfs(mount_point: Path, size: str) -> Iterator[Path]:
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root (CI runs as root)")
    mount_point.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=755", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def fill(disk: Path) -> None:
    """Writes to `disk` until it is full."""
    with (disk / "filler").open("wb", buffering=0) as handle:
        for size in (1 << 20, 1 << 12, 1):
            try:
                while True:
                    handle.write(bytes(size))
            except OSError:
                continue


# 1. A full disk


@pytest.mark.parametrize("fills", ["before-ingest", "after-chroma-add", "after-bm25-save"])
def test_a_full_disk_is_said_in_one_sentence_and_the_last_commit_is_served(
    fills: str, built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with tmpfs(tmp_path / "disk", "16m") as disk:
        data = copy_index(built, disk / "data")
        manifest_before = (data / "manifest.json").read_bytes()
        more = write_articles(tmp_path / "more", 20)
        if fills == "before-ingest":
            fill(disk)
        else:  # the disk fills up between two writes of the same ingest
            owner, name = (
                (ChunkStore, "_add_to_chroma")
                if fills == "after-chroma-add"
                else (BM25Index, "save")
            )
            original = getattr(owner, name)

            def then_fill(*args: Any, **kwargs: Any) -> None:
                original(*args, **kwargs)
                fill(disk)

            monkeypatch.setattr(owner, name, then_fill)
        with pytest.raises(DiskFull, match=re.escape(f"no space left in DATA_DIR {data}:")):
            hashed_embedding.assistant(data).ingest([more])
        monkeypatch.undo()
        assert (data / "manifest.json").read_bytes() == manifest_before
        assert not list(data.rglob(".*.tmp")), "a half-written file was left to fill the disk"
        # English and Hindi questions, from a new process, while the disk is full.
        assert_answers_from_the_sample(read_in_another_process(data))

        (disk / "filler").unlink()
        again = hashed_embedding.assistant(data)
        assert again.ingest([more, SAMPLE]).articles == 20
        assert again.check() == []
        assert again.retrieve("zqmarker7 council story").passages[0].ref == "en_more_007.txt"


def test_a_full_disk_under_the_bm25_and_manifest_writers_is_disk_full(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", "1m") as disk:
        index = BM25Index()
        index.add(
            [Row(f"c{n}", ["word"] * 50, "en", "pti", 0, {"t": "x" * 900}) for n in range(3000)]
        )
        with (
            pytest.raises(DiskFull, match="no space left in DATA_DIR"),
            files.clear_write_errors(disk),
        ):
            index.save(disk / "bm25")
        assert not (disk / "bm25" / "state.json").exists()
        assert not [p for p in (disk / "bm25").iterdir() if p.stat().st_size == 0]


# 2. A read-only data folder


def assert_ingest_refused(assistant: Any, data: Path) -> None:
    refusal = re.escape(f"DATA_DIR {data} is read-only:")
    with pytest.raises(ReadOnlyIndex, match=refusal):
        assistant.ingest([SAMPLE])
    with pytest.raises(ReadOnlyIndex, match=refusal):
        assistant.remove([str(SAMPLE / EN_SOURCE)])


def test_a_read_only_mount_answers_and_refuses_ingest_in_one_sentence(
    built: Path, tmp_path: Path
) -> None:
    """As root, permission bits do not stop a write: a read-only mount does."""
    with tmpfs(tmp_path / "disk", "16m") as disk:
        data = copy_index(built, disk / "data")
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        assert_answers_from_the_sample(read_in_another_process(data))
        assert_ingest_refused(hashed_embedding.assistant(data), data)
        cli = rag_cli("ingest", str(SAMPLE), "--data-dir", str(data))
        assert cli.returncode == 2
        assert cli.stderr.strip().splitlines() == [
            f"rag: DATA_DIR {data} is read-only: questions are answered from it, "
            "but nothing can be ingested or removed there"
        ]
        check = rag_cli("check", "--data-dir", str(data))
        assert (check.returncode, check.stdout.strip()) == (0, "the index is sound"), check.stderr


@contextmanager
def unprivileged() -> Iterator[None]:
    """Root ignores permission bits: the user `nobody` for the block, if root."""
    if os.geteuid() != 0:
        yield
        return
    os.setegid(65534)
    os.seteuid(65534)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


def _others_may_enter(path: Path) -> bool:
    return all(os.stat(p).st_mode & stat.S_IXOTH for p in [path, *path.parents])


def test_a_data_folder_without_write_permission_answers_and_refuses_ingest(built: Path) -> None:
    if os.geteuid() == 0 and not _others_may_enter(SAMPLE):
        # As `nobody` the checkout (its articles, its virtual environment) must be reachable.
        pytest.skip(f"the checkout {SAMPLE.parents[1]} is inside a folder only root may enter")
    folder = Path(tempfile.mkdtemp(prefix="rag-faults-"))  # outside pytest's private folders
    try:
        os.chmod(folder, 0o755)
        data = copy_index(built, folder / "data")
        subprocess.run(["chmod", "-R", "a-w", str(data)], check=True)
        assistant = hashed_embedding.assistant(data)
        assistant.lexicon()  # cached outside the data folder: read before dropping root
        # Python's own library may sit where `nobody` cannot read (/root/.pyenv): the
        # codec zipfile looks up lazily is loaded before dropping root too.
        codecs.lookup("cp437")
        with unprivileged():
            english, hindi = assistant.ask(EN_QUESTION), assistant.ask(HI_QUESTION)
            assert_ingest_refused(assistant, data)
        assert english.answered and EN_SOURCE in {c.ref for c in english.citations}
        assert hindi.answered and hindi.citations
    finally:
        subprocess.run(["chmod", "-R", "u+w", str(folder)], check=False)
        shutil.rmtree(folder, ignore_errors=True)


# 3. Damaged files, checksums, `rag check`


def first_segment(data: Path) -> Path:
    state = json.loads((data / "bm25" / "state.json").read_text("utf-8"))
    return data / "bm25" / state["segments"][0]


def truncate(path: Path) -> Path:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return path


def flip_a_byte(path: Path) -> Path:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    return path


DAMAGES = {
    "truncated manifest": lambda data: truncate(data / "manifest.json"),
    "truncated BM25 state": lambda data: truncate(data / "bm25" / "state.json"),
    "truncated stored fields": lambda data: truncate(Path(f"{first_segment(data)}.stored")),
    "truncated ids": lambda data: truncate(Path(f"{first_segment(data)}.ids")),
    "a flipped byte in a segment": lambda data: flip_a_byte(first_segment(data)),
}


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_file_is_named_with_the_way_out_and_a_rebuild_repairs_it(
    damage: str, built: Path, tmp_path: Path
) -> None:
    data = copy_index(built, tmp_path / "data")
    damaged = DAMAGES[damage](data)
    assistant = hashed_embedding.assistant(data)
    message = rf"index file {re.escape(str(damaged))} is damaged \(.+\); run `rag ingest PATH\.\.\. --rebuild`"
    with pytest.raises(IndexCorrupt, match=message):
        assistant.ask(EN_QUESTION)
    problems = assistant.check()
    assert problems and str(damaged) in problems[0]
    cli = rag_cli("ask", EN_QUESTION, "--data-dir", str(data))
    assert cli.returncode == 2 and "Traceback" not in cli.stderr
    assert cli.stderr.startswith(f"rag: index file {damaged} is damaged")

    assistant.ingest([SAMPLE], rebuild=True)
    assert assistant.check() == []
    assert EN_SOURCE in {c.ref for c in assistant.ask(EN_QUESTION).citations}


def test_an_edited_stored_text_is_never_served_as_a_quote(built: Path, tmp_path: Path) -> None:
    data = copy_index(built, tmp_path / "data")
    for stored in (data / "bm25").glob("*.stored"):  # the same length: only a checksum sees it
        text = stored.read_bytes()
        stored.write_bytes(text.replace(b"GSLV-F21", b"GSLV-F99"))
    edited = [p for p in (data / "bm25").glob("*.stored") if b"GSLV-F99" in p.read_bytes()]
    assert edited
    assistant = hashed_embedding.assistant(data)
    with pytest.raises(IndexCorrupt, match=re.escape(f"index file {edited[0]} is damaged")):
        assistant.ask(EN_QUESTION)
    assert any(str(edited[0]) in problem for problem in assistant.check())


def test_rag_check_finds_a_flipped_chunk_id_that_a_reingest_never_repairs(
    built: Path, tmp_path: Path
) -> None:
    data = copy_index(built, tmp_path / "data")
    sound = rag_cli("check", "--data-dir", str(data))
    assert (sound.returncode, sound.stdout.strip()) == (0, "the index is sound"), sound.stderr

    manifest = json.loads((data / "manifest.json").read_text("utf-8"))
    entry = next(iter(manifest["files"].values()))
    real = entry["chunk_ids"][0]
    flipped = entry["chunk_ids"][0] = ("0" if real[0] != "0" else "1") + real[1:]
    (data / "manifest.json").write_text(json.dumps(manifest), "utf-8")

    assistant = hashed_embedding.assistant(data)
    assert assistant.ingest([SAMPLE]).unchanged == len(SAMPLE_SOURCES)  # nothing to redo
    problems = assistant.check()
    assert any("Chroma lacks 1 chunk(s)" in p and flipped in p for p in problems), problems
    assert any("BM25 holds 1 chunk(s)" in p and real in p for p in problems), problems
    found = rag_cli("check", "--data-dir", str(data))
    assert found.returncode == 1
    assert flipped in found.stdout and f"{len(problems)} problem(s) found" in found.stdout


# 4. Readers during a rebuild


def test_readers_keep_answering_from_the_old_index_until_a_rebuild_switches(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = copy_index(built, tmp_path / "data")
    new_corpus = write_articles(tmp_path / "new", 12)
    monkeypatch.setattr(pipeline, "_BATCH_CHUNKS", 4)
    monkeypatch.setattr(pipeline, "_COMMIT_SECONDS", -1.0)  # a commit after every batch
    seen: list[tuple[set[str], bool]] = []
    commit = ChunkStore.commit

    def and_read(self: ChunkStore, build: dict[str, Any]) -> None:
        commit(self, build)
        reader = hashed_embedding.assistant(data)
        sources = {Path(p).name for p in reader.store.manifest.files}
        seen.append((sources, EN_SOURCE in {c.ref for c in reader.ask(EN_QUESTION).citations}))

    monkeypatch.setattr(ChunkStore, "commit", and_read)
    writer = hashed_embedding.assistant(data)
    writer.ingest([new_corpus], rebuild=True)
    monkeypatch.undo()

    *during, after = seen
    assert len(during) >= 3
    assert all(sources == SAMPLE_SOURCES and answered for sources, answered in during), during
    assert after[0] == {p.name for p in new_corpus.iterdir()}
    assert writer.retrieve("zqmarker3 council story").passages[0].ref == "en_more_003.txt"
    assert [p.name for p in data.glob("bm25*")] == [writer.store.bm25_dir.name] != ["bm25"]
    assert writer.check() == []


def test_a_rebuild_that_fails_half_way_leaves_the_old_index_served(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = copy_index(built, tmp_path / "data")
    monkeypatch.setattr(pipeline, "_BATCH_CHUNKS", 4)
    monkeypatch.setattr(pipeline, "_COMMIT_SECONDS", -1.0)
    write = pipeline.Indexer._write
    calls = []

    def failing(self: pipeline.Indexer, *args: Any) -> None:
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("killed")
        write(self, *args)

    monkeypatch.setattr(pipeline.Indexer, "_write", failing)
    with pytest.raises(RuntimeError, match="killed"):
        hashed_embedding.assistant(data).ingest(
            [write_articles(tmp_path / "new", 12)], rebuild=True
        )
    monkeypatch.undo()
    assert_answers_from_the_sample(read_in_another_process(data))
    assert len(list(data.glob("bm25*"))) == 2  # the unfinished one beside

    again = hashed_embedding.assistant(data)
    again.ingest([SAMPLE])  # repairs: the unfinished generation is deleted
    assert [p.name for p in data.glob("bm25*")] == ["bm25"]
    assert again.check() == []


# 5. Feeds in batches


FEED_KILLED = r"""
import os, signal, sys
sys.path.insert(0, sys.argv[3])
import hashed_embedding
from index import pipeline
from index.store import ChunkStore

pipeline._BATCH_CHUNKS = 4
pipeline._COMMIT_SECONDS = -1.0
commit, commits = ChunkStore.commit, []


def commit_then_die(self, build):
    commit(self, build)
    commits.append(1)
    if len(commits) == 3:
        os.kill(os.getpid(), signal.SIGKILL)


ChunkStore.commit = commit_then_die
hashed_embedding.assistant(sys.argv[1]).ingest([sys.argv[2]])
"""


def test_a_feed_killed_half_way_keeps_its_committed_articles_and_resumes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, feed = tmp_path / "data", tmp_path / "feed.jsonl"
    records = [
        {
            "title": f"Story {n}",
            "text": f"Ward {n} story zqfeed{n}: the council met on Monday.",
            "date": "2025-08-01",
        }
        for n in range(60)
    ]
    feed.write_text("\n".join(json.dumps(r) for r in records), "utf-8")
    killed = subprocess.run(
        [sys.executable, "-c", FEED_KILLED, str(data), str(feed), str(REPO / "tests")],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=300,
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL
    entry = ChunkStore(data).manifest.files[str(feed.resolve())]
    committed = len(entry.articles)
    assert not entry.complete and 0 < committed < 60

    assistant = hashed_embedding.assistant(data)
    summary = assistant.ingest([feed], progress=True)
    assert summary.articles == 60 - committed
    assert "article" in capsys.readouterr().err  # a progress bar counting articles
    entry = assistant.store.manifest.files[str(feed.resolve())]
    assert entry.complete and len({a.id for a in entry.articles}) == len(entry.articles) == 60
    assert assistant.check() == []
    assert assistant.ingest([feed]).unchanged == 1
    assert assistant.ask("zqfeed42 story").citations[0].ref == "feed.jsonl#43"


# 6. Durable writes


def test_segment_files_are_fsynced_before_the_state_that_names_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[tuple[str, str]] = []
    fsync, replace = os.fsync, os.replace

    def recorded_fsync(fd: int) -> None:
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        fsync(fd)

    def recorded_replace(source: Any, target: Any) -> None:
        events.append(("replace", str(target)))
        replace(source, target)

    monkeypatch.setattr(files.os, "fsync", recorded_fsync)
    monkeypatch.setattr(files.os, "replace", recorded_replace)
    folder = tmp_path / "bm25"
    index = BM25Index()
    for batch in range(2):
        index.add(
            [Row(f"c{batch}-{n}", ["rain", f"w{n}"], "en", "pti", 0, {"n": n}) for n in range(5)]
        )
        index.save(folder)
    monkeypatch.undo()

    state = json.loads((folder / "state.json").read_text("utf-8"))
    switched = max(i for i, e in enumerate(events) if e == ("replace", str(folder / "state.json")))
    folder_synced = max(i for i, e in enumerate(events[:switched]) if e == ("fsync", str(folder)))
    for name in state["segments"]:
        for suffix in ("", ".ids", ".stored"):
            path = str(folder / f"{name}{suffix}")
            assert ("fsync", path) in events[:folder_synced], path
            assert state["checksums"][f"{name}{suffix}"]["size"] == os.path.getsize(path)
    assert events[switched + 1] == ("fsync", str(folder))  # the rename itself made durable

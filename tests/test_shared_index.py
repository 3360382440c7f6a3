"""Several writers and readers on one index in a real Chroma server (`chroma run`
on loopback), with the manifest in the server: three writer processes ingest,
revise and remove their own files at once while two reader processes ask
questions; no process sees an error, and at the end every process, and Chroma,
holds every chunk of every file once.

The lexical side is each machine's BM25 replica (index.replica): a Qdrant
server, which would be the shared alternative, cannot run here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import hashed_embedding
import pytest
from chroma_process import ChromaServer

from eval.synthetic import news_item

pytestmark = pytest.mark.slow

WRITERS, READERS = 3, 2
FILES, ARTICLES = 5, 4  # per writer; per file
SEED = 16
ROUND_SECONDS = 240

WRITER = """
import json, sys
sys.path.insert(0, sys.argv[1])
import hashed_embedding
url, data_dir, folder = sys.argv[2:5]
from pathlib import Path
assistant = hashed_embedding.assistant(data_dir, chroma_url=url)
files = sorted(Path(folder).glob("*.jsonl"))
for path in files:  # one commit each, between the other writers' commits
    assistant.ingest([path])
first = files[0]  # revised: one article fewer
first.write_text("".join(first.read_text("utf-8").splitlines(True)[1:]), "utf-8")
assistant.ingest([folder])
assistant.remove([str(files[-1])])
files[-1].unlink()
print(json.dumps(sorted(str(p.resolve()) for p in files[:-1])))
"""

READER = """
import json, sys, time, traceback
sys.path.insert(0, sys.argv[1])
import hashed_embedding
url, data_dir, stop = sys.argv[2:5]
questions = json.loads(sys.argv[5])
from pathlib import Path
assistant = hashed_embedding.assistant(data_dir, chroma_url=url)
asked, errors, files_seen = 0, [], set()
while not Path(stop).exists():
    for question in questions:
        try:
            if asked % 7 == 0:
                assistant.ask(question)
            else:
                assistant.retrieve(question)
            files_seen.add(len(assistant.store.manifest.files))
        except Exception as error:
            errors.append(traceback.format_exc()[-1500:])
        asked += 1
time.sleep(1.5)  # past SHARED_REFRESH_SECONDS: the last commit is seen
assistant.retrieve(questions[0])
store = assistant.store
print(json.dumps({
    "asked": asked,
    "errors": errors,
    "files_seen": sorted(files_seen),
    "files": sorted(store.manifest.files),
    "manifest": sorted(store.manifest.chunk_ids()),
    "replica": sorted(store.bm25.chunk_ids()),
    "chroma": sorted(store.all_chroma_ids()),
    "check": assistant.check(),
    "gold": {q: [p.ref for p in assistant.retrieve(q).passages] for q in questions},
}))
"""


def write_files(folder: Path, writer: int) -> dict[str, str]:
    """The writer's feeds; returns a question per article and the feed it is in."""
    folder.mkdir(parents=True)
    questions = {}
    for f in range(FILES):
        records = []
        for a in range(ARTICLES):
            item = news_item(writer * 1000 + f * ARTICLES + a, SEED)
            records.append({"title": item.title, "text": item.text, "date": item.date})
            questions[item.question] = f"w{writer}-{f}.jsonl#{a + 1}"
        lines = [json.dumps(r, ensure_ascii=False) + "\n" for r in records]
        (folder / f"w{writer}-{f}.jsonl").write_text("".join(lines), "utf-8")
    return questions


def run_all(commands: list[list[str]], stop: Path, readers: int) -> list[Any]:
    """Start every process, stop the readers once the writers are done; their JSON."""
    processes = [
        subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for c in commands
    ]
    outputs = []
    try:
        for process in processes[readers:]:
            outputs.append(process.communicate(timeout=ROUND_SECONDS))
        stop.touch()
        outputs = [p.communicate(timeout=ROUND_SECONDS) for p in processes[:readers]] + outputs
    finally:
        for process in processes:
            process.kill()
    for process, (_, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err[-3000:]
    return [json.loads(out.splitlines()[-1]) for out, _ in outputs]


def test_three_writers_and_two_readers_share_one_index(
    chroma_server: ChromaServer, tmp_path: Path, repo_root: Path
) -> None:
    tests = str(repo_root / "tests")
    questions: dict[str, str] = {}
    commands = []
    for w in range(WRITERS):
        questions |= write_files(tmp_path / f"corpus-{w}", w)
    asked = [q for i, q in enumerate(questions) if i % 3 == 0]
    stop = tmp_path / "stop"
    for r in range(READERS):
        data_dir = str(tmp_path / f"reader-{r}")
        args = [tests, chroma_server.url, data_dir, str(stop), json.dumps(asked)]
        commands.append([sys.executable, "-c", READER, *args])
    for w in range(WRITERS):
        data_dir, folder = str(tmp_path / f"writer-{w}"), str(tmp_path / f"corpus-{w}")
        commands.append([sys.executable, "-c", WRITER, tests, chroma_server.url, data_dir, folder])
    results = run_all(commands, stop, READERS)
    readers, writers = results[:READERS], results[READERS:]

    kept = sorted(p for w in range(WRITERS) for p in (tmp_path / f"corpus-{w}").glob("*.jsonl"))
    assert len(kept) == WRITERS * (FILES - 1)
    assert sorted(p for w in writers for p in w) == [str(p.resolve()) for p in kept]
    fresh = hashed_embedding.assistant(tmp_path / "checker", chroma_url=chroma_server.url)
    store = fresh.store
    assert sorted(store.manifest.files) == [str(p.resolve()) for p in kept]
    chunks = store.manifest.chunk_ids()
    articles = sum(len(e.articles) for e in store.manifest.files.values())
    assert articles == WRITERS * ((FILES - 1) * ARTICLES - 1)  # each revised file lost one
    assert all(e.complete for e in store.manifest.files.values())
    assert store.all_chroma_ids() == chunks == store.bm25.chunk_ids()
    assert fresh.check() == []
    for reader in readers:
        assert reader["errors"] == [] and reader["asked"] > 0, "\n".join(reader["errors"])
        assert len(reader["files_seen"]) > 1, "the reader never saw the index grow"
        assert reader["files"] == sorted(store.manifest.files)
        assert set(reader["manifest"]) == set(reader["replica"]) == set(reader["chroma"]) == chunks
        assert reader["check"] == []
        # Each planted question finds its article (those of revised and removed files aside).
        unchanged = {p.name for p in kept if not p.name.endswith("-0.jsonl")}
        for question, sources in reader["gold"].items():
            if (gold := questions[question]).split("#")[0] in unchanged:
                assert gold in sources, question


KILLED_AFTER_CHROMA_ADD = """
import os, sys
sys.path.insert(0, sys.argv[1])
import hashed_embedding
from index.store import ChunkStore
add = ChunkStore._add_to_chroma
def add_then_die(self, nodes):
    add(self, nodes)
    os._exit(9)
ChunkStore._add_to_chroma = add_then_die
hashed_embedding.assistant(sys.argv[3], chroma_url=sys.argv[2]).ingest([sys.argv[4]])
"""


def test_a_killed_writer_repairs_its_own_files_only(
    chroma_server: ChromaServer, tmp_path: Path, repo_root: Path
) -> None:
    """A writer killed between Chroma's add and its commit leaves chunks no record
    names; its next ingest removes them and writes the file again, and leaves the
    other writer's files alone."""
    write_files(tmp_path / "corpus-0", 0)
    write_files(tmp_path / "corpus-1", 1)
    other = hashed_embedding.assistant(tmp_path / "writer-0", chroma_url=chroma_server.url)
    other.ingest([tmp_path / "corpus-0"])
    killed = subprocess.run(
        [
            sys.executable,
            "-c",
            KILLED_AFTER_CHROMA_ADD,
            str(repo_root / "tests"),
            chroma_server.url,
            str(tmp_path / "writer-1"),
            str(tmp_path / "corpus-1"),
        ],
        capture_output=True,
        text=True,
        timeout=ROUND_SECONDS,
    )
    assert killed.returncode == 9, killed.stderr[-3000:]
    reader = hashed_embedding.assistant(tmp_path / "reader", chroma_url=chroma_server.url)
    orphans = reader.store.all_chroma_ids() - reader.store.manifest.chunk_ids()
    assert orphans and reader.check() != []  # Chroma holds chunks no record names
    in_flight = tmp_path / "writer-1" / ".ingest-articles.in-flight"
    assert len(json.loads(in_flight.read_text("utf-8"))) == FILES

    # Gone before the next run: only the repair can remove its chunks.
    (tmp_path / "corpus-1" / f"w1-{FILES - 1}.jsonl").unlink()
    again = hashed_embedding.assistant(tmp_path / "writer-1", chroma_url=chroma_server.url)
    again.ingest([tmp_path / "corpus-1"])
    assert not in_flight.exists()
    fresh = hashed_embedding.assistant(tmp_path / "checker", chroma_url=chroma_server.url)
    assert fresh.check() == []
    assert len(fresh.store.manifest.files) == 2 * FILES - 1
    before = {p: e.chunk_ids for p, e in other.store.manifest.files.items()}
    assert {p: fresh.store.manifest.files[p].chunk_ids for p in before} == before

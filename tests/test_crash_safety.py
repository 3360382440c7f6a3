"""An ingest killed at any point leaves nothing that the next ingest does not repair:
afterwards every article is indexed exactly once, in Chroma, BM25 and the manifest
alike. Two ingests at once: the second is refused."""

from __future__ import annotations

import json
import os
import random
import re
import secrets
import select
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from index.bm25 import BM25Index, Row
from index.pipeline import IndexBusy
from rag.assistant import Assistant

pytestmark = pytest.mark.slow

ARTICLES = 60
REPLY_SECONDS = 180  # the first reply waits for the model to load

# Runs ingests in forked children of one process, so that the model loads once.
# A child is killed by the parent at a given time, or kills itself at a chosen
# point of the pipeline. One JSON command per stdin line, one JSON reply per line.
DRIVER = r"""
import json, os, random, signal, sys, threading, time, traceback
from pathlib import Path

from index.chunking import ChunkingConfig
from index.cleaning import Cleaner
from index.embedding import EmbeddingConfig, load_embedding
from index.loaders import LoadOptions
from index.pipeline import Indexer
from index.store import ChunkStore, Manifest

data_dir, corpus = Path(sys.argv[1]), Path(sys.argv[2])
model = load_embedding(EmbeddingConfig())  # used in children only: torch must not run before fork


def die():
    os.kill(os.getpid(), signal.SIGKILL)


def patch(owner, name, when, seconds=0.0):
    original = getattr(owner, name)

    def wrapper(*args, **kwargs):
        if when == "before":
            die()
        if when == "during":
            threading.Timer(random.uniform(0, seconds), die).start()
        result = original(*args, **kwargs)
        if when == "after":
            die()
        return result

    setattr(owner, name, wrapper)


CRASHES = {
    "none": lambda: None,
    "after-chroma-add": lambda: patch(ChunkStore, "_add_to_chroma", "after"),
    "during-chroma-add": lambda: patch(ChunkStore, "_add_to_chroma", "during", 0.3),
    "after-delete": lambda: patch(ChunkStore, "_delete", "after"),
    "before-manifest-save": lambda: patch(Manifest, "save", "before"),
}


def state():
    store = ChunkStore(data_dir)
    found = store.collection.get(include=["documents", "metadatas"])
    return {
        "manifest": {path: entry.chunk_ids for path, entry in store.manifest.files.items()},
        "chroma": {
            i: {"text": text, "path": meta["path"], "article": meta["article_id"]}
            for i, text, meta in zip(found["ids"], found["documents"], found["metadatas"])
        },
        "bm25": sorted(store.bm25.position),
        "dirty": (data_dir / ".ingest-articles.dirty").exists(),
    }


def child(command):
    if command["do"] == "state":
        return state()
    random.seed(command.get("seed", 0))
    CRASHES[command.get("crash", "none")]()
    indexer = Indexer(ChunkStore(data_dir), EmbeddingConfig(), ChunkingConfig(),
                      LoadOptions(Cleaner.load()), embed_model=lambda: model)
    if command["do"] == "remove":
        return {"removed": indexer.remove(command["paths"])}
    summary = indexer.ingest([corpus], prune=True)
    return {"summary": {"articles": summary.articles, "chunks": summary.chunks,
                        "unchanged": summary.unchanged, "removed": summary.removed,
                        "skipped": [vars(s) for s in summary.skipped]}}


for line in sys.stdin:
    command = json.loads(line)
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(reader)
        try:
            reply = child(command)
        except BaseException:
            reply = {"error": traceback.format_exc()}
        os.write(writer, json.dumps(reply).encode())
        os._exit(0)
    os.close(writer)
    output = []  # read while the child runs: a full pipe would block it
    reading = threading.Thread(target=lambda: output.append(os.fdopen(reader, "rb").read()))
    reading.start()
    started = time.monotonic()
    kill_after = command.get("kill_after")
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        elapsed = time.monotonic() - started
        if (kill_after is not None and elapsed >= kill_after) or elapsed > 120:
            os.kill(pid, signal.SIGKILL)
        time.sleep(0.01)
    reading.join()
    if os.WIFSIGNALED(status):
        reply = {"killed": True}
    else:
        reply = json.loads(output[0] or b'{"error": "no reply"}')
    print(json.dumps(reply), flush=True)
"""


class Driver:
    def __init__(self, folder: Path, data_dir: Path, corpus: Path) -> None:
        script = folder / "driver.py"
        script.write_text(DRIVER, "utf-8")
        self.log = folder / "driver.log"
        env = {**os.environ, "TOKENIZERS_PARALLELISM": "false", "HF_HUB_OFFLINE": "1"}
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [sys.executable, str(script), str(data_dir), str(corpus)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
                env=env,
            )

    def send(self, **command: Any) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        ready, _, _ = select.select([self.process.stdout], [], [], REPLY_SECONDS)
        line = self.process.stdout.readline() if ready else ""
        assert line, f"no reply to {command}:\n{self.log.read_text()}"
        reply: dict[str, Any] = json.loads(line)
        assert "error" not in reply, reply["error"]
        return reply

    def close(self) -> None:
        self.process.kill()
        self.process.wait(timeout=30)


@pytest.fixture
def driver(tmp_path: Path) -> Iterator[Driver]:
    (tmp_path / "corpus").mkdir()
    process = Driver(tmp_path, tmp_path / "data", tmp_path / "corpus")
    try:
        yield process
    finally:
        process.close()


def marker(n: int) -> str:
    """A word that only article n contains (letters only, so BM25 keeps it whole)."""
    return "zq" + "".join(chr(ord("a") + int(d)) for d in f"{n:03d}")


def write_article(corpus: Path, n: int, revised: bool = False) -> Path:
    day = n % 28 + 1
    if n % 3 == 0:
        path = corpus / f"hi_{n:03d}.txt"
        body = [
            f"वार्ड {n} की बैठक {marker(n)}",
            f"नगर निगम ने सोमवार को वार्ड {n} में सड़कों और नालियों की मरम्मत की योजना को मंजूरी दी।",
        ]
        body += (
            []
            if revised
            else [
                f"अधिकारियों ने बताया कि चरण {part} का काम {day} सितंबर से शुरू होगा और छह महीने में "
                "पूरा होगा। योजना पर करीब बारह करोड़ रुपये खर्च होंगे और इससे हजारों लोगों को राहत मिलेगी।"
                for part in range(1, 4)
            ]
        )
    else:
        path = corpus / f"en_{n:03d}.txt"
        body = [
            f" date 2025-08-{day:02d} Pune, Aug {day} (PTI): Ward {n} council story {marker(n)} "
            "opens as the civic body approved a plan to repair roads and drains on Monday."
        ]
        body += (
            []
            if revised
            else [
                f"Officials said phase {part} of the work in ward {n} would begin next month, cost "
                "about Rs 12 crore and be finished within six months, bringing relief to thousands "
                "of residents who have complained for years about waterlogging and potholes."
                for part in range(1, 4)
            ]
        )
    if revised:
        body.append(f"The plan for ward {n} was revised on Friday after the residents objected.")
    path.write_text("\n\n".join(body), "utf-8")
    return path


def assert_indexed_exactly_once(state: dict[str, Any], corpus: Path) -> None:
    manifest: dict[str, list[str]] = state["manifest"]
    chroma: dict[str, dict[str, str]] = state["chroma"]
    assert not state["dirty"]
    assert set(manifest) == {str(p.resolve()) for p in corpus.iterdir()}
    manifest_ids = [i for ids in manifest.values() for i in ids]
    assert len(manifest_ids) == len(set(manifest_ids))
    assert set(manifest_ids) == set(chroma) == set(state["bm25"]), "stores out of step"
    for path, ids in manifest.items():
        assert ids, f"{path} has no chunks"
        assert {chroma[i]["path"] for i in ids} == {path}
        assert len({chroma[i]["article"] for i in ids}) == 1
        text = Path(path).read_text("utf-8")
        for i in ids:  # the current version of the file, not an old one
            assert chroma[i]["text"].split()[-1] in text


def test_ingest_killed_anywhere_is_repaired_by_the_next_one(driver: Driver, tmp_path: Path) -> None:
    corpus, seed = tmp_path / "corpus", secrets.randbits(32)
    rng = random.Random(seed)
    why = f"(random seed {seed})"
    files = {n: write_article(corpus, n) for n in range(ARTICLES)}

    # The first ingest, killed twice before it ever completes.
    driver.send(do="ingest", kill_after=rng.uniform(0.3, 3.0))
    assert driver.send(do="ingest", crash="after-chroma-add") == {"killed": True}
    first = driver.send(do="ingest")["summary"]
    assert first["articles"] == ARTICLES and not first["skipped"], why
    assert_indexed_exactly_once(driver.send(do="state"), corpus)

    # Then files change, go and come, and every ingest of that is killed somewhere.
    revised = list(range(0, ARTICLES, 6))
    for n in revised:
        write_article(corpus, n, revised=True)
    for n in range(1, ARTICLES, 6):  # none of them revised
        files.pop(n).unlink()
    for n in range(ARTICLES, ARTICLES + 3):
        files[n] = write_article(corpus, n)
    assert driver.send(do="ingest", crash="after-delete") == {"killed": True}
    driver.send(do="ingest", crash="during-chroma-add", seed=rng.randrange(2**32))
    driver.send(do="ingest", crash="before-manifest-save")
    driver.send(do="ingest", kill_after=rng.uniform(0.3, 3.0))
    assert not driver.send(do="ingest")["summary"]["skipped"], why
    # And a removal killed half-way through (the file stays, so it comes back).
    assert driver.send(do="remove", paths=[str(files[2])], crash="after-delete") == {"killed": True}
    assert driver.send(do="ingest")["summary"]["articles"] == 1, why

    state = driver.send(do="state")
    assert_indexed_exactly_once(state, corpus)
    chroma_text = " ".join(chunk["text"] for chunk in state["chroma"].values())
    for n in revised:
        assert f"The plan for ward {n} was revised" in chroma_text, why
    revised_text = " ".join(
        state["chroma"][i]["text"] for n in revised for i in state["manifest"][str(files[n])]
    )
    assert "bringing relief" not in revised_text and "राहत मिलेगी" not in revised_text, why

    again = driver.send(do="ingest")["summary"]
    assert again == {
        "articles": 0,
        "chunks": 0,
        "unchanged": len(files),
        "removed": 0,
        "skipped": [],
    }, why
    assert driver.send(do="state") == state, why


HOLDER = r"""
import sys
import index.pipeline as pipeline
from rag.assistant import Assistant

load_file = pipeline.load_file


def holding(path, options):
    print("holding", flush=True)
    sys.stdin.readline()  # the test kills this process here, lock and all
    return load_file(path, options)


pipeline.load_file = holding
Assistant(data_dir=sys.argv[1]).ingest([sys.argv[2]])
"""


def test_a_second_ingest_is_refused_while_one_runs_and_allowed_once_it_died(
    make_assistant: Callable[..., Assistant], tmp_path: Path
) -> None:
    corpus, data_dir = tmp_path / "corpus", tmp_path / "data"
    corpus.mkdir()
    for n in range(3):
        write_article(corpus, n)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(data_dir), str(corpus)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        ready, _, _ = select.select([holder.stdout], [], [], 120)
        assert ready and holder.stdout.readline().strip() == "holding"
        second = make_assistant(data_dir)
        message = re.escape(f"another ingest is writing to {data_dir}; wait for it to finish")
        with pytest.raises(IndexBusy, match=message):
            second.ingest([corpus])
        with pytest.raises(IndexBusy, match=message):
            second.remove([str(corpus / "en_001.txt")])
    finally:
        holder.kill()
        holder.wait(timeout=30)
    summary = make_assistant(data_dir).ingest([corpus])
    assert summary.articles == 3
    assert not (data_dir / ".ingest-articles.dirty").exists()


KILLED_COMPACTION = r"""
import os, signal, sys
from pathlib import Path
import index.bm25 as bm25

index = bm25.BM25Index.load(Path(sys.argv[1]))
index.delete([f"c{n}" for n in range(0, 30, 2)])  # half dead: the next save compacts
bm25.atomic_write = lambda path, data: os.kill(os.getpid(), signal.SIGKILL)
index.save(Path(sys.argv[1]))
"""


def test_a_bm25_save_killed_mid_compaction_keeps_the_previous_index(tmp_path: Path) -> None:
    folder = tmp_path / "bm25"
    index = BM25Index()
    words = ["monsoon", "metro", "satellite", "repo", "rate", "launch", "rain", "station"]
    for segment in range(3):
        index.add(
            [
                Row(f"c{n}", [words[n % 8], words[(n * 3) % 8], f"w{n}"], "en", "pti", 20250801)
                for n in range(segment * 10, segment * 10 + 10)
            ]
        )
        index.save(folder)
    queries = [["monsoon"], ["metro", "rate"], ["w7", "launch"]]
    before = [index.search(q, 30) for q in queries]

    killed = subprocess.run(
        [sys.executable, "-c", KILLED_COMPACTION, str(folder)], timeout=120, check=False
    )
    assert killed.returncode == -9
    survivor = BM25Index.load(folder)
    assert sorted(survivor.position) == sorted(index.position)
    assert [survivor.search(q, 30) for q in queries] == before

"""What the lexical side of an index costs in memory and disk as it grows
(docs/scale.md): `python -m eval.lexical_memory --sizes 20000,50000,100000`.

For each size, synthetic articles (eval.synthetic) are chunked as the ingest
chunks them and indexed as BM25 segments, committed every COMMIT_ROWS rows as an
ingest commits; then a fresh process loads the index and answers QUESTIONS
questions, and its resident memory is read before and after. The same rows
give what a Qdrant collection would hold: non-zero sparse-vector entries and
payload bytes (Qdrant itself is not run: no server can be installed here).
No embedding: the dense side is a matter of arithmetic (docs/scale.md).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any, cast

from eval.metrics import percentile
from eval.synthetic import news_item, planted_questions
from index.bm25 import BM25Index
from index.chunking import Chunker, ChunkingConfig
from index.documents import Article
from index.language import Language
from index.lexical import lexical_row
from rag.retrieval import query_terms

SEED = 16
COMMIT_ROWS = 5_000
QUESTIONS = 200


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def build(size: int, folder: Path) -> dict[str, Any]:
    """Index synthetic chunks until there are `size`; what a Qdrant point of each
    would hold is counted on the way."""
    chunker = Chunker(ChunkingConfig())
    index, pending = BM25Index.load(folder), []
    rows = articles = entries = payload = 0
    started = time.perf_counter()
    while rows < size:
        item = news_item(articles, SEED)
        article = Article(
            item.title, item.text, cast(Language, item.language), f"/synthetic/{articles}.txt", None,
            date.fromisoformat(item.date), item.outlet, item.url,
        )  # fmt: skip
        articles += 1
        for chunk in chunker.chunk(article)[: size - rows]:
            row = lexical_row(chunk.id, chunk.text, chunk.stored().to_metadata())
            entries += len(set(row.terms))
            payload += len(json.dumps(_payload(row), ensure_ascii=False).encode())
            pending.append(row)
            rows += 1
        if len(pending) >= COMMIT_ROWS or rows >= size:
            index.add(pending)
            index.commit()
            pending = []
    return {
        "chunks": rows,
        "articles": articles,
        "build_s": round(time.perf_counter() - started, 1),
        "vocabulary": len(index.vocab),
        "segments": len(index.segments),
        "sparse_entries": entries,
        "payload_bytes": payload,
        "disk_mb": round(sum(f.stat().st_size for f in folder.iterdir()) / 2**20, 1),
    }


def _payload(row: Any) -> dict[str, Any]:
    """What index.qdrant_lexical keeps with a point (its norm as a typical float)."""
    fields = {"chunk_id": row.id, "lang": row.lang, "source": row.outlet, "date": row.date}
    return {**fields, "norm": 1.2345678901234567, "stored": row.stored}


def serve(folder: Path, articles: int) -> dict[str, Any]:
    """A fresh process's memory with the index loaded, and after questions."""
    before = rss_mb()
    started = time.perf_counter()
    index = BM25Index.load(folder)
    loaded = rss_mb()
    load_s = time.perf_counter() - started
    seconds = []
    for q in planted_questions(range(articles), QUESTIONS, SEED):
        terms, weights = query_terms(q.question)
        t = time.perf_counter()
        hits = index.search(terms, 40, weights=weights)
        index.stored([i for i, _ in hits[:15]])
        seconds.append(time.perf_counter() - t)
    return {
        "process_mb": round(before, 1),
        "index_mb": round(loaded - before, 1),
        "after_questions_mb": round(rss_mb() - before, 1),
        "load_s": round(load_s, 2),
        "query_p50_ms": round((percentile(seconds, 50) or 0.0) * 1000, 2),
        "query_p95_ms": round((percentile(seconds, 95) or 0.0) * 1000, 2),
    }


def in_child(phase: str, size: int, folder: Path, articles: int = 0) -> dict[str, Any]:
    command = [sys.executable, "-m", "eval.lexical_memory", "--phase", phase]
    command += ["--sizes", str(size), "--folder", str(folder), "--articles", str(articles)]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    result: dict[str, Any] = json.loads(out.splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="20000,50000,100000")
    parser.add_argument("--out", type=Path, default=Path("runs/lexical-memory"))
    parser.add_argument("--phase", choices=["build", "serve"], help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--articles", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.phase == "build":
        print(json.dumps(build(sizes[0], args.folder)))
        return
    if args.phase == "serve":
        print(json.dumps(serve(args.folder, args.articles)))
        return
    results = []
    for size in sizes:
        folder = args.out / f"bm25-{size}"
        shutil.rmtree(folder, ignore_errors=True)
        built = in_child("build", size, folder)
        results.append({**built, **in_child("serve", size, folder, built["articles"])})
        print(json.dumps(results[-1]), flush=True)
        shutil.rmtree(folder)
    (args.out / "results.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()

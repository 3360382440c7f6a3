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

from eval.bench.cli import cmd_bench, register

__all__ = ["cmd_bench", "register"]

"""A stand-in for the embedding model in fault tests: words hashed into a small
normalised vector, so that ingest and English questions run for real through
Chroma and BM25 in seconds, without loading the model (the faults are in the
files, not in the embedding)."""

from __future__ import annotations

import hashlib
import math
import re
from typing import Any

DIMENSION = 64


class _WordTokenizer:
    def __call__(self, text: str, **_: Any) -> dict[str, list[int]]:
        return {"input_ids": list(range(len(text.split()) + 2))}


class _Model:
    tokenizer = _WordTokenizer()
    max_seq_length = 512


class HashedEmbedding:
    _model = _Model()
    model_name = "hashed-test-words"  # not the model the answerer's weights were fitted with

    def _vector(self, text: str) -> list[float]:
        vector = [0.0] * DIMENSION
        for word in re.findall(r"\w+", text.lower()):
            slot = int(hashlib.md5(word.encode()).hexdigest()[:8], 16) % DIMENSION
            vector[slot] += 1.0
        norm = math.sqrt(sum(v * v for v in vector)) or 1.0
        return [v / norm for v in vector]

    def get_text_embedding_batch(self, texts: list[str], **_: Any) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def get_query_embedding(self, query: str) -> list[float]:
        return self._vector(query)


def assistant(data_dir: Any, **settings: Any) -> Any:
    """An Assistant on `data_dir` that embeds with HashedEmbedding."""
    from rag.assistant import Assistant

    made = Assistant(data_dir=data_dir, **settings)
    made._embed_model = made._query_model = HashedEmbedding()
    return made

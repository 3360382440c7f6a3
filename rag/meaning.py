"""How close in meaning a sentence is to a question, in either language.

The answerer's words-in-common features cannot see a paraphrase ("took part" /
"delegates") or a sentence in the other script; the multilingual embedding
model can. Questions are embedded as queries and sentences as passages, the
way the model was trained; the vectors of sentences already seen are kept, so
that asking again about the same articles costs one question embedding.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np

# About 1.5 KB a vector (384 floats): 20k sentences are 30 MB.
CACHED_SENTENCES = 20_000


class SentenceMeaning:
    """Cosine similarity of a question to sentences under one embedding model."""

    def __init__(self, embed_model: Any, cached: int = CACHED_SENTENCES) -> None:
        self._model = embed_model
        self._cached = cached
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, question: str, sentences: Sequence[str]) -> np.ndarray:
        if not sentences:
            return np.zeros(0)
        asked = _unit(np.asarray(self._model.get_query_embedding(question), float))
        return np.array([float(asked @ v) for v in self._sentence_vectors(sentences)])

    def _sentence_vectors(self, sentences: Sequence[str]) -> list[np.ndarray]:
        with self._lock:
            known = {s: self._vectors[s] for s in sentences if s in self._vectors}
            for s in known:
                self._vectors.move_to_end(s)
        missing = [s for s in dict.fromkeys(sentences) if s not in known]
        if missing:
            fresh = self._model.get_text_embedding_batch(missing)
            vectors = {s: _unit(np.asarray(v, float)) for s, v in zip(missing, fresh, strict=True)}
            known |= vectors
            with self._lock:
                self._vectors.update(vectors)
                while len(self._vectors) > self._cached:
                    self._vectors.popitem(last=False)
        return [known[s] for s in sentences]


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector

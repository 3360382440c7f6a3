"""The lexical index's contract: what the store, the ingest and retrieval ask of it.

Two implementations: `index.bm25.BM25Index`, segments in the data folder (the
default), and `index.qdrant_lexical.QdrantLexicalIndex`, Qdrant's sparse vectors,
which several machines can share. Both rank with the same BM25 (Lucene's variant,
each language with its own statistics) and keep each chunk's stored fields, so
the passages a question retrieves come from the lexical index, not from a second
request to Chroma.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

import numpy as np

from index.bm25 import Row, RowFilter
from index.documents import StoredChunk
from index.tokenize import index_terms


class LexicalIndex(Protocol):
    def __len__(self) -> int: ...

    def add(self, rows: Sequence[Row]) -> None:
        """Rows whose id is new; written by the next `commit`."""

    def delete(self, ids: Iterable[str]) -> None: ...

    def commit(self) -> None:
        """Make what was added and deleted durable (and, on a server, visible)."""

    def search(
        self,
        query_terms: Sequence[str],
        k: int,
        row_filter: RowFilter | None = None,
        weights: Sequence[float] | None = None,
    ) -> list[tuple[str, float]]:
        """Top-k (id, score), best first, ties by id; each distinct term counts once."""

    def idf(self, terms: Iterable[str]) -> np.ndarray:
        """Over the whole index, all languages together."""

    def stored(self, chunk_ids: Iterable[str]) -> dict[str, Any]:
        """The stored fields ({"text", "metadata"}) of those of `chunk_ids` that have them."""

    def languages_of(self, chunk_ids: Iterable[str]) -> dict[str, str]: ...

    def term_sets(self, chunk_ids: Iterable[str]) -> dict[str, frozenset[int]]:
        """The distinct terms of each indexed chunk among `chunk_ids`, as numbers."""

    def chunk_ids(self) -> set[str]:
        """Every chunk indexed (a full scan: for repairs and checks)."""


def lexical_row(chunk_id: str, text: str, metadata: dict[str, Any]) -> Row:
    """What the lexical index keeps of a chunk: its terms, the fields filters use,
    and its text and metadata as stored fields (returned as they are by `stored`)."""
    stored = StoredChunk.from_metadata(metadata)
    return Row(
        chunk_id,
        index_terms(text),
        stored.language,
        stored.outlet,
        stored.date,
        {"text": text, "metadata": metadata},
    )

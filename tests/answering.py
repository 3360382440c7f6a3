"""Passages and an idf for the answerer's tests, without an index."""

from __future__ import annotations

from typing import Any

import numpy as np

from rag.types import Passage


def passage(text: str, language: str = "en", **fields: Any) -> Passage:
    """`text` as the first-ranked passage of a one-passage article; any field overridable."""
    values: dict[str, Any] = {
        "n": 1, "chunk_id": "c", "text": text, "ref": "a.txt", "path": "a.txt", "title": "",
        "outlet": "KNN", "url": "", "date": "", "language": language, "start": 0,
        "end": len(text), "score": 1.0,
    }  # fmt: skip
    return Passage(**(values | fields))


def flat_idf(terms: list[str]) -> np.ndarray:
    """Every word as informative as any other, and less than one no article holds ("\\x00")."""
    return np.array([5.0 if t == "\x00" else 2.0 for t in terms])

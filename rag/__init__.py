"""Bilingual (Hindi/English) question answering over news articles."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from index.documents import ArticleRecord
    from index.files import DiskFull, IndexCorrupt, ReadOnlyIndex
    from index.loaders import SkipFile
    from index.pipeline import IndexBusy
    from index.store import IndexMismatch, StoreUnavailable
    from rag.assistant import Assistant
    from rag.settings import Settings
    from rag.types import Answer, Citation, Filters, Passage

# The fictional articles shipped with the package: a corpus that exists wherever it is installed.
SAMPLE_CORPUS = Path(__file__).resolve().parent.parent / "index" / "sample_corpus"

# What a caller may need to catch, by the module that raises it.
_ERRORS = {
    "DiskFull": "index.files",
    "IndexCorrupt": "index.files",
    "ReadOnlyIndex": "index.files",
    "SkipFile": "index.loaders",
    "IndexBusy": "index.pipeline",
    "IndexMismatch": "index.store",
    "StoreUnavailable": "index.store",
}

__all__ = [
    "SAMPLE_CORPUS",
    "Answer",
    "ArticleRecord",
    "Assistant",
    "Citation",
    "DiskFull",
    "Filters",
    "IndexBusy",
    "IndexCorrupt",
    "IndexMismatch",
    "Passage",
    "ReadOnlyIndex",
    "Settings",
    "SkipFile",
    "StoreUnavailable",
]


def __getattr__(name: str) -> Any:
    # Lazy, so that `rag --help` and the CLI start without llama-index or torch.
    import importlib

    if name == "Assistant":
        return importlib.import_module("rag.assistant").Assistant
    if name == "Settings":
        return importlib.import_module("rag.settings").Settings
    if name == "ArticleRecord":  # what Assistant.articles() lists
        return importlib.import_module("index.documents").ArticleRecord
    if name in ("Answer", "Citation", "Filters", "Passage"):
        return getattr(importlib.import_module("rag.types"), name)
    if name in _ERRORS:
        return getattr(importlib.import_module(_ERRORS[name]), name)
    raise AttributeError(name)

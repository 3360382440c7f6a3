"""Bilingual (Hindi/English) question answering over news articles."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rag.assistant import Assistant
    from rag.settings import Settings
    from rag.types import Answer, Citation, Filters, Passage

__all__ = ["Answer", "Assistant", "Citation", "Filters", "Passage", "Settings"]


def __getattr__(name: str) -> Any:
    # Lazy, so that `rag --help` and the CLI start without llama-index or torch.
    if name == "Assistant":
        from rag.assistant import Assistant

        return Assistant
    if name == "Settings":
        from rag.settings import Settings

        return Settings
    if name in ("Answer", "Citation", "Filters", "Passage"):
        from rag import types

        return getattr(types, name)
    raise AttributeError(name)

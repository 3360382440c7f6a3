"""Passages embedded by several processes (or GPUs) at once.

llama-index's HuggingFaceEmbedding has a `parallel_process` option, but it
starts sentence-transformers' multi-process pool (a process and a model load
per device) for every batch of texts and stops it again. Here the pool is
started on the first batch and kept.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from llama_index.core.bridge.pydantic import PrivateAttr
from llama_index.embeddings.huggingface import HuggingFaceEmbedding


class PooledEmbedding(HuggingFaceEmbedding):
    _pool: Any = PrivateAttr(default=None)
    _pool_devices: list[str] = PrivateAttr()

    def __init__(self, *, pool_devices: list[str], embed_batch_size: int, **options: Any) -> None:
        # Each llama-index batch is shared among the workers.
        super().__init__(embed_batch_size=embed_batch_size * len(pool_devices), **options)
        self._pool_devices = pool_devices

    @classmethod
    def class_name(cls) -> str:
        return "PooledEmbedding"

    def _embed(self, inputs: list[Any], prompt_name: str | None = None) -> list[list[float]]:
        if len(inputs) == 1:  # a question: not worth a trip through the queues
            return super()._embed(inputs, prompt_name)
        if self._pool is None:
            with _threads_per_worker(self._pool_devices):
                self._pool = self._model.start_multi_process_pool(self._pool_devices)
        workers = len(self._pool_devices)
        vectors = self._model.encode(
            inputs,
            pool=self._pool,
            batch_size=self.embed_batch_size // workers,
            chunk_size=math.ceil(len(inputs) / workers),
            prompt_name=prompt_name,
            normalize_embeddings=self.normalize,
        )
        return vectors.tolist()

    def close(self) -> None:
        if self._pool is not None:
            self._model.stop_multi_process_pool(self._pool)
            self._pool = None


@contextmanager
def _threads_per_worker(devices: list[str]) -> Iterator[None]:
    """CPU workers share the cores instead of each starting a thread per core
    (torch reads OMP_NUM_THREADS when a spawned worker imports it)."""
    cpu_workers = sum(d == "cpu" for d in devices)
    before = os.environ.get("OMP_NUM_THREADS")
    if cpu_workers:
        os.environ["OMP_NUM_THREADS"] = str(max(1, (os.cpu_count() or 1) // cpu_workers))
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("OMP_NUM_THREADS", None)
        else:
            os.environ["OMP_NUM_THREADS"] = before

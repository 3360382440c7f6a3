"""Several embedding processes give the vectors one process gives, and the
pool of processes is started once, not for every batch."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from index.embedding import BUNDLED_MODEL, EmbeddingConfig, load_embedding, pool_devices
from index.pooled_embedding import PooledEmbedding

pytestmark = pytest.mark.slow


def test_pool_devices_spread_over_the_chosen_device() -> None:
    assert pool_devices("cpu", 3) == ["cpu", "cpu", "cpu"]
    assert pool_devices("cuda:1", 2) == ["cuda:1", "cuda:1"]


def test_two_processes_embed_as_one_does() -> None:
    embedding_model = load_embedding(EmbeddingConfig(BUNDLED_MODEL))  # one process
    texts = [f"Story {n}: the council met on day {n} to discuss roads." for n in range(40)]
    texts += ["पुणे मेट्रो के नए खंड का उद्घाटन हुआ।", "x"]
    pooled = load_embedding(EmbeddingConfig(BUNDLED_MODEL, processes=2, batch_size=8))
    assert isinstance(pooled, PooledEmbedding)
    try:
        # 42 texts in llama-index batches of 16 (8 per worker), in two calls.
        first = pooled.get_text_embedding_batch(texts[:20])
        pool = pooled._pool
        assert len(pool["processes"]) == 2
        second = pooled.get_text_embedding_batch(texts[20:])
        assert pooled._pool is pool and all(p.is_alive() for p in pool["processes"])
        got = np.array(first + second)
        want = np.array(embedding_model.get_text_embedding_batch(texts))
        assert got.shape == want.shape
        assert np.allclose(got, want, atol=1e-5)
        question = "Who opened the metro line?"
        assert np.allclose(
            pooled.get_query_embedding(question), embedding_model.get_query_embedding(question)
        )
    finally:
        pooled.close()
    assert pooled._pool is None


def test_an_ingest_with_two_processes_closes_its_pool(tmp_path: Any) -> None:
    from rag.assistant import Assistant

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for n in range(3):
        (corpus / f"story{n}.txt").write_text(
            f"Council story {n}\n\nThe council approved {n + 12} new buses for ward {n}. "
            "The buses will run from next month.",
            "utf-8",
        )
    assistant = Assistant(data_dir=tmp_path / "data", embed_model=BUNDLED_MODEL, embed_processes=2)
    summary = assistant.ingest([corpus])
    assert summary.chunks >= 3
    model = assistant.embed_model()
    assert isinstance(model, PooledEmbedding) and model._pool is None
    answer = assistant.ask("How many new buses did the council approve for ward 1?")
    assert answer.answered and "13" in answer.text

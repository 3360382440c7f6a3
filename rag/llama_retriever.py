"""The project's hybrid retrieval as a llama-index retriever, for query engines.

    from rag.llama_retriever import LlamaIndexRetriever
    retriever = LlamaIndexRetriever(assistant)      # retrieve("…") -> NodeWithScore

Kept apart from rag.retrieval so that answering a question never imports
llama-index (two seconds of a cold `rag ask`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

if TYPE_CHECKING:
    from rag.assistant import Assistant


class LlamaIndexRetriever(BaseRetriever):
    """`assistant.retrieve` behind llama-index's BaseRetriever; k from the settings
    unless given."""

    def __init__(self, assistant: Assistant, k: int | None = None) -> None:
        super().__init__()
        self._assistant = assistant
        self._k = k

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        passages = self._assistant.retrieve(query_bundle.query_str, k=self._k).passages
        return [
            NodeWithScore(
                node=TextNode(
                    id_=p.chunk_id,
                    text=p.text,
                    metadata={"ref": p.ref, "title": p.title, "language": p.language},
                ),
                score=p.score,
            )
            for p in passages
        ]

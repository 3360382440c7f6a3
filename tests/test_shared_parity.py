"""The shared index answers as the embedded default does: the seed set's articles
(and a slice of XQuAD's mixed pool) ingested into (a) the embedded default and
(b) a real `chroma run` on loopback with the manifest in Chroma and BM25 in
Qdrant's local mode; every question asked of (a) through the Assistant and of
(b) through the web app's chat turn (ui.chat.respond on a SharedAssistant, as
the UI asks) gets the same passages in the same order with the same scores,
and the same answer text and citations.

Chroma's HNSW graph is not reproducible: two builds of the same vectors, added
in the same batches, can miss different neighbours at the tail of an
approximate search, embedded or not (XQuAD's mixed pool at Chroma's default
ef_search of 100: 4 of 200 questions ranked differently by two embedded builds,
5 of 200 by embedded and server; `hnsw:num_threads` 1 does not change it). Both
sides here search their HNSW exhaustively (ef_search above the number of
chunks), which takes that approximation out and leaves what the shared layout
itself decides: the manifest, Qdrant's BM25, the fusion over them, and what the
server sends back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import hashed_embedding
import pytest
from chroma_process import ChromaServer

from eval.datasets import EvalItem, load_set, spread
from index.chroma import chroma_client
from rag.assistant import Assistant
from rag.types import Answer
from ui.assistants import SharedAssistant
from ui.chat import ChatRequest, Conversation, respond

pytest.importorskip("qdrant_client", reason="Qdrant's client is the `scale` extra")

pytestmark = pytest.mark.slow

EXHAUSTIVE_EF = 10_000  # past every chunk of these corpora: HNSW's search visits them all
XQUAD_QUESTIONS = 40
REQUEST = ChatRequest(k=5, mode="hybrid", backend="extractive")


def exhaustive_collection(data_dir: Path, url: str | None) -> None:
    """The generation-0 collection made before the store makes it, with an
    ef_search that makes its nearest-neighbour search exact."""
    client = chroma_client(data_dir, url)
    metadata = {"hnsw:space": "cosine", "hnsw:search_ef": EXHAUSTIVE_EF}
    client.get_or_create_collection("articles", metadata=metadata)


def both_layouts(corpus: list[Path], tmp_path: Path, url: str) -> tuple[Assistant, Assistant]:
    embedded_dir, shared_dir = tmp_path / "embedded", tmp_path / "shared"
    exhaustive_collection(embedded_dir, None)
    exhaustive_collection(shared_dir, url)
    embedded = hashed_embedding.assistant(embedded_dir)
    shared = hashed_embedding.assistant(
        shared_dir, chroma_url=url, lexical_url=str(tmp_path / "qdrant")
    )
    for assistant in (embedded, shared):
        assistant.ingest(corpus)
    assert shared.store.shared and shared.store.lexical_url
    assert shared.store.manifest.chunk_ids() == embedded.store.manifest.chunk_ids()
    assert not (shared_dir / "chroma").exists() and not (shared_dir / "bm25").exists()
    return embedded, shared


def through_the_ui(shared: SharedAssistant, item: EvalItem) -> Answer:
    """The Answer the chat turn shows, the conversation's earlier questions given."""
    *_, (_, _, conversation) = respond(
        shared, item.question, Conversation(questions=list(item.history)), REQUEST
    )
    assert conversation.answer is not None, conversation.messages[-1]["content"]
    return conversation.answer


def ranked(assistant: Assistant, item: EvalItem) -> list[tuple[str, dict[str, float]]]:
    retrieval = assistant.retrieve(
        item.question, history=item.history, k=REQUEST.k, retriever=REQUEST.mode
    )
    return [(p.chunk_id, p.scores) for p in retrieval.passages]


def assert_same_answers(embedded: Assistant, shared: Assistant, items: list[EvalItem]) -> None:
    ui = SharedAssistant(shared)
    answered = 0
    for item in items:
        assert ranked(shared, item) == ranked(embedded, item), item.id
        expected = embedded.ask(
            item.question,
            history=item.history,
            k=REQUEST.k,
            retriever=REQUEST.mode,
            answerer=REQUEST.backend,
        )
        got = through_the_ui(ui, item)
        assert (got.text, got.citations) == (expected.text, expected.citations), item.id
        assert [p.chunk_id for p in got.passages] == [p.chunk_id for p in expected.passages]
        answered += expected.answered
    assert answered >= len(items) // 3, "too few answers for the comparison to mean much"


def test_the_seed_set_answers_the_same_on_the_shared_index(
    shared_corpus: Path, chroma_server: ChromaServer, tmp_path: Path
) -> None:
    seed = load_set("seed")  # its corpus is the user's articles (shared_corpus skips without)
    embedded, shared = both_layouts(seed.corpus, tmp_path, chroma_server.url)
    assert any(item.history for item in seed.items), "follow-ups are asked with their history"
    assert_same_answers(embedded, shared, seed.items)
    chat_through_the_gradio_app(embedded, shared, seed.items[0])


def chat_through_the_gradio_app(embedded: Assistant, shared: Assistant, item: EvalItem) -> None:
    """One question through the app's own chat event on the shared index."""
    from ui.app import build_app

    app = build_app(shared).blocks
    chat = next(f for f in app.fns.values() if f.name == "chat")
    arguments: list[Any] = [item.question, Conversation(), "en", "auto", REQUEST.k]
    arguments += [REQUEST.mode, REQUEST.backend, None, None, None, None]
    *_, (_, _, conversation, _) = chat.fn(*arguments)
    expected = embedded.ask(item.question, k=REQUEST.k, retriever=REQUEST.mode)
    assert conversation.answer.text == expected.text and expected.answered
    assert conversation.answer.citations == expected.citations


def test_a_slice_of_xquad_answers_the_same_on_the_shared_index(
    chroma_server: ChromaServer, tmp_path: Path
) -> None:
    from eval.squad import XQUAD_DIR, squad_set, xquad_files

    if not (XQUAD_DIR / "xquad-dev.en.json").is_file():
        pytest.skip(f"XQuAD dev is not at {XQUAD_DIR} (absent from a fresh clone)")
    pool = squad_set("mixed", xquad_files(), tmp_path / "pool")
    items = spread(pool.items, XQUAD_QUESTIONS)
    assert {item.language for item in items} == {"en", "hi"}
    embedded, shared = both_layouts(pool.corpus, tmp_path, chroma_server.url)
    assert_same_answers(embedded, shared, items)

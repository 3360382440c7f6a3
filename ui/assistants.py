"""The Assistants behind the web app: one per (retrieval mode, answer backend), so a
reader's settings never change what another reader gets, and a lock that lets
many questions run together but an ingest or removal only alone (the indexer
updates the BM25 arrays that a concurrent search reads)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from rag.assistant import Assistant


class ReadWriteLock:
    """Shared readers, one exclusive writer; a waiting writer holds off new readers."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._readers = 0
        self._writing = False
        self._writers_waiting = 0

    @contextmanager
    def reading(self) -> Iterator[None]:
        with self._condition:
            self._condition.wait_for(lambda: not self._writing and not self._writers_waiting)
            self._readers += 1
        try:
            yield
        finally:
            with self._condition:
                self._readers -= 1
                self._condition.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self._condition:
            self._writers_waiting += 1
            self._condition.wait_for(lambda: not self._writing and not self._readers)
            self._writers_waiting -= 1
            self._writing = True
        try:
            yield
        finally:
            with self._condition:
                self._writing = False
                self._condition.notify_all()


class AssistantPool:
    """`main` answers with its own settings and does all index writes; other
    (mode, backend) pairs get their own Assistant over the same index on first use."""

    def __init__(self, main: Assistant) -> None:
        self.main = main
        self.lock = ReadWriteLock()
        self._made = threading.Lock()
        self._by_key: dict[tuple[str, str], Assistant] = {
            (main.settings.retriever, main.settings.llm): main
        }

    @property
    def backends(self) -> list[str]:
        """The extractive answerer, and the configured LLM when there is one."""
        configured = self.main.settings.llm
        return ["extractive"] + ([configured] if configured != "extractive" else [])

    def get(self, mode: str, backend: str) -> Assistant:
        if backend not in self.backends:
            raise ValueError(f"unknown answer backend {backend!r}")
        with self._made:
            key = (mode, backend)
            if key not in self._by_key:
                settings = self.main.settings.with_(retriever=mode, llm=backend)
                self._by_key[key] = Assistant.from_settings(settings)
            return self._by_key[key]

"""The one Assistant behind the web app, shared by every reader (their retrieval
mode, answerer and k are arguments of each question, so one reader's settings
never change another's answers), and a lock that lets many questions run
together but an ingest or removal only alone (the indexer updates the BM25
arrays that a concurrent search reads)."""

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


class SharedAssistant:
    """`main` answers every question and does all index writes, under `lock`."""

    def __init__(self, main: Assistant) -> None:
        self.main = main
        self.lock = ReadWriteLock()

    @property
    def backends(self) -> list[str]:
        """The extractive answerer, and the configured LLM when there is one."""
        configured = self.main.settings.llm
        return ["extractive"] + ([configured] if configured != "extractive" else [])

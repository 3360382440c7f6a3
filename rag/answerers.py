"""What writes the answer from the retrieved passages, chosen by name per question.

Every answerer has one method: given the question and its evidence, yield the
text as it is produced, then return the Answer. "extractive" quotes the
sentence that answers (rag/extractive.py); "openai" and "ollama" are language
models (rag/llm.py) that fall back to it. Another package adds one the way
simonw/llm's plugins add models: an entry point in the group `rag.answerers`
naming a factory `(Assistant, name) -> Answerer`, e.g. in its pyproject.toml

    [project.entry-points."rag.answerers"]
    mymodel = "mypackage:make_answerer"

or, from Python, `rag.answerers.register("mymodel", make_answerer)`.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Protocol

from rag.types import Answer, Passage

if TYPE_CHECKING:
    from rag.assistant import Assistant

EXTRACTIVE = "extractive"
ENTRY_POINT_GROUP = "rag.answerers"


@dataclass(frozen=True)
class Evidence:
    """One question and what was retrieved for it."""

    question: str
    language: str  # the answer's language
    passages: list[Passage]
    history: Sequence[str]  # the conversation's earlier questions
    context: str  # those a follow-up leans on, joined


class Answerer(Protocol):
    def answer(self, evidence: Evidence) -> Generator[str, None, Answer]:
        """Text pieces as they are produced; returns the final Answer."""
        ...


Factory = Callable[["Assistant", str], Answerer]


class Extractive:
    """The sentence of the passages that answers, quoted and cited; no model server."""

    def __init__(self, assistant: Assistant, name: str = EXTRACTIVE) -> None:
        self._assistant = assistant

    def answer(self, evidence: Evidence) -> Generator[str, None, Answer]:
        answer = self.quote(evidence)
        yield answer.text
        return answer

    def quote(self, evidence: Evidence) -> Answer:
        from rag.extractive import answer_extractively

        return answer_extractively(
            evidence.question,
            evidence.language,
            evidence.passages,
            self._assistant.reader(),
            evidence.context,
        )


class LanguageModel:
    """A model server of one of rag.llm's BACKENDS; the extractive answer when it fails."""

    def __init__(self, assistant: Assistant, name: str) -> None:
        self._assistant = assistant
        self._name = name
        self._fallback = Extractive(assistant)

    def answer(self, evidence: Evidence) -> Generator[str, None, Answer]:
        from rag.llm import stream_llm_answer

        return (
            yield from stream_llm_answer(
                # Read per question: the model's settings may change between questions.
                self._assistant.settings.with_(llm=self._name),
                evidence.question,
                evidence.language,
                evidence.passages,
                evidence.history,
                fallback=lambda: self._fallback.quote(evidence),
            )
        )


# The language models' names, kept here so that listing them loads no LLM client.
BUILT_IN: dict[str, Factory] = {
    EXTRACTIVE: Extractive,
    "openai": LanguageModel,
    "ollama": LanguageModel,
}


@lru_cache(maxsize=1)
def registry() -> dict[str, Factory]:
    """Every answerer by name: the built-in ones, then those of installed plugins
    and of `register`."""
    found = dict(BUILT_IN)
    for point in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(point.name, point.load())
    return found


def register(name: str, factory: Factory) -> None:
    """Adds an answerer from Python, as an entry point would; a built-in name is refused."""
    if name in BUILT_IN:
        raise ValueError(f"{name!r} is a built-in answerer")
    registry()[name] = factory


def names() -> list[str]:
    return list(registry())


def check(name: str) -> None:
    if name not in registry():
        raise ValueError(f"llm: unknown answerer {name!r}; known: {', '.join(names())}")


def make(assistant: Assistant, name: str) -> Answerer:
    check(name)
    return registry()[name](assistant, name)

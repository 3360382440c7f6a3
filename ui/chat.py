"""One chat turn: stream the answer into the conversation, then show its sources.

All per-reader state (earlier questions, the messages shown) lives in the
reader's own `Conversation`; settings arrive with each request.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from rag.types import Answer, Filters
from ui.assistants import SharedAssistant
from ui.labels import interface_language, label
from ui.paths import ShownPaths
from ui.render import answer_html, escape_text, message_html, sources_html

log = logging.getLogger(__name__)

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass
class Conversation:
    questions: list[str] = field(default_factory=list)
    messages: list[dict[str, str]] = field(default_factory=list)
    answer: Answer | None = None  # the latest, whose sources the panel shows

    @property
    def turn(self) -> int:
        return len(self.questions)


class BadDate(ValueError):
    pass


@dataclass(frozen=True)
class ChatRequest:
    """One reader's settings for one question."""

    interface: str = "en"  # the language of the app's own words: "en" or "hi"
    answer_language: str = "auto"  # "hi", "en", or "auto": the question's own
    k: int = 5
    mode: str = "hybrid"
    backend: str = "extractive"
    languages: tuple[str, ...] = ()
    outlets: tuple[str, ...] = ()
    date_from: str = ""
    date_to: str = ""

    def filters(self) -> Filters:
        dates = (self.date_from.strip(), self.date_to.strip())
        for day in dates:
            if day and not _is_date(day):
                raise BadDate(day)
        return Filters(self.languages, self.outlets, *dates)

    @property
    def answer_lang(self) -> str | None:
        """Assistant.stream's `lang`: None answers in the question's language."""
        return self.answer_language if self.answer_language in ("hi", "en") else None


def _is_date(text: str) -> bool:
    try:
        return bool(_ISO_DATE.fullmatch(text)) and bool(date.fromisoformat(text))
    except ValueError:
        return False


Update = tuple[list[dict[str, str]], str, Conversation]


def respond(
    shared: SharedAssistant, question: str, conversation: Conversation, request: ChatRequest
) -> Iterator[Update]:
    """Yields (messages, sources panel HTML, conversation) as the answer grows."""
    question = (question or "").strip()
    if not question:
        yield (
            conversation.messages,
            sources_html(None, 0, interface_language(request.interface)),
            conversation,
        )
        return
    turn = conversation.turn + 1
    shown = interface_language(request.interface)
    asked = {"role": "user", "content": escape_text(question)}
    pending = sources_html(None, turn, shown)

    def with_reply(content: str) -> list[dict[str, str]]:
        return [*conversation.messages, asked, {"role": "assistant", "content": content}]

    yield with_reply(escape_text(label("searching", shown))), pending, conversation
    try:
        filters = request.filters()
    except BadDate:
        yield with_reply(escape_text(label("bad_date", shown))), pending, conversation
        return
    answer: Answer | None = None
    text = ""
    try:
        if request.backend not in shared.backends:
            raise ValueError(f"unknown answer backend {request.backend!r}")
        with shared.lock.reading():
            for item in shared.main.stream(
                question,
                lang=request.answer_lang,
                filters=filters,
                history=conversation.questions,
                k=request.k,
                retriever=request.mode,
                answerer=request.backend,
            ):
                if isinstance(item, Answer):
                    answer = item
                else:
                    text += item
                    yield with_reply(message_html(text, turn)), pending, conversation
    except Exception as error:  # shown to the reader as one line; the log keeps the rest
        log.exception("answering %r failed", question)
        reason = ShownPaths(shared.main.settings.data_dir).redact(_reason(error))
        reply = escape_text(label("failed", shown, reason=reason))
        done = Conversation([*conversation.questions, question], with_reply(reply), None)
        yield done.messages, pending, done
        return
    assert answer is not None, "Assistant.stream ends with the Answer"
    done = Conversation(
        [*conversation.questions, question], with_reply(answer_html(answer, turn)), answer
    )
    yield done.messages, sources_html(answer, turn, panel_language(request.interface, answer)), done


def panel_language(interface: str, answer: Answer | None) -> str:
    """The sources panel speaks its answer's language (the panel is part of the
    answer: switching the interface leaves it as it is); empty, the interface's."""
    return answer.language if answer is not None else interface_language(interface)


def _reason(error: Exception) -> str:
    """The error's first line (the server's paths in it are redacted by the caller)."""
    first_line = (str(error).strip().splitlines() or [""])[0]
    return first_line[:200] or type(error).__name__

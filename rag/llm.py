"""Answers written by a language model from the retrieved passages.

The model sees the numbered passages and the question through the prompt file
of the answer's language, streams its reply, and its [n] citations are then
checked against the passages (rag.citations). Whatever goes wrong with the
model server (refused connection, timeout, HTTP error, unreadable or empty
reply) the reader gets the extractive answer with a note saying why.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import httpx
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.llms import LLM
from llama_index.core.prompts import ChatPromptTemplate

from rag.citations import check_citations, is_refusal
from rag.messages import say
from rag.settings import Settings
from rag.types import Answer, Passage

logger = logging.getLogger(__name__)

FALLBACK_BACKEND = "extractive (fallback)"
HISTORY_TURNS = 3  # earlier questions shown to the model
LANGUAGE_NAMES = {"en": "English", "hi": "Hindi", "mixed": "Hindi and English"}


# Backends: one entry each. `build` gets the settings and the server URL.


@dataclass(frozen=True)
class Backend:
    default_url: str
    build: Callable[[Settings, str], LLM]


def _openai_like(settings: Settings, url: str) -> LLM:
    from llama_index.llms.openai_like import OpenAILike

    return OpenAILike(
        model=settings.llm_model,
        api_base=url,
        api_key=settings.llm_api_key or "not-needed",  # local servers ignore it
        is_chat_model=True,
        timeout=settings.llm_timeout,
        max_retries=0,  # a failure falls back at once; retrying would keep the reader waiting
        temperature=settings.llm_temperature,
    )


def _ollama(settings: Settings, url: str) -> LLM:
    from llama_index.llms.ollama import Ollama

    return Ollama(
        model=settings.llm_model,
        base_url=url,
        request_timeout=settings.llm_timeout,
        temperature=settings.llm_temperature,
    )


BACKENDS: dict[str, Backend] = {
    "openai": Backend("https://api.openai.com/v1", _openai_like),
    "ollama": Backend("http://localhost:11434", _ollama),
}


def server_url(settings: Settings) -> str:
    return settings.llm_base_url or BACKENDS[settings.llm].default_url


# One client per configuration: connections are kept alive, and Ollama looks
# up the model's context length once rather than before every question.
@lru_cache(maxsize=8)
def build_llm(settings: Settings) -> LLM:
    return BACKENDS[settings.llm].build(settings, server_url(settings))


# Prompt


def answer_prompt(prompts_dir: Path, language: str) -> ChatPromptTemplate:
    """`answer_<language>.txt`: a [system] section, then a [user] section."""
    path = Path(prompts_dir) / f"answer_{language}.txt"
    parts = re.split(r"^\[(system|user)\][ \t]*$", path.read_text("utf-8"), flags=re.MULTILINE)
    sections = dict(zip(parts[1::2], (p.strip() for p in parts[2::2]), strict=True))
    if set(sections) != {"system", "user"}:
        raise ValueError(f"{path}: needs a [system] section and a [user] section")
    return ChatPromptTemplate.from_messages(
        [("system", sections["system"]), ("user", sections["user"])]
    )


def render_source(passage: Passage) -> str:
    """`[n] title — outlet, date (language)` and the passage text below it."""
    where = ", ".join(x for x in (passage.outlet, passage.date) if x)
    head = f"[{passage.n}] {passage.title or passage.source}" + (f" — {where}" if where else "")
    language = LANGUAGE_NAMES.get(passage.language, passage.language)
    return f"{head} ({language})\n{passage.text}"


def answer_messages(
    settings: Settings,
    question: str,
    language: str,
    passages: Sequence[Passage],
    history: Sequence[str],
) -> list[ChatMessage]:
    earlier = "\n".join(f"- {q}" for q in history[-HISTORY_TURNS:]) or "—"
    return answer_prompt(settings.prompts_dir, language).format_messages(
        refusal=say("no_answer", language),
        other_language=say("other_language", language),
        history=earlier,
        sources="\n\n".join(render_source(p) for p in passages),
        question=question,
    )


# Answering


def stream_llm_answer(
    settings: Settings,
    question: str,
    language: str,
    passages: Sequence[Passage],
    history: Sequence[str],
    fallback: Callable[[], Answer],
) -> Generator[str, None, Answer]:
    """Yield the model's text as it streams, then return the checked Answer.

    If the model fails after some text was yielded, the returned Answer is the
    fallback; the caller shows its text in place of what was streamed.
    """
    if not passages:  # nothing to answer from: the refusal needs no model
        answer = fallback()
        yield answer.text
        return answer
    if not settings.llm_model:
        return (yield from _fall_back(fallback, language, "no model named: set --llm-model"))
    messages = answer_messages(settings, question, language, passages, history)
    pieces: list[str] = []
    try:
        for delta in _deltas(build_llm(settings), messages):
            pieces.append(delta)
            yield delta
    except Exception as error:  # whatever the server or client fails with: no traceback
        reason = describe_failure(error, settings)
        logger.info("%s backend failed: %s", settings.llm, reason, exc_info=error)
        return (yield from _fall_back(fallback, language, reason))
    text = "".join(pieces).strip()
    if not text:
        return (yield from _fall_back(fallback, language, "empty reply"))
    return checked_answer(settings, question, language, text, passages)


def _deltas(llm: LLM, messages: list[ChatMessage]) -> Iterator[str]:
    for response in llm.stream_chat(messages):
        if response.delta:
            yield response.delta


def checked_answer(
    settings: Settings, question: str, language: str, text: str, passages: Sequence[Passage]
) -> Answer:
    """The model's text with bad citations dropped; unanswered without a valid one."""
    checked = check_citations(text, passages)
    citations = [] if is_refusal(checked.text) else checked.citations
    return Answer(
        question=question,
        text=checked.text,
        language=language,
        answered=bool(citations),
        citations=citations,
        passages=list(passages),
        backend=f"{settings.llm}:{settings.llm_model}",
        evidence_languages=tuple(dict.fromkeys(c.language for c in citations)),
    )


def _fall_back(
    fallback: Callable[[], Answer], language: str, reason: str
) -> Generator[str, None, Answer]:
    answer = fallback()
    answer.backend = FALLBACK_BACKEND
    answer.note = say("fallback", language, reason=reason)
    yield answer.text
    return answer


def describe_failure(error: BaseException, settings: Settings) -> str:
    """A few words on what went wrong, from the error or the errors behind it."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, httpx.TimeoutException):
            return f"no reply within {settings.llm_timeout:g} s"
        if isinstance(seen, httpx.ConnectError | ConnectionError):
            return f"cannot connect to {server_url(settings)}"
        if isinstance(seen, httpx.TransportError):
            return "the connection broke off"
        status = getattr(seen, "status_code", None)
        if isinstance(status, int) and status >= 400:
            return f"HTTP {status} from {server_url(settings)}"
        seen = seen.__cause__ or seen.__context__
    return f"unreadable reply ({type(error).__name__})"

"""Answers written by a language model from the retrieved passages.

The model sees the numbered passages and the question through the prompt file
of the answer's language, as many passages as fit its context (--llm-context)
with room for its answer (--llm-max-tokens), streams its reply, and its [n]
citations are then checked against the passages (rag.citations). The reply is
shown from its first valid citation on: one that cites nothing is not shown,
the reader gets the extractive answer (the model's text stays in
Answer.llm_reply). Whatever goes wrong with the model server (refused
connection, timeout, HTTP error, a prompt too long for it, a stream cut off,
an unreadable or empty reply) the reader gets the extractive answer with a
note saying why.
"""

from __future__ import annotations

import logging
import queue
import re
import threading
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import httpx
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.llms import LLM
from llama_index.core.prompts import ChatPromptTemplate

from index.chunking import tiktoken_counter
from rag.citations import MARKER, check_citations, cited_numbers, is_refusal
from rag.messages import say
from rag.settings import Settings
from rag.types import Answer, Passage

logger = logging.getLogger(__name__)

FALLBACK_BACKEND = "extractive (fallback)"
HISTORY_TURNS = 3  # earlier questions shown to the model
LANGUAGE_NAMES = {"en": "English", "hi": "Hindi", "mixed": "Hindi and English"}
# Chat templates wrap each message in role markers the tiktoken count does not see.
MESSAGE_OVERHEAD_TOKENS = 8
# A source trimmed shorter than this says too little to be worth its header.
MIN_SOURCE_TOKENS = 32
SERVER_FLAGS_HINT = "llama.cpp: --n_ctx 4096 --interrupt_requests False"


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
        max_tokens=settings.llm_max_tokens,
        context_window=settings.llm_context,
    )


def _ollama(settings: Settings, url: str) -> LLM:
    from llama_index.llms.ollama import Ollama

    return Ollama(
        model=settings.llm_model,
        base_url=url,
        request_timeout=settings.llm_timeout,
        temperature=settings.llm_temperature,
        # Sent as num_ctx: the server then holds the context the prompt was budgeted for.
        context_window=settings.llm_context,
        additional_kwargs={"num_predict": settings.llm_max_tokens},
    )


BACKENDS: dict[str, Backend] = {
    "openai": Backend("https://api.openai.com/v1", _openai_like),
    "ollama": Backend("http://localhost:11434", _ollama),
}


def server_url(settings: Settings) -> str:
    return settings.llm_base_url or BACKENDS[settings.llm].default_url


# One client per configuration: connections are kept alive.
@lru_cache(maxsize=8)
def build_llm(settings: Settings) -> LLM:
    return BACKENDS[settings.llm].build(settings, server_url(settings))


# Prompt


@dataclass(frozen=True)
class AnswerPrompt:
    chat: ChatPromptTemplate
    source: str  # one source: `{n}`, `{title}`, … `{text}` placeholders


def answer_prompt(prompts_dir: Path, language: str) -> AnswerPrompt:
    """`answer_<language>.txt`: [system], [user] and [source] sections."""
    path = Path(prompts_dir) / f"answer_{language}.txt"
    parts = re.split(
        r"^\[(system|user|source)\][ \t]*$", path.read_text("utf-8"), flags=re.MULTILINE
    )
    sections = dict(zip(parts[1::2], (p.strip() for p in parts[2::2]), strict=True))
    if set(sections) != {"system", "user", "source"}:
        raise ValueError(f"{path}: needs a [system], a [user] and a [source] section")
    chat = ChatPromptTemplate.from_messages(
        [("system", sections["system"]), ("user", sections["user"])]
    )
    return AnswerPrompt(chat, sections["source"])


def render_source(template: str, passage: Passage) -> str:
    """The [source] template filled in; a line whose fields are all unknown is left out."""
    values = {
        "n": str(passage.n),
        "title": passage.title or passage.ref,
        "outlet": passage.outlet,
        "author": passage.author,
        "date": passage.date,
        "language": LANGUAGE_NAMES.get(passage.language, passage.language),
        "text": passage.text,
    }
    lines = []
    for line in template.splitlines():
        names = re.findall(r"\{(\w+)\}", line)
        if names and not any(values[name] for name in names):
            continue
        lines.append(line.format(**values))
    return "\n".join(lines)


def answer_messages(
    settings: Settings,
    question: str,
    language: str,
    passages: Sequence[Passage],
    history: Sequence[str],
) -> list[ChatMessage]:
    prompt = answer_prompt(settings.prompts_dir, language)
    earlier = "\n".join(f"- {q}" for q in history[-HISTORY_TURNS:]) or "—"
    return prompt.chat.format_messages(
        refusal=say("no_answer", language),
        other_language=say("other_language", language),
        history=earlier,
        sources="\n\n".join(render_source(prompt.source, p) for p in passages),
        question=question,
    )


# Fitting the prompt to the model's context


class PromptTooLong(Exception):
    """Even the question with one short source leaves no room for the answer."""


@dataclass(frozen=True)
class FittedPrompt:
    messages: list[ChatMessage]
    passages: list[Passage]  # those sent, the last one perhaps trimmed
    tokens: int


def fitted_prompt(
    settings: Settings,
    question: str,
    language: str,
    passages: Sequence[Passage],
    history: Sequence[str],
) -> FittedPrompt:
    """The prompt with as many passages, best first, as fit with room for the answer.

    Passages are dropped from the end; the first one that does not fit whole is
    trimmed to the room left, if that leaves it MIN_SOURCE_TOKENS or more.
    """
    count = tiktoken_counter(settings.token_encoding)
    room = settings.llm_context - settings.llm_max_tokens

    def build(chosen: Sequence[Passage]) -> FittedPrompt:
        messages = answer_messages(settings, question, language, chosen, history)
        tokens = sum(count(m.content or "") + MESSAGE_OVERHEAD_TOKENS for m in messages)
        return FittedPrompt(messages, list(chosen), tokens)

    fitting = build([])
    for passage in passages:
        whole = build([*fitting.passages, passage])
        if whole.tokens <= room:
            fitting = whole
            continue
        headless = build([*fitting.passages, replace(passage, text="")])
        spare = room - headless.tokens
        if spare >= MIN_SOURCE_TOKENS:
            text = head_within(passage.text, spare, count)
            fitting = build([*fitting.passages, trimmed(passage, text)])
        break
    if not fitting.passages:
        raise PromptTooLong(
            f"the question and sources do not fit the model's context: {fitting.tokens} "
            f"tokens of prompt with no source and {settings.llm_max_tokens} for the answer "
            f"leave no room for a source in --llm-context {settings.llm_context}"
        )
    return fitting


def head_within(text: str, tokens: int, count: Callable[[str], int]) -> str:
    """The longest start of `text`, cut after a word, that counts at most `tokens`."""
    low, high = 0, len(text)
    while low < high:  # the longest prefix within the budget, by bisection
        middle = (low + high + 1) // 2
        if count(text[:middle]) <= tokens:
            low = middle
        else:
            high = middle - 1
    head = text[:low]
    if low < len(text) and " " in head:
        head = head[: head.rindex(" ")]
    return head.rstrip()


def trimmed(passage: Passage, text: str) -> Passage:
    return replace(passage, text=text, end=passage.start + len(text))


# Answering


class StreamCutOff(Exception):
    """The stream ended without the model's closing chunk."""


class AnswerDeadline(Exception):
    """The whole answer took longer than llm_timeout."""


def stream_llm_answer(
    settings: Settings,
    question: str,
    language: str,
    passages: Sequence[Passage],
    history: Sequence[str],
    fallback: Callable[[], Answer],
) -> Generator[str, None, Answer]:
    """Yield the model's text as it streams, then return the checked Answer.

    Nothing is yielded until the reply cites a passage it was given: a reply
    that never does is replaced by the extractive answer (or is the model's
    refusal). If the model fails after some text was yielded, the returned
    Answer is the fallback; the caller shows its text in place of what was
    streamed.
    """
    if not passages:  # nothing to answer from: the refusal needs no model
        answer = fallback()
        yield answer.text
        return answer
    if not settings.llm_model:
        return (yield from _fall_back(fallback, language, "no model named: set --llm-model"))
    try:
        prompt = fitted_prompt(settings, question, language, passages, history)
    except PromptTooLong as error:
        return (yield from _fall_back(fallback, language, str(error)))
    numbers = {p.n for p in prompt.passages}
    pieces: list[str] = []
    shown = False
    try:
        for delta in reply_deltas(settings, prompt.messages):
            pieces.append(delta)
            if shown:
                yield delta
            elif cites_any("".join(pieces), numbers):
                shown = True
                yield "".join(pieces)
    except Exception as error:  # whatever the server or client fails with: no traceback
        reason = describe_failure(error, settings, prompt, said="".join(pieces))
        logger.info("%s backend failed: %s", settings.llm, reason, exc_info=error)
        return (yield from _fall_back(fallback, language, reason, "".join(pieces)))
    text = "".join(pieces).strip()
    if not text:
        return (yield from _fall_back(fallback, language, "empty reply"))
    answer = checked_answer(settings, question, language, text, prompt.passages)
    answer.passages = list(passages)
    if not answer.answered and not is_refusal(answer.text):
        reason = "its reply cited none of the sources"
        return (yield from _fall_back(fallback, language, reason, text))
    if not shown:
        yield answer.text
    return answer


def cites_any(text: str, numbers: set[int]) -> bool:
    return any(set(cited_numbers(m.group(0))) & numbers for m in MARKER.finditer(text))


def reply_deltas(settings: Settings, messages: list[ChatMessage]) -> Iterator[str]:
    """The model's text as it streams, within llm_timeout for the whole of it.

    The stream is read on a thread, so that the deadline holds even while the
    server sends nothing but keep-alive pings (llama.cpp's come every 15 s, and
    no read times out). Raises AnswerDeadline past it, and StreamCutOff when the
    stream ends without the model saying it stopped (OpenAI's finish_reason,
    Ollama's done): a server that cuts a stream off for another request ends it
    that way, with or without text.
    """
    deadline = time.monotonic() + settings.llm_timeout
    chunks: queue.Queue[tuple[str, Any]] = queue.Queue()
    stop = threading.Event()
    threading.Thread(
        target=_read_stream, args=(build_llm(settings), messages, chunks, stop), daemon=True
    ).start()
    finished = False
    try:
        while True:
            try:
                kind, item = chunks.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AnswerDeadline from None
            if kind == "error":
                raise item
            if kind == "end":
                break
            if item.delta:
                yield item.delta
            finished = finished or model_stopped(item.raw)
    finally:
        stop.set()  # the reader thread ends the HTTP stream at its next chunk
    if not finished:
        raise StreamCutOff


def _read_stream(
    llm: LLM,
    messages: list[ChatMessage],
    chunks: queue.Queue[tuple[str, Any]],
    stop: threading.Event,
) -> None:
    stream = llm.stream_chat(messages)
    try:
        for response in stream:
            if stop.is_set():
                break
            chunks.put(("chunk", response))
        chunks.put(("end", None))
    except Exception as error:  # handed to the reader of `chunks`, who explains it
        chunks.put(("error", error))
    finally:
        close = getattr(stream, "close", None)
        if close is not None:  # ends the HTTP stream, so the server stops writing
            close()


def model_stopped(raw: Any) -> bool:
    """Whether a streamed chunk is the model's last: OpenAI's finish_reason, Ollama's done."""
    choices = getattr(raw, "choices", None)
    if choices:
        return getattr(choices[0], "finish_reason", None) is not None
    if isinstance(raw, dict):
        return bool(raw.get("done"))
    return bool(getattr(raw, "done", False))


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
        llm_reply=text,
    )


def _fall_back(
    fallback: Callable[[], Answer], language: str, reason: str, reply: str = ""
) -> Generator[str, None, Answer]:
    answer = fallback()
    answer.backend = FALLBACK_BACKEND
    answer.note = say("fallback", language, reason=reason)
    answer.fallback_reason = reason
    answer.llm_reply = reply
    yield answer.text
    return answer


def describe_failure(
    error: BaseException, settings: Settings, prompt: FittedPrompt, said: str = ""
) -> str:
    """A few words on what went wrong, from the error or the errors behind it."""
    seen: BaseException | None = error
    while seen is not None:
        # The deadline and a read timeout are both llm_timeout: either may fire first.
        if isinstance(seen, AnswerDeadline | httpx.TimeoutException):
            return f"no complete reply within {settings.llm_timeout:g} s"
        if isinstance(seen, StreamCutOff):
            if said.strip():
                return f"the server cut the answer off before its end ({SERVER_FLAGS_HINT})"
            return (
                f"the server ended the stream without a word, as llama.cpp does when the "
                f"prompt ({prompt.tokens} tokens by tiktoken) does not fit its context or "
                f"when another request interrupts it ({SERVER_FLAGS_HINT})"
            )
        if isinstance(seen, httpx.ConnectError | ConnectionError):
            return f"cannot connect to {server_url(settings)}"
        if isinstance(seen, httpx.TransportError):
            return "the connection broke off"
        status = getattr(seen, "status_code", None)
        if isinstance(status, int) and status >= 400:
            if "context" in str(seen).lower():
                return (
                    f"the question and sources ({prompt.tokens} tokens by tiktoken) do not "
                    f"fit the model's context, says HTTP {status} from {server_url(settings)}: "
                    f"lower --llm-context to the server's"
                )
            return f"HTTP {status} from {server_url(settings)}"
        seen = seen.__cause__ or seen.__context__
    return f"unreadable reply ({type(error).__name__})"

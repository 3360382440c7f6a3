"""Who may change the library through the web app, and what a client may upload.

Anyone who reaches the app may ask. Adding or removing articles is `open` to them
too only where that is everyone on this machine (a loopback host); on any other
host it is `off` unless a key is set, and then it takes the key (`key`). Files
posted to Gradio's upload route land on the server's disk before any event runs,
so that route is refused outright when the library is off and otherwise held to
a budget of bytes per client address; routes this app never uses, that act
outside its checks, are closed; and an event may name only uploaded files
(`RouteGate`).
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import os
import re
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ui.limits import RateLimit

Mode = Literal["open", "key", "off"]
UPLOAD_PATH = "/gradio_api/upload"
# Gradio's recording processor keeps whatever body it is sent in /tmp, outside the
# upload budget and never deleted; /stream/<event> replaces a queued event's inputs
# after they were checked. No event of this app records or streams its inputs.
CLOSED = re.compile(r"/gradio_api/(?:process_recording|stream/[^/]+(?:/close)?)/?$")
# Where an event's inputs arrive. Gradio prepares a file input (fetching a URL,
# copying a path) before any check of this app runs, so the gate refuses a file
# that is no upload first. The body is a question of 2,000 characters and its
# settings, or file references: 4 MiB is ample.
EVENT = re.compile(r"/gradio_api/(?:queue/join|call/(?:v2/)?[^/]+)/?$")
EVENT_BYTES = 4 * 2**20
# A refused request's body is read and dropped up to this much before the answer,
# so that a client still sending sees the refusal, not a reset connection.
DRAIN_BYTES = 2**20


@dataclass(frozen=True)
class LibraryAccess:
    mode: Mode
    key: str = ""

    def __post_init__(self) -> None:
        if (self.mode == "key") != bool(self.key):
            raise ValueError("a library key is needed exactly when the library takes a key")

    @property
    def editable(self) -> bool:
        return self.mode != "off"

    def admits(self, given: str | None) -> bool:
        if self.mode == "open":
            return True
        # Compared in constant time: how long a wrong key takes says nothing of the right one.
        return self.mode == "key" and hmac.compare_digest(
            (given or "").encode("utf-8"), self.key.encode("utf-8")
        )


OPEN = LibraryAccess("open")
MIN_KEY_CHARS = 12


def choose_access(host: str, requested: Mode | None, key: str) -> LibraryAccess:
    """The library's access for `rag ui`: a key makes it `key`; without one, `open`
    on a loopback host and `off` elsewhere, unless `requested` says otherwise."""
    mode: Mode = requested or ("key" if key else "open" if is_loopback(host) else "off")
    if mode == "key" and not key:
        raise ValueError("--library key needs a key (RAG_UI_LIBRARY_KEY or --library-key-file)")
    if mode == "key" and len(key) < MIN_KEY_CHARS:
        raise ValueError(f"the library key must be at least {MIN_KEY_CHARS} characters")
    return LibraryAccess(mode, key if mode == "key" else "")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class RouteGate:
    """ASGI middleware in front of Gradio. The upload route: refused (403) when
    the library is off; otherwise a request must say its length (411) and fit its
    client address's budget (429 with Retry-After), and Gradio then holds each
    file to the app's size limit. The CLOSED routes: 404. An event (EVENT) whose
    inputs name a file outside `uploads` (a server path, a URL): 400."""

    def __init__(
        self,
        app: Callable[[Scope, Receive, Send], Awaitable[None]],
        *,
        editable: bool,
        budget: RateLimit,
        uploads: Path,
    ) -> None:
        self.app, self.editable, self.budget = app, editable, budget
        self.uploads = uploads.resolve()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
        elif CLOSED.search(path):
            await _read(receive, DRAIN_BYTES)  # read, dropped: see DRAIN_BYTES
            await _refuse(send, 404, "not served here")
        elif path.endswith(UPLOAD_PATH):
            await self._upload(scope, receive, send)
        elif EVENT.search(path):
            await self._event(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _upload(self, scope: Scope, receive: Receive, send: Send) -> None:
        length = _content_length(scope)
        client = scope.get("client") or ("", 0)
        if not self.editable:
            refusal: tuple[int, str, int] | None = (403, "the library is read-only here", 0)
        elif length is None:
            refusal = (411, "an upload must send Content-Length", 0)
        elif wait := self.budget.admit(client[0], length):
            refusal = (429, "upload budget spent; try later", wait)
        else:
            refusal = None
        if refusal is None:
            await self.app(scope, receive, send)
            return
        await _read(receive, DRAIN_BYTES)  # read, dropped: see DRAIN_BYTES
        await _refuse(send, *refusal)

    async def _event(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = await _read(receive, EVENT_BYTES)
        if body is None:
            await _refuse(send, 413, "an event's inputs are at most 4 MiB")
            return
        try:
            named = list(_file_paths(json.loads(body or b"null")))
        except ValueError:
            named = []  # not JSON: Gradio answers that itself
        if not all(self._uploaded(path) for path in named):
            await _refuse(send, 400, "a file must be uploaded first")
            return
        await self.app(scope, _replay(body, receive), send)

    def _uploaded(self, path: Any) -> bool:
        if not isinstance(path, str) or "://" in path:
            return False
        return Path(os.path.realpath(path)).is_relative_to(self.uploads)


def _file_paths(value: Any) -> Iterator[Any]:
    """The paths of every file reference (Gradio's FileData) inside an event's JSON."""
    if isinstance(value, dict):
        if isinstance(value.get("meta"), dict) and value["meta"].get("_type") == "gradio.FileData":
            yield value.get("path")
        for inner in value.values():
            yield from _file_paths(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _file_paths(inner)


async def _read(receive: Receive, most: int) -> bytes | None:
    """The request's whole body, or None past `most` bytes."""
    chunks, size = [], 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > most:
            return None
        chunks.append(chunk)
        if message["type"] != "http.request" or not message.get("more_body"):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """`receive` with the body already read handed out first."""
    sent = False

    async def replayed() -> MutableMapping[str, Any]:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(send: Send, status: int, why: str, retry_after: int = 0) -> None:
    body = json.dumps({"detail": why}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if retry_after:
        headers.append((b"retry-after", str(retry_after).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})

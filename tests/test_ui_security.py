"""The web app against a client on loopback that does not play by the browser's
rules: a real `rag ui` process on 127.0.0.1, spoken to in raw HTTP (urllib), not
through gradio_client (which would upload local files itself and keep to the
protocol)."""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO_ROOT, find_free_port

from index.documents import Skipped
from rag.assistant import Assistant
from ui import library
from ui.access import LibraryAccess, choose_access
from ui.assistants import SharedAssistant
from ui.chat import ChatRequest, Conversation, respond
from ui.labels import label
from ui.limits import DEFAULT_LIMITS, RateLimit, UiLimits
from ui.paths import ShownPaths

START_S = 180  # loading the models on a busy machine
TIMEOUT = 60
QUEUE_SIZE = 8
PER_MINUTE = 4
SECRET = (
    " date 2025-09-04\nVault code of the Quokka Bank\n\nPerth, Sep 4: The quokka bank's vault "
    "code is 7741-SECRET, the manager wrote in a note kept on the server.\n"
)
SECRET_QUESTION = "What is the vault code of the quokka bank?"
ALLOWED_ARTICLE = (
    " date 2025-09-05\nWombat bridge opens\n\nCanberra, Sep 5: The wombat bridge over the "
    "creek opened on Friday; it cost 88 lakh rupees, the council said.\n"
)
QUESTION = "How long after liftoff was the NVS-04 satellite placed in orbit?"


@dataclass
class Server:
    url: str
    root: Path  # everything of this test module lives under it
    data_dir: Path
    allowed: Path
    secret: Path
    process: subprocess.Popen[bytes]

    def rss_mb(self) -> float:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def server(
    copy_sample_index: Callable[[Path], Assistant],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("uisec")
    copy_sample_index(root / "data")
    allowed, secret = root / "allowed", root / "secret"
    (allowed / "news").mkdir(parents=True)
    secret.mkdir()
    (secret / "vault.txt").write_text(SECRET, encoding="utf-8")
    (allowed / "news" / "wombat.txt").write_text(ALLOWED_ARTICLE, encoding="utf-8")
    # Planted inside the allowed folder, pointing out of it.
    (allowed / "news" / "vault.txt").symlink_to(secret / "vault.txt")
    (allowed / "elsewhere").symlink_to(secret, target_is_directory=True)
    port = find_free_port()
    command = [sys.executable, "-m", "rag.cli", "ui", "--port", str(port)]
    command += ["--data-dir", str(root / "data"), "--allow-folders", str(allowed)]
    command += ["--queue-size", str(QUEUE_SIZE), "--questions-per-minute", str(PER_MINUTE)]
    # Every client here is on one address (loopback), as if thousands of readers were:
    # the per-address limits are tried on servers of their own, below.
    command += ["--address-questions-per-minute", "100000", "--writes-per-minute", "1000"]
    log = (root / "server.log").open("wb")
    process = subprocess.Popen(
        command,
        cwd=root,  # so that a relative path cannot name the repository's files
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until_up(url, process, root / "server.log")
        yield Server(url, root, root / "data", allowed, secret, process)
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"rag ui exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url + "gradio_api/queue/status", timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"rag ui not up after {START_S} s:\n{log.read_text()[-3000:]}")


# Raw HTTP


@dataclass
class Response:
    status: int
    body: str
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body)


def url_of(target: Server | str) -> str:
    return target if isinstance(target, str) else target.url


@contextmanager
def launched(assistant: Assistant, **options: Any) -> Iterator[str]:
    """The app over `assistant`, built with `options`, served in this process; its URL."""
    from ui.app import build_app, launch

    web = build_app(assistant, **options)
    launch(web, "127.0.0.1", None, block=False, quiet=True)
    try:
        yield str(web.blocks.local_url)
    finally:
        web.blocks.close()


def post(url: str, path: str, body: Any, headers: dict[str, str] | None = None) -> Response:
    request = urllib.request.Request(
        url + path,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return Response(response.status, response.read().decode())
    except urllib.error.HTTPError as error:
        return Response(error.code, error.read().decode())


def get(url: str, path: str) -> str:
    with urllib.request.urlopen(url + path, timeout=TIMEOUT) as response:
        return str(response.read().decode())


@dataclass
class Outcome:
    event: str  # "complete", "error", or the HTTP status of a refused call
    data: Any


def call(
    target: Server | str,
    api: str,
    data: list[Any],
    session: str | None = None,
    headers: dict[str, str] | None = None,
) -> Outcome:
    """POST /gradio_api/call/<api> (as a new session unless given one), then read its
    event stream to the end."""
    body = {"data": data, "session_hash": session or uuid.uuid4().hex}
    joined = post(url_of(target), f"gradio_api/call/{api}", body, headers)
    if joined.status != 200:
        return Outcome(str(joined.status), joined.json().get("detail"))
    stream = get(url_of(target), f"gradio_api/call/{api}/{joined.json()['event_id']}")
    last = [block for block in stream.split("\n\n") if block.startswith("event: ")][-1]
    event, _, data_line = last.partition("\ndata: ")
    return Outcome(event.removeprefix("event: "), json.loads(data_line))


def chat_inputs(question: str, language: str = "en") -> list[Any]:
    """The chat event's inputs in order (see ui/app.py): question, conversation,
    interface language, answer language, k, mode, backend, language filter,
    outlets, from, to."""
    return [question, None, language, "auto", 5, "hybrid", "extractive", [], [], "", ""]


def answer_text(outcome: Outcome) -> str:
    assert outcome.event == "complete", outcome
    messages = outcome.data[0]
    return "".join(part["text"] for part in messages[-1]["content"])


def library_report(outcome: Outcome) -> str:
    assert outcome.event == "complete", outcome
    return str(outcome.data[0])


def removal_choices(target: Server | str, session: str) -> list[list[str]]:
    """The remove dropdown's choices, as `session`'s page now holds them."""
    outcome = call(target, "articles", ["en"], session)
    assert outcome.event == "complete", outcome
    return list(outcome.data[1]["choices"])


# 1. Files the reader never uploaded


@pytest.mark.slow
def test_a_server_file_never_uploaded_cannot_be_added(server: Server) -> None:
    secret = server.secret / "vault.txt"
    for path in (str(secret), f"{server.data_dir}/../secret/vault.txt"):
        file = {"path": path, "orig_name": "vault.txt", "meta": {"_type": "gradio.FileData"}}
        outcome = call(server, "add_files", [[file], "en", ""])
        # Refused in front of Gradio (ui/access.py's RouteGate), before it prepares the file.
        assert outcome == Outcome("400", "a file must be uploaded first"), outcome
    assert not (server.data_dir / "uploads" / "vault.txt").exists()
    assert "7741" not in answer_text(call(server, "chat", chat_inputs(SECRET_QUESTION)))


# 2. Floods


@pytest.mark.slow
def test_the_queue_is_the_only_way_in(server: Server) -> None:
    """Gradio serves events outside the queue on /run/<name> unless told not to."""
    response = post(server.url, "gradio_api/run/chat", {"data": chat_inputs(QUESTION)})
    assert response.status == 404, response


@pytest.mark.slow
@pytest.mark.parametrize("language", ["en", "hi"])
def test_one_session_asking_too_often_is_told_to_wait_in_its_language(
    server: Server, language: str
) -> None:
    session = uuid.uuid4().hex
    outcomes = [
        call(server, "chat", chat_inputs(QUESTION, language), session)
        for _ in range(PER_MINUTE + 2)
    ]
    assert [o.event for o in outcomes] == ["complete"] * PER_MINUTE + ["422"] * 2
    refusal = outcomes[-1].data[0]
    assert refusal["is_valid"] is False and refusal["parameter_name"] == "question"
    seconds = re.search(r"\d+", refusal["message"])
    assert seconds and 1 <= int(seconds.group()) <= 60
    assert refusal["message"] == label("too_many", language, seconds=seconds.group())
    # Another session is not held up by this one.
    assert call(server, "chat", chat_inputs(QUESTION, language)).event == "complete"


@dataclass
class Flood:
    """Raw clients asking as fast as they can until `stop`: half keep one session
    (and meet the per-session limit), half make up a new one for every question
    (and meet only the queue's bound)."""

    server: Server
    clients: int = 8
    seconds: float = 12.0
    most_requests: int = 4000  # all clients together; the flood stops by itself
    outcomes: Counter[str] = field(default_factory=Counter)
    queue_sizes: list[int] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self, reader: Callable[[], Any]) -> Any:
        stop = time.monotonic() + self.seconds
        threads = [
            threading.Thread(target=self._client, args=(n, stop), daemon=True)
            for n in range(self.clients)
        ]
        watcher = threading.Thread(target=self._watch, args=(stop,), daemon=True)
        for thread in [*threads, watcher]:
            thread.start()
        time.sleep(self.seconds / 4)  # the flood in full swing
        result = reader()
        for thread in [*threads, watcher]:
            thread.join(timeout=self.seconds + TIMEOUT)
        return result

    def _client(self, number: int, stop: float) -> None:
        own_session = uuid.uuid4().hex if number % 2 else None
        while time.monotonic() < stop:
            with self._lock:
                if self.outcomes.total() >= self.most_requests:
                    return
            session = own_session or uuid.uuid4().hex
            body = {"data": chat_inputs(QUESTION), "session_hash": session}
            # Joins the queue and never reads the answer, like a script that only floods.
            status = post(self.server.url, "gradio_api/call/chat", body).status
            with self._lock:
                self.outcomes[str(status)] += 1

    def _watch(self, stop: float) -> None:
        while time.monotonic() < stop:
            self.queue_sizes.append(queue_size(self.server.url))
            time.sleep(0.05)


@pytest.mark.slow
def test_a_reader_is_answered_during_a_flood(server: Server) -> None:
    rss_before = server.rss_mb()
    flood = Flood(server)

    def one_reader() -> tuple[str, float, int]:
        """Asks once, and again after each refusal (queue full), as a browser's reader would."""
        started, tries = time.monotonic(), 0
        while True:
            tries += 1
            outcome = call(server, "chat", chat_inputs(QUESTION, "en"))
            if outcome.event != "503":
                return answer_text(outcome), time.monotonic() - started, tries
            time.sleep(0.5)

    text, waited, tries = flood.run(one_reader)
    print(
        f"\nflood: {flood.clients} clients, {flood.seconds:.0f} s: {dict(flood.outcomes)}; "
        f"queue size max {max(flood.queue_sizes)} (bound {QUEUE_SIZE}), "
        f"median {statistics.median(flood.queue_sizes)}; "
        f"one reader answered after {waited:.1f} s in {tries} tries; "
        f"server memory {rss_before:.0f} -> {server.rss_mb():.0f} MB"
    )
    assert "minutes" in text or "मिनट" in text, text  # the sample corpus's answer
    assert flood.outcomes["503"] > 0, "the flood filled the queue"
    assert flood.outcomes["422"] > 0, "the sessions that kept asking met their limit"
    # Gradio checks the bound before the admission check, which awaits: the joins
    # in flight at that moment (one per client at most) can pass it together.
    assert max(flood.queue_sizes) <= QUEUE_SIZE + flood.clients + 1


@pytest.mark.slow
def test_a_gone_browser_session_has_its_waiting_questions_dropped(
    make_assistant: Callable[..., Assistant], sample_index: Assistant
) -> None:
    """Gradio's own behaviour, checked: when a session's /queue/data stream closes,
    its waiting jobs leave the queue. Jobs posted to /call and never read have no
    stream to lose: they stay (the queue's bound is what holds them)."""
    assistant = make_assistant(sample_index.settings.data_dir)
    release = threading.Event()
    answer = assistant.stream

    def held(*args: Any, **kwargs: Any) -> Iterator[Any]:
        release.wait(TIMEOUT)  # the one answering slot stays busy until the test is done
        yield from answer(*args, **kwargs)

    assistant.stream = held  # type: ignore[method-assign]
    with launched(assistant, limits=UiLimits(chat_concurrency=1)) as url:
        try:
            for n in range(3):  # the first takes the slot, two wait
                post(
                    url,
                    "gradio_api/call/chat",
                    {"data": chat_inputs(QUESTION), "session_hash": f"c{n}"},
                )
            wait_for_queue_size(url, 2)  # the first one taken: the slot is now held
            config = json.loads(get(url, "config"))
            chat = next(d["id"] for d in config["dependencies"] if d.get("api_name") == "chat")
            browser = {"data": chat_inputs(QUESTION), "fn_index": chat, "session_hash": "tab"}
            for _ in range(4):
                assert post(url, "gradio_api/queue/join", browser).status == 200
            assert queue_size(url) == 6
            with urllib.request.urlopen(url + "gradio_api/queue/data?session_hash=tab") as tab:
                tab.readline()  # connected; now the tab is closed
            wait_for_queue_size(url, 2)  # the tab's four dropped, the two /call jobs kept
        finally:
            release.set()


def queue_size(url: str) -> int:
    return int(json.loads(get(url, "gradio_api/queue/status"))["queue_size"])


def wait_for_queue_size(url: str, size: int) -> None:
    """Until the queue holds `size` jobs; it only ever shrinks in these tests."""
    deadline = time.monotonic() + TIMEOUT
    while queue_size(url) > size and time.monotonic() < deadline:
        time.sleep(0.2)
    assert queue_size(url) == size


# 3. Server paths


@pytest.mark.slow
def test_readers_never_see_server_paths(server: Server) -> None:
    uploaded = upload(server, "quokka.txt", SECRET.replace("7741-SECRET", "3,400 visitors"))
    file = {"path": uploaded, "orig_name": "quokka.txt", "meta": {"_type": "gradio.FileData"}}
    report = library_report(call(server, "add_files", [[file], "en", ""]))
    assert report.startswith("articles indexed: 1"), report
    folder_report = library_report(call(server, "add_folder", ["news", "en", ""]))
    session = uuid.uuid4().hex
    choices = removal_choices(server, session)
    everything = json.dumps([report, folder_report, choices])
    assert str(server.root) not in everything and str(REPO_ROOT) not in everything
    assert [value for _, value in choices if "quokka" in value] == ["uploads/quokka.txt"]
    assert "allowed/news/wombat.txt" in [value for _, value in choices]
    assert "…/en_pune_metro.html" in [value for _, value in choices]
    # A value that is not a choice: the refusal repeats it and names no other server path.
    sent = str(server.data_dir / "uploads" / "quokka.txt")
    bogus = call(server, "remove", [sent, "en", ""], session)
    assert bogus.event == "400" and sent in bogus.data, bogus
    assert str(server.root) not in bogus.data.replace(sent, "")
    removed = library_report(call(server, "remove", ["uploads/quokka.txt", "en", ""], session))
    assert removed == label("removed", "en", n=1)
    assert "uploads/quokka.txt" not in json.dumps(removal_choices(server, session))


def test_readers_are_answered_while_an_upload_is_embedded(
    make_assistant: Any, sample_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An upload held up in its embedding (as a big file is for minutes) holds the
    index's lock only for its writes: a question is answered meanwhile."""
    assistant = make_assistant(tmp_path / "data")
    assistant.ingest([sample_corpus / "en_isro_gslv_f21.txt"])
    shared = SharedAssistant(assistant)
    embedding, release = threading.Event(), threading.Event()
    embed = assistant.indexer._embed

    def held_embed(*args: Any) -> Any:
        embedding.set()
        assert release.wait(TIMEOUT)
        return embed(*args)

    monkeypatch.setattr(assistant.indexer, "_embed", held_embed)
    upload = tmp_path / "quokka.txt"
    upload.write_text(SECRET.replace("7741-SECRET", "3,400 visitors"), "utf-8")
    reports: list[str] = []
    shown = ShownPaths(assistant.settings.data_dir)
    ingest = threading.Thread(
        target=lambda: reports.append(library.add_uploads(shared, [str(upload)], "en", shown))
    )
    ingest.start()
    try:
        assert embedding.wait(TIMEOUT)
        *_, (_, _, asked) = respond(shared, QUESTION, Conversation(), ChatRequest())
        assert asked.answer is not None and asked.answer.answered
        assert ingest.is_alive()  # still embedding: the question did not wait for it
    finally:
        release.set()
        ingest.join(TIMEOUT)
    assert reports[0].startswith("articles indexed: 1"), reports


def test_a_failed_answer_names_no_server_path(
    sample_index: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    damaged = sample_index.settings.data_dir.resolve() / "bm25" / "segment-00002.npz"

    def fail(*args: Any, **kwargs: Any) -> Iterator[Any]:
        raise ValueError(f"index file {damaged} is damaged; run `rag ingest PATH... --rebuild`")

    monkeypatch.setattr(sample_index, "stream", fail)
    *_, (messages, _, _) = respond(
        SharedAssistant(sample_index), QUESTION, Conversation(), ChatRequest()
    )
    reply = messages[-1]["content"]
    assert "bm25/segment-00002.npz" in reply and str(damaged.parent) not in reply


@pytest.mark.slow
def test_an_overlong_question_or_a_setting_that_is_no_number_is_refused(server: Server) -> None:
    most = DEFAULT_LIMITS.question_chars
    overlong = call(server, "chat", chat_inputs("x" * (most + 1)))
    assert overlong.event == "422", overlong
    assert overlong.data[0]["message"] == label("too_long", "en", most=most)
    assert call(server, "chat", chat_inputs("When? " + "x" * (most - 6))).event == "complete"
    inputs = chat_inputs(QUESTION)
    inputs[4] = float("nan")  # k: NaN passes the slider's range check (infinity does not)
    outcome = call(server, "chat", inputs)
    assert outcome.event == "422", outcome
    refused = [v for v in outcome.data if not v["is_valid"]]
    assert [v["message"] for v in refused] == [label("not_a_number", "en")], refused


def upload(target: Server | str, name: str, text: str) -> str:
    """POST the file to Gradio's upload route; the path the server keeps it at."""
    sent = post_upload(url_of(target), name, text)
    assert sent.status == 200, sent
    return str(sent.json()[0])


def post_upload(url: str, name: str, text: str, *, say_length: bool = True) -> Response:
    """The upload as a browser sends it; without `say_length`, chunked, as a script may."""
    boundary = uuid.uuid4().hex
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
        f"Content-Type: text/plain\r\n\r\n{text}\r\n--{boundary}--\r\n"
    ).encode()
    request = urllib.request.Request(
        url + "gradio_api/upload",
        data=body if say_length else iter([body]),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return Response(response.status, response.read().decode(), dict(response.headers))
    except urllib.error.HTTPError as error:
        return Response(error.code, error.read().decode(), dict(error.headers))


# 5. Who may change the library, and how much one address may send


@pytest.mark.slow
def test_made_up_sessions_meet_the_address_limit(sample_index: Assistant) -> None:
    limits = UiLimits(questions_per_minute=100, address_questions_per_minute=3)
    with launched(sample_index, limits=limits) as url:
        # Each a new session, each claiming another address (loopback is no trusted proxy).
        outcomes = [
            call(
                url, "chat", chat_inputs(QUESTION, "hi"), headers={"X-Forwarded-For": f"10.0.0.{n}"}
            )
            for n in range(5)
        ]
    assert [o.event for o in outcomes] == ["complete"] * 3 + ["422"] * 2
    seconds = re.search(r"\d+", outcomes[-1].data[0]["message"])
    assert seconds and outcomes[-1].data[0]["message"] == label(
        "too_many", "hi", seconds=seconds[0]
    )


@pytest.mark.slow
def test_a_read_only_library_takes_no_upload_and_no_change(sample_index: Assistant) -> None:
    before = sample_index.articles()
    with launched(sample_index, access=LibraryAccess("off")) as url:
        refused = post_upload(url, "quokka.txt", SECRET)
        config = json.loads(get(url, "config"))
        body = {"data": ["…/en_pune_metro.html", "en", ""], "session_hash": "s"}
        remove = post(url, "gradio_api/call/remove", body)
        listed = call(url, "articles", ["en"])
    assert refused.status == 403 and "read-only" in refused.body, refused
    served = {d.get("api_name") for d in config["dependencies"]}
    assert {"add_files", "add_folder", "remove"}.isdisjoint(served) and "chat" in served
    assert remove.status >= 400, "no such event (Gradio answers 500 for an unknown name)"
    assert listed.event == "complete" and sample_index.articles() == before


@pytest.mark.slow
def test_a_keyed_library_changes_for_the_key_only_and_so_often(
    make_assistant: Callable[..., Assistant], tmp_path: Path
) -> None:
    assistant = make_assistant(tmp_path / "data")
    key = "wombat-bridge-88-lakh"
    access, limits = LibraryAccess("key", key), UiLimits(writes_per_minute=4)
    with launched(assistant, access=access, limits=limits) as url:
        path = upload(url, "wombat.txt", ALLOWED_ARTICLE)
        file = {"path": path, "orig_name": "wombat.txt", "meta": {"_type": "gradio.FileData"}}
        tries = [call(url, "add_files", [[file], "hi", given]) for given in ("", key[:-1])]
        added = call(url, "add_files", [[file], "en", key])
        session = uuid.uuid4().hex
        assert [value for _, value in removal_choices(url, session)] == ["uploads/wombat.txt"]
        removed = call(url, "remove", ["uploads/wombat.txt", "en", key], session)
        too_often = call(url, "add_files", [[file], "en", key])
    for refused in tries:
        assert refused.event == "422", refused
        assert [v["message"] for v in refused.data if not v["is_valid"]] == [
            label("wrong_key", "hi")
        ]
    assert library_report(added).startswith("articles indexed: 1"), added
    assert library_report(removed) == label("removed", "en", n=1)
    assert too_often.event == "422", "two refused keys and two changes: the minute's four"
    seconds = re.search(r"\d+", too_often.data[0]["message"])
    assert seconds and too_often.data[0]["message"] == label(
        "too_many_changes", "en", seconds=seconds[0]
    )
    assert assistant.articles() == []


@pytest.mark.slow
def test_uploads_are_held_to_a_budget_per_address_and_deleted_later(
    sample_index: Assistant,
) -> None:
    limits = UiLimits(upload_mb_kept=1, upload_keep_s=2)
    with launched(sample_index, limits=limits) as url:
        first = post_upload(url, "a.txt", "x" * 600_000)
        kept = Path(first.json()[0])
        assert kept.exists()
        second = post_upload(url, "b.txt", "x" * 600_000)
        unsaid = post_upload(url, "c.txt", "short", say_length=False)
        deadline = time.monotonic() + TIMEOUT
        while kept.exists() and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not kept.exists(), "never indexed, but deleted once older than upload_keep_s"
    assert first.status == 200
    assert second.status == 429 and 1 <= int(second.headers["retry-after"]) <= 2, second
    assert unsaid.status == 411, unsaid


@pytest.mark.slow
def test_routes_outside_the_checks_are_closed_and_events_name_only_uploads(
    server: Server,
) -> None:
    """Found by an attacker's probe: Gradio's recording processor kept any body in
    /tmp (95 MB in 1.5 s, never deleted); /stream/<event> swapped a queued
    question for one the checks had refused; a file input naming a URL or a path
    made the server fetch it, or name its working folder, before any check."""
    recording = post(server.url, "gradio_api/process_recording", {"x": "y" * 1000})
    assert recording.status == 404, recording
    joined = post(server.url, "gradio_api/call/chat", {"data": chat_inputs(QUESTION)})
    swapped = {"data": chat_inputs("x" * 50_000), "event_id": joined.json()["event_id"]}
    assert post(server.url, f"gradio_api/stream/{swapped['event_id']}", swapped).status == 404
    for path in ("http://93.184.215.14/article.txt", "whatever.txt", "/etc/passwd"):
        file = {"path": path, "orig_name": "a.txt", "meta": {"_type": "gradio.FileData"}}
        outcome = call(server, "add_files", [[file], "en", ""])
        assert outcome == Outcome("400", "a file must be uploaded first"), outcome
        # The same event by keyword, as Gradio's /call/v2 takes it.
        keywords = {"files": [file], "lang": "en", "key": ""}
        by_keyword = post(server.url, "gradio_api/call/v2/add_files", keywords)
        assert (by_keyword.status, by_keyword.json()) == (400, {"detail": outcome.data})
    uploaded = upload(server, "wombat.txt", ALLOWED_ARTICLE)
    file = {"path": uploaded, "orig_name": "wombat.txt", "meta": {"_type": "gradio.FileData"}}
    assert library_report(call(server, "add_files", [[file], "en", ""])).startswith("articles")


def test_the_library_is_open_only_on_loopback_unless_said() -> None:
    key = "a-key-of-sixteen"
    assert choose_access("127.0.0.1", None, "") == LibraryAccess("open")
    assert choose_access("0.0.0.0", None, "") == LibraryAccess("off")
    assert choose_access("0.0.0.0", None, key) == LibraryAccess("key", key)
    assert choose_access("localhost", "off", key) == LibraryAccess("off")
    assert choose_access("10.1.2.3", "open", "") == LibraryAccess("open")
    with pytest.raises(ValueError, match="needs a key"):
        choose_access("0.0.0.0", "key", "")
    with pytest.raises(ValueError, match="at least 12 characters"):
        choose_access("0.0.0.0", None, "short")
    assert LibraryAccess("key", key).admits(key) and not LibraryAccess("key", key).admits("")
    assert not LibraryAccess("off").admits(key)


# 4. Folders


@pytest.mark.slow
def test_folders_outside_the_allowed_roots_are_refused(server: Server) -> None:
    allowed = server.allowed
    for given in (
        "../secret",
        str(allowed / ".." / "secret"),
        f"/proc/self/root{server.secret}",
        str(server.secret),
        "elsewhere",  # a symlink inside the root to a folder outside it
        "/",
        "no-such-folder",
    ):
        report = library_report(call(server, "add_folder", [given, "en", ""]))
        assert report == label("folder_refused", "en", path=given), report
    # Inside the root, a symlink to a file outside it is skipped by name.
    report = library_report(call(server, "add_folder", [str(allowed / "news"), "en", ""]))
    assert "allowed/news/vault.txt: outside the allowed folders" in report, report
    assert "7741" not in answer_text(call(server, "chat", chat_inputs(SECRET_QUESTION)))
    assert "88 lakh" in answer_text(
        call(server, "chat", chat_inputs("What did the wombat bridge cost?"))
    )


def test_without_roots_folders_are_off(sample_index: Assistant, tmp_path: Path) -> None:
    shown = ShownPaths(sample_index.settings.data_dir)
    report = library.add_folder(SharedAssistant(sample_index), str(tmp_path), "hi", (), shown)
    assert report == label("folder_disabled", "hi")


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--host", "0.0.0.0", "--allow-folders", "."], "needs a loopback --host"),
        (["--allow-folders", "no-such-root"], "no-such-root is not a folder"),
        (["--queue-size", "0"], "queue_size must be at least 1"),
        (["--library", "key"], "--library key needs a key"),
        (["--library-key-file", "no-such-file"], "--library-key-file: No such file"),
    ],
)
def test_rag_ui_refuses_unsafe_or_impossible_flags(
    tmp_path: Path, flags: list[str], message: str
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "rag.cli", "ui", "--data-dir", str(tmp_path), *flags],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 2 and message in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


# Pieces


def test_shown_paths(tmp_path: Path) -> None:
    shown = ShownPaths(tmp_path / "data", [tmp_path / "news"])
    assert shown.show(tmp_path / "data" / "uploads" / "a.txt") == "uploads/a.txt"
    assert shown.show(tmp_path / "news" / "hi" / "b.txt") == "news/hi/b.txt"
    assert shown.show("/srv/private/c.txt") == "…/c.txt"
    message = f"cannot read {tmp_path}/news/x.txt or /etc/private/key.pem: denied"
    assert shown.redact(message) == "cannot read news/x.txt or …/key.pem: denied"
    paths = [str(tmp_path / "data" / "uploads" / "a.txt"), "/one/a.txt", "/two/a.txt"]
    assert list(shown.choices(paths)) == ["uploads/a.txt", "…/a.txt", "…/a.txt (2)"]
    skipped = Skipped(str(tmp_path / "news" / "x.txt"), f"cannot read {tmp_path}/news/x.txt")
    assert library._skipped_line(skipped, shown) == "  - news/x.txt: cannot read news/x.txt"


def test_rate_limit_counts_per_key_and_forgets_quiet_ones() -> None:
    now = [0.0]
    limit = RateLimit(2, window_s=60, clock=lambda: now[0])
    assert [limit.admit("a"), limit.admit("a"), limit.admit("b")] == [0, 0, 0]
    now[0] = 10.0
    assert limit.admit("a") == 50  # the first of its two expires at 60 s
    now[0] = 60.0
    assert limit.admit("a") == 0
    now[0] = 200.0
    limit.admit("c")
    assert len(limit) == 1, "a and b had been quiet for a whole window"


def test_rate_limit_counts_costs() -> None:
    now = [0.0]
    budget = RateLimit(10, window_s=60, clock=lambda: now[0])
    assert budget.admit("a", 6) == 0
    now[0] = 20.0
    assert budget.admit("a", 3) == 0
    assert budget.admit("a", 2) == 40, "room for two once the six spent at 0 s expire"
    assert budget.admit("a", 11) == 60, "more than a whole window's worth never fits"
    assert budget.admit("a", 1) == 0

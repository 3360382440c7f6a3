"""The web app, driven as readers drive it: through its HTTP API (gradio_client and
the REST routes) and in headless Chromium (tests/browser/chat.mjs), over an
index of the sample corpus plus two hostile articles."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest

from index.documents import ArticleRecord
from rag.assistant import Assistant
from rag.messages import say
from rag.types import Answer, Citation, Passage
from ui.assistants import SharedAssistant
from ui.chat import ChatRequest, Conversation, respond
from ui.examples import EXAMPLES, applicable
from ui.labels import LABELS, label
from ui.limits import UiLimits
from ui.render import escape_text, message_html, safe_url, sources_html
from ui.uploads import UploadRejected, safe_name, store_upload

ROOT = Path(__file__).resolve().parent.parent
BROWSER_DIR = Path(__file__).resolve().parent / "browser"
CASES = {
    case["id"]: case
    for case in map(json.loads, (ROOT / "eval" / "sets" / "sample.jsonl").open(encoding="utf-8"))
}
TIMEOUT = 60

SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=1">'
MD_LINK = "[see](javascript:window.__pwned=1)"
HOSTILE_TITLE = f"Zorbia {IMG} moon festival"
HOSTILE_FILES = {
    "zorbia_budget.txt": (
        " date 2025-09-02\nZorbian council passes moonlight budget\n\n"
        "Zorbia, Sep 2: The Zorbian council approved a moonlight budget of 42 crore rupees, "
        f"entered in the minutes as {SCRIPT}{IMG} {MD_LINK} ${{window.__pwned=1}} by a careless "
        "clerk.\n\nThe budget pays for lamps along the lake shore, council members said.\n"
    ),
    "zorbia_feed.jsonl": json.dumps(
        {
            "title": HOSTILE_TITLE,
            "text": "The Zorbian moon festival drew 9,000 visitors to the lake shore on Sunday, "
            "organisers said. Stalls sold lanterns and sweets.",
            "date": "2025-09-07",
            "url": "javascript:window.__pwned=1",
            "source": 'Zorbia <b onmouseover="window.__pwned=1">Herald</b>',
            "lang": "en",
        }
    )
    + "\n",
}
HOSTILE_QUESTION = "How large was the moonlight budget approved by the Zorbian council?"


@dataclass
class Running:
    url: str
    assistant: Assistant
    data_dir: Path


@pytest.fixture(scope="module")
def running(
    copy_sample_index: Callable[[Path], Assistant],
    sample_corpus: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Running]:
    from ui.app import build_app, launch

    root = tmp_path_factory.mktemp("ui")
    hostile = root / "hostile"
    hostile.mkdir()
    for name, text in HOSTILE_FILES.items():
        (hostile / name).write_text(text, encoding="utf-8")
    assistant = copy_sample_index(root / "data")
    # The sample corpus is unchanged in the copy: only the hostile files are new.
    assistant.ingest([sample_corpus, hostile])
    # Its clients (test_load's twenty readers too) are all on loopback, one address.
    web = build_app(assistant, limits=UiLimits(address_questions_per_minute=100_000))
    launch(web, "127.0.0.1", None, block=False, quiet=True)  # Gradio picks a free port
    app = web.blocks
    assert app.local_url is not None
    yield Running(app.local_url, assistant, root / "data")
    app.close()


def client(running: Running) -> Any:
    from gradio_client import Client

    return Client(running.url, verbose=False, httpx_kwargs={"timeout": TIMEOUT})


@dataclass
class Reply:
    raw: str  # the assistant message as sent to the browser
    text: str  # what the reader reads
    panel: str  # the sources panel's HTML
    updates: int


def ask(session: Any, question: str, **settings: Any) -> Reply:
    job = session.submit(question, api_name="/chat", **settings)
    messages, panel, _ = job.result(timeout=TIMEOUT)
    raw = "".join(part["text"] for part in messages[-1]["content"])
    return Reply(raw, Markup.parse(raw).text, panel, len(job.outputs()))


class Markup(HTMLParser):
    """Tags, attributes and text of a piece of HTML, as a browser would build them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.chunks: list[str] = []
        self.marks: list[str] = []
        self._in_mark = 0

    @classmethod
    def parse(cls, html_text: str) -> Markup:
        parser = cls()
        parser.feed(html_text)
        parser.close()
        return parser

    @property
    def text(self) -> str:
        return "".join(self.chunks)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        if tag == "mark":
            self._in_mark += 1
            self.marks.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "mark":
            self._in_mark -= 1

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)
        if self._in_mark:
            self.marks[-1] += data

    def ids(self) -> set[str]:
        return {attrs["id"] for _, attrs in self.tags if "id" in attrs}

    def cite_targets(self) -> list[str]:
        return [attrs["href"] for tag, attrs in self.tags if "cite" in attrs.get("class", "")]

    def passage_languages(self) -> list[str]:
        return [a["lang"] for t, a in self.tags if "passage" in a.get("class", "")]

    def live_parts(self) -> list[str]:
        """Anything that could run or load: script/img/iframe tags, on* handlers, odd links."""
        found = [tag for tag, _ in self.tags if tag in ("script", "img", "iframe", "object")]
        for _, attrs in self.tags:
            found += [name for name in attrs if name.startswith("on")]
            href = attrs.get("href", "")
            if href and not href.startswith("#") and safe_url(href) is None:
                found.append(href)
        return found


def key_facts_found(case: dict[str, Any], text: str) -> bool:
    return all(any(v in text for v in variants) for variants in case["key_facts"])


# Through the API


@pytest.mark.slow
def test_english_answer_streams_with_markers_linked_to_sources(running: Running) -> None:
    case = CASES["sample-en-05"]
    reply = ask(client(running), case["question"])
    assert key_facts_found(case, reply.text), reply.text
    assert reply.updates >= 2, "the answer streams: a first update before the final one"
    panel = Markup.parse(reply.panel)
    targets = Markup.parse(reply.raw).cite_targets()
    assert targets and all(t.startswith("#src-1-") and t[1:] in panel.ids() for t in targets)
    # The quoted sentence is highlighted inside its passage, and is what the answer says.
    assert panel.marks and all(mark in reply.text for mark in panel.marks)
    article = next(a for a in running.assistant.articles() if a.ref == "en_pune_metro.html")
    for shown in (article.title, article.outlet, article.date, "English"):
        assert shown in panel.text
    links = [a["href"] for t, a in panel.tags if t == "a"]
    assert article.url.startswith("https://") and article.url in links


@pytest.mark.slow
def test_hindi_answer_and_sources_in_hindi(running: Running) -> None:
    case = CASES["sample-hi-05"]
    reply = ask(client(running), case["question"])
    assert key_facts_found(case, reply.text), reply.text
    assert Markup.parse(reply.raw).cite_targets()
    panel = Markup.parse(reply.panel)
    assert label("sources", "hi") in panel.text and "hi" in panel.passage_languages()


@pytest.mark.slow
def test_follow_up_is_answered_with_the_earlier_question(running: Running) -> None:
    case = CASES["sample-hi-12"]  # "how heavy was it?": the history names the satellite
    session = client(running)
    ask(session, case["history"][0])
    reply = ask(session, case["question"])
    with_history = running.assistant.ask(case["question"], history=case["history"])
    alone = running.assistant.ask(case["question"])
    assert with_history.text != alone.text, "this follow-up needs its history"
    assert reply.text == Markup.parse(message_html(with_history.text, 2)).text
    assert Markup.parse(reply.raw).cite_targets()[0].startswith("#src-2-")


@pytest.mark.slow
def test_the_interface_language_never_changes_the_answer_language(running: Running) -> None:
    question = CASES["sample-en-01"]["question"]
    english = ask(client(running), question, interface="en")
    under_hindi = ask(client(running), question, interface="hi")
    assert under_hindi.text == english.text and key_facts_found(CASES["sample-en-01"], english.text)
    assert label("sources", "en") in Markup.parse(under_hindi.panel).text, "the answer's panel"
    in_hindi = ask(client(running), question, interface="en", answer_language="hi")
    expected = running.assistant.ask(question, lang="hi")
    assert expected.language == "hi" and expected.text != english.text
    assert in_hindi.text == Markup.parse(message_html(expected.text, 1)).text
    assert label("sources", "hi") in Markup.parse(in_hindi.panel).text


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("When will the 47th stretch of the Pune Metro open?", "en"),  # no article has a 47th
        ("पुणे मेट्रो का 47वां खंड कब खुलेगा?", "hi"),
    ],
)
def test_unanswerable_question_is_refused_in_its_language(
    running: Running, question: str, language: str
) -> None:
    reply = ask(client(running), question)
    assert reply.text == say("no_answer", language)
    assert label("no_support", language) in Markup.parse(reply.panel).text


@pytest.mark.slow
def test_settings_apply_to_one_request_only(running: Running) -> None:
    session = client(running)
    question = CASES["sample-en-01"]["question"]
    hindi_only = ask(session, question, only_languages=["hi"], mode="bm25", k=2)
    assert set(Markup.parse(hindi_only.panel).passage_languages()) == {"hi"}
    assert len(Markup.parse(hindi_only.panel).passage_languages()) <= 2
    plain = ask(client(running), question)
    assert "en" in Markup.parse(plain.panel).passage_languages()
    bad = ask(session, question, date_from="2025-13-40")
    assert bad.text == label("bad_date", "en")


@pytest.mark.slow
def test_concurrent_readers_get_their_own_answers(running: Running) -> None:
    english, hindi = CASES["sample-en-01"], CASES["sample-hi-05"]
    with ThreadPoolExecutor(2) as pool:
        replies = list(pool.map(lambda c: ask(client(running), c["question"]), [english, hindi]))
    for reply, own, other in [(replies[0], english, hindi), (replies[1], hindi, english)]:
        assert key_facts_found(own, reply.text) and not key_facts_found(other, reply.text)
        cited = Markup.parse(reply.panel.split("<details>")[0]).text
        assert own["gold_sources"][0] in cited and other["gold_sources"][0] not in cited


@pytest.mark.slow
def test_hostile_article_is_shown_as_text(running: Running) -> None:
    reply = ask(client(running), HOSTILE_QUESTION)
    panel = Markup.parse(reply.panel)
    message = Markup.parse(reply.raw)
    for literal in (SCRIPT, IMG, MD_LINK, HOSTILE_TITLE):
        assert literal in panel.text
    for literal in (SCRIPT, IMG, MD_LINK):
        assert literal in reply.text
    assert panel.live_parts() == [] and message.live_parts() == []
    assert "](" not in reply.raw, "no Markdown link can form in the chat message"
    assert 'Zorbia <b onmouseover="window.__pwned=1">Herald</b>' in panel.text


@pytest.mark.slow
def test_upload_lands_in_the_data_folder_and_can_be_removed(running: Running) -> None:
    article = (
        " date 2025-09-03\nQuokka festival draws crowds\n\nPerth, Sep 3: The annual quokka "
        "festival on Rottnest Island drew 3,400 visitors on Wednesday, organisers said.\n"
    )
    with httpx.Client(base_url=running.url, timeout=TIMEOUT) as http:
        uploaded = http.post(
            "gradio_api/upload",
            files=[("files", ("../../evil.txt", article.encode(), "text/plain"))],
        )
        uploaded.raise_for_status()
        file = {
            "path": uploaded.json()[0],
            "orig_name": "../../evil.txt",
            "meta": {"_type": "gradio.FileData"},
        }
        event = http.post("gradio_api/call/add_files", json={"data": [[file], "en", ""]})
        event.raise_for_status()
        stream = http.get(f"gradio_api/call/add_files/{event.json()['event_id']}").text
    assert "event: complete" in stream, stream
    summary = json.loads(stream.split("event: complete\ndata:")[1].splitlines()[0])[0]
    assert summary.startswith("articles indexed: 1"), summary

    stored = running.data_dir / "uploads" / "evil.txt"
    assert stored.read_text(encoding="utf-8") == article
    assert [p.name for p in stored.parent.iterdir()] == ["evil.txt"]
    assert sorted(running.data_dir.parent.parent.rglob("evil.txt")) == [stored]

    session = client(running)
    reply = ask(session, "How many visitors did the quokka festival draw?")
    assert "3,400" in reply.text and "evil.txt" in Markup.parse(reply.panel).text
    listed = session.predict(api_name="/articles")[1]["choices"]
    assert [path for _, path in listed if path.endswith("evil.txt")] == ["uploads/evil.txt"]
    session.predict("uploads/evil.txt", "en", "", api_name="/remove")
    assert "evil.txt" not in json.dumps(session.predict(api_name="/articles")[1])


@pytest.mark.slow
def test_backend_failure_reads_as_one_line(running: Running, free_port: int) -> None:
    """The index's Chroma server unreachable: the reader gets a sentence, not a traceback.
    (A question that dense search would serve: BM25 alone answers from local files.)"""
    broken = Assistant(data_dir=running.data_dir, chroma_url=f"http://127.0.0.1:{free_port}")
    updates = list(
        respond(
            SharedAssistant(broken),
            CASES["sample-en-01"]["question"],
            Conversation(),
            ChatRequest(interface="en", mode="hybrid"),
        )
    )
    text = Markup.parse(updates[-1][0][-1]["content"]).text
    assert text.startswith(label("failed", "en", reason="").split("(")[0])
    assert "Traceback" not in text and "\n" not in text


# In a browser


def node_for_browser_tests() -> str:
    """node, once Chromium and playwright-core are there too; else the test skips."""
    node = shutil.which("node")
    if node is None or not Path("/usr/bin/chromium").exists():
        pytest.skip("node or /usr/bin/chromium missing: run .ci/install-browser-deps")
    if not (BROWSER_DIR / "node_modules" / "playwright-core").is_dir():
        pytest.skip("tests/browser/node_modules missing: run .ci/install-browser-deps")
    return node


@pytest.mark.slow
@pytest.mark.browser
def test_in_chromium(running: Running, tmp_path: Path) -> None:
    node = node_for_browser_tests()
    english, hindi = CASES["sample-en-01"], CASES["sample-hi-05"]
    cases = {
        "english": {"question": english["question"], "expect": english["key_facts"][0]},
        "hindi": {"question": hindi["question"], "expect": hindi["key_facts"][0]},
        "hostile": {
            "question": HOSTILE_QUESTION,
            "literal": [SCRIPT, IMG, MD_LINK],
            "title": HOSTILE_TITLE,
        },
    }
    screenshot = Path(os.environ.get("UI_SCREENSHOT") or tmp_path / "chat.png")
    done = subprocess.run(
        [node, str(BROWSER_DIR / "chat.mjs"), running.url, str(screenshot)],
        env={**os.environ, "UI_CASES": json.dumps(cases)},
        capture_output=True,
        text=True,
        timeout=150,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


OWN_ARTICLE = (
    " date 2025-09-10\nनागपुर में नया सार्वजनिक पुस्तकालय खुला\n\n"
    "नागपुर, 10 सितंबर: शहर के सीताबर्डी इलाके में बुधवार को नया सार्वजनिक पुस्तकालय खुला। "
    "नगर निगम ने बताया कि पुस्तकालय में 18,000 किताबें हैं और यह रोज़ सुबह आठ बजे खुलेगा।\n"
)


@dataclass
class Newcomer:
    url: str
    root: Path  # the one folder the app may index, holding theirs
    folder: Path


@pytest.fixture(scope="module")
def newcomer(
    make_assistant: Callable[..., Assistant],
    sample_corpus: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Newcomer]:
    """The app over an empty index, allowed to index one folder: a copy of the sample
    corpus, standing for the newcomer's own articles."""
    from ui.app import build_app, launch

    root = tmp_path_factory.mktemp("first-hour")
    folder = root / "my-news"
    shutil.copytree(sample_corpus, folder)
    web = build_app(make_assistant(root / "data"), folder_roots=[root])
    launch(web, "127.0.0.1", None, block=False, quiet=True)
    app = web.blocks
    assert app.local_url is not None
    yield Newcomer(app.local_url, root, folder)
    app.close()


FIRST_HOUR_SHOTS = (
    "01-empty-index",
    "02-folder-indexed",
    "03-english-example",
    "04-citation-followed",
    "05-hindi-example",
    "06-follow-up",
    "07-hindi-interface",
    "08-own-file-uploaded",
    "09-own-file-answered",
    "10-phone-390px",
)


@pytest.mark.slow
@pytest.mark.browser
def test_first_hour_in_chromium(newcomer: Newcomer, tmp_path: Path) -> None:
    """tests/browser/first_hour.mjs; with UI_FIRST_HOUR_DIR set, its screenshots are
    kept there, made small (docs/first-hour/ holds them)."""
    node = node_for_browser_tests()
    by_file = {e.file: e.question for e in EXAMPLES}
    own = tmp_path / "nagpur_library.txt"
    own.write_text(OWN_ARTICLE, encoding="utf-8")
    follow_up = CASES["sample-hi-13"]
    walk = {
        "folder": newcomer.folder.name,
        "english": {
            "question": by_file["en_isro_gslv_f21.txt"],
            "file": "en_isro_gslv_f21.txt",
            "expect": "19 minutes",
        },
        "hindi": {
            "question": by_file["hi_rbi_policy_august.md"],
            "file": "hi_rbi_policy_august.md",
            "expect": "6.7",
        },
        "follow_up": {"question": follow_up["question"], "expect": follow_up["key_facts"][0][0]},
        "upload": {
            "path": str(own),
            "name": own.name,
            "question": "नागपुर के नए पुस्तकालय में कितनी किताबें हैं?",
            "expect": "18,000",
        },
    }
    shots = tmp_path / "shots"
    shots.mkdir()
    done = subprocess.run(
        [node, str(BROWSER_DIR / "first_hour.mjs"), newcomer.url, str(shots)],
        env={**os.environ, "UI_WALK": json.dumps(walk)},
        capture_output=True,
        text=True,
        timeout=400,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(p.stem for p in shots.iterdir()) == list(FIRST_HOUR_SHOTS)
    if kept := os.environ.get("UI_FIRST_HOUR_DIR"):
        for shot in shots.iterdir():
            small_png(shot, Path(kept) / shot.name)


def small_png(source: Path, target: Path, width: int = 1000) -> None:
    """`source` at most `width` px wide, in 256 colours (UI screenshots lose nothing visible)."""
    from PIL import Image

    with Image.open(source) as image:
        if image.width > width:
            image = image.resize((width, round(image.height * width / image.width)))
        target.parent.mkdir(parents=True, exist_ok=True)
        image.convert("RGB").quantize(256).save(target, optimize=True)


# Pieces


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../evil.txt", "evil.txt"),
        ("..\\..\\windows\\evil.md", "evil.md"),
        ("/etc/passwd", "passwd"),
        ("..", "upload"),
        (".hidden.html", "hidden.html"),
        ("समाचार लेख.TXT", "समाचार_लेख.txt"),
        ("a<script>b.json", "a_script_b.json"),
        ("x" * 300 + ".jsonl", "x" * 114 + ".jsonl"),
    ],
)
def test_safe_name(given: str, kept: str) -> None:
    assert safe_name(given) == kept


def test_store_upload_refuses_other_types_and_big_files(tmp_path: Path) -> None:
    source = tmp_path / "incoming"
    source.write_text("hello")
    with pytest.raises(UploadRejected):
        store_upload(source, "tool.exe", tmp_path / "data")
    with source.open("r+b") as handle:
        handle.truncate(21 * 2**20)  # sparse: no 21 MB written
    with pytest.raises(UploadRejected):
        store_upload(source, "big.txt", tmp_path / "data")
    assert not (tmp_path / "data" / "uploads").exists() or not any(
        (tmp_path / "data" / "uploads").iterdir()
    )


def test_escaped_text_shows_as_itself_and_forms_no_markup() -> None:
    text = (
        f"# Title\n1. {SCRIPT} {IMG} {MD_LINK} **bold** _it_ `code` $$x$$ | a | b |\n    indented"
    )
    escaped = escape_text(text)
    assert not re.search(r"[<>\[\]`*_$|]", escaped)
    assert not re.search(r"^(?:#|\d+\.|\s)", escaped, re.MULTILINE)
    assert Markup.parse(escaped).text == text.replace("\n    ", "\n")


def test_sources_highlight_the_quote_by_its_offsets() -> None:
    text = f"First {IMG} here. The quoted one, with <b>markup</b>. Last {SCRIPT} one."
    quote = "The quoted one, with <b>markup</b>."
    passage = Passage(
        n=2,
        chunk_id="c",
        text=text,
        ref="a.txt",
        path="/a.txt",
        title="T <i>",
        outlet="O",
        url="javascript:alert(1)",
        date="",
        language="en",
        start=100,
        end=100 + len(text),
        score=1.0,
    )
    start = 100 + text.index(quote)
    citation = Citation(
        n=2,
        ref="a.txt",
        title="T",
        outlet="O",
        url="",
        date="",
        quote=quote,
        start=start,
        end=start + len(quote),
        language="en",
    )
    answer = Answer("q?", f"{quote} [2]", "en", True, [citation], [passage])
    panel = Markup.parse(sources_html(answer, 3, "en"))
    assert panel.marks == [quote] and text in panel.text
    assert "src-3-2" in panel.ids() and panel.live_parts() == []
    assert "T <i>" in panel.text and label("undated", "en") in panel.text
    assert Markup.parse(message_html(answer.text, 3, [2])).cite_targets() == ["#src-3-2"]
    assert safe_url("https://example.com/a") == "https://example.com/a"
    assert safe_url(" JavaScript:alert(1)") is None and safe_url("data:text/html,x") is None


def test_switching_the_language_rewords_every_component_that_shows_a_label(
    tmp_path: Path,
) -> None:
    from ui.app import build_app

    app = build_app(Assistant(data_dir=tmp_path / "data")).blocks
    relabel = next(f for f in app.fns.values() if f.name == "relabel")
    updates = relabel.fn("hi", Conversation())
    in_hindi = {words["en"]: words["hi"] for words in LABELS.values()}
    shown = [
        (block, prop, text)
        for block in app.blocks.values()
        for prop in ("label", "value", "placeholder")
        if isinstance(text := getattr(block, prop, None), str) and text in in_hindi
    ]
    assert len(shown) >= 20, "the app's labels were found"
    for block, prop, text in shown:
        assert updates.get(block, {}).get(prop) == in_hindi[text], (block, prop, text)
    assert label("title", "hi") in updates[next(iter(updates))]["value"], "the heading"
    by_id = {getattr(block, "elem_id", None): block for block in app.blocks.values()}
    answer_choices = updates[by_id["answer-language"]]["choices"]
    assert answer_choices[0] == (label("answer_auto", "hi"), "auto"), "choices are worded too"
    outputs = next(d for d in app.config["dependencies"] if d["id"] == relabel._id)["outputs"]
    assert sorted(outputs) == sorted(block._id for block in updates)
    # The sources panel of an answer stays in the answer's language.
    english = Answer("q?", "x [1]", "en", True, [], [])
    panel = relabel.fn("hi", Conversation(["q?"], [], english))[by_id["sources"]]
    assert label("sources", "en") in panel and label("sources", "hi") not in panel


@pytest.mark.slow
def test_each_example_is_answered_from_its_own_article(sample_index: Assistant) -> None:
    for example in EXAMPLES:
        answer = sample_index.ask(example.question)
        assert answer.answered and example.file in [c.ref for c in answer.citations], (
            example,
            answer.text,
        )


def test_examples_are_offered_only_for_indexed_articles(sample_corpus: Path) -> None:
    assert {e.file for e in EXAMPLES} <= {p.name for p in sample_corpus.iterdir()}
    assert {e.question for e in EXAMPLES} == set(
        applicable([indexed_at(str(p)) for p in sample_corpus.iterdir()])
    )
    elsewhere = [indexed_at("/srv/news/en_pune_metro.html"), indexed_at("/srv/news/own.txt")]
    assert applicable(elsewhere) == [e.question for e in EXAMPLES if e.file == "en_pune_metro.html"]
    assert applicable([indexed_at("/srv/news/own.txt")]) == []


def indexed_at(path: str) -> ArticleRecord:
    return ArticleRecord("id", Path(path).name, "title", "en", "", "", "", "", 1, path=path)


def test_gradio_locale_switch_finds_its_frontend_chunk() -> None:
    """The interface switch imports the chunk of Gradio's frontend that sets its locale."""
    import gradio

    from ui.gradio_words import locale_module, switch_locale_js

    module = locale_module()
    assert module is not None, "this Gradio's frontend has no changeLocale chunk"
    chunk = Path(gradio.__file__).parent / "templates" / "frontend" / module
    assert "changeLocale" in chunk.read_text(encoding="utf-8")
    assert json.dumps(module) in switch_locale_js(module)

"""The web app: a bilingual chat over the indexed articles with a sources panel,
and a library tab to add and remove articles.

    app = build_app(Settings.load())      # a WebApp: the Blocks, who may change the library
    launch(app, "127.0.0.1", 7860)
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr
from gradio.blocks import Block
from gradio.utils import get_upload_folder
from starlette.middleware import Middleware

from index.documents import ArticleRecord
from rag.assistant import Assistant
from rag.settings import Settings
from ui import library
from ui.access import OPEN, LibraryAccess, RouteGate
from ui.assistants import SharedAssistant
from ui.chat import ChatRequest, Conversation, panel_language, respond
from ui.gradio_words import TRANSLATIONS, locale_module, switch_locale_js
from ui.labels import interface_language, label
from ui.layout import (
    ChatTab,
    LibraryTab,
    article_headers,
    chat_tab,
    examples_shown,
    header,
    library_tab,
)
from ui.limits import DEFAULT_LIMITS, RateLimit, UiLimits
from ui.paths import ShownPaths
from ui.render import article_rows, sources_html
from ui.style import CSS, theme
from ui.uploads import MAX_UPLOAD_MB
from ui.wording import Wording

# Ingestion reports through tqdm; Gradio turns that into the progress bar.
INGEST_PROGRESS = gr.Progress(track_tqdm=True)


@dataclass(frozen=True)
class WebApp:
    """The Blocks app and what its server must enforce in front of it."""

    blocks: gr.Blocks
    access: LibraryAccess
    limits: UiLimits


def build_app(
    source: Assistant | Settings,
    *,
    folder_roots: Sequence[Path] = (),
    limits: UiLimits = DEFAULT_LIMITS,
    access: LibraryAccess = OPEN,
) -> WebApp:
    """The app over `source`'s index, its queue bounded by `limits`.
    `folder_roots`: the server folders readers may index (with what lies under
    them); none, the default, hides the folder box. `access`: who may change the
    library (`rag ui` chooses it from the host; see ui/access.py)."""
    main = source if isinstance(source, Assistant) else Assistant.from_settings(source)
    shared = SharedAssistant(main)
    roots = [Path(root).resolve() for root in folder_roots] if access.editable else []
    words = Wording()
    with gr.Blocks(
        title="Ask the news · समाचारों से पूछें",
        analytics_enabled=False,
        # Every upload stays in Gradio's folder until deleted, whether indexed or not.
        delete_cache=(max(1, limits.upload_keep_s // 4), limits.upload_keep_s),
    ) as app:
        conversation = gr.State(Conversation())
        language = header(words)
        with gr.Tabs():
            chat = chat_tab(
                words, main.settings, shared.backends, main.articles(), limits.question_chars
            )
            shelf = library_tab(words, main.articles, bool(roots), access)
        _wire_chat(chat, language, conversation, shared, limits)
        refresh = _wire_library(app, shelf, chat, language, shared, roots)
        if access.editable:
            admission = _change_admission(access, RateLimit(limits.writes_per_minute))
            _wire_library_changes(shelf, language, shared, roots, refresh, admission)
        _wire_language(app, words, language, conversation, chat, shelf)
    # api_open=False: Gradio would otherwise also serve every event on /run/<name>,
    # outside the queue and so outside its bound.
    app.queue(max_size=limits.queue_size, default_concurrency_limit=1, api_open=False)
    return WebApp(app, access, limits)


def _wire_chat(
    chat: ChatTab,
    language: gr.Radio,
    conversation: gr.State,
    shared: SharedAssistant,
    limits: UiLimits,
) -> None:
    gr.on(
        [chat.question.submit, chat.ask.click],
        _answerer(shared),
        inputs=[chat.question, conversation, language, *chat.settings.components()],
        outputs=[chat.chatbot, chat.sources, conversation, chat.question],
        api_name="chat",
        validator=_admission(limits),
        concurrency_limit=limits.chat_concurrency,
        concurrency_id="chat",
        show_progress="minimal",
    )

    def new_conversation(lang: str) -> tuple[Any, ...]:
        return [], sources_html(None, 0, interface_language(lang)), Conversation()

    # The chat's own trash button too: the conversation must not outlive what is shown.
    gr.on(
        [chat.clear.click, chat.chatbot.clear],
        new_conversation,
        [language],
        [chat.chatbot, chat.sources, conversation],
        api_visibility="private",
    )
    chat.examples.click(
        lambda sample: sample[0],
        chat.examples,
        chat.question,
        queue=False,
        show_progress="hidden",
        api_visibility="private",
    )


def _answerer(shared: SharedAssistant) -> Callable[..., Iterator[tuple[Any, ...]]]:
    """The chat event: one question with its reader's settings, streamed."""
    s = shared.main.settings

    # The parameter names are the API's (gradio_client keywords).
    def chat(
        question: str,
        state: Conversation,
        interface: str,
        answer_language: str,
        k: float,
        mode: str,
        backend: str,
        only_languages: list[str] | None,
        only_outlets: list[str] | None,
        date_from: str | None,
        date_to: str | None,
    ) -> Iterator[tuple[Any, ...]]:
        request = ChatRequest(
            interface or "en",
            answer_language or "auto",
            int(k or s.k),
            mode or s.retriever,
            backend or s.llm,
            tuple(only_languages or ()),
            tuple(only_outlets or ()),
            date_from or "",
            date_to or "",
        )
        for messages, panel, state_after in respond(shared, question, state, request):
            yield messages, panel, state_after, ""

    return chat


def _admission(limits: UiLimits) -> Callable[..., list[dict[str, Any]]]:
    per_session = RateLimit(limits.questions_per_minute)
    per_address = RateLimit(limits.address_questions_per_minute)
    most_chars = limits.question_chars

    def admit(
        request: gr.Request, question: str, state: Conversation, lang: str, *settings: Any
    ) -> list[dict[str, Any]]:
        """Runs before a question joins the queue: a question of at most
        `most_chars` characters, settings that are numbers where they are numbers
        (a raw request's NaN passes a slider's range check), and so many a minute
        for one browser session of one client and more for one client address,
        whatever sessions it makes up (on loopback, or behind a proxy, every
        client has the same address). A refusal is shown under its input."""
        shown = interface_language(lang)
        fine = gr.validate(True, "")
        numbers = [
            fine if _finite(value) else gr.validate(False, label("not_a_number", shown))
            for value in settings
        ]
        client = request.client.host if request.client else ""
        if len(question or "") > most_chars:
            first = gr.validate(False, label("too_long", shown, most=most_chars))
        elif any(verdict is not fine for verdict in numbers):
            first = fine
        elif wait := per_session.admit(f"{client} {request.session_hash}") or per_address.admit(
            client
        ):
            first = gr.validate(False, label("too_many", shown, seconds=wait))
        else:
            first = fine
        return [first, fine, fine, *numbers]

    return admit


def _finite(value: Any) -> bool:
    return not isinstance(value, float) or math.isfinite(value)


def _wire_library(
    app: gr.Blocks,
    shelf: LibraryTab,
    chat: ChatTab,
    language: gr.Radio,
    shared: SharedAssistant,
    roots: Sequence[Path],
) -> Refresh:
    """What shows the library, refreshed on load; returns the refresh, for the changes."""
    main = shared.main
    shown = ShownPaths(main.settings.data_dir, roots)

    # Everything that shows what is indexed, each from the articles and the language.
    listing: dict[Block, Callable[[list[ArticleRecord], str], Any]] = {
        shelf.table: lambda articles, t: gr.Dataframe(**_table(articles, t)),
        shelf.to_remove: lambda articles, t: gr.Dropdown(
            choices=library.file_choices(articles, shown), value=None
        ),
        chat.settings.outlets: lambda articles, t: gr.Dropdown(choices=library.outlets(articles)),
        chat.examples: lambda articles, t: gr.Dataset(**examples_shown(articles)),
    }

    def refreshed(lang: str) -> dict[Block, Any]:
        articles = main.articles()
        return {
            shown_by: show(articles, interface_language(lang)) for shown_by, show in listing.items()
        }

    app.load(refreshed, [language], list(listing), api_name="articles")
    return Refresh(refreshed, list(listing), shown)


@dataclass(frozen=True)
class Refresh:
    updates: Callable[[str], dict[Block, Any]]
    outputs: list[Block]
    shown: ShownPaths


def _wire_library_changes(
    shelf: LibraryTab,
    language: gr.Radio,
    shared: SharedAssistant,
    roots: Sequence[Path],
    refresh: Refresh,
    admission: Callable[..., list[dict[str, Any]]],
) -> None:
    """Adding uploads or a folder and removing a file; `admission` checks each first."""
    refreshed, shown = refresh.updates, refresh.shown

    def on_add_files(
        files: list[str] | None, lang: str, key: str, progress: gr.Progress = INGEST_PROGRESS
    ) -> dict[Block, Any]:
        progress(0, desc=label("upload_button", interface_language(lang)))
        summary = library.add_uploads(shared, files, interface_language(lang), shown)
        return {shelf.report: summary, **refreshed(lang)}

    def on_add_folder(
        path: str, lang: str, key: str, progress: gr.Progress = INGEST_PROGRESS
    ) -> dict[Block, Any]:
        progress(0, desc=label("folder_button", interface_language(lang)))
        summary = library.add_folder(shared, path, interface_language(lang), roots, shown)
        return {shelf.report: summary, **refreshed(lang)}

    def on_remove(path: str | None, lang: str, key: str) -> dict[Block, Any]:
        summary = library.remove(shared, path, interface_language(lang), shown)
        return {shelf.report: summary, **refreshed(lang)}

    # Index writes run one at a time; each waits for the questions in flight and
    # holds off new ones while it runs (see SharedAssistant).
    for button, action, given, name in [
        (shelf.add_files, on_add_files, shelf.upload, "add_files"),
        (shelf.add_folder, on_add_folder, shelf.folder, "add_folder"),
        (shelf.remove, on_remove, shelf.to_remove, "remove"),
    ]:
        button.click(
            action,
            [given, language, shelf.key],
            [shelf.report, *refresh.outputs],
            api_name=name,
            validator=admission,
            concurrency_id="index",
            show_progress_on=shelf.report,
        )


def _change_admission(
    access: LibraryAccess, per_address: RateLimit
) -> Callable[..., list[dict[str, Any]]]:
    def admit(request: gr.Request, given: Any, lang: str, key: str) -> list[dict[str, Any]]:
        """Runs before a library change joins the queue: so many a minute from one
        client address, refused keys included, and then the key."""
        shown = interface_language(lang)
        fine = gr.validate(True, "")
        if wait := per_address.admit(request.client.host if request.client else ""):
            return [gr.validate(False, label("too_many_changes", shown, seconds=wait)), fine, fine]
        if not access.admits(key):
            return [fine, fine, gr.validate(False, label("wrong_key", shown))]
        return [fine, fine, fine]

    return admit


def _wire_language(
    app: gr.Blocks,
    words: Wording,
    language: gr.Radio,
    conversation: gr.State,
    chat: ChatTab,
    shelf: LibraryTab,
) -> None:
    """The interface switch rewords every worded component and sets Gradio's own
    locale (ui/gradio_words.py); the sources panel is redrawn in its answer's language."""
    module = locale_module()
    switch = switch_locale_js(module) if module else None

    def relabel(lang: str, state: Conversation) -> dict[Block, Any]:
        worded = words.updates(interface_language(lang))
        # Gradio writes the upload box's words once, when it is drawn: hide it here,
        # show it again below, and it is drawn anew in the new locale.
        worded[shelf.upload]["visible"] = False
        panel = sources_html(state.answer, state.turn, panel_language(lang, state.answer))
        return {**worded, chat.sources: panel}

    language.change(
        relabel,
        [language, conversation],
        [*words.components, chat.sources],
        js=switch,
        api_visibility="private",
    ).then(lambda: gr.File(visible=True), None, shelf.upload, api_visibility="private")
    if switch:  # a browser in another locale would start Gradio's words in it
        app.load(None, [language], None, js=switch)


def launch(
    app: WebApp,
    host: str = "127.0.0.1",
    port: int | None = 7860,
    *,
    block: bool = True,
    quiet: bool = False,
    trusted_proxies: Sequence[str] = (),
) -> None:
    """Serve `app` (port None: the first free one from 7860; see app.blocks.local_url);
    with block=False return once it is up (tests). `trusted_proxies`: the reverse
    proxies whose X-Forwarded-For names the client (none: the connection's address)."""
    limits = app.limits
    budget = RateLimit(limits.upload_mb_kept * 2**20, window_s=limits.upload_keep_s)
    uploads = Path(get_upload_folder())
    gate = Middleware(RouteGate, editable=app.access.editable, budget=budget, uploads=uploads)
    # uvicorn believes X-Forwarded-For from these addresses (its default: loopback),
    # which would let any local client name its own address to every per-address limit.
    os.environ["FORWARDED_ALLOW_IPS"] = ",".join(trusted_proxies)
    app.blocks.launch(
        server_name=host,
        server_port=port,
        prevent_thread_lock=not block,
        quiet=quiet,
        theme=theme(),
        css=CSS,
        max_file_size=f"{MAX_UPLOAD_MB}mb",
        i18n=TRANSLATIONS,
        show_error=False,
        ssr_mode=False,
        inbrowser=False,
        share=False,
        app_kwargs={"middleware": [gate]},
    )


def _table(articles: list[ArticleRecord], language: str) -> dict[str, Any]:
    return {"value": article_rows(articles, language), "headers": article_headers(language)}

"""The web app: a bilingual chat over the indexed articles with a sources panel,
and a library tab to add and remove articles.

    app = build_app(Settings.load())
    launch(app, "127.0.0.1", 7860)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import gradio as gr

from rag.assistant import Assistant
from rag.settings import Settings
from ui import library
from ui.assistants import AssistantPool
from ui.chat import ChatRequest, Conversation, panel_language, respond
from ui.labels import interface_language, label
from ui.limits import DEFAULT_LIMITS, RateLimit, UiLimits
from ui.paths import ShownPaths
from ui.render import ARTICLE_COLUMNS, article_rows, sources_html
from ui.uploads import ALLOWED_SUFFIXES, MAX_UPLOAD_MB

# System fonts only: a web font would be fetched from the network, which the
# app must not need. The Devanagari families come before the generic fallback
# so that Hindi never depends on what "sans-serif" happens to cover.
FONTS = [
    "Segoe UI",
    "Roboto",
    "Helvetica Neue",
    "Arial",
    "Noto Sans",
    "DejaVu Sans",
    "Lohit Devanagari",
    "Noto Sans Devanagari",
    "Nirmala UI",
    "Mangal",
    "Kohinoor Devanagari",
    "sans-serif",
]
MONO_FONTS = ["DejaVu Sans Mono", "Menlo", "Consolas", "Liberation Mono", "monospace"]

# For the sample corpus (index/sample_corpus); any question works on any index.
EXAMPLES = [
    "How long after liftoff was the NVS-04 satellite placed in orbit?",
    "मेट्रो से स्वारगेट से कात्रज का सफर कितने समय में पूरा होगा?",
    "What daily ridership does Maha-Metro expect on the Swargate-Katraj stretch?",
    "RBI ने 2025-26 के लिए GDP वृद्धि का कितना अनुमान रखा है?",
    "How much will the Japanese consortium invest in the chip plant at Dholera?",
    "GSLV-F21 रॉकेट से कौन सा उपग्रह लॉन्च किया गया?",
]

LANGUAGE_CHOICES = [("Auto / स्वतः", "auto"), ("हिन्दी", "hi"), ("English", "en")]
# Ingestion reports through tqdm; Gradio turns that into the progress bar.
INGEST_PROGRESS = gr.Progress(track_tqdm=True)

CSS = """
#sources .sources { font-size: var(--text-md); }
#sources h3 { margin: 0 0 .5em; }
#sources ul { list-style: none; padding: 0; margin: 0; }
#sources li.source { border: 1px solid var(--border-color-primary); border-radius: var(--radius-md);
  padding: .6em .8em; margin: 0 0 .6em; scroll-margin-top: 1em; }
#sources li.source:target { outline: 2px solid var(--color-accent); }
#sources .source-head { font-weight: 600; }
#sources .source-n { color: var(--color-accent); }
#sources .source-meta, #sources .muted, .answer-note { color: var(--body-text-color-subdued);
  font-size: var(--text-sm); }
#sources .source-file { font-family: var(--font-mono); }
#sources .passage { white-space: pre-wrap; margin-top: .4em; line-height: 1.6; }
#sources mark { background: #fde68a; color: inherit; padding: 0 .1em; }
.dark #sources mark { background: #854d0e; }
#sources details { margin-top: .8em; }
#sources summary { cursor: pointer; }
a.cite { text-decoration: none; font-weight: 600; }
"""


def theme() -> gr.themes.Base:
    return gr.themes.Default(font=FONTS, font_mono=MONO_FONTS)


def build_app(
    source: Assistant | Settings,
    *,
    folder_roots: Sequence[Path] = (),
    limits: UiLimits = DEFAULT_LIMITS,
) -> gr.Blocks:
    """The Blocks app over `source`'s index, its queue bounded by `limits`.
    `folder_roots`: the server folders readers may index (with what lies under
    them); none, the default, hides the folder box."""
    main = source if isinstance(source, Assistant) else Assistant.from_settings(source)
    pool = AssistantPool(main)
    s = main.settings
    roots = [Path(root).resolve() for root in folder_roots]
    shown = ShownPaths(s.data_dir, roots)
    per_client = RateLimit(limits.questions_per_minute)

    with gr.Blocks(title="Ask the news · समाचारों से पूछें", analytics_enabled=False) as app:
        conversation = gr.State(Conversation())
        with gr.Row(equal_height=True):
            heading = gr.Markdown(_heading("en"))
            language = gr.Radio(
                LANGUAGE_CHOICES, value="auto", label="Language / भाषा", elem_id="language"
            )
        with gr.Tabs():
            with gr.Tab(label("tab_chat", "en"), id="chat") as chat_tab, gr.Row():
                with gr.Column(scale=3):
                    chatbot = gr.Chatbot(
                        label=label("conversation", "en"),
                        height=480,
                        elem_id="chat",
                        latex_delimiters=[],
                        buttons=["copy"],
                        feedback_options=None,
                    )
                    with gr.Row(equal_height=True):
                        question = gr.Textbox(
                            label=label("question", "en"),
                            elem_id="question",
                            placeholder=label("placeholder", "en"),
                            scale=5,
                            max_lines=4,
                        )
                        ask = gr.Button(
                            label("ask", "en"), variant="primary", scale=1, elem_id="ask"
                        )
                    examples = gr.Examples(
                        [[q] for q in EXAMPLES], inputs=[question], label=label("examples", "en")
                    )
                    with gr.Accordion(label("settings", "en"), open=False) as settings_box:
                        with gr.Row():
                            k = gr.Slider(1, 15, value=s.k, step=1, label=label("k", "en"))
                            mode = gr.Radio(
                                ["hybrid", "dense", "bm25"],
                                value=s.retriever,
                                label=label("mode", "en"),
                            )
                            backend = gr.Dropdown(
                                pool.backends, value=s.llm, label=label("backend", "en")
                            )
                        with gr.Row():
                            languages = gr.CheckboxGroup(
                                _language_choices("en"), label=label("filter_languages", "en")
                            )
                            outlets = gr.Dropdown(
                                library.outlets(main.articles()),
                                multiselect=True,
                                label=label("filter_outlets", "en"),
                            )
                        with gr.Row():
                            date_from = gr.Textbox("", label=label("date_from", "en"), max_lines=1)
                            date_to = gr.Textbox("", label=label("date_to", "en"), max_lines=1)
                    clear = gr.Button(
                        label("new_conversation", "en"),
                        variant="secondary",
                        elem_id="new-conversation",
                    )
                with gr.Column(scale=2):
                    sources = gr.HTML(
                        sources_html(None, 0, "en"), label="sources", elem_id="sources"
                    )

            with gr.Tab(label("tab_library", "en"), id="library") as library_tab:
                with gr.Row():
                    with gr.Column():
                        upload = gr.File(
                            label=label("upload", "en"),
                            file_count="multiple",
                            file_types=list(ALLOWED_SUFFIXES),
                            type="filepath",
                        )
                        add_files = gr.Button(label("upload_button", "en"), variant="primary")
                        folder = gr.Textbox(
                            label=label("folder", "en"), max_lines=1, visible=bool(roots)
                        )
                        add_folder = gr.Button(label("folder_button", "en"), visible=bool(roots))
                    with gr.Column():
                        report = gr.Textbox(label=label("report", "en"), lines=8, interactive=False)
                table = gr.Dataframe(
                    **_table_value([], "en"),
                    label=label("articles", "en"),
                    interactive=False,
                    wrap=True,
                    latex_delimiters=[],
                    column_widths=["38%", "9%", "11%", "7%", "15%", "20%"],
                    elem_id="articles",
                )
                with gr.Row(equal_height=True):
                    to_remove = gr.Dropdown([], label=label("remove_choice", "en"), scale=4)
                    remove = gr.Button(label("remove_button", "en"), variant="stop", scale=1)

        # Chat

        # The parameter names are the API's (gradio_client keywords).
        def chat(
            question: str,
            state: Conversation,
            language: str,
            k: float,
            mode: str,
            backend: str,
            only_languages: list[str] | None,
            only_outlets: list[str] | None,
            date_from: str | None,
            date_to: str | None,
        ) -> Iterator[tuple[Any, ...]]:
            request = ChatRequest(
                language or "auto",
                int(k or s.k),
                mode or s.retriever,
                backend or s.llm,
                tuple(only_languages or ()),
                tuple(only_outlets or ()),
                date_from or "",
                date_to or "",
            )
            for messages, panel, state_after in respond(pool, question, state, request):
                yield messages, panel, state_after, ""

        def admit(
            request: gr.Request, question: str, state: Conversation, lang: str, *settings: Any
        ) -> list[dict[str, Any]]:
            """Runs before a question joins the queue: one client, one browser session
            (on loopback every client has the same address), gets so many a minute.
            The refusal is shown under the question box."""
            client = request.client.host if request.client else ""
            wait = per_client.admit(f"{client} {request.session_hash}")
            verdict = (
                gr.validate(False, label("too_many", interface_language(lang), seconds=wait))
                if wait
                else gr.validate(True, "")
            )
            return [verdict] + [gr.validate(True, "")] * (2 + len(settings))

        gr.on(
            [question.submit, ask.click],
            chat,
            inputs=[
                question,
                conversation,
                language,
                k,
                mode,
                backend,
                languages,
                outlets,
                date_from,
                date_to,
            ],
            outputs=[chatbot, sources, conversation, question],
            api_name="chat",
            validator=admit,
            concurrency_limit=limits.chat_concurrency,
            concurrency_id="chat",
            show_progress="minimal",
        )

        def new_conversation(lang: str) -> tuple[Any, ...]:
            return [], sources_html(None, 0, interface_language(lang)), Conversation()

        # The chat's own trash button too: the conversation must not outlive what is shown.
        gr.on(
            [clear.click, chatbot.clear],
            new_conversation,
            [language],
            [chatbot, sources, conversation],
            api_visibility="private",
        )

        # Library

        def refreshed(lang: str) -> tuple[Any, ...]:
            articles = main.articles()
            return (
                gr.Dataframe(**_table_value(articles, interface_language(lang))),
                gr.Dropdown(choices=library.file_choices(articles, shown), value=None),
                gr.Dropdown(choices=library.outlets(articles)),
            )

        library_outputs = [report, table, to_remove, outlets]

        def on_add_files(
            files: list[str] | None, lang: str, progress: gr.Progress = INGEST_PROGRESS
        ) -> tuple[Any, ...]:
            progress(0, desc=label("upload_button", interface_language(lang)))
            summary = library.add_uploads(pool, files, interface_language(lang), shown)
            return summary, *refreshed(lang)

        def on_add_folder(
            path: str, lang: str, progress: gr.Progress = INGEST_PROGRESS
        ) -> tuple[Any, ...]:
            progress(0, desc=label("folder_button", interface_language(lang)))
            return (
                library.add_folder(pool, path, interface_language(lang), roots, shown),
                *refreshed(lang),
            )

        def on_remove(path: str | None, lang: str) -> tuple[Any, ...]:
            return library.remove(pool, path, interface_language(lang), shown), *refreshed(lang)

        # Index writes run one at a time; each waits for the questions in flight and
        # holds off new ones while it runs (see AssistantPool).
        add_files.click(
            on_add_files,
            [upload, language],
            library_outputs,
            api_name="add_files",
            concurrency_id="index",
            show_progress_on=report,
        )
        add_folder.click(
            on_add_folder,
            [folder, language],
            library_outputs,
            api_name="add_folder",
            concurrency_id="index",
            show_progress_on=report,
        )
        remove.click(
            on_remove,
            [to_remove, language],
            library_outputs,
            api_name="remove",
            concurrency_id="index",
            show_progress_on=report,
        )
        app.load(refreshed, [language], [table, to_remove, outlets], api_name="articles")

        # Interface language

        def relabel(lang: str, state: Conversation) -> tuple[Any, ...]:
            t = interface_language(lang)
            return (
                _heading(t),
                gr.Tab(label=label("tab_chat", t)),
                gr.Tab(label=label("tab_library", t)),
                gr.Chatbot(label=label("conversation", t)),
                gr.Textbox(label=label("question", t), placeholder=label("placeholder", t)),
                gr.Button(label("ask", t)),
                gr.Dataset(label=label("examples", t)),
                gr.Accordion(label=label("settings", t)),
                gr.Slider(label=label("k", t)),
                gr.Radio(label=label("mode", t)),
                gr.Dropdown(label=label("backend", t)),
                gr.CheckboxGroup(choices=_language_choices(t), label=label("filter_languages", t)),
                gr.Dropdown(label=label("filter_outlets", t)),
                gr.Textbox(label=label("date_from", t)),
                gr.Textbox(label=label("date_to", t)),
                gr.Button(label("new_conversation", t)),
                sources_html(state.answer, state.turn, panel_language(lang, state.answer)),
                gr.File(label=label("upload", t)),
                gr.Button(label("upload_button", t)),
                gr.Textbox(label=label("folder", t)),
                gr.Button(label("folder_button", t)),
                gr.Textbox(label=label("report", t)),
                gr.Dataframe(label=label("articles", t), **_table_value(main.articles(), t)),
                gr.Dropdown(label=label("remove_choice", t)),
                gr.Button(label("remove_button", t)),
            )

        language.change(
            relabel,
            [language, conversation],
            [
                heading,
                chat_tab,
                library_tab,
                chatbot,
                question,
                ask,
                examples.dataset,
                settings_box,
                k,
                mode,
                backend,
                languages,
                outlets,
                date_from,
                date_to,
                clear,
                sources,
                upload,
                add_files,
                folder,
                add_folder,
                report,
                table,
                to_remove,
                remove,
            ],
            api_visibility="private",
        )
    # api_open=False: Gradio would otherwise also serve every event on /run/<name>,
    # outside the queue and so outside its bound.
    app.queue(max_size=limits.queue_size, default_concurrency_limit=1, api_open=False)
    return app


def launch(
    app: gr.Blocks,
    host: str = "127.0.0.1",
    port: int | None = 7860,
    *,
    block: bool = True,
    quiet: bool = False,
) -> None:
    """Serve `app` (port None: the first free one from 7860; see app.local_url);
    with block=False return once it is up (tests)."""
    app.launch(
        server_name=host,
        server_port=port,
        prevent_thread_lock=not block,
        quiet=quiet,
        theme=theme(),
        css=CSS,
        max_file_size=f"{MAX_UPLOAD_MB}mb",
        show_error=False,
        ssr_mode=False,
        inbrowser=False,
        share=False,
    )


def _heading(language: str) -> str:
    return f"## {label('title', language)}\n{label('intro', language)}"


def _language_choices(language: str) -> list[tuple[str, str]]:
    return [(label(f"lang_{code}", language), code) for code in ("hi", "en", "mixed")]


def _table_value(articles: list[dict[str, Any]], language: str) -> dict[str, Any]:
    return {
        "value": article_rows(articles, language),
        "headers": [label(key, language) for key in ARTICLE_COLUMNS],
    }

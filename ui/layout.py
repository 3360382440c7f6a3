"""The app's components: the header, the chat tab and the library tab, each worded
through one `Wording` (ui/wording.py); ui/app.py wires them to the Assistant."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import gradio as gr
from gradio.components import Component

from index.documents import ArticleRecord
from rag.settings import Settings
from ui import library
from ui.access import LibraryAccess
from ui.examples import applicable
from ui.labels import label
from ui.render import ARTICLE_COLUMNS, article_rows, sources_html
from ui.uploads import ALLOWED_SUFFIXES
from ui.wording import Worded, Wording, said

# Each in its own script: a reader finds their language whatever the page is in.
INTERFACE_CHOICES = [("English", "en"), ("हिन्दी", "hi")]
INTERFACE_LABEL = "Interface language / इंटरफ़ेस की भाषा"


@dataclass
class SettingsBox:
    """What a reader may set for each question."""

    answer_language: gr.Radio
    k: gr.Slider
    mode: gr.Radio
    backend: gr.Dropdown
    languages: gr.CheckboxGroup
    outlets: gr.Dropdown
    date_from: gr.Textbox
    date_to: gr.Textbox

    def components(self) -> list[Component]:
        """In the order of the chat event's parameters."""
        return [
            self.answer_language,
            self.k,
            self.mode,
            self.backend,
            self.languages,
            self.outlets,
            self.date_from,
            self.date_to,
        ]


@dataclass
class ChatTab:
    chatbot: gr.Chatbot
    question: gr.Textbox
    ask: gr.Button
    examples: gr.Dataset
    settings: SettingsBox
    clear: gr.Button
    sources: gr.HTML


@dataclass
class LibraryTab:
    key: gr.Textbox
    upload: gr.File
    add_files: gr.Button
    folder: gr.Textbox
    add_folder: gr.Button
    report: gr.Textbox
    table: gr.Dataframe
    to_remove: gr.Dropdown
    remove: gr.Button


def header(words: Wording) -> gr.Radio:
    """The title and the interface language's switch (answers have their own, in the settings)."""
    with gr.Row(equal_height=True):
        words.make(gr.Markdown, value=Worded(heading))
        return gr.Radio(INTERFACE_CHOICES, value="en", label=INTERFACE_LABEL, elem_id="language")


def chat_tab(
    words: Wording,
    settings: Settings,
    backends: Sequence[str],
    articles: list[ArticleRecord],
    question_chars: int,
) -> ChatTab:
    """`articles`: those indexed now, for the examples and the outlet filter;
    `question_chars`: the longest question the box takes. The
    columns come in reading order for a narrow screen (the conversation, its sources,
    then examples and settings); on a wide one CSS (ui/style.py) puts the sources
    beside the other two."""
    with words.make(gr.Tab, label=said("tab_chat"), id="chat"), gr.Row(elem_id="chat-layout"):
        with gr.Column(elem_id="chat-main"):
            chatbot = words.make(
                gr.Chatbot,
                label=said("conversation"),
                height=480,
                elem_id="chat",
                latex_delimiters=[],
                buttons=["copy"],
                feedback_options=None,
            )
            with gr.Row(equal_height=True):
                question = words.make(
                    gr.Textbox,
                    label=said("question"),
                    placeholder=said("placeholder"),
                    elem_id="question",
                    scale=5,
                    max_lines=4,
                    max_length=question_chars,
                )
                ask = words.make(
                    gr.Button, value=said("ask"), variant="primary", scale=1, elem_id="ask"
                )
        with gr.Column(elem_id="sources-column"):
            sources = gr.HTML(sources_html(None, 0, "en"), label="sources", elem_id="sources")
        with gr.Column(elem_id="chat-tools"):
            examples = words.make(
                gr.Dataset,
                components=[question],
                label=said("examples"),
                elem_id="examples",
                **examples_shown(articles),
            )
            settings_box = _settings_box(words, settings, backends, library.outlets(articles))
            clear = words.make(
                gr.Button,
                value=said("new_conversation"),
                variant="secondary",
                elem_id="new-conversation",
            )
    return ChatTab(chatbot, question, ask, examples, settings_box, clear, sources)


def _settings_box(
    words: Wording, settings: Settings, backends: Sequence[str], outlets: Sequence[str]
) -> SettingsBox:
    """The settings accordion: the answer's language, k, mode, backend, the language and
    outlet filters, dates."""
    with words.make(gr.Accordion, label=said("settings"), open=False):
        answer_language = words.make(
            gr.Radio,
            choices=Worded(answer_language_choices),
            value="auto",
            label=said("answer_language"),
            elem_id="answer-language",
        )
        with gr.Row():
            k = words.make(
                gr.Slider, minimum=1, maximum=15, value=settings.k, step=1, label=said("k")
            )
            mode = words.make(
                gr.Radio,
                choices=["hybrid", "dense", "bm25"],
                value=settings.retriever,
                label=said("mode"),
            )
            backend = words.make(
                gr.Dropdown, choices=list(backends), value=settings.llm, label=said("backend")
            )
        with gr.Row():
            languages = words.make(
                gr.CheckboxGroup,
                choices=Worded(passage_language_choices),
                label=said("filter_languages"),
            )
            outlet_filter = words.make(
                gr.Dropdown, choices=list(outlets), multiselect=True, label=said("filter_outlets")
            )
        with gr.Row():
            date_from = words.make(gr.Textbox, value="", label=said("date_from"), max_lines=1)
            date_to = words.make(gr.Textbox, value="", label=said("date_to"), max_lines=1)
    return SettingsBox(
        answer_language, k, mode, backend, languages, outlet_filter, date_from, date_to
    )


def library_tab(
    words: Wording,
    articles: Callable[[], list[ArticleRecord]],
    folders: bool,
    access: LibraryAccess,
) -> LibraryTab:
    """`articles`: what is indexed now; `folders`: whether readers may index server
    folders; `access`: whether they may change the library at all, and with a key."""
    editable = access.editable
    with words.make(gr.Tab, label=said("tab_library"), id="library"):
        words.make(gr.Markdown, value=said("library_read_only"), visible=not editable)
        key = words.make(
            gr.Textbox,
            label=said("library_key"),
            type="password",
            max_lines=1,
            visible=access.mode == "key",
            elem_id="library-key",
        )
        with gr.Row(visible=editable):
            with gr.Column():
                upload = words.make(
                    gr.File,
                    label=said("upload"),
                    file_count="multiple",
                    file_types=list(ALLOWED_SUFFIXES),
                    type="filepath",
                    elem_id="upload",
                )
                add_files = words.make(
                    gr.Button, value=said("upload_button"), variant="primary", elem_id="add-files"
                )
                folder = words.make(
                    gr.Textbox, label=said("folder"), max_lines=1, visible=folders, elem_id="folder"
                )
                add_folder = words.make(
                    gr.Button, value=said("folder_button"), visible=folders, elem_id="add-folder"
                )
            with gr.Column():
                report = words.make(
                    gr.Textbox, label=said("report"), lines=8, interactive=False, elem_id="report"
                )
        table = words.make(
            gr.Dataframe,
            value=Worded(lambda language: article_rows(articles(), language)),
            headers=Worded(article_headers),
            label=said("articles"),
            interactive=False,
            wrap=True,
            latex_delimiters=[],
            column_widths=["26%", "14%", "15%", "11%", "13%", "21%"],
            elem_id="articles",
        )
        with gr.Row(equal_height=True, visible=editable):
            to_remove = words.make(
                gr.Dropdown, choices=[], label=said("remove_choice"), scale=4, elem_id="to-remove"
            )
            remove = words.make(
                gr.Button, value=said("remove_button"), variant="stop", scale=1, elem_id="remove"
            )
    return LibraryTab(key, upload, add_files, folder, add_folder, report, table, to_remove, remove)


def heading(language: str) -> str:
    return f"## {label('title', language)}\n{label('intro', language)}"


def answer_language_choices(language: str) -> list[tuple[str, str]]:
    return [(label("answer_auto", language), "auto")] + [
        (label(f"lang_{code}", language), code) for code in ("hi", "en")
    ]


def passage_language_choices(language: str) -> list[tuple[str, str]]:
    return [(label(f"lang_{code}", language), code) for code in ("hi", "en", "mixed")]


def article_headers(language: str) -> list[str]:
    return [label(key, language) for key in ARTICLE_COLUMNS]


def examples_shown(articles: list[ArticleRecord]) -> dict[str, Any]:
    """The examples' samples and visibility: those whose article is indexed, none hidden."""
    questions = applicable(articles)
    return {"samples": [[q] for q in questions], "visible": bool(questions)}

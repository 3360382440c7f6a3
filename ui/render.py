"""Answers, sources and article lists as HTML for the chat and the sources panel.

Everything that comes from an article (text, title, outlet, URL) or from a
reader is shown as text: it is escaped here, and only links this module
builds itself, with http(s) URLs, are ever live. Article feeds carry HTML
(the XML export) and anyone can put `<script>` into a file they upload.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlsplit

from index.documents import ArticleRecord
from rag.types import Answer, Citation, Passage
from ui.labels import label, language_name

# Chat messages go through a Markdown renderer before its HTML sanitiser. As
# numeric entities these characters start no HTML and no Markdown that could
# link or embed (links, images, raw HTML) or restyle (emphasis, code, tables);
# common punctuation stays as it is for copying and screen readers.
_ENTITIES = {ord(ch): f"&#{ord(ch)};" for ch in "&<>\\`*_[]{}$|~"}
# At a line's start these open headings, lists or (indented) code blocks.
_INDENT = re.compile(r"^[ \t]+", re.MULTILINE)
_LINE_START = re.compile(r"^(?:([#+=-])|(\d+)([.)]))", re.MULTILINE)
# [n] and [n, m] citation markers, as escape_text leaves them.
_MARKERS = re.compile(r"&#91;(\d{1,3}(?:\s*,\s*\d{1,3})*)&#93;")


def escape_text(text: str) -> str:
    """Plain text that shows as itself inside HTML and inside Markdown."""
    unindented = _INDENT.sub("", text.translate(_ENTITIES))
    return _LINE_START.sub(_neutral_line_start, unindented)


def _neutral_line_start(match: re.Match[str]) -> str:
    mark = match.group(1) or match.group(3)
    return (match.group(2) or "") + f"&#{ord(mark)};"


def safe_url(url: str) -> str | None:
    """The URL if it is http(s) to some host; anything else (javascript:, data:) is dropped."""
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def anchor(turn: int, n: int) -> str:
    """The id of source `n` of answer `turn`: markers of older answers never jump
    to the sources of a newer one."""
    return f"src-{turn}-{n}"


def message_html(text: str, turn: int, cited: Iterable[int] = (), language: str = "en") -> str:
    """An answer (or part of one) with its [n] markers linked to the sources panel."""
    known = set(cited)

    def link(match: re.Match[str]) -> str:
        numbers = [int(x) for x in match.group(1).split(",")]
        if not all(n in known for n in numbers):
            return match.group(0)
        return "".join(
            f'<sup><a class="cite" href="#{anchor(turn, n)}" '
            f'title="{html.escape(label("source_n", language, n=n))}">[{n}]</a></sup>'
            for n in numbers
        )

    return _MARKERS.sub(link, escape_text(text))


def answer_html(answer: Answer, turn: int) -> str:
    body = message_html(answer.text, turn, (c.n for c in answer.citations), answer.language)
    if answer.note:
        body += f'\n\n<span class="answer-note">{escape_text(answer.note)}</span>'
    return body


def _quote_spans(passage: Passage, citations: Sequence[Citation]) -> list[tuple[int, int]]:
    """Where each quote lies in the passage text: by its article offsets, else by search."""
    spans: list[tuple[int, int]] = []
    for c in citations:
        start, end = c.start - passage.start, c.end - passage.start
        if not (0 <= start < end <= len(passage.text) and passage.text[start:end] == c.quote):
            start = passage.text.find(c.quote) if c.quote else -1
            end = start + len(c.quote)
        if start >= 0 and not any(s < end and start < e for s, e in spans):
            spans.append((start, end))
    return sorted(spans)


def _highlighted(text: str, spans: Sequence[tuple[int, int]]) -> str:
    out, last = [], 0
    for start, end in spans:
        out.append(html.escape(text[last:start]))
        out.append(f"<mark>{html.escape(text[start:end])}</mark>")
        last = end
    out.append(html.escape(text[last:]))
    return "".join(out)


def _meta_line(p: Passage, language: str) -> str:
    parts = [
        html.escape(x) for x in (p.author, p.outlet, p.date or label("undated", language)) if x
    ]
    parts.append(html.escape(language_name(p.language, language)))
    if url := safe_url(p.url):
        parts.append(
            f'<a href="{html.escape(url)}" target="_blank" rel="noopener noreferrer nofollow">'
            f"{label('open_article', language)}</a>"
        )
    parts.append(f'<span class="source-file">{html.escape(p.ref)}</span>')
    return " · ".join(parts)


def _source_item(p: Passage, turn: int, language: str, citations: Sequence[Citation] = ()) -> str:
    spans = _quote_spans(p, citations)
    orphan_quotes = "".join(
        f"<blockquote><mark>{html.escape(c.quote)}</mark></blockquote>"
        for c in citations
        if c.quote and c.quote not in p.text
    )
    return (
        f'<li id="{anchor(turn, p.n)}" class="source">'
        f'<div class="source-head"><span class="source-n">[{p.n}]</span> '
        f'<span class="source-title">{html.escape(p.title or p.ref)}</span></div>'
        f'<div class="source-meta">{_meta_line(p, language)}</div>'
        f'<div class="passage" lang="{html.escape(p.language)}">'
        f"{_highlighted(p.text, spans)}</div>{orphan_quotes}</li>"
    )


def sources_html(answer: Answer | None, turn: int, language: str) -> str:
    """The sources panel: cited passages with their quotes highlighted, then the
    other retrieved passages behind one click."""
    heading = f"<h3>{label('sources', language)}</h3>"
    if answer is None:
        return f'<div class="sources">{heading}<p class="muted">{label("sources_empty", language)}</p></div>'
    cited_numbers = {c.n for c in answer.citations}
    cited = [p for p in answer.passages if p.n in cited_numbers]
    uncited = [p for p in answer.passages if p.n not in cited_numbers]
    parts = [f'<div class="sources" lang="{html.escape(answer.language)}">', heading]
    if cited:
        parts.append('<ul class="cited">')
        parts += [
            _source_item(p, turn, language, [c for c in answer.citations if c.n == p.n])
            for p in cited
        ]
        parts.append("</ul>")
    else:
        parts.append(f'<p class="muted">{label("no_support", language)}</p>')
    if uncited:
        parts.append(f"<details><summary>{label('uncited', language, n=len(uncited))}</summary>")
        parts.append('<ul class="uncited">')
        parts += [_source_item(p, turn, language) for p in uncited]
        parts.append("</ul></details>")
    parts.append("</div>")
    return "".join(parts)


def article_rows(articles: Iterable[ArticleRecord], language: str) -> list[list[Any]]:
    """Rows for the library table (shown by the table as text, never as HTML)."""
    return [
        [
            a.title,
            language_name(a.language, language),
            a.date or "—",
            a.chunks,
            a.outlet,
            a.ref,
        ]
        for a in articles
    ]


ARTICLE_COLUMNS = ("col_title", "col_language", "col_date", "col_chunks", "col_outlet", "col_file")

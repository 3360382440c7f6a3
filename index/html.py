"""Text and metadata from HTML with the standard library's parser.

The parser unescapes entities inside text after it has recognised the tags, so
escaped markup in an article (`&lt;script&gt;`) stays literal text and never
becomes a tag.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

# Elements whose text is never article prose.
_SKIP = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "nav",
        "header",
        "footer",
        "aside",
        "form",
        "button",
        "figure",
        "figcaption",
        "svg",
        "iframe",
        "select",
        "option",
        "head",
    }
)
_BLOCK = frozenset(
    {
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "tr",
        "table",
        "section",
        "article",
        "blockquote",
        "pre",
        "hr",
        "dd",
        "dt",
        "main",
        "body",
    }
)
_VOID = frozenset({"br", "hr", "img", "meta", "link", "input", "source", "wbr", "area", "col"})
_MAX_DEPTH = 512  # deeper nesting is pathological; its text still counts, its structure not


@dataclass
class HtmlDoc:
    text: str
    title: str = ""
    meta: dict[str, str] = field(default_factory=dict)
    lang: str = ""


class _Extractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.stack: list[str] = []
        self.skipping = 0
        self.title: list[str] = []
        self.h1: list[str] = []
        self.meta: dict[str, str] = {}
        self.lang = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.lang = values.get("lang", "")
        if tag == "meta":
            key = values.get("property") or values.get("name") or values.get("itemprop")
            if key and "content" in values:
                self.meta.setdefault(key.lower(), values["content"])
        if tag in _VOID:
            if tag in _BLOCK:
                self.parts.append("\n")
            return
        if len(self.stack) < _MAX_DEPTH:
            self.stack.append(tag)
            if tag in _SKIP:
                self.skipping += 1
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack:
                open_tag = self.stack.pop()
                if open_tag in _SKIP:
                    self.skipping -= 1
                if open_tag == tag:
                    break
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        current = self.stack[-1] if self.stack else ""
        if current == "title":
            self.title.append(data)
        elif self.skipping:
            return
        else:
            if current == "h1":
                self.h1.append(data)
            self.parts.append(data)

    def parse_marked_section(self, i: int, report: bool = True) -> int:
        # The standard parser raises AssertionError on a "<![" that opens no
        # section it knows (CDATA, MS Office's "if"); in news copy that is text.
        try:
            return super().parse_marked_section(i, report)
        except AssertionError:
            self.handle_data("<![")
            return i + 3


def parse_html(markup: str) -> HtmlDoc:
    parser = _Extractor()
    parser.feed(markup)
    parser.close()
    title = " ".join("".join(parser.h1).split()) or " ".join("".join(parser.title).split())
    return HtmlDoc("".join(parser.parts), title, parser.meta, parser.lang)

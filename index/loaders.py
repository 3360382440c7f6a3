"""Files and folders to articles: plain text, the XML feed export, HTML,
Markdown and JSON/JSONL feeds. Formats are recognised by content first (the
XML export arrives as `.txt`), then by name.
"""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from stat import S_ISREG
from typing import Any

from index.cleaning import Cleaner
from index.dates import parse_date
from index.documents import Article, Skipped
from index.html import parse_html
from index.language import detect_language
from index.sentences import split_sentences
from index.text import DATELINE_AGENCY, DATELINE_PREFIX, normalize_text

SUPPORTED_SUFFIXES = frozenset(
    {".txt", ".text", ".xml", ".html", ".htm", ".md", ".markdown", ".json", ".jsonl", ".ndjson"}
)
_DATE_LINE = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})\s*")
_AGENCY_SIGNOFF = re.compile(r"^[—–-]+\s*([A-Z][A-Za-z]{1,15})\s*$")
_AGENCY_CREDIT = re.compile(r"^\(([A-Z][A-Za-z]+)(?: Bureau)?\)$")
_KICKER = re.compile(r"^([^:।.?!]{3,60}):\s+\S")
_TITLE_WORDS = 30


class SkipFile(Exception):
    """A file that cannot be ingested; the message is the reason shown to the user."""


@dataclass(frozen=True)
class LoadOptions:
    cleaner: Cleaner
    max_bytes: int = 20 * 1024 * 1024


def discover(paths: Iterable[str | Path]) -> Iterator[Path | Skipped]:
    """Every candidate file under `paths`, once, following symlinks without looping."""
    seen: set[str] = set()
    for given in paths:
        path = Path(given)
        if not path.exists():
            yield Skipped(str(path), "no such file or folder")
        elif path.is_dir():
            yield from _walk(path, seen)
        else:
            real = os.path.realpath(path)
            if real not in seen:
                seen.add(real)
                yield _unsupported(path) or path


def _unsupported(path: Path) -> Skipped | None:
    """A file that is no article format by its name (a script, an image), named as such."""
    if path.suffix.lower() in SUPPORTED_SUFFIXES:
        return None
    return Skipped(str(path), f"unsupported type ({path.suffix or 'no extension'})")


def _walk(root: Path, seen: set[str]) -> Iterator[Path | Skipped]:
    errors: list[OSError] = []
    visited_dirs: set[str] = set()
    for folder, dirs, names in os.walk(root, followlinks=True, onerror=errors.append):
        real_dir = os.path.realpath(folder)
        if real_dir in visited_dirs:  # a symlink loop or a second link to one folder
            dirs[:] = []
            continue
        visited_dirs.add(real_dir)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            path = Path(folder, name)
            if name.startswith("."):
                continue
            real = os.path.realpath(path)
            if real in seen:
                continue
            seen.add(real)
            yield _unsupported(path) or path
    for error in errors:
        yield Skipped(str(error.filename), f"cannot read folder: {error.strerror}")


def check_file(path: Path, max_bytes: int) -> os.stat_result:
    """The file's stat, unless it is no regular file (a pipe would block the ingest,
    /dev/zero never end) or over `max_bytes` (SkipFile): checked before anything reads it."""
    stat = path.stat()
    if not S_ISREG(stat.st_mode):
        raise SkipFile("not a regular file (a device, pipe or socket)")
    if stat.st_size > max_bytes:
        raise SkipFile(_too_large(stat.st_size, max_bytes))
    return stat


def _too_large(size: int, max_bytes: int) -> str:
    return (
        f"too large ({size / 2**20:.1f} MB; the limit is {max_bytes / 2**20:.0f} MB, "
        "set by max_file_mb)"
    )


def read_text(path: Path, max_bytes: int) -> str:
    try:
        check_file(path, max_bytes)
        with path.open("rb") as file:
            data = file.read(max_bytes + 1)  # a file that grew since: no more than the limit
        if len(data) > max_bytes:
            raise SkipFile(_too_large(len(data), max_bytes))
    except PermissionError as error:
        raise SkipFile("permission denied") from error
    except OSError as error:
        raise SkipFile(f"cannot read: {error.strerror or error}") from error
    if not data.strip():
        raise SkipFile("empty file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise SkipFile(f"broken UTF-16 (byte {error.start})") from error
    if b"\x00" in data[:8192]:
        raise SkipFile("binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SkipFile(
            f"not UTF-8 (byte {error.start}); convert it first, e.g. iconv -f WINDOWS-1252 -t UTF-8"
        ) from error


def load_file(path: Path, options: LoadOptions) -> list[Article]:
    """The articles in one file; raises SkipFile with the reason when there are none."""
    text = read_text(path, options.max_bytes)
    head = text.lstrip()[:512].lower()
    suffix = path.suffix.lower()
    if head.startswith("<?xml") or head.startswith(("<root", "<rss", "<feed")):
        articles = _from_xml(text, path, options)
    elif suffix in {".html", ".htm"} or head.startswith(("<!doctype html", "<html")):
        articles = [_from_html(text, path, options)]
    elif suffix in {".json", ".jsonl", ".ndjson"} or head.startswith(("{", "[")):
        articles = _from_json(text, path, options)
    elif suffix in {".md", ".markdown"}:
        articles = [_from_markdown(text, path, options)]
    else:
        articles = [_from_plain(text, path, options)]
    articles = [a for a in articles if a.text.strip()]
    if not articles:
        raise SkipFile("no article text left after cleaning")
    return articles


def _article(
    path: Path,
    body: str,
    *,
    title: str = "",
    published: date | None = None,
    outlet: str = "",
    url: str = "",
    record: int | None = None,
    author: str = "",
) -> Article:
    return Article(
        title=_one_line(title) or _title_from(body),
        text=body,
        language=detect_language(body),
        path=str(path),
        record=record,
        published=published,
        outlet=_one_line(outlet),
        url=_one_line(url),
        author=_one_line(author),
    )


def _one_line(field: str) -> str:
    """A metadata field as the cleaner leaves body text: readers see titles and outlets too."""
    return " ".join(normalize_text(field).split())


def _title_from(body: str) -> str:
    first = body.split("\n", 1)[0]
    if dateline := DATELINE_PREFIX.match(first):
        first = first[dateline.end() :]
    elif kicker := _KICKER.match(first):
        return kicker.group(1).strip()
    sentences = split_sentences(first)
    title = sentences[0].text if sentences else first
    return title if len(title) <= 120 else title[:117].rsplit(" ", 1)[0] + "…"


def _from_plain(text: str, path: Path, options: LoadOptions) -> Article:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    published = None
    if lines and (m := _DATE_LINE.match(lines[0])):
        published = parse_date(m.group(1))
        lines[0] = lines[0][m.end() :]
    outlet = ""
    for line in reversed([s.strip() for s in lines if s.strip()][-3:]):
        if m := _AGENCY_SIGNOFF.match(line) or _AGENCY_CREDIT.match(line):
            outlet = m.group(1)
            break
    for line in lines[:12]:
        stripped = line.strip().lstrip("•").strip()
        if published is None and stripped and len(stripped) < 40:
            published = parse_date(stripped)
        if not outlet and (m := DATELINE_AGENCY.match(stripped)):
            outlet = m.group(1)
    body, author = options.cleaner.clean_with_author("\n".join(lines))
    first = body.split("\n", 1)[0]
    looks_like_headline = len(first.split()) <= _TITLE_WORDS and not re.search(r"[.।?!]$", first)
    return _article(
        path,
        body,
        title=first if looks_like_headline else "",
        published=published,
        outlet=outlet,
        author=author,
    )


def _xml_root(text: str) -> ET.Element:
    if re.search(r"<!(DOCTYPE|ENTITY)", text[:4096], re.IGNORECASE):
        raise SkipFile("XML with a DTD or entity declarations is not accepted")
    try:
        return ET.fromstring(text)
    except ET.ParseError as error:
        raise SkipFile(f"malformed XML: {error}") from error


def _child(element: ET.Element, *names: str) -> str:
    for name in names:
        for child in element:
            if child.tag.rsplit("}", 1)[-1].lower() == name.lower() and child.text:
                return child.text.strip()
    return ""


def _from_xml(text: str, path: Path, options: LoadOptions) -> list[Article]:
    root = _xml_root(text)
    items = [e for e in root.iter() if e.tag.rsplit("}", 1)[-1] in ("item", "entry")]
    records = items or [root]
    articles = []
    for number, item in enumerate(records, start=1):
        markup = _child(item, "fulldesc", "encoded", "content", "description", "summary", "text")
        body, byline = options.cleaner.clean_with_author(
            parse_html(markup).text, keep_first_line=False
        )
        published = parse_date(_child(item, "pubDate", "date", "published", "updated"))
        articles.append(
            _article(
                path,
                body,
                title=_child(item, "title"),
                published=published,
                outlet=_child(item, "source", "author") or _host(_child(item, "link")),
                url=_child(item, "link", "url", "guid"),
                record=number if items else None,
                author=_child(item, "author", "creator") or byline,
            )
        )
    return articles


def _host(url: str) -> str:
    m = re.match(r"https?://(?:www\.)?([^/]+)", url)
    return m.group(1) if m else ""


def _from_html(text: str, path: Path, options: LoadOptions) -> Article:
    doc = parse_html(text)
    meta = doc.meta
    body, byline = options.cleaner.clean_with_author(doc.text, keep_first_line=False)
    published = None
    for key in ("article:published_time", "datepublished", "date", "pubdate", "publish-date"):
        if published := parse_date(meta.get(key, "")):
            break
    url = meta.get("og:url", "")
    return _article(
        path,
        body,
        title=meta.get("og:title", "") or doc.title,
        published=published,
        outlet=meta.get("og:site_name", "") or _host(url),
        url=url,
        author=meta.get("author", "") or meta.get("article:author", "") or byline,
    )


_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_MARKUP = re.compile(r"^\s{0,3}(#{1,6}\s+|>\s?|[-*+]\s+|\d+\.\s+)|[*_`]{1,3}", re.MULTILINE)


def _from_markdown(text: str, path: Path, options: LoadOptions) -> Article:
    front: dict[str, str] = {}
    if m := _FRONT_MATTER.match(text):
        for line in m.group(1).splitlines():
            key, _, value = line.partition(":")
            front[key.strip().lower()] = value.strip().strip("\"'")
        text = text[m.end() :]
    heading = re.search(r"^#\s+(.+)$", text, re.MULTILINE)
    text = re.sub(r"^```.*?^```", "", text, flags=re.MULTILINE | re.DOTALL)
    plain = _MD_MARKUP.sub("", _MD_LINK.sub(r"\1", text))
    body, byline = options.cleaner.clean_with_author(plain)
    return _article(
        path,
        body,
        title=front.get("title", "") or (heading.group(1).strip() if heading else ""),
        published=parse_date(front.get("date", "")),
        outlet=front.get("source", ""),
        url=front.get("url", ""),
        author=front.get("author", "") or byline,
    )


def _from_json(text: str, path: Path, options: LoadOptions) -> list[Article]:
    records = _json_records(text)
    articles = []
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            continue
        raw = str(record.get("text") or record.get("body") or record.get("content") or "")
        if "<" in raw and ">" in raw:
            raw = parse_html(raw).text
        body, byline = options.cleaner.clean_with_author(raw, keep_first_line=False)
        articles.append(
            _article(
                path,
                body,
                title=str(record.get("title") or ""),
                published=parse_date(str(record.get("date") or record.get("published") or "")),
                outlet=str(record.get("source") or ""),
                url=str(record.get("url") or record.get("link") or ""),
                record=number,
                author=str(record.get("author") or record.get("byline") or byline),
            )
        )
    return articles


def _json_records(text: str) -> list[Any]:
    stripped = text.strip()
    try:
        data = json.loads(stripped)
    except RecursionError as error:
        raise SkipFile("JSON nested too deeply to be an article feed") from error
    except json.JSONDecodeError:
        data = None
        records = []
        for number, line in enumerate(stripped.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as error:
                raise SkipFile(f"malformed JSON on line {number}: {error.msg}") from error
            except RecursionError as error:
                raise SkipFile(f"JSON on line {number} nested too deeply") from error
        return records
    if isinstance(data, dict):
        records = data.get("articles") or data.get("items") or [data]
        return records if isinstance(records, list) else [records]
    if isinstance(data, list):
        return data
    raise SkipFile("JSON holds no article records")

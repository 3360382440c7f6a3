"""No input crashes ingestion: loaders return articles or raise SkipFile; the text
functions never raise on any string and keep their offsets exact."""

from __future__ import annotations

import re
import tempfile
import time
import unicodedata
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from index.chunking import Chunker, ChunkingConfig
from index.cleaning import Cleaner
from index.dates import parse_date
from index.documents import Article
from index.language import LANGUAGES, detect_language, question_language
from index.loaders import SUPPORTED_SUFFIXES, LoadOptions, SkipFile, load_file
from index.sentences import split_sentences
from index.text import fold_for_matching, normalize_text
from index.tokenize import index_terms, tokenize

OPTIONS = LoadOptions(Cleaner.load(), max_bytes=2**20)
SUFFIXES = sorted(SUPPORTED_SUFFIXES)
SAMPLE = Path(__file__).resolve().parent.parent / "index" / "sample_corpus"
FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Invisible characters that clean text never holds; ZWJ and ZWNJ only where
# Devanagari spelling uses them (index.text.normalize_text).
STRAY = re.compile("[\u200b\u2060\ufeff\u00ad\u202a-\u202e\u2066-\u2069\x00-\x08]")
STRAY_JOINER = re.compile("(?<!\u094d)\u200c|(?<!\u094d)(?<!र)\u200d")

# Pieces that steer random text into the parsers' interesting corners.
MARKUP = [
    "<p>", "</p>", "<div>", "</div>", "<script>", "</script>", "<!--", "-->", "<![CDATA[",
    "]]>", "<!DOCTYPE html>", "<html>", "<meta property='og:title' content='x'>", "&amp;",
    "&lt;p&gt;", "&#13;", "&#0;", "&#xD800;", "&bogus;", "<?xml version='1.0'?>", "<root>",
    "</root>", "<item>", "<fulldesc>", "</fulldesc>", "<title>", "<![", "<!", "</", "<a b=",
    "{", "}", "[", "]", '"text": ', '"title": ', ",", "null", "---\n", "title: x\n", "# ",
    "[link](http://x)", "**", " date 2025-08-12 ", "(फोटो- ITG)", "यह भी पढ़ें: x",
    "Advertisement", "\n", "\n\n", " ", "भारत ने कहा।", "Dr. K. Rao said. ", "\x00", "\r",
    "\u0301", "\u093c", "\u200d", "\u200c", "\u094d", "\u202e", "\u2066", "\ufeff", "क्\u200dष",
    "१२ अगस्त २०२५",
]  # fmt: skip
markup_text = st.lists(st.sampled_from(MARKUP) | st.text(max_size=8), max_size=60).map("".join)
# Text with plenty of Devanagari, sentence marks and combining signs among the rest.
news_text = st.text(
    st.characters(codec=None)
    | st.sampled_from(list("।॥.?!\n \u093c\u0901\u0902\u094dडॉकखगमोदीभारत०१२३ABCxyz.\"'"))
)


def assert_clean(text: str) -> None:
    assert text == unicodedata.normalize("NFC", text) == normalize_text(text)
    assert not STRAY.search(text) and not STRAY_JOINER.search(text)


def load_bytes(data: bytes, suffix: str) -> list[Article] | SkipFile:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzz{suffix}"
        path.write_bytes(data)
        try:
            articles = load_file(path, OPTIONS)
        except SkipFile as reason:
            assert str(reason)
            return reason
    assert articles
    for article in articles:
        assert article.text.strip() and article.language in LANGUAGES
        assert_clean(article.text)
        assert article.date_number == 0 or 10000101 <= article.date_number <= 99991231
    return articles


@FUZZ
@given(data=st.binary(max_size=3000), suffix=st.sampled_from(SUFFIXES))
def test_random_bytes_in_any_suffix(data: bytes, suffix: str) -> None:
    load_bytes(data, suffix)


@FUZZ
@given(text=markup_text, suffix=st.sampled_from(SUFFIXES))
def test_markup_soup_in_any_suffix(text: str, suffix: str) -> None:
    load_bytes(text.encode("utf-8", "surrogatepass"), suffix)


@FUZZ
@given(
    name=st.sampled_from(sorted(p.name for p in SAMPLE.iterdir())),
    cut=st.floats(0, 1),
    flips=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), max_size=3),
)
def test_truncated_and_corrupted_sample_files(
    name: str, cut: float, flips: list[tuple[float, int]]
) -> None:
    data = bytearray((SAMPLE / name).read_bytes())
    for where, byte in flips:  # may well leave invalid UTF-8 behind
        data[int(where * (len(data) - 1))] = byte
    load_bytes(bytes(data[: int(cut * len(data))]), Path(name).suffix)


@pytest.mark.parametrize(
    ("suffix", "data"),
    [
        (".html", b"<div>" * 5000 + b"Deep inside, the text is still prose." + b"</div>" * 5000),
        (".html", b"<div>" * 5000 + b"Never closed."),
        (".html", b"<script>" * 3000 + b"x"),
        (".xml", b"<root>" + b"<a>" * 5000 + b"text" + b"</a>" * 5000 + b"</root>"),
        (".xml", b"<?xml version='1.0'?><root><fulldesc>" + b"&lt;div&gt;" * 5000 + b"x</fulldesc></root>"),
        (".xml", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><root>&a;</root>'),
        (".json", b"[" * 100_000),
        (".json", b'{"articles": ' * 5000 + b"1" + b"}" * 5000),
        (".jsonl", b'{"text": ' * 3000 + b'"x"' + b"}" * 3000),
        (".md", b"---\n" * 5000),
        (".txt", b"\xff\xfeA"),
        (".txt", b"\xed\xa0\x80 surrogate in UTF-8"),
        (".txt", "।".encode() * 200_000),
        (".txt", b"Dr. " * 100_000),
    ],
)  # fmt: skip
def test_pathological_files_are_handled_quickly(suffix: str, data: bytes) -> None:
    started = time.monotonic()
    load_bytes(data, suffix)
    assert time.monotonic() - started < 20


@pytest.mark.parametrize("suffix", [".html", ".xml"])
def test_deep_nesting_keeps_the_text(suffix: str) -> None:
    body = "Deep inside, the text is still prose."
    if suffix == ".html":
        data = "<div>" * 5000 + f"<p>{body}</p>" + "</div>" * 5000
    else:
        nested = "&lt;div&gt;" * 5000 + body + "&lt;/div&gt;" * 5000
        data = f"<?xml version='1.0'?><root><fulldesc>{nested}</fulldesc></root>"
    result = load_bytes(data.encode(), suffix)
    assert isinstance(result, list) and body in result[0].text


@FUZZ
@given(text=news_text | markup_text)
@example(text="क्\u200dष \u202eखबर\u202c क्\u200d\u200dष र\u200d्य \u200dक")
def test_cleaning_never_raises_and_leaves_clean_text(text: str) -> None:
    cleaned = Cleaner.load().clean(text)
    assert_clean(cleaned)
    assert "\n\n\n" not in cleaned and cleaned == cleaned.strip()


@FUZZ
@given(text=news_text)
def test_sentence_offsets_are_always_exact(text: str) -> None:
    sentences = split_sentences(text)
    previous_end = 0
    for sentence in sentences:
        assert text[sentence.start : sentence.end] == sentence.text
        assert sentence.text == sentence.text.strip() and sentence.text
        assert "\n" not in sentence.text
        assert sentence.start >= previous_end
        previous_end = sentence.end
    words = "".join(text.split())
    assert "".join("".join(s.text.split()) for s in sentences) == words  # nothing dropped


@FUZZ
@given(raw=news_text)
def test_chunks_of_any_cleaned_text_have_exact_offsets_and_cover_it(raw: str) -> None:
    text = Cleaner.load().clean(raw)  # what the pipeline hands the chunker
    article = Article("t", text, detect_language(text), "/fuzz.txt")
    chunks = Chunker(ChunkingConfig(max_tokens=20, overlap=1)).chunk(article)
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text
        assert chunk.text and chunk.text == chunk.text.strip()
    covered = {i for c in chunks for i in range(c.start, c.end)}
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())


@FUZZ
@given(text=news_text | markup_text)
@example(text="क \u093c ख")  # a nukta alone folds to nothing
def test_tokens_and_language_never_raise(text: str) -> None:
    assert all(term and term == term.strip() for term in tokenize(text))
    assert all(term for term in index_terms(text))
    assert detect_language(text) in LANGUAGES
    assert question_language(text) in ("hi", "en")
    assert fold_for_matching(text) == fold_for_matching(fold_for_matching(text))


date_like = st.lists(
    st.sampled_from(
        ["Mon, ", "12", "31", "00", "99999", "2025", "-", "08", " ", "Aug", "Sept", "अगस्त",
         "१२", ",", "T", ":", "+0530", "GMT", "Z", ".", "0"]
    ) | st.text(max_size=4),
    max_size=12,
).map("".join)  # fmt: skip


@FUZZ
@given(text=date_like | st.text())
def test_parse_date_returns_a_date_or_none(text: str) -> None:
    assert parse_date(text) is None or isinstance(parse_date(text), date)

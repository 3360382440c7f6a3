"""Text hygiene, user boilerplate rules, sentences, chunks, language and Hindi-safe tokens."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest

from index.chunking import Chunker, ChunkingConfig, TokenCounter, tiktoken_counter
from index.cleaning import Cleaner
from index.documents import Article, Chunk
from index.embedding import token_window
from index.language import detect_language, question_language, script_counts
from index.loaders import LoadOptions, discover, load_file
from index.sentences import split_sentences
from index.text import fold_for_matching, normalize_text
from index.tokenize import tokenize

CLEANER = Cleaner.load()

# Unicode hygiene


def test_text_is_nfc() -> None:
    decomposed = "Caf" + "e\u0301" + " में \u0958र्ज़"  # é decomposed; QA (क़) precomposed
    cleaned = CLEANER.clean(decomposed)
    assert cleaned == unicodedata.normalize("NFC", cleaned)
    assert "Café" in cleaned and "\u0958" not in cleaned


@pytest.mark.parametrize("invisible", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"])
def test_zero_width_characters_and_soft_hyphens_are_removed(invisible: str) -> None:
    text = f"भा{invisible}रत ने news{invisible}paper में बयान दिया।"
    assert CLEANER.clean(text) == "भारत ने newspaper में बयान दिया।"
    assert normalize_text(text) == "भारत ने newspaper में बयान दिया।"


BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


def test_every_format_character_and_lone_surrogate_is_removed() -> None:
    dropped = [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) in ("Cf", "Cs")]
    assert len(dropped) > 2000  # the whole of Unicode was looked at
    assert [ch for ch in dropped if normalize_text(f"a{ch}b") != "ab"] == []


def test_control_characters_become_spaces_and_line_ends_stay() -> None:
    assert normalize_text("When\x00was\x1b[31m it\x7f\x85over\tthen\r\nnext") == (
        "When was [31m it  over\tthen\r\nnext"
    )


@pytest.mark.parametrize("control", BIDI_CONTROLS)
def test_bidi_controls_are_removed(control: str) -> None:
    assert normalize_text(f"invoice{control}txt.exe भारत{control}ने") == "invoicetxt.exe भारतने"


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("क्\u200dष", True),  # a half form
        ("क्\u200cष", True),  # a visible virama
        ("र\u200d्य", True),  # the eyelash ra
        ("प्रो\u200dटोकॉल", False),  # after a vowel sign: stray
        ("भा\u200cरत", False),
        ("news\u200dpaper", False),
        ("क्\u200d", False),  # no letter follows
        ("\u200dक्ष", False),
    ],
)
def test_joiners_stay_only_where_devanagari_spelling_uses_them(text: str, kept: bool) -> None:
    normalized = normalize_text(text)
    assert normalized == (text if kept else text.replace("\u200c", "").replace("\u200d", ""))
    # Matching sees one word either way.
    assert "\u200c" not in fold_for_matching(text) and "\u200d" not in fold_for_matching(text)
    assert tokenize(text) == tokenize(text.replace("\u200c", "").replace("\u200d", ""))


def test_an_article_with_bidi_overrides_gives_clean_chunks_title_and_outlet(
    tmp_path: Path,
) -> None:
    path = tmp_path / "spoof.md"
    path.write_text(
        "---\ntitle: \u202eCouncil approves\u202c ring road\nsource: \u2067city\u2069news\n---\n\n"
        "The council \u202eapproved\u202c the ring road on Monday.\u200b It will cost "
        "\ufeffRs 40 crore, the mayor said\u00ad.\n\nभारत\u2066 ने\u2069 रूस के साथ प्रो\u200dटोकॉल पर "
        "हस्ताक्षर किए।\n",
        "utf-8",
    )
    (article,) = load_file(path, LoadOptions(CLEANER))
    assert article.title == "Council approves ring road" and article.outlet == "citynews"
    chunks = Chunker(ChunkingConfig(max_tokens=20, overlap=0)).chunk(article)
    assert len(chunks) > 1
    stray = re.compile(f"[{BIDI_CONTROLS}\u200b\u200c\u200d\ufeff\u00ad]")
    for chunk in chunks:
        assert not stray.search(chunk.text), chunk.text
        assert article.text[chunk.start : chunk.end] == chunk.text
    assert "The council approved the ring road on Monday." in article.text
    assert "प्रोटोकॉल" in article.text


def test_script_counts_count_the_letters_of_each_script() -> None:
    def devanagari(ch: str) -> bool:
        return "\u0900" <= ch <= "\u097f" or "\ua8e0" <= ch <= "\ua8ff"

    for code in [*range(0x0900, 0x0980), *range(0xA8E0, 0xA900), *range(0x80)]:
        ch = chr(code)
        expected = (
            int(devanagari(ch) and (ch.isalpha() or "\u093e" <= ch <= "\u094d")),
            int(ch.isascii() and ch.isalpha()),
        )
        assert script_counts(ch) == expected, hex(code)
    assert script_counts("मोदी ने ISRO से कहा, 12 बार।") == (14, 4)


def test_fold_for_matching_maps_devanagari_digits_case_and_digit_groups() -> None:
    assert fold_for_matching("१२ अगस्त २०२५") == "12 अगस्त 2025"
    assert fold_for_matching("2,232 kg and 1,00,000 रुपये, ISRO") == "2232 kg and 100000 रुपये, isro"


# Boilerplate rules


def test_boilerplate_lines_go_and_prose_stays() -> None:
    text = "\n".join(
        [
            "Headline",
            "Advertisement",
            "The council met on Monday and approved the plan.",
            "Also Read | Sensex ends flat",
            "यह भी पढ़ें: शेयर बाजार में तेजी",
            "कात्रज स्टेशन पर खड़ी ट्रेन (फोटो- ITG)",
            "Share on WhatsApp | Facebook",
            "(एजेंसी इनपुट के साथ)",
            "The council met on Monday and approved the plan.",
            "Neha Kale",
            "—IANS",
        ]
    )
    assert CLEANER.clean(text) == "Headline\n\nThe council met on Monday and approved the plan."
    # Without the headline privilege a short first line is a stray label too.
    assert CLEANER.clean(text, keep_first_line=False) == (
        "The council met on Monday and approved the plan."
    )


def test_a_byline_block_is_kept_as_one_line_and_names_the_author() -> None:
    text = "\n".join(
        [
            "Headline of the story",
            "Advertisement",
            "शिवानी शर्मा",
            "  • नई दिल्ली,",
            "  • 06 अगस्त 2025,",
            "  • अपडेटेड 10:55 PM IST",
            "The council met on Monday and approved the plan.",
            "• Home",
            "• Sports",
            "• Officials said the plan would add 1,200 buses to the fleet over two years.",
        ]
    )
    cleaned, author = CLEANER.clean_with_author(text)
    assert author == "शिवानी शर्मा"
    assert cleaned.split("\n\n") == [
        "Headline of the story",
        "शिवानी शर्मा · नई दिल्ली · 06 अगस्त 2025 · अपडेटेड 10:55 PM IST",
        "The council met on Monday and approved the plan.",
        # Bare bullets with no date are navigation; a long one is the story's own list.
        "• Officials said the plan would add 1,200 buses to the fleet over two years.",
    ]
    one_line = "T\nBy Neha Kale | Pune | Updated: Aug 24, 2025, 19:10 IST\nThe plan passed."
    assert CLEANER.clean_with_author(one_line) == (
        "T\n\nBy Neha Kale · Pune · Updated: Aug 24, 2025, 19:10 IST\n\nThe plan passed.",
        "Neha Kale",
    )


def test_a_user_rules_file_extends_the_built_in_rules(tmp_path: Path) -> None:
    rules = tmp_path / "rules.txt"
    rules.write_text("# our outlet's furniture\n\nsponsored by .*\nट्रेंडिंग वीडियो.*\n", "utf-8")
    text = (
        "The dam gates were opened on Friday after heavy rain.\n"
        "Sponsored by Acme Cement, building India since 1950.\n"
        "ट्रेंडिंग वीडियो: बाढ़ में फंसी कार\n"
        "Advertisement\n"
    )
    assert "Sponsored by Acme" in Cleaner.load().clean(text)
    extended = Cleaner.load([rules])
    assert extended.clean(text) == "The dam gates were opened on Friday after heavy rain."
    assert len(extended.rules) == len(CLEANER.rules) + 2


# Sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "मिशन निदेशक डॉ. के. रमेश बाबू ने कहा कि मिशन सफल रहा। दूसरा वाक्य यहां है।",
            ["मिशन निदेशक डॉ. के. रमेश बाबू ने कहा कि मिशन सफल रहा।", "दूसरा वाक्य यहां है।"],
        ),
        (
            "Dr. K. Ramesh Babu spoke first. The U.S. officials met on Monday. Was it good? Yes!",
            [
                "Dr. K. Ramesh Babu spoke first.",
                "The U.S. officials met on Monday.",
                "Was it good?",
                "Yes!",
            ],
        ),
        (
            "A. P. J. Abdul Kalam was born in 1931. He died in 2015.",
            ["A. P. J. Abdul Kalam was born in 1931.", "He died in 2015."],
        ),
        (
            "बारिश 109.5 प्रतिशत रहेगी. LPA 167.9 मिलीमीटर है.",
            ["बारिश 109.5 प्रतिशत रहेगी.", "LPA 167.9 मिलीमीटर है."],
        ),
        ("क्या यह सच है? हाँ! ठीक है।", ["क्या यह सच है?", "हाँ!", "ठीक है।"]),
        ("पहली पंक्ति\nदूसरी पंक्ति", ["पहली पंक्ति", "दूसरी पंक्ति"]),
    ],
)
def test_sentences_end_at_danda_period_and_marks_but_not_abbreviations(
    text: str, expected: list[str]
) -> None:
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == expected
    assert all(text[s.start : s.end] == s.text for s in sentences)


# Chunks


def model_window(model: Any) -> tuple[TokenCounter, int]:
    """The embedding model's own token counter and input limit."""
    count, limit = token_window(model)
    return cast(TokenCounter, count), limit


def sample_articles(sample_corpus: Path) -> list[Article]:
    options = LoadOptions(CLEANER)
    return [
        article
        for path in discover([sample_corpus])
        if isinstance(path, Path)
        for article in load_file(path, options)
    ]


def long_hindi_article() -> Article:
    sentences = [
        f"मौसम विभाग ने बताया कि {n} सितंबर को उत्तराखंड, हिमाचल प्रदेश, पंजाब और हरियाणा "
        "के कई हिस्सों में भारी बारिश हो सकती है।"
        for n in range(1, 41)
    ]
    text = " ".join(sentences[:20]) + "\n\n" + " ".join(sentences[20:])
    return Article("बारिश", text, "hi", "/corpus/rain.txt")


def sentence_bounds(text: str) -> tuple[set[int], set[int]]:
    sentences = split_sentences(text)
    return {s.start for s in sentences}, {s.end for s in sentences}


def assert_well_formed(
    chunks: list[Chunk], article: Article, fits: Callable[[str], bool] = lambda _: True
) -> None:
    """Exact offsets, every sentence in a chunk, and no sentence cut unless it alone
    does not `fit` in a chunk."""
    sentences = split_sentences(article.text)
    starts, ends = sentence_bounds(article.text)
    assert chunks, article.ref
    for chunk in chunks:
        assert article.text[chunk.start : chunk.end] == chunk.text
        for offset, bounds in ((chunk.start, starts), (chunk.end, ends)):
            if offset not in bounds:
                (cut,) = [s for s in sentences if s.start < offset < s.end]
                assert not fits(cut.text), f"{article.ref}: a chunk cut {cut.text!r}"
    covered = {s for c in chunks for s in starts if c.start <= s < c.end}
    assert covered == starts, "a sentence is in no chunk"
    assert [c.position for c in chunks] == list(range(len(chunks)))
    assert len({c.id for c in chunks}) == len(chunks)


@pytest.mark.slow
def test_chunks_respect_max_tokens_and_the_model_window_and_keep_offsets(
    embedding_model: Any, sample_corpus: Path
) -> None:
    count_model, window = model_window(embedding_model)
    count_tiktoken = tiktoken_counter("o200k_base")
    max_tokens = 60  # below some sentences' length, so that cutting them is tested too

    def fits(text: str) -> bool:
        return count_tiktoken(text) <= max_tokens and count_model(text) <= window

    chunker = Chunker(ChunkingConfig(max_tokens, overlap=1), (count_model, window))
    for article in [*sample_articles(sample_corpus), long_hindi_article()]:
        chunks = chunker.chunk(article)
        assert_well_formed(chunks, article, fits)
        assert all(fits(chunk.text) for chunk in chunks)


@pytest.mark.slow
def test_the_model_window_binds_where_tiktoken_alone_would_overflow_it(
    embedding_model: Any,
) -> None:
    count_model, window = model_window(embedding_model)
    article = long_hindi_article()
    roomy = ChunkingConfig(max_tokens=2000, overlap=0)
    unbounded = Chunker(roomy).chunk(article)
    assert max(count_model(c.text) for c in unbounded) > window  # the hazard is real
    bounded = Chunker(roomy, (count_model, window)).chunk(article)
    assert_well_formed(bounded, article)
    assert all(count_model(c.text) <= window for c in bounded)
    assert max(count_model(c.text) for c in bounded) > window // 2  # and chunks stay full


def test_overlap_repeats_the_last_sentences_of_the_previous_chunk() -> None:
    article = long_hindi_article()
    sentences = split_sentences(article.text)
    for overlap in (0, 1, 2):
        chunks = Chunker(ChunkingConfig(max_tokens=120, overlap=overlap)).chunk(article)
        assert len(chunks) > 3
        assert_well_formed(chunks, article)
        for before, after in itertools.pairwise(chunks):
            inside = [s for s in sentences if before.start <= s.start and s.end <= before.end]
            shared = [s for s in inside if s.start >= after.start]
            assert len(shared) == overlap
            if overlap:
                assert after.start == inside[-overlap].start


def test_a_sentence_longer_than_a_chunk_is_cut_only_between_words() -> None:
    words = [f"word{n}" for n in range(400)]
    article = Article("t", " ".join(words) + ".", "en", "/corpus/long.txt")
    count = tiktoken_counter("o200k_base")
    chunks = Chunker(ChunkingConfig(max_tokens=50, overlap=0)).chunk(article)
    assert len(chunks) > 5
    for chunk in chunks:
        assert article.text[chunk.start : chunk.end] == chunk.text
        assert count(chunk.text) <= 50
        assert re.fullmatch(r"[\w ]+\.?", chunk.text)
    assert " ".join(c.text for c in chunks) == article.text


def counting(counter: TokenCounter, counted: list[int]) -> TokenCounter:
    """`counter`, recording the length of every text it is given."""

    def count(text: str) -> int:
        counted.append(len(text))
        return counter(text)

    return count


@pytest.mark.parametrize(
    "unit",
    [
        "council,road,budget,minister,",  # no space at all: cut between characters
        "council road budget minister ",  # words but no sentence end
        "क्षेत्रीय,क्\u200cषति,सड़क,",  # Devanagari with conjuncts and a ZWNJ, no space
    ],
    ids=["no-spaces", "no-sentence-end", "devanagari-no-spaces"],
)
def test_a_one_line_file_of_megabytes_gives_bounded_chunks(tmp_path: Path, unit: str) -> None:
    path = tmp_path / "one_line.txt"
    body = unit * (4 * 2**20 // len(unit.encode()))  # 4 MB on one line
    path.write_text(f"Long line\n\n{body}.\n", "utf-8")
    (article,) = load_file(path, LoadOptions(CLEANER))
    chunker = Chunker(ChunkingConfig(max_tokens=200, overlap=1))
    counted: list[int] = []
    tiktoken_count = chunker.count
    chunker.count = counting(tiktoken_count, counted)
    chunks = chunker.chunk(article)

    assert len(chunks) > 1000
    assert max(tiktoken_count(c.text) for c in chunks) <= 200
    assert max(len(c.text) for c in chunks) <= 200 * 8
    # Nothing long is ever counted (tiktoken is superlinear on text without spaces),
    # and text of one kind needs about one count a piece.
    assert max(counted) <= 200 * 8 * 2
    assert len(counted) < 3 * len(chunks)
    covered = sum(c.end - c.start for c in chunks)
    assert covered >= len(article.text) - len(chunks) - len("Long line")
    for chunk in chunks[:50] + chunks[-50:]:
        assert article.text[chunk.start : chunk.end] == chunk.text
        # A cut never separates a letter from its signs, virama or joiner.
        after = article.text[chunk.end : chunk.end + 1]
        assert not after or not unicodedata.category(after).startswith("M")
        assert article.text[chunk.end - 1] not in "\u094d\u200c\u200d"


# Language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("भारत", "hi"),
        ("मोदी जी", "hi"),
        ("भारत और रूस ने DPIIT के साथ दिल्ली में बैठक की और कई समझौतों पर हस्ताक्षर किए।", "hi"),
        ("India and Russia signed a protocol in New Delhi on Wednesday.", "en"),
        ("The ISRO chief met PM मोदी on Tuesday in Delhi to discuss launches.", "en"),
        ("India Russia trade talks भारत रूस व्यापार वार्ता", "mixed"),
        ("2025 — 12,400", "en"),
    ],
)
def test_language_is_told_by_script(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_a_hindi_question_naming_an_english_acronym_is_answered_in_hindi() -> None:
    assert question_language("ALROSA का मुंबई दफ्तर कब खुला?") == "hi"
    assert question_language("When did ALROSA open its Mumbai office?") == "en"


# Tokens


def test_tokenizer_keeps_hindi_words_whole() -> None:
    # The usual \b\w\w+\b pattern breaks both words (vowel signs are not \w in `re`).
    assert re.findall(r"\b\w\w+\b", "मोदी भारत") != ["मोदी", "भारत"]
    assert tokenize("भारत") == ["भारत"]
    (modi,) = tokenize("मोदी")
    assert len(modi) >= 3 and "मोदी".startswith(modi)  # at most an inflection trimmed
    assert tokenize("मोदी ने भारत के बारे में कहा") == [modi, "भारत", *tokenize("बारे कहा")]
    assert tokenize("२०२५ में ISRO launches") == ["2025", "isro", "launch"]

"""Citations of a model's answer, checked against the passages it was given."""

from __future__ import annotations

import pytest

from index.sentences import MAX_QUOTE_CHARS, Sentence, clip_quote
from rag.citations import check_citations, cited_numbers, claim_before, is_refusal
from rag.messages import say
from rag.types import Passage

METRO = (
    "Pune Metro Line 3 opened on Monday. The line runs 23.3 km and has 23 stations. "
    "Fares range from Rs 10 to Rs 40."
)
RAIN = "विभाग ने सामान्य से अधिक बारिश का अनुमान जताया है। इस महीने 109 प्रतिशत वर्षा हो सकती है।"


def passage(n: int, text: str, start: int, language: str = "en") -> Passage:
    return Passage(
        n=n,
        chunk_id=f"c{n}",
        text=text,
        ref=f"a{n}.txt",
        path=f"/a{n}.txt",
        title=f"Title {n}",
        outlet="outlet",
        url="",
        date="2025-09-01",
        language=language,
        start=start,
        end=start + len(text),
        score=1.0,
    )


PASSAGES = [passage(1, METRO, 120), passage(2, RAIN, 0, "hi")]


@pytest.mark.parametrize(
    ("marker", "numbers"),
    [("[1]", [1]), ("[1, 3]", [1, 3]), ("[2,2]", [2]), ("[ 4 ]", [4]), ("[२]", [2])],
)
def test_numbers_of_a_marker(marker: str, numbers: list[int]) -> None:
    assert cited_numbers(marker) == numbers


def test_claim_is_the_sentence_the_marker_closes() -> None:
    text = "Line 3 opened on Monday. It has 23 stations [1][2]. Fares are low. [1]"
    assert claim_before(text, text.index("[1][2]")) == "It has 23 stations"
    assert claim_before(text, text.index("[2]")) == "It has 23 stations"
    assert claim_before(text, text.rindex("[1]")) == "Fares are low."


def test_quote_is_the_best_supporting_sentence_with_article_offsets() -> None:
    checked = check_citations("The fare is at most Rs 40 [1]. It opened on Monday [1].", PASSAGES)

    assert [c.quote for c in checked.citations] == [
        "Fares range from Rs 10 to Rs 40.",
        "Pune Metro Line 3 opened on Monday.",
    ]
    first = checked.citations[0]
    assert (first.start, first.end) == (120 + METRO.index("Fares"), 120 + len(METRO))
    assert (first.n, first.ref, first.title, first.path) == (1, "a1.txt", "Title 1", "/a1.txt")


def test_adjacent_and_grouped_markers_each_cite() -> None:
    checked = check_citations("Line 3 has 23 stations and 109 प्रतिशत rain fell [1][2].", PASSAGES)
    grouped = check_citations("Line 3 has 23 stations and 109 प्रतिशत rain fell [1, 2].", PASSAGES)

    assert [c.n for c in checked.citations] == [c.n for c in grouped.citations] == [1, 2]
    assert checked.citations[1].quote == "इस महीने 109 प्रतिशत वर्षा हो सकती है।"


def test_markers_naming_no_passage_are_dropped() -> None:
    checked = check_citations(
        "It has 23 stations [1][9]. Fares are low [7]. Rain [2, 9].", PASSAGES
    )

    assert checked.text == "It has 23 stations [1]. Fares are low. Rain [2]."
    assert [c.n for c in checked.citations] == [1, 2]


def test_no_marker_no_citation() -> None:
    checked = check_citations("Line 3 opened on Monday.", PASSAGES)
    assert checked.text == "Line 3 opened on Monday." and checked.citations == []


def test_one_citation_per_passage_sentence() -> None:
    checked = check_citations(
        "It opened on Monday [1]. Yes, Line 3 opened on Monday [1].", PASSAGES
    )
    assert len(checked.citations) == 1


def test_hindi_claim_finds_its_sentence_in_an_english_passage() -> None:
    # Only the numbers are shared across the scripts.
    checked = check_citations("अंग्रेज़ी स्रोत के अनुसार लाइन 23.3 किलोमीटर लंबी है [1]।", PASSAGES)
    assert [c.quote for c in checked.citations] == ["The line runs 23.3 km and has 23 stations."]


@pytest.mark.parametrize("language", ["en", "hi"])
def test_refusal_sentence_is_recognised(language: str) -> None:
    refusal = say("no_answer", language)
    assert is_refusal(refusal)
    assert is_refusal(refusal.rstrip(".।") + " [1]")
    assert is_refusal(f"Sorry. {refusal.upper()}")


def test_answers_are_not_refusals() -> None:
    assert not is_refusal("The articles say Line 3 opened on Monday [1].")
    assert not is_refusal("")


def test_a_quote_is_clipped_after_a_whole_word_with_exact_offsets() -> None:
    long = " ".join(f"clause{n} of the ring road plan" for n in range(200)) + "."
    text = "The council met on Monday! " + long
    cited = passage(1, text, 50)
    checked = check_citations("The plan has clause199 of the ring road [1].", [cited])
    (citation,) = checked.citations
    assert len(citation.quote) <= MAX_QUOTE_CHARS < len(long)
    assert long.startswith(citation.quote) and not citation.quote.endswith(" ")
    assert long[len(citation.quote)] == " "  # cut after a whole word
    article = " " * 50 + text
    assert article[citation.start : citation.end] == citation.quote


def test_clip_quote_leaves_a_short_sentence_alone() -> None:
    sentence = Sentence("Fares range from Rs 10 to Rs 40.", 7, 39)
    assert clip_quote(sentence) is sentence
    assert clip_quote(Sentence("x" * 700, 0, 700)) == Sentence("x" * MAX_QUOTE_CHARS, 0, 600)

"""Whatever is typed into the question box, the assistant replies with an Answer (or a
clear ValueError), never a crash, over an index of the sample corpus."""

from __future__ import annotations

import pytest

from rag.assistant import Assistant
from rag.messages import say
from rag.types import Answer

pytestmark = pytest.mark.slow

NOT_A_QUESTION = {
    "empty": "",
    "blank": "  \t ",
    "newlines": "\n\n\r\n",
    "punctuation": "?!.,;:—…।॥ -- ()",
    "emoji only": "🚀🛰️🙂",
    "control characters only": "\x00\x07\x1b\x7f",
}
ODD_QUESTIONS = {
    "ten thousand characters": ("When was NVS-04 launched? " * 400)[:10_000],
    "one long word": "a" * 10_000,
    "mixed scripts": "ISRO ने NVS-04 कब launch किया?",
    "emoji and words": "🚀🛰️ When was NVS-04 launched? 🙂",
    "control characters": "When\x00 was\x07 NVS-04\x1b[31m launched?\r\n\t",
    "zero-width and bidi marks": "\u200bWhen was \u202eNVS-04\u202c launched\u200d?",
    "lone surrogate": "When was NVS-04 launched \ud800?",
    "devanagari digits": "१२ अगस्त २०२५ को क्या हुआ?",
    "query syntax": '\'; DROP TABLE articles; -- {"$or": []} OR 1=1',
    "other scripts": "Когда запустили NVS-04? 𝕳𝖎𝖓𝖉𝖎 ﷺ",
}


def reply(assistant: Assistant, question: str) -> Answer | None:
    """ask()'s Answer, checked against stream()'s; None when a clear ValueError was raised."""
    try:
        answer = assistant.ask(question)
    except ValueError as error:
        assert str(error), "a ValueError without a message"
        return None
    *pieces, last = list(assistant.stream(question))
    assert isinstance(last, Answer) and all(isinstance(p, str) for p in pieces)
    assert (last.answered, last.text) == (answer.answered, answer.text)
    assert isinstance(answer, Answer) and answer.text.strip()
    assert answer.language in ("hi", "en")
    numbers = {p.n for p in answer.passages}
    assert all(c.n in numbers for c in answer.citations)
    if not answer.answered:
        assert not answer.citations
    return answer


@pytest.mark.parametrize("question", NOT_A_QUESTION.values(), ids=NOT_A_QUESTION.keys())
def test_input_without_words_gets_a_clear_message(sample_index: Assistant, question: str) -> None:
    answer = reply(sample_index, question)
    assert answer is not None and not answer.answered
    assert answer.text in (say("bad_question", "en"), say("bad_question", "hi"))


@pytest.mark.parametrize("question", ODD_QUESTIONS.values(), ids=ODD_QUESTIONS.keys())
def test_odd_questions_get_an_answer_or_a_clear_refusal(
    sample_index: Assistant, question: str
) -> None:
    reply(sample_index, question)


def test_a_long_question_still_finds_its_article(sample_index: Assistant) -> None:
    answer = reply(sample_index, ODD_QUESTIONS["ten thousand characters"])
    assert answer is not None and answer.answered
    # The English and the Hindi report both hold the fact.
    assert {"en_isro_gslv_f21.txt", "hi_isro_gslv_f21.txt"} & {c.ref for c in answer.citations}


# A joiner or zero-width space typed (or pasted) inside a word must not split it: split,
# "भूस्खलन" became "भू" and "स्खलन" and the answer came from elsewhere.
@pytest.mark.parametrize("invisible", ["\u200d", "\u200c", "\u200b", "\u2060", "\u00ad"])
def test_an_invisible_character_inside_a_question_word_changes_nothing(
    sample_index: Assistant, invisible: str
) -> None:
    plain = "सितंबर में किन राज्यों में भूस्खलन का खतरा है?"
    marked = plain.replace("भूस्खलन", f"भू{invisible}स्खलन").replace("राज्यों", f"रा{invisible}ज्यों")
    expected, answer = sample_index.ask(plain), sample_index.ask(marked)
    assert expected.passages[0].ref == "hi_imd_monsoon_september.txt"
    assert [p.chunk_id for p in answer.passages] == [p.chunk_id for p in expected.passages]
    assert answer.text == expected.text
    retrieved = sample_index.retrieve(marked)
    assert [p.chunk_id for p in retrieved.passages] == [p.chunk_id for p in expected.passages]

"""Retrieval and offline answers end to end, on the real embedding model.

Runs over ../shared/corpus (the user's articles) when present, and always over
the bundled sample corpus, so a fresh clone covers the same paths.
"""

from collections.abc import Generator
from pathlib import Path

import pytest

from rag import Assistant, answerers
from rag.answerers import Evidence
from rag.types import Answer

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "corpus"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    if not SHARED.is_dir():
        pytest.skip(f"the user's corpus is not here ({SHARED}); the sample corpus tests cover it")
    assistant = Assistant(data_dir=tmp_path_factory.mktemp("shared"))
    assistant.ingest([SHARED])
    return assistant


@pytest.fixture(scope="module")
def sample(sample_index: Assistant) -> Assistant:
    return sample_index


def cited(answer: Answer) -> set[str]:
    return {c.ref for c in answer.citations}


def test_english_question_answered_in_english_with_the_right_article(shared: Assistant) -> None:
    answer = shared.ask("What did India and Russia agree about agriculture?")
    assert answer.answered and answer.language == "en"
    assert cited(answer) == {"000_67bf332f679909d8.txt"}
    quote = answer.citations[0]
    article = (ROOT.parent / "shared" / "corpus" / quote.ref).read_text("utf-8")
    assert quote.quote.split()[0] in article


def test_the_sentence_about_the_asked_topic_answers(shared: Assistant) -> None:
    # Long a known miss: the sentence similarity (cosine 0.89) prefers "India and Russia
    # also agreed to…" to "Agriculture sector is also an important area…" (0.80). The
    # scorer is unsure between them, so the second is now quoted as the first's runner-up.
    answer = shared.ask("What did India and Russia agree about agriculture?")
    assert "agricultur" in answer.text.lower()


@pytest.mark.xfail(
    strict=True,
    reason="a known miss: 'It has a designed mission life of 12 years' names its subject only "
    "as 'It', so the sentence naming NVS-04 is closer in meaning (0.92 against 0.81); "
    "reading sentences after their headline fixed this one but cost refusals elsewhere",
)
def test_a_sentence_that_says_it_for_its_subject_answers(sample: Assistant) -> None:
    answer = sample.ask("What is the designed mission life of the NVS-04 satellite?")
    assert "12 years" in answer.text


def test_hindi_question_answered_in_hindi(shared: Assistant) -> None:
    answer = shared.ask("प्रोटोकॉल पर किसने हस्ताक्षर किए?")
    assert answer.answered and answer.language == "hi"
    assert "हस्ताक्षर" in answer.text
    assert cited(answer) & {"004_daaf95e8278ddd8a.txt", "001_8e115a7352b6332a.txt"}


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("Who will chair the 12th session of the working group?", "en"),
        ("What is the capital of France?", "en"),
        ("भारत और रूस के बीच 2024 में कुल व्यापार कितना था?", "hi"),
    ],
)
def test_unrelated_questions_are_refused_in_their_language(
    shared: Assistant, question: str, language: str
) -> None:
    answer = shared.ask(question)
    assert not answer.answered and not answer.citations
    assert answer.language == language
    assert ("articles do not" in answer.text) == (language == "en")


def test_cross_language_evidence_is_found_and_labelled(shared: Assistant) -> None:
    answer = shared.ask("ALROSA ने मुंबई में क्या खोला?")
    assert answer.answered and answer.language == "hi"
    assert cited(answer) == {"000_67bf332f679909d8.txt"}
    assert "अंग्रेज़ी स्रोत" in answer.text and "ALROSA" in answer.text


def test_citation_offsets_point_into_the_cleaned_article(shared: Assistant) -> None:
    answer = shared.ask("How many delegates took part in the session?")
    assert "80" in answer.text
    for c in answer.citations:
        passage = next(p for p in answer.passages if p.n == c.n)
        assert passage.text[c.start - passage.start : c.end - passage.start] == c.quote


def test_filters_restrict_retrieval(shared: Assistant) -> None:
    only_hindi = shared.ask("DPIIT", filters={"language": "hi"})
    assert {p.language for p in only_hindi.passages} == {"hi"}
    old = shared.retrieve("India Russia cooperation", filters={"date_to": "2019-01-01"})
    assert {p.ref for p in old.passages} == {"000_67bf332f679909d8.txt"}


def test_follow_up_uses_the_previous_turn(sample: Assistant) -> None:
    first = "Which satellite did ISRO launch on the GSLV-F21?"
    answer = sample.ask("How long after liftoff was it placed in orbit?", history=[first])
    assert answer.answered and "19 minutes" in answer.text


def test_syndicated_copies_do_not_crowd_the_results(sample: Assistant) -> None:
    retrieval = sample.retrieve("India Japan semiconductor OSAT plant Dholera MoU", k=5)
    texts = [p.text for p in retrieval.passages]
    assert len(texts) == len(set(texts))
    sources = [p.ref for p in retrieval.passages]
    assert not {"en_semiconductor_mou_feed.txt", "mixed_feed.jsonl#2"} <= set(sources[:2])


def test_hindi_question_with_an_english_only_model_skips_dense(sample: Assistant) -> None:
    from rag.retrieval import HybridRetriever

    english_only = HybridRetriever(sample.store, sample.query_model, dense_languages=("en",))
    retrieval = english_only.search("पुणे मेट्रो के नए खंड का उद्घाटन किसने किया?", k=5)
    assert retrieval.used == ("bm25",)
    assert retrieval.passages[0].ref == "hi_pune_metro_scraped.txt"


def test_a_multilingual_model_searches_hindi_questions_densely(sample: Assistant) -> None:
    retrieval = sample.retrieve("पुणे मेट्रो के नए खंड का उद्घाटन किसने किया?")
    assert retrieval.used == ("dense", "bm25")
    assert retrieval.passages[0].ref == "hi_pune_metro_scraped.txt"


def test_bridge_passages_take_every_other_place_from_rank_three() -> None:
    from rag.retrieval import interleave_bridge

    assert interleave_bridge(["a", "b", "c", "d"], ["x", "c", "y"]) == [
        "a",
        "b",
        "x",
        "c",
        "y",
        "d",
    ]
    assert interleave_bridge(["a"], ["x", "a"]) == ["a", "x"]
    assert interleave_bridge([], ["x"]) == ["x"]


def test_a_passage_found_only_across_languages_is_returned(tmp_path: Path) -> None:
    # The Hindi article shares only a number with the question, and with one
    # candidate per retriever the BM25 list holds only the English article:
    # the Hindi one arrives through the bridge list alone.
    (tmp_path / "en.txt").write_text(
        " date 2025-01-02 Pune, Jan 2: The new bridge over the river opened today.\n",
        encoding="utf-8",
    )
    (tmp_path / "hi.txt").write_text("नई दिल्ली में 4711 लोगों ने मतदान किया।\n", encoding="utf-8")
    assistant = Assistant(data_dir=tmp_path / "data", retriever="bm25", candidates=1)
    assistant.ingest([tmp_path / "en.txt", tmp_path / "hi.txt"])
    retrieval = assistant.retrieve("Did the new bridge in Pune open after 4711 votes?")
    assert "hi.txt" in {p.ref for p in retrieval.passages}


def test_who_wrote_it_is_answered_from_the_byline(sample: Assistant) -> None:
    answer = sample.ask("पुणे मेट्रो के उद्घाटन की खबर किस पत्रकार ने लिखी?")
    assert answer.answered and "अमित जोशी" in answer.text
    assert answer.citations[0].author == "अमित जोशी"
    assert answer.citations[0].field == "author"  # cited to the article's byline
    assert answer.citations[0].ref == "hi_pune_metro_scraped.txt"


@pytest.mark.parametrize(
    ("language", "asked", "searched"),
    [
        ("en", (), ("en", "mixed")),  # Hindi passages come through the bridge
        ("hi", ("en", "hi"), ("hi",)),
        ("en", ("en",), ("en",)),
        ("en", ("hi",), ("hi",)),  # the other language alone: the main lists search it
        ("mixed", (), ()),  # no bridge for an unknown language: nothing narrowed
    ],
)
def test_main_lists_search_the_question_language(
    language: str, asked: tuple[str, ...], searched: tuple[str, ...]
) -> None:
    from rag.retrieval import HybridRetriever
    from rag.types import Filters

    narrowed = HybridRetriever._own_language(language, Filters(languages=asked))
    assert narrowed.languages == searched


def test_the_hybrid_retriever_composes_with_llama_index(sample: Assistant) -> None:
    from llama_index.core.retrievers import BaseRetriever

    from rag.llama_retriever import LlamaIndexRetriever

    retriever = LlamaIndexRetriever(sample)
    assert isinstance(retriever, BaseRetriever)
    nodes = retriever.retrieve("How long after liftoff was NVS-04 placed in orbit?")
    assert len(nodes) == sample.settings.k and nodes[0].node.metadata["ref"].endswith(".txt")


def test_retrieval_mode_and_k_are_chosen_per_question(sample: Assistant) -> None:
    question = "How long after liftoff was NVS-04 placed in orbit?"
    assert sample.retrieve(question, retriever="bm25", k=2).used == ("bm25",)
    assert len(sample.retrieve(question, retriever="bm25", k=2).passages) == 2
    assert sample.retrieve(question).used == ("dense", "bm25")  # the settings' mode is untouched
    # Passages found by BM25 alone have no dense score: the answerer still answers from them.
    answer = sample.ask(question, retriever="bm25")
    assert answer.answered and "19" in answer.text
    with pytest.raises(ValueError, match="retriever: 'sparse' is not one of hybrid, dense, bm25"):
        sample.retrieve(question, retriever="sparse")


class FirstSentence:
    """An answerer from outside the package: the first passage's opening words, cited."""

    def __init__(self, assistant: Assistant, name: str) -> None:
        self.name = name

    def answer(self, evidence: Evidence) -> Generator[str, None, Answer]:
        first = evidence.passages[0]
        text = f"{first.text.split('.')[0]}. [1]"
        yield text
        return Answer(evidence.question, text, evidence.language, True, passages=evidence.passages)


def test_an_answerer_is_chosen_by_name_per_question(sample: Assistant) -> None:
    assert {"extractive", "openai", "ollama"} <= set(answerers.names())
    # Every built-in language model is one of rag.llm's backends, and the reverse.
    from rag.llm import BACKENDS

    models = {n for n, f in answerers.BUILT_IN.items() if f is answerers.LanguageModel}
    assert models == set(BACKENDS)
    answerers.register("first-sentence", FirstSentence)
    question = "How long after liftoff was NVS-04 placed in orbit?"
    pieces = list(sample.stream(question, answerer="first-sentence"))
    assert isinstance(pieces[-1], Answer) and pieces[-1].text == pieces[0]
    assert pieces[-1].text.endswith("[1]") and pieces[-1].backend == "first-sentence"
    assert sample.ask(question).backend == "extractive"  # the settings' answerer still answers
    with pytest.raises(ValueError, match="llm: unknown answerer 'gpt-9'; known: extractive"):
        sample.ask(question, answerer="gpt-9")
    with pytest.raises(ValueError, match="built-in"):
        answerers.register("extractive", FirstSentence)

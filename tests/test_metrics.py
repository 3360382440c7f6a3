"""Known answers for every evaluation metric."""

from __future__ import annotations

import pytest

from eval.metrics import (
    MetricValue,
    aggregate,
    all_key_facts,
    answer_language,
    breakdown,
    citation_precision,
    citation_recall,
    contains_span,
    distinct_refs,
    exact_match,
    hit_at,
    key_fact_recall,
    mrr_at,
    normalize_answer,
    percentile,
    refused_correctly,
    sentence_count,
    token_f1,
)

# Retrieval: passages of one article count once, in rank order.
RANKED = ["a.txt", "a.txt", "b.txt", "a.txt", "c.txt", "feed.jsonl#2"]


def test_distinct_refs_keep_first_rank() -> None:
    assert distinct_refs(RANKED) == ["a.txt", "b.txt", "c.txt", "feed.jsonl#2"]


@pytest.mark.parametrize(
    ("gold", "k", "expected"),
    [
        ({"a.txt"}, 1, True),
        ({"b.txt"}, 1, False),
        ({"b.txt"}, 2, True),  # rank 2 among distinct sources, though passage 3
        ({"c.txt"}, 2, False),
        ({"feed.jsonl#2"}, 4, True),
        ({"z.txt"}, 10, False),
        (set(), 5, False),
    ],
)
def test_hit_at(gold: set[str], k: int, expected: bool) -> None:
    assert hit_at(RANKED, gold, k) is expected


def test_mrr_uses_distinct_ranks_and_cutoff() -> None:
    assert mrr_at(RANKED, {"a.txt"}) == 1.0
    assert mrr_at(RANKED, {"b.txt"}) == 0.5
    assert mrr_at(RANKED, {"c.txt", "b.txt"}) == 0.5  # the best-ranked gold file counts
    assert mrr_at(RANKED, {"feed.jsonl#2"}) == 0.25
    assert mrr_at(RANKED, {"feed.jsonl#2"}, k=3) == 0.0
    assert mrr_at([], {"a.txt"}) == 0.0


# Answers


def test_contains_span_folds_case_digits_nukta_and_grouping() -> None:
    assert contains_span("The launch took 19 Minutes.", "19 minutes")
    assert contains_span("अगस्त में २५४.७ मिमी बारिश", "254.7")
    assert contains_span("उपग्रह का वजन 2,232 किलो", "२२३२")
    assert contains_span("कुल 1,00,000 लोग", "100000")
    assert contains_span("ज़िला अस्पताल", "जिला")  # nukta folded
    assert contains_span("मँहगाई", "मंहगाई")  # chandrabindu folded to anusvara
    assert contains_span("Far  East\nregion", "far east")
    assert not contains_span("anything", "")


def test_contains_span_does_not_find_part_of_a_number() -> None:
    assert not contains_span("in 1980 they met", "80")
    assert not contains_span("growth of 6.75 per cent", "6.7")
    assert not contains_span("rate of 15.25%", "5.25")
    assert contains_span("about 80 delegates.", "80")
    assert contains_span("cut to 5.25.", "5.25")


def test_key_fact_recall_counts_facts_not_variants() -> None:
    facts = [["Harish Kulkarni", "हरीश कुलकर्णी"], ["5.9"], ["four", "चार"]]
    answer = "हरीश कुलकर्णी ने 5.9 किमी लंबे खंड का उद्घाटन किया।"
    assert key_fact_recall(answer, facts) == pytest.approx(2 / 3)
    assert all_key_facts(answer, facts) is False
    assert all_key_facts(answer + " इसमें चार स्टेशन हैं।", facts) is True
    assert key_fact_recall("", facts) == 0.0
    assert key_fact_recall(answer, []) is None
    assert all_key_facts(answer, []) is None


def test_squad_normalisation_handles_hindi() -> None:
    assert normalize_answer("The ISRO's satellite, an NVS-04!") == "isros satellite nvs04"
    # The danda goes, the vowel signs and the virama stay.
    assert normalize_answer("भारत ने श्रीलंका को हराया।") == "भारत ने श्रीलंका को हराया"
    assert normalize_answer("३०८ अंक") == "308 अंक"


def test_token_f1_and_exact_match() -> None:
    assert token_f1("the Kaliningrad region", "Kaliningrad") == pytest.approx(2 / 3)
    assert token_f1("7 विकेट से हराया।", "7 विकेट") == pytest.approx(2 / 3)
    assert token_f1("भारत ने हराया।", "हराया") == 0.5  # the danda is not part of the word
    assert token_f1("Mumbai", "Delhi") == 0.0
    assert token_f1("", "") == 1.0
    assert token_f1("", "Delhi") == 0.0
    assert exact_match("The Kaliningrad.", "kaliningrad")
    assert exact_match("३०८।", "308")
    assert not exact_match("Kaliningrad region", "Kaliningrad")


def test_answer_language_ignores_quoted_evidence() -> None:
    assert answer_language("According to a Hindi source: “भारत ने सीरीज 2-1 से जीती।” [1]") == "en"
    assert answer_language("अंग्रेज़ी स्रोत के अनुसार: “674 banks were live on UPI.” [2]") == "hi"
    assert answer_language('He said "बहुत अच्छा" twice.') == "en"
    assert answer_language("RBI ने रेपो रेट 5.25% किया। [1]") == "hi"
    # Nothing but a quote: the quote is all there is to judge.
    assert answer_language("“भारत ने सीरीज जीती।”") == "hi"


def test_sentence_count_ignores_citation_marks() -> None:
    assert sentence_count("It launched at 5:43 pm. [1] It weighs 2,232 kg. [1, 2]") == 2
    assert sentence_count("उपग्रह कक्षा में पहुंचा। [1]") == 1


def test_refusal() -> None:
    assert refused_correctly(False) is True
    assert refused_correctly(True) is False


# Citations


def test_citation_precision_and_recall() -> None:
    gold = {"a.txt", "b.txt"}
    assert citation_precision(["a.txt", "c.txt", "a.txt"], gold) == pytest.approx(2 / 3)
    assert citation_recall(["a.txt", "c.txt", "a.txt"], gold) == 0.5
    assert citation_recall(["b.txt", "a.txt"], gold) == 1.0
    # Nothing cited: no precision to speak of, and nothing recalled.
    assert citation_precision([], gold) is None
    assert citation_recall([], gold) == 0.0
    # A question to refuse: citations cannot be right or wrong.
    assert citation_precision(["a.txt"], set()) is None
    assert citation_recall(["a.txt"], set()) is None


# Aggregation


def test_percentile_interpolates() -> None:
    assert percentile([], 50) is None
    assert percentile([7.0], 95) == 7.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert percentile([10.0, 0.0, 20.0, 30.0, 40.0], 95) == pytest.approx(38.0)


def test_aggregate_skips_none_and_turns_timings_into_percentiles() -> None:
    rows: list[dict[str, MetricValue]] = [
        {"hit@5": True, "citation_precision": None, "total_ms": 10.0},
        {"hit@5": False, "citation_precision": 0.5, "total_ms": 30.0},
        {"hit@5": None, "citation_precision": None, "total_ms": 20.0},
    ]
    result = aggregate(rows)
    assert result["n"] == 3
    assert result["hit@5"] == 0.5
    assert result["citation_precision"] == 0.5
    assert result["total_ms_p50"] == 20.0
    assert result["total_ms_p95"] == pytest.approx(29.0)
    assert "total_ms" not in result
    assert aggregate([{"refusal_accuracy": None}])["refusal_accuracy"] is None


def test_breakdown_by_language_kind_and_both() -> None:
    rows = [
        {"language": "en", "kind": "single-source", "metrics": {"hit@5": 1.0}},
        {"language": "en", "kind": "unanswerable", "metrics": {"hit@5": None}},
        {"language": "hi", "kind": "single-source", "metrics": {"hit@5": 0.0}},
        {"language": "hi", "kind": "single-source", "metrics": {"hit@5": 1.0}},
    ]
    result = breakdown(rows)
    assert set(result) == {"overall", "language", "kind", "language/kind"}
    assert result["overall"] == {"n": 4, "hit@5": pytest.approx(2 / 3)}
    assert result["language"]["en"] == {"n": 2, "hit@5": 1.0}
    assert result["language"]["hi"] == {"n": 2, "hit@5": 0.5}
    assert result["kind"]["unanswerable"] == {"n": 1, "hit@5": None}
    assert result["language/kind"]["hi/single-source"] == {"n": 2, "hit@5": 0.5}
    assert list(result["language/kind"]) == [
        "en/single-source",
        "en/unanswerable",
        "hi/single-source",
    ]

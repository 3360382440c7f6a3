"""Evaluation metrics: pure functions over ranked sources, answer texts and rows.

Conventions: a metric that does not apply to an item (citation precision of a
question that should be refused) is None, and aggregates skip None. Booleans
aggregate as shares.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from index.language import question_language
from index.sentences import split_sentences
from index.text import fold_for_matching

MetricValue = float | bool | None

# Metrics whose aggregate is a latency percentile pair rather than a mean.
TIMING_SUFFIX = "_ms"

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"")
_CITATION_MARK = re.compile(r"\s*\[\d+(?:\s*,\s*\d+)*\]")


# Retrieval


def distinct_refs(ranked_refs: Iterable[str]) -> list[str]:
    """Files (refs) in rank order, each once: several passages of one article count once."""
    return list(dict.fromkeys(ranked_refs))


def hit_at(ranked_refs: Sequence[str], gold: Iterable[str], k: int) -> bool:
    gold = set(gold)
    return any(ref in gold for ref in distinct_refs(ranked_refs)[:k])


def mrr_at(ranked_refs: Sequence[str], gold: Iterable[str], k: int = 10) -> float:
    gold = set(gold)
    for rank, ref in enumerate(distinct_refs(ranked_refs)[:k], start=1):
        if ref in gold:
            return 1.0 / rank
    return 0.0


# Answers


def _folded(text: str) -> str:
    return " ".join(fold_for_matching(text).split())


def contains_span(text: str, span: str) -> bool:
    """`span` occurs in `text` after folding; a number must not be part of a longer one,
    so "80" is not found in "1980" nor "6.7" in "6.75"."""
    needle = _folded(span)
    if not needle:
        return False
    before = r"(?<![\d.])" if needle[0].isdigit() else ""
    after = r"(?!\.?\d)" if needle[-1].isdigit() else ""
    return re.search(before + re.escape(needle) + after, _folded(text)) is not None


def _facts_found(answer_text: str, key_facts: Sequence[Sequence[str]]) -> list[bool]:
    return [any(contains_span(answer_text, variant) for variant in fact) for fact in key_facts]


def key_fact_recall(answer_text: str, key_facts: Sequence[Sequence[str]]) -> float | None:
    """Share of the facts (each a list of accepted variants) the answer states."""
    if not key_facts:
        return None
    found = _facts_found(answer_text, key_facts)
    return sum(found) / len(found)


def all_key_facts(answer_text: str, key_facts: Sequence[Sequence[str]]) -> bool | None:
    if not key_facts:
        return None
    return all(_facts_found(answer_text, key_facts))


def normalize_answer(text: str) -> str:
    """SQuAD's normalisation, made safe for Hindi: fold case and digits, drop
    punctuation (the danda too) but keep the vowel signs, drop English articles."""
    folded = fold_for_matching(text)
    no_punct = "".join(ch for ch in folded if not unicodedata.category(ch).startswith(("P", "S")))
    return " ".join(_ARTICLES.sub(" ", no_punct).split())


def token_f1(prediction: str, reference: str) -> float:
    pred, ref = normalize_answer(prediction).split(), normalize_answer(reference).split()
    if not pred or not ref:
        return float(pred == ref)
    common = sum((Counter(pred) & Counter(ref)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(pred), common / len(ref)
    return 2 * precision * recall / (precision + recall)


def exact_match(prediction: str, reference: str) -> bool:
    return normalize_answer(prediction) == normalize_answer(reference)


def strip_citation_marks(text: str) -> str:
    return _CITATION_MARK.sub("", text)


def answer_language(text: str) -> str:
    """The language the answer is written in, not that of the evidence it quotes."""
    own_words = _QUOTED.sub(" ", strip_citation_marks(text))
    return question_language(own_words if re.search(r"\w", own_words) else text)


def sentence_count(text: str) -> int:
    return len(split_sentences(strip_citation_marks(text)))


def refused_correctly(answered: bool) -> bool:
    """On a question the articles cannot answer, not answering is right."""
    return not answered


# Citations (None where no citation can be right or wrong)


def citation_precision(cited_refs: Sequence[str], gold: Iterable[str]) -> float | None:
    gold = set(gold)
    if not gold or not cited_refs:
        return None
    return sum(ref in gold for ref in cited_refs) / len(cited_refs)


def citation_recall(cited_refs: Sequence[str], gold: Iterable[str]) -> float | None:
    gold = set(gold)
    if not gold:
        return None
    return len(gold & set(cited_refs)) / len(gold)


# Aggregation


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (q in 0..100), as numpy's default."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def aggregate(metric_rows: Sequence[Mapping[str, MetricValue]]) -> dict[str, float | int | None]:
    """Means of every metric (None skipped; None when no item has a value);
    timings (names ending in _ms) as p50 and p95 instead. `n` counts the rows."""
    names = list(dict.fromkeys(name for row in metric_rows for name in row))
    out: dict[str, float | int | None] = {"n": len(metric_rows)}
    for name in names:
        values = [float(v) for row in metric_rows if (v := row.get(name)) is not None]
        if name.endswith(TIMING_SUFFIX):
            out[f"{name}_p50"] = percentile(values, 50)
            out[f"{name}_p95"] = percentile(values, 95)
        else:
            out[name] = sum(values) / len(values) if values else None
    return out


def breakdown(
    rows: Sequence[Mapping[str, Any]], by: Sequence[str] = ("language", "kind")
) -> dict[str, Any]:
    """Every metric aggregated overall, per value of each field in `by`, and per
    combination of all of them ("en/single-source"). Each row holds the `by`
    fields and a "metrics" mapping."""
    result: dict[str, Any] = {"overall": aggregate([r["metrics"] for r in rows])}
    groups: list[tuple[str, ...]] = [(field,) for field in by]
    if len(by) > 1:
        groups.append(tuple(by))
    for fields in groups:
        buckets: dict[str, list[Mapping[str, MetricValue]]] = {}
        for row in rows:
            key = "/".join(str(row[f]) for f in fields)
            buckets.setdefault(key, []).append(row["metrics"])
        result["/".join(fields)] = {key: aggregate(buckets[key]) for key in sorted(buckets)}
    return result

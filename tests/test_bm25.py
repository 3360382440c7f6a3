"""The incremental BM25 index: same scores as bm25s, cheap appends, true deletes."""

from pathlib import Path

import bm25s
import numpy as np
import pytest

from index.bm25 import BM25Index, Row, RowFilter

DOCS = [["a", "b", "c"], ["a", "a", "d"], ["e", "f"], ["b", "b", "b", "x"], ["c", "d", "e", "a"]]


def _rows(docs: list[list[str]], start: int = 0, lang: str = "en") -> list[Row]:
    return [
        Row(f"d{start + i}", d, lang, f"src{(start + i) % 2}", 20250101 + start + i)
        for i, d in enumerate(docs)
    ]


def _scores(index: BM25Index, query: list[str]) -> dict[str, float]:
    return dict(index.search(query, 10))


def test_scores_equal_bm25s_lucene_even_when_built_in_segments() -> None:
    index = BM25Index()
    index.add(_rows(DOCS[:2]))
    index.add(_rows(DOCS[2:], start=2))
    reference = bm25s.BM25(method="lucene", k1=1.5, b=0.75)
    reference.index(DOCS, show_progress=False)
    for query in (["a", "b"], ["x"], ["d", "e", "f"]):
        expected = reference.get_scores(query)
        got = _scores(index, query)
        for i, value in enumerate(expected):
            assert got.get(f"d{i}", 0.0) == pytest.approx(value, rel=1e-5)


def test_delete_equals_never_added(tmp_path: Path) -> None:
    grown = BM25Index()
    grown.add(_rows(DOCS))
    grown.delete(["d1", "d3"])
    fresh = BM25Index()
    fresh.add([r for r in _rows(DOCS) if r.id not in {"d1", "d3"}])
    assert _scores(grown, ["a", "b", "e"]) == pytest.approx(_scores(fresh, ["a", "b", "e"]))
    grown.save(tmp_path)
    loaded = BM25Index.load(tmp_path)
    assert len(loaded) == 3 and "d1" not in loaded
    assert _scores(loaded, ["a", "b", "e"]) == pytest.approx(_scores(fresh, ["a", "b", "e"]))


def test_appending_writes_only_a_new_segment(tmp_path: Path) -> None:
    index = BM25Index()
    index.add(_rows(DOCS))
    index.save(tmp_path)
    first = (tmp_path / "segment-00000.npz").stat().st_mtime_ns
    index.add(_rows([["a", "z"]], start=10))
    index.save(tmp_path)
    assert (tmp_path / "segment-00000.npz").stat().st_mtime_ns == first
    assert (tmp_path / "segment-00001.npz").exists()
    assert BM25Index.load(tmp_path).search(["z"], 3)[0][0] == "d10"


def test_each_language_is_scored_as_if_indexed_alone(tmp_path: Path) -> None:
    """Hindi rows get Hindi statistics: adding English articles (longer, more
    of them, sharing a Latin name) changes no Hindi score."""
    hindi = [["भारत", "रूस", "ALROSA"], ["भारत", "हीर"], ["रूस", "बैठक", "बैठक"]]
    english = [["alrosa", "diamond", "mumbai", "offic", "open"]] * 4 + [["india", "russia"]]
    alone = BM25Index()
    alone.add(_rows(hindi, lang="hi"))
    both = BM25Index()
    both.add(_rows(english, start=10, lang="en"))
    both.add(_rows(hindi, lang="hi"))
    both.save(tmp_path)
    loaded = BM25Index.load(tmp_path)
    hindi_only = RowFilter(langs=("hi",))
    for query in (["भारत", "बैठक"], ["रूस", "ALROSA"]):
        expected = dict(alone.search(query, 10))
        assert dict(both.search(query, 10, hindi_only)) == pytest.approx(expected)
        assert dict(loaded.search(query, 10, hindi_only)) == pytest.approx(expected)
    both.delete(["d10", "d11"])
    after_delete = dict(both.search(["भारत"], 10, hindi_only))
    assert after_delete == pytest.approx(dict(alone.search(["भारत"], 10)))


def test_segments_merge_like_a_binary_counter(tmp_path: Path) -> None:
    """64 equal batches leave at most log2(64) + 1 segments, each save rewrites
    only recent ones, and the scores and the saved index stay exact."""
    rng = np.random.default_rng(0)
    docs = [[f"w{t}" for t in rng.integers(0, 40, size=8)] for _ in range(64 * 5)]
    index = BM25Index()
    for batch in range(64):
        names_before = set(index._names)
        index.add(_rows(docs[batch * 5 : (batch + 1) * 5], start=batch * 5))
        index.save(tmp_path)
        rewritten = len(names_before - set(index._names))
        # Like incrementing a binary number: the trailing ones carry.
        assert rewritten == (batch ^ (batch + 1)).bit_length() - 1
        assert len(index.segments) == bin(batch + 1).count("1") <= 7
    assert len(index.segments) == 1  # 64 batches: one full carry
    reference = bm25s.BM25(method="lucene", k1=1.5, b=0.75)
    reference.index(docs, show_progress=False)
    expected = reference.get_scores(["w1", "w7"])
    got = dict(BM25Index.load(tmp_path).search(["w1", "w7"], len(docs)))
    for i, value in enumerate(expected):
        assert got.get(f"d{i}", 0.0) == pytest.approx(value, rel=1e-5)


def test_compaction_keeps_scores(tmp_path: Path) -> None:
    index = BM25Index()
    for i, doc in enumerate(DOCS):
        index.add(_rows([doc], start=i))
    before = _scores(index, ["a", "d"])
    index.delete(["d0"])
    before_delete = _scores(index, ["a", "d"])
    index.compact()
    assert len(index.segments) == 1
    assert _scores(index, ["a", "d"]) == pytest.approx(before_delete)
    assert set(before) - set(before_delete) == {"d0"}


def test_filters_by_language_source_and_date() -> None:
    index = BM25Index()
    index.add(_rows(DOCS[:3], lang="en"))
    index.add(_rows(DOCS[3:], start=3, lang="hi"))
    ids = lambda f: {i for i, _ in index.search(["a", "b", "c", "d", "e"], 10, f)}  # noqa: E731
    assert ids(RowFilter(langs=("hi",))) == {"d3", "d4"}
    assert ids(RowFilter(outlets=("src0",))) == {"d0", "d2", "d4"}
    assert ids(RowFilter(date_from=20250102, date_to=20250103)) == {"d1", "d2"}


def test_query_weights_scale_terms() -> None:
    index = BM25Index()
    index.add(_rows(DOCS))
    full = dict(index.search(["x"], 5))
    scaled = dict(index.search(["x"], 5, weights=[0.25]))
    assert scaled["d3"] == pytest.approx(0.25 * full["d3"])
    assert np.isfinite(index.idf(["never-seen"])).all()


def test_stored_fields_survive_saves_merges_and_deletes(tmp_path: Path) -> None:
    index = BM25Index()
    stored = {f"d{i}": {"text": f"टेक्स्ट {i}", "metadata": {"n": i}} for i in range(12)}

    def add(numbers: range) -> None:
        index.add([Row(f"d{i}", ["w", f"t{i}"], "hi", "src", 0, stored[f"d{i}"]) for i in numbers])

    add(range(4))
    assert index.stored(["d1", "nope"]) == {"d1": stored["d1"]}  # before any save
    index.save(tmp_path)
    add(range(4, 8))
    index.delete(["d2"])
    index.save(tmp_path)  # the two segments merge, without d2
    add(range(8, 12))
    index.save(tmp_path)
    loaded = BM25Index.load(tmp_path)
    ids = [f"d{i}" for i in range(12)]
    assert loaded.stored(ids) == {i: stored[i] for i in ids if i != "d2"}
    # Rows added without stored fields (as in an index from before them) have none.
    loaded.add([Row("bare", ["w"], "en", "src", 0)])
    loaded.save(tmp_path)
    assert "bare" not in BM25Index.load(tmp_path).stored(["bare", "d0"])

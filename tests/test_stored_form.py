"""The stored form of chunks and articles: one dataclass each (index/documents.py),
written with the keys indexes were always written with, so an index built before
the fields were renamed reads as it is."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from index.documents import Article, ArticleRecord, Chunk, StoredChunk
from index.manifest import Manifest
from index.store import ChunkStore, FileEntry

ARTICLE = Article(
    "Metro opens", "Text.", "en", "/news/feed.jsonl", 2, date(2025, 8, 6), "PTI", "u", "A. Writer"
)

# The keys of a chunk's metadata as every index so far was written (Chroma, BM25, Qdrant).
CHUNK_KEYS = [
    "article_id", "path", "ref", "title", "source", "url", "author", "lang", "article_lang",
    "date", "date_iso", "start", "end", "position",
]  # fmt: skip


def test_a_chunk_is_stored_under_the_keys_indexes_were_written_with() -> None:
    stored = Chunk(ARTICLE, 3, "Text.", 0, 5, "en").stored()
    metadata = stored.to_metadata()
    assert list(metadata) == CHUNK_KEYS
    assert (metadata["source"], metadata["lang"], metadata["date"]) == ("PTI", "en", 20250806)
    assert (metadata["ref"], metadata["date_iso"]) == ("feed.jsonl#2", "2025-08-06")
    assert StoredChunk.from_metadata(metadata) == stored
    assert StoredChunk.key("outlet") == "source" and StoredChunk.key("title") == "title"
    # A chunk of an index from before a field existed reads it as empty.
    assert StoredChunk.from_metadata({"ref": "a.txt"}) == StoredChunk(ref="a.txt")


def test_a_manifest_written_before_the_rename_reads_and_saves_as_it_was(tmp_path: Path) -> None:
    old = {"id": "a1", "ref": "a.txt", "title": "T", "language": "hi", "date": "",
           "source": "IANS", "url": "", "author": "", "chunks": 2}  # fmt: skip
    entry = {"sha1": "s", "size": 1, "mtime_ns": 2, "chunk_ids": ["c1", "c2"], "articles": [old]}
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({"format": 1, "build": {}, "files": {"/a.txt": entry}}), "utf-8")
    manifest = Manifest.load(path)
    (record,) = manifest.files["/a.txt"].articles
    assert (record.outlet, record.chunks, record.language) == ("IANS", 2, "hi")
    manifest.save(path)
    assert json.loads(path.read_text("utf-8"))["files"]["/a.txt"]["articles"] == [old]
    assert ArticleRecord.of(ARTICLE, 1).to_stored()["source"] == "PTI"


def test_a_record_without_its_id_is_a_damaged_manifest(tmp_path: Path) -> None:
    from index.files import IndexCorrupt

    entry = {"sha1": "s", "size": 1, "mtime_ns": 2, "chunk_ids": [], "articles": [{"ref": "a"}]}
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({"files": {"/a.txt": entry}}), "utf-8")
    with pytest.raises(IndexCorrupt, match="unreadable"):
        Manifest.load(path)


@dataclass
class _Node:
    id_: str


def test_the_store_refuses_chunks_that_no_record_names(tmp_path: Path) -> None:
    store = ChunkStore(tmp_path / "data")
    record = FileEntry("s", 1, 2, ["c1"], [])
    with pytest.raises(ValueError, match=r"no record names the chunks 1 chunk\(s\) \(c2\)"):
        store.write({"/a.txt": record}, [_Node("c1"), _Node("c2")])
    assert dict(store.entries()) == {}
    with pytest.raises(TypeError):
        store.entries()["/a.txt"] = record  # type: ignore[index]

"""BM25 segments as one machine's replica of a shared index.

With the manifest in a Chroma server, the BM25 segments in a data folder hold
what this machine has read of the shared index: a file beside them (the local
manifest) records which files, so bringing them up to date is fetching the
texts of the files that changed from Chroma and indexing them here, and
dropping those that went.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from index.bm25 import BM25Index
from index.lexical import lexical_row
from index.manifest import FileEntry, Manifest

_PAGE = 500  # chunks fetched per request

Fetch = Callable[[list[str]], dict[str, tuple[str, dict[str, Any]]]]


def sync_replica(folder: Path, record: Path, manifest: Manifest, fetch: Fetch) -> BM25Index:
    """The segments in `folder` brought to `manifest`'s files, saved with their
    `record`; `fetch` gives chunks' texts and metadata (Chroma's)."""
    held = Manifest.load(record)
    if held.generation != manifest.generation:  # a rebuild switched: start this one afresh
        held = Manifest(generation=manifest.generation)
    bm25 = BM25Index.load(folder)
    changed = [p for p, e in manifest.files.items() if not _same(held.files.get(p), e)]
    gone = [p for p in held.files if p not in manifest.files]
    stale = {c for p in changed + gone if p in held.files for c in held.files[p].chunk_ids}
    fresh = [c for p in changed for c in manifest.files[p].chunk_ids]
    stray = bm25.chunk_ids() - held.chunk_ids()  # saved by an ingest killed before its manifest
    if not (changed or gone or stray):
        return bm25
    bm25.delete(stale | stray | set(fresh))  # fresh too: a revised file keeps its chunk ids
    for start in range(0, len(fresh), _PAGE):
        found = fetch(fresh[start : start + _PAGE])
        bm25.add([lexical_row(i, text, meta) for i, (text, meta) in found.items()])
    bm25.save(folder)
    manifest.save(record)
    return bm25


def _same(held: FileEntry | None, shared: FileEntry) -> bool:
    return held is not None and (held.sha1, held.chunk_ids) == (shared.sha1, shared.chunk_ids)


def chunk_metadata(stored: dict[str, Any]) -> dict[str, Any]:
    """A chunk's own metadata from what llama-index's Chroma store keeps of it
    (its fields, flattened, beside a copy of the node with the metadata as given)."""
    if "_node_content" in stored:
        return dict(json.loads(stored["_node_content"]).get("metadata", {}))
    return dict(stored)

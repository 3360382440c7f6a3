"""The manifest kept in a Chroma server, so that every app server and writer sees
the same files, chunks and build signature.

Two small collections beside the chunks: `<collection>.files` of a generation
(`articles.files`, `articles.g2.files`) holds one record per file, its path as
id and in its metadata, its `FileEntry` as JSON; `<collection>.index` holds no
records, only the metadata readers look at: the generation served, the build
signature and a token that every commit changes. A commit writes the records of
the files it changed, then the token; a reader that sees a new token reads the
files again. A rebuild writes its generation's records and switches by writing
`generation` in one metadata update.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from index.manifest import FileEntry, Manifest

_PAGE = 500  # records per request
_NO_VECTOR = [0.0]  # Chroma wants an embedding for every record; files need none


@dataclass(frozen=True)
class Head:
    """What `<collection>.index` says: which generation, built how, which commit."""

    generation: int = 0
    build: str = ""  # JSON
    commit: str = ""


class SharedManifest:
    def __init__(self, client: Any, collection: str, wrap: Any) -> None:
        """`client`, and the collections `wrap` is given, report a lost connection as
        an error naming the server (index.chroma's `OnServer`)."""
        self._client, self._collection, self._wrap = client, collection, wrap

    def _open(self, name: str) -> Any:
        return self._wrap(self._client.get_or_create_collection(name, embedding_function=None))

    def head(self) -> Head:
        metadata = self._open(f"{self._collection}.index").metadata or {}
        return Head(
            int(metadata.get("generation", 0)),
            str(metadata.get("build", "")),
            str(metadata.get("commit", "")),
        )

    def load(self, head: Head, generation_name: str) -> tuple[Manifest, dict[str, str]]:
        """The manifest of `generation_name`, and each file's record as stored
        (what `save` compares with to write only what changed)."""
        files = self._open(f"{generation_name}.files")
        records: dict[str, str] = {}
        while True:
            page = files.get(include=["documents"], limit=_PAGE, offset=len(records))
            records.update(zip(page["ids"], page["documents"], strict=True))
            if len(page["ids"]) < _PAGE:
                break
        manifest = Manifest(
            json.loads(head.build) if head.build else {},
            {path: FileEntry.from_stored(json.loads(text)) for path, text in records.items()},
            head.generation,
        )
        return manifest, records

    def save(
        self, manifest: Manifest, generation_name: str, before: dict[str, str], *, switch: bool
    ) -> dict[str, str]:
        """Write the records that differ from `before`, delete those of files gone,
        then the head (`switch`: also when this generation is not the one served).
        Returns the records as now stored."""
        now = {path: _record(entry) for path, entry in manifest.files.items()}
        changed = [path for path, text in now.items() if before.get(path) != text]
        gone = [path for path in before if path not in now]
        files = self._open(f"{generation_name}.files")
        for start in range(0, len(changed), _PAGE):
            paths = changed[start : start + _PAGE]
            files.upsert(
                ids=paths,
                documents=[now[p] for p in paths],
                metadatas=[{"path": p} for p in paths],
                embeddings=[_NO_VECTOR] * len(paths),
            )
        for start in range(0, len(gone), _PAGE):
            files.delete(ids=gone[start : start + _PAGE])
        head = self.head()
        if switch or head.generation == manifest.generation:
            self._open(f"{self._collection}.index").modify(
                metadata={
                    "generation": manifest.generation,
                    "build": json.dumps(manifest.build, sort_keys=True),
                    "commit": uuid.uuid4().hex,
                }
            )
        return now

    def drop(self, generation_name: str) -> None:
        self._client.delete_collection(f"{generation_name}.files")


def _record(entry: FileEntry) -> str:
    return json.dumps(entry.to_stored(), ensure_ascii=False, sort_keys=True)

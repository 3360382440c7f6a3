"""The library tab's actions: add uploaded files or a folder, list and remove articles."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from index.documents import IngestSummary
from ui.assistants import AssistantPool
from ui.labels import label
from ui.uploads import UploadRejected, store_upload

log = logging.getLogger(__name__)


def add_uploads(pool: AssistantPool, files: Sequence[str] | None, language: str) -> str:
    """Store the uploaded files under the data folder, index them; the summary as text."""
    if not files:
        return label("nothing_chosen", language)
    stored: list[Path] = []
    rejected: list[str] = []
    for file in files:
        try:
            stored.append(store_upload(Path(file), Path(file).name, pool.main.settings.data_dir))
        except UploadRejected as why:
            rejected.append(f"  - {why.name}: {label(why.key, language, **why.values)}")
    return _ingest(pool, stored, language, rejected)


def add_folder(pool: AssistantPool, folder: str, language: str, allowed: bool) -> str:
    if not allowed:
        return label("folder_disabled", language)
    path = Path((folder or "").strip()).expanduser()
    if not folder or not path.is_dir():
        return label("folder_missing", language, path=folder or "")
    return _ingest(pool, [path], language)


def _ingest(
    pool: AssistantPool, paths: list[Path], language: str, rejected: Sequence[str] = ()
) -> str:
    summary = IngestSummary()
    if paths:
        try:
            with pool.lock.writing():
                summary = pool.main.ingest(paths, progress=True)
        except Exception as error:  # e.g. another ingest running, a model mismatch
            log.exception("ingest of %s failed", paths)
            return label("failed", language, reason=str(error).splitlines()[0][:300])
    return report(summary, language, rejected)


def report(summary: IngestSummary, language: str, rejected: Sequence[str] = ()) -> str:
    lines = [
        label(
            "report_lines",
            language,
            articles=summary.articles,
            chunks=summary.chunks,
            unchanged=summary.unchanged,
            skipped=len(summary.skipped) + len(rejected),
            seconds=f"{summary.seconds:.1f}",
        )
    ]
    lines += [f"  - {s.path}: {s.reason}" for s in summary.skipped]
    lines += rejected
    return "\n".join(lines)


def remove(pool: AssistantPool, path: str | None, language: str) -> str:
    if not path:
        return label("nothing_chosen", language)
    with pool.lock.writing():
        removed = pool.main.remove([path])
    return label("removed", language, n=removed)


def file_choices(articles: Sequence[dict[str, Any]]) -> list[tuple[str, str]]:
    """One entry per indexed file (a feed file holds several articles)."""
    titles: dict[str, list[str]] = {}
    for a in articles:
        titles.setdefault(a["path"], []).append(str(a.get("title", "")))
    return [
        (
            f"{Path(path).name} — {names[0]}" + (f" (+{len(names) - 1})" if len(names) > 1 else ""),
            path,
        )
        for path, names in titles.items()
    ]


def outlets(articles: Sequence[dict[str, Any]]) -> list[str]:
    return sorted({str(a["source"]) for a in articles if a.get("source")})

"""The library tab's actions: add uploaded files or a folder, list and remove articles.
Every path a reader sees goes through `ShownPaths` (ui/paths.py)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from index.documents import ArticleRecord, IngestSummary, Skipped
from ui.assistants import SharedAssistant
from ui.labels import label
from ui.paths import FolderRefused, ShownPaths, files_inside, folder_inside
from ui.uploads import UploadRejected, store_upload

log = logging.getLogger(__name__)


def add_uploads(
    shared: SharedAssistant, files: Sequence[str] | None, language: str, shown: ShownPaths
) -> str:
    """Store the uploaded files under the data folder, index them; the summary as text."""
    if not files:
        return label("nothing_chosen", language)
    stored: list[Path] = []
    rejected: list[str] = []
    for file in files:
        try:
            stored.append(store_upload(Path(file), Path(file).name, shared.main.settings.data_dir))
        except UploadRejected as why:
            rejected.append(f"  - {why.name}: {label(why.key, language, **why.values)}")
    return _ingest(shared, stored, language, shown, rejected)


def add_folder(
    shared: SharedAssistant, folder: str, language: str, roots: Sequence[Path], shown: ShownPaths
) -> str:
    """Index the files of `folder` if it lies under one of `roots` (none: folders are off)."""
    if not roots:
        return label("folder_disabled", language)
    given = (folder or "").strip()
    try:
        files, outside = files_inside(folder_inside(given, roots), roots)
    except FolderRefused:
        return label("folder_refused", language, path=given)
    rejected = [_skipped_line(s, shown) for s in outside]
    return _ingest(shared, files, language, shown, rejected)


def _ingest(
    shared: SharedAssistant,
    paths: list[Path],
    language: str,
    shown: ShownPaths,
    rejected: Sequence[str] = (),
) -> str:
    summary = IngestSummary()
    if paths:
        try:
            # Readers wait for each batch's write, not for the whole file's embedding.
            summary = shared.main.ingest(paths, progress=True, guard=shared.lock.writing)
        except Exception as error:  # e.g. another ingest running, a model mismatch
            log.exception("ingest of %s failed", paths)
            reason = shown.redact(str(error).splitlines()[0][:300])
            return label("failed", language, reason=reason)
    return report(summary, language, shown, rejected)


def report(
    summary: IngestSummary, language: str, shown: ShownPaths, rejected: Sequence[str] = ()
) -> str:
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
    lines += [_skipped_line(s, shown) for s in summary.skipped]
    lines += rejected
    return "\n".join(lines)


def _skipped_line(skipped: Skipped, shown: ShownPaths) -> str:
    return f"  - {shown.show(skipped.path)}: {shown.redact(skipped.reason)}"


def remove(shared: SharedAssistant, choice: str | None, language: str, shown: ShownPaths) -> str:
    """Remove the file the reader chose by its shown name (see `file_choices`)."""
    if not choice:
        return label("nothing_chosen", language)
    path = shown.choices(_indexed_paths(shared.main.articles())).get(choice)
    if path is None:
        return label("not_indexed", language)
    with shared.lock.writing():
        removed = shared.main.remove([path])
    return label("removed", language, n=removed)


def file_choices(articles: Sequence[ArticleRecord], shown: ShownPaths) -> list[tuple[str, str]]:
    """One entry per indexed file (a feed file holds several articles), named and
    chosen by its shown path: the server's own paths never reach the browser."""
    titles: dict[str, list[str]] = {}
    for a in articles:
        titles.setdefault(a.path, []).append(a.title)
    return [
        (f"{name} — {titles[path][0]}" + _more(len(titles[path])), name)
        for name, path in shown.choices(list(titles)).items()
    ]


def _indexed_paths(articles: Sequence[ArticleRecord]) -> list[str]:
    return list(dict.fromkeys(a.path for a in articles))


def _more(titles: int) -> str:
    return f" (+{titles - 1})" if titles > 1 else ""


def outlets(articles: Sequence[ArticleRecord]) -> list[str]:
    return sorted({a.outlet for a in articles if a.outlet})

"""Files readers upload: checked, renamed to a safe name, kept under <data_dir>/uploads/."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import unicodedata
from pathlib import Path

ALLOWED_SUFFIXES = (".txt", ".xml", ".html", ".htm", ".md", ".json", ".jsonl")
MAX_UPLOAD_MB = 20
MAX_NAME_CHARS = 120


class UploadRejected(ValueError):
    """Why a file was not stored; `key` names the message in ui.labels."""

    def __init__(self, name: str, key: str, **values: object) -> None:
        super().__init__(f"{name}: {key}")
        self.name, self.key, self.values = name, key, values


def uploads_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "uploads"


def safe_name(name: str) -> str:
    """A plain file name from whatever the browser sent: no folders, no leading dots,
    only letters (any script, with their vowel signs), digits, '-', '_' and '.'."""
    base = re.split(r"[\\/]", unicodedata.normalize("NFC", name))[-1]
    kept = "".join(
        ch if unicodedata.category(ch)[0] in "LNM" or ch in "-_." else "_" for ch in base
    )
    kept = re.sub(r"_{2,}", "_", kept).lstrip("._-")
    stem, dot, suffix = kept.rpartition(".")
    if not dot:
        stem, suffix = kept, ""
    stem = stem[: MAX_NAME_CHARS - len(suffix) - 1].rstrip(".") or "upload"
    return f"{stem}.{suffix.lower()}" if suffix else stem


def store_upload(source: Path, original_name: str, data_dir: Path) -> Path:
    """Copy an uploaded file into the uploads folder; a file of the same name is replaced
    (the index then picks up the new version)."""
    name = safe_name(original_name)
    if Path(name).suffix not in ALLOWED_SUFFIXES:
        raise UploadRejected(name, "rejected_type", allowed=" ".join(ALLOWED_SUFFIXES))
    if source.stat().st_size > MAX_UPLOAD_MB * 2**20:
        raise UploadRejected(name, "rejected_size", mb=MAX_UPLOAD_MB)
    folder = uploads_dir(data_dir).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    if target.parent != folder:  # safe_name makes this impossible; keep it so
        raise UploadRejected(name, "rejected_type", allowed=" ".join(ALLOWED_SUFFIXES))
    # Copy then rename: a reader never indexes half a file, and a symlink planted
    # at the target is replaced rather than written through.
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".upload-")
    os.close(handle)
    try:
        shutil.copyfile(source, temporary)
        os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return target

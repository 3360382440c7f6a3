"""Server paths as readers may see them, and the folders they may index.

Readers never see where the server keeps its files: a path under the data
folder shows as `uploads/name.txt`, one under an allowed folder as
`<folder name>/sub/name.txt`, any other as `…/name.txt`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

from index.documents import Skipped
from index.loaders import discover

ELSEWHERE = "…"
# What is left of an absolute path in a message once the known folders are named.
_ABSOLUTE_DIRS = re.compile(r"(?<![\w.~-])(?:/[^\s/'\"]+)+/")


class FolderRefused(ValueError):
    """The folder is missing or outside the allowed roots (the reader learns not which)."""


class ShownPaths:
    def __init__(self, data_dir: Path, roots: Sequence[Path] = ()) -> None:
        # Deeper folders first: the uploads folder lies inside the data folder.
        bases = [(Path(data_dir).resolve(), "")] + [(r.resolve(), r.resolve().name) for r in roots]
        self._bases = sorted(bases, key=lambda base: len(base[0].parts), reverse=True)

    def show(self, path: str | Path) -> str:
        real = Path(path)
        for base, name in self._bases:
            if real.is_relative_to(base):
                return str(Path(name, real.relative_to(base)))
        return f"{ELSEWHERE}/{real.name}"

    def redact(self, text: str) -> str:
        """`text` (an error message) with every absolute path shown as above."""
        for base, name in self._bases:
            text = text.replace(f"{base}{os.sep}", f"{name}{os.sep}" if name else "")
        return _ABSOLUTE_DIRS.sub(f"{ELSEWHERE}/", text)

    def choices(self, paths: Sequence[str]) -> dict[str, str]:
        """Each path under a name unique among `paths` (the shown one, numbered on a clash)."""
        named: dict[str, str] = {}
        for path in paths:
            shown = self.show(path)
            name, n = shown, 1
            while name in named:
                n += 1
                name = f"{shown} ({n})"
            named[name] = path
        return named


def folder_inside(given: str, roots: Sequence[Path]) -> Path:
    """The folder `given` names (absolute, or relative to the first root), resolved
    through `..` and symlinks; refused unless it is one of `roots` or inside one."""
    if not roots:
        raise FolderRefused(given)
    path = Path(roots[0], Path(given).expanduser())
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError) as error:  # missing, unreadable, a symlink loop
        raise FolderRefused(given) from error
    if not real.is_dir() or not under_roots(real, roots):
        raise FolderRefused(given)
    return real


def files_inside(folder: Path, roots: Sequence[Path]) -> tuple[list[Path], list[Skipped]]:
    """The files the indexer would take from `folder`, less those whose real path
    (a symlink inside may point anywhere) leaves the roots."""
    files: list[Path] = []
    skipped: list[Skipped] = []
    for found in discover([folder]):
        if isinstance(found, Skipped):
            skipped.append(found)
        elif under_roots(Path(os.path.realpath(found)), roots):
            files.append(found)
        else:
            skipped.append(Skipped(str(found), "outside the allowed folders"))
    return files, skipped


def under_roots(real: Path, roots: Sequence[Path]) -> bool:
    return any(real.is_relative_to(root.resolve()) for root in roots)

"""Byte-compile every module that answering a question imports, once, at install.

    python -m rag.precompile

`make install` skips pip's byte-compiling (1.6 of a 4-minute install), leaving
Python to compile each module when it is first imported and keep the result.
Where PYTHONDONTWRITEBYTECODE is set, as in many container images, it keeps
nothing: every `rag ask` compiled some 650 modules again, half a second of a
three-second cold start. One question over a one-article index imports what a
real one does; their compiled forms are written regardless of that setting.
"""

from __future__ import annotations

import py_compile
import sys
import tempfile
from pathlib import Path

from rag.assistant import Assistant

_ARTICLE = "A warm-up article.\n\nThe bridge opened on Monday, officials said.\n"


def imported_sources() -> list[str]:
    return sorted(
        {
            f
            for m in list(sys.modules.values())
            if (f := getattr(m, "__file__", None)) and f.endswith(".py")
        }
    )


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="rag-precompile-") as tmp:
        article = Path(tmp, "warm-up.txt")
        article.write_text(_ARTICLE, "utf-8")
        assistant = Assistant(Path(tmp, "data"))
        assistant.ingest([article])
        assistant.ask("When did the bridge open?")
    sources = imported_sources()
    for source in sources:
        py_compile.compile(source, quiet=1)
    print(f"byte-compiled {len(sources)} modules")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

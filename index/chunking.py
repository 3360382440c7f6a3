"""Sentence-aware chunks measured in tokens.

A chunk is a run of whole sentences of one article: at most `max_tokens`
tiktoken tokens and never more than the embedding model's own input window
(the bundled model truncates at 256 word pieces, and Hindi costs it about
three times as many pieces as English), with `overlap` sentences repeated
from the previous chunk so an answer on a boundary is whole in one of them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from index.cleaning import CLEANING_VERSION
from index.documents import Article, Chunk
from index.language import detect_language
from index.sentences import Sentence, split_sentences

TokenCounter = Callable[[str], int]


@dataclass(frozen=True)
class ChunkingConfig:
    max_tokens: int = 200
    overlap: int = 1
    encoding: str = "o200k_base"
    cleaning: int = CLEANING_VERSION


@lru_cache(maxsize=4)
def tiktoken_counter(encoding: str) -> TokenCounter:
    # tiktoken downloads encodings on first use; llama-index ships the common
    # ones, so point the cache there unless the user chose a cache already.
    if "TIKTOKEN_CACHE_DIR" not in os.environ:
        import llama_index.core

        os.environ["TIKTOKEN_CACHE_DIR"] = os.path.join(
            os.path.dirname(llama_index.core.__file__), "_static", "tiktoken_cache"
        )
    import tiktoken

    enc = tiktoken.get_encoding(encoding)
    return lambda text: len(enc.encode_ordinary(text))


class Chunker:
    def __init__(
        self,
        config: ChunkingConfig,
        window: tuple[TokenCounter, int] | None = None,
    ) -> None:
        """`window` is the embedding model's token counter and input limit."""
        self.config = config
        self.count = tiktoken_counter(config.encoding)
        self.window = window

    def _fits(self, text: str, tokens: int) -> bool:
        if tokens > self.config.max_tokens:
            return False
        return self.window is None or self.window[0](text) <= self.window[1]

    def chunk(self, article: Article) -> list[Chunk]:
        text = article.text
        sentences = [piece for s in split_sentences(text) for piece in self._fit_sentence(text, s)]
        chunks: list[Chunk] = []
        first = 0
        while first < len(sentences):
            last = first + 1
            while last < len(sentences):
                span = text[sentences[first].start : sentences[last].end]
                if not self._fits(span, self.count(span)):
                    break
                last += 1
            start, end = sentences[first].start, sentences[last - 1].end
            body = text[start:end]
            chunks.append(
                Chunk(
                    article, len(chunks), body, start, end, detect_language(body, article.language)
                )
            )
            if last >= len(sentences):
                break
            first = max(first + 1, last - self.config.overlap)
        return chunks

    def _fit_sentence(self, text: str, sentence: Sentence) -> list[Sentence]:
        """A sentence longer than a chunk is split at word boundaries, the only cut allowed."""
        if self._fits(sentence.text, self.count(sentence.text)):
            return [sentence]
        pieces: list[Sentence] = []
        start = sentence.start
        words = sentence.text.split(" ")
        offset = sentence.start
        current = start
        for word in words:
            candidate_end = offset + len(word)
            if current < offset and not self._fits(
                text[current:candidate_end], self.count(text[current:candidate_end])
            ):
                pieces.append(Sentence(text[current : offset - 1], current, offset - 1))
                current = offset
            offset = candidate_end + 1
        pieces.append(Sentence(text[current : sentence.end], current, sentence.end))
        return pieces

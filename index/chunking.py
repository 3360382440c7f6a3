"""Sentence-aware chunks measured in tokens.

A chunk is a run of whole sentences of one article: at most `max_tokens`
tiktoken tokens and never more than the embedding model's own input window
(the bundled model truncates at 256 word pieces, and Hindi costs it about
three times as many pieces as English), with `overlap` sentences repeated
from the previous chunk so an answer on a boundary is whole in one of them.
"""

from __future__ import annotations

import os
import unicodedata
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
        """A sentence longer than a chunk is cut between words; a run of text longer
        than a chunk without a space (a one-line file of megabytes) is cut between
        characters, never inside one. Each piece is close to a chunk's size."""
        if len(sentence.text) <= self._piece_chars and self._fits(
            sentence.text, self.count(sentence.text)
        ):
            return [sentence]
        pieces: list[Sentence] = []
        start, end = sentence.start, sentence.end
        length = self._piece_chars
        while start < end:
            stop, length = self._longest_fit(text, start, end, length)
            if stop < end:
                space = text.rfind(" ", start + 1, stop + 1)
                stop = space if space > start else _character_boundary(text, start, stop, end)
            piece = text[start:stop].rstrip(" ")
            pieces.append(Sentence(piece, start, start + len(piece)))
            start = stop
            while start < end and text[start] == " ":
                start += 1
        return pieces

    @property
    def _piece_chars(self) -> int:
        """More characters than any text of max_tokens tokens has: a bound that keeps
        every count short, as tiktoken takes minutes on a megabyte without spaces."""
        return self.config.max_tokens * _MAX_CHARS_PER_TOKEN

    def _longest_fit(self, text: str, start: int, end: int, length: int) -> tuple[int, int]:
        """An end for a piece from `start`, tried `length` characters on, that fits and
        nearly fills a chunk (at least one character, even one too long alone), and
        the length to try for the next piece: text of one kind needs one count a piece."""
        stop = min(end, start + length)
        while True:
            span = text[start:stop]
            overflow = self.count(span) / self.config.max_tokens
            if self.window is not None:
                overflow = max(overflow, self.window[0](span) / self.window[1])
            filling = max(1, int(len(span) / overflow * _FILL))
            if overflow <= 1 or len(span) == 1:
                return stop, min(self._piece_chars, filling)
            stop = start + min(len(span) - 1, filling)


# o200k_base packs at most 8 characters into a token, in a run of one letter.
_MAX_CHARS_PER_TOKEN = 8
_FILL = 0.95  # a piece aims at this share of a chunk, so that most fit at once
_JOINING = "\u094d\u200c\u200d"  # virama and joiners bind the next letter to the last


def _character_boundary(text: str, start: int, stop: int, end: int) -> int:
    """`stop`, or the nearest cut in (start, end] that keeps a letter with its vowel
    signs, nukta and virama (Devanagari) or accents: backwards first, else forwards."""

    def inside(at: int) -> bool:
        return at < end and (
            unicodedata.category(text[at]).startswith("M") or text[at - 1] in _JOINING
        )

    cut = stop
    while cut > start + 1 and inside(cut):
        cut -= 1
    if not inside(cut):
        return cut
    cut = stop
    while inside(cut):
        cut += 1
    return cut

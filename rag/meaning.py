"""How close in meaning a sentence is to a question, in either language, and
which words of the other script translate a question's words.

The answerer's words-in-common features cannot see a paraphrase ("took part" /
"delegates") or a sentence in the other script; the multilingual embedding
model can. Questions are embedded as queries and sentences as passages, the
way the model was trained; the vectors of sentences already seen are kept, so
that asking again about the same articles costs one question embedding.

The same model embeds single words well enough to serve as a dictionary across
scripts (rain ~ बारिश, delegates ~ प्रतिनिधि, reverse ~ रिवर्स: 21 of 22 common
news words found their translation as nearest of the 22): a question's word
meets the other script's words of its passages whose vectors lie this close.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np

from index.language import word_script
from index.tokenize import tokenize
from rag.entities import CALENDAR_TERMS

# About 1.5 KB a vector (384 floats): 20k sentences are 30 MB.
CACHED_SENTENCES = 20_000
# Two words of different scripts whose vectors (multilingual-e5-small, as
# passages) have at least this cosine translate each other. Chosen on the tune
# half of the readers set, 5-fold cross-validated ×3: cross-language facts
# 0.57 / 0.70 / 0.72 at 0.88 / 0.90 / 0.92, against 0.63 with the dictionary
# alone; checked on XQuAD dev (204 questions a direction): en→hi 0.53 → 0.56,
# hi→en 0.56 → 0.58. Unrelated words of a dictionary's pairs reach 0.92 once
# in 10,000, true translations of everyday words mostly above it.
TRANSLATION_COSINE = 0.92
# The most question words translated (each costs an embedding the first time):
# the readers set's longest question with its follow-up context has 13, while a
# 2,000-character flood of made-up words cost 3.5 s more with no bound.
MAX_TRANSLATED_WORDS = 32
_WORD = re.compile(
    r"[A-Za-z][A-Za-z'-]*|[\u0900-\u0963\u0966-\u097f][\u0900-\u0963\u0966-\u097f\u200c\u200d]*"
)


class SentenceMeaning:
    """Cosine similarity of a question to sentences under one embedding model."""

    def __init__(self, embed_model: Any, cached: int = CACHED_SENTENCES) -> None:
        self._model = embed_model
        self._cached = cached
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, question: str, sentences: Sequence[str]) -> np.ndarray:
        if not sentences:
            return np.zeros(0)
        asked = _unit(np.asarray(self._model.get_query_embedding(question), float))
        return np.array([float(asked @ v) for v in self._sentence_vectors(sentences)])

    def translations(self, question: str, texts: Sequence[str]) -> dict[str, set[str]]:
        """For each term of the question's words, the terms of the words of `texts`
        in the other script that translate it. Numbers, months and weekdays are
        left out: they have exact forms in both scripts, and near neighbours
        (June ~ July) would be false friends."""
        asked = [w for w in dict.fromkeys(_WORD.findall(question)) if _translatable(w)]
        asked = asked[:MAX_TRANSLATED_WORDS]
        scripts = {word_script(w) for w in asked}
        # Only words of a script the question does not use alone are embedded:
        # an English question over English passages costs nothing here.
        offered = [
            w
            for w in dict.fromkeys(w for t in texts for w in _WORD.findall(t))
            if scripts - {word_script(w)} and tokenize(w)
        ]
        found: dict[str, set[str]] = {}
        if not offered:
            return found
        vectors = dict(zip(asked + offered, self._sentence_vectors(asked + offered), strict=True))
        for word in asked:
            others = [w for w in offered if word_script(w) != word_script(word)]
            if not others:
                continue
            cosines = np.array([vectors[w] for w in others]) @ vectors[word]
            near = {
                t
                for w, c in zip(others, cosines, strict=True)
                if c >= TRANSLATION_COSINE
                for t in tokenize(w)
            }
            if near:
                for term in tokenize(word):
                    found.setdefault(term, set()).update(near)
        return found

    def said_in(self, words: Sequence[str], text: str) -> list[bool]:
        """For each word, whether `text` holds one of either script whose vector
        lies as close as a translation's: the same thing in other words
        (mainly ~ predominantly, इंटरनेशनल ~ अंतरराष्ट्रीय)."""
        held = [w for w in dict.fromkeys(_WORD.findall(text)) if tokenize(w)]
        if not words or not held:
            return [False] * len(words)
        vectors = self._sentence_vectors([*words, *held])
        cosines = np.array(vectors[: len(words)]) @ np.array(vectors[len(words) :]).T
        return [bool(row.max() >= TRANSLATION_COSINE) for row in cosines]

    def _sentence_vectors(self, sentences: Sequence[str]) -> list[np.ndarray]:
        with self._lock:
            known = {s: self._vectors[s] for s in sentences if s in self._vectors}
            for s in known:
                self._vectors.move_to_end(s)
        missing = [s for s in dict.fromkeys(sentences) if s not in known]
        if missing:
            fresh = self._model.get_text_embedding_batch(missing)
            vectors = {s: _unit(np.asarray(v, float)) for s, v in zip(missing, fresh, strict=True)}
            known |= vectors
            with self._lock:
                self._vectors.update(vectors)
                while len(self._vectors) > self._cached:
                    self._vectors.popitem(last=False)
        return [known[s] for s in sentences]


def _translatable(word: str) -> bool:
    terms = tokenize(word)
    return bool(terms) and not terms[0][0].isdigit() and terms[0] not in CALENDAR_TERMS


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector

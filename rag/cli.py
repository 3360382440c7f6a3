"""`rag`: ingest articles, ask questions; `rag ui`, `rag eval` and `rag bench` are
plugins (entry points in the `rag.commands` group), so this module imports
neither gradio nor the evaluation code."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag.messages import say
from rag.settings import Settings

if TYPE_CHECKING:
    from rag.assistant import Assistant
    from rag.types import Answer

SAMPLE_CORPUS = Path(__file__).resolve().parent.parent / "index" / "sample_corpus"


def _assistant(args: argparse.Namespace, *, create: bool = False) -> Assistant:
    """The Assistant over --data-dir; only `ingest` may start an index in a new folder."""
    from rag.assistant import Assistant

    settings = Settings.load(args)
    return Assistant.from_settings(settings) if create else Assistant.open_index(settings)


def cmd_ingest(args: argparse.Namespace) -> int:
    assistant = _assistant(args, create=True)
    paths = args.paths or [str(SAMPLE_CORPUS)]
    summary = assistant.ingest(
        paths, rebuild=args.rebuild, prune=args.prune, progress=sys.stderr.isatty()
    )
    if args.json:
        print(
            json.dumps(
                {
                    **vars(summary),
                    "skipped": [vars(s) for s in summary.skipped],
                    "index": assistant.summary(),
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        print("\n".join(summary.lines()))
        info = assistant.summary()
        print(
            f"index: {info['articles']} articles, {info['chunks']} chunks "
            f"({', '.join(f'{k}: {v}' for k, v in sorted(info['languages'].items()))}) "
            f"in {info['chroma']}"
        )
    if not (summary.articles or summary.unchanged or summary.removed):
        print(
            f"rag: nothing was ingested ({len(summary.skipped)} file(s) skipped)", file=sys.stderr
        )
        return 2
    return 0


def _filters(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "language": args.only_lang,
        "outlet": args.outlet,
        "date_from": args.date_from,
        "date_to": args.date_to,
    }


def _print_answer(items: Iterable[str | Answer]) -> None:
    """The answer as it streams, then each cited source once (outlet, author, date, file)."""
    answer: Answer | None = None
    for item in items:
        if isinstance(item, str):
            print(item, end="", flush=True)
        else:
            answer = item
    print()
    if answer is None:
        return
    if answer.note:
        print(f"({answer.note})")
    shown: set[int] = set()
    language = answer.language
    for c in answer.citations:
        if c.n not in shown:
            shown.add(c.n)
            by = ", ".join(x for x in (c.author, c.outlet) if x) or say("no_byline", language)
            on = c.date or say("undated", language)
            print(f"  [{c.n}] {c.title} — {by}, {on} ({c.ref})")
        print(f"      “{c.quote}”")


def cmd_ask(args: argparse.Namespace) -> int:
    assistant = _assistant(args)
    prepared = assistant.prepare(args.question, lang=args.lang, filters=_filters(args))
    if prepared.refusal:
        # Nothing was searched (no words, an empty index, filters no article meets):
        # a script sees the failure, as for a bad value.
        raise ValueError(prepared.refusal)
    if args.json:
        print(assistant.answer_prepared(prepared).to_json())
        return 0
    _print_answer(assistant.stream_prepared(prepared))
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    """Questions one per line; each follow-up sees the questions before it."""
    assistant = _assistant(args)
    history: list[str] = []
    interactive = sys.stdin.isatty()
    if interactive:
        print("Ask in Hindi or English; an empty line or Ctrl-D ends. / हिंदी या अंग्रेज़ी में पूछें।")
    while True:
        try:
            question = input("> " if interactive else "").strip()
        except EOFError:
            break
        if not question:
            if interactive:
                break
            continue
        _print_answer(
            assistant.stream(question, lang=args.lang, filters=_filters(args), history=history)
        )
        history.append(question)
    return 0


def cmd_articles(args: argparse.Namespace) -> int:
    articles = _assistant(args).articles()
    if not articles:
        print(
            f"the index in {args.data_dir or 'rag-data'} is empty: add articles with `rag ingest PATH`"
        )
        return 0
    rows = [
        (a.language, a.date or "–", str(a.chunks), a.outlet or "–", a.author or "–",
         a.ref, a.title)
        for a in articles
    ]  # fmt: skip
    header = ("lang", "date", "chunks", "outlet", "author", "file", "title")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
    for row in [header, *rows]:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)) + "  " + row[-1])
    print(f"{len(articles)} article(s)")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    removed = _assistant(args).remove(args.paths)
    print(f"removed {removed} file(s) from the index")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    problems = _assistant(args).check()
    for problem in problems:
        print(f"rag check: {problem}")
    print(f"{len(problems)} problem(s) found" if problems else "the index is sound")
    return 1 if problems else 0


def _answer_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lang", choices=["hi", "en"], help="answer language (default: the question's)"
    )
    parser.add_argument(
        "--only-lang", choices=["hi", "en", "mixed"], help="search passages in one language"
    )
    # --source: its name before the outlet was called the outlet everywhere
    parser.add_argument("--outlet", "--source", help="search one outlet only")
    parser.add_argument("--date-from", help="YYYY-MM-DD")
    parser.add_argument("--date-to", help="YYYY-MM-DD")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rag", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    ingest = commands.add_parser("ingest", help="index files and folders of articles")
    ingest.add_argument("paths", nargs="*", help="files or folders (default: the sample corpus)")
    ingest.add_argument("--rebuild", action="store_true", help="start the index afresh")
    ingest.add_argument("--prune", action="store_true", help="forget files that no longer exist")
    ingest.add_argument("--json", action="store_true", help="print the summary as JSON")
    ingest.set_defaults(run=cmd_ingest)

    ask = commands.add_parser("ask", help="answer a question with citations")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="print the Answer as JSON")
    _answer_flags(ask)
    ask.set_defaults(run=cmd_ask)

    chat = commands.add_parser(
        "chat", help="ask one question after another; follow-ups keep the conversation"
    )
    _answer_flags(chat)
    chat.set_defaults(run=cmd_chat)

    articles = commands.add_parser("articles", help="list the indexed articles")
    articles.set_defaults(run=cmd_articles)

    remove = commands.add_parser("remove", help="remove files from the index")
    remove.add_argument("paths", nargs="+")
    remove.set_defaults(run=cmd_remove)

    check = commands.add_parser(
        "check", help="verify that the manifest, Chroma and BM25 agree and are undamaged"
    )
    check.set_defaults(run=cmd_check)

    for plugin in entry_points(group="rag.commands"):
        try:
            register: Callable[[argparse._SubParsersAction], None] = plugin.load()
        except ImportError as error:  # an optional part not installed: say so, go on
            print(f"rag: command {plugin.name!r} unavailable: {error}", file=sys.stderr)
            continue
        register(commands)
    for name, sub in commands.choices.items():
        Settings.add_arguments(sub, only=INDEX_ONLY if name in READ_ONLY_COMMANDS else None)
    return parser


# Commands that only look at an index need only to be told where it is.
READ_ONLY_COMMANDS = frozenset({"articles", "remove", "check"})
INDEX_ONLY = {"data_dir", "collection", "chroma_url"}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from index.files import INDEX_FAULTS
    from index.loaders import SkipFile
    from index.pipeline import IndexBusy
    from index.store import IndexMismatch, StoreUnavailable

    try:
        return int(args.run(args) or 0)
    except (
        IndexMismatch,
        IndexBusy,
        StoreUnavailable,
        SkipFile,
        ValueError,
        *INDEX_FAULTS,
    ) as error:
        print(f"rag: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())

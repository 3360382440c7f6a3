"""`rag ui`: serve the web chat (a plugin of the `rag` command; gradio loads only here)."""

from __future__ import annotations

import argparse
import dataclasses
import os
from pathlib import Path

from ui.access import LibraryAccess, choose_access, is_loopback
from ui.limits import UiLimits

KEY_VARIABLE = "RAG_UI_LIBRARY_KEY"
LIMIT_HELP = {
    "queue_size": "jobs waiting or running at most; beyond it requests are refused",
    "chat_concurrency": "questions answered at once",
    "questions_per_minute": "questions one browser session may start per minute",
    "question_chars": "the longest question taken, in characters",
    "address_questions_per_minute": "questions one client address may start per minute",
    "writes_per_minute": "library changes one client address may ask for per minute",
    "upload_keep_s": "seconds an uploaded file is kept in Gradio's temporary folder",
    "upload_mb_kept": "megabytes one client address may upload in that many seconds",
}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("ui", help="serve the web chat (Gradio)")
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1, this machine only)",
    )
    parser.add_argument("--port", type=int, default=7860, help="port (default: 7860)")
    parser.add_argument(
        "--allow-folders",
        nargs="+",
        type=Path,
        default=[],
        metavar="ROOT",
        help="let readers index server folders under these roots (default: none, the "
        "folder box is hidden; loopback hosts only: anyone who reaches the app may use it)",
    )
    parser.add_argument(
        "--library",
        choices=["open", "key", "off"],
        help="who may add and remove articles: anyone who reaches the app, whoever types "
        f"the key (${KEY_VARIABLE} or --library-key-file), or nobody (default: key when "
        "one is set, else open on a loopback host and off on any other)",
    )
    parser.add_argument(
        "--library-key-file",
        type=Path,
        metavar="FILE",
        help=f"read the library key from FILE instead of ${KEY_VARIABLE}",
    )
    parser.add_argument(
        "--trusted-proxy",
        nargs="+",
        default=[],
        metavar="ADDRESS",
        help="reverse proxies whose X-Forwarded-For names the client, for the per-address "
        "limits (default: none; every client is the address it connects from)",
    )
    limits = parser.add_argument_group("limits")
    for field in dataclasses.fields(UiLimits):
        limits.add_argument(
            "--" + field.name.replace("_", "-"),
            type=int,
            default=field.default,
            help=f"{LIMIT_HELP[field.name]} (default: {field.default})",
        )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    limits = UiLimits(**{f.name: getattr(args, f.name) for f in dataclasses.fields(UiLimits)})
    roots = folder_roots(args.allow_folders, args.host)
    access = library_access(args)
    from rag.settings import Settings
    from ui.app import build_app, launch

    app = build_app(Settings.load(args), folder_roots=roots, limits=limits, access=access)
    print(f"library: {access.mode}" + ("" if access.editable else " (read-only)"))
    launch(app, args.host, args.port, trusted_proxies=args.trusted_proxy)
    return 0


def library_access(args: argparse.Namespace) -> LibraryAccess:
    if args.library_key_file:
        try:
            key = args.library_key_file.read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ValueError(f"--library-key-file: {error.strerror}") from error
        if not key:
            raise ValueError(f"--library-key-file: {args.library_key_file} is empty")
    else:
        key = os.environ.get(KEY_VARIABLE, "").strip()
    return choose_access(args.host, args.library, key)


def folder_roots(given: list[Path], host: str) -> list[Path]:
    """The --allow-folders roots, resolved; each must be a folder, and the host loopback."""
    if given and not is_loopback(host):
        raise ValueError(f"--allow-folders needs a loopback --host, not {host}")
    roots = [root.expanduser().resolve() for root in given]
    for root, named in zip(roots, given, strict=True):
        if not root.is_dir():
            raise ValueError(f"--allow-folders: {named} is not a folder")
    return roots

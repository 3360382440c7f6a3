"""`rag ui`: serve the web chat (a plugin of the `rag` command; gradio loads only here)."""

from __future__ import annotations

import argparse
import ipaddress
from pathlib import Path

from ui.limits import DEFAULT_LIMITS, UiLimits


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
    limits = parser.add_argument_group("limits")
    limits.add_argument(
        "--queue-size",
        type=int,
        default=DEFAULT_LIMITS.queue_size,
        help="jobs waiting or running at most; beyond it requests are refused "
        f"(default: {DEFAULT_LIMITS.queue_size})",
    )
    limits.add_argument(
        "--chat-concurrency",
        type=int,
        default=DEFAULT_LIMITS.chat_concurrency,
        help=f"questions answered at once (default: {DEFAULT_LIMITS.chat_concurrency})",
    )
    limits.add_argument(
        "--questions-per-minute",
        type=int,
        default=DEFAULT_LIMITS.questions_per_minute,
        help="questions one browser session may start per minute "
        f"(default: {DEFAULT_LIMITS.questions_per_minute})",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    limits = UiLimits(args.queue_size, args.chat_concurrency, args.questions_per_minute)
    roots = folder_roots(args.allow_folders, args.host)
    from rag.settings import Settings
    from ui.app import build_app, launch

    app = build_app(Settings.load(args), folder_roots=roots, limits=limits)
    launch(app, args.host, args.port)
    return 0


def folder_roots(given: list[Path], host: str) -> list[Path]:
    """The --allow-folders roots, resolved; each must be a folder, and the host loopback."""
    if given and not is_loopback(host):
        raise ValueError(f"--allow-folders needs a loopback --host, not {host}")
    roots = [root.expanduser().resolve() for root in given]
    for root, named in zip(roots, given, strict=True):
        if not root.is_dir():
            raise ValueError(f"--allow-folders: {named} is not a folder")
    return roots


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False

"""`rag ui`: serve the web chat (a plugin of the `rag` command; gradio loads only here)."""

from __future__ import annotations

import argparse
import ipaddress


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("ui", help="serve the web chat (Gradio)")
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1, this machine only); "
        "on any other, readers cannot index the server's folders",
    )
    parser.add_argument("--port", type=int, default=7860, help="port (default: 7860)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from rag.settings import Settings
    from ui.app import build_app, launch

    app = build_app(Settings.load(args), allow_folders=is_loopback(args.host))
    launch(app, args.host, args.port)
    return 0


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False

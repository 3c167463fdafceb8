"""``orchestrator-kit``: serve the mock, or check a client against the conformance suite."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(
        prog="orchestrator-kit",
        description="Mock UiPath identity + Orchestrator, and a conformance suite for clients.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="serve the mock over HTTP on loopback", add_help=False)
    sub.add_parser("check", help="run the conformance suite against a client", add_help=False)
    if not args or args[0] not in ("serve", "check"):
        parser.parse_args(args)  # prints usage and exits 2
        return 2
    command, rest = args[0], args[1:]
    if command == "serve":
        from .served import main as serve_main

        return int(serve_main(rest))
    from conformance.cli import main as check_main

    return int(check_main(rest))


if __name__ == "__main__":
    raise SystemExit(main())

"""``orchestrator-kit``: serve the mock, or check a client against the conformance suite.

Each subcommand is one line of :data:`COMMANDS`: its help text and the ``module:function`` that
runs it. The function takes the remaining arguments and returns the exit status. Modules load
only when their subcommand runs, so ``orchestrator-kit serve`` never imports the conformance
suite, and a new subcommand is one line here plus its own module.

Every subcommand follows one style, pinned by ``tests/test_command_lines.py``: a usage error
(an unknown option, a value out of range) ends in one ``<prog>: error: <what>`` line on stderr
and exit status 2, as argparse's own errors do; ``--help`` and ``--version`` print on stdout.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from importlib import metadata

__all__ = ["COMMANDS", "main", "version"]

DISTRIBUTION = "uipath-orchestrator-kit"

#: name -> (help, "module:function"). The function is ``main(argv: Sequence[str]) -> int``.
COMMANDS: dict[str, tuple[str, str]] = {
    "serve": ("serve the mock over HTTP on loopback", "mock_orchestrator.serve_command:main"),
    "check": ("run the conformance suite against a client", "conformance.cli:main"),
    "record": ("proxy to a tenant, write scrubbed cassettes", "cassettes.recorder:main"),
    "audit-cassettes": ("report secret-shaped values in cassettes", "cassettes.audit:main"),
    "compare": ("replay recordings on the mock, list differences", "cassettes.compare:main"),
    "soak": ("run a job starter as cron would, across simulated days", "conformance.soak.cli:main"),
}


def version() -> str:
    """The installed kit's version (its distribution metadata, as ``pip show`` reads it)."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "0+unknown"


def _load(target: str) -> Callable[[Sequence[str]], int]:
    module_name, _, function = target.partition(":")
    command: Callable[[Sequence[str]], int] = getattr(
        importlib.import_module(module_name), function
    )
    return command


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(
        prog="orchestrator-kit",
        description="Mock UiPath identity + Orchestrator, and a conformance suite for clients.",
        allow_abbrev=False,  # `--vers` is not `--version`: an abbreviation breaks when one is added
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {version()}", help="print the version"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (help_text, _) in COMMANDS.items():
        # Each subcommand parses its own options; this parser only routes.
        sub.add_parser(name, help=help_text, add_help=False)
    if not args or args[0] not in COMMANDS:
        parser.parse_args(args)  # prints usage (or --help) and exits
        return 2
    name, rest = args[0], args[1:]
    return int(_load(COMMANDS[name][1])(rest))


if __name__ == "__main__":
    raise SystemExit(main())

"""``python -m client_under_test start-job --process NAME --folder PATH [--input JSON] [--wait]``
and ``python -m client_under_test logout`` (revoke the credential, forget its stored tokens).

Configured from ``UIPATH_*`` environment variables (see ``client_under_test.Config``). Prints
the job key and its state, exits 0 when the job started (or, with ``--wait``, succeeded), 1
when it failed, 2 for bad usage or configuration. Secrets are never printed.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TextIO

from ._client import OrchestratorClient
from ._errors import ConfigurationError, UiPathClientError

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m client_under_test",
        description="Start UiPath Orchestrator jobs with a credential that refreshes itself.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    start = sub.add_parser("start-job", help="start a job of a process and print its key")
    start.add_argument("--process", required=True, help="the process (release) name")
    start.add_argument("--folder", help="folder path (default: UIPATH_FOLDER_PATH)")
    start.add_argument("--input", help="input arguments as a JSON object")
    start.add_argument("--wait", action="store_true", help="wait until the job finishes")
    start.add_argument("--timeout", type=float, help="with --wait: give up after N seconds")
    start.add_argument("-v", "--verbose", action="store_true", help="log what it does (DEBUG)")
    logout = sub.add_parser(
        "logout", help="revoke the credential at the identity server and forget its stored tokens"
    )
    logout.add_argument("-v", "--verbose", action="store_true", help="log what it does (DEBUG)")
    return parser


def main(
    argv: Sequence[str] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    **seams: Any,
) -> int:
    """Run the command line; ``seams`` (clock, sleep, transport) are for tests."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    args = _parser().parse_args(argv)
    logger = logging.getLogger("client_under_test")
    handler = logging.StreamHandler(err)
    handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    level = logger.level
    if args.verbose:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    try:
        if args.command == "logout":
            return _logout(environ, out, err, seams)
        return _start_job(args, environ, out, err, seams)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _with_client(
    environ: Mapping[str, str] | None,
    err: TextIO,
    seams: dict[str, Any],
    action: Callable[[OrchestratorClient], int],
) -> int:
    """Run ``action`` on a client configured from ``environ``. Errors become exit codes, 2 for
    configuration and 1 for what the server said, with their text (never a secret) on stderr."""
    try:
        with OrchestratorClient.from_env(environ, **seams) as client:
            return action(client)
    except ConfigurationError as exc:
        print(f"error: {exc}", file=err)
        return 2
    except UiPathClientError as exc:
        print(f"error: {exc}", file=err)
        return 1


def _start_job(
    args: argparse.Namespace,
    environ: Mapping[str, str] | None,
    out: TextIO,
    err: TextIO,
    seams: dict[str, Any],
) -> int:
    try:
        arguments = json.loads(args.input) if args.input else None
    except ValueError as exc:
        print(f"error: --input is not JSON: {exc}", file=err)
        return 2
    if arguments is not None and not isinstance(arguments, dict):
        print("error: --input must be a JSON object", file=err)
        return 2

    def start(client: OrchestratorClient) -> int:
        job = client.start_job(args.process, args.folder, arguments)
        print(f"job {job.key} {job.state}", file=out, flush=True)
        if not args.wait:
            return 0
        job = client.wait_for_job(job, args.folder, timeout=args.timeout)
        print(f"job {job.key} {job.state}", file=out)
        if job.info and job.state != "Successful":
            print(f"info: {job.info}", file=err)
        return 0 if job.state == "Successful" else 1

    return _with_client(environ, err, seams, start)


def _logout(
    environ: Mapping[str, str] | None, out: TextIO, err: TextIO, seams: dict[str, Any]
) -> int:
    def logout(client: OrchestratorClient) -> int:
        revoked = client.logout()
        what = "revoked at the identity server" if revoked else "nothing held to revoke"
        name = client.auth.credential_name
        print(f"logged out ({name}): {what}; stored tokens forgotten", file=out)
        return 0

    return _with_client(environ, err, seams, logout)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

"""``python -m client_under_test start-job --process NAME --folder PATH [--input JSON] [--wait]``
and ``python -m client_under_test logout`` (revoke the credential, forget its stored tokens).

Configured from ``UIPATH_*`` environment variables (see ``client_under_test.Config``). Prints
the job key and its state. ``--input`` takes the arguments as JSON, ``@FILE`` to read them from
a file, or ``-`` to read them from standard input.

Every failure ends in one line on stderr, ``error: <what happened>; <what to do>`` (a usage
error in argparse's form, ``python -m client_under_test start-job: error: ...``), never a
traceback, and an exit status per kind of failure, so a script can tell them apart:

==  ================================================================================
0   the job started (with ``--wait``: it succeeded); logged out
1   the job finished but did not succeed, or ``--wait`` gave up waiting
2   usage or configuration: arguments, ``UIPATH_*`` variables, the token store file
3   credentials: refused by the identity server or by Orchestrator; a human must act
4   network: nothing answered, the connection dropped, or an answer took too long
5   the server's answer: an Orchestrator error, a login page, a body that is no answer
==  ================================================================================

Secrets are never printed.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NoReturn, TextIO

import httpx

from ._client import OrchestratorClient
from ._errors import (
    AuthenticationError,
    ConfigurationError,
    CredentialsRefused,
    JobWaitTimeout,
    ReauthenticationRequired,
    TokenRequestError,
    UiPathClientError,
)

__all__ = [
    "EXIT_CONFIGURATION",
    "EXIT_CREDENTIALS",
    "EXIT_JOB_FAILED",
    "EXIT_NETWORK",
    "EXIT_SERVER",
    "main",
]

EXIT_JOB_FAILED = 1
EXIT_CONFIGURATION = 2
EXIT_CREDENTIALS = 3
EXIT_NETWORK = 4
EXIT_SERVER = 5


PROG = "python -m client_under_test"


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage error on one line (exit 2) rather than the usage text.

    Options are never abbreviated: ``--por`` is an error, not ``--port``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_CONFIGURATION, f"{self.prog}: error: {message} (see --help)\n")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"{text} is not a positive number of seconds")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Start UiPath Orchestrator jobs with a credential that refreshes itself.",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    start = sub.add_parser("start-job", help="start a job of a process and print its key")
    start.add_argument("--process", required=True, help="the process (release) name")
    start.add_argument("--folder", help="folder path (default: UIPATH_FOLDER_PATH)")
    start.add_argument(
        "--input", help="input arguments: a JSON object, @FILE to read it from a file, - from stdin"
    )
    start.add_argument("--wait", action="store_true", help="wait until the job finishes")
    start.add_argument("--timeout", type=_seconds, help="with --wait: give up after N seconds")
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
    stdin: TextIO | None = None,
    **seams: Any,
) -> int:
    """Run the command line; ``seams`` (clock, sleep, transport) are for tests."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # usage errors and --help: argparse has written its line
        return exc.code if isinstance(exc.code, int) else EXIT_CONFIGURATION
    args.stdin = stdin or sys.stdin
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
    """Run ``action`` on a client configured from ``environ``. Every error becomes one line on
    stderr (never a secret) and the exit status of its kind (see the module docstring)."""
    try:
        with OrchestratorClient.from_env(environ, **seams) as client:
            return action(client)
    except Exception as exc:  # every failure: one line, never a traceback
        code, line = _classify(exc)
        print(f"error: {_one_line(line)}", file=err)
        return code


def _classify(exc: BaseException) -> tuple[int, str]:
    """(exit status, what to say) for a failure of a run."""
    if isinstance(exc, (CredentialsRefused, ReauthenticationRequired, AuthenticationError)):
        return EXIT_CREDENTIALS, str(exc)
    if isinstance(exc, ConfigurationError):
        return EXIT_CONFIGURATION, str(exc)
    if isinstance(exc, TokenRequestError):
        # invalid_client, unauthorized_client, invalid_scope ...: the credential, not the server
        refused = exc.error is not None and (exc.status_code or 0) < 500
        return (EXIT_CREDENTIALS if refused else EXIT_SERVER), str(exc)
    if isinstance(exc, JobWaitTimeout):
        return EXIT_JOB_FAILED, f"{exc}; wait longer with --timeout, or check the job later"
    if isinstance(exc, UiPathClientError):
        return EXIT_SERVER, str(exc)
    if isinstance(exc, httpx.TransportError):
        return EXIT_NETWORK, _network_line(exc)
    if isinstance(exc, httpx.InvalidURL):
        return EXIT_CONFIGURATION, f"a URL is not valid ({exc}); check UIPATH_URL"
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        return EXIT_CONFIGURATION, f"{exc.strerror or type(exc).__name__}{where}"
    # A bug of the client. Its type only: an unknown exception's text might hold anything.
    return EXIT_SERVER, (
        f"unexpected {type(exc).__name__} (a bug of client_under_test; run again with -v "
        "and report it)"
    )


def _network_line(exc: httpx.TransportError) -> str:
    try:
        url = exc.request.url
        where = f"{url.scheme}://{url.netloc.decode('ascii')}"
    except RuntimeError:  # no request attached
        where = "the server"
    if isinstance(exc, httpx.ConnectError):
        what = f"cannot connect to {where} ({exc or 'refused'})"
        todo = "check UIPATH_URL and that the server is up and reachable"
    elif isinstance(exc, httpx.TimeoutException):
        what = f"{where} did not answer in time ({type(exc).__name__})"
        todo = "try again later, or check the network and proxy"
    elif isinstance(exc, httpx.RemoteProtocolError):
        what = f"{where} dropped the connection without an answer"
        todo = "try again; if it persists, check a proxy or load balancer in between"
    else:
        what = f"the network failed talking to {where} ({type(exc).__name__})"
        todo = "check the network and try again"
    return f"{what}; {todo}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _start_job(
    args: argparse.Namespace,
    environ: Mapping[str, str] | None,
    out: TextIO,
    err: TextIO,
    seams: dict[str, Any],
) -> int:
    try:
        arguments = _input_arguments(args.input, args.stdin)
    except ValueError as exc:
        # A usage error, in argparse's own form.
        print(f"{PROG} start-job: error: {_one_line(str(exc))}", file=err)
        return EXIT_CONFIGURATION

    def start(client: OrchestratorClient) -> int:
        job = client.start_job(args.process, args.folder, arguments)
        print(f"job {job.key} {job.state}", file=out, flush=True)
        if not args.wait:
            return 0
        job = client.wait_for_job(job, args.folder, timeout=args.timeout)
        print(f"job {job.key} {job.state}", file=out)
        if job.info and job.state != "Successful":
            print(f"info: {job.info}", file=err)
        return 0 if job.state == "Successful" else EXIT_JOB_FAILED

    return _with_client(environ, err, seams, start)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON (UiPath refuses it)")


def _input_arguments(spec: str | None, stdin: TextIO) -> dict[str, Any] | None:
    """``--input``: JSON text, ``@FILE`` or ``-`` (stdin), parsed to a JSON object.

    ``ValueError`` with the one line to print when it cannot be read or is not an object.
    """
    if not spec:
        return None
    source = "--input"
    text = spec
    if spec == "-":
        source = "--input - (stdin)"
        try:
            text = stdin.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise ValueError(f"{source} cannot be read: {exc}") from exc
    elif spec.startswith("@"):
        path = spec[1:]
        source = f"--input file {path}"
        try:
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
        except UnicodeDecodeError as exc:
            raise ValueError(f"{source} is not UTF-8 text") from exc
        except OSError as exc:
            raise ValueError(f"{source} cannot be read: {exc.strerror or exc}") from exc
    try:
        arguments = json.loads(text, parse_constant=_no_constant)
    except RecursionError as exc:
        raise ValueError(f"{source} is nested too deeply to be JSON arguments") from exc
    except ValueError as exc:
        raise ValueError(f"{source} is not JSON: {exc}") from exc
    if not isinstance(arguments, dict):
        raise ValueError(f"{source} must be a JSON object, like '{{\"Amount\": 3}}'")
    return arguments


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

"""``orchestrator-kit serve``: a fresh world (or one from ``--world FILE``) served until stopped.

The command sits above :class:`~mock_orchestrator.MockCloud`, which it builds, and the served
front (:mod:`mock_orchestrator.served`), which it runs; the front itself knows a world only
through :class:`~mock_orchestrator._surface.WorldSurface`, so no import runs in a circle.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from contextlib import ExitStack
from datetime import datetime
from types import FrameType
from typing import Any, NoReturn

from ._cloud import MockCloud
from ._served.app import DEFAULT_STALL_CAP
from ._served.limits import ServeLimits
from .argtypes import ranged
from .core.clock import MAX_STEP_SECONDS, FakeClock, SystemClock
from .core.journal import SERVED_LIMIT
from .identity.settings import PROFILES
from .served import serve_in_thread
from .world import WorldError, load_world_file

__all__ = ["main", "world_from_options"]

#: The largest control body ``--control-max-body`` allows: a big world document, not a flood.
MAX_CONTROL_BODY = 16 * 1_048_576


def world_from_options(
    world_file: str | None, profile: str | None, seed: int | None, **options: Any
) -> MockCloud:
    """A world from ``--world FILE`` (if given) and ``--profile``/``--seed``, which must agree
    with the file's when both say. Raises ``OSError`` or ``ValueError`` (``WorldError``) with
    one line a command can print."""
    document: dict[str, Any] = {}
    if world_file is not None:
        try:
            loaded = load_world_file(world_file)
        except OSError as exc:
            raise OSError(f"cannot read --world {world_file}: {exc.strerror or exc}") from None
        if not isinstance(loaded, dict):
            raise WorldError("(document)", f"in {world_file} must be a JSON or YAML object")
        document = dict(loaded)
    for key, value in (("profile", profile), ("seed", seed)):
        if value is None:
            continue
        if key in document and document[key] != value:
            raise WorldError(
                key, f"is {document[key]!r} in {world_file} but --{key} says {value!r}"
            )
        document[key] = value
    try:
        return MockCloud.from_world(document, **options)
    except WorldError as exc:
        where = f" in {world_file}" if world_file else ""
        raise WorldError(exc.field, exc.message + where) from None


def _start(text: str) -> float:
    if text == "now":
        return SystemClock().time()
    try:
        instant = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not 'now' nor an ISO-8601 instant: {text!r}") from exc
    if instant.tzinfo is None:
        raise argparse.ArgumentTypeError("give the instant a timezone, e.g. 2026-01-05T09:00Z")
    return instant.timestamp()


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (and exit 2), not the whole usage.

    Options are never abbreviated: ``--por`` is an error, not ``--port``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _parser() -> argparse.ArgumentParser:
    defaults = ServeLimits()
    parser = _Parser(
        prog="orchestrator-kit serve",
        description=(
            "Serve the mock UiPath cloud over HTTP. Prints the base URL on one line, then serves "
            "until SIGINT or SIGTERM. Test controls live under /_mock/ (health, defaults, clock, "
            "journal, faults, reset)."
        ),
    )
    seconds = ranged(float, 0.001, 86_400, "a number of seconds from 0.001 to 86400")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    parser.add_argument(
        "--port",
        type=ranged(int, 0, 65_535, "a port from 0 to 65535"),
        default=0,
        help="port (default: an ephemeral one)",
    )
    parser.add_argument(
        "--profile",
        choices=PROFILES,
        default=None,
        help="auth generation of the world (identity, or the --world file's)",
    )
    parser.add_argument(
        "--seed",
        type=ranged(int, 0, 2**63 - 1, "an integer from 0 to 2^63-1"),
        default=None,
        help="seed of ids and tokens (0, or the --world file's)",
    )
    parser.add_argument(
        "--world",
        metavar="FILE",
        help="a world document (JSON or YAML) to start from: folders, releases, apps, settings",
    )
    parser.add_argument(
        "--start",
        type=_start,
        default="now",
        help="where the ticking clock starts: 'now' or an ISO-8601 instant",
    )
    parser.add_argument(
        "--stall-cap",
        type=seconds,
        default=DEFAULT_STALL_CAP,
        help="real seconds a stalled response is held (30)",
    )
    parser.add_argument(
        "--grace-window",
        type=ranged(float, 0, MAX_STEP_SECONDS, f"seconds from 0 to {MAX_STEP_SECONDS:g}"),
        default=None,
        help=(
            "identity profile: seconds a consumed refresh token still works, so a client that "
            "crashed before saving the rotated one can retry (default: the profile's, 0)"
        ),
    )
    parser.add_argument(
        "--journal-limit",
        type=ranged(int, 1, 10_000_000, "an integer from 1 to 10000000"),
        default=SERVED_LIMIT,
        help=f"exchanges the journal keeps, the newest ({SERVED_LIMIT})",
    )
    limits = parser.add_argument_group("limits (real time, per connection)")
    limits.add_argument(
        "--header-timeout",
        type=seconds,
        default=defaults.header_timeout,
        help=f"seconds for a request's head to arrive, then 408 and close "
        f"({defaults.header_timeout:g})",
    )
    limits.add_argument(
        "--body-timeout",
        type=seconds,
        default=defaults.body_timeout,
        help=f"seconds for a request's body to arrive, then 408 and close "
        f"({defaults.body_timeout:g})",
    )
    limits.add_argument(
        "--keep-alive",
        type=seconds,
        default=defaults.keep_alive,
        help=f"seconds an idle keep-alive connection stays open ({defaults.keep_alive:g})",
    )
    limits.add_argument(
        "--max-connections",
        type=ranged(int, 1, 100_000, "an integer from 1 to 100000"),
        default=defaults.max_connections,
        help=f"open connections at once; more are answered 503 ({defaults.max_connections})",
    )
    limits.add_argument(
        "--max-body",
        type=ranged(int, 1, defaults.max_body, f"a number of bytes from 1 to {defaults.max_body}"),
        default=defaults.max_body,
        help=f"bytes of a request body; more is 413 ({defaults.max_body})",
    )
    limits.add_argument(
        "--control-max-body",
        type=ranged(int, 1, MAX_CONTROL_BODY, f"a number of bytes from 1 to {MAX_CONTROL_BODY}"),
        default=defaults.control_max_body,
        help="bytes of a /_mock/ request body (a world document posted to /_mock/world); more "
        f"is 413 ({defaults.control_max_body})",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """``orchestrator-kit serve``: serve a fresh world until SIGINT/SIGTERM; exit 0."""

    parser = _parser()
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    overrides = {} if args.grace_window is None else {"grace_window": args.grace_window}
    try:
        cloud = world_from_options(
            args.world,
            args.profile,
            args.seed,
            clock=FakeClock(args.start, ticking=True),
            journal_limit=args.journal_limit,
            **overrides,
        )
    except (OSError, ValueError) as exc:  # WorldError is a ValueError naming the field
        parser.error(str(exc))
    limits = ServeLimits(
        header_timeout=args.header_timeout,
        body_timeout=args.body_timeout,
        keep_alive=args.keep_alive,
        max_connections=args.max_connections,
        max_body=args.max_body,
        control_max_body=args.control_max_body,
    )
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with ExitStack() as stack:
            try:
                url = stack.enter_context(
                    serve_in_thread(
                        cloud, args.host, args.port, stall_cap=args.stall_cap, limits=limits
                    )
                )
            except OSError as exc:
                print(
                    f"orchestrator-kit serve: cannot listen on {args.host}:{args.port}: {exc}",
                    file=sys.stderr,
                )
                return 1
            print(url, flush=True)
            print(
                f"uipath-mock: serving profile {cloud.profile!r} (seed {cloud.seed}) at {url}; "
                f"controls under {url}/_mock/; Ctrl-C to stop",
                file=sys.stderr,
                flush=True,
            )
            stop.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0

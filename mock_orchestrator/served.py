"""Served mode: the same world over real HTTP on loopback, for clients that are not in-process.

``MockCloud.serve()`` and ``orchestrator-kit serve`` both land here. One origin
(``http://127.0.0.1:PORT``, an ephemeral port unless told) answers for every emulated host by
path -- ``/identity_/...``, ``/oauth/token``, ``/cloudrpa/...``,
``/{org}/{tenant}/orchestrator_/...`` -- and the test controls live only under ``/_mock/``
(see :mod:`mock_orchestrator._served.control`).

Example::

    cloud = MockCloud()
    with cloud.serve() as base_url:             # or serve_in_thread(cloud)
        httpx.get(base_url + "/_mock/health")   # 200
        # configure a client with UIPATH_URL = base_url + "/acmecorp/AcmeDefaultq3v91"

Faults over real HTTP: ``drop`` closes the connection without a response; ``stall`` holds
the response until the client disconnects (its read timeout), the server stops, or
``stall_cap`` real seconds pass (default 30), then closes the connection unanswered.

Time: the served world reads its own clock. ``orchestrator-kit serve`` uses a *ticking*
FakeClock that starts at the wall-clock time, because clients out of process compare a token's
``exp`` with their own wall clock (the ``uipath`` CLI does); ``POST /_mock/clock`` still jumps
it ahead. ``cloud.serve()`` keeps whatever clock the world was built with (frozen by default:
time then stands still unless the test advances it).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from datetime import datetime
from types import FrameType
from typing import TYPE_CHECKING, Any

from ._served.app import DEFAULT_STALL_CAP, ServedApp
from ._served.server import base_url_for, bind, run_in_thread
from .core.clock import FakeClock, SystemClock
from .identity.settings import PROFILES

if TYPE_CHECKING:
    from ._cloud import MockCloud

__all__ = ["DEFAULT_STALL_CAP", "ServedApp", "main", "serve_in_thread"]


@contextmanager
def serve_in_thread(
    cloud: MockCloud,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    stall_cap: float = DEFAULT_STALL_CAP,
) -> Iterator[str]:
    """Serve ``cloud`` with uvicorn in a background thread; yield ``http://HOST:PORT``.

    Returns once ``GET /_mock/health`` has answered 200; on exit the server shuts down
    (stalled responses are released) and the thread is joined.
    """
    sock = bind(host, port)
    try:
        base_url = base_url_for(host, sock)
        app = ServedApp(cloud, origin=base_url, stall_cap=stall_cap)
        with run_in_thread(app, sock, base_url):
            yield base_url
    finally:
        sock.close()


def world_from_options(
    world_file: str | None, profile: str | None, seed: int | None, **options: Any
) -> MockCloud:
    """A world from ``--world FILE`` (if given) and ``--profile``/``--seed``, which must agree
    with the file's when both say. Raises ``OSError`` or ``ValueError`` (``WorldError``) with
    one line a command can print."""
    from ._cloud import MockCloud
    from .world import WorldError, load_world_file

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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="orchestrator-kit serve",
        description=(
            "Serve the mock UiPath cloud over HTTP. Prints the base URL on one line, then serves "
            "until SIGINT or SIGTERM. Test controls live under /_mock/ (health, defaults, clock, "
            "journal, faults, reset)."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default: an ephemeral one)")
    parser.add_argument(
        "--profile",
        choices=PROFILES,
        default=None,
        help="auth generation of the world (identity, or the --world file's)",
    )
    parser.add_argument("--seed", type=int, default=None, help="seed of ids and tokens (0)")
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
        type=float,
        default=DEFAULT_STALL_CAP,
        help="real seconds a stalled response is held (30)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """``orchestrator-kit serve``: serve a fresh world until SIGINT/SIGTERM; exit 0."""

    parser = _parser()
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        cloud = world_from_options(
            args.world, args.profile, args.seed, clock=FakeClock(args.start, ticking=True)
        )
    except (OSError, ValueError) as exc:  # WorldError is a ValueError naming the field
        parser.error(str(exc))
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with ExitStack() as stack:
            try:
                url = stack.enter_context(
                    serve_in_thread(cloud, args.host, args.port, stall_cap=args.stall_cap)
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

"""Served mode: the same world over real HTTP on loopback, for clients that are not in-process.

``MockCloud.serve()`` and ``orchestrator-kit serve`` (:mod:`mock_orchestrator.serve_command`)
both land here. One origin
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

Limits (``limits=ServeLimits(...)``, each an option of ``orchestrator-kit serve``): how long a
request's head and body may take to arrive, how long an idle keep-alive connection stays, how
many connections may be open, how large a body may be (see
:mod:`mock_orchestrator._served.limits`). ``orchestrator-kit serve`` also keeps a smaller
journal (``--journal-limit``, 2,000 exchanges) so that a mock serving all day stays flat.

Time: the served world reads its own clock. ``orchestrator-kit serve`` uses a *ticking*
FakeClock that starts at the wall-clock time, because clients out of process compare a token's
``exp`` with their own wall clock (the ``uipath`` CLI does); ``POST /_mock/clock`` still jumps
it ahead. ``cloud.serve()`` keeps whatever clock the world was built with (frozen by default:
time then stands still unless the test advances it).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from ._served.app import DEFAULT_STALL_CAP, ServedApp
from ._served.limits import ServeLimits
from ._served.server import base_url_for, bind, run_in_thread

if TYPE_CHECKING:
    from ._surface import WorldSurface

__all__ = ["DEFAULT_STALL_CAP", "ServeLimits", "ServedApp", "bind", "serve_in_thread"]


@contextmanager
def serve_in_thread(
    cloud: WorldSurface,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    stall_cap: float = DEFAULT_STALL_CAP,
    limits: ServeLimits | None = None,
) -> Iterator[str]:
    """Serve ``cloud`` with uvicorn in a background thread; yield ``http://HOST:PORT``.

    Returns once ``GET /_mock/health`` has answered 200; on exit the server shuts down
    (stalled responses are released) and the thread is joined.
    """
    sock = bind(host, port)
    try:
        base_url = base_url_for(host, sock)
        app = ServedApp(cloud, origin=base_url, stall_cap=stall_cap, limits=limits)
        with run_in_thread(app, sock, base_url):
            yield base_url
    finally:
        sock.close()

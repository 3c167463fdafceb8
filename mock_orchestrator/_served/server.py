"""uvicorn, run in a background thread with its own event loop, on a socket bound up front.

Binding the socket ourselves (rather than letting uvicorn bind ``port=0``) gives the real
ephemeral port before the server starts and turns "address in use" into an ``OSError`` in the
caller's thread, not a ``sys.exit`` inside uvicorn's. Readiness is a ``threading.Event`` set
at the end of uvicorn's startup, then confirmed by one ``GET /_mock/health``: no sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

from .app import ServedApp
from .limits import guarded_protocol, sweep

__all__ = ["base_url_for", "bind", "http_protocol", "run_in_thread"]

#: How long startup may take before serve_in_thread gives up (real seconds).
READY_TIMEOUT = 15.0
_READY_SLICE = 0.05
#: How long shutdown may wait for open responses before they are cancelled (real seconds).
_GRACEFUL_SHUTDOWN = 3
_SHUTDOWN_POLL = 0.005


def http_protocol() -> type[Any]:
    """uvicorn's fastest HTTP/1.1 protocol here: httptools' (llhttp, in C) when installed,
    else h11's (pure Python). Both carry the guards of ``limits.py`` and the drop fault."""
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:  # httptools is not installed
        from uvicorn.protocols.http.h11_impl import H11Protocol

        return H11Protocol
    return HttpToolsProtocol


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, app: ServedApp, ready: threading.Event) -> None:
        super().__init__(config)
        self._app = app
        self._ready = ready
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._sweeper: asyncio.Future[None] | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        await super().startup(sockets)
        # Closes the connections whose head or body is overdue (see limits.py).
        self._sweeper = asyncio.ensure_future(
            sweep(self.server_state.connections, self._app.limits)
        )
        if self.started:
            self._ready.set()

    async def main_loop(self) -> None:
        # uvicorn polls should_exit every 0.1 s; a wake-up event stops the server at once.
        assert self._wake is not None
        await self._wake.wait()

    def stop(self) -> None:
        """Ask the server to shut down (from any thread)."""
        self.should_exit = True
        if self._loop is not None and self._wake is not None:
            with contextlib.suppress(RuntimeError):  # the loop is already closed
                self._loop.call_soon_threadsafe(self._wake.set)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """uvicorn's graceful shutdown without its fixed pauses (0.1 s, then 0.1 s polls).

        A conformance run serves a fresh world per rule: two tenths of a second per world was a
        fifth of a command client's whole check. Stalled answers are released first; open
        responses get ``_GRACEFUL_SHUTDOWN`` seconds, then their tasks are cancelled.
        """
        self._app.begin_shutdown()
        if self._sweeper is not None:
            self._sweeper.cancel()
        for server in self.servers:
            server.close()
        state = self.server_state
        for connection in list(state.connections):
            connection.shutdown()  # idle keep-alive connections close now, busy ones after
        loop = asyncio.get_running_loop()
        deadline = loop.time() + _GRACEFUL_SHUTDOWN
        while (state.connections or state.tasks) and loop.time() < deadline:
            await asyncio.sleep(_SHUTDOWN_POLL)
        for task in list(state.tasks):
            task.cancel()
        for connection in list(state.connections):
            connection.transport.close()
        await self.lifespan.shutdown()


def bind(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` (``port=0``: an ephemeral one), not yet listening."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    return sock


def base_url_for(host: str, sock: socket.socket) -> str:
    """``http://HOST:PORT`` for a bound socket; a wildcard host is announced as loopback."""
    port = sock.getsockname()[1]
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


@contextmanager
def run_in_thread(app: ServedApp, sock: socket.socket, base_url: str) -> Iterator[None]:
    """Serve ``app`` on ``sock`` until the block exits; wait for readiness first."""
    config = uvicorn.Config(
        app,
        http=guarded_protocol(http_protocol(), app.limits),
        loop="asyncio",
        lifespan="off",
        ws="none",
        log_config=None,
        log_level="warning",
        access_log=False,
        server_header=False,
        date_header=False,  # the app writes Date from the world's clock
        timeout_graceful_shutdown=_GRACEFUL_SHUTDOWN,
        timeout_keep_alive=math.ceil(app.limits.keep_alive),  # uvicorn takes whole seconds
        proxy_headers=False,  # one loopback origin: no proxy to trust, and no middleware
    )
    ready = threading.Event()
    server = _Server(config, app, ready)
    failure: list[BaseException] = []

    def run() -> None:
        try:
            server.run(sockets=[sock])
        except BaseException as exc:  # SystemExit from uvicorn included: report, don't vanish
            failure.append(exc)

    thread = threading.Thread(target=run, name=f"uipath-mock {base_url}", daemon=True)
    thread.start()
    try:
        _wait_ready(thread, ready, failure, base_url, sock)
        yield
    finally:
        server.stop()
        thread.join(READY_TIMEOUT)


def _wait_ready(
    thread: threading.Thread,
    ready: threading.Event,
    failure: list[Any],
    base_url: str,
    sock: socket.socket,
) -> None:
    for _ in range(int(READY_TIMEOUT / _READY_SLICE)):  # bounded: never hangs a test run
        if ready.wait(_READY_SLICE):
            break
        if not thread.is_alive():
            raise RuntimeError(f"uipath-mock: the server on {base_url} failed to start: {failure}")
    else:
        raise RuntimeError(f"uipath-mock: the server on {base_url} did not start in time")
    # One real request proves the whole path (socket, protocol, app) answers. A raw socket,
    # not an httpx client: building one (its TLS context) costs more than the request.
    status = _health_status(sock.getsockname())
    if status != b"200":
        raise RuntimeError(f"uipath-mock: {base_url}/_mock/health answered {status!r}")


def _health_status(address: tuple[Any, ...]) -> bytes:
    host = address[0]
    if host in ("0.0.0.0", ""):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    with socket.create_connection((host, address[1]), timeout=5.0) as probe:
        probe.sendall(
            b"GET /_mock/health HTTP/1.1\r\nHost: uipath-mock\r\nConnection: close\r\n\r\n"
        )
        answer = b""
        while b"\r\n" not in answer:
            chunk = probe.recv(4096)
            if not chunk:
                break
            answer += chunk
    parts = answer.split(b" ", 2)
    return parts[1] if len(parts) > 1 else b"no answer"

"""The served mode's ASGI app: one loopback origin in front of ``cloud.handle``.

A raw ASGI app rather than a framework, because two faults need the connection itself:

* ``drop``  -- ``cloud.handle`` raises ``httpx.RemoteProtocolError``; the app closes the TCP
  connection without a byte of response (the client sees "Server disconnected without sending
  a response"). ASGI has no verb for that, so the uvicorn protocol of ``server.py`` puts each
  connection's transport into ``scope["state"]``.
* ``stall`` -- ``cloud.handle`` raises ``httpx.ReadTimeout``; the app holds the response (an
  async wait, the loop stays free) until the client gives up and disconnects, the server shuts
  down, or ``stall_cap`` seconds of *real* time pass, after which it closes the connection
  without an answer, as an idle proxy would. Only clients with a real read timeout (command
  clients, other languages) meet the cap; in-process clients never stall in real time. The
  stall does not move the world's clock: in served mode real time passes instead.

Everything else becomes an ``httpx.Request`` on the served origin (method, path and query as
sent, headers, body) and is answered by ``cloud.handle`` (in a worker thread when the handler
is marked ``blocking``: a deliberate hold must not stop the loop), which routes a request on
an unknown host as the world's ``served_sites``: every emulated host answers here by path.

CORS: the ``uipath`` CLI's login page (served on ``http://localhost:PORT``) exchanges the code
with a browser ``fetch`` to ``/identity_/connect/token``, so the token endpoints answer
loopback origins with ``Access-Control-Allow-Origin`` and answer the ``OPTIONS`` preflight. [I]
(the page works against the real cloud, so identity_ must allow it; not recorded).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from email.utils import formatdate
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

from ..core.request import MAX_BODY_BYTES
from .control import ControlPlane, is_control_path

if TYPE_CHECKING:
    from .._cloud import MockCloud

__all__ = ["DEFAULT_STALL_CAP", "STATE_TRANSPORT", "ServedApp"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

#: Where the connection's asyncio transport is found in ``scope["state"]``.
STATE_TRANSPORT = "uipath_mock.transport"
#: Real seconds a stalled response is held before the connection is closed.
DEFAULT_STALL_CAP = 30.0
_CONTROL_BODY_LIMIT = 65_536
_TOKEN_PATH = re.compile(r"(?:/[^/]+)?/identity_?/connect/token/?\Z", re.IGNORECASE)
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
_HOP_HEADERS = frozenset({b"content-length", b"transfer-encoding", b"connection", b"keep-alive"})
_JSON = b"application/json; charset=utf-8"


class ServedApp:
    """The ASGI callable serving one world. Built by ``serve_in_thread``."""

    def __init__(
        self, cloud: MockCloud, *, origin: str, stall_cap: float = DEFAULT_STALL_CAP
    ) -> None:
        self.cloud = cloud
        self.origin = origin
        self.stall_cap = stall_cap
        self.control = ControlPlane(cloud, origin)
        self._closing: asyncio.Event | None = None

    def begin_shutdown(self) -> None:
        """Release every stalled response (called in the server's loop at shutdown)."""
        self._closing_event().set()

    def _closing_event(self) -> asyncio.Event:
        if self._closing is None:
            self._closing = asyncio.Event()
        return self._closing

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan is off and websockets are disabled
            return
        path: str = scope["path"]
        method: str = scope["method"]
        if is_control_path(path):
            body = await _read_body(receive, _CONTROL_BODY_LIMIT)
            if body is None:
                return
            status, payload, headers = self.control.dispatch(
                method, path, scope["query_string"].decode("latin-1"), body
            )
            await _send_json(send, status, payload, headers)
            return
        body = await _read_body(receive, MAX_BODY_BYTES + 1)
        if body is None:  # the client went away mid-body
            return
        cors = self._cors_headers(scope, path)
        if method == "OPTIONS" and cors is not None:
            await _send(send, 204, [*cors, *_preflight_headers(scope)], b"")
            return
        request = self._to_request(scope, body)
        if request is None:
            await _send_json(send, 400, {"message": "Bad Request", "errorCode": 0}, {})
            return
        handler = self.cloud.handle
        try:
            if getattr(handler, "blocking", False):
                # A handler marked blocking may wait on purpose (conformance's token hold keeps
                # a refresh until a racing one arrives): it runs in a worker thread, so that
                # the loop keeps answering everyone else meanwhile, the racers included.
                response = await asyncio.to_thread(handler, request)
            else:
                response = handler(request)  # synchronous and fast: no thread needed
        except httpx.TimeoutException:
            await self._stall(scope, receive)
            return
        except httpx.TransportError:
            await _drop(scope, receive)
            return
        await self._send_response(send, response, cors or [])

    # -- translation ----------------------------------------------------------------------

    def _to_request(self, scope: Scope, body: bytes) -> httpx.Request | None:
        raw_path: bytes = scope.get("raw_path") or scope["path"].encode("utf-8")
        if not raw_path.startswith(b"/"):  # absolute-form or "*": not for this origin
            return None
        target = raw_path.decode("latin-1")
        query: bytes = scope["query_string"]
        if query:
            target += "?" + query.decode("latin-1")
        try:
            url = httpx.URL(self.origin + target)
            return httpx.Request(
                scope["method"],
                url,
                headers=list(scope["headers"]),
                content=body,
                # The served front waits in real time itself (see ``_stall``): a stall fault
                # must not also push the world's clock forward.
                extensions={"timeout": {"read": 0.0}},
            )
        except (httpx.InvalidURL, ValueError, UnicodeError):
            return None

    async def _send_response(
        self, send: Send, response: httpx.Response, extra: list[tuple[bytes, bytes]]
    ) -> None:
        body = response.read()
        headers = [(k, v) for k, v in response.headers.raw if k.lower() not in _HOP_HEADERS]
        if response.status_code in (204, 304):  # no body allowed: h11 would reset the connection
            body = b""
            headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
        if not any(k.lower() == b"date" for k, _ in headers):
            # The world's clock, not the wall clock: a client measuring skew sees the world.
            date = formatdate(self.cloud.clock.time(), usegmt=True)
            headers.append((b"date", date.encode("ascii")))
        await _send(send, response.status_code, [*headers, *extra], body)

    def _cors_headers(self, scope: Scope, path: str) -> list[tuple[bytes, bytes]] | None:
        """CORS headers for the token endpoints (None elsewhere; empty for other origins)."""
        if not _TOKEN_PATH.match(path):
            return None
        origin = _header(scope, b"origin")
        if origin is None or not _is_loopback_origin(origin):
            return [(b"vary", b"Origin")]
        return [
            (b"access-control-allow-origin", origin.encode("latin-1")),
            (b"vary", b"Origin"),
        ]

    # -- the two faults that need the connection ----------------------------------------

    async def _stall(self, scope: Scope, receive: Receive) -> None:
        waits = {
            asyncio.ensure_future(_wait_disconnect(receive)),
            asyncio.ensure_future(self._closing_event().wait()),
        }
        _, pending = await asyncio.wait(
            waits, timeout=self.stall_cap, return_when=asyncio.FIRST_COMPLETED
        )
        for task in pending:
            task.cancel()
        await _drop(scope, receive)


async def _drop(scope: Scope, receive: Receive) -> None:
    transport = scope.get("state", {}).get(STATE_TRANSPORT)
    if transport is None:
        raise RuntimeError("uipath-mock: a dropped connection needs serve_in_thread's server")
    if not transport.is_closing():
        transport.close()
    # Returning before uvicorn has seen the disconnect would make it answer a 500.
    await _wait_disconnect(receive)


async def _wait_disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The request body, at most ``limit`` bytes (the rest is left unread); None on disconnect.

    A body over the world's limit is passed on truncated to ``limit`` bytes, so that the
    emulated endpoint refuses it in its own dialect (413) rather than the front door.
    """
    chunks = bytearray()
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks += message.get("body", b"")
        if len(chunks) >= limit:
            return bytes(chunks[:limit])
        if not message.get("more_body", False):
            return bytes(chunks)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def _is_loopback_origin(origin: str) -> bool:
    try:
        parts = urlsplit(origin)
        host = parts.hostname
        _ = parts.port  # a malformed port raises
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and host in _LOOPBACK_HOSTS


def _preflight_headers(scope: Scope) -> list[tuple[bytes, bytes]]:
    asked = _header(scope, b"access-control-request-headers") or "content-type"
    if not re.fullmatch(r"[A-Za-z0-9, -]{1,500}", asked):
        asked = "content-type"
    return [
        (b"access-control-allow-methods", b"POST, OPTIONS"),
        (b"access-control-allow-headers", asked.encode("ascii")),
        (b"access-control-max-age", b"600"),
    ]


async def _send_json(send: Send, status: int, payload: Any, headers: dict[str, str]) -> None:
    body = json.dumps(payload, separators=(",", ":")).encode("utf-8")
    extra = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
    await _send(send, status, [(b"content-type", _JSON), *extra], body)


async def _send(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [*headers, (b"content-length", str(len(body)).encode("ascii"))],
        }
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})

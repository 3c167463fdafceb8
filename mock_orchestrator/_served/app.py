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

from ..core.request import header_triples
from .control import ControlPlane, is_control_path
from .limits import STATE_GUARD, STATE_TRANSPORT, ConnectionGuard, ServeLimits

if TYPE_CHECKING:
    from .._surface import WorldSurface

__all__ = ["DEFAULT_STALL_CAP", "STATE_TRANSPORT", "ServedApp"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

#: Real seconds a stalled response is held before the connection is closed.
DEFAULT_STALL_CAP = 30.0
#: Answers longer than this are written under the body deadline (a client that stops reading
#: them is dropped); shorter ones fit the socket's buffer and cannot block.
_LARGE_ANSWER = 65_536
_TOKEN_PATH = re.compile(r"(?:/[^/]+)?/identity_?/connect/token/?\Z", re.IGNORECASE)
#: How every path ``_TOKEN_PATH`` matches ends, lower-cased: a test ten times cheaper than the
#: pattern, so the other paths (nearly all) skip it.
_TOKEN_TAILS = ("/token", "/token/")
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
_HOP_HEADERS = frozenset({b"content-length", b"transfer-encoding", b"connection", b"keep-alive"})
_JSON = b"application/json; charset=utf-8"
_URL_CACHE_SIZE = 1024
#: The served front waits in real time itself (see ``_stall``): a stall fault must not also
#: push the world's clock forward. Each request gets a copy, as ``httpx.Request`` makes one.
_SERVED_EXTENSIONS: dict[str, Any] = {"timeout": {"read": 0.0}}


class ServedApp:
    """The ASGI callable serving one world. Built by ``serve_in_thread``."""

    def __init__(
        self,
        cloud: WorldSurface,
        *,
        origin: str,
        stall_cap: float = DEFAULT_STALL_CAP,
        limits: ServeLimits | None = None,
    ) -> None:
        self.cloud = cloud
        self.origin = origin
        self.stall_cap = stall_cap
        self.limits = limits or ServeLimits()
        cloud.max_body = min(cloud.max_body, self.limits.max_body)
        self.control = ControlPlane(cloud, origin)
        # target bytes -> parsed URL: parsing is a third of the front's work, and pollers ask
        # for the same few paths again and again (httpx.URL is immutable: safe to share).
        self._urls: dict[bytes, httpx.URL] = {}
        self._date_second = -1
        self._date_value = b""
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
        guard: ConnectionGuard | None = scope["state"].get(STATE_GUARD)
        if guard is None:  # another server (a test's own): no guards, the same answers
            await self._serve(scope, receive, send, None)
            return
        guard.request_started()  # the head is in; the body deadline runs
        try:
            await self._serve(scope, receive, send, guard)
        finally:
            guard.request_done()

    async def _serve(
        self, scope: Scope, receive: Receive, send: Send, guard: ConnectionGuard | None
    ) -> None:
        path: str = scope["path"]
        method: str = scope["method"]
        limits = self.limits
        if is_control_path(path):
            body = await _read_body(receive, limits.control_max_body + 1, guard)
            if body is None:
                return
            if len(body) > limits.control_max_body:
                await _send_json(
                    send,
                    413,
                    {
                        "error": "payload_too_large",
                        "message": f"control bodies are at most {limits.control_max_body} bytes",
                    },
                    {"connection": "close"},  # the rest of the body is left unread
                )
                return
            await self._control(send, method, path, scope["query_string"], body)
            return
        # One byte over the limit is enough for the emulated endpoint to refuse the body in
        # its own dialect (413); the rest is never read.
        body = await _read_body(receive, limits.max_body + 1, guard)
        if body is None:  # the client went away mid-body, or took too long
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
        await self._send_response(send, response, cors or [], guard)

    async def _control(self, send: Send, method: str, path: str, query: bytes, body: bytes) -> None:
        """A ``/_mock/`` request. The journal is rendered (redacted, JSON-encoded) in a worker
        thread: thousands of entries must not hold up the event loop every client shares."""
        if path.rstrip("/") == "/_mock/journal":
            status, encoded, headers = await asyncio.to_thread(
                self._control_encoded, method, path, query, body
            )
        else:
            status, encoded, headers = self._control_encoded(method, path, query, body)
        extra = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
        await _send(send, status, [(b"content-type", _JSON), *extra], encoded)

    def _control_encoded(
        self, method: str, path: str, query: bytes, body: bytes
    ) -> tuple[int, bytes, dict[str, str]]:
        status, payload, headers = self.control.dispatch(
            method, path, query.decode("latin-1"), body
        )
        return status, json.dumps(payload, separators=(",", ":")).encode("utf-8"), headers

    # -- translation ----------------------------------------------------------------------

    def _to_request(self, scope: Scope, body: bytes) -> httpx.Request | None:
        raw_path: bytes = scope.get("raw_path") or scope["path"].encode("utf-8")
        if not raw_path.startswith(b"/"):  # absolute-form or "*": not for this origin
            return None
        query: bytes = scope["query_string"]
        target = raw_path + b"?" + query if query else raw_path
        try:
            url = self._urls.get(target)
            if url is None:
                url = httpx.URL(self.origin + target.decode("latin-1"))
                if len(self._urls) >= _URL_CACHE_SIZE:  # fuzzers send endless new paths
                    self._urls.clear()
                self._urls[target] = url
        except (httpx.InvalidURL, ValueError, UnicodeError):
            return None
        return served_request(scope["method"], url, scope["headers"], body)

    async def _send_response(
        self,
        send: Send,
        response: httpx.Response,
        extra: list[tuple[bytes, bytes]],
        guard: ConnectionGuard | None = None,
    ) -> None:
        """Write ``response``: its own headers but the hop-by-hop ones, a Date from the
        world's clock unless it has one, ``extra``, and the length of its body.

        One pass over httpx's ``(name, lower-case name, value)`` triples: the hot path of
        every served answer (``header_triples``).
        """
        body = response.read()
        if response.status_code in (204, 304):  # no body allowed: h11 would reset the connection
            body = b""
        headers: list[tuple[bytes, bytes]] = []
        dated = False
        for name, lower, value in header_triples(response.headers):
            if lower in _HOP_HEADERS:  # content-length among them: written below, from body
                continue
            dated = dated or lower == b"date"
            headers.append((name, value))
        if not dated:
            # The world's clock, not the wall clock: a client measuring skew sees the world.
            headers.append((b"date", self._date()))
        headers += extra
        headers.append((b"content-length", str(len(body)).encode("ascii")))
        if guard is not None and len(body) > _LARGE_ANSWER:
            guard.deadline(self.limits.body_timeout, answer=False)
        await send(
            {"type": "http.response.start", "status": response.status_code, "headers": headers}
        )
        await send({"type": "http.response.body", "body": body, "more_body": False})

    def _date(self) -> bytes:
        """The world's time as an HTTP date, formatted once per second of it."""
        second = int(self.cloud.clock.time())
        if second != self._date_second:
            self._date_second = second
            self._date_value = formatdate(second, usegmt=True).encode("ascii")
        return self._date_value

    def _cors_headers(self, scope: Scope, path: str) -> list[tuple[bytes, bytes]] | None:
        """CORS headers for the token endpoints (None elsewhere; empty for other origins)."""
        if not path[-7:].lower().endswith(_TOKEN_TAILS) or not _TOKEN_PATH.match(path):
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


def served_request(
    method: str, url: httpx.URL, headers: list[tuple[bytes, bytes]], body: bytes
) -> httpx.Request:
    """The ``httpx.Request`` a server hands on: exactly ``httpx.Request(method, url,
    headers=headers, stream=httpx.ByteStream(body))`` after ``read()``, built in a third of the
    time (the hot path of every served request).

    The server side of httpx's transport API (its words): the headers are the client's as sent,
    nothing auto-populated. ASGI gives them as bytes already, so httpx's per-header
    normalisation (type checks, encoding) has nothing to do; what is left is its
    ``(raw name, lower-case name, value)`` list. tests/mock_orchestrator/test_served_request.py
    pins the equivalence, so an httpx upgrade that changes its internals fails there.
    """
    fields = httpx.Headers.__new__(httpx.Headers)
    fields._list = [(name, name.lower(), value) for name, value in headers]
    fields._encoding = None
    request = httpx.Request.__new__(httpx.Request)
    request.method = method.upper()
    request.url = url
    request.headers = fields
    request.extensions = dict(_SERVED_EXTENSIONS)
    request.stream = httpx.ByteStream(body)
    request._content = body
    return request


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


async def _read_body(receive: Receive, limit: int, guard: ConnectionGuard | None) -> bytes | None:
    """The request body, at most ``limit`` bytes (the rest is left unread); None on disconnect.

    A body over the world's limit is passed on truncated to ``limit`` bytes, so that the
    emulated endpoint refuses it in its own dialect (413) rather than the front door. The
    guard's body deadline, armed when the request started, is lifted once the body is in; if
    it fires first, the client has had its 408 and the connection closes (a disconnect here).
    """
    chunks = b""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks += bytes(message.get("body", b""))
        if len(chunks) >= limit or not message.get("more_body", False):
            break
    if guard is not None:
        guard.cancel()
    return chunks[:limit]


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

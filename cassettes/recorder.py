"""``orchestrator-kit record``: a recording proxy on loopback in front of a UiPath tenant.

Point a client's ``UIPATH_URL`` at the proxy (``http://127.0.0.1:PORT/{org}/{tenant}``; the
reference client derives its token URLs from it). Every request is forwarded to the upstream
(``https://cloud.uipath.com``, an on-prem Orchestrator, or the kit's own served mock), the
client gets the upstream's answer, and the exchange is written to a vcrpy cassette scrubbed on
both sides (:mod:`cassettes._writer`). Where the upstream names itself in an answer (a
discovery document, a redirect) the client sees the proxy's origin instead, so it stays on the
proxy; the cassette keeps what the upstream sent.

Control, never forwarded: ``GET /_record/health``; ``POST /_record/cassette`` with
``{"name": "NAME"}`` starts ``DIR/NAME.yaml`` (one cassette per flow).

Bounds: request bodies of 10 MiB and answers of 50 MiB (413 / 502 beyond), upstream timeouts,
a connection pool of 16, 32 concurrent requests, 5000 interactions per cassette.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import socket
import sys
import threading
from collections.abc import Awaitable, Callable, Iterator, MutableMapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import uvicorn

from mock_orchestrator import SystemClock
from mock_orchestrator.argtypes import ranged
from mock_orchestrator.served import bind

from ._writer import CassetteWriter

__all__ = [
    "MAX_REQUEST_BYTES",
    "MAX_RESPONSE_BYTES",
    "RecordingProxy",
    "main",
    "parse_route",
    "serve",
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

MAX_REQUEST_BYTES = 10 * 1024 * 1024
MAX_RESPONSE_BYTES = 50 * 1024 * 1024
UPSTREAM_TIMEOUT = httpx.Timeout(60.0, connect=10.0, pool=10.0)
UPSTREAM_LIMITS = httpx.Limits(max_connections=16, max_keepalive_connections=8)
MAX_CONCURRENT = 32
_READY_TIMEOUT = 15.0
_NAME = re.compile(r"[\w.-]{1,100}")
# Hop-by-hop headers (RFC 9110 §7.6.1) and those httpx sets itself for the upstream.
_NOT_FORWARDED = frozenset(
    {
        "host",
        "content-length",
        "transfer-encoding",
        "connection",
        "keep-alive",
        "proxy-connection",
        "proxy-authorization",
        "te",
        "trailer",
        "upgrade",
        "accept-encoding",
    }
)
_NOT_RETURNED = frozenset(
    {"content-length", "transfer-encoding", "connection", "keep-alive", "content-encoding"}
)


def _prefix(prefix: str) -> str:
    if not prefix.startswith("/"):
        raise ValueError(f"a route's path prefix starts with '/': {prefix!r}")
    return prefix


def parse_route(text: str) -> tuple[str, str]:
    """``/oauth/=https://account.uipath.com`` -> ``("/oauth/", "https://account.uipath.com")``."""
    prefix, sep, url = text.partition("=")
    if not sep:
        raise ValueError(f"--route is PATH_PREFIX=URL, not {text!r}")
    return _prefix(prefix), _upstream_base(url)


def _upstream_base(upstream: str) -> str:
    parts = urlsplit(upstream)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"--upstream must be an http(s) URL with a host, not {upstream!r}")
    return upstream.rstrip("/")


class RecordingProxy:
    """The ASGI app: forward, answer, record. ``origin`` is where the proxy listens."""

    def __init__(
        self,
        upstream: str,
        cassette_dir: Path,
        *,
        name: str = "recording",
        origin: str = "",
        clock: Any = None,
        transport: httpx.AsyncBaseTransport | None = None,
        routes: Sequence[tuple[str, str]] = (),
    ) -> None:
        self.upstream = _upstream_base(upstream)
        #: ``(path prefix, upstream)``: paths under a prefix go to that upstream instead
        #: (the legacy cloud's tokens live on account.uipath.com, its API on platform...).
        self.routes = [(_prefix(prefix), _upstream_base(url)) for prefix, url in routes]
        self.cassette_dir = cassette_dir
        self.origin = origin
        self._clock = clock or SystemClock()
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self.writer = self._writer(name)

    def _writer(self, name: str) -> CassetteWriter:
        if not _NAME.fullmatch(name):
            raise ValueError(f"a cassette name is letters, digits, '.', '-', '_': {name!r}")
        return CassetteWriter(
            self.cassette_dir / f"{name}.yaml",
            self.upstream,
            recorded_at=self._clock.now().isoformat(timespec="seconds"),
            now=self._clock.time,
            routes=self.routes,
        )

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=UPSTREAM_TIMEOUT,
                limits=UPSTREAM_LIMITS,
                follow_redirects=False,
                trust_env=False,
                transport=self._transport,
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        path: str = scope["path"]
        body = await _read_body(receive)
        if body is None:
            await _plain(send, 413, f"request body over {MAX_REQUEST_BYTES} bytes")
            return
        if path.startswith("/_record/"):
            await self._control(scope["method"], path, body, send)
            return
        raw_path = scope.get("raw_path") or path.encode("utf-8")
        query = scope.get("query_string") or b""
        url = self.upstream_for(path) + raw_path.decode("latin-1")
        if query:
            url += "?" + query.decode("latin-1")
        headers = [
            (k.decode("latin-1"), v.decode("latin-1"))
            for k, v in scope["headers"]
            if k.decode("latin-1").lower() not in _NOT_FORWARDED
        ]
        try:
            answer = await self._forward(scope["method"], url, headers, body)
        except httpx.TimeoutException:
            await _plain(send, 504, "upstream timed out")
            return
        except httpx.HTTPError as error:
            await _plain(send, 502, f"upstream unreachable ({type(error).__name__})")
            return
        if answer is None:
            await _plain(send, 502, f"upstream answer over {MAX_RESPONSE_BYTES} bytes")
            return
        status, response_headers, content = answer
        self.writer.add(scope["method"], url, headers, body, status, response_headers, content)
        await self._answer(send, status, response_headers, content)

    def upstream_for(self, path: str) -> str:
        for prefix, upstream in self.routes:
            if path.startswith(prefix):
                return upstream
        return self.upstream

    async def _forward(
        self, method: str, url: str, headers: list[tuple[str, str]], body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes] | None:
        request = self._http().build_request(method, url, headers=headers, content=body)
        response = await self._http().send(request, stream=True)
        try:
            chunks, size = [], 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > MAX_RESPONSE_BYTES:
                    return None
                chunks.append(chunk)
        finally:
            await response.aclose()
        # aiter_bytes decodes gzip/deflate: the cassette and the client get plain bodies.
        kept = [
            (k, v) for k, v in response.headers.multi_items() if k.lower() != "content-encoding"
        ]
        return response.status_code, kept, b"".join(chunks)

    async def _answer(
        self, send: Send, status: int, headers: list[tuple[str, str]], content: bytes
    ) -> None:
        if self.origin:
            # The client stays on the proxy where an upstream names itself.
            for upstream in {self.upstream, *(u for _, u in self.routes)}:
                content = content.replace(upstream.encode(), self.origin.encode())
                headers = [(k, v.replace(upstream, self.origin)) for k, v in headers]
        out = [
            (k.lower().encode("latin-1"), v.encode("latin-1", "replace"))
            for k, v in headers
            if k.lower() not in _NOT_RETURNED
        ]
        out.append((b"content-length", str(len(content)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": out})
        await send({"type": "http.response.body", "body": content})

    async def _control(self, method: str, path: str, body: bytes, send: Send) -> None:
        if path == "/_record/health" and method == "GET":
            await _plain(send, 200, "ok")
            return
        if path == "/_record/cassette" and method == "POST":
            try:
                name = json.loads(body or b"{}").get("name", "")
                self.writer = self._writer(str(name))
            except (ValueError, AttributeError) as error:
                await _plain(send, 400, str(error) or 'expected {"name": "NAME"}')
                return
            await _plain(send, 200, str(self.writer.path))
            return
        await _plain(send, 404, "unknown control path; /_record/health, /_record/cassette")


async def _read_body(receive: Receive) -> bytes | None:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_REQUEST_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            break
    return b"".join(chunks)


async def _plain(send: Send, status: int, text: str) -> None:
    """The proxy's own answers, in plain text, prefixed so nobody takes them for UiPath's."""
    body = f"orchestrator-kit record: {text}\n".encode()
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _config(app: RecordingProxy) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        loop="asyncio",
        lifespan="off",
        ws="none",
        log_config=None,
        log_level="warning",
        access_log=False,
        server_header=False,
        limit_concurrency=MAX_CONCURRENT,
        timeout_keep_alive=5,
        timeout_graceful_shutdown=3,
    )


class _Server(uvicorn.Server):
    """uvicorn, telling when it is ready and closing the proxy's upstream pool at shutdown."""

    def __init__(self, proxy: RecordingProxy, ready: threading.Event | None = None) -> None:
        super().__init__(_config(proxy))
        self._proxy = proxy
        self._ready = ready or threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            self._ready.set()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        await super().shutdown(sockets)
        await self._proxy.aclose()


@contextmanager
def serve(
    upstream: str,
    cassette_dir: Path,
    *,
    name: str = "recording",
    host: str = "127.0.0.1",
    port: int = 0,
    clock: Any = None,
    routes: Sequence[tuple[str, str]] = (),
) -> Iterator[RecordingProxy]:
    """Run the recording proxy in a background thread; yields it (``proxy.origin``)."""
    cassette_dir.mkdir(parents=True, exist_ok=True)
    sock = bind(host, port)
    origin = f"http://{host}:{sock.getsockname()[1]}"
    proxy = RecordingProxy(
        upstream, cassette_dir, name=name, origin=origin, clock=clock, routes=routes
    )
    ready = threading.Event()
    server = _Server(proxy, ready)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        if not ready.wait(_READY_TIMEOUT):
            raise RuntimeError(f"orchestrator-kit record: the proxy on {origin} did not start")
        yield proxy
    finally:
        server.should_exit = True
        thread.join(_READY_TIMEOUT)
        sock.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="orchestrator-kit record",
        allow_abbrev=False,
        description="A recording proxy on loopback: forwards to --upstream, answers the client "
        "with the upstream's answer, writes scrubbed vcrpy cassettes to --cassette-dir.",
    )
    # Required, but checked after parsing so an unknown option is the error reported first.
    parser.add_argument("--upstream", help="required, e.g. https://cloud.uipath.com")
    parser.add_argument("--host", default="127.0.0.1", help="listen address (default loopback)")
    parser.add_argument(
        "--port",
        type=ranged(int, 0, 65_535, "a port from 0 to 65535"),
        default=0,
        help="listen port (default: ephemeral)",
    )
    parser.add_argument("--cassette-dir", type=Path, help="required: where cassettes go")
    parser.add_argument("--name", default="recording", help="the first cassette's name")
    parser.add_argument(
        "--route",
        action="append",
        default=[],
        metavar="PREFIX=URL",
        help="send paths under PREFIX to another upstream (e.g. /oauth/=https://account.uipath.com)",
    )
    args = parser.parse_args(argv)
    missing = [
        o
        for o, v in (("--upstream", args.upstream), ("--cassette-dir", args.cassette_dir))
        if not v
    ]
    if missing:
        parser.error(f"the following arguments are required: {', '.join(missing)}")
    try:
        _upstream_base(args.upstream)
        routes = [parse_route(route) for route in args.route]
        if not _NAME.fullmatch(args.name):
            raise ValueError(f"a cassette name is letters, digits, '.', '-', '_': {args.name!r}")
        args.cassette_dir.mkdir(parents=True, exist_ok=True)
    except (ValueError, OSError) as error:
        parser.error(str(error))
    try:
        sock = bind(args.host, args.port)
    except OSError as error:
        parser.error(f"cannot listen on {args.host}:{args.port} ({error.strerror})")
    origin = f"http://{args.host}:{sock.getsockname()[1]}"
    proxy = RecordingProxy(
        args.upstream, args.cassette_dir, name=args.name, origin=origin, routes=routes
    )
    # Listening before the URL is printed: a client that connects at once waits in the
    # backlog until uvicorn accepts, instead of being refused.
    sock.listen(MAX_CONCURRENT)
    print(origin, flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        _Server(proxy).run(sockets=[sock])
    count = len(proxy.writer.interactions)
    print(f"recorded {count} interactions into {proxy.writer.path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The baseline of bench/served.py: a bare ASGI app on uvicorn, the mock's HTTP stack.

It answers every request with the body and content type given on the command line, read
whole first, on the same uvicorn, parser (httptools when installed) and event loop the
served mock uses. It prints its base URL, then serves until terminated.

    python bench/_bare_uvicorn.py BODY_FILE CONTENT_TYPE
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

import uvicorn

from mock_orchestrator._served.server import bind, http_protocol

Message = MutableMapping[str, Any]


def make_app(body: bytes, content_type: str) -> Callable[..., Awaitable[None]]:
    headers = [
        (b"content-type", content_type.encode("latin-1")),
        (b"content-length", str(len(body)).encode("ascii")),
    ]

    async def app(
        scope: Message,
        receive: Callable[[], Awaitable[Message]],
        send: Callable[[Message], Awaitable[None]],
    ) -> None:
        if scope["type"] != "http":
            return
        while (await receive()).get("more_body"):  # the request body, read as the mock does
            pass
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


def main() -> None:
    body = Path(sys.argv[1]).read_bytes()
    sock = bind("127.0.0.1", 0)  # as the mock binds (IPPROTO_TCP: asyncio sets TCP_NODELAY)
    sock.listen(128)  # connections wait in the backlog until uvicorn accepts them
    print(f"http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    config = uvicorn.Config(
        make_app(body, sys.argv[2]),
        http=http_protocol(),
        loop="asyncio",
        lifespan="off",
        ws="none",
        log_config=None,
        log_level="warning",
        access_log=False,
        server_header=False,
        proxy_headers=False,
    )
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main()

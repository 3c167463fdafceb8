"""Small readers the rules share: request fields, response JSON, bearer tokens, op checks."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from mock_orchestrator import Exchange

from .._outcome import RuleFailed
from .._world import Op, World, fail

__all__ = [
    "bearer",
    "plural",
    "request_fields",
    "require_ok",
    "response_json",
    "token_kind",
]


def require_ok(world: World, op: Op, what: str) -> Any:
    """The operation's value, or a failure that quotes the client's error (scrubbed)."""
    if op.ok:
        return op.value
    trouble = [e for e in op.exchanges(world) if (e.status_code or 0) >= 400 or e.fault]
    raise RuleFailed(f"{what} failed: {world.scrub(op.error or 'no error text')}", trouble)


def request_fields(exchange: Exchange) -> dict[str, Any]:
    """A request's form or JSON body as a dict (empty when it is neither)."""
    content = exchange.request.content
    if not content:
        return {}
    media = exchange.request.headers.get("content-type", "").split(";")[0].strip().lower()
    text = content.decode("utf-8", "replace")
    if "json" in media or text.lstrip()[:1] == "{":
        try:
            data = json.loads(text)
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}
    return dict(parse_qsl(text, keep_blank_values=True))


def response_json(exchange: Exchange) -> Any:
    if exchange.response is None:
        return None
    try:
        return json.loads(exchange.response.content)
    except ValueError:
        return None


def bearer(exchange: Exchange) -> str | None:
    value = exchange.request.headers.get("authorization", "")
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def token_kind(world: World, token: str | None) -> str | None:
    """``access``, ``id`` or ``pat`` for a token this world issued; None otherwise."""
    if token is None:
        return None
    record = world.cloud.identity.tokens.get(token)
    return None if record is None else record.kind


def plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def no_hang(world: World, op: Op, what: str) -> None:
    if op.hung:
        raise fail(f"{what} never returned: {op.error}", *op.exchanges(world))

"""Reading an Orchestrator request: body, query options, paging numbers, folder headers, keys.

Every handler reads its input through these functions, so a malformed request is refused the
same way on every route, in Orchestrator's dialect (errorCode 1000 ``InvalidRequest``, 1009
``ValidationFailed``, 413), never as a ``ValueError`` that escapes as a 500.
"""

from __future__ import annotations

import re
from typing import Any

from ..core.request import MAX_BODY_BYTES, BadBody, MockRequest
from .exceptions import BodyTooLarge, InvalidRequest, ValidationFailed
from .models.folders import FOLDER_HEADERS, read_folder_headers
from .odata import ODataQuery, parse_key, parse_query

__all__ = [
    "expands",
    "folder_headers",
    "json_body",
    "json_object",
    "key",
    "nonnegative",
    "odata_query",
]

_JSON_TYPES = frozenset({"application/json", "text/json"})
_INTEGER = re.compile(r"-?[0-9]{1,12}")
_FOLDER_HEADER_KEYS = tuple((name, name.encode("ascii")) for name in FOLDER_HEADERS)


def json_body(req: MockRequest) -> Any:
    """The JSON body: 413 above the bound, 1000 for another content type or bad JSON."""
    if len(req.raw.content) > MAX_BODY_BYTES:
        raise BodyTooLarge()
    media = req.media_type
    if media not in _JSON_TYPES and not media.endswith("+json"):
        raise InvalidRequest(f"Unsupported content type '{media[:60] or 'none'}'.")
    try:
        return req.json()
    except BadBody as exc:
        if exc.too_large:
            raise BodyTooLarge() from exc
        raise InvalidRequest(f"The body could not be read: {exc}.") from exc


def json_object(req: MockRequest) -> dict[str, Any]:
    """The JSON body, which must be an object."""
    body = json_body(req)
    if not isinstance(body, dict):
        raise InvalidRequest("The body must be a JSON object.")
    return body


def odata_query(req: MockRequest, fields: dict[str, str]) -> ODataQuery:
    """The OData query options over ``fields`` (see ``odata/``)."""
    try:
        query = req.query
    except BadBody as exc:
        raise InvalidRequest(str(exc)) from exc
    return parse_query(query, fields)


def key(req: MockRequest, name: str = "id") -> int:
    """The Int64 key of an ``Entity(key)`` path (the one OData key parser, ``odata.parse_key``)."""
    return parse_key(req.params[name])


def nonnegative(req: MockRequest, name: str, default: int, upper: int) -> int:
    """A paging number of the ``/api`` routes (``take``, ``skip``), 0..upper; 1009 otherwise."""
    raw = req.query_get(name)
    if raw is None or raw == "":
        return default
    text = raw.strip()
    if _INTEGER.fullmatch(text) is None:
        raise ValidationFailed(f"The value '{raw[:40]}' is not valid for {name}.")
    value = int(text)
    if not 0 <= value <= upper:
        raise ValidationFailed(f"The field {name} must be between 0 and {upper}")
    return value


def expands(req: MockRequest, name: str) -> bool:
    """Whether ``$expand`` names ``name`` (case-insensitive)."""
    expand = req.query_get("$expand") or ""
    return any(part.strip().lower() == name.lower() for part in expand.split(","))


def folder_headers(req: MockRequest) -> dict[str, str]:
    """The request's folder headers, exactly as :func:`read_folder_headers` reads them.

    Speed: four lookups in the request's one-pass header map instead of another scan of every
    header; with no repeated name, "first value wins" is moot and the decoding is the same.
    """
    by_name = req.header_bytes()
    if by_name is None:
        return read_folder_headers(req.raw.headers.raw)
    return {
        name: by_name[raw_name].decode("utf-8", "replace").strip()
        for name, raw_name in _FOLDER_HEADER_KEYS
        if raw_name in by_name
    }

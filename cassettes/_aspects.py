"""What a comparison looks at in one answer: status, media type, error dialect, shape, enums.

Values that depend on the world (tokens, ids, names, times) are never compared; the things a
client branches on are: the status, the content type, which error envelope it is in, the
field names (letter case included) and their JSON types, and the values of enumerations (a
job's ``State``, an OAuth ``error``, an Orchestrator ``errorCode``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ._shape import shape_diff

__all__ = ["ENUM_KEYS", "dialect", "enum_diff", "media_type", "two_way_shape_diff"]

#: Fields whose values are enumerations: a client compares them with constants.
ENUM_KEYS = frozenset(
    {
        "error",
        "errorCode",
        "token_type",
        "State",
        "Source",
        "SourceType",
        "Type",
        "Strategy",
        "JobPriority",
        "Priority",
        "Status",
        "ProcessType",
        "RuntimeType",
        "ReviewStatus",
        "ProcessingExceptionType",
        "ValueType",
        "ValueScope",
        "serviceType",
        "success",
        "unAuthorizedRequest",
    }
)


def media_type(headers: dict[str, Any]) -> str:
    """``application/json`` from ``Content-Type: application/json; charset=utf-8``."""
    for key, value in headers.items():
        if key.lower() == "content-type":
            first = value[0] if isinstance(value, list) and value else value
            return str(first or "").split(";")[0].strip().lower()
    return ""


def dialect(data: Any, text: str, media: str) -> str:
    """Which envelope a body is: the names a client's error handling branches on.

    ``oauth`` ``{"error","error_description"?}`` (IdentityServer and Auth0), ``abp``
    (``"__abp": true``, Orchestrator's authorization layer), ``login`` (``{"message",
    "errorCode","resourceIds"}``, ``/api/Account/Authenticate``), ``orchestrator``
    (``{"message","errorCode","traceId"?}``), ``odata-error`` (``{"error":{"code",...}}``),
    ``odata`` (``{"@odata.context",...}``), ``json`` (any other JSON), ``html``, ``text``,
    ``empty``.
    """
    if not text.strip():
        return "empty"
    if isinstance(data, dict):
        if data.get("__abp") is True:
            return "abp"
        if isinstance(data.get("error"), str):
            return "oauth"
        if isinstance(data.get("error"), dict):
            return "odata-error"
        if "errorCode" in data and "resourceIds" in data:
            return "login"
        if "errorCode" in data and "message" in data:
            return "orchestrator"
        if "@odata.context" in data:
            return "odata"
    if data is not None:
        return "json"
    return "html" if "html" in media or text.lstrip().startswith("<") else "text"


def two_way_shape_diff(recorded: Any, live: Any) -> list[str]:
    """Keys and types that differ: a recorded key the mock lacks (``missing``), a key only the
    mock sends (``unexpected``), letter case, and JSON types (``null`` matches any type)."""
    return shape_diff(recorded, live)


def _enum_leaves(data: Any, path: str = "$") -> Iterator[tuple[str, str, Any]]:
    if isinstance(data, dict):
        for key, value in data.items():
            if key in ENUM_KEYS and isinstance(value, (str, int, bool)):
                yield f"{path}.{key}", key, value
            else:
                yield from _enum_leaves(value, f"{path}.{key}")
    elif isinstance(data, list):
        for index, item in enumerate(data[:50]):
            yield from _enum_leaves(item, f"{path}[{index}]")


def enum_diff(recorded: Any, live: Any) -> list[str]:
    """Enumeration values that differ at the same place (placeholders are not values)."""
    live_values = {path: value for path, _, value in _enum_leaves(live)}
    out = []
    for path, _, value in _enum_leaves(recorded):
        if isinstance(value, str) and value.startswith("<") and value.endswith(">"):
            continue
        if path in live_values and live_values[path] != value:
            out.append(f"{path}: {value!r} recorded, {live_values[path]!r} live")
    return out

"""The world document's schema: what each key and field may hold, checked in one place.

Every check takes ``(where, value)`` and returns the normalised value or raises
:class:`WorldError` naming the field (``releases[0].folder``) and what it must be.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..core.clock import MAX_STEP_SECONDS
from ..orchestrator.models.assets import ASSET_TYPES
from ..orchestrator.models.releases import OUTCOMES

__all__ = [
    "MAX_ITEMS",
    "READ_ONLY_KEYS",
    "SETTINGS",
    "STARTUP_KEYS",
    "WRITABLE_KEYS",
    "WorldError",
]

#: Keys ``POST /_mock/world`` (and a file) may carry.
WRITABLE_KEYS = (
    "folders",
    "releases",
    "processes",
    "queues",
    "assets",
    "apps",
    "users",
    "settings",
)
#: Keys chosen when a world starts (a file, ``from_world``); a POST may repeat them unchanged.
STARTUP_KEYS = ("profile", "seed")
#: Keys ``GET /_mock/world`` shows that no document can change.
READ_ONLY_KEYS = ("tenants", "robots")
#: Bound on the items of one list (or of ``processes``) in one document.
MAX_ITEMS = 1000
_MAX_TEXT = 500
_MAX_SECONDS = float(MAX_STEP_SECONDS)
GRANT_TYPES = ("client_credentials", "authorization_code", "refresh_token", "password")


class WorldError(ValueError):
    """A document the world refuses: ``field`` names where (``releases[0].folder``)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"'{field}' {message}")
        self.field = field
        self.message = message


# -- field checks: each returns the normalised value or raises WorldError --------------------

Check = Callable[[str, Any], Any]


def text(*, empty: bool = False, limit: int = _MAX_TEXT) -> Check:
    def check(where: str, value: Any) -> Any:
        if not isinstance(value, str) or (not empty and not value.strip()) or len(value) > limit:
            raise WorldError(
                where,
                f"must be a {'' if empty else 'non-empty '}string of at most {limit} characters",
            )
        return value

    return check


def optional(inner: Check) -> Check:
    def check(where: str, value: Any) -> Any:
        return None if value is None else inner(where, value)

    return check


def integer(low: int, high: int) -> Check:
    def check(where: str, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise WorldError(where, f"must be an integer from {low} to {high}")
        return value

    return check


def seconds(where: str, value: Any) -> Any:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or not 0 <= value <= _MAX_SECONDS
    ):
        raise WorldError(where, f"must be a number of seconds from 0 to {int(_MAX_SECONDS)}")
    return float(value)


def boolean(where: str, value: Any) -> Any:
    if not isinstance(value, bool):
        raise WorldError(where, "must be true or false")
    return value


def one_of(*allowed: Any) -> Check:
    def check(where: str, value: Any) -> Any:
        if value not in allowed or isinstance(value, bool) != isinstance(allowed[0], bool):
            raise WorldError(where, f"must be one of {', '.join(json.dumps(a) for a in allowed)}")
        return value

    return check


def _names(where: str, value: Any) -> frozenset[str]:
    """A list of scope (or grant) names, or one space-separated string of them."""
    items = value.split() if isinstance(value, str) else value
    if not isinstance(items, list) or not all(
        isinstance(i, str) and i and " " not in i and len(i) <= 200 for i in items
    ):
        raise WorldError(where, "must be a list of names (or one space-separated string)")
    return frozenset(items)


def _asset_value(where: str, value: Any) -> Any:
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, int) and -(2**31) <= value < 2**31:
        return value
    raise WorldError(where, "must be a string, a 32-bit integer, true/false or null")


def _output_arguments(where: str, value: Any) -> Any:
    parsed = value
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = None
    if not isinstance(parsed, dict):
        raise WorldError(where, "must be a JSON object (or a string holding one)")
    return parsed


def _error(where: str, value: Any) -> Any:
    if isinstance(value, str) and len(value) <= 10_000:
        return value
    if isinstance(value, dict):
        return value
    raise WorldError(where, "must be the exception text (a string) or an object of JobError fields")


@dataclass(frozen=True)
class Field:
    check: Check
    required: bool = False


def checked_object(where: str, value: Any, spec: Mapping[str, Field]) -> dict[str, Any]:
    """``value`` checked against ``spec``: a JSON object with known keys, each checked."""
    if not isinstance(value, dict):
        raise WorldError(where, f"must be an object with keys: {', '.join(spec)}")
    unknown = sorted(set(value) - set(spec))
    if unknown:
        raise WorldError(
            f"{where}.{unknown[0]}", f"is not a known field; allowed: {', '.join(spec)}"
        )
    out: dict[str, Any] = {}
    for name, field in spec.items():
        if name in value:
            out[name] = field.check(f"{where}.{name}", value[name])
        elif field.required:
            raise WorldError(f"{where}.{name}", "is required")
    return out


def items(where: str, value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise WorldError(where, "must be a list of objects")
    if len(value) > MAX_ITEMS:
        raise WorldError(where, f"may hold at most {MAX_ITEMS} items")
    return value


FOLDER = {"path": Field(text(), True), "description": Field(optional(text(empty=True)))}
RELEASE = {
    "name": Field(text(limit=200), True),
    "folder": Field(text()),
    "process_version": Field(text(limit=100)),
    "process_key": Field(text(limit=200)),
    "description": Field(optional(text(empty=True))),
}
BEHAVIOUR = {
    "folder": Field(text()),
    "pending_seconds": Field(seconds),
    "running_seconds": Field(seconds),
    "stopping_seconds": Field(seconds),
    "outcome": Field(one_of(*OUTCOMES)),
    "error": Field(_error),
    "output_arguments": Field(_output_arguments),
}
QUEUE = {
    "name": Field(text(limit=200), True),
    "folder": Field(text()),
    "description": Field(optional(text(empty=True))),
    "max_retries": Field(integer(0, 50)),
    "enforce_unique_reference": Field(boolean),
}
ASSET = {
    "name": Field(text(limit=200), True),
    "folder": Field(text()),
    "value": Field(_asset_value),
    "value_type": Field(one_of(*ASSET_TYPES)),
    "username": Field(text(limit=200)),
    "password": Field(text(empty=True, limit=1000)),
    "description": Field(optional(text(empty=True))),
}
APP = {
    "client_id": Field(text(limit=200), True),
    "client_secret": Field(optional(text(limit=1000))),
    "name": Field(text(limit=200)),
    "scopes": Field(_names),
    "user_scopes": Field(_names),
    "grant_types": Field(_names),
    "redirect_uris": Field(_names),
}
USER = {
    "username": Field(text(limit=200), True),
    "email": Field(text(limit=200)),
    "name": Field(text(limit=200)),
    "password": Field(text(limit=1000)),
}

#: Every setting a document may change: AuthSettings by field name (but ``profile``), and the
#: Orchestrator's. A test checks that each AuthSettings field is here.
SETTINGS: dict[str, Check] = {
    "access_token_lifetime": integer(1, 10 * 366 * 86400),
    "refresh_rotation": boolean,
    "refresh_token_lifetime": optional(integer(1, 100 * 366 * 86400)),
    "reuse_detection": boolean,
    "grace_window": seconds,
    "grace_returns": one_of("new", "same"),
    "revoke_access_tokens_with_family": boolean,
    "revocable_access_tokens": boolean,
    "code_lifetime": integer(1, 86400),
    "legacy_invalid_grant_status": integer(400, 499),
    "identity_form_only": boolean,
    "identity_json_body": one_of("invalid_request", "html"),
    "unknown_organization": one_of("invalid_client", "ignore"),
    "rate_limit_per_minute": optional(integer(0, 1_000_000)),
    "folderless_lists": one_of("error", "all_folders"),
}
ORCHESTRATOR_SETTINGS = frozenset({"rate_limit_per_minute", "folderless_lists"})

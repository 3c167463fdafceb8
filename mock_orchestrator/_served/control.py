"""The ``/_mock/`` control plane: the served mode's test controls, never mixed into the API.

moto keeps its controls under ``/moto-api/``; this kit keeps them under ``/_mock/`` so that no
emulated UiPath route can ever collide with them. Every answer is JSON. Bad input gets a 400
``{"error": "bad_request", "message": ...}`` naming the field, an unknown control endpoint a 404
listing the real ones, a known one with the wrong method a 405 with ``Allow``.

=========================  ===========================================================
``GET /_mock/health``      200 ``{"status": "ok", "profile", "seed"}`` when ready
``GET /_mock/defaults``    the world's defaults, URLs rewritten to the served origin
                           (secrets included: this is a client's configuration)
``GET /_mock/clock``       ``{"now": epoch, "iso": ...}``
``POST /_mock/clock``      ``{"advance_seconds": N}`` -> the new time
``GET /_mock/journal``     the kept exchanges, redacted; ``?since=SEQ`` for the newer ones
                           (rendered off the event loop, in time that follows what is new)
``GET /_mock/faults``      the schedule, with how often each fault matched and fired
``POST /_mock/faults``     body = ``cloud.faults.add`` keyword arguments -> 201 the fault
``DELETE /_mock/faults``   clear the schedule
``POST /_mock/reset``      rebuild the world (same profile and seed; the clock stays)
``GET /_mock/world``       the whole world as one document, no secrets (``world/``)
``POST /_mock/world``      a partial document: adds or changes; 400 naming the field
=========================  ===========================================================
"""

from __future__ import annotations

import json
import math
import re
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from ..core.clock import MAX_STEP_SECONDS
from ..core.faults import compile_path_pattern

if TYPE_CHECKING:
    from .._surface import WorldSurface

__all__ = ["PREFIX", "ControlPlane", "is_control_path"]

PREFIX = "/_mock"

Answer = tuple[int, Any, dict[str, str]]


class BadControlInput(ValueError):
    """A control request the plane refuses with a 400 (the message names the field)."""


def is_control_path(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


# What ``POST /_mock/faults`` accepts: field -> (check, what it must be).
def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    if _is_int(v):
        return True  # math.isfinite() of an int past a float's range raises OverflowError
    return isinstance(v, float) and math.isfinite(v)


_FAULT_FIELDS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "kind": (lambda v: isinstance(v, str), "a string"),
    "route": (lambda v: v is None or isinstance(v, str), "a route label or null"),
    "path": (lambda v: v is None or isinstance(v, str), "a regex or null"),
    "method": (lambda v: v is None or isinstance(v, str), "an HTTP method or null"),
    # 1xx cannot be a final answer on HTTP/1.1: h11 refuses to send one.
    "status": (lambda v: _is_int(v) and 200 <= v <= 599, "an integer from 200 to 599"),
    "body": (lambda v: True, "any JSON value"),
    "headers": (
        lambda v: (
            isinstance(v, dict)
            and all(isinstance(k, str) and isinstance(x, str) for k, x in v.items())
        ),
        "an object of string values",
    ),
    "retry_after": (lambda v: v is None or (_is_int(v) and v >= 0), "an integer >= 0"),
    "latency": (
        lambda v: _is_number(v) and 0 <= v <= MAX_STEP_SECONDS,
        f"a number of seconds from 0 to {MAX_STEP_SECONDS:g}",
    ),
    "times": (lambda v: v is None or (_is_int(v) and v >= 0), "an integer >= 0 or null"),
    "after": (lambda v: _is_int(v) and v >= 0, "an integer >= 0"),
    "probability": (
        lambda v: v is None or (_is_number(v) and 0 <= v <= 1),
        "a number from 0 to 1 or null",
    ),
}
_HEADER_VALUE = re.compile(r"[\t\x20-\x7e]*\Z")


def parse_fault(body: bytes) -> dict[str, Any]:
    """The keyword arguments of ``faults.add`` in a control request, checked field by field."""
    spec = _json_object(body)
    unknown = sorted(set(spec) - set(_FAULT_FIELDS))
    if unknown:
        raise BadControlInput(
            f"unknown fault field(s): {', '.join(unknown)}; known: {', '.join(_FAULT_FIELDS)}"
        )
    for name, value in spec.items():
        check, what = _FAULT_FIELDS[name]
        if not check(value):
            raise BadControlInput(f"'{name}' must be {what}")
    for name, value in (spec.get("headers") or {}).items():
        # The fault's headers go on the wire as they are: refuse what HTTP cannot carry.
        if not re.fullmatch(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+", name) or not _HEADER_VALUE.match(value):
            raise BadControlInput(f"header {name!r} cannot be sent over HTTP")
    path = spec.get("path")
    if isinstance(path, str):
        try:
            compile_path_pattern(path)
        except ValueError as exc:
            raise BadControlInput(f"'path' is not a valid regex: {exc}") from exc
    return spec


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body, parse_constant=_no_constant) if body else None
    except (ValueError, RecursionError) as exc:
        raise BadControlInput(f"the body must be a JSON object ({exc})") from exc
    if not isinstance(value, dict):
        raise BadControlInput("the body must be a JSON object")
    return value


class ControlPlane:
    """Answers ``/_mock/...`` requests for one served world."""

    def __init__(self, cloud: WorldSurface, origin: str) -> None:
        self.cloud = cloud
        self.origin = origin
        self._routes: dict[tuple[str, str], Callable[[str, bytes], Answer]] = {
            ("GET", "/health"): self.health,
            ("GET", "/defaults"): self.defaults,
            ("GET", "/clock"): self.clock,
            ("POST", "/clock"): self.advance_clock,
            ("GET", "/journal"): self.journal,
            ("GET", "/faults"): self.list_faults,
            ("POST", "/faults"): self.add_fault,
            ("DELETE", "/faults"): self.clear_faults,
            ("POST", "/reset"): self.reset,
            **_world_routes(cloud),
        }

    def dispatch(self, method: str, path: str, query: str, body: bytes) -> Answer:
        """One control request -> ``(status, JSON payload, extra headers)``."""
        sub = path[len(PREFIX) :].rstrip("/") or "/"
        handler = self._routes.get((method, sub))
        if handler is None:
            allowed = sorted(m for m, p in self._routes if p == sub)
            if allowed:
                return _error(
                    405,
                    "method_not_allowed",
                    f"{method} is not allowed on {path}",
                    {"allow": ", ".join(allowed)},
                )
            known = ", ".join(f"{m} {PREFIX}{p}" for m, p in self._routes)
            return _error(404, "not_found", f"uipath-mock: no control endpoint {path}; {known}")
        try:
            return handler(query, body)
        except BadControlInput as exc:
            return _error(400, "bad_request", str(exc))
        except Exception:  # a bug of the control plane: reported like the world's own
            self.cloud.internal_errors.append(traceback.format_exc(limit=8))
            return _error(500, "internal_error", "uipath-mock: the control plane failed")

    # -- endpoints ------------------------------------------------------------------------

    def health(self, query: str, body: bytes) -> Answer:
        return 200, {"status": "ok", "profile": self.cloud.profile, "seed": self.cloud.seed}, {}

    def defaults(self, query: str, body: bytes) -> Answer:
        return 200, self.cloud.defaults.rebased(self.origin).as_dict(), {}

    def clock(self, query: str, body: bytes) -> Answer:
        return 200, self._now(), {}

    def advance_clock(self, query: str, body: bytes) -> Answer:
        spec = _json_object(body)
        extra = sorted(set(spec) - {"advance_seconds"})
        if extra:
            raise BadControlInput(f"unknown field(s): {', '.join(extra)}; send advance_seconds")
        seconds: Any = spec.get("advance_seconds")
        if not _is_number(seconds) or not 0 <= seconds <= MAX_STEP_SECONDS:
            raise BadControlInput(
                f"'advance_seconds' must be a number of seconds from 0 to {MAX_STEP_SECONDS}"
            )
        self.cloud.clock.advance(float(seconds))
        return 200, self._now(), {}

    def journal(self, query: str, body: bytes) -> Answer:
        try:
            params = dict(parse_qsl(query, max_num_fields=20))
        except ValueError as exc:
            raise BadControlInput("too many query parameters") from exc
        since_text = params.get("since", "0")
        # "²".isdigit() is True; and int() of thousands of digits is refused (or slow).
        if not (since_text.isascii() and since_text.isdigit() and len(since_text) <= 18):
            raise BadControlInput("'since' must be a sequence number from 0 to 10^18")
        return 200, self.cloud.journal.to_list(since=int(since_text)), {}

    def list_faults(self, query: str, body: bytes) -> Answer:
        return 200, [fault.to_dict() for fault in self.cloud.faults], {}

    def add_fault(self, query: str, body: bytes) -> Answer:
        spec = parse_fault(body)
        try:
            fault = self.cloud.faults.add(**spec)
        except (ValueError, TypeError) as exc:  # the Fault's own checks (kind, route/path)
            raise BadControlInput(str(exc)) from exc
        return 201, fault.to_dict(), {}

    def clear_faults(self, query: str, body: bytes) -> Answer:
        cleared = len(list(self.cloud.faults))
        self.cloud.faults.clear()
        return 200, {"cleared": cleared}, {}

    def reset(self, query: str, body: bytes) -> Answer:
        self.cloud.reset()
        return 200, {"status": "reset", "now": self.cloud.clock.time()}, {}

    def _now(self) -> dict[str, Any]:
        now = self.cloud.clock.now()
        return {"now": now.timestamp(), "iso": now.isoformat()}


# -- the world document (mock_orchestrator/world: one schema, validated there) ---------------


def _world_routes(cloud: WorldSurface) -> dict[tuple[str, str], Callable[[str, bytes], Answer]]:
    """``GET|POST /_mock/world``: read the whole world, or shape it with a partial document."""
    from ..world import WorldError, apply_world, describe_world

    def get_world(query: str, body: bytes) -> Answer:
        return 200, describe_world(cloud), {}

    def post_world(query: str, body: bytes) -> Answer:
        try:
            apply_world(cloud, _json_object(body))
        except WorldError as exc:
            raise BadControlInput(str(exc)) from exc
        return 200, describe_world(cloud), {}

    return {("GET", "/world"): get_world, ("POST", "/world"): post_world}


def _error(status: int, error: str, message: str, headers: dict[str, str] | None = None) -> Answer:
    return status, {"error": error, "message": message}, headers or {}

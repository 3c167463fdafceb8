"""Unmodelled is not silent: a request the mock does not serve says so, on the wire and off it.

The status stays what the mock's routing gives (404 for an unknown path, 405 for a known path
asked with another method), because a client must still see a failure. On top of it:

* the ``X-UiPath-Mock-Unmodelled`` response header names what is missing: the published
  operation (from ``orchestrator/data/operations.json``) when UiPath has one there, and the
  closest routes the mock does serve;
* the journal entry's ``error`` starts with ``uipath-mock: no route for`` (filter on it);
* the ``mock_orchestrator.unmodelled`` logger warns, once per method and path in a world: with
  no logging configured Python prints warnings to stderr, so ``orchestrator-kit serve``'s
  console shows them, and pytest's log capture keeps them for a failing test's report.

So a user knows at once that the mock, not their client, is the limit.
"""

from __future__ import annotations

import functools
import logging
import re

from .core.routing import ALL_SITES, Route, Router
from .orchestrator.data import operations
from .orchestrator.entities.routes import path_regex

__all__ = ["HEADER", "MARK", "describe", "published_operation"]

HEADER = "x-uipath-mock-unmodelled"
#: How the journal's ``error`` of an unmodelled request starts.
MARK = "uipath-mock: no route for"
LOG = logging.getLogger("mock_orchestrator.unmodelled")
#: Where the Orchestrator part of a path starts, whatever URL shape is in front of it.
_API_ROOT = re.compile(r"/(?:odata|api)/", re.IGNORECASE)
_MAX_HEADER = 400


@functools.cache
def _published() -> Router:
    # routes as data only: the label names the operation, nothing serves them
    return Router(
        Route(op.method, path_regex(op.path), _unserved, name=op.operation)
        for op in operations().values()
    )


def _unserved(*args: object) -> None:  # pragma: no cover - never called: a lookup table
    raise AssertionError("uipath-mock: the published-operation table serves nothing")


def published_operation(method: str, path: str) -> str | None:
    """The id of the published operation ``method path`` is, if UiPath publishes one."""
    found = _API_ROOT.search(path)
    if found is None:
        return None
    match = _published().match(method, path[found.start() :], ALL_SITES)
    return match.route.name if match is not None else None


def describe(method: str, path: str, closest: list[str]) -> str:
    """The one line the header, the journal and the log carry."""
    op_id = published_operation(method, path)
    text = f"{MARK} {method} {path}"
    if op_id is not None:
        op = operations()[op_id]
        text += f" (UiPath's {op.tag} operation {op_id}, not served by the mock)"
    if closest:
        text += "; closest served: " + ", ".join(closest)
    return text


def header_value(text: str) -> str:
    """Header-safe (ASCII, one line, bounded) form of :func:`describe`'s text."""
    safe = text.encode("ascii", "backslashreplace").decode("ascii").replace("\r", " ")
    safe = safe.replace("\n", " ")
    return safe if len(safe) <= _MAX_HEADER else safe[: _MAX_HEADER - 3] + "..."


class Warned:
    """The (method, path) pairs a world has already warned about, bounded."""

    def __init__(self, limit: int = 256) -> None:
        self.limit = limit
        self.seen: set[tuple[str, str]] = set()

    def warn(self, method: str, path: str, text: str) -> None:
        key = (method, path)
        if key in self.seen:
            return
        if len(self.seen) >= self.limit:
            self.seen.clear()
        self.seen.add(key)
        LOG.warning("%s", text)

"""The journal: every exchange the world served, in order, for assertions and reports.

Recording is cheap (references to the httpx objects, no copying, no redaction) because it sits
on the hot path; redaction happens when an entry is rendered (``to_dict``), so nothing secret
ever leaves through a journal dump, a report or the served ``/_mock/journal``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from .redact import redact_body, redact_headers, redact_url

__all__ = ["Exchange", "Journal"]


@dataclass(slots=True, eq=False)
class Exchange:
    """One request and what the world answered."""

    seq: int
    at: float
    request: httpx.Request
    response: httpx.Response | None
    route: str | None
    site: str
    fault: str | None = None
    error: str | None = None
    #: Why auth was refused, when it was ("expired", "revoked", "id_token", ...).
    auth: str | None = None

    @property
    def method(self) -> str:
        return self.request.method

    @property
    def host(self) -> str:
        return self.request.url.host

    @property
    def path(self) -> str:
        return self.request.url.path

    @property
    def status_code(self) -> int | None:
        return None if self.response is None else self.response.status_code

    def request_header(self, name: str) -> str | None:
        value: str | None = self.request.headers.get(name)
        return value

    def to_dict(self) -> dict[str, Any]:
        """A redacted, JSON-ready view of the exchange."""
        req = self.request
        out: dict[str, Any] = {
            "seq": self.seq,
            "at": self.at,
            "method": req.method,
            "url": redact_url(str(req.url)),
            "route": self.route,
            "site": self.site,
            "request_headers": redact_headers(req.headers.multi_items()),
            "request_body": redact_body(req.content, req.headers.get("content-type", "")),
            "status": self.status_code,
        }
        if self.response is not None:
            resp = self.response
            out["response_headers"] = redact_headers(resp.headers.multi_items())
            out["response_body"] = redact_body(resp.content, resp.headers.get("content-type", ""))
        for key in ("fault", "error", "auth"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out

    def __repr__(self) -> str:
        return f"<Exchange #{self.seq} {self.method} {self.path} -> {self.status_code}>"


class Journal:
    """An ordered, thread-safe list of :class:`Exchange` with small query helpers.

    ``token_routes`` are the labels :meth:`token_requests` counts; the world passes the set it
    derives from its route table (``kind`` token or password login), so the journal keeps no
    list of its own.
    """

    def __init__(self, token_routes: Iterable[str] = ()) -> None:
        self._entries: list[Exchange] = []
        self._lock = threading.Lock()
        self.token_routes = frozenset(token_routes)

    def record(self, exchange: Exchange) -> None:
        with self._lock:
            self._entries.append(exchange)

    def next_seq(self) -> int:
        return len(self._entries) + 1

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[Exchange]:
        return iter(list(self._entries))

    def __getitem__(self, index: int) -> Exchange:
        return self._entries[index]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def filter(
        self,
        *,
        route: str | None = None,
        method: str | None = None,
        path_contains: str | None = None,
        status: int | None = None,
        where: Callable[[Exchange], bool] | None = None,
    ) -> list[Exchange]:
        """Entries matching every given criterion; ``route`` is a route label or handler name."""
        found = []
        for entry in list(self._entries):
            if route is not None and entry.route != route:
                continue
            if method is not None and entry.method != method.upper():
                continue
            if path_contains is not None and path_contains.lower() not in entry.path.lower():
                continue
            if status is not None and entry.status_code != status:
                continue
            if where is not None and not where(entry):
                continue
            found.append(entry)
        return found

    def token_requests(self) -> list[Exchange]:
        """Every request to a token endpoint of any profile (what "how many refreshes" counts)."""
        token_routes = self.token_routes
        return [e for e in list(self._entries) if e.route in token_routes]

    def to_list(self) -> list[dict[str, Any]]:
        return [entry.to_dict() for entry in list(self._entries)]

"""The journal: the exchanges the world served, in order, for assertions and reports.

Recording is cheap (references to the httpx objects, no copying, no redaction) because it sits
on the hot path; redaction happens when an entry is rendered (``to_dict``), so nothing secret
ever leaves through a journal dump, a report or the served ``/_mock/journal``.

Memory is bounded, because a served mock may run all day in a shared CI service: the journal
keeps the newest ``limit`` exchanges (older ones are forgotten, their sequence numbers are not
reused), and a request or response body longer than ``body_limit`` bytes is kept cut to that
length with a marker saying how long it was. Sequence numbers run on from 1 for the life of
the journal, so ``since(seq)`` finds what is new by walking back from the newest entry: its
cost follows what is new, not what is kept.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from .redact import redact_body, redact_headers, redact_url

__all__ = ["DEFAULT_BODY_LIMIT", "DEFAULT_LIMIT", "SERVED_LIMIT", "Exchange", "Journal"]

#: Exchanges an in-process world keeps (a test's world is short-lived: about 6 KB each).
DEFAULT_LIMIT = 10_000
#: Exchanges ``orchestrator-kit serve`` keeps by default: about 12 MB, flat all day.
SERVED_LIMIT = 2_000
#: Bytes of a request or response body the journal keeps; longer ones are cut with a marker.
DEFAULT_BODY_LIMIT = 16_384


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
    """An ordered, thread-safe, bounded list of :class:`Exchange` with small query helpers.

    ``token_routes`` are the labels :meth:`token_requests` counts; the world passes the set it
    derives from its route table (``kind`` token or password login), so the journal keeps no
    list of its own. ``limit`` (None: unbounded) is how many exchanges are kept, the newest;
    ``body_limit`` (None: whole) how many bytes of each body. ``len()`` counts the kept ones,
    ``total`` every one ever recorded.
    """

    def __init__(
        self,
        token_routes: Iterable[str] = (),
        *,
        limit: int | None = DEFAULT_LIMIT,
        body_limit: int | None = DEFAULT_BODY_LIMIT,
    ) -> None:
        if limit is not None and limit < 1:
            raise ValueError("the journal limit must be at least 1 (or None: unbounded)")
        if body_limit is not None and body_limit < 0:
            raise ValueError("the journal body limit must be >= 0 (or None: whole bodies)")
        self.limit = limit
        self.body_limit = body_limit
        self._entries: deque[Exchange] = deque(maxlen=limit)
        self._total = 0
        self._lock = threading.Lock()
        self.token_routes = frozenset(token_routes)

    def record(self, exchange: Exchange) -> None:
        if self.body_limit is not None:
            _truncate_bodies(exchange, self.body_limit)
        with self._lock:
            self._entries.append(exchange)
            self._total += 1

    def next_seq(self) -> int:
        return self._total + 1

    @property
    def total(self) -> int:
        """How many exchanges were ever recorded (kept or forgotten)."""
        return self._total

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[Exchange]:
        return iter(list(self._entries))

    def __getitem__(self, index: int) -> Exchange:
        return self._entries[index]

    def clear(self) -> None:
        """Forget every kept exchange; numbering goes on (a poller's ``since`` stays valid)."""
        with self._lock:
            self._entries.clear()

    def since(self, seq: int) -> list[Exchange]:
        """The kept exchanges numbered above ``seq``, oldest first, in time proportional to them.

        Walks back from the newest entry and stops at the first one at or below ``seq``.
        """
        with self._lock:
            if seq >= self._total:
                return []
            newer: list[Exchange] = []
            for entry in reversed(self._entries):
                if entry.seq <= seq:
                    break
                newer.append(entry)
        newer.reverse()
        return newer

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

    def to_list(self, since: int = 0) -> list[dict[str, Any]]:
        """Redacted, JSON-ready entries numbered above ``since`` (all kept ones by default)."""
        return [entry.to_dict() for entry in self.since(since)]


def _truncate_bodies(exchange: Exchange, limit: int) -> None:
    """Replace a request or response whose body exceeds ``limit`` by a copy cut to it.

    Only big bodies pay (one ``len`` otherwise). The caller keeps the original response: the
    journal's copy is a new object. The marker names the real length, so a reader knows.
    """
    request = exchange.request
    try:
        content = request.content
    except httpx.RequestNotRead:  # a streamed request nobody read: nothing kept of it
        content = b""
    if len(content) > limit:
        exchange.request = httpx.Request(
            request.method,
            request.url,
            headers=request.headers,
            content=_cut(content, limit),
            extensions=request.extensions,
        )
    response = exchange.response
    if response is None:
        return
    try:
        body = response.content
    except httpx.ResponseNotRead:
        return
    if len(body) > limit:
        exchange.response = httpx.Response(
            response.status_code,
            headers=response.headers,
            content=_cut(body, limit),
            request=exchange.request,
            extensions=response.extensions,
        )


def _cut(content: bytes, limit: int) -> bytes:
    return content[:limit] + f"... [uipath-mock: truncated, {len(content)} bytes]".encode("ascii")

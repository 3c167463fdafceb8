"""Fault injection: scheduled misbehaviour per route, deterministic, in UiPath's own dialect.

A fault matches a route label (``"identity.token"``, ``"orchestrator.start_jobs"``), a path
regex, or both, and fires ``times`` times (``None`` = forever), after skipping the first
``after`` matching requests, or with a seeded ``probability``. Kinds:

``response``        any status, body and headers (503 with ``Retry-After``, 500, 502 ...)
``drop``            the connection closes without a response (``httpx.RemoteProtocolError``)
``stall``           no answer until the client's read timeout; without one, the fault's
                    ``saw_no_timeout`` is set (a real server would hang forever)
``login_redirect``  the login-page trap: 302 to an HTML login page
``login_html``      the login-page trap: 200 ``text/html``

``latency`` (seconds on the world's clock) may be added to any kind, or used alone with
``kind="latency"``. Faults never read the wall clock: latency advances the world.

Path patterns are matched by RE2 (google-re2), whose time is linear in the path whatever the
pattern: a served mock shares its event loop with every client, and Python's backtracking
``re`` would let ``(a|a)+$`` against ``/aaaa…a!`` freeze all of them for seconds. RE2 has no
backreferences or lookaround; a pattern that uses them, or is longer than
``MAX_PATTERN_LENGTH``, is refused with a ``ValueError`` naming what to change (a 400 over
``POST /_mock/faults``). Matching ignores case, as before.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import re2

from .clock import MAX_STEP_SECONDS

__all__ = [
    "LOGIN_PAGE_HTML",
    "MAX_PATTERN_LENGTH",
    "Fault",
    "FaultKind",
    "Faults",
    "compile_path_pattern",
]

#: The longest path pattern a fault may have (a path itself is bounded by the server).
MAX_PATTERN_LENGTH = 512
#: RE2's memory budget for one compiled pattern: a pattern needing more is refused.
_PATTERN_MEMORY = 1 << 20


class PathPattern(Protocol):
    def search(self, text: str) -> object | None: ...


def compile_path_pattern(pattern: str) -> PathPattern:
    """A case-insensitive, linear-time (RE2) matcher for ``pattern``; ``ValueError`` if refused."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise ValueError(
            f"the path pattern is {len(pattern)} characters long; at most {MAX_PATTERN_LENGTH}"
        )
    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False  # RE2 would print every refused pattern on stderr
    options.max_mem = _PATTERN_MEMORY
    try:
        compiled: PathPattern = re2.compile(pattern, options)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise ValueError(
            f"the path pattern is not allowed: {reason} (faults match with RE2, in linear "
            "time: no backreferences, no lookaround, no \\Z; use $ for the end)"
        ) from exc
    return compiled


FaultKind = Literal["response", "drop", "stall", "login_redirect", "login_html", "latency"]
_KINDS = ("response", "drop", "stall", "login_redirect", "login_html", "latency")

LOGIN_PAGE_HTML = (
    "<!DOCTYPE html><html><head><title>UiPath - Sign in</title></head>"
    '<body><form method="post" action="/identity_/web/login">'
    '<input name="username"/><input name="password" type="password"/></form></body></html>'
)


@dataclass
class Fault:
    """One scheduled fault. Built by :meth:`Faults.add`."""

    kind: FaultKind = "response"
    route: str | None = None
    path: str | None = None
    method: str | None = None
    status: int = 503
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    retry_after: int | None = None
    latency: float = 0.0
    times: int | None = 1
    after: int = 0
    probability: float | None = None
    #: How many requests matched, and how many the fault fired on.
    seen: int = 0
    fired: int = 0
    #: A ``stall`` met a request without a read timeout (the client would hang forever).
    saw_no_timeout: bool = False

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; one of {', '.join(_KINDS)}")
        if self.route is None and self.path is None:
            raise ValueError("a fault needs a route label or a path regex")
        if self.probability is not None and not 0 <= self.probability <= 1:
            raise ValueError("probability must be between 0 and 1")
        if self.times is not None and self.times < 0:
            raise ValueError("times must be >= 0 or None")
        # Checked here, not when the fault fires: a too-long step would fail a later request.
        if not 0 <= self.latency <= MAX_STEP_SECONDS:
            raise ValueError(f"latency must be between 0 and {MAX_STEP_SECONDS} seconds")
        self._path_re = compile_path_pattern(self.path) if self.path else None
        # Own copy: a caller reusing one headers dict for several faults must not see the
        # first fault's Retry-After leak into the next.
        self.headers = dict(self.headers)
        if self.retry_after is not None and not any(
            name.lower() == "retry-after" for name in self.headers
        ):
            self.headers["Retry-After"] = str(self.retry_after)

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.fired >= self.times

    def label(self) -> str:
        where = self.route or self.path
        if self.kind == "response":
            return f"{self.kind}:{self.status}@{where}"
        return f"{self.kind}@{where}"

    def matches(self, route: str | None, method: str, path: str) -> bool:
        if self.route is not None and self.route != route:
            return False
        if self.method is not None and self.method.upper() != method:
            return False
        return not (self._path_re is not None and self._path_re.search(path) is None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "route": self.route,
            "path": self.path,
            "method": self.method,
            "status": self.status,
            "times": self.times,
            "after": self.after,
            "probability": self.probability,
            "latency": self.latency,
            "seen": self.seen,
            "fired": self.fired,
        }


class Faults:
    """The world's fault schedule. ``pick`` is called once per routed request."""

    def __init__(self, seed: int = 0, routes: set[str] | frozenset[str] | None = None) -> None:
        #: The route labels a fault may name; a typo would otherwise never fire, silently.
        self._routes = frozenset(routes) if routes is not None else None
        self._faults: list[Fault] = []
        self._random = random.Random(seed ^ 0x5EED)
        self._lock = threading.Lock()

    def add(self, kind: FaultKind = "response", **options: Any) -> Fault:
        """Schedule a fault, e.g. ``add(route="identity.token", status=503, retry_after=2)``."""
        fault = Fault(kind=kind, **options)
        if self._routes is not None and fault.route is not None and fault.route not in self._routes:
            raise ValueError(f"uipath-mock: no route labelled {fault.route!r}")
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def __bool__(self) -> bool:
        return bool(self._faults)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(list(self._faults))

    def pending(self) -> list[Fault]:
        """Faults that never fired: the ``assert_all_called`` check of a fixture teardown."""
        return [f for f in self._faults if f.fired == 0 and (f.times is None or f.times > 0)]

    def pick(self, route: str | None, method: str, path: str) -> Fault | None:
        if not self._faults:
            return None
        with self._lock:
            for fault in self._faults:
                if fault.exhausted or not fault.matches(route, method, path):
                    continue
                fault.seen += 1
                if fault.seen <= fault.after:
                    continue
                if fault.probability is not None and self._random.random() >= fault.probability:
                    continue
                fault.fired += 1
                return fault
        return None

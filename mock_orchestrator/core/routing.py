"""Routes declared as data: method, path regex, the handler itself, and what the route *means*.

A route table is a plain list (moto's ``url_paths``, gcp-storage-emulator's ``HANDLERS``). The
:class:`Router` compiles it once. Paths are matched case-insensitively, as ASP.NET routes are.
A :class:`Mount` hands the rest of a path to a sub-router (the Orchestrator lives under several
URL shapes, so its table is written once and mounted under each prefix). Static routes go in a
dict, so the hot Orchestrator paths cost one lookup, not a scan.

Sites say on which emulated hosts a route is served:

* ``ACCOUNT``  -- account.uipath.com (the Auth0 tenant of the legacy cloud)
* ``CLOUD``    -- cloud.uipath.com, platform.uipath.com (and alpha/staging)
* ``ONPREM``   -- the on-prem Orchestrator host of the world

A route carries its meaning, so that nothing else keeps a list of labels that can drift: its
``kind`` (a token endpoint, a password login, a browser step...), whether it acts inside a
folder, which scopes it needs. The journal's token query, the conformance rules' route sets and
the Orchestrator prelude (token, scope, folder headers) all read these fields; see
``mock_orchestrator/_routes.py`` for the derived sets and ``docs/architecture.md``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "ACCOUNT",
    "ALL_SITES",
    "CLOUD",
    "KINDS",
    "ONPREM",
    "Match",
    "Mount",
    "Route",
    "RouteKind",
    "Router",
]

ACCOUNT = "account"
CLOUD = "cloud"
ONPREM = "onprem"
ALL_SITES = frozenset({ACCOUNT, CLOUD, ONPREM})

_REGEX_META = re.compile(r"[\\()\[\]{}?*+|^$.]")


#: What a route is for. ``api``: an ordinary call of the emulated API. ``token``: a token
#: endpoint (what "how many refreshes" counts). ``password_login``: a username/password login
#: that issues a token (on-prem ``/api/Account/Authenticate``; it counts as a token endpoint
#: too). ``login_trap``: where a password login goes and is refused (the cloud's errorCode 1000).
#: ``human``: a step only a person in a browser takes (authorize). ``logout``: revocation and
#: end session. ``discovery``: metadata and lookups a client reads before it calls (OpenID
#: configuration, JWKS, tenant lookups, the version probe). ``control``: a test control of the
#: mock itself; the emulated hosts declare none (the served ``/_mock/`` plane is its own table).
RouteKind = Literal[
    "api", "token", "password_login", "login_trap", "human", "logout", "discovery", "control"
]
KINDS: tuple[RouteKind, ...] = (
    "api",
    "token",
    "password_login",
    "login_trap",
    "human",
    "logout",
    "discovery",
    "control",
)


@dataclass(frozen=True)
class Route:
    """One endpoint: where it is, the function that serves it, and what it means.

    ``handler`` is the function itself (an editor follows it); ``service`` is the class whose
    per-world instance serves the route (``service.serve(route, request)``), which calls
    ``handler`` with what that service's handlers take. ``name`` is the route's label: the name
    faults, journal filters, conformance rules and IMPLEMENTATION_COVERAGE.md use.
    ``scopes`` is None for an anonymous route; otherwise the token needs one of them (an
    empty set: any valid token). ``folder`` says the call acts inside a folder, so it reads the
    folder headers; ``"list"`` is a folder-scoped list, which a world may let read every folder
    the caller sees when no folder header comes (``registry.folderless_lists``).
    """

    method: str
    path: str
    handler: Callable[..., Any]
    sites: frozenset[str] = ALL_SITES
    name: str = ""
    service: type | None = None
    kind: RouteKind = "api"
    folder: bool | Literal["list"] = False
    scopes: frozenset[str] | None = None

    @property
    def label(self) -> str:
        return self.name or getattr(self.handler, "__name__", repr(self.handler))


@dataclass(frozen=True)
class Mount:
    """A prefix whose remainder is routed by ``router``; the prefix's groups join the params."""

    prefix: str
    router: Router
    sites: frozenset[str] = ALL_SITES


@dataclass(frozen=True)
class Match:
    route: Route
    params: dict[str, str] = field(default_factory=dict)


def _is_static(path: str) -> bool:
    return _REGEX_META.search(path) is None


def _required_literal(pattern: str) -> str:
    """The longest run of plain characters every match of ``pattern`` must contain, lower-cased.

    Groups are dropped (their text may vary or be optional); ``\\(`` and friends count as the
    literal character. The router checks this substring before running the regex: a substring
    test costs a tenth of a failed ``re.match``, and most routes fail on it.
    """
    runs, current, depth, i = [], [], 0, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            if depth == 0 and not nxt.isalnum():
                current.append(nxt)
            else:
                runs.append("".join(current))
                current = []
            i += 2
            continue
        if char == "{" and depth == 0:  # a {m,n} quantifier: its atom may be absent
            runs.append("".join(current)[:-1])
            current = []
            i = pattern.find("}", i) + 1 or len(pattern)
            continue
        if char == "(":
            depth += 1
        if depth == 0 and not _REGEX_META.match(char):
            current.append(char)
        else:
            runs.append("".join(current))
            current = []
        if char == ")":
            depth -= 1
        if char in "?*" and runs:
            runs[-1] = runs[-1][:-1]  # the atom before an optional quantifier may be absent
        i += 1
    runs.append("".join(current))
    return max(runs, key=len).lower()


class Router:
    """Compiled route table. ``match`` returns a :class:`Match` or ``None``."""

    def __init__(self, entries: Iterable[Route | Mount] = ()) -> None:
        self._static: dict[tuple[str, str], list[Route]] = {}
        self._ordered: list[tuple[re.Pattern[str], str, Route | Mount]] = []
        self.routes: list[Route] = []
        for entry in entries:
            self.add(entry)

    def add(self, entry: Route | Mount) -> None:
        if isinstance(entry, Route):
            self.routes.append(entry)
            if _is_static(entry.path):
                key = (entry.method.upper(), entry.path.lower())
                self._static.setdefault(key, []).append(entry)
                return
            pattern = re.compile(entry.path + r"\Z", re.IGNORECASE)
            literal = _required_literal(entry.path)
        else:
            pattern = re.compile(entry.prefix + r"(?=/|\Z)", re.IGNORECASE)
            literal = _required_literal(entry.prefix)
        self._ordered.append((pattern, literal, entry))

    def match(self, method: str, path: str, sites: frozenset[str]) -> Match | None:
        lowered = path.lower()
        for route in self._static.get((method, lowered), ()):
            if route.sites & sites:
                return Match(route)
        for pattern, literal, entry in self._ordered:
            if literal not in lowered or not entry.sites & sites:
                continue
            if isinstance(entry, Route):
                if entry.method != method:
                    continue
                found = pattern.match(path)
                if found is not None:
                    return Match(entry, found.groupdict())
                continue
            found = pattern.match(path)
            if found is None:
                continue
            inner = entry.router.match(method, path[found.end() :] or "/", sites)
            if inner is not None:
                inner.params.update(found.groupdict())
                return inner
        return None

    def allows_other_method(self, path: str, sites: frozenset[str]) -> bool:
        """True when the path exists under another method (for a 405 rather than a 404)."""
        return any(
            self.match(method, path, sites) is not None
            for method in ("GET", "POST", "PUT", "PATCH", "DELETE")
        )

    def allowed_methods(self, path: str, sites: frozenset[str], *, prefix: str = "") -> list[str]:
        """The methods that do serve ``path`` (for a 405's ``Allow``), among the routes whose
        label starts with ``prefix``."""
        found = []
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            match = self.match(method, path, sites)
            if match is not None and match.route.label.startswith(prefix):
                found.append(method)
        return found

    def all_routes(self) -> list[Route]:
        found = list(self.routes)
        for _, _, entry in self._ordered:
            if isinstance(entry, Mount):
                found.extend(entry.router.all_routes())
        return found

    def closest(self, method: str, path: str, n: int = 3) -> list[str]:
        """The declared routes most like ``method path``, for UnsupportedEndpoint's message."""
        candidates = sorted({f"{r.method} {r.path}" for r in self.all_routes()})
        return difflib.get_close_matches(f"{method} {path}", candidates, n=n, cutoff=0.3)


def describe(routes: Sequence[Route]) -> list[str]:
    return [f"{r.method} {r.path}" for r in routes]

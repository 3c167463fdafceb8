"""The world's whole route table, and the route sets derived from it.

Order matters only where patterns overlap: the identity routes and the trap come before the
Orchestrator mounts, whose first segments are free (``/{org}/{tenant}/...``).

What a route *means* is written on the route (``kind``, ``folder``, ``scopes``; see
``core/routing.py``); the sets below are computed from the table, never kept by hand, so a
renamed or added route is counted everywhere at once: the journal's token query, the
conformance rules' route sets, the folder checks.
"""

from __future__ import annotations

import functools

from .core.routing import CLOUD, ONPREM, Mount, Route, RouteKind, Router
from .identity.urls import IDENTITY_ROUTES
from .orchestrator.urls import ORCHESTRATOR_ROUTES, ROOT_ROUTES

__all__ = [
    "FOLDER_ROUTES",
    "HUMAN_ROUTES",
    "PASSWORD_ROUTES",
    "TOKEN_ROUTES",
    "all_routes",
    "build_router",
    "labels_where",
    "route_labels",
    "shared_router",
]

_SEG = r"[^/]+"


def build_router() -> Router:
    orchestrator = Router(ORCHESTRATOR_ROUTES)
    return Router(
        [
            *IDENTITY_ROUTES,
            # the anonymous version probe at the host root (the CLI calls it before auth)
            Mount("/orchestrator_", Router(ROOT_ROUTES), frozenset({CLOUD, ONPREM})),
            # modern cloud and Automation Suite: /{org}/{tenant}/orchestrator_/odata/...
            Mount(
                rf"/(?P<org>{_SEG})/(?P<tenant>{_SEG})/orchestrator_",
                orchestrator,
                frozenset({CLOUD, ONPREM}),
            ),
            # the 2020 cloud shape and the legacy platform shape: /{account}/{tenant}/odata/...
            Mount(rf"/(?P<org>{_SEG})/(?P<tenant>{_SEG})", orchestrator, frozenset({CLOUD})),
            # bare /odata/...: on-prem, and platform.uipath.com with X-UIPATH-TenantName
            Mount("", orchestrator, frozenset({CLOUD, ONPREM})),
        ]
    )


@functools.cache
def shared_router() -> Router:
    """The one compiled table all worlds share: routes are data and matching is pure.

    Compiling it took two thirds of building a world, which every test (and every example of
    the fuzz tests) pays. Per-world state, such as the cache of matches, lives in the world.
    """
    return build_router()


def all_routes() -> tuple[Route, ...]:
    """Every declared route, once (a table mounted under several prefixes counts once)."""
    return tuple(dict.fromkeys([*IDENTITY_ROUTES, *ROOT_ROUTES, *ORCHESTRATOR_ROUTES]).keys())


@functools.cache
def route_labels() -> frozenset[str]:
    """Every route label, for checking that a fault or a rule names a real route."""
    return frozenset(route.label for route in all_routes())


def labels_where(
    *, kinds: tuple[RouteKind, ...] | None = None, folder: bool | None = None
) -> frozenset[str]:
    """The labels of the routes of one of ``kinds`` and/or with that folder scoping."""
    return frozenset(
        route.label
        for route in all_routes()
        # folder="list" is folder-scoped too (a world may let it read every folder)
        if (kinds is None or route.kind in kinds)
        and (folder is None or bool(route.folder) is folder)
    )


#: Every token endpoint of any profile, the password login that issues one included (what
#: "how many refreshes" counts).
TOKEN_ROUTES = labels_where(kinds=("token", "password_login"))
#: Where a password login goes: the on-prem login and the cloud's errorCode 1000 trap.
PASSWORD_ROUTES = labels_where(kinds=("password_login", "login_trap"))
#: The steps only a person in a browser takes (an unattended client never visits them).
HUMAN_ROUTES = labels_where(kinds=("human",))
#: Orchestrator calls that act inside a folder, so they need a folder header.
FOLDER_ROUTES = labels_where(folder=True)

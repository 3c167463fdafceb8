"""The world's whole route table: identity first, then Orchestrator under each URL shape.

Order matters only where patterns overlap: the identity routes and the trap come before the
Orchestrator mounts, whose first segments are free (``/{org}/{tenant}/...``).
"""

from __future__ import annotations

import functools

from .core.routing import CLOUD, ONPREM, Mount, Router
from .identity.urls import IDENTITY_ROUTES
from .orchestrator.urls import ORCHESTRATOR_ROUTES, ROOT_ROUTES

__all__ = ["build_router", "route_labels", "shared_router"]

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


@functools.cache
def route_labels() -> frozenset[str]:
    """Every route label, for checking that a fault names a real route."""
    return frozenset(route.label for route in shared_router().all_routes())

"""Orchestrator's route table, relative to the Orchestrator root (mounted under each URL shape).

``_routes.py`` mounts :data:`ORCHESTRATOR_ROUTES` under ``/{org}/{tenant}/orchestrator_``
(modern cloud, Automation Suite), ``/{org}/{tenant}`` (the 2020 cloud and legacy platform
shapes) and the bare host (``/odata/...``: on-prem, and platform.uipath.com with
``X-UIPATH-TenantName``).

Each row says everything about its route: the handler (a function of ``handlers/``), the
scopes a token needs (``scopes.py``) and whether it acts inside a folder (then the prelude
resolves the folder headers and the handler gets ``call.folder``). The label is
``orchestrator.<handler name>``, the name faults, journal filters and conformance rules use.
The hot route, ``GET odata/Jobs({id})`` (what a poller calls), is the first regex tried.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Literal

from ..core.routing import Route, RouteKind
from .handlers import assets, folders, jobs, platform, queues, releases, robots, transactions
from .responses import OrchestratorService
from .scopes import (
    ANY_TOKEN,
    ASSETS_READ,
    FOLDERS_READ,
    JOBS_READ,
    JOBS_WRITE,
    QUEUES_READ,
    QUEUES_WRITE,
    RELEASES_READ,
    ROBOTS_READ,
    USERS_READ,
)

__all__ = ["ORCHESTRATOR_ROUTES", "ROOT_ROUTES", "route"]

_ACTION = r"UiPath\.Server\.Configuration\.OData\."
_KEY = r"\((?P<id>[^)/]*)\)"
#: The transaction calls name the key as the swagger does.
_ITEM_KEY = r"\((?P<key>[^)/]*)\)"


def route(
    method: str,
    path: str,
    handler: Callable[..., Any],
    *,
    scopes: frozenset[str] | None,
    folder: bool | Literal["list"],
    kind: RouteKind = "api",
) -> Route:
    """An Orchestrator route: served by :class:`OrchestratorService`, labelled by its handler.

    ``scopes=None`` is an anonymous route (its handler takes the bare request).
    """
    return Route(
        method,
        path,
        handler,
        name="orchestrator." + handler.__name__,
        service=OrchestratorService,
        scopes=scopes,
        folder=folder,
        kind=kind,
    )


#: Mounted under /{org}/{tenant}/orchestrator_, /{org}/{tenant}, and the bare host.
ORCHESTRATOR_ROUTES: list[Route] = [
    # -- jobs (handlers/jobs.py) --
    route("GET", r"/odata/Jobs" + _KEY, jobs.get_job, scopes=JOBS_READ, folder=True),
    route(
        "GET",
        r"/odata/Jobs/" + _ACTION + r"GetByKey\(identifier=(?P<identifier>[^)/]*)\)",
        jobs.get_job_by_key,
        scopes=JOBS_READ,
        folder=True,
    ),
    route("GET", "/odata/Jobs", jobs.list_jobs, scopes=JOBS_READ, folder="list"),
    route(
        "POST",
        r"/odata/Jobs/" + _ACTION + "StartJobs",
        jobs.start_jobs,
        scopes=JOBS_WRITE,
        folder=True,
    ),
    route(
        "POST",
        r"/odata/Jobs/" + _ACTION + "StopJobs",
        jobs.stop_jobs,
        scopes=JOBS_WRITE,
        folder=True,
    ),
    route(
        "POST",
        r"/odata/Jobs" + _KEY + "/" + _ACTION + "StopJob",
        jobs.stop_job,
        scopes=JOBS_WRITE,
        folder=True,
    ),
    # -- releases, folders, users --
    route("GET", "/odata/Releases", releases.list_releases, scopes=RELEASES_READ, folder="list"),
    route(
        "GET",
        r"/odata/Releases/" + _ACTION + "ListReleases",
        releases.list_releases,
        scopes=RELEASES_READ,
        folder="list",
    ),
    route("GET", "/odata/Folders", folders.list_folders, scopes=FOLDERS_READ, folder=False),
    route(
        "GET",
        "/api/FoldersNavigation/GetFoldersForCurrentUser",
        folders.folders_for_current_user,
        scopes=FOLDERS_READ,
        folder=False,
    ),
    route(
        "GET",
        r"/odata/Users/" + _ACTION + "GetCurrentUserExtended",
        folders.current_user_extended,
        scopes=USERS_READ,
        folder=False,
    ),
    # -- assets and queues --
    route(
        "GET",
        r"/odata/Assets/" + _ACTION + "GetFiltered",
        assets.assets_filtered,
        scopes=ASSETS_READ,
        folder="list",
    ),
    route(
        "POST",
        r"/odata/Assets/" + _ACTION + "GetRobotAssetByNameForRobotKey",
        assets.robot_asset,
        scopes=ASSETS_READ,
        folder=True,
    ),
    route(
        "GET",
        "/odata/QueueDefinitions",
        queues.list_queue_definitions,
        scopes=QUEUES_READ,
        folder="list",
    ),
    route("GET", "/odata/QueueItems", queues.list_queue_items, scopes=QUEUES_READ, folder="list"),
    route(
        "POST",
        r"/odata/Queues/UiPathODataSvc\.AddQueueItem",
        queues.add_queue_item,
        scopes=QUEUES_WRITE,
        folder=True,
    ),
    # -- first run, version --
    route(
        "POST",
        "/api/StudioWeb/TryEnableFirstRun",
        platform.studio_web_first_run,
        scopes=ANY_TOKEN,
        folder=False,
    ),
    route(
        "POST",
        "/api/StudioWeb/AcquireLicense",
        platform.studio_web_license,
        scopes=ANY_TOKEN,
        folder=False,
    ),
    route(
        "GET",
        "/api/status/version",
        platform.status_version,
        scopes=None,
        folder=False,
        kind="discovery",
    ),
    route(
        "POST",
        r"/odata/Jobs/" + _ACTION + "RestartJob",
        jobs.restart_job,
        scopes=JOBS_WRITE,
        folder=True,
    ),
    # -- what robots see and do (handlers/robots.py, handlers/transactions.py) --
    route("GET", "/odata/Robots", robots.list_robots, scopes=ROBOTS_READ, folder=True),
    route("GET", "/odata/Sessions", robots.list_sessions, scopes=ROBOTS_READ, folder=True),
    route(
        "POST",
        r"/odata/Queues/UiPathODataSvc\.StartTransaction",
        transactions.start_transaction,
        scopes=QUEUES_WRITE,
        folder=True,
    ),
    route(
        "POST",
        r"/odata/QueueItems" + _ITEM_KEY + r"/UiPathODataSvc\.SetTransactionProgress",
        transactions.set_transaction_progress,
        scopes=QUEUES_WRITE,
        folder=True,
    ),
    route(
        "POST",
        r"/odata/Queues" + _ITEM_KEY + r"/UiPathODataSvc\.SetTransactionResult",
        transactions.set_transaction_result,
        scopes=QUEUES_WRITE,
        folder=True,
    ),
    route(
        "POST",
        r"/odata/Queues/UiPathODataSvc\.BulkAddQueueItems",
        transactions.bulk_add_queue_items,
        scopes=QUEUES_WRITE,
        folder=True,
    ),
]


def _published_routes() -> list[Route]:
    """The generic entity-set routes (``entities/``), for every operation of their table that
    no hand-written route above already serves. Appended last: the hot routes stay first."""
    from ..core.routing import CLOUD, Router
    from .data import operations
    from .entities.routes import entity_routes
    from .entities.table import TABLE

    hand_written = Router(ORCHESTRATOR_ROUTES)
    sample = re.compile(r"\{\w+\}")
    wanted = [
        (op_id, behaviour)
        for op_id, behaviour in TABLE.items()
        if hand_written.match(
            operations()[op_id].method,
            sample.sub("1", operations()[op_id].path),
            frozenset({CLOUD}),
        )
        is None
    ]
    return entity_routes(wanted)


ORCHESTRATOR_ROUTES += _published_routes()

#: Served at the host root under /orchestrator_ (no org/tenant): the anonymous version probe.
ROOT_ROUTES: list[Route] = [
    route(
        "GET",
        "/api/status/version",
        platform.status_version,
        scopes=None,
        folder=False,
        kind="discovery",
    ),
]

"""Orchestrator's route table, relative to the Orchestrator root (mounted under each URL shape).

``_routes.py`` mounts :data:`ORCHESTRATOR_ROUTES` under ``/{org}/{tenant}/orchestrator_``
(modern cloud, Automation Suite), ``/{org}/{tenant}`` (the 2020 cloud and legacy platform
shapes) and the bare host (``/odata/...``: on-prem, and platform.uipath.com with
``X-UIPATH-TenantName``). Handler names are the route labels faults and journal filters use.
The hot route, ``GET odata/Jobs({id})`` (what a poller calls), is the first regex tried.
"""

from __future__ import annotations

import re

from ..core.routing import Route

__all__ = ["ORCHESTRATOR_ROUTES", "ROOT_ROUTES"]

_ACTION = r"UiPath\.Server\.Configuration\.OData\."
_KEY = r"\((?P<id>[^)/]*)\)"
#: The transaction calls name the key as the swagger does.
_ITEM_KEY = r"\((?P<key>[^)/]*)\)"


def _robots(method: str, path: str, name: str) -> Route:
    """A route of ``robot_responses.py``, labelled ``orchestrator.<name>`` like the others."""
    return Route(method, path, "orchestrator_robots." + name, name="orchestrator." + name)


#: Mounted under /{org}/{tenant}/orchestrator_, /{org}/{tenant}, and the bare host.
ORCHESTRATOR_ROUTES: list[Route] = [
    Route("GET", r"/odata/Jobs" + _KEY, "orchestrator.get_job"),
    Route(
        "GET",
        r"/odata/Jobs/" + _ACTION + r"GetByKey\(identifier=(?P<identifier>[^)/]*)\)",
        "orchestrator.get_job_by_key",
    ),
    Route("GET", "/odata/Jobs", "orchestrator.list_jobs"),
    Route("POST", r"/odata/Jobs/" + _ACTION + "StartJobs", "orchestrator.start_jobs"),
    Route("POST", r"/odata/Jobs/" + _ACTION + "StopJobs", "orchestrator.stop_jobs"),
    Route("POST", r"/odata/Jobs" + _KEY + "/" + _ACTION + "StopJob", "orchestrator.stop_job"),
    Route("GET", "/odata/Releases", "orchestrator.list_releases"),
    Route("GET", r"/odata/Releases/" + _ACTION + "ListReleases", "orchestrator.list_releases"),
    Route("GET", "/odata/Folders", "orchestrator.list_folders"),
    Route(
        "GET",
        "/api/FoldersNavigation/GetFoldersForCurrentUser",
        "orchestrator.folders_for_current_user",
    ),
    Route(
        "GET",
        r"/odata/Users/" + _ACTION + "GetCurrentUserExtended",
        "orchestrator.current_user_extended",
    ),
    Route("GET", r"/odata/Assets/" + _ACTION + "GetFiltered", "orchestrator.assets_filtered"),
    Route(
        "POST",
        r"/odata/Assets/" + _ACTION + "GetRobotAssetByNameForRobotKey",
        "orchestrator.robot_asset",
    ),
    Route("GET", "/odata/QueueDefinitions", "orchestrator.list_queue_definitions"),
    Route("GET", "/odata/QueueItems", "orchestrator.list_queue_items"),
    Route("POST", r"/odata/Queues/UiPathODataSvc\.AddQueueItem", "orchestrator.add_queue_item"),
    Route("POST", "/api/StudioWeb/TryEnableFirstRun", "orchestrator.studio_web_first_run"),
    Route("POST", "/api/StudioWeb/AcquireLicense", "orchestrator.studio_web_license"),
    Route("GET", "/api/status/version", "orchestrator.status_version"),
    Route("POST", r"/odata/Jobs/" + _ACTION + "RestartJob", "orchestrator.restart_job"),
    # What robots see and do: handlers in robot_responses.py (service "orchestrator_robots").
    _robots("GET", "/odata/Robots", "list_robots"),
    _robots("GET", "/odata/Sessions", "list_sessions"),
    _robots("POST", r"/odata/Queues/UiPathODataSvc\.StartTransaction", "start_transaction"),
    _robots(
        "POST",
        r"/odata/QueueItems" + _ITEM_KEY + r"/UiPathODataSvc\.SetTransactionProgress",
        "set_transaction_progress",
    ),
    _robots(
        "POST",
        r"/odata/Queues" + _ITEM_KEY + r"/UiPathODataSvc\.SetTransactionResult",
        "set_transaction_result",
    ),
    _robots("POST", r"/odata/Queues/UiPathODataSvc\.BulkAddQueueItems", "bulk_add_queue_items"),
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
        op_id
        for op_id in TABLE
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
    Route("GET", "/api/status/version", "orchestrator.status_version"),
]

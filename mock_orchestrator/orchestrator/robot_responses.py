"""HTTP handlers of what robots see and do: Robots, Sessions, and the queue transaction calls
(StartTransaction, SetTransactionProgress, SetTransactionResult, BulkAddQueueItems).
Registered as the service ``orchestrator_robots``; their route labels are
``orchestrator.<name>`` like the others (``urls.py``).

They share the prelude of :class:`~.responses.OrchestratorResponses` (tenant, token, scope,
folder headers, body parsing) and only parse, call the backend, and serialize.
"""

from __future__ import annotations

import re
from typing import Any

import httpx

from ..core.errors import json_response
from ..core.request import MockRequest
from .exceptions import InvalidRequest
from .models.robots import ROBOT_FIELDS, SESSION_FIELDS
from .odata import field_map
from .responses import OrchestratorResponses, _odata_base
from .transactions import (
    parse_bulk,
    parse_progress,
    parse_transaction_data,
    parse_transaction_result,
)

__all__ = ["RobotResponses"]

# [V] swagger scopes: Robots and Sessions "OR.Robots or OR.Robots.Read".
_ROBOTS_READ = frozenset({"OR.Robots", "OR.Robots.Read"})
# [V] swagger: every transaction call "OR.Queues or OR.Queues.Write".
_QUEUES_WRITE = frozenset({"OR.Queues", "OR.Queues.Write"})
_ROBOT_MAP = field_map(ROBOT_FIELDS)
_SESSION_MAP = field_map(SESSION_FIELDS)
_KEY = re.compile(r"[0-9]{1,18}")


def _key(req: MockRequest) -> int:
    """The Int64 key of ``Entity(key)`` ([V] swagger: ``key`` int64 on both item routes)."""
    raw = req.params["key"].strip()
    text = raw[:-1] if raw[-1:] in ("L", "l") else raw
    if _KEY.fullmatch(text) is None:
        raise InvalidRequest(f"The key value ({raw[:40]}) from request is not valid.")
    return int(text)


def _expands(req: MockRequest, name: str) -> bool:
    expand = req.query_get("$expand") or ""
    return any(part.strip().lower() == name.lower() for part in expand.split(","))


class RobotResponses(OrchestratorResponses):
    """The robots' routes, one method per route label, on the common prelude."""

    # -- robots and sessions --------------------------------------------------------------

    def list_robots(self, req: MockRequest) -> httpx.Response:
        backend, folder = self._folder_op(req, _ROBOTS_READ)
        query = self._query(req, _ROBOT_MAP)
        rows = [r.to_dto() for r in backend.robots.in_folder(folder)]
        return self._collection(req, "Robots", rows, query)

    def list_sessions(self, req: MockRequest) -> httpx.Response:
        backend, folder = self._folder_op(req, _ROBOTS_READ)
        query = self._query(req, _SESSION_MAP)
        store = backend.robots
        now = backend.now
        expand = _expands(req, "Robot")
        rows = []
        for robot in store.in_folder(folder):
            row = robot.session_dto(folder, store.session_state(robot, now), now)
            # [V] clients read the robot through $expand=Robot (GEN SessionManager, F176940);
            # the row always carries it so $filter=Robot/Id works, and drops it unless asked.
            row["Robot"] = robot.to_dto()
            rows.append(row)
        hidden = None if expand else "Robot"
        return self._collection(req, "Sessions", rows, query, hidden=hidden)

    # -- queue transactions ---------------------------------------------------------------

    def start_transaction(self, req: MockRequest) -> httpx.Response:
        backend, folder = self._folder_op(req, _QUEUES_WRITE)
        data = parse_transaction_data(self._body(req))
        item = backend.transactions.start_transaction(folder, data)
        if item is None:
            return httpx.Response(204)  # [V] swagger: 204 No Content, nothing to process
        return self._entity(req, "QueueItems", item.to_dto())  # [V] swagger: 200 QueueItemDto

    def set_transaction_progress(self, req: MockRequest) -> httpx.Response:
        backend, folder = self._folder_op(req, _QUEUES_WRITE)
        item_id = _key(req)
        progress = parse_progress(self._body(req))
        backend.transactions.set_progress(folder, item_id, progress)
        return httpx.Response(200)  # [V] swagger: 200, no content

    def set_transaction_result(self, req: MockRequest) -> httpx.Response:
        backend, folder = self._folder_op(req, _QUEUES_WRITE)
        item_id = _key(req)
        result = parse_transaction_result(self._body(req))
        backend.transactions.set_result(folder, item_id, result)
        return httpx.Response(200)  # [V] swagger: 200, no content (409 Conflict otherwise)

    def bulk_add_queue_items(self, req: MockRequest) -> httpx.Response:
        backend, folder = self._folder_op(req, _QUEUES_WRITE)
        name, commit, items = parse_bulk(self._body(req))
        result = backend.transactions.bulk_add(folder, name, commit, items)
        body: dict[str, Any] = {
            # [I] an action's context names its return type, as GetRobotAsset's does
            "@odata.context": _odata_base(req)
            + "UiPath.Server.Configuration.OData.BulkOperationResponseDtoOfFailedQueueItemDto",
        }
        body.update(result.to_dto())
        return json_response(200, body)  # [V] swagger: 200 BulkOperationResponseDto

"""Robots and their sessions: what ``GET /odata/Robots`` and ``/odata/Sessions`` show."""

from __future__ import annotations

import httpx

from .. import parsing
from ..models.robots import ROBOT_FIELDS, SESSION_FIELDS
from ..odata import field_map
from ..responses import Call, collection

__all__ = ["list_robots", "list_sessions"]

_ROBOT_MAP = field_map(ROBOT_FIELDS)
_SESSION_MAP = field_map(SESSION_FIELDS)


def list_robots(call: Call) -> httpx.Response:
    query = parsing.odata_query(call.req, _ROBOT_MAP)
    rows = [r.to_dto() for r in call.backend.robots.in_folder(call.folder)]
    return collection(call.req, "Robots", rows, query)


def list_sessions(call: Call) -> httpx.Response:
    req, backend, folder = call.req, call.backend, call.folder
    query = parsing.odata_query(req, _SESSION_MAP)
    store = backend.robots
    now = backend.now
    expand = parsing.expands(req, "Robot")
    rows = []
    for robot in store.in_folder(folder):
        row = robot.session_dto(folder, store.session_state(robot, now), now)
        # [V] clients read the robot through $expand=Robot (GEN SessionManager, F176940);
        # the row always carries it so $filter=Robot/Id works, and drops it unless asked.
        row["Robot"] = robot.to_dto()
        rows.append(row)
    hidden = None if expand else "Robot"
    return collection(req, "Sessions", rows, query, hidden=hidden)

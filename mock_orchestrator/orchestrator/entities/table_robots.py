"""Robots, Machines, Sessions, Environments, Logs and RobotLogs: operation -> behaviour.

Where the mock knowingly differs: robots run nothing (jobs run on a scripted timeline), so a
session's state follows the tenant's running jobs (``models/robots.py``); maintenance and
debug modes are remembered and shown, but change no job's course.
"""

from __future__ import annotations

import json
from typing import Any

from ...core.clock import format_odata_time
from ..exceptions import EntityNotFound, InvalidRequest, ValidationFailed
from .common import bulk, export
from .kinds import Args, Behaviour, call, create, delete, one, rows, update
from .sets import ENVIRONMENTS, MACHINES, ROBOT_LOGS
from .store import Context, Row
from .typed import ROBOTS, SESSIONS

__all__ = ["TABLE"]


# -- robots -------------------------------------------------------------------------------


def _extended(ctx: Context, robot_rows: list[Row]) -> list[Row]:
    """``ExtendedRobotDto``: the robot with its user (null for a robot account) [I]."""
    return [{**row, "User": None} for row in robot_rows]


def _from_folder(ctx: Context, args: Args) -> list[Row]:
    folder = ctx.backend.folders.get(args.number("folderId"))
    if folder is None or folder not in ctx.folders:
        raise EntityNotFound("Folder")
    robots = ctx.backend.robots.in_folder(folder)
    return [
        {**r.to_dto(), "UserFullName": None, "UserEmail": None, "UserType": "Robot"} for r in robots
    ]


def _folder_robots(ctx: Context, args: Args) -> list[Row]:
    machine = args.number("machineId")
    found = _from_folder(ctx, args)
    return _extended(ctx, [r for r in found if r.get("MachineId") == machine])


def _toggle_enabled(ctx: Context, args: Args) -> None:
    enabled = args.body_object().get("enabled")
    if not isinstance(enabled, bool):
        raise ValidationFailed("The enabled field is required.")
    for number in args.body_ids("robotIds"):
        ROBOTS.update(ctx, number, {"Enabled": enabled}, partial=True)


def _convert_to_floating(ctx: Context, args: Args) -> None:
    """A standard robot becomes floating (no fixed machine) [I]: its machine name clears."""
    body = args.body_object()
    number = body.get("robotId")
    if not isinstance(number, int):
        raise ValidationFailed("The robotId field is required.")
    robot = ROBOTS.find(ctx, number)
    with ctx.backend.lock:
        robot.machine_name = ""


def _delete_robot(ctx: Context, number: int) -> None:
    ROBOTS.delete(ctx, number)


# -- machines -----------------------------------------------------------------------------


def _machine_folders(ctx: Context, machine_id: int) -> set[int]:
    return ctx.store.links.get(("MachineFolders", machine_id), set())


def _assigned_machines(ctx: Context, args: Args) -> list[Row]:
    folder_id = args.number("folderId")
    everyone = Context(ctx.backend, ctx.record, None, ctx.folders)
    return [m for m in MACHINES.rows(everyone) if folder_id in _machine_folders(ctx, m["Id"])]


def _runtimes(ctx: Context, args: Args) -> list[Row]:
    folder = ctx.backend.folders.get(args.number("folderId"))
    if folder is None:
        raise EntityNotFound("Folder")
    robots = ctx.backend.robots.in_folder(folder)
    busy = sum(1 for r in robots if ctx.backend.robots.session_state(r, ctx.now) == "Busy")
    return [
        {
            "Type": "Unattended",
            "Total": len(robots),
            "Available": len(robots) - busy,
            "Connected": len(robots),
        }
    ]


def _delete_machines(ctx: Context, args: Args) -> None:
    for number in args.body_ids("machineIds"):
        MACHINES.delete(ctx, number)


# -- sessions -----------------------------------------------------------------------------


def _session_flags(ctx: Context, number: int) -> dict[str, Any]:
    return ctx.store.session_flags.setdefault(number, {})


def _runtime_rows(ctx: Context, args: Args, folder_id: int | None = None) -> list[Row]:
    found = []
    for robot in ctx.backend.robots.robots.values():
        if folder_id is not None and robot.folder_ids and folder_id not in robot.folder_ids:
            continue
        state = ctx.backend.robots.session_state(robot, ctx.now)
        flags = _session_flags(ctx, robot.id)
        found.append(
            {
                "SessionId": robot.id,
                "MachineId": robot.machine_id,
                "MachineName": robot.machine_name,
                "HostMachineName": robot.machine_name,
                "MachineType": "Template",
                "MachineScope": "Default",
                "Status": state,
                "IsUnresponsive": False,
                "RuntimeType": "Unattended",
                "Runtimes": 1,
                "UsedRuntimes": 1 if state == "Busy" else 0,
                "ServiceUserName": robot.username,
                "ReportingTime": format_odata_time(ctx.now),
                "Version": "23.10.2.0",
                "Platform": "Windows",
                "EndpointDetection": None,
                "MaintenanceMode": flags.get("MaintenanceMode", "Default"),
                "DebugModeExpirationDate": flags.get("DebugModeExpirationDate"),
                "TriggersCount": 0,
            }
        )
    runtime = args.query("runtimeType")
    return [r for r in found if not runtime or r["RuntimeType"] == runtime]


def _machine_sessions(ctx: Context, args: Args) -> list[Row]:
    machine_id = args.key()
    everyone = Context(ctx.backend, ctx.record, None, ctx.folders)
    return [
        {**row, "ServiceUserName": None}
        for row in SESSIONS.rows(everyone)
        if row.get("MachineId") == machine_id
    ]


def _debug_mode(ctx: Context, args: Args) -> None:
    number = args.key()
    if number not in ctx.backend.robots.robots:
        raise EntityNotFound("Session")
    body = args.body_object()
    enabled, minutes = body.get("enabled"), body.get("minutes") or 0
    if not isinstance(enabled, bool) or not isinstance(minutes, int):
        raise ValidationFailed("The enabled and minutes fields are required.")
    flags = _session_flags(ctx, number)
    flags["DebugModeExpirationDate"] = (
        format_odata_time(ctx.now + 60 * minutes) if enabled else None
    )


def _maintenance(ctx: Context, args: Args) -> None:
    body = args.body_object()
    number, mode = body.get("sessionId"), body.get("maintenanceMode")
    if not isinstance(number, int) or mode not in ("Default", "Enabled"):
        raise ValidationFailed("The sessionId and maintenanceMode fields are required.")
    if number not in ctx.backend.robots.robots:
        raise EntityNotFound("Session")
    _session_flags(ctx, number)["MaintenanceMode"] = mode


def _delete_inactive(ctx: Context, args: Args) -> None:
    """Sessions of disabled robots go (with the robots: the mock's session is the robot's)."""
    for number in args.body_ids("sessionIds"):
        robot = ctx.backend.robots.robots.get(number)
        if robot is not None and ctx.backend.robots.session_state(robot, ctx.now) == "Disconnected":
            with ctx.backend.lock:
                del ctx.backend.robots.robots[number]


# -- environments -------------------------------------------------------------------------


def _env_robots(ctx: Context, number: int) -> set[int]:
    ENVIRONMENTS.get(ctx, number)  # 404 when the caller cannot see it
    return ctx.store.links.setdefault(("EnvironmentRobots", number), set())


def _refresh_env(ctx: Context, number: int) -> None:
    ids = _env_robots(ctx, number)
    robots = [r.to_dto() for i, r in sorted(ctx.backend.robots.robots.items()) if i in ids]
    ENVIRONMENTS.stored(ctx, number).row["Robots"] = robots


def _robot_id(value: Any) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ValidationFailed("The robotId field is required.")


def _env_change(add: bool) -> Behaviour:
    def run(ctx: Context, args: Args) -> None:
        number = args.key()
        robot = _robot_id(args.body_object().get("robotId"))
        if robot not in ctx.backend.robots.robots:
            raise EntityNotFound("Robot")
        ids = _env_robots(ctx, number)
        with ctx.backend.lock:
            (ids.add if add else ids.discard)(robot)
            _refresh_env(ctx, number)
        return None

    return call(run)


def _set_robots(ctx: Context, args: Args) -> None:
    number = args.key()
    body = args.body_object()
    ids = _env_robots(ctx, number)
    added = body.get("addedRobotIds") or []
    removed = body.get("removedRobotIds") or []
    if not isinstance(added, list) or not isinstance(removed, list):
        raise InvalidRequest("addedRobotIds and removedRobotIds must be lists of ids.")
    unknown = [r for r in added if r not in ctx.backend.robots.robots]
    if unknown:
        raise EntityNotFound("Robot")
    with ctx.backend.lock:
        ids.update(added)
        ids.difference_update(removed)
        _refresh_env(ctx, number)


# -- logs ---------------------------------------------------------------------------------


def _submit(ctx: Context, entries: list[Any]) -> None:
    """Robot log lines (JSON text or objects, as the robot sends them) -> RobotLogs rows."""
    folder = ctx.target_folder()
    for entry in entries[:1000]:
        if isinstance(entry, str):
            try:
                entry = json.loads(entry)
            except ValueError:
                entry = {"message": entry}
        if not isinstance(entry, dict):
            raise InvalidRequest("Each log entry must be a JSON object.")
        level = str(entry.get("level", entry.get("Level", "Info"))).capitalize()
        level = {"Information": "Info", "Warning": "Warn", "Verbose": "Trace"}.get(level, level)
        if level not in ("Trace", "Debug", "Info", "Warn", "Error", "Fatal"):
            level = "Info"
        message = entry.get("message", entry.get("Message", ""))
        row = {
            "Level": level,
            "Message": str(message)[:10_000],
            "RawMessage": json.dumps(entry)[:20_000],
            "ProcessName": entry.get("processName"),
            "JobKey": entry.get("jobId"),
            "TimeStamp": format_odata_time(ctx.now),
        }
        with ctx.backend.lock:
            ROBOT_LOGS._table(ctx)
            ctx.store.insert(ROBOT_LOGS, folder.id, row)


def _logs_post(ctx: Context, args: Args) -> None:
    body = args.body()
    _submit(ctx, body if isinstance(body, list) else [body])


TABLE: dict[str, Behaviour] = {
    # Robots (list is the hand-written handler)
    "robots_get_by_id": one(ROBOTS),
    "robots_post": create(ROBOTS),
    "robots_put_by_id": update(ROBOTS),
    "robots_patch_by_id": update(ROBOTS, partial=True),
    "robots_delete_by_id": delete(ROBOTS),
    "robots_delete_bulk": bulk(_delete_robot, "robotIds"),
    "robots_toggle_enabled_status": call(_toggle_enabled),
    "robots_convert_to_floating": call(_convert_to_floating),
    "robots_find_all_across_folders": call(
        lambda ctx, a: _extended(ctx, ROBOTS.rows(ctx)), folders="across"
    ),
    "robots_get_configured_robots": call(
        lambda ctx, a: _extended(ctx, ROBOTS.rows(ctx)), folders="across"
    ),
    "robots_get_folder_robots_by_folderid_and_machineid": call(_folder_robots, folders="across"),
    "robots_get_robots_from_folder_by_folderid": call(_from_folder, folders="across"),
    "robots_get_robots_for_process_by_processid": call(
        lambda ctx, a: ROBOTS.rows(ctx), ROBOTS, folders="across"
    ),
    "robots_get_machine_name_to_license_key_mappings": call(
        lambda ctx, a: [
            {"Key": r.machine_name, "Value": None} for r in ctx.backend.robots.robots.values()
        ]
    ),
    "robots_get_usernames": call(
        lambda ctx, a: sorted({r["Username"] for r in ROBOTS.rows(ctx)}), folders="across"
    ),
    # Machines
    "machines_get": rows(MACHINES),
    "machines_get_by_id": one(MACHINES),
    "machines_post": create(MACHINES),
    "machines_put_by_id": update(MACHINES),
    "machines_patch_by_id": update(MACHINES, partial=True),
    "machines_delete_by_id": delete(MACHINES),
    "machines_delete_bulk": call(_delete_machines),
    "machines_get_assigned_machines_by_folderid": call(_assigned_machines, MACHINES),
    "machines_get_runtimes_for_folder_by_folderid": call(_runtimes),
    # Sessions (list is the hand-written handler)
    "sessions_get_global_sessions": rows(SESSIONS, folders="across"),
    "sessions_get_machine_session_runtimes": call(_runtime_rows, folders="across"),
    "sessions_get_machine_session_runtimes_by_folder_id": call(
        lambda ctx, a: _runtime_rows(ctx, a, a.number("folderId")), folders="across"
    ),
    "sessions_get_machine_sessions_by_key": call(_machine_sessions, folders="across"),
    "sessions_get_usernames": call(
        lambda ctx, a: sorted({r.username for r in ctx.backend.robots.robots.values()})
    ),
    "sessions_toggle_machine_session_debug_mode_by_id": call(_debug_mode),
    "sessions_set_maintenance_mode": call(_maintenance),
    "sessions_delete_inactive_unattended_sessions": call(_delete_inactive),
    # Environments
    "environments_get": rows(ENVIRONMENTS),
    "environments_get_by_id": one(ENVIRONMENTS),
    "environments_post": create(ENVIRONMENTS),
    "environments_put_by_id": update(ENVIRONMENTS),
    "environments_delete_by_id": delete(ENVIRONMENTS),
    "environments_add_robot_by_id": _env_change(add=True),
    "environments_remove_robot_by_id": _env_change(add=False),
    "environments_set_robots_by_id": call(_set_robots),
    "environments_get_robot_ids_for_environment_by_key": call(
        lambda ctx, a: sorted(_env_robots(ctx, a.key()))
    ),
    "environments_get_robots_for_environment_by_key": call(
        lambda ctx, a: [
            r.to_dto()
            for i, r in sorted(ctx.backend.robots.robots.items())
            if i in _env_robots(ctx, a.key())
        ],
        ROBOTS,
    ),
    # Logs
    "logs_post": call(_logs_post),
    "logs_submit_logs": call(_logs_post),
    "robot_logs_get": rows(ROBOT_LOGS),
    "robot_logs_get_total_count": call(lambda ctx, a: len(ROBOT_LOGS.rows(ctx))),
    "robot_logs_export": export("Logs"),
}

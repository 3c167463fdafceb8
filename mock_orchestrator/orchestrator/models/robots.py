"""Robots (``RobotDto``) and their sessions (``SessionDto``) in the folders of one tenant.

Jobs in the mock run on a scripted timeline, not on robots; these entities exist so that
``GET /odata/Robots`` and ``GET /odata/Sessions`` answer as a real tenant does ([V] field lists
of ``SimpleRobotDto`` and ``SessionDto``, uipathcli orchestrator.yaml; docs/wire.md §6.3). Every
tenant has one unattended robot on ``MOCK-HOST-01`` (the ``HostMachineName`` of running jobs),
visible in every shared folder; ``backend.robots.add(...)`` makes more.

A session is ``Busy`` while a job of the tenant is Running, else ``Available`` [I]; its
``ReportingTime`` is the world's now (a live robot reports every few seconds [I]). Keys and
license keys are derived from the tenant and the robot's name, never drawn from the world's
id stream, so a world that never lists robots sees the same ids as before.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...core.clock import format_odata_time
from .jobs import MOCK_HOST

if TYPE_CHECKING:
    from .folders import Folder
    from .jobs import Job

__all__ = ["ROBOT_FIELDS", "ROBOT_TYPES", "SESSION_FIELDS", "Robot", "RobotStore"]

#: [V] RobotDto.Type enum (uipathcli orchestrator.yaml).
ROBOT_TYPES = (
    "NonProduction Attended Unattended Development Studio RpaDeveloper StudioX CitizenDeveloper "
    "Headless StudioPro RpaDeveloperPro TestAutomation AutomationCloud Serverless AutomationKit "
    "ServerlessTestAutomation AutomationCloudTestAutomation AttendedStudioWeb"
).split()


@dataclass(eq=False)
class Robot:
    """One robot; ``folder_ids`` empty means every shared folder of the tenant."""

    id: int
    key: str
    name: str
    machine_name: str
    machine_id: int
    username: str
    created_at: float
    type: str = "Unattended"
    description: str | None = None
    enabled: bool = True
    folder_ids: frozenset[int] = field(default_factory=frozenset)

    def to_dto(self) -> dict[str, Any]:
        """``SimpleRobotDto`` ([V] field list; the 2019 sample's values for LicenseKey and
        Password: null -- a list never carries the robot's secrets)."""
        created = format_odata_time(self.created_at)
        return {
            "LicenseKey": None,
            "MachineName": self.machine_name,
            "MachineId": self.machine_id,
            "Name": self.name,
            "Username": self.username,
            "ExternalName": None,
            "Description": self.description,
            "Type": self.type,
            "HostingType": "Standard",
            "ProvisionType": "Automatic",
            "Password": None,
            "CredentialStoreId": None,
            "UserId": None,
            "Enabled": self.enabled,
            "CredentialType": "Default",
            "Environments": [],
            "RobotEnvironments": "",
            "ExecutionSettings": None,
            "IsExternalLicensed": False,
            "LimitConcurrentExecution": False,
            "LastModificationTime": created,
            "LastModifierUserId": None,
            "CreationTime": created,
            "CreatorUserId": None,
            "Id": self.id,
        }

    def session_dto(self, folder: Folder | None, state: str, now: float) -> dict[str, Any]:
        """``SessionDto`` of this robot's one session ([V] field list). ``Robot`` and ``Job``
        are navigation properties: left out unless ``$expand`` asks (OData) [I]."""
        return {
            "HostMachineName": self.machine_name,
            "MachineId": self.machine_id,
            "MachineName": self.machine_name,
            "State": state,
            "ReportingTime": format_odata_time(now),
            "Info": None,
            "IsUnresponsive": False,
            "LicenseErrorCode": None,
            "OrganizationUnitId": folder.id if folder else None,
            "FolderName": folder.display_name if folder else None,
            "RobotSessionType": "LongLived",
            "Version": "23.10.2.0",
            "Source": None,
            "DebugModeExpirationDate": None,
            "InstallationId": str(uuid.uuid5(uuid.NAMESPACE_URL, self.key + "/installation")),
            "Platform": "Windows",
            "EndpointDetection": None,
            "Id": self.id,
        }


class RobotStore:
    """The robots of one tenant (``backend.robots``).

    Given what it uses: the tenant's id (robot keys derive from it), the tenant's lock, its
    clock and its jobs (a robot is Busy while one of them runs).
    """

    def __init__(
        self,
        tenant_id: str,
        lock: threading.RLock,
        now: Callable[[], float],
        jobs: dict[int, Job],
    ) -> None:
        self._tenant_id = tenant_id
        self._lock = lock
        self._now = now
        self._jobs = jobs
        self.robots: dict[int, Robot] = {}
        self._next_id = 1
        self.add("MOCK-HOST-01_svc", machine_name=MOCK_HOST, username="acme\\svc-robot")

    def add(
        self,
        name: str,
        *,
        machine_name: str = MOCK_HOST,
        username: str = "acme\\robot",
        type: str = "Unattended",
        folders: list[Folder] | None = None,
        enabled: bool = True,
        description: str | None = None,
    ) -> Robot:
        """A robot, in the given folders (default: every shared folder)."""
        if not 0 < len(name) <= 19:  # [V] RobotDto.Name maxLength 19
            raise ValueError("name must be 1 to 19 characters")
        if type not in ROBOT_TYPES:
            raise ValueError(f"type must be one of {', '.join(ROBOT_TYPES)}")
        with self._lock:
            robot = Robot(
                id=self._next_id,
                key=str(
                    uuid.uuid5(uuid.NAMESPACE_URL, f"uipath-mock/{self._tenant_id}/robot/{name}")
                ),
                name=name,
                machine_name=machine_name,
                machine_id=1000 + self._next_id,
                username=username,
                created_at=self._now(),
                type=type,
                description=description,
                enabled=enabled,
                folder_ids=frozenset(f.id for f in folders or ()),
            )
            self._next_id += 1
            self.robots[robot.id] = robot
        return robot

    def in_folder(self, folder: Folder) -> list[Robot]:
        return [
            r
            for r in self.robots.values()
            if folder.id in r.folder_ids or (not r.folder_ids and not folder.is_personal)
        ]

    def session_state(self, robot: Robot, now: float) -> str:
        if not robot.enabled:
            return "Disconnected"
        running = (
            any(job.state_at(now) == "Running" for job in self._jobs.values())
            and robot.machine_name == MOCK_HOST
        )
        return "Busy" if running else "Available"


_SAMPLE = Robot(0, "", "", "", 0, "", 0.0)
ROBOT_FIELDS = tuple(_SAMPLE.to_dto().keys())
#: ``Robot`` is filterable and expandable, though not in the row unless expanded.
SESSION_FIELDS = (*_SAMPLE.session_dto(None, "Available", 0.0).keys(), "Robot")

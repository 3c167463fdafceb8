"""Releases (processes deployed to a folder) and how their jobs behave when run.

A :class:`Release` is what StartJobs starts ([V] ``ReleaseKey`` is the release's ``Key``,
docs/wire.md §6.1). Its :class:`ProcessBehaviour` is the mock's script for the jobs it starts:
how long they stay Pending and Running, how they end, and with what output or error. It is set
per process through ``TenantBackend.configure_process`` and copied into each job when the job
is created, so reconfiguring a process never rewrites the history of jobs already started.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from ...core.clock import format_odata_time

__all__ = ["OUTCOMES", "Outcome", "ProcessBehaviour", "Release"]

Outcome = Literal["Successful", "Faulted"]
OUTCOMES: tuple[Outcome, ...] = ("Successful", "Faulted")


@dataclass(frozen=True)
class ProcessBehaviour:
    """How the jobs of a process run, in seconds on the world's clock."""

    pending_seconds: float = 5.0
    running_seconds: float = 30.0
    outcome: Outcome = "Successful"
    #: ``OutputArguments`` of a successful job: a JSON *string* on the wire ([V] §6.10).
    output_arguments: str = "{}"
    #: The exception text of a faulted job ("Execution error : <error>" in ``Info``).
    error: str = "System.Exception: The process failed."
    #: Extra/overriding ``JobError`` fields of a faulted job.
    job_error: dict[str, Any] = field(default_factory=dict)
    #: How long Stopping (SoftStop) or Terminating (Kill) lasts before Stopped.
    stopping_seconds: float = 2.0

    def configured(self, **changes: Any) -> ProcessBehaviour:
        """A copy with ``changes``; ``output_arguments`` may be a dict, ``error`` a dict."""
        updates: dict[str, Any] = {k: v for k, v in changes.items() if v is not None}
        if "outcome" in updates and updates["outcome"] not in OUTCOMES:
            raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}")
        for name in ("pending_seconds", "running_seconds", "stopping_seconds"):
            if name in updates and float(updates[name]) < 0:
                raise ValueError(f"{name} must be >= 0")
        if "output_arguments" in updates:
            output = updates["output_arguments"]
            if not isinstance(output, str):
                output = json.dumps(output, separators=(",", ":"))
            if not isinstance(json.loads(output), dict):
                raise ValueError("output_arguments must be a JSON object")
            updates["output_arguments"] = output
        if isinstance(updates.get("error"), dict):
            job_error = dict(updates.pop("error"))
            updates["job_error"] = job_error
            if "detail" in job_error:
                updates["error"] = str(job_error["detail"])
        return replace(self, **updates)


@dataclass(eq=False)
class Release:
    """A process deployed in a folder (``ReleaseDto``)."""

    id: int
    key: str
    name: str
    process_key: str
    process_version: str
    folder_id: int
    folder_key: str
    folder_path: str
    created_at: float
    description: str | None = None
    input_arguments: str | None = None
    feed_id: str | None = None
    entry_point_path: str | None = None
    behaviour: ProcessBehaviour = field(default_factory=ProcessBehaviour)
    #: Versions before this one, newest last (RollbackToPreviousReleaseVersion pops one).
    previous_versions: list[str] = field(default_factory=list)

    def to_dto(self) -> dict[str, Any]:
        """``ReleaseDto`` ([V] fields of docs/wire.md §6.1 samples and the §6.9 schema)."""
        created = format_odata_time(self.created_at)
        return {
            "Key": self.key,
            "ProcessKey": self.process_key,
            "ProcessVersion": self.process_version,
            "IsLatestVersion": True,
            "IsProcessDeleted": False,
            "Description": self.description,
            "Name": self.name,
            # Gone from today's ReleaseDto schema, yet every recording has them, the modern
            # one included ([V] CHILKAT: null and ""): clients written against them still work.
            "EnvironmentId": None,
            "EnvironmentName": "",
            "EntryPointId": None,
            "EntryPointPath": self.entry_point_path,
            "InputArguments": self.input_arguments,
            "EnvironmentVariables": None,
            "ProcessType": "Process",
            "SupportsMultipleEntryPoints": False,
            "RequiresUserInteraction": False,
            "IsConversational": False,
            "MinRequiredRobotVersion": None,
            "IsAttended": False,
            "IsCompiled": True,
            "AutomationHubIdeaUrl": None,
            "CurrentVersion": None,
            "ReleaseVersions": [],
            "Arguments": {"Input": None, "Output": None},
            "ProcessSettings": None,
            "VideoRecordingSettings": None,
            "AutoUpdate": False,
            "HiddenForAttendedUser": False,
            "FeedId": self.feed_id,
            "JobPriority": "Normal",
            "SpecificPriorityValue": 45,
            "FolderKey": self.folder_key,
            "OrganizationUnitId": self.folder_id,
            "OrganizationUnitFullyQualifiedName": self.folder_path,
            "TargetFramework": "Portable",
            "RobotSize": None,
            "Tags": [],
            "RemoteControlAccess": "None",
            "LastModificationTime": created,
            "LastModifierUserId": None,
            "CreationTime": created,
            "CreatorUserId": None,
            "Id": self.id,
        }


RELEASE_FIELDS = tuple(Release(0, "", "", "", "", 0, "", "", 0.0).to_dto().keys())

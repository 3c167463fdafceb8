"""Jobs that live on the world's clock: the state is *derived* on every read, never stored.

A job is created Pending; it is Running ``pending_seconds`` later and ends ``running_seconds``
after that, Successful or Faulted as its process is configured ([V] states and ``Info`` texts,
docs/wire.md §6.10). A stop request turns it Stopping (SoftStop) or Terminating (Kill) for
``stopping_seconds``, then Stopped ([?] §12: the mock ends both strategies in Stopped). No
thread moves anything: reading a job at time *t* computes what it is at *t*, so
``cloud.clock.advance(minutes=1)`` is all a test needs to see a job finish.

A pending job that is stopped is Stopped at once (it never reached a robot) [I].
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from json.encoder import encode_basestring as _encode_string
from typing import Any, Literal

from ...core.clock import format_odata_time
from .releases import ProcessBehaviour

__all__ = ["JOB_FIELDS", "JOB_STATES", "MOCK_HOST", "Job", "RestartPolicy", "StopStrategy"]

StopStrategy = Literal["SoftStop", "Kill"]
#: [V] JobDto.State enum (docs/wire.md §6.9).
JOB_STATES = (
    "Pending",
    "Running",
    "Stopping",
    "Terminating",
    "Faulted",
    "Successful",
    "Stopped",
    "Suspended",
    "Resumed",
)
#: The machine every job of the mock "runs" on, and its robots sit on.
MOCK_HOST = "MOCK-HOST-01"


@dataclass(eq=False)
class Job:
    """One job. Construct through ``TenantBackend.start_jobs``."""

    id: int
    key: str
    release_key: str
    release_name: str
    folder_id: int
    folder_key: str
    folder_path: str
    created_at: float
    behaviour: ProcessBehaviour
    batch_key: str
    input_arguments: str | None = None
    source: str = "Manual"
    source_type: str = "Manual"
    reference: str | None = None
    job_priority: str = "Normal"
    specific_priority: int = 45
    runtime_type: str = "Unattended"
    entry_point_path: str | None = None
    requires_user_interaction: bool = False
    parent_job_key: str | None = None
    trace_id: str | None = None
    stop_requested_at: float | None = None
    stop_strategy: StopStrategy | None = None
    _static: dict[str, Any] = field(default_factory=dict, repr=False)
    _encoded: tuple[object, bytes] | None = field(default=None, repr=False)
    _layout: list[str] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        # Everything that never changes is built once; to_dto copies it and fills the clock's
        # part (the hot path of a poller: no per-read formatting of constant fields).
        created = format_odata_time(self.created_at)
        self._static = {
            "Key": self.key,
            "StartTime": None,
            "EndTime": None,
            "State": "Pending",
            "SubState": None,
            "JobPriority": self.job_priority,
            "SpecificPriorityValue": self.specific_priority,
            "Robot": None,
            "Release": None,
            "ResourceOverwrites": None,
            "Source": self.source,
            "SourceType": self.source_type,
            "BatchExecutionKey": self.batch_key,
            "Info": None,
            "CreationTime": created,
            "StartingScheduleId": None,
            "ReleaseName": self.release_name,
            "Type": "Unattended",
            "InputArguments": self.input_arguments,
            "InputFile": None,
            "EnvironmentVariables": None,
            "OutputArguments": None,
            "OutputFile": None,
            "HostMachineName": None,
            "HasMediaRecorded": False,
            "HasVideoRecorded": False,
            "PersistenceId": None,
            "ResumeVersion": None,
            "StopStrategy": None,
            "RuntimeType": self.runtime_type,
            "RequiresUserInteraction": self.requires_user_interaction,
            "ReleaseVersionId": None,
            "EntryPointPath": self.entry_point_path,
            "OrganizationUnitId": self.folder_id,
            "OrganizationUnitFullyQualifiedName": self.folder_path,
            "Reference": self.reference,
            "ProcessType": "Process",
            "ProfilingOptions": None,
            "ResumeOnSameContext": False,
            "LocalSystemAccount": None,
            "OrchestratorUserIdentity": None,
            "RemoteControlAccess": "None",
            "StartingTriggerId": None,
            "MaxExpectedRunningTimeSeconds": None,
            "ServerlessJobType": None,
            "ParentJobKey": self.parent_job_key,
            "ResumeTime": None,
            "LastModificationTime": created,
            "JobError": None,
            "ErrorCode": None,
            "TraceId": self.trace_id,
            "ParentSpanId": None,
            "RootSpanId": None,
            # [I] not in the swagger's JobDto, but UiPath's SDK Job model reads it.
            "FolderKey": self.folder_key,
            "Id": self.id,
        }

    # -- the timeline ---------------------------------------------------------------------

    @property
    def started_at(self) -> float:
        return self.created_at + self.behaviour.pending_seconds

    @property
    def natural_end(self) -> float:
        return self.started_at + self.behaviour.running_seconds

    @property
    def stopped_at(self) -> float | None:
        """When a requested stop completes (None when no stop applies)."""
        asked = self.stop_requested_at
        if asked is None:
            return None
        if asked < self.started_at:
            return asked
        return asked + self.behaviour.stopping_seconds

    def state_at(self, now: float) -> str:
        stop_done = self.stopped_at
        if stop_done is not None:
            if now >= stop_done:
                return "Stopped"
            if now >= self.stop_requested_at:  # type: ignore[operator]
                return "Terminating" if self.stop_strategy == "Kill" else "Stopping"
        if now < self.started_at:
            return "Pending"
        if now < self.natural_end:
            return "Running"
        return self.behaviour.outcome

    def is_final_at(self, now: float) -> bool:
        return self.state_at(now) in ("Successful", "Faulted", "Stopped")

    def request_stop(self, now: float, strategy: StopStrategy) -> bool:
        """Ask the job to stop; False (and nothing changes) if it is already final/stopping."""
        if self.is_final_at(now) or self.stop_requested_at is not None:
            return False
        self.stop_requested_at = now
        self.stop_strategy = strategy
        return True

    # -- the wire ---------------------------------------------------------------------------

    def to_dto(self, now: float) -> dict[str, Any]:
        """``JobDto`` as it is at ``now`` ([V] field list docs/wire.md §6.4, §6.6, §6.9)."""
        dto = dict(self._static)
        dto.update(self._phase_fields(self.state_at(now)))  # same keys: the order stays
        return dto

    def _phase_fields(self, state: str) -> dict[str, Any]:
        """The fields the timeline decides (``_PHASE_FIELDS``, every one), for ``state``.

        Only the phase matters, never the instant: a job reads the same all through a phase.
        """
        fields: dict[str, Any] = {
            "StartTime": None,
            "EndTime": None,
            "State": state,
            "Info": None,
            "OutputArguments": None,
            "HostMachineName": None,
            "StopStrategy": None,
            "LastModificationTime": self._static["CreationTime"],
            "JobError": None,
        }
        if state == "Pending":
            return fields
        behaviour = self.behaviour
        stop_done = self.stopped_at
        started = self.started_at
        if state == "Stopped" and stop_done is not None and stop_done <= started:
            # stopped while pending: it never started
            fields["EndTime"] = fields["LastModificationTime"] = format_odata_time(stop_done)
            fields["StopStrategy"] = self.stop_strategy
            return fields
        fields["StartTime"] = format_odata_time(started)
        fields["HostMachineName"] = MOCK_HOST
        changed = started
        if state in ("Stopping", "Terminating"):
            fields["StopStrategy"] = self.stop_strategy
            changed = self.stop_requested_at or started
        elif state == "Stopped":
            assert stop_done is not None
            fields["StopStrategy"] = self.stop_strategy
            fields["EndTime"] = format_odata_time(stop_done)
            changed = stop_done
        elif state == "Successful":
            changed = self.natural_end
            fields["EndTime"] = format_odata_time(changed)
            fields["Info"] = "Job completed"  # [V] docs jobs-requests
            fields["OutputArguments"] = behaviour.output_arguments
        elif state == "Faulted":
            changed = self.natural_end
            ended = format_odata_time(changed)
            fields["EndTime"] = ended
            fields["Info"] = f"Execution error : {behaviour.error}"  # [V] docs jobs-requests
            fields["JobError"] = self._job_error(ended)
        fields["LastModificationTime"] = format_odata_time(changed)
        return fields

    def encoded_at(self, now: float) -> bytes:
        """``to_dto(now)`` as compact JSON, cached per phase of the timeline.

        Everything in the DTO is a function of the phase (the state, and whether a stop was
        asked), never of ``now`` itself: a poller reading a Running job a thousand times gets
        the same bytes, serialized once. A new phase encodes only its own fields into the
        job's fixed text (:meth:`_fixed_text`); the bytes are those of ``json_response``.
        """
        state = self.state_at(now)
        phase = (state, self.stop_requested_at)
        cached = self._encoded
        if cached is not None and cached[0] == phase:
            return cached[1]
        values = self._phase_fields(state)
        fixed = self._fixed_text()
        parts = [fixed[0]]
        for name, text in zip(_PHASE_ORDER, fixed[1:], strict=True):
            parts.append(_json_value(values[name]))
            parts.append(text)
        body = "".join(parts).encode("utf-8")
        self._encoded = (phase, body)
        return body

    def _fixed_text(self) -> list[str]:
        """The job's JSON with a hole for each phase field: ``fixed[i]`` comes before hole i
        (the fields of ``_PHASE_ORDER``, in order) and the last one after the last hole.

        The other fields are fixed when the job is created (``_static``), so their text is
        written once per job and never goes stale; each phase fills in only its nine values.
        """
        if self._layout is None:
            texts, text = [], ["{"]
            for name, value in self._static.items():
                text.append(_MEMBER_PREFIX[name])
                if name in _PHASE_FIELDS:
                    texts.append("".join(text))
                    text = [","]
                else:
                    text.append(_json_value(value))
                    text.append(",")
            text[-1] = "}"
            texts.append("".join(text))
            self._layout = texts
        return self._layout

    def _job_error(self, timestamp: str) -> dict[str, Any]:
        # Casing as the swagger's JobDto.JobError ([V] docs/wire.md §6.9: code, title, detail,
        # category, status, timestamp); UiPath's SDK reads these names as well as PascalCase.
        # The values are [?]: no recorded JobError body.
        error: dict[str, Any] = {
            "code": "Robot.ExecutionError",
            "title": "Execution error",
            "detail": self.behaviour.error,
            "category": "User",
            "status": None,
            "timestamp": timestamp,
        }
        error.update(self.behaviour.job_error)
        return error


_encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def _json_value(value: Any) -> str:
    """``value`` exactly as ``_encode`` writes it, the common kinds without its set-up cost.

    ``_encode`` builds a C encoder per call (~1 us), far more than the writing of a null or
    a short string. These are the very functions it calls for them; anything else goes to it.
    """
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is str:
        return _encode_string(value)
    if type(value) is int:
        return int.__repr__(value)
    return _encode(value)


JOB_FIELDS = tuple(Job(0, "", "", "", 0, "", "", 0.0, ProcessBehaviour(), "").to_dto(0.0).keys())
#: The JobDto fields a job's phase decides (``Job._phase_fields``); all others are fixed at
#: creation. ``_PHASE_ORDER`` is their order in the DTO, the order of the holes.
_PHASE_FIELDS = frozenset(
    {
        "StartTime",
        "EndTime",
        "State",
        "Info",
        "OutputArguments",
        "HostMachineName",
        "StopStrategy",
        "LastModificationTime",
        "JobError",
    }
)
_PHASE_ORDER = tuple(name for name in JOB_FIELDS if name in _PHASE_FIELDS)
#: ``"Name":`` of every field, as the encoder writes a key.
_MEMBER_PREFIX = {name: _encode_string(name) + ":" for name in JOB_FIELDS}


@dataclass
class RestartPolicy:
    """The guesses of RestartJob, one per tenant (``backend.restart_policy``).

    The rules that read it are in ``restart.py``; it lives here so the backend that holds it
    need not import them.
    """

    restartable_states: frozenset[str] = field(
        default_factory=lambda: frozenset({"Successful", "Faulted", "Stopped"})
    )
    keep_batch_key: bool = False

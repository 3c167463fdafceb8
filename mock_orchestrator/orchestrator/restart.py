"""RestartJob: a new job for a finished one (``POST .../Jobs/...RestartJob {"jobId": N}``).

What the wire reference and the swagger say: the body is ``{"jobId": <int64>}`` and the answer
is 200 with one ``JobDto`` ([V] docs/wire.md §6.7, UiPath's SDK; [V] swagger "200 JobDto",
scopes OR.Jobs/OR.Jobs.Write). What they do not say, chosen here and kept in
:class:`RestartPolicy` (``backend.restart_policy``) where a test may need the other answer:

* which jobs restart: those in a final state, Successful, Faulted or Stopped [I] (the swagger's
  error enum has ``CannotRestartUnfinishedJob``; Orchestrator's UI offers Restart on final
  jobs); any other state is :class:`~.exceptions.JobNotRestartable` (409 [?]);
* what the new job copies: release, input arguments, priority, runtime type, entry point,
  reference and source of the original [I]; it runs as the process is configured *now*
  (``configure_process``) [I], like any job StartJobs creates;
* its ``BatchExecutionKey``: a new one [I] (``keep_batch_key=True`` reuses the original's).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .exceptions import InvalidRequest, JobNotRestartable, ValidationFailed
from .models.jobs import RestartPolicy
from .models.start_info import StartInfo

if TYPE_CHECKING:
    from .backend import TenantBackend
    from .models.folders import Folder
    from .models.jobs import Job

__all__ = ["RestartPolicy", "parse_restart", "restart_job"]


def parse_restart(body: Any) -> int:
    """``{"jobId": N}`` -> N ([V] the SDK's body; the name matched without regard to case)."""
    if not isinstance(body, dict):
        raise InvalidRequest("The body must be a JSON object.")
    value = next((v for k, v in body.items() if isinstance(k, str) and k.lower() == "jobid"), None)
    if value is None:
        raise ValidationFailed("The jobId field is required.")
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
        raise ValidationFailed(
            "The JSON value could not be converted to System.Int64. Path: $.jobId"
        )
    return value


def restart_job(
    backend: TenantBackend, folder: Folder, job_id: int, *, parent_job_key: str | None = None
) -> Job:
    """The new job; the original must be a job of ``folder`` (404 1002) in a restartable state."""
    original = backend.job(folder, job_id)
    policy = backend.restart_policy
    state = original.state_at(backend.now)
    if state not in policy.restartable_states:
        raise JobNotRestartable(original.id, state)
    info = StartInfo(
        release_key=original.release_key,
        release_name=None,
        strategy="ModernJobsCount",
        jobs_count=1,
        robot_ids=(),
        input_arguments=original.input_arguments,
        reference=original.reference,
        source=original.source,
        job_priority=original.job_priority,
        specific_priority=original.specific_priority,
        runtime_type=original.runtime_type,
        entry_point_path=original.entry_point_path,
        batch_key=original.batch_key if policy.keep_batch_key else None,
        requires_user_interaction=original.requires_user_interaction,
        trace_id=None,
    )
    (job,) = backend.start_jobs(folder, info, parent_job_key=parent_job_key)
    return job

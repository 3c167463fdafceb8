"""Jobs, Releases, Processes, ProcessSchedules and JobTriggers: operation -> behaviour.

Where the mock knowingly differs: a package upload reads the
package id and version from the file name (``Name.1.2.3.nupkg``), not from its ``.nuspec``;
mock jobs never suspend, so ResumeJob always answers that the job is not suspended. Schedules
fire on the world's clock (``schedules.py``).
"""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from typing import Any
from xml.sax.saxutils import escape

from ..exceptions import EntityNotFound, InvalidRequest, ValidationFailed
from ..models.start_info import parse_start_info
from .common import bulk, export, ok
from .errors import NotModelled
from .kinds import Args, Behaviour, call, create, delete, one, rows, update
from .schedules import fire_due
from .sets import JOB_TRIGGERS, PROCESS_SCHEDULES, PROCESSES
from .store import Context, Row
from .typed import JOBS, RELEASES

__all__ = ["TABLE"]

# -- jobs ---------------------------------------------------------------------------------


def _validation(errors: list[str], codes: list[str]) -> Row:
    return {"IsValid": not errors, "Errors": errors, "ErrorCodes": codes}


def _validate_dynamic(ctx: Context, args: Args) -> Row:
    """ValidateDynamicJob: would StartJobs accept this ``startInfo`` in this folder?"""
    info = parse_start_info(args.body())
    wanted = (info.release_key or info.release_name or "").casefold()
    for release in ctx.backend.releases_in(ctx.target_folder()):
        if wanted in (release.key.casefold(), release.name.casefold()):
            return _validation([], [])
    return _validation(["The job's associated process could not be found."], [])


def _validate_existing(ctx: Context, args: Args) -> Row:
    JOBS.find(ctx, args.key())
    return _validation([], [])


def _resume(ctx: Context, args: Args) -> Row:
    key = args.body_object().get("jobKey")
    if not isinstance(key, str):
        raise ValidationFailed("The jobKey field is required.")
    job = ctx.backend.job_by_key(ctx.target_folder(), key)
    state = job.state_at(ctx.now)
    if state != "Suspended":
        # [I] Orchestrator's text for resuming a job that is not suspended is not recorded.
        raise ValidationFailed(f"Job {job.id} is {state}, not Suspended: it cannot be resumed.")
    raise NotModelled("resuming a suspended job")


# -- releases -----------------------------------------------------------------------------


def _latest_version(ctx: Context, process_key: str) -> str | None:
    everyone = Context(ctx.backend, ctx.record, None, ctx.folders)
    versions = [
        row["Version"]
        for row in PROCESSES.rows(everyone)
        if str(row.get("Id", "")).casefold() == process_key.casefold()
    ]
    return max(versions, key=_version_key) if versions else None


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in re.split(r"[.-]", version))


def _set_version(ctx: Context, number: int, version: str) -> int:
    release = RELEASES.find(ctx, number)
    with ctx.backend.lock:
        if version != release.process_version:
            # bounded: ten versions back is as far as a rollback goes here
            release.previous_versions = [*release.previous_versions[-9:], release.process_version]
            release.process_version = version
    return release.id


def _to_latest(ctx: Context, number: int) -> int:
    release = RELEASES.find(ctx, number)
    latest = _latest_version(ctx, release.process_key) or release.process_version
    return _set_version(ctx, number, latest)


def _to_specific(ctx: Context, args: Args) -> int:
    version = args.body_object().get("packageVersion")
    if not isinstance(version, str) or not version.strip():
        raise ValidationFailed("The packageVersion field is required.")
    return _set_version(ctx, args.key(), version.strip())


def _rollback(ctx: Context, args: Args) -> int:
    release = RELEASES.find(ctx, args.key())
    if not release.previous_versions:
        raise ValidationFailed("The release has no previous version.")
    with ctx.backend.lock:
        release.process_version = release.previous_versions.pop()
    return release.id


def _update_by_key(ctx: Context, args: Args) -> None:
    body = args.body_object()
    key = body.get("releaseKey")
    if not isinstance(key, str):
        raise ValidationFailed("The releaseKey field is required.")
    for release in RELEASES.objects(ctx):
        if release.key == key.strip().lower():
            if isinstance(body.get("processVersion"), str):
                _set_version(ctx, release.id, body["processVersion"])
            if "inputArgs" in body:
                release.input_arguments = body["inputArgs"]
            if "entryPointPath" in body:
                release.entry_point_path = body["entryPointPath"]
            return None
    raise EntityNotFound("Release")


def _release_by_key(ctx: Context, args: Args) -> int:
    key = (args.query("key") or "").strip().lower()
    for release in RELEASES.objects(ctx):
        if release.key == key:
            return int(release.id)
    raise EntityNotFound("Release")


# -- processes (the tenant feed's packages) -----------------------------------------------


def _process_number(ctx: Context, args: Args, name: str = "key") -> int:
    text = args.text(name)
    package = text.split(":", 1)[0]
    return PROCESSES.number_of(ctx, package)


def _versions(ctx: Context, args: Args) -> list[Row]:
    wanted = args.text("processId").casefold()
    return [r for r in PROCESSES.rows(ctx) if str(r.get("Id", "")).casefold() == wanted]


def _arguments(ctx: Context, args: Args) -> Any:
    return PROCESSES.get(ctx, _process_number(ctx, args)).get("Arguments") or {}


def _set_arguments(ctx: Context, args: Args) -> None:
    body = args.body_object()
    key, arguments = body.get("key"), body.get("arguments")
    if not isinstance(key, str) or not isinstance(arguments, dict):
        raise ValidationFailed("The key and arguments fields are required.")
    number = PROCESSES.number_of(ctx, key.split(":", 1)[0])
    PROCESSES.update(ctx, number, {"Arguments": arguments}, partial=True)


def _download(ctx: Context, args: Args) -> bytes:
    """The package file: a NuGet package (a zip) whose ``.nuspec`` names the package id,
    version, title and description; the mock keeps no workflows, so it holds nothing else [I].
    """
    row = PROCESSES.get(ctx, _process_number(ctx, args))
    package, version = str(row["Id"]), str(row["Version"])
    nuspec = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd">'
        f"<metadata><id>{escape(package)}</id><version>{escape(version)}</version>"
        f"<title>{escape(str(row.get('Title') or package))}</title>"
        f"<authors>{escape(str(row.get('Authors') or ''))}</authors>"
        f"<description>{escape(str(row.get('Description') or ''))}</description>"
        "</metadata></package>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        # a fixed timestamp: the same package downloads as the same bytes
        archive.writestr(zipfile.ZipInfo(f"{package}.nuspec", (1980, 1, 1, 0, 0, 0)), nuspec)
    return buffer.getvalue()


_NUPKG = re.compile(r"filename=\"?([^\";\r\n]+?)\.(\d+(?:\.\d+){1,3}(?:-[\w.]+)?)\.nupkg")


def _upload(ctx: Context, args: Args) -> list[Row]:
    """UploadPackage (multipart): each ``<Id>.<version>.nupkg`` becomes a package version."""
    content = args.req.raw.content.decode("utf-8", "replace")
    found = _NUPKG.findall(content)
    if not found:
        raise InvalidRequest("The request holds no .nupkg file.")
    results = []
    for package, version in found[:10]:
        key = f"{package}:{version}"
        body = {"Key": key, "Id": package, "Version": version, "Title": package}
        try:
            PROCESSES.create(ctx, body)
            status = "Success"
        except Exception as exc:  # a conflict is reported per file, as Orchestrator does
            status = "Conflict" if "already exists" in str(exc) else "Failed"
        results.append({"Key": key, "Status": status, "Body": None})
    return results


# -- schedules and triggers ---------------------------------------------------------------


def _schedule_enabled(ctx: Context, args: Args) -> bool:
    body = args.body_object()
    enabled = body.get("enabled")
    if not isinstance(enabled, bool):
        raise ValidationFailed("The enabled field is required.")
    for number in args.body_ids("scheduleIds"):
        PROCESS_SCHEDULES.update(ctx, number, {"Enabled": enabled}, partial=True)
    return True


def _validate_schedule(ctx: Context, args: Args) -> Row:
    schedule = args.body_object().get("processSchedule")
    if not isinstance(schedule, dict):
        raise ValidationFailed("The processSchedule field is required.")
    errors = []
    if not schedule.get("Name"):
        errors.append("The Name field is required.")
    release_id = schedule.get("ReleaseId")
    if release_id is not None and not any(r.id == release_id for r in RELEASES.objects(ctx)):
        errors.append("The job's associated process could not be found.")
    return _validation(errors, [])


def _trigger_by_inbox(ctx: Context, args: Args) -> tuple[int, Row]:
    inbox = args.text("inboxId").casefold()
    for row in JOB_TRIGGERS.rows(ctx):
        if str(row.get("InboxId") or "").casefold() == inbox:
            return int(row["Id"]), row
    raise EntityNotFound("JobTrigger")


def _deliver(ctx: Context, args: Args) -> None:
    number, _ = _trigger_by_inbox(ctx, args)
    payload = args.body()
    text = payload if isinstance(payload, str) else str(payload)
    JOB_TRIGGERS.update(
        ctx, number, {"Status": "Fired", "TriggerMessage": text[:10_000]}, partial=True
    )


def _payload(ctx: Context, args: Args) -> Any:
    _, row = _trigger_by_inbox(ctx, args)
    return row.get("TriggerMessage")


def _wait_events(ctx: Context, args: Args) -> list[Row]:
    job_id = args.number("jobId")
    return [row for row in JOB_TRIGGERS.rows(ctx) if row.get("JobId") == job_id]


def _ignore(value: object) -> None:
    return None


def _fired(behaviour: Behaviour) -> Behaviour:
    """The behaviour, after the tenant's due schedules have started their jobs."""
    inner = behaviour.run

    def run(ctx: Context, args: Args) -> Any:
        fire_due(ctx.backend, PROCESS_SCHEDULES)
        return inner(ctx, args)

    return dataclasses.replace(behaviour, run=run)


TABLE: dict[str, Behaviour] = {
    # Jobs (list, read, start, stop, restart are the hand-written handlers)
    "jobs_export": export("Logs"),
    "jobs_resume_job": call(_resume),
    "jobs_validate_dynamic_job": call(_validate_dynamic),
    "jobs_validate_existing_job_by_id": call(_validate_existing),
    # Releases
    "releases_get_by_id": one(RELEASES),
    "releases_post": create(RELEASES),
    "releases_put_by_id": update(RELEASES),
    "releases_patch_by_id": update(RELEASES, partial=True),
    "releases_delete_by_id": delete(RELEASES),
    "releases_delete_by_key": ok(lambda ctx, a: RELEASES.delete(ctx, _release_by_key(ctx, a))),
    "releases_update_to_latest_package_version_by_id": call(
        lambda ctx, args: _to_latest(ctx, args.key())
    ),
    "releases_update_to_specific_package_version_by_id": call(_to_specific),
    "releases_rollback_to_previous_release_version_by_id": call(_rollback),
    "releases_update_by_key": call(_update_by_key),
    "releases_update_to_latest_package_version_bulk": bulk(
        lambda ctx, number: _ignore(_to_latest(ctx, number)), "releaseIds"
    ),
    # Processes
    "processes_get": rows(PROCESSES),
    "processes_delete_by_id": ok(lambda ctx, a: PROCESSES.delete(ctx, _process_number(ctx, a))),
    "processes_get_process_versions_by_processid": call(_versions, PROCESSES),
    "processes_get_arguments_by_key": call(_arguments),
    "processes_set_arguments": call(_set_arguments),
    "processes_download_package_by_key": call(_download),
    "processes_upload_package": call(_upload),
    # ProcessSchedules
    "process_schedules_get": _fired(rows(PROCESS_SCHEDULES)),
    "process_schedules_get_by_id": _fired(one(PROCESS_SCHEDULES)),
    "process_schedules_post": create(PROCESS_SCHEDULES),
    "process_schedules_put_by_id": update(PROCESS_SCHEDULES),
    "process_schedules_delete_by_id": delete(PROCESS_SCHEDULES),
    "process_schedules_activate_by_id": ok(
        lambda ctx, a: PROCESS_SCHEDULES.update(ctx, a.key(), {"Enabled": True}, partial=True)
    ),
    "process_schedules_get_robot_ids_for_schedule_by_key": call(
        lambda ctx, a: sorted(
            r["Id"] for r in PROCESS_SCHEDULES.get(ctx, a.key()).get("ExecutorRobots") or []
        )
    ),
    "process_schedules_set_enabled": call(_schedule_enabled),
    "process_schedules_validate_process_schedule": call(_validate_schedule),
    # JobTriggers
    "job_triggers_get": rows(JOB_TRIGGERS),
    "job_triggers_get_with_wait_events_by_jobid": call(_wait_events, JOB_TRIGGERS),
    "job_triggers_deliver_payload_by_inboxid": call(_deliver),
    "job_triggers_get_payload_by_inboxid": call(_payload),
}

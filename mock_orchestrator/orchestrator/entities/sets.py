"""The plain entity sets: rows of a DTO in a folder (or the tenant), nothing else to model.

Each set is a :class:`DictSource`: its DTO, whether it lives in folders, the values a new row
starts with, and the rows a fresh tenant holds. The values are the ones Orchestrator fills in
when a client leaves them out [I] (the DTO's required keys and enums from the published
swagger, ``data/dtos.json``); the seeds make a fresh tenant look used: one machine, one
calendar, one bucket, the tenant settings clients read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...core.clock import format_odata_time
from .schedules import parse_cron
from .store import DictSource, Row, base_row

if TYPE_CHECKING:
    from ..backend import TenantBackend
    from ..models.folders import Folder

__all__ = [
    "BUCKETS",
    "CALENDARS",
    "ENVIRONMENTS",
    "JOB_TRIGGERS",
    "MACHINES",
    "PROCESSES",
    "PROCESS_SCHEDULES",
    "ROBOT_LOGS",
    "SETTINGS",
    "WEBHOOKS",
]

#: The machine every tenant has: the host the mock's jobs "run" on (``models/jobs.py``).
HOST_MACHINE = "MOCK-HOST-01"


def _machine(backend: TenantBackend, number: int) -> Row:
    return base_row(
        "ExtendedMachineDto",
        backend,
        number,
        Name=f"Machine{number}",
        Type="Template",
        Scope="Default",
        NonProductionSlots=0,
        UnattendedSlots=1,
        HeadlessSlots=0,
        TestAutomationSlots=0,
        AutomationCloudSlots=0,
        AutomationCloudTestAutomationSlots=0,
        TargetFramework="Windows",
        EndpointDetectionStatus="NotAvailable",
        AutomationType="Any",
        RobotVersions=[],
        RobotUsers=[],
        Tags=[],
        UpdatePolicy=None,
    )


def _seed_machines(backend: TenantBackend) -> list[tuple[Folder | None, Row]]:
    return [(None, {"Name": HOST_MACHINE, "Description": "The mock's unattended host"})]


MACHINES = DictSource(
    "Machines",
    "ExtendedMachineDto",
    _machine,
    folder_scoped=False,
    seed=_seed_machines,
    first_id=1001,
)


def _environment(backend: TenantBackend, number: int) -> Row:
    return base_row("EnvironmentDto", backend, number, Type="Prod", Robots=[])


ENVIRONMENTS = DictSource("Environments", "EnvironmentDto", _environment, first_id=501)


def _calendar(backend: TenantBackend, number: int) -> Row:
    return base_row("ExtendedCalendarDto", backend, number, TimeZoneId="UTC", ExcludedDates=[])


def _seed_calendars(backend: TenantBackend) -> list[tuple[Folder | None, Row]]:
    return [(None, {"Name": "Public holidays"})]


CALENDARS = DictSource(
    "Calendars",
    "ExtendedCalendarDto",
    _calendar,
    folder_scoped=False,
    seed=_seed_calendars,
    first_id=11,
)


def _webhook(backend: TenantBackend, number: int) -> Row:
    return base_row(
        "WebhookDto",
        backend,
        number,
        Enabled=True,
        SubscribeToAllEvents=False,
        AllowInsecureSsl=False,
        Events=[],
        Secret=None,
    )


WEBHOOKS = DictSource("Webhooks", "WebhookDto", _webhook, folder_scoped=False, first_id=301)


def _bucket(backend: TenantBackend, number: int) -> Row:
    return base_row(
        "BucketDto",
        backend,
        number,
        Identifier=backend.ids.guid(),
        StorageProvider=None,
        Options="None",
        FoldersCount=1,
        Tags=[],
    )


def _seed_buckets(backend: TenantBackend) -> list[tuple[Folder | None, Row]]:
    return [(backend.default_folder, {"Name": "Invoices", "Description": "Scanned invoices"})]


BUCKETS = DictSource("Buckets", "BucketDto", _bucket, seed=_seed_buckets, first_id=71)


def _schedule(backend: TenantBackend, number: int) -> Row:
    return base_row(
        "ProcessScheduleDto",
        backend,
        number,
        Enabled=True,
        ReleaseId=None,
        ReleaseKey=None,
        ReleaseName=None,
        PackageName=None,
        EnvironmentName=None,
        EnvironmentId=None,
        JobPriority="Normal",
        RuntimeType="Unattended",
        StartProcessCron="0 0 0 ? * * *",
        StartProcessCronDetails=None,
        StartProcessCronSummary="Every day at 00:00",
        StartProcessNextOccurrence=None,
        StartStrategy=0,
        ExecutorRobots=[],
        StopProcessExpression=None,
        StopStrategy=None,
        KillProcessExpression=None,
        ExternalJobKey=None,
        ExternalJobKeyScheduler=None,
        TimeZoneId="UTC",
        TimeZoneIana="Etc/UTC",
        UseCalendar=False,
        CalendarId=None,
        CalendarName=None,
        CalendarKey=None,
        StopProcessDate=None,
        InputArguments=None,
        QueueDefinitionId=None,
        QueueDefinitionName=None,
        ActivateOnJobComplete=None,
        ItemsActivationThreshold=None,
        ItemsPerJobActivationTarget=None,
        MaxJobsForActivation=None,
        ResumeOnSameContext=False,
        Tags=[],
    )


def _check_schedule(row: Row) -> None:
    if row.get("StartProcessCron"):
        parse_cron(row["StartProcessCron"])


#: Schedules fire on the world's clock (``schedules.py``).
PROCESS_SCHEDULES = DictSource(
    "ProcessSchedules",
    "ProcessScheduleDto",
    _schedule,
    first_id=8801,
    entity="ProcessSchedule",
    check=_check_schedule,
)


def _process(backend: TenantBackend, number: int) -> Row:
    return base_row(
        "ProcessDto",
        backend,
        number,
        IsActive=True,
        IsLatestVersion=True,
        Version="1.0.0",
        Authors="acme",
        Title=None,
        Description=None,
        Published=format_odata_time(backend.now),
        ProjectType="Process",
        TargetFramework="Windows",
        Arguments={"Input": None, "Output": None},
        Tags=None,
        ResourceTags=[],
    )


def _seed_processes(backend: TenantBackend) -> list[tuple[Folder | None, Row]]:
    """One package per process key deployed in the tenant (the tenant feed) [I]."""
    seen: dict[str, Any] = {}
    for release in backend.releases.values():
        seen.setdefault(release.process_key, release)
    return [
        (
            None,
            {
                "Key": f"{key}:{release.process_version}",
                "Version": release.process_version,
                "Id": key,
                "Title": key,
                "Description": release.description,
            },
        )
        for key, release in seen.items()
    ]


#: The feed's packages. ``Key`` is ``"<id>:<version>"`` and ``Id`` the package id, a string,
#: as in ``ProcessDto``; the store's numbers only order them.
PROCESSES = DictSource(
    "Processes",
    "ProcessDto",
    _process,
    folder_scoped=False,
    seed=_seed_processes,
    unique="Key",
    text_id=True,
    entity="Process",
)


def _trigger(backend: TenantBackend, number: int) -> Row:
    return base_row(
        "JobTriggerDto",
        backend,
        number,
        TriggerType="Job",
        Status="New",
        TimeoutAt=None,
        CreatorUserId=None,
    )


JOB_TRIGGERS = DictSource("JobTriggers", "JobTriggerDto", _trigger, unique=None, first_id=9001)


def _log(backend: TenantBackend, number: int) -> Row:
    return base_row(
        "LogDto",
        backend,
        number,
        Level="Info",
        WindowsIdentity="acme\\svc-robot",
        ProcessName=None,
        TimeStamp=format_odata_time(backend.now),
        Message="",
        JobKey=None,
        RawMessage=None,
        RobotName="MOCK-HOST-01_svc",
        HostMachineName=HOST_MACHINE,
        MachineId=1001,
        MachineKey=None,
        RuntimeType="Unattended",
    )


#: ``POST /api/Logs`` appends here; a job's lifecycle is not logged by itself [I].
ROBOT_LOGS = DictSource("RobotLogs", "LogDto", _log, unique=None, first_id=1, entity="Log")


def _setting(backend: TenantBackend, number: int) -> Row:
    return {"Name": "", "Value": None, "Scope": "Tenant", "Id": str(number)}


_TENANT_SETTINGS = {
    "Abp.Timing.TimeZone": "UTC",
    "Alerts.Email.Enabled": "false",
    "Auth.UserLockOut.IsEnabled": "true",
    "Deployment.Processes.Url": "",
    "Features.QueueItemDataRetention.Enabled": "true",
    "Localization.DefaultLanguage": "en",
    "Robots.ConnectionTimeoutSeconds": "30",
}


def _seed_settings(backend: TenantBackend) -> list[tuple[Folder | None, Row]]:
    return [(None, {"Id": n, "Name": n, "Value": v}) for n, v in _TENANT_SETTINGS.items()]


#: ``SettingsDto`` keys its rows by Name ([V] swagger: ``Settings({key})`` takes a string).
SETTINGS = DictSource(
    "Settings",
    "SettingsDto",
    _setting,
    folder_scoped=False,
    seed=_seed_settings,
    entity="Setting",
    text_id=True,
)

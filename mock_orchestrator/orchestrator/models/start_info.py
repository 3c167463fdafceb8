"""StartJobs' ``startInfo`` (``StartProcessDto``), validated the way the swagger describes it.

([V] docs/wire.md §6.6, UICLI swagger): ``ReleaseKey`` or ``ReleaseName`` (the fallback);
``Strategy`` in All/Specific/RobotCount/JobsCount/ModernJobsCount; ``InputArguments`` a JSON
*string* of at most 10000 characters ([V] trap 11); ``Reference`` at most 128; ``Source``,
``JobPriority`` and ``RuntimeType`` from their enums. Structural problems (no ``startInfo``,
not an object) are errorCode 1000; a field that fails validation is errorCode 1009.
Enum names bind without regard to case, as ASP.NET's enum converter does [I].
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from ..exceptions import InvalidRequest, ValidationFailed

__all__ = ["MAX_INPUT_ARGUMENTS", "StartInfo", "parse_start_info"]

MAX_INPUT_ARGUMENTS = 10000
MAX_REFERENCE = 128
#: [?] no documented ceiling on JobsCount; the mock refuses absurd batches.
MAX_JOBS_COUNT = 1000

STRATEGIES = ("All", "Specific", "RobotCount", "JobsCount", "ModernJobsCount")
PRIORITIES = ("Low", "Normal", "High")
#: [V] StartProcessDto.Source (docs/wire.md §6.6).
SOURCES = (
    "Manual Schedule Queue StudioWeb IntegrationTrigger StudioDesktop AutomationOpsPipelines "
    "Apps SAP HttpTrigger HttpTriggerWithCallback RobotAPI Assistant CommandLine RobotNetAPI "
    "Autopilot TestManager AgentService ProcessOrchestration PluginEcosystem PerformanceTesting "
    "AgentHub ApiWorkflow"
).split()
#: [V] JobDto.SourceType (docs/wire.md §6.9); a Source outside it is reported as Manual [I].
SOURCE_TYPES = frozenset(
    (
        "Manual Schedule Agent Queue StudioWeb IntegrationTrigger StudioDesktop "
        "AutomationOpsPipelines Apps SAP HttpTrigger HttpTriggerCallback RobotAPI CommandLine "
        "RobotNetAPI Autopilot TestManager AgentService ProcessOrchestration PluginEcosystem "
        "PerformanceTesting AgentHub ApiWorkflow"
    ).split()
)
#: [V] StartProcessDto.RuntimeType (docs/wire.md §6.6).
RUNTIME_TYPES = (
    "NonProduction Attended Unattended Development Studio RpaDeveloper StudioX "
    "CitizenDeveloper Headless StudioPro RpaDeveloperPro TestAutomation AutomationCloud "
    "Serverless AutomationKit ServerlessTestAutomation AutomationCloudTestAutomation "
    "AttendedStudioWeb Hosting AssistantWeb ProcessOrchestration AgentService AppTest "
    "PerformanceTest"
).split()


class StartInfo(NamedTuple):
    """A valid ``startInfo``. (A NamedTuple: immutable like a frozen dataclass, and built in a
    fifth of the time, which StartJobs pays on every call.)"""

    release_key: str | None
    release_name: str | None
    strategy: str
    jobs_count: int
    robot_ids: tuple[int, ...]
    input_arguments: str | None
    reference: str | None
    source: str
    job_priority: str
    specific_priority: int | None
    runtime_type: str
    entry_point_path: str | None
    batch_key: str | None
    requires_user_interaction: bool
    trace_id: str | None


def _get(obj: dict[str, Any], name: str) -> Any:
    """A property by name, matched without regard to case (System.Text.Json web defaults)."""
    if name in obj:
        return obj[name]
    lowered = name.lower()
    for key, value in obj.items():
        if isinstance(key, str) and key.lower() == lowered:
            return value
    return None


class _Fields:
    """:func:`_get` for many names of one object: its keys are lower-cased once, not per name.

    Same answers as ``_get``: an exact name wins, else the *first* property whose name matches
    without regard to case, else None. (StartJobs reads sixteen names, most of them absent:
    scanning every key for each was a tenth of the request's cost.)
    """

    __slots__ = ("_exact", "_folded")

    def __init__(self, obj: dict[str, Any]) -> None:
        self._exact = obj
        self._folded: dict[str, Any] = {}
        for key, value in obj.items():
            if isinstance(key, str):
                self._folded.setdefault(key.lower(), value)

    def get(self, name: str) -> Any:
        if name in self._exact:
            return self._exact[name]
        return self._folded.get(name.lower())


def _options(names: list[str] | tuple[str, ...]) -> dict[str, str]:
    """An enum's names by their lower-case form, for binding without regard to case."""
    folded = {name.lower(): name for name in names}
    assert len(folded) == len(names), "enum names must differ in more than case"
    return folded


_STRATEGY_NAMES = _options(STRATEGIES)
_PRIORITY_NAMES = _options(PRIORITIES)
_SOURCE_NAMES = _options(SOURCES)
_RUNTIME_TYPE_NAMES = _options(RUNTIME_TYPES)


def _enum(fields: _Fields, name: str, options: dict[str, str], default: str) -> str:
    value = fields.get(name)
    if value is None:
        return default
    if isinstance(value, str):
        found = options.get(value.strip().lower())
        if found is not None:
            return found
    raise ValidationFailed(f"The value '{str(value)[:40]}' is not valid for {name}.")


def _optional_text(fields: _Fields, name: str, limit: int | None = None) -> str | None:
    value = fields.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationFailed(
            f"The JSON value could not be converted to System.String. Path: $.startInfo.{name}"
        )
    if limit is not None and len(value) > limit:
        raise ValidationFailed(
            f"The field {name} must be a string with a maximum length of {limit}."
        )
    return value


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed(
            f"The JSON value could not be converted to System.Int64. Path: $.startInfo.{name}"
        )
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _input_arguments(fields: _Fields) -> str | None:
    text = _optional_text(fields, "InputArguments", MAX_INPUT_ARGUMENTS)
    if text is None or not text.strip():
        return None
    try:
        # NaN and Infinity are no JSON (.NET refuses them): refused here as in a body.
        parsed = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        parsed = None
    if not isinstance(parsed, dict):
        # [?] the real message is not recorded; the rule is [V] (a JSON-encoded object).
        raise ValidationFailed("InputArguments must be a JSON object serialized as a string.")
    return text


def parse_start_info(body: Any) -> StartInfo:
    """``{"startInfo": {...}}`` (or ``StartInfo``) -> :class:`StartInfo`, or a 400."""
    if not isinstance(body, dict):
        raise InvalidRequest("The body must be a JSON object.")
    info = _get(body, "startInfo")
    if info is None:
        raise InvalidRequest("startInfo is required.")
    if not isinstance(info, dict):
        raise InvalidRequest("startInfo must be an object.")
    fields = _Fields(info)
    release_key = _optional_text(fields, "ReleaseKey")
    release_name = _optional_text(fields, "ReleaseName")
    if not (release_key and release_key.strip()) and not (release_name and release_name.strip()):
        raise ValidationFailed("ReleaseKey or ReleaseName is required.")
    strategy = _enum(fields, "Strategy", _STRATEGY_NAMES, "ModernJobsCount")
    raw_ids = fields.get("RobotIds")
    if raw_ids is not None and not isinstance(raw_ids, list):
        raise ValidationFailed("RobotIds must be an array of robot ids.")
    robot_ids = tuple(_int(v, "RobotIds") for v in raw_ids or ())
    count_field = "NoOfRobots" if strategy == "RobotCount" else "JobsCount"
    raw_count = fields.get(count_field)
    jobs_count = 0 if raw_count is None else _int(raw_count, count_field)
    if not 0 <= jobs_count <= MAX_JOBS_COUNT:
        raise ValidationFailed(f"The field {count_field} must be between 0 and {MAX_JOBS_COUNT}.")
    # [I] modern folders allocate dynamically: 0 (the default) means one job.
    jobs_count = max(jobs_count, 1)
    priority_value = fields.get("SpecificPriorityValue")
    specific_priority = None
    if priority_value is not None:
        specific_priority = _int(priority_value, "SpecificPriorityValue")
        if not 1 <= specific_priority <= 100:
            raise ValidationFailed("The field SpecificPriorityValue must be between 1 and 100.")
    interaction = fields.get("RequiresUserInteraction")
    return StartInfo(
        release_key=release_key.strip() if release_key else None,
        release_name=release_name.strip() if release_name else None,
        strategy=strategy,
        jobs_count=jobs_count,
        robot_ids=robot_ids,
        input_arguments=_input_arguments(fields),
        reference=_optional_text(fields, "Reference", MAX_REFERENCE),
        source=_enum(fields, "Source", _SOURCE_NAMES, "Manual"),
        job_priority=_enum(fields, "JobPriority", _PRIORITY_NAMES, "Normal"),
        specific_priority=specific_priority,
        runtime_type=_enum(fields, "RuntimeType", _RUNTIME_TYPE_NAMES, "Unattended"),
        entry_point_path=_optional_text(fields, "EntryPointPath"),
        batch_key=_optional_text(fields, "BatchExecutionKey"),
        requires_user_interaction=interaction is True,
        trace_id=_optional_text(fields, "TraceId"),
    )


_STOP_STRATEGIES = {"softstop": "SoftStop", "kill": "Kill", "1": "SoftStop", "2": "Kill"}


def parse_stop_strategy(value: Any) -> str:
    """``"SoftStop"|"Kill"|"1"|"2"|1|2`` -> ``SoftStop``/``Kill`` ([V] §6.7, older clients)."""
    if isinstance(value, bool):
        value = None
    if isinstance(value, int):
        value = str(value)
    if isinstance(value, str):
        found = _STOP_STRATEGIES.get(value.strip().lower())
        if found is not None:
            return found
    if value is None:
        raise ValidationFailed("The strategy field is required.")
    raise ValidationFailed(f"The value '{str(value)[:40]}' is not valid for strategy.")


def parse_job_ids(body: dict[str, Any]) -> list[int]:
    raw = _get(body, "jobIds")
    if raw is None:
        raise ValidationFailed("The jobIds field is required.")
    if not isinstance(raw, list):
        raise ValidationFailed("jobIds must be an array of job ids.")
    return [_int(v, "jobIds") for v in raw]

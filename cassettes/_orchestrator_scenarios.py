"""Orchestrator scenarios (``odata/...`` and ``api/...``), judged against recorded payloads.

The field sets the checks require come from :mod:`fixtures.payloads` -- what UiPath really
sent -- so a renamed, re-cased or missing field in the mock fails. Extra fields are allowed
where the recording is older or shorter than the swagger's DTO (``exact=False``), and
listed by :func:`extra_fields` for reports.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx

from fixtures._wire import JOB_STATES
from fixtures.payloads import payload

from ._checks import Responses, Scenario, expect_keys, expect_status, json_body
from ._world import World

__all__ = ["ORCHESTRATOR_SCENARIOS", "extra_fields"]

_TRACE = re.compile(r"00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]")
_ISO_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,7})?Z")
_START_JOBS = "/odata/Jobs/UiPath.Server.Configuration.OData.StartJobs"

# Field sets of recorded answers [V]; see fixtures.payloads for each source.
RELEASE_KEYS = {
    "Key",
    "ProcessKey",
    "ProcessVersion",
    "IsLatestVersion",
    "IsProcessDeleted",
    "Description",
    "Name",
    "InputArguments",
}  # in all three recorded samples
FOLDER_KEYS = set(payload("orchestrator.folders.modern").json()["value"][0])
JOB_LIST_KEYS = set(payload("orchestrator.jobs.list").json()["value"][0])
STARTED_JOB_KEYS = set(payload("orchestrator.start_jobs.response_2019").json()["value"][0])
QUEUE_ITEM_KEYS = set(payload("orchestrator.add_queue_item.response").json()) - {"@odata.context"}
ABP_401 = payload("orchestrator.abp_401").json()
ABP_403 = payload("orchestrator.abp_403").json()


def extra_fields(recorded: set[str], live: dict[str, Any]) -> list[str]:
    """Fields the live answer has and the recording does not (for reports, not failures)."""
    return sorted(set(live) - recorded)


def _bearer(client: httpx.Client, world: World, scope: str | None = None) -> dict[str, str]:
    answer = client.post(
        world.identity_url + "/connect/token",
        data={
            "grant_type": "client_credentials",
            "client_id": world.client_id,
            "client_secret": world.client_secret,
            "scope": scope or world.cc_scope,
        },
    )
    return {"Authorization": f"Bearer {answer.json().get('access_token', '')}"}


def _folder(world: World) -> dict[str, str]:
    return {"X-UIPATH-OrganizationUnitId": str(world.folder_id)}


def _collection(response: httpx.Response, entity_set: str, where: str) -> list[Any]:
    body = json_body(response, where)
    expect_keys(body, {"@odata.context", "@odata.count", "value"}, where)
    assert body["@odata.context"].endswith(f"$metadata#{entity_set}"), body["@odata.context"]
    assert isinstance(body["@odata.count"], int), f"{where}: @odata.count not an int"
    assert isinstance(body["value"], list), f"{where}: value not an array"
    assert body["@odata.count"] >= len(body["value"]), f"{where}: count below the page"
    return list(body["value"])


def _guid(value: Any, where: str) -> None:
    assert isinstance(value, str), f"{where}: not a string"
    assert str(uuid.UUID(value)) == value, f"{where}: {value!r} is not a lower-case GUID"


def _compact_error(response: httpx.Response, status: int, code: int, where: str) -> str:
    expect_status(response, status, where)
    body = json_body(response, where)
    expect_keys(body, {"message", "errorCode", "traceId"}, where)
    assert body["errorCode"] == code, f"{where}: errorCode {body['errorCode']!r}, not {code}"
    assert _TRACE.fullmatch(body["traceId"]), f"{where}: traceId {body['traceId']!r}"
    return str(body["message"])


# -- releases and folders ------------------------------------------------------------------


def drive_releases(client: httpx.Client, world: World) -> Responses:
    auth = _bearer(client, world)
    releases = client.get(
        world.orchestrator_url + "/odata/Releases",
        params={"$filter": f"Name eq '{world.process}'"},
        headers={**auth, **_folder(world)},
    )
    return {"releases": releases}


def check_releases(responses: Responses, world: World) -> None:
    expect_status(responses["releases"], 200, "releases")
    items = _collection(responses["releases"], "Releases", "releases")
    assert items, "releases: the filter by Name found nothing"
    for item in items:
        expect_keys(item, RELEASE_KEYS, "release", exact=False)
        _guid(item["Key"], "release.Key")
        assert item["Name"] == world.process
        assert isinstance(item["IsLatestVersion"], bool)
        assert item["InputArguments"] is None or isinstance(item["InputArguments"], str)


def drive_folders(client: httpx.Client, world: World) -> Responses:
    # Tenant-level: no folder header, as UiPath's PowerShell and Postman calls send none.
    return {
        "folders": client.get(
            world.orchestrator_url + "/odata/Folders", headers=_bearer(client, world)
        )
    }


def check_folders(responses: Responses, world: World) -> None:
    expect_status(responses["folders"], 200, "folders")
    items = _collection(responses["folders"], "Folders", "folders")
    assert any(f.get("FullyQualifiedName") == world.folder for f in items), (
        f"folders: {world.folder!r} not listed"
    )
    for item in items:
        expect_keys(item, FOLDER_KEYS, "folder", exact=False)
        assert item["ProvisionType"] in ("Manual", "Automatic")
        assert item["PermissionModel"] in ("InheritFromTenant", "FineGrained")
        assert isinstance(item["Id"], int)


# -- jobs ----------------------------------------------------------------------------------


def _start_body(world: World) -> dict[str, Any]:
    # [V] UiPath's Postman "Start Process in Modern Folder" (docs/wire.md §6.6).
    return {
        "startInfo": {
            "ReleaseKey": world.release_key,
            "Strategy": "ModernJobsCount",
            "JobsCount": 1,
            "InputArguments": "{}",
        }
    }


def drive_start_job(client: httpx.Client, world: World) -> Responses:
    auth = _bearer(client, world)
    started = client.post(
        world.orchestrator_url + _START_JOBS,
        json=_start_body(world),
        headers={**auth, **_folder(world)},
    )
    return {"start": started}


def check_start_job(responses: Responses, world: World) -> None:
    response = responses["start"]
    expect_status(response, 201, "StartJobs")
    body = json_body(response, "StartJobs")
    # [V] an action's answer: @odata.context and value, no @odata.count (Joget 2019).
    expect_keys(body, {"@odata.context", "value"}, "StartJobs")
    assert body["@odata.context"].endswith("$metadata#Jobs"), body["@odata.context"]
    (job,) = body["value"]
    expect_keys(job, STARTED_JOB_KEYS, "StartJobs job", exact=False)
    assert job["State"] == "Pending", f"StartJobs: State {job['State']!r}"
    assert job["StartTime"] is None
    assert job["EndTime"] is None
    assert isinstance(job["Id"], int)
    _guid(job["Key"], "job.Key")
    assert _ISO_UTC.fullmatch(job["CreationTime"]), job["CreationTime"]


def drive_start_and_read(client: httpx.Client, world: World) -> Responses:
    auth = {**_bearer(client, world), **_folder(world)}
    started = client.post(
        world.orchestrator_url + _START_JOBS, json=_start_body(world), headers=auth
    )
    job_id = started.json()["value"][0]["Id"]
    single = client.get(f"{world.orchestrator_url}/odata/Jobs({job_id})", headers=auth)
    listed = client.get(
        world.orchestrator_url + "/odata/Jobs",
        params={"$top": "3", "$filter": f"Id eq {job_id}"},
        headers=auth,
    )
    return {"start": started, "single": single, "listed": listed}


def check_start_and_read(responses: Responses, world: World) -> None:
    check_start_job(responses, world)
    single = responses["single"]
    expect_status(single, 200, "Jobs(id)")
    job = json_body(single, "Jobs(id)")
    expect_keys(job, STARTED_JOB_KEYS | {"@odata.context"}, "Jobs(id)", exact=False)
    assert job["@odata.context"].endswith("$metadata#Jobs/$entity"), job["@odata.context"]
    expect_status(responses["listed"], 200, "Jobs")
    (item,) = _collection(responses["listed"], "Jobs", "Jobs")
    expect_keys(item, JOB_LIST_KEYS, "Jobs[]", exact=False)
    assert item["State"] in JOB_STATES
    assert item["Id"] == job["Id"]


def drive_jobs_list(client: httpx.Client, world: World) -> Responses:
    auth = {**_bearer(client, world), **_folder(world)}
    return {
        "jobs": client.get(
            world.orchestrator_url + "/odata/Jobs",
            params={"$top": "3", "$filter": world.jobs_filter},
            headers=auth,
        )
    }


def check_jobs_list(responses: Responses, world: World) -> None:
    expect_status(responses["jobs"], 200, "Jobs")
    items = _collection(responses["jobs"], "Jobs", "Jobs")
    assert len(items) <= 3, "Jobs: $top=3 not honoured"
    for item in items[:1]:  # the recording cut every item after the first [V]
        expect_keys(item, JOB_LIST_KEYS, "Jobs[]", exact=False)
        assert item["State"] in JOB_STATES


# -- queues --------------------------------------------------------------------------------


def drive_add_queue_item(client: httpx.Client, world: World) -> Responses:
    auth = {**_bearer(client, world), **_folder(world)}
    body = payload("orchestrator.add_queue_item.request").json()
    body["itemData"]["Name"] = world.queue
    return {
        "add": client.post(
            world.orchestrator_url + "/odata/Queues/UiPathODataSvc.AddQueueItem",
            json=body,
            headers=auth,
        )
    }


def check_add_queue_item(responses: Responses, world: World) -> None:
    response = responses["add"]
    expect_status(response, 201, "AddQueueItem")
    item = json_body(response, "AddQueueItem")
    expect_keys(item, QUEUE_ITEM_KEYS | {"@odata.context"}, "AddQueueItem", exact=False)
    assert item["@odata.context"].endswith("$metadata#QueueItems/$entity")
    assert item["Status"] == "New"
    assert item["Priority"] == "Normal"
    # [V] the @odata.type annotation is not kept; SpecificData is a JSON string.
    assert item["SpecificContent"] == {"Type": "Customer", "Name": "Some Guy"}
    assert isinstance(item["SpecificData"], str)
    _guid(item["Key"], "QueueItem.Key")


# -- errors --------------------------------------------------------------------------------


def drive_auth_errors(client: httpx.Client, world: World) -> Responses:
    url = world.orchestrator_url + "/odata/Releases"
    anonymous = client.get(url, headers=_folder(world))
    narrow = _bearer(client, world, scope="OR.Robots.Read")
    forbidden = client.get(url, headers={**narrow, **_folder(world)})
    return {"anonymous": anonymous, "forbidden": forbidden}


def check_auth_errors(responses: Responses, world: World) -> None:
    expect_status(responses["anonymous"], 401, "no token")
    assert json_body(responses["anonymous"], "no token") == ABP_401
    expect_status(responses["forbidden"], 403, "narrow token")
    assert json_body(responses["forbidden"], "narrow token") == ABP_403


def drive_folder_errors(client: httpx.Client, world: World) -> Responses:
    auth = _bearer(client, world)
    url = world.orchestrator_url + _START_JOBS
    no_folder = client.post(url, json=_start_body(world), headers=auth)
    unknown = client.post(
        url, json=_start_body(world), headers={**auth, "X-UIPATH-FolderPath": "No Such/Folder"}
    )
    missing_job = client.get(
        world.orchestrator_url + "/odata/Jobs(987654321)", headers={**auth, **_folder(world)}
    )
    return {"no_folder": no_folder, "unknown_folder": unknown, "missing_job": missing_job}


def check_folder_errors(responses: Responses, world: World) -> None:
    message = _compact_error(responses["no_folder"], 400, 1101, "no folder header")
    assert message == "An organization unit is required for this action."
    message = _compact_error(responses["unknown_folder"], 400, 1100, "unknown folder")
    assert message == "Folder does not exist or the user does not have access to the folder."
    message = _compact_error(responses["missing_job"], 404, 1002, "unknown job")
    assert re.fullmatch(r"[A-Z]\w+ does not exist\.", message), message


def drive_take_limit(client: httpx.Client, world: World) -> Responses:
    # The SDK's folder lookup pages with skip/take (docs/wire.md §5.1); take is capped at 100.
    return {
        "page": client.get(
            world.orchestrator_url + "/api/FoldersNavigation/GetFoldersForCurrentUser",
            params={"searchText": "", "skip": "0", "take": "1000"},
            headers=_bearer(client, world),
        )
    }


def check_take_limit(responses: Responses, world: World) -> None:
    message = _compact_error(responses["page"], 400, 1009, "take=1000")
    assert message == "The field take must be between 0 and 100", message


def drive_status_version(client: httpx.Client, world: World) -> Responses:
    root = world.orchestrator_url.rsplit("/orchestrator_", 1)[0].split("/", 3)[:3]
    return {"version": client.get("/".join(root) + "/orchestrator_/api/status/version")}


def check_status_version(responses: Responses, world: World) -> None:
    expect_status(responses["version"], 200, "version")
    body = json_body(responses["version"], "version")
    # The recorded sample has only "version" [V] UIPY; UiPath's CLI also reads "deployment"
    # from it (docs/clients.md), so more fields are allowed.
    expect_keys(body, {"version"}, "version", exact=False)
    assert re.fullmatch(r"\d+(\.\d+){3}", body["version"]), body["version"]


ORCHESTRATOR_SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "orchestrator_releases",
        "identity",
        drive_releases,
        check_releases,
        "GET odata/Releases filtered by Name (§6.1)",
    ),
    Scenario(
        "orchestrator_folders",
        "identity",
        drive_folders,
        check_folders,
        "GET odata/Folders without a folder header (§6.2)",
    ),
    Scenario(
        "orchestrator_start_job",
        "identity",
        drive_start_job,
        check_start_job,
        "StartJobs in a modern folder: 201, a Pending job, no @odata.count (§6.6)",
    ),
    Scenario(
        "orchestrator_start_and_read",
        "identity",
        drive_start_and_read,
        check_start_and_read,
        "StartJobs, then Jobs({id}) and a filtered list (§6.4-6.6)",
    ),
    Scenario(
        "orchestrator_jobs_list",
        "identity",
        drive_jobs_list,
        check_jobs_list,
        "GET odata/Jobs with $top and $filter (§6.4)",
    ),
    Scenario(
        "orchestrator_add_queue_item",
        "identity",
        drive_add_queue_item,
        check_add_queue_item,
        "AddQueueItem: 201 and the QueueItem (§6.8)",
    ),
    Scenario(
        "orchestrator_auth_errors",
        "identity",
        drive_auth_errors,
        check_auth_errors,
        "no token: ABP 401; a token without the scope: ABP 403 (§8.1)",
    ),
    Scenario(
        "orchestrator_folder_errors",
        "identity",
        drive_folder_errors,
        check_folder_errors,
        "errorCodes 1101, 1100 and 1002 (§8.1-8.2)",
    ),
    Scenario(
        "orchestrator_take_limit",
        "identity",
        drive_take_limit,
        check_take_limit,
        "skip/take paging past 100: errorCode 1009 (§7, §11.18)",
    ),
    Scenario(
        "orchestrator_status_version",
        "identity",
        drive_status_version,
        check_status_version,
        "the anonymous version probe (§5.1)",
    ),
)

"""Every GET operation the mock serves, called with real ids from a world that holds one of
everything: shared by the strict-DTO tests (``tests/mock_orchestrator/test_entity_dtos.py``
checks the bodies against the swagger facts, ``tests/real_clients/test_swagger_models.py``
deserialises them with the published swagger client's own models).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from mock_orchestrator import MockCloud
from mock_orchestrator.coverage import served_operations
from mock_orchestrator.orchestrator.data import Operation, load_dtos, operations
from mock_orchestrator.orchestrator.entities.sets import JOB_TRIGGERS
from mock_orchestrator.orchestrator.entities.store import EntityStore
from mock_orchestrator.orchestrator.entities.table import TABLE

__all__ = ["ServedWorld", "populated_world", "served_creates", "served_gets"]

_ACTION = "UiPath.Server.Configuration.OData."
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass
class ServedWorld:
    cloud: MockCloud
    client: httpx.Client
    headers: dict[str, str]
    ids: dict[str, Any]


def _token(client: httpx.Client, cloud: MockCloud) -> str:
    d = cloud.defaults
    response = client.post(
        "https://cloud.uipath.com/identity_/connect/token",
        data={
            "grant_type": "client_credentials",
            "client_id": d.client_id,
            "client_secret": d.client_secret,
        },
    )
    token: str = response.json()["access_token"]
    return token


def populated_world(seed: int = 0) -> ServedWorld:
    """A world with one entity of each served set, created through the API itself."""
    cloud = MockCloud(seed=seed, rate_limit_per_minute=None)
    d = cloud.defaults
    client = httpx.Client(transport=cloud.transport(), base_url=d.url + "/orchestrator_")
    headers = {
        "Authorization": "Bearer " + _token(client, cloud),
        "X-UIPATH-OrganizationUnitId": str(d.folder_id),
    }

    def post(path: str, body: Any) -> Any:
        response = client.post(path, json=body, headers=headers)
        assert response.status_code in (200, 201), (path, response.text)
        return response.json() if response.content else None

    job = post(f"/odata/Jobs/{_ACTION}StartJobs", {"startInfo": {"ReleaseKey": d.release_key}})
    item = post(
        "/odata/Queues/UiPathODataSvc.AddQueueItem",
        {"itemData": {"Name": d.queue, "SpecificContent": {"a": 1}}},
    )
    ids: dict[str, Any] = {
        "Jobs": job["value"][0]["Id"],
        "QueueItems": item["Id"],
        "Folders": d.folder_id,
        "Releases": d.release_id,
        "Processes": "'InvoiceProcessing'",
        "Settings": "'Abp.Timing.TimeZone'",
    }
    for entity_set, body in {
        "Environments": {"Name": "Production", "Type": "Prod"},
        "Webhooks": {
            "Name": "hook",
            "Url": "https://hooks.acme.test/x",
            "Enabled": True,
            "SubscribeToAllEvents": True,
            "AllowInsecureSsl": False,
        },
        "ProcessSchedules": {"Name": "Nightly", "TimeZoneId": "UTC"},
    }.items():
        ids[entity_set] = post(f"/odata/{entity_set}", body)["Id"]
    for entity_set in (
        "Assets",
        "Buckets",
        "Calendars",
        "Machines",
        "QueueDefinitions",
        "Robots",
        "Users",
        "OrganizationUnits",
        "Sessions",
    ):
        listed = client.get(f"/odata/{entity_set}", headers=headers).json()["value"]
        ids[entity_set] = listed[0]["Id"]
    bucket = ids["Buckets"]
    client.get(
        f"/odata/Buckets({bucket})/{_ACTION}GetWriteUri",
        params={"path": "in/a.pdf"},
        headers=headers,
    )
    trigger = {"TriggerType": "Job", "InboxId": "inbox-1", "JobId": ids["Jobs"]}
    ids["JobTriggers"] = cloud.orchestrator.default.part(EntityStore).add(JOB_TRIGGERS, trigger)[
        "Id"
    ]
    client.post("/api/JobTriggers/DeliverPayload/inbox-1", json="ready", headers=headers)
    return ServedWorld(cloud, client, headers, ids)


def _entity_set(op: Operation) -> str:
    parts = op.path.split("/")
    return parts[2].split("(", 1)[0] if parts[1] == "odata" else parts[2]


def _values(world: ServedWorld, op: Operation) -> dict[str, str]:
    d = world.cloud.defaults
    ids = world.ids
    own = ids.get(_entity_set(op))
    return {
        "key": str(own),
        "id": str(own),
        "identifier": d.folder_key,
        "folderId": str(d.folder_id),
        "robotId": str(ids["Robots"]),
        "assetName": f"'{d.asset}'",
        "machineId": str(ids["Machines"]),
        "processId": "'InvoiceProcessing'",
        "userIds": str(ids["Users"]),
        "username": "'ada'",
        "skip": "0",
        "take": "10",
        "includeInherited": "false",
        "jsonSchemaType": "'SpecificData'",
        "scope": "'Global'",
        "storeTypeName": "'Database'",
        "inboxId": "inbox-1",
        "jobId": str(ids["Jobs"]),
    }


#: Query parameters a call needs to answer 200 (a file path, a user name).
_QUERY = {
    "buckets_get_file_by_key": {"path": "in/a.pdf"},
    "buckets_get_read_uri_by_key": {"path": "in/a.pdf"},
    "buckets_get_write_uri_by_key": {"path": "in/b.pdf"},
    "folders_navigation_get_all_roles_for_user": {"username": "ada"},
}
#: Served GETs whose published answer is a 404 in this world, with the reason.
EXPECTED_NOT_FOUND = {
    # the default queue has no SpecificData schema: Orchestrator answers 404 too [I]
    "queue_definitions_get_json_schema_definition_by_id_and_jsonschematype",
}


def served_gets(world: ServedWorld) -> Iterator[tuple[Operation, httpx.Response]]:
    """Each served GET operation of the published list with the mock's answer."""
    for op_id, route in sorted(served_operations().items()):
        op = operations()[op_id]
        if route is None or op.method != "GET" or not route.label.startswith("orchestrator"):
            continue
        values = _values(world, op)
        path = _PLACEHOLDER.sub(lambda m, v=values: v.get(m.group(1), "1"), op.path)
        response = world.client.get(path, params=_QUERY.get(op_id), headers=world.headers)
        yield op, response


def _minimal_body(dto: str, n: int) -> dict[str, object]:
    """The DTO's required keys, each with a value a strict client accepts, names unique."""
    body: dict[str, object] = {}
    for key, facts in load_dtos()[dto].items():
        if facts.get("required"):
            default = {"int": 1, "bool": False, "float": 1.0}.get(facts["type"], f"x{n}")
            body[key] = facts["enum"][0] if "enum" in facts else default
    return body


#: What a create needs beyond the DTO's required keys (the mock's own rules).
_EXTRA = {"UserDto": {"UserName": "zoe"}, "AssetDto": {"ValueType": "Text"}}


def served_creates(world: ServedWorld) -> Iterator[tuple[Operation, httpx.Response]]:
    """Each served create (a 201 answer) of the published list, with a minimal valid body."""
    for n, (op_id, behaviour) in enumerate(sorted(TABLE.items())):
        if behaviour.status != 201:
            continue
        op = operations()[op_id]
        dto = op.response or ""
        body = {**_minimal_body(dto, n), **_EXTRA.get(dto, {})}
        yield op, world.client.post(op.path, json=body, headers=world.headers)

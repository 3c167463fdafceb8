"""Releases, assets, queues, StudioWeb, and bad bodies in the compact dialect."""

from __future__ import annotations

import httpx
import pytest

from mock_orchestrator import MockCloud
from mock_orchestrator.core.request import MAX_BODY_BYTES

from ._orch_helpers import ACTION, Orch, assert_compact_error, user_token

ADD_ITEM = "/odata/Queues/UiPathODataSvc.AddQueueItem"
START = f"/odata/Jobs/{ACTION}StartJobs"


@pytest.fixture
def orch(cloud: MockCloud, client: httpx.Client) -> Orch:
    return Orch(cloud, client)


def test_release_dto_follows_the_swagger(orch: Orch) -> None:
    body = orch.get("/odata/Releases").json()
    assert body["@odata.count"] == 1
    (release,) = body["value"]
    d = orch.cloud.defaults
    assert release["Key"] == d.release_key
    assert release["Id"] == d.release_id
    for required in ("ProcessKey", "ProcessVersion", "Name"):  # [V] required in ReleaseDto
        assert release[required]
    assert release["ProcessType"] == "Process"
    assert release["Arguments"] == {"Input": None, "Output": None}
    assert release["OrganizationUnitId"] == d.folder_id


def test_list_releases_filters_on_process_key_and_name(orch: Orch) -> None:
    orch.backend.add_release("Payroll Run", process_key="payroll", process_version="2.0.1")
    url = orch.base + f"/odata/Releases/{ACTION}ListReleases"
    # the CLI's URL with literal $ and %20 (docs/clients.md #5)
    cli = orch.client.get(
        url + "?$select=Id,Key,ProcessVersion&$top=25&$filter=ProcessKey%20eq%20%27payroll%27",
        headers=orch.headers(),
    )
    assert cli.status_code == 200
    assert cli.json()["value"] == [
        {
            "Id": cli.json()["value"][0]["Id"],
            "Key": cli.json()["value"][0]["Key"],
            "ProcessVersion": "2.0.1",
        }
    ]
    assert cli.json()["@odata.context"].endswith("#Releases(Id,Key,ProcessVersion)")
    # the SDK's encoding of the same kind of query (docs/clients.md #5 of the SDK)
    sdk = orch.client.get(
        orch.base + "/odata/Releases?%24filter=ProcessKey+eq+%27payroll%27&%24top=10",
        headers=orch.headers(),
    )
    assert [r["Name"] for r in sdk.json()["value"]] == ["Payroll Run"]
    by_name = orch.get("/odata/Releases", **{"$filter": " Name eq 'payroll run'"})
    assert by_name.json()["@odata.count"] == 1


def test_assets_as_the_sdk_reads_them(orch: Orch) -> None:
    orch.backend.add_asset("Threshold", 42)
    orch.backend.add_asset("Flag", True)
    orch.backend.add_asset("ErpLogin", username="svc-erp", password="s3cret-pw")
    listed = orch.client.get(
        orch.base + f"/odata/Assets/{ACTION}GetFiltered?%24skip=0&%24top=100",
        headers=orch.headers(),
    )
    assert listed.status_code == 200
    by_name = {a["Name"]: a for a in listed.json()["value"]}
    assert set(by_name) == {"ApiEndpoint", "Threshold", "Flag", "ErpLogin"}
    assert by_name["Threshold"]["ValueType"] == "Integer"
    assert by_name["Threshold"]["IntValue"] == 42
    assert by_name["Flag"]["BoolValue"] is True
    assert by_name["ErpLogin"]["CredentialUsername"] == "svc-erp"
    assert "s3cret-pw" not in listed.text
    one = orch.client.get(
        orch.base + f"/odata/Assets/{ACTION}GetFiltered?%24filter=Name+eq+%27Threshold%27&%24top=1",
        headers=orch.headers(),
    )
    assert [a["Name"] for a in one.json()["value"]] == ["Threshold"]
    robot = orch.post(
        f"/odata/Assets/{ACTION}GetRobotAssetByNameForRobotKey",
        {
            "assetName": "ErpLogin",
            "robotKey": "robot-1",
            "supportsCredentialsProxyDisconnected": True,
        },
    )
    assert robot.status_code == 200
    assert robot.json()["CredentialPassword"] == "s3cret-pw"
    missing = orch.post(
        f"/odata/Assets/{ACTION}GetRobotAssetByNameForRobotKey",
        {"assetName": "Nope", "robotKey": "robot-1"},
    )
    assert assert_compact_error(missing, 404, 1002)["message"] == "Asset does not exist."


def test_add_queue_item_as_recorded(orch: Orch) -> None:
    # [V] forum 243590: the request with @odata.type annotations, and the 201 response
    response = orch.post(
        ADD_ITEM,
        {
            "itemData": {
                "Name": "InvoiceQueue",
                "Priority": "Normal",
                "Reference": "ref-1",
                "SpecificContent": {
                    "Type": "Customer",
                    "Name@odata.type": "#String",
                    "Name": "Some Guy",
                },
            }
        },
    )
    assert response.status_code == 201, response.text
    item = response.json()
    assert item["@odata.context"].endswith("/odata/$metadata#QueueItems/$entity")
    assert item["SpecificContent"] == {"Type": "Customer", "Name": "Some Guy"}
    assert item["SpecificData"] == '{"DynamicProperties":{"Type":"Customer","Name":"Some Guy"}}'
    assert item["Status"] == "New"
    assert item["ReviewStatus"] == "None"
    assert item["Reference"] == "ref-1"
    assert isinstance(item["Id"], int)
    assert item["QueueDefinitionId"] == orch.get("/odata/QueueDefinitions").json()["value"][0]["Id"]
    listed = orch.get(
        "/odata/QueueItems", **{"$filter": "QueueDefinitionName eq 'InvoiceQueue'"}
    ).json()
    assert [i["Key"] for i in listed["value"]] == [item["Key"]]
    assert "QueueDefinitionName" not in listed["value"][0]
    assert (
        orch.get("/odata/QueueItems", **{"$filter": "Reference eq 'ref-2'"}).json()["@odata.count"]
        == 0
    )


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        ({"Name": "NoSuchQueue"}, 404, 1002),
        ({"Name": "InvoiceQueue", "Priority": "Urgent"}, 400, 1009),
        ({"Name": "InvoiceQueue", "SpecificContent": [1]}, 400, 1009),
        ({"Name": "InvoiceQueue", "Reference": "r" * 129}, 400, 1009),
        ({"Name": "InvoiceQueue", "DueDate": "tomorrow"}, 400, 1009),
        # in range as written, out of range in UTC: was an OverflowError, a 500
        ({"Name": "InvoiceQueue", "DueDate": "9999-12-31T23:59:59-23:59"}, 400, 1009),
        ({"Name": "InvoiceQueue", "DeferDate": "0001-01-01T00:00:00+23:59"}, 400, 1009),
        ({"Priority": "High"}, 400, 1009),
    ],
)
def test_add_queue_item_errors(orch: Orch, data: dict[str, object], status: int, code: int) -> None:
    assert_compact_error(orch.post(ADD_ITEM, {"itemData": data}), status, code)


def test_queue_definitions_list(orch: Orch) -> None:
    orch.backend.add_queue("Orders", description="incoming orders")
    body = orch.get("/odata/QueueDefinitions", **{"$orderby": "Name desc"}).json()
    assert [q["Name"] for q in body["value"]] == ["Orders", "InvoiceQueue"]


def test_studio_web_first_run_calls(cloud: MockCloud, client: httpx.Client) -> None:
    orch = Orch(cloud, client, user_token(cloud, client))
    for path in ("/api/StudioWeb/TryEnableFirstRun", "/api/StudioWeb/AcquireLicense"):
        response = client.post(orch.base + path, headers={"Authorization": f"Bearer {orch.token}"})
        assert response.status_code == 200


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"{not json", "application/json"),
        (b"", "application/json"),
        (b'{"startInfo": {}}', "text/plain"),
        (b'{"startInfo": {}}', ""),
        (b"\xff\xfe", "application/json"),
        (b"[" * 5000 + b"]" * 5000, "application/json"),
    ],
)
def test_malformed_bodies_are_400_1000(orch: Orch, content: bytes, content_type: str) -> None:
    headers = orch.headers()
    if content_type:
        headers["Content-Type"] = content_type
    response = orch.client.post(orch.base + START, content=content, headers=headers)
    assert_compact_error(response, 400, 1000)


def test_oversized_bodies_are_413(orch: Orch) -> None:
    content = b'{"startInfo": {"InputArguments": "' + b"x" * MAX_BODY_BYTES + b'"}}'
    response = orch.client.post(
        orch.base + START,
        content=content,
        headers={**orch.headers(), "Content-Type": "application/json"},
    )
    assert_compact_error(response, 413, 1000)

"""The generic entity sets: state, folders, scopes, errors and OData over the published API."""

from __future__ import annotations

import httpx
import pytest

from mock_orchestrator import MockCloud
from mock_orchestrator.orchestrator.entities.sets import JOB_TRIGGERS
from mock_orchestrator.orchestrator.entities.store import EntityStore

from ._orch_helpers import ACTION, Orch, app_token, assert_compact_error


@pytest.fixture
def orch(cloud: MockCloud, client: httpx.Client) -> Orch:
    scopes = (
        "OR.Jobs OR.Execution OR.Folders OR.Assets OR.Queues OR.Users OR.Machines OR.Robots "
        "OR.Settings OR.Webhooks OR.Administration OR.Monitoring"
    )
    return Orch(cloud, client, app_token(cloud, client, scope=scopes))


def _put(orch: Orch, path: str, body: object) -> httpx.Response:
    return orch.client.put(orch.base + path, json=body, headers=orch.headers())


def _patch(orch: Orch, path: str, body: object) -> httpx.Response:
    return orch.client.patch(orch.base + path, json=body, headers=orch.headers())


def _delete(orch: Orch, url: str, **params: str) -> httpx.Response:
    return orch.client.delete(orch.base + url, params=params or None, headers=orch.headers())


def test_a_plain_set_lives_through_create_read_update_delete(orch: Orch) -> None:
    created = orch.post("/odata/Machines", {"Name": "BUILD-02", "Type": "Standard"})
    assert created.status_code == 201, created.text
    machine = created.json()
    assert machine["@odata.context"].endswith("/odata/$metadata#Machines/$entity")
    number = machine["Id"]
    assert machine["Key"]
    assert machine["TargetFramework"] == "Windows"
    listed = orch.get("/odata/Machines", **{"$filter": "Name eq 'BUILD-02'"}).json()
    assert [m["Id"] for m in listed["value"]] == [number]

    assert _put(orch, f"/odata/Machines({number})", {"Name": "BUILD-03"}).status_code == 200
    assert _patch(orch, f"/odata/Machines({number})", {"Description": "x"}).status_code == 204
    again = orch.get(f"/odata/Machines({number})").json()
    assert (again["Name"], again["Description"]) == ("BUILD-03", "x")

    assert _delete(orch, f"/odata/Machines({number})").status_code == 204
    assert_compact_error(orch.get(f"/odata/Machines({number})"), 404, 1002)


def test_an_entity_of_one_folder_is_not_found_in_another_until_shared(orch: Orch) -> None:
    created = orch.post(
        "/odata/Assets",
        {"Name": "Rate", "ValueScope": "Global", "ValueType": "Integer", "IntValue": 7},
    )
    assert created.status_code == 201, created.text
    number = created.json()["Id"]
    other_id = orch.backend.folder("Finance/Équipe").id
    other = {"Authorization": f"Bearer {orch.token}", "X-UIPATH-OrganizationUnitId": str(other_id)}
    assert_compact_error(orch.get(f"/odata/Assets({number})", headers=other), 404, 1002)
    shared = orch.post(
        f"/odata/Assets/{ACTION}ShareToFolders",
        {"AssetIds": [number], "ToAddFolderIds": [other_id], "ToRemoveFolderIds": []},
    )
    assert shared.status_code == 200, shared.text
    assert orch.get(f"/odata/Assets({number})", headers=other).json()["IntValue"] == 7
    folders = orch.get(f"/odata/Assets/{ACTION}GetFoldersForAsset(id={number})").json()
    assert folders["TotalFoldersCount"] == 2


def test_a_created_asset_is_what_a_robot_reads(orch: Orch) -> None:
    orch.post(
        "/odata/Assets",
        {
            "Name": "Endpoint",
            "ValueScope": "Global",
            "ValueType": "Text",
            "StringValue": "https://x.test",
        },
    )
    robot = orch.post(
        f"/odata/Assets/{ACTION}GetRobotAssetByNameForRobotKey",
        {"assetName": "Endpoint", "robotKey": "k"},
    )
    assert robot.json()["StringValue"] == "https://x.test"


def test_a_created_release_starts_jobs(orch: Orch) -> None:
    created = orch.post(
        "/odata/Releases",
        {"Name": "Payroll", "ProcessKey": "Payroll", "ProcessVersion": "2.0.0"},
    )
    assert created.status_code == 201, created.text
    job = orch.start("Payroll")[0]
    assert job["ReleaseName"] == "Payroll"


def test_a_release_updates_and_rolls_back_its_package_version(orch: Orch) -> None:
    release = orch.cloud.defaults.release_id
    path = f"/odata/Releases({release})/{ACTION}"
    moved = orch.post(path + "UpdateToSpecificPackageVersion", {"packageVersion": "9.9.9"})
    assert moved.json()["value"] == release
    assert orch.get(f"/odata/Releases({release})").json()["ProcessVersion"] == "9.9.9"
    orch.post(path + "RollbackToPreviousReleaseVersion", {})
    assert orch.get(f"/odata/Releases({release})").json()["ProcessVersion"] == "1.0.3"
    assert_compact_error(orch.post(path + "RollbackToPreviousReleaseVersion", {}), 400, 1009)


def test_a_duplicate_name_in_a_folder_is_a_conflict(orch: Orch) -> None:
    body = {"Name": "Holidays-2"}
    assert orch.post("/odata/Calendars", body).status_code == 201
    assert_compact_error(orch.post("/odata/Calendars", body), 409, 1004)


def test_a_body_a_strict_client_would_refuse_is_a_validation_error(orch: Orch) -> None:
    bad_enum = orch.post("/odata/Environments", {"Name": "E", "Type": "Staging"})
    assert "is not one of" in assert_compact_error(bad_enum, 400, 1009)["message"]
    missing = orch.post("/odata/Webhooks", {"Url": "https://x.test"})
    assert "required" in assert_compact_error(missing, 400, 1009)["message"]


def test_each_operation_takes_its_published_scopes(cloud: MockCloud, client: httpx.Client) -> None:
    narrow = Orch(cloud, client, app_token(cloud, client, scope="OR.Jobs"))
    assert narrow.get("/odata/Webhooks").status_code == 403
    assert narrow.get("/odata/JobTriggers").status_code == 200  # OR.Jobs.Read's tag
    anonymous = client.get(cloud.defaults.url + "/orchestrator_/odata/Machines")
    assert anonymous.status_code == 401


def test_a_folderless_list_is_a_world_setting(orch: Orch) -> None:
    no_folder = {"Authorization": f"Bearer {orch.token}"}
    assert_compact_error(orch.get("/odata/Assets", headers=no_folder), 400, 1101)
    assert_compact_error(orch.get("/odata/Releases", headers=no_folder), 400, 1101)
    orch.backend.registry.folderless_lists = "all_folders"
    names = {a["Name"] for a in orch.get("/odata/Assets", headers=no_folder).json()["value"]}
    assert orch.cloud.defaults.asset in names
    machines = orch.get("/odata/Buckets", headers=no_folder).json()["value"]
    assert machines  # the generic sets follow the same setting
    releases = orch.get("/odata/Releases", headers=no_folder).json()["value"]
    assert {r["Name"] for r in releases} == {orch.cloud.defaults.process}
    assert orch.get("/odata/Jobs", headers=no_folder).status_code == 200


def test_environments_hold_robots(orch: Orch) -> None:
    env = orch.post("/odata/Environments", {"Name": "Prod", "Type": "Prod"}).json()["Id"]
    robot = orch.get("/odata/Robots").json()["value"][0]["Id"]
    added = orch.post(f"/odata/Environments({env})/{ACTION}AddRobot", {"robotId": str(robot)})
    assert added.status_code == 200, added.text
    ids = orch.get(f"/odata/Environments/{ACTION}GetRobotIdsForEnvironment(key={env})")
    assert ids.json()["value"] == [robot]
    assert orch.get(f"/odata/Environments({env})").json()["Robots"][0]["Id"] == robot


def test_bucket_files_come_and_go(orch: Orch) -> None:
    bucket = orch.get("/odata/Buckets").json()["value"][0]["Id"]
    base = f"/odata/Buckets({bucket})/{ACTION}"
    write = orch.client.get(
        orch.base + base + "GetWriteUri",
        params={"path": "in/a.pdf", "contentType": "application/pdf"},
        headers=orch.headers(),
    )
    assert write.json()["Verb"] == "PUT"
    files = orch.get(base + "GetFiles", directory="in").json()["value"]
    assert [f["FullPath"] for f in files] == ["in/a.pdf"]
    assert _delete(orch, base + "DeleteFile", path="in/a.pdf").status_code == 204
    assert orch.get(base + "GetFiles", directory="in").json()["value"] == []


def test_a_delivered_payload_fires_the_trigger(orch: Orch) -> None:
    job = orch.start()[0]
    orch.backend.part(EntityStore).add(JOB_TRIGGERS, {"JobId": job["Id"], "InboxId": "in-7"})
    delivered = orch.client.post(
        orch.base + "/api/JobTriggers/DeliverPayload/in-7", json="go", headers=orch.headers()
    )
    assert delivered.status_code == 200, delivered.text
    assert orch.get("/api/JobTriggers/GetPayload/in-7").json() == "go"
    waits = orch.get(f"/odata/JobTriggers/{ACTION}GetWithWaitEvents(jobId={job['Id']})")
    assert waits.json()["value"][0]["Status"] == "Fired"


def test_submitted_logs_read_as_robot_logs(orch: Orch) -> None:
    line = '{"message":"Invoice 42 filed","level":"Warning","processName":"InvoiceProcessing"}'
    assert orch.post("/api/Logs/SubmitLogs", [line]).status_code == 200
    logs = orch.get("/odata/RobotLogs", **{"$filter": "Level eq 'Warn'"}).json()["value"]
    assert [entry["Message"] for entry in logs] == ["Invoice 42 filed"]
    count = orch.get(f"/odata/RobotLogs/{ACTION}GetTotalCount").json()["value"]
    assert count == 1


def test_folders_are_created_renamed_moved_and_deleted(orch: Orch) -> None:
    created = orch.post("/odata/Folders", {"DisplayName": "Ops"})
    assert created.status_code == 201, created.text
    folder = created.json()
    patched = orch.client.patch(
        orch.base + "/api/Folders/PatchNameDescription",
        params={"key": folder["Key"]},
        json={"name": "Operations", "description": "d"},
        headers=orch.headers(),
    )
    assert patched.json()["FullyQualifiedName"] == "Operations"
    parent = orch.backend.folder("Shared").id
    moved = orch.client.put(
        orch.base + f"/odata/Folders({folder['Id']})/{ACTION}MoveFolder",
        params={"targetParentId": str(parent)},
        headers=orch.headers(),
    )
    assert moved.status_code == 204, moved.text
    assert orch.get(f"/odata/Folders({folder['Id']})").json()["FullyQualifiedName"] == (
        "Shared/Operations"
    )
    assert _delete(orch, f"/odata/Folders({folder['Id']})").status_code == 204
    assert_compact_error(orch.get(f"/odata/Folders({folder['Id']})"), 404, 1002)


def test_settings_read_and_write_by_name(orch: Orch) -> None:
    path = "/odata/Settings('Abp.Timing.TimeZone')"
    assert orch.get(path).json()["value"] == "UTC"
    assert _put(orch, path, {"Value": "Europe/Paris"}).status_code == 200
    assert orch.get(path).json()["value"] == "Europe/Paris"


def test_status_get_answers_before_any_token(cloud: MockCloud, client: httpx.Client) -> None:
    assert client.get(cloud.defaults.url + "/orchestrator_/api/Status/Get").status_code == 200


def test_a_world_document_sets_the_folderless_lists_and_unknown_organizations() -> None:
    from mock_orchestrator.world import describe_world

    cloud = MockCloud.from_world(
        {"settings": {"folderless_lists": "all_folders", "unknown_organization": "ignore"}}
    )
    assert cloud.orchestrator.folderless_lists == "all_folders"
    assert cloud.settings.unknown_organization == "ignore"
    assert describe_world(cloud)["settings"]["folderless_lists"] == "all_folders"


def test_a_package_downloads_as_a_nuget_file_naming_itself(orch: Orch) -> None:
    import io
    import zipfile

    response = orch.get(f"/odata/Processes/{ACTION}DownloadPackage(key='InvoiceProcessing:1.0.3')")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/octet-stream"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        nuspec = archive.read("InvoiceProcessing.nuspec").decode()
    assert "<id>InvoiceProcessing</id>" in nuspec
    assert "<version>1.0.3</version>" in nuspec

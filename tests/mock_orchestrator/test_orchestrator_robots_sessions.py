"""GET /odata/Robots and /odata/Sessions: the swagger's DTOs, the OData options the other
lists take, folder scoping, and auth."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import given, settings

from fixtures import strategies as uis
from mock_orchestrator import MockCloud

from ._orch_helpers import ALL_SCOPES, Orch, app_token, assert_compact_error

#: [V] SimpleRobotDto (uipathcli orchestrator.yaml; docs/wire.md §6.3).
ROBOT_FIELDS = {
    "LicenseKey",
    "MachineName",
    "MachineId",
    "Name",
    "Username",
    "ExternalName",
    "Description",
    "Type",
    "HostingType",
    "ProvisionType",
    "Password",
    "CredentialStoreId",
    "UserId",
    "Enabled",
    "CredentialType",
    "Environments",
    "RobotEnvironments",
    "ExecutionSettings",
    "IsExternalLicensed",
    "LimitConcurrentExecution",
    "LastModificationTime",
    "LastModifierUserId",
    "CreationTime",
    "CreatorUserId",
    "Id",
}
#: [V] SessionDto without its navigation properties Robot and Job (uipathcli orchestrator.yaml).
SESSION_FIELDS = {
    "HostMachineName",
    "MachineId",
    "MachineName",
    "State",
    "ReportingTime",
    "Info",
    "IsUnresponsive",
    "LicenseErrorCode",
    "OrganizationUnitId",
    "FolderName",
    "RobotSessionType",
    "Version",
    "Source",
    "DebugModeExpirationDate",
    "InstallationId",
    "Platform",
    "EndpointDetection",
    "Id",
}


@pytest.fixture
def orch(cloud: MockCloud, client: httpx.Client) -> Orch:
    return Orch(cloud, client, app_token(cloud, client, scope=ALL_SCOPES + " OR.Robots.Read"))


def test_robots_list_follows_the_swagger(orch: Orch) -> None:
    response = orch.get("/odata/Robots")
    assert response.status_code == 200
    body = response.json()
    assert body["@odata.context"].endswith("/orchestrator_/odata/$metadata#Robots")
    assert body["@odata.count"] == 1
    (robot,) = body["value"]
    assert set(robot) == ROBOT_FIELDS
    assert robot["MachineName"] == "MOCK-HOST-01"  # the host running jobs report
    assert robot["Type"] == "Unattended"
    assert robot["Password"] is None
    assert robot["LicenseKey"] is None


def test_sessions_list_follows_the_swagger(orch: Orch) -> None:
    body = orch.get("/odata/Sessions").json()
    assert body["@odata.context"].endswith("#Sessions")
    (session,) = body["value"]
    assert set(session) == SESSION_FIELDS
    assert session["OrganizationUnitId"] == orch.cloud.defaults.folder_id
    assert session["FolderName"] == "Shared"
    assert session["State"] == "Available"


def test_sessions_expand_robot_as_clients_ask(orch: Orch) -> None:
    # [V] GEN SessionManager / forum 176940: $select=Robot&$expand=Robot for Specific ids
    body = orch.get("/odata/Sessions", **{"$select": "Robot", "$expand": "Robot"}).json()
    assert body["@odata.context"].endswith("#Sessions(Robot)")
    (row,) = body["value"]
    assert set(row) == {"Robot"}
    assert set(row["Robot"]) == ROBOT_FIELDS
    expanded = orch.get("/odata/Sessions", **{"$expand": "Robot"}).json()["value"][0]
    assert set(expanded) == SESSION_FIELDS | {"Robot"}
    robot_id = expanded["Robot"]["Id"]
    by_robot = orch.get("/odata/Sessions", **{"$filter": f"Robot/Id eq {robot_id}L"})
    assert by_robot.json()["@odata.count"] == 1
    assert "Robot" not in by_robot.json()["value"][0]


def test_a_session_is_busy_while_a_job_runs(orch: Orch, client: httpx.Client) -> None:
    jobs = Orch(orch.cloud, client)
    jobs.start()
    orch.cloud.clock.advance(seconds=10)  # Pending 5 s, then Running 30 s (defaults)
    assert orch.get("/odata/Sessions").json()["value"][0]["State"] == "Busy"
    orch.cloud.clock.advance(minutes=1)
    assert orch.get("/odata/Sessions").json()["value"][0]["State"] == "Available"


def test_robots_are_folder_scoped_and_shaped_by_the_python_api(orch: Orch) -> None:
    backend = orch.backend
    finance = backend.add_folder("Finance")
    backend.robots.add(
        "finance-bot", machine_name="FIN-01", folders=[finance], type="NonProduction"
    )
    backend.robots.add("offline", machine_name="OLD-02", enabled=False)
    shared = orch.get("/odata/Robots", **{"$orderby": "Name desc"}).json()
    assert [r["Name"] for r in shared["value"]] == ["offline", "MOCK-HOST-01_svc"]
    in_finance = orch.get("/odata/Robots", folder="Finance").json()["value"]
    assert [(r["Name"], r["Type"]) for r in in_finance] == [
        ("MOCK-HOST-01_svc", "Unattended"),
        ("finance-bot", "NonProduction"),
        ("offline", "Unattended"),
    ]  # a robot without folders is in every shared folder
    sessions = orch.get("/odata/Sessions", **{"$filter": "State eq 'Disconnected'"}).json()
    assert [s["MachineName"] for s in sessions["value"]] == ["OLD-02"]
    with pytest.raises(ValueError, match="type must be one of"):
        backend.robots.add("x", type="Robotic")
    with pytest.raises(ValueError, match="1 to 19"):
        backend.robots.add("a-robot-name-too-long")


def test_robot_lists_take_the_odata_options(orch: Orch) -> None:
    for n in range(4):
        orch.backend.robots.add(f"bot-{n}", machine_name=f"M-{n}")
    page = orch.get(
        "/odata/Robots",
        **{"$top": "2", "$skip": "1", "$orderby": "Name", "$select": "Id,Name", "$count": "true"},
    ).json()
    assert page["@odata.count"] == 5
    assert page["@odata.context"].endswith("#Robots(Id,Name)")
    assert [r["Name"] for r in page["value"]] == ["bot-1", "bot-2"]
    assert all(set(r) == {"Id", "Name"} for r in page["value"])
    contains = orch.get("/odata/Robots", **{"$filter": "startswith(MachineName, 'm-')"}).json()
    assert contains["@odata.count"] == 4
    assert_compact_error(orch.get("/odata/Robots", **{"$filter": "Nope eq 1"}), 400, 1000)
    assert_compact_error(orch.get("/odata/Sessions", **{"$top": "1001"}), 400, 1000)


def test_folder_headers_are_required(orch: Orch) -> None:
    for path in ("/odata/Robots", "/odata/Sessions"):
        bare = orch.get(path, headers={"Authorization": f"Bearer {orch.token}"})
        assert_compact_error(bare, 400, 1101)
        assert_compact_error(orch.get(path, folder="Nowhere"), 400, 1100)
        by_id = orch.get(
            path,
            headers={
                "Authorization": f"Bearer {orch.token}",
                "X-UIPATH-OrganizationUnitId": str(orch.cloud.defaults.folder_id),
            },
        )
        assert by_id.status_code == 200


def test_robot_scopes(cloud: MockCloud, client: httpx.Client) -> None:
    without = Orch(cloud, client, app_token(cloud, client, scope="OR.Jobs"))
    assert without.get("/odata/Robots").status_code == 403
    assert without.get("/odata/Sessions").status_code == 403
    anonymous = without.get("/odata/Robots", headers={"X-UIPATH-FolderPath": "Shared"})
    assert anonymous.status_code == 401


def test_listing_robots_leaves_the_worlds_ids_alone(make_cloud: type[MockCloud]) -> None:
    # robots' keys are derived, not drawn: a world that lists them issues the same job keys
    keys = []
    for list_robots in (False, True):
        cloud = make_cloud("identity")
        with httpx.Client(transport=cloud.transport()) as client:
            orch = Orch(cloud, client, app_token(cloud, client, scope=ALL_SCOPES + " OR.Robots"))
            if list_robots:
                assert orch.get("/odata/Robots").status_code == 200
            keys.append(orch.start()[0]["Key"])
    assert keys[0] == keys[1]


@settings(max_examples=50)
@given(query=uis.odata_queries())
def test_any_odata_query_gets_a_page_or_the_1000_error(query: dict[str, str]) -> None:
    cloud = MockCloud(seed=5, rate_limit_per_minute=None)
    with httpx.Client(transport=cloud.transport()) as client:
        orch = Orch(cloud, client, app_token(cloud, client, scope="OR.Robots.Read"))
        for path in ("/odata/Robots", "/odata/Sessions"):
            response = orch.get(path, **query)
            if response.status_code == 200:
                assert isinstance(response.json()["value"], list)
            else:
                assert_compact_error(response, 400, 1000)
    assert not cloud.internal_errors

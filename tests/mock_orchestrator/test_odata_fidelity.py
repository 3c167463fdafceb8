"""OData as UiPath's clients use it: $expand, $select on single entities, qualified enum
literals, paging limits, and one key parser for every route."""

from __future__ import annotations

import httpx
import pytest

from mock_orchestrator import MockCloud

from ._orch_helpers import ACTION, ALL_SCOPES, Orch, app_token, assert_compact_error


@pytest.fixture
def orch(cloud: MockCloud, client: httpx.Client) -> Orch:
    return Orch(cloud, client, app_token(cloud, client, scope=ALL_SCOPES + " OR.Machines"))


def test_jobs_expand_robot_release_and_machine(orch: Orch) -> None:
    job = orch.start()[0]
    orch.cloud.clock.advance(seconds=5)  # running: on the mock's host
    plain = orch.job(job["Id"])
    assert plain["Robot"] is None
    assert plain["Release"] is None
    listed = orch.get("/odata/Jobs", **{"$expand": "Robot,Release,Machine"}).json()["value"][0]
    assert listed["Release"]["Key"] == orch.cloud.defaults.release_key
    assert listed["Robot"]["MachineName"] == listed["HostMachineName"]
    assert listed["Machine"]["Name"] == listed["HostMachineName"]
    one = orch.get(f"/odata/Jobs({job['Id']})", **{"$expand": "Release"}).json()
    assert one["Release"]["Name"] == orch.cloud.defaults.process


def test_an_unknown_navigation_property_is_a_bad_request(orch: Orch) -> None:
    response = orch.get("/odata/Jobs", **{"$expand": "Robots"})
    assert "Robots" in assert_compact_error(response, 400, 1000)["message"]


def test_releases_expand_environment_and_process_settings(orch: Orch) -> None:
    row = orch.get("/odata/Releases", **{"$expand": "Environment,ProcessSettings"}).json()
    release = row["value"][0]
    assert release["ProcessSettings"] is not None
    assert "AutoStartProcess" in release["ProcessSettings"]
    assert "Environment" in release  # a modern folder's release has none: null
    assert "Environment" not in orch.get("/odata/Releases").json()["value"][0]


def test_select_applies_to_single_entities(orch: Orch) -> None:
    job = orch.start()[0]
    selected = orch.get(f"/odata/Jobs({job['Id']})", **{"$select": "Id,State"}).json()
    assert set(selected) == {"@odata.context", "Id", "State"}
    assert selected["@odata.context"].endswith("#Jobs(Id,State)/$entity")
    by_key = orch.get(
        f"/odata/Jobs/{ACTION}GetByKey(identifier={job['Key']})", **{"$select": "Key"}
    ).json()
    assert set(by_key) == {"@odata.context", "Key"}
    release = orch.cloud.defaults.release_id
    generic = orch.get(f"/odata/Releases({release})", **{"$select": "Name"}).json()
    assert set(generic) == {"@odata.context", "Name"}


def test_a_qualified_enum_literal_filters(orch: Orch) -> None:
    job = orch.start()[0]
    orch.cloud.clock.advance(seconds=5)
    running = orch.get(
        "/odata/Jobs",
        **{"$filter": "State eq UiPath.Server.Configuration.OData.JobState'Running'"},
    )
    assert [j["Id"] for j in running.json()["value"]] == [job["Id"]]
    pending = orch.get(
        "/odata/Jobs",
        **{"$filter": "State eq UiPath.Server.Configuration.OData.JobState'Pending'"},
    )
    assert pending.json()["value"] == []


def test_orderby_count_and_paging_limits(orch: Orch) -> None:
    for name in ("b-machine", "a-machine", "c-machine"):
        orch.post("/odata/Machines", {"Name": name})
    page = orch.get(
        "/odata/Machines",
        **{"$orderby": "Name desc", "$top": "2", "$skip": "1", "$count": "true"},
    ).json()
    # MOCK-HOST-01 sorts first (case-insensitively), $skip=1 passes it
    assert [m["Name"] for m in page["value"]] == ["c-machine", "b-machine"]
    assert page["@odata.count"] == 4  # the tenant's own host machine too
    assert_compact_error(orch.get("/odata/Machines", **{"$top": "1001"}), 400, 1000)


@pytest.mark.parametrize("suffix", ["", "L", "l"])
def test_one_key_parser_for_reads_and_actions(orch: Orch, suffix: str) -> None:
    job = orch.start()[0]
    key = f"{job['Id']}{suffix}"
    assert orch.get(f"/odata/Jobs({key})").status_code == 200
    stopped = orch.post(f"/odata/Jobs({key})/{ACTION}StopJob", {"strategy": "Kill"})
    assert stopped.status_code == 200, stopped.text
    assert orch.get(f"/odata/Releases({orch.cloud.defaults.release_id}{suffix})").status_code == 200


def test_a_bad_key_is_the_same_error_everywhere(orch: Orch) -> None:
    for path in ("/odata/Jobs(12x)", "/odata/Releases(12x)", "/odata/Machines(12x)"):
        assert_compact_error(orch.get(path), 400, 1000)

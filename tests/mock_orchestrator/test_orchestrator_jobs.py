"""Jobs: StartJobs as the SDK and the CLI send it, the clock-driven lifecycle, stopping."""

from __future__ import annotations

import json

import httpx
import pytest

from mock_orchestrator import MockCloud

from ._orch_helpers import ACTION, Orch, assert_compact_error

START = f"/odata/Jobs/{ACTION}StartJobs"
STOP = f"/odata/Jobs/{ACTION}StopJobs"


@pytest.fixture
def orch(cloud: MockCloud, client: httpx.Client) -> Orch:
    return Orch(cloud, client)


def test_sdk_start_jobs_body_verbatim(orch: Orch) -> None:
    # docs/clients.md #6: the exact bytes of processes.invoke("MyProcess", {"a": 1})
    body = json.dumps(
        {
            "startInfo": {
                "ReleaseName": "InvoiceProcessing",
                "InputArguments": json.dumps({"a": 1}),
                "Source": "AgentService",
            }
        },
        separators=(",", ":"),
    )
    response = orch.client.post(
        orch.base + START,
        content=body,
        headers={
            **orch.headers(),
            "Content-Type": "application/json",
            "x-uipath-folderpath": "Shared",
        },
    )
    assert response.status_code == 201, response.text
    payload = response.json()
    assert set(payload) == {"@odata.context", "value"}  # [V] no @odata.count on actions
    assert payload["@odata.context"].endswith("/orchestrator_/odata/$metadata#Jobs")
    (job,) = payload["value"]
    assert isinstance(job["Id"], int)
    assert len(job["Key"]) == 36
    assert job["State"] == "Pending"
    assert job["StartTime"] is None
    assert job["InputArguments"] == '{"a": 1}'
    assert job["Source"] == "AgentService"
    assert job["SourceType"] == "AgentService"
    assert job["ReleaseName"] == "InvoiceProcessing"
    assert job["FolderKey"] == orch.cloud.defaults.folder_key


def test_cli_start_jobs_body_verbatim(orch: Orch) -> None:
    # docs/clients.md #6 of the CLI: StartInfo capitalised, ReleaseKey, RunAsMe, folder by Id
    d = orch.cloud.defaults
    response = orch.client.post(
        orch.base + START,
        json={
            "StartInfo": {
                "ReleaseKey": d.release_key,
                "RunAsMe": True,
                "InputArguments": '{"x": 1}',
                "EntryPointPath": None,
            }
        },
        headers={
            "Authorization": f"Bearer {orch.token}",
            "x-uipath-organizationunitid": str(d.folder_id),
        },
    )
    assert response.status_code == 201, response.text
    assert response.json()["value"][0]["Key"]


def test_jobs_count_makes_one_batch(orch: Orch) -> None:
    jobs = orch.start(Strategy="ModernJobsCount", JobsCount=3, Reference="batch-7")
    assert len(jobs) == 3
    assert len({j["BatchExecutionKey"] for j in jobs}) == 1
    assert [j["Id"] for j in jobs] == list(range(jobs[0]["Id"], jobs[0]["Id"] + 3))
    assert len({j["Key"] for j in jobs}) == 3
    listed = orch.get("/odata/Jobs", **{"$filter": "Reference eq 'batch-7'"}).json()
    assert listed["@odata.count"] == 3


@pytest.mark.parametrize(
    "strategy", ["All", "JobsCount", "ModernJobsCount", "RobotCount", "modernjobscount"]
)
def test_strategies_of_modern_folders(orch: Orch, strategy: str) -> None:
    assert len(orch.start(Strategy=strategy, JobsCount=1, NoOfRobots=1)) == 1


def test_specific_robots_in_a_modern_folder_is_invalid_robot_id(orch: Orch) -> None:
    # [V] forum 176940
    response = orch.post(
        START,
        {
            "startInfo": {
                "ReleaseName": "InvoiceProcessing",
                "Strategy": "Specific",
                "RobotIds": [9826],
            }
        },
    )
    assert assert_compact_error(response, 400, 1009)["message"] == "Invalid Robot ID"


@pytest.mark.parametrize(
    ("info", "code"),
    [
        ({"ReleaseName": "InvoiceProcessing", "InputArguments": {"a": 1}}, 1009),  # trap 11
        ({"ReleaseName": "InvoiceProcessing", "InputArguments": "x" * 10001}, 1009),
        ({"ReleaseName": "InvoiceProcessing", "InputArguments": "[1, 2]"}, 1009),
        ({"ReleaseName": "InvoiceProcessing", "InputArguments": "{not json"}, 1009),
        ({"ReleaseName": "InvoiceProcessing", "Strategy": "Everyone"}, 1009),
        ({"ReleaseName": "InvoiceProcessing", "JobsCount": "3"}, 1009),
        ({"ReleaseName": "InvoiceProcessing", "Reference": "r" * 129}, 1009),
        ({"ReleaseName": "InvoiceProcessing", "Source": "Telepathy"}, 1009),
        ({}, 1009),
        ({"ReleaseName": 7}, 1009),
    ],
)
def test_start_info_validation(orch: Orch, info: dict[str, object], code: int) -> None:
    assert_compact_error(orch.post(START, {"startInfo": info}), 400, code)


def test_input_arguments_at_the_limit_are_accepted(orch: Orch) -> None:
    text = json.dumps({"blob": "x" * (10000 - 12)})
    assert len(text) == 10000
    assert orch.start(InputArguments=text)[0]["InputArguments"] == text


@pytest.mark.parametrize(
    "body", [{"startinfo": None}, {"other": 1}, [1], "text", {"startInfo": [1]}]
)
def test_malformed_start_bodies_are_1000(orch: Orch, body: object) -> None:
    assert_compact_error(orch.post(START, body), 400, 1000)


def test_unknown_release_is_404_1002(orch: Orch) -> None:
    response = orch.post(START, {"startInfo": {"ReleaseName": "Nope"}})
    assert_compact_error(response, 404, 1002)
    # a release of another folder is not found either
    orch.backend.add_release("Elsewhere", folder="Finance")
    assert_compact_error(orch.post(START, {"startInfo": {"ReleaseName": "Elsewhere"}}), 404, 1002)
    key = orch.backend.add_release("Mine", folder="Finance").key
    assert_compact_error(orch.post(START, {"startInfo": {"ReleaseKey": key}}), 404, 1002)


def test_lifecycle_pending_running_successful(orch: Orch) -> None:
    orch.backend.configure_process(
        "InvoiceProcessing", pending_seconds=3, running_seconds=10, output_arguments={"total": 42}
    )
    job = orch.start()[0]
    clock = orch.cloud.clock
    created = job["CreationTime"]
    clock.advance(2.9)
    assert orch.job(job["Id"])["State"] == "Pending"
    clock.advance(0.1)
    running = orch.job(job["Id"])
    assert running["State"] == "Running"
    assert running["StartTime"] > created
    assert running["EndTime"] is None
    assert running["HostMachineName"]
    clock.advance(10)
    done = orch.job(job["Id"])
    assert done["State"] == "Successful"
    assert done["Info"] == "Job completed"
    assert json.loads(done["OutputArguments"]) == {"total": 42}
    assert done["EndTime"] == "2026-01-05T09:00:13.000Z"
    assert done["@odata.context"].endswith("/odata/$metadata#Jobs/$entity")


def test_faulted_jobs_carry_info_and_job_error(orch: Orch) -> None:
    orch.backend.configure_process(
        "InvoiceProcessing",
        pending_seconds=0,
        running_seconds=1,
        outcome="Faulted",
        error="System.IO.IOException: disk full",
    )
    job = orch.start()[0]
    orch.cloud.clock.advance(1)
    faulted = orch.job(job["Id"])
    assert faulted["State"] == "Faulted"
    assert faulted["Info"] == "Execution error : System.IO.IOException: disk full"
    error = faulted["JobError"]
    assert set(error) == {"code", "title", "detail", "category", "status", "timestamp"}
    assert error["detail"] == "System.IO.IOException: disk full"
    assert error["timestamp"] == faulted["EndTime"]
    assert faulted["OutputArguments"] is None


def test_reconfiguring_does_not_rewrite_started_jobs(orch: Orch) -> None:
    first = orch.start()[0]
    orch.backend.configure_process(
        "InvoiceProcessing", outcome="Faulted", pending_seconds=0, running_seconds=0
    )
    second = orch.start()[0]
    orch.cloud.clock.advance(minutes=5)
    assert orch.job(first["Id"])["State"] == "Successful"
    assert orch.job(second["Id"])["State"] == "Faulted"


@pytest.mark.parametrize(
    ("strategy", "between"),
    [
        ("SoftStop", "Stopping"),
        ("Kill", "Terminating"),
        ("1", "Stopping"),
        ("2", "Terminating"),
        (1, "Stopping"),
        (2, "Terminating"),
    ],
)
def test_stop_jobs(orch: Orch, strategy: object, between: str) -> None:
    orch.backend.configure_process(
        "InvoiceProcessing", pending_seconds=1, running_seconds=60, stopping_seconds=4
    )
    job = orch.start()[0]
    orch.cloud.clock.advance(5)
    response = orch.post(STOP, {"jobIds": [job["Id"]], "strategy": strategy})
    assert response.status_code == 200
    assert response.content == b""
    assert orch.job(job["Id"])["State"] == between
    orch.cloud.clock.advance(4)
    stopped = orch.job(job["Id"])
    assert stopped["State"] == "Stopped"
    assert stopped["StopStrategy"] == ("Kill" if between == "Terminating" else "SoftStop")
    assert stopped["EndTime"] == "2026-01-05T09:00:09.000Z"


def test_stopping_a_pending_job_stops_it_at_once(orch: Orch) -> None:
    job = orch.start()[0]
    response = orch.post(f"/odata/Jobs({job['Id']})/{ACTION}StopJob", {"strategy": "SoftStop"})
    assert response.status_code == 200
    assert orch.job(job["Id"])["State"] == "Stopped"
    assert orch.job(job["Id"])["StartTime"] is None


def test_stop_after_the_end_changes_nothing(orch: Orch) -> None:
    job = orch.start()[0]
    orch.cloud.clock.advance(minutes=30)
    assert orch.post(STOP, {"jobIds": [job["Id"]], "strategy": "Kill"}).status_code == 200
    assert orch.job(job["Id"])["State"] == "Successful"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"jobIds": [123456], "strategy": "Kill"}, 404, 1002),
        ({"jobIds": [1], "strategy": "Gently"}, 400, 1009),
        ({"jobIds": "1", "strategy": "Kill"}, 400, 1009),
        ({"strategy": "Kill"}, 400, 1009),
        ({"jobIds": [1]}, 400, 1009),
        ([], 400, 1000),
    ],
)
def test_stop_jobs_errors(orch: Orch, body: object, status: int, code: int) -> None:
    assert_compact_error(orch.post(STOP, body), status, code)


def test_get_by_key_unquoted_and_quoted(orch: Orch) -> None:
    job = orch.start()[0]
    key = job["Key"]
    for ident in (key, f"'{key}'", key.upper()):
        response = orch.get(f"/odata/Jobs/{ACTION}GetByKey(identifier={ident})")
        assert response.status_code == 200, response.text
        assert response.json()["Id"] == job["Id"]
    missing = orch.get(
        f"/odata/Jobs/{ACTION}GetByKey(identifier=00000000-0000-4000-8000-000000000000)"
    )
    assert assert_compact_error(missing, 404, 1002)["message"] == "Job does not exist."


def test_single_job_errors(orch: Orch) -> None:
    assert_compact_error(orch.get("/odata/Jobs(424242)"), 404, 1002)
    assert_compact_error(orch.get("/odata/Jobs(abc)"), 400, 1000)
    job = orch.start()[0]
    assert orch.get(f"/odata/Jobs({job['Id']}L)").status_code == 200
    # a job of another folder does not exist from here
    assert_compact_error(orch.get(f"/odata/Jobs({job['Id']})", folder="Finance"), 404, 1002)


def test_parent_job_key_header_is_kept(orch: Orch) -> None:
    response = orch.client.post(
        orch.base + START,
        json={"startInfo": {"ReleaseName": "InvoiceProcessing"}},
        headers=orch.headers(**{"x-uipath-jobkey": "parent-key-1"}),
    )
    assert response.json()["value"][0]["ParentJobKey"] == "parent-key-1"

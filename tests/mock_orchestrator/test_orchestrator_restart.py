"""RestartJob: a new job for a finished one, and the choices that are guesses (configurable)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_orchestrator import MockCloud
from mock_orchestrator.orchestrator.models import JOB_FIELDS

from ._orch_helpers import ACTION, Orch, app_token, assert_compact_error

RESTART = f"/odata/Jobs/{ACTION}RestartJob"


@pytest.fixture
def orch(cloud: MockCloud, client: httpx.Client) -> Orch:
    return Orch(cloud, client)


def finished(orch: Orch, **start_info: Any) -> dict[str, Any]:
    (job,) = orch.start(**start_info)
    orch.cloud.clock.advance(minutes=1)
    assert orch.job(job["Id"])["State"] == "Successful"
    return job


def test_restart_answers_200_with_one_new_pending_job(orch: Orch) -> None:
    original = finished(
        orch, InputArguments='{"invoice": 7}', JobPriority="High", Reference="ref-7"
    )
    response = orch.post(RESTART, {"jobId": original["Id"]})
    assert response.status_code == 200  # [V] swagger: 200 JobDto
    body = response.json()
    assert body["@odata.context"].endswith("/odata/$metadata#Jobs/$entity")
    assert set(body) - {"@odata.context"} == set(JOB_FIELDS)
    assert body["Id"] != original["Id"]
    assert body["Key"] != original["Key"]
    assert body["State"] == "Pending"
    for copied in ("ReleaseName", "InputArguments", "JobPriority", "Reference", "RuntimeType"):
        assert body[copied] == original[copied], copied
    assert body["BatchExecutionKey"] != original["BatchExecutionKey"]
    # the new job lives: it is listed, polled, and finishes on the world's clock
    orch.cloud.clock.advance(minutes=1)
    assert orch.job(body["Id"])["State"] == "Successful"
    assert orch.job(original["Id"])["State"] == "Successful"  # the original is untouched


@pytest.mark.parametrize("outcome", ["Faulted", "Stopped"])
def test_faulted_and_stopped_jobs_restart_too(orch: Orch, outcome: str) -> None:
    if outcome == "Faulted":
        orch.backend.configure_process(orch.cloud.defaults.process, outcome="Faulted")
    (job,) = orch.start()
    if outcome == "Stopped":
        stop = orch.post(
            f"/odata/Jobs/{ACTION}StopJobs", {"jobIds": [job["Id"]], "strategy": "Kill"}
        )
        assert stop.status_code == 200
    orch.cloud.clock.advance(minutes=1)
    assert orch.job(job["Id"])["State"] == outcome
    assert orch.post(RESTART, {"jobId": job["Id"]}).status_code == 200


def test_unfinished_jobs_do_not_restart(orch: Orch) -> None:
    (job,) = orch.start()
    pending = orch.post(RESTART, {"jobId": job["Id"]})
    assert "Pending" in assert_compact_error(pending, 409, 0)["message"]
    orch.cloud.clock.advance(seconds=10)
    assert (
        "Running"
        in assert_compact_error(orch.post(RESTART, {"jobId": job["Id"]}), 409, 0)["message"]
    )
    assert orch.get("/odata/Jobs").json()["@odata.count"] == 1  # nothing was created


def test_the_policy_can_be_flipped(orch: Orch) -> None:
    policy = orch.backend.restart_policy
    policy.restartable_states = frozenset({"Faulted"})
    policy.keep_batch_key = True
    job = finished(orch)
    assert_compact_error(orch.post(RESTART, {"jobId": job["Id"]}), 409, 0)
    policy.restartable_states = frozenset({"Pending", "Successful"})
    (pending,) = orch.start()
    again = orch.post(RESTART, {"jobId": pending["Id"]}).json()
    assert again["BatchExecutionKey"] == pending["BatchExecutionKey"]


def test_unknown_jobs_and_other_folders_are_404_1002(orch: Orch) -> None:
    missing = orch.post(RESTART, {"jobId": 424242})
    assert assert_compact_error(missing, 404, 1002)["message"] == "Job does not exist."
    orch.backend.add_folder("Finance")
    job = finished(orch)
    assert_compact_error(orch.post(RESTART, {"jobId": job["Id"]}, folder="Finance"), 404, 1002)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, 1009),
        ({"jobId": "12"}, 1009),
        ({"jobId": True}, 1009),
        ({"jobId": 1.5}, 1009),
        ({"jobId": -1}, 1009),
        ({"jobId": 2**64}, 1009),
        ([1], 1000),
        ("1", 1000),
    ],
)
def test_bad_bodies_are_compact_400s(orch: Orch, body: Any, code: int) -> None:
    assert_compact_error(orch.post(RESTART, body), 400, code)


def test_restart_accepts_the_property_in_any_case(orch: Orch) -> None:
    job = finished(orch)
    assert orch.post(RESTART, {"JobId": job["Id"]}).status_code == 200


def test_folder_headers_and_scopes(cloud: MockCloud, client: httpx.Client) -> None:
    orch = Orch(cloud, client)
    bare = orch.post(RESTART, {"jobId": 1}, headers={"Authorization": f"Bearer {orch.token}"})
    assert_compact_error(bare, 400, 1101)
    assert_compact_error(orch.post(RESTART, {"jobId": 1}, folder="Nowhere"), 400, 1100)
    reader = Orch(cloud, client, app_token(cloud, client, scope="OR.Jobs.Read"))
    assert reader.post(RESTART, {"jobId": 1}).status_code == 403  # [V] OR.Jobs or OR.Jobs.Write


@settings(max_examples=50)
@given(
    body=st.dictionaries(
        st.sampled_from(["jobId", "JOBID", "strategy", ""]),
        st.none()
        | st.booleans()
        | st.integers()
        | st.text(max_size=5)
        | st.floats(allow_nan=False, allow_infinity=False),
        max_size=2,
    )
)
def test_any_body_is_a_job_or_a_dialect_error(body: dict[str, Any]) -> None:
    cloud = MockCloud(seed=6, rate_limit_per_minute=None)
    with httpx.Client(transport=cloud.transport()) as client:
        orch = Orch(cloud, client)
        response = orch.post(RESTART, body)
    assert not cloud.internal_errors
    assert response.status_code in (400, 404), response.text
    assert_compact_error(response, response.status_code, response.json()["errorCode"])

"""Fault injection (core/faults.py) on Orchestrator routes: every kind, and its schedule."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from mock_orchestrator import MockCloud

from ._orch_helpers import ACTION, Orch

GET_BY_KEY = "orchestrator.get_job_by_key"


@pytest.fixture
def orch(cloud: MockCloud, client: httpx.Client) -> Orch:
    return Orch(cloud, client)


def _poll(orch: Orch, key: str) -> httpx.Response:
    return orch.get(f"/odata/Jobs/{ACTION}GetByKey(identifier={key})")


def test_503_with_retry_after_once(orch: Orch) -> None:
    key = orch.start()[0]["Key"]
    fault = orch.cloud.faults.add(route=GET_BY_KEY, status=503, retry_after=7)
    first = _poll(orch, key)
    assert first.status_code == 503
    assert first.headers["Retry-After"] == "7"
    assert first.json()["message"] == "Service Unavailable"
    assert first.json()["errorCode"] == 0
    assert _poll(orch, key).status_code == 200  # times=1 by default
    assert fault.fired == 1
    assert orch.cloud.faults.pending() == []
    assert orch.cloud.journal.filter(route=GET_BY_KEY)[0].fault == f"response:503@{GET_BY_KEY}"


def test_500_and_a_custom_body(orch: Orch) -> None:
    orch.cloud.faults.add(route="orchestrator.list_releases", status=500)
    assert orch.get("/odata/Releases").status_code == 500
    orch.cloud.faults.add(
        route="orchestrator.list_releases",
        status=409,
        body={
            "message": "Couldn't find any user with unattended robot "
            "permissions in the current folder.",
            "errorCode": 1671,
        },
    )
    conflict = orch.get("/odata/Releases")
    assert conflict.status_code == 409
    assert conflict.json()["errorCode"] == 1671
    assert orch.get("/odata/Releases").status_code == 200
    assert not orch.cloud.internal_errors  # an injected 500 is not a mock bug


def test_path_and_method_filters(orch: Orch) -> None:
    orch.cloud.faults.add(path=r"/odata/Jobs/.*StartJobs$", method="POST", status=502, times=None)
    response = orch.post(
        f"/odata/Jobs/{ACTION}StartJobs", {"startInfo": {"ReleaseName": "InvoiceProcessing"}}
    )
    assert response.status_code == 502
    assert orch.get("/odata/Jobs").status_code == 200


def test_latency_moves_the_world_clock(orch: Orch) -> None:
    before = orch.cloud.clock.time()
    orch.cloud.faults.add(kind="latency", route="orchestrator.start_jobs", latency=30)
    job = orch.start()[0]
    assert orch.cloud.clock.time() == before + 30
    assert job["CreationTime"] == "2026-01-05T09:00:30.000Z"  # served after the delay


def test_a_dropped_connection(orch: Orch) -> None:
    orch.cloud.faults.add(kind="drop", route="orchestrator.list_jobs")
    with pytest.raises(httpx.RemoteProtocolError):
        orch.get("/odata/Jobs")
    assert orch.cloud.journal[-1].response is None
    assert orch.get("/odata/Jobs").status_code == 200


def test_a_stall_ends_at_the_clients_read_timeout(orch: Orch) -> None:
    orch.cloud.faults.add(kind="stall", route="orchestrator.list_jobs")
    before = orch.cloud.clock.time()
    with pytest.raises(httpx.ReadTimeout):
        orch.client.get(
            orch.base + "/odata/Jobs", headers=orch.headers(), timeout=httpx.Timeout(5.0)
        )
    assert orch.cloud.clock.time() == before + 5


def test_the_login_page_trap(orch: Orch) -> None:
    orch.cloud.faults.add(kind="login_redirect", route="orchestrator.list_jobs")
    redirected = orch.get("/odata/Jobs")
    assert redirected.status_code == 302
    assert redirected.headers["location"].startswith("https://cloud.uipath.com/identity_/web/login")
    orch.cloud.faults.add(kind="login_html", route="orchestrator.list_jobs")
    html = orch.get("/odata/Jobs")
    assert html.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    assert html.text.lstrip().startswith("<!DOCTYPE html>")


def test_times_and_after(orch: Orch) -> None:
    orch.cloud.faults.add(route="orchestrator.list_jobs", status=503, after=2, times=2)
    statuses = [orch.get("/odata/Jobs").status_code for _ in range(6)]
    assert statuses == [200, 200, 503, 503, 200, 200]


def _probability_run(make_cloud: Callable[..., MockCloud], seed: int) -> list[int]:
    cloud = make_cloud(seed=seed)
    with httpx.Client(transport=cloud.transport()) as client:
        orch = Orch(cloud, client)
        cloud.orchestrator.default.rate_limit = None
        cloud.faults.add(route="orchestrator.list_jobs", status=503, probability=0.5, times=None)
        return [orch.get("/odata/Jobs").status_code for _ in range(40)]


def test_probability_is_seeded_and_deterministic(make_cloud: Callable[..., MockCloud]) -> None:
    first = _probability_run(make_cloud, 3)
    assert first == _probability_run(make_cloud, 3)
    assert 5 < first.count(503) < 35
    assert first != _probability_run(make_cloud, 4)


def test_faults_fire_before_auth(cloud: MockCloud, client: httpx.Client) -> None:
    # a fault models the front door: it answers whatever the request carried
    cloud.faults.add(route="orchestrator.list_jobs", status=503)
    response = client.get(cloud.defaults.url + "/orchestrator_/odata/Jobs")
    assert response.status_code == 503


def test_a_shared_headers_dict_does_not_leak_between_faults(orch: Orch) -> None:
    # regression: Fault used to write Retry-After into the caller's dict
    common = {"X-Trace": "t"}
    orch.cloud.faults.add(route="orchestrator.list_jobs", status=503, retry_after=1, headers=common)
    orch.cloud.faults.add(route="orchestrator.list_jobs", status=503, retry_after=9, headers=common)
    assert common == {"X-Trace": "t"}
    assert orch.get("/odata/Jobs").headers["Retry-After"] == "1"
    second = orch.get("/odata/Jobs")
    assert second.headers["Retry-After"] == "9"
    assert second.headers["X-Trace"] == "t"

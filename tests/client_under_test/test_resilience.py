"""Resilience against MockCloud's faults: timeouts, Retry-After, bounded jittered retries of
GETs, and StartJobs that is never blindly resent."""

from __future__ import annotations

import random
from email.utils import formatdate
from typing import Any

import httpx
import pytest

from client_under_test import OrchestratorAPIError, RetryPolicy
from mock_orchestrator import MockCloud

from .conftest import make_client

GET_JOB = "orchestrator.get_job"
START = "orchestrator.start_jobs"


def _recorder(cloud: MockCloud) -> tuple[list[float], Any]:
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        cloud.clock.advance(seconds)

    return slept, sleep


def _started(cloud: MockCloud, **options: Any) -> tuple[Any, Any, list[float]]:
    slept, sleep = _recorder(cloud)
    client = make_client(cloud, "client_credentials", sleep=sleep, **options)
    job = client.start_job(cloud.defaults.process)
    slept.clear()
    cloud.journal.clear()
    return client, job, slept


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_seconds_is_waited_on_the_injected_sleep(make_cloud: Any, status: int) -> None:
    cloud = make_cloud("identity")
    client, job, slept = _started(cloud)
    cloud.faults.add(route=GET_JOB, status=status, retry_after=17)
    with client:
        assert client.get_job(job.id).id == job.id
    assert slept == [17.0]
    assert [e.status_code for e in cloud.journal.filter(route=GET_JOB)] == [status, 200]


def test_retry_after_as_an_http_date(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    client, job, slept = _started(cloud)
    when = formatdate(cloud.clock.time() + 90, usegmt=True)
    cloud.faults.add(route=GET_JOB, status=429, headers={"Retry-After": when})
    with client:
        client.get_job(job.id)
    assert slept == [90.0]


def test_retries_are_bounded(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    client, job, slept = _started(cloud)
    cloud.faults.add(route=GET_JOB, status=503, retry_after=1, times=None)
    with client, pytest.raises(OrchestratorAPIError) as info:
        client.get_job(job.id)
    assert info.value.status_code == 503
    assert len(cloud.journal.filter(route=GET_JOB)) == RetryPolicy().max_attempts
    assert slept == [1.0] * (RetryPolicy().max_attempts - 1)


def test_a_retry_after_beyond_the_cap_fails_instead_of_hanging(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    client, job, slept = _started(cloud)
    cloud.faults.add(route=GET_JOB, status=429, retry_after=86400)
    with client, pytest.raises(OrchestratorAPIError, match="429"):
        client.get_job(job.id)
    assert slept == []


@pytest.mark.parametrize("status", [502, 503, 504])
def test_idempotent_gets_retry_gateway_errors_with_jittered_backoff(
    make_cloud: Any, status: int
) -> None:
    cloud = make_cloud("identity")
    client, job, slept = _started(cloud, retry=RetryPolicy(rng=random.Random(1)))
    client.retry.rng.seed(7)  # the jitter from here on comes from a known seed
    cloud.faults.add(route=GET_JOB, status=status, times=3)
    with client:
        assert client.get_job(job.id).id == job.id
    assert len(slept) == 3
    for attempt, delay in enumerate(slept, start=1):
        ceiling = min(30.0, 2 ** (attempt - 1))
        assert ceiling / 2 <= delay <= ceiling  # exponential, jittered, capped
    again = RetryPolicy(rng=random.Random(7))
    assert slept == [again.backoff(n) for n in (1, 2, 3)]  # seeded: reproducible
    other = RetryPolicy(rng=random.Random(8))
    assert slept != [other.backoff(n) for n in (1, 2, 3)]  # jitter: not a fixed schedule


def test_a_500_is_not_retried(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    client, job, _slept = _started(cloud)
    cloud.faults.add(route=GET_JOB, status=500)
    with client, pytest.raises(OrchestratorAPIError, match="500"):
        client.get_job(job.id)
    assert len(cloud.journal.filter(route=GET_JOB)) == 1


def test_a_non_idempotent_post_is_not_retried_on_a_gateway_error(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    client, _, _slept = _started(cloud)
    cloud.faults.add(path="AddQueueItem", status=502)
    with client, pytest.raises(OrchestratorAPIError, match="502"):
        client.add_queue_item("InvoiceQueue", {"n": 1})
    assert len(cloud.journal.filter(path_contains="AddQueueItem")) == 1


def test_a_stalled_response_ends_within_the_timeout(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    client, job, slept = _started(cloud, timeout=12.5)
    fault = cloud.faults.add("stall", route=GET_JOB, times=None)
    before = cloud.clock.time()
    with client, pytest.raises(httpx.ReadTimeout):
        client.get_job(job.id)
    assert not fault.saw_no_timeout  # the mock saw a read timeout on every attempt
    stalled = cloud.journal.filter(route=GET_JOB)
    assert len(stalled) == RetryPolicy().max_attempts
    assert all(e.request.extensions["timeout"]["read"] == 12.5 for e in stalled)
    assert cloud.clock.time() - before == pytest.approx(12.5 * len(stalled) + sum(slept))


def test_every_request_carries_a_timeout_token_requests_too(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    with make_client(cloud, "refresh_token", timeout=9.0) as client:
        client.start_job(cloud.defaults.process)
    assert len(cloud.journal) >= 3
    for exchange in cloud.journal:
        assert exchange.request.extensions["timeout"]["read"] == 9.0, exchange


# -- StartJobs: never blindly resent ---------------------------------------------------------


class _LoseFirstStartResponse(httpx.BaseTransport):
    """The server creates the job, then the response is lost (a read timeout on our side)."""

    def __init__(self, cloud: MockCloud) -> None:
        self.cloud = cloud
        self.lost = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.cloud.handle(request)
        if "StartJobs" in request.url.path and self.lost == 0:
            self.lost += 1
            raise httpx.ReadTimeout("timed out", request=request)
        return response


def _jobs_created(cloud: MockCloud) -> int:
    return sum(1 for e in cloud.journal.filter(route=START) if e.status_code == 201)


def test_start_job_whose_response_was_lost_is_found_by_reference_not_resent(
    make_cloud: Any,
) -> None:
    cloud = make_cloud("identity")
    _slept, sleep = _recorder(cloud)
    with make_client(
        cloud, "client_credentials", sleep=sleep, transport=_LoseFirstStartResponse(cloud)
    ) as client:
        job = client.start_job(cloud.defaults.process)
    assert _jobs_created(cloud) == 1
    assert len(cloud.journal.filter(route=START)) == 1  # not resent
    [check] = cloud.journal.filter(route="orchestrator.list_jobs")
    assert "Reference" in str(check.request.url.params)
    assert job.reference is not None
    assert job.reference in str(check.request.url.params)


@pytest.mark.parametrize("status", [502, 503, 504])
def test_start_job_that_failed_is_checked_then_retried_once(make_cloud: Any, status: int) -> None:
    cloud = make_cloud("identity")
    _slept, sleep = _recorder(cloud)
    cloud.faults.add(route=START, status=status)
    with make_client(cloud, "client_credentials", sleep=sleep) as client:
        job = client.start_job(cloud.defaults.process)
    starts = cloud.journal.filter(route=START)
    assert [e.status_code for e in starts] == [status, 201]
    checks = cloud.journal.filter(route="orchestrator.list_jobs")
    assert len(checks) == 1
    assert checks[0].seq < starts[1].seq
    refs = [e.request.content for e in starts]
    assert refs[0] == refs[1]  # the same Reference both times
    assert _jobs_created(cloud) == 1
    assert job.state == "Pending"


def test_start_job_gives_up_after_bounded_attempts(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    cloud.faults.add(route=START, status=503, times=None)
    with (
        make_client(cloud, "client_credentials") as client,
        pytest.raises(OrchestratorAPIError, match="503"),
    ):
        client.start_job(cloud.defaults.process)
    assert len(cloud.journal.filter(route=START)) == RetryPolicy().max_attempts
    assert _jobs_created(cloud) == 0


class _LoseEveryStartResponse(_LoseFirstStartResponse):
    """Every StartJobs reaches the server and creates a job; no answer ever comes back."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.cloud.handle(request)
        if "StartJobs" in request.url.path:
            raise httpx.ReadTimeout("timed out", request=request)
        return response


def test_even_the_last_attempt_is_checked_before_giving_up(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    client = make_client(
        cloud,
        "client_credentials",
        transport=_LoseEveryStartResponse(cloud),
        retry=RetryPolicy(max_attempts=1),
    )
    with client:
        job = client.start_job(cloud.defaults.process)  # found by its Reference
    assert _jobs_created(cloud) == 1
    assert job.reference is not None

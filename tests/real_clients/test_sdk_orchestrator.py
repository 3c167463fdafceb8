"""uipath-platform's ``UiPath`` SDK, unchanged, against the mock's Orchestrator (in-process).

``cloud.intercept()`` serves every httpx client the SDK builds (respx); a request to any
other host fails instead of leaving the machine. Each test checks what the mock saw.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from uipath.platform import UiPath
from uipath.platform.errors import EnrichedException
from uipath.platform.identity import IdentityService

from mock_orchestrator import MockCloud

_SCOPES = "OR.Execution OR.Jobs OR.Folders OR.Assets OR.Queues"


def _token(cloud: MockCloud) -> str:
    d = cloud.defaults
    data = IdentityService("https://cloud.uipath.com").get_client_credentials_token(
        d.client_id, d.client_secret, scope=_SCOPES
    )
    return data.access_token


@pytest.fixture
def sdk(cloud: MockCloud, monkeypatch: pytest.MonkeyPatch) -> Iterator[UiPath]:
    """The SDK configured as a deployed robot would be: base URL, token, folder from the env."""
    monkeypatch.setenv("UIPATH_FOLDER_PATH", cloud.defaults.folder)
    with cloud.intercept():
        client = UiPath(base_url=cloud.defaults.url, secret=_token(cloud))
        cloud.journal.clear()
        yield client


def _routes(cloud: MockCloud) -> list[tuple[str | None, int | None]]:
    return [(e.route, e.status_code) for e in cloud.journal]


def test_invoke_then_poll_until_successful(cloud: MockCloud, sdk: UiPath) -> None:
    d = cloud.defaults
    job = sdk.processes.invoke(d.process, {"invoice": 7})
    assert isinstance(job.id, int)
    assert job.key
    start = cloud.journal[0]
    assert (start.route, start.status_code) == ("orchestrator.start_jobs", 201)
    assert start.request.headers["x-uipath-folderpath"] == d.folder
    body = json.loads(start.request.content)
    assert body == {
        "startInfo": {
            "ReleaseName": d.process,
            "InputArguments": '{"invoice": 7}',
            "Source": "AgentService",
        }
    }

    states = []
    for _ in range(60):  # bounded: the world's jobs finish within minutes of world time
        current = sdk.jobs.retrieve(job.key)
        states.append(current.state)
        if current.state in ("Successful", "Faulted", "Stopped"):
            break
        cloud.clock.advance(seconds=15)
    assert states[-1] == "Successful", states
    assert states[0] in ("Pending", "Running")
    assert current.id == job.id
    assert current.output_arguments is not None
    json.loads(current.output_arguments)  # a JSON string, as Orchestrator sends it
    polls = cloud.journal.filter(route="orchestrator.get_job_by_key")
    assert len(polls) == len(states)
    assert all(p.status_code == 200 for p in polls)
    assert f"GetByKey(identifier={job.key})" in polls[0].path


def test_folder_key_by_path(cloud: MockCloud, sdk: UiPath) -> None:
    key = sdk.folders.retrieve_key(folder_path=cloud.defaults.folder)
    assert key == cloud.defaults.folder_key
    (lookup,) = cloud.journal
    assert (lookup.route, lookup.status_code) == ("orchestrator.folders_for_current_user", 200)
    assert lookup.request.url.params["searchText"] == cloud.defaults.folder


def test_folder_key_of_an_unknown_path_is_none(cloud: MockCloud, sdk: UiPath) -> None:
    assert sdk.folders.retrieve_key(folder_path="No/Such/Folder") is None
    assert all(status == 200 for _, status in _routes(cloud))


def test_asset_by_name(cloud: MockCloud, sdk: UiPath) -> None:
    asset = sdk.assets.retrieve(cloud.defaults.asset)
    assert asset.name == cloud.defaults.asset
    (lookup,) = cloud.journal
    assert (lookup.route, lookup.status_code) == ("orchestrator.assets_filtered", 200)
    assert lookup.request.url.params["$filter"] == f"Name eq '{cloud.defaults.asset}'"


def test_queue_item_is_created_and_listed(cloud: MockCloud, sdk: UiPath) -> None:
    d = cloud.defaults
    created: Any = sdk.queues.create_item(
        {"Priority": "High", "SpecificContent": {"invoice": 7}, "Reference": "ref-1"},
        queue_name=d.queue,
    )
    assert created["Reference"] == "ref-1"
    assert created["Priority"] == "High"
    assert _routes(cloud) == [("orchestrator.add_queue_item", 201)]
    sent = json.loads(cloud.journal[0].request.content)
    assert sent["itemData"]["Name"] == d.queue
    listed: Any = sdk.queues.list_items()
    assert "ref-1" in [item.get("Reference") for item in listed["value"]]


@pytest.mark.parametrize("status", [503, 429])
def test_retries_on_throttling_and_unavailability(
    cloud: MockCloud, sdk: UiPath, status: int
) -> None:
    job = sdk.processes.invoke(cloud.defaults.process)
    cloud.journal.clear()
    # Retry-After: 0 so that the SDK's tenacity wait (real time) is zero.
    cloud.faults.add(route="orchestrator.get_job_by_key", status=status, retry_after=0, times=2)
    found = sdk.jobs.retrieve(job.key)  # type: ignore[arg-type]
    assert found.key == job.key
    assert [s for _, s in _routes(cloud)] == [status, status, 200]


def test_a_500_is_not_retried(cloud: MockCloud, sdk: UiPath) -> None:
    job = sdk.processes.invoke(cloud.defaults.process)
    cloud.journal.clear()
    cloud.faults.add(route="orchestrator.get_job_by_key", status=500, retry_after=0)
    with pytest.raises(EnrichedException) as failed:
        sdk.jobs.retrieve(job.key)  # type: ignore[arg-type]
    assert failed.value.status_code == 500
    assert len(cloud.journal) == 1


def test_a_bad_token_is_one_401_and_no_retry(
    cloud: MockCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UIPATH_FOLDER_PATH", cloud.defaults.folder)
    with cloud.intercept():
        client = UiPath(base_url=cloud.defaults.url, secret="not-a-token")
        with pytest.raises(EnrichedException) as refused:
            client.processes.invoke(cloud.defaults.process)
    assert refused.value.status_code == 401
    (exchange,) = cloud.journal
    assert exchange.auth == "unknown"
    assert exchange.response is not None
    assert exchange.response.headers["www-authenticate"].startswith("Bearer")


def test_an_expired_token_is_refused(cloud: MockCloud, sdk: UiPath) -> None:
    cloud.clock.advance(hours=1, seconds=1)
    with pytest.raises(EnrichedException) as refused:
        sdk.processes.invoke(cloud.defaults.process)
    assert refused.value.status_code == 401
    assert cloud.journal[0].auth == "expired"


def test_no_folder_is_a_1101(cloud: MockCloud, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("UIPATH_FOLDER_PATH", raising=False)
    monkeypatch.delenv("UIPATH_FOLDER_KEY", raising=False)
    with cloud.intercept():
        client = UiPath(base_url=cloud.defaults.url, secret=_token(cloud))
        cloud.journal.clear()
        with pytest.raises(EnrichedException) as refused:
            client.jobs.list()
    assert refused.value.status_code == 400
    (exchange,) = cloud.journal
    assert exchange.response is not None
    assert exchange.response.json()["errorCode"] == 1101


def test_per_call_folder_overrides_are_sent_with_the_default(cloud: MockCloud, sdk: UiPath) -> None:
    d = cloud.defaults
    page = sdk.jobs.list(folder_key=d.folder_key, top=5)
    assert page is not None
    (exchange,) = cloud.journal
    assert exchange.status_code == 200
    # The SDK sends both headers; the mock resolves them to one folder.
    assert exchange.request.headers["x-uipath-folderkey"] == d.folder_key
    assert exchange.request.headers["x-uipath-folderpath"] == d.folder


async def test_async_invoke_and_retrieve(cloud: MockCloud, sdk: UiPath) -> None:
    job = await sdk.processes.invoke_async(cloud.defaults.process, {"async": True})
    assert job.key
    cloud.clock.advance(minutes=30)
    done = await sdk.jobs.retrieve_async(job.key)
    assert done.state == "Successful"
    assert [label for label, _ in _routes(cloud)] == [
        "orchestrator.start_jobs",
        "orchestrator.get_job_by_key",
    ]


async def test_the_sdk_against_the_served_mock(
    cloud: MockCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same SDK over real HTTP on loopback: no interception at all."""
    monkeypatch.setenv("UIPATH_FOLDER_PATH", cloud.defaults.folder)
    with cloud.intercept():
        token = _token(cloud)
    d = cloud.defaults
    with cloud.serve() as base_url:
        client = UiPath(base_url=f"{base_url}/{d.organization}/{d.tenant}", secret=token)
        # Each property access builds a new service with its own httpx clients: keep them,
        # and close them before the server goes.
        processes, jobs = client.processes, client.jobs
        job = processes.invoke(d.process)
        cloud.clock.advance(minutes=30)
        done = jobs.retrieve(job.key)  # type: ignore[arg-type]
        await processes.aclose()
        await jobs.aclose()
    assert done.state == "Successful"
    start, poll = cloud.journal.filter(where=lambda e: e.route != "identity.token")
    assert (start.route, start.status_code) == ("orchestrator.start_jobs", 201)
    assert start.site == "served"
    assert start.request.url.host == "127.0.0.1"
    assert (poll.route, poll.status_code) == ("orchestrator.get_job_by_key", 200)

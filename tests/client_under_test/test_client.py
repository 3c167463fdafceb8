"""The Orchestrator operations against MockCloud, on every profile, sync and async."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import pytest

from client_under_test import (
    AsyncOrchestratorClient,
    AuthenticationError,
    OrchestratorAPIError,
    folder_headers,
)
from mock_orchestrator import MockCloud

from .conftest import make_client, token_requests

PROFILES = [
    ("identity", "refresh_token"),
    ("identity", "client_credentials"),
    ("legacy", "user_key"),
    ("onprem", "password"),
    ("onprem", "client_credentials"),
]


def _start_requests(cloud: MockCloud) -> list[Any]:
    return cloud.journal.filter(route="orchestrator.start_jobs")


@pytest.mark.parametrize(("profile", "kind"), PROFILES)
def test_start_a_job_and_wait_for_it(make_cloud: Any, profile: str, kind: str) -> None:
    cloud = make_cloud(profile)
    with make_client(cloud, kind) as client:
        job = client.start_job(cloud.defaults.process, cloud.defaults.folder, {"batch": 7})
        assert job.state == "Pending"
        uuid.UUID(job.key)
        done = client.wait_for_job(job)
    assert done.state == "Successful"
    assert done.key == job.key
    [start] = _start_requests(cloud)
    assert start.status_code == 201
    info = json.loads(start.request.content)["startInfo"]
    assert info["ReleaseKey"] == cloud.defaults.release_key
    assert info["InputArguments"] == '{"batch":7}'  # a JSON string, not an object
    uuid.UUID(info["Reference"])
    assert start.request.headers["x-uipath-folderpath"] == cloud.defaults.folder
    assert not cloud.journal.filter(status=401)


def test_wait_for_job_polls_the_single_job_with_growing_pauses(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        cloud.clock.advance(seconds)

    with make_client(cloud, "client_credentials", sleep=sleep) as client:
        job = client.start_job(cloud.defaults.process)
        client.wait_for_job(job)
    polls = cloud.journal.filter(route="orchestrator.get_job")
    assert polls
    assert all(f"Jobs({job.id})" in e.path for e in polls)
    assert not cloud.journal.filter(route="orchestrator.list_jobs")  # no rate-limited lists
    assert slept == sorted(slept)
    assert len(set(slept)) == len(slept)


def test_a_job_in_hand_is_the_first_reading_an_id_is_asked_at_once(make_cloud: Any) -> None:
    """Right after start_job the client knows the state: its first poll comes one pause later.
    The default process is Pending for 5 s and Running for 30 s (polls at 5, 15 and 35 s)."""
    cloud = make_cloud("identity")
    with make_client(cloud, "client_credentials") as client:
        job = client.start_job(cloud.defaults.process)
        started = cloud.clock.time()
        done = client.wait_for_job(job)
        polled = [e.at - started for e in cloud.journal.filter(route="orchestrator.get_job")]
        assert polled == [5, 15, 35]
        assert done.state == "Successful"

        seen = len(cloud.journal)
        assert client.wait_for_job(done) is done  # finished: nothing to ask
        assert len(cloud.journal) == seen

        again = client.wait_for_job(done.id)  # an id: asked at once
        assert again.state == "Successful"
        assert len(cloud.journal) == seen + 1
        assert cloud.journal[-1].route == "orchestrator.get_job"


def test_urls_are_parsed_once(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    with make_client(cloud) as client:
        first = client.api.url_for("odata/Jobs(1)")
        assert client.api.url_for("odata/Jobs(1)") is first
        assert str(first) == cloud.defaults.url + "/orchestrator_/odata/Jobs(1)"
        assert client.api.url_for("odata/Jobs(2)").path.endswith("/odata/Jobs(2)")


def test_wait_for_job_gives_up_after_its_timeout(make_cloud: Any) -> None:
    from client_under_test import JobWaitTimeout

    cloud = make_cloud("identity")
    with make_client(cloud, "client_credentials") as client:
        job = client.start_job(cloud.defaults.process)
        with pytest.raises(JobWaitTimeout, match="still"):
            client.wait_for_job(job, timeout=10)


def test_get_job_by_id_and_by_key_and_stop_it(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    with make_client(cloud, "client_credentials") as client:
        job = client.start_job(cloud.defaults.process)
        assert client.get_job(job.id).key == job.key
        assert client.get_job_by_key(job.key).id == job.id
        client.stop_job(job.id)
        cloud.clock.advance(60)
        assert client.get_job(job.id).state in ("Stopping", "Stopped")


def test_add_a_queue_item(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    with make_client(cloud, "client_credentials") as client:
        item = client.add_queue_item("InvoiceQueue", {"Invoice": "INV-7"}, reference="INV-7")
    assert item["SpecificContent"] == {"Invoice": "INV-7"}
    [exchange] = cloud.journal.filter(path_contains="AddQueueItem")
    assert exchange.status_code == 201
    assert json.loads(exchange.request.content)["itemData"]["Name"] == "InvoiceQueue"


def test_get_a_folder_by_path(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    with make_client(cloud, "client_credentials") as client:
        folder = client.get_folder("Shared")
    assert folder.id == cloud.defaults.folder_id
    assert folder.key == cloud.defaults.folder_key


def test_folder_headers_by_path_id_key_and_non_ascii() -> None:
    assert folder_headers("Shared") == {"X-UIPATH-FolderPath": "Shared"}
    assert folder_headers(515116) == {"X-UIPATH-OrganizationUnitId": "515116"}
    key = uuid.UUID("db4528cc-7a3d-44f0-9df9-781fc07e9d8d")
    assert folder_headers(key) == {"X-UIPATH-FolderKey": str(key)}
    encoded = folder_headers("Finanças/Contas")["X-UIPATH-FolderPath-Encoded"]
    assert base64.b64decode(encoded).decode("utf-16-le") == "Finanças/Contas"
    assert folder_headers(None) == {}


def test_a_non_ascii_folder_goes_encoded_on_the_wire(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    orch = cloud.orchestrator.default
    folder = orch.add_folder("Finanças/Zürich")
    orch.add_release("Payroll", folder="Finanças/Zürich")
    with make_client(cloud, "client_credentials") as client:
        job = client.start_job("Payroll", "Finanças/Zürich")
        assert client.get_folder("Finanças/Zürich").id == folder.id
    assert job.state == "Pending"
    [start] = cloud.journal.filter(route="orchestrator.start_jobs")
    sent = start.request.headers
    assert "x-uipath-folderpath" not in sent
    decoded = base64.b64decode(sent["x-uipath-folderpath-encoded"]).decode("utf-16-le")
    assert decoded == "Finanças/Zürich"


def test_folders_by_id_and_by_key(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    d = cloud.defaults
    with make_client(cloud, "client_credentials") as client:
        by_id = client.get_folder(d.folder_id)
        by_key = client.get_folder(uuid.UUID(d.folder_key))
        job = client.start_job(d.process, uuid.UUID(d.folder_key))
        client.get_job(job.id, d.folder_id)
    assert by_id.fully_qualified_name == by_key.fully_qualified_name == d.folder
    start = cloud.journal.filter(route="orchestrator.start_jobs")[0].request.headers
    assert start["x-uipath-folderkey"] == d.folder_key
    poll = cloud.journal.filter(route="orchestrator.get_job")[0].request.headers
    assert poll["x-uipath-organizationunitid"] == str(d.folder_id)


def test_no_folder_is_orchestrators_1101_with_a_hint(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    client = make_client(cloud, "client_credentials")
    client.api.folder = None
    with client, pytest.raises(OrchestratorAPIError) as info:
        client.list_processes()
    assert info.value.error_code == 1101
    assert "UIPATH_FOLDER_PATH" in str(info.value)


def test_an_unknown_process_is_a_clear_error(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    with (
        make_client(cloud, "client_credentials") as client,
        pytest.raises(OrchestratorAPIError, match="NoSuchProcess"),
    ):
        client.start_job("NoSuchProcess")
    assert not _start_requests(cloud)


@pytest.mark.parametrize(("profile", "kind"), PROFILES)
def test_a_401_on_a_valid_token_is_refreshed_and_replayed_once(
    make_cloud: Any, profile: str, kind: str
) -> None:
    cloud = make_cloud(profile)
    with make_client(cloud, kind) as client:
        job = client.start_job(cloud.defaults.process)
        cloud.identity.revoke_access_tokens()  # revoked server-side, still "valid" locally
        before = len(token_requests(cloud))
        assert client.get_job(job.id).id == job.id
    assert len(token_requests(cloud)) == before + 1
    gets = cloud.journal.filter(route="orchestrator.get_job")
    assert [e.status_code for e in gets] == [401, 200]


def test_a_second_401_is_an_error_not_a_loop(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    with make_client(cloud, "client_credentials") as client:
        job = client.start_job(cloud.defaults.process)
        cloud.faults.add(route="orchestrator.get_job", status=401, times=None)
        cloud.identity.revoke_access_tokens()
        with pytest.raises(AuthenticationError, match="401"):
            client.get_job(job.id)
    assert len(cloud.journal.filter(route="orchestrator.get_job")) == 2
    assert len(token_requests(cloud)) == 2


def test_legacy_account_lookups_use_the_id_token(make_cloud: Any) -> None:
    cloud = make_cloud("legacy")
    with make_client(cloud, "user_key") as client:
        accounts = client.accounts_for_user()
        instances = client.service_instances(accounts["accounts"][0]["accountLogicalName"])
        client.start_job(cloud.defaults.process)
        tokens = client.auth.tokens_sync()
    assert accounts["accounts"][0]["accountLogicalName"] == cloud.defaults.organization
    assert instances[0]["serviceInstanceLogicalName"] == cloud.defaults.tenant
    for exchange in cloud.journal.filter(path_contains="/cloudrpa/"):
        assert exchange.request.headers["authorization"] == f"Bearer {tokens.id_token}"
    for exchange in _start_requests(cloud):
        assert exchange.request.headers["authorization"] == f"Bearer {tokens.access_token}"


def test_identity_tenant_lookup_through_the_portal(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    with make_client(cloud, "client_credentials") as client:
        found = client.tenants()
    assert found["organization"]["name"] == cloud.defaults.organization
    assert cloud.defaults.tenant in [t["name"] for t in found["tenants"]]


@pytest.mark.parametrize(("profile", "kind"), PROFILES)
async def test_the_async_client_does_the_same(make_cloud: Any, profile: str, kind: str) -> None:
    cloud = make_cloud(profile)
    plain = make_client(cloud, kind)
    client = AsyncOrchestratorClient(
        config=plain.config,
        clock=cloud.clock,
        sleep=cloud.clock.sleep,
        transport=cloud.transport(),
    )
    plain.close()
    async with client:
        job = await client.start_job(cloud.defaults.process, cloud.defaults.folder, {"x": 1})
        done = await client.wait_for_job(job)
        assert (await client.get_job_by_key(job.key)).id == job.id
    assert done.state == "Successful"
    assert not cloud.journal.filter(status=401)


@pytest.mark.parametrize("kind", ["login_redirect", "login_html"])
def test_a_login_page_from_orchestrator_is_an_error_not_data(make_cloud: Any, kind: str) -> None:
    from client_under_test import UnexpectedResponse

    cloud = make_cloud("identity")
    with make_client(cloud, "client_credentials") as client:
        job = client.start_job(cloud.defaults.process)
        cloud.faults.add(kind, route="orchestrator.get_job")
        with pytest.raises(UnexpectedResponse, match="login page"):
            client.get_job(job.id)
    gets = cloud.journal.filter(route="orchestrator.get_job")
    assert len(gets) == 1  # a redirect is never followed
    assert not cloud.journal.filter(path_contains="/identity_/web/login")

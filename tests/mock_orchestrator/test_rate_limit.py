"""Per-tenant rate limits on list GETs of Jobs and QueueItems, on the world's clock (§9)."""

from __future__ import annotations

import httpx
import pytest

from mock_orchestrator import MockCloud

from ._orch_helpers import ACTION, Orch, app_token


@pytest.fixture
def orch(cloud: MockCloud, client: httpx.Client) -> Orch:
    return Orch(cloud, client)


def _exhaust(orch: Orch, path: str, n: int) -> None:
    for _ in range(n):
        assert orch.get(path).status_code == 200


def test_the_101st_list_in_a_minute_is_429(orch: Orch) -> None:
    orch.cloud.clock.advance(20)  # 09:00:20: 40 s left in the window
    _exhaust(orch, "/odata/Jobs", 100)
    response = orch.get("/odata/Jobs")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "40"
    body = response.json()
    assert set(body) == {"message", "errorCode", "traceId"}
    assert body["message"] == "Too Many Requests"
    assert body["errorCode"] == 0
    assert orch.cloud.journal[-1].route == "orchestrator.list_jobs"
    orch.cloud.clock.advance(39.5)
    late = orch.get("/odata/Jobs")
    assert late.status_code == 429
    assert late.headers["Retry-After"] == "1"
    orch.cloud.clock.advance(0.5)  # the next window
    assert orch.get("/odata/Jobs").status_code == 200


def test_queue_items_have_their_own_budget_and_single_gets_none(orch: Orch) -> None:
    job = orch.start()[0]
    _exhaust(orch, "/odata/Jobs", 100)
    assert orch.get("/odata/Jobs").status_code == 429
    # [D] single gets are not limited: what a poller should use
    for _ in range(5):
        assert orch.get(f"/odata/Jobs({job['Id']})").status_code == 200
        key_path = f"/odata/Jobs/{ACTION}GetByKey(identifier={job['Key']})"
        assert orch.get(key_path).status_code == 200
    _exhaust(orch, "/odata/QueueItems", 100)
    assert orch.get("/odata/QueueItems").status_code == 429
    assert orch.get("/odata/Releases").status_code == 200


def test_the_limit_is_per_tenant(cloud: MockCloud, client: httpx.Client) -> None:
    cloud.orchestrator.rate_limit_per_minute = 2
    org = cloud.identity.organization(cloud.defaults.organization)
    assert org is not None
    cloud.identity.add_tenant(org, "Staging", "Staging")
    token = app_token(cloud, client)
    default = Orch(cloud, client, token)
    staging = Orch(
        cloud,
        client,
        token,
        base=f"https://cloud.uipath.com/{cloud.defaults.organization}/Staging/orchestrator_",
    )
    _exhaust(default, "/odata/Jobs", 2)
    assert default.get("/odata/Jobs").status_code == 429
    _exhaust(staging, "/odata/Jobs", 2)
    assert staging.get("/odata/Jobs").status_code == 429


def test_the_limit_is_configurable_and_can_be_off(orch: Orch) -> None:
    backend = orch.backend
    backend.rate_limit = 3
    _exhaust(orch, "/odata/Jobs", 3)
    assert orch.get("/odata/Jobs").status_code == 429
    backend.rate_limit = None
    _exhaust(orch, "/odata/Jobs", 150)
    # the registry-wide switch applies to tenants without their own setting
    orch.cloud.orchestrator.rate_limit_per_minute = None
    other = orch.cloud.orchestrator.default
    assert other is backend
    assert backend.rate_limit is None
    with pytest.raises(ValueError, match="rate_limit"):
        backend.rate_limit = -1


def test_refused_requests_do_not_spend_the_budget(orch: Orch) -> None:
    orch.backend.rate_limit = 1
    for _ in range(3):
        assert orch.get("/odata/Jobs", headers={"X-UIPATH-FolderPath": "Shared"}).status_code == 401
        assert orch.get("/odata/Jobs", **{"$top": "5000"}).status_code == 400
    assert orch.get("/odata/Jobs").status_code == 200
    assert orch.get("/odata/Jobs").status_code == 429

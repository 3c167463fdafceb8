"""Auth on every Orchestrator call: the ABP 401/403 (docs/wire.md §8.1, traps 9 and 10)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from mock_orchestrator import MockCloud

from ._orch_helpers import ACTION, Orch, app_token, user_token

# (method, path, body, the scope family that opens it)
ROUTES: list[tuple[str, str, object, str]] = [
    ("GET", "/odata/Jobs(1)", None, "OR.Jobs"),
    (
        "GET",
        f"/odata/Jobs/{ACTION}GetByKey(identifier=5f0c7f2a-0000-4000-8000-000000000001)",
        None,
        "OR.Jobs",
    ),
    ("GET", "/odata/Jobs", None, "OR.Jobs"),
    ("POST", f"/odata/Jobs/{ACTION}StartJobs", {"startInfo": {"ReleaseName": "x"}}, "OR.Jobs"),
    ("POST", f"/odata/Jobs/{ACTION}StopJobs", {"jobIds": [], "strategy": "Kill"}, "OR.Jobs"),
    ("POST", f"/odata/Jobs(1)/{ACTION}StopJob", {"strategy": "Kill"}, "OR.Jobs"),
    ("GET", "/odata/Releases", None, "OR.Execution"),
    ("GET", f"/odata/Releases/{ACTION}ListReleases", None, "OR.Execution"),
    ("GET", "/odata/Folders", None, "OR.Folders"),
    ("GET", "/api/FoldersNavigation/GetFoldersForCurrentUser", None, "OR.Folders"),
    ("GET", f"/odata/Users/{ACTION}GetCurrentUserExtended", None, "OR.Users"),
    ("GET", f"/odata/Assets/{ACTION}GetFiltered", None, "OR.Assets"),
    (
        "POST",
        f"/odata/Assets/{ACTION}GetRobotAssetByNameForRobotKey",
        {"assetName": "a", "robotKey": "k"},
        "OR.Assets",
    ),
    ("GET", "/odata/QueueDefinitions", None, "OR.Queues"),
    ("GET", "/odata/QueueItems", None, "OR.Queues"),
    ("POST", "/odata/Queues/UiPathODataSvc.AddQueueItem", {"itemData": {"Name": "q"}}, "OR.Queues"),
    # RestartJob, and the robots' endpoints (handlers/robots.py, handlers/transactions.py)
    ("POST", f"/odata/Jobs/{ACTION}RestartJob", {"jobId": 1}, "OR.Jobs"),
    ("GET", "/odata/Robots", None, "OR.Robots"),
    ("GET", "/odata/Sessions", None, "OR.Robots"),
    (
        "POST",
        "/odata/Queues/UiPathODataSvc.StartTransaction",
        {"transactionData": {"Name": "InvoiceQueue"}},
        "OR.Queues",
    ),
    (
        "POST",
        "/odata/QueueItems(1)/UiPathODataSvc.SetTransactionProgress",
        {"progress": "p"},
        "OR.Queues",
    ),
    (
        "POST",
        "/odata/Queues(1)/UiPathODataSvc.SetTransactionResult",
        {"transactionResult": {"IsSuccessful": True}},
        "OR.Queues",
    ),
    (
        "POST",
        "/odata/Queues/UiPathODataSvc.BulkAddQueueItems",
        {"queueName": "InvoiceQueue", "commitType": "AllOrNothing", "queueItems": []},
        "OR.Queues",
    ),
    ("POST", "/api/StudioWeb/TryEnableFirstRun", None, ""),
    ("POST", "/api/StudioWeb/AcquireLicense", None, ""),
]
IDS = [f"{m} {p.split('/')[-1][:40]}" for m, p, _, _ in ROUTES]


def _call(
    orch: Orch, method: str, path: str, body: object, headers: dict[str, str]
) -> httpx.Response:
    if method == "GET":
        return orch.get(path, headers=headers)
    return orch.post(path, body, headers=headers)


@pytest.mark.parametrize(("method", "path", "body", "scope"), ROUTES, ids=IDS)
def test_every_route_wants_a_token(
    cloud: MockCloud, client: httpx.Client, method: str, path: str, body: object, scope: str
) -> None:
    orch = Orch(cloud, client)
    response = _call(orch, method, path, body, {"X-UIPATH-FolderPath": "Shared"})
    assert response.status_code == 401, response.text
    assert response.json()["error"]["details"] == (
        "You should be authenticated (sign in) in order to perform this operation."
    )
    assert response.json()["unAuthorizedRequest"] is False
    assert response.headers["www-authenticate"] == "Bearer"
    assert cloud.journal[-1].auth == "missing"


@pytest.mark.parametrize(("method", "path", "body", "scope"), ROUTES, ids=IDS)
def test_every_route_checks_its_scope(
    cloud: MockCloud, client: httpx.Client, method: str, path: str, body: object, scope: str
) -> None:
    # An app token with an unrelated scope: 403 on scoped routes, and never a folder error
    # first (auth is checked before the folder headers).
    orch = Orch(cloud, client, app_token(cloud, client, scope="OR.Webhooks"))
    response = _call(orch, method, path, body, {"Authorization": f"Bearer {orch.token}"})
    if not scope:
        assert response.status_code == 200
        return
    assert response.status_code == 403, response.text
    assert response.json()["message"] == "You are not authorized!"
    assert response.json()["unAuthorizedRequest"] is True
    # ... and the same route opens with its own scope family
    allowed = Orch(cloud, client, app_token(cloud, client, scope=f"{scope}.Read {scope}.Write"))
    again = _call(allowed, method, path, body, allowed.headers())
    assert again.status_code != 403, again.text


@pytest.mark.parametrize("reason", ["expired", "revoked", "unknown", "id_token"])
def test_dead_tokens_get_invalid_token(make_cloud: Callable[..., MockCloud], reason: str) -> None:
    cloud = make_cloud("legacy" if reason == "id_token" else "identity")
    d = cloud.defaults
    with httpx.Client(transport=cloud.transport()) as client:
        if reason == "id_token":
            tokens = client.post(
                d.legacy_token_url,
                json={
                    "grant_type": "refresh_token",
                    "client_id": d.legacy_client_id,
                    "refresh_token": d.user_key,
                },
            ).json()
            token = tokens["id_token"]
        else:
            token = app_token(cloud, client)
        if reason == "expired":
            cloud.clock.advance(hours=1)
        elif reason == "revoked":
            cloud.identity.revoke_access_tokens()
        elif reason == "unknown":
            token = token[:-4] + "AAAA"
        orch = Orch(cloud, client, token, base=d.url + "/orchestrator_")
        response = orch.get("/odata/Jobs")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith('Bearer error="invalid_token"')
    assert cloud.journal[-1].auth == reason


def test_user_tokens_are_not_scope_checked(cloud: MockCloud, client: httpx.Client) -> None:
    orch = Orch(cloud, client, user_token(cloud, client))
    assert orch.get("/odata/Jobs").status_code == 200


def test_sdk_default_scope_starts_jobs(cloud: MockCloud, client: httpx.Client) -> None:
    # UiPath's SDK asks for OR.Execution by default and invokes processes with it [I].
    orch = Orch(cloud, client, app_token(cloud, client, scope="OR.Execution"))
    assert orch.start()[0]["State"] == "Pending"

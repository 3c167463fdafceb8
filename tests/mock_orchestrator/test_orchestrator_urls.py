"""URL shapes of Orchestrator and how each one finds its tenant (docs/wire.md §5.1, trap 8)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from mock_orchestrator import MockCloud

from ._orch_helpers import Orch, app_token


def _releases(client: httpx.Client, url: str, token: str, **headers: str) -> httpx.Response:
    return client.get(
        url,
        headers={"Authorization": f"Bearer {token}", "X-UIPATH-FolderPath": "Shared", **headers},
    )


def _abp_401(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    body = response.json()
    assert body["message"] == "You are not authenticated!"
    assert body["__abp"] is True
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_modern_and_2020_cloud_shapes_reach_the_same_tenant(
    cloud: MockCloud, client: httpx.Client
) -> None:
    token = app_token(cloud, client)
    d = cloud.defaults
    modern = _releases(client, f"{d.url}/orchestrator_/odata/Releases", token)
    shape_2020 = _releases(client, f"{d.url}/odata/Releases", token)
    assert modern.status_code == shape_2020.status_code == 200
    assert modern.json()["value"] == shape_2020.json()["value"]
    assert [r["Name"] for r in modern.json()["value"]] == [d.process]
    # the context names the URL the client used ([V] §6.1 samples are absolute)
    assert modern.json()["@odata.context"] == (f"{d.url}/orchestrator_/odata/$metadata#Releases")
    # [V] forum 243590: the 2020 shape still answers with an orchestrator_ context
    assert shape_2020.json()["@odata.context"] == modern.json()["@odata.context"]
    assert cloud.journal.filter(route="orchestrator.list_releases")[0].status_code == 200


def test_tenant_and_org_in_the_path_match_without_case(
    cloud: MockCloud, client: httpx.Client
) -> None:
    token = app_token(cloud, client)
    d = cloud.defaults
    url = f"https://cloud.uipath.com/{d.organization.upper()}/{d.tenant.lower()}"
    assert _releases(client, url + "/orchestrator_/odata/Releases", token).status_code == 200


@pytest.mark.parametrize("tenant_segment", ["display", "unknown", "folder-in-path"])
def test_a_wrong_tenant_in_the_path_is_the_abp_401(
    cloud: MockCloud, client: httpx.Client, tenant_segment: str
) -> None:
    token = app_token(cloud, client)
    d = cloud.defaults
    segment = {
        "display": d.tenant_display_name,  # the display name is not the logical name
        "unknown": "NoSuchTenant",
        "folder-in-path": f"{d.tenant}/Shared",  # [V] trap 8: tenant/folder in the path
    }[tenant_segment]
    response = _releases(
        client, f"https://cloud.uipath.com/{d.organization}/{segment}/odata/Releases", token
    )
    if tenant_segment == "folder-in-path":
        # /{org}/{tenant}/Shared/odata/Releases routes nowhere: the core's empty 404
        assert response.status_code == 404
        assert response.content == b""
    else:
        _abp_401(response)
        assert cloud.journal.filter(route="orchestrator.list_releases")[-1].auth == ("wrong_tenant")


def test_a_token_of_another_organization_is_refused(cloud: MockCloud, client: httpx.Client) -> None:
    other_org = cloud.identity.add_organization("globex", "Globex")
    cloud.identity.add_tenant(other_org, "GlobexProd", "Production")
    token = app_token(cloud, client)
    response = _releases(
        client, "https://cloud.uipath.com/globex/GlobexProd/orchestrator_/odata/Releases", token
    )
    _abp_401(response)
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


def test_legacy_platform_shapes(make_cloud: Callable[..., MockCloud]) -> None:
    cloud = make_cloud("legacy")
    d = cloud.defaults
    with httpx.Client(transport=cloud.transport()) as client:
        token = client.post(
            d.legacy_token_url,
            json={
                "grant_type": "refresh_token",
                "client_id": d.legacy_client_id,
                "refresh_token": d.user_key,
            },
        ).json()["access_token"]
        # https://platform.uipath.com/{account}/{tenant}/odata/...
        assert d.url.startswith("https://platform.uipath.com/")
        assert _releases(client, f"{d.url}/odata/Releases", token).status_code == 200
        bare = "https://platform.uipath.com/odata/Releases"
        # the June 2019 shape: the tenant's logical name in X-UIPATH-TenantName
        ok = _releases(client, bare, token, **{"X-UIPATH-TenantName": d.tenant})
        assert ok.status_code == 200, ok.text
        assert ok.json()["@odata.context"] == "https://platform.uipath.com/odata/$metadata#Releases"
        # header names are case-insensitive
        lower = _releases(client, bare, token, **{"x-uipath-tenantname": d.tenant})
        assert lower.status_code == 200
        # the display name must not resolve, nor may the header be missing (trap 8)
        _abp_401(_releases(client, bare, token, **{"X-UIPATH-TenantName": d.tenant_display_name}))
        _abp_401(_releases(client, bare, token))
    assert not cloud.internal_errors


def test_onprem_bare_odata_uses_the_tokens_tenant(make_cloud: Callable[..., MockCloud]) -> None:
    cloud = make_cloud("onprem")
    d = cloud.defaults
    with httpx.Client(transport=cloud.transport()) as client:
        token = client.post(
            d.url + "/api/Account/Authenticate",
            json={"usernameOrEmailAddress": d.username, "password": d.password},
        ).json()["result"]
        response = _releases(client, f"{d.url}/odata/Releases", token)
        assert response.status_code == 200, response.text
        # [V] the on-prem docs sample is relative
        assert response.json()["@odata.context"] == "/odata/$metadata#Releases"
        assert response.json()["value"][0]["Key"] == d.release_key
        # no token on-prem: the same ABP 401
        _abp_401(client.get(f"{d.url}/odata/Releases"))
        version = client.get(f"{d.url}/orchestrator_/api/status/version")
        assert version.json()["deployment"] != "Cloud"


def test_status_version_is_anonymous_at_the_host_root_and_under_the_tenant(
    cloud: MockCloud, client: httpx.Client
) -> None:
    root = client.get("https://cloud.uipath.com/orchestrator_/api/status/version")
    assert root.status_code == 200
    assert set(root.json()) == {"version", "deployment"}
    assert root.json()["deployment"] == "Cloud"
    tenant = client.get(cloud.defaults.url + "/orchestrator_/api/status/version")
    assert tenant.json() == root.json()
    assert [e.route for e in cloud.journal] == ["orchestrator.status_version"] * 2


def test_unknown_routes_get_the_cores_empty_404(cloud: MockCloud, client: httpx.Client) -> None:
    orch = Orch(cloud, client)
    response = orch.get("/odata/NoSuchEntitySet")
    assert response.status_code == 404
    assert response.content == b""
    assert "no route" in (cloud.journal.filter(status=404)[-1].error or "")

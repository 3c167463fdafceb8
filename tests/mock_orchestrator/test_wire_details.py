"""Wire details of issue 11: the api-supported-versions header, the errorCode 1000 trap on the
orchestrator_ path, Auth0's scope order, unknown organizations, malformed login bodies."""

from __future__ import annotations

import httpx

from mock_orchestrator import MockCloud
from mock_orchestrator.identity.entities import auth0_scope_text

from ._orch_helpers import Orch, assert_compact_error


def test_orchestrator_answers_carry_api_supported_versions(
    cloud: MockCloud, client: httpx.Client
) -> None:
    orch = Orch(cloud, client)
    job = orch.start()[0]
    ok = orch.get(f"/odata/Jobs({job['Id']})")
    assert ok.headers["api-supported-versions"] == "18.0"
    missing = orch.get("/odata/Jobs(999)")
    assert missing.status_code == 404
    assert missing.headers["api-supported-versions"] == "18.0"
    token = client.post(
        cloud.defaults.identity_url + "/connect/token",
        data={
            "grant_type": "client_credentials",
            "client_id": cloud.defaults.client_id,
            "client_secret": cloud.defaults.client_secret,
        },
    )
    assert "api-supported-versions" not in token.headers  # the identity server is not versioned


def test_the_version_header_is_a_setting(cloud: MockCloud, client: httpx.Client) -> None:
    cloud.orchestrator.api_supported_versions = None
    orch = Orch(cloud, client)
    assert "api-supported-versions" not in orch.get("/odata/Releases").headers


def test_the_login_trap_answers_on_the_orchestrator_path(
    cloud: MockCloud, client: httpx.Client
) -> None:
    url = cloud.defaults.url + "/orchestrator_/api/Account/Authenticate"
    response = client.post(
        url,
        json={
            "tenancyName": cloud.defaults.tenant,
            "usernameOrEmailAddress": "ada",
            "password": "Correct-Horse-9",
        },
    )
    assert response.status_code == 400
    assert response.json() == {
        "message": "Invalid credentials, failed to login.",
        "errorCode": 1000,
        "resourceIds": None,
    }


def test_legacy_scopes_come_in_auth0_order() -> None:
    assert auth0_scope_text(frozenset({"offline_access", "email", "openid", "profile"})) == (
        "openid profile email offline_access"
    )
    assert auth0_scope_text(frozenset({"read:x", "openid"})) == "openid read:x"
    cloud = MockCloud("legacy")
    with httpx.Client(transport=cloud.transport()) as client:
        response = client.post(
            "https://account.uipath.com/oauth/token",
            json={
                "grant_type": "refresh_token",
                "client_id": cloud.defaults.legacy_client_id,
                "refresh_token": cloud.defaults.user_key,
            },
        )
    assert response.json()["scope"] == "openid profile email offline_access"


def _org_token(cloud: MockCloud, client: httpx.Client, org: str) -> httpx.Response:
    return client.post(
        f"https://cloud.uipath.com/{org}/identity_/connect/token",
        data={
            "grant_type": "client_credentials",
            "client_id": cloud.defaults.client_id,
            "client_secret": cloud.defaults.client_secret,
        },
    )


def test_an_unknown_organization_gets_no_token(cloud: MockCloud, client: httpx.Client) -> None:
    assert _org_token(cloud, client, cloud.defaults.organization).status_code == 200
    refused = _org_token(cloud, client, "no-such-org")
    assert refused.status_code == 400
    assert refused.json() == {"error": "invalid_client"}


def test_unknown_organizations_can_be_ignored_by_setting() -> None:
    cloud = MockCloud(unknown_organization="ignore")
    with httpx.Client(transport=cloud.transport()) as client:
        assert _org_token(cloud, client, "no-such-org").status_code == 200


def test_a_login_body_that_is_not_json_is_a_malformed_request() -> None:
    cloud = MockCloud("onprem")
    with httpx.Client(transport=cloud.transport()) as client:
        response = client.post(
            cloud.defaults.url + "/api/Account/Authenticate",
            content=b"{tenancyName: Default",
            headers={"content-type": "application/json"},
        )
        wrong = client.post(
            cloud.defaults.url + "/api/Account/Authenticate",
            json={"tenancyName": "Default", "usernameOrEmailAddress": "ada", "password": "x"},
        )
    assert response.status_code == 400
    body = response.json()
    assert body["error"]["message"] == "Your request is not valid!"
    assert "not valid JSON" in body["error"]["details"]
    assert wrong.json()["errorCode"] == 1000  # wrong credentials stay the credentials error
    assert body != wrong.json()


def test_a_wrong_orchestrator_call_is_still_the_compact_error(
    cloud: MockCloud, client: httpx.Client
) -> None:
    orch = Orch(cloud, client)
    assert_compact_error(orch.get("/odata/Jobs(abc)"), 400, 1000)

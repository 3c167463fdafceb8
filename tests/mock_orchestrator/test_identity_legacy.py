"""The legacy cloud: account.uipath.com (Auth0), 24-hour tokens, the User Key, cloudrpa."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import jwt
import pytest

from mock_orchestrator import MockCloud

from ._helpers import VERIFIER, authorize, challenge, code_from

TOKEN = "https://account.uipath.com/oauth/token"
ACCOUNTS = "https://platform.uipath.com/cloudrpa/api/getAccountsForUser"
PKCE_CLIENT = "5v7PmPJL6FOGu6RB8I1Y4adLBhIwovQN"
MOBILE = "https://account.uipath.com/mobile"


@pytest.fixture
def legacy(make_cloud: Callable[..., MockCloud]) -> MockCloud:
    return make_cloud("legacy")


@pytest.fixture
def http(legacy: MockCloud) -> Iterator[httpx.Client]:
    with httpx.Client(transport=legacy.transport()) as client:
        yield client


def _user_key_body(cloud: MockCloud) -> dict[str, str]:
    return {
        "grant_type": "refresh_token",
        "client_id": cloud.defaults.legacy_client_id or "",
        "refresh_token": cloud.defaults.user_key or "",
    }


def test_user_key_refresh_gives_24h_tokens_and_no_refresh_token(
    http: httpx.Client, legacy: MockCloud
) -> None:
    response = http.post(
        TOKEN, json=_user_key_body(legacy), headers={"X-UIPATH-TenantName": legacy.defaults.tenant}
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "id_token", "scope", "expires_in", "token_type"}
    assert body["expires_in"] == 86400
    assert body["token_type"] == "Bearer"
    assert body["scope"] == "openid profile email offline_access"  # Auth0's order
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["iss"] == "https://account.uipath.com/"
    assert claims["aud"] == [
        "https://orchestrator.cloud.uipath.com",
        "https://uipath.eu.auth0.com/userinfo",
    ]
    assert claims["azp"] == legacy.defaults.legacy_client_id
    assert claims["exp"] - claims["iat"] == 86400
    assert jwt.get_unverified_header(body["access_token"])["alg"] == "RS256"


def test_form_bodies_work_too_and_the_key_never_rotates(
    http: httpx.Client, legacy: MockCloud
) -> None:
    for _ in range(3):  # the same key, again and again
        assert http.post(TOKEN, data=_user_key_body(legacy)).status_code == 200


def test_tenant_header_is_not_required(http: httpx.Client, legacy: MockCloud) -> None:
    assert http.post(TOKEN, json=_user_key_body(legacy)).status_code == 200


@pytest.mark.parametrize("token", ["not-a-key", ""])
def test_bad_user_key_is_403_invalid_grant(
    http: httpx.Client, legacy: MockCloud, token: str
) -> None:
    body = _user_key_body(legacy) | {"refresh_token": token}
    response = http.post(TOKEN, json=body)
    if token:
        assert response.status_code == 403
        assert response.json() == {
            "error": "invalid_grant",
            "error_description": "Unknown or invalid refresh token.",
        }
    else:
        assert response.status_code == 400
        assert response.json()["error"] == "invalid_request"


def test_revoked_user_key_is_403(http: httpx.Client, legacy: MockCloud) -> None:
    legacy.identity.revoke_refresh_token(legacy.defaults.user_key or "")
    assert http.post(TOKEN, json=_user_key_body(legacy)).status_code == 403


def test_user_key_is_bound_to_its_client(http: httpx.Client, legacy: MockCloud) -> None:
    body = _user_key_body(legacy) | {"client_id": PKCE_CLIENT}
    assert http.post(TOKEN, json=body).status_code == 403


def test_unknown_client_and_grant(http: httpx.Client, legacy: MockCloud) -> None:
    denied = http.post(TOKEN, json=_user_key_body(legacy) | {"client_id": "who"})
    assert denied.status_code == 401
    assert denied.json()["error"] == "access_denied"
    grant = http.post(TOKEN, json=_user_key_body(legacy) | {"grant_type": "password"})
    assert grant.status_code == 400
    assert grant.json()["error"] == "unsupported_grant_type"


def test_pkce_login_issues_a_non_rotating_refresh_token(
    http: httpx.Client, legacy: MockCloud
) -> None:
    response = authorize(
        http,
        "https://account.uipath.com/authorize",
        client_id=PKCE_CLIENT,
        redirect_uri=MOBILE,
        scope="openid profile offline_access email",
        code_challenge=challenge(),
        audience="https://orchestrator.cloud.uipath.com",
        state="47441df4",
    )
    assert response.headers["location"].startswith(MOBILE + "?code=")
    assert "state=47441df4" in response.headers["location"]
    code = code_from(response)
    exchange = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": MOBILE,
        "code_verifier": VERIFIER,
        "client_id": PKCE_CLIENT,
    }
    body = http.post(TOKEN, json=exchange).json()
    assert {"access_token", "refresh_token", "id_token", "expires_in"} <= body.keys()
    assert body["expires_in"] == 86400
    # single use
    again = http.post(TOKEN, json=exchange)
    assert again.status_code == 403
    assert again.json()["error_description"] == "Invalid authorization code"
    refreshed = http.post(
        TOKEN,
        json={
            "grant_type": "refresh_token",
            "client_id": PKCE_CLIENT,
            "refresh_token": body["refresh_token"],
        },
    ).json()
    assert "refresh_token" not in refreshed


def test_pkce_wrong_verifier_and_expired_code(http: httpx.Client, legacy: MockCloud) -> None:
    def login() -> str:
        return code_from(
            authorize(
                http,
                "https://account.uipath.com/authorize",
                client_id=PKCE_CLIENT,
                redirect_uri=MOBILE,
                scope="openid offline_access",
                code_challenge=challenge(),
            )
        )

    wrong = http.post(
        TOKEN,
        json={
            "grant_type": "authorization_code",
            "code": login(),
            "redirect_uri": MOBILE,
            "code_verifier": "x" * 43,
            "client_id": PKCE_CLIENT,
        },
    )
    assert wrong.status_code == 403
    assert wrong.json()["error_description"] == "Failed to verify code verifier"
    code = login()
    legacy.clock.advance(seconds=legacy.settings.code_lifetime)
    late = http.post(
        TOKEN,
        json={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": MOBILE,
            "code_verifier": VERIFIER,
            "client_id": PKCE_CLIENT,
        },
    )
    assert late.status_code == 403


def test_cloudrpa_answers_only_to_the_id_token(http: httpx.Client, legacy: MockCloud) -> None:
    body = http.post(TOKEN, json=_user_key_body(legacy)).json()
    d = legacy.defaults
    with_id = http.get(ACCOUNTS, headers={"Authorization": f"Bearer {body['id_token']}"})
    assert with_id.status_code == 200
    assert with_id.json() == {
        "userEmail": d.user_email,
        "accounts": [
            {"accountName": d.organization_display_name, "accountLogicalName": d.organization}
        ],
    }
    with_access = http.get(ACCOUNTS, headers={"Authorization": f"Bearer {body['access_token']}"})
    assert with_access.status_code == 401
    instances = http.get(
        f"https://platform.uipath.com/cloudrpa/api/account/{d.organization}/getAllServiceInstances",
        headers={"Authorization": f"Bearer {body['id_token']}"},
    )
    assert instances.status_code == 200
    [instance] = instances.json()  # a bare JSON array
    assert instance["serviceInstanceLogicalName"] == d.tenant
    assert instance["serviceInstanceName"] == d.tenant_display_name != d.tenant
    assert instance["serviceType"] == "ORCHESTRATOR"


def test_id_token_expires_with_the_day(http: httpx.Client, legacy: MockCloud) -> None:
    id_token = http.post(TOKEN, json=_user_key_body(legacy)).json()["id_token"]
    legacy.clock.advance(hours=24)
    assert http.get(ACCOUNTS, headers={"Authorization": f"Bearer {id_token}"}).status_code == 401

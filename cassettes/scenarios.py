"""Scenarios: a few requests (``drive``) and what the answers must look like (``check``).

The same scenario runs against a replayed cassette and against the live mock (style.md
lessons 10-11). Checked against a *reference* cassette, built from payloads recorded from
the real service, a check proves it accepts reality; run against the mock, the same check
proves the mock still looks like that reality. A check asserts on the wire's shape (field
names and casing, statuses, which fields must be absent), never on token values, which
cassettes hold redacted.

``drive(client, world)`` returns the responses by name; ``check(responses, world)`` raises
``AssertionError`` with a message naming the field that drifted.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import httpx

from ._checks import Responses, Scenario, expect_keys, expect_status, json_body, nonempty_str
from ._orchestrator_scenarios import ORCHESTRATOR_SCENARIOS
from ._world import World

__all__ = ["SCENARIOS", "Scenario"]


# -- legacy cloud (account.uipath.com) ---------------------------------------------------

_LEGACY_REFRESH_KEYS = {"access_token", "id_token", "scope", "expires_in", "token_type"}


def _legacy_refresh_request(client: httpx.Client, world: World) -> httpx.Response:
    return client.post(
        world.account_origin + "/oauth/token",
        json={
            "grant_type": "refresh_token",
            "client_id": world.legacy_client_id,
            "refresh_token": world.user_key,
        },
        headers={"X-UIPATH-TenantName": world.tenant},
    )


def drive_legacy_refresh(client: httpx.Client, world: World) -> Responses:
    return {"refresh": _legacy_refresh_request(client, world)}


def check_legacy_refresh(responses: Responses, world: World) -> None:
    response = responses["refresh"]
    expect_status(response, 200, "refresh")
    body = json_body(response, "refresh")
    # [V] no refresh_token: the User Key never rotates (docs/wire.md §2.3).
    expect_keys(body, _LEGACY_REFRESH_KEYS, "refresh")
    assert body["expires_in"] == 86400, f"refresh: expires_in {body['expires_in']!r}, not 86400"
    assert body["token_type"] == "Bearer", f"refresh: token_type {body['token_type']!r}"
    for key in ("access_token", "id_token", "scope"):
        nonempty_str(body, key, "refresh")
    assert "openid" in body["scope"].split(), f"refresh: scope {body['scope']!r} lacks openid"


def drive_legacy_code_exchange(client: httpx.Client, world: World) -> Responses:
    authorize = client.get(
        world.account_origin + "/authorize",
        params={
            "response_type": "code",
            "nonce": world.nonce,
            "state": world.state,
            "code_challenge": world.code_challenge,
            "code_challenge_method": "S256",
            "scope": "openid profile offline_access email",
            "audience": "https://orchestrator.cloud.uipath.com",
            "client_id": world.legacy_pkce_client_id,
            "redirect_uri": world.legacy_redirect_uri,
        },
    )
    query = parse_qs(urlsplit(authorize.headers.get("location", "")).query)
    code = (query.get("code") or [""])[0]
    token = client.post(
        world.account_origin + "/oauth/token",
        json={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": world.legacy_redirect_uri,
            "code_verifier": world.code_verifier,
            "client_id": world.legacy_pkce_client_id,
        },
    )
    return {"authorize": authorize, "token": token}


def check_legacy_code_exchange(responses: Responses, world: World) -> None:
    authorize = responses["authorize"]
    assert authorize.status_code in (302, 303), f"authorize: HTTP {authorize.status_code}"
    location = authorize.headers.get("location", "")
    assert location.startswith(world.legacy_redirect_uri + "?"), f"authorize: {location!r}"
    query = parse_qs(urlsplit(location).query)
    assert query.get("code"), "authorize: no code in the redirect"
    assert query.get("state") == [world.state], "authorize: state not echoed"
    token = responses["token"]
    expect_status(token, 200, "token")
    body = json_body(token, "token")
    expect_keys(body, _LEGACY_REFRESH_KEYS | {"refresh_token"}, "token")
    assert body["expires_in"] == 86400, f"token: expires_in {body['expires_in']!r}"
    assert body["token_type"] == "Bearer"


def drive_legacy_tenant_lookup(client: httpx.Client, world: World) -> Responses:
    refresh = _legacy_refresh_request(client, world)
    bearer = {"Authorization": f"Bearer {refresh.json().get('id_token', '')}"}
    accounts = client.get(
        world.platform_origin + "/cloudrpa/api/getAccountsForUser", headers=bearer
    )
    logical = accounts.json()["accounts"][0]["accountLogicalName"]
    instances = client.get(
        f"{world.platform_origin}/cloudrpa/api/account/{logical}/getAllServiceInstances",
        headers=bearer,
    )
    return {"refresh": refresh, "accounts": accounts, "instances": instances}


def check_legacy_tenant_lookup(responses: Responses, world: World) -> None:
    check_legacy_refresh(responses, world)
    accounts = responses["accounts"]
    expect_status(accounts, 200, "getAccountsForUser")
    body = json_body(accounts, "getAccountsForUser")
    expect_keys(body, {"userEmail", "accounts"}, "getAccountsForUser")
    assert isinstance(body["accounts"], list), "accounts: not an array"
    assert body["accounts"], "accounts: empty"
    for account in body["accounts"]:
        expect_keys(account, {"accountName", "accountLogicalName"}, "accounts[]")
    instances = responses["instances"]
    expect_status(instances, 200, "getAllServiceInstances")
    listing = json_body(instances, "getAllServiceInstances")
    assert isinstance(listing, list), "getAllServiceInstances: not a bare array"
    assert listing, "getAllServiceInstances: empty"
    for item in listing:
        expect_keys(
            item,
            {"serviceInstanceName", "serviceInstanceLogicalName", "serviceType", "serviceUrl"},
            "service instance",
        )
        assert item["serviceType"] == "ORCHESTRATOR", f"serviceType {item['serviceType']!r}"
    logical = {i["serviceInstanceLogicalName"]: i["serviceInstanceName"] for i in listing}
    assert world.tenant in logical, f"tenant {world.tenant!r} not among {sorted(logical)}"
    assert logical[world.tenant] != world.tenant, "logical and display names are the same"


# -- /api/Account/Authenticate -----------------------------------------------------------

_CLOUD_TRAP = {
    "message": "Invalid credentials, failed to login.",
    "errorCode": 1000,
    "resourceIds": None,
}
_ONPREM_BAD = {
    "message": "Invalid username/email address or password.",
    "errorCode": 1000,
    "resourceIds": None,
}


def _ropc(client: httpx.Client, url: str, world: World, password: str) -> httpx.Response:
    return client.post(
        url,
        json={
            "TenancyName": world.tenant,
            "UsernameOrEmailAddress": world.username or world.user_email,
            "Password": password,
        },
    )


def drive_cloud_login_trap(client: httpx.Client, world: World) -> Responses:
    url = world.cloud_origin + "/api/account/authenticate"
    return {"login": _ropc(client, url, world, world.password or "not-a-password")}


def check_cloud_login_trap(responses: Responses, world: World) -> None:
    response = responses["login"]
    expect_status(response, 400, "login")
    assert json_body(response, "login") == _CLOUD_TRAP, f"login: {response.text!r}"


def drive_onprem_password_login(client: httpx.Client, world: World) -> Responses:
    url = world.onprem_origin + "/api/Account/Authenticate"
    return {"login": _ropc(client, url, world, world.password)}


def check_onprem_password_login(responses: Responses, world: World) -> None:
    response = responses["login"]
    expect_status(response, 200, "login")
    body = json_body(response, "login")
    expect_keys(
        body, {"result", "targetUrl", "success", "error", "unAuthorizedRequest", "__abp"}, "login"
    )
    nonempty_str(body, "result", "login")
    assert (
        body["success"],
        body["error"],
        body["unAuthorizedRequest"],
        body["__abp"],
        body["targetUrl"],
    ) == (True, None, False, True, None), f"login: {body!r}"


def drive_onprem_bad_password(client: httpx.Client, world: World) -> Responses:
    url = world.onprem_origin + "/api/Account/Authenticate"
    return {"login": _ropc(client, url, world, "wrong-password")}


def check_onprem_bad_password(responses: Responses, world: World) -> None:
    response = responses["login"]
    expect_status(response, 400, "login")
    assert json_body(response, "login") == _ONPREM_BAD, f"login: {response.text!r}"


# -- identity_ (IdentityServer4) ----------------------------------------------------------


def _client_credentials(
    client: httpx.Client, world: World, scope: str, url: str | None = None
) -> httpx.Response:
    return client.post(
        url or world.identity_url + "/connect/token",
        data={
            "grant_type": "client_credentials",
            "client_id": world.client_id,
            "client_secret": world.client_secret,
            "scope": scope,
        },
    )


def drive_identity_client_credentials(client: httpx.Client, world: World) -> Responses:
    return {"token": _client_credentials(client, world, world.cc_scope)}


def check_identity_client_credentials(responses: Responses, world: World) -> None:
    response = responses["token"]
    expect_status(response, 200, "token")
    body = json_body(response, "token")
    # [V] no refresh_token and no id_token for client credentials (forum 341681).
    expect_keys(body, {"access_token", "expires_in", "token_type", "scope"}, "token")
    assert body["expires_in"] == 3600, f"token: expires_in {body['expires_in']!r}, not 3600"
    assert body["token_type"] == "Bearer"
    granted = set(nonempty_str(body, "scope", "token").split())
    assert granted <= set(world.cc_scope.split()), f"token: scope widened to {sorted(granted)}"


def drive_identity_offline_access_refused(client: httpx.Client, world: World) -> Responses:
    return {"token": _client_credentials(client, world, world.cc_scope + " offline_access")}


def check_identity_offline_access_refused(responses: Responses, world: World) -> None:
    response = responses["token"]
    expect_status(response, 400, "token")
    assert json_body(response, "token") == {"error": "invalid_scope"}, f"token: {response.text!r}"


def drive_onprem_identity_wrong_path(client: httpx.Client, world: World) -> Responses:
    url = world.onprem_origin + "/identity_/connect/token"
    return {"token": _client_credentials(client, world, world.cc_scope, url)}


_UNSUPPORTED = re.compile(
    r"The HTTP resource that matches the request URI '[^']+"
    r"/identity_/connect/token' does not support HTTP method 'POST'\."
)


def check_onprem_identity_wrong_path(responses: Responses, world: World) -> None:
    response = responses["token"]
    expect_status(response, 405, "token")
    body = json_body(response, "token")
    expect_keys(body, {"error"}, "token")
    expect_keys(body["error"], {"code", "message", "innerError"}, "token.error")
    assert body["error"]["code"] == "UnsupportedApiVersion"
    assert _UNSUPPORTED.fullmatch(body["error"]["message"]), body["error"]["message"]
    assert body["error"]["innerError"] is None


def drive_identity_refresh_rotation(client: httpx.Client, world: World) -> Responses:
    form = {
        "grant_type": "refresh_token",
        "client_id": world.public_client_id,
        "refresh_token": world.refresh_token,
    }
    url = world.identity_url + "/connect/token"
    return {"refresh": client.post(url, data=form), "reuse": client.post(url, data=form)}


def check_identity_refresh_rotation(responses: Responses, world: World) -> None:
    first = responses["refresh"]
    expect_status(first, 200, "refresh")
    body = json_body(first, "refresh")
    expect_keys(
        body,
        {"access_token", "expires_in", "token_type", "scope", "refresh_token"},
        "refresh",
        exact=False,
    )
    assert set(body) <= {
        "access_token",
        "expires_in",
        "token_type",
        "scope",
        "refresh_token",
        "id_token",
    }, f"refresh: unexpected fields {sorted(body)}"
    assert body["expires_in"] == 3600
    reuse = responses["reuse"]
    expect_status(reuse, 400, "reuse")
    assert json_body(reuse, "reuse") == {"error": "invalid_grant"}, f"reuse: {reuse.text!r}"


def _registry(*items: Scenario) -> dict[str, Scenario]:
    out: dict[str, Scenario] = {}
    for item in items:
        if item.name in out:
            raise ValueError(f"duplicate scenario {item.name!r}")
        out[item.name] = item
    return out


#: Every scenario by name; cassettes are named ``test_<name>.yaml`` after them.
SCENARIOS: dict[str, Scenario] = _registry(
    Scenario(
        "legacy_refresh",
        "legacy",
        drive_legacy_refresh,
        check_legacy_refresh,
        "User Key refresh on account.uipath.com (docs/wire.md §2.3)",
    ),
    Scenario(
        "legacy_code_exchange",
        "legacy",
        drive_legacy_code_exchange,
        check_legacy_code_exchange,
        "PKCE authorize, then the code exchange, on account.uipath.com (§2.1-2.2)",
    ),
    Scenario(
        "legacy_tenant_lookup",
        "legacy",
        drive_legacy_tenant_lookup,
        check_legacy_tenant_lookup,
        "id_token -> getAccountsForUser -> getAllServiceInstances (§2.6-2.7)",
    ),
    Scenario(
        "cloud_login_trap",
        "identity",
        drive_cloud_login_trap,
        check_cloud_login_trap,
        "a password login on the cloud host: 400 errorCode 1000 (§3, §11.3)",
    ),
    Scenario(
        "onprem_password_login",
        "onprem",
        drive_onprem_password_login,
        check_onprem_password_login,
        "on-prem /api/Account/Authenticate success (§3)",
    ),
    Scenario(
        "onprem_bad_password",
        "onprem",
        drive_onprem_bad_password,
        check_onprem_bad_password,
        "on-prem login with a wrong password (§3)",
    ),
    Scenario(
        "identity_client_credentials",
        "identity",
        drive_identity_client_credentials,
        check_identity_client_credentials,
        "client credentials on identity_ (§4.2)",
    ),
    Scenario(
        "identity_offline_access_refused",
        "identity",
        drive_identity_offline_access_refused,
        check_identity_offline_access_refused,
        "offline_access with client credentials: invalid_scope (§4.2, §11.5)",
    ),
    Scenario(
        "onprem_identity_wrong_path",
        "onprem",
        drive_onprem_identity_wrong_path,
        check_onprem_identity_wrong_path,
        "/identity_ on an on-prem host: 405 UnsupportedApiVersion (§4.5)",
    ),
    Scenario(
        "identity_refresh_rotation",
        "identity",
        drive_identity_refresh_rotation,
        check_identity_refresh_rotation,
        "identity_ refresh rotates; reusing the old token is invalid_grant (§4.4)",
    ),
    *ORCHESTRATOR_SCENARIOS,
)

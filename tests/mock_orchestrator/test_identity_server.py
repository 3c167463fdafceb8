"""identity_ (IdentityServer4): client credentials, authorization code + PKCE, rotation."""

from __future__ import annotations

import httpx
import jwt
import pytest

from mock_orchestrator import MockCloud

from ._helpers import (
    VERIFIER,
    authorize,
    challenge,
    client_credentials,
    code_from,
    post_token,
    refresh,
    token_url,
)

AUTHORIZE = "https://cloud.uipath.com/identity_/connect/authorize"


def test_client_credentials_gives_one_hour_token_and_no_refresh(
    client: httpx.Client, cloud: MockCloud
) -> None:
    body = client_credentials(client, cloud, scope="OR.Jobs OR.Folders.Read")
    assert body["expires_in"] == 3600
    assert body["token_type"] == "Bearer"
    assert body["scope"] == "OR.Folders.Read OR.Jobs"
    assert "refresh_token" not in body
    assert "id_token" not in body


def test_token_responses_are_not_cached(client: httpx.Client, cloud: MockCloud) -> None:
    d = cloud.defaults
    ok = post_token(
        client,
        cloud,
        grant_type="client_credentials",
        client_id=d.client_id,
        client_secret=d.client_secret,
        scope="OR.Jobs",
    )
    bad = post_token(
        client,
        cloud,
        grant_type="client_credentials",
        client_id=d.client_id,
        client_secret="wrong",
        scope="OR.Jobs",
    )
    for response in (ok, bad):
        assert "no-store" in response.headers["cache-control"]


def test_org_scoped_token_endpoint_works_too(client: httpx.Client, cloud: MockCloud) -> None:
    d = cloud.defaults
    response = client.post(
        f"https://cloud.uipath.com/{d.organization}/identity_/connect/token",
        data={
            "grant_type": "client_credentials",
            "client_id": d.client_id,
            "client_secret": d.client_secret,
            "scope": "OR.Jobs",
        },
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("scope", "why"),
    [
        ("OR.Jobs offline_access", "offline_access with client credentials [V]"),
        ("OR.NotAScope", "unknown scope"),
        ("openid", "a user scope on an application token"),
    ],
)
def test_client_credentials_scope_errors(
    client: httpx.Client, cloud: MockCloud, scope: str, why: str
) -> None:
    d = cloud.defaults
    response = post_token(
        client,
        cloud,
        grant_type="client_credentials",
        client_id=d.client_id,
        client_secret=d.client_secret,
        scope=scope,
    )
    assert response.status_code == 400, why
    # error_description is left out when empty, exactly like UiPath's {"error":"invalid_scope"}
    assert response.json() == {"error": "invalid_scope"}


@pytest.mark.parametrize("secret", ["wrong", ""])
def test_bad_client_secret_is_invalid_client(
    client: httpx.Client, cloud: MockCloud, secret: str
) -> None:
    response = post_token(
        client,
        cloud,
        grant_type="client_credentials",
        client_id=cloud.defaults.client_id,
        client_secret=secret,
        scope="OR.Jobs",
    )
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_client"}


def test_unknown_client_and_unknown_grant(client: httpx.Client, cloud: MockCloud) -> None:
    unknown = post_token(
        client, cloud, grant_type="client_credentials", client_id="nobody", client_secret="x"
    )
    assert unknown.json() == {"error": "invalid_client"}
    grant = post_token(client, cloud, grant_type="urn:weird", client_id=cloud.defaults.client_id)
    assert grant.status_code == 400
    assert grant.json() == {"error": "unsupported_grant_type"}
    missing = post_token(client, cloud, client_id=cloud.defaults.client_id)
    assert missing.json() == {"error": "unsupported_grant_type"}


def test_public_client_cannot_use_client_credentials(
    client: httpx.Client, cloud: MockCloud
) -> None:
    response = post_token(
        client,
        cloud,
        grant_type="client_credentials",
        client_id=cloud.defaults.public_client_id,
        scope="OR.Jobs",
    )
    assert response.json() == {"error": "unauthorized_client"}


def test_blank_extra_fields_are_tolerated(client: httpx.Client, cloud: MockCloud) -> None:
    # uipathcli always sends every field, blank when unused ([V] token_request_form.go)
    d = cloud.defaults
    response = post_token(
        client,
        cloud,
        grant_type="client_credentials",
        client_id=d.client_id,
        client_secret=d.client_secret,
        scope="OR.Jobs",
        code="",
        code_verifier="",
        redirect_uri="",
        refresh_token="",
    )
    assert response.status_code == 200


def test_tokens_are_rs256_and_verify_against_the_jwks(
    client: httpx.Client, cloud: MockCloud
) -> None:
    body = client_credentials(client, cloud)
    discovery = client.get("https://cloud.uipath.com/identity_/.well-known/openid-configuration")
    assert discovery.status_code == 200
    config = discovery.json()
    assert config["token_endpoint"] == token_url(cloud)
    jwks = client.get(config["jwks_uri"]).json()
    header = jwt.get_unverified_header(body["access_token"])
    assert header["alg"] == "RS256"
    key = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
    public = jwt.algorithms.RSAAlgorithm.from_jwk(key)
    claims = jwt.decode(
        body["access_token"],
        public,
        algorithms=["RS256"],  # type: ignore[arg-type]
        audience="UiPath.Orchestrator",
        options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
    )
    for claim in ("sub", "prt_id", "client_id", "scope", "iss", "aud", "iat", "exp"):
        assert claim in claims
    assert claims["exp"] - claims["iat"] == 3600
    assert claims["prt_id"] == cloud.defaults.organization_id
    assert claims["client_id"] == cloud.defaults.client_id


def _login(client: httpx.Client, cloud: MockCloud, scope: str, **extra: str) -> str:
    return code_from(
        authorize(
            client,
            AUTHORIZE,
            client_id=cloud.defaults.public_client_id,
            redirect_uri=cloud.defaults.redirect_uri,
            scope=scope,
            code_challenge=challenge(),
            **extra,
        )
    )


def _exchange(
    client: httpx.Client, cloud: MockCloud, code: str, verifier: str = VERIFIER, **extra: str
) -> httpx.Response:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": cloud.defaults.redirect_uri,
        "client_id": cloud.defaults.public_client_id,
        "code_verifier": verifier,
    }
    form.update(extra)
    return post_token(client, cloud, **form)


def test_authorization_code_with_pkce(client: httpx.Client, cloud: MockCloud) -> None:
    response = authorize(
        client,
        AUTHORIZE,
        client_id=cloud.defaults.public_client_id,
        redirect_uri=cloud.defaults.redirect_uri,
        scope="openid offline_access OrchestratorApiUserAccess",
        code_challenge=challenge(),
        state="xyz",
    )
    location = response.headers["location"]
    assert location.startswith(cloud.defaults.redirect_uri + "?")
    assert "state=xyz" in location
    body = _exchange(client, cloud, code_from(response)).json()
    assert {"access_token", "refresh_token", "id_token", "expires_in"} <= body.keys()


def test_refresh_token_only_with_offline_access_and_id_token_only_with_openid(
    client: httpx.Client, cloud: MockCloud
) -> None:
    body = _exchange(client, cloud, _login(client, cloud, "OrchestratorApiUserAccess")).json()
    assert "refresh_token" not in body
    assert "id_token" not in body
    code = _login(client, cloud, "openid OrchestratorApiUserAccess")
    body = _exchange(client, cloud, code).json()
    assert "id_token" in body
    assert "refresh_token" not in body


def test_loopback_redirect_may_use_any_port(client: httpx.Client, cloud: MockCloud) -> None:
    response = authorize(
        client,
        AUTHORIZE,
        client_id=cloud.defaults.public_client_id,
        redirect_uri="http://localhost:52545/oidc/login",
        scope="offline_access",
        code_challenge=challenge(),
    )
    assert response.headers["location"].startswith("http://localhost:52545/oidc/login?code=")
    foreign = authorize(
        client,
        AUTHORIZE,
        client_id=cloud.defaults.public_client_id,
        redirect_uri="https://evil.test/oidc/login",
        scope="offline_access",
        code_challenge=challenge(),
    )
    assert "/identity_/web/?errorCode=invalid_request" in foreign.headers["location"]


def test_authorize_errors_land_on_the_identity_error_page(
    client: httpx.Client, cloud: MockCloud
) -> None:
    bad_scope = authorize(
        client,
        AUTHORIZE,
        client_id=cloud.defaults.public_client_id,
        redirect_uri=cloud.defaults.redirect_uri,
        scope="OR.Nope",
        code_challenge=challenge(),
    )
    assert "errorCode=invalid_scope" in bad_scope.headers["location"]
    page = client.get(bad_scope.headers["location"])
    assert page.status_code == 400
    assert "text/html" in page.headers["content-type"]
    no_pkce = authorize(
        client,
        AUTHORIZE,
        client_id=cloud.defaults.public_client_id,
        redirect_uri=cloud.defaults.redirect_uri,
        scope="offline_access",
    )
    assert "error=invalid_request" in no_pkce.headers["location"]


def test_pkce_mismatch_fails(client: httpx.Client, cloud: MockCloud) -> None:
    code = _login(client, cloud, "offline_access")
    response = _exchange(client, cloud, code, verifier="not-the-verifier-" + "x" * 30)
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_grant"}


def test_code_is_single_use_and_reuse_revokes_what_it_issued(
    client: httpx.Client, cloud: MockCloud
) -> None:
    code = _login(client, cloud, "offline_access OrchestratorApiUserAccess")
    first = _exchange(client, cloud, code).json()
    again = _exchange(client, cloud, code)
    assert again.json() == {"error": "invalid_grant"}
    # RFC 6749 §4.1.2: the refresh token issued from the replayed code is revoked too
    assert refresh(client, cloud, first["refresh_token"]).json() == {"error": "invalid_grant"}


def test_code_expires_after_its_lifetime(client: httpx.Client, cloud: MockCloud) -> None:
    code = _login(client, cloud, "offline_access")
    cloud.clock.advance(seconds=cloud.settings.code_lifetime)
    assert _exchange(client, cloud, code).json() == {"error": "invalid_grant"}


def test_code_is_bound_to_redirect_uri(client: httpx.Client, cloud: MockCloud) -> None:
    code = _login(client, cloud, "offline_access")
    response = _exchange(client, cloud, code, redirect_uri="http://localhost:8055/oidc/login")
    assert response.json() == {"error": "invalid_grant"}


def test_refresh_rotates_on_every_use(client: httpx.Client, cloud: MockCloud) -> None:
    first = refresh(client, cloud, cloud.defaults.refresh_token or "").json()
    second = refresh(client, cloud, first["refresh_token"]).json()
    third = refresh(client, cloud, second["refresh_token"])
    assert third.status_code == 200
    tokens = {
        cloud.defaults.refresh_token,
        first["refresh_token"],
        second["refresh_token"],
        third.json()["refresh_token"],
    }
    assert len(tokens) == 4
    assert first["expires_in"] == 3600


def test_reuse_of_a_consumed_token_revokes_the_whole_family(
    client: httpx.Client, cloud: MockCloud
) -> None:
    original = cloud.defaults.refresh_token or ""
    newest = refresh(client, cloud, original).json()["refresh_token"]
    replay = refresh(client, cloud, original)
    assert replay.status_code == 400
    assert replay.json() == {"error": "invalid_grant"}
    # RFC 9700 §4.14.2: the newest token of the family dies with it
    assert refresh(client, cloud, newest).json() == {"error": "invalid_grant"}


def test_grace_window_lets_the_immediately_previous_token_retry(
    make_cloud: object,
) -> None:
    cloud = make_cloud("identity", grace_window=10)  # type: ignore[operator]
    with httpx.Client(transport=cloud.transport()) as client:
        original = cloud.defaults.refresh_token
        first = refresh(client, cloud, original).json()["refresh_token"]
        cloud.clock.advance(5)
        retry = refresh(client, cloud, original)
        assert retry.status_code == 200
        retried = retry.json()["refresh_token"]
        assert retried != first
        # "new" mode: the successor issued before the retry is invalidated, the family lives
        assert refresh(client, cloud, first).json() == {"error": "invalid_grant"}
        assert refresh(client, cloud, retried).status_code == 200


def test_grace_window_same_mode_returns_the_same_successor(make_cloud: object) -> None:
    cloud = make_cloud("identity", grace_window=10, grace_returns="same")  # type: ignore[operator]
    with httpx.Client(transport=cloud.transport()) as client:
        first = refresh(client, cloud, cloud.defaults.refresh_token).json()["refresh_token"]
        again = refresh(client, cloud, cloud.defaults.refresh_token).json()["refresh_token"]
        assert again == first


def test_grace_window_closes(make_cloud: object) -> None:
    cloud = make_cloud("identity", grace_window=10)  # type: ignore[operator]
    with httpx.Client(transport=cloud.transport()) as client:
        refresh(client, cloud, cloud.defaults.refresh_token)
        cloud.clock.advance(10)
        late = refresh(client, cloud, cloud.defaults.refresh_token)
        assert late.json() == {"error": "invalid_grant"}


def test_grace_window_retries_do_not_slide_the_window(make_cloud: object) -> None:
    """The window counts from the token's first use: retrying inside it does not extend it.

    Found by test_token_lifecycle_machine.py: each "new"-mode retry used to restart the
    window, so a token retried every few seconds never died.
    """
    cloud = make_cloud("identity", grace_window=5)  # type: ignore[operator]
    with httpx.Client(transport=cloud.transport()) as client:
        original = cloud.defaults.refresh_token
        refresh(client, cloud, original)
        cloud.clock.advance(3)
        assert refresh(client, cloud, original).status_code == 200  # inside the window
        cloud.clock.advance(3)  # 6 s after the first use, 3 s after the retry
        assert refresh(client, cloud, original).json() == {"error": "invalid_grant"}


def test_refresh_token_has_a_60_day_absolute_life(client: httpx.Client, cloud: MockCloud) -> None:
    token = cloud.defaults.refresh_token or ""
    cloud.clock.advance(days=59, hours=23)
    token = refresh(client, cloud, token).json()["refresh_token"]
    cloud.clock.advance(hours=1)  # the family's 60 days are up, rotation does not extend them
    assert refresh(client, cloud, token).json() == {"error": "invalid_grant"}


def test_refresh_is_bound_to_its_client(client: httpx.Client, cloud: MockCloud) -> None:
    d = cloud.defaults
    response = post_token(
        client,
        cloud,
        grant_type="refresh_token",
        client_id=d.client_id,
        client_secret=d.client_secret,
        refresh_token=d.refresh_token or "",
    )
    assert response.json() == {"error": "invalid_grant"}


def test_scope_may_narrow_but_never_widen(client: httpx.Client, cloud: MockCloud) -> None:
    widened = refresh(
        client,
        cloud,
        cloud.defaults.refresh_token or "",
        scope="openid offline_access OrchestratorApiUserAccess OR.Jobs",
    )
    assert widened.json() == {"error": "invalid_scope"}
    narrowed = refresh(
        client, cloud, cloud.defaults.refresh_token or "", scope="OrchestratorApiUserAccess"
    )
    assert narrowed.status_code == 200
    assert narrowed.json()["scope"] == "OrchestratorApiUserAccess"
    assert "id_token" not in narrowed.json()


def test_a_consumed_token_is_reuse_whatever_scope_it_asks_for(
    client: httpx.Client, cloud: MockCloud
) -> None:
    """A replayed token asking for a wider scope is still the breach signal (RFC 9700 §4.14.2).

    Found by test_token_lifecycle_machine.py: the scope check ran first and answered
    invalid_scope, so the replay revoked nothing and told the caller the token was real.
    """
    original = cloud.defaults.refresh_token or ""
    newest = refresh(client, cloud, original).json()["refresh_token"]
    widened = refresh(
        client, cloud, original, scope="offline_access OrchestratorApiUserAccess OR.Jobs"
    )
    assert widened.json() == {"error": "invalid_grant"}
    assert refresh(client, cloud, newest).json() == {"error": "invalid_grant"}


def test_rotation_can_be_switched_off(make_cloud: object) -> None:
    cloud = make_cloud("identity", refresh_rotation=False)  # type: ignore[operator]
    with httpx.Client(transport=cloud.transport()) as client:
        token = cloud.defaults.refresh_token
        for _ in range(3):
            body = refresh(client, cloud, token).json()
            assert body["refresh_token"] == token


def test_revoked_refresh_token_is_invalid_grant(client: httpx.Client, cloud: MockCloud) -> None:
    assert cloud.identity.revoke_refresh_token(cloud.defaults.refresh_token or "")
    assert refresh(client, cloud, cloud.defaults.refresh_token or "").json() == {
        "error": "invalid_grant"
    }


def test_family_revocation_can_take_access_tokens_along(make_cloud: object) -> None:
    cloud = make_cloud("identity", revoke_access_tokens_with_family=True)  # type: ignore[operator]
    with httpx.Client(transport=cloud.transport()) as client:
        body = refresh(client, cloud, cloud.defaults.refresh_token).json()
        refresh(client, cloud, cloud.defaults.refresh_token)  # reuse -> family revoked
        record = cloud.identity.tokens.get(body["access_token"])
        assert record is not None
        assert record.revoked


def test_userinfo_answers_with_a_live_access_token(client: httpx.Client, cloud: MockCloud) -> None:
    body = refresh(client, cloud, cloud.defaults.refresh_token or "").json()
    info = client.get(
        "https://cloud.uipath.com/identity_/connect/userinfo",
        headers={"Authorization": f"Bearer {body['access_token']}"},
    )
    assert info.status_code == 200
    assert info.json()["email"] == cloud.defaults.user_email
    assert client.get("https://cloud.uipath.com/identity_/connect/userinfo").status_code == 401


def test_portal_lists_tenants_of_the_tokens_organization(
    client: httpx.Client, cloud: MockCloud
) -> None:
    token = client_credentials(client, cloud)["access_token"]
    d = cloud.defaults
    url = f"https://cloud.uipath.com/{d.organization_id}/portal_/api/filtering/leftnav/tenantsAndOrganizationInfo"
    response = client.get(url, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json() == {
        "tenants": [{"name": d.tenant, "id": d.tenant_id}],
        "organization": {"id": d.organization_id, "name": d.organization},
    }
    other = url.replace(d.organization_id, "00000000-0000-4000-8000-000000000000")
    assert client.get(other, headers={"Authorization": f"Bearer {token}"}).status_code == 403
    assert client.get(url).status_code == 401

"""The resource side's token check: valid while ``now < exp``, on the world's clock."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from mock_orchestrator import AbpError, MockCloud
from mock_orchestrator.identity.models import Tenant
from mock_orchestrator.identity.tokens import TokenRecord

from ._helpers import (
    VERIFIER,
    authorize,
    challenge,
    client_credentials,
    code_from,
    refresh,
    token_url,
)


def _check(cloud: MockCloud, token: str | None, tenant: Tenant | None = None) -> TokenRecord:
    # identity answers "who is this bearer, in which tenant" from the token string alone
    return cloud.identity.authenticate(token or None, tenant or cloud.default_tenant)


def _refused(cloud: MockCloud, token: str | None, tenant: Tenant | None = None) -> AbpError:
    with pytest.raises(AbpError) as caught:
        _check(cloud, token, tenant)
    return caught.value


@pytest.mark.parametrize(
    ("profile", "lifetime"), [("identity", 3600), ("legacy", 86400), ("onprem", 1800)]
)
def test_expiry_flips_exactly_at_exp(
    make_cloud: Callable[..., MockCloud], profile: str, lifetime: int
) -> None:
    cloud = make_cloud(profile)
    d = cloud.defaults
    with httpx.Client(transport=cloud.transport()) as client:
        if profile == "legacy":
            token = client.post(
                d.legacy_token_url,
                json={
                    "grant_type": "refresh_token",
                    "client_id": d.legacy_client_id,
                    "refresh_token": d.user_key,
                },
            ).json()["access_token"]
        elif profile == "onprem":
            token = client.post(
                d.url + "/api/Account/Authenticate",
                json={"usernameOrEmailAddress": d.username, "password": d.password},
            ).json()["result"]
        else:
            token = client_credentials(client, cloud)["access_token"]
    cloud.clock.advance(lifetime - 1)
    assert _check(cloud, token).expires_at == cloud.clock.time() + 1  # exp - 1 s: valid
    cloud.clock.advance(1)
    error = _refused(cloud, token)  # exp: expired
    assert error.status_code == 401
    assert error.auth_reason == "expired"  # type: ignore[attr-defined]
    assert 'error="invalid_token"' in error.headers["www-authenticate"]
    assert "expired at" in error.headers["www-authenticate"]


def test_missing_token_gets_a_bare_bearer_challenge(cloud: MockCloud) -> None:
    error = _refused(cloud, None)
    assert error.headers["www-authenticate"] == "Bearer"
    body = error.payload(cloud.ids)
    assert body["message"] == "You are not authenticated!"
    assert body["error"]["details"] == (
        "You should be authenticated (sign in) in order to perform this operation."
    )
    assert body["unAuthorizedRequest"] is False
    assert body["__abp"] is True


def test_unknown_and_revoked_tokens(cloud: MockCloud) -> None:
    assert _refused(cloud, "eyJhbGciOi.forged.token").auth_reason == "unknown"  # type: ignore[attr-defined]
    with httpx.Client(transport=cloud.transport()) as client:
        token = client_credentials(client, cloud)["access_token"]
    assert cloud.identity.revoke_access_tokens() == 1
    assert _refused(cloud, token).auth_reason == "revoked"  # type: ignore[attr-defined]


def test_id_token_is_not_an_access_token(cloud: MockCloud) -> None:
    d = cloud.defaults
    with httpx.Client(transport=cloud.transport()) as client:
        code = code_from(
            authorize(
                client,
                "https://cloud.uipath.com/identity_/connect/authorize",
                client_id=d.public_client_id,
                redirect_uri=d.redirect_uri,
                scope="openid OrchestratorApiUserAccess",
                code_challenge=challenge(),
            )
        )
        body = client.post(
            token_url(cloud),
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": d.redirect_uri,
                "client_id": d.public_client_id,
                "code_verifier": VERIFIER,
            },
        ).json()
    assert _refused(cloud, body["id_token"]).auth_reason == "id_token"  # type: ignore[attr-defined]
    assert _check(cloud, body["access_token"]).kind == "access"


def test_token_of_another_organization_is_refused(cloud: MockCloud) -> None:
    other_org = cloud.identity.add_organization("otherco", "Other Co")
    other_tenant = cloud.identity.add_tenant(other_org, "OtherTenant", "Other")
    with httpx.Client(transport=cloud.transport()) as client:
        token = client_credentials(client, cloud)["access_token"]
    assert _refused(cloud, token, other_tenant).auth_reason == "wrong_tenant"  # type: ignore[attr-defined]


def test_token_of_another_world_is_unknown(make_cloud: Callable[..., MockCloud]) -> None:
    first, second = make_cloud("identity"), make_cloud("identity", seed=1)
    with httpx.Client(transport=first.transport()) as client:
        token = client_credentials(client, first)["access_token"]
    assert _refused(second, token).auth_reason == "unknown"  # type: ignore[attr-defined]


def test_scope_check_applies_to_application_tokens_only(cloud: MockCloud) -> None:
    with httpx.Client(transport=cloud.transport()) as client:
        app = _check(cloud, client_credentials(client, cloud, "OR.Folders.Read")["access_token"])
        user = _check(
            cloud, refresh(client, cloud, cloud.defaults.refresh_token or "").json()["access_token"]
        )
    with pytest.raises(AbpError) as caught:
        cloud.identity.require_scope(app, frozenset({"OR.Jobs", "OR.Jobs.Read"}))
    assert caught.value.status_code == 403
    body = caught.value.payload(cloud.ids)
    assert body["message"] == "You are not authorized!"
    assert body["unAuthorizedRequest"] is True
    cloud.identity.require_scope(app, frozenset({"OR.Folders.Read"}))
    cloud.identity.require_scope(user, frozenset({"OR.Jobs"}))  # user-delegated: not scoped


def test_personal_access_tokens_are_opaque_and_expire(cloud: MockCloud) -> None:
    user = cloud.identity.users["ada"]
    pat = cloud.identity.issue_personal_access_token(user, lifetime=60)
    assert _check(cloud, pat).kind == "pat"
    cloud.clock.advance(60)
    assert _refused(cloud, pat).auth_reason == "expired"  # type: ignore[attr-defined]


def test_token_record_repr_hides_the_token(cloud: MockCloud) -> None:
    with httpx.Client(transport=cloud.transport()) as client:
        token = client_credentials(client, cloud)["access_token"]
    record = _check(cloud, token)
    assert token not in repr(record)

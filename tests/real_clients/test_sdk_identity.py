"""uipath-platform's ``IdentityService``, unchanged, against the mock's identity_ (in-process).

The SDK talks to ``https://cloud.uipath.com/identity_/connect/token`` (the client-credentials
path even hard-codes that host); ``cloud.intercept()`` serves it from the world with respx.
This is the identity issue's acceptance test: UiPath's own client gets tokens from the mock.
"""

from __future__ import annotations

from urllib.parse import parse_qs

import httpx
import jwt
import pytest
from uipath.platform.external_applications import ExternalApplicationService
from uipath.platform.identity import IdentityService

from mock_orchestrator import MockCloud

CLOUD = "https://cloud.uipath.com"


def _form(exchange: object) -> dict[str, list[str]]:
    return parse_qs(exchange.request.content.decode())  # type: ignore[attr-defined]


def test_client_credentials_token(cloud: MockCloud) -> None:
    d = cloud.defaults
    with cloud.intercept():
        token = IdentityService(CLOUD).get_client_credentials_token(
            d.client_id, d.client_secret, scope="OR.Jobs OR.Folders.Read"
        )
    assert token.token_type == "Bearer"
    assert token.expires_in == 3600
    assert token.refresh_token is None  # client credentials never get one
    assert sorted(token.scope.split()) == ["OR.Folders.Read", "OR.Jobs"]  # type: ignore[union-attr]
    claims = jwt.decode(token.access_token, options={"verify_signature": False})
    assert claims["prt_id"] == d.organization_id  # what `uipath auth` reads from the JWT
    (exchange,) = cloud.journal
    assert exchange.route == "identity.token"
    assert exchange.status_code == 200
    assert exchange.request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert _form(exchange)["grant_type"] == ["client_credentials"]


def test_default_scope_is_or_execution(cloud: MockCloud) -> None:
    d = cloud.defaults
    with cloud.intercept():
        token = IdentityService(CLOUD).get_client_credentials_token(d.client_id, d.client_secret)
    assert token.scope == "OR.Execution"
    assert _form(cloud.journal[0])["scope"] == ["OR.Execution"]


def test_refresh_token_rotates_and_reuse_is_refused(cloud: MockCloud) -> None:
    d = cloud.defaults
    assert d.refresh_token is not None
    service = IdentityService(CLOUD)
    with cloud.intercept():
        first = service.refresh_access_token(d.refresh_token, d.public_client_id)
        assert first.refresh_token
        assert first.refresh_token != d.refresh_token
        assert first.expires_in == 3600
        second = service.refresh_access_token(first.refresh_token, d.public_client_id)
        assert second.refresh_token not in (None, first.refresh_token)
        # A consumed refresh token is refused: the SDK raises HTTPStatusError (no retry).
        with pytest.raises(httpx.HTTPStatusError) as refused:
            service.refresh_access_token(first.refresh_token, d.public_client_id)
    assert refused.value.response.status_code == 400
    assert refused.value.response.json()["error"] == "invalid_grant"
    grants = [_form(e)["grant_type"][0] for e in cloud.journal.token_requests()]
    assert grants == ["refresh_token"] * 3
    assert [e.status_code for e in cloud.journal] == [200, 200, 400]


async def test_async_refresh_and_client_credentials(cloud: MockCloud) -> None:
    d = cloud.defaults
    assert d.refresh_token is not None
    service = IdentityService(CLOUD)
    with cloud.intercept():
        refreshed = await service.refresh_access_token_async(d.refresh_token, d.public_client_id)
        app = await service.get_client_credentials_token_async(d.client_id, d.client_secret)
    assert refreshed.refresh_token not in (None, d.refresh_token)
    assert app.access_token != refreshed.access_token
    assert [e.status_code for e in cloud.journal] == [200, 200]


def test_expired_access_token_is_replaced_by_a_refresh(cloud: MockCloud) -> None:
    d = cloud.defaults
    assert d.refresh_token is not None
    service = IdentityService(CLOUD)
    with cloud.intercept():
        first = service.refresh_access_token(d.refresh_token, d.public_client_id)
        cloud.clock.advance(hours=1, seconds=1)
        assert first.refresh_token is not None
        second = service.refresh_access_token(first.refresh_token, d.public_client_id)
    exp_first = jwt.decode(first.access_token, options={"verify_signature": False})["exp"]
    exp_second = jwt.decode(second.access_token, options={"verify_signature": False})["exp"]
    assert exp_second - exp_first == 3601


def test_bad_client_secret_is_a_400_invalid_client(cloud: MockCloud) -> None:
    with cloud.intercept(), pytest.raises(httpx.HTTPStatusError) as refused:
        IdentityService(CLOUD).get_client_credentials_token(cloud.defaults.client_id, "wrong")
    assert refused.value.response.status_code == 400
    assert refused.value.response.json()["error"] == "invalid_client"


def test_external_application_service_reaches_the_hard_coded_cloud(cloud: MockCloud) -> None:
    """What ``UiPath(client_id=..., client_secret=...)`` does: the token URL is fixed."""
    d = cloud.defaults
    with cloud.intercept():
        service = ExternalApplicationService(d.url)
        token = service.get_token_data(d.client_id, d.client_secret, "OR.Jobs")
    assert token.access_token
    (exchange,) = cloud.journal
    assert str(exchange.request.url) == "https://cloud.uipath.com/identity_/connect/token"

"""Client authentication at the identity token endpoint: the form or HTTP Basic.

Discovery advertises ``client_secret_basic`` and ``client_secret_post``; IdentityServer reads the
``Authorization: Basic`` header first (RFC 6749 §2.3.1: id and secret form-urlencoded, then
base64). Clients such as authlib's default to Basic, so the mock must take it.
"""

from __future__ import annotations

import base64
from urllib.parse import quote_plus

import httpx
import pytest

from mock_orchestrator import MockCloud

from ._helpers import token_url


def basic(client_id: str, secret: str) -> dict[str, str]:
    raw = f"{quote_plus(client_id)}:{quote_plus(secret)}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


@pytest.mark.parametrize("profile", ["identity", "onprem"])
def test_client_credentials_by_basic(profile: str) -> None:
    cloud = MockCloud(profile)  # type: ignore[arg-type]
    d = cloud.defaults
    with httpx.Client(transport=cloud.transport()) as client:
        response = client.post(
            token_url(cloud),
            data={"grant_type": "client_credentials", "scope": "OR.Jobs"},
            headers=basic(d.client_id, d.client_secret),
        )
    assert response.status_code == 200, response.text
    assert response.json()["token_type"] == "Bearer"


def test_a_wrong_secret_by_basic_is_invalid_client_even_with_a_good_form() -> None:
    """The header wins over the form, as in IdentityServer: no second chance from the form."""
    cloud = MockCloud("identity")
    d = cloud.defaults
    with httpx.Client(transport=cloud.transport()) as client:
        response = client.post(
            token_url(cloud),
            data={
                "grant_type": "client_credentials",
                "client_id": d.client_id,
                "client_secret": d.client_secret,
            },
            headers=basic(d.client_id, d.client_secret + "x"),
        )
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_client"}


def test_a_public_client_refreshes_by_basic_with_an_empty_secret() -> None:
    cloud = MockCloud("identity")
    d = cloud.defaults
    assert d.refresh_token is not None
    with httpx.Client(transport=cloud.transport()) as client:
        response = client.post(
            token_url(cloud),
            data={"grant_type": "refresh_token", "refresh_token": d.refresh_token},
            headers=basic(d.public_client_id, ""),
        )
    assert response.status_code == 200, response.text
    assert response.json()["refresh_token"] != d.refresh_token


def test_an_undecodable_basic_header_falls_back_to_the_form() -> None:
    cloud = MockCloud("identity")
    d = cloud.defaults
    with httpx.Client(transport=cloud.transport()) as client:
        response = client.post(
            token_url(cloud),
            data={
                "grant_type": "client_credentials",
                "client_id": d.client_id,
                "client_secret": d.client_secret,
            },
            headers={"Authorization": "Basic %%%not-base64"},
        )
    assert response.status_code == 200, response.text


def test_the_basic_header_never_reaches_the_journal() -> None:
    cloud = MockCloud("identity")
    d = cloud.defaults
    with httpx.Client(transport=cloud.transport()) as client:
        client.post(
            token_url(cloud),
            data={"grant_type": "client_credentials"},
            headers=basic(d.client_id, d.client_secret),
        )
    [entry] = cloud.journal.token_requests()
    rendered = str(entry.to_dict())
    encoded = basic(d.client_id, d.client_secret)["Authorization"].split()[1]
    assert encoded not in rendered
    assert d.client_secret not in rendered

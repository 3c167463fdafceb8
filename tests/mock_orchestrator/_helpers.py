"""Small helpers for driving the identity servers in tests."""

from __future__ import annotations

import base64
import hashlib
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from mock_orchestrator import MockCloud

VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"


def challenge(verifier: str = VERIFIER) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_url(cloud: MockCloud) -> str:
    assert cloud.defaults.identity_url is not None
    return cloud.defaults.identity_url + "/connect/token"


def post_token(client: httpx.Client, cloud: MockCloud, **form: str) -> httpx.Response:
    return client.post(token_url(cloud), data=form)


def client_credentials(client: httpx.Client, cloud: MockCloud, scope: str = "OR.Jobs") -> Any:
    d = cloud.defaults
    response = post_token(
        client,
        cloud,
        grant_type="client_credentials",
        client_id=d.client_id,
        client_secret=d.client_secret,
        scope=scope,
    )
    assert response.status_code == 200, response.text
    return response.json()


def refresh(client: httpx.Client, cloud: MockCloud, token: str, **extra: str) -> httpx.Response:
    return post_token(
        client,
        cloud,
        grant_type="refresh_token",
        client_id=cloud.defaults.public_client_id,
        refresh_token=token,
        **extra,
    )


def authorize(
    client: httpx.Client,
    base: str,
    *,
    client_id: str,
    redirect_uri: str,
    scope: str,
    state: str = "st-1",
    code_challenge: str | None = None,
    **extra: str,
) -> httpx.Response:
    params = {
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "response_type": "code",
        "scope": scope,
        "state": state,
        **extra,
    }
    if code_challenge is not None:
        params.update(code_challenge=code_challenge, code_challenge_method="S256")
    return client.get(base, params=params)


def code_from(response: httpx.Response) -> str:
    assert response.status_code == 302, response.text
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert "code" in query, response.headers["location"]
    return query["code"][0]

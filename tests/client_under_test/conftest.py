"""Helpers for the reference client's tests: an auth flow or a client wired to a MockCloud."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from client_under_test import (
    ClientCredentialsAuth,
    OrchestratorClient,
    PasswordAuth,
    RefreshTokenAuth,
    RetryPolicy,
    TokenAuth,
    UserKeyAuth,
)
from mock_orchestrator import MockCloud

#: The credential each profile's default world offers.
DEFAULT_CREDENTIAL = {"identity": "refresh_token", "legacy": "user_key", "onprem": "password"}


#: Every token endpoint's route label. (``journal.token_requests()`` leaves out the on-prem
#: identity server's ``identity.onprem_token``; reported to the mock's owner.)
TOKEN_ROUTES = frozenset(
    {"identity.token", "identity.onprem_token", "legacy.token", "onprem.authenticate"}
)


def token_requests(cloud: MockCloud) -> list[Any]:
    return [e for e in cloud.journal if e.route in TOKEN_ROUTES]


def make_auth(cloud: MockCloud, kind: str | None = None, **options: Any) -> TokenAuth:
    """An auth flow for the world's default credential of ``kind``, on the world's clock."""
    d = cloud.defaults
    kind = kind or DEFAULT_CREDENTIAL[cloud.profile]
    options.setdefault("clock", cloud.clock)
    options.setdefault("sleep", cloud.clock.sleep)
    options.setdefault("transport", cloud.transport())
    if kind == "refresh_token":
        assert d.identity_url
        assert d.refresh_token
        return RefreshTokenAuth(
            d.identity_url + "/connect/token", d.public_client_id, d.refresh_token, **options
        )
    if kind == "client_credentials":
        assert d.identity_url
        return ClientCredentialsAuth(
            d.identity_url + "/connect/token", d.client_id, d.client_secret, **options
        )
    if kind == "user_key":
        assert d.legacy_token_url
        assert d.user_key
        return UserKeyAuth(d.legacy_token_url, d.user_key, **options)
    assert d.username
    assert d.password
    return PasswordAuth(d.url, d.username, d.password, d.tenant, **options)


def make_client(cloud: MockCloud, kind: str | None = None, **options: Any) -> OrchestratorClient:
    """An OrchestratorClient on the world's default credential, URL and folder."""
    d = cloud.defaults
    kind = kind or DEFAULT_CREDENTIAL[cloud.profile]
    settings: dict[str, Any] = {"folder": d.folder, "credential": kind}
    if kind == "refresh_token":
        settings.update(client_id=d.public_client_id, refresh_token=d.refresh_token)
    elif kind == "client_credentials":
        settings.update(client_id=d.client_id, client_secret=d.client_secret)
    elif kind == "user_key":
        settings.update(user_key=d.user_key)
    else:
        settings.update(username=d.username, password=d.password, tenant=d.tenant)
    if d.identity_url:
        settings["identity_url"] = d.identity_url
    options.setdefault("clock", cloud.clock)
    options.setdefault("sleep", cloud.clock.sleep)
    options.setdefault("transport", cloud.transport())
    import random

    options.setdefault("retry", RetryPolicy(rng=random.Random(0)))
    return OrchestratorClient(d.url, **settings, **options)


@pytest.fixture
def auth_for() -> Callable[..., TokenAuth]:
    return make_auth


@pytest.fixture
def client_for() -> Callable[..., OrchestratorClient]:
    return make_client

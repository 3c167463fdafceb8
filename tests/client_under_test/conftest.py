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
    TokenAuth,
    UserKeyAuth,
)
from client_under_test.testing import DEFAULT_CREDENTIAL
from client_under_test.testing import client_for as wired_client
from mock_orchestrator import MockCloud


def token_requests(cloud: MockCloud) -> list[Any]:
    """Every request to a token endpoint of any profile."""
    return cloud.journal.token_requests()


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
    return wired_client(cloud, kind, **options)


@pytest.fixture
def auth_for() -> Callable[..., TokenAuth]:
    return make_auth


@pytest.fixture
def client_for() -> Callable[..., OrchestratorClient]:
    return make_client

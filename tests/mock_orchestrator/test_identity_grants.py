"""Grants are composed objects: the token endpoint dispatches by ``grant_type``, nothing else."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from mock_orchestrator import MockCloud
from mock_orchestrator.identity.exceptions import UnsupportedGrantType
from mock_orchestrator.identity.grants import GRANTS, Grant
from mock_orchestrator.identity.token_endpoints import TokenEndpoint
from mock_orchestrator.identity.tokens import IssuerName


class Echo(Grant):
    """A grant of this test only: what adding one takes (a class and a registration)."""

    grant_type = "urn:test:echo"

    def issue(self, issuer: IssuerName, form: dict[str, str]) -> dict[str, Any]:
        app = self.ledger.authenticate_client(form.get("client_id"), form.get("client_secret"))
        access = self.ledger.mint_access(
            issuer, client_id=app.client_id, scopes=frozenset(), user=None, app_scoped=True
        )
        return self.ledger.token_response(access, scopes=frozenset())


def test_a_registered_grant_is_dispatched_and_advertised() -> None:
    cloud = MockCloud()
    endpoint = TokenEndpoint(cloud.identity, grants=(*GRANTS, Echo))
    d = cloud.defaults
    form = {
        "grant_type": "urn:test:echo",
        "client_id": d.client_id,
        "client_secret": d.client_secret,
    }
    body = endpoint.issue("identity", form)
    assert cloud.identity.tokens.get(body["access_token"]) is not None
    assert "urn:test:echo" in endpoint.advertised
    with pytest.raises(UnsupportedGrantType):
        TokenEndpoint(cloud.identity).issue("identity", form)


def test_discovery_lists_the_advertised_grants() -> None:
    cloud = MockCloud()
    with httpx.Client(transport=cloud.transport()) as client:
        config = client.get(f"{cloud.defaults.identity_url}/.well-known/openid-configuration")
    assert config.json()["grant_types_supported"] == [
        "authorization_code",
        "client_credentials",
        "refresh_token",
    ]
    assert "password" in cloud.identity.token_endpoint.grants  # refused, so not advertised

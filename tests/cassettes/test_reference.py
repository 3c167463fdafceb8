"""Reference cassettes (built from payloads recorded from the real service) against the mock.

Each test runs one scenario twice with the same assertions: on the ``replay`` target the
answers come from the reference cassette, which proves the assertions accept what UiPath
really sent; on the ``mock`` target they come from a fresh ``MockCloud``, which proves the
mock still sends that. A mock drifting from recorded reality fails here.
"""

from __future__ import annotations

import pytest

from ._targets import TARGETS, run_scenario

pytestmark = pytest.mark.block_network


@pytest.mark.parametrize("target", TARGETS)
def test_legacy_refresh(target: str, request: pytest.FixtureRequest) -> None:
    """User Key refresh on account.uipath.com (uipath-wire §2.3)."""
    run_scenario("legacy_refresh", target, request)


@pytest.mark.parametrize("target", TARGETS)
def test_legacy_code_exchange(target: str, request: pytest.FixtureRequest) -> None:
    """PKCE authorize, then the code exchange, on account.uipath.com (§2.1-2.2)."""
    run_scenario("legacy_code_exchange", target, request)


@pytest.mark.parametrize("target", TARGETS)
def test_legacy_tenant_lookup(target: str, request: pytest.FixtureRequest) -> None:
    """id_token -> getAccountsForUser -> getAllServiceInstances (§2.6-2.7)."""
    run_scenario("legacy_tenant_lookup", target, request)


@pytest.mark.parametrize("target", TARGETS)
def test_cloud_login_trap(target: str, request: pytest.FixtureRequest) -> None:
    """a password login on the cloud host: 400 errorCode 1000 (§3, §11.3)."""
    run_scenario("cloud_login_trap", target, request)


@pytest.mark.parametrize("target", TARGETS)
def test_onprem_password_login(target: str, request: pytest.FixtureRequest) -> None:
    """on-prem /api/Account/Authenticate success (§3)."""
    run_scenario("onprem_password_login", target, request)


@pytest.mark.parametrize("target", TARGETS)
def test_onprem_bad_password(target: str, request: pytest.FixtureRequest) -> None:
    """on-prem login with a wrong password (§3)."""
    run_scenario("onprem_bad_password", target, request)


@pytest.mark.parametrize("target", TARGETS)
def test_identity_client_credentials(target: str, request: pytest.FixtureRequest) -> None:
    """client credentials on identity_ (§4.2)."""
    run_scenario("identity_client_credentials", target, request)


@pytest.mark.parametrize("target", TARGETS)
def test_identity_offline_access_refused(target: str, request: pytest.FixtureRequest) -> None:
    """offline_access with client credentials: invalid_scope (§4.2, §11.5)."""
    run_scenario("identity_offline_access_refused", target, request)


@pytest.mark.parametrize("target", TARGETS)
def test_onprem_identity_wrong_path(target: str, request: pytest.FixtureRequest) -> None:
    """/identity_ on an on-prem host: 405 UnsupportedApiVersion (§4.5)."""
    run_scenario("onprem_identity_wrong_path", target, request)

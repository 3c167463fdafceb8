"""Recordings of the mock, replayed, and the live mock checked against them.

Each test runs one scenario on two targets with the same assertions: ``replay`` answers
from the recording in ``cassettes/test_recorded/`` (made by ``python -m cassettes.record``
with vcrpy, in process or over loopback), ``mock`` from a fresh ``MockCloud``. The mock run
also compares every exchange with the recording, so a change in what the mock puts on the
wire (a status, a renamed or re-cased field, a type) fails until the recording is redone.
"""

from __future__ import annotations

import pytest

from cassettes import cassette_path

from ._targets import TARGETS, assert_matches_recording, run_scenario

pytestmark = pytest.mark.block_network


def _run(name: str, target: str, request: pytest.FixtureRequest) -> None:
    run = run_scenario(name, target, request)
    if target == "mock":
        assert_matches_recording(run, cassette_path("test_recorded", f"test_{name}"))


@pytest.mark.parametrize("target", TARGETS)
def test_legacy_refresh(target: str, request: pytest.FixtureRequest) -> None:
    """User Key refresh on account.uipath.com (uipath-wire §2.3)."""
    _run("legacy_refresh", target, request)


@pytest.mark.parametrize("target", TARGETS)
def test_legacy_code_exchange(target: str, request: pytest.FixtureRequest) -> None:
    """PKCE authorize, then the code exchange, on account.uipath.com (§2.1-2.2)."""
    _run("legacy_code_exchange", target, request)


@pytest.mark.parametrize("target", TARGETS)
def test_legacy_tenant_lookup(target: str, request: pytest.FixtureRequest) -> None:
    """id_token -> getAccountsForUser -> getAllServiceInstances (§2.6-2.7)."""
    _run("legacy_tenant_lookup", target, request)


@pytest.mark.parametrize("target", TARGETS)
def test_cloud_login_trap(target: str, request: pytest.FixtureRequest) -> None:
    """a password login on the cloud host: 400 errorCode 1000 (§3, §11.3)."""
    _run("cloud_login_trap", target, request)


@pytest.mark.parametrize("target", TARGETS)
def test_onprem_password_login(target: str, request: pytest.FixtureRequest) -> None:
    """on-prem /api/Account/Authenticate success (§3)."""
    _run("onprem_password_login", target, request)


@pytest.mark.parametrize("target", TARGETS)
def test_onprem_bad_password(target: str, request: pytest.FixtureRequest) -> None:
    """on-prem login with a wrong password (§3)."""
    _run("onprem_bad_password", target, request)


@pytest.mark.parametrize("target", TARGETS)
def test_identity_client_credentials(target: str, request: pytest.FixtureRequest) -> None:
    """client credentials on identity_ (§4.2)."""
    _run("identity_client_credentials", target, request)


@pytest.mark.parametrize("target", TARGETS)
def test_identity_offline_access_refused(target: str, request: pytest.FixtureRequest) -> None:
    """offline_access with client credentials: invalid_scope (§4.2, §11.5)."""
    _run("identity_offline_access_refused", target, request)


@pytest.mark.parametrize("target", TARGETS)
def test_onprem_identity_wrong_path(target: str, request: pytest.FixtureRequest) -> None:
    """/identity_ on an on-prem host: 405 UnsupportedApiVersion (§4.5)."""
    _run("onprem_identity_wrong_path", target, request)


@pytest.mark.parametrize("target", TARGETS)
def test_identity_refresh_rotation(target: str, request: pytest.FixtureRequest) -> None:
    """identity_ refresh rotates; reusing the old token is invalid_grant (§4.4)."""
    _run("identity_refresh_rotation", target, request)

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
    """User Key refresh on account.uipath.com (docs/wire.md §2.3)."""
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


@pytest.mark.parametrize("target", TARGETS)
def test_orchestrator_releases(target: str, request: pytest.FixtureRequest) -> None:
    """GET odata/Releases filtered by Name (§6.1)."""
    _run("orchestrator_releases", target, request)


@pytest.mark.parametrize("target", TARGETS)
def test_orchestrator_folders(target: str, request: pytest.FixtureRequest) -> None:
    """GET odata/Folders without a folder header (§6.2)."""
    _run("orchestrator_folders", target, request)


@pytest.mark.parametrize("target", TARGETS)
def test_orchestrator_start_job(target: str, request: pytest.FixtureRequest) -> None:
    """StartJobs in a modern folder: 201, a Pending job, no @odata.count (§6.6)."""
    _run("orchestrator_start_job", target, request)


@pytest.mark.parametrize("target", TARGETS)
def test_orchestrator_start_and_read(target: str, request: pytest.FixtureRequest) -> None:
    """StartJobs, then Jobs({id}) and a filtered list (§6.4-6.6)."""
    _run("orchestrator_start_and_read", target, request)


@pytest.mark.parametrize("target", TARGETS)
def test_orchestrator_jobs_list(target: str, request: pytest.FixtureRequest) -> None:
    """GET odata/Jobs with $top and $filter (§6.4)."""
    _run("orchestrator_jobs_list", target, request)


@pytest.mark.parametrize("target", TARGETS)
def test_orchestrator_add_queue_item(target: str, request: pytest.FixtureRequest) -> None:
    """AddQueueItem: 201 and the QueueItem (§6.8)."""
    _run("orchestrator_add_queue_item", target, request)


@pytest.mark.parametrize("target", TARGETS)
def test_orchestrator_auth_errors(target: str, request: pytest.FixtureRequest) -> None:
    """no token: ABP 401; a token without the scope: ABP 403 (§8.1)."""
    _run("orchestrator_auth_errors", target, request)


@pytest.mark.parametrize("target", TARGETS)
def test_orchestrator_folder_errors(target: str, request: pytest.FixtureRequest) -> None:
    """errorCodes 1101, 1100 and 1002 (§8.1-8.2)."""
    _run("orchestrator_folder_errors", target, request)


@pytest.mark.parametrize("target", TARGETS)
def test_orchestrator_take_limit(target: str, request: pytest.FixtureRequest) -> None:
    """skip/take paging past 100: errorCode 1009 (§7, §11.18)."""
    _run("orchestrator_take_limit", target, request)


@pytest.mark.parametrize("target", TARGETS)
def test_orchestrator_status_version(target: str, request: pytest.FixtureRequest) -> None:
    """the anonymous version probe (§5.1)."""
    _run("orchestrator_status_version", target, request)

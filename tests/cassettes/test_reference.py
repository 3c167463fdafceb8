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
    """User Key refresh on account.uipath.com (docs/wire.md §2.3)."""
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


@pytest.mark.parametrize("target", TARGETS)
def test_orchestrator_releases(target: str, request: pytest.FixtureRequest) -> None:
    """GET odata/Releases filtered by Name (§6.1)."""
    run_scenario("orchestrator_releases", target, request)


@pytest.mark.parametrize("target", TARGETS)
def test_orchestrator_folders(target: str, request: pytest.FixtureRequest) -> None:
    """GET odata/Folders without a folder header (§6.2)."""
    run_scenario("orchestrator_folders", target, request)


@pytest.mark.parametrize("target", TARGETS)
def test_orchestrator_start_job(target: str, request: pytest.FixtureRequest) -> None:
    """StartJobs in a modern folder: 201, a Pending job, no @odata.count (§6.6)."""
    run_scenario("orchestrator_start_job", target, request)


@pytest.mark.parametrize("target", TARGETS)
def test_orchestrator_jobs_list(target: str, request: pytest.FixtureRequest) -> None:
    """GET odata/Jobs with $top and $filter (§6.4)."""
    run_scenario("orchestrator_jobs_list", target, request)


@pytest.mark.parametrize("target", TARGETS)
def test_orchestrator_add_queue_item(target: str, request: pytest.FixtureRequest) -> None:
    """AddQueueItem: 201 and the QueueItem (§6.8)."""
    run_scenario("orchestrator_add_queue_item", target, request)


@pytest.mark.parametrize("target", TARGETS)
def test_orchestrator_auth_errors(target: str, request: pytest.FixtureRequest) -> None:
    """no token: ABP 401; a token without the scope: ABP 403 (§8.1)."""
    run_scenario("orchestrator_auth_errors", target, request)


@pytest.mark.parametrize("target", TARGETS)
def test_orchestrator_folder_errors(target: str, request: pytest.FixtureRequest) -> None:
    """errorCodes 1101, 1100 and 1002 (§8.1-8.2)."""
    run_scenario("orchestrator_folder_errors", target, request)


@pytest.mark.parametrize("target", TARGETS)
def test_orchestrator_take_limit(target: str, request: pytest.FixtureRequest) -> None:
    """skip/take paging past 100: errorCode 1009 (§7, §11.18)."""
    run_scenario("orchestrator_take_limit", target, request)


@pytest.mark.parametrize("target", TARGETS)
def test_orchestrator_status_version(target: str, request: pytest.FixtureRequest) -> None:
    """the anonymous version probe (§5.1)."""
    run_scenario("orchestrator_status_version", target, request)

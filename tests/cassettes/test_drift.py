"""The replay checks can fail: a mock that drifts from the recordings is caught.

Each test makes the live mock answer the way a plausible regression would (through the
world's fault injection, which replaces one answer) and shows the shared check, or the
shape comparison with the recording, rejecting it with a message that names the field.
"""

from __future__ import annotations

import httpx
import pytest

from cassettes import World, cassette_path
from cassettes.scenarios import SCENARIOS
from mock_orchestrator import MockCloud

from ._targets import Run, assert_matches_recording


def _drive(name: str, cloud: MockCloud) -> Run:
    world = World.from_defaults(cloud.defaults)
    with httpx.Client(transport=cloud.transport()) as client:
        responses = SCENARIOS[name].drive(client, world)
    return Run(responses, world, cloud)


def test_a_rotating_legacy_refresh_token_is_drift() -> None:
    # Auth0's User Key never rotates [V]; a mock that sent a new refresh_token would teach
    # clients the wrong thing.
    cloud = MockCloud(profile="legacy")
    cloud.faults.add(
        route="legacy.token",
        status=200,
        body={
            "access_token": "a",
            "refresh_token": "r",
            "id_token": "i",
            "scope": "openid profile email offline_access",
            "expires_in": 86400,
            "token_type": "Bearer",
        },
    )
    run = _drive("legacy_refresh", cloud)
    with pytest.raises(AssertionError, match=r"unexpected \['refresh_token'\]"):
        SCENARIOS["legacy_refresh"].check(run.responses, run.world)


def test_the_sdk_test_mock_lifetime_is_drift() -> None:
    # UiPath's own unit tests mock client credentials with expires_in 7200 [V-mock];
    # the real answer says 3600 (forum 341681).
    cloud = MockCloud()
    cloud.faults.add(
        route="identity.token",
        status=200,
        body={"access_token": "a", "expires_in": 7200, "token_type": "Bearer", "scope": "OR.Jobs"},
    )
    run = _drive("identity_client_credentials", cloud)
    with pytest.raises(AssertionError, match="expires_in 7200, not 3600"):
        SCENARIOS["identity_client_credentials"].check(run.responses, run.world)


def test_a_recased_field_is_drift_against_the_recording() -> None:
    cloud = MockCloud()
    cloud.faults.add(route="identity.token", status=400, body={"Error": "invalid_scope"})
    run = _drive("identity_offline_access_refused", cloud)
    with pytest.raises(AssertionError, match=r"\$\.error: sent as 'Error' \(letter case\)"):
        assert_matches_recording(
            run, cassette_path("test_recorded", "test_identity_offline_access_refused")
        )


def test_a_changed_status_is_drift_against_the_recording() -> None:
    cloud = MockCloud(profile="onprem")
    cloud.faults.add(
        route="onprem.authenticate",
        status=401,
        body={
            "message": "Invalid username/email address or password.",
            "errorCode": 1000,
            "resourceIds": None,
        },
    )
    run = _drive("onprem_bad_password", cloud)
    with pytest.raises(AssertionError, match="HTTP 401, recorded 400"):
        assert_matches_recording(run, cassette_path("test_recorded", "test_onprem_bad_password"))


def test_a_value_type_change_is_drift_against_the_recording() -> None:
    cloud = MockCloud()
    cloud.faults.add(
        route="identity.token",
        status=200,
        body={
            "access_token": "a",
            "expires_in": "3600",
            "token_type": "Bearer",
            "scope": "OR.Jobs",
        },
    )
    run = _drive("identity_client_credentials", cloud)
    with pytest.raises(AssertionError, match=r"\$\.expires_in: number recorded, str live"):
        assert_matches_recording(
            run, cassette_path("test_recorded", "test_identity_client_credentials")
        )

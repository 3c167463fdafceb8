"""The reference client's own flows, replayed from cassettes of real UiPath answers.

pytest-recording serves each test its cassette (record mode ``none``, network blocked): the
client meets what UiPath sent, as published (``fixtures.payloads``), and the request it sends
must match the recorded one, token bodies included, so a client that skipped a refresh, sent a
consumed refresh token, retried a refused login or replayed a 401 twice fails here.

Gaps (each cassette's provenance says the same, interaction by interaction): no published
source has an identity_ refresh_token answer, a GET Jobs({id}) answer, or a modern
GET odata/Releases answer with its Id (the published one is cut), so those answers are the
mock's, marked ``reconstructed``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from cassettes import CassetteFile, read_cassette
from cassettes._client_flows import FLOWS, FlowEnv
from client_under_test import ConfigurationError, OrchestratorClient
from mock_orchestrator import FakeClock

pytestmark = [pytest.mark.block_network, pytest.mark.vcr]


def _replay(name: str, vcr: Any) -> tuple[dict[str, Any], CassetteFile]:
    stored = read_cassette(Path(vcr.path))
    client = stored.provenance["client"]
    env = FlowEnv(str(client["url"]), dict(client["settings"]), FakeClock())
    outcome = FLOWS[name].run(env)
    assert vcr.all_played, f"{vcr.path}: the client skipped recorded exchanges"
    return outcome, stored


def _token_bodies(stored: CassetteFile, path_end: str) -> list[Any]:
    return [
        i["request"]["body"] for i in stored.interactions if i["request"]["uri"].endswith(path_end)
    ]


def test_legacy_user_key_refresh_and_24h_expiry(vcr: Any) -> None:
    outcome, stored = _replay("legacy_user_key_refresh_and_24h_expiry", vcr)
    assert outcome["processes"] == ["Demo Process", "Demo Process"]
    sent = _token_bodies(stored, "/oauth/token")
    # [V] the User Key never rotates: the refresh a day later sends the very same key.
    assert len(sent) == 2
    assert sent[0] == sent[1]
    assert "refresh_token" not in str(stored.interactions[0]["response"]["body"]["string"])


def test_identity_client_credentials_start_and_poll(vcr: Any) -> None:
    outcome, stored = _replay("identity_client_credentials_start_and_poll", vcr)
    assert outcome == {"started": "Pending", "finished": "Successful", "id": 10169582}
    polls = [i for i in stored.interactions if "/odata/Jobs(10169582)" in i["request"]["uri"]]
    assert len(polls) >= 2, "it polls the single job until it ends"
    assert not any("/odata/Jobs?" in i["request"]["uri"] for i in stored.interactions)


def test_identity_rotating_refresh(vcr: Any) -> None:
    outcome, stored = _replay("identity_rotating_refresh", vcr)
    assert len(outcome["processes"]) == 2
    sent = [parse_qs(str(b))["refresh_token"][0] for b in _token_bodies(stored, "/token")]
    issued = str(stored.interactions[0]["response"]["body"]["string"])
    # The second refresh carries the token the first one rotated in, not the consumed one.
    assert sent == ["<refresh_token-1>", "<refresh_token-2>"]
    assert '"refresh_token":"<refresh_token-2>"' in issued


def test_onprem_password_login_and_30_minute_expiry(vcr: Any) -> None:
    outcome, stored = _replay("onprem_password_login_and_30_minute_expiry", vcr)
    assert outcome["processes"] == ["all_activities_DocEnv", "all_activities_DocEnv"]
    assert len(_token_bodies(stored, "/api/Account/Authenticate")) == 2


def test_error_code_1000_trap(vcr: Any) -> None:
    outcome, _ = _replay("error_code_1000_trap", vcr)
    # [V] ropc.cloud_trap: one login, refused with errorCode 1000, no retry, a clear error.
    assert outcome["error"] == "ConfigurationError"
    assert "errorCode 1000" in outcome["message"]
    # On a cloud URL the client never sends the password at all (network blocked here).
    with pytest.raises(ConfigurationError, match="errorCode 1000 trap"):
        OrchestratorClient(
            "https://cloud.uipath.com/acme/tenant", username="ada", password="<password>"
        ).list_processes()


def test_unauthorized_then_one_refresh_and_one_replay(vcr: Any) -> None:
    outcome, stored = _replay("unauthorized_then_one_refresh_and_one_replay", vcr)
    assert outcome["processes"] == ["Add a pet to pet store by queue item"]
    statuses = [i["response"]["status"]["code"] for i in stored.interactions]
    assert statuses == [200, 401, 200, 200]  # token, 401, one new token, one replay

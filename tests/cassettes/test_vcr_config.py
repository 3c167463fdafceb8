"""The kit's vcrpy settings: scrubbing at record time, matching, and pytest-recording's modes."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import vcr as vcrpy
from vcr.errors import CannotOverwriteExistingCassetteException
from vcr.request import Request

from cassettes import World, find_secrets, register_matchers, token_body, vcr_config
from cassettes._scrub import is_placeholder
from cassettes.scenarios import SCENARIOS
from mock_orchestrator import MockCloud

pytestmark = pytest.mark.block_network


def _recorder(mode: str) -> Any:
    recorder = vcrpy.VCR(record_mode=mode)
    register_matchers(recorder)
    return recorder


def _issued_secrets(cloud: MockCloud) -> list[str]:
    """Every token and code the mock handed out, read from its journal."""
    found: list[str] = []
    for exchange in cloud.journal:
        response = exchange.response
        if response is None:
            continue
        location = response.headers.get("location")
        if location:
            found += parse_qs(urlsplit(location).query).get("code", [])
        if "json" in response.headers.get("content-type", ""):
            body = response.json()
            if isinstance(body, dict):
                found += [
                    v
                    for k, v in body.items()
                    if k in ("access_token", "refresh_token", "id_token", "result")
                    and isinstance(v, str)
                ]
    return found


@pytest.mark.parametrize(
    "name",
    [
        "legacy_code_exchange",
        "onprem_password_login",
        "identity_refresh_rotation",
        "legacy_tenant_lookup",
    ],
)
def test_recording_scrubs_every_secret(name: str, tmp_path: Path) -> None:
    scenario = SCENARIOS[name]
    cloud = MockCloud(profile=scenario.profile)  # type: ignore[arg-type]
    world = World.from_defaults(cloud.defaults)
    path = tmp_path / "c.yaml"
    with (
        _recorder("all").use_cassette(str(path), **vcr_config()),
        httpx.Client(transport=cloud.transport()) as client,
    ):
        scenario.drive(client, world)
    text = path.read_text(encoding="utf-8")
    issued = _issued_secrets(cloud)
    assert issued, "the scenario should have been handed secrets to scrub"
    findings = find_secrets(
        text,
        known=[*issued, *world.secrets()],
        allowed=[world.code_challenge, world.legacy_client_id, world.legacy_pkce_client_id],
    )
    assert not findings, findings
    assert re.search(r"<[a-z_]+-\d+>", text), "secrets become numbered placeholders"


def test_recording_keeps_presence_but_not_values(tmp_path: Path) -> None:
    cloud = MockCloud(profile="legacy")
    world = World.from_defaults(cloud.defaults)
    path = tmp_path / "c.yaml"
    with (
        _recorder("all").use_cassette(str(path), **vcr_config()),
        httpx.Client(transport=cloud.transport()) as client,
    ):
        SCENARIOS["legacy_code_exchange"].drive(client, world)
    data = vcrpy.serializers.yamlserializer.deserialize(path.read_text(encoding="utf-8"))
    authorize, token = data["interactions"]
    location = authorize["response"]["headers"]["location"][0]
    (code,) = parse_qs(urlsplit(location).query)["code"]
    assert is_placeholder(code)
    assert parse_qs(urlsplit(location).query)["state"] == [world.state]  # not a secret
    sent = json.loads(token["request"]["body"])
    # The code handed out in the redirect and the code sent back keep one name.
    assert sent["code"] == code
    assert is_placeholder(sent["code_verifier"])
    assert sent["code_verifier"] != code
    assert sent["client_id"] == world.legacy_pkce_client_id
    answer = json.loads(token["response"]["body"]["string"])
    assert answer["expires_in"] == 86400
    tokens = [answer[k] for k in ("access_token", "refresh_token", "id_token")]
    assert all(is_placeholder(t) for t in tokens)
    assert len(set(tokens)) == 3, "three secrets, three names"
    length = token["response"]["headers"]["content-length"][0]
    assert int(length) == len(token["response"]["body"]["string"].encode())


def test_error_codes_in_answers_are_not_mistaken_for_secrets(tmp_path: Path) -> None:
    # "code" is a secret in a redirect or a form, never in an error body.
    cloud = MockCloud(profile="onprem")
    path = tmp_path / "c.yaml"
    with (
        _recorder("all").use_cassette(str(path), **vcr_config()),
        httpx.Client(transport=cloud.transport()) as client,
    ):
        SCENARIOS["onprem_identity_wrong_path"].drive(client, World.from_defaults(cloud.defaults))
    assert '"code":"UnsupportedApiVersion"' in path.read_text(encoding="utf-8")


def _token_request(body: dict[str, str], path: str = "/identity_/connect/token") -> Request:
    return Request(
        "POST",
        f"https://cloud.uipath.com{path}",
        httpx.QueryParams(body).__str__().encode(),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )


def test_token_calls_match_on_their_body() -> None:
    cc = _token_request({"grant_type": "client_credentials", "client_id": "a"})
    refresh = _token_request({"client_id": "a", "grant_type": "refresh_token"})
    token_body(cc, _token_request({"client_id": "a", "grant_type": "client_credentials"}))
    with pytest.raises(AssertionError):
        token_body(cc, refresh)
    other = "/acmecorp/T/orchestrator_/odata/Jobs"
    token_body(_token_request({"a": "1"}, other), _token_request({"a": "2"}, other))


def test_replay_serves_the_interaction_whose_body_matches(tmp_path: Path) -> None:
    cloud = MockCloud()
    world = World.from_defaults(cloud.defaults)
    path = tmp_path / "c.yaml"
    url = world.identity_url + "/connect/token"
    refresh_form = {
        "grant_type": "refresh_token",
        "client_id": world.public_client_id,
        "refresh_token": world.refresh_token,
    }
    cc_form = {
        "grant_type": "client_credentials",
        "client_id": world.client_id,
        "client_secret": world.client_secret,
        "scope": "OR.Jobs",
    }
    with (
        _recorder("all").use_cassette(str(path), **vcr_config()),
        httpx.Client(transport=cloud.transport()) as client,
    ):
        client.post(url, data=cc_form)
        client.post(url, data=refresh_form)
    # Replayed in the other order, and with other secrets: each request gets its own answer.
    with _recorder("none").use_cassette(str(path), **vcr_config()), httpx.Client() as client:
        refreshed = client.post(url, data={**refresh_form, "refresh_token": "other-refresh"})
        granted = client.post(url, data={**cc_form, "client_secret": "other-secret"})
    assert "refresh_token" in refreshed.json()
    assert "refresh_token" not in granted.json()
    assert granted.json()["scope"] == "OR.Jobs"


def test_record_mode_none_refuses_what_is_not_recorded(tmp_path: Path) -> None:
    cloud = MockCloud()
    path = tmp_path / "c.yaml"
    with (
        _recorder("all").use_cassette(str(path), **vcr_config()),
        httpx.Client(transport=cloud.transport()) as client,
    ):
        client.get(cloud.defaults.identity_url + "/.well-known/openid-configuration")
    with (
        _recorder("none").use_cassette(str(path), **vcr_config()),
        httpx.Client() as client,
        pytest.raises(CannotOverwriteExistingCassetteException),
    ):
        client.get(cloud.defaults.identity_url + "/connect/userinfo")


_INNER_CONFTEST = """
import pytest
from cassettes import register_matchers, vcr_config as kit

@pytest.fixture
def vcr_config():
    return kit(**{extra})

def pytest_recording_configure(config, vcr):
    register_matchers(vcr)
"""
_INNER_TESTS = """
import socket
import pytest

@pytest.mark.vcr
def test_mode(vcr):
    print("MODE=" + str(vcr.record_mode.value if hasattr(vcr.record_mode, "value")
                         else vcr.record_mode))

def test_network():
    with socket.socket() as s:
        s.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed
"""


def _inner(pytester: pytest.Pytester, extra: str, *args: str) -> pytest.RunResult:
    pytester.makeconftest(_INNER_CONFTEST.replace("{extra}", extra))
    pytester.makepyfile(_INNER_TESTS)
    return pytester.runpytest(
        "-p",
        "no:uipath_conformance",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:asyncio",
        "-p",
        "no:benchmark",
        "-p",
        "no:xdist",
        "-s",
        "--block-network",
        *args,
    )


def test_pytest_recording_replays_and_blocks_the_network_by_default(
    pytester: pytest.Pytester,
) -> None:
    result = _inner(pytester, "{}")
    result.stdout.fnmatch_lines(["*MODE=none*", "*Network is disabled*"])
    result.assert_outcomes(passed=1, failed=1)


def test_the_command_line_record_mode_wins(pytester: pytest.Pytester) -> None:
    result = _inner(pytester, "{}", "--record-mode=once", "-k", "test_mode")
    result.stdout.fnmatch_lines(["*MODE=once*"])
    result.assert_outcomes(passed=1)


def test_why_vcr_config_sets_no_record_mode(pytester: pytest.Pytester) -> None:
    # pytest-recording 0.14.1 lets vcr_config's record_mode beat --record-mode when it opens
    # the cassette: a config that pinned "none" could never be re-recorded from the CLI.
    result = _inner(pytester, "{'record_mode': 'none'}", "--record-mode=once", "-k", "test_mode")
    result.stdout.fnmatch_lines(["*MODE=none*"])
    assert re.search(r"1 passed", result.stdout.str())


def test_redaction_leaves_what_is_not_secret_alone() -> None:
    from cassettes import redact_response

    body = b'{"message": "You are not authenticated!", "errorCode": 0}'
    response = {
        "status": {"code": 401, "message": "Unauthorized"},
        "headers": {
            "WWW-Authenticate": ['Bearer error="invalid_token"'],
            "Content-Length": [str(len(body))],
        },
        "body": {"string": body},
    }
    redacted = redact_response(response)
    assert redacted["body"]["string"] == body  # not even re-serialised
    assert redacted["headers"]["WWW-Authenticate"] == ['Bearer error="invalid_token"']


def test_redaction_catches_tokens_outside_json_fields() -> None:
    from cassettes import redact_response

    jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZGEifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
    response = {
        "status": {"code": 200, "message": "OK"},
        "headers": {"Content-Type": ["text/plain"], "Set-Cookie": ["s=abc"]},
        "body": {"string": f"token={jwt} and Authorization: Bearer abcdefgh12".encode()},
    }
    redacted = redact_response(response)
    text = redacted["body"]["string"].decode()
    assert jwt not in text
    assert "abcdefgh12" not in text
    assert redacted["headers"]["Set-Cookie"] == ["s=<cookie-1>"]

"""Evidence you can read: every secret masked once, the structure kept. The exact rendering of a
masked header, a challenge and a body is pinned, and a failing report from the CLI shows
``error="invalid_token"`` with no value masked twice. Each refresh names the refresh token
(#n) it presented."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conformance._plugs import PythonPlug
from conformance._world import RuleRun, World
from conformance.catalog import get_rule
from conformance.cli import main
from mock_orchestrator.core.redact import redact_headers, redact_text

from . import broken_clients as bc

#: What a value masked twice looks like: "***(6 chars) chars)" or "***(***(".
_TWICE = re.compile(r"\*\*\*\(\d+ chars\) chars\)|\*\*\*\(\*\*\*\(")


@pytest.fixture
def world() -> Iterator[World]:
    run = RuleRun(get_rule("token-retry-once-on-401"), "identity", PythonPlug(bc.make_mini))
    try:
        yield run.world()
    finally:
        run.close()


def _exchanges(world: World) -> list[dict[str, object]]:
    return [e for e in world.timeline() if e["kind"] == "exchange"]


def _refresh(http: httpx.Client, world: World, token: str) -> dict[str, str]:
    d = world.cloud.defaults
    response = http.post(
        f"{d.identity_url}/connect/token",
        data={
            "grant_type": "refresh_token",
            "client_id": d.public_client_id,
            "refresh_token": token,
        },
    )
    return response.json()  # type: ignore[no-any-return]


def test_a_bearer_header_a_challenge_and_a_token_body_render_exactly(world: World) -> None:
    d = world.cloud.defaults
    with httpx.Client(transport=world.cloud.transport()) as http:
        body = _refresh(http, world, d.refresh_token or "")
        access = body["access_token"]
        world.revoke_access_tokens()
        http.get(
            d.url + "/orchestrator_/odata/Releases",
            headers={"Authorization": f"Bearer {access}", "X-UIPATH-FolderPath": "Shared"},
        )
    token, refused = _exchanges(world)
    assert token["response_body"] == {
        "access_token": f"***({len(access)} chars)",
        "expires_in": 3600,
        "token_type": "Bearer",
        "refresh_token": "***(64 chars)",
        "scope": "OrchestratorApiUserAccess offline_access",
    }
    assert token["request_body"] == {
        "grant_type": "refresh_token",
        "client_id": d.public_client_id,
        "refresh_token": "***(64 chars)",
    }
    headers = refused["request_headers"]
    assert isinstance(headers, dict)
    assert headers["authorization"] == f"Bearer ***({len(access)} chars)"
    challenge = refused["response_headers"]
    assert isinstance(challenge, dict)
    assert challenge["www-authenticate"] == 'Bearer error="invalid_token"'


def test_masking_twice_changes_nothing() -> None:
    masked = "Bearer ***(43 chars)"
    assert redact_text(masked) == masked
    assert redact_text(redact_text("Bearer " + "a" * 43)) == masked
    assert redact_headers([("authorization", "Bearer " + "b" * 43)]) == {"authorization": masked}
    challenge = 'Bearer error="invalid_token", error_description="The access token expired"'
    assert redact_headers([("www-authenticate", challenge)]) == {"www-authenticate": challenge}
    assert redact_text(f"got {challenge}") == f"got {challenge}"
    assert redact_text('Bearer realm="UiPath", error="invalid_token"') == (
        'Bearer realm="UiPath", error="invalid_token"'
    )
    assert redact_text('{"Authorization": "Bearer 3458A748E9BB17"}') == (
        '{"Authorization": "Bearer ***(14 chars)"}'
    )


def test_the_timeline_names_the_refresh_token_each_refresh_presented(world: World) -> None:
    with httpx.Client(transport=world.cloud.transport()) as http:
        first = _refresh(http, world, world.cloud.defaults.refresh_token or "")
        second = _refresh(http, world, first["refresh_token"])
        _refresh(http, world, second["refresh_token"])
        _refresh(http, world, first["refresh_token"])  # a consumed one: reuse
    presented = [e.get("presented") for e in _exchanges(world)]
    assert presented == [
        "the configured refresh token",
        "refresh token #1",
        "refresh token #2",
        "refresh token #1",
    ]


def test_a_failing_report_shows_the_challenge_and_masks_once(tmp_path: Path) -> None:
    paths = {
        flag: tmp_path / name
        for flag, name in (
            ("--report-json", "r.json"),
            ("--report-html", "r.html"),
            ("--junit-xml", "j.xml"),
        )
    }
    argv = ["--client", "tests.conformance.broken_clients:make_never_refreshes"]
    argv += ["--rule", "token-refresh-after-expiry", "--profile", "identity"]
    for flag, path in paths.items():
        argv += [flag, str(path)]
    assert main(argv, out=io.StringIO()) == 1
    data = json.loads(paths["--report-json"].read_text())
    challenges = [
        entry["response_headers"]["www-authenticate"]
        for entry in data["rules"][0]["evidence"]
        if entry.get("status") == 401
    ]
    assert challenges
    assert all(
        c.startswith('Bearer error="invalid_token", error_description="The token expired at ')
        for c in challenges
    ), challenges
    for path in paths.values():
        text = path.read_text()
        assert not _TWICE.search(text), path.name
        assert "invalid_token" in text, path.name

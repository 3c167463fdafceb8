"""Scrubbing that cannot leak, through vcrpy itself: every gap the issue lists, closed.

Each test records through ``vcr_config()`` (the function users put in their conftest) against
a transport that answers what the test needs, then searches the written file for every
secret the exchange carried.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import vcr as vcrpy

from cassettes import find_secrets, register_matchers, vcr_config
from cassettes._scrub import Scrubber, is_placeholder

pytestmark = pytest.mark.block_network

JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZGEiLCJleHAiOjF9.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
OPAQUE = "Rt7kQ2mZx9LwP4vN8sJ3hB6yC1dF5gTe"  # a refresh-token-shaped random value
HEX = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


def _record(
    tmp_path: Path,
    send: Callable[[httpx.Client], Any],
    answer: Callable[[httpx.Request], httpx.Response] | None = None,
) -> str:
    path = tmp_path / "c.yaml"
    recorder = vcrpy.VCR(record_mode="all")
    register_matchers(recorder)
    transport = httpx.MockTransport(answer or (lambda request: httpx.Response(200, json={})))
    with (
        recorder.use_cassette(str(path), **vcr_config()),
        httpx.Client(transport=transport) as client,
    ):
        send(client)
    return path.read_text(encoding="utf-8")


def _assert_clean(text: str, *secrets: str) -> None:
    for secret in secrets:
        assert secret not in text, f"{secret[:6]}... leaked"
    assert not find_secrets(text), find_secrets(text)


def test_the_revocation_body_token_is_scrubbed(tmp_path: Path) -> None:
    text = _record(
        tmp_path,
        lambda c: c.post(
            "https://cloud.uipath.com/identity_/connect/revocation",
            data={"token": OPAQUE, "token_type_hint": "refresh_token", "client_id": "app"},
        ),
    )
    _assert_clean(text, OPAQUE)
    assert "token=<token-1>" in text


def test_id_token_hint_in_an_end_session_url_is_scrubbed(tmp_path: Path) -> None:
    text = _record(
        tmp_path,
        lambda c: c.get(
            "https://cloud.uipath.com/identity_/connect/endsession",
            params={"id_token_hint": JWT, "post_logout_redirect_uri": "http://localhost/x"},
        ),
    )
    _assert_clean(text, JWT)
    assert "id_token_hint=<id_token-1>" in text


@pytest.mark.parametrize(
    "field", ["assertion", "client_assertion", "subject_token", "CLIENT_SECRET", "Password"]
)
def test_named_secret_fields_in_forms_any_case(tmp_path: Path, field: str) -> None:
    secret = "short-secret-1"  # not secret-shaped: only its field name gives it away
    text = _record(
        tmp_path,
        lambda c: c.post("https://cloud.uipath.com/identity_/connect/token", data={field: secret}),
    )
    _assert_clean(text, secret)


def test_named_secret_fields_in_json_at_any_depth_and_in_arrays(tmp_path: Path) -> None:
    body = {
        "CLIENT_SECRET": ["first-secret-1", "second-secret-2"],
        "nested": {"deeper": [{"Assertion": "assertion-value-3"}, {"note": JWT}]},
        "list": [OPAQUE, {"x": HEX}],
    }
    text = _record(tmp_path, lambda c: c.post("https://example.test/api", json=body))
    _assert_clean(text, "first-secret-1", "second-secret-2", "assertion-value-3", JWT, OPAQUE, HEX)


def test_secrets_sent_as_form_arrays(tmp_path: Path) -> None:
    text = _record(
        tmp_path,
        lambda c: c.post(
            "https://example.test/token",
            content="client_secret=one-secret-1&client_secret=two-secret-2",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        ),
    )
    _assert_clean(text, "one-secret-1", "two-secret-2")


def test_credentials_in_any_auth_header_keep_their_scheme(tmp_path: Path) -> None:
    text = _record(
        tmp_path,
        lambda c: c.get(
            "https://example.test/x",
            headers={
                "Proxy-Authorization": "Basic dXNlcjpwcm94eS1wYXNzd29yZA==",
                "Authorization": "Bearer short-tok-1",
                "X-Custom": JWT,
                "Cookie": "session=cookie-value-1",
            },
        ),
    )
    _assert_clean(text, "dXNlcjpwcm94eS1wYXNzd29yZA==", "short-tok-1", JWT, "cookie-value-1")
    assert "Basic <basic-1>" in text
    assert "Bearer <bearer-1>" in text


def test_secret_shaped_values_in_queries_and_answers(tmp_path: Path) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            json={"items": [{"sessionKey": OPAQUE}], "meta": {"sig": HEX}},
            headers={"X-Echo": JWT, "Location": f"https://x/cb#access_token={JWT}&state=s"},
        )

    text = _record(tmp_path, lambda c: c.get(f"https://example.test/x?k={OPAQUE}"), answer)
    _assert_clean(text, OPAQUE, JWT, HEX)


def test_an_invalid_json_body_is_recorded_not_raised(tmp_path: Path) -> None:
    text = _record(
        tmp_path,
        lambda c: c.post(
            "https://example.test/api",
            content=f'{{"password": "pw-secret-1", "broken": {JWT}',
            headers={"Content-Type": "application/json"},
        ),
        lambda request: httpx.Response(
            400, content=b'{"oops": ' + JWT.encode(), headers={"Content-Type": "application/json"}
        ),
    )
    _assert_clean(text, "pw-secret-1", JWT)
    assert '"broken"' in text  # the rest of the body is kept


def test_one_secret_keeps_one_name_in_requests_and_answers(tmp_path: Path) -> None:
    # The token issued in an answer is sent back in a later request and revoked at logout:
    # one placeholder throughout, so a replayed refresh still matches.
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/token"):
            return httpx.Response(200, json={"access_token": JWT, "refresh_token": OPAQUE})
        return httpx.Response(200)

    def send(client: httpx.Client) -> None:
        client.post("https://x/connect/token", data={"grant_type": "client_credentials"})
        client.post("https://x/connect/token", data={"refresh_token": OPAQUE})
        client.get("https://x/api", headers={"Authorization": f"Bearer {JWT}"})
        client.post("https://x/connect/revocation", data={"token": OPAQUE})

    text = _record(tmp_path, send, answer)
    _assert_clean(text, JWT, OPAQUE)
    data = vcrpy.serializers.yamlserializer.deserialize(text)
    issued = json.loads(data["interactions"][0]["response"]["body"]["string"])
    assert issued == {"access_token": "<access_token-1>", "refresh_token": "<refresh_token-1>"}
    assert data["interactions"][1]["request"]["body"] == "refresh_token=<refresh_token-1>"
    headers = {k.lower(): v for k, v in data["interactions"][2]["request"]["headers"].items()}
    assert headers["authorization"] == ["Bearer <access_token-1>"]
    assert data["interactions"][3]["request"]["body"] == "token=<refresh_token-1>"


def test_scrubbing_twice_changes_nothing_and_public_values_stay() -> None:
    scrubber = Scrubber()
    once = scrubber.url(f"https://x/authorize?state=47441df4d0f0a89da08d43b6dfdc4be2&code={OPAQUE}")
    assert scrubber.url(once) == once
    assert "state=47441df4d0f0a89da08d43b6dfdc4be2" in once
    assert "code=<code-1>" in once
    assert is_placeholder(scrubber.placeholder("<refresh_token-9>", "refresh_token"))
    assert scrubber.placeholder("<refresh_token-9>", "x") == "<refresh_token-9>"


def test_bytes_that_are_not_text_are_kept_and_do_not_raise() -> None:
    assert Scrubber().body(b"\xff\xfe\x00", "application/json") == b"\xff\xfe\x00"

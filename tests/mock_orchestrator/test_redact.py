"""Redaction of bodies the journal cannot parse: secrets are masked by their shape too."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from mock_orchestrator import MockCloud
from mock_orchestrator.core.redact import redact_body


@pytest.mark.parametrize(
    ("body", "content_type", "secret"),
    [
        (
            b'{"usernameOrEmailAddress":"ada","password":"Correct-Horse-9","x":',
            "application/json",
            "Correct-Horse-9",
        ),
        (
            b"grant_type=refresh_token&client_secret=s3cr3t-value&refresh_token=RT-123456",
            "text/plain",
            "s3cr3t-value",
        ),
        (
            b"grant_type=refresh_token&client_secret=s3cr3t-value&refresh_token=RT-123456",
            "text/plain",
            "RT-123456",
        ),
        (
            b'{"refresh_token": "pluJgZz\\"LuoR-kbApQt", "client_id":"8D',
            "application/json",
            "LuoR-kbApQt",
        ),
    ],
)
def test_unparsable_bodies_have_their_secret_fields_masked(
    body: bytes, content_type: str, secret: str
) -> None:
    rendered = json.dumps(redact_body(body, content_type))
    assert secret not in rendered
    assert "***(" in rendered


def test_plain_text_is_left_alone() -> None:
    assert redact_body(b"hello world; passwordless=yes", "text/plain") == (
        "hello world; passwordless=yes"
    )


def test_a_truncated_login_body_never_reaches_the_journal_in_clear() -> None:
    cloud = MockCloud("onprem")
    password = cloud.defaults.password or ""
    body = ('{"usernameOrEmailAddress":"ada","password":"' + password + '"').encode()
    with httpx.Client(transport=cloud.transport()) as client:
        client.post(
            cloud.defaults.url + "/api/Account/Authenticate",
            content=body,
            headers={"content-type": "application/json"},
        )
    assert password not in json.dumps(cloud.journal.to_list())


# -- issue 13: JWTs anywhere, every value of a secret field, credential headers ----------------

_JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZGEifQ.c2lnbmF0dXJlLXZhbHVl"


def _journal_text(cloud: MockCloud, request: httpx.Request) -> str:
    cloud.handle(request)
    return json.dumps(cloud.journal[-1].to_dict())


@pytest.mark.parametrize("field", ["client_assertion", "subject_token", "note", "anything"])
def test_a_jwt_in_any_form_field_is_masked(field: str) -> None:
    cloud = MockCloud()
    request = httpx.Request(
        "POST",
        "https://cloud.uipath.com/identity_/connect/token",
        data={"grant_type": "client_credentials", field: _JWT},
    )
    rendered = _journal_text(cloud, request)
    assert _JWT not in rendered
    assert "c2lnbmF0dXJlLXZhbHVl" not in rendered
    assert f"***({len(_JWT)} chars)" in rendered
    assert "client_credentials" in rendered  # what is no secret stays readable


def test_a_jwt_in_a_query_value_and_a_json_key_is_masked() -> None:
    cloud = MockCloud()
    rendered = _journal_text(
        cloud,
        httpx.Request(
            "POST",
            f"https://cloud.uipath.com/identity_/connect/authorize?state={_JWT}",
            json={_JWT: 1},
        ),
    )
    assert _JWT not in rendered


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{"password": ["Correct-Horse-9", "Battery-Staple-7"]}', "application/json"),
        (
            b'{"password": {"value": "Correct-Horse-9", "old": "Battery-Staple-7"}}',
            "application/json",
        ),
        (
            b"password=Correct-Horse-9&password=Battery-Staple-7",
            "application/x-www-form-urlencoded",
        ),
        (b'{"client_secret": 918273645546372819}', "application/json"),
    ],
)
def test_every_value_of_a_secret_field_is_masked(body: bytes, content_type: str) -> None:
    rendered = json.dumps(redact_body(body, content_type))
    for secret in ("Correct-Horse-9", "Battery-Staple-7", "918273645546372819"):
        assert secret not in rendered
    assert "***(" in rendered


def test_a_repeated_form_field_keeps_every_value_masked() -> None:
    assert redact_body(b"password=a1&password=b22&x=1", "application/x-www-form-urlencoded") == {
        "password": ["***(2 chars)", "***(3 chars)"],
        "x": "1",
    }


@pytest.mark.parametrize("header", ["X-Api-Key", "X-Auth-Token", "X-Client-Secret", "Api_Key"])
def test_headers_whose_name_says_key_token_or_secret_are_masked(header: str) -> None:
    cloud = MockCloud()
    rendered = _journal_text(
        cloud,
        httpx.Request(
            "GET",
            "https://cloud.uipath.com/identity_/.well-known/openid-configuration",
            headers={header: "k-51a2b3c4d5e6", "X-UIPATH-FolderKey": "f00d-key"},
        ),
    )
    assert "k-51a2b3c4d5e6" not in rendered
    assert "***(14 chars)" in rendered
    assert "f00d-key" in rendered  # a folder key names a folder: no secret


def test_nan_inside_input_arguments_is_refused(make_cloud: Any) -> None:
    cloud = make_cloud()
    d = cloud.defaults
    with httpx.Client(transport=cloud.transport()) as client:
        token = client.post(
            f"{d.identity_url}/connect/token",
            data={
                "grant_type": "client_credentials",
                "client_id": d.client_id,
                "client_secret": d.client_secret,
                "scope": "OR.Jobs OR.Execution",
            },
        ).json()["access_token"]
        answers = [
            client.post(
                f"{d.url}/orchestrator_/odata/Jobs/UiPath.Server.Configuration.OData.StartJobs",
                json={"startInfo": {"ReleaseKey": d.release_key, "InputArguments": arguments}},
                headers={"Authorization": f"Bearer {token}", "X-UIPATH-FolderPath": d.folder},
            )
            for arguments in ('{"x": NaN}', '{"x": [Infinity]}', '{"x": 1}')
        ]
    assert [a.status_code for a in answers] == [400, 400, 201]
    assert answers[0].json()["errorCode"] == 1009


def test_nan_in_a_control_body_is_refused() -> None:
    from mock_orchestrator._served.control import ControlPlane

    cloud = MockCloud()
    status, payload, _ = ControlPlane(cloud, "http://127.0.0.1:1").dispatch(
        "POST", "/_mock/faults", "", b'{"route": "identity.token", "body": {"x": NaN}}'
    )
    assert status == 400
    assert "NaN" in payload["message"]
    assert list(cloud.faults) == []

"""Redaction of bodies the journal cannot parse: secrets are masked by their shape too."""

from __future__ import annotations

import json

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

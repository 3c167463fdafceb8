"""On-prem password login, and the errorCode 1000 trap on the cloud hosts."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from mock_orchestrator import MockCloud

TRAP = {"message": "Invalid credentials, failed to login.", "errorCode": 1000, "resourceIds": None}


@pytest.fixture
def onprem(make_cloud: Callable[..., MockCloud]) -> MockCloud:
    return make_cloud("onprem")


def _login_url(cloud: MockCloud) -> str:
    return f"{cloud.defaults.url}/api/Account/Authenticate"


@pytest.mark.parametrize("style", ["camel-json", "pascal-json", "form"])
def test_password_login_returns_the_abp_envelope_with_a_30_minute_token(
    onprem: MockCloud, style: str
) -> None:
    d = onprem.defaults
    with httpx.Client(transport=onprem.transport()) as client:
        if style == "camel-json":
            r = client.post(
                _login_url(onprem),
                json={
                    "tenancyName": d.tenant,
                    "usernameOrEmailAddress": d.username,
                    "password": d.password,
                },
            )
        elif style == "pascal-json":
            r = client.post(
                _login_url(onprem),
                json={
                    "TenancyName": d.tenant,
                    "UsernameOrEmailAddress": d.user_email,
                    "Password": d.password,
                },
            )
        else:
            r = client.post(
                _login_url(onprem),
                data={
                    "tenancyName": d.tenant,
                    "usernameOrEmailAddress": d.username,
                    "password": d.password,
                },
            )
    assert r.status_code == 200
    body = r.json()
    assert body["success"] is True
    assert body["__abp"] is True
    assert body["error"] is None
    record = onprem.identity.tokens.get(body["result"])
    assert record is not None
    assert record.expires_at - record.issued_at == 1800


def test_wrong_password_is_errorcode_1000(onprem: MockCloud) -> None:
    with httpx.Client(transport=onprem.transport()) as client:
        r = client.post(
            _login_url(onprem), json={"usernameOrEmailAddress": "ada", "password": "nope"}
        )
    assert r.status_code == 400
    assert r.json() == {
        "message": "Invalid username/email address or password.",
        "errorCode": 1000,
        "resourceIds": None,
    }


@pytest.mark.parametrize(
    "path",
    [
        "/api/Account/Authenticate",
        "/api/account/authenticate",
        "/API/ACCOUNT/AUTHENTICATE",
        "/acmecorp/AcmeDefaultq3v91/api/Account/Authenticate",
    ],
)
@pytest.mark.parametrize("host", ["cloud.uipath.com", "platform.uipath.com"])
def test_cloud_hosts_refuse_password_login_even_with_correct_credentials(
    make_cloud: Callable[..., MockCloud], path: str, host: str
) -> None:
    cloud = make_cloud("identity")
    with httpx.Client(transport=cloud.transport()) as client:
        r = client.post(
            f"https://{host}{path}",
            json={
                "tenancyName": cloud.defaults.tenant,
                "usernameOrEmailAddress": "ada",
                "password": "Correct-Horse-9",
            },
        )
    assert r.status_code == 400
    assert r.json() == TRAP
    assert cloud.journal[-1].route == "identity.cloud_login_trap"


def test_the_trap_answers_any_body(make_cloud: Callable[..., MockCloud]) -> None:
    cloud = make_cloud("legacy")
    with httpx.Client(transport=cloud.transport()) as client:
        r = client.post("https://platform.uipath.com/api/Account/Authenticate", content=b"\x00{")
    assert r.status_code == 400
    assert r.json() == TRAP


def test_onprem_identity_path_and_the_cloud_path_refused(onprem: MockCloud) -> None:
    d = onprem.defaults
    form = {
        "grant_type": "client_credentials",
        "client_id": d.client_id,
        "client_secret": d.client_secret,
        "scope": "OR.Jobs",
    }
    with httpx.Client(transport=onprem.transport()) as client:
        ok = client.post(f"{d.identity_url}/connect/token", data=form)
        wrong = client.post(f"{d.url}/identity_/connect/token", data=form)
    assert ok.status_code == 200
    assert ok.json()["expires_in"] == 1800
    assert wrong.status_code == 405
    assert wrong.json()["error"]["code"] == "UnsupportedApiVersion"
    assert "does not support HTTP method 'POST'" in wrong.json()["error"]["message"]

"""The errorCode 1000 trap, named wherever the reference client meets it.

Automation Cloud answers every username/password login with 400
``{"message":"Invalid credentials, failed to login.","errorCode":1000}``; on-prem answers a wrong
password with the same code and other words. A cloud-profile world reached through a host the
client cannot recognise as UiPath's (a proxy, the served mock on loopback) must still be named
the cloud refusing password logins, never "check your password".
"""

from __future__ import annotations

import io
from typing import Any

import pytest

from client_under_test import ConfigurationError, OrchestratorAPIError, PasswordAuth
from client_under_test.__main__ import main
from client_under_test._errors import CLOUD_LOGIN_REFUSED, ONPREM_WRONG_PASSWORD


def _last_message(cloud: Any) -> Any:
    response = list(cloud.journal)[-1].response
    assert response is not None
    assert response.status_code == 400
    return response.json()["message"]


def _says_it_is_the_trap(text: str) -> None:
    assert "Automation Cloud refusing username/password logins" in text
    assert "not a wrong password" in text
    assert "UIPATH_CLIENT_ID and UIPATH_CLIENT_SECRET" in text
    assert "UIPATH_REFRESH_TOKEN" in text
    assert "Check UIPATH_USERNAME" not in text


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/acmecorp/AcmeDefault",  # the served mock, or a local tunnel
        "https://uipath-proxy.corp.example/acmecorp/AcmeDefault",  # a company proxy
    ],
)
@pytest.mark.parametrize("profile", ["identity", "legacy"])
def test_the_cloud_wording_is_named_the_trap_whatever_the_host(
    make_cloud: Any, url: str, profile: str
) -> None:
    cloud = make_cloud(profile)
    auth = PasswordAuth(url, "ada", "Correct-Horse-9", transport=cloud.transport())
    with pytest.raises(ConfigurationError) as info:
        auth.tokens_sync()
    text = str(info.value)
    assert _last_message(cloud) == CLOUD_LOGIN_REFUSED
    _says_it_is_the_trap(text)
    assert "Correct-Horse-9" not in text


def test_on_prem_wording_is_a_wrong_password(make_cloud: Any) -> None:
    cloud = make_cloud("onprem")
    d = cloud.defaults
    auth = PasswordAuth(d.url, d.username, "nope-nope", transport=cloud.transport())
    with pytest.raises(ConfigurationError) as info:
        auth.tokens_sync()
    text = str(info.value)
    assert _last_message(cloud) == ONPREM_WRONG_PASSWORD
    assert "the password is wrong" in text
    assert "Check UIPATH_USERNAME, UIPATH_PASSWORD" in text
    assert "trap" not in text
    assert "nope-nope" not in text


def test_the_client_cli_names_the_trap_against_a_cloud_world_served_on_loopback(
    make_cloud: Any,
) -> None:
    cloud = make_cloud("identity")
    d = cloud.defaults
    out, err = io.StringIO(), io.StringIO()
    with cloud.serve() as base_url:
        environ = {
            "UIPATH_URL": f"{base_url}/{d.organization}/{d.tenant}",
            "UIPATH_USERNAME": "ada",
            "UIPATH_PASSWORD": "Correct-Horse-9",
            "UIPATH_FOLDER_PATH": d.folder,
        }
        code = main(["start-job", "--process", d.process], environ=environ, stdout=out, stderr=err)
    assert code == 2
    _says_it_is_the_trap(err.getvalue())
    assert "Correct-Horse-9" not in out.getvalue() + err.getvalue()


def test_an_orchestrator_error_in_the_cloud_wording_names_the_trap() -> None:
    error = OrchestratorAPIError(
        400, CLOUD_LOGIN_REFUSED, error_code=1000, method="POST", path="/api/Account/Authenticate"
    )
    _says_it_is_the_trap(str(error))
    plain = OrchestratorAPIError(400, "Invalid request!", error_code=1000)
    assert "trap" not in str(plain)

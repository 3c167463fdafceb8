"""``uipath auth``, UiPath's real CLI in a subprocess, against the mock served on loopback.

The CLI decides whether a stored token is still good by comparing the JWT's ``exp`` with its
own wall clock, so these worlds start their (frozen) clock at the wall-clock time: a token
the mock mints is then as fresh for the CLI as for the mock.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import jwt
import pytest

from mock_orchestrator import FakeClock, MockCloud, SystemClock
from mock_orchestrator.identity.models import UIPATH_CLI_CLIENT_ID

from ._cli import (
    browser_command,
    cli_env,
    free_port,
    output,
    read_auth_json,
    read_dotenv,
    run_uipath,
    tenant_url,
    write_auth_json,
    write_dotenv,
)


def _form(exchange: Any) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(exchange.request.content.decode()).items()}


@pytest.fixture
def served_at_wall_time(
    make_cloud: Callable[..., MockCloud],
) -> Iterator[Callable[[float], tuple[MockCloud, str]]]:
    """Serve a world whose clock starts ``offset`` seconds from the wall-clock now."""
    stack: list[Any] = []

    def start(offset: float = 0.0) -> tuple[MockCloud, str]:
        cloud = make_cloud("identity", clock=FakeClock(SystemClock().time() + offset))
        cm = cloud.serve()
        url = cm.__enter__()
        stack.append(cm)
        return cloud, url

    yield start
    for cm in reversed(stack):
        cm.__exit__(None, None, None)


def _refresh_in_process(cloud: MockCloud, refresh_token: str) -> dict[str, Any]:
    with httpx.Client(transport=cloud.transport()) as client:
        answer = client.post(
            "https://cloud.uipath.com/identity_/connect/token",
            data={
                "grant_type": "refresh_token",
                "client_id": UIPATH_CLI_CLIENT_ID,
                "refresh_token": refresh_token,
            },
        )
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def test_auth_refreshes_an_expired_token_then_reuses_the_new_one(
    served_at_wall_time: Callable[[float], tuple[MockCloud, str]], tmp_path: Path
) -> None:
    # Two hours ago (on the world's clock) the user logged in; that access token is expired.
    cloud, url = served_at_wall_time(-7200)
    d = cloud.defaults
    assert d.refresh_token is not None
    stored = _refresh_in_process(cloud, d.refresh_token)
    cloud.clock.advance(hours=2)
    cloud.journal.clear()
    write_auth_json(tmp_path, stored)
    write_dotenv(
        tmp_path,
        {
            "UIPATH_URL": tenant_url(url, cloud),
            "UIPATH_TENANT_ID": d.tenant_id,
            "UIPATH_ORGANIZATION_ID": d.organization_id,
        },
    )

    first = run_uipath(tmp_path, "auth")

    assert first.returncode == 0, output(first)
    assert "Authentication successful" in output(first)
    # What the mock saw: the version probe at the host root, then one refresh grant.
    assert [(e.method, e.path) for e in cloud.journal] == [
        ("GET", "/orchestrator_/api/status/version"),
        ("POST", "/identity_/connect/token"),
    ]
    assert cloud.journal[0].route == "orchestrator.status_version"
    refresh = cloud.journal[1]
    assert refresh.route == "identity.token"
    assert refresh.status_code == 200
    assert _form(refresh) == {
        "grant_type": "refresh_token",
        "refresh_token": stored["refresh_token"],
        "client_id": UIPATH_CLI_CLIENT_ID,
    }
    # The CLI stored the rotated token pair and updated .env.
    saved = read_auth_json(tmp_path)
    issued = refresh.response.json()  # type: ignore[union-attr]
    assert saved["access_token"] == issued["access_token"] != stored["access_token"]
    assert saved["refresh_token"] == issued["refresh_token"] != stored["refresh_token"]
    assert read_dotenv(tmp_path)["UIPATH_ACCESS_TOKEN"] == issued["access_token"]
    claims = jwt.decode(saved["access_token"], options={"verify_signature": False})
    assert claims["exp"] == int(cloud.clock.time()) + 3600

    # Second run: the new token is valid by its exp, so the CLI sends nothing at all.
    second = run_uipath(tmp_path, "auth")
    assert second.returncode == 0, output(second)
    assert len(cloud.journal) == 2

    # And the refresh token the CLI consumed is dead (rotation, one-time use).
    with httpx.Client(transport=cloud.transport()) as client:
        reuse = client.post(
            "https://cloud.uipath.com/identity_/connect/token",
            data={
                "grant_type": "refresh_token",
                "client_id": UIPATH_CLI_CLIENT_ID,
                "refresh_token": stored["refresh_token"],
            },
        )
    assert reuse.status_code == 400
    assert reuse.json()["error"] == "invalid_grant"


def test_auth_reports_a_refused_refresh(
    served_at_wall_time: Callable[[float], tuple[MockCloud, str]], tmp_path: Path
) -> None:
    cloud, url = served_at_wall_time(-7200)
    d = cloud.defaults
    assert d.refresh_token is not None
    stored = _refresh_in_process(cloud, d.refresh_token)
    _refresh_in_process(cloud, stored["refresh_token"])  # someone else used it first
    cloud.clock.advance(hours=2)
    cloud.journal.clear()
    write_auth_json(tmp_path, stored)
    write_dotenv(
        tmp_path,
        {
            "UIPATH_URL": tenant_url(url, cloud),
            "UIPATH_TENANT_ID": d.tenant_id,
            "UIPATH_ORGANIZATION_ID": d.organization_id,
        },
    )

    result = run_uipath(tmp_path, "auth")

    assert result.returncode == 1
    assert "Failed to refresh token: 400" in output(result)
    (refused,) = cloud.journal.token_requests()
    assert refused.status_code == 400
    assert refused.response.json()["error"] == "invalid_grant"  # type: ignore[union-attr]


def test_auth_by_authorization_code_with_pkce_and_a_scripted_browser(
    served_at_wall_time: Callable[[float], tuple[MockCloud, str]], tmp_path: Path
) -> None:
    cloud, url = served_at_wall_time(0)
    d = cloud.defaults
    report_path = tmp_path / "browser.json"
    port = free_port()
    env = cli_env(
        UIPATH_URL=tenant_url(url, cloud),
        UIPATH_AUTH_PORT=str(port),
        BROWSER=browser_command(tmp_path, report_path),
    )

    result = run_uipath(tmp_path, "auth", "--force", env=env)

    report = json.loads(report_path.read_text())
    assert "error" not in report, report
    assert result.returncode == 0, output(result)
    assert "Authentication successful" in output(result)
    assert report["authorize_status"] == 302
    assert report["location"].startswith(f"http://localhost:{port}/oidc/login?code=")
    assert report["token_status"] == 200
    assert report["allow_origin"] == f"http://localhost:{port}"  # CORS let the page read it
    assert report["set_token_status"] == 200

    # What the mock saw, in order: the version probe (it picks the scope file), the browser's
    # authorize and code exchange, the portal's tenant lookup, the first-run calls.
    o = f"/{d.organization}/{d.tenant}/orchestrator_"
    assert [e.path for e in cloud.journal] == [
        "/orchestrator_/api/status/version",
        "/identity_/connect/authorize",
        "/identity_/connect/token",
        f"/{d.organization_id}/portal_/api/filtering/leftnav/tenantsAndOrganizationInfo",
        f"{o}/api/StudioWeb/TryEnableFirstRun",
        f"{o}/api/StudioWeb/AcquireLicense",
    ]
    version, authorize, exchange, portal, first_run, license_ = cloud.journal
    assert (version.route, version.status_code) == ("orchestrator.status_version", 200)
    assert version.request.headers.get("authorization") is None  # anonymous
    assert (authorize.route, authorize.status_code) == ("identity.authorize", 302)
    assert (exchange.route, exchange.status_code) == ("identity.token", 200)
    assert (portal.route, portal.status_code) == ("identity.portal_tenants", 200)
    query = dict(authorize.request.url.params)
    assert query["client_id"] == UIPATH_CLI_CLIENT_ID
    assert query["code_challenge_method"] == "S256"
    assert query["redirect_uri"] == f"http://localhost:{port}/oidc/login"
    assert "offline_access" in query["scope"].split()
    form = _form(exchange)
    assert form["grant_type"] == "authorization_code"
    assert form["redirect_uri"] == f"http://localhost:{port}/oidc/login"
    assert len(form["code_verifier"]) == 43
    assert exchange.request.headers["origin"] == f"http://localhost:{port}"
    issued = exchange.response.json()  # type: ignore[union-attr]
    assert portal.request.headers["authorization"] == "Bearer " + issued["access_token"]
    for call, label in ((first_run, "studio_web_first_run"), (license_, "studio_web_license")):
        assert (call.route, call.status_code) == (f"orchestrator.{label}", 200)
        assert call.request.headers["authorization"] == "Bearer " + issued["access_token"]

    # What the CLI stored: the user's tokens and the tenant it resolved through the portal.
    saved = read_auth_json(tmp_path)
    assert saved["access_token"] == issued["access_token"]
    assert saved["refresh_token"] == issued["refresh_token"]
    dotenv = read_dotenv(tmp_path)
    assert dotenv["UIPATH_URL"] == tenant_url(url, cloud)
    assert dotenv["UIPATH_TENANT_ID"] == d.tenant_id
    assert dotenv["UIPATH_ORGANIZATION_ID"] == d.organization_id
    assert dotenv["UIPATH_ACCESS_TOKEN"] == issued["access_token"]
    claims = jwt.decode(issued["access_token"], options={"verify_signature": False})
    assert claims["sub_type"] == "user"

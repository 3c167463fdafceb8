"""Helpers for driving the emulated Orchestrator in tests: tokens, and a small client."""

from __future__ import annotations

from typing import Any

import httpx

from mock_orchestrator import MockCloud
from mock_orchestrator.orchestrator.backend import TenantBackend

from ._helpers import client_credentials, refresh

ALL_SCOPES = "OR.Jobs OR.Execution OR.Folders OR.Assets OR.Queues OR.Users.Read"
ACTION = "UiPath.Server.Configuration.OData."


def app_token(cloud: MockCloud, client: httpx.Client, scope: str = ALL_SCOPES) -> str:
    token: str = client_credentials(client, cloud, scope=scope)["access_token"]
    return token


def user_token(cloud: MockCloud, client: httpx.Client) -> str:
    """An access token of the default user (identity profile: by the default refresh token)."""
    assert cloud.defaults.refresh_token is not None
    response = refresh(client, cloud, cloud.defaults.refresh_token)
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def assert_compact_error(response: httpx.Response, status: int, error_code: int) -> dict[str, Any]:
    """The compact dialect: exactly message, errorCode and a W3C-like traceId."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"message", "errorCode", "traceId"}, body
    assert body["errorCode"] == error_code, body
    assert isinstance(body["message"], str)
    assert body["message"]
    assert body["traceId"].startswith("00-")
    assert len(body["traceId"]) == 55
    return body  # type: ignore[no-any-return]


class Orch:
    """An authenticated caller of one world's default tenant (modern cloud URL shape)."""

    def __init__(
        self,
        cloud: MockCloud,
        client: httpx.Client,
        token: str | None = None,
        *,
        folder: str | None = "Shared",
        base: str | None = None,
    ) -> None:
        self.cloud = cloud
        self.client = client
        self.token = token if token is not None else app_token(cloud, client)
        self.folder = folder
        self.base = base or cloud.defaults.url + "/orchestrator_"

    @property
    def backend(self) -> TenantBackend:
        return self.cloud.orchestrator.default

    def headers(self, folder: str | None = None, **extra: str) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"}
        chosen = folder if folder is not None else self.folder
        if chosen is not None:
            headers["X-UIPATH-FolderPath"] = chosen
        headers.update(extra)
        return headers

    def get(
        self,
        path: str,
        *,
        folder: str | None = None,
        headers: dict[str, str] | None = None,
        **params: Any,
    ) -> httpx.Response:
        return self.client.get(
            self.base + path, params=params or None, headers=headers or self.headers(folder)
        )

    def post(
        self,
        path: str,
        body: Any = None,
        *,
        folder: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        return self.client.post(
            self.base + path, json=body, headers=headers or self.headers(folder)
        )

    def start(self, release: str | None = None, **start_info: Any) -> list[dict[str, Any]]:
        info = {"ReleaseName": release or self.cloud.defaults.process, **start_info}
        response = self.post(f"/odata/Jobs/{ACTION}StartJobs", {"startInfo": info})
        assert response.status_code == 201, response.text
        value: list[dict[str, Any]] = response.json()["value"]
        return value

    def job(self, job_id: int) -> dict[str, Any]:
        response = self.get(f"/odata/Jobs({job_id})")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

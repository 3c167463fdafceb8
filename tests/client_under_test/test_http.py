"""The client keeps no cookies (``client_under_test._http``): a ``Set-Cookie`` from the identity
server or the API is neither kept nor sent back."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from client_under_test import AsyncOrchestratorClient
from client_under_test._http import CookielessClient
from mock_orchestrator import MockCloud

from .conftest import make_client

SESSION_COOKIE = "idsrv.session=4f2a9c; Path=/; Secure; HttpOnly"


def cookie_setting(cloud: MockCloud) -> httpx.MockTransport:
    """The world's transport, with a session cookie on every answer (as IdentityServer sets)."""

    def handler(request: httpx.Request) -> httpx.Response:
        response = cloud.handle(request)
        response.headers["Set-Cookie"] = SESSION_COOKIE
        return response

    return httpx.MockTransport(handler)


def sent_cookies(cloud: MockCloud) -> list[str]:
    return [e.request.headers["cookie"] for e in cloud.journal if "cookie" in e.request.headers]


@pytest.mark.parametrize("profile", ["identity", "legacy", "onprem"])
def test_a_set_cookie_is_neither_kept_nor_sent_back(make_cloud: Any, profile: str) -> None:
    cloud = make_cloud(profile)
    with make_client(cloud, transport=cookie_setting(cloud)) as client:
        job = client.start_job(cloud.defaults.process, cloud.defaults.folder)
        cloud.clock.advance(hours=25)  # past every profile's token life: a second token request
        client.wait_for_job(job)
        assert not client.http.cookies
        assert not client.auth._sync_client.cookies  # type: ignore[union-attr]  # token client
    assert len(cloud.journal.token_requests()) >= 2
    assert len(cloud.journal) >= 5
    assert sent_cookies(cloud) == []


async def test_the_async_client_keeps_none_either(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    async with make_client_async(cloud) as client:
        job = await client.start_job(cloud.defaults.process, cloud.defaults.folder)
        await client.wait_for_job(job)
        assert not client.http.cookies
        assert not client.auth._async_client.cookies  # type: ignore[union-attr]
    assert len(cloud.journal) >= 3
    assert sent_cookies(cloud) == []


def make_client_async(cloud: MockCloud) -> AsyncOrchestratorClient:
    d = cloud.defaults
    return AsyncOrchestratorClient(
        d.url,
        credential="refresh_token",
        client_id=d.public_client_id,
        refresh_token=d.refresh_token,
        identity_url=d.identity_url,
        folder=d.folder,
        clock=cloud.clock,
        sleep=cloud.clock.sleep,
        transport=cookie_setting(cloud),
    )


def test_a_plain_httpx_client_would_have_kept_and_sent_it(make_cloud: Any) -> None:
    """The control: through a default httpx.Client the same transport's cookie is kept and sent,
    so the tests above see the client's choice, not a transport that drops cookies."""
    cloud = make_cloud("identity")
    with httpx.Client(transport=cookie_setting(cloud)) as plain:
        plain.get(cloud.defaults.url + "/odata/Folders")
        assert plain.cookies
        plain.get(cloud.defaults.url + "/odata/Folders")
    assert sent_cookies(cloud) == ["idsrv.session=4f2a9c"]


def test_cookies_cannot_be_set() -> None:
    with CookielessClient() as client, pytest.raises(AttributeError, match="no cookies"):
        client.cookies = {"a": "b"}  # type: ignore[assignment]

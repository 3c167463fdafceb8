"""The auth flows against MockCloud's identity servers: acquiring, proactive refresh, rotation,
terminal invalid_grant, the login traps, retries on the token endpoint and redaction."""

from __future__ import annotations

import json
import logging
from email.utils import formatdate
from typing import Any

import httpx
import pytest

from client_under_test import (
    ConfigurationError,
    MemoryTokenStore,
    PasswordAuth,
    ReauthenticationRequired,
    StaticTokenAuth,
    TokenRequestError,
    TokenSet,
)
from mock_orchestrator import MockCloud

from .conftest import make_auth, token_requests

FLOWS = [
    ("identity", "refresh_token"),
    ("identity", "client_credentials"),
    ("legacy", "user_key"),
    ("onprem", "password"),
    ("onprem", "client_credentials"),
]


def _bodies(cloud: MockCloud) -> list[dict[str, Any]]:
    out = []
    for e in token_requests(cloud):
        ctype = e.request.headers.get("content-type", "")
        if "json" in ctype:
            out.append(json.loads(e.request.content))
        else:
            out.append(dict(httpx.QueryParams(e.request.content.decode())))
    return out


@pytest.mark.parametrize(("profile", "kind"), FLOWS)
def test_each_flow_gets_a_token_with_no_human_step(
    make_cloud: Any, profile: str, kind: str
) -> None:
    cloud = make_cloud(profile)
    auth = make_auth(cloud, kind)
    tokens = auth.tokens_sync()
    assert tokens.access_token
    assert cloud.identity.tokens.get(tokens.access_token) is not None  # a token the world issued
    [exchange] = token_requests(cloud) or cloud.journal.filter(path_contains="/connect/token")
    assert exchange.status_code == 200
    assert exchange.request.headers["accept"] == "application/json"
    expected_lifetime = {"identity": 3600, "legacy": 86400, "onprem": 1800}[profile]
    assert tokens.lifetime == expected_lifetime
    assert tokens.received_at == cloud.clock.time()


def test_identity_token_requests_are_form_encoded_and_legacy_json(make_cloud: Any) -> None:
    identity = make_cloud("identity")
    make_auth(identity, "refresh_token").tokens_sync()
    [req] = [e.request for e in identity.journal.token_requests()]
    assert req.headers["content-type"] == "application/x-www-form-urlencoded"
    legacy = make_cloud("legacy")
    tokens = make_auth(legacy, "user_key").tokens_sync()
    [req] = [e.request for e in legacy.journal.token_requests()]
    assert req.headers["content-type"] == "application/json"
    assert json.loads(req.content)["client_id"] == "8DEv1AMNXczW3y4U15LL3jYf62jK93n5"
    assert tokens.id_token  # kept for the cloudrpa account lookups


@pytest.mark.parametrize(
    ("profile", "kind", "lifetime", "margin"),
    [
        ("identity", "refresh_token", 3600, 360),
        ("identity", "client_credentials", 3600, 360),
        ("identity", "refresh_token", 300, 60),  # short lifetimes: the 60 s floor
        ("legacy", "user_key", 86400, 8640),
        ("onprem", "password", 1800, 180),
    ],
)
def test_proactive_refresh_margin_is_max_60s_or_a_tenth(
    make_cloud: Any, profile: str, kind: str, lifetime: int, margin: int
) -> None:
    cloud = make_cloud(profile, access_token_lifetime=lifetime)
    auth = make_auth(cloud, kind)
    first = auth.tokens_sync()
    cloud.clock.advance(lifetime - margin - 1)
    assert auth.tokens_sync() is first
    assert len(token_requests(cloud)) == 1
    cloud.clock.advance(1)
    second = auth.tokens_sync()
    assert second.access_token != first.access_token
    assert len(token_requests(cloud)) == 2


def test_expiry_is_timed_from_receipt_not_from_the_server_clock(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    # The client's clock runs 10 minutes behind the server's: expiry still holds locally.
    offset = -600.0
    auth = make_auth(cloud, "refresh_token", clock=lambda: cloud.clock.time() + offset)
    tokens = auth.tokens_sync()
    assert tokens.received_at == cloud.clock.time() + offset
    assert tokens.expires_at == tokens.received_at + 3600


def test_rotation_every_new_refresh_token_is_used_and_none_twice(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    auth = make_auth(cloud, "refresh_token")
    for _ in range(6):
        auth.tokens_sync()
        cloud.clock.advance(hours=1)
    sent = [b["refresh_token"] for b in _bodies(cloud)]
    issued = [json.loads(e.response.content)["refresh_token"] for e in token_requests(cloud)]
    assert sent[0] == cloud.defaults.refresh_token
    assert sent[1:] == issued[:-1]  # each request presents the previous response's token
    assert len(set(sent)) == len(sent)
    assert all(e.status_code == 200 for e in token_requests(cloud))


class _FailingStore(MemoryTokenStore):
    def save(self, key: str, tokens: TokenSet) -> None:
        raise OSError("disk full")


def test_rotation_is_saved_before_the_new_access_token_is_used(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    store = _FailingStore()
    auth = make_auth(cloud, "refresh_token", store=store)
    request = httpx.Request("GET", "https://cloud.uipath.com/x/y/orchestrator_/odata/Jobs(1)")
    flow = auth.sync_auth_flow(request)
    with pytest.raises(OSError, match="disk full"):
        next(flow)  # the token was fetched, but could not be saved: it is never sent
    assert "authorization" not in request.headers
    assert auth._tokens is None or auth._tokens.access_token is None


def test_the_store_gets_the_new_refresh_token(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    store = MemoryTokenStore()
    auth = make_auth(cloud, "refresh_token", store=store)
    auth.tokens_sync()
    issued = json.loads(token_requests(cloud)[-1].response.content)["refresh_token"]
    saved = store.load(auth.key)
    assert saved is not None
    assert saved.refresh_token == issued != cloud.defaults.refresh_token


def test_legacy_keeps_the_user_key_when_the_response_has_no_refresh_token(make_cloud: Any) -> None:
    cloud = make_cloud("legacy")
    store = MemoryTokenStore()
    auth = make_auth(cloud, "user_key", store=store)
    auth.tokens_sync()
    assert "refresh_token" not in json.loads(token_requests(cloud)[0].response.content)
    cloud.clock.advance(days=1)
    auth.tokens_sync()
    cloud.clock.advance(days=1)
    auth.tokens_sync()
    assert [b["refresh_token"] for b in _bodies(cloud)] == [cloud.defaults.user_key] * 3
    saved = store.load(auth.key)
    assert saved is not None
    assert saved.refresh_token == cloud.defaults.user_key


@pytest.mark.parametrize(
    ("profile", "kind", "name"),
    [
        ("identity", "refresh_token", "UIPATH_REFRESH_TOKEN"),
        ("legacy", "user_key", "UIPATH_USER_KEY"),
    ],
)
def test_invalid_grant_is_terminal_after_one_request(
    make_cloud: Any, profile: str, kind: str, name: str
) -> None:
    cloud = make_cloud(profile)
    secret = cloud.defaults.refresh_token or cloud.defaults.user_key
    assert cloud.identity.revoke_refresh_token(secret)
    auth = make_auth(cloud, kind)
    with pytest.raises(ReauthenticationRequired) as info:
        auth.tokens_sync()
    assert "invalid_grant" in str(info.value)
    assert name in str(info.value)  # says what to do
    assert secret not in str(info.value)
    with pytest.raises(ReauthenticationRequired):
        auth.tokens_sync()  # remembered: no second request with a refused token
    assert len(token_requests(cloud)) == 1


def test_a_consumed_refresh_token_is_never_presented_again(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    store = MemoryTokenStore()
    first = make_auth(cloud, "refresh_token", store=store)
    first.tokens_sync()
    # A second client on the same store (another thread's client, a restart) starts from the
    # store's rotated token, not from the consumed day-one token in its configuration.
    second = make_auth(cloud, "refresh_token", store=store)
    second.tokens_sync(force=True)
    assert all(e.status_code == 200 for e in token_requests(cloud))
    assert len(token_requests(cloud)) == 2


def test_a_newly_configured_refresh_token_overrides_the_stores_old_chain(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    store = MemoryTokenStore()
    auth = make_auth(cloud, "refresh_token", store=store)
    auth.tokens_sync()
    # The family dies; a person signs in again and configures a new day-one token.
    cloud.identity.revoke_refresh_token(store.load(auth.key).refresh_token)  # type: ignore[union-attr]
    user = cloud.identity.login_user
    scopes = frozenset({"openid", "offline_access", "OrchestratorApiUserAccess"})
    fresh = cloud.identity.issue_refresh_token(cloud.defaults.public_client_id, user, scopes)
    d = cloud.defaults
    from client_under_test import RefreshTokenAuth

    again = RefreshTokenAuth(
        d.identity_url + "/connect/token",
        d.public_client_id,
        fresh,
        store=store,
        clock=cloud.clock,
        transport=cloud.transport(),
    )
    again.tokens_sync()
    assert _bodies(cloud)[-1]["refresh_token"] == fresh
    assert token_requests(cloud)[-1].status_code == 200


@pytest.mark.parametrize("kind", ["login_redirect", "login_html"])
def test_a_login_page_from_the_token_endpoint_is_an_error_never_a_token(
    make_cloud: Any, kind: str
) -> None:
    cloud = make_cloud("identity")
    cloud.faults.add(kind, route="identity.token", times=None)
    auth = make_auth(cloud, "refresh_token")
    with pytest.raises(TokenRequestError, match=r"login page|HTML") as info:
        auth.tokens_sync()
    assert info.value.status_code in (200, 302)
    assert len(cloud.journal) == 1  # the redirect was not followed
    assert auth._tokens is None or auth._tokens.access_token is None


def test_a_non_json_200_from_the_token_endpoint_is_an_error(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    cloud.faults.add(
        route="identity.token", status=200, body="ok", headers={"content-type": "text/plain"}
    )
    with pytest.raises(TokenRequestError, match="non-JSON"):
        make_auth(cloud, "client_credentials").tokens_sync()


def test_invalid_client_is_a_configuration_error_without_retry(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    d = cloud.defaults
    from client_under_test import ClientCredentialsAuth

    auth = ClientCredentialsAuth(
        d.identity_url + "/connect/token",
        d.client_id,
        "wrong-secret",
        clock=cloud.clock,
        transport=cloud.transport(),
    )
    with pytest.raises(ConfigurationError, match="invalid_client") as info:
        auth.tokens_sync()
    assert "wrong-secret" not in str(info.value)
    assert len(token_requests(cloud)) == 1


def test_token_endpoint_429_waits_retry_after_seconds_then_succeeds(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    cloud.faults.add(route="identity.token", status=429, retry_after=7)
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        cloud.clock.advance(seconds)

    tokens = make_auth(cloud, "client_credentials", sleep=sleep).tokens_sync()
    assert tokens.access_token
    assert slept == [7.0]
    assert [e.status_code for e in token_requests(cloud)] == [429, 200]


def test_token_endpoint_503_with_an_http_date_retry_after(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    when = formatdate(cloud.clock.time() + 42, usegmt=True)
    cloud.faults.add(route="identity.token", status=503, headers={"Retry-After": when})
    slept: list[float] = []
    make_auth(cloud, "client_credentials", sleep=slept.append).tokens_sync()
    assert slept == [42.0]


def test_token_endpoint_retries_are_bounded(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    cloud.faults.add(route="identity.token", status=503, retry_after=1, times=None)
    with pytest.raises(TokenRequestError, match="503"):
        make_auth(cloud, "client_credentials").tokens_sync()
    assert len(token_requests(cloud)) == 3


@pytest.mark.parametrize(
    "url",
    [
        "https://cloud.uipath.com/acme/Default",
        "https://platform.uipath.com/acme/Default",
        "https://staging.uipath.com/acme/Default",
    ],
)
def test_password_login_on_a_cloud_host_is_refused_before_any_request(
    make_cloud: Any, url: str
) -> None:
    cloud = make_cloud("identity")
    with pytest.raises(ConfigurationError, match="errorCode 1000") as info:
        PasswordAuth(url, "ada", "Correct-Horse-9", transport=cloud.transport())
    assert "Correct-Horse-9" not in str(info.value)
    assert "UIPATH_CLIENT_ID" in str(info.value)
    assert len(cloud.journal) == 0


def test_wrong_password_on_prem_says_so(make_cloud: Any) -> None:
    cloud = make_cloud("onprem")
    d = cloud.defaults
    auth = PasswordAuth(
        d.url, d.username, "nope-nope", clock=cloud.clock, transport=cloud.transport()
    )
    with pytest.raises(ConfigurationError, match="errorCode 1000") as info:
        auth.tokens_sync()
    assert "nope-nope" not in str(info.value)


# -- the httpx flow itself, driven by hand (httpx's tests/test_auth.py style) ------------------


def test_flow_refreshes_and_replays_once_on_401_then_gives_the_second_401_back(
    make_cloud: Any,
) -> None:
    cloud = make_cloud("identity")
    auth = make_auth(cloud, "refresh_token")
    request = httpx.Request("POST", "https://cloud.uipath.com/a/b/orchestrator_/odata/X", json={})
    flow = auth.sync_auth_flow(request)
    sent = next(flow)
    first_token = sent.headers["authorization"]
    replay = flow.send(httpx.Response(401, request=sent))
    assert replay.headers["authorization"] != first_token
    assert replay.content == b"{}"  # the body is replayed
    with pytest.raises(StopIteration):
        flow.send(httpx.Response(401, request=replay))
    assert len(token_requests(cloud)) == 2


def test_flow_does_not_refresh_on_success_or_403(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    auth = make_auth(cloud, "client_credentials")
    for status in (200, 403):
        flow = auth.sync_auth_flow(httpx.Request("GET", "https://cloud.uipath.com/a/b/x"))
        next(flow)
        with pytest.raises(StopIteration):
            flow.send(httpx.Response(status))
    assert len(token_requests(cloud)) == 1


async def test_async_flow_refreshes_and_replays_once(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    auth = make_auth(cloud, "refresh_token")
    flow = auth.async_auth_flow(httpx.Request("GET", "https://cloud.uipath.com/a/b/x"))
    sent = await flow.__anext__()
    token = sent.headers["authorization"]
    replay = await flow.asend(httpx.Response(401))
    assert replay.headers["authorization"] != token
    with pytest.raises(StopAsyncIteration):
        await flow.asend(httpx.Response(401))
    assert len(token_requests(cloud)) == 2


def test_a_static_token_is_never_refreshed() -> None:
    auth = StaticTokenAuth("pat-0123456789")
    flow = auth.sync_auth_flow(httpx.Request("GET", "https://cloud.uipath.com/a/b/x"))
    assert next(flow).headers["authorization"] == "Bearer pat-0123456789"
    with pytest.raises(StopIteration):
        flow.send(httpx.Response(401))
    assert "pat-0123456789" not in repr(auth)


# -- secrets ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("profile", "kind"), FLOWS)
def test_no_secret_in_reprs_or_debug_logs(
    make_cloud: Any, profile: str, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    cloud = make_cloud(profile)
    d = cloud.defaults
    caplog.set_level(logging.DEBUG, logger="client_under_test")
    auth = make_auth(cloud, kind)
    tokens = auth.tokens_sync()
    cloud.clock.advance(days=1)
    tokens2 = auth.tokens_sync()
    assert caplog.records, "the client logs what it does at DEBUG"
    secrets = [
        d.client_secret,
        d.refresh_token,
        d.user_key,
        d.password,
        tokens.access_token,
        tokens2.access_token,
        tokens.refresh_token,
        tokens.id_token,
    ]
    text = caplog.text + repr(auth) + repr(tokens) + repr(auth.store)
    for secret in filter(None, secrets):
        assert secret not in text


def test_no_lock_is_held_while_the_flow_is_suspended_at_a_yield(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    store = MemoryTokenStore()
    auth = make_auth(cloud, "refresh_token", store=store)
    flow = auth.sync_auth_flow(httpx.Request("GET", "https://cloud.uipath.com/a/b/x"))
    next(flow)  # a refresh just happened; the request is out
    assert store.acquire(blocking=False)  # free while the request is in flight
    store.release()
    flow.send(httpx.Response(401))  # refresh again, replay
    assert store.acquire(blocking=False)
    store.release()
    flow.close()  # an abandoned flow leaves nothing locked either
    assert store.acquire(blocking=False)
    store.release()


async def test_no_async_lock_is_held_while_the_flow_is_suspended(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    store = MemoryTokenStore()
    auth = make_auth(cloud, "refresh_token", store=store)
    flow = auth.async_auth_flow(httpx.Request("GET", "https://cloud.uipath.com/a/b/x"))
    await flow.__anext__()
    assert auth._alock is not None
    assert not auth._alock.locked()
    assert store.acquire(blocking=False)
    store.release()
    await flow.aclose()

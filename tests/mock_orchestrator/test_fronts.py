"""The fronts: handle(), transport() for sync and async clients, intercept() through respx."""

from __future__ import annotations

import json

import httpx
import pytest
import respx

from mock_orchestrator import MockCloud

from ._helpers import token_url


def _cc_form(cloud: MockCloud) -> dict[str, str]:
    d = cloud.defaults
    return {
        "grant_type": "client_credentials",
        "client_id": d.client_id,
        "client_secret": d.client_secret,
        "scope": "OR.Jobs",
    }


def test_handle_is_the_whole_server(cloud: MockCloud) -> None:
    request = httpx.Request("POST", token_url(cloud), data=_cc_form(cloud))
    response = cloud.handle(request)
    assert response.status_code == 200
    assert "access_token" in response.json()


async def test_transport_serves_async_clients(cloud: MockCloud) -> None:
    async with httpx.AsyncClient(transport=cloud.transport()) as client:
        response = await client.post(token_url(cloud), data=_cc_form(cloud))
    assert response.status_code == 200


def test_intercept_serves_a_plain_client_built_anywhere(cloud: MockCloud) -> None:
    # a client that knows nothing of the mock, like UiPath's SDK building its own
    with cloud.intercept(), httpx.Client() as client:
        response = client.post(token_url(cloud), data=_cc_form(cloud))
    assert response.status_code == 200
    assert cloud.journal[-1].route == "identity.token"


async def test_intercept_serves_async_clients(cloud: MockCloud) -> None:
    with cloud.intercept():
        async with httpx.AsyncClient() as client:
            response = await client.post(token_url(cloud), data=_cc_form(cloud))
    assert response.status_code == 200


def test_intercept_does_not_swallow_other_hosts(cloud: MockCloud) -> None:
    with (
        cloud.intercept(),
        httpx.Client() as client,
        pytest.raises(respx.models.AllMockedAssertionError),
    ):
        client.get("https://example.com/")


def test_journal_records_in_order_and_renders_redacted(cloud: MockCloud) -> None:
    with httpx.Client(transport=cloud.transport()) as client:
        token = client.post(token_url(cloud), data=_cc_form(cloud)).json()["access_token"]
        client.get(
            "https://cloud.uipath.com/identity_/connect/userinfo",
            headers={"Authorization": f"Bearer {token}"},
        )
    first, second = cloud.journal[0], cloud.journal[1]
    assert (first.seq, second.seq) == (1, 2)
    assert first.route == "identity.token"
    assert second.route == "identity.userinfo"
    dumped = json.dumps(cloud.journal.to_list())
    for secret in (cloud.defaults.client_secret, token):
        assert secret not in dumped
    assert "***(" in dumped
    assert cloud.journal.token_requests() == [first]
    assert cloud.journal.filter(status=200, method="GET") == [second]
    assert token not in repr(second)
    assert token not in repr(list(cloud.journal))


def test_identity_token_faults_in_the_dialect_of_the_trap(cloud: MockCloud) -> None:
    cloud.faults.add("login_redirect", route="identity.token")
    cloud.faults.add("login_html", route="identity.token")
    cloud.faults.add("drop", route="identity.token")
    with httpx.Client(transport=cloud.transport()) as client:
        redirect = client.post(token_url(cloud), data=_cc_form(cloud))
        html = client.post(token_url(cloud), data=_cc_form(cloud))
        with pytest.raises(httpx.RemoteProtocolError):
            client.post(token_url(cloud), data=_cc_form(cloud))
        normal = client.post(token_url(cloud), data=_cc_form(cloud))
    assert redirect.status_code == 302
    assert "/identity_/web/login" in redirect.headers["location"]
    assert html.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    assert normal.status_code == 200
    assert [e.fault is not None for e in cloud.journal] == [True, True, True, False]
    assert cloud.faults.pending() == []


def test_stall_times_out_on_the_clients_read_timeout(cloud: MockCloud) -> None:
    cloud.faults.add("stall", route="identity.token")
    before = cloud.clock.time()
    with (
        httpx.Client(transport=cloud.transport(), timeout=7) as client,
        pytest.raises(httpx.ReadTimeout),
    ):
        client.post(token_url(cloud), data=_cc_form(cloud))
    assert cloud.clock.time() - before == 7  # the wait happened on the world's clock


def test_reset_rebuilds_the_world_but_keeps_the_clock(cloud: MockCloud) -> None:
    with httpx.Client(transport=cloud.transport()) as client:
        client.post(token_url(cloud), data=_cc_form(cloud))
    cloud.clock.advance(hours=2)
    now = cloud.clock.time()
    old_secret = cloud.defaults.client_secret
    cloud.reset()
    assert len(cloud.journal) == 0
    assert cloud.clock.time() == now
    assert cloud.defaults.client_secret == old_secret  # same seed, same world


def test_same_seed_same_world_different_seed_different_secrets() -> None:
    assert MockCloud(seed=3).defaults == MockCloud(seed=3).defaults
    assert MockCloud(seed=3).defaults.client_secret != MockCloud(seed=4).defaults.client_secret


def test_defaults_repr_hides_secrets() -> None:
    cloud = MockCloud("legacy")
    text = repr(cloud.defaults)
    assert cloud.defaults.client_secret not in text
    assert (cloud.defaults.user_key or "") not in text
    assert cloud.defaults.redacted()["user_key"].startswith("***(")


def test_unknown_profile_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown profile"):
        MockCloud("saas")  # type: ignore[arg-type]


def test_rate_limit_is_a_world_setting_that_survives_reset() -> None:
    cloud = MockCloud(rate_limit_per_minute=None)
    assert cloud.orchestrator.rate_limit_per_minute is None
    cloud.reset()
    assert cloud.orchestrator.rate_limit_per_minute is None
    assert MockCloud(rate_limit_per_minute=7).orchestrator.rate_limit_per_minute == 7


def test_fault_latency_is_bounded(cloud: MockCloud) -> None:
    with pytest.raises(ValueError, match="latency"):
        cloud.faults.add("latency", route="identity.token", latency=1e308)
    with pytest.raises(ValueError, match="latency"):
        cloud.faults.add("latency", route="identity.token", latency=-1)


def test_a_fault_naming_no_route_is_refused(cloud: MockCloud) -> None:
    with pytest.raises(ValueError, match=r"no route labelled 'identity\.tokn'"):
        cloud.faults.add(route="identity.tokn", status=503)


def test_a_stall_without_client_timeout_is_flagged(cloud: MockCloud) -> None:
    fault = cloud.faults.add("stall", route="identity.token")
    with (
        httpx.Client(transport=cloud.transport(), timeout=None) as client,
        pytest.raises(httpx.ReadTimeout),
    ):
        client.post(token_url(cloud), data=_cc_form(cloud))
    assert fault.saw_no_timeout


def test_intercept_records_calls_and_passes_a_drop_through(cloud: MockCloud) -> None:
    cloud.faults.add("drop", route="identity.discovery")
    url = "https://cloud.uipath.com/identity_/.well-known/openid-configuration"
    with cloud.intercept() as router, httpx.Client() as client:
        with pytest.raises(httpx.RemoteProtocolError):
            client.get(url)
        assert client.get(url).status_code == 200
        assert client.get("https://account.uipath.com/.well-known/jwks.json").status_code == 200
        assert router.calls.call_count == 3  # respx's own record (reset when the block ends)
    assert [e.host for e in cloud.journal] == [
        "cloud.uipath.com",
        "cloud.uipath.com",
        "account.uipath.com",
    ]

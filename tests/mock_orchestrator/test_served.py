"""Served mode over real HTTP on loopback: the /_mock control plane, routing by path, faults."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from mock_orchestrator import MockCloud
from mock_orchestrator.served import serve_in_thread

Served = tuple[MockCloud, str, httpx.Client]


@pytest.fixture
def serve(make_cloud: Callable[..., MockCloud]) -> Iterator[Callable[..., Served]]:
    """Serve a fresh world (any profile); yields (cloud, base_url, client on that origin)."""
    stack: list[Any] = []

    def start(profile: str = "identity", **kwargs: Any) -> Served:
        stall_cap = kwargs.pop("stall_cap", 30.0)
        cloud = make_cloud(profile, **kwargs)
        cm = serve_in_thread(cloud, stall_cap=stall_cap)
        url = cm.__enter__()
        client = httpx.Client(base_url=url, trust_env=False, timeout=10.0)
        stack.append((cm, client))
        return cloud, url, client

    yield start
    for cm, client in reversed(stack):
        client.close()
        cm.__exit__(None, None, None)


@pytest.fixture
def served(serve: Callable[..., Served]) -> Served:
    return serve()


def _token_form(cloud: MockCloud, **extra: str) -> dict[str, str]:
    d = cloud.defaults
    return {
        "grant_type": "client_credentials",
        "client_id": d.client_id,
        "client_secret": d.client_secret,
        "scope": "OR.Jobs",
        **extra,
    }


# -- readiness and lifecycle ------------------------------------------------------------


def test_serve_yields_a_real_ephemeral_port_that_is_ready(served: Served) -> None:
    _cloud, url, client = served
    assert url.startswith("http://127.0.0.1:")
    assert int(url.rsplit(":", 1)[1]) > 0
    health = client.get("/_mock/health")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "profile": "identity", "seed": 0}


def test_the_port_is_closed_after_the_block(make_cloud: Callable[..., MockCloud]) -> None:
    with make_cloud().serve() as url, httpx.Client(trust_env=False) as client:
        assert client.get(url + "/_mock/health").status_code == 200
    with pytest.raises(httpx.ConnectError), httpx.Client(trust_env=False) as client:
        client.get(url + "/_mock/health")


def test_two_worlds_serve_side_by_side(serve: Callable[..., Served]) -> None:
    _, url_a, client_a = serve("identity", seed=1)
    _, url_b, client_b = serve("legacy", seed=2)
    assert url_a != url_b
    assert client_a.get("/_mock/health").json()["profile"] == "identity"
    assert client_b.get("/_mock/health").json()["profile"] == "legacy"


# -- the control plane --------------------------------------------------------------------


def test_defaults_are_rebased_on_the_served_origin(serve: Callable[..., Served]) -> None:
    cloud, url, client = serve("legacy")
    body = client.get("/_mock/defaults").json()
    d = cloud.defaults
    assert body["url"] == f"{url}/{d.organization}/{d.tenant}"
    assert body["legacy_token_url"] == f"{url}/oauth/token"
    assert body["user_key"] == d.user_key  # configuration for a client: secrets included
    assert body["folder_key"] == d.folder_key


def test_clock_advances_by_exactly_what_was_asked(served: Served) -> None:
    cloud, _, client = served
    before = cloud.clock.time()
    answer = client.post("/_mock/clock", json={"advance_seconds": 90.5})
    assert answer.status_code == 200
    assert answer.json()["now"] == before + 90.5 == cloud.clock.time()
    assert answer.json()["iso"].startswith("2026-01-05T09:01:30.5")
    assert client.get("/_mock/clock").json()["now"] == before + 90.5


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b'{"advance_seconds": -1}', "negative"),
        (b'{"advance_seconds": "60"}', "a string"),
        (b'{"advance_seconds": true}', "a boolean"),
        (b'{"advance_seconds": NaN}', "not finite"),
        (b"{}", "missing"),
        (b'{"advance_seconds": 1, "seconds": 2}', "an unknown field"),
        (b"[60]", "not an object"),
        (b"\xff\xfe garbage", "not JSON"),
        (b"", "empty"),
    ],
)
def test_clock_refuses_bad_input_with_a_json_400(served: Served, body: bytes, why: str) -> None:
    cloud, _, client = served
    before = cloud.clock.time()
    answer = client.post("/_mock/clock", content=body)
    assert answer.status_code == 400, why
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.json()["error"] == "bad_request"
    assert answer.json()["message"]
    assert cloud.clock.time() == before


def test_journal_lists_exchanges_redacted_and_since(served: Served) -> None:
    cloud, _, client = served
    for _ in range(2):
        assert client.post("/identity_/connect/token", data=_token_form(cloud)).status_code == 200
    entries = client.get("/_mock/journal").json()
    assert [e["route"] for e in entries] == ["identity.token", "identity.token"]
    assert entries[0]["site"] == "served"
    text = json.dumps(entries)
    assert cloud.defaults.client_secret not in text
    token = cloud.journal[0].response.json()["access_token"]  # type: ignore[union-attr]
    assert token not in text
    assert [e["seq"] for e in client.get("/_mock/journal?since=1").json()] == [2]
    bad = client.get("/_mock/journal?since=-1")
    assert bad.status_code == 400
    assert bad.json()["error"] == "bad_request"


def test_control_requests_are_not_journaled(served: Served) -> None:
    cloud, _, client = served
    client.get("/_mock/health")
    client.get("/_mock/defaults")
    client.post("/_mock/clock", json={"advance_seconds": 1})
    assert len(cloud.journal) == 0
    assert client.get("/_mock/journal").json() == []


def test_faults_can_be_added_listed_and_cleared(served: Served) -> None:
    cloud, _, client = served
    added = client.post(
        "/_mock/faults",
        json={"route": "identity.token", "status": 503, "retry_after": 0, "times": 2},
    )
    assert added.status_code == 201
    assert added.json()["times"] == 2
    assert added.json()["fired"] == 0
    first = client.post("/identity_/connect/token", data=_token_form(cloud))
    assert first.status_code == 503
    assert first.headers["retry-after"] == "0"
    listed = client.get("/_mock/faults").json()
    assert [(f["seen"], f["fired"]) for f in listed] == [(1, 1)]
    cleared = client.delete("/_mock/faults")
    assert cleared.json() == {"cleared": 1}
    assert client.post("/identity_/connect/token", data=_token_form(cloud)).status_code == 200


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ({"kind": "explode", "route": "identity.token"}, "unknown fault kind"),
        ({"status": 503}, "route label or a path"),
        ({"path": "([", "status": 503}, "regex"),
        ({"route": "identity.token", "status": 99}, "'status'"),
        ({"route": "identity.token", "status": "503"}, "'status'"),
        ({"route": "identity.token", "times": -1}, "'times'"),
        ({"route": "identity.token", "probability": 2}, "'probability'"),
        ({"route": "identity.token", "headers": {"Retry-After": 1}}, "'headers'"),
        ({"route": "identity.token", "headers": {"bad name": "x"}}, "cannot be sent"),
        ({"route": "identity.token", "headers": {"x": "a\r\nb"}}, "cannot be sent"),
        ({"route": "identity.token", "colour": "red"}, "unknown fault field"),
    ],
)
def test_bad_fault_specs_get_a_json_400(served: Served, spec: dict[str, Any], words: str) -> None:
    cloud, _, client = served
    answer = client.post("/_mock/faults", json=spec)
    assert answer.status_code == 400
    assert answer.json()["error"] == "bad_request"
    assert words in answer.json()["message"]
    assert list(cloud.faults) == []


def test_a_fault_body_that_is_not_an_object_is_refused(served: Served) -> None:
    _, _, client = served
    for body in (b"[]", b"null", b"not json"):
        answer = client.post("/_mock/faults", content=body)
        assert answer.status_code == 400
        assert answer.json()["error"] == "bad_request"


def test_reset_rebuilds_the_world(served: Served) -> None:
    cloud, _, client = served
    d = cloud.defaults
    form = {
        "grant_type": "refresh_token",
        "client_id": d.public_client_id,
        "refresh_token": d.refresh_token or "",
    }
    assert client.post("/identity_/connect/token", data=form).status_code == 200
    assert client.post("/identity_/connect/token", data=form).status_code == 400  # consumed
    client.post("/_mock/faults", json={"route": "identity.token", "status": 500})
    answer = client.post("/_mock/reset")
    assert answer.status_code == 200
    assert answer.json()["status"] == "reset"
    assert len(cloud.journal) == 0
    assert list(cloud.faults) == []
    # Same seed, same world: the default refresh token is fresh again, and no fault fires.
    assert cloud.defaults.refresh_token == d.refresh_token
    assert client.post("/identity_/connect/token", data=form).status_code == 200


def test_unknown_control_endpoint_is_a_json_404_listing_the_real_ones(served: Served) -> None:
    _, _, client = served
    answer = client.get("/_mock/nope")
    assert answer.status_code == 404
    assert "GET /_mock/health" in answer.json()["message"]
    wrong = client.put("/_mock/clock", json={})
    assert wrong.status_code == 405
    assert wrong.headers["allow"] == "GET, POST"


# -- the emulated hosts, by path ------------------------------------------------------------


def test_identity_token_is_served_by_path(served: Served) -> None:
    cloud, _, client = served
    answer = client.post("/identity_/connect/token", data=_token_form(cloud))
    assert answer.status_code == 200
    assert answer.json()["token_type"] == "Bearer"
    (exchange,) = cloud.journal
    assert exchange.route == "identity.token"
    assert exchange.request.url.host == "127.0.0.1"
    org_scoped = client.post(
        f"/{cloud.defaults.organization}/identity_/connect/token", data=_token_form(cloud)
    )
    assert org_scoped.status_code == 200


def test_the_cloud_login_trap_is_served(served: Served) -> None:
    cloud, _, client = served
    d = cloud.defaults
    answer = client.post(
        f"/{d.organization}/{d.tenant}/api/Account/Authenticate",
        json={"tenancyName": d.tenant, "usernameOrEmailAddress": "ada", "password": "x"},
    )
    assert answer.status_code == 400
    assert answer.json() == {
        "message": "Invalid credentials, failed to login.",
        "errorCode": 1000,
        "resourceIds": None,
    }
    assert cloud.journal[0].route == "identity.cloud_login_trap"


def test_legacy_oauth_token_and_cloudrpa_are_served(serve: Callable[..., Served]) -> None:
    cloud, _, client = serve("legacy")
    d = cloud.defaults
    answer = client.post(
        "/oauth/token",
        json={
            "grant_type": "refresh_token",
            "client_id": d.legacy_client_id,
            "refresh_token": d.user_key,
        },
    )
    assert answer.status_code == 200, answer.text
    assert "access_token" in answer.json()
    lookup = client.get(
        "/cloudrpa/api/getAccountsForUser",
        headers={"Authorization": "Bearer " + answer.json()["id_token"]},
    )
    assert lookup.status_code == 200, lookup.text
    assert lookup.json()["accounts"][0]["accountLogicalName"] == d.organization
    assert [e.route for e in cloud.journal] == ["legacy.token", "legacy.accounts_for_user"]


def test_onprem_authenticate_is_served(serve: Callable[..., Served]) -> None:
    cloud, _, client = serve("onprem")
    d = cloud.defaults
    answer = client.post(
        "/api/Account/Authenticate",
        json={
            "tenancyName": d.tenant,
            "usernameOrEmailAddress": d.username,
            "password": d.password,
        },
    )
    assert answer.status_code == 200
    assert answer.json()["success"] is True
    assert cloud.journal[0].route == "onprem.authenticate"


def test_unknown_route_is_a_404_and_explains_itself_in_the_journal(served: Served) -> None:
    cloud, _, client = served
    answer = client.get("/no/such/thing/here")
    assert answer.status_code == 404
    assert "no route for GET /no/such/thing/here" in (cloud.journal[0].error or "")


def test_responses_carry_the_world_clock_in_date(served: Served) -> None:
    cloud, _, client = served
    cloud.clock.advance(days=3)
    answer = client.post("/identity_/connect/token", data=_token_form(cloud))
    assert answer.headers["date"] == "Thu, 08 Jan 2026 09:00:00 GMT"
    assert "server" not in answer.headers


def test_an_answer_keeps_its_own_date_and_never_its_hop_headers(served: Served) -> None:
    """The front writes the body's true length and one Date; a fault's own Date wins, its
    Content-Length, Transfer-Encoding and Connection never reach the wire."""
    cloud, _, client = served
    cloud.faults.add(
        route="identity.token",
        status=503,
        body={"message": "busy"},
        headers={
            "Date": "Mon, 05 Jan 2026 00:00:00 GMT",
            "Content-Length": "999",
            "Transfer-Encoding": "chunked",
            "Connection": "keep-alive",
            "X-Kept": "yes",
        },
    )
    answer = client.post("/identity_/connect/token", data=_token_form(cloud))
    assert answer.status_code == 503
    assert answer.headers.get_list("date") == ["Mon, 05 Jan 2026 00:00:00 GMT"]
    assert answer.headers.get_list("content-length") == [str(len(answer.content))]
    assert "transfer-encoding" not in answer.headers
    assert answer.headers["x-kept"] == "yes"
    assert answer.json() == {"message": "busy"}


# -- CORS on the token endpoint (the CLI's login page fetches it from a browser) ---------


@pytest.mark.parametrize(
    "origin", ["http://localhost:8104", "http://127.0.0.1:42042", "http://[::1]:9000"]
)
def test_token_endpoint_allows_loopback_origins(served: Served, origin: str) -> None:
    cloud, _, client = served
    answer = client.post(
        "/identity_/connect/token", data=_token_form(cloud), headers={"Origin": origin}
    )
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == origin
    assert "Origin" in answer.headers["vary"]


@pytest.mark.parametrize("origin", ["https://evil.example", "null", "http://localhost.evil:80"])
def test_token_endpoint_refuses_other_origins(served: Served, origin: str) -> None:
    cloud, _, client = served
    answer = client.post(
        "/identity_/connect/token", data=_token_form(cloud), headers={"Origin": origin}
    )
    assert "access-control-allow-origin" not in answer.headers


def test_preflight_is_answered_for_loopback(served: Served) -> None:
    cloud, _, client = served
    answer = client.options(
        "/identity_/connect/token",
        headers={
            "Origin": "http://localhost:8104",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert answer.status_code == 204
    assert answer.headers["access-control-allow-origin"] == "http://localhost:8104"
    assert "POST" in answer.headers["access-control-allow-methods"]
    assert answer.headers["access-control-allow-headers"] == "content-type"
    assert len(cloud.journal) == 0


def test_other_paths_get_no_cors(served: Served) -> None:
    _cloud, _, client = served
    answer = client.get(
        "/identity_/.well-known/openid-configuration", headers={"Origin": "http://localhost:1"}
    )
    assert answer.status_code == 200
    assert "access-control-allow-origin" not in answer.headers


# -- faults over real HTTP -----------------------------------------------------------------


def test_response_fault_over_http(served: Served) -> None:
    cloud, _, client = served
    cloud.faults.add(route="identity.token", status=503, retry_after=7)
    answer = client.post("/identity_/connect/token", data=_token_form(cloud))
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "7"
    assert answer.json()["errorCode"] == 0
    assert cloud.journal[0].fault == "response:503@identity.token"


def test_drop_fault_closes_the_connection_without_a_response(served: Served) -> None:
    cloud, _, client = served
    cloud.faults.add("drop", route="identity.token")
    with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
        client.post("/identity_/connect/token", data=_token_form(cloud))
    assert cloud.journal[0].fault == "drop@identity.token"
    assert cloud.journal[0].response is None
    # The server carries on: the next request is answered.
    assert client.post("/identity_/connect/token", data=_token_form(cloud)).status_code == 200


def test_stall_fault_holds_until_the_client_times_out(served: Served) -> None:
    cloud, _, client = served
    cloud.faults.add("stall", route="identity.token")
    before = cloud.clock.time()
    with pytest.raises(httpx.ReadTimeout):
        client.post("/identity_/connect/token", data=_token_form(cloud), timeout=0.3)
    assert cloud.journal[0].fault == "stall@identity.token"
    assert cloud.clock.time() == before  # real time passed, not the world's
    assert client.post("/identity_/connect/token", data=_token_form(cloud)).status_code == 200


def test_stall_is_capped_then_the_connection_closes(serve: Callable[..., Served]) -> None:
    cloud, _, client = serve(stall_cap=0.2)
    cloud.faults.add("stall", route="identity.token")
    with pytest.raises(httpx.RemoteProtocolError):
        client.post("/identity_/connect/token", data=_token_form(cloud), timeout=10)


def test_shutdown_releases_a_stalled_response(make_cloud: Callable[..., MockCloud]) -> None:
    cloud = make_cloud()
    cloud.faults.add("stall", route="identity.token")
    outcome: list[BaseException] = []
    entered = threading.Event()

    def call(url: str) -> None:
        with httpx.Client(trust_env=False, timeout=None) as client:
            entered.set()
            try:
                client.post(url + "/identity_/connect/token", data=_token_form(cloud))
            except httpx.HTTPError as exc:
                outcome.append(exc)

    with cloud.serve() as url:
        worker = threading.Thread(target=call, args=(url,))
        worker.start()
        assert entered.wait(5)
        # Wait (bounded, on the journal, not the clock) until the request is being held.
        pause = threading.Event()
        for _ in range(500):
            if len(cloud.journal):
                break
            pause.wait(0.01)
        assert len(cloud.journal) == 1, "the stalled request never reached the world"
    worker.join(10)
    assert not worker.is_alive()
    assert len(outcome) == 1
    assert isinstance(outcome[0], httpx.RemoteProtocolError)


def test_login_trap_faults_over_http(served: Served) -> None:
    cloud, url, client = served
    cloud.faults.add("login_redirect", route="identity.token")
    cloud.faults.add("login_html", route="identity.token")
    redirect = client.post("/identity_/connect/token", data=_token_form(cloud))
    assert redirect.status_code == 302
    assert redirect.headers["location"].startswith(url + "/identity_/web/login")
    page = client.post("/identity_/connect/token", data=_token_form(cloud))
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")


def test_latency_fault_moves_the_world_clock_only(served: Served) -> None:
    cloud, _, client = served
    cloud.faults.add("latency", route="identity.token", latency=45)
    before = cloud.clock.time()
    answer = client.post("/identity_/connect/token", data=_token_form(cloud))
    assert answer.status_code == 200
    assert cloud.clock.time() == before + 45


# -- the later endpoints, over real HTTP ------------------------------------------------


def test_a_queue_transaction_round_trip_over_loopback(served: Served) -> None:
    cloud, _url, client = served
    answer = client.post("/identity_/connect/token", data=_token_form(cloud, scope="OR.Queues"))
    headers = {
        "Authorization": f"Bearer {answer.json()['access_token']}",
        "X-UIPATH-FolderPath": "Shared",
    }
    base = f"/{cloud.defaults.organization}/{cloud.defaults.tenant}/orchestrator_/odata"
    empty = client.post(
        base + "/Queues/UiPathODataSvc.StartTransaction",
        headers=headers,
        json={"transactionData": {"Name": cloud.defaults.queue}},
    )
    assert (empty.status_code, empty.content) == (204, b"")
    taken = client.post(
        base + "/Queues/UiPathODataSvc.StartTransaction",
        headers=headers,
        json={"transactionData": {"Name": cloud.defaults.queue, "SpecificContent": {"a": 1}}},
    )
    assert taken.status_code == 200
    assert taken.json()["Status"] == "InProgress"
    done = client.post(
        f"{base}/Queues({taken.json()['Id']})/UiPathODataSvc.SetTransactionResult",
        headers=headers,
        json={"transactionResult": {"IsSuccessful": True}},
    )
    assert (done.status_code, done.content) == (200, b"")
    wrong = client.get(base + "/Queues/UiPathODataSvc.StartTransaction", headers=headers)
    assert (wrong.status_code, wrong.headers["allow"]) == (405, "POST")

"""The token hold that makes single flight a verdict, not luck: in process and served alike,
the first token request of a burst waits for the second (or its bound), and the served app
keeps answering everyone else meanwhile."""

from __future__ import annotations

import threading

import httpx

from conformance._world import TokenHold
from mock_orchestrator import MockCloud


def _token_request(base: str, cloud: MockCloud, box: dict[str, int]) -> None:
    d = cloud.defaults.rebased(base)
    with httpx.Client(trust_env=False, timeout=30) as http:
        response = http.post(
            f"{d.identity_url}/connect/token",
            data={
                "grant_type": "client_credentials",
                "client_id": d.client_id,
                "client_secret": d.client_secret,
                "scope": d.scopes,
            },
        )
    box["status"] = response.status_code


def test_served_the_held_request_does_not_stop_the_loop_and_a_second_releases_it() -> None:
    cloud = MockCloud("identity")
    hold = TokenHold(window=20.0)
    cloud.handle = hold.wrap(cloud.handle)  # type: ignore[method-assign]
    hold.arm()
    with cloud.serve() as base:
        first: dict[str, int] = {}
        held = threading.Thread(target=_token_request, args=(base, cloud, first))
        held.start()
        with httpx.Client(trust_env=False, timeout=30) as http:
            # Anything else is answered while the first token request is held...
            while not hold.held:
                http.get(base + "/_mock/health")
            assert http.get(base + "/_mock/health").status_code == 200
            assert held.is_alive(), "the held request must still be waiting"
        # ... and a second token request releases it at once, long before its bound.
        second: dict[str, int] = {}
        _token_request(base, cloud, second)
        held.join(10)
        assert not held.is_alive()
    assert first == second == {"status": 200}
    assert hold.held == 1


def test_in_process_the_first_waits_for_the_second() -> None:
    cloud = MockCloud("identity")
    hold = TokenHold(window=20.0)
    handle = hold.wrap(cloud.handle)
    hold.arm()
    d = cloud.defaults
    form = {
        "grant_type": "client_credentials",
        "client_id": d.client_id,
        "client_secret": d.client_secret,
        "scope": d.scopes,
    }
    request = httpx.Request("POST", f"{d.identity_url}/connect/token", data=form)
    answers: list[int] = []
    waiting = threading.Thread(target=lambda: answers.append(handle(request).status_code))
    waiting.start()
    while not hold.held:
        threading.Event().wait(0.001)
    assert waiting.is_alive()
    answers.append(handle(httpx.Request("POST", request.url, data=form)).status_code)
    waiting.join(10)
    assert answers == [200, 200]

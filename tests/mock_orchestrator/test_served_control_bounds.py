"""Control-plane input at its edges: a clear 400 (or a well-formed answer), never a 500."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from mock_orchestrator import MockCloud
from mock_orchestrator.served import serve_in_thread


@pytest.fixture
def served(make_cloud: Callable[..., MockCloud]) -> Iterator[tuple[MockCloud, httpx.Client]]:
    cloud = make_cloud("identity")
    with serve_in_thread(cloud) as base_url, httpx.Client(base_url=base_url) as client:
        yield cloud, client


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/_mock/journal?since=%C2%B2", None),  # "²" is a digit to str.isdigit()
        ("POST", "/_mock/clock", {"advance_seconds": 1e308}),
        ("POST", "/_mock/faults", {"route": "identity.token", "status": 100}),
        ("POST", "/_mock/faults", {"route": "identity.token", "kind": "latency", "latency": 1e308}),
    ],
)
def test_out_of_range_control_input_is_a_400(
    served: tuple[MockCloud, httpx.Client], method: str, path: str, body: object
) -> None:
    cloud, client = served
    response = client.request(method, path, json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "bad_request"
    assert not cloud.internal_errors


@pytest.mark.parametrize("status", [204, 304])
def test_bodiless_fault_statuses_are_sent_without_a_body(
    served: tuple[MockCloud, httpx.Client], status: int
) -> None:
    _, client = served
    added = client.post(
        "/_mock/faults",
        json={"route": "identity.discovery", "status": status, "body": {"ignored": True}},
    )
    assert added.status_code in (200, 201), added.text
    faulted = client.get("/identity_/.well-known/openid-configuration")
    assert faulted.status_code == status
    assert faulted.content == b""
    # the connection survived: the next request on it is served normally
    assert client.get("/identity_/.well-known/openid-configuration").status_code == 200


# -- huge numbers (issue 13): a 400 or a well-formed answer, never a 500 -------------------------


@pytest.mark.parametrize(
    ("path", "field", "extra"),
    [
        ("/_mock/clock", "advance_seconds", {}),
        ("/_mock/faults", "times", {"route": "identity.token"}),
        ("/_mock/faults", "after", {"route": "identity.token"}),
        ("/_mock/faults", "retry_after", {"route": "identity.token"}),
        ("/_mock/faults", "status", {"route": "identity.token"}),
        ("/_mock/faults", "latency", {"route": "identity.token", "kind": "latency"}),
        ("/_mock/faults", "probability", {"route": "identity.token"}),
    ],
)
@pytest.mark.parametrize("digits", [19, 400, 4300, 5000])
def test_huge_numbers_in_control_bodies_are_never_a_500(
    served: tuple[MockCloud, httpx.Client],
    path: str,
    field: str,
    extra: dict[str, object],
    digits: int,
) -> None:
    cloud, client = served
    body = '{"%s": %s%s}' % (  # noqa: UP031  (the number is written out: json.dumps would refuse)
        field,
        "9" * digits,
        "".join(f', "{k}": "{v}"' for k, v in extra.items()),
    )
    answer = client.post(path, content=body, headers={"content-type": "application/json"})
    assert answer.status_code in (200, 201, 400), answer.text[:200]
    assert not cloud.internal_errors
    for query in (f"since={'9' * digits}", f"since=-{'9' * digits}"):
        assert client.get(f"/_mock/journal?{query}").status_code in (200, 400)
    assert not cloud.internal_errors

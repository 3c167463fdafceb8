"""The journal's memory is bounded: a cap on kept exchanges and on each body's kept length."""

from __future__ import annotations

import gc
import json
import tracemalloc
from collections.abc import Callable

import httpx
import pytest

from mock_orchestrator import Journal, MockCloud

from ._orch_helpers import app_token


def _get_jobs(cloud: MockCloud, client: httpx.Client, token: str, times: int) -> None:
    url = f"{cloud.defaults.url}/orchestrator_/odata/Folders"
    headers = {"Authorization": f"Bearer {token}"}
    for _ in range(times):
        assert client.get(url, headers=headers).status_code == 200


def test_the_journal_keeps_the_newest_exchanges_up_to_its_limit(
    make_cloud: Callable[..., MockCloud],
) -> None:
    cloud = make_cloud(journal_limit=5)
    with httpx.Client(transport=cloud.transport()) as client:
        token = app_token(cloud, client)  # exchange 1
        _get_jobs(cloud, client, token, 7)  # exchanges 2..8
    assert len(cloud.journal) == 5
    assert cloud.journal.total == 8
    assert [e.seq for e in cloud.journal] == [4, 5, 6, 7, 8]
    assert [e.seq for e in cloud.journal.since(6)] == [7, 8]
    assert cloud.journal.since(8) == []
    assert [e.seq for e in cloud.journal.since(0)] == [4, 5, 6, 7, 8]
    assert [d["seq"] for d in cloud.journal.to_list(since=7)] == [8]


def test_clearing_keeps_the_numbering_so_a_pollers_since_stays_valid(
    make_cloud: Callable[..., MockCloud],
) -> None:
    cloud = make_cloud()
    with httpx.Client(transport=cloud.transport()) as client:
        token = app_token(cloud, client)
        cloud.journal.clear()
        _get_jobs(cloud, client, token, 2)
    assert [e.seq for e in cloud.journal] == [2, 3]


def test_a_long_body_is_kept_cut_with_a_marker(make_cloud: Callable[..., MockCloud]) -> None:
    cloud = make_cloud()
    big = "x" * 100_000
    with httpx.Client(transport=cloud.transport()) as client:
        sent = client.post(
            f"{cloud.defaults.identity_url}/connect/token",
            data={"grant_type": "client_credentials", "client_id": big},
        )
    assert sent.status_code in (400, 401)
    entry = cloud.journal[-1]
    limit = cloud.journal.body_limit
    assert limit is not None
    assert len(entry.request.content) < limit + 100
    assert entry.request.content.endswith(b"[uipath-mock: truncated, 100040 bytes]")
    rendered = json.dumps(entry.to_dict())
    assert "truncated, 100040 bytes" in rendered
    assert len(rendered) < limit + 2000


def test_the_caller_gets_the_whole_response_even_when_the_journal_cuts_it() -> None:
    journal = Journal(body_limit=10)
    cloud = MockCloud()
    cloud.journal = journal
    body = cloud.handle(
        httpx.Request("GET", "https://cloud.uipath.com/identity_/.well-known/openid-configuration")
    )
    assert len(body.content) > 100  # the client's copy is whole
    kept = journal[-1].response
    assert kept is not None
    assert kept.content.startswith(body.content[:10] + b"... [uipath-mock: truncated")


@pytest.mark.parametrize("bad", [0, -1])
def test_a_limit_below_one_is_refused(bad: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Journal(limit=bad)


def test_memory_stays_flat_once_the_journal_is_full(make_cloud: Callable[..., MockCloud]) -> None:
    # Without the cap each exchange keeps about 6 KB: 1,200 more would be ~7 MB.
    cloud = make_cloud(journal_limit=100, rate_limit_per_minute=None)
    with httpx.Client(transport=cloud.transport()) as client:
        token = app_token(cloud, client)
        _get_jobs(cloud, client, token, 300)  # the journal is full (and warm) from here on
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            _get_jobs(cloud, client, token, 1200)
            gc.collect()
            grown = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
    assert grown < 1_500_000, f"grew {grown} bytes over 1,200 requests"
    assert len(cloud.journal) == 100

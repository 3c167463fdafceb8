"""Thirty days, one job an hour, on the mock's clock, for every profile: every job starts and
finishes, no call fails, no 401 is ever seen (the proactive margin), and the token endpoint sees
exactly the refreshes the lifetimes imply. How long it takes is measured by
``bench/simulation.py`` (``tox -e bench``), never asserted here."""

from __future__ import annotations

import math
from typing import Any

import pytest

from client_under_test.stores import MIN_MARGIN

from .conftest import make_client, token_requests

DAYS = 30
HOURS = DAYS * 24


def expected_refreshes(lifetime: float, hours: int = HOURS) -> int:
    """Token requests for one job an hour: a token serves until ``lifetime - margin``."""
    usable = lifetime - max(MIN_MARGIN, lifetime / 10)
    period = max(1, math.ceil(usable / 3600))  # hours one token lasts, counted in jobs
    return math.ceil(hours / period)


@pytest.mark.parametrize(
    ("profile", "kind", "lifetime"),
    [
        ("identity", "refresh_token", 3600),
        ("identity", "client_credentials", 3600),
        ("legacy", "user_key", 86400),
        ("onprem", "password", 1800),
    ],
)
def test_thirty_days_one_job_an_hour(
    make_cloud: Any, profile: str, kind: str, lifetime: int
) -> None:
    cloud = make_cloud(profile)
    assert cloud.settings.access_token_lifetime == lifetime
    start = cloud.clock.time()
    states = []
    with make_client(cloud, kind) as client:
        for hour in range(HOURS):
            cloud.clock.move_to(start + hour * 3600)
            job = client.start_job(cloud.defaults.process, cloud.defaults.folder, {"hour": hour})
            states.append(client.wait_for_job(job).state)
    assert states == ["Successful"] * HOURS
    failed = [e for e in cloud.journal if e.status_code is None or e.status_code >= 400]
    assert failed == []  # no call failed, and not a single 401
    assert len(token_requests(cloud)) == expected_refreshes(lifetime)
    assert len(cloud.journal.filter(route="orchestrator.start_jobs")) == HOURS


def test_expected_refreshes_match_the_issue() -> None:
    assert expected_refreshes(86400) == 33  # "about 30" for legacy (a 24 h token, 2.4 h margin)
    assert expected_refreshes(3600) == 720  # "about 720" for identity
    assert expected_refreshes(1800) == 720

"""Fixtures shared by the kit's own tests: a fresh world per test, and a check that the mock
never answered with a 500 of its own making (``cloud.internal_errors``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, settings

from mock_orchestrator import MockCloud

# CI machines have two cores and run the suite under xdist: data generation may be slow there
# for reasons that say nothing about the code. Time limits belong to the benchmark, not here.
settings.register_profile("kit", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("kit")


@pytest.fixture
def make_cloud() -> Iterator[Callable[..., MockCloud]]:
    """Build worlds; at teardown, fail if any of them hit an internal error."""
    made: list[MockCloud] = []

    def build(profile: str = "identity", **kwargs: Any) -> MockCloud:
        cloud = MockCloud(profile, **kwargs)  # type: ignore[arg-type]
        made.append(cloud)
        return cloud

    yield build
    for cloud in made:
        assert not cloud.internal_errors, "uipath-mock: internal errors:\n" + "\n".join(
            cloud.internal_errors
        )


@pytest.fixture
def cloud(make_cloud: Callable[..., MockCloud]) -> MockCloud:
    return make_cloud("identity")


@pytest.fixture
def client(cloud: MockCloud) -> Iterator[httpx.Client]:
    with httpx.Client(transport=cloud.transport(), follow_redirects=False) as c:
        yield c

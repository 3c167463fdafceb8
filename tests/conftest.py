"""Fixtures shared by the kit's own tests: a fresh world per test, and a check that no world a
test builds answered with a 500 of its own making (``cloud.internal_errors``)."""

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


@pytest.fixture(autouse=True)
def worlds_made(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[MockCloud]]:
    """Every world a test builds, however it builds it, is checked at teardown: a 500 of the
    mock's own making (``cloud.internal_errors``) fails the test that caused it."""
    made: list[MockCloud] = []
    build = MockCloud.__init__

    def tracked(self: MockCloud, *args: Any, **kwargs: Any) -> None:
        build(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(MockCloud, "__init__", tracked)
    yield made
    errors = [error for cloud in made for error in cloud.internal_errors]
    assert not errors, "uipath-mock: internal errors:\n" + "\n".join(errors)


@pytest.fixture
def make_cloud() -> Callable[..., MockCloud]:
    """Build worlds (each one checked at teardown like every other world of the test)."""

    def build(profile: str = "identity", **kwargs: Any) -> MockCloud:
        return MockCloud(profile, **kwargs)  # type: ignore[arg-type]

    return build


@pytest.fixture
def cloud(make_cloud: Callable[..., MockCloud]) -> MockCloud:
    return make_cloud("identity")


@pytest.fixture
def client(cloud: MockCloud) -> Iterator[httpx.Client]:
    with httpx.Client(transport=cloud.transport(), follow_redirects=False) as c:
        yield c

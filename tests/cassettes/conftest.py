"""pytest-recording, configured the kit's way, for the cassette replay tests.

pytest-recording (0.14) registers itself; these fixtures override its defaults:
cassettes live at ``cassettes/<test_module>/<test_name>.yaml`` in the repository's
``cassettes`` package, both targets of a parametrized test share one cassette, and the
kit's scrubbing and matching apply. The record mode comes from ``--record-mode``, whose
default is ``none``: CI replays and never records.
"""

from __future__ import annotations

from typing import Any

import pytest

from cassettes import CASSETTE_ROOT, register_matchers
from cassettes import vcr_config as kit_vcr_config


@pytest.fixture
def vcr_config() -> dict[str, Any]:
    return kit_vcr_config()


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    return str(CASSETTE_ROOT / request.module.__name__.rsplit(".", 1)[-1])


@pytest.fixture
def default_cassette_name(request: pytest.FixtureRequest) -> str:
    # The test's own name without "[replay]"/"[mock]": the targets share the recording.
    name: str = request.node.originalname
    return f"{request.cls.__name__}.{name}" if request.cls else name


def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
    register_matchers(vcr)

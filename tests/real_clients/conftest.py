"""UiPath's own clients against the mock: the ``uipath`` CLI and the ``uipath-platform`` SDK.

These run in ``tox -e real-clients`` (versions pinned there: uipath==2.14.44,
uipath-platform==0.2.41). Where those packages are not installed (the main test env), this
directory is not collected, and says so in the header; ``tox -e real-clients`` sets
``ORCHESTRATOR_KIT_REAL_CLIENTS=required`` so that a missing package there is an error, never
a silent pass.

Nothing here may reach the network: the SDK runs in-process behind ``cloud.intercept()``
(respx refuses every other host), and the CLI runs as a subprocess against a loopback server
with telemetry and tracing off.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from mock_orchestrator import MockCloud

# Before anything imports uipath: its telemetry exporters must never try the internet.
os.environ["UIPATH_TELEMETRY_ENABLED"] = "false"
os.environ["UIPATH_TRACING_ENABLED"] = "false"

_INSTALLED = importlib.util.find_spec("uipath") is not None and (
    importlib.util.find_spec("uipath.platform") is not None
)
if not _INSTALLED:
    if os.environ.get("ORCHESTRATOR_KIT_REAL_CLIENTS") == "required":
        raise RuntimeError(
            "uipath / uipath-platform are not installed, but ORCHESTRATOR_KIT_REAL_CLIENTS="
            "required: the real-clients env is broken"
        )
    collect_ignore_glob = ["test_*.py"]


def pytest_report_header(config: pytest.Config) -> str:
    if _INSTALLED:
        from importlib.metadata import version

        return (
            f"real clients: uipath {version('uipath')}, "
            f"uipath-platform {version('uipath-platform')}"
        )
    return "real clients: not installed here; tests/real_clients runs in `tox -e real-clients`"


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

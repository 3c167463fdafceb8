"""UiPath's own clients against the mock: the ``uipath`` CLI, the ``uipath-platform`` SDK, the
TypeScript SDK (``test_ts_sdk.py``) and the swagger client's models (``test_swagger_models.py``).

These run in ``tox -e real-clients`` (versions pinned there: uipath==2.14.44,
uipath-platform==0.2.41, uipath-orchestrator-rest==18.1; the TypeScript SDK in
``ts_sdk/package-lock.json``). Where those packages are not installed (the main test env), this
directory is not collected, and says so in the header; ``tox -e real-clients`` sets
``ORCHESTRATOR_KIT_REAL_CLIENTS=required`` so that a missing package there is an error, never
a silent pass.

The ``make_cloud`` and ``cloud`` fixtures come from ``tests/conftest.py``.

Nothing here may reach the network: the SDK runs in-process behind ``cloud.intercept()``
(respx refuses every other host), and the CLI runs as a subprocess against a loopback server
with telemetry and tracing off.
"""

from __future__ import annotations

import importlib.util
import os

import pytest

# Before anything imports uipath: its telemetry exporters must never try the internet.
os.environ["UIPATH_TELEMETRY_ENABLED"] = "false"
os.environ["UIPATH_TRACING_ENABLED"] = "false"

_INSTALLED = (
    importlib.util.find_spec("uipath") is not None
    and importlib.util.find_spec("uipath.platform") is not None
    and importlib.util.find_spec("uipath_orchestrator_rest") is not None
)
if not _INSTALLED:
    if os.environ.get("ORCHESTRATOR_KIT_REAL_CLIENTS") == "required":
        raise RuntimeError(
            "uipath / uipath-platform / uipath-orchestrator-rest are not installed, but "
            "ORCHESTRATOR_KIT_REAL_CLIENTS="
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

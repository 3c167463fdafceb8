"""UiPath's TypeScript SDK (``@uipath/uipath-typescript``, pinned in ``ts_sdk/package.json``)
against ``orchestrator-kit serve``'s world over loopback, unchanged.

``tox -e real-clients`` installs it (``npm ci`` into ``tests/real_clients/ts_sdk``, from the
committed lock file) before the tests run, so the tests themselves never reach the network.
Without Node or the installed SDK these tests are skipped with the reason, except when
``ORCHESTRATOR_KIT_REAL_CLIENTS=required`` (the real-clients env): then that is an error.

``ts_sdk/drive.mjs`` runs the SDK's own flows: secret mode (a bearer token), and OAuth with
PKCE, the SDK's browser flow, in a scripted window (see the script's header), then processes,
jobs, assets and queues.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from mock_orchestrator import MockCloud

HERE = Path(__file__).parent / "ts_sdk"
SDK = HERE / "node_modules" / "@uipath" / "uipath-typescript" / "package.json"
PINNED = json.loads((HERE / "package.json").read_text("utf-8"))["dependencies"][
    "@uipath/uipath-typescript"
]


def _unavailable() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed"
    if not SDK.exists():
        return f"the TypeScript SDK is not installed: npm ci --prefix {HERE}"
    installed = json.loads(SDK.read_text("utf-8"))["version"]
    if installed != PINNED:
        return f"the TypeScript SDK installed is {installed}, the pin is {PINNED}: npm ci"
    return None


@pytest.fixture(scope="module")
def ts_sdk() -> Path:
    reason = _unavailable()
    if reason is not None:
        if os.environ.get("ORCHESTRATOR_KIT_REAL_CLIENTS") == "required":
            pytest.fail(f"real-clients env: {reason}")
        pytest.skip(reason)
    return HERE / "drive.mjs"


def _drive(script: Path, config: dict[str, Any]) -> dict[str, Any]:
    done = subprocess.run(
        ["node", str(script), json.dumps(config)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=HERE,
        env={**os.environ, "NODE_NO_WARNINGS": "1"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["ok"], result.get("error")
    return result


def _config(cloud: MockCloud, url: str, **extra: Any) -> dict[str, Any]:
    d = cloud.defaults
    return {
        "baseUrl": url,
        "orgName": d.organization,
        "tenantName": d.tenant,
        "folderId": d.folder_id,
        "processName": d.process,
        **extra,
    }


def _checks(cloud: MockCloud, result: dict[str, Any]) -> None:
    d = cloud.defaults
    assert result["processNames"] == [d.process]
    assert result["processById"] == d.process
    job = cloud.orchestrator.default.job_by_key(
        cloud.orchestrator.default.default_folder, result["startedKey"]
    )
    assert job.release_name == d.process  # the SDK's StartJobs started a real job
    assert result["jobState"] in ("Pending", "Running")
    assert result["startedKey"] in result["jobKeys"]
    assert d.asset in result["assetNames"]
    assert d.asset in result["assetsAcrossFolders"]
    assert d.queue in result["queueNames"]
    assert d.queue in result["queuesAcrossFolders"]
    assert result["stopped"]
    assert job.state_at(cloud.clock.time() + 3600) == "Stopped"


def test_secret_mode(ts_sdk: Path) -> None:
    cloud = MockCloud()
    with cloud.serve() as url:
        d = cloud.defaults
        token = httpx.post(
            url + "/identity_/connect/token",
            data={
                "grant_type": "client_credentials",
                "client_id": d.client_id,
                "client_secret": d.client_secret,
            },
        ).json()["access_token"]
        result = _drive(ts_sdk, _config(cloud, url, mode="secret", secret=token))
    _checks(cloud, result)
    assert not cloud.internal_errors


def test_oauth_with_pkce(ts_sdk: Path) -> None:
    cloud = MockCloud()
    with cloud.serve() as url:
        d = cloud.defaults
        config = _config(
            cloud,
            url,
            mode="oauth",
            clientId=d.public_client_id,
            redirectUri=d.redirect_uri,
            scope="OrchestratorApiUserAccess",
        )
        result = _drive(ts_sdk, config)
    _checks(cloud, result)
    assert result["navigations"] == ["/identity_/connect/authorize", "/oidc/login"]
    exchange = next(e for e in cloud.journal if e.route == "identity.token")
    form = exchange.request.content.decode()
    assert "grant_type=authorization_code" in form
    assert "code_verifier=" in form  # PKCE, verified by the mock against the S256 challenge
    assert exchange.response is not None
    assert exchange.response.status_code == 200


def test_processes_across_folders_follow_the_world_setting(ts_sdk: Path) -> None:
    """``processes.getAll()`` without a folder: 1101 by default, every folder by setting."""
    cloud = MockCloud()
    cloud.orchestrator.default.registry.folderless_lists = "all_folders"
    with cloud.serve() as url:
        d = cloud.defaults
        token = httpx.post(
            url + "/identity_/connect/token",
            data={
                "grant_type": "client_credentials",
                "client_id": d.client_id,
                "client_secret": d.client_secret,
            },
        ).json()["access_token"]
        config = _config(cloud, url, mode="secret", secret=token, acrossFolders=True)
        result = _drive(ts_sdk, config)
    assert result["processNamesAcrossFolders"] == [d.process]

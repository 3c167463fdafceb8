"""The ``uipath`` CLI's Orchestrator commands, as a real subprocess, against the served mock."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from mock_orchestrator import MockCloud
from mock_orchestrator.identity.models import UIPATH_CLI_CLIENT_ID

from ._cli import output, run_uipath, tenant_url, write_dotenv


def _user_token(cloud: MockCloud) -> str:
    """An interactive user's access token (what ``uipath auth`` leaves in .env)."""
    assert cloud.defaults.refresh_token is not None
    with httpx.Client(transport=cloud.transport()) as client:
        answer = client.post(
            "https://cloud.uipath.com/identity_/connect/token",
            data={
                "grant_type": "refresh_token",
                "client_id": UIPATH_CLI_CLIENT_ID,
                "refresh_token": cloud.defaults.refresh_token,
            },
        )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


@pytest.fixture
def project(
    make_cloud: Callable[..., MockCloud], tmp_path: Path
) -> Iterator[tuple[MockCloud, str, Path]]:
    """A served world and a project directory logged in as the default user."""
    cloud = make_cloud("identity")
    with cloud.serve() as url:
        write_dotenv(
            tmp_path,
            {
                "UIPATH_URL": tenant_url(url, cloud),
                "UIPATH_ACCESS_TOKEN": _user_token(cloud),
                "UIPATH_TENANT_ID": cloud.defaults.tenant_id,
                "UIPATH_ORGANIZATION_ID": cloud.defaults.organization_id,
            },
        )
        cloud.journal.clear()
        yield cloud, url, tmp_path


def _assets_calls(cloud: MockCloud) -> list[Any]:
    return cloud.journal.filter(path_contains="/odata/Assets/")


def test_assets_list_in_a_folder(project: tuple[MockCloud, str, Path]) -> None:
    cloud, _, cwd = project
    d = cloud.defaults
    result = run_uipath(cwd, "assets", "list", "--folder-path", d.folder, "--format", "json")
    assert result.returncode == 0, output(result)
    listed = json.loads(result.stdout)
    assert d.asset in [asset["name"] for asset in listed]  # the CLI prints snake_case
    (call,) = _assets_calls(cloud)
    assert (call.route, call.status_code) == ("orchestrator.assets_filtered", 200)
    assert call.request.headers["x-uipath-folderpath"] == d.folder
    assert call.auth is None


def test_assets_list_with_a_bad_token_prints_the_cli_401_message(
    project: tuple[MockCloud, str, Path],
) -> None:
    cloud, url, cwd = project
    write_dotenv(
        cwd, {"UIPATH_URL": tenant_url(url, cloud), "UIPATH_ACCESS_TOKEN": "corrupted-token"}
    )
    result = run_uipath(cwd, "assets", "list", "--folder-path", cloud.defaults.folder)
    assert result.returncode == 1
    assert "Authentication failed (401)" in output(result)
    assert "uipath auth" in output(result)
    (call,) = _assets_calls(cloud)  # exactly one request: the CLI never retries a 401
    assert (call.status_code, call.auth) == (401, "unknown")


def test_assets_list_with_an_expired_token_prints_the_cli_401_message(
    project: tuple[MockCloud, str, Path],
) -> None:
    cloud, _, cwd = project
    cloud.clock.advance(hours=2)
    result = run_uipath(cwd, "assets", "list", "--folder-path", cloud.defaults.folder)
    assert result.returncode == 1
    assert "Authentication failed (401)" in output(result)
    (call,) = _assets_calls(cloud)
    assert (call.status_code, call.auth) == (401, "expired")


def test_assets_list_without_a_folder_prints_the_cli_folder_hint(
    project: tuple[MockCloud, str, Path],
) -> None:
    cloud, _, cwd = project
    result = run_uipath(cwd, "assets", "list")
    assert result.returncode == 1
    assert "Folder context required (400)" in output(result)
    assert "UIPATH_FOLDER_PATH" in output(result)
    (call,) = _assets_calls(cloud)
    assert call.status_code == 400
    assert call.response.json()["errorCode"] == 1101
    assert "x-uipath-folderpath" not in call.request.headers


def _write_project(cwd: Path, name: str, version: str) -> None:
    (cwd / "pyproject.toml").write_text(f'[project]\nname = "{name}"\nversion = "{version}"\n')


def test_invoke_starts_the_release_of_the_project_in_my_workspace(
    project: tuple[MockCloud, str, Path],
) -> None:
    cloud, url, cwd = project
    orchestrator = cloud.orchestrator.default
    workspace = orchestrator.personal_workspace()
    orchestrator.add_release("my-agent", folder=workspace, process_version="0.0.9")
    release = orchestrator.add_release("my-agent", folder=workspace, process_version="0.1.0")
    _write_project(cwd, "my-agent", "0.1.0")

    result = run_uipath(cwd, "invoke", "main.py", '{"x": 1}')

    assert result.returncode == 0, output(result)
    assert "Job started successfully!" in output(result)
    me, releases, start = cloud.journal
    assert (me.route, me.status_code) == ("orchestrator.current_user_extended", 200)
    assert me.response.json()["PersonalWorskpaceFeedId"]  # UiPath's spelling, required
    assert (releases.route, releases.status_code) == ("orchestrator.list_releases", 200)
    assert releases.request.headers["x-uipath-organizationunitid"] == str(workspace.id)
    assert (start.route, start.status_code) == ("orchestrator.start_jobs", 201)
    body = json.loads(start.request.content)
    assert body == {
        "StartInfo": {
            "ReleaseKey": release.key,
            "RunAsMe": True,
            "InputArguments": '{"x": 1}',
            "EntryPointPath": "main.py",
        }
    }
    job_key = start.response.json()["value"][0]["Key"]
    link = f"{tenant_url(url, cloud)}/orchestrator_/jobs(sidepanel:sidepanel/jobs/{job_key}/"
    assert link + f"details)?fid={workspace.id}" in output(result)
    job = orchestrator.job_by_key(workspace, job_key)
    assert job.release_key == release.key


def test_invoke_of_an_unpublished_version_starts_nothing(
    project: tuple[MockCloud, str, Path],
) -> None:
    cloud, _, cwd = project
    orchestrator = cloud.orchestrator.default
    orchestrator.add_release(
        "my-agent", folder=orchestrator.personal_workspace(), process_version="0.1.0"
    )
    _write_project(cwd, "my-agent", "9.9.9")

    result = run_uipath(cwd, "invoke", "main.py", "{}")

    assert result.returncode == 1, output(result)
    assert "No process with name 'my-agent' found in your workspace" in output(result)
    assert [e.route for e in cloud.journal] == [
        "orchestrator.current_user_extended",
        "orchestrator.list_releases",
    ]

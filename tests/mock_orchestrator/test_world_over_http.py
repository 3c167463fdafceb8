"""Shaping the served world with plain HTTP only, as a team testing from Go or Java would.

No Python client of the kit touches the world here: ``orchestrator-kit serve --world FILE`` runs
as its own process and every request is a ``curl`` subprocess, so what passes here passes for
any language that can send HTTP.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ORCHESTRATOR_KIT = str(Path(sys.executable).with_name("orchestrator-kit"))
CURL = shutil.which("curl")

pytestmark = pytest.mark.skipif(CURL is None, reason="needs curl on the PATH (a plain HTTP client)")


class Curl:
    """``curl`` against one origin: each call is a new process, the answer its status + JSON."""

    def __init__(self, origin: str) -> None:
        self.origin = origin

    def __call__(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        assert CURL is not None
        args = [CURL, "-sS", "--noproxy", "*", "-X", method, "-w", "\n%{http_code}"]
        for name, value in (headers or {}).items():
            args += ["-H", f"{name}: {value}"]
        if json_body is not None:
            args += ["-H", "Content-Type: application/json", "--data-binary", "@-"]
        for name, value in (form or {}).items():
            args += ["--data-urlencode", f"{name}={value}"]
        args.append(self.origin + path)
        stdin = json.dumps(json_body).encode() if json_body is not None else None
        done = subprocess.run(args, input=stdin, capture_output=True, timeout=30, check=True)
        text, _, status = done.stdout.decode("utf-8").rpartition("\n")
        try:
            body = json.loads(text) if text else None
        except ValueError:
            body = text
        return int(status), body


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Curl]:
    """``orchestrator-kit serve --world world.yaml`` as a process; yields curl on its origin."""
    world = tmp_path / "world.yaml"
    world.write_text(
        "profile: identity\nseed: 7\nqueues:\n  - {name: Orders, folder: Shared, max_retries: 2}\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    proc = subprocess.Popen(
        [ORCHESTRATOR_KIT, "serve", "--world", str(world)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        origin = proc.stdout.readline().strip()
        assert origin.startswith("http://127.0.0.1:"), proc.stderr.read() if proc.stderr else ""
        yield Curl(origin)
    finally:
        proc.terminate()
        proc.communicate(timeout=15)


#: The world of the issue's "Done when": every key a team needs, in one partial document.
SHAPED = {
    "folders": [{"path": "Ventes/Région Été"}],
    "releases": [
        {"name": "Rapprochement", "folder": "Ventes/Région Été", "process_version": "2.1.0"}
    ],
    "processes": {
        "Rapprochement": {
            "pending_seconds": 0,
            "running_seconds": 120,
            "outcome": "Faulted",
            "error": "System.IO.IOException: the ledger is locked",
        }
    },
    "apps": [
        {
            "client_id": "reporting-dashboard",
            "client_secret": "dashboard-secret-0451",
            "scopes": ["OR.Jobs.Read", "OR.Folders.Read"],
        }
    ],
    "settings": {"grace_window": 5},
}


def _encoded(path: str) -> str:
    return base64.b64encode(path.encode("utf-16-le")).decode("ascii")


def _orchestrator(curl: Curl, defaults: dict[str, Any]) -> str:
    return f"/{defaults['organization']}/{defaults['tenant']}/orchestrator_"


def test_the_world_file_is_loaded_at_start(served: Curl) -> None:
    status, world = served("GET", "/_mock/world")
    assert status == 200
    assert world["seed"] == 7
    assert {"name": "Orders", "folder": "Shared", "max_retries": 2}.items() <= next(
        q for q in world["queues"] if q["name"] == "Orders"
    ).items()
    assert {"tenants", "folders", "releases", "processes", "queues", "assets", "robots",
            "apps", "users", "settings"} <= set(world)  # fmt: skip


def test_a_world_shaped_over_post_behaves_as_described(served: Curl) -> None:
    status, world = served("POST", "/_mock/world", json_body=SHAPED)
    assert status == 200, world
    folder = next(f for f in world["folders"] if f["path"] == "Ventes/Région Été")
    assert world["settings"]["grace_window"] == 5
    _, defaults = served("GET", "/_mock/defaults")
    orch = _orchestrator(served, defaults)

    # The default app starts the new release in the non-ASCII folder (encoded header) ...
    _, token = served(
        "POST",
        "/identity_/connect/token",
        form={
            "grant_type": "client_credentials",
            "client_id": defaults["client_id"],
            "client_secret": defaults["client_secret"],
            "scope": "OR.Jobs OR.Execution",
        },
    )
    bearer = {"Authorization": f"Bearer {token['access_token']}"}
    status, started = served(
        "POST",
        f"{orch}/odata/Jobs/UiPath.Server.Configuration.OData.StartJobs",
        json_body={"startInfo": {"ReleaseName": "Rapprochement", "JobsCount": 1}},
        headers={**bearer, "X-UIPATH-FolderPath-Encoded": _encoded("Ventes/Région Été")},
    )
    assert status == 201, started
    job = started["value"][0]
    assert job["OrganizationUnitId"] == folder["id"]
    job_path = f"{orch}/odata/Jobs({job['Id']})"
    in_folder = {**bearer, "X-UIPATH-OrganizationUnitId": str(folder["id"])}

    # ... and it faults after two minutes, with the configured error.
    served("POST", "/_mock/clock", json_body={"advance_seconds": 60})
    assert served("GET", job_path, headers=in_folder)[1]["State"] == "Running"
    served("POST", "/_mock/clock", json_body={"advance_seconds": 61})
    ended = served("GET", job_path, headers=in_folder)[1]
    assert ended["State"] == "Faulted"
    assert "the ledger is locked" in ended["Info"]

    # The second application gets only its narrower scopes, and cannot start a job.
    narrow = {"client_id": "reporting-dashboard", "client_secret": "dashboard-secret-0451"}
    status, refused = served(
        "POST",
        "/identity_/connect/token",
        form={"grant_type": "client_credentials", **narrow, "scope": "OR.Jobs"},
    )
    assert (status, refused["error"]) == (400, "invalid_scope")
    status, read_token = served(
        "POST",
        "/identity_/connect/token",
        form={"grant_type": "client_credentials", **narrow, "scope": "OR.Jobs.Read"},
    )
    assert status == 200, read_token
    reader = {"Authorization": f"Bearer {read_token['access_token']}"}
    reader_in_folder = {**reader, "X-UIPATH-OrganizationUnitId": str(folder["id"])}
    assert served("GET", job_path, headers=reader_in_folder)[0] == 200
    status, _ = served(
        "POST",
        f"{orch}/odata/Jobs/UiPath.Server.Configuration.OData.StartJobs",
        json_body={"startInfo": {"ReleaseName": "Rapprochement", "JobsCount": 1}},
        headers=reader_in_folder,
    )
    assert status == 403

    # The 5-second grace window: the consumed refresh token works again within 5 s of its
    # first use, and is reuse after that.
    refresh = {"grant_type": "refresh_token", "client_id": defaults["public_client_id"]}
    first = {**refresh, "refresh_token": defaults["refresh_token"]}
    assert served("POST", "/identity_/connect/token", form=first)[0] == 200
    served("POST", "/_mock/clock", json_body={"advance_seconds": 3})
    status, again = served("POST", "/identity_/connect/token", form=first)
    assert status == 200, again
    served("POST", "/_mock/clock", json_body={"advance_seconds": 3})
    status, late = served("POST", "/identity_/connect/token", form=first)
    assert (status, late["error"]) == (400, "invalid_grant")


def test_the_world_never_shows_a_secret(served: Curl) -> None:
    served("POST", "/_mock/world", json_body=SHAPED)
    served(
        "POST",
        "/_mock/world",
        json_body={
            "users": [{"username": "bob", "password": "bobs-Password-77"}],
            "assets": [{"name": "ErpLogin", "username": "svc", "password": "erp-Password-88"}],
        },
    )
    _, defaults = served("GET", "/_mock/defaults")
    status, world = served("GET", "/_mock/world")
    assert status == 200
    text = json.dumps(world)
    for secret in (
        "dashboard-secret-0451",
        "bobs-Password-77",
        "erp-Password-88",
        defaults["client_secret"],
        defaults["refresh_token"],
        defaults["password"] or "Correct-Horse-9",
    ):
        assert secret not in text
    app = next(a for a in world["apps"] if a["client_id"] == "reporting-dashboard")
    assert app["confidential"] is True
    assert "client_secret" not in app
    asset = next(a for a in world["assets"] if a["name"] == "ErpLogin")
    assert asset["username"] == "svc"
    assert "password" not in asset


@pytest.mark.parametrize(
    ("document", "field", "allowed"),
    [
        ({"widgets": []}, "'widgets'", "allowed: profile, seed, folders"),
        ({"folders": [{"path": "A", "colour": "red"}]}, "'folders[0].colour'", "path, description"),
        ({"processes": {"InvoiceProcessing": {"outcome": "Exploded"}}}, "outcome", "Faulted"),
        ({"settings": {"grace_window": "five"}}, "'settings.grace_window'", "seconds from 0"),
        ({"settings": {"profile": "legacy"}}, "'settings.profile'", "when the world starts"),
        ({"releases": [{"name": "X", "folder": "Nowhere"}]}, "'releases[0].folder'", "no folder"),
        ({"tenants": []}, "'tenants'", "read-only"),
    ],
)
def test_a_bad_document_is_a_400_naming_the_field_and_what_is_allowed(
    served: Curl, document: dict[str, Any], field: str, allowed: str
) -> None:
    status, body = served("POST", "/_mock/world", json_body=document)
    assert status == 400
    assert body["error"] == "bad_request"
    assert field in body["message"]
    assert allowed in body["message"]


def test_nothing_is_half_applied(served: Curl) -> None:
    _, before = served("GET", "/_mock/world")
    status, body = served(
        "POST",
        "/_mock/world",
        json_body={
            "folders": [{"path": "Half/Applied"}],
            "apps": [{"client_id": "half", "client_secret": "half-secret", "scopes": "OR.Jobs"}],
            "settings": {"grace_window": 5, "reuse_detection": "yes"},  # the last one is bad
        },
    )
    assert status == 400
    assert "'settings.reuse_detection'" in body["message"]
    _, after = served("GET", "/_mock/world")
    assert after == before

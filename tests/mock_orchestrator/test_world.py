"""The world document in process: one schema, checked in one place, applied all or nothing."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path
from typing import Any

import httpx
import pytest

from mock_orchestrator import AuthSettings, MockCloud
from mock_orchestrator.serve_command import main as serve_main
from mock_orchestrator.serve_command import world_from_options
from mock_orchestrator.world import SETTINGS, WorldError, apply_world, describe_world


def _token(cloud: MockCloud, client: httpx.Client, **form: str) -> httpx.Response:
    return client.post(f"{cloud.defaults.identity_url}/connect/token", data=form)


def test_every_identity_setting_can_be_set_by_its_python_name() -> None:
    names = {f.name for f in fields(AuthSettings)} - {"profile"}
    assert names <= set(SETTINGS)
    assert "rate_limit_per_minute" in SETTINGS


def test_from_world_starts_with_the_documents_profile_seed_and_settings() -> None:
    cloud = MockCloud.from_world(
        {
            "profile": "onprem",
            "seed": 4,
            "settings": {"access_token_lifetime": 600, "rate_limit_per_minute": None},
            "users": [{"username": "bob", "email": "bob@acme.test", "password": "Bob-Pass-1"}],
        }
    )
    assert (cloud.profile, cloud.seed) == ("onprem", 4)
    assert cloud.settings.access_token_lifetime == 600
    assert cloud.orchestrator.default.rate_limit is None
    with httpx.Client(transport=cloud.transport()) as client:
        login = client.post(
            f"{cloud.defaults.url}/api/Account/Authenticate",
            json={
                "tenancyName": "Default",
                "usernameOrEmailAddress": "bob",
                "password": "Bob-Pass-1",
            },
        )
    assert login.status_code == 200, login.text


def test_settings_from_the_document_apply_to_the_default_credentials_too() -> None:
    cloud = MockCloud.from_world({"settings": {"refresh_token_lifetime": 3600}})
    family = next(iter(cloud.identity.families.values()))
    assert family.expires_at == family.started_at + 3600


def test_reset_returns_to_the_world_the_document_built() -> None:
    cloud = MockCloud.from_world({"folders": [{"path": "Ops/Nuit"}]})
    apply_world(cloud, {"folders": [{"path": "Scratch"}]})
    cloud.reset()
    paths = {f["path"] for f in describe_world(cloud)["folders"]}
    assert "Ops/Nuit" in paths
    assert "Scratch" not in paths


def test_a_later_document_changes_what_an_earlier_one_added() -> None:
    cloud = MockCloud.from_world(
        {
            "releases": [{"name": "Payroll", "process_version": "1.0.0"}],
            "queues": [{"name": "Orders"}],
            "assets": [{"name": "Limit", "value": 5}],
            "apps": [{"client_id": "bot", "client_secret": "bot-secret-1", "scopes": "OR.Jobs"}],
        }
    )
    before = describe_world(cloud)
    apply_world(
        cloud,
        {
            "releases": [{"name": "Payroll", "process_version": "2.0.0"}],
            "queues": [{"name": "orders", "max_retries": 3}],
            "assets": [{"name": "Limit", "value": "high"}],
            "apps": [{"client_id": "bot", "scopes": ["OR.Jobs", "OR.Queues"]}],
        },
    )
    after = describe_world(cloud)

    def one(doc: dict[str, Any], key: str, name: str) -> dict[str, Any]:
        return next(x for x in doc[key] if x.get("name", x.get("client_id")) in (name,))

    assert one(after, "releases", "Payroll")["process_version"] == "2.0.0"
    assert one(after, "releases", "Payroll")["id"] == one(before, "releases", "Payroll")["id"]
    assert one(after, "queues", "Orders")["max_retries"] == 3
    limit = one(after, "assets", "Limit")
    assert (limit["value_type"], limit["value"]) == ("Text", "high")
    assert limit["id"] == one(before, "assets", "Limit")["id"]
    assert one(after, "apps", "bot")["scopes"] == ["OR.Jobs", "OR.Queues"]
    with httpx.Client(transport=cloud.transport()) as client:  # the secret was kept
        ok = _token(
            cloud,
            client,
            grant_type="client_credentials",
            client_id="bot",
            client_secret="bot-secret-1",
            scope="OR.Queues",
        )
    assert ok.status_code == 200, ok.text


def test_a_process_behaviour_can_be_scoped_to_one_folder() -> None:
    cloud = MockCloud.from_world(
        {
            "folders": [{"path": "A"}, {"path": "B"}],
            "releases": [{"name": "Sync", "folder": "A"}, {"name": "Sync", "folder": "B"}],
            "processes": {"Sync": {"folder": "B", "outcome": "Faulted"}},
        }
    )
    outcomes = {r["folder"]: r["behaviour"]["outcome"] for r in describe_world(cloud)["releases"]}
    assert outcomes["A"] == "Successful"
    assert outcomes["B"] == "Faulted"
    with pytest.raises(WorldError, match=r"'processes.Sync.folder' has no release"):
        apply_world(cloud, {"processes": {"Sync": {"folder": "Shared"}}})


@pytest.mark.parametrize(
    ("document", "where"),
    [
        ([], "(document)"),
        ({"folders": {"path": "A"}}, "folders"),
        ({"releases": [{"folder": "Shared"}]}, "releases[0].name"),
        ({"processes": {"InvoiceProcessing": {"pending_seconds": -1}}}, "pending_seconds"),
        ({"processes": {"InvoiceProcessing": {"output_arguments": "[1]"}}}, "output_arguments"),
        ({"assets": [{"name": "N", "value": 1.5}]}, "assets[0].value"),
        ({"assets": [{"name": "N", "value": 1, "value_type": "Bool"}]}, "assets[0].value"),
        ({"assets": [{"name": "N", "username": "u"}]}, "assets[0]"),
        ({"apps": [{"client_id": "x", "scopes": [1]}]}, "apps[0].scopes"),
        ({"apps": [{"client_id": "x", "grant_types": ["implicit"]}]}, "apps[0].grant_types"),
        ({"users": [{"username": "new"}]}, "users[0].password"),
        ({"settings": {"access_token_lifetime": 0}}, "settings.access_token_lifetime"),
        ({"settings": {"refresh_rotation": 1}}, "settings.refresh_rotation"),
        ({"seed": 9}, "seed"),
        ({"folders": [{"path": "A"}] * 1001}, "folders"),
    ],
)
def test_bad_documents_name_the_field_and_change_nothing(document: Any, where: str) -> None:
    cloud = MockCloud()
    before = describe_world(cloud)
    with pytest.raises(WorldError) as caught:
        apply_world(cloud, document)
    assert f"'{where}'" in str(caught.value) or where in caught.value.field
    assert describe_world(cloud) == before


def test_world_files_are_json_or_yaml(tmp_path: Path) -> None:
    as_json = tmp_path / "w.json"
    as_json.write_text(json.dumps({"profile": "legacy", "folders": [{"path": "Été"}]}), "utf-8")
    as_yaml = tmp_path / "w.yml"
    as_yaml.write_text("profile: legacy\nfolders:\n  - path: Été\n", "utf-8")
    for path in (as_json, as_yaml):
        cloud = world_from_options(str(path), None, None)
        assert cloud.profile == "legacy"
        assert "Été" in {f["path"] for f in describe_world(cloud)["folders"]}


def test_command_line_options_must_agree_with_the_file(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text("profile: legacy\n", "utf-8")
    with pytest.raises(WorldError, match=r"'profile' is 'legacy' in .* but --profile says"):
        world_from_options(str(path), "onprem", None)
    assert world_from_options(str(path), "legacy", 3).seed == 3


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("folders: [{path: ''}]\n", "'folders[0].path' must be a non-empty string"),
        ("- just\n- a list\n", "must be a JSON or YAML object"),
        ("{unclosed: [\n", "is not valid YAML"),
    ],
)
def test_serve_refuses_a_bad_world_file_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, words: str
) -> None:
    path = tmp_path / "world.yaml"
    path.write_text(content, "utf-8")
    with pytest.raises(SystemExit) as exc:
        serve_main(["--world", str(path)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert words in err
    assert "Traceback" not in err


def test_serve_refuses_a_missing_world_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        serve_main(["--world", str(tmp_path / "absent.yaml")])
    assert exc.value.code == 2
    assert "cannot read --world" in capsys.readouterr().err

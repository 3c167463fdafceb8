"""``python -m cassettes.record``: both kinds of cassette, written where asked, with provenance."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cassettes import PUBLIC_VALUES, World, find_secrets, read_cassette
from cassettes.record import main, record_scenario


def test_main_writes_reference_and_mock_cassettes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--root", str(tmp_path), "--reference"]) == 0
    references = sorted((tmp_path / "test_reference").glob("*.yaml"))
    assert references
    assert {read_cassette(p).kind for p in references} == {"reference"}
    assert str(references[0]) in capsys.readouterr().out


def test_recording_in_process_writes_provenance(tmp_path: Path) -> None:
    path = record_scenario("orchestrator_start_job", tmp_path / "c.yaml")
    cassette = read_cassette(path)
    assert cassette.kind == "mock"
    assert "MockTransport" in cassette.provenance["recorded_from"]
    world = World.from_mapping(dict(cassette.provenance["world"]))
    assert world.client_secret == "<client_secret>"
    assert [i["request"]["method"] for i in cassette.interactions] == ["POST", "POST"]
    assert cassette.interactions[1]["response"]["status"]["code"] == 201


# The one network this test may use is the loopback server it starts itself.
@pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1"])
def test_recording_over_loopback(tmp_path: Path) -> None:
    path = record_scenario("identity_offline_access_refused", tmp_path / "c.yaml", served=True)
    cassette = read_cassette(path)
    assert "loopback" in cassette.provenance["recorded_from"]
    (interaction,) = cassette.interactions  # the server's readiness probe is not recorded
    assert interaction["request"]["uri"].startswith("http://127.0.0.1:")
    assert find_secrets(cassette.text, allowed=[World().code_challenge, *PUBLIC_VALUES]) == []


def test_the_module_runs_as_a_script(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cassettes.record", "--reference", "--root", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == len(list(tmp_path.rglob("*.yaml")))

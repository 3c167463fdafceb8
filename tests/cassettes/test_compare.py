"""``orchestrator-kit compare``: recorded answers beside the mock's answers to the same requests.

Each drift test copies a cassette of the mock (which compares clean), changes the *recorded*
answer the way a tenant that differs from the mock would, and shows the comparison naming the
aspect: status, content type, dialect, keys and types, enum values.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from cassettes import CASSETTE_ROOT, read_cassette
from cassettes._deviations import parse_deviations
from cassettes._files import write_cassette
from cassettes.compare import REFERENCE_DIR, compare, load_deviations, main
from orchestrator_kit.cli import COMMANDS
from orchestrator_kit.cli import main as kit_main

RECORDED = CASSETTE_ROOT / "test_recorded"


def _copy(name: str, tmp_path: Path, change: Any = None) -> Path:
    """A copy of a recording of the mock, with ``change(interactions)`` applied."""
    cassette = read_cassette(RECORDED / f"{name}.yaml")
    interactions = json.loads(json.dumps(cassette.interactions))
    if change:
        change(interactions)
    return write_cassette(
        tmp_path / "test_recorded" / f"{name}.yaml",
        interactions,
        dict(cassette.provenance),
        header="a copy for a test",
    )


def _body(interaction: dict[str, Any]) -> Any:
    return json.loads(interaction["response"]["body"]["string"])


def _set_body(interaction: dict[str, Any], data: Any) -> None:
    interaction["response"]["body"]["string"] = json.dumps(data)


def test_the_reference_cassettes_print_the_fidelity_table_every_difference_with_its_reason(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:3] == ["cassette", "#", "request"]
    deviations = [d for d in load_deviations() if d.cassette.startswith("test_reference/")]
    report = compare([REFERENCE_DIR], deviations)
    assert len(report.rows) == sum(
        len(read_cassette(p).interactions) for p in REFERENCE_DIR.glob("*.yaml")
    )
    assert report.known, "the reference cassettes do differ from the mock somewhere"
    assert not report.unexpected
    assert not report.stale, [d.label() for d in report.stale]
    for row, difference in report.known:
        assert difference.reason
        assert f"reason: {difference.reason}" in out
        assert f"{row.cassette} #{row.index}" in out


def test_without_the_deviations_file_the_reference_differences_fail() -> None:
    report = compare([REFERENCE_DIR], [])
    assert report.unexpected
    assert not report.ok
    aspects = {d.aspect for _, d in report.unexpected}
    assert {"status", "dialect", "shape"} <= aspects


def test_every_recording_of_the_mock_compares_clean() -> None:
    deviations = [d for d in load_deviations() if d.cassette.startswith("test_recorded/")]
    report = compare([RECORDED], deviations)
    assert report.rows
    assert report.ok, report.table()


def test_a_changed_status_is_reported(tmp_path: Path) -> None:
    def change(interactions: list[dict[str, Any]]) -> None:
        interactions[0]["response"]["status"]["code"] = 401

    path = _copy("test_identity_client_credentials", tmp_path, change)
    (difference,) = [d for _, d in compare([path]).unexpected if d.aspect == "status"]
    assert difference.detail == "401 recorded, 200 live"


def test_a_changed_content_type_is_reported(tmp_path: Path) -> None:
    def change(interactions: list[dict[str, Any]]) -> None:
        interactions[0]["response"]["headers"]["content-type"] = ["text/plain; charset=utf-8"]

    path = _copy("test_identity_client_credentials", tmp_path, change)
    details = [d.detail for _, d in compare([path]).unexpected if d.aspect == "content-type"]
    assert details == ["text/plain recorded, application/json live"]


def test_a_changed_error_dialect_is_reported(tmp_path: Path) -> None:
    # The tenant answered in Orchestrator's envelope where the mock answers OAuth's.
    def change(interactions: list[dict[str, Any]]) -> None:
        _set_body(interactions[0], {"message": "bad scope", "errorCode": 0, "traceId": "t"})

    path = _copy("test_identity_offline_access_refused", tmp_path, change)
    details = [d.detail for _, d in compare([path]).unexpected if d.aspect == "dialect"]
    assert details == ["orchestrator recorded, oauth live"]


def test_renamed_recased_and_retyped_keys_are_reported(tmp_path: Path) -> None:
    def change(interactions: list[dict[str, Any]]) -> None:
        body = _body(interactions[0])
        body["Expires_In"] = str(body.pop("expires_in"))
        body["tenant_hint"] = "x"
        _set_body(interactions[0], body)

    path = _copy("test_identity_client_credentials", tmp_path, change)
    details = sorted(d.detail for _, d in compare([path]).unexpected if d.aspect == "shape")
    assert details == [
        "$.Expires_In: sent as 'expires_in' (letter case)",
        "$.tenant_hint: missing",
    ]


def test_a_changed_enum_value_is_reported(tmp_path: Path) -> None:
    def change(interactions: list[dict[str, Any]]) -> None:
        body = _body(interactions[0])
        body["error"] = "invalid_request"
        _set_body(interactions[0], body)

    path = _copy("test_identity_offline_access_refused", tmp_path, change)
    details = [d.detail for _, d in compare([path]).unexpected if d.aspect == "enum"]
    assert details == ["$.error: 'invalid_request' recorded, 'invalid_scope' live"]


def test_a_listed_deviation_excuses_only_what_it_names(tmp_path: Path) -> None:
    def change(interactions: list[dict[str, Any]]) -> None:
        interactions[0]["response"]["status"]["code"] = 401

    path = _copy("test_identity_client_credentials", tmp_path, change)
    deviations = parse_deviations(
        "- cassette: test_recorded/test_identity_client_credentials.yaml\n"
        "  interaction: 0\n  aspect: status\n  reason: the tenant refuses this app\n"
        "- cassette: test_recorded/nothing.yaml\n  reason: stale\n"
    )
    report = compare([path], deviations)
    assert report.ok
    (row,) = [r for r in report.rows if r.index == 0]
    assert row.verdict == "known"
    assert row.differences[0].reason == "the tenant refuses this app"
    assert [d.cassette for d in report.stale] == ["test_recorded/nothing.yaml"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- cassette: a.yaml\n", "every deviation needs a reason"),
        ("- cassette: a.yaml\n  reason: '  '\n", "every deviation needs a reason"),
        ("- reason: r\n", "'cassette'"),
        ("- cassette: a.yaml\n  aspect: colour\n  reason: r\n", "'aspect' is one of"),
        ("- cassette: a.yaml\n  detail: '('\n  reason: r\n", "not a regular expression"),
        ("- cassette: a.yaml\n  why: r\n  reason: r\n", "unknown keys why"),
        ("cassette: a.yaml\n", "expected a list"),
        ("- [\n", "not YAML"),
    ],
)
def test_a_bad_deviations_file_is_refused_in_one_line(
    tmp_path: Path, text: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "deviations.yaml"
    path.write_text(text, encoding="utf-8")
    _assert_usage_error(capsys, [str(RECORDED), "--deviations", str(path)], message)


def _assert_usage_error(capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    last = err.strip().splitlines()[-1]
    assert last.startswith("orchestrator-kit compare: error: ")
    assert message in last
    assert "Traceback" not in err


def test_the_command_writes_a_json_report_and_fails_on_an_unexpected_difference(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def change(interactions: list[dict[str, Any]]) -> None:
        interactions[0]["response"]["status"]["code"] = 500

    path = _copy("test_identity_client_credentials", tmp_path, change)
    report_path = tmp_path / "report.json"
    assert "compare" in COMMANDS
    status = kit_main(
        ["compare", str(path), "--deviations", "/dev/null", "--json", str(report_path)]
    )
    assert status == 1
    data = json.loads(report_path.read_text(encoding="utf-8"))
    assert data["ok"] is False
    assert data["summary"]["unexpected"] == 1
    (row,) = [i for i in data["interactions"] if i["verdict"] == "DIFFERENT"]
    assert row["recorded"]["status"] == 500
    assert row["live"]["status"] == 200
    assert "DIFFERENT" in capsys.readouterr().out


def test_a_missing_path_and_a_broken_cassette_are_clear(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _assert_usage_error(
        capsys, [str(tmp_path / "nope.yaml"), "--deviations", "/dev/null"], "no such file"
    )
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump({"version": 1}), encoding="utf-8")
    assert main([str(broken), "--deviations", "/dev/null"]) == 1
    out = capsys.readouterr().out
    assert "Error:" in out
    assert "no interactions list" in out


def test_ids_the_server_handed_out_are_carried_to_later_requests() -> None:
    # StartJobs hands out a job id; reading that job back must hit the mock's job, not 404.
    report = compare([RECORDED / "test_orchestrator_start_and_read.yaml"], [])
    assert report.ok, report.table()
    assert [row.live.status for row in report.rows][-1] == 200

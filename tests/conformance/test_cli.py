"""``orchestrator-kit check``: progress per rule, reports, exit status, expected failures."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from conformance.cli import main
from conformance.runner import load_expected_failures
from orchestrator_kit.cli import main as kit_main

MINI = "tests.conformance.broken_clients:make_mini"
NEVER = "tests.conformance.broken_clients:make_never_refreshes"
REACTIVE = "tests.conformance.broken_clients:make_reactive_only"
# Rules a client passes before any Orchestrator call succeeds (tokens only).
TOKEN_ONLY = "token-html-is-failure,login-no-password-on-cloud"


def _check(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


def test_progress_is_shown_per_rule_and_a_pass_exits_zero() -> None:
    code, text = _check("--client", MINI, "--rule", TOKEN_ONLY)
    assert code == 0
    assert "[ 1/5] PASS  MUST   token-html-is-failure[legacy]" in text
    assert "[ 5/5] PASS  MUST   login-no-password-on-cloud[identity]" in text
    assert "OK: every MUST rule passed" in text


def test_a_failing_must_exits_one_and_names_the_rule() -> None:
    code, text = _check(
        "--client",
        "tests.conformance.broken_clients:factory_accepts_html",
        "--rule",
        "token-html-is-failure",
        "--profile",
        "identity",
    )
    assert code == 1
    assert "FAIL  MUST   token-html-is-failure[identity]" in text
    assert "FAILED: MUST rules not met: token-html-is-failure[identity]" in text


def test_expected_failures_are_excepted_and_a_pass_among_them_is_reported(
    tmp_path: Path,
) -> None:
    listed = tmp_path / "expected.txt"
    listed.write_text(
        "# known gaps\ntoken-html-is-failure[identity]\n"
        "login-no-password-on-cloud  # passes: reported as XPASS\n"
    )
    code, text = _check(
        "--client",
        "tests.conformance.broken_clients:factory_accepts_html",
        "--rule",
        TOKEN_ONLY,
        "--profile",
        "identity",
        "--expected-failures",
        str(listed),
    )
    assert code == 0
    assert "XFAIL MUST   token-html-is-failure[identity]" in text
    assert "XPASS login-no-password-on-cloud[identity]" in text


def test_reports_are_written(tmp_path: Path) -> None:
    code, text = _check(
        "--client",
        MINI,
        "--rule",
        "token-html-is-failure",
        "--report-json",
        str(tmp_path / "r.json"),
        "--report-html",
        str(tmp_path / "r.html"),
        "--junit-xml",
        str(tmp_path / "j.xml"),
    )
    assert code == 0
    data = json.loads((tmp_path / "r.json").read_text())
    assert [r["profile"] for r in data["rules"]] == ["legacy", "identity", "onprem"]
    assert (tmp_path / "r.html").read_text().startswith("<!DOCTYPE html>")
    assert "<testsuites" in (tmp_path / "j.xml").read_text()
    assert "report written" in text


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--rule", "no-such-rule"], "unknown rule 'no-such-rule'"),
        (["--profile", "mars"], "unknown profile 'mars'"),
        (["--client", "nocolon"], "MODULE:FACTORY"),
        (["--client", "no_such_module_xyz:f"], "No module named"),
    ],
)
def test_usage_errors_exit_two(argv: list[str], message: str) -> None:
    code, text = _check(*argv)
    assert code == 2
    assert message in text


def test_list_and_the_kit_entry_point(capsys: pytest.CaptureFixture[str]) -> None:
    code, text = _check("--list")
    assert code == 0
    assert len(text.splitlines()) == 22
    assert kit_main(["check", "--list"]) == 0
    assert "token-single-flight" in capsys.readouterr().out


def test_expected_failures_file_formats(tmp_path: Path) -> None:
    as_json = tmp_path / "x.json"
    as_json.write_text(
        json.dumps([{"id": "token-single-flight", "profile": "onprem"}, "http-timeout-set"])
    )
    assert load_expected_failures(as_json) == {"token-single-flight[onprem]", "http-timeout-set"}
    bad = tmp_path / "bad.txt"
    bad.write_text("token-single-flite\n")
    with pytest.raises(KeyError, match="unknown rule"):
        load_expected_failures(bad)

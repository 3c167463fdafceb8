"""The pytest plugin, in inner sessions (pytester, subprocess): options, markers, outcomes."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
MINI = "--uipath-client=tests.conformance.broken_clients:make_mini"


@pytest.fixture
def run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PYTHONPATH", str(REPO))

    def inner(*args: str) -> pytest.RunResult:
        return pytester.runpytest_subprocess(
            "-p",
            "uipath_conformance",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            "--pyargs",
            "conformance",
            *args,
        )

    return inner


def test_help_shows_the_option_group(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("-p", "uipath_conformance", "--help")
    result.stdout.fnmatch_lines(
        [
            "UiPath client conformance suite:",
            "*--uipath-client=MODULE:FACTORY*",
            "*--uipath-client-cmd=CMD*",
            "*--uipath-profile=P*",
            "*--uipath-expected-failures=FILE*",
        ]
    )


def test_markers_are_registered_with_usage(pytester: pytest.Pytester) -> None:
    # Registered when the suite is run (the plugin is quiet otherwise: tests/test_quiet_plugin.py)
    result = pytester.runpytest_subprocess(
        "-p", "uipath_conformance", "--pyargs", "conformance", "--markers"
    )
    result.stdout.fnmatch_lines(
        [
            "@pytest.mark.token_single_flight: conformance rule token-single-flight (MUST)*",
            "@pytest.mark.uipath_should: *",
        ]
    )


def test_a_rule_passes_with_its_id_and_header(run) -> None:  # type: ignore[no-untyped-def]
    result = run(MINI, "-m", "token_html_is_failure", "-v")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(
        [
            "uipath-conformance: client tests.conformance.broken_clients:make_mini; "
            "profiles legacy, identity, onprem",
            "*test_rule?token-html-is-failure-identity? PASSED*",
        ]
    )


def test_a_failing_must_fails_with_its_timeline(run) -> None:  # type: ignore[no-untyped-def]
    result = run(
        "--uipath-client=tests.conformance.broken_clients:factory_accepts_html",
        "--uipath-profile=identity",
        "-m",
        "token_html_is_failure",
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*token-html-is-failure[[]identity[]] (MUST): the client followed*",
            "*/web/login*",
        ]
    )


def test_should_failures_and_expected_failures_xfail(  # type: ignore[no-untyped-def]
    run, tmp_path: Path
) -> None:
    listed = tmp_path / "expected.txt"
    listed.write_text("token-html-is-failure\n")
    result = run(
        "--uipath-client=tests.conformance.broken_clients:factory_accepts_html",
        "--uipath-profile",
        "identity",
        f"--uipath-expected-failures={listed}",
        "-m",
        "token_html_is_failure",
        "-rx",
    )
    result.assert_outcomes(xfailed=1)
    result.stdout.fnmatch_lines(["*expected failure: the client followed*"])


def test_not_applicable_is_a_skip_and_reports_are_written(  # type: ignore[no-untyped-def]
    run, tmp_path: Path
) -> None:
    out = tmp_path / "report.json"
    result = run(
        "--uipath-client=tests.conformance.broken_clients:factory_cloud_only",
        f"--uipath-report-json={out}",
        f"--uipath-report-html={tmp_path / 'r.html'}",
        "-m",
        "token_html_is_failure",
        "-rs",
    )
    result.assert_outcomes(passed=2, skipped=1)
    result.stdout.fnmatch_lines(["*not applicable: token-html-is-failure[[]onprem[]]*"])
    data = json.loads(out.read_text())
    assert [r["outcome"] for r in data["rules"]] == ["passed", "passed", "not_applicable"]
    assert (tmp_path / "r.html").exists()


def test_unknown_profile_is_a_usage_error(run) -> None:  # type: ignore[no-untyped-def]
    result = run("--uipath-profile=mars")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unknown profile 'mars'*"])


@pytest.mark.parametrize("flag", ["--uipath-report-json", "--uipath-report-html"])
def test_a_report_path_that_cannot_be_written_is_a_usage_error_before_any_rule(  # type: ignore[no-untyped-def]
    run, tmp_path: Path, flag: str
) -> None:
    result = run(f"{flag}={tmp_path}", "-m", "token_html_is_failure")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*{flag} {tmp_path}: is a directory*"])
    result.stdout.no_fnmatch_line("*passed*")


def test_a_client_that_cannot_be_judged_fails_every_test(  # type: ignore[no-untyped-def]
    run, tmp_path: Path
) -> None:
    """The suite's tests assert nothing themselves: an ``error`` must fail them, not pass."""
    crash = tmp_path / "crash.py"
    crash.write_text("import sys; sys.exit('no config at all')\n")
    result = run(
        f"--uipath-client-cmd={sys.executable} {crash}",
        "-m",
        "token_html_is_failure or login_no_password_on_cloud",
    )
    result.assert_outcomes(failed=5)
    result.stdout.fnmatch_lines(
        [
            "*ERROR login-no-password-on-cloud[[]legacy[]] (MUST): the client exited (code 1) "
            "during hello; its last lines: stderr: no config at all*",
            "*ERROR token-html-is-failure[[]onprem[]] (MUST): not run: the client stopped*",
        ]
    )

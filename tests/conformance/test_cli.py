"""``orchestrator-kit check``: progress per rule, reports, exit status, expected failures."""

from __future__ import annotations

import io
import json
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conformance.catalog import CATALOG
from conformance.cli import main
from conformance.runner import load_expected_failures
from orchestrator_kit.cli import main as kit_main
from tests.processes import alive

REPO = Path(__file__).resolve().parents[2]
MINI = "tests.conformance.broken_clients:make_mini"
NEVER = "tests.conformance.broken_clients:make_never_refreshes"
REACTIVE = "tests.conformance.broken_clients:make_reactive_only"
# Rules a client passes before any Orchestrator call succeeds (tokens only).
TOKEN_ONLY = "token-html-is-failure,login-no-password-on-cloud"


def _check(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out, err=out)  # usage errors go to err: read both in order
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
    assert len(text.splitlines()) == len(CATALOG)
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


@pytest.mark.parametrize("flag", ["--report-json", "--report-html", "--junit-xml"])
def test_a_bad_report_path_is_one_line_and_exit_two_before_any_rule(
    tmp_path: Path, flag: str
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    code, text = _check("--client", MINI, flag, str(blocker / "r.out"))
    assert code == 2
    assert text.count("\n") == 1, text
    assert text.startswith(f"orchestrator-kit check: error: {flag} {blocker / 'r.out'}: ")
    code, text = _check("--client", MINI, flag, str(tmp_path))
    assert code == 2
    assert text == f"orchestrator-kit check: error: {flag} {tmp_path}: is a directory\n"


def test_strict_makes_a_should_failure_fail_the_run() -> None:
    argv = ("--client", REACTIVE, "--rule", "token-refresh-proactive", "--profile", "identity")
    code, text = _check(*argv)
    assert code == 0
    assert "FAIL  SHOULD token-refresh-proactive[identity]" in text
    code, text = _check(*argv, "--strict")
    assert code == 1
    assert "FAILED (--strict): SHOULD rules not met: token-refresh-proactive[identity]" in text


def test_an_error_is_shown_and_fails_the_run(tmp_path: Path) -> None:
    crash = tmp_path / "crash.py"
    crash.write_text("import sys; sys.exit('no config')\n")
    code, text = _check(
        "--client-cmd", f"{sys.executable} {crash}", "--rule", TOKEN_ONLY, "--profile", "onprem"
    )
    assert code == 1
    assert "ERROR MUST   token-html-is-failure[onprem]" in text
    assert "the client exited (code 1) during hello; its last lines: stderr: no config" in text
    assert "ERROR: the client could not be judged on: token-html-is-failure[onprem]" in text


_HANGS_WITH_A_HELPER = """
import json, subprocess, sys, time
helper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
line = json.loads(sys.stdin.readline())
print(json.dumps({"id": line["id"], "ok": True}), flush=True)
open(sys.argv[1], "a").write(f"{helper.pid}\\n")
time.sleep(600)
"""

#: Answers the first check at once (errors), so that the checks after it run side by side;
#: every later client starts a helper, answers hello, and hangs.
_HANGS_AFTER_THE_FIRST = """
import json, subprocess, sys, time
starts = sys.argv[1] + ".starts"
open(starts, "a").write("started\\n")
first = open(starts).read().count("started") == 1
for line in sys.stdin:
    msg = json.loads(line)
    if first:
        if msg["op"] == "close":
            break
        print(json.dumps({"id": msg["id"], "ok": msg["op"] == "hello", "error": "no"}), flush=True)
        continue
    helper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    open(sys.argv[1], "a").write(f"{helper.pid}\\n")
    print(json.dumps({"id": msg["id"], "ok": True}), flush=True)
    time.sleep(600)
"""


def _interrupt(
    tmp_path: Path, client_source: str, sig: signal.Signals, helpers: int, *args: str
) -> tuple[int, str, dict[str, object]]:
    """Run ``check`` on a client that hangs, signal it once ``helpers`` helper processes of
    its clients run, and return (exit status, stdout, the JSON report's summary), having
    checked that it wrote no traceback and that no helper outlived it."""
    client = tmp_path / "client.py"
    client.write_text(client_source)
    pids = tmp_path / "helpers.pid"
    report = tmp_path / "r.json"
    run = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "conformance.cli",
            "--client-cmd",
            f"{sys.executable} {client} {pids}",
            "--report-json",
            str(report),
            *args,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=str(REPO),
    )
    pause = threading.Event()
    for _ in range(1500):  # bounded: each hanging client writes its helper's pid
        if pids.exists() and len(pids.read_text().split()) >= helpers:
            break
        pause.wait(0.02)
    started = [int(pid) for pid in pids.read_text().split()]
    assert len(started) >= helpers, "the clients were not all under way"
    run.send_signal(sig)
    out, err = run.communicate(timeout=60)
    assert "Traceback" not in out + err
    for _ in range(250):
        if not any(alive(pid) for pid in started):
            break
        pause.wait(0.02)
    assert not [pid for pid in started if alive(pid)], "a client's helper was left behind"
    return run.returncode, out, json.loads(report.read_text())["summary"]


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_kills_the_clients_writes_the_reports_and_exits(
    tmp_path: Path, sig: signal.Signals, code: int
) -> None:
    status, out, summary = _interrupt(tmp_path, _HANGS_WITH_A_HELPER, sig, 1)
    assert status == code, out
    last = out.strip().splitlines()[-1]
    assert last.startswith(f"orchestrator-kit check: interrupted by {sig.name} after 0 of ")
    assert last.endswith(f"; the clients were stopped; reports written: {tmp_path / 'r.json'}")
    assert summary["interrupted"] == sig.name


def test_a_signal_ends_every_client_of_the_checks_run_side_by_side(tmp_path: Path) -> None:
    status, out, summary = _interrupt(
        tmp_path, _HANGS_AFTER_THE_FIRST, signal.SIGINT, 3, "--jobs", "3"
    )
    assert status == 130, out
    assert out.strip().splitlines()[-1].startswith("orchestrator-kit check: interrupted by SIGINT")
    assert summary["interrupted"] == "SIGINT"

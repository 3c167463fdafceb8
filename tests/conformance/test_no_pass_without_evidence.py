"""No pass without evidence: a client that never works collects no pass, in process or as a
command; one that crashes, exits, hangs or prints garbage is an ``error`` on every rule still to
run, judged at once (one ``hello`` timeout at most for the whole run), quoting what it wrote."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from conformance._plugs import CommandPlug, PythonPlug
from conformance.catalog import CATALOG
from conformance.runner import run_suite

from . import broken_clients as bc

REPO = Path(__file__).resolve().parents[2]
CLOUD = ("legacy", "identity")


def test_a_client_that_only_says_no_passes_only_the_refusal() -> None:
    suite = run_suite(PythonPlug(bc.factory(bc.SaysNoToEverything)))
    passed = {r.key for r in suite.results if r.outcome == "passed"}
    assert passed == {f"login-no-password-on-cloud[{p}]" for p in CLOUD}
    refusal = next(r for r in suite.results if r.outcome == "passed")
    assert "refused to log in with a password on the cloud, explicitly" in refusal.message
    assert {r.outcome for r in suite.results} == {"passed", "failed"}


def test_an_in_process_crash_is_an_error_never_a_refusal() -> None:
    suite = run_suite(PythonPlug(bc.factory(bc.CrashesOnEveryCall)), profiles=["identity"])
    assert {r.outcome for r in suite.results} == {"error"}
    login = next(r for r in suite.results if r.id == "login-no-password-on-cloud")
    assert login.message.startswith("the client crashed in start_job: AttributeError")
    assert suite.exit_code == 1
    # In process, each rule builds a new client: the next rule was still tried.
    assert all(not r.message.startswith("not run") for r in suite.results)


def _script(tmp_path: Path, body: str) -> list[str]:
    """A command client: ``body`` after appending a line to starts.txt (one per start)."""
    path = tmp_path / "client.py"
    path.write_text(
        "import sys, time\n"
        f"open({str(tmp_path / 'starts.txt')!r}, 'a').write('started\\n')\n" + body
    )
    return [sys.executable, str(path)]


_CRASH = "sys.stderr.write('fatal: cannot read UIPATH_URL\\n'); sys.exit(3)\n"
_HANG = "sys.stderr.write('waiting for nothing\\n'); sys.stderr.flush(); time.sleep(600)\n"
_GARBAGE = "print('Welcome to my client v1.0!', flush=True); time.sleep(600)\n"


@pytest.mark.parametrize(
    ("body", "why", "quoted"),
    [
        (_CRASH, "the client exited (code 3) during hello", "fatal: cannot read UIPATH_URL"),
        (_HANG, "gave no answer to hello within", "waiting for nothing"),
        (
            _GARBAGE,
            "the client wrote 'Welcome to my client v1.0!' instead of answering hello",
            "stdout: Welcome to my client v1.0!",
        ),
    ],
    ids=["crash", "hang", "garbage"],
)
def test_a_broken_command_passes_no_rule_and_is_started_once(
    tmp_path: Path, body: str, why: str, quoted: str
) -> None:
    suite = run_suite(CommandPlug(_script(tmp_path, body)))
    assert len(suite.results) == sum(len(rule.profiles) for rule in CATALOG.values())
    assert {r.outcome for r in suite.results} == {"error"}
    first, *rest = suite.results
    assert why in first.message
    assert quoted in first.message
    assert all(r.message.startswith("not run: the client stopped in ") for r in rest)
    assert all(r.duration == 0.0 for r in rest), "the rest is judged without a client"
    # One start (and so at most one hello timeout) for all three profiles together.
    assert (tmp_path / "starts.txt").read_text().count("started") == 1
    assert suite.exit_code == 1


def test_a_command_that_exits_mid_rule_is_an_error_not_a_refusal(tmp_path: Path) -> None:
    """The worst false pass: silence read as "refused the password"."""
    body = (
        "import json\n"
        "line = json.loads(sys.stdin.readline())\n"
        "print(json.dumps({'id': line['id'], 'ok': True}), flush=True)\n"
        "sys.stdin.readline(); sys.stderr.write('segfault-ish\\n'); sys.exit(139)\n"
    )
    suite = run_suite(
        CommandPlug(_script(tmp_path, body)),
        rules=["login-no-password-on-cloud", "token-html-is-failure"],
        profiles=["identity"],
    )
    outcomes = {r.key: r.outcome for r in suite.results}
    assert outcomes == {
        "login-no-password-on-cloud[identity]": "error",
        "token-html-is-failure[identity]": "error",
    }
    assert "the client is gone in start_job" in suite.results[0].message
    assert "the client exited (code 139)" in suite.results[0].message
    assert "segfault-ish" in suite.results[0].message


def test_a_chatty_command_is_kept_bounded_and_its_leak_found(tmp_path: Path) -> None:
    """Megabytes of output, one line of it longer than any buffer: the tail stays bounded and a
    secret in the middle of the long line is still found as it streams."""
    suite = run_suite(
        CommandPlug(
            [sys.executable, "-m", "tests.conformance.cmd_client", "Chatty"], cwd=str(REPO)
        ),
        rules=["token-secrets-not-logged"],
        profiles=["identity"],
    )
    result = suite.results[0]
    assert result.outcome == "failed"
    assert "the client secret in stderr: " in result.message
    assert "***(32 chars)" in result.message

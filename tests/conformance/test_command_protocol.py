"""The command plug: a Python client behind JSON lines, and what the suite does with a command
that refuses, crashes, or writes noise."""

from __future__ import annotations

import sys
from pathlib import Path

from conformance._plugs import CommandPlug
from conformance.runner import run_suite

REPO = Path(__file__).resolve().parents[2]


def _plug(*args: str) -> CommandPlug:
    return CommandPlug([sys.executable, "-m", "tests.conformance.cmd_client", *args], cwd=str(REPO))


def test_a_python_command_client_is_judged_like_a_factory() -> None:
    suite = run_suite(
        _plug(),
        rules=[
            "token-retry-once-on-401",
            "token-single-flight",
            "jobs-start-by-release",
            "token-rotation-persisted",
        ],
        profiles=["identity"],
    )
    assert {r.key: r.outcome for r in suite.results} == {
        "token-retry-once-on-401[identity]": "passed",
        "token-single-flight[identity]": "passed",
        "jobs-start-by-release[identity]": "passed",
        "token-rotation-persisted[identity]": "passed",
    }


def test_a_leak_on_stderr_is_found() -> None:
    suite = run_suite(
        _plug("LogsItsToken"), rules=["token-secrets-not-logged"], profiles=["onprem"]
    )
    assert suite.results[0].outcome == "failed"
    assert "an access token in stderr: " in suite.results[0].message


def test_not_supported_at_hello_is_not_applicable() -> None:
    refusing = run_suite(
        CommandPlug([sys.executable, "-c", _REFUSER]),
        rules=["token-acquire-unattended"],
        profiles=["identity"],
    )
    assert refusing.results[0].outcome == "not_applicable"
    assert "cloud only, not today" in refusing.results[0].message


def test_a_command_that_dies_fails_the_rule_with_its_stderr() -> None:
    dying = CommandPlug([sys.executable, "-c", "import sys; sys.exit('boom: no config')"])
    suite = run_suite(dying, rules=["token-acquire-unattended"], profiles=["identity"])
    result = suite.results[0]
    assert result.outcome == "failed"
    assert "the client exited (code 1)" in result.message
    assert "boom: no config" in result.message


def test_a_missing_command_fails_clearly() -> None:
    suite = run_suite(
        CommandPlug(["/nonexistent/client-binary"]),
        rules=["token-acquire-unattended"],
        profiles=["legacy"],
    )
    assert suite.results[0].outcome == "failed"
    assert "cannot start the client command" in suite.results[0].message


_REFUSER = """
import json, sys
for line in sys.stdin:
    msg = json.loads(line)
    print(json.dumps({"id": msg["id"], "ok": False, "not_supported": True,
                      "error": "cloud only, not today"}), flush=True)
"""


def test_a_minimal_client_without_ids_or_hello_is_understood() -> None:
    """The smallest speaker: answers in order, no ``id``, no ``hello``: its error is heard."""
    minimal = CommandPlug([sys.executable, "-c", _MINIMAL])
    suite = run_suite(minimal, rules=["token-acquire-unattended"], profiles=["legacy"])
    assert suite.results[0].outcome == "failed"
    assert "failed: I only know how to fail" in suite.results[0].message


_MINIMAL = """
import json, sys
for line in sys.stdin:
    op = json.loads(line)["op"]
    if op == "close":
        break
    answer = {"ok": False, "error": "unknown op"} if op == "hello" else {
        "ok": False, "error": "I only know how to fail"}
    print(json.dumps(answer), flush=True)
"""

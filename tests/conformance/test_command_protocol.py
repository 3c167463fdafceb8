"""The command plug: a Python client behind JSON lines, and what the suite does with a command
that refuses, crashes, or writes noise."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from conformance._plugs import LONGEST_OPERATION, CommandPlug
from conformance.runner import run_suite
from mock_orchestrator import MockCloud, served

from . import broken_clients as bc

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


def test_a_command_that_dies_is_an_error_quoting_its_stderr() -> None:
    dying = CommandPlug([sys.executable, "-c", "import sys; sys.exit('boom: no config')"])
    suite = run_suite(dying, rules=["token-acquire-unattended"], profiles=["identity"])
    result = suite.results[0]
    assert result.outcome == "error"
    assert "the client exited (code 1) during hello" in result.message
    assert "boom: no config" in result.message


def test_a_missing_command_is_an_error_said_clearly() -> None:
    suite = run_suite(
        CommandPlug(["/nonexistent/client-binary"]),
        rules=["token-acquire-unattended"],
        profiles=["legacy"],
    )
    assert suite.results[0].outcome == "error"
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


def test_a_command_without_single_flight_fails_every_time() -> None:
    """Single flight is decided by the client, not by chance: the served world holds the first
    token request of the burst until the racing one arrives, so a lockless client is caught
    on every run (it passed about one run in three before the hold was served too)."""
    outcomes = []
    for _ in range(10):
        suite = run_suite(
            _plug("NoSingleFlight"), rules=["token-single-flight"], profiles=["identity"]
        )
        outcomes.append((suite.results[0].outcome, suite.results[0].message))
    assert [outcome for outcome, _ in outcomes] == ["failed"] * 10
    assert all("8 concurrent operations at expiry caused" in message for _, message in outcomes)


#: Broken clients judged as commands too: each fails its rule through the named check.
AS_COMMANDS = [
    (bc.NoSingleFlight, "identity"),
    (bc.PasswordGrantOnCloud, "identity"),
    (bc.RefusesAfterSending, "legacy"),
    (bc.SecretInTokenQuery, "identity"),
    (bc.LogsClientSecret, "onprem"),
    (bc.RefreshesOnEveryStart, "onprem"),
    (bc.RawNonAsciiFolderPath, "identity"),
    (bc.AsciiFoldsFolderPath, "legacy"),
    (bc.NoFolderHeaderForUnicode, "onprem"),
    (bc.FixedSecondBackoff, "identity"),
    (bc.FixedSecondBackoff, "onprem"),
]


@pytest.mark.parametrize(
    ("broken", "profile"), AS_COMMANDS, ids=[f"{c.__name__}-{p}" for c, p in AS_COMMANDS]
)
def test_a_broken_command_fails_its_rule_through_its_check(
    broken: type[bc.MiniClient], profile: str
) -> None:
    rule = bc.BROKEN[broken]
    suite = run_suite(_plug(broken.__name__), rules=[rule], profiles=[profile])
    result = suite.results[0]
    assert result.outcome == "failed", result.message
    expected = bc.CHECKS[broken]
    if broken is bc.LogsClientSecret:  # a command's log goes to its stderr
        expected = "the client secret in stderr: "
    assert expected in result.message


def test_a_commands_world_holds_a_stall_longer_than_any_operation_waits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The mock must not hang up first: a client without a read timeout that gives up on a
    dropped connection (NoTimeoutNoRetry, Python's ``requests`` without ``timeout=``) ended
    its stalled poll with an error when the served world closed the connection after 30 s,
    and passed ``http-timeout-set``. Only its own timeout may end the operation in time."""
    built: list[float] = []
    real_app = served.ServedApp

    def recording_app(*args: Any, **kwargs: Any) -> served.ServedApp:
        app = real_app(*args, **kwargs)
        built.append(app.stall_cap)
        return app

    monkeypatch.setattr(served, "ServedApp", recording_app)
    with _plug().serve(MockCloud()) as origin:
        assert origin.startswith("http://127.0.0.1:")
    assert len(built) == 1
    assert built[0] > LONGEST_OPERATION


def test_every_profile_of_the_429_rule_has_its_own_real_wait() -> None:
    """A command client is asked for a different Retry-After on each profile, so that a fixed
    backoff cannot meet them all by chance (FixedSecondBackoff above)."""
    from conformance.catalog import CATALOG
    from conformance.rules.http import _REAL_WAITS

    assert set(_REAL_WAITS) == set(CATALOG["http-429-retry-after"].profiles)
    assert len(set(_REAL_WAITS.values())) == len(_REAL_WAITS)

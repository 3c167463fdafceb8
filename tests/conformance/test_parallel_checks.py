"""A command client's checks run several at once: the verdicts are those of one at a time.

Each check builds its own worlds, ports, token stores and client processes; only the report is
ordered. These tests hold the parallel run to what a run of one check at a time gives: every
verdict (a lockless client is still caught, a good one still passes), the stop of a client
that dies (reported at the first check in plan order, every later check not run), and output
read only by the check whose client wrote it. (A signal during checks run side by side:
test_cli.py.)
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from conformance._env import ClientEnv
from conformance._output import OutputTail
from conformance._plugs import CommandPlug
from conformance.runner import default_jobs, plan, run_suite

REPO = Path(__file__).resolve().parents[2]


def _plug(name: str) -> CommandPlug:
    return CommandPlug([sys.executable, "-m", "tests.conformance.cmd_client", name], cwd=str(REPO))


def test_the_default_is_several_checks_at_once() -> None:
    assert 2 <= default_jobs() <= 4


def test_a_lockless_client_is_caught_while_other_checks_run_beside_it() -> None:
    """Four checks at once on one profile: every verdict is the one it is alone."""
    suite = run_suite(_plug("NoSingleFlight"), profiles=["identity"], jobs=4)
    outcomes = {r.id: r.outcome for r in suite.results}
    assert outcomes.pop("token-single-flight") == "failed"
    assert outcomes.pop("token-refresh-proactive") == "not_applicable"
    bad = {r.key: r.message for r in suite.results if r.id in outcomes and r.outcome != "passed"}
    assert not bad
    # Reported in plan order, whichever check ended first.
    planned = [f"{spec.id}[{profile}]" for spec, profile in plan(None, ["identity"])]
    assert [r.key for r in suite.results] == planned


@pytest.mark.parametrize("jobs", [1, 4])
def test_a_client_that_dies_stops_at_the_first_check_in_plan_order(jobs: int) -> None:
    suite = run_suite(_plug("ExitsOnPoll"), profiles=["identity"], jobs=jobs)
    outcomes = [r.outcome for r in suite.results]
    first = outcomes.index("error")
    stopper = suite.results[first]
    assert "the client exited (code 7)" in stopper.message
    assert all(o == "passed" for o in outcomes[:first]), suite.results[:first]
    stopped = f"not run: the client stopped in {stopper.key}: "
    later = suite.results[first + 1 :]
    assert later
    assert all(r.outcome == "error" and r.message.startswith(stopped) for r in later)
    assert all(r.duration == 0.0 for r in later)
    assert suite.exit_code == 1


def test_one_at_a_time_and_four_at_once_report_the_same() -> None:
    def report(jobs: int) -> list[tuple[str, str, str]]:
        suite = run_suite(_plug("ExitsOnPoll"), profiles=["onprem"], jobs=jobs)
        return [(r.key, r.outcome, r.message.split(";")[0]) for r in suite.results]

    assert report(4) == report(1)


_GREETS_AND_SAYS_WHO = """
import json, os, sys
sys.stderr.write(f"hello from {os.environ['UIPATH_TENANT']}\\n")
sys.stderr.flush()
for line in sys.stdin:
    msg = json.loads(line)
    print(json.dumps({"id": msg["id"], "ok": True}), flush=True)
    if msg["op"] == "close":
        break
"""


def test_a_check_reads_only_the_output_of_the_clients_it_opened() -> None:
    """The secrets rule reads the output of the clients it opens while it captures; a client
    another check opens at the same moment, in another thread, is not read there."""
    plug = CommandPlug([sys.executable, "-c", _GREETS_AND_SAYS_WHO])

    def env(tenant: str) -> ClientEnv:
        return ClientEnv("onprem", "password", "http://127.0.0.1:9", "org", tenant, "Shared")

    mine = OutputTail()
    beside: list[Any] = []
    with plug.capture(mine):
        other = threading.Thread(target=lambda: beside.append(plug.open(env("beside"), None)))
        other.start()
        other.join(30)
        own = plug.open(env("mine"), None)
        own.close()
        beside[0].close()
    read = "\n".join(mine.lines)
    assert "hello from mine" in read
    assert "hello from beside" not in read

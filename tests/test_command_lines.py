"""One command-line style for every command the kit ships, run as a user runs them (subprocess).

The style: a usage error (unknown option or value, a number out of range, a client that cannot
be loaded) prints one ``<prog>: error: <what>`` line as the last line on stderr, nothing on
stdout, no traceback, and exits 2; ``--help`` and ``--version`` print on stdout and exit 0.
Every subcommand of ``orchestrator-kit`` (``COMMANDS``, so one added later is covered too) and
the reference client's ``python -m client_under_test`` are held to it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from importlib import metadata

import pytest

from orchestrator_kit.cli import COMMANDS

KIT = (sys.executable, "-m", "orchestrator_kit")
CLIENT = (sys.executable, "-m", "client_under_test")
CLIENT_PROG = "python -m client_under_test"
#: A usage error is answered at once; a command still running after this is serving or working.
PATIENCE = 15


@dataclass
class Ran:
    code: int | None  # None: still running after PATIENCE seconds (then killed)
    out: str
    err: str


def run(*argv: str) -> Ran:
    env = {k: v for k, v in os.environ.items() if not k.startswith("UIPATH_")}
    with subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    ) as proc:
        try:
            out, err = proc.communicate(timeout=PATIENCE)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            return Ran(None, out, err)
    return Ran(proc.returncode, out, err)


def assert_usage_error(ran: Ran, prog: str, *fragments: str) -> None:
    assert ran.code is not None, f"{prog} did not stop on a usage error: {ran.out!r}"
    assert "Traceback" not in ran.err, ran.err
    lines = [line for line in ran.err.splitlines() if line.strip()]
    assert lines, f"nothing on stderr (stdout: {ran.out!r})"
    assert lines[-1].startswith(f"{prog}: error: "), lines[-1]
    for fragment in fragments:
        assert fragment in lines[-1], lines[-1]
    assert ran.out == "", f"a usage error belongs on stderr, not stdout: {ran.out!r}"
    assert ran.code == 2


# -- orchestrator-kit itself ----------------------------------------------------------------


def test_version_prints_the_installed_version() -> None:
    ran = run(*KIT, "--version")
    assert ran.code == 0
    assert ran.out == f"orchestrator-kit {metadata.version('uipath-orchestrator-kit')}\n"


def test_options_are_never_abbreviated() -> None:
    assert_usage_error(run(*KIT, "--vers"), "orchestrator-kit")


def test_no_subcommand_is_a_usage_error() -> None:
    assert_usage_error(run(*KIT), "orchestrator-kit", "required: command")


def test_an_unknown_subcommand_is_a_usage_error() -> None:
    assert_usage_error(run(*KIT, "frobnicate"), "orchestrator-kit", "invalid choice")


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_subcommand_refuses_an_unknown_option(name: str) -> None:
    ran = run(*KIT, name, "--no-such-option")
    assert_usage_error(ran, f"orchestrator-kit {name}", "--no-such-option")


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_no_subcommand_takes_an_abbreviated_option(name: str) -> None:
    """``--junit`` must not silently mean ``--junit-xml``: an abbreviation that works today
    breaks, or changes meaning, when an option is added. argparse's prefix matching is one
    switch per parser, so ``--hel`` (every parser has ``--help``) shows whether it is off."""
    assert_usage_error(run(*KIT, name, "--hel"), f"orchestrator-kit {name}", "--hel")


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_subcommand_has_help_on_stdout(name: str) -> None:
    ran = run(*KIT, name, "--help")
    assert ran.code == 0
    assert ran.out.startswith(f"usage: orchestrator-kit {name}")


# -- check ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("--profile", "cloud"), "'cloud'"),
        (("--rule", "no-such-rule"), "no-such-rule"),
        (("--client", "no_such_module_xyz:factory"), "no_such_module_xyz"),
        (("--jobs", "0"), "--jobs: 0 is out of range: a number of checks from 1 to 32"),
        (("--jobs", "33"), "--jobs: 33 is out of range"),
        (("--jobs", "two"), "--jobs: 'two' is not a number of checks"),
        (("--jobs", "9" * 400), "--jobs: " + "9" * 400 + " is out of range"),
    ],
    ids=["profile", "rule", "client", "jobs-0", "jobs-33", "jobs-word", "jobs-huge"],
)
def test_check_usage_errors(args: tuple[str, ...], fragment: str) -> None:
    assert_usage_error(run(*KIT, "check", *args), "orchestrator-kit check", fragment)


# -- serve ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        pytest.param(("--port", "99999"), "--port", id="port-too-big"),
        pytest.param(("--port", "-1"), "--port", id="port-negative"),
        pytest.param(("--stall-cap", "-1"), "--stall-cap", id="stall-cap"),
        pytest.param(("--seed", "x"), "--seed", id="seed"),
        pytest.param(("--profile", "cloud"), "--profile", id="profile"),
        pytest.param(("--start", "yesterday"), "--start", id="start"),
    ],
)
def test_serve_usage_errors(args: tuple[str, ...], fragment: str) -> None:
    assert_usage_error(run(*KIT, "serve", *args), "orchestrator-kit serve", fragment)


# -- soak -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("--exec", "true", "--runs", "0"), "--runs"),
        (("--exec", "true", "--timeout", "0"), "--timeout"),
        (("--exec", "true", "--every", "nonsense"), "--every"),
        (("--exec", "true", "--credential", "cookie"), "--credential"),
        ((), "--exec"),
    ],
    ids=["runs", "timeout", "every", "credential", "no-exec"],
)
def test_soak_usage_errors(args: tuple[str, ...], fragment: str) -> None:
    assert_usage_error(run(*KIT, "soak", *args), "orchestrator-kit soak", fragment)


# -- the reference client's command line ------------------------------------------------------


def test_the_client_needs_a_command() -> None:
    assert_usage_error(run(*CLIENT), CLIENT_PROG, "command")


def test_the_client_refuses_an_unknown_option() -> None:
    ran = run(*CLIENT, "start-job", "--process", "P", "--no-such-option")
    assert_usage_error(ran, CLIENT_PROG, "--no-such-option")


def test_start_job_needs_a_process() -> None:
    assert_usage_error(run(*CLIENT, "start-job"), f"{CLIENT_PROG} start-job", "--process")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [(("--timeout", "-5"), "--timeout"), (("--input", "[1]"), "--input")],
    ids=["timeout", "input"],
)
def test_start_job_usage_errors(args: tuple[str, ...], fragment: str) -> None:
    ran = run(*CLIENT, "start-job", "--process", "P", *args)
    assert_usage_error(ran, f"{CLIENT_PROG} start-job", fragment)

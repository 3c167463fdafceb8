"""The ``orchestrator-kit`` dispatcher: every subcommand resolves, and the mock stays below it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from orchestrator_kit.cli import COMMANDS, _load, main


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_subcommand_resolves_to_a_callable(name: str) -> None:
    assert callable(_load(COMMANDS[name][1]))


def test_an_unknown_subcommand_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["frobnicate"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_the_old_entry_point_still_dispatches(capsys: pytest.CaptureFixture[str]) -> None:
    from mock_orchestrator.cli import main as old_main

    assert old_main(["check", "--list"]) == 0
    assert "token-single-flight" in capsys.readouterr().out


def test_serving_the_mock_never_imports_the_conformance_suite() -> None:
    code = (
        "import sys, mock_orchestrator, mock_orchestrator.served, mock_orchestrator.cli\n"
        "leaked = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('conformance', 'cassettes', 'orchestrator_kit'))\n"
        "assert not leaked, leaked\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)

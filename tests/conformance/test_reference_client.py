"""The reference client passes every rule of the catalog on every profile: in process, and as
a command (``python -m conformance.speaker``) against the served mock on its own clock."""

from __future__ import annotations

import sys

import pytest

from conformance._plugs import CommandPlug, PythonPlug
from conformance.catalog import CATALOG, PROFILES
from conformance.cli import DEFAULT_CLIENT
from conformance.runner import run_suite


@pytest.mark.parametrize("profile", PROFILES)
def test_reference_client_passes_every_rule(profile: str) -> None:
    suite = run_suite(PythonPlug.from_spec(DEFAULT_CLIENT), profiles=[profile])
    bad = {r.key: f"{r.outcome}: {r.message}" for r in suite.results if r.outcome != "passed"}
    assert not bad
    assert {r.id for r in suite.results} == {
        rule.id for rule in CATALOG.values() if profile in rule.profiles
    }
    assert suite.exit_code == 0


@pytest.mark.parametrize("profile", PROFILES)
def test_reference_client_passes_every_rule_as_a_command(profile: str) -> None:
    plug = CommandPlug([sys.executable, "-m", "conformance.speaker", DEFAULT_CLIENT])
    suite = run_suite(plug, profiles=[profile])
    outcomes = {r.id: r.outcome for r in suite.results}
    # Only the rule that needs the client on the world's clock cannot be judged.
    assert outcomes.pop("token-refresh-proactive") == "not_applicable"
    bad = {r.key: r.message for r in suite.results if r.id in outcomes and r.outcome != "passed"}
    assert not bad
    assert suite.exit_code == 0

"""The reference client passes every rule of the catalog on every profile, in seconds."""

from __future__ import annotations

import pytest

from conformance._plugs import PythonPlug
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
    # "In seconds": the rules run on the fake clock, so a profile takes well under ten.
    assert suite.summary()["seconds"] < 10

"""Every route label a rule relies on exists in the mock's route table: a renamed route must
turn this red, not make a rule judge zero calls and pass."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import conformance
from conformance import _world
from conformance.rules import jobs, secrets
from mock_orchestrator import route_labels

_LABEL = re.compile(r"""["']((?:identity|legacy|onprem|orchestrator)\.[a-z_]+)["']""")
_SOURCES = sorted(Path(conformance.__file__).parent.rglob("*.py"))


def _labels_in_sources() -> set[str]:
    return {m for path in _SOURCES for m in _LABEL.findall(path.read_text(encoding="utf-8"))}


def test_the_scan_finds_the_labels_rules_use() -> None:
    found = _labels_in_sources()
    assert {"orchestrator.start_jobs", "identity.token", "legacy.accounts_for_user"} <= found


@pytest.mark.parametrize("label", sorted(_labels_in_sources()))
def test_each_label_named_in_the_suite_is_a_route(label: str) -> None:
    assert label in route_labels()


@pytest.mark.parametrize(
    ("name", "labels"),
    [
        ("TOKEN_ROUTES", _world.TOKEN_ROUTES),
        ("HUMAN_ROUTES", _world.HUMAN_ROUTES),
        ("PASSWORD_ROUTES", _world.PASSWORD_ROUTES),
        ("FOLDER_ROUTES", jobs.FOLDER_ROUTES),
        ("_REFUSALS", frozenset(secrets._REFUSALS)),
    ],
)
def test_each_route_set_names_only_routes(name: str, labels: frozenset[str]) -> None:
    assert labels
    assert sorted(labels - route_labels()) == [], f"{name} names unknown routes"

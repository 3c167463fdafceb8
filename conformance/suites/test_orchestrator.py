"""Conformance rules: orchestrator. One test per rule and profile, generated from the catalog."""

from __future__ import annotations

from conformance.plugin import RuleParam, UipathConformance

RULES = [
    "tenant-logical-name",
    "folder-context-sent",
    "jobs-start-by-release",
    "jobs-poll-by-id",
    "jobs-start-not-duplicated",
]


def test_rule(uipath_rule: RuleParam, uipath_conformance: UipathConformance) -> None:
    uipath_conformance.check(uipath_rule)  # fails, errors, xfails or skips the test itself

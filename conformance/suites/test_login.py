"""Conformance rules: login. One test per rule and profile, generated from the catalog."""

from __future__ import annotations

from conformance.plugin import RuleParam, UipathConformance

RULES = [
    "login-no-password-on-cloud",
    "login-password-on-prem",
]


def test_rule(uipath_rule: RuleParam, uipath_conformance: UipathConformance) -> None:
    uipath_conformance.check(uipath_rule)  # fails, errors, xfails or skips the test itself

"""Conformance rules: tokens. One test per rule and profile, generated from the catalog."""

from __future__ import annotations

from conformance.plugin import RuleParam, UipathConformance

RULES = [
    "token-acquire-unattended",
    "token-refresh-after-expiry",
    "token-refresh-proactive",
    "token-refresh-economy",
    "token-retry-once-on-401",
    "token-rotation-followed",
    "token-rotation-absent-keeps-old",
    "token-rotation-persisted",
    "token-invalid-grant-terminal",
    "token-single-flight",
    "token-secrets-not-logged",
    "token-access-not-id",
    "token-html-is-failure",
]


def test_rule(uipath_rule: RuleParam, uipath_conformance: UipathConformance) -> None:
    uipath_conformance.check(uipath_rule)  # fails, errors, xfails or skips the test itself

"""The catalog: the issue's IDs exactly, each with level, profiles, references and code."""

from __future__ import annotations

import pytest

from conformance.catalog import CATALOG, PROFILES, get_rule
from conformance.rules import RULES

# The IDs and levels of the conformance issue, in its order: never rename.
ISSUE_RULES = [
    ("token-acquire-unattended", "MUST"),
    ("token-refresh-after-expiry", "MUST"),
    ("token-refresh-proactive", "SHOULD"),
    # issue 9: refresh storms (a new token per call, on a timer, expires_in in ms)
    ("token-refresh-economy", "MUST"),
    ("token-retry-once-on-401", "MUST"),
    ("token-rotation-followed", "MUST"),
    ("token-rotation-absent-keeps-old", "MUST"),
    ("token-rotation-persisted", "MUST"),
    ("token-invalid-grant-terminal", "MUST"),
    ("token-single-flight", "MUST"),
    ("token-secrets-not-logged", "MUST"),
    ("login-no-password-on-cloud", "MUST"),
    ("login-password-on-prem", "SHOULD"),
    ("token-access-not-id", "MUST"),
    ("token-html-is-failure", "MUST"),
    ("tenant-logical-name", "MUST"),
    ("folder-context-sent", "MUST"),
    ("jobs-start-by-release", "MUST"),
    ("jobs-poll-by-id", "SHOULD"),
    ("jobs-start-not-duplicated", "MUST"),
    ("http-429-retry-after", "MUST"),
    ("http-5xx-idempotent-retry", "SHOULD"),
    ("http-timeout-set", "MUST"),
]


def test_ids_and_levels_are_the_issues() -> None:
    assert [(r.id, r.level) for r in CATALOG.values()] == ISSUE_RULES


@pytest.mark.parametrize("rule_id", list(CATALOG))
def test_each_rule_is_complete(rule_id: str) -> None:
    rule = get_rule(rule_id)
    assert rule.profiles
    assert set(rule.profiles) <= set(PROFILES)
    assert rule.summary
    assert rule.refs
    assert all(ref.url.startswith("https://") and ref.label for ref in rule.refs)
    assert RULES[rule_id].__doc__, "a rule's docstring says how it judges"
    for profile in rule.profiles:
        assert rule.credential_for(profile) in (
            "client_credentials",
            "refresh_token",
            "user_key",
            "password",
        )


def test_profile_specific_rules() -> None:
    assert get_rule("token-rotation-followed").profiles == ("identity",)
    assert get_rule("token-rotation-absent-keeps-old").profiles == ("legacy",)
    assert get_rule("login-password-on-prem").profiles == ("onprem",)
    assert "onprem" not in get_rule("login-no-password-on-cloud").profiles


def test_references_cite_rfcs_and_uipath() -> None:
    labels = {ref.label for rule in CATALOG.values() for ref in rule.refs}
    for rfc in ("RFC6749-6", "RFC6750-3.1", "RFC9700-4.14.2", "RFC6585-4", "RFC9110-10.2.3"):
        assert rfc in labels
    urls = {ref.url for rule in CATALOG.values() for ref in rule.refs}
    assert any(u.startswith("https://docs.uipath.com/") for u in urls)


def test_unknown_rule_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="token-single-flight"):
        get_rule("token-single-flite")


def test_markers_are_identifiers() -> None:
    assert all(rule.marker.isidentifier() for rule in CATALOG.values())

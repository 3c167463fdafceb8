"""The proof that each rule can fail: every broken client fails its rule, through the check
named in ``CHECKS`` (so deleting any one check inside a rule turns a test red), and the failures
it drags along are exactly the ones listed here (each with the reason it must fail them too).

A correct client in miniature (``MiniClient``) passes everything; each subclass breaks one habit.
"""

from __future__ import annotations

import pytest

from conformance._plugs import PythonPlug
from conformance.catalog import CATALOG, PROFILES
from conformance.runner import run_suite

from . import broken_clients as bc

ALL = PROFILES
CLOUD = ("legacy", "identity")


def _on(profiles: tuple[str, ...] | str, *rules: str) -> set[str]:
    chosen = (profiles,) if isinstance(profiles, str) else profiles
    return {f"{r}[{p}]" for r in rules for p in chosen if p in CATALOG[r].profiles}


def _all_on(profile: str, *, but: tuple[str, ...] = ()) -> set[str]:
    return _on(profile, *(r for r in CATALOG if r not in but))


_REFRESH_AGAIN = (
    "token-refresh-after-expiry",
    "token-refresh-economy",
    "token-refresh-proactive",
    "token-retry-once-on-401",
    "token-single-flight",
)

EXPECTED: dict[type[bc.MiniClient], set[str]] = {
    bc.OpensBrowserLogin: _on(ALL, "token-acquire-unattended"),
    # Every rule that needs a second token fails, on every profile; and invalid-grant-terminal
    # cannot see invalid_grant handled by a client that never asks for a token again.
    bc.NeverRefreshes: _on(
        ALL,
        *_REFRESH_AGAIN,
        "token-rotation-followed",
        "token-rotation-absent-keeps-old",
        "token-rotation-persisted",
        "login-password-on-prem",
        "token-invalid-grant-terminal",
    ),
    bc.ReactiveOnly: _on(ALL, "token-refresh-proactive"),
    bc.LoopsOn401: _on(ALL, "token-retry-once-on-401"),
    # The second refresh with a consumed token is invalid_grant: every identity rule that
    # refreshes twice fails with it.
    bc.ReusesConsumedRefreshToken: _on(
        "identity", *_REFRESH_AGAIN, "token-rotation-followed", "token-rotation-persisted"
    ),
    # Without the User Key the legacy client cannot refresh a second time.
    bc.DropsKeptRefreshToken: _on("legacy", *_REFRESH_AGAIN, "token-rotation-absent-keeps-old"),
    bc.NoPersistence: _on(ALL, "token-rotation-persisted"),
    bc.HammersInvalidGrant: _on(ALL, "token-invalid-grant-terminal"),
    bc.NoSingleFlight: _on(ALL, "token-single-flight"),
    bc.LogsItsToken: _on(ALL, "token-secrets-not-logged"),
    bc.PasswordOnCloud: _on(ALL, "login-no-password-on-cloud"),
    # It never gets a token on prem, so nothing on prem works (and there is no secret to keep).
    bc.PasswordGrantOnPrem: _all_on("onprem", but=("token-html-is-failure",)),
    # Orchestrator refuses the id_token: nothing works on legacy; on identity only the rule
    # whose refresh token has openid gives it one (client credentials and the default
    # refresh token get no id_token at all).
    bc.IdTokenToOrchestrator: _all_on(
        "legacy",
        but=(
            "token-secrets-not-logged",
            "login-no-password-on-cloud",
            "token-html-is-failure",
        ),
    )
    | _on("identity", "token-access-not-id"),
    bc.AcceptsHtmlToken: _on(ALL, "token-html-is-failure"),
    bc.TakesHtmlForToken: _on(ALL, "token-html-is-failure"),
    bc.DisplayNameTenant: _on(ALL, "tenant-logical-name"),
    bc.NoFolderHeaderForUnicode: _on(ALL, "folder-context-sent"),
    bc.InputArgumentsAsObject: _on(ALL, "jobs-start-by-release"),
    bc.PollsWithLists: _on(ALL, "jobs-poll-by-id"),
    bc.ResendsStartJobs: _on(ALL, "jobs-start-not-duplicated"),
    bc.IgnoresRetryAfter: _on(ALL, "http-429-retry-after"),
    bc.FixedSecondBackoff: _on(ALL, "http-429-retry-after"),
    bc.No5xxRetry: _on(ALL, "http-5xx-idempotent-retry"),
    bc.NoTimeout: _on(ALL, "http-timeout-set"),
    bc.NoTimeoutNoRetry: _on(ALL, "http-timeout-set"),
    # The secrets rule runs with client credentials where the profile offers them.
    bc.LogsClientSecret: _on(("identity", "onprem"), "token-secrets-not-logged"),
    bc.SecretInTokenQuery: _on(("identity", "onprem"), "token-secrets-not-logged"),
    bc.WritesTokenToFd2: _on(ALL, "token-secrets-not-logged"),
    # It writes the refresh token it keeps: the rotated one, or the User Key.
    bc.WritesToStreamBoundAtImport: _on(CLOUD, "token-secrets-not-logged"),
    bc.ReprShowsToken: _on(ALL, "token-secrets-not-logged"),
    bc.PasswordGrantOnCloud: _on(CLOUD, "login-no-password-on-cloud"),
    bc.RefusesAfterSending: _on(CLOUD, "login-no-password-on-cloud"),
    bc.RawNonAsciiFolderPath: _on(ALL, "folder-context-sent"),
    bc.AsciiFoldsFolderPath: _on(ALL, "folder-context-sent"),
    bc.RefreshesEveryFewSeconds: _on(ALL, "token-refresh-economy"),
    bc.ExpiresInMilliseconds: _on(ALL, "token-refresh-economy"),
    bc.RefreshesOnEveryStart: _on(ALL, "token-refresh-economy"),
}


def test_every_rule_has_a_broken_client() -> None:
    assert set(bc.BROKEN.values()) == set(CATALOG)
    assert set(EXPECTED) == set(bc.BROKEN) == set(bc.CHECKS)
    assert all(bc.CHECKS.values()), "every broken client names the check it trips"


def test_the_mini_client_passes_every_rule_on_every_profile() -> None:
    suite = run_suite(PythonPlug(bc.factory(bc.MiniClient)))
    bad = {r.key: r.message for r in suite.results if r.outcome != "passed"}
    assert not bad
    assert len(suite.results) == sum(len(rule.profiles) for rule in CATALOG.values())


@pytest.mark.parametrize("broken", list(bc.BROKEN), ids=lambda c: c.__name__)
def test_each_broken_client_fails_its_rule(broken: type[bc.MiniClient]) -> None:
    suite = run_suite(PythonPlug(bc.factory(broken)))
    failed = {r.key for r in suite.results if r.outcome == "failed"}
    others = {r.key: r.outcome for r in suite.results if r.outcome not in ("passed", "failed")}
    assert not others, "nothing is skipped or not applicable for a Python client"
    primary = bc.BROKEN[broken]
    assert any(key.startswith(primary + "[") for key in failed), f"{primary} did not fail"
    assert failed == EXPECTED[broken]
    assert suite.exit_code == 1 or CATALOG[primary].level == "SHOULD"
    messages = {r.key: r.message for r in suite.results if r.id == primary and r.key in failed}
    assert all(bc.CHECKS[broken] in message for message in messages.values()), messages

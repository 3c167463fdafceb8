"""The soak's rules: its own (``soak-*``) and the conformance rules it judges across runs.

A soak judges a program from the outside, run after run, so it reuses the conformance catalog's
IDs wherever the same promise is at stake (a consumed refresh token presented on day two is the
same ``token-rotation-followed`` failure as in ``check``) and adds the promises only a series of
runs can show. Each soak rule is a :class:`~conformance.catalog.RuleSpec`, so the reports of
``check`` render it unchanged.
"""

from __future__ import annotations

from ..catalog import ALL, CATALOG, Ref, RuleSpec

__all__ = ["CONFORMANCE_RULES", "SOAK_SPECS", "spec_for"]

_CRON = Ref(
    "UiPath docs: external applications (unattended access) [DOC-EXT]",
    "https://docs.uipath.com/automation-cloud/automation-cloud/latest/api-guide/"
    "accessing-uipath-resources-using-external-applications",
)
_RFC9700 = Ref("RFC9700-4.14.2", "https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2")

SOAK_SPECS: dict[str, RuleSpec] = {
    spec.id: spec
    for spec in (
        RuleSpec(
            "soak-run-succeeds",
            "MUST",
            ALL,
            "every scheduled run exits 0 within its timeout (with --chaos: a run given a fault "
            "may fail, the next one must succeed)",
            (_CRON,),
        ),
        RuleSpec(
            "soak-one-job-per-run",
            "MUST",
            ALL,
            "every run that exits 0 started exactly one job",
            (_CRON,),
        ),
        RuleSpec(
            "soak-no-human-step",
            "MUST",
            ALL,
            "no run after the first visits an authorize page or sends a password on the cloud",
            (_CRON, _RFC9700),
        ),
        RuleSpec(
            "soak-no-expired-token-failure",
            "MUST",
            ALL,
            "no run fails on an expired token: a 401 for expiry is followed by a new token",
            (_CRON, Ref("RFC6750-3.1", "https://www.rfc-editor.org/rfc/rfc6750#section-3.1")),
        ),
    )
}

#: The conformance rules a soak judges, in report order. Each applies where the catalog says.
CONFORMANCE_RULES = (
    "login-no-password-on-cloud",
    "token-rotation-followed",
    "token-rotation-absent-keeps-old",
    "token-access-not-id",
    "folder-context-sent",
    "tenant-logical-name",
    "token-secrets-not-logged",
    "jobs-start-not-duplicated",
    "http-429-retry-after",
)


def spec_for(rule_id: str) -> RuleSpec:
    """A soak rule or a catalog rule by ID."""
    return SOAK_SPECS.get(rule_id) or CATALOG[rule_id]

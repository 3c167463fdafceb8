"""The rule catalog: stable IDs, levels, profiles, references, and what the client must show.

Modelled on the OpenID Foundation conformance suite (docs/anchors.md §b): each rule
has a kebab-case ID that never changes (reports, allow-lists and CI gates key on it), a level
(``MUST`` gates CI, ``SHOULD`` is reported), the profiles it applies to, and references (UiPath's
docs and forum threads, RFC sections in the OIDF ``RFC6749-6`` style).

The code that judges a rule lives in :mod:`conformance.rules`; this module is data only, so that
reports, the CLI's ``--help`` and the pytest markers can list rules without running anything.

Example::

    from conformance.catalog import CATALOG, get_rule
    rule = get_rule("token-single-flight")
    rule.level, rule.profiles, [ref.label for ref in rule.refs]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from ._env import Credential

__all__ = [
    "CATALOG",
    "LEVELS",
    "PROFILES",
    "Level",
    "ProfileName",
    "Ref",
    "RuleSpec",
    "get_rule",
    "rule_ids",
]

Level = Literal["MUST", "SHOULD"]
ProfileName = Literal["legacy", "identity", "onprem"]
LEVELS: tuple[Level, ...] = ("MUST", "SHOULD")
PROFILES: tuple[ProfileName, ...] = ("legacy", "identity", "onprem")
ALL: tuple[ProfileName, ...] = PROFILES
CLOUD: tuple[ProfileName, ...] = ("legacy", "identity")


@dataclass(frozen=True)
class Ref:
    """One reference: a short label (``RFC6749-6``, ``UiPath: external apps``) and its URL."""

    label: str
    url: str

    def to_dict(self) -> dict[str, str]:
        return {"label": self.label, "url": self.url}


def _rfc(number: int, section: str) -> Ref:
    url = f"https://www.rfc-editor.org/rfc/rfc{number}#section-{section}"
    return Ref(f"RFC{number}-{section}", url)


# UiPath pages, as cited in docs/wire.md (source keys in brackets).
_DOCS = "https://docs.uipath.com"
_FORUM = "https://forum.uipath.com/t"
DOC_EXT = Ref(
    "UiPath docs: external applications [DOC-EXT]",
    f"{_DOCS}/automation-cloud/automation-cloud/latest/api-guide/"
    "accessing-uipath-resources-using-external-applications",
)
DOC_CCA = Ref(
    "UiPath docs: consuming the cloud API [DOC-CCA]",
    f"{_DOCS}/orchestrator/automation-cloud/latest/api-guide/consuming-cloud-api",
)
DOC_ROPC = Ref(
    "UiPath docs: ROPC authentication [DOC-ROPC]",
    f"{_DOCS}/automation-cloud/automation-cloud/latest/api-guide/ropc-authentication",
)
DOC_RL = Ref(
    "UiPath docs: Orchestrator rate limits [DOC-RL]",
    f"{_DOCS}/orchestrator/automation-cloud/latest/api-guide/rate-limits",
)
DOC_JOBS = Ref(
    "UiPath docs: jobs requests [DOC-JOBS]", f"{_DOCS}/orchestrator/reference/jobs-requests"
)
DOC_RC = Ref(
    "UiPath docs: response codes [DOC-RC]", f"{_DOCS}/orchestrator/v0/reference/response-codes"
)
F152980 = Ref(
    "UiPath forum 152980: the 24-hour token",
    f"{_FORUM}/access-token-for-more-than-1-day-in-uipath-cloud-orchestrator/152980",
)
F341681 = Ref(
    "UiPath forum 341681: one-use refresh tokens, 60 days",
    f"{_FORUM}/orchestrator-api-oauth2-get-refresh-token-for-confidential-application/341681",
)
F173722 = Ref(
    "UiPath forum 173722: the User Key never expires",
    f"{_FORUM}/uipath-cloud-orchestrator-api-is-now-simplified/173722",
)
F166216 = Ref(
    "UiPath forum 166216: errorCode 1000 on the cloud",
    f"{_FORUM}/400-details-message-invalid-credentials-failed-to-login-errorcode-1000-resourceids-null"
    "/166216",
)
F149111 = Ref(
    "UiPath forum 149111: id_token vs access_token",
    f"{_FORUM}/steps-for-authenticating-and-using-orchestrator-cloud-api/149111",
)
F504018 = Ref(
    "UiPath forum 504018: an HTML page instead of a token",
    f"{_FORUM}/unable-to-fetch-access-token-for-orchestrator-api-using-external-application/504018",
)
F180188 = Ref(
    "UiPath forum 180188: tenant logical vs display name",
    f"{_FORUM}/how-to-authenticate-to-uipath-cloud-orchestrator-using-api/180188",
)
F800047 = Ref(
    "UiPath forum 800047: folder headers, encoded paths",
    f"{_FORUM}/how-to-prevent-orchestrator-from-changing-folder-id/800047",
)
F544082 = Ref(
    "UiPath forum 544082: errorCode 1101, no folder",
    f"{_FORUM}/an-organization-unit-is-required-for-this-action-errorcode-1101/544082",
)


@dataclass(frozen=True)
class RuleSpec:
    """One rule of the catalog. ``credentials`` says what the client is configured with."""

    id: str
    level: Level
    profiles: tuple[ProfileName, ...]
    summary: str
    refs: tuple[Ref, ...]
    #: The credential the rule hands the client, per profile (see ClientEnv.credential).
    credentials: Mapping[str, Credential] = field(default_factory=dict)

    def credential_for(self, profile: str) -> Credential:
        return self.credentials.get(profile) or DEFAULT_CREDENTIALS[profile]

    @property
    def marker(self) -> str:
        """The pytest marker name: the ID with underscores (``-m`` needs identifiers)."""
        return self.id.replace("-", "_")


#: What a deployed unattended client of each profile is usually configured with.
DEFAULT_CREDENTIALS: dict[str, Credential] = {
    "identity": "client_credentials",
    "legacy": "user_key",
    "onprem": "password",
}
#: Rules about refreshing use the rotating refresh token where the profile has one.
_REFRESHING: dict[str, Credential] = {"identity": "refresh_token"}

_RULES = [
    RuleSpec(
        "token-acquire-unattended",
        "MUST",
        ALL,
        "gets a token from its configured credential with no human step",
        (_rfc(6749, "4.4"), _rfc(6749, "6"), DOC_EXT, DOC_CCA, DOC_ROPC),
    ),
    RuleSpec(
        "token-refresh-after-expiry",
        "MUST",
        ALL,
        "after the token's lifetime passes (24 h legacy, 1 h identity, 30 min on-prem) the next "
        "operation succeeds, no 401 surfaced to the caller",
        (_rfc(6749, "6"), _rfc(6750, "3.1"), F152980, DOC_EXT, DOC_ROPC),
        _REFRESHING,
    ),
    RuleSpec(
        "token-refresh-proactive",
        "SHOULD",
        ALL,
        "refreshes before expiry: the mock sees no expired token (clients given env.clock)",
        (_rfc(6749, "5.1"), _rfc(6750, "3.1"), _rfc(9700, "4.14.2")),
        _REFRESHING,
    ),
    RuleSpec(
        "token-refresh-economy",
        "MUST",
        ALL,
        "no refresh storm: no token request while the held token has more than a refresh "
        "margin left; about one refresh per token lifetime over a multi-hour run",
        (_rfc(6749, "5.1"), _rfc(9700, "4.14.2"), DOC_RL, F152980),
        _REFRESHING,
    ),
    RuleSpec(
        "token-retry-once-on-401",
        "MUST",
        ALL,
        "a 401 on a token it believed valid (revoked server-side) is followed by one refresh and "
        "one replay; a second 401 ends as an error, not a loop",
        (_rfc(6750, "3.1"), _rfc(6749, "6")),
        _REFRESHING,
    ),
    RuleSpec(
        "token-rotation-followed",
        "MUST",
        ("identity",),
        "uses each newly issued refresh token and never presents a consumed one",
        (_rfc(6749, "6"), _rfc(6749, "10.4"), _rfc(9700, "4.14.2"), F341681, DOC_EXT),
        _REFRESHING,
    ),
    RuleSpec(
        "token-rotation-absent-keeps-old",
        "MUST",
        ("legacy",),
        "when a refresh response has no refresh_token (legacy User Key) it keeps the one it has",
        (_rfc(6749, "6"), F173722, DOC_CCA),
    ),
    RuleSpec(
        "token-rotation-persisted",
        "MUST",
        ("identity",),
        "a new client built on the same token store after a rotation keeps working",
        (_rfc(6749, "6"), _rfc(9700, "4.14.2"), F341681),
        _REFRESHING,
    ),
    RuleSpec(
        "token-invalid-grant-terminal",
        "MUST",
        CLOUD,
        "invalid_grant ends in an error after at most one token request; no hammering",
        (_rfc(6749, "5.2"), _rfc(9700, "4.14.2")),
        _REFRESHING,
    ),
    RuleSpec(
        "token-single-flight",
        "MUST",
        ALL,
        "8 concurrent operations at expiry cause exactly one refresh",
        (_rfc(9700, "4.14.2"), _rfc(6749, "10.4")),
        _REFRESHING,
    ),
    RuleSpec(
        "token-secrets-not-logged",
        "MUST",
        ALL,
        "no canary secret or token appears in the client's log output or error text",
        (_rfc(6750, "5.3"), _rfc(6749, "10.3"), _rfc(9700, "4.14")),
        _REFRESHING,
    ),
    RuleSpec(
        "login-no-password-on-cloud",
        "MUST",
        CLOUD,
        "never calls /api/Account/Authenticate on a cloud host (the errorCode 1000 trap)",
        (F166216, F149111, DOC_ROPC, _rfc(9700, "2.4")),
        {"identity": "password", "legacy": "password"},
    ),
    RuleSpec(
        "login-password-on-prem",
        "SHOULD",
        ("onprem",),
        "on-prem: username/password login works and is repeated after the 30-minute token expires",
        (DOC_ROPC,),
    ),
    RuleSpec(
        "token-access-not-id",
        "MUST",
        CLOUD,
        "legacy: Orchestrator calls carry the access token; the id_token only goes to the "
        "account lookups",
        (F149111, _rfc(6750, "2.1"), DOC_CCA),
        _REFRESHING,
    ),
    RuleSpec(
        "token-html-is-failure",
        "MUST",
        ALL,
        "a token endpoint answering 302 or HTML is an error, never a token",
        (_rfc(6749, "5.1"), _rfc(6749, "3.2"), F504018),
    ),
    RuleSpec(
        "tenant-logical-name",
        "MUST",
        CLOUD,
        "addresses the tenant by its logical name, not its display name",
        (F180188, F149111, DOC_CCA),
    ),
    RuleSpec(
        "folder-context-sent",
        "MUST",
        ALL,
        "folder-scoped calls carry a folder header; a non-ASCII folder path goes encoded",
        (F800047, F544082, _rfc(9110, "5.5")),
    ),
    RuleSpec(
        "jobs-start-by-release",
        "MUST",
        ALL,
        "starts a job with a valid startInfo (InputArguments as a JSON string) and returns its key",
        (DOC_JOBS, DOC_RC),
    ),
    RuleSpec(
        "jobs-poll-by-id",
        "SHOULD",
        ALL,
        "polls a job by id or key, not by filtered lists (rate limits)",
        (DOC_RL, DOC_JOBS),
    ),
    RuleSpec(
        "jobs-start-not-duplicated",
        "MUST",
        ALL,
        "a StartJobs that failed with 5xx or timed out is not blindly resent: one job, not two",
        (_rfc(9110, "9.2.2"), DOC_JOBS),
    ),
    RuleSpec(
        "http-429-retry-after",
        "MUST",
        ALL,
        "waits at least Retry-After before retrying, and gives up after a bounded number of tries",
        (_rfc(6585, "4"), _rfc(9110, "10.2.3"), DOC_RL),
    ),
    RuleSpec(
        "http-5xx-idempotent-retry",
        "SHOULD",
        ALL,
        "retries idempotent GETs on 502/503/504 with backoff, bounded",
        (_rfc(9110, "9.2.2"), _rfc(9110, "15.6.4")),
    ),
    RuleSpec(
        "http-timeout-set",
        "MUST",
        ALL,
        "a stalled response ends the operation with an error within a bounded time",
        (_rfc(9110, "9.2.2"),),
    ),
]

#: Every rule by ID, in catalog order (the order reports and the CLI use).
CATALOG: dict[str, RuleSpec] = {rule.id: rule for rule in _RULES}


def get_rule(rule_id: str) -> RuleSpec:
    """The rule with this ID; a ``KeyError`` that lists the known IDs otherwise."""
    try:
        return CATALOG[rule_id]
    except KeyError:
        raise KeyError(f"unknown rule {rule_id!r}; known: {', '.join(CATALOG)}") from None


def rule_ids() -> list[str]:
    return list(CATALOG)

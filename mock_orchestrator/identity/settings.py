"""Auth settings of a world, with one preset per profile (shared/design.md, "Profiles").

Every lifetime, the rotation, reuse detection, the grace window and family revocation are
settings. The presets carry what docs/wire.md says, with its confidence tag:

========================  ===========  ===========  ==========
setting                   legacy       identity     onprem
========================  ===========  ===========  ==========
access_token_lifetime     86400 [V]    3600 [V]     1800 [V]
refresh rotation          never [V]    every use [D] no refresh token [V]
refresh absolute life     none [V]     60 days [D]   --
reuse detection           --           family [I]    --
grace window              --           0 s [I]       --
authorization code life   600 s [I]    300 s [I]     --
========================  ===========  ===========  ==========

``[I]`` choices: IdentityServer4's defaults (code 300 s), RFC 9700 §4.14.2 for reuse detection
(the replayed token *and* the family's newest are revoked), Auth0's 10-minute code.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

__all__ = ["PROFILES", "AuthSettings", "Profile"]

Profile = Literal["legacy", "identity", "onprem"]
PROFILES: tuple[Profile, ...] = ("legacy", "identity", "onprem")

_DAY = 86400


@dataclass(frozen=True)
class AuthSettings:
    """Identity behaviour of one world. Build with :meth:`for_profile` and :meth:`replace`."""

    profile: Profile = "identity"
    #: Lifetime of access tokens (and id tokens) in seconds: ``exp - iat``.
    access_token_lifetime: int = 3600
    #: Whether a refresh issues a new refresh token and consumes the old one.
    refresh_rotation: bool = True
    #: Absolute refresh-token lifetime from the start of its family, in seconds (None: forever).
    refresh_token_lifetime: int | None = 60 * _DAY
    #: Presenting a consumed refresh token revokes its whole family (RFC 9700 §4.14.2).
    reuse_detection: bool = True
    #: Seconds after consumption during which the immediately previous refresh token still works.
    #: Counted from its first use: retries inside the window do not extend it.
    grace_window: float = 0.0
    #: What the grace window answers: a fresh successor ("new", Auth0) or the same one ("same").
    grace_returns: Literal["new", "same"] = "new"
    #: Whether revoking a family also kills access tokens issued from it (RFC 7009 §2.1: MAY).
    revoke_access_tokens_with_family: bool = False
    #: Whether the revocation endpoint can revoke an access token itself. IdentityServer can
    #: only revoke reference tokens and UiPath's are JWTs, so off [I] (identity/revocation.py).
    revocable_access_tokens: bool = False
    #: Lifetime of authorization codes in seconds; single use always.
    code_lifetime: int = 300
    #: HTTP status of a bad refresh token on the legacy Auth0 server ([V] Auth0 generally: 403).
    legacy_invalid_grant_status: int = 403
    #: Whether the identity_ token endpoint takes only form bodies ([V] forum 504018).
    identity_form_only: bool = True
    #: What the identity_ token endpoint answers a JSON body with: "invalid_request" (400) or
    #: "html" (200 text/html, the on-prem behaviour [V] forum 504018). [?] on the cloud.
    identity_json_body: Literal["invalid_request", "html"] = "invalid_request"
    #: What ``/{org}/identity_/connect/token`` answers for an organization that does not exist.
    #: [I] not recorded: "invalid_client" (400), as an org with no such client would answer,
    #: so a client with a mistyped org name fails at once; "ignore" serves it as the host-level
    #: route does (the mock's behaviour before issue 11).
    unknown_organization: Literal["invalid_client", "ignore"] = "invalid_client"

    @classmethod
    def for_profile(cls, profile: Profile, **overrides: Any) -> AuthSettings:
        if profile not in PROFILES:
            raise ValueError(f"unknown profile {profile!r}; one of {', '.join(PROFILES)}")
        base = _PRESETS[profile]
        return replace(base, **overrides) if overrides else base

    def replace(self, **changes: Any) -> AuthSettings:
        return replace(self, **changes)


_PRESETS: dict[Profile, AuthSettings] = {
    "legacy": AuthSettings(
        profile="legacy",
        access_token_lifetime=_DAY,
        refresh_rotation=False,
        refresh_token_lifetime=None,
        reuse_detection=False,
        code_lifetime=600,
    ),
    "identity": AuthSettings(profile="identity"),
    "onprem": AuthSettings(
        profile="onprem",
        access_token_lifetime=1800,
        refresh_rotation=True,
        refresh_token_lifetime=60 * _DAY,
    ),
}

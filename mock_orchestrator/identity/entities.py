"""The identity servers' domain objects: organizations, tenants, apps, users, codes, families.

Plain dataclasses; every rule that changes them lives in ``ledger.py``, ``grants/`` and
``revocation.py``. ``repr`` never shows a secret (``field(repr=False)``).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .tokens import IssuerName

__all__ = [
    "ALL_OR_SCOPES",
    "LEGACY_AUDIENCE",
    "LEGACY_PKCE_CLIENT_ID",
    "LEGACY_REDIRECT_URI",
    "LEGACY_USER_KEY_CLIENT_ID",
    "OIDC_SCOPES",
    "ORCHESTRATOR_AUDIENCE",
    "UIPATH_CLI_CLIENT_ID",
    "AuthCode",
    "ExternalApp",
    "Family",
    "LegacyGrant",
    "Organization",
    "RefreshToken",
    "Tenant",
    "User",
    "auth0_scope_text",
]

#: Orchestrator application scopes an external app can be granted (docs/wire.md §4.2, [V]).
ALL_OR_SCOPES = frozenset(
    f"OR.{area}{suffix}"
    for area in (
        "Administration Analytics Assets Audit BackgroundTasks Execution Folders Hypervisor "
        "Jobs License Machines ML Monitoring Queues Robots Settings Tasks TestDataQueues "
        "TestSets Users Webhooks"
    ).split()
    for suffix in ("", ".Read", ".Write")
)
OIDC_SCOPES = frozenset({"openid", "profile", "email", "offline_access"})
_AUTH0_ORDER = ("openid", "profile", "email", "offline_access")


def auth0_scope_text(scopes: frozenset[str] | set[str]) -> str:
    """A legacy token's ``scope`` as Auth0 writes it: the OIDC scopes in their own order
    (``"openid profile email offline_access"`` [V] Auth0's token responses), then the rest."""
    first = [s for s in _AUTH0_ORDER if s in scopes]
    return " ".join(first + sorted(scopes - set(_AUTH0_ORDER)))


#: UiPath's CLI public client ([V] uipath-python auth_config_cloud.json).
UIPATH_CLI_CLIENT_ID = "36dea5b8-e8bb-423d-8e7b-c808df8f1c00"
#: The legacy User Key client and the legacy PKCE client ([V] forum 180188, Joget).
LEGACY_USER_KEY_CLIENT_ID = "8DEv1AMNXczW3y4U15LL3jYf62jK93n5"
LEGACY_PKCE_CLIENT_ID = "5v7PmPJL6FOGu6RB8I1Y4adLBhIwovQN"
LEGACY_REDIRECT_URI = "https://account.uipath.com/mobile"
LEGACY_AUDIENCE = "https://orchestrator.cloud.uipath.com"
ORCHESTRATOR_AUDIENCE = "UiPath.Orchestrator"


@dataclass(eq=False)
class Tenant:
    id: str
    name: str
    display_name: str
    org: Organization = field(repr=False)


@dataclass(eq=False)
class Organization:
    id: str
    name: str
    display_name: str
    tenants: dict[str, Tenant] = field(default_factory=dict)

    def tenant(self, name: str) -> Tenant | None:
        """A tenant by its *logical* name, case-insensitive. Display names do not resolve."""
        return self.tenants.get(name.lower())


@dataclass(eq=False)
class ExternalApp:
    client_id: str
    name: str
    secret: str | None = field(default=None, repr=False)
    app_scopes: frozenset[str] = frozenset()
    user_scopes: frozenset[str] = frozenset()
    redirect_uris: tuple[str, ...] = ()
    grant_types: frozenset[str] = frozenset()
    org_id: str | None = None

    @property
    def confidential(self) -> bool:
        return self.secret is not None


@dataclass(eq=False)
class User:
    id: str
    username: str
    email: str
    name: str
    password: str = field(repr=False)
    org: Organization = field(repr=False)


@dataclass(eq=False)
class AuthCode:
    code: str = field(repr=False)
    issuer: IssuerName
    client_id: str
    redirect_uri: str
    scopes: frozenset[str]
    user: User
    expires_at: float
    challenge: str | None = field(default=None, repr=False)
    challenge_method: str | None = None
    nonce: str | None = None
    used: bool = False
    family: str | None = None


@dataclass(eq=False)
class Family:
    """A chain of rotated refresh tokens from one grant (RFC 9700 §4.14.2)."""

    id: str
    issuer: IssuerName
    client_id: str
    user: User | None
    scopes: frozenset[str]
    started_at: float
    expires_at: float | None
    newest: str | None = field(default=None, repr=False)
    revoked: bool = False
    revoked_reason: str | None = None


@dataclass(eq=False)
class RefreshToken:
    token: str = field(repr=False)
    family: Family
    scopes: frozenset[str]
    issued_at: float
    consumed_at: float | None = None
    successor: str | None = field(default=None, repr=False)
    revoked: bool = False


@dataclass(eq=False)
class LegacyGrant:
    """A legacy refresh token / User Key: never rotates, never expires, can be revoked."""

    token: str = field(repr=False)
    client_id: str
    user: User
    scopes: frozenset[str]
    revoked: bool = False


def parse_scopes(text: str | None) -> frozenset[str]:
    return frozenset(text.split()) if text else frozenset()


def pkce_ok(verifier: str | None, challenge: str | None, method: str | None) -> bool:
    if challenge is None:
        return True
    if not verifier:
        return False
    if (method or "plain") == "S256":
        digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
        computed = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        return computed == challenge
    return verifier == challenge


def is_loopback(uri: str) -> bool:
    host = urlsplit(uri).hostname or ""
    return host in ("localhost", "127.0.0.1", "::1")

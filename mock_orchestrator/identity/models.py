"""Identity state and rules: organizations, apps, users, codes, refresh-token families.

:class:`IdentityBackend` owns everything the three identity servers know and every rule they
apply. The HTTP handlers in ``responses.py`` parse, call one method here, and serialize.

Where the mock knowingly differs from UiPath (or chooses where UiPath is unknown):

* Signatures are checked at issue only: the Orchestrator side looks tokens up by string.
* Logging in at an authorize endpoint needs no page: the world's ``login_user`` (the default
  user) is signed in and consents at once.
* Loopback redirect URIs of public apps accept any port (RFC 8252 §7.3), as the UiPath CLI
  picks its port at run time. [I]
* The identity_ access token's ``aud`` is ``UiPath.Orchestrator`` and ``scope`` a list. [I]
* In the "new" grace mode the successor issued before is invalidated (not the family). [I]
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Protocol

from .entities import (
    ALL_OR_SCOPES,
    LEGACY_AUDIENCE,
    LEGACY_PKCE_CLIENT_ID,
    LEGACY_REDIRECT_URI,
    LEGACY_USER_KEY_CLIENT_ID,
    ORCHESTRATOR_AUDIENCE,
    UIPATH_CLI_CLIENT_ID,
    AuthCode,
    ExternalApp,
    Family,
    LegacyGrant,
    Organization,
    RefreshToken,
    Tenant,
    User,
)
from .exceptions import IdTokenRequired, Unauthenticated, Unauthorized
from .grants import Grants
from .revocation import Revocation
from .tokens import Issuer, IssuerName, TokenRecord, TokenRegistry

if TYPE_CHECKING:
    from ..core.clock import FakeClock
    from ..core.ids import IdGenerator
    from .settings import AuthSettings

__all__ = [
    "ALL_OR_SCOPES",
    "LEGACY_AUDIENCE",
    "LEGACY_PKCE_CLIENT_ID",
    "LEGACY_REDIRECT_URI",
    "LEGACY_USER_KEY_CLIENT_ID",
    "ORCHESTRATOR_AUDIENCE",
    "UIPATH_CLI_CLIENT_ID",
    "AuthCode",
    "Directory",
    "ExternalApp",
    "Family",
    "IdentityBackend",
    "LegacyGrant",
    "Organization",
    "RefreshToken",
    "Tenant",
    "User",
]


class Directory(Protocol):
    """Who is who, as the Orchestrator side asks it: the identity backend answers.

    The Orchestrator needs to know the human behind a token (for personal workspaces and
    ``GetCurrentUserExtended``), who is signed in, and which tenant is the world's default (the
    on-prem bare ``/odata/...``); it asks these, never the backend's dictionaries.
    """

    @property
    def login_user(self) -> User | None: ...

    @property
    def default_tenant(self) -> Tenant | None: ...

    def find_user(self, name_or_email: str) -> User | None: ...

    def find_tenant(self, org_name: str | None, tenant_name: str) -> Tenant | None: ...

    def authenticate(self, token: str | None, tenant: Tenant) -> TokenRecord: ...

    def bearer_tenant(self, token: str | None) -> Tenant | None: ...


class IdentityBackend(Grants, Revocation):
    """Everything the identity servers of one world know, and the rules they apply.

    It is given what it uses: the world's clock and id source, the settings, and the on-prem
    host (its issuer URL). It knows nothing of Orchestrator or of the world that owns it.
    """

    def __init__(
        self,
        *,
        clock: FakeClock,
        ids: IdGenerator,
        settings: AuthSettings,
        onprem_host: str,
    ) -> None:
        self.clock = clock
        self.ids = ids
        self.settings = settings
        self.lock = threading.RLock()
        self.tokens = TokenRegistry()
        self.issuers: dict[IssuerName, Issuer] = {
            "identity": Issuer("identity", "https://cloud.uipath.com/identity_"),
            "legacy": Issuer("legacy", "https://account.uipath.com/"),
            "onprem": Issuer("onprem", f"https://{onprem_host}/identity"),
        }
        self.orgs: dict[str, Organization] = {}
        self.orgs_by_id: dict[str, Organization] = {}
        self.apps: dict[str, ExternalApp] = {}
        self.users: dict[str, User] = {}
        self.codes: dict[str, AuthCode] = {}
        self.refresh_tokens: dict[str, RefreshToken] = {}
        self.families: dict[str, Family] = {}
        self.legacy_grants: dict[str, LegacyGrant] = {}
        #: Who signs in at an authorize endpoint (the default user once provisioned).
        self.login_user: User | None = None
        #: The world's default tenant: the first one provisioned.
        self.default_tenant: Tenant | None = None

    # -- provisioning ---------------------------------------------------------------------

    def add_organization(self, name: str, display_name: str) -> Organization:
        org = Organization(id=self.ids.guid(), name=name, display_name=display_name)
        self.orgs[name.lower()] = org
        self.orgs_by_id[org.id] = org
        return org

    def add_tenant(self, org: Organization, name: str, display_name: str) -> Tenant:
        tenant = Tenant(id=self.ids.guid(), name=name, display_name=display_name, org=org)
        org.tenants[name.lower()] = tenant
        if self.default_tenant is None:
            self.default_tenant = tenant
        return tenant

    def add_app(self, app: ExternalApp) -> ExternalApp:
        self.apps[app.client_id] = app
        return app

    def add_user(self, org: Organization, username: str, email: str, password: str) -> User:
        user = User(
            id=self.ids.guid(),
            username=username,
            email=email,
            name=username,
            password=password,
            org=org,
        )
        self.users[username.lower()] = user
        self.users[email.lower()] = user
        if self.login_user is None:
            self.login_user = user
        return user

    def find_user(self, name_or_email: str) -> User | None:
        """A user by username or e-mail, case-insensitive."""
        return self.users.get(name_or_email.lower())

    def organization(self, name: str) -> Organization | None:
        return self.orgs.get(name.lower())

    def find_tenant(self, org_name: str | None, tenant_name: str) -> Tenant | None:
        """A tenant by logical names; without an org, the first org having that tenant."""
        if org_name is not None:
            org = self.orgs.get(org_name.lower())
            return org.tenant(tenant_name) if org else None
        for org in self.orgs.values():
            found = org.tenant(tenant_name)
            if found is not None:
                return found
        return None

    # -- minting --------------------------------------------------------------------------

    def _mint_access(
        self,
        issuer: IssuerName,
        *,
        client_id: str,
        scopes: frozenset[str],
        user: User | None,
        app_scoped: bool,
        family: str | None = None,
        tenants: frozenset[str] | None = None,
        lifetime: int | None = None,
    ) -> TokenRecord:
        now = int(self.clock.time())
        exp = now + (lifetime or self.settings.access_token_lifetime)
        signer = self.issuers[issuer]
        org = user.org if user else self._app_org(client_id)
        claims: dict[str, Any]
        if issuer == "legacy":
            assert user is not None
            claims = {
                "https://uipath/email": user.email,
                "https://uipath/email_verified": True,
                "iss": signer.url,
                "sub": f"auth0|{user.id.replace('-', '')[:24]}",
                "aud": [LEGACY_AUDIENCE, "https://uipath.eu.auth0.com/userinfo"],
                "iat": now,
                "exp": exp,
                "azp": client_id,
                "scope": " ".join(sorted(scopes)),
            }
        else:
            subject = user.id if user else self._service_subject(client_id)
            claims = {
                "iss": signer.url,
                "nbf": now,
                "iat": now,
                "exp": exp,
                "aud": ORCHESTRATOR_AUDIENCE,
                "scope": sorted(scopes),
                "client_id": client_id,
                "sub": subject,
                "sub_type": "user" if user else "service.external",
                "jti": self.ids.hex(32).upper(),
            }
            if org is not None:
                claims["prt_id"] = org.id
            if user is not None:
                claims.update(
                    {
                        "auth_time": now,
                        "idp": "local",
                        "preferred_username": user.username,
                        "email": user.email,
                        "amr": ["pwd"],
                    }
                )
        token = signer.sign(claims)
        record = TokenRecord(
            token=token,
            kind="access",
            issuer=issuer,
            subject=claims["sub"],
            client_id=client_id,
            scopes=scopes,
            org_id=org.id if org else None,
            tenants=tenants,
            issued_at=now,
            expires_at=exp,
            app_scoped=app_scoped,
            family=family,
            claims=claims,
        )
        self.tokens.add(record)
        return record

    def _mint_id_token(
        self, issuer: IssuerName, *, client_id: str, user: User, nonce: str | None = None
    ) -> TokenRecord:
        now = int(self.clock.time())
        exp = now + self.settings.access_token_lifetime
        signer = self.issuers[issuer]
        sub = f"auth0|{user.id.replace('-', '')[:24]}" if issuer == "legacy" else user.id
        claims: dict[str, Any] = {
            "iss": signer.url,
            "sub": sub,
            "aud": client_id,
            "iat": now,
            "exp": exp,
            "email": user.email,
            "name": user.name,
        }
        if issuer != "legacy":
            claims["prt_id"] = user.org.id
        if nonce:
            claims["nonce"] = nonce
        token = signer.sign(claims)
        record = TokenRecord(
            token=token,
            kind="id",
            issuer=issuer,
            subject=sub,
            client_id=client_id,
            scopes=frozenset({"openid"}),
            org_id=user.org.id,
            tenants=None,
            issued_at=now,
            expires_at=exp,
            claims=claims,
        )
        self.tokens.add(record)
        return record

    def _app_org(self, client_id: str) -> Organization | None:
        app = self.apps.get(client_id)
        if app is not None and app.org_id is not None:
            return self.orgs_by_id.get(app.org_id)
        return next(iter(self.orgs.values()), None)

    def _service_subject(self, client_id: str) -> str:
        return f"{client_id}-svc"

    def _new_family(
        self,
        issuer: IssuerName,
        client_id: str,
        user: User | None,
        scopes: frozenset[str],
    ) -> Family:
        now = self.clock.time()
        lifetime = self.settings.refresh_token_lifetime
        family = Family(
            id=self.ids.guid(),
            issuer=issuer,
            client_id=client_id,
            user=user,
            scopes=scopes,
            started_at=now,
            expires_at=None if lifetime is None else now + lifetime,
        )
        self.families[family.id] = family
        return family

    def _mint_refresh(self, family: Family, scopes: frozenset[str]) -> RefreshToken:
        # IdentityServer's refresh handles are 64 hex characters; ours are too.
        token = self.ids.hex(64).upper()
        rt = RefreshToken(token=token, family=family, scopes=scopes, issued_at=self.clock.time())
        self.refresh_tokens[token] = rt
        family.newest = token
        return rt

    def issue_refresh_token(
        self,
        client_id: str,
        user: User,
        scopes: frozenset[str],
        issuer: IssuerName = "identity",
    ) -> str:
        """A refresh token as if after an authorization-code login with ``offline_access``."""
        with self.lock:
            family = self._new_family(issuer, client_id, user, scopes)
            return self._mint_refresh(family, scopes).token

    def issue_user_key(self, user: User, client_id: str = LEGACY_USER_KEY_CLIENT_ID) -> str:
        """A legacy User Key: a refresh token for the legacy client that never rotates."""
        key = self.ids.token(33)
        self.legacy_grants[key] = LegacyGrant(
            token=key,
            client_id=client_id,
            user=user,
            scopes=frozenset({"openid", "profile", "email", "offline_access"}),
        )
        return key

    def issue_personal_access_token(
        self, user: User, scopes: frozenset[str] | None = None, lifetime: int = 30 * 86400
    ) -> str:
        """A PAT: an opaque bearer accepted as is by Orchestrator (uipath-wire §4.8)."""
        now = self.clock.time()
        token = "rt_" + self.ids.hex(64).upper()
        self.tokens.add(
            TokenRecord(
                token=token,
                kind="pat",
                issuer="identity",
                subject=user.id,
                client_id="pat",
                scopes=scopes or frozenset(),
                org_id=user.org.id,
                tenants=None,
                issued_at=now,
                expires_at=now + lifetime,
                app_scoped=scopes is not None,
            )
        )
        return token

    # -- revocation controls (the test's levers) ------------------------------------------

    def revoke_family(self, family: Family, reason: str) -> None:
        family.revoked = True
        family.revoked_reason = reason
        for rt in self.refresh_tokens.values():
            if rt.family is family:
                rt.revoked = True
        if self.settings.revoke_access_tokens_with_family:
            self.tokens.revoke_where(family=family.id)

    def revoke_refresh_token(self, token: str) -> bool:
        """Revoke a refresh token or User Key (and, for rotating tokens, its family)."""
        with self.lock:
            grant = self.legacy_grants.get(token)
            if grant is not None:
                grant.revoked = True
                return True
            rt = self.refresh_tokens.get(token)
            if rt is None:
                return False
            self.revoke_family(rt.family, "revoked")
            return True

    def revoke_access_tokens(self, *, subject: str | None = None) -> int:
        """Revoke live access tokens (all, or a subject's): the server-side 401 lever."""
        with self.lock:
            if subject is None:
                return self.tokens.revoke_where(kind="access")
            return self.tokens.revoke_where(kind="access", subject=subject)

    # -- identity_ (IdentityServer4) grants -----------------------------------------------

    # -- the resource side ----------------------------------------------------------------

    def authenticate(self, token: str | None, tenant: Tenant) -> TokenRecord:
        """Who this bearer is, for a call in ``tenant``: valid while ``now < exp``.

        Raises :class:`Unauthenticated` (401) for a missing, unknown, expired, revoked or
        foreign-tenant token and for an id_token sent where an access token belongs.
        """
        if token is None:
            raise Unauthenticated("missing", token_sent=False)
        record = self.tokens.get(token)
        if record is None:
            raise Unauthenticated("unknown", token_sent=True)
        if record.kind == "id":
            raise Unauthenticated("id_token", token_sent=True)
        if record.revoked:
            raise Unauthenticated("revoked", token_sent=True)
        if self.clock.time() >= record.expires_at:
            raise Unauthenticated(
                "expired",
                token_sent=True,
                description=f"The token expired at '{_http_time(record.expires_at)}'",
            )
        if record.org_id is not None and record.org_id != tenant.org.id:
            raise Unauthenticated("wrong_tenant", token_sent=True)
        if record.tenants is not None and tenant.name.lower() not in record.tenants:
            raise Unauthenticated("wrong_tenant", token_sent=True)
        return record

    def bearer_tenant(self, token: str | None) -> Tenant | None:
        """The tenant a token was issued for (an on-prem password login's), if it names one."""
        record = self.tokens.get(token) if token else None
        if record is None or not record.tenants:
            return None
        org = self.orgs_by_id.get(record.org_id or "")
        return self.find_tenant(org.name if org else None, next(iter(record.tenants)))

    @staticmethod
    def require_scope(record: TokenRecord, any_of: frozenset[str]) -> None:
        """403 when an application token has none of ``any_of``."""
        if not record.has_any_scope(any_of):
            raise Unauthorized("scope")

    def authenticate_id_token(self, token: str | None) -> TokenRecord:
        """cloudrpa's check: only a live legacy **id_token** passes ([V] Joget, forum 149111)."""
        record = self.tokens.get(token) if token else None
        if record is None:
            raise IdTokenRequired("missing" if token is None else "unknown")
        if record.kind != "id":
            raise IdTokenRequired("access_token")
        if record.revoked or self.clock.time() >= record.expires_at:
            raise IdTokenRequired("expired")
        return record

    def authenticate_portal(self, token: str | None, org_id: str) -> TokenRecord:
        """The portal's check: a live identity_ access token of that organization."""
        record = self.tokens.get(token) if token else None
        if record is None or record.kind == "id" or record.revoked:
            raise Unauthenticated("unknown" if token else "missing", token_sent=token is not None)
        if self.clock.time() >= record.expires_at:
            raise Unauthenticated("expired", token_sent=True)
        if record.org_id != org_id:
            raise Unauthorized("organization")
        return record


def _http_time(epoch: float) -> str:
    from email.utils import formatdate

    return formatdate(epoch, usegmt=True)

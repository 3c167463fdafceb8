"""Identity state and rules: organizations, apps, users, codes, refresh-token families.

:class:`IdentityBackend` is the identity :class:`~.ledger.Ledger` (the state and the minting
primitives) plus provisioning and the rules, each a composed object built with the ledger: the
token endpoints' grants (``grants/``), the password login, revocation and logout
(``revocation.py``). The HTTP handlers in ``responses.py`` parse, call one method here, and
serialize.

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
from .grants import AuthorizationCode, PasswordLogin
from .ledger import Ledger
from .revocation import EndSession, Revocation
from .token_endpoints import Auth0TokenEndpoint, TokenEndpoint
from .tokens import IssuerName, TokenRecord

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

    def users_of(self, org: Organization) -> list[User]: ...

    def add_user(self, org: Organization, username: str, email: str, password: str) -> User: ...

    def remove_user(self, user: User) -> None: ...

    def find_tenant(self, org_name: str | None, tenant_name: str) -> Tenant | None: ...

    def authenticate(self, token: str | None, tenant: Tenant) -> TokenRecord: ...

    def bearer_tenant(self, token: str | None) -> Tenant | None: ...


class IdentityBackend(Ledger):
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
        super().__init__(clock=clock, ids=ids, settings=settings, onprem_host=onprem_host)
        #: The IdentityServer token endpoint (identity_, on-prem /identity): one grant each.
        self.token_endpoint = TokenEndpoint(self)
        #: The legacy Auth0 token endpoint (account.uipath.com/oauth/token).
        self.auth0_token_endpoint = Auth0TokenEndpoint(self)
        self.password = PasswordLogin(self)
        self.revocation = Revocation(self)

    # -- the rules, composed --------------------------------------------------------------

    def token_grant(self, issuer: IssuerName, form: dict[str, str]) -> dict[str, Any]:
        """The identity_ token endpoint: one form in, a token response or an OAuthError out."""
        return self.token_endpoint.issue(issuer, form)

    def legacy_token(self, fields: dict[str, Any]) -> dict[str, Any]:
        """The Auth0 token endpoint: JSON or form fields in, a token response out."""
        return self.auth0_token_endpoint.issue(fields)

    def authorize(self, issuer: IssuerName, params: dict[str, str], error_page: str) -> str:
        """The authorize redirect's Location: the client's ``redirect_uri`` or an error page."""
        grant = self.token_endpoint.grants["authorization_code"]
        assert isinstance(grant, AuthorizationCode)
        return grant.authorize(issuer, params, error_page)

    def password_login(self, fields: dict[str, Any], tenant: Tenant) -> str:
        """On-prem ``/api/Account/Authenticate``: the token of a username/password login."""
        return self.password.login(fields, tenant)

    def revoke_token(
        self,
        issuer: IssuerName,
        client_id: str | None,
        secret: str | None,
        token: str | None,
        hint: str | None,
    ) -> None:
        """``POST /connect/revocation`` (RFC 7009): see ``revocation.py``."""
        self.revocation.revoke_token(issuer, client_id, secret, token, hint)

    def end_session(self, issuer: IssuerName, params: dict[str, str]) -> EndSession:
        """``GET /connect/endsession``: a prompt, a signed-out page or a redirect."""
        return self.revocation.end_session(issuer, params)

    def sign_in(self, user: User | None = None) -> None:
        """Sign the browser in again (as ``user``, default the world's login user)."""
        self.revocation.sign_in(user)

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

    def users_of(self, org: Organization) -> list[User]:
        """The people of an organization, each once (``users`` keys them twice)."""
        return list({id(u): u for u in self.users.values() if u.org is org}.values())

    def remove_user(self, user: User) -> None:
        """Delete a person (Orchestrator's ``DELETE odata/Users``); their tokens stay valid
        until they expire, as a JWT's do."""
        self.users.pop(user.username.lower(), None)
        self.users.pop(user.email.lower(), None)

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

    def issue_refresh_token(
        self,
        client_id: str,
        user: User,
        scopes: frozenset[str],
        issuer: IssuerName = "identity",
    ) -> str:
        """A refresh token as if after an authorization-code login with ``offline_access``."""
        with self.lock:
            family = self.new_family(issuer, client_id, user, scopes)
            return self.mint_refresh(family, scopes).token

    def issue_personal_access_token(
        self, user: User, scopes: frozenset[str] | None = None, lifetime: int = 30 * 86400
    ) -> str:
        """A PAT: an opaque bearer accepted as is by Orchestrator (docs/wire.md §4.8)."""
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

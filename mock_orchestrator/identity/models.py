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

import base64
import hashlib
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from .exceptions import (
    MSG_LEGACY_BAD_CODE,
    MSG_LEGACY_BAD_VERIFIER,
    IdTokenRequired,
    InvalidClient,
    InvalidGrant,
    InvalidRequest,
    InvalidScope,
    LegacyAccessDenied,
    LegacyInvalidGrant,
    LegacyInvalidRequest,
    OnPremBadCredentials,
    Unauthenticated,
    Unauthorized,
    UnauthorizedClient,
    UnsupportedGrantType,
)
from .tokens import Issuer, IssuerName, TokenRecord, TokenRegistry

if TYPE_CHECKING:
    from .._cloud import MockCloud
    from ..core.request import MockRequest

__all__ = [
    "ALL_OR_SCOPES",
    "AuthCode",
    "ExternalApp",
    "Family",
    "IdentityBackend",
    "LegacyGrant",
    "Organization",
    "RefreshToken",
    "Tenant",
    "User",
]

#: Orchestrator application scopes an external app can be granted (uipath-wire §4.2, [V]).
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


def _scopes(text: str | None) -> frozenset[str]:
    return frozenset(text.split()) if text else frozenset()


def _pkce_ok(verifier: str | None, challenge: str | None, method: str | None) -> bool:
    if challenge is None:
        return True
    if not verifier:
        return False
    if (method or "plain") == "S256":
        digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
        computed = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        return computed == challenge
    return verifier == challenge


def _is_loopback(uri: str) -> bool:
    host = urlsplit(uri).hostname or ""
    return host in ("localhost", "127.0.0.1", "::1")


class IdentityBackend:
    """Everything the identity servers of one world know, and the rules they apply."""

    def __init__(self, cloud: MockCloud, onprem_host: str) -> None:
        self.cloud = cloud
        self.clock = cloud.clock
        self.ids = cloud.ids
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

    @property
    def settings(self):  # type: ignore[no-untyped-def]
        return self.cloud.settings

    # -- provisioning ---------------------------------------------------------------------

    def add_organization(self, name: str, display_name: str) -> Organization:
        org = Organization(id=self.ids.guid(), name=name, display_name=display_name)
        self.orgs[name.lower()] = org
        self.orgs_by_id[org.id] = org
        return org

    def add_tenant(self, org: Organization, name: str, display_name: str) -> Tenant:
        tenant = Tenant(id=self.ids.guid(), name=name, display_name=display_name, org=org)
        org.tenants[name.lower()] = tenant
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
        rt = RefreshToken(
            token=token, family=family, scopes=scopes, issued_at=self.clock.time()
        )
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

    def _client(self, client_id: str | None, secret: str | None) -> ExternalApp:
        if not client_id:
            raise InvalidClient()
        app = self.apps.get(client_id)
        if app is None:
            raise InvalidClient()
        if app.confidential and secret != app.secret:
            raise InvalidClient()
        if not app.confidential and secret:
            raise InvalidClient()
        return app

    def _token_response(
        self,
        access: TokenRecord,
        *,
        refresh: str | None = None,
        id_token: TokenRecord | None = None,
        scopes: frozenset[str],
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"access_token": access.token}
        if id_token is not None:
            body["id_token"] = id_token.token
        body["expires_in"] = int(access.expires_at - access.issued_at)
        body["token_type"] = "Bearer"
        if refresh is not None:
            body["refresh_token"] = refresh
        body["scope"] = " ".join(sorted(scopes))
        return body

    def client_credentials(
        self, issuer: IssuerName, client_id: str | None, secret: str | None, scope: str | None
    ) -> dict[str, Any]:
        with self.lock:
            app = self._client(client_id, secret)
            if "client_credentials" not in app.grant_types:
                raise UnauthorizedClient()
            requested = _scopes(scope) or app.app_scopes
            # [V] offline_access on client credentials is invalid_scope (forum 341681).
            if not requested or not requested <= app.app_scopes:
                raise InvalidScope()
            access = self._mint_access(
                issuer, client_id=app.client_id, scopes=requested, user=None, app_scoped=True
            )
            return self._token_response(access, scopes=requested)

    def authorize(self, issuer: IssuerName, params: dict[str, str], error_page: str) -> str:
        """The Location of the authorize redirect: the client's ``redirect_uri`` or an error page."""
        with self.lock:
            app = self.apps.get(params.get("client_id", ""))
            redirect_uri = params.get("redirect_uri", "")
            if app is None:
                return f"{error_page}?errorCode=unauthorized_client"
            if not self._redirect_ok(app, redirect_uri):
                return f"{error_page}?errorCode=invalid_request"
            state = params.get("state")

            def back(**query: str) -> str:
                if state is not None:
                    query["state"] = state
                sep = "&" if "?" in redirect_uri else "?"
                return redirect_uri + sep + urlencode(query)

            if params.get("response_type") != "code":
                return back(error="unsupported_response_type")
            scopes = _scopes(params.get("scope"))
            allowed = app.user_scopes | OIDC_SCOPES
            if not scopes or not scopes <= allowed or "authorization_code" not in app.grant_types:
                return f"{error_page}?errorCode=invalid_scope"
            challenge = params.get("code_challenge") or None
            method = params.get("code_challenge_method") or ("plain" if challenge else None)
            if method not in (None, "plain", "S256"):
                return back(error="invalid_request")
            if not app.confidential and challenge is None:
                return back(error="invalid_request")  # IS4: public clients must use PKCE
            user = self.login_user
            if user is None:
                return f"{error_page}?errorCode=login_required"
            code = self.ids.token(32)
            self.codes[code] = AuthCode(
                code=code,
                issuer=issuer,
                client_id=app.client_id,
                redirect_uri=redirect_uri,
                scopes=scopes,
                user=user,
                expires_at=self.clock.time() + self.settings.code_lifetime,
                challenge=challenge,
                challenge_method=method,
                nonce=params.get("nonce"),
            )
            return back(code=code, scope=" ".join(sorted(scopes)))

    def _redirect_ok(self, app: ExternalApp, uri: str) -> bool:
        if uri in app.redirect_uris:
            return True
        if app.confidential or not _is_loopback(uri):
            return False
        path = urlsplit(uri).path
        return any(_is_loopback(r) and urlsplit(r).path == path for r in app.redirect_uris)

    def exchange_code(self, issuer: IssuerName, form: dict[str, str]) -> dict[str, Any]:
        with self.lock:
            app = self._client(form.get("client_id"), form.get("client_secret"))
            code = self.codes.get(form.get("code") or "")
            if code is None or code.issuer != issuer:
                raise InvalidGrant()
            if code.used:
                # RFC 6749 §4.1.2: reuse MUST be denied and SHOULD revoke what it issued.
                if code.family is not None:
                    self.revoke_family(self.families[code.family], "code reuse")
                self.tokens.revoke_where(family=f"code:{id(code)}")
                raise InvalidGrant()
            code.used = True
            if self.clock.time() >= code.expires_at:
                raise InvalidGrant()
            if code.client_id != app.client_id or form.get("redirect_uri") != code.redirect_uri:
                raise InvalidGrant()
            if not _pkce_ok(form.get("code_verifier"), code.challenge, code.challenge_method):
                raise InvalidGrant()
            refresh = None
            family_id = f"code:{id(code)}"
            if "offline_access" in code.scopes:
                family = self._new_family(issuer, app.client_id, code.user, code.scopes)
                refresh = self._mint_refresh(family, code.scopes).token
                code.family = family_id = family.id
            access = self._mint_access(
                issuer,
                client_id=app.client_id,
                scopes=code.scopes,
                user=code.user,
                app_scoped=False,
                family=family_id,
            )
            id_token = None
            if "openid" in code.scopes:
                id_token = self._mint_id_token(
                    issuer, client_id=app.client_id, user=code.user, nonce=code.nonce
                )
            return self._token_response(
                access, refresh=refresh, id_token=id_token, scopes=code.scopes
            )

    def refresh(self, issuer: IssuerName, form: dict[str, str]) -> dict[str, Any]:
        with self.lock:
            app = self._client(form.get("client_id"), form.get("client_secret"))
            if "refresh_token" not in app.grant_types:
                raise UnauthorizedClient()
            rt = self.refresh_tokens.get(form.get("refresh_token") or "")
            if rt is None or rt.family.issuer != issuer:
                raise InvalidGrant()
            family = rt.family
            now = self.clock.time()
            settings = self.settings
            if rt.family.client_id != app.client_id:
                raise InvalidGrant()  # bound to its client (RFC 6749 §6)
            if family.revoked or rt.revoked:
                raise InvalidGrant()
            if family.expires_at is not None and now >= family.expires_at:
                raise InvalidGrant()
            requested = _scopes(form.get("scope")) or rt.scopes
            if not requested <= rt.scopes:
                raise InvalidScope()  # scope may narrow, never widen
            if rt.consumed_at is not None:
                in_grace = (
                    settings.grace_window > 0
                    and now - rt.consumed_at < settings.grace_window
                    and rt.successor is not None
                    and rt.successor == family.newest
                )
                if not in_grace:
                    if settings.reuse_detection:
                        self.revoke_family(family, "reuse")
                    raise InvalidGrant()
                if settings.grace_returns == "same":
                    successor = self.refresh_tokens[rt.successor]  # type: ignore[index]
                    return self._refreshed(issuer, app, family, requested, successor.token)
                self.refresh_tokens[rt.successor].revoked = True  # type: ignore[index]
            new_token: str | None = None
            if settings.refresh_rotation:
                rt.consumed_at = now
                successor = self._mint_refresh(family, rt.scopes)
                rt.successor = successor.token
                new_token = successor.token
            else:
                new_token = rt.token  # IS4 "ReUse": the same handle comes back
            return self._refreshed(issuer, app, family, requested, new_token)

    def _refreshed(
        self,
        issuer: IssuerName,
        app: ExternalApp,
        family: Family,
        scopes: frozenset[str],
        refresh: str | None,
    ) -> dict[str, Any]:
        access = self._mint_access(
            issuer,
            client_id=app.client_id,
            scopes=scopes,
            user=family.user,
            app_scoped=False,
            family=family.id,
        )
        id_token = None
        if "openid" in scopes and family.user is not None:
            id_token = self._mint_id_token(issuer, client_id=app.client_id, user=family.user)
        return self._token_response(access, refresh=refresh, id_token=id_token, scopes=scopes)

    def token_grant(self, issuer: IssuerName, form: dict[str, str]) -> dict[str, Any]:
        """The identity_ token endpoint: one form in, a token response or an OAuthError out."""
        # uipathcli sends every field, blank when unused ([V] token_request_form.go).
        form = {k: v for k, v in form.items() if v != ""}
        grant = form.get("grant_type")
        if grant is None:
            raise UnsupportedGrantType()
        if grant == "client_credentials":
            return self.client_credentials(
                issuer, form.get("client_id"), form.get("client_secret"), form.get("scope")
            )
        if grant == "authorization_code":
            if "code" not in form:
                raise InvalidRequest()
            return self.exchange_code(issuer, form)
        if grant == "refresh_token":
            if "refresh_token" not in form:
                raise InvalidRequest()
            return self.refresh(issuer, form)
        if grant == "password":
            self._client(form.get("client_id"), form.get("client_secret"))
            raise UnauthorizedClient()
        raise UnsupportedGrantType()

    # -- legacy Auth0 (account.uipath.com) ------------------------------------------------

    def legacy_token(self, fields: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            grant = fields.get("grant_type")
            if not isinstance(grant, str) or not grant:
                raise LegacyInvalidRequest("Missing required parameter: grant_type")
            client_id = fields.get("client_id")
            if not isinstance(client_id, str) or not client_id:
                raise LegacyInvalidRequest("Missing required parameter: client_id")
            if client_id not in (LEGACY_USER_KEY_CLIENT_ID, LEGACY_PKCE_CLIENT_ID):
                if client_id not in self.apps:
                    raise LegacyAccessDenied()
            status = self.settings.legacy_invalid_grant_status
            if grant == "refresh_token":
                token = fields.get("refresh_token")
                if not isinstance(token, str) or not token:
                    raise LegacyInvalidRequest("Missing required parameter: refresh_token")
                legacy = self.legacy_grants.get(token)
                if legacy is None or legacy.revoked or legacy.client_id != client_id:
                    raise LegacyInvalidGrant(status_code=status)
                return self._legacy_response(legacy, include_refresh=False)
            if grant == "authorization_code":
                return self._legacy_code(fields, client_id, status)
            raise Auth0UnsupportedGrant(grant)

    def _legacy_code(self, fields: dict[str, Any], client_id: str, status: int) -> dict[str, Any]:
        raw_code = fields.get("code")
        if not isinstance(raw_code, str) or not raw_code:
            raise LegacyInvalidRequest("Missing required parameter: code")
        code = self.codes.get(raw_code)
        if code is None or code.issuer != "legacy" or code.used:
            raise LegacyInvalidGrant(MSG_LEGACY_BAD_CODE, status)
        code.used = True
        if self.clock.time() >= code.expires_at or code.client_id != client_id:
            raise LegacyInvalidGrant(MSG_LEGACY_BAD_CODE, status)
        if fields.get("redirect_uri") != code.redirect_uri:
            raise LegacyInvalidGrant(MSG_LEGACY_BAD_CODE, status)
        verifier = fields.get("code_verifier")
        if not _pkce_ok(verifier if isinstance(verifier, str) else None, code.challenge,
                        code.challenge_method):
            raise LegacyInvalidGrant(MSG_LEGACY_BAD_VERIFIER, status)
        key = self.issue_user_key(code.user, client_id)
        grant = self.legacy_grants[key]
        grant.scopes = code.scopes or grant.scopes
        return self._legacy_response(grant, include_refresh="offline_access" in code.scopes)

    def _legacy_response(self, grant: LegacyGrant, *, include_refresh: bool) -> dict[str, Any]:
        access = self._mint_access(
            "legacy",
            client_id=grant.client_id,
            scopes=grant.scopes,
            user=grant.user,
            app_scoped=False,
        )
        id_token = self._mint_id_token("legacy", client_id=grant.client_id, user=grant.user)
        body: dict[str, Any] = {"access_token": access.token}
        if include_refresh:
            body["refresh_token"] = grant.token
        body.update(
            {
                "id_token": id_token.token,
                "scope": " ".join(sorted(grant.scopes)),
                "expires_in": int(access.expires_at - access.issued_at),
                "token_type": "Bearer",
            }
        )
        return body

    # -- on-prem /api/Account/Authenticate -----------------------------------------------

    def password_login(self, fields: dict[str, Any], tenant: Tenant) -> str:
        lowered = {str(k).lower(): v for k, v in fields.items()}
        username = lowered.get("usernameoremailaddress")
        password = lowered.get("password")
        if not isinstance(username, str) or not isinstance(password, str):
            raise OnPremBadCredentials()
        with self.lock:
            user = self.users.get(username.lower())
            if user is None or user.password != password:
                raise OnPremBadCredentials()
            access = self._mint_access(
                "onprem",
                client_id="orchestrator",
                scopes=frozenset(),
                user=user,
                app_scoped=False,
                tenants=frozenset({tenant.name.lower()}),
            )
            return access.token

    # -- the resource side ----------------------------------------------------------------

    def authenticate(self, req: MockRequest, tenant: Tenant) -> TokenRecord:
        """The token check every Orchestrator call makes: valid while ``now < exp``.

        Raises :class:`Unauthenticated` (401) for a missing, unknown, expired, revoked or
        foreign-tenant token and for an id_token sent where an access token belongs.
        """
        token = req.bearer()
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

    @staticmethod
    def require_scope(record: TokenRecord, any_of: frozenset[str]) -> None:
        """403 when an application token has none of ``any_of``."""
        if not record.has_any_scope(any_of):
            raise Unauthorized("scope")

    def authenticate_id_token(self, req: MockRequest) -> TokenRecord:
        """cloudrpa's check: only a live legacy **id_token** passes ([V] Joget, forum 149111)."""
        token = req.bearer()
        record = self.tokens.get(token) if token else None
        if record is None:
            raise IdTokenRequired("missing" if token is None else "unknown")
        if record.kind != "id":
            raise IdTokenRequired("access_token")
        if record.revoked or self.clock.time() >= record.expires_at:
            raise IdTokenRequired("expired")
        return record

    def authenticate_portal(self, req: MockRequest, org_id: str) -> TokenRecord:
        """The portal's check: a live identity_ access token of that organization."""
        token = req.bearer()
        record = self.tokens.get(token) if token else None
        if record is None or record.kind == "id" or record.revoked:
            raise Unauthenticated("unknown" if token else "missing", token_sent=token is not None)
        if self.clock.time() >= record.expires_at:
            raise Unauthenticated("expired", token_sent=True)
        if record.org_id != org_id:
            raise Unauthorized("organization")
        return record


class Auth0UnsupportedGrant(LegacyInvalidRequest):
    """[I] Auth0: ``unsupported_grant_type`` for a grant the tenant does not know."""

    def __init__(self, grant: str) -> None:
        super().__init__(f"Unsupported grant type: {grant[:40]}")
        self.error = "unsupported_grant_type"


def _http_time(epoch: float) -> str:
    from email.utils import formatdate

    return formatdate(epoch, usegmt=True)

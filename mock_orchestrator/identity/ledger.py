"""The identity servers' shared state, and the few operations every rule is built from.

:class:`Ledger` holds what the three identity servers know (apps, users, codes, issued tokens,
refresh-token families) and the primitives the rules compose: mint an access or id token, start
a refresh-token family and mint its members, authenticate a client, revoke a family. The rules
themselves are separate objects that receive the ledger: each grant of the token endpoints
(``grants/``) and revocation and logout (``revocation.py``). ``IdentityBackend`` (``models.py``)
is the ledger plus provisioning and those composed rules.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from .entities import (
    LEGACY_AUDIENCE,
    LEGACY_USER_KEY_CLIENT_ID,
    ORCHESTRATOR_AUDIENCE,
    AuthCode,
    ExternalApp,
    Family,
    LegacyGrant,
    Organization,
    RefreshToken,
    Tenant,
    User,
    auth0_scope_text,
)
from .exceptions import InvalidClient
from .tokens import Issuer, IssuerName, TokenRecord, TokenRegistry

if TYPE_CHECKING:
    from ..core.clock import FakeClock
    from ..core.ids import IdGenerator
    from .settings import AuthSettings

__all__ = ["Ledger"]


class Ledger:
    """The state of the identity servers of one world, and the primitives the rules share.

    Given what it uses: the world's clock and id source, the settings, and the on-prem host (its
    issuer URL).
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
        #: Whether the (one) browser's session was ended at the end-session endpoint.
        self.session_ended = False

    def mint_access(
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
                "scope": auth0_scope_text(scopes),
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

    def mint_id_token(
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

    def new_family(
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

    def mint_refresh(self, family: Family, scopes: frozenset[str]) -> RefreshToken:
        # IdentityServer's refresh handles are 64 hex characters; ours are too.
        token = self.ids.hex(64).upper()
        rt = RefreshToken(token=token, family=family, scopes=scopes, issued_at=self.clock.time())
        self.refresh_tokens[token] = rt
        family.newest = token
        return rt

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

    def revoke_family(self, family: Family, reason: str) -> None:
        family.revoked = True
        family.revoked_reason = reason
        for rt in self.refresh_tokens.values():
            if rt.family is family:
                rt.revoked = True
        if self.settings.revoke_access_tokens_with_family:
            self.tokens.revoke_where(family=family.id)

    # -- shared by the rules ----------------------------------------------------------------

    def authenticate_client(self, client_id: str | None, secret: str | None) -> ExternalApp:
        """The app a token or revocation request authenticates as; ``invalid_client`` if none.

        A confidential app must send its secret; a public one must send none.
        """
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

    def token_response(
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

    def session_user(self) -> User | None:
        """Who the authorize endpoint finds signed in: ``login_user``, unless logged out."""
        return None if self.session_ended else self.login_user

    def user_by_id(self, user_id: str) -> User | None:
        return next((u for u in self.users.values() if u.id == user_id), None)

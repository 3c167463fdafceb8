"""The grant rules of the three identity servers (a mixin of ``IdentityBackend``).

identity_ / on-prem identity (IdentityServer4): client credentials, authorization code with
PKCE, rotating refresh tokens with reuse detection and a grace window. account.uipath.com
(Auth0): the User Key and the PKCE login, neither of which rotates. On-prem
``/api/Account/Authenticate``: username and password.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from .entities import (
    LEGACY_PKCE_CLIENT_ID,
    LEGACY_USER_KEY_CLIENT_ID,
    OIDC_SCOPES,
    AuthCode,
    ExternalApp,
    Family,
    LegacyGrant,
    Tenant,
    auth0_scope_text,
    is_loopback,
    parse_scopes,
    pkce_ok,
)
from .exceptions import (
    MSG_LEGACY_BAD_CODE,
    MSG_LEGACY_BAD_VERIFIER,
    InvalidClient,
    InvalidGrant,
    InvalidRequest,
    InvalidScope,
    LegacyAccessDenied,
    LegacyInvalidGrant,
    LegacyInvalidRequest,
    OnPremBadCredentials,
    UnauthorizedClient,
    UnsupportedGrantType,
)
from .state import BackendState
from .tokens import IssuerName, TokenRecord

if TYPE_CHECKING:
    pass

__all__ = ["Grants"]


class Grants(BackendState):
    """Token-endpoint rules. Mixed into ``IdentityBackend``, which holds the state."""

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
            requested = parse_scopes(scope) or app.app_scopes
            # [V] offline_access on client credentials is invalid_scope (forum 341681).
            if not requested or not requested <= app.app_scopes:
                raise InvalidScope()
            access = self._mint_access(
                issuer, client_id=app.client_id, scopes=requested, user=None, app_scoped=True
            )
            return self._token_response(access, scopes=requested)

    def authorize(self, issuer: IssuerName, params: dict[str, str], error_page: str) -> str:
        """The authorize redirect's Location: the client's ``redirect_uri`` or an error page."""
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
            scopes = parse_scopes(params.get("scope"))
            allowed = app.user_scopes | OIDC_SCOPES
            if not scopes or not scopes <= allowed or "authorization_code" not in app.grant_types:
                return f"{error_page}?errorCode=invalid_scope"
            challenge = params.get("code_challenge") or None
            method = params.get("code_challenge_method") or ("plain" if challenge else None)
            if method not in (None, "plain", "S256"):
                return back(error="invalid_request")
            if not app.confidential and challenge is None:
                return back(error="invalid_request")  # IS4: public clients must use PKCE
            user = self.session_user()  # None after a logout (revocation.py)
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
        if app.confidential or not is_loopback(uri):
            return False
        path = urlsplit(uri).path
        return any(is_loopback(r) and urlsplit(r).path == path for r in app.redirect_uris)

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
            if not pkce_ok(form.get("code_verifier"), code.challenge, code.challenge_method):
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
            in_grace = False
            if rt.consumed_at is not None:
                in_grace = (
                    settings.grace_window > 0
                    and now - rt.consumed_at < settings.grace_window
                    and rt.successor is not None
                    and rt.successor == family.newest
                )
                if not in_grace:
                    # Before the scope check: presenting a consumed token is the breach signal
                    # whatever scope it asks for (RFC 9700 §4.14.2), and IdentityServer
                    # validates the token before the requested scopes.
                    if settings.reuse_detection:
                        self.revoke_family(family, "reuse")
                    raise InvalidGrant()
            requested = parse_scopes(form.get("scope")) or rt.scopes
            if not requested <= rt.scopes:
                raise InvalidScope()  # scope may narrow, never widen
            if in_grace:
                if settings.grace_returns == "same":
                    successor = self.refresh_tokens[rt.successor]  # type: ignore[index]
                    return self._refreshed(issuer, app, family, requested, successor.token)
                self.refresh_tokens[rt.successor].revoked = True  # type: ignore[index]
            new_token: str | None = None
            if settings.refresh_rotation:
                if rt.consumed_at is None:
                    # The grace window counts from the first use: a retry inside it must not
                    # slide it, or a token retried every few seconds would never die.
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
            known = (LEGACY_USER_KEY_CLIENT_ID, LEGACY_PKCE_CLIENT_ID)
            if client_id not in known and client_id not in self.apps:
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
        if not pkce_ok(
            verifier if isinstance(verifier, str) else None, code.challenge, code.challenge_method
        ):
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
                "scope": auth0_scope_text(grant.scopes),
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


class Auth0UnsupportedGrant(LegacyInvalidRequest):
    """[I] Auth0: ``unsupported_grant_type`` for a grant the tenant does not know."""

    def __init__(self, grant: str) -> None:
        super().__init__(f"Unsupported grant type: {grant[:40]}")
        self.error = "unsupported_grant_type"

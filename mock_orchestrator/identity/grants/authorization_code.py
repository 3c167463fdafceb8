"""``authorization_code`` with PKCE: the authorize redirect, then the code's exchange.

The authorize step is here too (identity_, on-prem and the legacy Auth0 tenant all store their
codes through it): it is the half of this grant a browser takes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from ..entities import OIDC_SCOPES, AuthCode, ExternalApp, is_loopback, parse_scopes, pkce_ok
from ..exceptions import InvalidGrant, InvalidRequest
from ._base import Grant

if TYPE_CHECKING:
    from ..tokens import IssuerName

__all__ = ["AuthorizationCode"]


class AuthorizationCode(Grant):
    grant_type = "authorization_code"

    def issue(self, issuer: IssuerName, form: dict[str, str]) -> dict[str, Any]:
        if "code" not in form:
            raise InvalidRequest()
        ledger = self.ledger
        with ledger.lock:
            app = ledger.authenticate_client(form.get("client_id"), form.get("client_secret"))
            code = ledger.codes.get(form.get("code") or "")
            if code is None or code.issuer != issuer:
                raise InvalidGrant()
            if code.used:
                # RFC 6749 §4.1.2: reuse MUST be denied and SHOULD revoke what it issued.
                if code.family is not None:
                    ledger.revoke_family(ledger.families[code.family], "code reuse")
                ledger.tokens.revoke_where(family=f"code:{id(code)}")
                raise InvalidGrant()
            code.used = True
            if ledger.clock.time() >= code.expires_at:
                raise InvalidGrant()
            if code.client_id != app.client_id or form.get("redirect_uri") != code.redirect_uri:
                raise InvalidGrant()
            if not pkce_ok(form.get("code_verifier"), code.challenge, code.challenge_method):
                raise InvalidGrant()
            refresh = None
            family_id = f"code:{id(code)}"
            if "offline_access" in code.scopes:
                family = ledger.new_family(issuer, app.client_id, code.user, code.scopes)
                refresh = ledger.mint_refresh(family, code.scopes).token
                code.family = family_id = family.id
            access = ledger.mint_access(
                issuer,
                client_id=app.client_id,
                scopes=code.scopes,
                user=code.user,
                app_scoped=False,
                family=family_id,
            )
            id_token = None
            if "openid" in code.scopes:
                id_token = ledger.mint_id_token(
                    issuer, client_id=app.client_id, user=code.user, nonce=code.nonce
                )
            return ledger.token_response(
                access, refresh=refresh, id_token=id_token, scopes=code.scopes
            )

    def authorize(self, issuer: IssuerName, params: dict[str, str], error_page: str) -> str:
        """The authorize redirect's Location: the client's ``redirect_uri`` or an error page."""
        ledger = self.ledger
        with ledger.lock:
            app = ledger.apps.get(params.get("client_id", ""))
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
            user = ledger.session_user()  # None after a logout (revocation.py)
            if user is None:
                return f"{error_page}?errorCode=login_required"
            code = ledger.ids.token(32)
            ledger.codes[code] = AuthCode(
                code=code,
                issuer=issuer,
                client_id=app.client_id,
                redirect_uri=redirect_uri,
                scopes=scopes,
                user=user,
                expires_at=ledger.clock.time() + ledger.settings.code_lifetime,
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

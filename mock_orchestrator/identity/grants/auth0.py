"""The legacy Auth0 tenant's grants (account.uipath.com): the User Key refresh and the PKCE
code. Neither rotates: the User Key comes back as the refresh token, never a new one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..entities import auth0_scope_text, pkce_ok
from ..exceptions import (
    MSG_LEGACY_BAD_CODE,
    MSG_LEGACY_BAD_VERIFIER,
    LegacyInvalidGrant,
    LegacyInvalidRequest,
)
from ._base import Auth0Grant

if TYPE_CHECKING:
    from ..entities import LegacyGrant
    from ..ledger import Ledger

__all__ = ["Auth0AuthorizationCode", "Auth0RefreshToken", "Auth0UnsupportedGrant"]


class Auth0RefreshToken(Auth0Grant):
    """The User Key as a refresh token: a new access token, no ``refresh_token`` back."""

    grant_type = "refresh_token"

    def issue(self, fields: dict[str, Any], client_id: str, status: int) -> dict[str, Any]:
        token = fields.get("refresh_token")
        if not isinstance(token, str) or not token:
            raise LegacyInvalidRequest("Missing required parameter: refresh_token")
        legacy = self.ledger.legacy_grants.get(token)
        if legacy is None or legacy.revoked or legacy.client_id != client_id:
            raise LegacyInvalidGrant(status_code=status)
        return legacy_response(self.ledger, legacy, include_refresh=False)


class Auth0AuthorizationCode(Auth0Grant):
    """The PKCE login's code: a User Key is issued, returned only with ``offline_access``."""

    grant_type = "authorization_code"

    def issue(self, fields: dict[str, Any], client_id: str, status: int) -> dict[str, Any]:
        ledger = self.ledger
        raw_code = fields.get("code")
        if not isinstance(raw_code, str) or not raw_code:
            raise LegacyInvalidRequest("Missing required parameter: code")
        code = ledger.codes.get(raw_code)
        if code is None or code.issuer != "legacy" or code.used:
            raise LegacyInvalidGrant(MSG_LEGACY_BAD_CODE, status)
        code.used = True
        if ledger.clock.time() >= code.expires_at or code.client_id != client_id:
            raise LegacyInvalidGrant(MSG_LEGACY_BAD_CODE, status)
        if fields.get("redirect_uri") != code.redirect_uri:
            raise LegacyInvalidGrant(MSG_LEGACY_BAD_CODE, status)
        verifier = fields.get("code_verifier")
        if not pkce_ok(
            verifier if isinstance(verifier, str) else None, code.challenge, code.challenge_method
        ):
            raise LegacyInvalidGrant(MSG_LEGACY_BAD_VERIFIER, status)
        key = ledger.issue_user_key(code.user, client_id)
        grant = ledger.legacy_grants[key]
        grant.scopes = code.scopes or grant.scopes
        return legacy_response(ledger, grant, include_refresh="offline_access" in code.scopes)


def legacy_response(ledger: Ledger, grant: LegacyGrant, *, include_refresh: bool) -> dict[str, Any]:
    """Auth0's token response: access and id token, the User Key only when asked."""
    access = ledger.mint_access(
        "legacy",
        client_id=grant.client_id,
        scopes=grant.scopes,
        user=grant.user,
        app_scoped=False,
    )
    id_token = ledger.mint_id_token("legacy", client_id=grant.client_id, user=grant.user)
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


class Auth0UnsupportedGrant(LegacyInvalidRequest):
    """[I] Auth0: ``unsupported_grant_type`` for a grant the tenant does not know."""

    def __init__(self, grant: str) -> None:
        super().__init__(f"Unsupported grant type: {grant[:40]}")
        self.error = "unsupported_grant_type"

"""``refresh_token``: rotation, reuse detection and the grace window (IdentityServer's rules)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..entities import ExternalApp, Family, parse_scopes
from ..exceptions import InvalidGrant, InvalidRequest, InvalidScope, UnauthorizedClient
from ._base import Grant

if TYPE_CHECKING:
    from ..tokens import IssuerName

__all__ = ["RefreshTokenGrant"]


class RefreshTokenGrant(Grant):
    grant_type = "refresh_token"

    def issue(self, issuer: IssuerName, form: dict[str, str]) -> dict[str, Any]:
        if "refresh_token" not in form:
            raise InvalidRequest()
        ledger = self.ledger
        with ledger.lock:
            app = ledger.authenticate_client(form.get("client_id"), form.get("client_secret"))
            if "refresh_token" not in app.grant_types:
                raise UnauthorizedClient()
            rt = ledger.refresh_tokens.get(form.get("refresh_token") or "")
            if rt is None or rt.family.issuer != issuer:
                raise InvalidGrant()
            family = rt.family
            now = ledger.clock.time()
            settings = ledger.settings
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
                        ledger.revoke_family(family, "reuse")
                    raise InvalidGrant()
            requested = parse_scopes(form.get("scope")) or rt.scopes
            if not requested <= rt.scopes:
                raise InvalidScope()  # scope may narrow, never widen
            if in_grace:
                if settings.grace_returns == "same":
                    successor = ledger.refresh_tokens[rt.successor]  # type: ignore[index]
                    return self._refreshed(issuer, app, family, requested, successor.token)
                ledger.refresh_tokens[rt.successor].revoked = True  # type: ignore[index]
            new_token: str | None = None
            if settings.refresh_rotation:
                if rt.consumed_at is None:
                    # The grace window counts from the first use: a retry inside it must not
                    # slide it, or a token retried every few seconds would never die.
                    rt.consumed_at = now
                successor = ledger.mint_refresh(family, rt.scopes)
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
        ledger = self.ledger
        access = ledger.mint_access(
            issuer,
            client_id=app.client_id,
            scopes=scopes,
            user=family.user,
            app_scoped=False,
            family=family.id,
        )
        id_token = None
        if "openid" in scopes and family.user is not None:
            id_token = ledger.mint_id_token(issuer, client_id=app.client_id, user=family.user)
        return ledger.token_response(access, refresh=refresh, id_token=id_token, scopes=scopes)

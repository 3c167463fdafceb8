"""The token endpoints: each picks the grant its request names and lets it answer.

``TokenEndpoint`` is IdentityServer's ``POST /connect/token`` (identity_ and on-prem
/identity); ``Auth0TokenEndpoint`` the legacy ``POST account.uipath.com/oauth/token``. The grants
themselves are in ``grants/`` (one class each, registered in ``GRANTS``/``AUTH0_GRANTS``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .entities import LEGACY_PKCE_CLIENT_ID, LEGACY_USER_KEY_CLIENT_ID
from .exceptions import LegacyAccessDenied, LegacyInvalidRequest, UnsupportedGrantType
from .grants import AUTH0_GRANTS, GRANTS, Auth0Grant, Auth0UnsupportedGrant, Grant

if TYPE_CHECKING:
    from .ledger import Ledger
    from .tokens import IssuerName

__all__ = ["Auth0TokenEndpoint", "TokenEndpoint"]


class TokenEndpoint:
    """``POST /connect/token``: one form in, the grant its ``grant_type`` names answers."""

    def __init__(self, ledger: Ledger, grants: tuple[type[Grant], ...] = GRANTS) -> None:
        self.grants: dict[str, Grant] = {kind.grant_type: kind(ledger) for kind in grants}

    @property
    def advertised(self) -> list[str]:
        """``grant_types_supported`` of discovery, sorted."""
        return sorted(name for name, grant in self.grants.items() if grant.advertised)

    def issue(self, issuer: IssuerName, form: dict[str, str]) -> dict[str, Any]:
        # uipathcli sends every field, blank when unused ([V] token_request_form.go).
        form = {k: v for k, v in form.items() if v != ""}
        grant = self.grants.get(form.get("grant_type") or "")
        if grant is None:
            raise UnsupportedGrantType()
        return grant.issue(issuer, form)


class Auth0TokenEndpoint:
    """``POST account.uipath.com/oauth/token`` (JSON or form): Auth0's checks, then the grant."""

    def __init__(self, ledger: Ledger, grants: tuple[type[Auth0Grant], ...] = AUTH0_GRANTS) -> None:
        self.ledger = ledger
        self.grants: dict[str, Auth0Grant] = {kind.grant_type: kind(ledger) for kind in grants}

    def issue(self, fields: dict[str, Any]) -> dict[str, Any]:
        ledger = self.ledger
        with ledger.lock:
            grant_type = fields.get("grant_type")
            if not isinstance(grant_type, str) or not grant_type:
                raise LegacyInvalidRequest("Missing required parameter: grant_type")
            client_id = fields.get("client_id")
            if not isinstance(client_id, str) or not client_id:
                raise LegacyInvalidRequest("Missing required parameter: client_id")
            known = (LEGACY_USER_KEY_CLIENT_ID, LEGACY_PKCE_CLIENT_ID)
            if client_id not in known and client_id not in ledger.apps:
                raise LegacyAccessDenied()
            grant = self.grants.get(grant_type)
            if grant is None:
                raise Auth0UnsupportedGrant(grant_type)
            return grant.issue(fields, client_id, ledger.settings.legacy_invalid_grant_status)

"""``client_credentials``: a confidential app's own token, with application scopes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..entities import parse_scopes
from ..exceptions import InvalidScope, UnauthorizedClient
from ._base import Grant

if TYPE_CHECKING:
    from ..tokens import IssuerName

__all__ = ["ClientCredentials"]


class ClientCredentials(Grant):
    grant_type = "client_credentials"

    def issue(self, issuer: IssuerName, form: dict[str, str]) -> dict[str, Any]:
        ledger = self.ledger
        with ledger.lock:
            app = ledger.authenticate_client(form.get("client_id"), form.get("client_secret"))
            if "client_credentials" not in app.grant_types:
                raise UnauthorizedClient()
            requested = parse_scopes(form.get("scope")) or app.app_scopes
            # [V] offline_access on client credentials is invalid_scope (forum 341681).
            if not requested or not requested <= app.app_scopes:
                raise InvalidScope()
            access = ledger.mint_access(
                issuer, client_id=app.client_id, scopes=requested, user=None, app_scoped=True
            )
            return ledger.token_response(access, scopes=requested)

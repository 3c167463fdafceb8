"""Username and password: refused at the IdentityServer token endpoint, a login on-prem.

* ``grant_type=password`` at identity_ or on-prem /identity: the client is authenticated, then
  refused with ``unauthorized_client`` (no UiPath app is registered for the resource-owner
  password grant).
* on-prem ``/api/Account/Authenticate`` (:class:`PasswordLogin`): the documented password login,
  a 30-minute token for one tenant, no refresh token.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..exceptions import OnPremBadCredentials, UnauthorizedClient
from ._base import Grant

if TYPE_CHECKING:
    from ..entities import Tenant
    from ..ledger import Ledger
    from ..tokens import IssuerName

__all__ = ["Password", "PasswordLogin"]


class Password(Grant):
    grant_type = "password"
    advertised = False

    def issue(self, issuer: IssuerName, form: dict[str, str]) -> dict[str, Any]:
        self.ledger.authenticate_client(form.get("client_id"), form.get("client_secret"))
        raise UnauthorizedClient()


class PasswordLogin:
    """On-prem ``/api/Account/Authenticate``: username or e-mail and password -> a token."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def login(self, fields: dict[str, Any], tenant: Tenant) -> str:
        ledger = self.ledger
        lowered = {str(k).lower(): v for k, v in fields.items()}
        username = lowered.get("usernameoremailaddress")
        password = lowered.get("password")
        if not isinstance(username, str) or not isinstance(password, str):
            raise OnPremBadCredentials()
        with ledger.lock:
            user = ledger.users.get(username.lower())
            if user is None or user.password != password:
                raise OnPremBadCredentials()
            access = ledger.mint_access(
                "onprem",
                client_id="orchestrator",
                scopes=frozenset(),
                user=user,
                app_scoped=False,
                tenants=frozenset({tenant.name.lower()}),
            )
            return access.token

"""What a grant is: an object that turns one token request into a token response."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from ..ledger import Ledger
    from ..tokens import IssuerName

__all__ = ["Auth0Grant", "Grant"]


class Grant:
    """One ``grant_type`` of the IdentityServer token endpoint (identity_, on-prem /identity).

    A grant is built once per world with the :class:`~..ledger.Ledger` (the state and the
    minting primitives) and answers :meth:`issue`: a token response body, or an
    ``OAuthError`` raised in IdentityServer's dialect. Blank form fields are already dropped
    ([V] uipathcli sends every field, blank when unused).
    """

    #: The form's ``grant_type`` this grant answers.
    grant_type: ClassVar[str]
    #: Listed in discovery's ``grant_types_supported``.
    advertised: ClassVar[bool] = True

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def issue(self, issuer: IssuerName, form: dict[str, str]) -> dict[str, Any]:
        raise NotImplementedError


class Auth0Grant:
    """One ``grant_type`` of the legacy Auth0 token endpoint (account.uipath.com).

    ``issue`` gets the JSON or form fields (values of any JSON type), the client id the
    endpoint already checked, and the status Auth0 answers ``invalid_grant`` with.
    """

    grant_type: ClassVar[str]

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def issue(self, fields: dict[str, Any], client_id: str, status: int) -> dict[str, Any]:
        raise NotImplementedError

"""Token revocation (RFC 7009) and RP-initiated logout on identity_ and on-prem /identity.

An object composed into ``IdentityBackend`` (built with its ledger), as the grants are: the
rules live here, the HTTP side is in ``revocation_responses.py``. UiPath documents neither
endpoint for integrators; its Identity is IdentityServer-based (docs/wire.md §4: IdentityServer4
in the logs; Duende IdentityServer 7.4.3 per UiPath/uipath-typescript
``docs/design/plt-107228-cloud-logout.md`` §10, "UITS-LOGOUT" below). Where UiPath says nothing
we follow IdentityServer4's own code ("IS4-code":
``TokenRevocationEndpoint.cs``, ``TokenRevocationResponseGenerator.cs``,
``TokenRevocationRequestValidator.cs``, ``EndSessionRequestValidator.cs``).

``POST {identity}/connect/revocation`` (form: ``token``, optional ``token_type_hint``)

========================================  ==================================  ==================
case                                      answer                              tag, source
========================================  ==================================  ==================
valid token of the calling client         200, empty body; token revoked      [I] IS4-code
unknown token, or another client's        200, empty body; nothing revoked    [I] IS4-code,
                                                                              RFC 7009 §2.1/2.2
bad client (secret, unknown id)           400 ``{"error":"invalid_client"}``  [I] IS4-code
missing ``token``                         400 ``{"error":"invalid_request"}`` [I] IS4-code
hint other than access/refresh_token      400 ``unsupported_token_type``      [I] IS4-code
body not form-encoded (JSON ...)          415, empty body                     [I] IS4-code
body above 1 MiB                          413, empty body                     [I] Kestrel
malformed form (bad UTF-8, repeats)       400 ``{"error":"invalid_request"}`` [?] the mock's pick
========================================  ==================================  ==================

* Client authentication is the token endpoint's (``Ledger.authenticate_client``): ``client_id`` and
  ``client_secret`` in the form, or HTTP Basic (RFC 6749 §2.3.1, which IS4 tries first); a
  public client names itself by ``client_id`` only. [I] IS4-code ``ClientSecretValidator``.
* The hint narrows the search and is not widened when it is wrong: ``access_token`` looks only
  at access tokens, ``refresh_token`` only at refresh tokens, no hint at both. IS4 does this
  (RFC 7009 §2.1 asks servers to extend the search; IS4 does not). [I] IS4-code.
* Revoking any refresh token of a rotation family revokes the whole family (the same
  ``revoke_family`` that reuse detection uses): RFC 7009 §2.1 lets the server drop the whole
  grant, and a family's older members are dead already. [I]
* Access tokens are JWTs at UiPath, and IdentityServer can revoke only reference tokens, so
  revoking an access token answers 200 and changes nothing, and an access token outlives the
  revocation of its refresh token: UiPath's own test found an app "runs on its cached access
  token (~60 min)" after logout [V] UITS-LOGOUT §8, §13. Two settings, both off by default, make
  the mock revoke them anyway: ``revocable_access_tokens`` (the token itself, as if it were a
  reference token) and ``revoke_access_tokens_with_family`` (those issued from a revoked
  family, RFC 7009 §2.1's SHOULD).

``GET {identity}/connect/endsession`` (``id_token_hint``, ``post_logout_redirect_uri``,
``state``, ``client_id``): RP-initiated logout.

* Without a valid ``id_token_hint`` Identity only asks "Do you want to sign out?" and ends
  nothing until a person confirms [V] UITS-LOGOUT §8.3, §10 ("w/o it the current experience is
  to prompt the users"). The mock answers that page (200 HTML) and changes nothing. An expired
  id token is still a valid hint [D] UITS-LOGOUT §11; a hint whose user is not the one signed
  in, or whose audience is not ``client_id``, is refused the same way [I] IS4-code, OpenID
  RP-Initiated Logout 1.0 §2.
* With a valid hint the browser session ends (the next authorize answers ``login_required``
  until :meth:`Revocation.sign_in`) and the user's refresh tokens of that client are revoked:
  "Confirm end-session invalidates the refresh token ... 'if it initiates an endsession flow,
  then it will.'" [D] UITS-LOGOUT §10 (UiPath's Identity team, quoted).
* ``post_logout_redirect_uri`` must equal one of the app's registered redirect URIs exactly
  (trailing slash included); then the answer is a 302 there, with ``state`` when given [V]
  UITS-LOGOUT §10. Otherwise, or without it, the mock answers a "signed out" page (200 HTML).
  [I] The cloud sends the browser to the Automation Cloud portal instead (UITS-LOGOUT §10,
  ``UsePortalBaseUrlAsFallbackPostLogoutUrl``); the portal's URL there is not recorded.
* The real endpoint goes through Identity's logout page before redirecting; the mock answers
  in one step. [I]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlencode

from mock_orchestrator.core.errors import OAuthError

from .exceptions import InvalidClient

if TYPE_CHECKING:
    from .entities import ExternalApp, User
    from .ledger import Ledger
    from .tokens import IssuerName

__all__ = ["TOKEN_TYPE_HINTS", "EndSession", "Revocation", "RevocationError"]

#: The hints IdentityServer knows (RFC 7009 §2.1 registers these two).
TOKEN_TYPE_HINTS = frozenset({"access_token", "refresh_token"})


class RevocationError(OAuthError):
    """IS4's ``TokenRevocationErrorResult``: 400 and ``{"error": ...}``, nothing else.

    Unlike the token endpoint's error it carries no description and no cache headers. [I]
    """

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.headers = {}


@dataclass(frozen=True)
class EndSession:
    """What the end-session endpoint decided: where the browser goes, or which page it sees."""

    outcome: Literal["prompt", "signed_out", "redirect"]
    location: str | None = None


class Revocation:
    """Revocation and logout rules, on the identity ledger (which holds the state)."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    # -- the browser session --------------------------------------------------------------

    def sign_in(self, user: User | None = None) -> None:
        """Sign the browser in again (as ``user``, default the world's login user)."""
        ledger = self.ledger
        with ledger.lock:
            if user is not None:
                ledger.login_user = user
            ledger.session_ended = False

    # -- POST /connect/revocation ---------------------------------------------------------

    def revoke_token(
        self,
        issuer: IssuerName,
        client_id: str | None,
        secret: str | None,
        token: str | None,
        hint: str | None,
    ) -> None:
        """Revoke ``token`` for the authenticated client; raises :class:`RevocationError`.

        Returns quietly for an unknown token or another client's token (RFC 7009 §2.2).
        """
        with self.ledger.lock:
            try:
                app = self.ledger.authenticate_client(client_id or None, secret or None)
            except InvalidClient:
                raise RevocationError("invalid_client") from None
            if not token:
                raise RevocationError("invalid_request")
            if hint and hint not in TOKEN_TYPE_HINTS:
                raise RevocationError("unsupported_token_type")
            if hint != "refresh_token" and self._revoke_access(issuer, app, token):
                return
            if hint != "access_token":
                self._revoke_refresh(issuer, app, token)

    def _revoke_access(self, issuer: IssuerName, app: ExternalApp, token: str) -> bool:
        """True when the token was found as an access token (revoked if it is the client's)."""
        if not self.ledger.settings.revocable_access_tokens:
            return False  # a JWT is in no reference-token store: IS4 does not find it
        record = self.ledger.tokens.get(token)
        if record is None or record.kind != "access" or record.issuer != issuer:
            return False
        if record.client_id == app.client_id:
            record.revoked = True
        return True

    def _revoke_refresh(self, issuer: IssuerName, app: ExternalApp, token: str) -> bool:
        rt = self.ledger.refresh_tokens.get(token)
        if rt is None or rt.family.issuer != issuer:
            return False
        if rt.family.client_id == app.client_id:
            self.ledger.revoke_family(rt.family, "revocation endpoint")
        return True

    # -- GET /connect/endsession ----------------------------------------------------------

    def end_session(self, issuer: IssuerName, params: dict[str, str]) -> EndSession:
        """RP-initiated logout: a prompt, a signed-out page or a redirect (module docstring)."""
        with self.ledger.lock:
            hint = params.get("id_token_hint") or ""
            record = self.ledger.tokens.get(hint) if hint else None
            if record is None or record.kind != "id" or record.issuer != issuer:
                return EndSession("prompt")
            client_id = params.get("client_id")
            if client_id and client_id != record.client_id:
                return EndSession("prompt")
            user = self.ledger.user_by_id(record.subject)
            current = self.ledger.session_user()
            if user is None or (current is not None and current is not user):
                return EndSession("prompt")
            self.ledger.session_ended = True
            for family in list(self.ledger.families.values()):
                if (
                    family.user is user
                    and family.client_id == record.client_id
                    and family.issuer == issuer
                    and not family.revoked
                ):
                    self.ledger.revoke_family(family, "end session")
            app = self.ledger.apps.get(record.client_id)
            uri = params.get("post_logout_redirect_uri") or ""
            if app is None or uri not in app.redirect_uris:
                return EndSession("signed_out")
            state = params.get("state")
            if state:
                uri += ("&" if "?" in uri else "?") + urlencode({"state": state})
            return EndSession("redirect", uri)

"""HTTP side of ``/connect/revocation`` and ``/connect/endsession`` (rules: ``revocation.py``).

A mixin of ``responses.IdentityResponses``: each handler parses, calls one backend method and
serializes, like the token endpoint's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from ..core.errors import PlainError
from ..core.request import BadBody, MockRequest
from .revocation import RevocationError

if TYPE_CHECKING:
    from .models import IdentityBackend
    from .tokens import IssuerName

__all__ = ["RevocationEndpoints"]

_HTML = {"content-type": "text/html; charset=utf-8", "cache-control": "no-store, no-cache"}
_PROMPT_PAGE = (
    "<!DOCTYPE html><html><head><title>Sign out</title></head><body>"
    "<h1>Do you want to sign out?</h1>"
    '<form method="post"><button>Yes</button></form></body></html>'
)
_ERROR_PAGE = "<!DOCTYPE html><html><body><h1>Error</h1><p>invalid_request</p></body></html>"
_SIGNED_OUT_PAGE = (
    "<!DOCTYPE html><html><head><title>Signed out</title></head><body>"
    "<h1>You are now signed out</h1></body></html>"
)


class RevocationEndpoints:
    """Revocation and end session, for the cloud (``/identity_``) and on-prem (``/identity``)."""

    if TYPE_CHECKING:
        backend: IdentityBackend

    # -- POST /connect/revocation ---------------------------------------------------------

    def _revoke(self, req: MockRequest, issuer: IssuerName) -> httpx.Response:
        if req.media_type != "application/x-www-form-urlencoded":
            raise PlainError(415, None)  # IS4: "Invalid media type", an empty 415
        try:
            form = req.form()
        except BadBody as exc:
            if exc.too_large:
                raise PlainError(413, None) from exc
            raise RevocationError("invalid_request") from exc
        client_id, secret = req.basic_auth() or (form.get("client_id"), form.get("client_secret"))
        self.backend.revoke_token(
            issuer, client_id, secret, form.get("token"), form.get("token_type_hint")
        )
        return httpx.Response(200)  # RFC 7009 §2.2: 200 and no body, found or not

    def revocation(self, req: MockRequest) -> httpx.Response:
        return self._revoke(req, "identity")

    def onprem_revocation(self, req: MockRequest) -> httpx.Response:
        return self._revoke(req, "onprem")

    # -- GET /connect/endsession ----------------------------------------------------------

    def _end_session(self, req: MockRequest, issuer: IssuerName) -> httpx.Response:
        try:
            params = dict(req.query)
        except BadBody:  # too many parameters: Identity's HTML error page, as authorize's [I]
            return httpx.Response(400, text=_ERROR_PAGE, headers=_HTML)
        decision = self.backend.end_session(issuer, params)
        if decision.outcome == "redirect":
            assert decision.location is not None
            return httpx.Response(302, headers={"location": decision.location})
        page = _PROMPT_PAGE if decision.outcome == "prompt" else _SIGNED_OUT_PAGE
        return httpx.Response(200, text=page, headers=_HTML)

    def endsession(self, req: MockRequest) -> httpx.Response:
        return self._end_session(req, "identity")

    def onprem_endsession(self, req: MockRequest) -> httpx.Response:
        return self._end_session(req, "onprem")

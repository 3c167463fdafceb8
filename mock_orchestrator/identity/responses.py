"""HTTP handlers of the identity servers: parse, call one backend method, serialize.

Each class is a *service*: the world builds one per world around the identity backend, and a
route names the class (``service=``) and the handler (an unbound method of it). ``serve``
calls the handler with the service itself, so a handler finds everything it uses on ``self``:
the backend, its settings and clock, never the world.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from ..core.errors import json_response
from ..core.request import BadBody, MockRequest
from .exceptions import (
    CloudLoginTrap,
    InvalidClient,
    InvalidRequest,
    LegacyInvalidRequest,
    MalformedLogin,
    OnPremBadCredentials,
    UnsupportedApiVersion,
)
from .models import LEGACY_AUDIENCE
from .revocation_responses import RevocationEndpoints
from .tokens import IssuerName

if TYPE_CHECKING:
    from ..core.routing import Route
    from .models import IdentityBackend

__all__ = ["IdentityEndpoints", "IdentityResponses", "LegacyResponses", "OnPremResponses"]

_NO_STORE = {"cache-control": "no-store, no-cache", "pragma": "no-cache"}


def _origin(req: MockRequest) -> str:
    # netloc, not host: an internationalised host stays in its ASCII (punycode) form, which is
    # all a Location header can carry, and an IPv6 host keeps its brackets.
    url = req.raw.url
    return f"{url.scheme}://{url.netloc.decode('ascii')}"


def _bad_query_page() -> httpx.Response:
    """A query the server will not parse (over 200 parameters): a 400 HTML error page [I]."""
    html = "<!DOCTYPE html><html><body><h1>Error</h1><p>invalid_request</p></body></html>"
    return httpx.Response(400, text=html, headers={"content-type": "text/html; charset=utf-8"})


class IdentityEndpoints:
    """The shape every identity service has: the backend, and ``serve`` for the world."""

    def __init__(self, backend: IdentityBackend) -> None:
        self.backend = backend

    def serve(self, route: Route, req: MockRequest) -> httpx.Response:
        response: httpx.Response = route.handler(self, req)
        return response


class IdentityResponses(IdentityEndpoints, RevocationEndpoints):
    """identity_ (cloud) and /identity (on-prem): IdentityServer4's dialect."""

    def _form(self, req: MockRequest) -> dict[str, str]:
        settings = self.backend.settings
        if req.media_type != "application/x-www-form-urlencoded" and settings.identity_form_only:
            raise InvalidRequest("Invalid content type; use application/x-www-form-urlencoded")
        try:
            return req.form()
        except BadBody as exc:
            raise InvalidRequest(str(exc), status_code=413 if exc.too_large else 400) from exc

    def _token(self, req: MockRequest, issuer: IssuerName) -> httpx.Response:
        if (
            req.media_type in ("application/json", "text/json")
            and self.backend.settings.identity_json_body == "html"
        ):
            # [V] forum 504018 (on-prem): a JSON body gets a 200 HTML page and no token.
            return httpx.Response(
                200,
                text="<!DOCTYPE html><html><body>Sign in</body></html>",
                headers={"content-type": "text/html; charset=utf-8"},
            )
        org = req.params.get("org")
        if (
            org is not None
            and self.backend.organization(org) is None
            and self.backend.settings.unknown_organization == "invalid_client"
        ):
            raise InvalidClient()
        form = self._form(req)
        basic = req.basic_auth()
        if basic is not None:
            # client_secret_basic, as discovery advertises: IdentityServer tries the header
            # first and then ignores the form's client fields (RFC 6749 §2.3.1) [I].
            form = {**form, "client_id": basic[0], "client_secret": basic[1]}
        body = self.backend.token_grant(issuer, form)
        return json_response(200, body, _NO_STORE)

    def token(self, req: MockRequest) -> httpx.Response:
        return self._token(req, "identity")

    def onprem_token(self, req: MockRequest) -> httpx.Response:
        return self._token(req, "onprem")

    def onprem_wrong_path(self, req: MockRequest) -> httpx.Response:
        raise UnsupportedApiVersion(str(req.raw.url.copy_with(query=None)))

    def _authorize(self, req: MockRequest, issuer: IssuerName, base: str) -> httpx.Response:
        error_page = f"{_origin(req)}{base}/web/"
        try:
            params = dict(req.query)
        except BadBody:  # too many parameters: Identity's HTML error page, as endsession's [I]
            return _bad_query_page()
        location = self.backend.authorize(issuer, params, error_page)
        return httpx.Response(302, headers={"location": location})

    def authorize(self, req: MockRequest) -> httpx.Response:
        return self._authorize(req, "identity", "/identity_")

    def onprem_authorize(self, req: MockRequest) -> httpx.Response:
        return self._authorize(req, "onprem", "/identity")

    def error_page(self, req: MockRequest) -> httpx.Response:
        try:
            code = req.query_get("errorCode") or "error"
        except BadBody:
            return _bad_query_page()
        html = f"<!DOCTYPE html><html><body><h1>Error</h1><p>{_escape(code)}</p></body></html>"
        return httpx.Response(400, text=html, headers={"content-type": "text/html; charset=utf-8"})

    def discovery(self, req: MockRequest) -> httpx.Response:
        base = "/identity" if "onprem" in req.sites and len(req.sites) == 1 else "/identity_"
        issuer = f"{_origin(req)}{base}"
        return json_response(
            200,
            {
                "issuer": issuer,
                "jwks_uri": f"{issuer}/.well-known/openid-configuration/jwks",
                "authorization_endpoint": f"{issuer}/connect/authorize",
                "token_endpoint": f"{issuer}/connect/token",
                "userinfo_endpoint": f"{issuer}/connect/userinfo",
                "end_session_endpoint": f"{issuer}/connect/endsession",
                "revocation_endpoint": f"{issuer}/connect/revocation",
                "scopes_supported": ["openid", "profile", "email", "offline_access"],
                "response_types_supported": ["code"],
                # one per advertised grant object (grants/): a new grant shows up here
                "grant_types_supported": self.backend.token_endpoint.advertised,
                "token_endpoint_auth_methods_supported": [
                    "client_secret_basic",
                    "client_secret_post",
                ],
                "code_challenge_methods_supported": ["plain", "S256"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "subject_types_supported": ["public"],
            },
        )

    def jwks(self, req: MockRequest) -> httpx.Response:
        name: IssuerName = "onprem" if req.sites == frozenset({"onprem"}) else "identity"
        return json_response(200, self.backend.issuers[name].jwks())

    def userinfo(self, req: MockRequest) -> httpx.Response:
        token = req.bearer()
        record = self.backend.tokens.get(token) if token else None
        if record is None or record.kind != "access" or record.revoked:
            return httpx.Response(401, headers={"www-authenticate": 'Bearer error="invalid_token"'})
        if self.backend.clock.time() >= record.expires_at:
            return httpx.Response(401, headers={"www-authenticate": 'Bearer error="invalid_token"'})
        claims = record.claims
        info = {"sub": record.subject}
        for key in ("preferred_username", "email", "prt_id"):
            if key in claims:
                info[key] = claims[key]
        return json_response(200, info)

    def portal_tenants(self, req: MockRequest) -> httpx.Response:
        prt_id = req.params["prt_id"]
        org = self.backend.orgs_by_id.get(prt_id)
        self.backend.authenticate_portal(req.bearer(), org.id if org else prt_id)
        assert org is not None  # authenticate_portal refused a foreign organization
        return json_response(
            200,
            {
                "tenants": [{"name": t.name, "id": t.id} for t in org.tenants.values()],
                "organization": {"id": org.id, "name": org.name},
            },
        )

    def cloud_login_trap(self, req: MockRequest) -> httpx.Response:
        # [V] forum 149111/166216: refused on the cloud even with correct credentials.
        raise CloudLoginTrap()


class LegacyResponses(IdentityEndpoints):
    """account.uipath.com (Auth0) and platform.uipath.com's cloudrpa lookups."""

    def token(self, req: MockRequest) -> httpx.Response:
        try:
            fields = req.fields()
        except BadBody as exc:
            raise LegacyInvalidRequest(str(exc)) from exc
        return json_response(200, self.backend.legacy_token(fields), _NO_STORE)

    def authorize(self, req: MockRequest) -> httpx.Response:
        try:
            params = dict(req.query)
        except BadBody:
            return _bad_query_page()
        audience = params.get("audience")
        if audience is not None and audience != LEGACY_AUDIENCE:
            params["client_id"] = ""  # an unknown API audience is refused like a bad client
        location = self.backend.authorize("legacy", params, "https://account.uipath.com/error")
        return httpx.Response(302, headers={"location": location})

    def jwks(self, req: MockRequest) -> httpx.Response:
        return json_response(200, self.backend.issuers["legacy"].jwks())

    def discovery(self, req: MockRequest) -> httpx.Response:
        issuer = self.backend.issuers["legacy"].url
        return json_response(
            200,
            {
                "issuer": issuer,
                "authorization_endpoint": f"{_origin(req)}/authorize",
                "token_endpoint": f"{_origin(req)}/oauth/token",
                "jwks_uri": f"{_origin(req)}/.well-known/jwks.json",
                "code_challenge_methods_supported": ["S256", "plain"],
            },
        )

    def accounts_for_user(self, req: MockRequest) -> httpx.Response:
        record = self.backend.authenticate_id_token(req.bearer())
        user = self._user(record.claims.get("email"))
        return json_response(
            200,
            {
                "userEmail": user.email if user else record.claims.get("email"),
                "accounts": (
                    [{"accountName": user.org.display_name, "accountLogicalName": user.org.name}]
                    if user
                    else []
                ),
            },
        )

    def service_instances(self, req: MockRequest) -> httpx.Response:
        record = self.backend.authenticate_id_token(req.bearer())
        user = self._user(record.claims.get("email"))
        org = self.backend.organization(req.params["account"])
        if user is None or org is None or user.org is not org:
            return json_response(200, [])  # [?] not recorded; an empty list
        origin = _origin(req)
        return json_response(
            200,
            [
                {
                    "serviceInstanceName": t.display_name,
                    "serviceInstanceLogicalName": t.name,
                    "serviceType": "ORCHESTRATOR",
                    "serviceUrl": origin,
                }
                for t in org.tenants.values()
            ],
        )

    def _user(self, email: Any) -> Any:
        return self.backend.users.get(email.lower()) if isinstance(email, str) else None


class OnPremResponses(IdentityEndpoints):
    """/api/Account/Authenticate on an on-prem Orchestrator: the ABP envelope with a token."""

    def authenticate(self, req: MockRequest) -> httpx.Response:
        try:
            fields = req.fields()
        except BadBody as exc:
            # a body that is not JSON (or a form) is a malformed request, not wrong credentials:
            # the caller must learn to fix the request, not the password
            raise MalformedLogin() from exc
        lowered = {str(k).lower(): v for k, v in fields.items()}
        default = self.backend.default_tenant
        tenancy = lowered.get("tenancyname") or (default.name if default else None)
        tenant = self.backend.find_tenant(None, tenancy) if isinstance(tenancy, str) else None
        if tenant is None:
            raise OnPremBadCredentials()
        token = self.backend.password_login(fields, tenant)
        return json_response(
            200,
            {
                "result": token,
                "targetUrl": None,
                "success": True,
                "error": None,
                "unAuthorizedRequest": False,
                "__abp": True,
            },
        )


def _escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )

"""Identity routes of the three servers, as data. Handlers live in ``responses.py``."""

from __future__ import annotations

from mock_orchestrator.core.routing import ACCOUNT, CLOUD, ONPREM, Route

__all__ = ["IDENTITY_ROUTES"]

_C = frozenset({CLOUD})
_A = frozenset({ACCOUNT})
_O = frozenset({ONPREM})
_ORG = r"/(?P<org>[^/]+)"
_AUTHENTICATE = r"(?:/[^/]+/[^/]+)?(?:/orchestrator_)?/api/account/authenticate"

IDENTITY_ROUTES: list[Route] = [
    # identity_ (IdentityServer4) on the cloud, host-level and org-scoped [V] uipath-wire §4.1
    Route("POST", "/identity_/connect/token", "identity.token", _C),
    Route("POST", _ORG + "/identity_/connect/token", "identity.token", _C),
    Route("GET", "/identity_/connect/authorize", "identity.authorize", _C),
    Route("GET", _ORG + "/identity_/connect/authorize", "identity.authorize", _C),
    Route("GET", "/identity_/.well-known/openid-configuration", "identity.discovery", _C),
    Route("GET", _ORG + "/identity_/.well-known/openid-configuration", "identity.discovery", _C),
    Route("GET", "/identity_/.well-known/openid-configuration/jwks", "identity.jwks", _C),
    Route("GET", _ORG + "/identity_/.well-known/openid-configuration/jwks", "identity.jwks", _C),
    Route("GET", "/identity_/connect/userinfo", "identity.userinfo", _C),
    # revocation (RFC 7009) and RP-initiated logout, mounted as the token endpoint is [I]
    # (identity/revocation.py; /identity_/connect/endsession [V] UiPath/uipath-typescript)
    Route("POST", "/identity_/connect/revocation", "identity.revocation", _C),
    Route("POST", _ORG + "/identity_/connect/revocation", "identity.revocation", _C),
    Route("GET", "/identity_/connect/endsession", "identity.endsession", _C),
    Route("GET", _ORG + "/identity_/connect/endsession", "identity.endsession", _C),
    Route("GET", "/identity_/web/", "identity.error_page", _C),
    # the portal's tenant lookup, keyed by the organization id (prt_id) [V] UIPY portal.py
    Route(
        "GET",
        r"/(?P<prt_id>[^/]+)/portal_/api/filtering/leftnav/tenantsAndOrganizationInfo",
        "identity.portal_tenants",
        _C,
    ),
    # on-prem standalone identity: /identity, and /identity_ refused [V] uipathcli#136
    Route("POST", "/identity/connect/token", "identity.onprem_token", _O),
    Route("POST", "/identity/connect/revocation", "identity.onprem_revocation", _O),
    Route("GET", "/identity/connect/endsession", "identity.onprem_endsession", _O),
    Route("GET", "/identity/connect/authorize", "identity.onprem_authorize", _O),
    Route("GET", "/identity/.well-known/openid-configuration", "identity.discovery", _O),
    Route("GET", "/identity/.well-known/openid-configuration/jwks", "identity.jwks", _O),
    Route("POST", "/identity_/connect/token", "identity.onprem_wrong_path", _O),
    # legacy Auth0 tenant [V] uipath-wire §2
    Route("POST", "/oauth/token", "legacy.token", _A),
    Route("GET", "/authorize", "legacy.authorize", _A),
    Route("GET", "/.well-known/jwks.json", "legacy.jwks", _A),
    Route("GET", "/.well-known/openid-configuration", "legacy.discovery", _A),
    Route("GET", "/cloudrpa/api/getAccountsForUser", "legacy.accounts_for_user", _C),
    Route(
        "GET",
        r"/cloudrpa/api/account/(?P<account>[^/]+)/getAllServiceInstances",
        "legacy.service_instances",
        _C,
    ),
    # /api/Account/Authenticate: the errorCode 1000 trap on the cloud, a login on-prem
    # ({UIPATH_URL}/orchestrator_/api/Account/Authenticate too: a client built on UIPATH_URL)
    Route("POST", _AUTHENTICATE, "identity.cloud_login_trap", _C),
    Route("POST", _AUTHENTICATE, "onprem.authenticate", _O),
]

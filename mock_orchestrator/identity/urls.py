"""Identity routes of the three servers, as data. Handlers live in ``responses.py``.

Each route names its handler as the function itself (``IdentityResponses.token``), the service
class whose per-world instance serves it, and its kind (a token endpoint, a password login, a
browser step...). The label is ``<service>.<handler name>``, the name the journal, faults and
conformance rules use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..core.routing import ACCOUNT, CLOUD, ONPREM, Route, RouteKind
from .responses import IdentityResponses, LegacyResponses, OnPremResponses

__all__ = ["IDENTITY_ROUTES"]

_C = frozenset({CLOUD})
_A = frozenset({ACCOUNT})
_O = frozenset({ONPREM})
_ORG = r"/(?P<org>[^/]+)"
_AUTHENTICATE = r"(?:/[^/]+/[^/]+)?(?:/orchestrator_)?/api/account/authenticate"


def _route(
    prefix: str,
    service: type,
    method: str,
    path: str,
    handler: Callable[..., Any],
    sites: frozenset[str],
    kind: RouteKind,
) -> Route:
    return Route(
        method,
        path,
        handler,
        sites,
        name=f"{prefix}.{handler.__name__}",
        service=service,
        kind=kind,
    )


def _identity(
    method: str, path: str, handler: Callable[..., Any], sites: frozenset[str], kind: RouteKind
) -> Route:
    return _route("identity", IdentityResponses, method, path, handler, sites, kind)


def _legacy(
    method: str, path: str, handler: Callable[..., Any], sites: frozenset[str], kind: RouteKind
) -> Route:
    return _route("legacy", LegacyResponses, method, path, handler, sites, kind)


_I = IdentityResponses
_L = LegacyResponses

IDENTITY_ROUTES: list[Route] = [
    # identity_ (IdentityServer4) on the cloud, host-level and org-scoped [V] docs/wire.md §4.1
    _identity("POST", "/identity_/connect/token", _I.token, _C, "token"),
    _identity("POST", _ORG + "/identity_/connect/token", _I.token, _C, "token"),
    _identity("GET", "/identity_/connect/authorize", _I.authorize, _C, "human"),
    _identity("GET", _ORG + "/identity_/connect/authorize", _I.authorize, _C, "human"),
    _identity("GET", "/identity_/.well-known/openid-configuration", _I.discovery, _C, "discovery"),
    _identity(
        "GET", _ORG + "/identity_/.well-known/openid-configuration", _I.discovery, _C, "discovery"
    ),
    _identity("GET", "/identity_/.well-known/openid-configuration/jwks", _I.jwks, _C, "discovery"),
    _identity(
        "GET", _ORG + "/identity_/.well-known/openid-configuration/jwks", _I.jwks, _C, "discovery"
    ),
    _identity("GET", "/identity_/connect/userinfo", _I.userinfo, _C, "api"),
    # revocation (RFC 7009) and RP-initiated logout, mounted as the token endpoint is [I]
    # (identity/revocation.py; /identity_/connect/endsession [V] UiPath/uipath-typescript)
    _identity("POST", "/identity_/connect/revocation", _I.revocation, _C, "logout"),
    _identity("POST", _ORG + "/identity_/connect/revocation", _I.revocation, _C, "logout"),
    _identity("GET", "/identity_/connect/endsession", _I.endsession, _C, "logout"),
    _identity("GET", _ORG + "/identity_/connect/endsession", _I.endsession, _C, "logout"),
    _identity("GET", "/identity_/web/", _I.error_page, _C, "human"),
    # the portal's tenant lookup, keyed by the organization id (prt_id) [V] UIPY portal.py
    _identity(
        "GET",
        r"/(?P<prt_id>[^/]+)/portal_/api/filtering/leftnav/tenantsAndOrganizationInfo",
        _I.portal_tenants,
        _C,
        "discovery",
    ),
    # on-prem standalone identity: /identity, and /identity_ refused [V] uipathcli#136
    _identity("POST", "/identity/connect/token", _I.onprem_token, _O, "token"),
    _identity("POST", "/identity/connect/revocation", _I.onprem_revocation, _O, "logout"),
    _identity("GET", "/identity/connect/endsession", _I.onprem_endsession, _O, "logout"),
    _identity("GET", "/identity/connect/authorize", _I.onprem_authorize, _O, "human"),
    _identity("GET", "/identity/.well-known/openid-configuration", _I.discovery, _O, "discovery"),
    _identity("GET", "/identity/.well-known/openid-configuration/jwks", _I.jwks, _O, "discovery"),
    _identity("POST", "/identity_/connect/token", _I.onprem_wrong_path, _O, "api"),
    # legacy Auth0 tenant [V] docs/wire.md §2
    _legacy("POST", "/oauth/token", _L.token, _A, "token"),
    _legacy("GET", "/authorize", _L.authorize, _A, "human"),
    _legacy("GET", "/.well-known/jwks.json", _L.jwks, _A, "discovery"),
    _legacy("GET", "/.well-known/openid-configuration", _L.discovery, _A, "discovery"),
    _legacy("GET", "/cloudrpa/api/getAccountsForUser", _L.accounts_for_user, _C, "discovery"),
    _legacy(
        "GET",
        r"/cloudrpa/api/account/(?P<account>[^/]+)/getAllServiceInstances",
        _L.service_instances,
        _C,
        "discovery",
    ),
    # /api/Account/Authenticate: the errorCode 1000 trap on the cloud, a login on-prem
    # ({UIPATH_URL}/orchestrator_/api/Account/Authenticate too: a client built on UIPATH_URL)
    _identity(
        "POST",
        _AUTHENTICATE,
        _I.cloud_login_trap,
        _C,
        "login_trap",
    ),
    _route(
        "onprem",
        OnPremResponses,
        "POST",
        _AUTHENTICATE,
        OnPremResponses.authenticate,
        _O,
        "password_login",
    ),
]

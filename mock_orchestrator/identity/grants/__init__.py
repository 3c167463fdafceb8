"""The token endpoints' grants, one object per ``grant_type``.

To add a grant: write a :class:`Grant` subclass in a module here (its ``grant_type`` and
``issue``), import it below and add it to :data:`GRANTS` (or :data:`AUTH0_GRANTS` for the legacy
Auth0 tenant). The token endpoint (``token_endpoints.py``) dispatches to it and discovery
advertises it; nothing else changes. See ``docs/guides/add-an-identity-grant.md``.
"""

from __future__ import annotations

from ._base import Auth0Grant, Grant
from .auth0 import Auth0AuthorizationCode, Auth0RefreshToken, Auth0UnsupportedGrant
from .authorization_code import AuthorizationCode
from .client_credentials import ClientCredentials
from .password import Password, PasswordLogin
from .refresh_token import RefreshTokenGrant

__all__ = [
    "AUTH0_GRANTS",
    "GRANTS",
    "Auth0AuthorizationCode",
    "Auth0Grant",
    "Auth0RefreshToken",
    "Auth0UnsupportedGrant",
    "AuthorizationCode",
    "ClientCredentials",
    "Grant",
    "Password",
    "PasswordLogin",
    "RefreshTokenGrant",
]

#: The IdentityServer token endpoint's grants (identity_ and on-prem /identity).
GRANTS: tuple[type[Grant], ...] = (
    AuthorizationCode,
    ClientCredentials,
    RefreshTokenGrant,
    Password,
)
#: The legacy Auth0 token endpoint's grants (account.uipath.com/oauth/token).
AUTH0_GRANTS: tuple[type[Auth0Grant], ...] = (Auth0RefreshToken, Auth0AuthorizationCode)

"""Errors of the identity servers, each in its own dialect, with the catalogue of their texts.

Hierarchy (see ``core/errors.py`` for the bases)::

    OAuthError (IdentityServer4, 400)
    ├── InvalidRequest, InvalidClient, InvalidGrant, InvalidScope,
    │   UnauthorizedClient, UnsupportedGrantType
    └── Auth0Error (account.uipath.com)
        ├── LegacyInvalidGrant   403 "Unknown or invalid refresh token." [V Auth0]
        └── LegacyAccessDenied   401 "Unauthorized" [?]
    LoginError
    ├── CloudLoginTrap           400 errorCode 1000 "Invalid credentials, failed to login." [V]
    └── OnPremBadCredentials     400 errorCode 1000 "Invalid username/email address or ..." [V]
    AbpError
    ├── MalformedLogin           400 "Your request is not valid!" (a body that is not JSON) [I]
    ├── Unauthenticated          401 "You are not authenticated!" + WWW-Authenticate [V body]
    └── Unauthorized             403 "You are not authorized!" [V]
"""

from __future__ import annotations

from mock_orchestrator.core.errors import (
    AbpError,
    Auth0Error,
    LoginError,
    MethodNotAllowed,
    OAuthError,
    PlainError,
)

__all__ = [
    "CloudLoginTrap",
    "IdTokenRequired",
    "InvalidClient",
    "InvalidGrant",
    "InvalidRequest",
    "InvalidScope",
    "LegacyAccessDenied",
    "LegacyInvalidGrant",
    "LegacyInvalidRequest",
    "MalformedLogin",
    "OnPremBadCredentials",
    "Unauthenticated",
    "Unauthorized",
    "UnauthorizedClient",
    "UnsupportedApiVersion",
    "UnsupportedGrantType",
]

# The message catalogue: every text the identity side puts on the wire.
MSG_CLOUD_LOGIN = "Invalid credentials, failed to login."
MSG_ONPREM_LOGIN = "Invalid username/email address or password."
MSG_NOT_AUTHENTICATED = "You are not authenticated!"
MSG_NOT_AUTHENTICATED_DETAILS = (
    "You should be authenticated (sign in) in order to perform this operation."
)
MSG_NOT_AUTHORIZED = "You are not authorized!"
MSG_INVALID_LOGIN_REQUEST = "Your request is not valid!"
MSG_INVALID_LOGIN_DETAILS = (
    "The following errors were detected during validation.\r\n"
    " - The request body is not valid JSON.\r\n"
)
MSG_NOT_AUTHORIZED_DETAILS = "You are not allowed to perform this operation."
MSG_LEGACY_BAD_REFRESH = "Unknown or invalid refresh token."
MSG_LEGACY_BAD_CODE = "Invalid authorization code"
MSG_LEGACY_BAD_VERIFIER = "Failed to verify code verifier"


class InvalidRequest(OAuthError):
    def __init__(self, description: str | None = None, status_code: int = 400) -> None:
        super().__init__("invalid_request", description, status_code=status_code)


class InvalidClient(OAuthError):
    """[I] IdentityServer4 answers 400 (not 401) for a bad client (docs/wire.md §4.5)."""

    def __init__(self) -> None:
        super().__init__("invalid_client")


class InvalidGrant(OAuthError):
    def __init__(self, description: str | None = None) -> None:
        super().__init__("invalid_grant", description)


class InvalidScope(OAuthError):
    def __init__(self) -> None:
        super().__init__("invalid_scope")


class UnauthorizedClient(OAuthError):
    def __init__(self) -> None:
        super().__init__("unauthorized_client")


class UnsupportedGrantType(OAuthError):
    def __init__(self) -> None:
        super().__init__("unsupported_grant_type")


class LegacyInvalidGrant(Auth0Error):
    def __init__(self, description: str = MSG_LEGACY_BAD_REFRESH, status_code: int = 403) -> None:
        super().__init__("invalid_grant", description, status_code=status_code)


class LegacyInvalidRequest(Auth0Error):
    """[I] Auth0 answers 400 invalid_request when a parameter is missing."""

    def __init__(self, description: str) -> None:
        super().__init__("invalid_request", description, status_code=400)


class LegacyAccessDenied(Auth0Error):
    """[?] Auth0's common answer to an unknown client_id."""

    def __init__(self) -> None:
        super().__init__("access_denied", "Unauthorized", status_code=401)


class CloudLoginTrap(LoginError):
    """``/api/Account/Authenticate`` on a cloud host: refused even for correct credentials."""

    def __init__(self) -> None:
        super().__init__(MSG_CLOUD_LOGIN, 1000, 400)


class OnPremBadCredentials(LoginError):
    def __init__(self) -> None:
        super().__init__(MSG_ONPREM_LOGIN, 1000, 400)


class MalformedLogin(AbpError):
    """``/api/Account/Authenticate`` with a body that cannot be read: ABP's model-validation
    answer (its standard "Your request is not valid!" envelope) [I], not the wrong-password
    errorCode 1000, which would send the user hunting for a password that was never read."""

    def __init__(self) -> None:
        super().__init__(
            400, MSG_INVALID_LOGIN_REQUEST, MSG_INVALID_LOGIN_DETAILS, unauthorized_request=False
        )


class Unauthenticated(AbpError):
    """401 from Orchestrator. ``reason`` goes to the journal, never to the wire body."""

    def __init__(self, reason: str, *, token_sent: bool, description: str | None = None) -> None:
        self.auth_reason = reason
        challenge = "Bearer"
        if token_sent:
            challenge = 'Bearer error="invalid_token"'
            if description:
                challenge += f', error_description="{description}"'
        super().__init__(
            401,
            MSG_NOT_AUTHENTICATED,
            MSG_NOT_AUTHENTICATED_DETAILS,
            unauthorized_request=False,  # [V] false on the recorded 401 (docs/wire.md §8.1)
            headers={"www-authenticate": challenge},
        )


class Unauthorized(AbpError):
    def __init__(self, reason: str = "scope") -> None:
        self.auth_reason = reason
        super().__init__(
            403, MSG_NOT_AUTHORIZED, MSG_NOT_AUTHORIZED_DETAILS, unauthorized_request=True
        )


class IdTokenRequired(PlainError):
    """cloudrpa account lookups without a valid id_token. [?] body: not recorded."""

    def __init__(self, reason: str) -> None:
        self.auth_reason = reason
        super().__init__(401, {"message": "Unauthorized"}, {"www-authenticate": "Bearer"})


class UnsupportedApiVersion(MethodNotAllowed):
    """[V] uipathcli#136: POST /identity_/connect/token on an on-prem host, which serves no
    ``/identity_`` at all (hence no ``Allow``)."""

    def __init__(self, url: str) -> None:
        super().__init__("POST", url)

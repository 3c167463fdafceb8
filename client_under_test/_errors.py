"""Errors of the reference client. Every message says what happened and what to do next.

Hierarchy::

    UiPathClientError
    ├── ConfigurationError        the client is set up wrong; fix the configuration, no retry
    │   └── CredentialsRefused    the identity server refused the client (invalid_client ...)
    ├── ReauthenticationRequired  the credential is dead (invalid_grant): a human must act once
    ├── TokenRequestError         the token endpoint failed or answered something that is no token
    ├── AuthenticationError       Orchestrator refused a fresh token (a second 401)
    ├── UnexpectedResponse        a 3xx, HTML or unparsable answer where JSON was expected
    ├── OrchestratorAPIError      Orchestrator's own error envelope {message, errorCode, traceId}
    └── JobWaitTimeout            wait_for_job gave up before the job finished

No message ever contains a secret: not the client secret, not a token, not a password.
"""

from __future__ import annotations

__all__ = [
    "CLOUD_LOGIN_REFUSED",
    "ONPREM_WRONG_PASSWORD",
    "AuthenticationError",
    "ConfigurationError",
    "CredentialsRefused",
    "JobWaitTimeout",
    "OrchestratorAPIError",
    "ReauthenticationRequired",
    "TokenRequestError",
    "UiPathClientError",
    "UnexpectedResponse",
    "logged_out",
]


#: Automation Cloud's answer to every username/password login, correct or not: HTTP 400,
#: errorCode 1000 [V] docs/wire.md §3 (forum threads 149111 and 166216).
CLOUD_LOGIN_REFUSED = "Invalid credentials, failed to login."
#: On-prem Orchestrator's answer to a wrong username or password: HTTP 400, errorCode 1000 [V] §3
#: (forum thread 24921). Same code, other words: the wording is what tells the two apart.
ONPREM_WRONG_PASSWORD = "Invalid username/email address or password."
#: What works on Automation Cloud instead of a password.
CLOUD_LOGIN_ADVICE = (
    "Use an external application (UIPATH_CLIENT_ID and UIPATH_CLIENT_SECRET) or a refresh token "
    "(UIPATH_REFRESH_TOKEN) instead."
)
#: Where users met the trap and UiPath staff said the endpoint is no longer viable on the cloud.
CLOUD_LOGIN_THREAD = (
    "https://forum.uipath.com/t/400-details-message-invalid-credentials-failed-to-login-"
    "errorcode-1000-resourceids-null/166216"
)


def login_refused(url: str, message: object) -> str:
    """The sentence for a 400 errorCode 1000 answered to a password login at ``url``.

    The cloud's wording means the cloud refuses password logins altogether, whatever host the
    request went through (a proxy, a tunnel, a mock on loopback): checking the password, the
    advice that costs users a day, cannot help. On-prem's wording is a real wrong password.
    """
    if message == CLOUD_LOGIN_REFUSED:
        return (
            f"{url} answered errorCode 1000 {message!r}: that is Automation Cloud refusing "
            "username/password logins (the errorCode 1000 trap), not a wrong password; it "
            f"answers so even to correct credentials. {CLOUD_LOGIN_ADVICE} "
            f"(see {CLOUD_LOGIN_THREAD})"
        )
    if message == ONPREM_WRONG_PASSWORD:
        return (
            f"{url} refused the username or password (errorCode 1000: {message}): the password "
            "is wrong, or the user does not exist in this tenant. Check UIPATH_USERNAME, "
            "UIPATH_PASSWORD and the tenant in UIPATH_URL."
        )
    return (
        f"{url} refused the login (errorCode 1000: {message or 'no message'}). Check "
        "UIPATH_USERNAME, UIPATH_PASSWORD and the tenant in UIPATH_URL."
    )


class UiPathClientError(Exception):
    """Base of every error the reference client raises."""


class ConfigurationError(UiPathClientError):
    """The client's configuration cannot work (missing URL, wrong credential for the host ...)."""


class CredentialsRefused(ConfigurationError):
    """The identity server refused the configured client (``invalid_client``,
    ``unauthorized_client``, ``invalid_scope``): a wrong id, secret or scope, no retry."""


class ReauthenticationRequired(UiPathClientError):
    """The refresh token or User Key was refused (``invalid_grant``): no retry can fix it.

    A rotated refresh token that was used twice, revoked, expired (60 days for identity_) or
    issued to another client ends here. The message says how to get a new one.
    """

    def __init__(self, credential: str, error: str, description: str | None = None) -> None:
        self.credential = credential
        self.error = error
        self.description = description
        detail = f" ({description})" if description else ""
        hint = _REAUTH_HINTS.get(credential, "")
        super().__init__(
            f"The {credential} was refused by the token endpoint: {error}{detail}. "
            f"It is revoked, expired or was already used. {hint}".rstrip()
        )


_REAUTH_HINTS = {
    "refresh token": (
        "Sign in once more (for example `uipath auth`, or your app's authorization-code login "
        "with offline_access), put the new refresh token in UIPATH_REFRESH_TOKEN, and start the "
        "client again; the token store then keeps it rotating without a human."
    ),
    "User Key": (
        "Generate a new User Key (Automation Cloud > Admin > Tenants > API Access), put it in "
        "UIPATH_USER_KEY and start the client again."
    ),
}


class TokenRequestError(UiPathClientError):
    """The token endpoint failed, or answered with something that is not a token."""

    def __init__(self, message: str, *, status_code: int | None = None, error: str | None = None):
        self.status_code = status_code
        self.error = error
        super().__init__(message)


class AuthenticationError(UiPathClientError):
    """Orchestrator answered 401 to a token the client had just refreshed."""

    def __init__(self, message: str, *, status_code: int = 401) -> None:
        self.status_code = status_code
        super().__init__(message)


class UnexpectedResponse(UiPathClientError):
    """A redirect, an HTML page or a body that is not JSON: the login-page trap, or a proxy."""

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        self.status_code = status_code
        super().__init__(message)


class OrchestratorAPIError(UiPathClientError):
    """Orchestrator's error envelope: HTTP status, ``errorCode`` and ``message``."""

    def __init__(
        self,
        status_code: int,
        message: str,
        *,
        error_code: int | None = None,
        trace_id: str | None = None,
        method: str = "",
        path: str = "",
    ) -> None:
        self.status_code = status_code
        self.error_code = error_code
        self.message = message
        self.trace_id = trace_id
        where = f"{method} {path}: ".lstrip() if method else ""
        code = f" errorCode {error_code}" if error_code is not None else ""
        hint = _ERROR_HINTS.get(error_code or -1, "")
        if error_code == 1000 and message == CLOUD_LOGIN_REFUSED:
            hint = f" (the errorCode 1000 trap: {login_refused(path or 'the server', message)})"
        super().__init__(f"{where}HTTP {status_code}{code}: {message}{hint}")


_ERROR_HINTS = {
    1101: " (send a folder: UIPATH_FOLDER_PATH or the folder argument)",
    1100: " (check the folder path, id or key, and that the credential may see that folder)",
}


class JobWaitTimeout(UiPathClientError):
    """``wait_for_job`` waited its ``timeout`` and the job is still not finished."""

    def __init__(self, job_id: int, state: str, waited: float) -> None:
        self.job_id = job_id
        self.state = state
        super().__init__(f"job {job_id} is still {state} after {waited:.0f} s")


def logged_out(credential: str) -> ReauthenticationRequired:
    """The error a credential raises after it logged out (it will not send a dead token)."""
    exc = ReauthenticationRequired(credential, "revoked", "this client logged out")
    hint = _REAUTH_HINTS.get(credential, "")
    exc.args = (
        f"The {credential} was revoked when this client logged out, so it was not sent. "
        f"{hint}".rstrip(),
    )
    return exc

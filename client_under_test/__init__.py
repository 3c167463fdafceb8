"""The reference UiPath client: gets every auth detail right, so nobody re-logs in by hand.

It is what the conformance suite holds up as the model, and a team can use it as it is to start
jobs from a standalone system::

    from client_under_test import OrchestratorClient

    with OrchestratorClient.from_env() as client:   # UIPATH_URL, UIPATH_CLIENT_ID, ...
        job = client.wait_for_job(client.start_job("InvoiceProcessing", "Shared"))

Auth flows are ``httpx.Auth`` classes (``client_under_test.auth``), token stores live in
``client_under_test.stores``; ``python -m client_under_test start-job ...`` is the command line.
"""

from ._api import TERMINAL_STATES, Folder, Job, Process, folder_headers
from ._client import AsyncOrchestratorClient, OrchestratorClient, build_auth
from ._config import Config, identity_token_url, legacy_token_url, orchestrator_base
from ._errors import (
    AuthenticationError,
    ConfigurationError,
    CredentialsRefused,
    JobWaitTimeout,
    OrchestratorAPIError,
    ReauthenticationRequired,
    TokenRequestError,
    UiPathClientError,
    UnexpectedResponse,
)
from ._sansio import RetryPolicy
from .auth import (
    ClientCredentialsAuth,
    IdTokenAuth,
    PasswordAuth,
    RefreshTokenAuth,
    StaticTokenAuth,
    TokenAuth,
    UserKeyAuth,
)
from .stores import FileTokenStore, MemoryTokenStore, TokenSet, TokenStore

__all__ = [
    "TERMINAL_STATES",
    "AsyncOrchestratorClient",
    "AuthenticationError",
    "ClientCredentialsAuth",
    "Config",
    "ConfigurationError",
    "CredentialsRefused",
    "FileTokenStore",
    "Folder",
    "IdTokenAuth",
    "Job",
    "JobWaitTimeout",
    "MemoryTokenStore",
    "OrchestratorAPIError",
    "OrchestratorClient",
    "PasswordAuth",
    "Process",
    "ReauthenticationRequired",
    "RefreshTokenAuth",
    "RetryPolicy",
    "StaticTokenAuth",
    "TokenAuth",
    "TokenRequestError",
    "TokenSet",
    "TokenStore",
    "UiPathClientError",
    "UnexpectedResponse",
    "UserKeyAuth",
    "build_auth",
    "folder_headers",
    "identity_token_url",
    "legacy_token_url",
    "orchestrator_base",
]

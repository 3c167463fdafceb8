"""An in-process mock of UiPath's cloud identity and Orchestrator APIs.

Example::

    from mock_orchestrator import MockCloud

    cloud = MockCloud(profile="identity", seed=0)
    client = httpx.Client(transport=cloud.transport())
    cloud.clock.advance(hours=24)
"""

from ._cloud import MockCloud
from ._defaults import Defaults
from ._routes import FOLDER_ROUTES, HUMAN_ROUTES, PASSWORD_ROUTES, TOKEN_ROUTES, route_labels
from .core.clock import FakeClock, SystemClock
from .core.errors import (
    AbpError,
    Auth0Error,
    LoginError,
    OAuthError,
    OrchestratorError,
    UnsupportedEndpoint,
    WireError,
)
from .core.faults import Fault
from .core.journal import Exchange, Journal
from .core.redact import mask, redact_text
from .core.routing import Route, RouteKind
from .identity.entities import UIPATH_CLI_CLIENT_ID
from .identity.exceptions import Unauthenticated
from .identity.settings import AuthSettings
from .orchestrator.models.folders import FOLDER_HEADERS

__all__ = [
    "FOLDER_HEADERS",
    "FOLDER_ROUTES",
    "HUMAN_ROUTES",
    "PASSWORD_ROUTES",
    "TOKEN_ROUTES",
    "UIPATH_CLI_CLIENT_ID",
    "AbpError",
    "Auth0Error",
    "AuthSettings",
    "Defaults",
    "Exchange",
    "FakeClock",
    "Fault",
    "Journal",
    "LoginError",
    "MockCloud",
    "OAuthError",
    "OrchestratorError",
    "Route",
    "RouteKind",
    "SystemClock",
    "Unauthenticated",
    "UnsupportedEndpoint",
    "WireError",
    "mask",
    "redact_text",
    "route_labels",
]

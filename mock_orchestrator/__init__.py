"""An in-process mock of UiPath's cloud identity and Orchestrator APIs.

Example::

    from mock_orchestrator import MockCloud

    cloud = MockCloud(profile="identity", seed=0)
    client = httpx.Client(transport=cloud.transport())
    cloud.clock.advance(hours=24)
"""

from ._cloud import MockCloud
from ._defaults import Defaults
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
from .identity.settings import AuthSettings

__all__ = [
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
    "SystemClock",
    "UnsupportedEndpoint",
    "WireError",
]

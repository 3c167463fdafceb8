"""What the fronts and world documents may use of a world: :class:`WorldSurface`.

``MockCloud`` builds its fronts (``serve()``) and applies world documents (``from_world()``),
so the served app, the control plane and :mod:`mock_orchestrator.world` cannot import
``MockCloud`` back without an import cycle. They are written against this protocol instead;
``MockCloud`` satisfies it (mypy checks that wherever one is passed as the other).
"""

from __future__ import annotations

import threading
from typing import Any, Protocol

import httpx

from ._defaults import Defaults
from .core.clock import FakeClock
from .core.faults import Faults
from .core.journal import Journal
from .identity.models import IdentityBackend, Tenant
from .identity.settings import AuthSettings, Profile
from .orchestrator.backend import OrchestratorRegistry

__all__ = ["WorldSurface"]


class WorldSurface(Protocol):
    """One world, as its fronts and world documents see it."""

    profile: Profile
    seed: int
    #: Bytes of a request body any route takes.
    max_body: int
    clock: FakeClock
    journal: Journal
    faults: Faults
    identity: IdentityBackend
    orchestrator: OrchestratorRegistry
    defaults: Defaults
    #: Tracebacks of the mock's own 500s, for the tests' teardown check.
    internal_errors: list[str]
    #: The document the world was built from, re-applied by ``reset()``.
    world_document: dict[str, Any] | None

    @property
    def lock(self) -> threading.RLock:
        """Held while the world's state changes (a request, a reset, a world document)."""

    @property
    def settings(self) -> AuthSettings: ...

    @settings.setter
    def settings(self, value: AuthSettings) -> None: ...

    @property
    def rate_limit_per_minute(self) -> int | None: ...

    @rate_limit_per_minute.setter
    def rate_limit_per_minute(self, value: int | None) -> None: ...

    @property
    def default_tenant(self) -> Tenant: ...

    def handle(self, request: httpx.Request) -> httpx.Response: ...

    def reset(self) -> None: ...

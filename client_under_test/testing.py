"""The reference client wired to a mock world (``mock_orchestrator.MockCloud``), for tests.

``client_for(cloud)`` builds an :class:`OrchestratorClient` on the world's default credential
(or the one named), URL, folder, clock, sleep and in-process transport, with a seeded retry
jitter so that runs repeat exactly. The world is typed by what this function reads of it
(:class:`World`), so the client package imports nothing of the mock.
"""

from __future__ import annotations

import random
from typing import Any, Protocol

import httpx

from ._client import OrchestratorClient
from ._clock import TimeSource
from ._sansio import RetryPolicy

__all__ = ["DEFAULT_CREDENTIAL", "World", "client_for"]


class World(Protocol):
    """What :func:`client_for` reads of a mock world (``MockCloud`` is one)."""

    @property
    def profile(self) -> str: ...

    @property
    def defaults(self) -> Any: ...

    @property
    def clock(self) -> TimeSource: ...

    def transport(self) -> httpx.BaseTransport: ...


#: The credential each profile's default world offers.
DEFAULT_CREDENTIAL = {"identity": "refresh_token", "legacy": "user_key", "onprem": "password"}


def client_for(cloud: World, credential: str | None = None, **options: Any) -> OrchestratorClient:
    """An OrchestratorClient on the world's defaults; ``options`` override any seam."""
    d = cloud.defaults
    credential = credential or DEFAULT_CREDENTIAL[cloud.profile]
    settings: dict[str, Any] = {"folder": d.folder, "credential": credential}
    if credential == "refresh_token":
        settings.update(client_id=d.public_client_id, refresh_token=d.refresh_token)
    elif credential == "client_credentials":
        settings.update(client_id=d.client_id, client_secret=d.client_secret)
    elif credential == "user_key":
        settings.update(user_key=d.user_key)
    else:
        settings.update(username=d.username, password=d.password, tenant=d.tenant)
    if d.identity_url:
        settings["identity_url"] = d.identity_url
    options.setdefault("clock", cloud.clock)
    options.setdefault("sleep", cloud.clock.sleep)
    options.setdefault("transport", cloud.transport())
    options.setdefault("retry", RetryPolicy(rng=random.Random(0)))
    return OrchestratorClient(d.url, **settings, **options)

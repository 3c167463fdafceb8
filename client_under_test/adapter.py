"""The reference client plugged into the conformance suite: ``make_client(env)``.

``env.credential`` picks the flow; ``env.transport``, ``env.clock`` and ``env.sleep`` are the
seams; ``env.token_store`` (a path) selects the file store.
"""

from __future__ import annotations

import random
from typing import Any

from conformance import ClientAdapter, ClientEnv, NotSupported

from ._client import OrchestratorClient
from ._config import Config
from ._errors import ConfigurationError

__all__ = ["ReferenceAdapter", "make_client"]

_CREDENTIALS = ("client_credentials", "refresh_token", "user_key", "password")


class ReferenceAdapter:
    """``start_job`` / ``get_job_state`` / ``close`` over an :class:`OrchestratorClient`."""

    def __init__(self, client: OrchestratorClient) -> None:
        self.client = client
        self._ids: dict[str, int] = {}

    def start_job(
        self, process: str, folder: str, input_arguments: dict[str, Any] | None = None
    ) -> str:
        job = self.client.start_job(process, folder, input_arguments)
        self._ids[job.key] = job.id
        return job.key

    def get_job_state(self, job_key: str, folder: str) -> str:
        job_id = self._ids.get(job_key)
        # Poll by id (a single entity, not a rate-limited list); by key for a stranger's job.
        if job_id is not None:
            return self.client.get_job(job_id, folder).state
        return self.client.get_job_by_key(job_key, folder).state

    def close(self) -> None:
        self.client.close()

    def __repr__(self) -> str:
        return f"ReferenceAdapter({self.client!r})"


def make_client(env: ClientEnv) -> ClientAdapter:
    """Build the reference client from a :class:`conformance.ClientEnv`."""
    if env.credential not in _CREDENTIALS:
        raise NotSupported(f"unknown credential {env.credential!r}")
    if env.credential == "password" and env.profile != "onprem":
        # The client refuses a password for a cloud *host*; served on loopback the cloud has no
        # cloud host name, so the deployment's profile says it instead (before any request).
        raise ConfigurationError(
            "username/password login does not work on Automation Cloud (the errorCode 1000 "
            "trap); use an external application or a refresh token"
        )
    config = Config(
        url=env.url,
        client_id=env.client_id,
        client_secret=env.client_secret,
        scope=env.scopes,
        refresh_token=env.refresh_token,
        user_key=env.user_key,
        username=env.username,
        password=env.password,
        folder=env.folder,
        token_store=env.token_store,
        tenant=env.tenant if env.credential == "password" else None,
        identity_url=env.identity_url,
        legacy_token_url=env.legacy_token_url,
        credential=env.credential,
    )
    timeout = float(env.extra.get("timeout", 30.0))
    client = OrchestratorClient(
        config=config,
        clock=env.clock,
        sleep=env.sleep,
        transport=env.transport,
        timeout=timeout,
        rng=random.Random(int(env.extra.get("seed", 0))),
    )
    return ReferenceAdapter(client)

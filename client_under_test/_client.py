"""``OrchestratorClient`` and ``AsyncOrchestratorClient``: the same operations (``_api``), run
by a blocking or an async httpx client.

Example::

    from client_under_test import OrchestratorClient

    with OrchestratorClient.from_env() as client:        # UIPATH_URL, UIPATH_CLIENT_ID, ...
        job = client.start_job("InvoiceProcessing", "Shared", {"batch": 7})
        job = client.wait_for_job(job)
        print(job.key, job.state)
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlsplit

import anyio
import httpx

from ._api import Api, Folder, FolderRef, Job, Process
from ._clock import WallClock, as_clock
from ._config import Config, identity_token_url, legacy_token_url, orchestrator_base
from ._discovery import Discovery
from ._errors import ConfigurationError
from ._http import CookielessAsyncClient, CookielessClient
from ._revoke import Revocable
from ._sansio import RetryPolicy, Send, Steps, run_async, run_sync
from ._tokenauth import TokenAuth
from .auth import (
    UIPATH_CLI_CLIENT_ID,
    ClientCredentialsAuth,
    IdTokenAuth,
    PasswordAuth,
    RefreshTokenAuth,
    StaticTokenAuth,
    UserKeyAuth,
    organization_id,
)
from .stores import FileTokenStore, MemoryTokenStore, TokenStore

__all__ = ["AsyncOrchestratorClient", "OrchestratorClient", "build_auth"]

log = logging.getLogger("client_under_test")
T = TypeVar("T")


def build_auth(
    config: Config,
    *,
    store: TokenStore | None = None,
    clock: Any = None,
    sleep: Callable[[float], Any] | None = None,
    transport: Any = None,
    timeout: httpx.Timeout,
    retry: RetryPolicy | None = None,
) -> TokenAuth:
    """The ``httpx.Auth`` flow for the credential ``config`` names (see ``Config``)."""
    url = config.require_url()
    if store is None:
        store = FileTokenStore(config.token_store) if config.token_store else MemoryTokenStore()
    options: dict[str, Any] = {
        "store": store,
        "clock": clock,
        "sleep": sleep,
        "transport": transport,
        "timeout": timeout,
        "retry": retry,
    }
    kind = config.credential_kind()
    if kind == "password":
        # Checked first and before any request: on a cloud host this is the errorCode 1000 trap.
        return PasswordAuth(
            url, config.username or "", config.password or "", config.tenant, **options
        )
    if kind == "client_credentials":
        return ClientCredentialsAuth(
            identity_token_url(url, config.identity_url),
            config.client_id or "",
            config.client_secret or "",
            config.scope,
            **options,
        )
    if kind == "refresh_token":
        return RefreshTokenAuth(
            identity_token_url(url, config.identity_url),
            config.client_id or UIPATH_CLI_CLIENT_ID,
            config.refresh_token or "",
            client_secret=config.client_secret,
            scope=config.scope,
            **options,
        )
    if kind == "user_key":
        return UserKeyAuth(
            legacy_token_url(url, config.legacy_token_url),
            config.user_key or "",
            tenant=_tenant(url),
            **options,
        )
    return StaticTokenAuth(config.access_token or "", **options)


def _tenant(url: str) -> str | None:
    segments = [s for s in urlsplit(url).path.split("/") if s]
    return segments[1] if len(segments) >= 2 else None


class _Base:
    def __init__(
        self,
        url: str | None = None,
        *,
        config: Config | None = None,
        auth: TokenAuth | None = None,
        token_store: TokenStore | str | None = None,
        clock: Any = None,
        sleep: Callable[[float], Any] | None = None,
        transport: Any = None,
        timeout: float | httpx.Timeout = 30.0,
        retry: RetryPolicy | None = None,
        rng: random.Random | None = None,
        **settings: Any,
    ) -> None:
        if config is None:
            config = Config(url=url, **settings)
        elif url is not None or settings:
            raise ConfigurationError("pass either config= or the settings, not both")
        if isinstance(token_store, str):
            config.token_store, token_store = token_store, None
        self.config = config
        self.clock = as_clock(clock)
        self._sleep = sleep
        self.timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self.retry = retry or RetryPolicy(rng=rng or random.Random())
        self._transport = transport
        self.auth = auth or build_auth(
            config,
            store=token_store,
            clock=self.clock,
            sleep=sleep,
            transport=transport,
            timeout=self.timeout,
            retry=RetryPolicy(max_attempts=3, rng=self.retry.rng),
        )
        base = config.require_url()
        self.api = Api(
            orchestrator_base(base, config.orchestrator_url),
            self.auth,
            clock=self.clock,
            retry=self.retry,
            timeout=self.timeout,
            folder=config.folder,
            url=base,
        )
        token_url = identity_token_url(base, config.identity_url)
        parts = urlsplit(token_url)
        self.discovery = Discovery(self.api, f"{parts.scheme}://{parts.netloc}")

    @classmethod
    def from_env(cls: type[T], environ: Mapping[str, str] | None = None, **options: Any) -> T:
        """Configured from ``UIPATH_*`` variables (see ``Config``); ``options`` are the seams
        (``clock``, ``sleep``, ``transport``, ``timeout``, ``retry``) or setting overrides."""
        seams = {k: options.pop(k) for k in _SEAMS if k in options}
        return cls(config=Config.from_env(environ, **options), **seams)  # type: ignore[call-arg]

    def _revocable(self) -> Revocable:
        if not isinstance(self.auth, Revocable):
            raise ConfigurationError(
                f"logout needs a credential of the identity server (a refresh token or client "
                f"credentials); a {self.auth.credential_name} cannot be revoked by this client"
            )
        return self.auth

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.api.base_url!r}, auth={self.auth!r})"


_SEAMS = ("auth", "token_store", "clock", "sleep", "transport", "timeout", "retry", "rng")


class OrchestratorClient(_Base):
    """A blocking client of one Orchestrator tenant. Thread-safe; share one per credential."""

    def __init__(self, url: str | None = None, **options: Any) -> None:
        super().__init__(url, **options)
        self.http = CookielessClient(
            auth=self.auth,
            transport=self._transport,
            timeout=self.timeout,
            headers={"Accept": "application/json"},
        )

    def _send(self, effect: Send) -> httpx.Response:
        if effect.auth is not None:
            return self.http.send(effect.request, auth=effect.auth)
        return self.http.send(effect.request)

    def _run(self, steps: Steps[T]) -> T:
        return run_sync(steps, self._send, self._sleep or WallClock().sleep)

    def get_folder(self, folder: FolderRef = None) -> Folder:
        return self._run(self.api.get_folder(folder))

    def list_processes(self, folder: FolderRef = None, name: str | None = None) -> list[Process]:
        return self._run(self.api.list_processes(folder, name))

    def start_job(
        self,
        process: str,
        folder: FolderRef = None,
        input_arguments: dict[str, Any] | None = None,
        *,
        reference: str | None = None,
    ) -> Job:
        return self._run(self.api.start_job(process, folder, input_arguments, reference=reference))

    def get_job(self, job_id: int, folder: FolderRef = None) -> Job:
        return self._run(self.api.get_job(job_id, folder))

    def get_job_by_key(self, key: str, folder: FolderRef = None) -> Job:
        return self._run(self.api.get_job_by_key(key, folder))

    def wait_for_job(
        self, job: Job | int, folder: FolderRef = None, timeout: float | None = None
    ) -> Job:
        return self._run(self.api.wait_for_job(job, folder, timeout))

    def stop_job(self, job_id: int, folder: FolderRef = None, strategy: str = "SoftStop") -> None:
        self._run(self.api.stop_job(job_id, folder, strategy))

    def add_queue_item(
        self, queue: str, specific_content: dict[str, Any], folder: FolderRef = None, **kw: Any
    ) -> dict[str, Any]:
        return self._run(self.api.add_queue_item(queue, specific_content, folder, **kw))

    def accounts_for_user(self) -> dict[str, Any]:
        return self._run(self.discovery.accounts_for_user(IdTokenAuth(self.auth)))

    def service_instances(self, account: str) -> list[dict[str, Any]]:
        return self._run(self.discovery.service_instances(account, IdTokenAuth(self.auth)))

    def tenants(self) -> dict[str, Any]:
        """identity_: the organization and its tenants' logical names (the portal lookup)."""
        org = organization_id(self.auth.tokens_sync())
        if org is None:
            raise ConfigurationError("the access token carries no organization id (prt_id)")
        return self._run(self.discovery.portal_tenants(org))

    def logout(self) -> bool:
        """Revoke the credential at the identity server, then forget its stored tokens.

        A refresh token's family is revoked and its store entry becomes a tombstone (a later
        run with the same day-one token stops before sending it); client credentials forget
        their access token. Returns whether a token was revoked (False: none was held). See
        ``client_under_test/_revoke.py``.
        """
        return self._revocable().revoke()

    def close(self) -> None:
        self.http.close()
        self.auth.close()

    def __enter__(self) -> OrchestratorClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncOrchestratorClient(_Base):
    """The asyncio/trio twin of :class:`OrchestratorClient` (same operations, awaited)."""

    def __init__(self, url: str | None = None, **options: Any) -> None:
        super().__init__(url, **options)
        self.http = CookielessAsyncClient(
            auth=self.auth,
            transport=self._transport,
            timeout=self.timeout,
            headers={"Accept": "application/json"},
        )

    async def _send(self, effect: Send) -> httpx.Response:
        if effect.auth is not None:
            return await self.http.send(effect.request, auth=effect.auth)
        return await self.http.send(effect.request)

    async def _run(self, steps: Steps[T]) -> T:
        return await run_async(steps, self._send, self._sleep or anyio.sleep)

    async def get_folder(self, folder: FolderRef = None) -> Folder:
        return await self._run(self.api.get_folder(folder))

    async def list_processes(
        self, folder: FolderRef = None, name: str | None = None
    ) -> list[Process]:
        return await self._run(self.api.list_processes(folder, name))

    async def start_job(
        self,
        process: str,
        folder: FolderRef = None,
        input_arguments: dict[str, Any] | None = None,
        *,
        reference: str | None = None,
    ) -> Job:
        return await self._run(
            self.api.start_job(process, folder, input_arguments, reference=reference)
        )

    async def get_job(self, job_id: int, folder: FolderRef = None) -> Job:
        return await self._run(self.api.get_job(job_id, folder))

    async def get_job_by_key(self, key: str, folder: FolderRef = None) -> Job:
        return await self._run(self.api.get_job_by_key(key, folder))

    async def wait_for_job(
        self, job: Job | int, folder: FolderRef = None, timeout: float | None = None
    ) -> Job:
        return await self._run(self.api.wait_for_job(job, folder, timeout))

    async def stop_job(
        self, job_id: int, folder: FolderRef = None, strategy: str = "SoftStop"
    ) -> None:
        await self._run(self.api.stop_job(job_id, folder, strategy))

    async def add_queue_item(
        self, queue: str, specific_content: dict[str, Any], folder: FolderRef = None, **kw: Any
    ) -> dict[str, Any]:
        return await self._run(self.api.add_queue_item(queue, specific_content, folder, **kw))

    async def accounts_for_user(self) -> dict[str, Any]:
        return await self._run(self.discovery.accounts_for_user(IdTokenAuth(self.auth)))

    async def service_instances(self, account: str) -> list[dict[str, Any]]:
        return await self._run(self.discovery.service_instances(account, IdTokenAuth(self.auth)))

    async def tenants(self) -> dict[str, Any]:
        org = organization_id(await self.auth.tokens_async())
        if org is None:
            raise ConfigurationError("the access token carries no organization id (prt_id)")
        return await self._run(self.discovery.portal_tenants(org))

    async def logout(self) -> bool:
        """The async twin of :meth:`OrchestratorClient.logout`."""
        return await self._revocable().arevoke()

    async def aclose(self) -> None:
        await self.http.aclose()
        await self.auth.aclose()

    async def __aenter__(self) -> AsyncOrchestratorClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

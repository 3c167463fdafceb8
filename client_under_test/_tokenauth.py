"""``TokenAuth``: the machinery every credential's ``httpx.Auth`` flow shares.

What it guarantees (docs/anchors.md §e, the conformance rules of issue 5):

* proactive refresh ``max(60 s, lifetime / 10)`` before expiry, timed from receipt on the
  injected clock, so Orchestrator never sees an expired token;
* on a 401 from Orchestrator: one refresh, one replay; a second 401 goes back to the caller;
* single flight: concurrent threads and tasks share one refresh. The double check runs under
  the token store's lock (which for a file store is also a cross-process ``flock``), so the
  check sees what other threads *and processes* stored. The token request is sent from inside
  ``sync_auth_flow``/``async_auth_flow`` by a dedicated token client, never by ``yield``: no
  lock is ever held across a ``yield`` (MCP python-sdk #2026 is what happens otherwise);
* rotation: the new token set is saved to the store before the new access token is used; a
  response without ``refresh_token`` keeps the old one (RFC 6749 §6);
* ``invalid_grant`` is terminal: :class:`ReauthenticationRequired`, remembered, never retried;
* redirects off and ``Accept: application/json``: a 3xx, HTML or non-JSON answer from the
  token endpoint is an error, never a token (the login-page trap).
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import AsyncGenerator, Callable, Generator
from typing import Any

import anyio
import anyio.to_thread
import httpx

from ._clock import Clock, WallClock, as_clock
from ._errors import (
    CredentialsRefused,
    ReauthenticationRequired,
    TokenRequestError,
    logged_out,
)
from ._http import CookielessAsyncClient, CookielessClient, parsed_url
from ._redact import fingerprint
from ._sansio import RetryPolicy, Send, Steps, run_async, run_sync, send_with_retry
from .stores import MemoryTokenStore, TokenSet, TokenStore

__all__ = ["Clock", "TokenAuth", "as_clock", "jwt_claims"]

log = logging.getLogger("client_under_test")


#: Errors of the token endpoint that mean "this client is configured wrong" (RFC 6749 §5.2).
_CONFIG_ERRORS = frozenset(
    {
        "invalid_client",
        "unauthorized_client",
        "invalid_scope",
        "access_denied",
        "unsupported_grant_type",
    }
)


def jwt_claims(token: str | None) -> dict[str, Any]:
    """The unverified payload of a JWT (to read ``prt_id``, ``exp``), or {} if it is none."""
    if not token or token.count(".") != 2:
        return {}
    segment = token.split(".")[1]
    try:
        data = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


class TokenAuth(httpx.Auth):
    """Base of the credential flows. Subclasses say how to ask for a token and read it.

    One instance per credential: give the same instance (or the same token store) to every
    client that uses that credential, so they share one refresh (authlib#673).
    """

    requires_request_body = True  # the 401 replay re-sends the body
    #: How the credential is called in messages ("refresh token", "User Key" ...).
    credential_name = "credential"
    #: Whether a 401 may be cured by a refresh (a static token cannot).
    refreshable = True
    #: Lifetime assumed when a response carries no ``expires_in`` (and no JWT ``exp``).
    default_lifetime = 3600.0

    def __init__(
        self,
        token_url: str,
        *,
        store: TokenStore | None = None,
        clock: Any = None,
        sleep: Callable[[float], Any] | None = None,
        transport: httpx.BaseTransport | None = None,
        async_transport: httpx.AsyncBaseTransport | None = None,
        timeout: float | httpx.Timeout = 30.0,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.token_url = token_url
        self.store: TokenStore = store if store is not None else MemoryTokenStore()
        self.clock = as_clock(clock)
        self._sleep = sleep
        self._transport = transport
        if async_transport is None and isinstance(transport, httpx.AsyncBaseTransport):
            async_transport = transport  # MockTransport serves both
        self._async_transport = async_transport
        self.timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self.retry = retry or RetryPolicy(max_attempts=3)
        self._tokens: TokenSet | None = None
        self._alock: anyio.Lock | None = None
        self._sync_client: httpx.Client | None = None
        self._async_client: httpx.AsyncClient | None = None
        self._dead: tuple[str | None, ReauthenticationRequired] | None = None
        #: How many token responses this instance received (for tests and logs).
        self.token_requests = 0

    # -- what subclasses provide -----------------------------------------------------------

    @property
    def key(self) -> str:
        """The credential's name in the token store (never a secret)."""
        raise NotImplementedError

    def build_token_request(self, current: TokenSet | None) -> httpx.Request:
        raise NotImplementedError

    def initial_tokens(self) -> TokenSet | None:
        """What the configuration holds before any request (a day-one refresh token)."""
        return None

    def seed(self) -> str | None:
        """Fingerprint of the configured refresh token, if the credential has one."""
        return None

    def parse_token_response(self, response: httpx.Response, current: TokenSet | None) -> TokenSet:
        """The OAuth JSON body (RFC 6749 §5.1) as a :class:`TokenSet`."""
        body = self._json_body(response)
        if response.status_code != 200:
            self._raise_oauth_error(response, body, current)
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise TokenRequestError(
                f"the token endpoint {self.token_url} answered {response.status_code} without "
                "an access_token",
                status_code=response.status_code,
            )
        refresh = body.get("refresh_token")
        id_token = body.get("id_token")
        scope = body.get("scope")
        rotated = isinstance(refresh, str) and bool(refresh)
        log.debug(
            "token endpoint: %s, expires_in %s, refresh token %s",
            response.status_code,
            body.get("expires_in"),
            "rotated" if rotated else "kept (none in the response)",
        )
        return TokenSet(
            access_token=token,
            received_at=self.clock(),
            lifetime=self._lifetime(body.get("expires_in"), token),
            # RFC 6749 §6: no refresh_token in the response means the old one stays valid.
            refresh_token=refresh if rotated else (current.refresh_token if current else None),
            id_token=id_token
            if isinstance(id_token, str)
            else (current.id_token if current else None),
            scope=scope if isinstance(scope, str) else None,
            seed=self.seed(),
        )

    # -- response checks shared by the subclasses ------------------------------------------

    def _json_body(self, response: httpx.Response) -> Any:
        status = response.status_code
        if 300 <= status < 400:
            where = response.headers.get("location", "?")
            raise TokenRequestError(
                f"the token endpoint {self.token_url} redirected ({status}) to {where}: a login "
                "page, not a token. Check the token URL (identity_url / legacy_token_url).",
                status_code=status,
            )
        ctype = response.headers.get("content-type", "")
        try:
            body = response.json()
        except ValueError:
            kind = "an HTML page" if "html" in ctype.lower() else f"a non-JSON body ({ctype!r})"
            raise TokenRequestError(
                f"the token endpoint {self.token_url} answered {status} with {kind}, not a "
                "token. Check the token URL and that the body is form-encoded.",
                status_code=status,
            ) from None
        if "json" not in ctype.lower():
            raise TokenRequestError(
                f"the token endpoint {self.token_url} answered {status} with content type "
                f"{ctype!r}, not JSON: not a token.",
                status_code=status,
            )
        return body

    def _raise_oauth_error(
        self, response: httpx.Response, body: Any, current: TokenSet | None
    ) -> None:
        status = response.status_code
        error = body.get("error") if isinstance(body, dict) else None
        description = body.get("error_description") if isinstance(body, dict) else None
        if error == "invalid_grant":
            exc = ReauthenticationRequired(self.credential_name, error, description)
            self._dead = (current.refresh_token if current else None, exc)
            raise exc
        if error in _CONFIG_ERRORS:
            raise CredentialsRefused(
                f"the token endpoint {self.token_url} refused the client: {error}"
                + (f" ({description})" if description else "")
                + ". Check the client id, secret and scopes (UIPATH_CLIENT_ID, "
                "UIPATH_CLIENT_SECRET, UIPATH_SCOPE)."
            )
        raise TokenRequestError(
            f"the token endpoint {self.token_url} answered {status}"
            + (f" {error}" if error else "")
            + (f": {description}" if description else ""),
            status_code=status,
            error=error if isinstance(error, str) else None,
        )

    def _lifetime(self, expires_in: Any, token: str) -> float:
        try:
            value = float(expires_in)
            if value > 0:
                return value
        except (TypeError, ValueError):
            pass
        claims = jwt_claims(token)
        exp, iat = claims.get("exp"), claims.get("iat")
        if isinstance(exp, (int, float)) and isinstance(iat, (int, float)) and exp > iat:
            return float(exp - iat)
        return self.default_lifetime

    def new_request(self, method: str, url: str, **kwargs: Any) -> httpx.Request:
        """A request with the client's timeout attached (every request has one)."""
        headers = {"Accept": "application/json", **kwargs.pop("headers", {})}
        request = httpx.Request(method, parsed_url(url), headers=headers, **kwargs)
        request.extensions["timeout"] = self.timeout.as_dict()
        return request

    # -- getting a token: single flight ----------------------------------------------------

    def _steps(self, current: TokenSet | None) -> Steps[TokenSet]:
        request = self.build_token_request(current)
        log.debug("token request: %s %s (%s)", request.method, request.url, self.credential_name)
        # Token requests are retried like idempotent calls: when the outcome of a refresh is
        # unknown, one retry with the same token is what grace windows exist for (§e.4).
        response = yield from send_with_retry(request, self.retry, self.clock, idempotent=True)
        return self.parse_token_response(response, current)

    def same_chain(self, stored: TokenSet) -> bool:
        """Whether ``stored`` continues this credential: no day-one token is configured, or
        the stored chain started from it (a newly configured one starts a new chain)."""
        seed = self.seed()
        return seed is None or stored.seed in (None, seed)

    def _decide(self, stale: str | None, force: bool = False) -> TokenSet | None:
        """Under the store lock: adopt what the store holds; a usable set, or None (refresh)."""
        stored = self.store.load(self.key)
        if stored is not None and self.same_chain(stored):
            self._tokens = stored
        elif self._tokens is None or stored is not None:
            # Nothing stored yet, or the user configured a new day-one token: start from it.
            self._tokens = self.initial_tokens()
        current = self._tokens
        if current is not None and current.revoked:
            raise logged_out(self.credential_name)  # never send a token of a revoked chain
        if self._dead is not None and current is not None:
            dead_token, exc = self._dead
            if current.refresh_token == dead_token:
                raise exc  # terminal: no second request with a refused token
            self._dead = None
        if force or current is None or not current.usable(self.clock()):
            return None
        return current if stale is None or current.access_token != stale else None

    def _commit(self, tokens: TokenSet) -> TokenSet:
        # Save first: a rotated refresh token must be on disk before anything relies on it.
        self.store.save(self.key, tokens)
        self._tokens = tokens
        self.token_requests += 1
        return tokens

    def _fast(self, stale: str | None) -> TokenSet | None:
        tokens = self._tokens
        if tokens is None or not tokens.usable(self.clock()):
            return None
        return tokens if stale is None or tokens.access_token != stale else None

    def tokens_sync(self, stale: str | None = None, *, force: bool = False) -> TokenSet:
        """A usable token set; refreshes (once, for every waiting thread) when needed.

        ``stale``: an access token Orchestrator refused (refresh unless someone already did).
        ``force``: refresh even if the token is usable (after re-reading the store).
        """
        ready = None if force else self._fast(stale)
        if ready is not None:
            return ready
        self.store.acquire()
        try:
            ready = self._decide(stale, force)
            if ready is not None:
                return ready
            fresh = run_sync(self._steps(self._tokens), self._send_sync, self._sleep_sync)
            return self._commit(fresh)
        finally:
            self.store.release()

    async def tokens_async(self, stale: str | None = None, *, force: bool = False) -> TokenSet:
        """The async twin of :meth:`tokens_sync`: one refresh for every waiting task."""
        ready = None if force else self._fast(stale)
        if ready is not None:
            return ready
        if self._alock is None:
            self._alock = anyio.Lock()
        async with self._alock:
            ready = None if force else self._fast(stale)  # another task refreshed meanwhile
            if ready is not None:
                return ready
            await self._acquire_store_async()
            try:
                ready = self._decide(stale, force)
                if ready is not None:
                    return ready
                fresh = await run_async(
                    self._steps(self._tokens), self._send_async, self._sleep_async()
                )
                return self._commit(fresh)
            finally:
                self.store.release()

    async def _acquire_store_async(self) -> None:
        if self.store.acquire(blocking=False):
            return
        # Held by a thread or another process: wait in a worker thread, not on the loop.
        got: list[bool] = []

        def grab() -> None:
            got.append(self.store.acquire())

        try:
            await anyio.to_thread.run_sync(grab)
        except BaseException:
            if got:
                self.store.release()
            raise

    # -- the httpx flows ---------------------------------------------------------------------

    def apply(self, request: httpx.Request, tokens: TokenSet) -> None:
        request.headers["Authorization"] = f"{tokens.token_type or 'Bearer'} {tokens.access_token}"

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        tokens = self.tokens_sync()
        self.apply(request, tokens)
        response = yield request
        if response.status_code == 401 and self.refreshable:
            log.debug(
                "401 on %s %s: refreshing once and replaying", request.method, request.url.path
            )
            tokens = self.tokens_sync(stale=tokens.access_token)
            self.apply(request, tokens)
            yield request

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        tokens = await self.tokens_async()
        self.apply(request, tokens)
        response = yield request
        if response.status_code == 401 and self.refreshable:
            log.debug(
                "401 on %s %s: refreshing once and replaying", request.method, request.url.path
            )
            tokens = await self.tokens_async(stale=tokens.access_token)
            self.apply(request, tokens)
            yield request

    # -- transport plumbing ------------------------------------------------------------------

    def _send_sync(self, effect: Send) -> httpx.Response:
        if self._sync_client is None:
            self._sync_client = CookielessClient(transport=self._transport, timeout=self.timeout)
        return self._sync_client.send(effect.request)

    async def _send_async(self, effect: Send) -> httpx.Response:
        if self._async_client is None:
            self._async_client = CookielessAsyncClient(
                transport=self._async_transport, timeout=self.timeout
            )
        return await self._async_client.send(effect.request)

    def _sleep_sync(self, seconds: float) -> Any:
        return (self._sleep or WallClock().sleep)(seconds)

    def _sleep_async(self) -> Callable[[float], Any]:
        return self._sleep or anyio.sleep

    def close(self) -> None:
        if self._sync_client is not None:
            self._sync_client.close()
            self._sync_client = None

    async def aclose(self) -> None:
        if self._async_client is not None:
            await self._async_client.aclose()
            self._async_client = None
        self.close()

    def _fp(self, secret: str | None) -> str | None:
        return fingerprint(secret) if secret else None

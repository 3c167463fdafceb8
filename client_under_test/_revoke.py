"""Logging out: revoke the credential at the identity server, then forget it locally.

``POST {identity}/connect/revocation`` (RFC 7009), form-encoded like the token request, with the
same client authentication. The URL is the token URL's sibling (IdentityServer's default
layout; the mock's discovery document advertises it as ``revocation_endpoint``) [I].

What is revoked, and what that achieves at UiPath:

* :class:`~client_under_test.RefreshTokenAuth`: the newest refresh token
  (``token_type_hint=refresh_token``). The server drops the rotation family, so nobody can mint
  another access token from it. The access token already issued is a JWT and stays valid until
  it expires ("~60 min" [V] UiPath/uipath-typescript docs/design/plt-107228-cloud-logout.md).
* :class:`~client_under_test.ClientCredentialsAuth`: its cached access token
  (``token_type_hint=access_token``). UiPath answers 200 and cannot revoke a JWT [I]; what
  matters is that the token is forgotten. The app's secret is not revoked: the next call simply
  asks for a new token.

Only after the server answered 200 are the stored tokens forgotten, so a later run never
presents a dead token. If the server refuses or cannot be reached, the error is raised and
nothing is forgotten: the caller may try again.

* client credentials: the store entry is deleted (``delete``; a store without it is overwritten
  with an empty set); the next request asks for a new token.
* refresh token: the entry becomes a tombstone holding no token, only ``revoked=True`` and the
  fingerprint of the configured day-one token. The day-one token belongs to the family that was
  just revoked, so any later use of the same configuration (this instance, another one, a
  later run) raises :class:`ReauthenticationRequired` without sending it. Configuring a newly
  issued refresh token (another fingerprint) starts a new chain as usual.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import httpx

from ._errors import (
    ConfigurationError,
    CredentialsRefused,
    TokenRequestError,
)
from ._sansio import Steps, run_async, run_sync, send_with_retry
from .stores import TokenSet

if TYPE_CHECKING:
    from ._tokenauth import TokenAuth

__all__ = ["Revocable", "revocation_url"]

log = logging.getLogger("client_under_test")

_TOKEN_SUFFIX = "/connect/token"


def revocation_url(token_url: str) -> str:
    """``.../connect/token`` -> ``.../connect/revocation`` (IdentityServer's layout)."""
    if not token_url.endswith(_TOKEN_SUFFIX):
        raise ConfigurationError(
            f"cannot derive a revocation endpoint from {token_url!r}: it does not end in "
            f"{_TOKEN_SUFFIX}"
        )
    return token_url[: -len(_TOKEN_SUFFIX)] + "/connect/revocation"


class Revocable:
    """Adds :meth:`revoke` / :meth:`arevoke` to a :class:`TokenAuth` of the identity server.

    A subclass says which token it revokes (:meth:`revocation_target`) and how it
    authenticates (:meth:`revocation_form`).
    """

    def revocation_target(self, tokens: TokenSet | None) -> tuple[str, str] | None:
        """``(token, token_type_hint)`` to revoke, or None when there is nothing to revoke."""
        raise NotImplementedError

    def revocation_form(self) -> dict[str, str]:
        """The client authentication fields of the form (``client_id``, ``client_secret``)."""
        raise NotImplementedError

    def forgotten_tokens(self) -> TokenSet | None:
        """What the store keeps after a logout: None (the entry is deleted) or a tombstone."""
        return None

    @property
    def revocation_url(self) -> str:
        return revocation_url(self._auth.token_url)

    @property
    def _auth(self) -> TokenAuth:
        return self  # type: ignore[return-value]

    # -- the two drivers ------------------------------------------------------------------

    def revoke(self) -> bool:
        """Revoke at the server, then forget the stored tokens (module docstring).

        Returns whether there was a token to revoke (False: nothing held, nothing sent).
        """
        auth = self._auth
        auth.store.acquire()
        try:
            target = self.revocation_target(self._held())
            if target is not None:
                run_sync(self._revoke_steps(*target), auth._send_sync, auth._sleep_sync)
            self._forget()
        finally:
            auth.store.release()
        return target is not None

    async def arevoke(self) -> bool:
        """The async twin of :meth:`revoke`."""
        auth = self._auth
        await auth._acquire_store_async()
        try:
            target = self.revocation_target(self._held())
            if target is not None:
                await run_async(self._revoke_steps(*target), auth._send_async, auth._sleep_async())
            self._forget()
        finally:
            auth.store.release()
        return target is not None

    # -- the steps shared by both -----------------------------------------------------------

    def _held(self) -> TokenSet | None:
        """What the credential holds now: the store's set (same chain), else the configured."""
        auth = self._auth
        stored = auth.store.load(auth.key)
        return stored if stored is not None and auth.same_chain(stored) else auth.initial_tokens()

    def _revoke_steps(self, token: str, hint: str) -> Steps[None]:
        auth = self._auth
        form = {"token": token, "token_type_hint": hint, **self.revocation_form()}
        request = auth.new_request("POST", self.revocation_url, data=form)
        log.debug("revocation: POST %s (%s, %s)", request.url, auth.credential_name, hint)
        # RFC 7009 revocation is idempotent: revoking twice is a 200 both times.
        response = yield from send_with_retry(request, auth.retry, auth.clock, idempotent=True)
        self._check(response)

    def _check(self, response: httpx.Response) -> None:
        status = response.status_code
        url = self.revocation_url
        if status == 200:
            log.debug("revocation: 200, the %s is revoked", self._auth.credential_name)
            return
        error = _oauth_error(response)
        if error == "invalid_client":
            raise CredentialsRefused(
                f"the revocation endpoint {url} refused the client (invalid_client). Check the "
                "client id and secret (UIPATH_CLIENT_ID, UIPATH_CLIENT_SECRET)."
            )
        what = f" {error}" if error else ""
        if 300 <= status < 400:
            what = f" a redirect to {response.headers.get('location', '?')} (a login page?)"
        raise TokenRequestError(
            f"the revocation endpoint {url} answered {status}{what}; nothing was revoked and "
            "the stored tokens are kept",
            status_code=status,
            error=error,
        )

    def _forget(self) -> None:
        auth = self._auth
        tombstone = self.forgotten_tokens()
        delete = getattr(auth.store, "delete", None)
        if tombstone is None and callable(delete):
            delete(auth.key)
        else:  # a tombstone, or a third-party store without delete: an empty set
            auth.store.save(auth.key, tombstone or TokenSet(seed=auth.seed()))
        auth._tokens = None


def _oauth_error(response: httpx.Response) -> str | None:
    try:
        body: Any = response.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, str) else None

"""The httpx clients the reference client sends with (no redirects, no cookie jar), and its
parsed URLs.

Every request the client makes carries its credential itself: ``Authorization: Bearer`` on
the API [V] §5.2 (docs/wire.md), the form or JSON body on a token request.
Nothing of UiPath's we know of needs a cookie back [I], and the client never sends one: it
builds its own ``httpx.Request`` objects, to which ``Client.send`` adds no cookies. A jar was
therefore pure cost, and not a small one: httpx files every response into it through a urllib
round trip (``Cookies.extract_cookies``), about a third of the client's own time per call on the
in-process mock. It was also a risk in waiting: an identity server's session cookie
(IdentityServer sets them; docs/anchors.md, melcloudhome#223) would sit in the jar for whoever next
builds a request with ``client.build_request``. So these clients keep none
(``tests/client_under_test/test_http.py`` pins both halves: nothing kept, nothing sent).

Redirects stay off: a 3xx from the API or the token endpoint is a login page or a wrong URL,
and is reported as such, never followed (see ``_api.Api.parse`` and ``_tokenauth``).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import httpx

__all__ = ["CookielessAsyncClient", "CookielessClient", "parsed_url"]


@lru_cache(maxsize=512)
def parsed_url(url: str) -> httpx.URL:
    """``httpx.URL(url)``, parsed once per process.

    httpx parses and validates a URL string character by character, which costs more than the
    rest of building a request. The client asks for the same few URLs over and over (the token
    endpoint on every refresh, a job's URL on every poll, StartJobs' on every start), and an
    ``httpx.URL`` is immutable, so each is parsed once and shared.
    """
    return httpx.URL(url)


class _NoCookies(httpx.Cookies):
    """A jar that keeps nothing: responses are not read for cookies, requests get none."""

    def extract_cookies(self, response: httpx.Response) -> None:
        return None

    def set_cookie_header(self, request: httpx.Request) -> None:
        return None


class _WithoutCookies:
    """Makes an httpx client's ``cookies`` a jar that keeps nothing, and redirects off."""

    def __init__(self, **options: Any) -> None:
        super().__init__(follow_redirects=False, **options)  # type: ignore[call-arg]
        self._no_cookies = _NoCookies()

    @property
    def cookies(self) -> httpx.Cookies:
        return self._no_cookies

    @cookies.setter
    def cookies(self, cookies: Any) -> None:
        raise AttributeError("the reference client keeps no cookies (see client_under_test._http)")


class CookielessClient(_WithoutCookies, httpx.Client):
    """``httpx.Client`` without a cookie jar and without redirects (see the module's text)."""


class CookielessAsyncClient(_WithoutCookies, httpx.AsyncClient):
    """The async twin of :class:`CookielessClient`."""

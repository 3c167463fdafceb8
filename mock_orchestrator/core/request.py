"""The request a handler sees: the httpx request plus lazily parsed query, form and JSON.

Parsing errors raise :class:`BadBody` / :class:`BadQuery`; each service turns them into its own
dialect (an OAuth ``invalid_request``, an Orchestrator errorCode 1000), so no handler ever lets a
``ValueError`` escape as a 500.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

import httpx

__all__ = ["MAX_BODY_BYTES", "BadBody", "MockRequest", "header_triples"]

#: Bodies above this are refused before any parsing (UiPath's front door answers 413 too).
MAX_BODY_BYTES = 1_048_576
_MAX_FORM_FIELDS = 100
_UNREAD: dict[bytes, bytes] = {}  # MockRequest._headers before the first read (by identity)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


#: A ``\\uD800``-``\\uDFFF`` escape: half of a UTF-16 surrogate pair. ``json`` joins a whole
#: pair into one character, so a surrogate left in a parsed string had no partner.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _has_lone_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return _SURROGATE.search(value) is not None
    if isinstance(value, list):
        return any(_has_lone_surrogate(item) for item in value)
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    return False


def header_triples(headers: httpx.Headers) -> list[tuple[bytes, bytes, bytes]]:
    """httpx's own ``(raw name, lower-case name, value)`` list of ``headers``, in order: read
    it, never change it.

    Reading it saves the hot paths a copy (``headers.raw``) and a ``lower()`` per header.
    tests/mock_orchestrator/test_served_request.py pins its shape; an httpx without the list
    gets one built from the public ``raw``.
    """
    found = getattr(headers, "_list", None)
    if isinstance(found, list):
        return found
    return [(name, name.lower(), value) for name, value in headers.raw]  # pragma: no cover


class BadBody(ValueError):
    """The body could not be read as the content type the endpoint takes."""

    def __init__(self, message: str, *, too_large: bool = False) -> None:
        super().__init__(message)
        self.too_large = too_large


class MockRequest:
    """What a handler receives. Cheap to build: nothing is parsed until asked for.

    It knows the request and the route's path parameters, nothing of the world: a handler gets
    its collaborators from its service, never through the request.
    """

    __slots__ = (
        "_form",
        "_headers",
        "_json",
        "_path",
        "_query",
        "params",
        "raw",
        "route_label",
        "sites",
    )

    def __init__(
        self,
        raw: httpx.Request,
        params: dict[str, str],
        sites: frozenset[str],
        route_label: str = "",
        path: str | None = None,
    ) -> None:
        self.raw = raw
        #: The decoded path, when the caller has it already (the world's router does).
        self._path = path
        self.params = params
        self.sites = sites
        self.route_label = route_label
        self._query: dict[str, str] | None = None
        self._form: dict[str, str] | None = None
        self._json: Any = None
        self._headers: dict[bytes, bytes] | None = _UNREAD

    @property
    def method(self) -> str:
        return self.raw.method

    @property
    def path(self) -> str:
        path = self._path
        if path is None:
            path = self._path = self.raw.url.path
        return path

    def header_bytes(self) -> dict[bytes, bytes] | None:
        """Every header as ``{lower-case name: raw value}``; None when a name repeats.

        Speed over the obvious ``raw.headers.get(name)``: each httpx lookup re-encodes the name
        and scans and decodes every header (~1 us), and a handler asks for three or four. One
        pass here answers them all. A repeated name gives None, so callers fall back to httpx,
        which joins repeats with ", ".
        """
        if self._headers is _UNREAD:
            triples = header_triples(self.raw.headers)
            found = {lower: value for _, lower, value in triples}
            self._headers = found if len(found) == len(triples) else None
        return self._headers

    def header(self, name: str) -> str | None:
        """A header value, name matched case-insensitively, decoded exactly as httpx does."""
        by_name = self.header_bytes()
        if by_name is not None and name.isascii():
            value = by_name.get(name.lower().encode("ascii"))
            if value is None:
                return None
            # An ASCII value decodes the same under each encoding httpx may pick for the
            # headers (ascii, utf-8, iso-8859-1); anything else goes through httpx itself.
            if value.isascii():
                return value.decode("ascii")
        found: str | None = self.raw.headers.get(name)
        return found

    @property
    def media_type(self) -> str:
        value = self.header("content-type") or ""
        return value.split(";", 1)[0].strip().lower()

    @property
    def query(self) -> dict[str, str]:
        """Query parameters, ``+`` and ``%20`` decoded as spaces, ``%24`` as ``$``.

        Keys are matched case-insensitively by callers through :meth:`query_get`.
        """
        if self._query is None:
            raw_query = self.raw.url.query.decode("ascii", "replace")
            try:
                pairs = parse_qsl(raw_query, keep_blank_values=True, max_num_fields=200)
            except ValueError as exc:
                raise BadBody("too many query parameters") from exc
            self._query = dict(pairs)
        return self._query

    def query_get(self, name: str) -> str | None:
        lowered = name.lower()
        for key, value in self.query.items():
            if key.lower() == lowered:
                return value
        return None

    def _checked_content(self) -> bytes:
        content = self.raw.content
        if len(content) > MAX_BODY_BYTES:
            raise BadBody(f"the body is larger than {MAX_BODY_BYTES} bytes", too_large=True)
        return content

    def form(self) -> dict[str, str]:
        """The body as ``application/x-www-form-urlencoded`` fields (blank fields kept)."""
        if self._form is None:
            self._checked_content()
            try:
                text = self.raw.content.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise BadBody("the body is not UTF-8") from exc
            fields: dict[str, str] = {}
            for part in text.split("&") if text else ():
                if not part:
                    continue
                key, sep, value = part.partition("=")
                name = unquote_plus(key)
                if name in fields:
                    raise BadBody(f"parameter '{name}' is repeated")
                fields[name] = unquote_plus(value) if sep else ""
                if len(fields) > _MAX_FORM_FIELDS:
                    raise BadBody("too many form fields")
            self._form = fields
        return self._form

    def json(self) -> Any:
        """The body parsed as JSON; :class:`BadBody` when it is not."""
        if self._json is None:
            content = self._checked_content()
            if not content:
                raise BadBody("the body is empty")
            try:
                # NaN/Infinity are not JSON (.NET refuses them); Python would take them
                value = json.loads(content, parse_constant=_no_constant)
                # A lone surrogate ("\\ud800") parses, but no UTF-8 answer can carry it back.
                # .NET readers differ (System.Text.Json refuses it, Newtonsoft keeps it): the
                # mock refuses it as bad JSON [?]. Only bodies with such an escape pay the check.
                if _SURROGATE_ESCAPE.search(content) and _has_lone_surrogate(value):
                    raise ValueError("a lone UTF-16 surrogate")
            except (ValueError, RecursionError) as exc:
                raise BadBody("the body is not valid JSON") from exc
            self._json = value
        return self._json

    def json_object(self) -> dict[str, Any]:
        value = self.json()
        if not isinstance(value, dict):
            raise BadBody("the body must be a JSON object")
        return value

    def fields(self) -> dict[str, Any]:
        """JSON object or form fields, whichever the content type says (legacy/on-prem routes)."""
        media = self.media_type
        if media in ("application/json", "text/json") or media.endswith("+json"):
            return self.json_object()
        if media == "application/x-www-form-urlencoded":
            return self.form()
        raise BadBody(f"unsupported content type '{media or 'none'}'")

    def basic_auth(self) -> tuple[str, str] | None:
        """``(user, password)`` of ``Authorization: Basic``, or None.

        The OAuth client authentication of RFC 6749 §2.3.1: both parts are form-urlencoded
        before base64. A header that does not decode counts as absent, so an endpoint falls
        back to the form's ``client_id``, as IdentityServer's secret parsers do. [I]
        """
        value = self.header("authorization")
        if not value:
            return None
        scheme, _, encoded = value.strip().partition(" ")
        if scheme.lower() != "basic" or not encoded.strip():
            return None
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        user, sep, password = decoded.partition(":")
        if not sep or not user:
            return None
        return unquote_plus(user), unquote_plus(password)

    def bearer(self) -> str | None:
        """The bearer token of the Authorization header, or None."""
        value = self.header("authorization")
        if not value:
            return None
        scheme, _, token = value.partition(" ")
        if scheme.lower() != "bearer":
            return None
        return token.strip() or None

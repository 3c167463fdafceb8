"""Wire errors: every error the mock sends is an exception that renders its own body.

Backends only ever ``raise``; one dispatcher (``MockCloud.handle``) catches :class:`WireError`
and calls :meth:`WireError.to_response` (moto's ``JsonRESTError`` / ``call_action`` idea). No
handler builds an error dict inline.

Hierarchy (dialects of UiPath's services)::

    WireError
    ├── OAuthError                 identity_ (IdentityServer4): 400 {"error", "error_description"?}
    │   └── Auth0Error             account.uipath.com (Auth0): 403 invalid_grant, 401 access_denied
    ├── LoginError                 /api/Account/Authenticate: {"message","errorCode","resourceIds"}
    ├── AbpError                   Orchestrator's authorization layer: the ABP envelope (401/403)
    ├── OrchestratorError          Orchestrator: {"message","errorCode","traceId"}
    ├── PlainError                 a status with a small JSON body (cloudrpa 401, 413, 405 ...)
    └── UnsupportedEndpoint        no route: 404, empty body, and a message naming close routes

The ``str()`` of every error is short and never contains a secret: tests and logs may print it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from .ids import IdGenerator

__all__ = [
    "AbpError",
    "Auth0Error",
    "LoginError",
    "MethodNotAllowed",
    "OAuthError",
    "OrchestratorError",
    "PlainError",
    "UnsupportedEndpoint",
    "WireError",
    "append_header",
    "body_response",
    "json_response",
]

_JSON = b"application/json; charset=utf-8"
_encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def body_response(
    status_code: int,
    body: bytes,
    content_type: bytes,
    headers: Mapping[str, str] | None = None,
) -> httpx.Response:
    """A response whose body is already final bytes, built in a third of what
    ``httpx.Response(content=...)`` costs (the hot path of every answer).

    The constructor runs the bytes through its decoder chain (about 10 us), although a mock's
    body is already final and identity-encoded, and normalises every header name and value
    (type checks, encoding) that is already bytes here. We set what it would set: the
    response as ``Response(status, headers=..., stream=ByteStream(body))`` leaves it after
    ``read()``, headers as httpx's ``(raw name, lower-case name, value)`` list.
    tests/mock_orchestrator/test_wire_response.py pins this against httpx's own behaviour and
    attributes, so an httpx upgrade that changes them fails loudly.
    """
    fields = [
        (b"content-type", b"content-type", content_type),
        (b"content-length", b"content-length", str(len(body)).encode("ascii")),
    ]
    if headers:
        for key, value in headers.items():
            name = key.encode("latin-1")
            fields.append((name, name.lower(), value.encode("latin-1")))
    response_headers = httpx.Headers.__new__(httpx.Headers)
    response_headers._list = fields
    response_headers._encoding = None
    response = httpx.Response.__new__(httpx.Response)
    response.status_code = status_code
    response.headers = response_headers
    response._request = None
    response.next_request = None
    response.extensions = {}
    response.history = []
    response.is_closed = False
    response.is_stream_consumed = False
    response.default_encoding = "utf-8"
    response.stream = httpx.ByteStream(body)
    response._num_bytes_downloaded = 0
    response._content = body
    return response


def append_header(response: httpx.Response, name: bytes, value: bytes) -> None:
    """Add a header the response does not have yet (``name`` lower-case), in a tenth of what
    ``response.headers[name] = value`` costs: that setter re-encodes both and scans every
    header for duplicates, a few microseconds on the hot path. httpx keeps headers as
    ``(raw name, lower name, value)`` triples; tests/mock_orchestrator/test_wire_response.py
    pins the equivalence, so an httpx upgrade that changes it fails loudly.
    """
    items = getattr(response.headers, "_list", None)
    if isinstance(items, list):
        items.append((name, name, value))
    else:  # pragma: no cover - an httpx without the list: the public, slower way
        response.headers[name.decode("latin-1")] = value.decode("latin-1")


def json_response(
    status_code: int, payload: Any, headers: Mapping[str, str] | None = None
) -> httpx.Response:
    """A JSON response, compact as ASP.NET writes it."""
    return body_response(status_code, _encode(payload).encode("utf-8"), _JSON, headers)


class WireError(Exception):
    """Base of every error the mock puts on the wire."""

    status_code: int = 400
    #: Set when the request is one the mock does not model (``mock_orchestrator/unmodelled.py``):
    #: the journal's ``error`` then says so, naming the closest served routes.
    unmodelled: str | None = None

    def __init__(self, status_code: int | None = None, headers: Mapping[str, str] | None = None):
        if status_code is not None:
            self.status_code = status_code
        self.headers: dict[str, str] = dict(headers or {})
        super().__init__(self.summary())

    def payload(self, ids: IdGenerator) -> Any:
        raise NotImplementedError

    def summary(self) -> str:
        return f"HTTP {self.status_code}"

    def to_response(self, ids: IdGenerator) -> httpx.Response:
        return json_response(self.status_code, self.payload(ids), self.headers)


class OAuthError(WireError):
    """IdentityServer4's token error: always 400, ``no-store``, description left out when empty.

    [V-code] IS4 ``TokenErrorResult``; [V] ``{"error":"invalid_scope"}`` seen from UiPath
    (docs/wire.md §4.5).
    """

    def __init__(
        self,
        error: str,
        description: str | None = None,
        *,
        status_code: int = 400,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.error = error
        self.description = description
        merged = {"cache-control": "no-store, no-cache", "pragma": "no-cache"}
        merged.update(headers or {})
        super().__init__(status_code, merged)

    def payload(self, ids: IdGenerator) -> Any:
        body: dict[str, str] = {"error": self.error}
        if self.description:
            body["error_description"] = self.description
        return body

    def summary(self) -> str:
        text = f"{self.status_code} {self.error}"
        return f"{text}: {self.description}" if self.description else text


class Auth0Error(OAuthError):
    """Auth0's token error (account.uipath.com): same fields, Auth0's statuses (403 for grants)."""


class LoginError(WireError):
    """The compact legacy envelope of ``/api/Account/Authenticate`` failures (docs/wire.md §3)."""

    def __init__(self, message: str, error_code: int = 1000, status_code: int = 400) -> None:
        self.message = message
        self.error_code = error_code
        super().__init__(status_code)

    def payload(self, ids: IdGenerator) -> Any:
        return {"message": self.message, "errorCode": self.error_code, "resourceIds": None}

    def summary(self) -> str:
        return f"{self.status_code} errorCode {self.error_code}: {self.message}"


class AbpError(WireError):
    """The ABP envelope of Orchestrator's authorization layer (docs/wire.md §8.1, [V])."""

    def __init__(
        self,
        status_code: int,
        message: str,
        details: str,
        *,
        unauthorized_request: bool,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.message = message
        self.details = details
        self.unauthorized_request = unauthorized_request
        super().__init__(status_code, headers)

    def payload(self, ids: IdGenerator) -> Any:
        return {
            "message": self.message,
            "errorCode": 0,
            "result": None,
            "targetUrl": None,
            "success": False,
            "error": {
                "code": 0,
                "message": self.message,
                "details": self.details,
                "validationErrors": None,
            },
            "unAuthorizedRequest": self.unauthorized_request,
            "__abp": True,
        }

    def summary(self) -> str:
        return f"{self.status_code} {self.message}"


class OrchestratorError(WireError):
    """Orchestrator's compact envelope ``{"message","errorCode","traceId"}`` (docs/wire.md §8.1)."""

    def __init__(
        self,
        status_code: int,
        error_code: int,
        message: str,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.error_code = error_code
        self.message = message
        super().__init__(status_code, headers)

    def payload(self, ids: IdGenerator) -> Any:
        return {"message": self.message, "errorCode": self.error_code, "traceId": ids.trace_id()}

    def summary(self) -> str:
        return f"{self.status_code} errorCode {self.error_code}: {self.message}"


class PlainError(WireError):
    """A status with a small fixed JSON body, for endpoints whose error body is not recorded."""

    def __init__(
        self, status_code: int, body: Any, headers: Mapping[str, str] | None = None
    ) -> None:
        self.body = body
        super().__init__(status_code, headers)

    def payload(self, ids: IdGenerator) -> Any:
        return self.body

    def to_response(self, ids: IdGenerator) -> httpx.Response:
        if self.body is None:
            return httpx.Response(self.status_code, headers=self.headers)
        return super().to_response(ids)


class MethodNotAllowed(PlainError):
    """A path asked with a method it does not serve: the 405 of UiPath's ASP.NET stack.

    Body: [V] the 405 Orchestrator's own ASP.NET stack sent for a known path and a wrong
    method (uipathcli#136, docs/wire.md §4.5), the API-versioning envelope with
    ``code: UnsupportedApiVersion``. ``Allow`` lists the methods the path serves: [I] the
    versioning library sets it on its 405s (dotnet/aspnet-api-versioning#795 shows one); a
    path served under no method at all gets no ``Allow``.
    """

    def __init__(self, method: str, url: str, allowed: Iterable[str] = ()) -> None:
        self.method = method
        self.allowed = sorted(set(allowed))
        super().__init__(
            405,
            {
                "error": {
                    "code": "UnsupportedApiVersion",
                    "message": (
                        f"The HTTP resource that matches the request URI '{url}' "
                        f"does not support HTTP method '{method}'."
                    ),
                    "innerError": None,
                }
            },
            {"Allow": ", ".join(self.allowed)} if self.allowed else None,
        )

    def summary(self) -> str:
        return f"405 {self.method} not allowed; allowed: {', '.join(self.allowed)}"


class UnsupportedEndpoint(WireError):
    """No route matched: 404 with an empty body on the wire ([?] docs/wire.md §8.4).

    The exception text explains itself (method, path, the closest declared routes), the way
    pytest_httpx and vcrpy explain a miss; the journal keeps it for the test to read.
    """

    status_code = 404

    def __init__(self, method: str, path: str, closest: list[str] | None = None) -> None:
        self.method = method
        self.path = path
        self.closest = closest or []
        super().__init__(404)

    def payload(self, ids: IdGenerator) -> Any:
        return None

    def to_response(self, ids: IdGenerator) -> httpx.Response:
        return httpx.Response(404, headers=self.headers)

    def summary(self) -> str:
        text = f"uipath-mock: no route for {self.method} {self.path}"
        if self.closest:
            text += "; closest: " + ", ".join(self.closest)
        return text

"""``served_request`` must be the request ``httpx.Request(..., stream=ByteStream(body))`` is.

The served front builds every request with it, skipping httpx's per-header normalisation for
speed; these tests pin the observable behaviour, so an httpx upgrade that changes its internals
fails here, not in a user's test.
"""

from __future__ import annotations

import httpx
import pytest

from mock_orchestrator._served.app import _SERVED_EXTENSIONS, served_request
from mock_orchestrator.core.request import header_triples

URL = httpx.URL("http://127.0.0.1:8080/org/tenant/orchestrator_/odata/Jobs(7)?$select=Id")
HEADERS = [
    (b"host", b"127.0.0.1:8080"),
    (b"authorization", b"Bearer abc.def.ghi"),
    (b"X-UIPATH-FolderPath", b"Shared"),
    (b"accept", b"application/json"),
    (b"accept", b"text/plain"),  # a repeated name
    (b"x-note", "Équipe".encode("latin-1")),  # not ASCII, not UTF-8
    (b"content-type", b"application/json"),
]
BODY = b'{"startInfo": {"ReleaseKey": "k"}}'


def _pair(body: bytes = BODY) -> tuple[httpx.Request, httpx.Request]:
    plain = httpx.Request(
        "post", URL, headers=HEADERS, stream=httpx.ByteStream(body), extensions=_SERVED_EXTENSIONS
    )
    plain.read()
    return served_request("post", URL, HEADERS, body), plain


def test_same_method_url_content_and_extensions() -> None:
    fast, plain = _pair()
    assert fast.method == plain.method == "POST"
    assert fast.url == plain.url
    assert fast.content == plain.content == BODY
    assert fast.extensions == plain.extensions


@pytest.mark.parametrize("name", ["Authorization", "x-uipath-folderpath", "ACCEPT", "x-note"])
def test_same_headers_however_asked(name: str) -> None:
    fast, plain = _pair()
    assert fast.headers.raw == plain.headers.raw
    assert fast.headers.get(name) == plain.headers.get(name)
    assert fast.headers.get_list(name) == plain.headers.get_list(name)
    assert fast.headers.multi_items() == plain.headers.multi_items()
    assert fast.headers.encoding == plain.headers.encoding


def test_the_body_streams_like_a_read_request() -> None:
    fast, plain = _pair()
    assert b"".join(fast.stream) == b"".join(plain.stream) == BODY  # type: ignore[arg-type]
    assert fast.read() == BODY


def test_an_empty_body() -> None:
    fast, plain = _pair(b"")
    assert fast.content == plain.content == b""


def test_extensions_are_the_requests_own() -> None:
    fast, _ = _pair()
    fast.extensions["timeout"] = {"read": 5.0}
    assert _SERVED_EXTENSIONS == {"timeout": {"read": 0.0}}


def test_header_triples_are_httpxs_names_lowered_and_values_in_order() -> None:
    """The hot paths read httpx's own ``(raw name, lower name, value)`` list; an httpx that
    keeps it differently fails here, not in a header lookup."""
    for headers in (httpx.Headers(HEADERS), served_request("GET", URL, HEADERS, b"").headers):
        assert header_triples(headers) == [(k, k.lower(), v) for k, v in headers.raw]

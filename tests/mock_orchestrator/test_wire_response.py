"""``body_response`` must behave exactly like ``httpx.Response(content=...)`` for a client.

It skips httpx's eager decoder pass for speed; these tests pin the observable behaviour so an
httpx upgrade that changes its internals fails here, not in a user's test.
"""

from __future__ import annotations

import httpx
import pytest

from mock_orchestrator.core.errors import append_header, body_response, json_response

BODY = '{"value":[{"Id":1,"Name":"Équipe"}]}'.encode()


def _pair() -> tuple[httpx.Response, httpx.Response]:
    fast = body_response(201, BODY, b"application/json; charset=utf-8", {"Retry-After": "3"})
    plain = httpx.Response(
        201,
        content=BODY,
        headers={"content-type": "application/json; charset=utf-8", "Retry-After": "3"},
    )
    return fast, plain


def test_same_content_text_json_and_headers() -> None:
    fast, plain = _pair()
    assert fast.content == plain.content
    assert fast.text == plain.text
    assert fast.json() == plain.json()
    assert fast.headers["content-length"] == plain.headers["content-length"]
    assert fast.headers["retry-after"] == "3"
    assert fast.status_code == plain.status_code


@pytest.mark.parametrize("use_stream", [False, True])
def test_same_through_a_client(use_stream: bool) -> None:
    for response in _pair():
        transport = httpx.MockTransport(lambda request, r=response: r)
        with httpx.Client(transport=transport) as client:
            if use_stream:
                with client.stream("GET", "https://x.test/") as streamed:
                    assert b"".join(streamed.iter_bytes()) == BODY
            else:
                assert client.get("https://x.test/").json()["value"][0]["Name"] == "Équipe"


async def test_same_through_an_async_client() -> None:
    fast, _ = _pair()
    async with httpx.AsyncClient(transport=httpx.MockTransport(lambda r: fast)) as client:
        response = await client.get("https://x.test/")
    assert response.content == BODY


def test_json_response_is_compact_and_keeps_unicode() -> None:
    response = json_response(200, {"Name": "Équipe", "Id": 1})
    assert response.content == '{"Name":"Équipe","Id":1}'.encode()


def test_append_header_equals_the_public_setter() -> None:
    fast = body_response(200, b"{}", b"application/json")
    slow = body_response(200, b"{}", b"application/json")
    append_header(fast, b"api-supported-versions", b"18.0")
    slow.headers["api-supported-versions"] = "18.0"
    assert fast.headers.raw == slow.headers.raw
    assert fast.headers["API-Supported-Versions"] == "18.0"
    assert list(fast.headers.items()) == list(slow.headers.items())


def test_body_response_sets_what_the_constructor_sets() -> None:
    """Every attribute httpx's constructor gives a streamed response, the same values (the
    stream aside: an equal but new ``ByteStream``), plus the body as already read."""
    fast = body_response(201, BODY, b"application/json", {"Retry-After": "3"})
    plain = httpx.Response(
        201,
        headers=[
            (b"content-type", b"application/json"),
            (b"content-length", str(len(BODY)).encode()),
            (b"Retry-After", b"3"),
        ],
        stream=httpx.ByteStream(BODY),
    )
    plain._content = BODY
    mine, theirs = vars(fast), vars(plain)
    assert mine.keys() == theirs.keys()
    for name in mine.keys() - {"headers", "stream"}:
        assert mine[name] == theirs[name], name
    assert vars(fast.headers) == vars(plain.headers)
    assert type(fast.stream) is type(plain.stream)
    assert b"".join(fast.stream) == BODY

"""The kit's vcrpy configuration: what is scrubbed at record time, and how requests match.

Secrets never reach a cassette file: vcrpy runs these filters on every interaction *before*
it is stored, and on every live request before it is matched, so matching sees the same
scrubbed values the file holds (vcrpy ``Cassette.append`` / ``can_play_response_for``).
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl

from ._scrub import Scrubber, is_placeholder

__all__ = [
    "MATCH_ON",
    "REDACTED",
    "SECRET_BODY_FIELDS",
    "SECRET_POST_PARAMETERS",
    "TOKEN_PATHS",
    "redact_response",
    "register_matchers",
    "scrub_request",
    "token_body",
    "vcr_config",
]

#: What a scrubbed value of unknown identity reads as (the kit's older cassettes, and a
#: reference cassette's assembled secrets). New recordings name each secret instead
#: (``<refresh_token-2>``; see :mod:`cassettes._scrub`).
REDACTED = "<REDACTED>"

#: Request body fields (form or JSON) that are secrets: the OAuth ones, and the on-prem
#: login's password in both spellings ASP.NET binds (docs/wire.md §3). Matching is
#: case-insensitive; :data:`cassettes._scrub.SECRET_FIELDS` has the full list.
SECRET_POST_PARAMETERS: tuple[str, ...] = (
    "client_secret",
    "refresh_token",
    "code_verifier",
    "password",
    "Password",
    "code",
    "token",
    "id_token_hint",
    "assertion",
    "client_assertion",
    "subject_token",
)
#: JSON response fields that carry tokens; ``result`` is the bearer token of
#: ``/api/Account/Authenticate`` (the ABP envelope, docs/wire.md §3), replaced when a string.
#: ``code`` is not among them: in answers it is an error code ("UnsupportedApiVersion").
SECRET_BODY_FIELDS = frozenset(
    {"access_token", "refresh_token", "id_token", "result", "client_secret", "password"}
)

#: Paths of token calls, which match on their (scrubbed) body as well: a refresh and a
#: client-credentials call hit the same URL and differ only there.
TOKEN_PATHS = re.compile(r"(?i)(/connect/token|/oauth/token|/api/account/authenticate)$")

#: Matching: method, path and query, plus the body of token calls. Scheme, host and port
#: are left out on purpose, so a cassette recorded from ``cloud.serve()`` on some loopback
#: port replays for any origin, and one recorded in-process replays over loopback.
MATCH_ON: tuple[str, ...] = ("method", "path", "query", "token_body")

_NUMBERED = re.compile(r"<[A-Za-z_][\w.:]*-\d+>")


def _same_value(left: Any, right: Any) -> bool:
    """Equal, where a placeholder without a number stands for any secret.

    ``<refresh_token-2>`` matches only itself, so a replayed rotation must send the token the
    previous answer carried; ``<REDACTED>`` and ``<user_key>`` (a world's placeholder) name
    no particular secret, so older and assembled cassettes still replay.
    """
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(_same_value(left[k], right[k]) for k in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(_same_value, left, right))
    if left == right:
        return True
    if not (isinstance(left, str) and isinstance(right, str)):
        return False
    if not (is_placeholder(left) and is_placeholder(right)):
        return False
    return not (_NUMBERED.fullmatch(left) and _NUMBERED.fullmatch(right))


def _parsed_body(request: Any) -> Any:
    body = request.body
    if body is None:
        return None
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
    try:
        return json.loads(text)
    except ValueError:
        return sorted(parse_qsl(text, keep_blank_values=True))


def token_body(r1: Any, r2: Any) -> None:
    """vcrpy matcher: token calls must have equal bodies (form and JSON parsed; see
    :func:`_same_value` for placeholders)."""
    if TOKEN_PATHS.search(r1.path) or TOKEN_PATHS.search(r2.path):
        left, right = _parsed_body(r1), _parsed_body(r2)
        if isinstance(left, list) and isinstance(right, list):
            left, right = [list(p) for p in left], [list(p) for p in right]
        assert _same_value(left, right), "token call bodies differ"


def register_matchers(vcr: Any) -> None:
    """Register the kit's custom matchers on a ``vcr.VCR`` (pytest-recording's hook too)."""
    vcr.register_matcher("token_body", token_body)


def _header(headers: Any, name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name:
            return str(value[0] if isinstance(value, list) and value else value)
    return ""


def redact_response(response: dict[str, Any], scrubber: Scrubber | None = None) -> dict[str, Any]:
    """vcrpy ``before_record_response``: every secret in the answer becomes a placeholder.

    Runs on the serialized response (``{"status", "headers", "body": {"string": bytes}}``)
    before vcrpy stores it; ``Content-Length`` follows the new body. Pass the cassette's
    ``scrubber`` to keep placeholders consistent with its requests.
    """
    scrubber = scrubber or Scrubber()
    headers: dict[str, Any] = response.get("headers") or {}
    body = response.get("body") or {}
    raw = body.get("string")
    if isinstance(raw, (bytes, str)) and raw:
        new = scrubber.body(raw, _header(headers, "content-type"), answer=True)
        if new != raw:
            body["string"] = new
            length = len(new.encode("utf-8") if isinstance(new, str) else new)
            for key in list(headers):
                if key.lower() == "content-length":
                    headers[key] = [str(length)]
    for key in list(headers):
        values = headers[key] if isinstance(headers[key], list) else [headers[key]]
        headers[key] = [scrubber.header(key, str(v)) for v in values]
    return response


def scrub_request(request: Any, scrubber: Scrubber | None = None) -> Any:
    """vcrpy ``before_record_request``: the URL, every header and the body, scrubbed.

    vcrpy hands over a shallow copy, so headers are replaced, never changed in place (the
    same headers object goes out on the wire when vcrpy records). Pass the cassette's
    ``scrubber`` to keep placeholders consistent with its answers.
    """
    scrubber = scrubber or Scrubber()
    request.uri = scrubber.url(request.uri)
    content_type = ""
    headers: dict[str, Any] = {}
    for key, value in request.headers.items():
        if key.lower() == "content-type":
            content_type = str(value)
        headers[key] = scrubber.header(key, str(value))
    request.headers = headers
    body = request.body
    if isinstance(body, (bytes, str)) and body:
        new = scrubber.body(body, content_type)
        if new != body:
            request.body = new
    return request


def vcr_config(**overrides: Any) -> dict[str, Any]:
    """The keyword arguments for ``vcr.use_cassette`` (and pytest-recording's ``vcr_config``).

    Scrubs at record time, both ways, with one :class:`~cassettes._scrub.Scrubber` per call
    (pytest-recording calls its ``vcr_config`` fixture per test, so per cassette): every
    secret field in forms, queries and JSON at any depth (any letter case, arrays too), the
    credential of ``Authorization`` and ``Proxy-Authorization``, cookies, codes in redirects,
    and any JWT-shaped or long random value anywhere, each replaced by a placeholder that
    names it consistently (``<refresh_token-2>``). Matches with :data:`MATCH_ON` (register
    :func:`token_body` first, see :func:`register_matchers`). YAML, loaded by vcrpy's safe
    loader.

    ``record_mode`` is left out on purpose: pytest-recording 0.14 lets a ``vcr_config``
    ``record_mode`` override ``--record-mode`` when it opens the cassette, while its network
    blocker reads the command line first, so setting it here would split the two. The
    command line's default, ``none``, applies.
    """
    scrubber = Scrubber()
    config: dict[str, Any] = {
        "before_record_request": [lambda request: scrub_request(request, scrubber)],
        "before_record_response": [lambda response: redact_response(response, scrubber)],
        "decode_compressed_response": True,
        "match_on": MATCH_ON,
        "serializer": "yaml",
    }
    config.update(overrides)
    return config

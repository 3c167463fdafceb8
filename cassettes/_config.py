"""The kit's vcrpy configuration: what is scrubbed at record time, and how requests match.

Secrets never reach a cassette file: vcrpy runs these filters on every interaction *before*
it is stored, and on every live request before it is matched, so matching sees the same
scrubbed values the file holds (vcrpy ``Cassette.append`` / ``can_play_response_for``).
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from vcr import matchers as vcr_matchers

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

#: What every scrubbed value becomes. Presence stays visible; the value does not.
REDACTED = "<REDACTED>"

#: Request body fields (form or JSON) that are secrets: the OAuth ones, and the on-prem
#: login's password in both spellings ASP.NET binds (docs/wire.md §3).
SECRET_POST_PARAMETERS: tuple[str, ...] = (
    "client_secret",
    "refresh_token",
    "code_verifier",
    "password",
    "Password",
    "code",
)
#: JSON response fields that carry tokens; ``result`` is the bearer token of
#: ``/api/Account/Authenticate`` (the ABP envelope, docs/wire.md §3), redacted when a string.
#: ``code`` is not among them: in answers it is an error code ("UnsupportedApiVersion").
SECRET_BODY_FIELDS = frozenset(
    {"access_token", "refresh_token", "id_token", "result", "client_secret", "password"}
)
_RESPONSE_FIELDS = frozenset(f.lower() for f in SECRET_BODY_FIELDS)
_REQUEST_FIELDS = _RESPONSE_FIELDS | {p.lower() for p in SECRET_POST_PARAMETERS}
_SECRET_QUERY = frozenset({"code", "access_token", "id_token", "refresh_token"})
_SECRET_HEADERS = ("authorization", "cookie", "x-uipath-robotkey")
_JWT = re.compile(r"eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*")
_BEARER = re.compile(r"(?i)\b(bearer|basic|uirobot)\s+(?!<REDACTED>)[\w.~+/=-]{8,}")

#: Paths of token calls, which match on their (scrubbed) body as well: a refresh and a
#: client-credentials call hit the same URL and differ only there.
TOKEN_PATHS = re.compile(r"(?i)(/connect/token|/oauth/token|/api/account/authenticate)$")

#: Matching: method, path and query, plus the body of token calls. Scheme, host and port
#: are left out on purpose, so a cassette recorded from ``cloud.serve()`` on some loopback
#: port replays for any origin, and one recorded in-process replays over loopback.
MATCH_ON: tuple[str, ...] = ("method", "path", "query", "token_body")


def token_body(r1: Any, r2: Any) -> None:
    """vcrpy matcher: token calls must have equal bodies (form and JSON normalised)."""
    if TOKEN_PATHS.search(r1.path) or TOKEN_PATHS.search(r2.path):
        vcr_matchers.body(r1, r2)


def register_matchers(vcr: Any) -> None:
    """Register the kit's custom matchers on a ``vcr.VCR`` (pytest-recording's hook too)."""
    vcr.register_matcher("token_body", token_body)


def _redact_data(data: Any, secret: frozenset[str]) -> Any:
    if isinstance(data, dict):
        return {
            key: (
                REDACTED
                if isinstance(key, str)
                and key.lower() in secret
                and isinstance(value, str)
                and value
                else _redact_data(value, secret)
            )
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [_redact_data(item, secret) for item in data]
    if isinstance(data, str):
        return _redact_text(data)
    return data


def _redact_text(text: str) -> str:
    text = _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    return _JWT.sub(REDACTED, text)


def _redact_url(url: str) -> str:
    parts = urlsplit(url)
    if not parts.query:
        return url
    pairs = [
        (k, REDACTED if k.lower() in _SECRET_QUERY else v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(query=urlencode(pairs, safe="<>")))


def _redact_body(body: bytes, content_type: str, secret: frozenset[str]) -> bytes:
    if not body:
        return body
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
    if "json" in content_type.lower() or text[:1] in "{[":
        try:
            data = json.loads(text)
        except ValueError:
            pass
        else:
            redacted = _redact_data(data, secret)
            if redacted == data:
                return body  # nothing secret: keep the bytes as they came
            return json.dumps(redacted, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    if "x-www-form-urlencoded" in content_type.lower():
        pairs = [
            (k, REDACTED if k.lower() in secret else v)
            for k, v in parse_qsl(text, keep_blank_values=True)
        ]
        return urlencode(pairs, safe="<>").encode("ascii")
    redacted = _redact_text(text)
    return body if redacted == text else redacted.encode("utf-8")


def _header(headers: dict[str, Any], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name:
            return str(value[0] if isinstance(value, list) and value else value)
    return ""


def redact_response(response: dict[str, Any]) -> dict[str, Any]:
    """vcrpy ``before_record_response``: tokens out of JSON bodies, codes out of Location.

    Runs on the serialized response (``{"status", "headers", "body": {"string": bytes}}``)
    before vcrpy stores it. ``Content-Length`` follows the new body.
    """
    headers: dict[str, Any] = response.get("headers") or {}
    body = response.get("body") or {}
    raw = body.get("string")
    if isinstance(raw, (bytes, str)) and raw:
        content = raw.encode("utf-8") if isinstance(raw, str) else raw
        new = _redact_body(content, _header(headers, "content-type"), _RESPONSE_FIELDS)
        if new != content:
            body["string"] = new
            for key in list(headers):
                if key.lower() == "content-length":
                    headers[key] = [str(len(new))]
    for key in list(headers):
        lower = key.lower()
        values = headers[key] if isinstance(headers[key], list) else [headers[key]]
        if lower == "location":
            headers[key] = [_redact_url(str(v)) for v in values]
        elif lower == "set-cookie":
            headers[key] = [REDACTED for _ in values]
        # WWW-Authenticate is left alone: 'Bearer error="invalid_token"' names no secret.
    return response


def scrub_request(request: Any) -> Any:
    """vcrpy ``before_record_request``: what ``filter_*`` options miss.

    JSON bodies sent as ``application/json; charset=utf-8`` or with nested secrets, and
    secrets in query strings. Runs after vcrpy's own filters, on a copy of the request.
    """
    body = request.body
    if body:
        content_type = request.headers.get("Content-Type", "") or ""
        raw = body.encode("utf-8") if isinstance(body, str) else bytes(body)
        new = (
            _redact_body(raw, content_type, _REQUEST_FIELDS)
            if "json" in content_type.lower()
            else raw
        )
        if new != raw:
            request.body = new
    if request.query and any(k.lower() in _SECRET_QUERY for k, _ in request.query):
        request.uri = _redact_url(request.uri)
    return request


def vcr_config(**overrides: Any) -> dict[str, Any]:
    """The keyword arguments for ``vcr.use_cassette`` (and pytest-recording's ``vcr_config``).

    Scrubs at record time: the ``Authorization``/``Cookie`` headers, the form and JSON
    fields in :data:`SECRET_POST_PARAMETERS`, tokens in JSON responses (``access_token``,
    ``refresh_token``, ``id_token``, the ABP ``result``), and ``code`` in ``Location``.
    Matches with :data:`MATCH_ON` (register :func:`token_body` first, see
    :func:`register_matchers`). YAML, loaded by vcrpy's safe loader.

    ``record_mode`` is left out on purpose: pytest-recording 0.14 lets a ``vcr_config``
    ``record_mode`` override ``--record-mode`` when it opens the cassette, while its network
    blocker reads the command line first, so setting it here would split the two. The
    command line's default, ``none``, applies.
    """
    config: dict[str, Any] = {
        "filter_headers": [(name, REDACTED) for name in _SECRET_HEADERS],
        "filter_post_data_parameters": [(name, REDACTED) for name in SECRET_POST_PARAMETERS],
        "before_record_request": [scrub_request],
        "before_record_response": [redact_response],
        "decode_compressed_response": True,
        "match_on": MATCH_ON,
        "serializer": "yaml",
    }
    config.update(overrides)
    return config

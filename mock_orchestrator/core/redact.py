"""Redaction: secrets never leave the kit in logs, journals, reports or cassettes.

Secrets are recognised by field name (form, JSON, query) and by header name, wherever they
appear, and anything shaped like a JWT is masked wherever it is, whatever its field or header
is called (a ``client_assertion``, a ``subject_token``, a token pasted into a free-text field).
Every value of a secret field is masked, a list or an object's included. Headers whose name
says key, token or secret (``X-Api-Key``, ``X-Auth-Token``) are masked whole. The placeholder
keeps the length, which is what a person debugging a token problem needs to see ("a
43-character verifier was sent") without the value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = [
    "SECRET_FIELDS",
    "SECRET_HEADERS",
    "mask",
    "redact_body",
    "redact_headers",
    "redact_mapping",
    "redact_url",
]

#: Field names whose values are secrets, compared lower-cased.
SECRET_FIELDS = frozenset(
    {
        "access_token",
        "refresh_token",
        "id_token",
        "id_token_hint",  # the end-session endpoint's query
        "client_secret",
        "code",
        "code_verifier",
        "password",
        "user_key",
        "userkey",
        "secret",
        "token",
        "result",  # /api/Account/Authenticate puts the bearer token in "result"
        "assertion",
        "client_assertion",  # RFC 7523 private_key_jwt
        "subject_token",  # RFC 8693 token exchange
        "actor_token",
        "api_key",
        "apikey",
    }
)
SECRET_HEADERS = frozenset({"authorization", "cookie", "set-cookie", "x-uipath-robotkey"})
#: Header names holding any of these words are secrets whatever the header is (X-Auth-Token),
#: and so are names ending in "-key"/"_key" (X-Api-Key); X-UIPATH-FolderKey names a folder.
_SECRET_HEADER_WORDS = ("token", "secret", "password", "apikey")

# A credential after its scheme is a token68 (RFC 9110 §11.4): letters, digits, -._~+/ and
# trailing "=". Masked once only: a value already shown as ***(N chars) is left alone, and so is
# a challenge's auth-param (``Bearer error="invalid_token"``: a short name, "=", then a value).
_BEARER = re.compile(
    r"(?i)\b(bearer|basic|uirobot)\s+"
    r"(?!\*\*\*\()(?![A-Za-z_][\w-]{0,31}=(?:\"|[\w-]))"
    r"([A-Za-z0-9\-._~+/]+=*)"
)
_JWT = re.compile(r"eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*")


def mask(value: str) -> str:
    """``***(N chars)``: hides the value, keeps its length."""
    return f"***({len(value)} chars)"


def is_secret_field(name: str) -> bool:
    return name.lower() in SECRET_FIELDS


def is_secret_header(name: str) -> bool:
    """A header to mask whole: a known one, or one whose name says key, token or secret."""
    lname = name.lower()
    return (
        lname in SECRET_HEADERS
        or lname.endswith(("-key", "_key"))
        or any(word in lname for word in _SECRET_HEADER_WORDS)
    )


def mask_all(value: Any) -> Any:
    """Every leaf of ``value`` masked, its structure kept (a secret sent as a list or object)."""
    if isinstance(value, Mapping):
        return {k: mask_all(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_all(item) for item in value]
    if value is None or isinstance(value, bool):
        return value
    return mask(value if isinstance(value, str) else str(value))


def redact_mapping(data: Any) -> Any:
    """A deep copy of JSON-like ``data`` with every secret field masked."""
    if isinstance(data, Mapping):
        out: dict[str, Any] = {}
        for key, value in data.items():
            if isinstance(key, str) and key.lower() in SECRET_FIELDS:
                out[key] = mask_all(value)
            else:
                out[redact_text(key) if isinstance(key, str) else key] = redact_mapping(value)
        return out
    if isinstance(data, list):
        return [redact_mapping(item) for item in data]
    if isinstance(data, str):
        return redact_text(data)
    return data


def redact_text(text: str) -> str:
    """Masks bearer credentials and anything shaped like a JWT inside free text."""
    text = _BEARER.sub(lambda m: f"{m.group(1)} {mask(m.group(2))}", text)
    return _JWT.sub(lambda m: mask(m.group(0)), text)


def redact_headers(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in headers:
        lname = name.lower()
        if lname in SECRET_HEADERS:
            scheme, _, rest = value.partition(" ")
            out[lname] = f"{scheme} {mask(rest)}" if rest else mask(value)
        elif is_secret_header(lname):
            out[lname] = mask(value)
        elif lname == "location":
            out[lname] = redact_url(value)
        else:
            out[lname] = redact_text(value)
    return out


def redact_url(url: str) -> str:
    parts = urlsplit(url)
    if not parts.query:
        return url
    pairs = [
        (k, mask(v) if k.lower() in SECRET_FIELDS else redact_text(v))
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(query=urlencode(pairs, safe="*() ")))


def redact_body(content: bytes, content_type: str) -> Any:
    """A body as redacted JSON data, redacted form fields, or redacted text."""
    if not content:
        return None
    text = content.decode("utf-8", "replace")
    media = content_type.split(";", 1)[0].strip().lower()
    if "json" in media or text[:1] in ("{", "["):
        try:
            return redact_mapping(json.loads(text))
        except ValueError:
            pass
    if media == "application/x-www-form-urlencoded":
        return _redact_form(parse_qsl(text, keep_blank_values=True))
    if len(text) > 2000:
        text = text[:2000] + f"... ({len(content)} bytes)"
    return redact_text(_redact_secret_fields_in_text(text))


def _redact_form(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Form fields, masked; a repeated field keeps every value, as a list (each masked)."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        shown = mask(value) if key.lower() in SECRET_FIELDS else redact_text(value)
        if key not in out:
            out[key] = shown
        elif isinstance(out[key], list):
            out[key].append(shown)
        else:
            out[key] = [out[key], shown]
    return out


_FIELD_NAMES = "|".join(sorted(SECRET_FIELDS, key=len, reverse=True))
# A body that would not parse (truncated JSON, a form sent as text/plain) can still carry
# ``"password": "..."`` or ``client_secret=...``: mask those by shape as well.
_JSON_FIELD = re.compile(rf'(?i)("(?:{_FIELD_NAMES})"\s*:\s*")((?:[^"\\]|\\.)*)("?)')
_FORM_FIELD = re.compile(rf"(?i)(?<![\w-])((?:{_FIELD_NAMES})=)([^&\s]*)")


def _redact_secret_fields_in_text(text: str) -> str:
    text = _JSON_FIELD.sub(lambda m: m.group(1) + mask(m.group(2)) + m.group(3), text)
    return _FORM_FIELD.sub(lambda m: m.group(1) + mask(m.group(2)), text)

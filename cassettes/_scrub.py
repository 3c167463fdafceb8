"""Scrubbing that cannot leak: every secret becomes a placeholder, consistently within a cassette.

One :class:`Scrubber` serves one cassette (the recorder makes one per file; ``vcr_config()``
one per call, which pytest-recording makes per test). It replaces

* the value of every **secret field**, whatever its letter case or place: form and query
  parameters, JSON keys at any depth, arrays of them (``client_secret``, ``refresh_token``,
  ``access_token``, ``id_token``, ``code``, ``code_verifier``, ``password``, the revocation
  body's ``token``, ``id_token_hint``, ``assertion``, ``client_assertion``, ``subject_token``,
  ``actor_token``, the ABP ``result``, ...);
* the credential of ``Authorization`` and ``Proxy-Authorization`` (the scheme stays), cookies,
  and robot keys;
* **anything secret-shaped anywhere else**: a JWT, or a long random value (the patterns of
  :mod:`cassettes._scan`, so what the audit would flag is exactly what is masked).

The same secret always becomes the same placeholder (``<refresh_token-2>``), wherever it
appears: a token issued in an answer and sent back in the next request, or revoked at logout,
keeps one name, so a replayed refresh still matches and the order of a rotation is kept. A
value that already is a placeholder is left alone, so scrubbing twice changes nothing.
Bodies that are not what their content type says (invalid JSON, bytes) are scrubbed as text,
never raised on.
"""

from __future__ import annotations

import json
import re
import threading
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ._scan import PATTERNS, PUBLIC_PARAMETER, PUBLIC_VALUES, TRACE_ID

__all__ = ["PLACEHOLDER", "PUBLIC_FIELDS", "SECRET_FIELDS", "Scrubber", "is_placeholder"]

#: ``<REDACTED>``, ``<client_secret>``, ``<refresh_token-2>``: values that name a secret.
PLACEHOLDER = re.compile(r"<[A-Za-z_][\w.:-]*>")

#: Field names (lower case, ``-`` read as ``_``) whose values are secrets, and the kind each
#: placeholder is named after.
SECRET_FIELDS: dict[str, str] = {
    "client_secret": "client_secret",
    "refresh_token": "refresh_token",
    "access_token": "access_token",
    "id_token": "id_token",
    "id_token_hint": "id_token",
    "code": "code",
    "code_verifier": "code_verifier",
    "device_code": "code",
    "password": "password",
    "token": "token",
    "assertion": "assertion",
    "client_assertion": "assertion",
    "subject_token": "token",
    "actor_token": "token",
    "result": "access_token",  # the bearer token of /api/Account/Authenticate (ABP envelope)
    "user_key": "user_key",
    "userkey": "user_key",
    "api_key": "api_key",
    "apikey": "api_key",
    "secret": "secret",
    "private_key": "secret",
}
#: Fields whose long random-looking values are public by design and kept: the PKCE challenge
#: travels through the browser, ``state`` and ``nonce`` are echoed in URLs.
PUBLIC_FIELDS = frozenset({"code_challenge", "state", "nonce", "client_id"})
#: Headers whose whole value (after an auth scheme) is a credential.
_CREDENTIAL_HEADERS = frozenset(
    {"authorization", "proxy_authorization", "x_uipath_robotkey", "x_api_key", "api_key"}
)
_COOKIE_HEADERS = frozenset({"cookie", "set_cookie"})
# In a response, "code" is an error code ("UnsupportedApiVersion", 0), not a secret.
_ANSWER_NOT_SECRET = frozenset({"code"})
# Secrets seen in a field are also replaced in free text from then on, when long enough not
# to hit ordinary words.
_MIN_REPLACED = 8
#: A bound on distinct secrets per cassette; beyond it every new one shares one placeholder.
MAX_SECRETS = 10_000


def is_placeholder(value: str) -> bool:
    return PLACEHOLDER.fullmatch(value) is not None


def _name(key: str) -> str:
    return key.strip().lower().replace("-", "_")


class Scrubber:
    """Turns secrets into placeholders, one name per secret for this scrubber's lifetime."""

    def __init__(self, public: tuple[str, ...] = PUBLIC_VALUES) -> None:
        self._names: dict[str, str] = {}
        self._counts: dict[str, int] = {}
        self._public = frozenset(public)
        self._lock = threading.Lock()

    # -- placeholders ---------------------------------------------------------------------

    def placeholder(self, secret: str, kind: str) -> str:
        """The placeholder of ``secret``: the one it already has, or a new ``<kind-N>``."""
        if not secret or is_placeholder(secret):
            return secret
        with self._lock:
            found = self._names.get(secret)
            if found is None:
                if len(self._names) >= MAX_SECRETS:
                    return f"<{kind}>"
                number = self._counts.get(kind, 0) + 1
                self._counts[kind] = number
                found = self._names[secret] = f"<{kind}-{number}>"
            return found

    def secrets(self) -> list[str]:
        """Every secret this scrubber has named (for a test that searches for them)."""
        with self._lock:
            return list(self._names)

    # -- text -----------------------------------------------------------------------------

    def text(self, text: str) -> str:
        """Mask every secret-shaped run in free text (a JWT, a long random value)."""
        if not text:
            return text
        with self._lock:
            named = [(v, n) for v, n in self._names.items() if len(v) >= _MIN_REPLACED]
        for value, name in named:  # secrets seen before keep their names anywhere
            if value in text:
                text = text.replace(value, name)
        keep = [m.group(0) for m in TRACE_ID.finditer(text)]
        keep += [m.group(0) for m in PUBLIC_PARAMETER.finditer(text)]
        keep += [v for v in self._public if v in text]
        for kind, pattern in PATTERNS:

            def mask(match: re.Match[str], kind: str = kind) -> str:
                return self._mask(match, kind, keep)

            text = pattern.sub(mask, text)
        return text

    def _mask(self, match: re.Match[str], kind: str, keep: list[str]) -> str:
        secret = match.group("s")
        if any(secret in kept for kept in keep) or PLACEHOLDER.search(secret):
            return match.group(0)
        name = match.groupdict().get("n")
        if name:
            kind = SECRET_FIELDS.get(_name(name), _name(name))
        start, end = match.span("s")
        offset = match.start(0)
        whole = match.group(0)
        return whole[: start - offset] + self.placeholder(secret, kind) + whole[end - offset :]

    def field(self, key: str, value: str, *, answer: bool = False) -> str:
        """A named field's value: a placeholder for a secret field, else masked text."""
        name = _name(key)
        if name in SECRET_FIELDS and not (answer and name in _ANSWER_NOT_SECRET):
            return self.placeholder(value, SECRET_FIELDS[name])
        if name in PUBLIC_FIELDS:
            return value
        return self.text(value)

    # -- structures -----------------------------------------------------------------------

    def json_value(self, data: Any, key: str = "", *, answer: bool = False) -> Any:
        """A JSON value with every secret field (at any depth, in arrays too) replaced."""
        if isinstance(data, dict):
            return {k: self.json_value(v, str(k), answer=answer) for k, v in data.items()}
        if isinstance(data, list):
            return [self.json_value(item, key, answer=answer) for item in data]
        if isinstance(data, str):
            return self.field(key, data, answer=answer)
        return data

    def form(self, text: str, *, answer: bool = False) -> str:
        pairs = parse_qsl(text, keep_blank_values=True)
        if not pairs and text:
            return self.text(text)
        return urlencode([(k, self.field(k, v, answer=answer)) for k, v in pairs], safe="<>")

    def url(self, url: str) -> str:
        """A URL with secret query and fragment parameters (and secret-shaped paths) masked."""
        parts = urlsplit(url)
        query = self.form(parts.query) if parts.query else ""
        fragment = self.form(parts.fragment) if "=" in parts.fragment else parts.fragment
        return urlunsplit(
            parts._replace(path=self.text(parts.path), query=query, fragment=fragment)
        )

    def body(self, body: bytes | str | None, content_type: str, *, answer: bool = False) -> Any:
        """A body scrubbed by its content type; returns the same type it was given.

        JSON that does not parse, and bodies of any other type, are scrubbed as text; bytes
        that are not UTF-8 are kept as they are (no text secret can hide in them unseen by a
        text scan anyway: the audit reads the file as text).
        """
        if not body:
            return body
        if isinstance(body, bytes):
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                return body
        else:
            text = body
        new = self._body_text(text, content_type.lower(), answer)
        if new == text:
            return body
        return new.encode("utf-8") if isinstance(body, bytes) else new

    def _body_text(self, text: str, content_type: str, answer: bool) -> str:
        stripped = text.lstrip()
        if "json" in content_type or stripped[:1] in ("{", "["):
            try:
                data = json.loads(text)
            except ValueError:
                return self.text(text)
            scrubbed = self.json_value(data, answer=answer)
            if scrubbed == data:
                return text
            return json.dumps(scrubbed, separators=(",", ":"), ensure_ascii=False)
        if "x-www-form-urlencoded" in content_type:
            return self.form(text, answer=answer)
        return self.text(text)

    def header(self, name: str, value: str) -> str:
        key = _name(name)
        if key in _CREDENTIAL_HEADERS:
            scheme, _, credential = value.partition(" ")
            if credential and scheme.isalpha():
                return f"{scheme} {self.placeholder(credential.strip(), scheme.lower())}"
            return self.placeholder(value, "credential")
        if key in _COOKIE_HEADERS:
            return "; ".join(self._cookie(part) for part in value.split(";"))
        if key == "location":
            return self.url(value)
        return self.text(value)

    def _cookie(self, part: str) -> str:
        name, sep, value = part.strip().partition("=")
        attributes = {"path", "domain", "expires", "max-age", "samesite"}
        if not sep or name.lower() in attributes:
            return part.strip()
        return f"{name}={self.placeholder(value, 'cookie')}"

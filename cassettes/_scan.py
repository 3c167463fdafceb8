"""A guard against secrets in cassettes: patterns no recorded file may contain.

Record-time scrubbing (``_config.py``) is the first line; this scan is the second, run by
the kit's tests over every cassette, and usable on a team's own cassettes::

    from cassettes import find_secrets
    assert not find_secrets(path.read_text(), known=[my_client_secret])
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "PATTERNS",
    "PUBLIC_PARAMETER",
    "PUBLIC_VALUES",
    "SECRET_SHAPES",
    "TRACE_ID",
    "Finding",
    "find_secrets",
]

#: Published identifiers that look like secrets and are not: UiPath's public OAuth client
#: ids of the legacy cloud [V] docs/wire.md §2.1/§2.3, and the state and nonce of the
#: published authorize URL [V] §2.1.
PUBLIC_VALUES: tuple[str, ...] = (
    "8DEv1AMNXczW3y4U15LL3jYf62jK93n5",
    "5v7PmPJL6FOGu6RB8I1Y4adLBhIwovQN",
    "47441df4d0f0a89da08d43b6dfdc4be2",
    "b0f368cbc59c6b99ccc8e9b66a30b4a6",
)

#: W3C trace ids are long hex by design and not secrets: "00-<32 hex>-<16 hex>-0x".
TRACE_ID = re.compile(r"\b00-[0-9a-f]{32}-[0-9a-f]{16}-0[0-9a-f]\b")

#: Secret-shaped values wherever they stand: what the scrubber masks in free text, and what
#: the audit flags when it is not a placeholder. Each pattern's group ``s`` is the secret.
SECRET_SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("jwt", re.compile(r"(?P<s>eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*)")),
    ("long hex", re.compile(r"(?<![\w-])(?P<s>[0-9a-fA-F]{32,})(?![\w-])")),
    # Opaque tokens: 24+ URL-safe characters mixing upper case, lower case and digits (the
    # shape of refresh tokens, User Keys and client secrets); "/" is left out so URL paths
    # do not read as one long token.
    (
        "opaque token",
        re.compile(r"(?<![\w-])(?P<s>(?=[\w-]*[A-Z])(?=[\w-]*[a-z])(?=[\w-]*\d)[\w-]{24,})"),
    ),
)

# Names of secret fields, any letter case (CLIENT_SECRET too); "code" only where a value
# follows in a URL, since in answers it is an error code.
_NAMES = (
    r"access_token|refresh_token|id_token|id_token_hint|client_secret|password|code_verifier|"
    r"client_assertion|assertion|subject_token|actor_token|user_?key|api_?key|token"
)
#: Secrets by where they stand, then by shape. Each pattern's group ``s`` is the secret.
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    SECRET_SHAPES[0],
    (
        "bearer credential",
        re.compile(r"(?i)\b(?P<n>bearer|basic|uirobot)\s+(?!<)(?P<s>[\w.~+/=-]{8,})"),
    ),
    (
        "secret field (JSON)",
        re.compile(rf'(?i)"(?P<n>{_NAMES})"\s*:\s*(?:\[\s*)?"(?!<)(?P<s>[^"]+)"'),
    ),
    (
        "secret field (form)",
        re.compile(rf"(?i)(?<![\w.])(?P<n>{_NAMES})=(?!<|%3C|&|\s|$)(?P<s>[^&\s'\"]+)"),
    ),
    (
        "secret field (YAML)",
        re.compile(
            rf"(?im)^\s*(?:- )?(?P<n>{_NAMES}):[ \t]+(?!['\"]?<|''|\"\"|null\b|~)(?P<s>\S+)"
        ),
    ),
    ("authorization code in a URL", re.compile(r"[?&#]code=(?!<|%3C)(?P<s>[^&\s'\"]{6,})")),
    *SECRET_SHAPES[1:],
)
# Values that are public by design even when they look random: the PKCE challenge, state
# and nonce travel through the browser.
PUBLIC_PARAMETER = re.compile(
    r"(?i)(?:(?<![\w.])(?:code_challenge|state|nonce)=[\w.~-]+|"
    r'"(?:code_challenge|state|nonce)"\s*:\s*"[^"]*"|'
    r"^\s*(?:code_challenge|state|nonce):\s+\S+)"
)


@dataclass(frozen=True)
class Finding:
    """One suspicious string: which rule caught it, where, and a masked excerpt."""

    rule: str
    line: int
    excerpt: str


def _mask(value: str) -> str:
    return value[:6] + f"...({len(value)} chars)" if len(value) > 8 else "***"


def find_secrets(
    text: str, *, known: Iterable[str] = (), allowed: Iterable[str] = PUBLIC_VALUES
) -> list[Finding]:
    """Every secret-shaped string in ``text``, plus every occurrence of a ``known`` secret.

    ``known`` holds exact values that must never appear (a world's client secret, refresh
    token, User Key, password). ``allowed`` holds public values that merely look like
    secrets (public client ids, a PKCE code challenge). Excerpts are masked so the report
    itself leaks nothing.
    """
    findings: list[Finding] = []
    public = [value for value in allowed if value]
    for number, line in enumerate(text.splitlines(), start=1):
        cleaned = PUBLIC_PARAMETER.sub("", TRACE_ID.sub("", line))
        for value in public:
            cleaned = cleaned.replace(value, "")
        for rule, pattern in PATTERNS:
            for match in pattern.finditer(cleaned):
                findings.append(Finding(rule, number, _mask(match.group(0))))
        for secret in known:
            if secret and len(secret) >= 6 and secret in line:
                findings.append(Finding("known secret", number, _mask(secret)))
    return findings

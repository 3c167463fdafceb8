"""The one parser of OData entity keys: ``Jobs(10169582)``, ``Jobs(10169582L)``, ``Jobs(Id=5)``.

Every route that takes a numeric key reads it here, so ``GET Jobs(10169582L)`` and
``POST Jobs(10169582L)/...StopJob`` agree (they did not when each handler parsed its own).
Accepted: decimal digits with an optional ``L``/``l`` suffix (OData v3's Int64 literal, which
older clients still send), optionally written ``Id=...``/``key=...`` (OData's named key).
Anything else is a 400 errorCode 1000 in ASP.NET's wording [I].
"""

from __future__ import annotations

from ..exceptions import InvalidRequest

__all__ = ["parse_key", "parse_text_key"]

#: Int64 has 19 digits; 18 keeps every accepted key inside it without a range check.
_MAX_DIGITS = 18


def parse_key(raw: str) -> int:
    """An Int64 entity key from its URL form, or :class:`InvalidRequest`."""
    text = raw.strip()
    name, sep, value = text.partition("=")
    if sep and name.strip().lower() in ("id", "key"):
        text = value.strip()
    if text[-1:] in ("L", "l"):
        text = text[:-1]
    if not (text.isascii() and text.isdigit()) or len(text) > _MAX_DIGITS:
        raise InvalidRequest(f"The key value ({raw[:40]}) from request is not valid.")
    return int(text)


def parse_text_key(raw: str) -> str:
    """A string or GUID argument of a function call: quotes of ``'abc'`` removed, ``''`` kept
    as one quote."""
    text = raw.strip()
    if len(text) >= 2 and text[0] == text[-1] == "'":
        text = text[1:-1].replace("''", "'")
    return text

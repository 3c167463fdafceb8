"""The one parser of an entity key in a URL: ``Jobs(10169582)``, ``QueueItems(41647784L)``.

Every ``Entity(key)`` route of the mock takes an Int64 key ([V] swagger: ``key`` int64). OData
v4 writes an Int64 literal without a suffix; v3 clients add ``L`` (``123L``), which ASP.NET
OData accepts on reads [V] (the GET of ``Jobs(10169582L)`` was always 200). The mock takes the
suffix on every keyed route alike [I] (StopJob refused it before the parsers were unified).
"""

from __future__ import annotations

from ..exceptions import InvalidRequest

__all__ = ["parse_key", "parse_text_key"]


def parse_key(raw: str) -> int:
    """The Int64 key of ``Entity(raw)``; :class:`InvalidRequest` (400 errorCode 1000) if not one.

    Blanks around the key and one ``L``/``l`` suffix are allowed; at most 18 digits, so every
    accepted key fits an Int64.
    """
    text = raw.strip()
    digits = text[:-1] if text[-1:] in ("L", "l") else text
    # isascii: str.isdigit() also accepts "²" and other digits int() refuses
    if not (digits.isascii() and digits.isdigit() and len(digits) <= 18):
        raise InvalidRequest(f"The key value ({text[:40]}) from request is not valid.")
    return int(digits)


def parse_text_key(raw: str) -> str:
    """A string or GUID argument of a function call: quotes of ``'abc'`` removed, ``''`` read
    as one quote (``GetFoldersForAsset(id=5)`` takes :func:`parse_key`)."""
    text = raw.strip()
    if len(text) >= 2 and text[0] == text[-1] == "'":
        text = text[1:-1].replace("''", "'")
    return text

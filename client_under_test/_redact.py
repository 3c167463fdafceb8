"""Masking for anything that could carry a secret, before it reaches a repr, a log or an error."""

from __future__ import annotations

import hashlib

__all__ = ["fingerprint", "mask"]


def mask(secret: str | None) -> str:
    """``'***(43 chars)'``: enough to tell two values apart by length, nothing to replay."""
    if secret is None:
        return "None"
    return f"***({len(secret)} chars)"


def fingerprint(secret: str) -> str:
    """A short one-way digest, to recognise a value (in a store) without keeping it readable."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()[:16]

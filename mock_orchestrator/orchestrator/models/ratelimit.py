"""Orchestrator's per-tenant rate limit on list GETs of Jobs and QueueItems.

[D] docs api-guide/rate-limits (docs/wire.md §9): ``GET /odata/Jobs`` and
``GET /odata/QueueItems`` with filters are limited to 100 requests per minute per tenant
(non-automation usage); single gets such as ``GET /odata/Jobs(<id>)`` are not. The window is a
fixed minute aligned on the world's clock [I] (the docs say "per minute", not how windows are
cut), each endpoint counting on its own [D: the table lists one limit per endpoint]. The 429
carries ``Retry-After`` in whole seconds to the end of the window [I]; UiPath's SDK reads
numeric seconds ([V] UIPY ``common/retry.py``).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable

from ..exceptions import TooManyRequests

__all__ = ["DEFAULT_LIMIT_PER_MINUTE", "RateLimiter"]

DEFAULT_LIMIT_PER_MINUTE = 100
_WINDOW = 60.0


class RateLimiter:
    """Fixed one-minute windows on a clock; ``hit(bucket, limit)`` raises 429 when over."""

    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now
        self._windows: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def hit(self, bucket: str, limit: int | None) -> None:
        if limit is None:
            return
        now = self._now()
        start = math.floor(now / _WINDOW) * _WINDOW
        with self._lock:
            window_start, count = self._windows.get(bucket, (start, 0))
            if window_start != start:
                count = 0
            if count >= limit:
                self._windows[bucket] = (start, count)
                raise TooManyRequests(max(1, math.ceil(start + _WINDOW - now)))
            self._windows[bucket] = (start, count + 1)

    def used(self, bucket: str) -> int:
        """Requests counted in the current window (for tests and the journal)."""
        start = math.floor(self._now() / _WINDOW) * _WINDOW
        window_start, count = self._windows.get(bucket, (start, 0))
        return count if window_start == start else 0

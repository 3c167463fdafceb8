"""Seeded identifiers, so that a world built with the same seed is the same world.

Moto's ``MotoRandom`` idea: one random source per world, never the module-level ``random`` or
``uuid.uuid4()``, so keys, GUIDs, refresh tokens and trace ids are reproducible and cassettes and
snapshots stay stable.
"""

from __future__ import annotations

import base64
import random
import threading
from collections import defaultdict

__all__ = ["IdGenerator"]


class IdGenerator:
    """Deterministic ids for one world. Thread-safe."""

    def __init__(self, seed: int = 0) -> None:
        self._random = random.Random(seed)
        self._counters: defaultdict[str, int] = defaultdict(int)
        self._lock = threading.Lock()

    def guid(self) -> str:
        """A version-4 GUID string, lower case, as Orchestrator writes ``Key`` fields."""
        with self._lock:
            bits = self._random.getrandbits(128)
        # str(uuid.UUID(int=bits, version=4)), written out: building the UUID object cost more
        # than the randomness, and every job and key asks for one (test_clock_and_ids pins it).
        bits = bits & ~(0xC000 << 48) | 0x8000 << 48  # the RFC 4122 variant, 10xx
        bits = bits & ~(0xF000 << 64) | 4 << 76  # version 4
        text = f"{bits:032x}"
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"

    def token(self, nbytes: int = 32) -> str:
        """An opaque URL-safe token (refresh tokens, codes, user keys)."""
        with self._lock:
            raw = self._random.getrandbits(nbytes * 8).to_bytes(nbytes, "big")
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")

    def hex(self, nchars: int) -> str:
        with self._lock:
            return f"{self._random.getrandbits(nchars * 4):0{nchars}x}"

    def sequence(self, kind: str, start: int = 1) -> int:
        """The next integer id of ``kind`` (Jobs, QueueItems, ...): 1, 2, 3 ... from ``start``."""
        with self._lock:
            value = self._counters[kind]
            self._counters[kind] = value + 1
        return start + value

    def trace_id(self) -> str:
        """A W3C traceparent-like id, as Orchestrator's compact errors carry in ``traceId``."""
        return f"00-{self.hex(32)}-{self.hex(16)}-00"

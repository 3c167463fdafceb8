"""``--chaos SEED``: seeded faults on some runs, the weather a scheduled job meets in production.

A run given a fault may fail; the run after it must succeed with no human, and no run may start
a job twice. The plan is a pure function of the seed and the number of runs (the same seed gives
the same faults on the same runs), never two chaos runs in a row (so "the next one recovers" is
always judged) and never the first run (day one is the deployment, judged clean).

The faults, each fired once in its run:

* ``5xx``       -- a 503 from the token endpoint or from StartJobs (nothing was done)
* ``429``       -- a 429 with ``Retry-After: 1`` from StartJobs (nothing was done)
* ``drop``      -- the connection is closed without an answer *after* StartJobs started the job
                   (a lost response: a blind retry starts a second job)
* ``stall``     -- the token endpoint never answers; the served mode closes the connection after
                   the soak's stall cap (the program should have given up sooner)
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from mock_orchestrator import MockCloud

__all__ = ["CHAOS_KINDS", "ChaosPlan", "LostResponse"]

CHAOS_KINDS = ("5xx", "429", "drop", "stall")
#: Where each fault strikes (path regexes, so that they fit every profile's token endpoint).
TOKEN_PATHS = r"(?i)/connect/token|/oauth/token|/api/account/authenticate"
START_JOBS = r"(?i)StartJobs"
#: Share of the runs (after the first) given a fault.
RATE = 0.3


@dataclass(frozen=True)
class ChaosPlan:
    """Which run gets which fault: ``{run number: kind}``."""

    seed: int
    faults: dict[int, str]

    @classmethod
    def make(cls, seed: int, runs: int) -> ChaosPlan:
        rng = random.Random(seed)
        faults: dict[int, str] = {}
        for number in range(2, runs + 1):
            if number - 1 in faults or number == runs:  # the last run must show recovery too
                continue
            if rng.random() < RATE:
                faults[number] = rng.choice(CHAOS_KINDS)
        return cls(seed, faults)

    def arm(self, cloud: MockCloud, number: int, lost: LostResponse) -> str | None:
        """Schedule run ``number``'s fault (if any) on the world; returns what it is."""
        kind = self.faults.get(number)
        if kind is None:
            return None
        if kind == "5xx":
            where = TOKEN_PATHS if number % 2 else START_JOBS
            cloud.faults.add("response", path=where, status=503, times=1)
            return f"503 from {'the token endpoint' if number % 2 else 'StartJobs'}"
        if kind == "429":
            cloud.faults.add("response", path=START_JOBS, status=429, retry_after=1, times=1)
            return "429 with Retry-After: 1 from StartJobs"
        if kind == "drop":
            lost.armed = True
            return "StartJobs started the job, then the connection dropped (a lost response)"
        cloud.faults.add("stall", path=TOKEN_PATHS, times=1)
        return "the token endpoint stalled"

    @staticmethod
    def disarm(cloud: MockCloud, lost: LostResponse) -> None:
        cloud.faults.clear()
        lost.armed = False


class LostResponse:
    """Wraps the world's handler: when armed, the next StartJobs is served, then its answer lost.

    ``cloud.faults`` fire *before* the world acts; a lost response needs the job started first,
    which is the case a blind retry turns into a duplicate. The served app turns the
    ``RemoteProtocolError`` into a connection closed without a byte.
    """

    def __init__(self, inner: Callable[[httpx.Request], httpx.Response]) -> None:
        self.inner = inner
        self.armed = False

    def __call__(self, request: httpx.Request) -> httpx.Response:
        response = self.inner(request)
        if self.armed and request.method == "POST" and "startjobs" in request.url.path.lower():
            self.armed = False
            if response.status_code < 300:
                raise httpx.RemoteProtocolError(
                    "uipath-mock: chaos: the answer to StartJobs was lost", request=request
                )
        return response

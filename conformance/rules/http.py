"""HTTP resilience: Retry-After on 429, bounded retries of idempotent GETs, timeouts."""

from __future__ import annotations

import itertools
from typing import Any

from mock_orchestrator import Exchange

from .._plugs import LONGEST_OPERATION
from .._world import Client, RuleRun, World, fail
from ._common import no_hang, plural, require_ok
from ._registry import rule

__all__: list[str] = []

#: Polls of a job are GETs under /odata/Jobs (by id, by key, or a list): the faults' target.
_JOBS_GET = {"path": r"/odata/Jobs", "method": "GET"}
#: More tries than this on one operation is not "bounded" in any useful sense.
MAX_TRIES = 10
#: A fault that outlasts any bounded client; a client still trying after it has looped.
_FOREVER = 30
#: The Retry-After a command client gets, by profile. It waits in real time, so they are
#: short; they differ, so that a client sleeping a fixed second or two after any error,
#: without reading the header, fails where the header asks for more (one value would let a
#: fixed backoff of that length pass). A Python factory waits on the world's clock: 7 s.
_REAL_WAITS = {"legacy": 1, "identity": 2, "onprem": 3}


def _started(run: RuleRun, title: str, **changes: Any) -> tuple[World, Client, str]:
    world = run.world(title)
    client = world.client(**changes)
    key = require_ok(world, client.start_job(), "the first start_job")
    return world, client, str(key)


def _job_gets(world: World, mark: int) -> list[Exchange]:
    return world.since(mark, where=lambda e: e.method == "GET" and "/odata/jobs" in e.path.lower())


def _gives_up_on_every_poll(run: RuleRun, status: int, **fault: Any) -> list[Exchange]:
    """Every poll answers ``status``: the operation must end in an error within MAX_TRIES."""
    world, client, key = _started(run, f"{status} on every poll")
    world.fault("response", status=status, times=_FOREVER, **fault, **_JOBS_GET)
    mark = world.mark()
    op = client.get_job_state(key, may_hang=True)
    no_hang(world, op, f"get_job_state while every poll answers {status}")
    answered = [e for e in _job_gets(world, mark) if e.status_code == status]
    if not answered:  # no pass without evidence: giving up without asking proves nothing
        raise fail(
            f"get_job_state ended without a poll, so giving up on {status} could not be seen: "
            f"{world.scrub(op.error or '')}",
            *op.exchanges(world),
        )
    if op.ok or len(answered) > MAX_TRIES:
        raise fail(
            f"kept retrying through {plural(len(answered), str(status))}; give up "
            f"within {MAX_TRIES} tries",
            *answered[-3:],
        )
    return answered


@rule("http-429-retry-after")
def http_429_retry_after(run: RuleRun) -> str:
    """Part 1: one poll answers 429 with ``Retry-After``; the retry must come at least that many
    seconds later on the world's clock (a factory waits through ``env.sleep``; a command client
    waits in real time, which the served world's ticking clock records, so it gets 1, 2 or 3 s
    by profile: ``_REAL_WAITS``) and the poll must succeed. Part 2: every poll answers 429; the
    client must give up with an error within 10 tries.
    """
    wait = 7 if run.in_process else _REAL_WAITS[run.profile]
    world, client, key = _started(run, f"one 429 with Retry-After: {wait}")
    world.fault("response", status=429, retry_after=wait, times=1, **_JOBS_GET)
    mark = world.mark()
    op = client.get_job_state(key)
    gets = _job_gets(world, mark)
    for before, after in itertools.pairwise(gets):
        if before.status_code == 429 and after.at - before.at < wait - 0.001:
            raise fail(
                f"retried {after.at - before.at:.3g} s after a 429 that said Retry-After: {wait}",
                before,
                after,
            )
    require_ok(world, op, "get_job_state after one 429")
    waited = gets[1].at - gets[0].at if len(gets) > 1 else 0.0
    limited = _gives_up_on_every_poll(run, 429, retry_after=2 if run.in_process else 0)
    return (
        f"waited {waited:.3g} s for Retry-After: {wait}; gave up after "
        f"{plural(len(limited), '429')}"
    )


@rule("http-5xx-idempotent-retry")
def http_5xx_idempotent_retry(run: RuleRun) -> str:
    """Part 1, once each for 502, 503 (no Retry-After) and 504: the poll answers it once and
    must succeed on a retry, after a pause on the world's clock (backoff; the pause is not
    judged for command clients, whose waits are real). Part 2: every poll answers 503; the
    client must give up with an error within 10 tries.
    """
    pauses = []
    for status in (502, 503, 504):
        world, client, key = _started(run, f"one {status} on a poll")
        world.fault("response", status=status, times=1, **_JOBS_GET)
        mark = world.mark()
        op = client.get_job_state(key)
        gets = _job_gets(world, mark)
        if not op.ok:
            raise fail(
                f"a GET answered {status} once was not retried: {world.scrub(op.error or '')}",
                *gets,
            )
        if run.in_process and len(gets) > 1 and gets[1].at <= gets[0].at:
            raise fail(f"retried the {status} at once, with no backoff", *gets[:2])
        if len(gets) > 1:
            pauses.append(gets[1].at - gets[0].at)
    failed = _gives_up_on_every_poll(run, 503)
    shown = ", ".join(f"{p:.3g} s" for p in pauses)
    return f"retried 502, 503 and 504 after pauses of {shown}; gave up after {len(failed)} 503s"


@rule("http-timeout-set")
def http_timeout_set(run: RuleRun) -> str:
    """Every poll stalls: no answer until the client's read timeout. In process the mock reads
    the request's timeout (httpx's ``timeout`` extension): none at all fails the rule, and the
    operation must end with an error within 10 tries and 15 minutes of the world's clock. A
    command client is told ``UIPATH_TIMEOUT=0.5`` (``env.extra["timeout"]``, seconds) and must
    end the operation within ``LONGEST_OPERATION`` (60 s) of real time; the served world holds
    a stalled answer longer than that (``_plugs.SERVED_STALL_CAP``), so only the client's own
    timeout can end it in time. Half a second proves a timeout is set as well as a long one
    would, in real time a check can afford for every profile.
    """
    hint = {} if run.in_process else {"extra": {"timeout": 0.5}}
    world, client, key = _started(run, "every poll stalls", **hint)
    world.fault("stall", times=_FOREVER, **_JOBS_GET)
    mark = world.mark()
    begun = world.cloud.clock.time()
    op = client.get_job_state(key, timeout=LONGEST_OPERATION, may_hang=True)
    stalled = [e for e in _job_gets(world, mark) if e.fault and e.fault.startswith("stall")]
    if run.in_process:
        untimed = [
            e for e in stalled if (e.request.extensions.get("timeout") or {}).get("read") is None
        ]
        if untimed:
            raise fail(
                "the request had no read timeout: a stalled server would hang the client forever",
                *untimed,
            )
    no_hang(world, op, "get_job_state on a stalled server")
    if not stalled:
        raise fail(
            "get_job_state ended without a poll, so no timeout could be seen: "
            f"{world.scrub(op.error or '')}",
            *op.exchanges(world),
        )
    spent = world.cloud.clock.time() - begun
    if op.ok or len(stalled) > MAX_TRIES:
        raise fail(f"kept waiting through {plural(len(stalled), 'stalled call')}", *stalled[-3:])
    if run.in_process and spent > 900:
        raise fail(
            f"the operation took {spent:.0f} s of the world's clock to give up", *stalled[-3:]
        )
    return f"a stalled call ended as an error after {plural(len(stalled), 'try')}, {spent:.3g} s"

"""Token life: acquiring, refreshing after expiry and before it, the 401 replay, invalid_grant,
single flight, and the HTML answer that is not a token."""

from __future__ import annotations

import math

from mock_orchestrator import Unauthenticated

from .._outcome import NotApplicable
from .._world import HUMAN_ROUTES, TOKEN_ROUTES, RuleRun, World, fail
from ._common import bearer, no_hang, plural, require_ok
from ._registry import rule

__all__: list[str] = []


def _ok_tokens(world: World, mark: int = 0) -> list[object]:
    return [e for e in world.token_requests(mark) if e.status_code == 200]


@rule("token-acquire-unattended")
def token_acquire_unattended(run: RuleRun) -> str:
    """A fresh client starts a job: a token request succeeds and no authorize page is visited.

    Judged the same way for factories and commands.
    """
    world = run.world()
    client = world.client()
    op = client.start_job()
    human = world.since(0, where=lambda e: e.route in HUMAN_ROUTES)
    if human:
        raise fail("the client went to an interactive authorize endpoint: a human step", *human)
    require_ok(world, op, "start_job with a freshly configured client")
    tokens = world.token_requests()
    got = [e for e in tokens if e.status_code == 200]
    if not got:
        raise fail("start_job succeeded, yet no token endpoint issued a token", *tokens)
    return (
        f"got a token from its {run.credential} credential ({got[0].route}) and started a "
        f"job, with no human step"
    )


@rule("token-refresh-after-expiry")
def token_refresh_after_expiry(run: RuleRun) -> str:
    """Start a job, move the clock past the token's lifetime, start and poll again.

    Any way of getting there counts (proactive, or reactive after a 401), as long as the caller
    never sees the 401. A command client keeps its own clock, so for it this is the reactive
    path: the served world jumps ahead and the client learns of it from the 401.
    """
    world = run.world()
    client = world.client()
    require_ok(world, client.start_job(), "the first start_job")
    world.expire_tokens()
    mark = world.mark()
    op = client.start_job()
    if not op.ok:
        unauth = world.since(mark, where=lambda e: e.status_code == 401)
        raise fail(
            f"after the {world.lifetime} s token lifetime passed, start_job failed: "
            f"{world.scrub(op.error or '')}",
            *unauth,
            *world.token_requests(mark),
        )
    require_ok(world, client.get_job_state(op.value), "get_job_state after the expiry")
    fresh = _ok_tokens(world, mark)
    if not fresh:
        raise fail("operations after expiry succeeded without any new token")
    return (
        f"after {world.lifetime} s the next operations succeeded; "
        f"{plural(len(fresh), 'new token')} fetched, no 401 surfaced"
    )


@rule("token-refresh-proactive")
def token_refresh_proactive(run: RuleRun) -> str:
    """Two seconds before expiry, with 5 s of latency on every Orchestrator call: a client that
    refreshes a margin ahead (on ``env.clock``) sends a fresh token; one that waits for the exact
    expiry sends a token that is dead on arrival, and the mock records ``auth="expired"``.

    Not applicable to command clients: they cannot read the world's clock, so a jump in the
    served world's time is invisible to them until a 401 (judged by token-refresh-after-expiry).
    """
    if not run.in_process:
        raise NotApplicable(
            "needs the client on the world's clock (env.clock); a command client "
            "keeps its own, so refreshing ahead of the world's jump cannot be judged"
        )
    world = run.world()
    client = world.client()
    require_ok(world, client.start_job(), "the first start_job")
    world.advance(world.lifetime - 2, "2 s before the access token expires")
    world.fault("latency", path=r"/odata/", latency=5, times=None)
    mark = world.mark()
    op = client.start_job()
    expired = world.since(0, where=lambda e: e.auth == "expired")
    if expired:
        raise fail(
            f"the mock saw {plural(len(expired), 'expired token')}: the client waited for the "
            "exact expiry instead of refreshing a margin before it",
            *expired,
            *world.token_requests(mark),
        )
    require_ok(world, op, "start_job 2 s before expiry")
    return "refreshed ahead of expiry: the mock never saw an expired token"


def allowed_margin(lifetime: float) -> float:
    """The most life a held access token may have left when the client asks for a new one.

    The reference client refreshes ``max(60 s, lifetime / 10)`` ahead; a quarter of the
    lifetime (at least five minutes) leaves room for other sensible margins, and none for a
    client that refreshes on a timer, on every call, or reads ``expires_in`` in the wrong unit.
    """
    return max(300.0, lifetime / 4)


#: A multi-hour run: at least this many seconds, and at least three token lifetimes.
_ECONOMY_SPAN = 4 * 3600
_ECONOMY_STEPS = 24


@rule("token-refresh-economy")
def token_refresh_economy(run: RuleRun) -> str:
    """A long-running client: a start_job and a poll every ``span / 24`` of the world's clock
    over at least four hours and three token lifetimes. No token request may come while the
    access token it holds still has more than :func:`allowed_margin` of its life left (the
    lifetime is ``expires_in``, in seconds, RFC 6749 §5.1), so over the run the client refreshes
    about once per lifetime. A refresh storm -- a new token on every call, on a timer, or after
    reading ``expires_in`` as milliseconds -- fails. Command clients learn of the world's clock
    jumps from a 401, so they refresh reactively; a storm shows the same way.
    """
    world = run.world()
    client = world.client()
    require_ok(world, client.start_job(), "the first start_job")
    lifetime = world.lifetime
    span = max(_ECONOMY_SPAN, 3 * lifetime)
    step = span / _ECONOMY_STEPS
    for index in range(_ECONOMY_STEPS):
        world.advance(step, f"step {index + 1} of {_ECONOMY_STEPS}")
        key = require_ok(world, client.start_job(), f"start_job at step {index + 1}")
        require_ok(world, client.get_job_state(key), f"get_job_state at step {index + 1}")
    margin = allowed_margin(lifetime)
    held_until: float | None = None  # when the last token issued expires
    tokens = world.token_requests()
    for number, exchange in enumerate(tokens, 1):
        if held_until is not None and held_until - exchange.at > margin:
            left = held_until - exchange.at
            raise fail(
                f"token request #{number} came while the access token held had {left:.0f} s "
                f"of its {lifetime} s left (more than the {margin:.0f} s margin allowed): "
                "a refresh storm (a new token per call or on a timer, or expires_in read in "
                "the wrong unit: it is seconds)",
                exchange,
            )
        if exchange.status_code == 200:
            held_until = exchange.at + lifetime
    most = math.ceil(span / (lifetime - margin)) + 1  # the first token, then one a lifetime
    if len(tokens) > most:
        raise fail(
            f"{plural(len(tokens), 'token request')} over {span / 3600:.0f} h with a "
            f"{lifetime} s token; at most {most} expected",
            *tokens,
        )
    return (
        f"{plural(len(tokens), 'token request')} over {span / 3600:.0f} h of "
        f"{2 * _ECONOMY_STEPS + 1} operations with a {lifetime} s token; none while the held "
        f"token had more than {margin:.0f} s left"
    )


def _unauthenticated_fault_body(world: World) -> tuple[bytes, dict[str, str]]:
    response = Unauthenticated("revoked", token_sent=True).to_response(world.cloud.ids)
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
    return response.content, headers


@rule("token-retry-once-on-401")
def token_retry_once_on_401(run: RuleRun) -> str:
    """Part 1: the world revokes every access token; the next call's 401 must be followed by
    exactly one token request and one replay that succeeds. Part 2: every Orchestrator call now
    answers 401; the operation must end as an error after at most two 401s and one refresh.
    Judged the same way for factories and commands.
    """
    world = run.world()
    client = world.client()
    key = require_ok(world, client.start_job(), "the first start_job")
    world.revoke_access_tokens()
    mark = world.mark()
    op = client.get_job_state(key)
    unauth = world.since(mark, where=lambda e: e.status_code == 401)
    tokens = world.token_requests(mark)
    if not op.ok:
        raise fail(
            "a 401 on a revoked token was not followed by a refresh and a replay: "
            f"{world.scrub(op.error or '')}",
            *unauth,
            *tokens,
        )
    if len(unauth) > 1 or len(tokens) > 1:
        raise fail(
            f"one refresh and one replay expected after the 401; saw "
            f"{plural(len(unauth), '401')} and {plural(len(tokens), 'token request')}",
            *unauth,
            *tokens,
        )
    body, headers = _unauthenticated_fault_body(world)
    world.fault("response", path=r"/odata/", status=401, body=body, headers=headers, times=50)
    mark = world.mark()
    op = client.get_job_state(key, may_hang=True)
    no_hang(world, op, "get_job_state while every call answers 401")
    unauth = world.since(mark, where=lambda e: e.status_code == 401)
    tokens = world.token_requests(mark)
    if not unauth:
        raise fail(
            "get_job_state ended without a call, so the second 401 was never seen: "
            f"{world.scrub(op.error or '')}",
            *op.exchanges(world),
        )
    if op.ok or len(unauth) > 2 or len(tokens) > 1:
        raise fail(
            "a second 401 must end the operation as an error; the client made "
            f"{plural(len(unauth), 'call')} answered 401 and "
            f"{plural(len(tokens), 'token request')}",
            *unauth,
            *tokens,
        )
    return (
        "refreshed once and replayed once after a revoked token's 401; a second 401 ended "
        f"as an error ({plural(len(unauth), '401')}, {plural(len(tokens), 'refresh')})"
    )


@rule("token-invalid-grant-terminal")
def token_invalid_grant_terminal(run: RuleRun) -> str:
    """The refresh token (or User Key) is revoked server-side, then the access token expires.
    The next operation must fail after at most one token request, and so must the one after it
    (no retry loop, no backoff-and-hammer). Judged the same way for factories and commands.
    """
    world = run.world()
    client = world.client()
    key = require_ok(world, client.start_job(), "the first start_job")
    secret = client.env.refresh_token or client.env.user_key
    assert secret is not None
    world.revoke_refresh_token(secret)
    world.expire_tokens()
    for attempt in ("the first", "the next"):
        mark = world.mark()
        op = client.get_job_state(key, may_hang=True)
        no_hang(world, op, f"{attempt} operation after invalid_grant")
        tokens = world.token_requests(mark)
        if op.ok:
            raise fail(f"{attempt} operation after the grant was revoked succeeded?", *tokens)
        if attempt == "the first" and not tokens:
            raise fail(
                "the first operation after the token expired ended without a token request, "
                f"so invalid_grant was never seen: {world.scrub(op.error or '')}",
                *op.exchanges(world),
            )
        if len(tokens) > 1:
            raise fail(
                f"invalid_grant is terminal, yet {attempt} operation sent "
                f"{plural(len(tokens), 'token request')}",
                *tokens,
            )
    return "invalid_grant ended each operation as an error after at most one token request"


@rule("token-single-flight")
def token_single_flight(run: RuleRun) -> str:
    """Eight ``get_job_state`` at once, just after expiry: exactly one token request.

    For a factory, the eight run on threads released together; for a command client the eight
    requests are written to its stdin before any answer is read (a client that serves them one
    at a time is judged on what it does). Either way the world holds the first token request
    until a second one arrives or a second passes (:meth:`World.hold_token_burst`), so a client
    without single flight shows its race every time, not by chance; a correct one waits once.
    """
    world = run.world()
    hold = world.hold_token_burst()
    client = world.client()
    key = require_ok(world, client.start_job(), "the first start_job")
    world.expire_tokens()
    hold.arm()
    mark = world.mark()
    ops = client.concurrently(8, "get_job_state", job_key=key, folder=world.cloud.defaults.folder)
    tokens = world.token_requests(mark)
    if len(tokens) != 1:
        raise fail(
            f"8 concurrent operations at expiry caused "
            f"{plural(len(tokens), 'token request')}; exactly one expected",
            *tokens,
        )
    failed = [o for o in ops if not o.ok]
    if failed:
        raise fail(
            f"{len(failed)} of 8 concurrent operations failed: "
            f"{world.scrub(failed[0].error or '')}",
            *tokens,
        )
    return "8 concurrent operations at expiry shared exactly one refresh"


@rule("token-html-is-failure")
def token_html_is_failure(run: RuleRun) -> str:
    """Two worlds: the token endpoint answers a 302 to the login page, then a 200 HTML page.
    Each time the operation must fail without following the redirect and without sending
    Orchestrator anything the world did not issue as a token. Same for factories and commands.
    """
    for kind, what in (
        ("login_redirect", "a 302 to the login page"),
        ("login_html", "a 200 HTML login page"),
    ):
        world = run.world(f"the token endpoint answers {what}")
        for label in sorted(TOKEN_ROUTES):
            world.fault(kind, route=label, times=None)
        client = world.client()
        op = client.start_job(may_hang=True)
        no_hang(world, op, "start_job")
        if not world.token_requests():
            raise fail(
                f"start_job ended without asking the token endpoint, so {what} was never "
                f"seen: {world.scrub(op.error or '')}",
                *op.exchanges(world),
            )
        followed = world.since(0, where=lambda e: "/web/login" in e.path.lower())
        if followed:
            raise fail(f"the client followed the token endpoint's redirect ({what})", *followed)
        issued = world.cloud.identity.tokens
        forged = [
            e
            for e in world.orchestrator_calls()
            if (token := bearer(e)) is not None and issued.get(token) is None
        ]
        if forged:
            raise fail(f"the client took {what} for a token and sent it to Orchestrator", *forged)
        if op.ok:
            raise fail(
                f"start_job succeeded although the token endpoint answered {what}",
                *world.token_requests(),
            )
    return "a 302 and an HTML page from the token endpoint each ended as an error, never a token"

"""Refresh-token rotation: followed (identity), absent and kept (legacy), persisted (identity)."""

from __future__ import annotations

from mock_orchestrator import Exchange

from .._world import Op, RuleRun, World, fail
from ._common import plural, request_fields, require_ok, response_json
from ._registry import rule

__all__: list[str] = []


def _refreshes(world: World, mark: int = 0) -> list[Exchange]:
    return [
        e
        for e in world.token_requests(mark)
        if request_fields(e).get("grant_type") == "refresh_token"
    ]


def _drive_three_refreshes(world: World) -> list[Op]:
    """start_job, then a poll after each of two expiries; judged by the caller."""
    client = world.client()
    first = client.start_job()
    ops = [first]
    if first.ok:
        for _ in range(2):
            world.expire_tokens()
            ops.append(client.get_job_state(first.value))
    return ops


def _require_three_good_refreshes(world: World, ops: list[Op], refreshes: list[Exchange]) -> None:
    """Every operation succeeded and the two expiries really cost three refreshes."""
    for op in ops:
        require_ok(world, op, op.name)
    if len(refreshes) < 3:
        raise fail(f"two expiries should need three refreshes; saw {len(refreshes)}", *refreshes)


@rule("token-rotation-followed")
def token_rotation_followed(run: RuleRun) -> str:
    """Three refreshes across two expiries; each must present the refresh token issued by the
    one before (the chain is read from the journal: request ``refresh_token`` against the
    previous response's). Same for factories and commands.
    """
    world = run.world()
    ops = _drive_three_refreshes(world)
    refreshes = _refreshes(world)
    expected = world.cloud.defaults.refresh_token
    consumed_by: dict[str, int] = {}
    for number, exchange in enumerate(refreshes, 1):
        presented = str(request_fields(exchange).get("refresh_token"))
        if presented != expected:
            what = (
                f"the token refresh #{consumed_by[presented]} had consumed"
                if presented in consumed_by
                else "a token the world never issued"
            )
            raise fail(
                f"refresh #{number} presented {what} instead of the newest one", *refreshes[:number]
            )
        body = response_json(exchange)
        if exchange.status_code == 200 and isinstance(body, dict) and body.get("refresh_token"):
            consumed_by[presented] = number
            expected = body["refresh_token"]
    _require_three_good_refreshes(world, ops, refreshes)
    return f"followed the rotation through {plural(len(refreshes), 'refresh')}"


@rule("token-rotation-absent-keeps-old")
def token_rotation_absent_keeps_old(run: RuleRun) -> str:
    """The legacy User Key never rotates: the refresh response has no ``refresh_token``. Across
    two expiries every refresh must present the configured User Key again.
    """
    world = run.world()
    ops = _drive_three_refreshes(world)
    refreshes = _refreshes(world)
    key = world.cloud.defaults.user_key
    for number, exchange in enumerate(refreshes, 1):
        if request_fields(exchange).get("refresh_token") != key:
            raise fail(
                f"refresh #{number} did not present the User Key: the client dropped it "
                "when a refresh response came without refresh_token",
                *refreshes,
            )
    _require_three_good_refreshes(world, ops, refreshes)
    return f"kept the User Key across {plural(len(refreshes), 'refresh')} that returned none"


@rule("token-rotation-persisted")
def token_rotation_persisted(run: RuleRun) -> str:
    """Client A refreshes (the configured refresh token is consumed) and is closed; client B is
    built from the same configuration and the same token store after the access token expired.
    B must refresh with the rotated token A stored, never with the consumed one. For a command
    client A and B are two processes.
    """
    world = run.world()
    a = world.client(name="client A")
    key = require_ok(world, a.start_job(), "client A's start_job")
    world.expire_tokens()
    require_ok(world, a.get_job_state(key), "client A's get_job_state after the expiry")
    if len(_refreshes(world)) < 2:
        raise fail("client A should have rotated its refresh token by now", *_refreshes(world))
    a.close()
    world.note("client A closed; client B gets the same configuration and token store")
    world.expire_tokens()
    consumed = {t for t, r in world.cloud.identity.refresh_tokens.items() if r.consumed_at}
    b = world.client(name="client B")
    mark = world.mark()
    op = b.get_job_state(key)
    reused = [
        e for e in _refreshes(world, mark) if request_fields(e).get("refresh_token") in consumed
    ]
    if reused:
        raise fail(
            "client B presented a refresh token client A had already consumed: the "
            "rotated token was not persisted to the token store",
            *reused,
        )
    require_ok(world, op, "client B's get_job_state")
    return "a new client on the same token store continued with the rotated refresh token"

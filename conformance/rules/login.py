"""Username/password: a trap on the cloud, the documented way on prem."""

from __future__ import annotations

from .._outcome import NotApplicable, RuleFailed
from .._world import PASSWORD_ROUTES, RuleRun, fail
from ._common import plural, require_ok
from ._registry import rule

__all__: list[str] = []


@rule("login-no-password-on-cloud")
def login_no_password_on_cloud(run: RuleRun) -> str:
    """The client is configured with a username and password on a cloud host (as a team that
    followed an old forum post would). It must never POST them to ``/api/Account/Authenticate``
    there: the cloud answers 400 errorCode 1000 whatever the password [V docs/wire.md §3].
    Refusing the configuration (an error from the factory, or ``NotSupported``) is the right
    answer, so here a factory that refuses counts as a pass. Same for factories and commands.
    """
    world = run.world()
    try:
        client = world.client("password")
    except (NotApplicable, RuleFailed) as why:
        if world.since(0):  # whatever it said, it must not have sent anything meanwhile
            raise fail(
                "the client sent requests while refusing its configuration", *world.since(0)
            ) from None
        return f"refused a username/password configuration on a cloud host: {why}"
    op = client.start_job()
    traps = world.since(
        0,
        where=lambda e: e.route in PASSWORD_ROUTES or "/api/account/authenticate" in e.path.lower(),
    )
    if traps:
        raise fail(
            "the client sent a username/password login to /api/Account/Authenticate on "
            "a cloud host (the errorCode 1000 trap)",
            *traps,
        )
    if op.ok:
        return "started a job without ever sending the password to the cloud"
    return (
        "never called /api/Account/Authenticate on the cloud; it refused with: "
        f"{world.scrub(op.error or '')}"
    )


@rule("login-password-on-prem")
def login_password_on_prem(run: RuleRun) -> str:
    """On prem the client logs in at ``/api/Account/Authenticate`` with username and password,
    and logs in again once the 30-minute token has expired (there is no refresh token).
    Same for factories and commands.
    """
    world = run.world()
    client = world.client("password")
    key = require_ok(world, client.start_job(), "start_job with a username/password login")
    logins = [
        e
        for e in world.since(0, where=lambda e: e.route == "onprem.authenticate")
        if e.status_code == 200
    ]
    if not logins:
        raise fail(
            "the job started, but not through a login at /api/Account/Authenticate",
            *world.token_requests(),
        )
    world.expire_tokens()
    mark = world.mark()
    require_ok(world, client.get_job_state(key), "get_job_state after the 30-minute expiry")
    require_ok(world, client.start_job(), "start_job after the 30-minute expiry")
    again = [
        e
        for e in world.since(mark, where=lambda e: e.route == "onprem.authenticate")
        if e.status_code == 200
    ]
    if not again:
        raise fail("no new login after the token expired", *world.token_requests(mark))
    return (
        f"logged in with username/password, and {plural(len(again), 'time')} again after "
        f"the {world.lifetime} s token expired"
    )

"""Username/password: a trap on the cloud, the documented way on prem."""

from __future__ import annotations

import base64
import binascii
from urllib.parse import unquote_plus

from mock_orchestrator import Exchange

from .._outcome import NotApplicable
from .._world import PASSWORD_ROUTES, ClientRefused, RuleRun, fail
from ._common import plural, require_ok
from ._registry import rule

__all__: list[str] = []


def carries(exchange: Exchange, secret: str) -> bool:
    """True when the request carries ``secret`` anywhere: URL (raw or decoded), any header
    (a Basic credential decoded too), or the body (raw, form-decoded or JSON-escaped)."""
    request = exchange.request
    url = str(request.url)
    if secret in url or secret in unquote_plus(url):
        return True
    for name, value in request.headers.items():
        if secret in value:
            return True
        scheme, _, credential = value.partition(" ")
        if name.lower() == "authorization" and scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(credential.strip(), validate=False)
            except (binascii.Error, ValueError):
                continue
            if secret in decoded.decode("utf-8", "replace"):
                return True
    body = request.content.decode("utf-8", "replace") if request.content else ""
    return bool(body) and (secret in body or secret in unquote_plus(body))


@rule("login-no-password-on-cloud")
def login_no_password_on_cloud(run: RuleRun) -> str:
    """The client is configured with a username and password on a cloud host (as a team that
    followed an old forum post would). No request may carry the password -- by any grant
    (``grant_type=password`` at the token endpoint included) or field -- and none may go to
    ``/api/Account/Authenticate``: the cloud answers 400 errorCode 1000 whatever the password
    [V docs/wire.md §3]. Refusing is the right answer, and it counts only when it is explicit:
    ``NotSupported`` or an error of the factory's own (a command: ``not_supported`` or
    ``ok: false``), with no request sent while refusing. A client that crashes, exits or hangs
    is an ``error``, never a refusal. Same for factories and commands.
    """
    world = run.world()
    password = world.env("password").password or ""
    refusal: Exception | None = None
    client = None
    try:
        client = world.client("password")
    except (NotApplicable, ClientRefused) as why:
        refusal = why
    op = client.start_job() if client is not None else None
    sent = world.since(0)
    leaked = [e for e in sent if password and carries(e, password)]
    if leaked:
        raise fail(
            f"{plural(len(leaked), 'request')} to the cloud carried the password "
            f"(first: {leaked[0].method} {leaked[0].path}); the cloud never takes it",
            *leaked,
        )
    traps = [
        e
        for e in sent
        if e.route in PASSWORD_ROUTES or "/api/account/authenticate" in e.path.lower()
    ]
    if traps:
        raise fail(
            "the client sent a username/password login to /api/Account/Authenticate on "
            "a cloud host (the errorCode 1000 trap)",
            *traps,
        )
    if refusal is not None:
        if sent:  # whatever it said, it must not have sent anything meanwhile
            raise fail("the client sent requests while refusing its configuration", *sent)
        return f"refused a username/password configuration on a cloud host: {refusal}"
    assert op is not None
    if op.ok:
        return "started a job without ever sending the password to the cloud"
    return (
        f"refused to log in with a password on the cloud, explicitly: {world.scrub(op.error or '')}"
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

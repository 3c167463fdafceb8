"""Secrets stay secret, and each token goes only where it belongs."""

from __future__ import annotations

from typing import Any

from mock_orchestrator import UIPATH_CLI_CLIENT_ID, mask

from .._world import RuleRun, World, fail
from ._common import bearer, plural, require_ok, token_kind
from ._registry import rule

__all__: list[str] = []

#: How a refusal of the token endpoint looks, per route (each in that server's dialect).
_REFUSALS: dict[str, tuple[int, object]] = {
    "identity.token": (400, {"error": "invalid_grant"}),
    "identity.onprem_token": (400, {"error": "invalid_grant"}),
    "legacy.token": (
        403,
        {"error": "invalid_grant", "error_description": "Unknown or invalid refresh token."},
    ),
    "onprem.authenticate": (
        400,
        {
            "message": "Invalid username/email address or password.",
            "errorCode": 1000,
            "resourceIds": None,
        },
    ),
}


def _kinds(world: World) -> dict[str, str]:
    """Each secret of the world with what it is, for a message that names no value."""
    d = world.cloud.defaults
    identity = world.cloud.identity
    named: dict[str, str] = {}
    for record in identity.tokens.records():
        named[record.token] = {"id": "an id_token", "pat": "a personal access token"}.get(
            record.kind, "an access token"
        )
    for token in identity.refresh_tokens:
        named[token] = "a refresh token"
    for token in identity.legacy_grants:
        named[token] = "the User Key"
    for value, what in (
        (d.client_secret, "the client secret"),
        (d.password, "the password"),
        (world.user.password, "the password"),
    ):
        if value:
            named[value] = what
    return {s: named.get(s, "a secret") for s in world.secrets()}


def _needles(secret: str) -> list[str]:
    """The secret, and for a JWT its signature too (a client may log the token in parts)."""
    parts = secret.split(".")
    if len(parts) == 3 and len(parts[2]) >= 20:
        return [secret, parts[2]]
    return [secret]


@rule("token-secrets-not-logged")
def token_secrets_not_logged(run: RuleRun) -> str:
    """Canaries: every credential and every token the world issues is a secret to look for.

    The client runs with every logger at DEBUG while it acquires a token, refreshes after an
    expiry, and then fails (the token endpoint refuses: invalid_grant, or a bad password on
    prem). Everything it wrote is searched: log records, stdout and stderr, the text of every
    exception (with traceback and causes), and the URLs it requested (RFC 6750 §5.3: no bearer
    tokens in URLs). For a command client, its stderr and non-protocol stdout are searched, and
    the ``error`` strings it answers with.
    """
    with run.capture_output() as output:
        world = run.world()
        client = world.client()
        # Whether each operation succeeds is other rules' business: this one reads what the
        # client wrote while doing them (the last one fails on purpose: errors are searched).
        first = client.start_job()
        key = first.value if first.ok else "00000000-0000-0000-0000-000000000000"
        world.expire_tokens()
        client.get_job_state(key)
        for label, (status, body) in _REFUSALS.items():
            world.fault("response", route=label, status=status, body=body, times=None)
        world.expire_tokens()
        client.get_job_state(key)
        client.close()
    if not world.cloud.identity.tokens.records():
        raise fail(
            "no token was ever issued, so there was nothing to keep secret: "
            f"{world.scrub(first.error or '')}",
            *world.token_requests(),
        )
    kinds = _kinds(world)
    places = [("log/stdout/stderr line", line) for line in output]
    places += [("error text", text) for text in run.op_errors if text]
    places += [("request URL", str(e.request.url)) for e in world.since(0)]
    leaks: list[str] = []
    for where, text in places:
        for secret, what in kinds.items():
            if any(needle in text for needle in _needles(secret)):
                shown = world.scrub(text.replace(secret, mask(secret)))
                leaks.append(f"{what} in a {where}: {shown[:300]}")
                break
    if leaks:
        raise fail(f"{plural(len(leaks), 'secret')} leaked; first: {leaks[0]}")
    return (
        f"no secret among {len(kinds)} canaries appeared in {len(output)} lines of output, "
        f"{len([t for t in run.op_errors if t])} error texts or any request URL"
    )


@rule("token-access-not-id")
def token_access_not_id(run: RuleRun) -> str:
    """Where the token response carries an id_token too, every Orchestrator call must carry the
    access token, and the legacy account lookups (cloudrpa) only the id_token. Legacy responses
    always carry one; on identity the client gets a refresh token granted with ``openid`` (as
    apps that sign users in ask for), so that its refreshes return an id_token as well.
    Same for factories and commands.
    """
    world = run.world()
    changes: dict[str, Any] = {}
    if world.cloud.profile == "identity":
        changes["refresh_token"] = world.cloud.identity.issue_refresh_token(
            UIPATH_CLI_CLIENT_ID,
            world.user,
            frozenset({"openid", "profile", "offline_access", "OrchestratorApiUserAccess"}),
        )
        world.note("the refresh token was granted with openid: refreshes return an id_token")
    client = world.client(**changes)
    op = client.start_job()
    if op.ok:
        client.get_job_state(op.value)
    wrong = [
        e
        for e in world.orchestrator_calls()
        if e.auth == "id_token" or token_kind(world, bearer(e)) == "id"
    ]
    if wrong:
        raise fail(
            f"{plural(len(wrong), 'Orchestrator call')} carried the id_token instead of "
            "the access token",
            *wrong,
        )
    lookups = world.since(
        0, where=lambda e: e.route in ("legacy.accounts_for_user", "legacy.service_instances")
    )
    misused = [e for e in lookups if token_kind(world, bearer(e)) != "id"]
    if misused:
        raise fail(
            "the account lookups (cloudrpa) need the id_token; the client sent another token",
            *misused,
        )
    for done in client.ops:
        require_ok(world, done, done.name)
    extra = f"; the id_token went to {plural(len(lookups), 'account lookup')}" if lookups else ""
    return f"every Orchestrator call carried the access token{extra}"

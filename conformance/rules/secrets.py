"""Secrets stay secret, and each token goes only where it belongs."""

from __future__ import annotations

from typing import Any

from mock_orchestrator import UIPATH_CLI_CLIENT_ID

from .._env import Credential
from .._outcome import NotApplicable
from .._output import excerpt
from .._world import Client, Op, RuleRun, World, fail
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


#: Every credential each profile offers a deployed client: the secrets rule runs with each.
OFFERED: dict[str, tuple[Credential, ...]] = {
    "legacy": ("user_key",),
    "identity": ("refresh_token", "client_credentials"),
    "onprem": ("password", "client_credentials"),
}


def _exercise(run: RuleRun, credential: Credential) -> tuple[World, Client, Op] | None:
    """Acquire, refresh after an expiry, then fail (the token endpoint refuses) with one
    credential. None when the client does not serve it."""
    world = run.world(f"{run.spec.id} with the {credential} credential")
    try:
        client = world.client(credential)
    except NotApplicable as why:
        world.note(f"not served: {why}")
        return None
    # Whether each operation succeeds is other rules' business: this one reads what the client
    # wrote while doing them (the last one fails on purpose: errors are searched).
    first = client.start_job()
    key = first.value if first.ok else "00000000-0000-0000-0000-000000000000"
    world.expire_tokens()
    client.get_job_state(key)
    run.descriptions.append(client.describe())
    for label, (status, body) in _REFUSALS.items():
        world.fault("response", route=label, status=status, body=body, times=None)
    world.expire_tokens()
    client.get_job_state(key)
    run.descriptions.append(client.describe())
    client.close()
    return world, client, first


@rule("token-secrets-not-logged")
def token_secrets_not_logged(run: RuleRun) -> str:
    """Canaries: every credential and every token the world issues is a secret to look for.

    The rule runs once with each credential the profile offers (client credentials included,
    so that the client secret is there to leak). The client runs with every logger at DEBUG
    while it acquires a token, refreshes after an expiry, and then fails (the token endpoint
    refuses: invalid_grant, or a bad password on prem). Searched, as it is written: log
    records, ``sys.stdout``/``sys.stderr`` and file descriptors 1 and 2 (in process), a command's
    stderr and stray stdout. Then: the text of every exception (with traceback and causes) or
    error answer, ``repr()``/``str()`` of the adapter and the objects it exposes (in process),
    and every request line the mock saw (RFC 6750 §5.3: a secret in a query string is a leak).
    """
    exercised: list[tuple[World, Client, Op]] = []
    with run.capture_output() as output:
        for credential in OFFERED[run.profile]:
            done = _exercise(run, credential)
            if done is not None:
                exercised.append(done)
    if not exercised:
        raise NotApplicable(
            f"the client serves none of the {run.profile} credentials "
            f"({', '.join(OFFERED[run.profile])})"
        )
    # A secret in a URL is named first: it is the root of the log lines that repeat the URL.
    places = [
        ("a request line", f"{e.method} {e.request.url}")
        for world, _, _ in exercised
        for e in world.since(0)
    ]
    places += [("an error text", text) for text in run.op_errors if text]
    places += [("an object's repr/str", text) for text in run.descriptions if text]
    leaks = []
    for where, text in places:
        found = run.find_secret(text)
        if found is not None:
            leaks.append(f"{found[0]} in {where}: {excerpt(text, found[1])}")
    leaks[1:1] = output.findings
    if leaks:
        raise fail(f"{plural(len(leaks), 'secret')} leaked; first: {run.scrub(leaks[0])}")
    for world, _, first in exercised:
        if not world.cloud.identity.tokens.records():
            raise fail(
                f"{world.title}: no token was ever issued, so there was nothing to keep "
                f"secret: {world.scrub(first.error or '')}",
                *world.token_requests(),
            )
    canaries = sum(len(world.secret_names()) for world, _, _ in exercised)
    return (
        f"with {', '.join(c.env.credential for _, c, _ in exercised)}: no secret among "
        f"{canaries} canaries appeared in {output.line_count} lines of output, "
        f"{len([t for t in run.op_errors if t])} error texts, the client's reprs or any "
        "request line"
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

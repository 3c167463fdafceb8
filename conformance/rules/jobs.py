"""Addressing Orchestrator (tenant, folder) and starting and polling jobs."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

from mock_orchestrator import FOLDER_HEADERS, FOLDER_ROUTES, Exchange

from .._world import RuleRun, World, fail
from ._common import no_hang, plural, request_fields, require_ok, response_json
from ._registry import rule

__all__: list[str] = []

# FOLDER_ROUTES (the Orchestrator routes that act inside a folder, docs/wire.md §5.2, §6) and
# FOLDER_HEADERS come from the mock: its route table says which routes are folder-scoped.
#: The folder of folder-context-sent: non-ASCII, so its path cannot go as a plain header.
NON_ASCII_FOLDER = "Faturação"
_POLL_ROUTES = frozenset({"orchestrator.get_job", "orchestrator.get_job_by_key"})


def _path_tenant(exchange: Exchange) -> str | None:
    """The tenant segment of ``/{org}/{tenant}/...`` paths; None for bare ``/odata/...``."""
    parts = [p for p in exchange.path.split("/") if p]
    if not parts or parts[0].lower() in ("odata", "api", "orchestrator_"):
        return None
    return parts[1] if len(parts) > 1 else None


@rule("tenant-logical-name")
def tenant_logical_name(run: RuleRun) -> str:
    """The world's tenant has a logical name (``AcmeDefaultq3v91``) and a different display name
    (``AcmeDefault``), and the client is told both (``env.tenant_display_name``, as a deployment
    might configure for its messages). Every Orchestrator call must address the logical name,
    in the path and in ``X-UIPATH-TenantName`` when it sends one (a header the modern cloud
    ignores, so only this rule notices a wrong one). Same for factories and commands.
    """
    world = run.world()
    client = world.client()
    op = client.start_job()
    if op.ok:
        client.get_job_state(op.value)
    d = world.cloud.defaults
    logical, display = d.tenant.lower(), d.tenant_display_name.lower()
    wrong: list[Exchange] = []
    for exchange in world.orchestrator_calls():
        named = [_path_tenant(exchange), exchange.request.headers.get("x-uipath-tenantname")]
        if any(n is not None and n.lower() != logical for n in named):
            wrong.append(exchange)
    if wrong:
        shown = {
            n
            for e in wrong
            for n in (_path_tenant(e), e.request.headers.get("x-uipath-tenantname"))
            if n and n.lower() != logical
        }
        which = "its display name" if display in {s.lower() for s in shown} else "another name"
        raise fail(
            f"{plural(len(wrong), 'Orchestrator call')} addressed the tenant by {which} "
            f"({', '.join(sorted(shown))}), not its logical name {d.tenant}",
            *wrong,
        )
    for done in client.ops:
        require_ok(world, done, done.name)
    return f"addressed the tenant by its logical name {d.tenant} on every call"


def add_folder(world: World, path: str) -> None:
    """Give the world a folder at ``path`` holding a copy of the default process's release."""
    backend = world.cloud.orchestrator.for_tenant(world.cloud.default_tenant)
    adder: Callable[..., Any] | None = getattr(backend, "add_folder", None)
    release_adder: Callable[..., Any] | None = getattr(backend, "add_release", None)
    if adder is None or release_adder is None:
        raise RuntimeError("uipath-mock: the Orchestrator backend cannot add folders yet")
    folder = adder(path)
    release_adder(world.cloud.defaults.process, folder=folder)
    world.note(f"folder {path!r} created with the process {world.cloud.defaults.process!r}")


@rule("folder-context-sent")
def folder_context_sent(run: RuleRun) -> str:
    """The job is started and polled in a folder named ``Faturação``. Every folder-scoped call
    must carry a folder header (id, key, path or encoded path); a plain ``X-UIPATH-FolderPath``
    cannot carry that name (HTTP field values are ASCII in practice, RFC 9110 §5.5), so the path
    must go as ``X-UIPATH-FolderPath-Encoded`` (Base64 of UTF-16LE) or be replaced by the id or
    key. Same for factories and commands.
    """
    world = run.world()
    add_folder(world, NON_ASCII_FOLDER)
    client = world.client()
    op = client.start_job(folder=NON_ASCII_FOLDER)
    if op.ok:
        client.get_job_state(op.value, NON_ASCII_FOLDER)
    calls = world.since(0, where=lambda e: e.route in FOLDER_ROUTES)
    bare = [e for e in calls if not any(h in e.request.headers for h in FOLDER_HEADERS)]
    if bare:
        raise fail(
            f"{plural(len(bare), 'folder-scoped call')} carried no folder header "
            "(Orchestrator answers 400 errorCode 1101)",
            *bare,
        )
    plain = [
        e
        for e in calls
        for name, value in e.request.headers.raw
        if name.lower() == b"x-uipath-folderpath" and not value.isascii()
    ]
    if plain:
        raise fail(
            "the non-ASCII folder path went as raw bytes in X-UIPATH-FolderPath; it "
            "must go as X-UIPATH-FolderPath-Encoded (Base64 of UTF-16LE)",
            *plain,
        )
    refused = [
        e
        for e in calls
        if e.status_code == 400
        and isinstance(body := response_json(e), dict)
        and body.get("errorCode") in (1100, 1101)
    ]
    if refused:
        raise fail("Orchestrator refused the folder context (errorCode 1100/1101)", *refused)
    for done in client.ops:
        require_ok(world, done, f"{done.name} in the folder {NON_ASCII_FOLDER!r}")
    used = sorted({h for e in calls for h in FOLDER_HEADERS if h in e.request.headers})
    return (
        f"{plural(len(calls), 'folder-scoped call')} in {NON_ASCII_FOLDER!r} carried "
        f"{', '.join(used)}"
    )


_ARGUMENTS = {
    "InvoiceId": "INV-2026-0042",
    "Amount": 1234.5,
    "Approved": True,
    "Lines": [1, 2, 3],
    "Customer": {"Name": "Zoë Ærø", "Country": "PT"},
}


@rule("jobs-start-by-release")
def jobs_start_by_release(run: RuleRun) -> str:
    """``start_job`` with input arguments: the StartJobs body must be ``{"startInfo": {...}}``
    naming the release (``ReleaseKey`` or ``ReleaseName``), with ``InputArguments`` a JSON
    *string* that decodes to the arguments given; the returned key must be the created job's
    ``Key``. Same for factories and commands.
    """
    world = run.world()
    client = world.client()
    op = client.start_job(input_arguments=_ARGUMENTS)
    starts = world.since(0, where=lambda e: e.route == "orchestrator.start_jobs")
    if not starts:
        raise fail(
            f"no StartJobs call was made: {world.scrub(op.error or 'no error')}",
            *world.orchestrator_calls(),
        )
    last = starts[-1]
    body = request_fields(last)
    info = body.get("startInfo") or body.get("StartInfo")
    if not isinstance(info, dict):
        raise fail("the StartJobs body has no startInfo object", last)
    if not (info.get("ReleaseKey") or info.get("ReleaseName")):
        raise fail("startInfo names no release (ReleaseKey or ReleaseName)", last)
    arguments = info.get("InputArguments")
    if not isinstance(arguments, str):
        raise fail(f"InputArguments must be a JSON string, not {type(arguments).__name__}", last)
    try:
        decoded = json.loads(arguments)
    except ValueError:
        raise fail("InputArguments is not valid JSON", last) from None
    if decoded != _ARGUMENTS:
        raise fail("InputArguments does not decode to the arguments given", last)
    key = require_ok(world, op, "start_job")
    created = response_json(last)
    keys = [j.get("Key") for j in (created or {}).get("value", []) if isinstance(j, dict)]
    if key not in keys:
        raise fail(f"start_job returned {key!r}, not the created job's Key", last)
    return "started the job by release with InputArguments as a JSON string, returned its Key"


@rule("jobs-poll-by-id")
def jobs_poll_by_id(run: RuleRun) -> str:
    """Start a job and poll it as it moves Pending -> Running -> Successful on the world's
    clock. Polls must be single-entity GETs (``Jobs({id})`` or ``GetByKey``), never a filtered
    ``GET /odata/Jobs`` (rate limited per tenant, docs/wire.md §9), and each answer must be the
    state the world gave. Same for factories and commands.
    """
    world = run.world()
    client = world.client()
    key = require_ok(world, client.start_job(), "start_job")
    mark = world.mark()
    polls = []
    for step in (0, 10, 60):
        if step:
            world.advance(step, "the job moves on")
        polls.append(client.get_job_state(key))
    lists = world.since(mark, where=lambda e: e.route == "orchestrator.list_jobs")
    if lists:
        raise fail(
            f"polled with {plural(len(lists), 'filtered list')} of Jobs (rate limited: "
            "100 requests per minute per tenant) instead of Jobs({id})",
            *lists,
        )
    seen = []
    for op in polls:
        state = require_ok(world, op, "get_job_state")
        answers = [
            e for e in op.exchanges(world) if e.route in _POLL_ROUTES and e.status_code == 200
        ]
        truth = (response_json(answers[-1]) or {}).get("State") if answers else None
        if truth is None:
            raise fail("get_job_state answered without reading the job", *op.exchanges(world))
        if state != truth:
            raise fail(f"get_job_state returned {state!r}; the job was {truth!r}", answers[-1])
        seen.append(state)
    return f"polled by id/key only; states seen: {' -> '.join(seen)}"


class _LoseResponse:
    """The first StartJobs is served (the job is created), then its answer is lost."""

    def __init__(self, world: World, mode: str) -> None:
        self.world = world
        self.mode = mode
        self.done = False

    def wrap(
        self, inner: Callable[[httpx.Request], httpx.Response]
    ) -> Callable[[httpx.Request], httpx.Response]:
        def handle(request: httpx.Request) -> httpx.Response:
            response = inner(request)
            journal = self.world.cloud.journal
            served = next((e for e in reversed(list(journal)) if e.request is request), None)
            if (
                self.done
                or served is None
                or served.route != "orchestrator.start_jobs"
                or response.status_code != 201
            ):
                return response
            self.done = True
            self.world.note(f"the job was created, but the client gets {self.mode} instead")
            if self.mode == "a dropped connection":
                raise httpx.RemoteProtocolError(
                    "Server disconnected without sending a response.", request=request
                )
            return httpx.Response(
                502, json={"message": "Bad Gateway", "errorCode": 0}, request=request
            )

        return handle


@rule("jobs-start-not-duplicated")
def jobs_start_not_duplicated(run: RuleRun) -> str:
    """Two worlds. In each, the first StartJobs creates the job but its answer is lost: a 502
    from a gateway, then a dropped connection. The client may report the error, or find out
    whether the job exists (e.g. by the ``Reference`` it set) -- but the world must end with
    exactly one job. Same for factories and commands (served, the drop closes the socket).
    """
    notes = []
    for mode in ("a 502 Bad Gateway", "a dropped connection"):
        world = run.world(f"StartJobs creates the job, then the client gets {mode}")
        lose = _LoseResponse(world, mode)
        world.interpose(lose.wrap)
        client = world.client()
        op = client.start_job(may_hang=True)
        no_hang(world, op, "start_job")
        starts = world.since(0, where=lambda e: e.route == "orchestrator.start_jobs")
        if not lose.done:
            raise fail(
                "no StartJobs reached the world, so a lost answer could not be tried: "
                f"{world.scrub(op.error or 'start_job returned without starting a job')}",
                *world.orchestrator_calls(),
            )
        keys = [
            j.get("Key")
            for e in starts
            if e.status_code == 201
            for j in (response_json(e) or {}).get("value", [])
            if isinstance(j, dict)
        ]
        if len(keys) > 1:
            raise fail(
                f"after {mode}, StartJobs was sent again: {len(keys)} jobs for one start_job",
                *starts,
            )
        if op.ok and op.value not in keys:
            raise fail(f"start_job returned {op.value!r}, which is not the job created", *starts)
        notes.append(f"{mode}: " + ("found the job" if op.ok else "reported the error"))
    return "one job, not two; " + "; ".join(notes)

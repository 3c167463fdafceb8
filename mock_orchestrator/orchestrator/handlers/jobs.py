"""Jobs: read one or many, start, stop, restart (``/odata/Jobs...``)."""

from __future__ import annotations

import httpx

from ...core.errors import body_response
from .. import parsing
from ..entities.schedules import fire_due
from ..entities.sets import PROCESS_SCHEDULES
from ..models import JOB_FIELDS
from ..models.jobs import Job
from ..models.start_info import parse_job_ids, parse_start_info, parse_stop_strategy
from ..odata import field_map
from ..responses import (
    JSON_CONTENT_TYPE,
    Call,
    collection,
    encode_json,
    entity,
    job_response,
    odata_base,
)
from ..restart import parse_restart
from ..restart import restart_job as _restart
from .expand import expander

__all__ = [
    "get_job",
    "get_job_by_key",
    "list_jobs",
    "restart_job",
    "start_jobs",
    "stop_job",
    "stop_jobs",
]

#: ``Machine`` is JobDto's navigation property, filled only by ``$expand`` [V] swagger.
_JOB_MAP = field_map((*JOB_FIELDS, "Machine"))


def get_job(call: Call) -> httpx.Response:
    backend = call.backend
    job = backend.job(call.folder, parsing.key(call.req))
    if call.req.raw.url.query:  # $select / $expand: off the poller's hot path
        return _job_entity(call, job)
    return job_response(call.req, job, backend.now)


def get_job_by_key(call: Call) -> httpx.Response:
    key = call.req.params["identifier"].strip().strip("'")
    backend = call.backend
    job = backend.job_by_key(call.folder, key)
    if call.req.raw.url.query:
        return _job_entity(call, job)
    return job_response(call.req, job, backend.now)


def _job_entity(call: Call, job: Job) -> httpx.Response:
    """One job with ``$select`` and ``$expand`` applied (OData on single entities too)."""
    query = parsing.odata_query(call.req, _JOB_MAP)
    dto = job.to_dto(call.backend.now)
    expander("Jobs", call, query.expand)([dto])
    if query.select is not None:
        dto = {name: dto.get(name) for name in (*query.select, *query.expand)}
    return entity(call.req, "Jobs" + query.context_suffix(), dto)


def list_jobs(call: Call) -> httpx.Response:
    backend = call.backend
    query = parsing.odata_query(call.req, _JOB_MAP)
    backend.check_rate_limit("Jobs")
    fire_due(backend, PROCESS_SCHEDULES)  # schedules fire on the world's clock
    now = backend.now
    rows = [job.to_dto(now) for folder in call.folders for job in backend.jobs_in(folder)]
    expand = expander("Jobs", call, query.expand)
    return collection(call.req, "Jobs", rows, query, expand=expand)


def start_jobs(call: Call) -> httpx.Response:
    req, backend = call.req, call.backend
    info = parse_start_info(parsing.json_body(req))
    jobs = backend.start_jobs(call.folder, info, parent_job_key=req.header("x-uipath-jobkey"))
    now = backend.now
    # [V] 201 Created, @odata.context + value, no @odata.count (docs/wire.md §6.6). Each job
    # is its phase-cached JSON (Job.encoded_at): the bytes json_response would write for
    # its to_dto(now), encoded once here and found again by the job's first poll.
    context = encode_json(odata_base(req) + "Jobs").encode("utf-8")
    value = b",".join(job.encoded_at(now) for job in jobs)
    body = b'{"@odata.context":' + context + b',"value":[' + value + b"]}"
    return body_response(201, body, JSON_CONTENT_TYPE)


def stop_jobs(call: Call) -> httpx.Response:
    body = parsing.json_object(call.req)
    strategy = parse_stop_strategy(body.get("strategy", body.get("Strategy")))
    call.backend.stop_jobs(call.folder, parse_job_ids(body), strategy)  # type: ignore[arg-type]
    return httpx.Response(200)  # [V] 200, no body (§6.7)


def stop_job(call: Call) -> httpx.Response:
    body = parsing.json_object(call.req)
    strategy = parse_stop_strategy(body.get("strategy", body.get("Strategy")))
    job_id = parsing.key(call.req)
    call.backend.stop_jobs(call.folder, [job_id], strategy)  # type: ignore[arg-type]
    return httpx.Response(200)


def restart_job(call: Call) -> httpx.Response:
    """RestartJob: a new job for a finished one (``restart.py``). [V] swagger scopes
    "OR.Jobs or OR.Jobs.Write", plus OR.Execution as StartJobs takes it [I]."""
    req, backend = call.req, call.backend
    job_id = parse_restart(parsing.json_body(req))
    job = _restart(backend, call.folder, job_id, parent_job_key=req.header("x-uipath-jobkey"))
    # [V] swagger: 200 with one JobDto; the context as a single entity's [I] (§6.5).
    return entity(req, "Jobs", job.to_dto(backend.now))

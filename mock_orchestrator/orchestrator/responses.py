"""HTTP handlers of the Orchestrator: parse, call one backend method, serialize.

Every handler starts with :meth:`OrchestratorResponses._enter`: find the tenant the URL (or
``X-UIPATH-TenantName``, or the on-prem token) names, check the bearer token and the scope
([V] scopes per operation from the UICLI swagger, uipath-wire §6), then the folder headers
when the operation is folder-scoped. Errors are raised, never built here: the world renders
them (``core/errors.py``, ``exceptions.py``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx

from ..core.errors import body_response, json_response
from ..core.request import MAX_BODY_BYTES, BadBody, MockRequest
from ..core.routing import CLOUD
from ..identity.exceptions import Unauthenticated
from .exceptions import BodyTooLarge, FolderRequired, InvalidRequest, ValidationFailed
from .models import (
    ASSET_FIELDS,
    JOB_FIELDS,
    QUEUE_DEFINITION_FIELDS,
    QUEUE_ITEM_FIELDS,
    RELEASE_FIELDS,
)
from .models.folders import FOLDER_HEADERS, Folder, read_folder_headers
from .models.jobs import Job
from .models.queues import parse_item_data
from .models.start_info import parse_job_ids, parse_start_info, parse_stop_strategy
from .models.users import USER_FIELDS, user_dto
from .odata import ODataQuery, field_map, parse_key, parse_query
from .restart import parse_restart, restart_job

if TYPE_CHECKING:
    from .._cloud import MockCloud
    from ..identity.models import Tenant
    from ..identity.tokens import TokenRecord
    from .backend import TenantBackend

__all__ = ["ORCHESTRATOR_VERSION", "OrchestratorResponses"]

#: [V] shape of ``api/status/version`` (uipath-wire §5.1); the number is the mock's choice.
ORCHESTRATOR_VERSION = "23.10.1.0"

# Scopes per operation ([V] UICLI swagger "OAuth required scopes", uipath-wire §6). Jobs also
# accept OR.Execution [I]: UiPath's SDK asks for OR.Execution by default and starts jobs with it.
_EXECUTION = frozenset({"OR.Execution", "OR.Execution.Read", "OR.Execution.Write"})
_JOBS_READ = frozenset({"OR.Jobs", "OR.Jobs.Read"}) | _EXECUTION
_JOBS_WRITE = frozenset({"OR.Jobs", "OR.Jobs.Write", "OR.Execution", "OR.Execution.Write"})
_RELEASES_READ = frozenset({"OR.Execution", "OR.Execution.Read"})
_FOLDERS_READ = frozenset({"OR.Folders", "OR.Folders.Read"})
_USERS_READ = frozenset({"OR.Users", "OR.Users.Read"})
_ASSETS_READ = frozenset({"OR.Assets", "OR.Assets.Read"})
_QUEUES_READ = frozenset({"OR.Queues", "OR.Queues.Read"})
_QUEUES_WRITE = frozenset({"OR.Queues", "OR.Queues.Write"})

#: ``Machine`` is JobDto's navigation property, filled only by ``$expand`` [V] swagger.
_JOB_MAP = field_map((*JOB_FIELDS, "Machine"))
#: ``Environment`` is ReleaseDto's navigation property, filled only by ``$expand`` [V] swagger.
_RELEASE_MAP = field_map((*RELEASE_FIELDS, "Environment"))
_FOLDER_MAP = field_map(Folder(0, "", "", "").to_dto().keys())
_ASSET_MAP = field_map(ASSET_FIELDS)
_QUEUE_MAP = field_map(QUEUE_DEFINITION_FIELDS)
_QUEUE_ITEM_MAP = field_map(QUEUE_ITEM_FIELDS)
_USER_MAP = field_map(USER_FIELDS)
_JSON_TYPES = frozenset({"application/json", "text/json"})
_TAKE_MAX = 100
_INTEGER = re.compile(r"-?[0-9]{1,12}")
_JSON_CONTENT_TYPE = b"application/json; charset=utf-8"
_FOLDER_HEADER_KEYS = tuple((name, name.encode("ascii")) for name in FOLDER_HEADERS)
#: The encoder json_response uses (compact, UTF-8 kept), for bodies spliced from parts.
_encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def _odata_base(req: MockRequest) -> str:
    """Where ``@odata.context`` points for this request, up to the ``#``.

    * ``/{org}/{tenant}/...``: absolute, and always through ``orchestrator_`` -- [V] the 2020
      shape without it still answered ``.../orchestrator_/odata/$metadata#QueueItems/$entity``
      (forum 243590);
    * bare ``/odata/...`` on a cloud host: absolute ([V] Joget, platform.uipath.com);
    * bare ``/odata/...`` on-prem: relative, ``/odata/$metadata#`` ([V] docs processes sample).
    """
    if "tenant" not in req.params:
        if CLOUD not in req.sites:
            return "/odata/$metadata#"
        url = req.raw.url
        return f"{url.scheme}://{url.netloc.decode('ascii')}/odata/$metadata#"
    url = req.raw.url
    path = url.path
    cut = path.lower().find("/odata/")
    prefix = path[:cut] if cut >= 0 else ""
    if not prefix.lower().endswith("/orchestrator_"):
        prefix += "/orchestrator_"
    return f"{url.scheme}://{url.netloc.decode('ascii')}{prefix}/odata/$metadata#"


def _folder_headers(req: MockRequest) -> dict[str, str]:
    """The request's folder headers, exactly as :func:`read_folder_headers` reads them.

    Speed: four lookups in the request's one-pass header map instead of another scan of every
    header; with no repeated name, "first value wins" is moot and the decoding is the same.
    """
    by_name = req.header_bytes()
    if by_name is None:
        return read_folder_headers(req.raw.headers.raw)
    return {
        name: by_name[key].decode("utf-8", "replace").strip()
        for name, key in _FOLDER_HEADER_KEYS
        if key in by_name
    }


_ENTITY_PREFIXES: dict[str, bytes] = {}


def _job_response(req: MockRequest, job: Job, now: float) -> httpx.Response:
    """A single job, spliced from its cached JSON: the poller's hot path (no re-encoding)."""
    context = _odata_base(req) + "Jobs/$entity"
    prefix = _ENTITY_PREFIXES.get(context)
    if prefix is None:
        if len(_ENTITY_PREFIXES) > 256:  # worlds come and go; keep the cache small
            _ENTITY_PREFIXES.clear()
        prefix = b'{"@odata.context":' + json.dumps(context).encode("utf-8") + b","
        _ENTITY_PREFIXES[context] = prefix
    return body_response(200, prefix + job.encoded_at(now)[1:], _JSON_CONTENT_TYPE)


def _nonnegative(req: MockRequest, name: str, default: int, upper: int) -> int:
    raw = req.query_get(name)
    if raw is None or raw == "":
        return default
    text = raw.strip()
    if _INTEGER.fullmatch(text) is None:
        raise ValidationFailed(f"The value '{raw[:40]}' is not valid for {name}.")
    value = int(text)
    if not 0 <= value <= upper:
        raise ValidationFailed(f"The field {name} must be between 0 and {upper}")
    return value


def _expander(
    entity_set: str,
    backend: TenantBackend,
    record: TokenRecord,
    folders: list[Folder],
    names: tuple[str, ...],
) -> Callable[[list[dict[str, Any]]], None]:
    """Fills the ``$expand``-ed navigation properties of rows, by the entity set's own rules
    (``entities/typed.py``); imported on use: only an expanding request pays for it."""
    from .entities.store import Context
    from .entities.typed import JOBS, RELEASES

    expansions = {"Jobs": JOBS.expansions, "Releases": RELEASES.expansions}[entity_set]
    ctx = Context(backend, record, folders[0] if len(folders) == 1 else None, folders)

    def expand(rows: list[dict[str, Any]]) -> None:
        for row in rows:
            for name in names:
                fill = expansions.get(name)
                if fill is not None:
                    row[name] = fill(ctx, row)

    return expand


class OrchestratorResponses:
    """The handlers of ``ORCHESTRATOR_ROUTES``; one method per route label."""

    def __init__(self, cloud: MockCloud) -> None:
        self.cloud = cloud

    # -- the common prelude ---------------------------------------------------------------

    def _tenant(self, req: MockRequest) -> Tenant:
        identity = self.cloud.identity
        name = req.params.get("tenant")
        found: Tenant | None
        if name is not None:
            found = identity.find_tenant(req.params.get("org"), name)
        elif CLOUD in req.sites:
            # [V] June 2019 platform shape: the tenant travels in X-UIPATH-TenantName, as its
            # *logical* name; the display name must not resolve (trap 8, uipath-wire §11).
            header = req.header("x-uipath-tenantname")
            found = identity.find_tenant(None, header.strip()) if header else None
        else:
            found = self._onprem_tenant(req)
        if found is None:
            # [V] trap 8: a wrong tenant in the URL is the ABP 401, not a 404.
            raise Unauthenticated("wrong_tenant", token_sent=req.bearer() is not None)
        return found

    def _onprem_tenant(self, req: MockRequest) -> Tenant | None:
        """On-prem ``/odata/...``: the tenant the token was issued for, else the default."""
        identity = self.cloud.identity
        token = req.bearer()
        record = identity.tokens.get(token) if token else None
        if record is not None and record.tenants:
            org = identity.orgs_by_id.get(record.org_id or "")
            return identity.find_tenant(org.name if org else None, next(iter(record.tenants)))
        return self.cloud.default_tenant

    def _enter(
        self, req: MockRequest, scopes: frozenset[str], *, folder: bool = True
    ) -> tuple[TenantBackend, TokenRecord, Folder | None]:
        tenant = self._tenant(req)
        identity = self.cloud.identity
        record = identity.authenticate(req, tenant)
        if scopes:
            identity.require_scope(record, scopes)
        backend = self.cloud.orchestrator.for_tenant(tenant)
        if not folder:
            return backend, record, None
        headers = _folder_headers(req)

        def caller() -> str | None:
            user = backend.user_of(record)
            return user.email if user else None

        return backend, record, backend.folders.resolve(headers, caller)

    def _list_enter(
        self, req: MockRequest, scopes: frozenset[str]
    ) -> tuple[TenantBackend, TokenRecord, list[Folder]]:
        """A folder-scoped list: the request's folder, or without one (400 errorCode 1101) every
        folder the caller sees when the world's ``folderless_lists`` says "all_folders"."""
        try:
            backend, record, folder = self._enter(req, scopes)
        except FolderRequired:
            backend, record, _ = self._enter(req, scopes, folder=False)
            if backend.registry.folderless_lists != "all_folders":
                raise
            user = backend.user_of(record)
            return backend, record, backend.folders.visible_to(user.email if user else None)
        assert folder is not None
        return backend, record, [folder]

    def _folder_op(self, req: MockRequest, scopes: frozenset[str]) -> tuple[TenantBackend, Folder]:
        backend, _, found = self._enter(req, scopes)
        assert found is not None
        return backend, found

    @staticmethod
    def _query(req: MockRequest, fields: dict[str, str]) -> ODataQuery:
        try:
            query = req.query
        except BadBody as exc:
            raise InvalidRequest(str(exc)) from exc
        return parse_query(query, fields)

    @staticmethod
    def _body(req: MockRequest) -> Any:
        if len(req.raw.content) > MAX_BODY_BYTES:
            raise BodyTooLarge()
        media = req.media_type
        if media not in _JSON_TYPES and not media.endswith("+json"):
            raise InvalidRequest(f"Unsupported content type '{media[:60] or 'none'}'.")
        try:
            return req.json()
        except BadBody as exc:
            if exc.too_large:
                raise BodyTooLarge() from exc
            raise InvalidRequest(f"The body could not be read: {exc}.") from exc

    @staticmethod
    def _collection(
        req: MockRequest,
        entity: str,
        rows: list[dict[str, Any]],
        query: ODataQuery,
        hidden: str | None = None,
        expand: Callable[[list[Any]], None] | None = None,
    ) -> httpx.Response:
        page, total = query.apply(rows)
        if expand is not None and query.expand:
            expand(page)
        if hidden is not None and (query.select is None or hidden not in query.select):
            for row in page:
                row.pop(hidden, None)  # type: ignore[attr-defined]
        return json_response(
            200,
            {
                "@odata.context": _odata_base(req) + entity + query.context_suffix(),
                # [V] present on every recorded GET collection, $count or not (§7).
                "@odata.count": total,
                "value": page,
            },
        )

    @staticmethod
    def _entity(
        req: MockRequest, entity: str, dto: dict[str, Any], status: int = 200
    ) -> httpx.Response:
        body = {"@odata.context": _odata_base(req) + entity + "/$entity"}
        body.update(dto)
        return json_response(status, body)

    # -- jobs -----------------------------------------------------------------------------

    def get_job(self, req: MockRequest) -> httpx.Response:
        backend, record, folder = self._enter(req, _JOBS_READ)
        assert folder is not None
        job = backend.job(folder, parse_key(req.params["id"]))
        if req.raw.url.query:  # $select / $expand: off the poller's hot path
            return self._job_entity(req, backend, record, folder, job)
        return _job_response(req, job, backend.now)

    def get_job_by_key(self, req: MockRequest) -> httpx.Response:
        backend, record, folder = self._enter(req, _JOBS_READ)
        assert folder is not None
        key = req.params["identifier"].strip().strip("'")
        job = backend.job_by_key(folder, key)
        if req.raw.url.query:
            return self._job_entity(req, backend, record, folder, job)
        return _job_response(req, job, backend.now)

    def _job_entity(
        self,
        req: MockRequest,
        backend: TenantBackend,
        record: TokenRecord,
        folder: Folder,
        job: Job,
    ) -> httpx.Response:
        """One job with ``$select`` and ``$expand`` applied (OData on single entities too)."""
        query = self._query(req, _JOB_MAP)
        dto = job.to_dto(backend.now)
        _expander("Jobs", backend, record, [folder], query.expand)([dto])
        if query.select is not None:
            dto = {name: dto.get(name) for name in (*query.select, *query.expand)}
        return self._entity(req, "Jobs" + query.context_suffix(), dto)

    def list_jobs(self, req: MockRequest) -> httpx.Response:
        backend, record, folders = self._list_enter(req, _JOBS_READ)
        query = self._query(req, _JOB_MAP)
        backend.check_rate_limit("Jobs")
        if "ProcessSchedules" in backend.entities.tables:  # schedules fire on the clock
            from .entities.schedules import fire_due

            fire_due(backend)
        now = backend.now
        rows = [job.to_dto(now) for folder in folders for job in backend.jobs_in(folder)]
        expand = _expander("Jobs", backend, record, folders, query.expand)
        return self._collection(req, "Jobs", rows, query, expand=expand)

    def start_jobs(self, req: MockRequest) -> httpx.Response:
        backend, folder = self._folder_op(req, _JOBS_WRITE)
        info = parse_start_info(self._body(req))
        jobs = backend.start_jobs(folder, info, parent_job_key=req.header("x-uipath-jobkey"))
        now = backend.now
        # [V] 201 Created, @odata.context + value, no @odata.count (uipath-wire §6.6). Each job
        # is its phase-cached JSON (Job.encoded_at): the bytes json_response would write for
        # its to_dto(now), encoded once here and found again by the job's first poll.
        context = _encode(_odata_base(req) + "Jobs").encode("utf-8")
        value = b",".join(job.encoded_at(now) for job in jobs)
        body = b'{"@odata.context":' + context + b',"value":[' + value + b"]}"
        return body_response(201, body, _JSON_CONTENT_TYPE)

    def stop_jobs(self, req: MockRequest) -> httpx.Response:
        backend, folder = self._folder_op(req, _JOBS_WRITE)
        body = self._body(req)
        if not isinstance(body, dict):
            raise InvalidRequest("The body must be a JSON object.")
        strategy = parse_stop_strategy(body.get("strategy", body.get("Strategy")))
        backend.stop_jobs(folder, parse_job_ids(body), strategy)  # type: ignore[arg-type]
        return httpx.Response(200)  # [V] 200, no body (§6.7)

    def stop_job(self, req: MockRequest) -> httpx.Response:
        backend, folder = self._folder_op(req, _JOBS_WRITE)
        body = self._body(req)
        if not isinstance(body, dict):
            raise InvalidRequest("The body must be a JSON object.")
        strategy = parse_stop_strategy(body.get("strategy", body.get("Strategy")))
        job_id = parse_key(req.params["id"])  # the one key parser: "10169582L" as GET reads it
        backend.stop_jobs(folder, [job_id], strategy)  # type: ignore[arg-type]
        return httpx.Response(200)

    def restart_job(self, req: MockRequest) -> httpx.Response:
        """RestartJob: a new job for a finished one (``restart.py``). [V] swagger scopes
        "OR.Jobs or OR.Jobs.Write", plus OR.Execution as StartJobs takes it [I]."""
        backend, folder = self._folder_op(req, _JOBS_WRITE)
        job_id = parse_restart(self._body(req))
        job = restart_job(backend, folder, job_id, parent_job_key=req.header("x-uipath-jobkey"))
        # [V] swagger: 200 with one JobDto; the context as a single entity's [I] (§6.5).
        return self._entity(req, "Jobs", job.to_dto(backend.now))

    # -- releases, folders, users ---------------------------------------------------------

    def list_releases(self, req: MockRequest) -> httpx.Response:
        backend, record, folders = self._list_enter(req, _RELEASES_READ)
        query = self._query(req, _RELEASE_MAP)
        rows = [r.to_dto() for folder in folders for r in backend.releases_in(folder)]
        expand = _expander("Releases", backend, record, folders, query.expand)
        return self._collection(req, "Releases", rows, query, expand=expand)

    def list_folders(self, req: MockRequest) -> httpx.Response:
        # Tenant-level: no folder header needed ([I] uipath-wire §6.2).
        backend, record, _ = self._enter(req, _FOLDERS_READ, folder=False)
        query = self._query(req, _FOLDER_MAP)
        user = backend.user_of(record)
        rows = [f.to_dto() for f in backend.folders.visible_to(user.email if user else None)]
        return self._collection(req, "Folders", rows, query)

    def folders_for_current_user(self, req: MockRequest) -> httpx.Response:
        backend, record, _ = self._enter(req, _FOLDERS_READ, folder=False)
        # [V] 1009 "The field take must be between 0 and 100" (UiPathOrch tsv).
        take = _nonnegative(req, "take", _TAKE_MAX, _TAKE_MAX)
        skip = _nonnegative(req, "skip", 0, 2147483647)
        search = (req.query_get("searchText") or "").strip().casefold()
        user = backend.user_of(record)
        if user is not None:
            backend.personal_workspace(user)
        folders = sorted(
            (
                f
                for f in backend.folders.visible_to(user.email if user else None)
                if search in f.display_name.casefold()
                or search in f.fully_qualified_name.casefold()
            ),
            key=lambda f: f.fully_qualified_name.casefold(),
        )
        page = [f.to_dto() for f in folders[skip : skip + take]]
        return json_response(200, {"PageItems": page, "Count": len(folders)})

    def current_user_extended(self, req: MockRequest) -> httpx.Response:
        backend, record, _ = self._enter(req, _USERS_READ, folder=False)
        query = self._query(req, _USER_MAP)
        user = backend.user_of(record)
        workspace = backend.personal_workspace(user) if user is not None else None
        dto = user_dto(backend, record, user, workspace)
        if query.select is not None:
            dto = {name: dto.get(name) for name in query.select}
        return self._entity(req, "Users" + query.context_suffix(), dto)

    # -- assets and queues ----------------------------------------------------------------

    def assets_filtered(self, req: MockRequest) -> httpx.Response:
        backend, _, folders = self._list_enter(req, _ASSETS_READ)
        query = self._query(req, _ASSET_MAP)
        rows = [a.to_dto() for folder in folders for a in backend.assets_in(folder)]
        return self._collection(req, "Assets", rows, query)

    def robot_asset(self, req: MockRequest) -> httpx.Response:
        backend, folder = self._folder_op(req, _ASSETS_READ)
        body = self._body(req)
        if not isinstance(body, dict):
            raise InvalidRequest("The body must be a JSON object.")
        name, robot_key = body.get("assetName"), body.get("robotKey")
        if not isinstance(name, str) or not name.strip():
            raise ValidationFailed("The assetName field is required.")
        if not isinstance(robot_key, str) or not robot_key.strip():
            raise ValidationFailed("The robotKey field is required.")
        asset = backend.robot_asset(folder, name.strip())
        body_out = {
            "@odata.context": _odata_base(req) + "UiPath.Server.Configuration.OData.UserAssetDto"
        }
        body_out.update(asset.to_robot_dto())
        return json_response(200, body_out)

    def list_queue_definitions(self, req: MockRequest) -> httpx.Response:
        backend, _, folders = self._list_enter(req, _QUEUES_READ)
        query = self._query(req, _QUEUE_MAP)
        rows = [q.to_dto() for folder in folders for q in backend.queues_in(folder)]
        return self._collection(req, "QueueDefinitions", rows, query)

    def list_queue_items(self, req: MockRequest) -> httpx.Response:
        backend, _, folders = self._list_enter(req, _QUEUES_READ)
        query = self._query(req, _QUEUE_ITEM_MAP)
        backend.check_rate_limit("QueueItems")
        rows = []
        for item in (i for folder in folders for i in backend.queue_items_in(folder)):
            row = item.to_dto()
            row["QueueDefinitionName"] = item.queue.name
            rows.append(row)
        return self._collection(req, "QueueItems", rows, query, hidden="QueueDefinitionName")

    def add_queue_item(self, req: MockRequest) -> httpx.Response:
        backend, folder = self._folder_op(req, _QUEUES_WRITE)
        item = backend.add_queue_item(folder, parse_item_data(self._body(req)))
        return self._entity(req, "QueueItems", item.to_dto(), status=201)  # [V] 201 (§6.8)

    # -- first run, version ---------------------------------------------------------------

    def studio_web_first_run(self, req: MockRequest) -> httpx.Response:
        self._enter(req, frozenset(), folder=False)
        return httpx.Response(200)

    def studio_web_license(self, req: MockRequest) -> httpx.Response:
        self._enter(req, frozenset(), folder=False)
        return httpx.Response(200)

    def status_version(self, req: MockRequest) -> httpx.Response:
        # Anonymous ([V] the CLI calls it before it has a token). "deployment" decides the
        # CLI's scope file: "ServiceFabric" is Automation Suite; [?] for standalone on-prem.
        deployment = "Cloud" if CLOUD in req.sites else "OnPremise"
        return json_response(200, {"version": ORCHESTRATOR_VERSION, "deployment": deployment})

"""The Orchestrator's one prelude, and the answers every handler builds.

Every Orchestrator route is served by :class:`OrchestratorService`: it finds the tenant the URL
(or ``X-UIPATH-TenantName``, or the on-prem token) names, asks identity who the bearer is in that
tenant, checks the route's scopes ([V] per operation, ``scopes.py``) and, when the route acts in
a folder, resolves the folder headers. The handler (``handlers/<resource>.py``) then receives a
:class:`Call` and only parses, calls the backend and serializes. What a route needs comes from
the route table (``urls.py``: ``scopes=``, ``folder=``), so no handler repeats it.

Errors are raised, never built here: the world renders them (``core/errors.py``,
``exceptions.py``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx

from ..core.errors import body_response, json_response
from ..core.routing import CLOUD
from ..identity.exceptions import Unauthenticated, Unauthorized
from .exceptions import FolderRequired
from .parsing import folder_headers

if TYPE_CHECKING:
    from ..core.request import MockRequest
    from ..core.routing import Route
    from ..identity.models import Directory, Tenant
    from ..identity.tokens import TokenRecord
    from .backend import OrchestratorRegistry, TenantBackend
    from .models.folders import Folder
    from .models.jobs import Job
    from .odata import ODataQuery

__all__ = [
    "JSON_CONTENT_TYPE",
    "Call",
    "OrchestratorService",
    "collection",
    "encode_json",
    "entity",
    "job_response",
    "odata_base",
]

JSON_CONTENT_TYPE = b"application/json; charset=utf-8"
#: The encoder json_response uses (compact, UTF-8 kept), for bodies spliced from parts.
encode_json = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


class Call:
    """What the prelude found: the request, the tenant's backend, the token, the folder."""

    __slots__ = ("_folder", "_folders", "backend", "req", "token")

    def __init__(
        self,
        req: MockRequest,
        backend: TenantBackend,
        token: TokenRecord,
        folder: Folder | None,
        folders: list[Folder] | None = None,
    ) -> None:
        self.req = req
        self.backend = backend
        self.token = token
        self._folder = folder
        self._folders = folders

    @property
    def folder(self) -> Folder:
        """The folder the headers named (only on a folder-scoped route: ``folder=True``)."""
        folder = self._folder
        if folder is None:
            raise RuntimeError("uipath-mock: this route is not folder-scoped (folder=True)")
        return folder

    @property
    def named_folder(self) -> Folder | None:
        """The folder the headers named, or None (a tenant-level call, a folderless list)."""
        return self._folder

    @property
    def folders(self) -> list[Folder]:
        """The folders a list reads: the named folder, or (a ``folder="list"`` route without a
        folder header, in a world whose ``folderless_lists`` is "all_folders") every folder the
        caller sees; on a tenant-level route, every folder the caller sees."""
        if self._folders is None:
            if self._folder is not None:
                self._folders = [self._folder]
            else:
                self._folders = self.backend.folders.visible_to(self.caller_email())
        return self._folders

    def caller_email(self) -> str | None:
        """The e-mail of the human behind the token (None for an application's own token)."""
        user = self.backend.user_of(self.token)
        return user.email if user else None


Handler = Callable[[Call], httpx.Response]


class OrchestratorService:
    """Serves every Orchestrator route of one world: the prelude, then the route's handler.

    It is given what it uses: the identity directory (tenants, bearers, users) and the registry
    of tenant backends.
    """

    def __init__(self, directory: Directory, registry: OrchestratorRegistry) -> None:
        self.directory = directory
        self.registry = registry

    def serve(self, route: Route, req: MockRequest) -> httpx.Response:
        scopes = route.scopes
        if scopes is None:  # anonymous (the version probe): no tenant, no token
            anonymous: Callable[[MockRequest], httpx.Response] = route.handler
            return anonymous(req)
        tenant = self._tenant(req)
        record = self.directory.authenticate(req.bearer(), tenant)
        if scopes and not record.has_any_scope(scopes):
            raise Unauthorized("scope")
        backend = self.registry.for_tenant(tenant)
        folder = folders = None
        if route.folder:

            def caller() -> str | None:
                user = backend.user_of(record)
                return user.email if user else None

            try:
                folder = backend.folders.resolve(folder_headers(req), caller)
            except FolderRequired:
                # [I] issue 11: the evidence disagrees on folderless lists; a setting decides
                if route.folder != "list" or self.registry.folderless_lists != "all_folders":
                    raise
                folders = backend.folders.visible_to(caller())
        handler: Handler = route.handler
        return handler(Call(req, backend, record, folder, folders))

    def _tenant(self, req: MockRequest) -> Tenant:
        directory = self.directory
        name = req.params.get("tenant")
        found: Tenant | None
        if name is not None:
            found = directory.find_tenant(req.params.get("org"), name)
        elif CLOUD in req.sites:
            # [V] June 2019 platform shape: the tenant travels in X-UIPATH-TenantName, as its
            # *logical* name; the display name must not resolve (trap 8, docs/wire.md §11).
            header = req.header("x-uipath-tenantname")
            found = directory.find_tenant(None, header.strip()) if header else None
        else:
            # on-prem /odata/...: the tenant the token was issued for, else the default
            found = directory.bearer_tenant(req.bearer()) or directory.default_tenant
        if found is None:
            # [V] trap 8: a wrong tenant in the URL is the ABP 401, not a 404.
            raise Unauthenticated("wrong_tenant", token_sent=req.bearer() is not None)
        return found


# -- answers ------------------------------------------------------------------------------


def odata_base(req: MockRequest) -> str:
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
    path = req.path
    cut = path.lower().find("/odata/")
    prefix = path[:cut] if cut >= 0 else ""
    if not prefix.lower().endswith("/orchestrator_"):
        prefix += "/orchestrator_"
    return f"{url.scheme}://{url.netloc.decode('ascii')}{prefix}/odata/$metadata#"


def collection(
    req: MockRequest,
    entity_set: str,
    rows: list[dict[str, Any]],
    query: ODataQuery,
    hidden: str | None = None,
    expand: Callable[[list[Any]], None] | None = None,
) -> httpx.Response:
    """A GET collection: ``@odata.context``, ``@odata.count`` and the page of ``rows``.

    ``hidden`` names a field the rows carry for ``$filter`` but show only when ``$select``ed;
    ``expand`` fills the page's ``$expand``-ed navigation properties (``handlers/expand.py``).
    """
    page, total = query.apply(rows)
    if expand is not None and query.expand:
        expand(page)
    if hidden is not None and (query.select is None or hidden not in query.select):
        for row in page:
            row.pop(hidden, None)  # type: ignore[attr-defined]
    return json_response(
        200,
        {
            "@odata.context": odata_base(req) + entity_set + query.context_suffix(),
            # [V] present on every recorded GET collection, $count or not (§7).
            "@odata.count": total,
            "value": page,
        },
    )


def entity(
    req: MockRequest, entity_set: str, dto: dict[str, Any], status: int = 200
) -> httpx.Response:
    """One entity: ``{"@odata.context": ".../$metadata#Set/$entity", ...dto}``."""
    body = {"@odata.context": odata_base(req) + entity_set + "/$entity"}
    body.update(dto)
    return json_response(status, body)


_ENTITY_PREFIXES: dict[str, bytes] = {}


def job_response(req: MockRequest, job: Job, now: float) -> httpx.Response:
    """A single job, spliced from its cached JSON: the poller's hot path (no re-encoding)."""
    context = odata_base(req) + "Jobs/$entity"
    prefix = _ENTITY_PREFIXES.get(context)
    if prefix is None:
        if len(_ENTITY_PREFIXES) > 256:  # worlds come and go; keep the cache small
            _ENTITY_PREFIXES.clear()
        prefix = b'{"@odata.context":' + json.dumps(context).encode("utf-8") + b","
        _ENTITY_PREFIXES[context] = prefix
    return body_response(200, prefix + job.encoded_at(now)[1:], JSON_CONTENT_TYPE)

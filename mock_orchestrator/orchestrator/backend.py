"""Orchestrator state: one :class:`TenantBackend` per tenant, created lazily.

Registry indexed by tenant (moto's ``BackendDict``), owned by one ``MockCloud``. A backend holds
folders, releases, jobs, queues and assets of its tenant; every rule and state transition lives
here (and in ``models/``), and the HTTP handlers in ``responses.py`` only parse, call and
serialize. The Python API a test uses to shape the world::

    orch = cloud.orchestrator.default            # the default tenant's backend
    orch.add_folder("Finance/Invoices")
    orch.add_release("Payroll", folder="Finance/Invoices", process_version="2.0.1")
    orch.configure_process("InvoiceProcessing", pending_seconds=1, running_seconds=10,
                           outcome="Faulted", error="System.IO.IOException: disk full")
    orch.add_queue("Orders"); orch.add_asset("Threshold", 42)
    orch.rate_limit = None                       # this tenant unlimited (default: the registry's)

Where the mock knowingly differs from Orchestrator: every job "runs" on a scripted timeline,
not on a robot (``backend.robots`` lists robots and sessions, but they run nothing); a folder's
permissions are all-or-nothing (every shared folder is visible to every caller, a personal
workspace only to its owner); queue items move only through the transaction calls
(``backend.part(TransactionDesk)``), never by a robot of their own.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from .exceptions import EntityNotFound, InvalidRobotId, ProcessNotFound
from .models.assets import ASSET_TYPES, Asset, AssetType
from .models.folders import Folder, FolderStore
from .models.jobs import Job, RestartPolicy, StopStrategy
from .models.queues import QueueDefinition, QueueItem, row_version
from .models.ratelimit import DEFAULT_LIMIT_PER_MINUTE, RateLimiter
from .models.releases import Release
from .models.robots import RobotStore
from .models.start_info import SOURCE_TYPES, StartInfo

if TYPE_CHECKING:
    from ..core.clock import FakeClock
    from ..core.ids import IdGenerator
    from ..identity.models import Directory, Tenant, User
    from ..identity.tokens import TokenRecord

__all__ = ["Folder", "OrchestratorRegistry", "Release", "TenantBackend"]

_INHERIT = object()
_Part = TypeVar("_Part")
#: A non-ASCII sub-folder provisioned in every tenant, for FolderPath-Encoded ([V] the SDK
#: switches to the encoded header for non-ASCII paths, docs/clients.md).
EXTRA_FOLDER = "Finance/Équipe"


class TenantBackend:
    """Folders, releases, jobs, queues and assets of one tenant.

    Its collaborators come from the registry: the world's clock and id source, and the
    identity directory (who is behind a token, who is signed in). A resource that arrives
    later keeps its own state in a *part* (:meth:`part`), built on first use, so adding one
    does not touch this class.
    """

    def __init__(self, tenant: Tenant, registry: OrchestratorRegistry) -> None:
        self.tenant = tenant
        self.registry = registry
        self.clock = registry.clock
        self.ids = registry.ids
        self.directory = registry.directory
        self.lock = threading.RLock()
        self._parts: dict[Callable[[TenantBackend], Any], Any] = {}
        self.folders = FolderStore(self.ids)
        self.releases: dict[int, Release] = {}
        self.jobs: dict[int, Job] = {}
        self._jobs_by_key: dict[str, Job] = {}
        self.queues: dict[int, QueueDefinition] = {}
        self.queue_items: dict[int, QueueItem] = {}
        self.assets: dict[int, Asset] = {}
        self._rate_limit: Any = _INHERIT
        self._user_numbers: dict[str, int] = {}
        self.limiter = RateLimiter(self.clock.time)
        # The default world ([V] "Shared always exists", UiPath's public Postman text).
        self.default_folder = self.add_folder("Shared")
        self.add_folder(EXTRA_FOLDER)
        self.default_release = self.add_release(
            "InvoiceProcessing",
            process_version="1.0.3",
            description="Reads invoices and files them",
        )
        self.default_queue = self.add_queue("InvoiceQueue").name
        self.default_asset = self.add_asset("ApiEndpoint", "https://erp.acme.test/api").name

    # -- later endpoints: built on first use, so a world that never calls them pays nothing --

    def part(self, kind: Callable[[TenantBackend], _Part]) -> _Part:
        """This tenant's instance of ``kind`` (built as ``kind(self)`` on first use).

        How a resource keeps its state without a line here: ``backend.part(MachineStore)``.
        """
        found = self._parts.get(kind)
        if found is None:
            with self.lock:
                found = self._parts.get(kind)
                if found is None:
                    found = self._parts[kind] = kind(self)
        part: _Part = found
        return part

    @functools.cached_property
    def robots(self) -> RobotStore:
        """Robots and their sessions (``GET /odata/Robots``, ``/odata/Sessions``)."""
        return RobotStore(self.tenant.id, self.lock, self.clock.time, self.jobs)

    @functools.cached_property
    def restart_policy(self) -> RestartPolicy:
        """RestartJob's choices where Orchestrator's behaviour is not recorded."""
        return RestartPolicy()

    # -- settings -------------------------------------------------------------------------

    @property
    def rate_limit(self) -> int | None:
        """List GETs of Jobs/QueueItems allowed per minute (None: unlimited)."""
        if self._rate_limit is _INHERIT:
            return self.registry.rate_limit_per_minute
        value: int | None = self._rate_limit
        return value

    @rate_limit.setter
    def rate_limit(self, per_minute: int | None) -> None:
        if per_minute is not None and per_minute < 0:
            raise ValueError("rate_limit must be >= 0 or None")
        self._rate_limit = per_minute

    def check_rate_limit(self, bucket: str) -> None:
        self.limiter.hit(bucket, self.rate_limit)

    @property
    def now(self) -> float:
        return self.clock.time()

    # -- shaping the world (the Python API) -----------------------------------------------

    def folder(self, folder: Folder | str | int | None) -> Folder:
        """A folder by object, path, or Id; None is the default folder ("Shared")."""
        if folder is None:
            return self.default_folder
        if isinstance(folder, Folder):
            return folder
        found = (
            self.folders.get(folder) if isinstance(folder, int) else self.folders.by_path(folder)
        )
        if found is None:
            raise KeyError(f"uipath-mock: no folder {folder!r} in tenant {self.tenant.name}")
        return found

    def add_folder(self, path: str, *, description: str | None = None) -> Folder:
        """Create a folder (and its parents): ``add_folder("Finance/Équipe")``."""
        with self.lock:
            return self.folders.add(path, description=description)

    def personal_workspace(self, user: User | str | None = None) -> Folder:
        """The personal workspace of ``user`` (an e-mail or User; default: the login user)."""
        found: User | None
        if user is None:
            found = self.directory.login_user
        elif isinstance(user, str):
            found = self.directory.find_user(user)
        else:
            found = user
        if found is None:
            raise KeyError(f"uipath-mock: no user {user!r}")
        with self.lock:
            return self.folders.add_personal(found.email, found.name)

    def add_release(
        self,
        name: str,
        *,
        folder: Folder | str | int | None = None,
        process_key: str | None = None,
        process_version: str = "1.0.0",
        description: str | None = None,
        input_arguments: str | None = None,
        entry_point_path: str | None = None,
        **behaviour: Any,
    ) -> Release:
        """Deploy a process to a folder; ``behaviour`` as in :meth:`configure_process`."""
        target = self.folder(folder)
        ids = self.ids
        with self.lock:
            release = Release(
                id=ids.sequence("Releases", start=120897),
                key=ids.guid(),
                name=name,
                process_key=process_key or name,
                process_version=process_version,
                folder_id=target.id,
                folder_key=target.key,
                folder_path=target.fully_qualified_name,
                created_at=self.now,
                description=description,
                input_arguments=input_arguments,
                feed_id=ids.guid() if target.is_personal else None,
                entry_point_path=entry_point_path,
            )
            if behaviour:
                release.behaviour = release.behaviour.configured(**behaviour)
            self.releases[release.id] = release
            return release

    def configure_process(
        self,
        name: str,
        *,
        folder: Folder | str | int | None = None,
        pending_seconds: float | None = None,
        running_seconds: float | None = None,
        outcome: str | None = None,
        output_arguments: dict[str, Any] | str | None = None,
        error: str | dict[str, Any] | None = None,
        stopping_seconds: float | None = None,
    ) -> list[Release]:
        """Script how the jobs of a process run from now on (jobs already started keep theirs).

        ``name`` matches a release's Name or ProcessKey (every folder, unless ``folder``).
        ``error`` is the exception text of a Faulted job, or a dict of ``JobError`` fields.
        """
        scope = None if folder is None else self.folder(folder).id
        wanted = name.lower()
        changed = []
        with self.lock:
            for release in self.releases.values():
                if scope is not None and release.folder_id != scope:
                    continue
                if wanted in (release.name.lower(), release.process_key.lower()):
                    release.behaviour = release.behaviour.configured(
                        pending_seconds=pending_seconds,
                        running_seconds=running_seconds,
                        outcome=outcome,
                        output_arguments=output_arguments,
                        error=error,
                        stopping_seconds=stopping_seconds,
                    )
                    changed.append(release)
        if not changed:
            raise KeyError(f"uipath-mock: no process {name!r} in tenant {self.tenant.name}")
        return changed

    def add_queue(
        self,
        name: str,
        *,
        folder: Folder | str | int | None = None,
        description: str | None = None,
        max_retries: int = 0,
        enforce_unique_reference: bool = False,
    ) -> QueueDefinition:
        target = self.folder(folder)
        ids = self.ids
        with self.lock:
            queue = QueueDefinition(
                id=ids.sequence("QueueDefinitions", start=124281),
                key=ids.guid(),
                name=name,
                folder_id=target.id,
                folder_path=target.fully_qualified_name,
                created_at=self.now,
                description=description,
                max_retries=max_retries,
                enforce_unique_reference=enforce_unique_reference,
            )
            self.queues[queue.id] = queue
            return queue

    def add_asset(
        self,
        name: str,
        value: str | int | bool | None = None,
        *,
        folder: Folder | str | int | None = None,
        value_type: AssetType | None = None,
        username: str | None = None,
        password: str | None = None,
        description: str | None = None,
    ) -> Asset:
        """An asset: the type follows ``value`` (str Text, int Integer, bool Bool), or
        ``username``/``password`` make a Credential."""
        if value_type is None:
            if username is not None:
                value_type = "Credential"
            elif isinstance(value, bool):
                value_type = "Bool"
            elif isinstance(value, int):
                value_type = "Integer"
            else:
                value_type = "Text"
        if value_type not in ASSET_TYPES:
            raise ValueError(f"value_type must be one of {', '.join(ASSET_TYPES)}")
        target = self.folder(folder)
        ids = self.ids
        with self.lock:
            asset = Asset(
                id=ids.sequence("Assets", start=3301),
                key=ids.guid(),
                name=name,
                value_type=value_type,
                folder_id=target.id,
                created_at=self.now,
                string_value=value if isinstance(value, str) else None,
                int_value=value if isinstance(value, int) and not isinstance(value, bool) else None,
                bool_value=value if isinstance(value, bool) else None,
                username=username,
                password=password,
                description=description,
            )
            self.assets[asset.id] = asset
            return asset

    # -- reading --------------------------------------------------------------------------

    def releases_in(self, folder: Folder) -> list[Release]:
        return [r for r in self.releases.values() if r.folder_id == folder.id]

    def jobs_in(self, folder: Folder) -> list[Job]:
        return [j for j in self.jobs.values() if j.folder_id == folder.id]

    def queues_in(self, folder: Folder) -> list[QueueDefinition]:
        return [q for q in self.queues.values() if q.folder_id == folder.id]

    def queue_items_in(self, folder: Folder) -> list[QueueItem]:
        return [i for i in self.queue_items.values() if i.queue.folder_id == folder.id]

    def assets_in(self, folder: Folder) -> list[Asset]:
        return [a for a in self.assets.values() if a.folder_id == folder.id]

    def job(self, folder: Folder, job_id: int) -> Job:
        found = self.jobs.get(job_id)
        if found is None or found.folder_id != folder.id:
            raise EntityNotFound("Job")
        return found

    def job_by_key(self, folder: Folder, key: str) -> Job:
        found = self._jobs_by_key.get(key.strip().lower())
        if found is None or found.folder_id != folder.id:
            raise EntityNotFound("Job")
        return found

    def robot_asset(self, folder: Folder, name: str) -> Asset:
        wanted = name.lower()
        for asset in self.assets_in(folder):
            if asset.name.lower() == wanted:
                return asset
        raise EntityNotFound("Asset")

    def user_number(self, key: str) -> int:
        """The tenant-local numeric Id of a user (or app), stable for the world's life."""
        with self.lock:
            number = self._user_numbers.get(key)
            if number is None:
                number = self._user_numbers[key] = self.ids.sequence("Users", start=2001)
            return number

    def user_of(self, record: TokenRecord) -> User | None:
        """The human behind a token (None for an external application's own token)."""
        claims = record.claims
        email = claims.get("email") or claims.get("https://uipath/email")
        if not isinstance(email, str):
            return None
        return self.directory.find_user(email)

    # -- jobs -----------------------------------------------------------------------------

    def _release_for(self, folder: Folder, info: StartInfo) -> Release:
        candidates = self.releases_in(folder)
        if info.release_key:
            wanted = info.release_key.lower()
            for release in candidates:
                if release.key == wanted:
                    return release
            raise ProcessNotFound()
        assert info.release_name is not None
        wanted = info.release_name.lower()
        for release in candidates:
            if release.name.lower() == wanted:
                return release
        raise ProcessNotFound()

    def start_jobs(
        self,
        folder: Folder,
        info: StartInfo,
        *,
        parent_job_key: str | None = None,
        created_at: float | None = None,
    ) -> list[Job]:
        """StartJobs: one job per ``JobsCount`` (one batch), in ``folder``; ``created_at``
        backdates them (a schedule's firing, ``entities/schedules.py``)."""
        release = self._release_for(folder, info)
        if info.strategy == "Specific":
            # [V] forum 176940: Specific + RobotIds in a modern folder -> "Invalid Robot ID".
            # Every folder of the mock is modern (classic folders are gone from the cloud).
            raise InvalidRobotId()
        ids = self.ids
        now = self.now if created_at is None else created_at
        with self.lock:
            batch = info.batch_key or ids.guid()
            started = []
            for _ in range(info.jobs_count):
                job = Job(
                    id=ids.sequence("Jobs", start=10169582),
                    key=ids.guid(),
                    release_key=release.key,
                    release_name=release.name,
                    folder_id=folder.id,
                    folder_key=folder.key,
                    folder_path=folder.fully_qualified_name,
                    created_at=now,
                    behaviour=release.behaviour,
                    batch_key=batch,
                    input_arguments=info.input_arguments,
                    source=info.source,
                    source_type=info.source if info.source in SOURCE_TYPES else "Manual",
                    reference=info.reference,
                    job_priority=info.job_priority,
                    specific_priority=info.specific_priority or 45,
                    runtime_type=info.runtime_type,
                    entry_point_path=info.entry_point_path,
                    requires_user_interaction=info.requires_user_interaction,
                    parent_job_key=parent_job_key,
                    trace_id=info.trace_id,
                )
                self.jobs[job.id] = job
                self._jobs_by_key[job.key] = job
                started.append(job)
        return started

    def stop_jobs(self, folder: Folder, job_ids: Iterable[int], strategy: StopStrategy) -> None:
        """StopJobs: every id must be a job of the folder (404 1002 otherwise, nothing stops)."""
        now = self.now
        with self.lock:
            jobs = [self.job(folder, job_id) for job_id in job_ids]
            for job in jobs:
                job.request_stop(now, strategy)

    # -- queues ---------------------------------------------------------------------------

    def add_queue_item(self, folder: Folder, data: dict[str, Any]) -> QueueItem:
        """AddQueueItem ``itemData`` (already parsed) -> a ``New`` item in the named queue."""
        name = data["Name"]
        wanted = name.lower()
        queue = next((q for q in self.queues_in(folder) if q.name.lower() == wanted), None)
        if queue is None:
            raise EntityNotFound("QueueDefinition")  # [I] docs/wire.md §6.8
        with self.lock:
            return self.create_queue_item(queue, data)

    def create_queue_item(
        self, queue: QueueDefinition, data: dict[str, Any], **lifecycle: Any
    ) -> QueueItem:
        """A new item of ``queue`` from parsed ``itemData`` (the caller holds ``self.lock``);
        ``lifecycle`` sets the retry fields of a retried item (``transactions.py``)."""
        ids = self.ids
        seq = ids.sequence("QueueItems", start=41647784)
        item = QueueItem(
            id=seq,
            key=ids.guid(),
            queue=queue,
            created_at=self.now,
            specific_content=data["SpecificContent"],
            priority=data["Priority"],
            reference=data.get("Reference"),
            defer_date=data.get("DeferDate"),
            due_date=data.get("DueDate"),
            risk_sla_date=data.get("RiskSlaDate"),
            progress=data.get("Progress"),
            source=data.get("Source"),
            row_version=row_version(seq),
            **lifecycle,
        )
        self.queue_items[item.id] = item
        return item


class OrchestratorRegistry:
    """``registry.for_tenant(tenant)`` -> that tenant's backend, built on first use.

    Given what the backends use: the world's clock and ids, and the identity directory.
    """

    def __init__(self, *, clock: FakeClock, ids: IdGenerator, directory: Directory) -> None:
        self.clock = clock
        self.ids = ids
        self.directory = directory
        self._backends: dict[str, TenantBackend] = {}
        self._lock = threading.Lock()
        #: List GETs of Jobs/QueueItems per tenant per minute; None turns the limit off.
        self.rate_limit_per_minute: int | None = DEFAULT_LIMIT_PER_MINUTE
        #: A folder-scoped list call with no folder header: ``"error"`` answers 400 errorCode
        #: 1101, ``"all_folders"`` reads every folder the caller sees. [I] The evidence
        #: disagrees: orchestrator-powershell issues record 1101 for assets and processes
        #: lists without a folder ([V] LC174, forum 544082, orchestrator-powershell#107),
        #: while UiPath's TypeScript SDK documents ``processes.getAll()`` "across folders"
        #: with none. The recorded answers win the default; the documented one is a setting.
        self.folderless_lists: Literal["error", "all_folders"] = "error"
        #: The ``api-supported-versions`` header on every Orchestrator answer (None: left out).
        #: [V] UiPath's PowerShell module reads the API version from it (docs/wire.md §5.2);
        #: [I] the value: the version of the published swagger the kit serves (UiPath.WebApi 18.0).
        self.api_supported_versions: str | None = "18.0"

    def for_tenant(self, tenant: Tenant) -> TenantBackend:
        backend = self._backends.get(tenant.id)
        if backend is None:
            with self._lock:
                backend = self._backends.get(tenant.id)
                if backend is None:
                    backend = TenantBackend(tenant, self)
                    self._backends[tenant.id] = backend
        return backend

    @property
    def default(self) -> TenantBackend:
        """The backend of the world's default tenant."""
        tenant = self.directory.default_tenant
        if tenant is None:
            raise KeyError("uipath-mock: the world has no tenant yet")
        return self.for_tenant(tenant)

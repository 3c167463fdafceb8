"""Where an entity set's rows live: a generic store for the plain sets, adapters for the rest.

A :class:`Source` is what every entity set offers the generic handlers: its rows in scope,
one row by Id, and create / update / delete. :class:`DictSource` keeps DTO rows in the
tenant's :class:`EntityStore` (Machines, Calendars, Webhooks, ...); the sets whose objects
have behaviour of their own (Jobs run on a timeline, Assets answer robots) keep their typed
models and are served through the adapters of ``typed.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from ...core.clock import format_odata_time
from ..data import dto_fields, dto_problems, load_dtos
from ..exceptions import EntityNotFound, ValidationFailed
from .errors import NameConflict

if TYPE_CHECKING:
    from ...identity.tokens import TokenRecord
    from ..backend import TenantBackend
    from ..models.folders import Folder

__all__ = ["Context", "DictSource", "EntityStore", "Row", "Source", "validate_body"]

Row = dict[str, Any]
#: Bound on the rows of one generic set (everything that grows has a bound).
MAX_ROWS_PER_SET = 10_000


@dataclass
class Context:
    """What a generic handler works with: the tenant, the caller and the folder scope.

    ``folders`` is the folders a read covers: the request's folder, or every folder the caller
    sees for a folderless list (a world setting) and for the ``...AcrossFolders`` calls.
    """

    backend: TenantBackend
    record: TokenRecord
    folder: Folder | None
    folders: list[Folder]
    params: dict[str, str] = field(default_factory=dict)

    @property
    def now(self) -> float:
        return self.backend.now

    @property
    def store(self) -> EntityStore:
        """The tenant's :class:`EntityStore` (a part of its backend, built on first use)."""
        return self.backend.part(EntityStore)

    @property
    def folder_ids(self) -> set[int]:
        return {f.id for f in self.folders}

    def target_folder(self) -> Folder:
        """Where a create goes: the request's folder (else the tenant's default)."""
        return self.folder or self.backend.default_folder


class Source(Protocol):
    """An entity set's rows, as the generic handlers need them."""

    name: str
    dto: str

    def rows(self, ctx: Context) -> list[Row]: ...
    def get(self, ctx: Context, key: int) -> Row: ...
    def create(self, ctx: Context, body: Row) -> Row: ...
    def update(self, ctx: Context, key: int, body: Row, *, partial: bool) -> Row: ...
    def delete(self, ctx: Context, key: int) -> None: ...
    def home_folder(self, ctx: Context, key: int) -> int | None: ...


def validate_body(dto: str, body: Row, *, partial: bool) -> Row:
    """The body's keys the DTO declares, checked as a strict client would check them.

    Unknown keys are dropped (ASP.NET's model binder ignores them); a missing required key
    (on create or PUT), a wrong type or a value outside an enum is a 400 errorCode 1009
    ([I] the code of Orchestrator's validation failures, [V] for ``take``).
    """
    fields = load_dtos()[dto]
    kept = {key: value for key, value in body.items() if key in fields and key != "Id"}
    check = dict(kept)
    if partial:  # PATCH: only what is sent is checked
        for key, facts in fields.items():
            if facts.get("required") and key not in check:
                check[key] = _placeholder(facts)
    problems = dto_problems(dto, check)
    if problems:
        raise ValidationFailed(problems[0].removeprefix("$."))
    return kept


def _placeholder(facts: dict[str, Any]) -> Any:
    if "enum" in facts:
        return facts["enum"][0]
    return {"int": 0, "bool": False, "float": 0.0}.get(facts["type"], "x")


@dataclass
class _Stored:
    folder_id: int | None
    row: Row


class EntityStore:
    """The rows of the generic entity sets of one tenant, seeded on first use."""

    def __init__(self, backend: TenantBackend) -> None:
        self.backend = backend
        self.tables: dict[str, dict[int, _Stored]] = {}
        self.next_id: dict[str, int] = {}
        #: (set, id) -> the other folders an entity is shared to (``ShareToFolders``).
        self.shares: dict[tuple[str, int], set[int]] = {}
        #: (what, id) -> ids it is linked to: a folder's users and machines, an environment's
        #: robots, a schedule's robots. Bounded by the entities they link.
        self.links: dict[tuple[str, int], set[int]] = {}
        #: Everything a webhook would have been sent (the mock makes no outbound calls).
        self.deliveries: list[Row] = []
        #: Files of each bucket: {bucket id: {path: BlobFileDto}}.
        self.files: dict[int, dict[str, Row]] = {}
        #: Maintenance and debug modes of each robot's session.
        self.session_flags: dict[int, dict[str, Any]] = {}
        #: Culture, active flag and roles set on each user (by tenant user number).
        self.user_flags: dict[int, dict[str, Any]] = {}
        #: (set, id) -> when the row was created, on the world's clock.
        self.created: dict[tuple[str, int], float] = {}
        #: Process schedule id -> up to when its firings have been started (``schedules.py``).
        self.schedule_marks: dict[int, float] = {}

    def shared_to(self, set_name: str, number: int) -> set[int]:
        return self.shares.get((set_name, number), set())

    def table(self, source: DictSource) -> dict[int, _Stored]:
        found = self.tables.get(source.name)
        if found is None:
            found = self.tables[source.name] = {}
            self.next_id[source.name] = source.first_id
            for folder, row in source.seed(self.backend):
                self.insert(source, folder.id if folder else None, row)
        return found

    def add(self, source: DictSource, row: Row, *, folder: Folder | None = None) -> Row:
        """Python API: put a row into a plain set (``folder``: the tenant's default folder for
        a folder-scoped set), without the checks a create over HTTP makes. For the sets the
        API cannot create, as a wait-for-job trigger::

            backend.part(EntityStore).add(JOB_TRIGGERS, {"JobId": job.id, "InboxId": "in-1"})
        """
        if source.folder_scoped:
            folder = folder or self.backend.default_folder
        with self.backend.lock:
            self.table(source)
            return dict(self.insert(source, folder.id if folder else None, row))

    def insert(self, source: DictSource, folder_id: int | None, row: Row) -> Row:
        table = self.tables[source.name]
        if len(table) >= MAX_ROWS_PER_SET:
            raise ValidationFailed(f"The tenant holds the most {source.name} the mock keeps.")
        number = self.next_id[source.name]
        self.next_id[source.name] = number + 1
        complete = source.defaults(self.backend, number)
        complete.update(row)
        if not source.text_id:
            complete["Id"] = number
        table[number] = _Stored(folder_id, complete)
        self.created[(source.name, number)] = self.backend.now
        return complete


Seed = Callable[["TenantBackend"], Iterable[tuple["Folder | None", Row]]]
Defaults = Callable[["TenantBackend", int], Row]


def _no_seed(backend: TenantBackend) -> list[tuple[Folder | None, Row]]:
    return []


@dataclass
class DictSource:
    """An entity set kept as DTO rows; ``folder_scoped`` sets live in folders.

    ``defaults(backend, id)`` gives every key a new row starts with (the DTO's required keys
    and the values Orchestrator fills in); ``unique`` names the key that must not repeat in a
    folder (Orchestrator refuses a second asset, queue or calendar of one name).
    """

    name: str
    dto: str
    defaults: Defaults
    folder_scoped: bool = True
    seed: Seed = _no_seed
    unique: str | None = "Name"
    first_id: int = 1
    entity: str = ""  # the type name in "<Entity> does not exist." (default: name less "s")
    #: The rows' ``Id`` is a string of their own (Processes: the package id; Settings: the
    #: name), looked up with :meth:`by_text`.
    text_id: bool = False
    expansions: dict[str, Callable[[Context, Row], Any]] = field(default_factory=dict)
    #: Checks a row before a create or an update keeps it (raises a wire error to refuse).
    check: Callable[[Row], None] | None = None

    @property
    def entity_name(self) -> str:
        return self.entity or self.name.removesuffix("s")

    def _table(self, ctx: Context) -> dict[int, _Stored]:
        return ctx.store.table(self)

    def _visible(self, ctx: Context, stored: _Stored) -> bool:
        if not self.folder_scoped:
            return True
        wanted = ctx.folder_ids
        if stored.folder_id in wanted:
            return True
        shared = ctx.store.shared_to(self.name, stored.row.get("Id", -1))
        return bool(shared & wanted)

    def home_folder(self, ctx: Context, key: int) -> int | None:
        return self.stored(ctx, key).folder_id

    def rows(self, ctx: Context) -> list[Row]:
        return [dict(s.row) for s in self._table(ctx).values() if self._visible(ctx, s)]

    def stored(self, ctx: Context, key: int) -> _Stored:
        found = self._table(ctx).get(key)
        if found is None or not self._visible(ctx, found):
            raise EntityNotFound(self.entity_name)
        return found

    def get(self, ctx: Context, key: int) -> Row:
        return dict(self.stored(ctx, key).row)

    def number_of(self, ctx: Context, text: str) -> int:
        """The store number of the row whose string ``Id`` is ``text`` (case-insensitive)."""
        wanted = text.casefold()
        for number, stored in self._table(ctx).items():
            if str(stored.row.get("Id", "")).casefold() == wanted and self._visible(ctx, stored):
                return number
        raise EntityNotFound(self.entity_name)

    def _check_unique(self, ctx: Context, row: Row, folder_id: int | None, skip: int) -> None:
        if self.unique is None or not isinstance(row.get(self.unique), str):
            return
        wanted = row[self.unique].casefold()
        for number, stored in self._table(ctx).items():
            same_scope = not self.folder_scoped or stored.folder_id == folder_id
            value = stored.row.get(self.unique)
            taken = isinstance(value, str) and value.casefold() == wanted
            if number != skip and same_scope and taken:
                raise NameConflict(self.entity_name, row[self.unique])

    def create(self, ctx: Context, body: Row) -> Row:
        row = validate_body(self.dto, body, partial=False)
        if self.check is not None:
            self.check(row)
        folder_id = ctx.target_folder().id if self.folder_scoped else None
        with ctx.backend.lock:
            self._table(ctx)
            self._check_unique(ctx, row, folder_id, skip=-1)
            created = ctx.store.insert(self, folder_id, row)
        return dict(created)

    def update(self, ctx: Context, key: int, body: Row, *, partial: bool) -> Row:
        stored = self.stored(ctx, key)
        changes = validate_body(self.dto, body, partial=partial)
        with ctx.backend.lock:
            merged = {**stored.row, **changes}
            if self.check is not None:
                self.check(merged)
            self._check_unique(ctx, merged, stored.folder_id, skip=key)
            if "LastModificationTime" in merged:
                merged["LastModificationTime"] = format_odata_time(ctx.now)
            stored.row = merged
        return dict(merged)

    def delete(self, ctx: Context, key: int) -> None:
        self.stored(ctx, key)
        with ctx.backend.lock:
            del self._table(ctx)[key]
            ctx.store.shares.pop((self.name, key), None)


def base_row(dto: str, backend: TenantBackend, number: int, **values: Any) -> Row:
    """Every key of ``dto`` (null), then the usual bookkeeping, then ``values``."""
    row: Row = dict.fromkeys(dto_fields(dto))
    now = format_odata_time(backend.now)
    if "Key" in row:
        row["Key"] = backend.ids.guid()
    for stamp in ("CreationTime", "LastModificationTime"):
        if stamp in row:
            row[stamp] = now
    row.update(values)
    row["Id"] = number
    return row

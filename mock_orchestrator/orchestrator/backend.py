"""Orchestrator state: one :class:`TenantBackend` per tenant, created lazily.

Registry indexed by tenant (moto's ``BackendDict``), owned by one ``MockCloud``. A backend holds
folders, releases, jobs, queues and assets of its tenant; every rule and state transition lives
here, and the HTTP handlers in ``responses.py`` only parse, call and serialize.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .._cloud import MockCloud
    from ..identity.models import Tenant

__all__ = ["Folder", "OrchestratorRegistry", "Release", "TenantBackend"]


@dataclass
class Folder:
    id: int
    key: str
    display_name: str
    fully_qualified_name: str
    parent_id: int | None = None
    parent_key: str | None = None
    description: str | None = None
    is_personal: bool = False


@dataclass
class Release:
    id: int
    key: str
    name: str
    process_key: str
    process_version: str
    folder_id: int
    description: str | None = None
    input_arguments: str | None = None
    #: Simulated run: seconds Pending, seconds Running, outcome and output (set per process).
    pending_seconds: float = 5.0
    running_seconds: float = 30.0
    outcome: str = "Successful"
    output_arguments: str = "{}"
    extra: dict[str, object] = field(default_factory=dict)


class TenantBackend:
    """Folders, releases, jobs, queues and assets of one tenant."""

    def __init__(self, cloud: MockCloud, tenant: Tenant) -> None:
        self.cloud = cloud
        self.tenant = tenant
        self.lock = threading.RLock()
        ids = cloud.ids
        self.folders: dict[int, Folder] = {}
        self.releases: dict[int, Release] = {}
        shared = Folder(
            id=ids.sequence("Folders", start=515116),
            key=ids.guid(),
            display_name="Shared",
            fully_qualified_name="Shared",
        )
        self.folders[shared.id] = shared
        self.default_folder = shared
        release = Release(
            id=ids.sequence("Releases", start=120897),
            key=ids.guid(),
            name="InvoiceProcessing",
            process_key="InvoiceProcessing",
            process_version="1.0.3",
            folder_id=shared.id,
            description="Reads invoices and files them",
        )
        self.releases[release.id] = release
        self.default_release = release
        self.default_queue = "InvoiceQueue"
        self.default_asset = "ApiEndpoint"


class OrchestratorRegistry:
    """``registry.for_tenant(tenant)`` -> that tenant's backend, built on first use."""

    def __init__(self, cloud: MockCloud) -> None:
        self.cloud = cloud
        self._backends: dict[str, TenantBackend] = {}
        self._lock = threading.Lock()

    def for_tenant(self, tenant: Tenant) -> TenantBackend:
        backend = self._backends.get(tenant.id)
        if backend is None:
            with self._lock:
                backend = self._backends.get(tenant.id)
                if backend is None:
                    backend = TenantBackend(self.cloud, tenant)
                    self._backends[tenant.id] = backend
        return backend

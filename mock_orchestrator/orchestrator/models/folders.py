"""Folders of one tenant, and how a request's folder headers pick one.

Folder headers ([V] docs/wire.md §5.2, docs/clients.md): ``X-UIPATH-OrganizationUnitId`` (the
numeric folder Id), ``X-UIPATH-FolderKey`` (GUID), ``X-UIPATH-FolderPath`` (plain text) and
``X-UIPATH-FolderPath-Encoded`` (Base64 of UTF-16LE), names matched without regard to case.

Precedence when several arrive together -- [?] what Orchestrator does is not recorded; UiPath's
SDK sends the environment's default folder *and* a per-call override (docs/clients.md #21,
#22), so the mock lets the **most specific** header win::

    OrganizationUnitId > FolderKey > FolderPath-Encoded > FolderPath

The winner alone decides: if it names no folder, the answer is 1100 even when a weaker header
would have matched (a client that sends a stale Id should learn it, not be silently rescued).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..exceptions import FolderNotFound, FolderRequired

if TYPE_CHECKING:
    from ...core.ids import IdGenerator

__all__ = ["FOLDER_HEADERS", "Folder", "FolderNameTaken", "FolderStore", "read_folder_headers"]


class FolderNameTaken(ValueError):
    """A rename onto a path another folder has."""


#: The folder headers, lower case, most specific first (see the module docstring).
FOLDER_HEADERS = (
    "x-uipath-organizationunitid",
    "x-uipath-folderkey",
    "x-uipath-folderpath-encoded",
    "x-uipath-folderpath",
)
_FOLDER_HEADER_BYTES = frozenset(h.encode("ascii") for h in FOLDER_HEADERS)


@dataclass(eq=False)
class Folder:
    """One folder. ``owner`` is set on a personal workspace (the owning user's e-mail)."""

    id: int
    key: str
    display_name: str
    fully_qualified_name: str
    parent_id: int | None = None
    parent_key: str | None = None
    description: str | None = None
    is_personal: bool = False
    owner: str | None = None
    #: The package feed of a personal workspace (``PersonalWorskpaceFeedId``).
    feed_id: str | None = None

    def to_dto(self) -> dict[str, Any]:
        """``FolderDto`` ([V] docs/wire.md §6.2 sample, §6.9 schema)."""
        return {
            "Key": self.key,
            "DisplayName": self.display_name,
            "FullyQualifiedName": self.fully_qualified_name,
            # [V] "Shared" for a root folder; [?] the separator for nested ones (we keep "/").
            "FullyQualifiedNameOrderable": self.fully_qualified_name,
            "Description": self.description,
            "FolderType": "Personal" if self.is_personal else "Standard",
            "IsPersonal": self.is_personal,
            "ProvisionType": "Manual" if self.is_personal else "Automatic",
            "PermissionModel": "FineGrained",
            "ParentId": self.parent_id,
            "ParentKey": self.parent_key,
            "IsActive": True,
            "FeedType": "PersonalWorkspace" if self.is_personal else "Processes",
            "Id": self.id,
        }


def read_folder_headers(raw_headers: list[tuple[bytes, bytes]]) -> dict[str, str]:
    """The folder headers of a request in one pass, names lower-cased (first value wins)."""
    found: dict[str, str] = {}
    for name, value in raw_headers:
        lowered = name.lower()
        if lowered in _FOLDER_HEADER_BYTES:
            key = lowered.decode("ascii")
            if key not in found:
                found[key] = value.decode("utf-8", "replace").strip()
    return found


def decode_folder_path(encoded: str) -> str | None:
    """Base64 of UTF-16LE -> text, or None when it is not that ([V] docs/wire.md §5.2)."""
    try:
        raw = base64.b64decode(encoded, validate=True)
        return raw.decode("utf-16-le")
    except (binascii.Error, ValueError):
        return None


def encode_folder_path(path: str) -> str:
    """What ``X-UIPATH-FolderPath-Encoded`` carries for ``path`` (UiPath's SDK does this)."""
    return base64.b64encode(path.encode("utf-16-le")).decode("ascii")


class FolderStore:
    """Every folder of a tenant, by Id, Key and fully qualified name (case-insensitive)."""

    def __init__(self, ids: IdGenerator) -> None:
        self._ids = ids
        self.by_id: dict[int, Folder] = {}
        self._by_key: dict[str, Folder] = {}
        self._by_path: dict[str, Folder] = {}

    def __iter__(self) -> Iterator[Folder]:
        return iter(list(self.by_id.values()))

    def __len__(self) -> int:
        return len(self.by_id)

    def _new_id(self) -> int:
        # [V] real folder ids are large and sparse (515116, 2500716); start near the sample.
        return self._ids.sequence("Folders", start=515116)

    def add(self, path: str, *, description: str | None = None) -> Folder:
        """Create ``path`` ("Finance/Équipe") and any missing parents; return the leaf."""
        parts = [p for p in path.strip().strip("/").split("/") if p.strip()]
        if not parts:
            raise ValueError("a folder path needs at least one name")
        parent: Folder | None = None
        for depth in range(1, len(parts) + 1):
            fqn = "/".join(parts[:depth])
            existing = self._by_path.get(fqn.lower())
            if existing is None:
                existing = self._insert(
                    Folder(
                        id=self._new_id(),
                        key=self._ids.guid(),
                        display_name=parts[depth - 1],
                        fully_qualified_name=fqn,
                        parent_id=parent.id if parent else None,
                        parent_key=parent.key if parent else None,
                        description=description if depth == len(parts) else None,
                    )
                )
            parent = existing
        assert parent is not None
        return parent

    def add_personal(self, owner_email: str, owner_name: str) -> Folder:
        """The personal workspace of a user (created once; ``FolderType`` "Personal")."""
        for folder in self.by_id.values():
            if folder.is_personal and folder.owner == owner_email.lower():
                return folder
        name = f"{owner_name}'s workspace"
        return self._insert(
            Folder(
                id=self._new_id(),
                key=self._ids.guid(),
                display_name=name,
                fully_qualified_name=name,
                is_personal=True,
                owner=owner_email.lower(),
                feed_id=self._ids.guid(),
            )
        )

    def _insert(self, folder: Folder) -> Folder:
        self.by_id[folder.id] = folder
        self._by_key[folder.key] = folder
        self._by_path[folder.fully_qualified_name.lower()] = folder
        return folder

    def get(self, id: int) -> Folder | None:
        return self.by_id.get(id)

    def children(self, folder: Folder) -> list[Folder]:
        return [f for f in self.by_id.values() if f.parent_id == folder.id]

    def rename(self, folder: Folder, display_name: str) -> None:
        """A new display name; the paths of the folder and its subtree follow."""
        parent = self.by_id.get(folder.parent_id) if folder.parent_id is not None else None
        new_path = (f"{parent.fully_qualified_name}/" if parent else "") + display_name
        if new_path.lower() in self._by_path:
            raise FolderNameTaken(new_path)
        old = folder.fully_qualified_name
        for member in [folder, *self._subtree(folder)]:
            del self._by_path[member.fully_qualified_name.lower()]
            member.fully_qualified_name = new_path + member.fully_qualified_name[len(old) :]
            self._by_path[member.fully_qualified_name.lower()] = member
        folder.display_name = display_name

    def move(self, folder: Folder, parent: Folder | None) -> None:
        """Move a folder (and its subtree) under ``parent`` (None: to the root)."""
        if parent is not None and (parent is folder or parent in self._subtree(folder)):
            raise ValueError("A folder cannot be moved under itself.")
        new_path = (f"{parent.fully_qualified_name}/" if parent else "") + folder.display_name
        if new_path.lower() in self._by_path and self._by_path[new_path.lower()] is not folder:
            raise FolderNameTaken(new_path)
        old = folder.fully_qualified_name
        for member in [folder, *self._subtree(folder)]:
            del self._by_path[member.fully_qualified_name.lower()]
            member.fully_qualified_name = new_path + member.fully_qualified_name[len(old) :]
            self._by_path[member.fully_qualified_name.lower()] = member
        folder.parent_id = parent.id if parent else None
        folder.parent_key = parent.key if parent else None

    def remove(self, folder: Folder) -> None:
        """Delete a folder and its subtree."""
        for member in [*self._subtree(folder), folder]:
            self.by_id.pop(member.id, None)
            self._by_key.pop(member.key, None)
            self._by_path.pop(member.fully_qualified_name.lower(), None)

    def _subtree(self, folder: Folder) -> list[Folder]:
        found, frontier = [], [folder]
        while frontier:
            kids = self.children(frontier.pop())
            found += kids
            frontier += kids
        return found

    def by_key(self, key: str) -> Folder | None:
        return self._by_key.get(key.strip().lower())

    def by_path(self, path: str) -> Folder | None:
        # A leading "/" means "from the root" ([V] §5.2 relative paths); a trailing one is
        # refused ([V] "Trailing slashes are not accepted").
        if path.endswith("/"):
            return None
        return self._by_path.get(path.lstrip("/").lower())

    def resolve(self, headers: dict[str, str], caller: Callable[[], str | None]) -> Folder:
        """The folder a request addresses; 1101 without one, 1100 for one that is not there.

        ``caller()`` gives the caller's e-mail, asked only when the folder is a personal
        workspace (somebody else's workspace is "not there").
        """
        folder: Folder | None
        if "x-uipath-organizationunitid" in headers:
            text = headers["x-uipath-organizationunitid"]
            # [V] forum 544082: an org *name* in this header gives 1101, not 1100.
            # isascii: str.isdigit() also accepts "²" and other digits int() refuses
            if not (text.isascii() and text.isdigit()) or len(text) > 18:
                raise FolderRequired()
            folder = self.by_id.get(int(text))
        elif "x-uipath-folderkey" in headers:
            folder = self.by_key(headers["x-uipath-folderkey"])
        elif "x-uipath-folderpath-encoded" in headers:
            # [?] an undecodable value names no folder: 1100 (it is a path, just unreadable).
            decoded = decode_folder_path(headers["x-uipath-folderpath-encoded"])
            folder = self.by_path(decoded) if decoded else None
        elif headers.get("x-uipath-folderpath"):
            folder = self.by_path(headers["x-uipath-folderpath"])
        else:
            raise FolderRequired()
        if folder is None or (folder.is_personal and folder.owner != (caller() or "").lower()):
            raise FolderNotFound()
        return folder

    def visible_to(self, user: str | None) -> list[Folder]:
        """Folders a user sees: every shared folder plus their own workspace."""
        me = (user or "").lower()
        return [f for f in self.by_id.values() if not f.is_personal or f.owner == me]

"""Errors only the generic entity sets raise (the others are in ``../exceptions.py``).

OrchestratorError (core/errors.py)
├── NameConflict        409  1004  a second entity of one name in a folder
└── NotModelled         400  1000  an operation the mock serves only partly refuses a case
"""

from __future__ import annotations

from ...core.errors import OrchestratorError

__all__ = ["NameConflict", "NotModelled"]


class NameConflict(OrchestratorError):
    """[I] Orchestrator refuses a duplicate name; the 409 and errorCode 1004 are not recorded."""

    status = 409
    code = 1004

    def __init__(self, entity: str, name: str) -> None:
        cls = type(self)
        super().__init__(
            cls.status, cls.code, f"{entity} '{name[:100]}' already exists in this folder."
        )


class NotModelled(OrchestratorError):
    """A case of a served operation the mock does not model (named, never a silent success)."""

    def __init__(self, what: str) -> None:
        super().__init__(400, 1000, f"uipath-mock: {what} is not modelled by the mock.")

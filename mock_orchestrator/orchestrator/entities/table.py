"""Every operation the generic entity-set handler serves: operation id -> behaviour.

Adding an endpoint of the published API is a line in one of the ``table_*.py`` modules: the
route, OAuth scopes, folder scoping and response shape come from the operation list
(``data/operations.json``), the behaviour from ``kinds.py``.
"""

from __future__ import annotations

from .kinds import Behaviour
from .table_execution import TABLE as EXECUTION
from .table_folders import TABLE as FOLDERS
from .table_resources import TABLE as RESOURCES
from .table_robots import TABLE as ROBOTS
from .table_settings import TABLE as SETTINGS

__all__ = ["TABLE"]

TABLE: dict[str, Behaviour] = {**EXECUTION, **FOLDERS, **RESOURCES, **ROBOTS, **SETTINGS}

"""Facts of Orchestrator's published API: its operations and DTOs, as the kit reads them.

``operations.json`` and ``dtos.json`` are derived from the swagger-generated
``uipath-orchestrator-rest`` 18.1 package by ``tools/derive_orchestrator_api.py``. They drive
IMPLEMENTATION_COVERAGE.md (what is served, per tag), the entity-set routes (path, method and
OAuth scopes of each served operation) and the strict-DTO checks (:func:`dto_problems`), which
mirror what that package's models refuse (``_facts.py``).
"""

from ._facts import Operation, dto_fields, dto_problems, load_dtos, operations

__all__ = ["Operation", "dto_fields", "dto_problems", "load_dtos", "operations"]

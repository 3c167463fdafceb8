"""``$expand`` on the hand-written handlers: the entity sets' own navigation rules.

The rules live with the entity sets (``entities/typed.py``: a job's Robot, Release, Machine; a
release's Environment and ProcessSettings), so a generic read and a hand-written one expand
alike.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..entities.store import Context
from ..entities.typed import JOBS, RELEASES
from ..responses import Call

__all__ = ["expander"]

_EXPANSIONS = {"Jobs": JOBS.expansions, "Releases": RELEASES.expansions}


def expander(entity_set: str, call: Call, names: tuple[str, ...]) -> Callable[[list[Any]], None]:
    """Fills ``names`` on each row of a page (nothing to do when ``names`` is empty)."""
    expansions = _EXPANSIONS[entity_set]
    folders = call.folders if names else []
    ctx = Context(call.backend, call.token, folders[0] if len(folders) == 1 else None, folders)

    def expand(rows: list[Any]) -> None:
        for row in rows:
            for name in names:
                fill = expansions.get(name)
                if fill is not None:
                    row[name] = fill(ctx, row)

    return expand

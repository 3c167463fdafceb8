"""The registry of rule functions: ``@rule("id")`` files a function under its catalog ID.

Its own module, so that each rule module imports the decorator from below instead of from the
package that imports it (no import cycle).
"""

from __future__ import annotations

from collections.abc import Callable

from .._world import RuleRun
from ..catalog import CATALOG

__all__ = ["RULES", "RuleFunction", "rule"]

RuleFunction = Callable[[RuleRun], str]
#: Every rule function by ID (filled by the modules below as they are imported).
RULES: dict[str, RuleFunction] = {}


def rule(rule_id: str) -> Callable[[RuleFunction], RuleFunction]:
    """Register the function that judges ``rule_id`` (which must be in the catalog)."""
    if rule_id not in CATALOG:
        raise KeyError(f"rule {rule_id!r} is not in the catalog")

    def register(function: RuleFunction) -> RuleFunction:
        if rule_id in RULES:
            raise KeyError(f"rule {rule_id!r} is registered twice")
        RULES[rule_id] = function
        return function

    return register

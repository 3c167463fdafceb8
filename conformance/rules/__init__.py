"""Rules as code: one function per catalog ID, judging a client from the world's journal.

A rule function takes a :class:`~conformance._world.RuleRun` and returns the message of a pass;
it raises :class:`~conformance._outcome.RuleFailed` (built with :func:`fail`) when the client
does not show what the rule asks, :class:`~conformance._outcome.NotApplicable` or
:class:`~conformance._outcome.Skipped` when it cannot be judged. Each function's docstring says
how it judges, and what it can and cannot judge for a command client (``--client-cmd``), which
runs against the served world on its own clock.
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


from . import http, jobs, login, rotation, secrets, tokens  # noqa: E402  (registration)

_missing = set(CATALOG) - set(RULES)
if _missing:  # pragma: no cover - a catalog entry without code is a bug of the kit
    raise ImportError(f"rules without code: {', '.join(sorted(_missing))}")
del http, jobs, login, rotation, secrets, tokens

"""Rules as code: one function per catalog ID, judging a client from the world's journal.

A rule function takes a :class:`~conformance._world.RuleRun` and returns the message of a pass;
it raises :class:`~conformance._outcome.RuleFailed` (built with :func:`fail`) when the client
does not show what the rule asks, :class:`~conformance._outcome.NotApplicable` or
:class:`~conformance._outcome.Skipped` when it cannot be judged. Each function's docstring says
how it judges, and what it can and cannot judge for a command client (``--client-cmd``), which
runs against the served world on its own clock.
"""

from __future__ import annotations

from .. import catalog as _catalog
from ._registry import RULES, RuleFunction, rule

__all__ = ["RULES", "RuleFunction", "rule"]

# the rule modules register their functions (``@rule``) as they are imported
from . import http, jobs, login, rotation, secrets, tokens

_missing = set(_catalog.CATALOG) - set(RULES)
if _missing:  # pragma: no cover - a catalog entry without code is a bug of the kit
    raise ImportError(f"rules without code: {', '.join(sorted(_missing))}")
del http, jobs, login, rotation, secrets, tokens

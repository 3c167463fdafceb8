"""Orchestrator scenarios (odata/...), added as the mock's Orchestrator routes land."""

from __future__ import annotations

from ._checks import Scenario

__all__ = ["ORCHESTRATOR_SCENARIOS"]

ORCHESTRATOR_SCENARIOS: tuple[Scenario, ...] = ()

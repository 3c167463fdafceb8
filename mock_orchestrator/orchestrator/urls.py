"""Orchestrator's route table, relative to the Orchestrator root (mounted under each URL shape)."""

from __future__ import annotations

from ..core.routing import Route

__all__ = ["ORCHESTRATOR_ROUTES", "ROOT_ROUTES"]

#: Mounted under /{org}/{tenant}/orchestrator_, /{org}/{tenant}, and the bare host.
ORCHESTRATOR_ROUTES: list[Route] = []

#: Served at the host root under /orchestrator_ (no org/tenant): the anonymous version probe.
ROOT_ROUTES: list[Route] = []

"""HTTP handlers of the Orchestrator: parse, call one backend method, serialize."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .._cloud import MockCloud

__all__ = ["OrchestratorResponses"]


class OrchestratorResponses:
    def __init__(self, cloud: MockCloud) -> None:
        self.cloud = cloud

"""Outcomes of a rule: what a rule function returns or raises, and the result a report shows.

A rule function returns :func:`passed` (or raises :class:`RuleFailed` through
:meth:`Check.fail`-style helpers); :class:`NotApplicable` and :class:`Skipped` end it early.
The runner turns that into a :class:`RuleResult` with the catalog's level and references.

Four outcomes judge a client: ``passed``, ``failed``, ``error`` and (for a listed known gap)
``xfailed``; ``skipped`` and ``not_applicable`` judge nothing. ``error`` means the client could
not be judged at all -- a command that exited, never answered ``hello`` or stopped answering, an
in-process client that crashed or hung -- and it fails a run as a MUST failure does: a client
that never worked must never collect a pass by its silence.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from typing import Any, Literal

from .catalog import RuleSpec

__all__ = [
    "OUTCOMES",
    "ClientStopped",
    "NotApplicable",
    "Outcome",
    "RuleFailed",
    "RuleResult",
    "Skipped",
    "Verdict",
    "format_exception",
]

Outcome = Literal["passed", "failed", "error", "skipped", "not_applicable", "xfailed"]
OUTCOMES: tuple[Outcome, ...] = (
    "passed",
    "failed",
    "error",
    "skipped",
    "not_applicable",
    "xfailed",
)


class RuleFailed(Exception):
    """The client did not show what the rule asks. ``highlight`` are the exchanges that show it."""

    def __init__(self, message: str, highlight: list[Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.highlight = list(highlight or [])


class ClientStopped(Exception):
    """The client cannot be judged: it exited, never answered ``hello``, stopped answering, or
    (in process) crashed or hung. The rule becomes ``error``; for a command client, so does
    every rule still to run (the process is gone or wedged: nothing it does can be judged)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotApplicable(Exception):
    """The client cannot serve this profile or credential (its factory raised NotSupported)."""


class Skipped(Exception):
    """The rule cannot be judged in this mode (e.g. it needs the fake clock in the client)."""


@dataclass
class Verdict:
    """What a rule function hands back: an outcome, a one-paragraph message, the evidence."""

    outcome: Outcome
    message: str
    evidence: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class RuleResult:
    """One rule on one profile, as the reports show it."""

    id: str
    level: str
    profile: str
    outcome: Outcome
    message: str
    refs: list[dict[str, str]]
    evidence: list[dict[str, Any]] = field(default_factory=list)
    #: Wall seconds the rule took (reports only; never used to judge anything).
    duration: float = 0.0
    #: Listed in the expected-failures file (an xfailed, or a pass worth telling about).
    expected_failure: bool = False

    @classmethod
    def from_verdict(
        cls, spec: RuleSpec, profile: str, verdict: Verdict, duration: float = 0.0
    ) -> RuleResult:
        return cls(
            id=spec.id,
            level=spec.level,
            profile=profile,
            outcome=verdict.outcome,
            message=verdict.message,
            refs=[ref.to_dict() for ref in spec.refs],
            evidence=verdict.evidence,
            duration=duration,
        )

    @property
    def key(self) -> str:
        """``rule-id[profile]``: how the expected-failures file and test ids name a result."""
        return f"{self.id}[{self.profile}]"

    @property
    def gating(self) -> bool:
        """True when this result makes the run fail: a MUST rule failed (unexpectedly), or
        the client could not be judged at all (``error``)."""
        return self.outcome == "error" or (self.outcome == "failed" and self.level == "MUST")

    @property
    def should_failed(self) -> bool:
        """A SHOULD rule failed: reported, and gating only with ``--strict``."""
        return self.outcome == "failed" and self.level == "SHOULD"

    @property
    def unexpected_pass(self) -> bool:
        return self.expected_failure and self.outcome == "passed"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "level": self.level,
            "profile": self.profile,
            "outcome": self.outcome,
            "message": self.message,
            "refs": self.refs,
            "evidence": self.evidence,
        }


def format_exception(exc: BaseException) -> str:
    """Type, message, traceback and causes: everything an exception would print."""
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))

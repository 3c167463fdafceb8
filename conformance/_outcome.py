"""Outcomes of a rule: what a rule function returns or raises, and the result a report shows.

A rule function returns :func:`passed` (or raises :class:`RuleFailed` through
:meth:`Check.fail`-style helpers); :class:`NotApplicable` and :class:`Skipped` end it early.
The runner turns that into a :class:`RuleResult` with the catalog's level and references.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from typing import Any, Literal

from .catalog import RuleSpec

__all__ = [
    "OUTCOMES",
    "NotApplicable",
    "Outcome",
    "RuleFailed",
    "RuleResult",
    "Skipped",
    "Verdict",
    "format_exception",
]

Outcome = Literal["passed", "failed", "skipped", "not_applicable", "xfailed"]
OUTCOMES: tuple[Outcome, ...] = ("passed", "failed", "skipped", "not_applicable", "xfailed")


class RuleFailed(Exception):
    """The client did not show what the rule asks. ``highlight`` are the exchanges that show it."""

    def __init__(self, message: str, highlight: list[Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.highlight = list(highlight or [])


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
        """True when this result makes the run fail: a MUST rule failed, unexpectedly."""
        return self.outcome == "failed" and self.level == "MUST"

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

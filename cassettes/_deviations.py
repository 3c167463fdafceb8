"""The known-deviations file: differences between a recording and the mock, each with its reason.

A YAML list; every entry names what it excuses and says why::

    - cassette: test_reference/test_orchestrator_start_job.yaml   # a glob on the path
      interaction: 1            # optional: the interaction's index in the cassette
      aspect: shape             # optional: status, content-type, dialect, shape, enum, error
      detail: HasMediaRecorded  # optional: a regular expression searched in the difference
      reason: the 2019 answer predates the field the mock sends

An entry without a reason is refused: a deviation nobody can explain is a bug, not a deviation.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

__all__ = ["ASPECTS", "DEFAULT_DEVIATIONS", "Deviation", "load_deviations"]

#: What a comparison looks at, in the order it is reported.
ASPECTS = ("status", "content-type", "dialect", "shape", "enum", "error")
#: The kit's own file, for its own cassettes.
DEFAULT_DEVIATIONS = Path(__file__).resolve().parent / "known_deviations.yaml"
_MAX_BYTES = 1_000_000


@dataclass(frozen=True)
class Deviation:
    """One excused difference; ``matches`` says whether it covers a given one."""

    cassette: str
    reason: str
    interaction: int | None = None
    aspect: str | None = None
    detail: str | None = None

    def matches(self, cassette: str, interaction: int, aspect: str, detail: str) -> bool:
        if not (fnmatch.fnmatch(cassette, self.cassette) or cassette.endswith("/" + self.cassette)):
            return False
        if self.interaction is not None and self.interaction != interaction:
            return False
        if self.aspect is not None and self.aspect != aspect:
            return False
        return self.detail is None or re.search(self.detail, detail) is not None

    def label(self) -> str:
        where = self.cassette + (f" #{self.interaction}" if self.interaction is not None else "")
        return f"{where} {self.aspect or '*'} {self.detail or ''}".rstrip()


def _entry(raw: Any, number: int, source: str) -> Deviation:
    where = f"{source}: entry {number}"
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: expected a mapping")
    unknown = set(raw) - {"cassette", "interaction", "aspect", "detail", "reason"}
    if unknown:
        raise ValueError(f"{where}: unknown keys {', '.join(sorted(unknown))}")
    reason = raw.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise ValueError(f"{where}: every deviation needs a reason")
    cassette = raw.get("cassette")
    if not isinstance(cassette, str) or not cassette:
        raise ValueError(f"{where}: 'cassette' (a path or glob) is required")
    interaction = raw.get("interaction")
    if interaction is not None and (not isinstance(interaction, int) or interaction < 0):
        raise ValueError(f"{where}: 'interaction' is an index (0, 1, ...)")
    aspect = raw.get("aspect")
    if aspect is not None and aspect not in ASPECTS:
        raise ValueError(f"{where}: 'aspect' is one of {', '.join(ASPECTS)}")
    detail = raw.get("detail")
    if detail is not None:
        try:
            re.compile(str(detail))
        except re.error as error:
            raise ValueError(f"{where}: 'detail' is not a regular expression ({error})") from None
    return Deviation(
        cassette, reason.strip(), interaction, aspect, None if detail is None else str(detail)
    )


def parse_deviations(text: str, source: str = "<deviations>") -> list[Deviation]:
    """Deviations from YAML text; ``ValueError`` with the entry's number when one is wrong."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ValueError(f"{source}: not YAML ({error.__class__.__name__})") from None
    if data is None:
        return []
    if not isinstance(data, list):
        raise ValueError(f"{source}: expected a list of deviations")
    return [_entry(raw, number, source) for number, raw in enumerate(data, start=1)]


def load_deviations(paths: Path | Sequence[Path] | None = None) -> list[Deviation]:
    """The deviations in ``paths`` (default: the kit's own file); ``ValueError`` if invalid."""
    chosen: Iterable[Path]
    if paths is None:
        chosen = [DEFAULT_DEVIATIONS] if DEFAULT_DEVIATIONS.exists() else []
    elif isinstance(paths, Path):
        chosen = [paths]
    else:
        chosen = paths
    out: list[Deviation] = []
    for path in chosen:
        try:
            if path.stat().st_size > _MAX_BYTES:
                raise ValueError(f"{path}: larger than {_MAX_BYTES} bytes")
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise ValueError(f"{path}: cannot read ({error.strerror})") from None
        out += parse_deviations(text, str(path))
    return out

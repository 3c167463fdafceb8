"""How faithful is the mock? Replay every recorded request against it and compare the answers.

The comparison engine behind ``orchestrator-kit compare`` and the fidelity table. For each
interaction of each cassette it sends the same request to a fresh mock world that matches the
recording (its profile, tenant, folder, process and the ids the server handed out; see
:mod:`cassettes._replay`) and compares the two answers on what a client branches on: status,
content type, error dialect, JSON keys and types, enumeration values (:mod:`cassettes._aspects`).
A difference listed in a known-deviations file (:mod:`cassettes._deviations`, each entry with
its reason) is reported as known; any other one fails the run.

API (stable; the fidelity table and the CLI are built on it)::

    from cassettes.compare import compare, load_deviations

    report = compare([Path("cassettes/test_reference")], deviations=load_deviations())
    print(report.table())           # one row per interaction, then every difference + reason
    report.to_json()                # the same as a JSON-ready dict
    report.unexpected               # differences no deviation explains ([] when faithful)
    for row in report.rows:         # InteractionResult: cassette, index, request,
        row.recorded, row.live      #   Answer(status, content_type, dialect) on each side
        row.differences             #   Difference(aspect, detail, reason or None)

``compare_cassette(path, deviations)`` does one file. ``main(argv)`` is the command.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

from ._aspects import dialect, enum_diff, media_type, two_way_shape_diff
from ._deviations import DEFAULT_DEVIATIONS, Deviation, load_deviations
from ._files import CASSETTE_ROOT, iter_cassettes, read_cassette
from ._replay import MatchingWorld, RecordedWorld, infer_profile, infer_world

__all__ = [
    "Answer",
    "Difference",
    "InteractionResult",
    "Report",
    "compare",
    "compare_cassette",
    "load_deviations",
    "main",
]

#: A cassette larger than this is refused (a recording of a few flows is kilobytes).
MAX_CASSETTE_BYTES = 20_000_000
#: The kit's reference cassettes: the first input of ``compare`` when no path is given.
REFERENCE_DIR = CASSETTE_ROOT / "test_reference"


@dataclass(frozen=True)
class Answer:
    """What one side answered, in the terms compared."""

    status: int
    content_type: str
    dialect: str


@dataclass(frozen=True)
class Difference:
    """One way the mock's answer differs; ``reason`` is set when a deviation excuses it."""

    aspect: str
    detail: str
    reason: str | None = None

    @property
    def known(self) -> bool:
        return self.reason is not None


@dataclass
class InteractionResult:
    """One recorded interaction beside the mock's answer to the same request."""

    cassette: str
    index: int
    request: str
    recorded: Answer
    live: Answer
    differences: list[Difference] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        if not self.differences:
            return "same"
        return "known" if all(d.known for d in self.differences) else "DIFFERENT"


@dataclass
class Report:
    """Every interaction compared, and the deviations that excused nothing (stale)."""

    rows: list[InteractionResult] = field(default_factory=list)
    stale: list[Deviation] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def unexpected(self) -> list[tuple[InteractionResult, Difference]]:
        return [(row, d) for row in self.rows for d in row.differences if not d.known]

    @property
    def known(self) -> list[tuple[InteractionResult, Difference]]:
        return [(row, d) for row in self.rows for d in row.differences if d.known]

    @property
    def ok(self) -> bool:
        return not self.unexpected and not self.errors

    def table(self) -> str:
        """The fidelity table: a row per interaction, then every difference with its reason."""
        header = ("cassette", "#", "request", "status", "content type", "dialect", "verdict")
        lines: list[tuple[str, ...]] = [header]
        for row in self.rows:
            lines.append(
                (
                    row.cassette,
                    str(row.index),
                    row.request,
                    _pair(row.recorded.status, row.live.status),
                    _pair(row.recorded.content_type or "-", row.live.content_type or "-"),
                    _pair(row.recorded.dialect, row.live.dialect),
                    row.verdict,
                )
            )
        widths = [min(60, max(len(line[i]) for line in lines)) for i in range(len(header))]
        out = [
            "  ".join(cell[:60].ljust(w) for cell, w in zip(line, widths, strict=False))
            for line in lines
        ]
        out.insert(1, "  ".join("-" * w for w in widths))
        same = sum(1 for row in self.rows if row.verdict == "same")
        out.append("")
        out.append(
            f"{len(self.rows)} interactions: {same} the same, {len(self.known)} known "
            f"differences, {len(self.unexpected)} unexpected"
        )
        for title, items in (("Unexpected", self.unexpected), ("Known", self.known)):
            if items:
                out.append(f"{title} differences:")
            for row, d in items:
                out.append(f"  {row.cassette} #{row.index} {row.request}: {d.aspect}: {d.detail}")
                if d.reason:
                    out.append(f"      reason: {d.reason}")
        out += [f"Stale deviation (excuses nothing): {dev.label()}" for dev in self.stale]
        out += [f"Error: {error}" for error in self.errors]
        return "\n".join(out)

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "summary": {
                "interactions": len(self.rows),
                "same": sum(1 for row in self.rows if row.verdict == "same"),
                "known": len(self.known),
                "unexpected": len(self.unexpected),
            },
            "interactions": [
                {
                    "cassette": row.cassette,
                    "index": row.index,
                    "request": row.request,
                    "recorded": asdict(row.recorded),
                    "live": asdict(row.live),
                    "verdict": row.verdict,
                    "differences": [
                        {
                            "aspect": d.aspect,
                            "detail": d.detail,
                            "known": d.known,
                            "reason": d.reason,
                        }
                        for d in row.differences
                    ],
                }
                for row in self.rows
            ],
            "stale_deviations": [asdict(dev) for dev in self.stale],
            "errors": list(self.errors),
        }


def _pair(recorded: object, live: object) -> str:
    return str(recorded) if recorded == live else f"{recorded} -> {live}"


def _display_name(path: Path) -> str:
    """``test_reference/test_x.yaml``: the cassette's folder and name, as deviations name it."""
    return f"{path.parent.name}/{path.name}"


def _answer_of_recording(response: dict[str, Any]) -> tuple[Answer, Any, str]:
    headers = response.get("headers") or {}
    body = (response.get("body") or {}).get("string")
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body or "")
    data = _json_or_none(text)
    media = media_type(headers)
    status = int((response.get("status") or {}).get("code", 0))
    return Answer(status, media, dialect(data, text, media)), data, text


def _answer_of_mock(response: httpx.Response) -> tuple[Answer, Any]:
    text = response.text
    data = _json_or_none(text)
    media = media_type(dict(response.headers))
    return Answer(response.status_code, media, dialect(data, text, media)), data


def _json_or_none(text: str) -> Any:
    if not text or text.lstrip()[:1] not in "{[":
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _differences(recorded: Answer, rec_data: Any, live: Answer, live_data: Any) -> list[Difference]:
    out: list[Difference] = []
    if recorded.status != live.status:
        out.append(Difference("status", f"{recorded.status} recorded, {live.status} live"))
    # A recording without a Content-Type on an empty body says nothing about the media type.
    if recorded.content_type and recorded.content_type != live.content_type:
        out.append(
            Difference(
                "content-type", f"{recorded.content_type} recorded, {live.content_type} live"
            )
        )
    if recorded.dialect != live.dialect:
        out.append(Difference("dialect", f"{recorded.dialect} recorded, {live.dialect} live"))
    elif rec_data is not None and live_data is not None:
        out += [Difference("shape", d) for d in two_way_shape_diff(rec_data, live_data)]
        out += [Difference("enum", d) for d in enum_diff(rec_data, live_data)]
    return out


def _world_of(provenance: dict[str, Any], interactions: list[dict[str, Any]]) -> RecordedWorld:
    stored = provenance.get("world")
    world = RecordedWorld.from_provenance(stored) if isinstance(stored, dict) else RecordedWorld()
    return world.fill(infer_world(interactions))


def _profile_of(provenance: dict[str, Any], interactions: list[dict[str, Any]]) -> str:
    profile = provenance.get("profile")
    if profile in ("identity", "legacy", "onprem"):
        return str(profile)
    scenario = provenance.get("scenario")
    if isinstance(scenario, str):
        from .scenarios import SCENARIOS

        if scenario in SCENARIOS:
            return SCENARIOS[scenario].profile
    return infer_profile(interactions)


def compare_cassette(
    path: Path, deviations: Sequence[Deviation] = (), *, used: set[int] | None = None
) -> list[InteractionResult]:
    """Compare one cassette's interactions with the mock's answers, in the recording's order.

    ``used`` collects the indexes of the deviations that excused something.
    ``ValueError`` when the file is not a readable cassette.
    """
    if path.stat().st_size > MAX_CASSETTE_BYTES:
        raise ValueError(f"{path}: larger than {MAX_CASSETTE_BYTES} bytes")
    cassette = read_cassette(path)
    provenance = dict(cassette.provenance)
    interactions = cassette.interactions
    world = MatchingWorld(
        _profile_of(provenance, interactions),
        _world_of(provenance, interactions),
        assembled=provenance.get("kind") == "reference",
    )
    offsets = _offsets(provenance, len(interactions))
    name = _display_name(path)
    rows: list[InteractionResult] = []
    for index, interaction in enumerate(interactions):
        if offsets[index]:
            world.cloud.clock.advance(seconds=offsets[index])
        request, response = interaction.get("request") or {}, interaction.get("response") or {}
        recorded, rec_data, _ = _answer_of_recording(response)
        errors_before = len(world.cloud.internal_errors)
        live_response = world.send(request, response)
        live, live_data = _answer_of_mock(live_response)
        world.learn(response, live_response)
        differences = _differences(recorded, rec_data, live, live_data)
        if len(world.cloud.internal_errors) > errors_before:
            differences.append(Difference("error", "the mock failed internally (a 500)"))
        label = f"{request.get('method', '?')} {httpx.URL(str(request.get('uri', ''))).path}"
        row = InteractionResult(name, index, label, recorded, live)
        for d in differences:
            reason = None
            for number, deviation in enumerate(deviations):
                if deviation.matches(name, index, d.aspect, d.detail):
                    reason = deviation.reason
                    if used is not None:
                        used.add(number)
                    break
            row.differences.append(Difference(d.aspect, d.detail, reason))
        rows.append(row)
    return rows


def _offsets(provenance: dict[str, Any], count: int) -> list[float]:
    """Seconds to advance the mock's clock before each interaction.

    ``record`` stores when each interaction happened (``provenance.elapsed``, seconds since the
    first); replaying those gaps lets a recorded expiry (a 401 a day later) happen live too.
    """
    elapsed = provenance.get("elapsed")
    if not isinstance(elapsed, list) or len(elapsed) != count:
        return [0.0] * count
    out, previous = [], 0.0
    for value in elapsed:
        now = float(value) if isinstance(value, (int, float)) else previous
        out.append(max(0.0, now - previous))
        previous = max(previous, now)
    return out


def _cassette_paths(paths: Iterable[Path]) -> list[Path]:
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += list(iter_cassettes(path))
        elif path.is_file():
            out.append(path)
        else:
            raise ValueError(f"{path}: no such file or directory")
    return out


def compare(
    paths: Iterable[Path] = (REFERENCE_DIR,), deviations: Sequence[Deviation] = ()
) -> Report:
    """Compare every cassette under ``paths`` (files or folders) with the mock."""
    report = Report()
    used: set[int] = set()
    for path in _cassette_paths(paths):
        try:
            report.rows += compare_cassette(path, deviations, used=used)
        except (ValueError, KeyError, TypeError) as error:
            report.errors.append(f"{path}: {error}")
    report.stale = [dev for number, dev in enumerate(deviations) if number not in used]
    return report


def main(argv: Sequence[str] | None = None) -> int:
    """``orchestrator-kit compare [PATHS] [--deviations FILE] [--json FILE]``."""
    parser = argparse.ArgumentParser(
        prog="orchestrator-kit compare",
        allow_abbrev=False,
        description="Replay every recorded request against the mock and report where its "
        "answers differ (status, content type, error dialect, JSON keys and types, enums).",
    )
    parser.add_argument(
        "paths", nargs="*", type=Path, help=f"cassettes or folders (default: {REFERENCE_DIR})"
    )
    parser.add_argument(
        "--deviations",
        type=Path,
        action="append",
        help=f"known-deviations YAML, each entry with its reason (default: {DEFAULT_DEVIATIONS})",
    )
    parser.add_argument("--json", type=Path, help="also write the report as JSON to this file")
    args = parser.parse_args(argv)
    try:
        deviations = load_deviations(args.deviations)
        paths = _cassette_paths(args.paths or [REFERENCE_DIR])
    except ValueError as error:
        parser.error(str(error))  # one 'orchestrator-kit compare: error: ...' line, exit 2
    report = compare(paths, deviations)
    print(report.table())
    if args.json:
        try:
            args.json.write_text(json.dumps(report.to_json(), indent=2) + "\n", encoding="utf-8")
        except OSError as error:
            parser.error(f"--json: cannot write {args.json} ({error.strerror})")
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

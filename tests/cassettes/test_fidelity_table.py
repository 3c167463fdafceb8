"""FIDELITY.md is generated from the reference cassettes and kept current; every exchange in
it matches the mock or carries its reason."""

from __future__ import annotations

from pathlib import Path

from cassettes.compare import Answer, Difference, InteractionResult, Report
from cassettes.fidelity import reference_report, render

ROOT = Path(__file__).resolve().parent.parent.parent


def test_the_fidelity_table_is_current_and_complete() -> None:
    report = reference_report()
    assert not report.errors
    assert not report.unexpected, [f"{r.cassette} #{r.index}: {d}" for r, d in report.unexpected]
    cassettes = sorted(p.name for p in (ROOT / "cassettes" / "test_reference").glob("*.yaml"))
    assert sorted({row.cassette.split("/")[-1] for row in report.rows}) == cassettes
    committed = (ROOT / "FIDELITY.md").read_text("utf-8")
    assert committed == render(report), (
        "FIDELITY.md is stale: python -m cassettes.fidelity > FIDELITY.md"
    )


def test_a_difference_without_a_reason_is_shown_as_a_bug() -> None:
    answer = Answer(200, "application/json", "json")
    row = InteractionResult(
        "test_reference/x.yaml",
        0,
        "GET /odata/Jobs",
        answer,
        Answer(400, "application/json", "orchestrator"),
        [Difference("status", "200 recorded, 400 live")],
    )
    text = render(Report(rows=[row]))
    assert "1 differ without one" in text
    assert "NO REASON" in text
    assert "| 200 → 400 |" in text

"""The Node.js example client passes through ``--client-cmd`` (JSON lines, served mock)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from conformance.catalog import PROFILES
from conformance.cli import main

pytestmark = pytest.mark.node

CLIENT = Path(__file__).resolve().parents[2] / "examples" / "node-client" / "client.mjs"


@pytest.mark.parametrize("profile", PROFILES)
def test_node_example_passes_every_rule_it_can_be_judged_on(
    node: str, profile: str, tmp_path: Path
) -> None:
    out = io.StringIO()
    report = tmp_path / "report.json"
    code = main(
        ["--client-cmd", f"{node} {CLIENT}", "--profile", profile, "--report-json", str(report)],
        out=out,
    )
    assert code == 0, out.getvalue()
    outcomes = {r["id"]: r["outcome"] for r in json.loads(report.read_text())["rules"]}
    # Only the rule that needs the client on the world's clock cannot be judged.
    assert outcomes.pop("token-refresh-proactive") == "not_applicable"
    assert set(outcomes.values()) == {"passed"}, out.getvalue()

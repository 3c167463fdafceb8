"""Every answer in a reference cassette, compared field by field with the live mock's.

The replay checks assert what matters to clients; this goes further and lists every field
of a recorded answer the mock leaves out, spells in another letter case, or gives another
type. Fields the mock adds are allowed (the swagger's DTOs are larger than the older
recordings). Known gaps are listed below with the reason; a gap that closes must be taken
off the list, so the list stays true.
"""

from __future__ import annotations

import json

import httpx
import pytest

from cassettes import World, cassette_path, read_cassette, shape_diff
from cassettes._reference import ALL_REFERENCES
from cassettes.scenarios import SCENARIOS
from mock_orchestrator import MockCloud

pytestmark = pytest.mark.block_network

#: (scenario, difference) -> why it is tolerated for now.
KNOWN_GAPS: dict[tuple[str, str], str] = {}


def _differences(scenario: str) -> list[str]:
    item = SCENARIOS[scenario]
    cloud = MockCloud(profile=item.profile)  # type: ignore[arg-type]
    with httpx.Client(transport=cloud.transport()) as client:
        item.drive(client, World.from_defaults(cloud.defaults))
    recorded = read_cassette(cassette_path("test_reference", f"test_{scenario}")).interactions
    live = list(cloud.journal)
    assert len(live) == len(recorded)
    found = []
    for number, (exchange, interaction) in enumerate(zip(live, recorded, strict=True)):
        assert exchange.response is not None
        want = interaction["response"]
        if exchange.response.status_code != want["status"]["code"]:
            found.append(
                f"#{number} status {exchange.response.status_code}, "
                f"recorded {want['status']['code']}"
            )
        body = want["body"]["string"]
        if body:
            found += [
                f"#{number} {d}"
                for d in shape_diff(json.loads(body), exchange.response.json())
                if not d.endswith(": unexpected")
            ]
    return found


@pytest.mark.parametrize("scenario", [r.scenario for r in ALL_REFERENCES])
def test_the_mock_answers_every_recorded_field(scenario: str) -> None:
    found = set(_differences(scenario))
    known = {diff for (name, diff) in KNOWN_GAPS if name == scenario}
    assert found - known == set(), "the mock differs from the recording:\n  " + "\n  ".join(
        sorted(found - known)
    )
    assert known - found == set(), f"gaps closed, take them off KNOWN_GAPS: {known - found}"

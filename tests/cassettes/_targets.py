"""Run a scenario against a target: the replayed cassette, or the live mock.

The ``replay`` parameter carries ``pytest.mark.vcr``, so pytest-recording installs the
test's cassette (record mode ``none``) and the scenario's plain ``httpx.Client`` is answered
from it; the ``mock`` parameter builds a fresh ``MockCloud`` and talks to it in process.
The scenario's check then judges both with the same assertions (style.md lessons 10-11).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from cassettes import World, read_cassette
from cassettes.scenarios import SCENARIOS
from mock_orchestrator import MockCloud

TARGETS = [
    pytest.param("replay", marks=pytest.mark.vcr, id="replay"),
    pytest.param("mock", id="mock"),
]


@dataclass
class Run:
    responses: dict[str, httpx.Response]
    world: World
    cloud: MockCloud | None


def run_scenario(name: str, target: str, request: pytest.FixtureRequest) -> Run:
    item = SCENARIOS[name]
    if target == "replay":
        cassette: Any = request.getfixturevalue("vcr")
        assert cassette is not None, "the replay target needs pytest.mark.vcr"
        stored = read_cassette(Path(cassette.path))
        world = World.from_mapping(dict(stored.provenance["world"]))
        with httpx.Client() as client:
            responses = item.drive(client, world)
        assert cassette.all_played, (
            f"{cassette.path}: the scenario left recorded interactions unplayed"
        )
        item.check(responses, world)
        return Run(responses, world, None)
    cloud = MockCloud(profile=item.profile)
    world = World.from_defaults(cloud.defaults)
    with httpx.Client(transport=cloud.transport()) as client:
        responses = item.drive(client, world)
    assert not cloud.internal_errors, cloud.internal_errors
    item.check(responses, world)
    return Run(responses, world, cloud)


def assert_matches_recording(run: Run, cassette: Path) -> None:
    """The live mock answered, exchange by exchange, in the recorded shape.

    Same method and path, same status, same media type, and JSON bodies with the same keys
    (letter case included) and value types. Values may differ: tokens are redacted in the
    file and ids depend on the world.
    """
    from cassettes import shape_diff

    assert run.cloud is not None
    recorded = read_cassette(cassette).interactions
    live = list(run.cloud.journal)
    assert len(live) == len(recorded), (
        f"{cassette.name}: the mock saw {len(live)} requests, the recording holds {len(recorded)}"
    )
    for number, (exchange, interaction) in enumerate(zip(live, recorded, strict=True)):
        where = f"{cassette.name} #{number} {exchange.method} {exchange.path}"
        want_req, want = interaction["request"], interaction["response"]
        assert exchange.method == want_req["method"], where
        assert exchange.path == httpx.URL(want_req["uri"]).path, where
        assert exchange.response is not None, f"{where}: no response"
        assert exchange.response.status_code == want["status"]["code"], (
            f"{where}: HTTP {exchange.response.status_code}, recorded {want['status']['code']}"
        )
        headers = {k.lower(): v for k, v in want["headers"].items()}
        media = (headers.get("content-type") or [""])[0].split(";")[0]
        live_media = exchange.response.headers.get("content-type", "").split(";")[0]
        assert live_media == media, f"{where}: content-type {live_media!r}, recorded {media!r}"
        body = want["body"]["string"]
        if media.endswith("json") and body:
            import json

            diff = shape_diff(json.loads(body), exchange.response.json())
            diff += [
                d
                for d in shape_diff(exchange.response.json(), json.loads(body))
                if d.endswith("missing")
            ]
            assert not diff, (
                f"{where}: the answer's shape changed:\n  "
                + "\n  ".join(diff)
                + "\n(after a deliberate change: python -m cassettes.record "
                "--mock, and review the diff)"
            )

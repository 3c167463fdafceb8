"""Write the kit's cassettes: reference ones from payloads, and recordings of the mock.

``python -m cassettes.record`` rebuilds every kind (``--reference``, ``--mock`` or
``--client-flows`` for one; the last are the reference client's flows, ``_client_flows.py``).
A recording of the mock is made with vcrpy in ``all`` mode while a scenario runs against a
fresh ``MockCloud`` -- in process through ``cloud.transport()``, or over loopback through
``cloud.serve()`` for the scenarios in :data:`SERVED` -- scrubbed by :func:`vcr_config` as
it is written, then given its provenance.
"""

from __future__ import annotations

import argparse
import importlib.metadata
from collections.abc import Sequence
from pathlib import Path

import httpx
import vcr as vcrpy

from mock_orchestrator import MockCloud

from ._config import register_matchers, vcr_config
from ._files import add_provenance, cassette_path
from ._reference import build_reference_cassettes
from ._world import World
from .scenarios import SCENARIOS

__all__ = ["MOCK_MODULE", "SERVED", "main", "record_scenario"]

#: Recordings of the mock live in ``cassettes/<MOCK_MODULE>/`` (the replay test module).
MOCK_MODULE = "test_recorded"
#: Scenarios recorded over real HTTP on loopback rather than in process.
SERVED = frozenset({"legacy_tenant_lookup", "identity_client_credentials"})


def _kit_version() -> str:
    try:
        return importlib.metadata.version("uipath-orchestrator-kit")
    except importlib.metadata.PackageNotFoundError:  # running from a bare checkout
        return "unknown"


def record_scenario(name: str, path: Path, *, served: bool = False, seed: int = 0) -> Path:
    """Record scenario ``name`` from a fresh ``MockCloud`` into ``path`` (overwritten)."""
    item = SCENARIOS[name]
    cloud = MockCloud(profile=item.profile, seed=seed)  # type: ignore[arg-type]
    recorder = vcrpy.VCR(record_mode="all")
    register_matchers(recorder)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    started = cloud.clock.time()
    if served:
        # The server starts (and answers its own readiness probe) before the cassette opens,
        # so only the scenario's exchanges are recorded.
        with cloud.serve() as origin:
            world = World.from_defaults(cloud.defaults, served_origin=origin)
            with recorder.use_cassette(str(path), **vcr_config()), httpx.Client() as client:
                item.drive(client, world)
        how = "cloud.serve(): real HTTP on loopback (uvicorn)"
    else:
        world = World.from_defaults(cloud.defaults)
        with (
            recorder.use_cassette(str(path), **vcr_config()),
            httpx.Client(transport=cloud.transport()) as client,
        ):
            item.drive(client, world)
        how = "cloud.transport(): httpx.MockTransport, in process"
    provenance = {
        "kind": "mock",
        "scenario": name,
        "summary": "Recorded from the kit's own mock, NOT from UiPath: it shows what the "
        "mock answers. tests/cassettes/test_recorded.py replays it and checks the live mock "
        "still answers in the same shape.",
        "recorded_from": f"MockCloud(profile={item.profile!r}, seed={seed}) through {how}",
        "recorded_with": f"vcrpy {vcrpy.__version__}, record_mode=all, scrubbed at record "
        "time by cassettes.vcr_config()",
        "kit_version": _kit_version(),
        "world_clock_at_start": started,
        "world": world.to_mapping(),
    }
    header = (
        f"Recording of the kit's mock for the scenario {name!r} (not of UiPath).\n"
        "Re-record with `python -m cassettes.record --mock`; do not edit by hand."
    )
    return add_provenance(path, provenance, header=header)


def record_mock_cassettes(root: Path | None = None) -> list[Path]:
    """Record every scenario from the mock."""
    return [
        record_scenario(
            name, cassette_path(MOCK_MODULE, f"test_{name}", root), served=name in SERVED
        )
        for name in SCENARIOS
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cassettes.record", description=__doc__)
    parser.add_argument("--reference", action="store_true", help="rebuild reference cassettes")
    parser.add_argument("--mock", action="store_true", help="re-record the mock's cassettes")
    parser.add_argument(
        "--client-flows", action="store_true", help="rebuild the reference client's flows"
    )
    parser.add_argument("--root", type=Path, default=None, help="write under this directory")
    args = parser.parse_args(argv)
    both = not (args.reference or args.mock or args.client_flows)
    written: list[Path] = []
    if args.reference or both:
        written += build_reference_cassettes(args.root)
    if args.mock or both:
        written += record_mock_cassettes(args.root)
    if args.client_flows or both:
        from ._client_flows import record_flows

        written += record_flows(args.root)
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

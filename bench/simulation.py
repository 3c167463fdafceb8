"""Thirty days of one job an hour through the reference client, timed per profile.

The issue asks that the simulation run "in well under a second of wall time"; a timed test
would be flaky on shared machines, so it is measured here and printed, never asserted.
``tests/client_under_test/test_simulation.py`` checks what the run must *do* (every job
succeeds, no 401, exactly the refreshes the lifetimes imply).

    python bench/simulation.py [--days N]
"""

from __future__ import annotations

import argparse
import time

from client_under_test.testing import client_for
from mock_orchestrator import MockCloud

CASES = [
    ("identity", "refresh_token"),
    ("identity", "client_credentials"),
    ("legacy", "user_key"),
    ("onprem", "password"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=30)
    args = parser.parse_args()
    hours = args.days * 24
    print(f"simulation: {args.days} days, one job an hour, per profile")
    for profile, kind in CASES:
        cloud = MockCloud(profile)  # type: ignore[arg-type]
        start = cloud.clock.time()
        began = time.perf_counter()
        with client_for(cloud, kind) as client:
            for hour in range(hours):
                cloud.clock.move_to(start + hour * 3600)
                job = client.start_job(cloud.defaults.process, cloud.defaults.folder)
                client.wait_for_job(job)
        wall = time.perf_counter() - began
        tokens = len(cloud.journal.token_requests())
        print(f"  {profile:8} {kind:18}: {wall:6.3f} s wall, {len(cloud.journal):5} exchanges, "
              f"{tokens:4} token requests, {wall / len(cloud.journal) * 1e6:6.1f} us/exchange")


if __name__ == "__main__":
    main()

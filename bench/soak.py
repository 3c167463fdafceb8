"""The soak's own cost per run: serving, judging and moving the clock, beyond the program's time.

The issue's bar is under 50 ms a run beyond the program's own run time. A timed test would be
flaky on shared machines, so it is measured here and printed, never asserted. Two programs are
soaked in the same run: ``true`` (the cost of a process and nothing else: what is left is all
the soak's), and the example Python job starter (one token request and one StartJobs a run, so
the journal, the judging and the secret scan have real work). For each: the program's own time
per run, the soak's own time per run (wall time of the soak minus the programs' time, world
start included), and the one as a share of the other.

    python bench/soak.py [--runs N]
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from conformance.soak import SoakConfig, run_soak

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=60)
    args = parser.parse_args()
    starter = (
        f"{shlex.quote(sys.executable)} {shlex.quote(str(ROOT / 'examples/cron/start_job.py'))}"
    )
    for label, command, every in (
        ("true, daily", "true", 86400.0),
        ("start_job.py, daily", starter, 86400.0),
        ("start_job.py, hourly", starter, 3600.0),
    ):
        result = run_soak(SoakConfig(command, runs=args.runs, every=every))
        program = result.program_seconds / len(result.runs) * 1000
        own = result.overhead_per_run * 1000
        print(
            f"soak {label:22} {args.runs} runs: program {program:6.1f} ms/run, "
            f"the soak's own {own:5.1f} ms/run ({own / program:.2f}x the program; bar: 50 ms)"
            + ("" if result.exit_code == 0 or command == "true" else "  [the soak failed!]")
        )


if __name__ == "__main__":
    main()

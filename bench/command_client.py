"""How long the whole conformance check of a command client takes (target: under 20 s).

Runs ``orchestrator-kit check --client-cmd "node examples/node-client/client.mjs"`` (every
rule, every profile: each check serves a fresh world on loopback and starts the client anew,
several checks at once: ``--jobs``, by default two per core, 2 to 4), and prints the wall time,
the checks judged at once and the slowest checks. Skipped without node. This prints; it never
fails a build on timing (a failing rule is reported, though).

    python bench/command_client.py
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from conformance.runner import default_jobs

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 20.0
CLIENT = "node examples/node-client/client.mjs"
_RULE_LINE = re.compile(r"^\[\s*\d+/\d+\] \S+\s+\S+\s+(\S+)\s+([\d.]+)s$", re.MULTILINE)


def main() -> None:
    if shutil.which("node") is None:
        print("command client: skipped (no node)")
        return
    start = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", "orchestrator_kit", "check", "--client-cmd", CLIENT],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    # The check prints one line per rule and profile, ending in its duration ("0.61s").
    timed = [(m.group(1), float(m.group(2))) for m in _RULE_LINE.finditer(run.stdout)]
    print(f"command client: orchestrator-kit check --client-cmd '{CLIENT}'")
    whole = f"whole check, {len(timed)} rule checks"
    print(f"  {whole:<32}: {wall:8.1f} s  (target: < {TARGET_SECONDS:g})")
    print(f"  checks judged at once           : {default_jobs():8d}")
    print(f"  exit status                     : {run.returncode:8d}")
    for name, seconds in sorted(timed, key=lambda item: item[1], reverse=True)[:5]:
        print(f"  {name:<38}: {seconds:6.2f} s")
    if run.returncode != 0:
        print(run.stdout[-2000:])


if __name__ == "__main__":
    main()

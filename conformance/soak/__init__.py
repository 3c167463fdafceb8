"""``orchestrator-kit soak``: judge an unmodified job starter across simulated days.

Where ``check`` drives a client operation by operation, a soak runs a whole program the way a
scheduler does (a fresh process per run, the same configuration every time) against one served
world whose clock moves between runs, and judges from its exit codes, its output and the mock's
journal whether it would still work tomorrow, and next month, with nobody logging in again.

Example::

    from conformance.soak import SoakConfig, run_soak

    result = run_soak(SoakConfig("python examples/cron/start_job.py", runs=30))
    result.exit_code   # 0 when every MUST rule held
"""

from __future__ import annotations

from .judge import RunRecord
from .runner import SoakConfig, SoakResult, UnusableConfig, run_soak
from .specs import SOAK_SPECS

__all__ = ["SOAK_SPECS", "RunRecord", "SoakConfig", "SoakResult", "UnusableConfig", "run_soak"]

"""The soak loop: one served world, one scratch directory, N runs of the program, a clock between.

The world is served on loopback for the whole soak, as the cloud would be; the program is
configured exactly as in ``conformance/PROTOCOL.md`` (the ``UIPATH_*`` variables of the chosen
credential, ``UIPATH_TOKEN_STORE`` in a scratch directory that lives as long as the soak) plus
``UIPATH_PROCESS`` and is started afresh for every run, as cron would start it. After each run
the journal of that run is judged and cleared, and the world's clock moves by ``every``.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mock_orchestrator import FakeClock, MockCloud, SystemClock
from mock_orchestrator.serve_command import world_from_options
from mock_orchestrator.served import serve_in_thread

from .._env import ClientEnv, Credential
from ..runner import SuiteResult
from .chaos import ChaosPlan, LostResponse
from .judge import Judge, RunRecord
from .process import run_program

__all__ = ["CREDENTIALS", "SoakConfig", "SoakResult", "UnusableConfig", "run_soak"]

CREDENTIALS: tuple[Credential, ...] = (
    "client_credentials",
    "refresh_token",
    "user_key",
    "password",
)
#: Real seconds a stalled answer is held before the connection closes (chaos ``stall``).
STALL_CAP = 3.0
_wall = SystemClock()  # the soak's own cost, for the report and bench/soak.py: never judged


class UnusableConfig(ValueError):
    """A soak that cannot start (a credential the profile does not have): a usage error."""


@dataclass(frozen=True)
class SoakConfig:
    command: str
    profile: str | None = None
    credential: Credential | None = None
    runs: int = 30
    every: float = 86400.0
    world_file: str | None = None
    timeout: float = 120.0
    chaos_seed: int | None = None
    process: str | None = None
    folder: str | None = None


@dataclass
class SoakResult(SuiteResult):
    """The rules' results (as ``check`` reports them) plus every run."""

    runs: list[RunRecord] = field(default_factory=list)
    config: SoakConfig | None = None
    profile: str = ""
    credential: str = ""
    #: Wall seconds of the whole soak, and of the program's runs within it (bench/soak.py).
    wall_seconds: float = 0.0
    program_seconds: float = 0.0

    @property
    def overhead_per_run(self) -> float:
        """The soak's own cost per run (serving, judging, the clock), in seconds."""
        return (self.wall_seconds - self.program_seconds) / max(len(self.runs), 1)

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        config = self.config
        data["soak"] = {
            "profile": self.profile,
            "credential": self.credential,
            "runs": len(self.runs),
            "every_seconds": config.every if config else None,
            "chaos_seed": config.chaos_seed if config else None,
            "run_results": [run.to_dict() for run in self.runs],
        }
        return data


def _build_world(config: SoakConfig) -> MockCloud:
    clock = FakeClock(_wall.time(), ticking=True)  # clients compare exp with their own clock
    return world_from_options(config.world_file, config.profile, None, clock=clock)


def _credential(cloud: MockCloud, wanted: Credential | None) -> Credential:
    if wanted is not None:
        return wanted
    defaults: dict[str, Credential] = {
        "identity": "refresh_token",
        "legacy": "user_key",
        "onprem": "password",
    }
    return defaults[cloud.profile]


def client_env(
    cloud: MockCloud, origin: str, credential: Credential, token_store: str
) -> ClientEnv:
    """What the program is configured with: the served defaults, one credential's secrets."""
    d = cloud.defaults.rebased(origin)
    secrets: dict[str, Any]
    if credential == "client_credentials":
        secrets = {"client_id": d.client_id, "client_secret": d.client_secret, "scopes": d.scopes}
    elif credential == "refresh_token":
        secrets = {"client_id": d.public_client_id, "refresh_token": d.refresh_token}
    elif credential == "user_key":
        secrets = {"client_id": d.legacy_client_id, "user_key": d.user_key}
    else:
        user = cloud.identity.login_user
        assert user is not None
        secrets = {"username": d.username or user.username, "password": d.password or user.password}
    missing = [k for k, v in secrets.items() if v is None and k != "scopes"]
    if missing:
        raise UnusableConfig(
            f"the {cloud.profile} profile has no {credential} credential "
            f"(no {', '.join(missing)}); choose another --credential"
        )
    return ClientEnv(
        profile=cloud.profile,
        credential=credential,
        url=d.url,
        organization=d.organization,
        tenant=d.tenant,
        folder=d.folder,
        identity_url=d.identity_url,
        legacy_token_url=d.legacy_token_url,
        token_store=token_store,
        tenant_display_name=d.tenant_display_name,
        **secrets,
    )


def _environment(env: ClientEnv, process: str, folder: str) -> dict[str, str]:
    """The inherited environment minus every ``UIPATH_*``, plus the program's configuration."""
    base = {k: v for k, v in os.environ.items() if not k.upper().startswith("UIPATH_")}
    loopback = "127.0.0.1,localhost"
    for name in ("no_proxy", "NO_PROXY"):  # the served world is on loopback: never via a proxy
        base[name] = f"{base[name]},{loopback}" if base.get(name) else loopback
    return {**base, **env.environ(), "UIPATH_PROCESS": process, "UIPATH_FOLDER_PATH": folder}


def run_soak(
    config: SoakConfig, progress: Callable[[RunRecord, int], None] | None = None
) -> SoakResult:
    """Run ``config.command`` ``config.runs`` times against one served world, and judge it.

    Raises ``UnusableConfig``/``WorldError``/``OSError`` before the first run when the soak
    cannot start; never for anything the program does.
    """
    begun = _wall.time()
    cloud = _build_world(config)
    credential = _credential(cloud, config.credential)
    chaos = (
        ChaosPlan.make(config.chaos_seed, config.runs) if config.chaos_seed is not None else None
    )
    lost = LostResponse(cloud.handle)
    cloud.handle = lost  # type: ignore[method-assign]
    judge = Judge(cloud, credential, config.every, chaos=chaos is not None)
    orch = cloud.orchestrator.default
    process = config.process or cloud.defaults.process
    folder = config.folder or cloud.defaults.folder
    program_seconds = 0.0
    with (
        tempfile.TemporaryDirectory(prefix="uipath-soak-") as scratch,
        serve_in_thread(cloud, stall_cap=STALL_CAP) as origin,
    ):
        env = client_env(cloud, origin, credential, str(Path(scratch) / "token-store.json"))
        environ = _environment(env, process, folder)
        for number in range(1, config.runs + 1):
            at = cloud.clock.time()
            armed = chaos.arm(cloud, number, lost) if chaos else None
            jobs_before = len(orch.jobs)
            finished = run_program(config.command, environ, Path(scratch), config.timeout, number)
            if chaos:
                chaos.disarm(cloud, lost)
            program_seconds += finished.seconds
            exchanges = list(cloud.journal)
            cloud.journal.clear()  # judged once: the journal stays one run long
            record = judge.judge(
                number, at, finished, exchanges, len(orch.jobs) - jobs_before, armed
            )
            if progress is not None:
                progress(record, config.runs)
            cloud.clock.advance(config.every)
    result = SoakResult(
        client=f"soak: {config.command}",
        results=judge.results(),
        runs=judge.runs,
        config=config,
        profile=cloud.profile,
        credential=credential,
    )
    internal = cloud.internal_errors
    if internal:  # a bug of the kit is never the program's pass
        for rule in result.results:
            if rule.id == "soak-run-succeeds":
                rule.outcome = "failed"
                rule.message = (
                    "uipath-mock: the mock hit an internal error (a bug of the kit): "
                    + (internal[0].splitlines()[-1])
                )
    result.program_seconds = program_seconds
    result.wall_seconds = _wall.time() - begun
    return result

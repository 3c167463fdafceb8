"""The reference client's own flows on recorded reality: cassettes of real UiPath answers.

The reference cassettes (``_reference.py``) hold raw exchanges for scenario drivers; these hold
what ``client_under_test`` itself sends, answered with payloads recorded from the real service
and published (``fixtures.payloads``). Each cassette is made by running the client against a
transport that answers every request it has a published answer for with that answer, and the
rest with the answer of a mock world kept in step behind it (:class:`~cassettes._replay.
MatchingWorld`: ids and tokens the client read from a published answer are carried to the
mock). Every interaction's provenance says which it is: ``[V] <sources>`` for a published
answer, ``reconstructed`` (with the reason: no published recording of it) for the mock's.

``python -m cassettes.record --client-flows`` writes them to ``cassettes/test_client_flows/``;
``tests/cassettes/test_client_flows.py`` replays each with pytest-recording (record mode
``none``, network blocked) and checks what the client did.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import vcr as vcrpy

from client_under_test import OrchestratorClient
from fixtures.payloads import payload
from mock_orchestrator import FakeClock

from ._config import register_matchers, vcr_config
from ._files import add_provenance, cassette_path
from ._replay import MatchingWorld, RecordedWorld

__all__ = ["FLOWS", "FLOW_MODULE", "Flow", "FlowEnv", "record_flows"]

#: The cassettes live in ``cassettes/<FLOW_MODULE>/`` (the replay test module).
FLOW_MODULE = "test_client_flows"
#: Client settings that are secrets: a cassette stores ``<name>`` instead.
_SECRET_SETTINGS = frozenset({"client_secret", "refresh_token", "user_key", "password"})


@dataclass(frozen=True)
class Published:
    """Answer requests matching ``method`` and ``path`` with a published payload.

    Rules are tried in order; each answers ``times`` requests (``None``: every one).
    """

    method: str
    path: str
    name: str
    times: int | None = 1

    def matches(self, request: httpx.Request) -> bool:
        return request.method == self.method and re.search(self.path, request.url.path) is not None


@dataclass
class FlowEnv:
    """What a flow runs with: the client's settings, its clock, and (recording) a transport."""

    url: str
    settings: dict[str, str]
    clock: FakeClock
    transport: httpx.BaseTransport | None = None

    def client(self, **extra: Any) -> OrchestratorClient:
        return OrchestratorClient(
            self.url,
            clock=self.clock,
            sleep=lambda seconds: self.clock.advance(seconds=seconds),
            transport=self.transport,
            **self.settings,
            **extra,
        )


@dataclass(frozen=True)
class Flow:
    """One flow of the reference client: how it runs, and which answers are published."""

    name: str
    profile: str
    description: str
    run: Callable[[FlowEnv], dict[str, Any]]
    answers: tuple[Published, ...]
    #: The client's settings, by ``cloud.defaults`` field (or a literal in ``literal``).
    settings: tuple[str, ...]
    world: RecordedWorld = field(default_factory=RecordedWorld)
    url: str | None = None
    #: What no published source has, so the mock's answer stands in for it.
    gap: str = ""


# -- the flows ------------------------------------------------------------------------------


def _twice_a_day_apart(env: FlowEnv) -> dict[str, Any]:
    with env.client() as client:
        first = client.list_processes(name="Demo Process")
        env.clock.advance(hours=24, seconds=1)
        second = client.list_processes(name="Demo Process")
    return {"processes": [p.name for p in first + second]}


def _start_and_poll(env: FlowEnv) -> dict[str, Any]:
    with env.client() as client:
        job = client.start_job("Add a pet to pet store by queue item")
        done = client.wait_for_job(job)
    return {"started": job.state, "finished": done.state, "id": job.id}


def _refresh_twice(env: FlowEnv) -> dict[str, Any]:
    with env.client() as client:
        first = client.list_processes(name="Add a pet to pet store by queue item")
        env.clock.advance(hours=2)
        second = client.list_processes(name="Add a pet to pet store by queue item")
    return {"processes": [p.name for p in first + second]}


def _login_twice_half_an_hour_apart(env: FlowEnv) -> dict[str, Any]:
    with env.client() as client:
        first = client.list_processes(name="all_activities_DocEnv")
        env.clock.advance(minutes=31)
        second = client.list_processes(name="all_activities_DocEnv")
    return {"processes": [p.name for p in first + second]}


def _password_login_answered_by_the_cloud(env: FlowEnv) -> dict[str, Any]:
    with env.client() as client:
        try:
            client.list_processes()
        except Exception as error:  # the test judges which error, and its message
            return {"error": type(error).__name__, "message": str(error)}
    return {"error": None}


def _one_401(env: FlowEnv) -> dict[str, Any]:
    with env.client() as client:
        found = client.list_processes(name="Add a pet to pet store by queue item")
    return {"processes": [p.name for p in found]}


_CC = ("client_id", "client_secret", "folder")
_TOKEN = r"/identity_/connect/token$"
_RELEASES = r"/odata/Releases$"
_CUT_RELEASES = (
    "The published modern GET odata/Releases answer (QODEX) is cut before the release's Id, "
    "which the client reads: the mock answers that call (reconstructed)"
)
_NO_POLL = (
    "No published GET Jobs({id}) answer: the polls are answered by the mock (reconstructed), "
    "which runs the job as the process is configured"
)

FLOWS: dict[str, Flow] = {
    flow.name: flow
    for flow in (
        Flow(
            "legacy_user_key_refresh_and_24h_expiry",
            "legacy",
            "User Key refresh on account.uipath.com, again after the 24 h token expires",
            _twice_a_day_apart,
            (
                Published("POST", r"/oauth/token$", "legacy.token.refresh.response", times=2),
                Published("GET", _RELEASES, "orchestrator.releases.legacy_cloud", times=2),
            ),
            ("user_key", "folder"),
            RecordedWorld(process="Demo Process"),
        ),
        Flow(
            "identity_client_credentials_start_and_poll",
            "identity",
            "client credentials on identity_, StartJobs, then polling the job to its end",
            _start_and_poll,
            (
                Published("POST", _TOKEN, "identity.client_credentials.response"),
                Published("POST", r"StartJobs$", "orchestrator.start_jobs.response_2019"),
            ),
            _CC,
            RecordedWorld(process="Add a pet to pet store by queue item"),
            gap=f"{_CUT_RELEASES}. {_NO_POLL}.",
        ),
        Flow(
            "identity_rotating_refresh",
            "identity",
            "a refresh token on identity_, rotated by the first refresh and sent by the second",
            _refresh_twice,
            (),
            ("refresh_token", "folder"),
            RecordedWorld(process="Add a pet to pet store by queue item"),
            gap="No published answer to an identity_ refresh_token grant (docs/wire.md §4.3 "
            "describes it from IdentityServer's code): both refreshes are answered by the mock "
            f"(reconstructed), which rotates the token as IdentityServer does. {_CUT_RELEASES}.",
        ),
        Flow(
            "onprem_password_login_and_30_minute_expiry",
            "onprem",
            "on-prem /api/Account/Authenticate, again after the 30-minute token expires",
            _login_twice_half_an_hour_apart,
            (
                Published("POST", r"(?i)/api/account/authenticate$", "ropc.success", times=2),
                Published("GET", _RELEASES, "orchestrator.releases.onprem", times=2),
            ),
            ("username", "password", "folder"),
            RecordedWorld(process="all_activities_DocEnv"),
        ),
        Flow(
            "error_code_1000_trap",
            "onprem",
            "a password login answered the cloud's way (400 errorCode 1000), behind a custom "
            "domain the client cannot tell from on-prem",
            _password_login_answered_by_the_cloud,
            (Published("POST", r"(?i)/api/account/authenticate$", "ropc.cloud_trap"),),
            ("username", "password"),
            url="https://orchestrator.acme-cloud.test",
        ),
        Flow(
            "unauthorized_then_one_refresh_and_one_replay",
            "identity",
            "a 401 on an Orchestrator call: one new token, one replay",
            _one_401,
            (
                Published("POST", _TOKEN, "identity.client_credentials.response", times=2),
                Published("GET", _RELEASES, "orchestrator.abp_401"),
            ),
            _CC,
            RecordedWorld(process="Add a pet to pet store by queue item"),
            gap=f"{_CUT_RELEASES} (the replayed call).",
        ),
    )
}


# -- recording ------------------------------------------------------------------------------


class _PublishedFirst:
    """The recording transport: a published answer where a rule has one, else the mock's."""

    def __init__(self, flow: Flow, world: MatchingWorld) -> None:
        self.world = world
        self.left = {index: rule.times for index, rule in enumerate(flow.answers)}
        self.rules = flow.answers
        self.sources: list[dict[str, str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        recorded = {
            "method": request.method,
            "uri": str(request.url),
            "headers": {k: [v] for k, v in request.headers.items()},
            "body": request.content.decode("utf-8", "replace"),
        }
        live = self.world.send(recorded)
        rule = self._rule(request)
        if rule is None:
            self.sources.append(
                {"response": "reconstructed: the mock's answer, no published recording of it"}
            )
            return httpx.Response(live.status_code, headers=live.headers, content=live.content)
        published = payload(rule.name)
        text = published.text()
        answer = httpx.Response(
            published.status or 200,
            headers={"Content-Type": published.content_type or "application/json"},
            content=text.encode("utf-8"),
        )
        self.world.learn({"headers": {}, "body": {"string": text}}, live)
        self.sources.append({"response": f"{published.name}: {published.provenance}"})
        return answer

    def _rule(self, request: httpx.Request) -> Published | None:
        for index, rule in enumerate(self.rules):
            left = self.left[index]
            if (left is None or left > 0) and rule.matches(request):
                if left is not None:
                    self.left[index] = left - 1
                return rule
        return None


def flow_settings(flow: Flow, defaults: Any) -> dict[str, str]:
    return {name: str(getattr(defaults, name)) for name in flow.settings}


def record_flow(flow: Flow, path: Path) -> Path:
    """Record ``flow`` into ``path`` (overwritten)."""
    world = MatchingWorld(flow.profile, flow.world)
    d = world.cloud.defaults
    transport = _PublishedFirst(flow, world)
    url = flow.url or d.url
    settings = flow_settings(flow, d)
    recorder = vcrpy.VCR(record_mode="all")
    register_matchers(recorder)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    env = FlowEnv(url, settings, world.cloud.clock, httpx.MockTransport(transport))
    with recorder.use_cassette(str(path), **vcr_config()):
        outcome = flow.run(env)
    provenance = {
        "kind": "client-flow",
        "flow": flow.name,
        "profile": flow.profile,
        "summary": f"The reference client's flow: {flow.description}. Answers recorded from "
        "the real UiPath service and published where a source has one, else reconstructed "
        "(see each interaction).",
        "built_by": "python -m cassettes.record --client-flows",
        "client": {
            "url": url,
            "settings": {
                k: (f"<{k}>" if k in _SECRET_SETTINGS else v) for k, v in settings.items()
            },
        },
        "reconstructed": [
            index for index, s in enumerate(transport.sources) if s["response"].startswith("rec")
        ],
        "gap": flow.gap or "none: every answer is published",
        "outcome_when_built": outcome,
        "interactions": transport.sources,
    }
    header = (
        f"The reference client's flow {flow.name!r} on recorded reality.\n"
        "Generated by `python -m cassettes.record --client-flows`; do not edit by hand."
    )
    if not path.exists():  # no request at all: vcrpy writes nothing
        from ._files import write_cassette

        return write_cassette(path, [], provenance, header=header)
    return add_provenance(path, provenance, header=header)


def record_flows(root: Path | None = None) -> list[Path]:
    return [
        record_flow(flow, cassette_path(FLOW_MODULE, f"test_{name}", root))
        for name, flow in FLOWS.items()
    ]

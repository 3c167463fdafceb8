"""Judging a soak run by run: what each run did, read from its exit, its output and the journal.

:class:`Judge` sees each run once, right after it ends (the journal of that run only, so judging
costs the same on day 30 as on day 1), and keeps per rule the findings that fail it. At the end
it hands the reports one :class:`~conformance._outcome.RuleResult` per rule, whose evidence is
the timeline of the runs that show the failure (or, for ``soak-run-succeeds``, of every run).

Tokens are named by where they came from ("refresh token #2, issued in run 2") so a report can
say that run 2 presented the token run 1 had consumed without showing either.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mock_orchestrator import (
    FOLDER_HEADERS,
    FOLDER_ROUTES,
    HUMAN_ROUTES,
    TOKEN_ROUTES,
    Exchange,
    mask,
)

from .._outcome import RuleResult, Verdict
from .._world import is_orchestrator
from ..rules._common import request_fields, response_json
from .specs import CONFORMANCE_RULES, SOAK_SPECS, spec_for

if TYPE_CHECKING:
    from mock_orchestrator import MockCloud

    from .process import Finished

__all__ = ["Judge", "RunRecord"]

#: Runs whose exchanges are shown in full in ``soak-run-succeeds`` (first and last N, and every
#: run with a finding); the others get one line each, so a 720-run report stays readable.
FULL_RUNS = 30
#: Runs shown as evidence of one failed rule (the first ones that broke it).
EVIDENCE_RUNS = 3
_CANDIDATE = re.compile(r"[A-Za-z0-9_\-.~+/]{6,}")
_CLOUD_TRAP = "identity.cloud_login_trap"


@dataclass
class RunRecord:
    """One run as the reports show it. ``entries`` are compact, scrubbed journal entries."""

    number: int
    at: float
    exit_code: int | None
    seconds: float
    jobs_started: int
    chaos: str | None
    stdout_tail: str
    stderr_tail: str
    entries: list[dict[str, Any]] = field(default_factory=list)
    #: rule id -> what this run did against it
    findings: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    def find(self, rule_id: str, text: str, *highlight: dict[str, Any]) -> None:
        self.findings.setdefault(rule_id, []).append(text)
        for entry in highlight:
            entry["highlight"] = True

    def headline(self, every: float) -> str:
        day = 1 + (self.number - 1) * every / 86400
        ended = "timed out" if self.exit_code is None else f"exit {self.exit_code}"
        jobs = f"{self.jobs_started} job{'s' if self.jobs_started != 1 else ''} started"
        chaos = f" · chaos: {self.chaos}" if self.chaos else ""
        return f"run {self.number} · day {day:g} · {ended} in {self.seconds:.2f} s · {jobs}{chaos}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "run": self.number,
            "at": self.at,
            "exit_code": self.exit_code,
            "seconds": round(self.seconds, 3),
            "jobs_started": self.jobs_started,
            "chaos": self.chaos,
            "findings": self.findings,
        }


class Judge:
    """Every rule of a soak, fed one run at a time."""

    def __init__(
        self, cloud: MockCloud, credential: str, every: float, *, chaos: bool = False
    ) -> None:
        self.cloud = cloud
        self.profile = cloud.profile
        self.credential = credential
        self.every = every
        self.chaos = chaos
        d = cloud.defaults
        self.logical_tenant = d.tenant
        self.runs: list[RunRecord] = []
        self.names: dict[str, str] = {}
        if d.refresh_token:
            self.names[d.refresh_token] = "the configured refresh token"
        if d.user_key:
            self.names[d.user_key] = "the User Key"
        self.counts: dict[str, int] = {}
        #: The refresh token a rotating client must present next (the newest of the chain).
        self.expected_refresh = d.refresh_token
        self.consumed_in: dict[str, int] = {}
        self.refreshes = 0
        self.rules = self._applicable()

    def _applicable(self) -> list[str]:
        rules = list(SOAK_SPECS)
        for rule_id in CONFORMANCE_RULES:
            if self.profile not in spec_for(rule_id).profiles:
                continue
            if rule_id == "token-rotation-followed" and self.credential != "refresh_token":
                continue
            if rule_id == "token-rotation-absent-keeps-old" and self.credential != "user_key":
                continue
            if rule_id == "http-429-retry-after" and not self.chaos:
                continue
            rules.append(rule_id)
        return rules

    # -- one run --------------------------------------------------------------------------

    def judge(
        self,
        number: int,
        at: float,
        finished: Finished,
        exchanges: list[Exchange],
        jobs_started: int,
        chaos: str | None,
    ) -> RunRecord:
        secrets = self._secrets()
        run = RunRecord(
            number=number,
            at=at,
            exit_code=finished.exit_code,
            seconds=finished.seconds,
            jobs_started=jobs_started,
            chaos=chaos,
            stdout_tail=_scrub(finished.stdout_tail, secrets),
            stderr_tail=_scrub(finished.stderr_tail, secrets),
        )
        entries = [self._entry(e, number, secrets) for e in exchanges]
        run.entries = entries
        self._outcome(run)
        self._tokens(run, exchanges, entries)
        self._orchestrator_calls(run, exchanges, entries)
        self._human_steps(run, exchanges, entries)
        self._retry_after(run, exchanges, entries)
        leaks = _leaks(finished.stdout + "\n" + finished.stderr, secrets)
        if leaks:
            run.find(
                "token-secrets-not-logged",
                f"run {number}'s output showed {', '.join(sorted(leaks))}",
            )
        self.runs.append(run)
        return run

    def _outcome(self, run: RunRecord) -> None:
        ended = "timed out" if run.exit_code is None else f"exited {run.exit_code}"
        if not run.ok:
            if run.chaos is None:
                run.find("soak-run-succeeds", f"run {run.number} {ended}")
            if any(e.get("auth") == "expired" for e in run.entries):
                expired = [e for e in run.entries if e.get("auth") == "expired"]
                run.find(
                    "soak-no-expired-token-failure",
                    f"run {run.number} {ended} after a 401 for an expired token",
                    *expired,
                )
        if run.ok and run.jobs_started != 1:
            run.find(
                "soak-one-job-per-run",
                f"run {run.number} exited 0 but started {run.jobs_started} jobs",
            )
        if run.jobs_started > 1:
            starts = [e for e in run.entries if e.get("route") == "orchestrator.start_jobs"]
            run.find(
                "jobs-start-not-duplicated",
                f"run {run.number} started {run.jobs_started} jobs, not one",
                *starts,
            )

    def _tokens(
        self, run: RunRecord, exchanges: list[Exchange], entries: list[dict[str, Any]]
    ) -> None:
        for exchange, entry in zip(exchanges, entries, strict=True):
            if exchange.route not in TOKEN_ROUTES:
                continue
            form = request_fields(exchange)
            presented = form.get("refresh_token")
            if form.get("grant_type") == "refresh_token" and isinstance(presented, str):
                self.refreshes += 1
                entry["presented"] = self.names.get(presented, "a token the world never issued")
                self._rotation(run, presented, entry)
            self._name_issued(exchange, entry, run.number)
            body = response_json(exchange)
            if (
                form.get("grant_type") == "refresh_token"
                and exchange.status_code == 200
                and isinstance(body, dict)
                and isinstance(body.get("refresh_token"), str)
                and isinstance(presented, str)
            ):
                self.consumed_in.setdefault(presented, run.number)
                if presented == self.expected_refresh:
                    self.expected_refresh = body["refresh_token"]

    def _rotation(self, run: RunRecord, presented: str, entry: dict[str, Any]) -> None:
        if self.credential == "user_key" and self.profile == "legacy":
            if presented != self.cloud.defaults.user_key:
                run.find(
                    "token-rotation-absent-keeps-old",
                    f"run {run.number} presented {entry['presented']} instead of the User Key",
                    entry,
                )
            return
        if self.credential != "refresh_token" or presented == self.expected_refresh:
            return
        where = self.consumed_in.get(presented)
        what = (
            f"{entry['presented']}, which run {where} had already consumed"
            if where is not None
            else entry["presented"]
        )
        run.find(
            "token-rotation-followed",
            f"run {run.number} presented {what}, not the newest refresh token",
            entry,
        )

    def _orchestrator_calls(
        self, run: RunRecord, exchanges: list[Exchange], entries: list[dict[str, Any]]
    ) -> None:
        identity = self.cloud.identity
        for exchange, entry in zip(exchanges, entries, strict=True):
            if not is_orchestrator(exchange):
                continue
            token = _bearer(exchange)
            record = identity.tokens.get(token) if token else None
            if exchange.auth == "id_token" or (record is not None and record.kind == "id"):
                run.find("token-access-not-id", f"run {run.number} sent the id_token", entry)
            if exchange.route in FOLDER_ROUTES:
                headers = exchange.request.headers
                if not any(h in headers for h in FOLDER_HEADERS):
                    run.find(
                        "folder-context-sent",
                        f"run {run.number}: {exchange.route} without a folder header",
                        entry,
                    )
                elif any(
                    n.lower() == b"x-uipath-folderpath" and not v.isascii() for n, v in headers.raw
                ):
                    run.find(
                        "folder-context-sent",
                        f"run {run.number}: a non-ASCII folder path sent unencoded",
                        entry,
                    )
            named = [_path_tenant(exchange), exchange.request.headers.get("x-uipath-tenantname")]
            if self.profile != "onprem" and any(
                n is not None and n.lower() != self.logical_tenant.lower() for n in named
            ):
                run.find(
                    "tenant-logical-name",
                    f"run {run.number} addressed the tenant as "
                    f"{', '.join(n for n in named if n)}, not {self.logical_tenant}",
                    entry,
                )

    def _human_steps(
        self, run: RunRecord, exchanges: list[Exchange], entries: list[dict[str, Any]]
    ) -> None:
        cloud = self.profile != "onprem"
        for exchange, entry in zip(exchanges, entries, strict=True):
            trap = cloud and (
                exchange.route == _CLOUD_TRAP
                or "/api/account/authenticate" in exchange.path.lower()
            )
            if trap:
                run.find(
                    "login-no-password-on-cloud",
                    f"run {run.number} sent a password to /api/Account/Authenticate",
                    entry,
                )
            if run.number > 1 and (exchange.route in HUMAN_ROUTES or trap):
                run.find(
                    "soak-no-human-step",
                    f"run {run.number} needed a human step ({exchange.route or exchange.path})",
                    entry,
                )

    def _retry_after(
        self, run: RunRecord, exchanges: list[Exchange], entries: list[dict[str, Any]]
    ) -> None:
        for index, exchange in enumerate(exchanges):
            if exchange.status_code != 429 or exchange.response is None:
                continue
            wait = _seconds(exchange.response.headers.get("retry-after"))
            later = [e for e in exchanges[index + 1 :] if e.path == exchange.path]
            if wait is not None and later and later[0].at - exchange.at < wait:
                run.find(
                    "http-429-retry-after",
                    f"run {run.number} retried {later[0].at - exchange.at:.2f} s after a 429 "
                    f"that said Retry-After: {wait:g}",
                    entries[index],
                    entries[exchanges.index(later[0])],
                )

    # -- naming and scrubbing -------------------------------------------------------------

    def _name(self, token: str, kind: str, number: int) -> str:
        if token not in self.names:
            self.counts[kind] = self.counts.get(kind, 0) + 1
            self.names[token] = f"{kind} #{self.counts[kind]} (issued in run {number})"
        return self.names[token]

    def _name_issued(self, exchange: Exchange, entry: dict[str, Any], number: int) -> None:
        body = response_json(exchange) if exchange.status_code == 200 else None
        if not isinstance(body, dict):
            return
        issued = [
            self._name(body[key], kind, number)
            for key, kind in (
                ("access_token", "access token"),
                ("result", "access token"),
                ("id_token", "id_token"),
                ("refresh_token", "refresh token"),
            )
            if isinstance(body.get(key), str)
        ]
        if issued:
            entry["issued"] = issued

    def _entry(self, exchange: Exchange, number: int, secrets: dict[str, str]) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "kind": "exchange",
            "run": number,
            "seq": exchange.seq,
            "at": round(exchange.at, 3),
            "method": exchange.method,
            "url": _scrub(str(exchange.request.url), secrets),  # a token in a query, masked
            "route": exchange.route,
            "status": exchange.status_code,
        }
        for key in ("fault", "auth"):
            value = getattr(exchange, key)
            if value is not None:
                entry[key] = value
        if exchange.error is not None and exchange.status_code is None:
            entry["error"] = "no answer"
        token = _bearer(exchange)
        if token:
            entry["bearer"] = self.names.get(token, "a token the world never issued")
        return entry

    def _secrets(self) -> dict[str, str]:
        """Every secret of the world now, with what it is (a message names the kind only)."""
        d = self.cloud.defaults
        identity = self.cloud.identity
        found: dict[str, str] = {}
        for record in identity.tokens.records():
            found[record.token] = "an id_token" if record.kind == "id" else "an access token"
            signature = record.token.rsplit(".", 1)[-1]
            if len(signature) >= 20:
                found[signature] = "a token's signature"
        for token in identity.refresh_tokens:
            found[token] = "a refresh token"
        for token in identity.legacy_grants:
            found[token] = "the User Key"
        for app in identity.apps.values():
            if app.secret:
                found[app.secret] = "a client secret"
        for user in {id(u): u for u in identity.users.values()}.values():
            found[user.password] = "a password"
        if d.client_secret:
            found[d.client_secret] = "the client secret"
        return {s: what for s, what in found.items() if len(s) >= 6}

    # -- results --------------------------------------------------------------------------

    def results(self) -> list[RuleResult]:
        return [self._result(rule_id) for rule_id in self.rules]

    def _result(self, rule_id: str) -> RuleResult:
        spec = spec_for(rule_id)
        broken = [r for r in self.runs if rule_id in r.findings]
        if broken:
            first = broken[0].findings[rule_id][0]
            more = f" (and {len(broken) - 1} more run(s))" if len(broken) > 1 else ""
            verdict = Verdict("failed", f"{first}{more}", self._evidence(broken[:EVIDENCE_RUNS]))
        else:
            verdict = Verdict("passed", self._passed_message(rule_id))
        if rule_id == "soak-run-succeeds":
            verdict.evidence = self._every_run()
        return RuleResult.from_verdict(spec, self.profile, verdict)

    def _passed_message(self, rule_id: str) -> str:
        runs = len(self.runs)
        chaos = sum(1 for r in self.runs if r.chaos)
        messages = {
            "soak-run-succeeds": f"{runs} runs exited 0"
            + (f" (or, given a fault, the next one did: {chaos} chaos runs)" if chaos else ""),
            "soak-one-job-per-run": f"each successful run of {runs} started exactly one job",
            "soak-no-human-step": f"{max(runs - 1, 0)} runs after the first needed no human",
            "soak-no-expired-token-failure": "no run failed on an expired token",
            "token-rotation-followed": f"{self.refreshes} refreshes each presented the newest "
            "refresh token",
            "token-rotation-absent-keeps-old": f"{self.refreshes} refreshes kept the User Key",
            "jobs-start-not-duplicated": "no run started more than one job",
        }
        return messages.get(rule_id, f"held in all {runs} runs")

    def _evidence(self, runs: Iterable[RunRecord]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for run in runs:
            out.extend(self._timeline(run))
        return out

    def _timeline(self, run: RunRecord) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = [{"kind": "world", "text": run.headline(self.every)}]
        out.extend(run.entries)
        for findings in run.findings.values():
            out.extend({"kind": "note", "text": f, "at": None} for f in findings)
        for name, tail in (("stdout", run.stdout_tail), ("stderr", run.stderr_tail)):
            if tail.strip():
                out.append({"kind": "output", "text": f"{name}: {tail.strip()[-1000:]}"})
        out.append({"kind": "result", "ok": run.ok, "text": run.headline(self.every)})
        return out

    def _every_run(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        last = len(self.runs)
        for run in self.runs:
            edge = run.number <= FULL_RUNS or run.number > last - FULL_RUNS
            if edge or run.findings:
                out.extend(self._timeline(run))
            else:
                out.append({"kind": "world", "text": run.headline(self.every)})
        return out


def _bearer(exchange: Exchange) -> str | None:
    scheme, _, token = exchange.request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _path_tenant(exchange: Exchange) -> str | None:
    parts = [p for p in exchange.path.split("/") if p]
    if not parts or parts[0].lower() in ("odata", "api", "orchestrator_"):
        return None
    return parts[1] if len(parts) > 1 else None


def _seconds(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _leaks(text: str, secrets: dict[str, str]) -> set[str]:
    """What kinds of secret appear in ``text``: token-shaped words looked up, O(len(text))."""
    found: set[str] = set()
    for word in _CANDIDATE.findall(text):
        whole = secrets.get(word)
        if whole is not None:
            found.add(whole)
            continue
        for part in word.split("."):  # a token logged in pieces (a JWT's signature)
            what = secrets.get(part)
            if what is not None:
                found.add(what)
    return found


def _scrub(text: str, secrets: dict[str, str]) -> str:
    def hide(match: re.Match[str]) -> str:
        word = match.group(0)
        if word in secrets:
            return mask(word)
        if any(part in secrets for part in word.split(".")):
            return mask(word)
        return word

    return _CANDIDATE.sub(hide, text)

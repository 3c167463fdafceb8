"""The harness a rule runs in: a fresh world, a client built on it, and a timeline to judge.

A rule function receives a :class:`RuleRun`. It builds one or more :class:`World` objects (each a
new ``MockCloud``: rules never share state, so they are parallel-safe), configures them (faults,
revocations, the clock), builds the client under test through the plug (a Python factory or a
command), drives it with :class:`Client` operations, and judges from the world's journal.

Everything a rule does is written into the world's timeline (notes, operations and their
results, interleaved with the journal's exchanges), which becomes the result's evidence. The
evidence is redacted in two layers that never mask a value twice: ``Exchange.to_dict()`` masks
by field and header name (``Bearer ***(43 chars)``; a challenge's ``error="invalid_token"``
stays readable), and :meth:`World.scrub` masks every secret the world knows (credentials, every
token it issued) wherever else it appears, so a report stays clean even when the client leaks.

No pass without evidence: an operation that ends because the client is gone (a command that
exited), crashed (an in-process client raising one of Python's programming errors) or hung
raises :class:`~conformance._outcome.ClientStopped`, which the runner reports as ``error`` --
unless the rule asked for that hang as its verdict (``may_hang=True``).
"""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import httpx

from mock_orchestrator import (
    HUMAN_ROUTES,
    PASSWORD_ROUTES,
    TOKEN_ROUTES,
    Exchange,
    FakeClock,
    MockCloud,
    mask,
    redact_text,
)

from ._env import ClientEnv, Credential, NotSupported
from ._outcome import ClientStopped, NotApplicable, RuleFailed
from ._output import OutputTail
from .catalog import RuleSpec

if TYPE_CHECKING:
    from ._plugs import Answer, Driver, Plug

__all__ = [
    "HUMAN_ROUTES",
    "PASSWORD_ROUTES",
    "TOKEN_ROUTES",
    "Client",
    "ClientRefused",
    "Op",
    "RuleRun",
    "World",
]

# The route sets rules judge by (TOKEN_ROUTES: every token endpoint; HUMAN_ROUTES: the
# browser-driven steps; PASSWORD_ROUTES: where a password login goes) are derived from the
# mock's route table, where each route says what it is (``kind``); re-exported here for rules.
#: Routes that are not Orchestrator's (identity, discovery and the legacy account lookups).
_NON_ORCHESTRATOR_PREFIXES = ("identity.", "legacy.", "onprem.")


def is_orchestrator(exchange: Exchange) -> bool:
    """An exchange with Orchestrator (or an unrouted path on its hosts), not with identity."""
    route = exchange.route or ""
    if route.startswith("orchestrator."):
        return True
    return not route.startswith(_NON_ORCHESTRATOR_PREFIXES) and "/odata/" in exchange.path.lower()


class ClientRefused(RuleFailed):
    """The factory (or ``hello``) refused to build the client with an error of its own: a
    deliberate answer, unlike a crash. Only rules about refusing treat it as a pass."""


@dataclass
class Op:
    """One operation of the client under test and how it ended."""

    name: str
    client: str
    ok: bool
    value: Any = None
    error: str | None = None
    #: Journal positions: exchanges ``journal[first:last]`` happened during the operation.
    first: int = 0
    last: int = 0
    #: Full text of the failure (type, message, traceback with causes), for the secrets rule.
    error_text: str = ""
    hung: bool = False

    def exchanges(self, world: World) -> list[Exchange]:
        return [e for e in list(world.cloud.journal)[self.first : self.last]]


@dataclass
class _Event:
    position: int
    entry: dict[str, Any]


@dataclass
class World:
    """One ``MockCloud`` for one rule, served on loopback when the client is a command."""

    run: RuleRun
    cloud: MockCloud
    title: str
    origin: str | None = None
    events: list[_Event] = field(default_factory=list)
    clients: list[Client] = field(default_factory=list)
    stack: ExitStack = field(default_factory=ExitStack)
    tmp: str = ""

    # -- configuration for the client -----------------------------------------------------

    @property
    def served(self) -> bool:
        return self.origin is not None

    def env(self, credential: Credential | None = None, **changes: Any) -> ClientEnv:
        """What a deployed client would be configured with, for ``credential``.

        Only the chosen credential's secrets are handed over, so the client cannot quietly use
        another one. ``changes`` override any field (``token_store=...``, ``extra=...``).
        """
        cred = credential or self.run.credential
        d = self.cloud.defaults
        if self.origin is not None:
            d = d.rebased(self.origin)
        secrets: dict[str, Any] = {}
        if cred == "client_credentials":
            secrets = {
                "client_id": d.client_id,
                "client_secret": d.client_secret,
                "scopes": d.scopes,
            }
        elif cred == "refresh_token":
            secrets = {"client_id": d.public_client_id, "refresh_token": d.refresh_token}
        elif cred == "user_key":
            secrets = {"client_id": d.legacy_client_id, "user_key": d.user_key}
        elif cred == "password":
            user = self.user
            secrets = {
                "username": d.username or user.username,
                "password": d.password or user.password,
            }
        in_process = not self.served
        env = ClientEnv(
            profile=self.cloud.profile,
            credential=cred,
            url=d.url,
            organization=d.organization,
            tenant=d.tenant,
            folder=d.folder,
            identity_url=d.identity_url,
            legacy_token_url=d.legacy_token_url,
            token_store=f"{self.tmp}/token-store.json",
            clock=self.cloud.clock.time,
            sleep=self.cloud.clock.sleep,
            transport=self.cloud.transport() if in_process else None,
            tenant_display_name=d.tenant_display_name,
            **secrets,
        )
        return replace(env, **changes) if changes else env

    @property
    def user(self) -> Any:
        """The world's default user (whose password a cloud client must never send)."""
        return self.cloud.identity.login_user

    def client(
        self, credential: Credential | None = None, *, name: str = "client", **changes: Any
    ) -> Client:
        """Build the client under test on this world. ``NotSupported`` -> not applicable."""
        env = self.env(credential, **changes)
        self.note(f"build {name} ({env.credential})")
        from ._plugs import CRASHES

        try:
            driver = self.run.plug.open(env, self)
        except NotSupported as exc:
            raise self._not_applicable(env, exc) from None
        except ClientStopped:
            raise
        except CRASHES as exc:
            raise ClientStopped(
                f"the client crashed while being built for {env.profile}/{env.credential}: "
                f"{type(exc).__name__}: {self.scrub(str(exc))}"
            ) from None
        except Exception as exc:  # the factory's own refusal is the client's answer
            raise ClientRefused(
                f"the client could not be built for {env.profile}/{env.credential}: "
                f"{type(exc).__name__}: {self.scrub(str(exc))}"
            ) from None
        client = Client(self, driver, name, env)
        self.clients.append(client)
        return client

    def _not_applicable(self, env: ClientEnv, exc: BaseException) -> NotApplicable:
        return NotApplicable(
            f"the client does not support the {env.profile} profile with the "
            f"{env.credential} credential: {self.scrub(str(exc)) or 'NotSupported'}"
        )

    # -- levers, each written into the timeline -------------------------------------------

    def note(self, text: str) -> None:
        self._event({"kind": "note", "text": text})

    def _event(self, entry: dict[str, Any]) -> None:
        entry.setdefault("at", round(self.cloud.clock.time(), 3))
        self.events.append(_Event(len(self.cloud.journal), entry))

    def advance(self, seconds: float, why: str = "") -> None:
        self.cloud.clock.advance(seconds)
        self.note(f"clock +{seconds:g} s" + (f" ({why})" if why else ""))

    @property
    def lifetime(self) -> int:
        return self.cloud.settings.access_token_lifetime

    def expire_tokens(self) -> None:
        """Move past the access token's lifetime (24 h, 1 h or 30 min by profile)."""
        self.advance(self.lifetime + 1, "the access token's lifetime passed")

    def fault(self, kind: str = "response", **options: Any) -> Any:
        fault = self.cloud.faults.add(kind, **options)  # type: ignore[arg-type]
        where = options.get("route") or options.get("path")
        self.note(f"fault scheduled: {fault.label()} (times={options.get('times', 1)}) on {where}")
        return fault

    def revoke_access_tokens(self) -> None:
        count = self.cloud.identity.revoke_access_tokens()
        self.note(f"server side: {count} access token(s) revoked")

    def revoke_refresh_token(self, token: str) -> None:
        self.cloud.identity.revoke_refresh_token(token)
        self.note("server side: the configured refresh token / User Key revoked")

    def hold_token_burst(self, window: float = 1.0) -> TokenHold:
        """Hold the first token request of a burst until a second one arrives (or ``window``
        real seconds pass), so that a client without single flight shows its race every time.

        The same hold serves both paths: in process it waits in the client's thread; served,
        the app runs a handler marked ``blocking`` off its event loop, so that other requests
        (the racing ones among them) are answered meanwhile. Armed by :meth:`TokenHold.arm`.
        """
        hold = TokenHold(window)
        self.interpose(hold.wrap)
        return hold

    def interpose(
        self,
        wrapper: Callable[
            [Callable[[httpx.Request], httpx.Response]], Callable[[httpx.Request], httpx.Response]
        ],
    ) -> None:
        """Wrap the world's handler (before any client is built): holds, lost responses."""
        inner = self.cloud.handle
        self.cloud.handle = wrapper(inner)  # type: ignore[method-assign,assignment]

    # -- the journal ----------------------------------------------------------------------

    def mark(self) -> int:
        return len(self.cloud.journal)

    def since(
        self, mark: int = 0, *, where: Callable[[Exchange], bool] | None = None
    ) -> list[Exchange]:
        entries = list(self.cloud.journal)[mark:]
        return [e for e in entries if where is None or where(e)]

    def token_requests(self, mark: int = 0) -> list[Exchange]:
        return self.since(mark, where=lambda e: e.route in TOKEN_ROUTES)

    def orchestrator_calls(self, mark: int = 0) -> list[Exchange]:
        return self.since(mark, where=is_orchestrator)

    # -- secrets --------------------------------------------------------------------------

    def secrets(self) -> set[str]:
        """Every secret this world knows: credentials and every token it ever issued."""
        return set(self.secret_names())

    def secret_names(self) -> dict[str, str]:
        """Each secret of the world with what it is ("a refresh token"), for messages that
        name a leak without showing it. Safe to call while the served world issues tokens."""
        for _ in range(5):
            try:
                return self._secret_names()
            except RuntimeError:  # "changed size during iteration": the server issued one
                continue
        return self._secret_names()

    def _secret_names(self) -> dict[str, str]:
        d = self.cloud.defaults
        identity = self.cloud.identity
        named: dict[str, str] = {}
        for code in list(identity.codes):
            named[code] = "an authorization code"
        for app in list(identity.apps.values()):
            if app.secret:
                named[app.secret] = "a client secret"
        for user in list(identity.users.values()):
            named[user.password] = "the password"
        for record in list(identity.tokens.records()):
            named[record.token] = {"id": "an id_token", "pat": "a personal access token"}.get(
                record.kind, "an access token"
            )
        for token in list(identity.refresh_tokens):
            named[token] = "a refresh token"
        for token in list(identity.legacy_grants):
            named[token] = "the User Key"
        for value, what in (
            (d.client_secret, "the client secret"),
            (d.refresh_token, "the configured refresh token"),
            (d.user_key, "the User Key"),
            (d.password, "the password"),
        ):
            if value:
                named[value] = what
        return {k: v for k, v in named.items() if isinstance(k, str) and len(k) >= 6}

    def scrub(self, value: Any) -> Any:
        """``value`` with every known secret masked, recursively (strings, lists, dicts)."""
        secrets = sorted(self.secrets(), key=len, reverse=True)
        return _scrub(value, secrets)

    # -- evidence -------------------------------------------------------------------------

    def timeline(
        self, highlight: Iterable[Exchange] = (), *, full: bool = True
    ) -> list[dict[str, Any]]:
        marked = {id(e) for e in highlight}
        entries = list(self.cloud.journal)
        out: list[dict[str, Any]] = [{"kind": "world", "text": self.title, "at": None}]
        events = list(self.events)
        names = _TokenNames(self.cloud.defaults)
        ei = 0
        for index, exchange in enumerate(entries):
            while ei < len(events) and events[ei].position <= index:
                out.append(events[ei].entry)
                ei += 1
            entry = _exchange_entry(exchange, id(exchange) in marked, full)
            names.annotate(exchange, entry)
            out.append(entry)
        out.extend(event.entry for event in events[ei:])
        return self.scrub(out)  # type: ignore[no-any-return]

    def close(self) -> None:
        for client in self.clients:
            client.close()
        self.stack.close()
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)


def _exchange_entry(exchange: Exchange, highlighted: bool, full: bool) -> dict[str, Any]:
    data = exchange.to_dict()
    if not full and not highlighted:
        data = {
            k: v
            for k, v in data.items()
            if k
            in (
                "seq",
                "at",
                "method",
                "url",
                "route",
                "status",
                "fault",
                "auth",
                "bearer",
                "issued",
            )
        }
    data["kind"] = "exchange"
    if highlighted:
        data["highlight"] = True
    return data


class _TokenNames:
    """Names tokens by order of issue ("access token #2"), so a timeline shows a token's life
    (issued, used, expired, replaced) and which refresh token each refresh presented, without
    showing a token."""

    def __init__(self, defaults: Any = None) -> None:
        self.names: dict[str, str] = {}
        self.counts: dict[str, int] = {}
        for attr, name in (
            ("refresh_token", "the configured refresh token"),
            ("user_key", "the User Key"),
        ):
            value = getattr(defaults, attr, None)
            if isinstance(value, str) and value:
                self.names[value] = name

    def _name(self, token: str, kind: str) -> str:
        if token not in self.names:
            self.counts[kind] = self.counts.get(kind, 0) + 1
            self.names[token] = f"{kind} #{self.counts[kind]}"
        return self.names[token]

    def annotate(self, exchange: Exchange, entry: dict[str, Any]) -> None:
        value = exchange.request.headers.get("authorization", "")
        scheme, _, token = value.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            entry["bearer"] = self.names.get(token.strip(), "a token the world never issued")
        if exchange.route in TOKEN_ROUTES:
            presented = _presented_refresh_token(exchange)
            if presented:
                entry["presented"] = self.names.get(presented, "a token the world never issued")
        if exchange.route in TOKEN_ROUTES and exchange.status_code == 200:
            try:
                body = json.loads(exchange.response.content) if exchange.response else None
            except ValueError:
                body = None
            if isinstance(body, dict):
                issued = [
                    self._name(str(body[k]), kind)
                    for k, kind in (
                        ("access_token", "access token"),
                        ("result", "access token"),
                        ("id_token", "id_token"),
                        ("refresh_token", "refresh token"),
                    )
                    if isinstance(body.get(k), str)
                ]
                if issued:
                    entry["issued"] = issued


def _presented_refresh_token(exchange: Exchange) -> str | None:
    """The refresh token (or User Key) a token request presented, from its form or JSON."""
    content = exchange.request.content
    if not content:
        return None
    text = content.decode("utf-8", "replace")
    fields: dict[str, Any]
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            return None
        fields = data if isinstance(data, dict) else {}
    else:
        fields = dict(parse_qsl(text, keep_blank_values=True))
    value = fields.get("refresh_token")
    return value if isinstance(value, str) and value else None


def _scrub(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, str):
        for secret in secrets:
            if secret in value:
                value = value.replace(secret, mask(secret))
        return redact_text(value)
    if isinstance(value, dict):
        return {k: _scrub(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, secrets) for v in value]
    return value


class Client:
    """The client under test, as a rule drives it: every call becomes an :class:`Op`."""

    def __init__(self, world: World, driver: Driver, name: str, env: ClientEnv) -> None:
        self.world = world
        self.driver = driver
        self.name = name
        self.env = env
        self.ops: list[Op] = []
        self._closed = False

    def start_job(
        self,
        process: str | None = None,
        folder: str | None = None,
        input_arguments: dict[str, Any] | None = None,
        *,
        timeout: float = 30.0,
        may_hang: bool = False,
    ) -> Op:
        """``may_hang``: the rule provokes a hang and judges it (see :func:`no_hang`); any
        other hang means the client stopped answering, and the rule is an ``error``."""
        d = self.world.cloud.defaults
        kwargs = {
            "process": process or d.process,
            "folder": folder or d.folder,
            "input_arguments": input_arguments,
        }
        return self._call("start_job", kwargs, timeout, may_hang)

    def get_job_state(
        self,
        job_key: str,
        folder: str | None = None,
        *,
        timeout: float = 30.0,
        may_hang: bool = False,
    ) -> Op:
        kwargs = {"job_key": job_key, "folder": folder or self.world.cloud.defaults.folder}
        return self._call("get_job_state", kwargs, timeout, may_hang)

    def concurrently(self, count: int, op: str, timeout: float = 30.0, **kwargs: Any) -> list[Op]:
        """``count`` copies of one operation at once (threads, or pipelined for commands)."""
        world = self.world
        world._event({"kind": "op", "text": f"{self.name}: {count} x {op}(...) at once"})
        first = world.mark()
        try:
            answers = self.driver.call_many(op, kwargs, count, timeout)
        except NotSupported as exc:
            raise world._not_applicable(self.env, exc) from None
        last = world.mark()
        ops = [self._op(op, answer, first, last) for answer in answers]
        good = sum(1 for o in ops if o.ok)
        world._event(
            {
                "kind": "result",
                "ok": good == count,
                "text": f"{self.name}: {good} of {count} {op} succeeded"
                + ("" if good == count else f"; first error: {_first_error(ops)}"),
            }
        )
        for answer in answers:
            self._stop_unless_answered(op, answer, may_hang=False)
        return ops

    def _call(self, op: str, kwargs: dict[str, Any], timeout: float, may_hang: bool) -> Op:
        world = self.world
        shown = ", ".join(f"{k}={v!r}" for k, v in kwargs.items() if v is not None)
        world._event({"kind": "op", "text": f"{self.name}: {op}({shown})"})
        first = world.mark()
        try:
            answer = self.driver.call(op, kwargs, timeout)
        except NotSupported as exc:
            raise world._not_applicable(self.env, exc) from None
        result = self._op(op, answer, first, world.mark())
        world._event(
            {
                "kind": "result",
                "ok": answer.ok,
                "text": f"{self.name}: {op} -> "
                + (repr(answer.value) if answer.ok else f"error: {answer.error}"),
            }
        )
        self._stop_unless_answered(op, answer, may_hang=may_hang)
        return result

    def _stop_unless_answered(self, op: str, answer: Answer, *, may_hang: bool) -> None:
        """No verdict from a client that did not answer: it exited, crashed or went mute."""
        if answer.gone or answer.crashed or (answer.hung and not may_hang):
            what = (
                "crashed" if answer.crashed else "stopped answering" if answer.hung else "is gone"
            )
            raise ClientStopped(
                f"the client {what} in {op}: {self.world.scrub(answer.error or '')}"
            )

    def _op(self, name: str, answer: Answer, first: int, last: int) -> Op:
        op = Op(
            name,
            self.name,
            answer.ok,
            answer.value,
            answer.error,
            first,
            last,
            answer.text,
            answer.hung,
        )
        self.ops.append(op)
        self.world.run.op_errors.append(answer.text)
        return op

    def describe(self) -> str:
        """What printing the client would show (``repr``/``str`` of its objects)."""
        return self.driver.describe()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self.driver.close()


def _first_error(ops: list[Op]) -> str:
    return next((o.error or "" for o in ops if not o.ok), "")


class RuleRun:
    """Everything one rule on one profile uses; the runner closes it."""

    def __init__(self, spec: RuleSpec, profile: str, plug: Plug) -> None:
        self.spec = spec
        self.profile = profile
        self.plug = plug
        self.credential: Credential = spec.credential_for(profile)
        self.worlds: list[World] = []
        #: Failure text of every operation (the secrets rule searches it).
        self.op_errors: list[str] = []
        #: What printing the clients showed (``repr``/``str``), for the secrets rule.
        self.descriptions: list[str] = []

    @property
    def in_process(self) -> bool:
        """True when the client shares the world's clock, sleep and transport (a factory)."""
        return self.plug.in_process

    def world(self, title: str = "", *, seed: int | None = None, **settings: Any) -> World:
        """A fresh world for this rule; served on loopback when the client is a command."""
        index = len(self.worlds)
        # Served worlds tick with real time, so that a command client's real waits (a
        # Retry-After) show on the journal's clock; in-process worlds move only when told.
        clock = None if self.in_process else FakeClock(ticking=True)
        cloud = MockCloud(
            self.profile,  # type: ignore[arg-type]
            seed=index if seed is None else seed,
            clock=clock,
            **settings,
        )
        world = World(self, cloud, title or f"{self.spec.id} on {self.profile}")
        world.tmp = tempfile.mkdtemp(prefix="uipath-conformance-")
        self.worlds.append(world)
        if not self.in_process:
            world.origin = world.stack.enter_context(self.plug.serve(cloud))
        return world

    def evidence(
        self, highlight: Iterable[Exchange] = (), *, full: bool = True
    ) -> list[dict[str, Any]]:
        marked = list(highlight)
        out: list[dict[str, Any]] = []
        for world in self.worlds:
            out.extend(world.timeline(marked, full=full))
        return out

    def scrub(self, text: str) -> str:
        for world in self.worlds:
            text = world.scrub(text)
        return text

    def internal_errors(self) -> list[str]:
        return [err for world in self.worlds for err in world.cloud.internal_errors]

    def close(self) -> None:
        for world in self.worlds:
            world.close()

    # -- output capture (the secrets rule) -----------------------------------------------

    @contextmanager
    def capture_output(self) -> Iterator[OutputTail]:
        """Search everything the client writes for secrets, as it is written.

        For a factory: log records (every logger at DEBUG), ``sys.stdout``/``sys.stderr`` and
        file descriptors 1 and 2. For a command: its stderr and any stdout line that is not a
        protocol answer. The tail keeps the last lines; ``findings`` names every leak seen.
        """
        tail = OutputTail()
        tail.scanner = self.find_secret
        with self.plug.capture(tail):
            yield tail

    def find_secret(self, text: str) -> tuple[str, str] | None:
        """``(what, found)`` for the first secret of any world of this rule that ``text``
        holds (``("a refresh token", "8F3A...")``), or None.

        A JWT is also found by its signature alone (a client may log the token in parts).
        """
        for world in list(self.worlds):
            for secret, what in world.secret_names().items():
                for needle in needles(secret):
                    if needle in text:
                        return what, needle
        return None


def needles(secret: str) -> list[str]:
    """The secret, and for a JWT its signature too (a client may log the token in parts)."""
    parts = secret.split(".")
    if len(parts) == 3 and len(parts[2]) >= 20:
        return [secret, parts[2]]
    return [secret]


class TokenHold:
    """Hold the first token request of a burst until the second arrives, or ``window`` passes.

    Threads (or connections) of a client without single flight all reach the token endpoint
    while the first refresh is held, and the second one to arrive releases the hold at once;
    a client with single flight sends no second request, and the hold ends after ``window``
    seconds of real time. (A bounded wait for a race, not a sleep on the kit's clock: the race
    itself happens in real time.) The window is a full second so that a loaded two-core CI
    machine, where a racing thread may be scheduled late, cannot let a client without single
    flight pass; only a correct client pays it, once per profile.
    """

    _TOKEN_PATHS = ("/connect/token", "/oauth/token", "/api/account/authenticate")

    def __init__(self, window: float = 1.0) -> None:
        self.window = window
        self.armed = False
        self.held = 0
        self._taken = False
        self._second = threading.Event()
        self._lock = threading.Lock()

    def arm(self) -> None:
        self.armed = True

    def wrap(
        self, inner: Callable[[httpx.Request], httpx.Response]
    ) -> Callable[[httpx.Request], httpx.Response]:
        def handle(request: httpx.Request) -> httpx.Response:
            if self.armed and request.url.path.lower().endswith(self._TOKEN_PATHS):
                with self._lock:
                    first, self._taken = not self._taken, True
                if first:
                    self.held += 1
                    self._second.wait(self.window)
                else:
                    self._second.set()
            return inner(request)

        # The served app runs a blocking handler off its event loop (mock_orchestrator's
        # _served/app.py), so that the racing requests are answered while this one waits.
        handle.blocking = True  # type: ignore[attr-defined]
        return handle


def fail(message: str, *highlight: Exchange) -> RuleFailed:
    """Build the exception a rule raises when the client does not show what it must."""
    return RuleFailed(message, list(highlight))

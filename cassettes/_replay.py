"""Replay a recorded request against a mock world that matches the recording.

A recording holds requests made in someone else's world: their organization and tenant, their
folder and process, ids the server handed out, and placeholders where the secrets were. To ask
the mock "what would you answer to this?", :class:`MatchingWorld` builds a ``MockCloud`` of the
recording's profile, gives it the recording's folder, process and queue, and rewrites each
request before sending it:

* **bindings** map a recorded value to the live one: the recording's tenant, organization,
  folder id and release key to the mock's; an id or key the mock handed out in place of the
  recorded one (a job's ``Id``); a placeholder (``<refresh_token-2>``) to the token the mock
  issued where the recording has that placeholder, so a rotating refresh replays in order;
* **unresolved secrets** (``<REDACTED>``, or a placeholder seen for the first time) take the
  latest live value of that field, else the world's own credential of that kind: the client
  secret, refresh token or User Key, password, PKCE verifier; a bearer token the latest access
  token the replay obtained, else one minted with the world's client credentials.

Hosts are kept: the mock routes UiPath's cloud hosts in process and treats any other host
(loopback, an on-prem name) as its served origin.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from mock_orchestrator import MockCloud

from ._scrub import PLACEHOLDER
from ._world import World

__all__ = ["PLACEHOLDER", "MatchingWorld", "RecordedWorld", "infer_profile", "infer_world"]

#: A placeholder with an identity (``<refresh_token-2>``: one secret of one cassette);
#: ``<REDACTED>`` and ``<access_token>`` stand for some secret, not a given one.
_NAMED = re.compile(r"<[A-Za-z_][\w.:]*-\d+>")
#: Keys whose values are entity ids the server chose; a recorded one binds to the live one.
_ID_KEY = re.compile(r"(^|[a-z])(Id|Key)$")
_ODATA_KEY = re.compile(r"^(?P<name>[\w.]+)\((?P<key>[^()]*)\)$")
_TOKEN_FIELDS = ("access_token", "refresh_token", "id_token", "result")
_MAX_ID_BINDINGS = 10_000


class JobTiming(NamedTuple):
    """How a recorded job ran: seconds pending, seconds running, and how it ended."""

    pending_seconds: float
    running_seconds: float
    outcome: str


_PKCE_CHALLENGE = World().code_challenge
_PASSWORD_FIELDS = frozenset({"password"})


@dataclass
class RecordedWorld:
    """The names a recording used, read from its provenance and from its requests."""

    organization: str = ""
    tenant: str = ""
    folder: str = ""
    folder_id: str = ""
    folder_key: str = ""
    process: str = ""
    release_key: str = ""
    queue: str = ""
    client_id: str = ""
    username: str = ""
    #: Every ``(org, tenant)`` pair the recording's URLs name (a recording may hold two
    #: spellings); each is bound to the mock's.
    aliases: list[tuple[str, str]] = field(default_factory=list)
    #: How each process's jobs ran (:func:`infer_job_timings`).
    jobs: dict[str, JobTiming] = field(default_factory=dict)

    @classmethod
    def from_provenance(cls, world: Mapping[str, Any]) -> RecordedWorld:
        found = cls()
        for name in cls.__dataclass_fields__:
            value = world.get(name)
            if name not in ("aliases", "jobs") and value not in (None, "", 0):
                setattr(found, name, str(value))
        return found

    def fill(self, other: RecordedWorld) -> RecordedWorld:
        """This world with its empty fields taken from ``other``."""
        for name in self.__dataclass_fields__:
            if name == "aliases":
                self.aliases += [pair for pair in other.aliases if pair not in self.aliases]
            elif name == "jobs":
                self.jobs = {**other.jobs, **self.jobs}
            elif not getattr(self, name):
                setattr(self, name, getattr(other, name))
        return self


def _header(headers: Mapping[str, Any], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name.lower():
            first = value[0] if isinstance(value, list) and value else value
            return "" if first is None else str(first)
    return ""


def _text(body: Any) -> str:
    if body is None:
        return ""
    if isinstance(body, dict):  # vcrpy's {"string": ...} response body
        body = body.get("string")
    if isinstance(body, bytes):
        return body.decode("utf-8", "replace")
    return "" if body is None else str(body)


def _json(text: str) -> Any:
    if not text or text.lstrip()[:1] not in "{[":
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _tenant_of_path(path: str) -> tuple[str, str] | None:
    """``(org, tenant)`` of ``/{org}/{tenant}/orchestrator_/...`` or ``/{org}/{tenant}/odata/...``
    (the older cloud form without ``orchestrator_``)."""
    segments = path.split("/")
    for marker in ("orchestrator_", "odata", "api"):
        if marker in segments:
            at = segments.index(marker)
            if at == 3 and segments[1] and segments[2]:
                return segments[1], segments[2]
            return None
    return None


def infer_world(interactions: list[dict[str, Any]]) -> RecordedWorld:
    """The names a recording's requests carry: ``/{org}/{tenant}/orchestrator_``, folder headers,
    the StartJobs release key, the token calls' ``client_id`` and ``username``."""
    world = RecordedWorld(jobs=infer_job_timings(interactions))
    for interaction in interactions:
        request = interaction.get("request") or {}
        headers = request.get("headers") or {}
        pair = _tenant_of_path(urlsplit(str(request.get("uri", ""))).path)
        if pair:
            world.fill(RecordedWorld(organization=pair[0], tenant=pair[1]))
            if pair not in world.aliases:
                world.aliases.append(pair)
        world.fill(
            RecordedWorld(
                tenant=_header(headers, "X-UIPATH-TenantName"),
                folder=_header(headers, "X-UIPATH-FolderPath"),
                folder_id=_header(headers, "X-UIPATH-OrganizationUnitId"),
                folder_key=_header(headers, "X-UIPATH-FolderKey"),
            )
        )
        text = _text(request.get("body"))
        data = _json(text)
        if isinstance(data, dict):
            info = data.get("startInfo")
            if isinstance(info, dict) and isinstance(info.get("ReleaseKey"), str):
                world.fill(RecordedWorld(release_key=info["ReleaseKey"]))
            fields = {k.lower(): v for k, v in data.items() if isinstance(v, str)}
        else:
            fields = {k.lower(): v for k, v in parse_qsl(text)} if "=" in text else {}
        if fields.get("client_secret") and fields.get("client_id"):
            world.fill(RecordedWorld(client_id=fields["client_id"]))
        for name in ("username", "usernameoremailaddress"):
            if fields.get(name):
                world.fill(RecordedWorld(username=fields[name]))
    return world


_FINAL_STATES = frozenset({"Successful", "Faulted", "Stopped"})


def _instant(value: Any) -> datetime | None:
    """An OData time (``2019-06-12T08:02:03.2595408Z``) as a datetime, or None."""
    if not isinstance(value, str) or not value:
        return None
    text = re.sub(r"(\.\d{6})\d+", r"\1", value.replace("Z", "+00:00"))
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _jobs(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, dict):
        if "State" in data and "CreationTime" in data:
            yield data
        for value in data.values():
            yield from _jobs(value)
    elif isinstance(data, list):
        for item in data:
            yield from _jobs(item)


def infer_job_timings(interactions: list[dict[str, Any]]) -> dict[str, JobTiming]:
    """How each process's jobs ran in the recording, from the finished jobs it read back:
    ``(pending_seconds, running_seconds, outcome)`` by release name. The mock's world runs
    that process the same way, so a recorded poll meets the same state."""
    timings: dict[str, JobTiming] = {}
    for interaction in interactions:
        body = ((interaction.get("response") or {}).get("body")) or {}
        for job in _jobs(_json(_text(body))):
            name, state = job.get("ReleaseName"), job.get("State")
            created, started = _instant(job.get("CreationTime")), _instant(job.get("StartTime"))
            ended = _instant(job.get("EndTime"))
            if not isinstance(name, str) or state not in _FINAL_STATES or not created:
                continue
            started = started or created
            ended = ended or started
            timings[name] = JobTiming(
                max(0.0, (started - created).total_seconds()),
                max(0.0, (ended - started).total_seconds()),
                str(state),
            )
    return timings


def infer_profile(interactions: list[dict[str, Any]]) -> str:
    """``legacy`` when the recording calls Auth0's ``/oauth/token``; ``onprem`` when a password
    login succeeds or ``/identity/`` (no underscore) answers; else ``identity``."""
    for interaction in interactions:
        path = urlsplit(str((interaction.get("request") or {}).get("uri", ""))).path.lower()
        if path.endswith("/oauth/token"):
            return "legacy"
    for interaction in interactions:
        path = urlsplit(str((interaction.get("request") or {}).get("uri", ""))).path.lower()
        status = ((interaction.get("response") or {}).get("status") or {}).get("code")
        if path.endswith("/api/account/authenticate") and status == 200:
            return "onprem"
        if "/identity/connect/" in path:
            return "onprem"
    return "identity"


def _walk_pairs(recorded: Any, live: Any, key: str = "") -> Iterator[tuple[str, Any, Any]]:
    """Leaves at the same place in two JSON values: ``(key, recorded, live)``."""
    if isinstance(recorded, dict) and isinstance(live, dict):
        for name, value in recorded.items():
            if name in live:
                yield from _walk_pairs(value, live[name], name)
    elif isinstance(recorded, list) and isinstance(live, list):
        for left, right in zip(recorded, live, strict=False):
            yield from _walk_pairs(left, right, key)
    else:
        yield key, recorded, live


@dataclass
class MatchingWorld:
    """A ``MockCloud`` of the recording's profile, and the bindings that carry requests to it.

    ``send(recorded_request)`` rewrites one recorded request (a vcrpy request dict) for this
    world and returns the mock's answer; ``learn(recorded_response, live)`` binds what the
    recording's answer holds (placeholders, ids) to what the mock answered. Call them in the
    recording's order.
    """

    profile: str
    recorded: RecordedWorld
    #: An assembled cassette (the kit's reference ones) joins interactions from different
    #: sources, so an unnamed bearer token there is not the previous answer's token: it is
    #: replaced by one with every scope of the world, unless it says ``<previous_access_token>``.
    #: In a recording, an unnamed bearer is the latest access token the replay obtained.
    assembled: bool = False
    cloud: MockCloud = field(init=False)
    bindings: dict[str, str] = field(default_factory=dict)
    latest: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._minted = ""
        self._refused = False
        self.cloud = MockCloud(profile=self.profile, seed=0)  # type: ignore[arg-type]
        self._provision()

    # -- the world --------------------------------------------------------------------------

    def _provision(self) -> None:
        d, r = self.cloud.defaults, self.recorded
        orch = self.cloud.orchestrator.default
        folder = orch.folder(d.folder)
        if r.folder and r.folder != d.folder:
            folder = orch.add_folder(r.folder)
        release_key = d.release_key
        if r.process and r.process != d.process:
            release_key = orch.add_release(r.process, folder=folder).key
        elif folder.fully_qualified_name != d.folder:
            release_key = orch.add_release(d.process, folder=folder).key
        if r.queue and r.queue != d.queue:
            orch.add_queue(r.queue, folder=folder)
        pairs = {
            r.organization: d.organization,
            r.tenant: d.tenant,
            r.folder_id: str(folder.id),
            r.folder_key: folder.key,
            r.release_key: release_key,
            r.client_id: d.client_id,
            r.username: d.username or "",
        }
        for name, timing in r.jobs.items():
            with contextlib.suppress(KeyError, ValueError):  # a process this world lacks
                orch.configure_process(name, **timing._asdict())
        for org, tenant in r.aliases:
            pairs.setdefault(org, d.organization)
            pairs.setdefault(tenant, d.tenant)
        self.bindings.update({k: v for k, v in pairs.items() if k and v and k != v})

    def _default_secret(self, name: str) -> str | None:
        d = self.cloud.defaults
        table = {
            "client_secret": d.client_secret,
            "refresh_token": d.refresh_token or d.user_key,
            "token": self.latest.get("refresh_token") or d.refresh_token or d.user_key,
            "password": d.password,
            "code_verifier": World().code_verifier,
            "id_token_hint": self.latest.get("id_token"),
        }
        return self.latest.get(name) or table.get(name)

    def _bearer(self, placeholder: str, path: str) -> str:
        bound = self.bindings.get(placeholder)
        if bound:
            return bound
        # [V] The legacy tenant lookup (/cloudrpa/...) is authorized by the id_token, not the
        # access token (docs/wire.md §2.6).
        if "/cloudrpa/" in path and self.latest.get("id_token"):
            return self.latest["id_token"]
        latest = self.latest.get("access_token") or self.latest.get("result")
        if latest and (not self.assembled or placeholder == "<previous_access_token>"):
            return latest
        return self._mint()

    def _mint(self) -> str:
        """An access token of this world, for a recording that used one it never obtained."""
        if self._minted:
            return self._minted
        d = self.cloud.defaults
        if self.profile == "legacy":
            request = httpx.Request(
                "POST",
                str(d.legacy_token_url),
                json={
                    "grant_type": "refresh_token",
                    "client_id": d.legacy_client_id,
                    "refresh_token": d.user_key,
                },
            )
            field_name = "access_token"
        elif self.profile == "onprem":
            request = httpx.Request(
                "POST",
                f"{d.url}/api/Account/Authenticate",
                json={
                    "tenancyName": d.tenant,
                    "usernameOrEmailAddress": d.username,
                    "password": d.password,
                },
            )
            field_name = "result"
        else:
            request = httpx.Request(
                "POST",
                f"{d.identity_url}/connect/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": d.client_id,
                    "client_secret": d.client_secret,
                    "scope": d.scopes,
                },
            )
            field_name = "access_token"
        data = self.cloud.handle(request).json()
        self._minted = str(data[field_name])
        return self._minted

    # -- rewriting a request ----------------------------------------------------------------

    def _value(self, value: str, field_name: str = "") -> str:
        if value in self.bindings:
            return self.bindings[value]

        def secret(match: re.Match[str]) -> str:
            placeholder, kind = match.group(0), field_name.lower()
            found = self.bindings.get(placeholder)
            if found is not None:
                return found
            if kind in _PASSWORD_FIELDS and self._refused:
                # The recording cannot say which password it sent, but its answer says it was
                # refused: send a wrong one, so the mock is asked the same question.
                found = "kit-wrong-password"
            else:
                found = self._default_secret(kind)
            if found is None:
                return placeholder
            if _NAMED.fullmatch(placeholder):
                # A named placeholder is one value for the whole cassette: a refresh token
                # sent twice (reuse) is the same live token twice.
                self.bindings[placeholder] = found
            return found

        return PLACEHOLDER.sub(secret, value)

    def _url(self, uri: str) -> str:
        parts = urlsplit(uri)
        path = parts.path
        prefix = ""
        pair = _tenant_of_path(path)
        if pair and pair in self.recorded.aliases:
            # By position: an organization and a tenant may share a name.
            prefix = f"/{self.cloud.defaults.organization}/{self.cloud.defaults.tenant}"
            path = "/" + path.split("/", 3)[3]
        segments = []
        for segment in path.split("/"):
            odata = _ODATA_KEY.match(segment)
            if odata:
                key = odata.group("key").strip("'")
                bound = self.bindings.get(key)
                if bound is not None:
                    segment = segment.replace(key, bound)
            segments.append(self.bindings.get(segment, segment))
        pairs = [(k, self._value(v, k)) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
        # The replay sends its own PKCE verifier (the recorded one is a secret), so the
        # challenge of the authorize call must be the one of that verifier.
        pairs = [(k, _PKCE_CHALLENGE if k == "code_challenge" else v) for k, v in pairs]
        query = urlencode(pairs)
        return urlunsplit(parts._replace(path=prefix + "/".join(segments), query=query))

    def _json_value(self, data: Any, key: str = "") -> Any:
        if isinstance(data, dict):
            return {k: self._json_value(v, k) for k, v in data.items()}
        if isinstance(data, list):
            return [self._json_value(v, key) for v in data]
        if isinstance(data, str):
            return self._value(data, key)
        if isinstance(data, int) and not isinstance(data, bool) and str(data) in self.bindings:
            bound = self.bindings[str(data)]
            return int(bound) if bound.isdigit() else bound
        return data

    def _body(self, body: str, content_type: str) -> bytes:
        if not body:
            return b""
        data = _json(body)
        if data is not None:
            return json.dumps(self._json_value(data)).encode("utf-8")
        if "x-www-form-urlencoded" in content_type.lower():
            pairs = parse_qsl(body, keep_blank_values=True)
            return urlencode([(k, self._value(v, k)) for k, v in pairs]).encode("ascii")
        return self._value(body).encode("utf-8")

    def _headers(self, headers: Mapping[str, Any], path: str) -> dict[str, str]:
        out: dict[str, str] = {}
        for name, values in headers.items():
            value = _header({name: values}, name)
            lower = name.lower()
            if lower in {"host", "content-length", "cookie", "connection", "accept-encoding"}:
                continue
            if lower == "authorization":
                scheme, _, credential = value.partition(" ")
                if not credential:  # the whole header was scrubbed
                    scheme, credential = "Bearer", value
                if scheme.lower() == "bearer" and PLACEHOLDER.fullmatch(credential):
                    value = f"Bearer {self._bearer(credential, path)}"
                elif scheme.lower() == "basic" and PLACEHOLDER.fullmatch(credential):
                    value = f"Basic {_basic(self.cloud.defaults)}"
                out[name] = value
                continue
            out[name] = self._value(value, name)
        return out

    def send(
        self, request: Mapping[str, Any], recorded: Mapping[str, Any] | None = None
    ) -> httpx.Response:
        """The mock's answer to a recorded request (a vcrpy request dict), rewritten here.

        ``recorded`` is the recorded response, when known: a login it refused is replayed
        with a wrong password.
        """
        status = ((recorded or {}).get("status") or {}).get("code", 0)
        self._refused = isinstance(status, int) and 400 <= status < 500
        headers = request.get("headers") or {}
        content_type = _header(headers, "content-type")
        rewritten = httpx.Request(
            str(request.get("method", "GET")),
            self._url(str(request.get("uri", ""))),
            headers=self._headers(headers, urlsplit(str(request.get("uri", ""))).path),
            content=self._body(_text(request.get("body")), content_type),
        )
        response = self.cloud.handle(rewritten)
        response.read()
        return response

    # -- learning from an answer ------------------------------------------------------------

    def learn(self, recorded: Mapping[str, Any], live: httpx.Response) -> None:
        """Bind the recorded answer's placeholders and ids to the live answer's values."""
        headers = recorded.get("headers") or {}
        live_location = live.headers.get("location", "")
        recorded_location = _header(headers, "location")
        if recorded_location and live_location:
            old = dict(parse_qsl(urlsplit(recorded_location).query))
            new = dict(parse_qsl(urlsplit(live_location).query))
            for key, value in old.items():
                if key in new:
                    self._bind(key, value, new[key])
        recorded_data = _json(_text(recorded.get("body")))
        try:
            live_data = live.json() if recorded_data is not None else None
        except ValueError:
            return
        for key, old_value, new_value in _walk_pairs(recorded_data, live_data):
            self._bind(key, old_value, new_value)

    def _bind(self, key: str, recorded: Any, live: Any) -> None:
        if not isinstance(live, (str, int)) or isinstance(live, bool):
            return
        live_text = str(live)
        if isinstance(recorded, str) and PLACEHOLDER.search(recorded):
            if _NAMED.fullmatch(recorded):
                self.bindings[recorded] = live_text
            if key in _TOKEN_FIELDS or key in {"code"}:
                self.latest[key] = live_text
            return
        if key in _TOKEN_FIELDS and isinstance(live, str):
            self.latest[key] = live_text
        if (
            _ID_KEY.search(key)
            and isinstance(recorded, (str, int))
            and str(recorded) != live_text
            and len(self.bindings) < _MAX_ID_BINDINGS
        ):
            self.bindings.setdefault(str(recorded), live_text)


def _basic(defaults: Any) -> str:
    import base64

    raw = f"{defaults.client_id}:{defaults.client_secret}".encode()
    return base64.b64encode(raw).decode("ascii")

"""Process schedules fire on the world's clock: a due schedule starts its process's job.

``StartProcessCron`` is a Quartz cron expression (UiPath's triggers are Quartz: seconds,
minutes, hours, day of month, month, day of week, optional year). The mock reads the common
forms: ``*``, ``?``, numbers, names (``MON``, ``JAN``), ranges ``a-b``, steps ``a/b`` and
``*/b``, and lists; ``L``, ``W`` and ``#`` are refused when the schedule is saved (a 400 that
says the mock does not model them) rather than silently never firing.

Firing is worked out when it matters, not by a timer: before ``GET odata/Jobs`` lists jobs and
before a schedule is read, every enabled schedule's firings since it was last looked at start
their jobs, each created at its firing time (so a job a schedule started an hour ago of world
time is an hour into its timeline). A world whose clock jumps a year fires at most
:data:`MAX_FIRINGS` per schedule per look, and looks at most :data:`MAX_SPAN_SECONDS` back.
The schedule's time zone is taken as UTC [I] (``TimeZoneId`` is kept and shown, not applied).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from ...core.clock import format_odata_time
from ..models.start_info import parse_start_info
from .errors import NotModelled
from .store import DictSource, EntityStore

if TYPE_CHECKING:
    from ..backend import TenantBackend

__all__ = ["MAX_FIRINGS", "MAX_SPAN_SECONDS", "Cron", "fire_due", "parse_cron"]

MAX_FIRINGS = 100
MAX_SPAN_SECONDS = 62 * 86400
_MONTHS = {name: i for i, name in enumerate(calendar.month_abbr) if name}
#: Quartz numbers the days of the week 1 (SUN) to 7 (SAT).
_DAYS = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
_FIELDS = (
    ("second", 0, 59),
    ("minute", 0, 59),
    ("hour", 0, 23),
    ("day", 1, 31),
    ("month", 1, 12),
    ("weekday", 1, 7),
)
_PART = re.compile(r"(\*|\d+|[A-Z]{3})(?:-(\d+|[A-Z]{3}))?(?:/(\d+))?\Z")


@dataclass(frozen=True)
class Cron:
    second: frozenset[int]
    minute: frozenset[int]
    hour: frozenset[int]
    day: frozenset[int] | None  # None: "?" (any)
    month: frozenset[int]
    weekday: frozenset[int] | None
    years: frozenset[int] | None = None

    def matches(self, when: datetime) -> bool:
        quartz_weekday = (when.isoweekday() % 7) + 1  # Monday 1 -> 2, Sunday 7 -> 1
        return (
            when.month in self.month
            and (self.day is None or when.day in self.day)
            and (self.weekday is None or quartz_weekday in self.weekday)
            and (self.years is None or when.year in self.years)
        )

    def times_between(self, start: float, end: float, limit: int) -> list[float]:
        """Firing instants in ``(start, end]``, at most ``limit``, oldest first."""
        found: list[float] = []
        begin = max(start, end - MAX_SPAN_SECONDS)
        day = datetime.fromtimestamp(begin, tz=timezone.utc).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        last = datetime.fromtimestamp(end, tz=timezone.utc)
        while day <= last and len(found) < limit:
            if self.matches(day):
                for hour in sorted(self.hour):
                    for minute in sorted(self.minute):
                        for second in sorted(self.second):
                            at = day.replace(hour=hour, minute=minute, second=second).timestamp()
                            if begin < at <= end and len(found) < limit:
                                found.append(at)
            day += timedelta(days=1)
        return found


def _value(text: str, names: dict[str, int]) -> int:
    return names[text] if text in names else int(text)


def _field(text: str, low: int, high: int, names: dict[str, int]) -> frozenset[int]:
    values: set[int] = set()
    for part in text.upper().split(","):
        found = _PART.match(part)
        if found is None:
            raise NotModelled(f"the cron field '{part[:20]}'")
        first, last, step = found.groups()
        if first == "*":
            start, stop = low, high
        else:
            start = _value(first, names)
            stop = _value(last, names) if last else (high if step else start)
        values.update(range(start, stop + 1, int(step or 1)))
    if not values or min(values) < low or max(values) > high:
        raise NotModelled(f"the cron field '{text[:20]}' (outside {low}-{high})")
    return frozenset(values)


def parse_cron(expression: str) -> Cron:
    """A Quartz cron expression, or :class:`NotModelled` (400) for forms the mock does not read."""
    parts = expression.split()
    if len(parts) not in (6, 7):
        raise NotModelled(f"the cron expression '{expression[:60]}' (not 6 or 7 fields)")
    parsed: dict[str, Any] = {}
    for (name, low, high), text in zip(_FIELDS, parts[:6], strict=True):
        if text == "?" and name in ("day", "weekday"):
            parsed[name] = None
            continue
        names = _MONTHS if name == "month" else _DAYS if name == "weekday" else {}
        if text == "*" and name in ("day", "weekday"):
            parsed[name] = None
            continue
        parsed[name] = _field(text, low, high, {k.upper(): v for k, v in names.items()})
    if len(parts) == 7 and parts[6] != "*":
        parsed["years"] = _field(parts[6], 1970, 2199, {})
    return Cron(**parsed)


def fire_due(backend: TenantBackend, schedules: DictSource) -> int:
    """Start the jobs every enabled schedule (rows of ``schedules``) of the tenant owes by
    now; how many started."""
    store = backend.part(EntityStore)
    table = store.table(schedules)
    if not table:
        return 0
    now = backend.now
    started = 0
    for number, stored in list(table.items()):
        row = stored.row
        created = store.created.get((schedules.name, number), now)
        mark = store.schedule_marks.get(number, created)
        store.schedule_marks[number] = now
        release = _release(backend, row, stored.folder_id)
        if not row.get("Enabled") or release is None or not row.get("StartProcessCron"):
            continue
        try:
            cron = parse_cron(row["StartProcessCron"])
        except NotModelled:
            continue
        folder = backend.folders.get(stored.folder_id or -1)
        if folder is None:
            continue
        for at in cron.times_between(mark, now, MAX_FIRINGS):
            info = parse_start_info(
                {
                    "startInfo": {
                        "ReleaseKey": release.key,
                        "Source": "Schedule",
                        "InputArguments": row.get("InputArguments"),
                    }
                }
            )
            backend.start_jobs(folder, info, created_at=at)
            started += 1
        upcoming = cron.times_between(now, now + 7 * 86400, 1)
        row["StartProcessNextOccurrence"] = format_odata_time(upcoming[0]) if upcoming else None
    return started


def _release(backend: TenantBackend, row: dict[str, Any], folder_id: int | None) -> Any:
    wanted_id, wanted_key = row.get("ReleaseId"), row.get("ReleaseKey")
    for release in backend.releases.values():
        if release.folder_id != folder_id:
            continue
        if release.id == wanted_id or (wanted_key and release.key == str(wanted_key).lower()):
            return release
    return None

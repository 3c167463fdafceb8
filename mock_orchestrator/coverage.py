"""Generate IMPLEMENTATION_COVERAGE.md from the route tables and Orchestrator's operation list.

    python -m mock_orchestrator.coverage > IMPLEMENTATION_COVERAGE.md

A test compares the committed file with this output (moto's implementation_coverage idea).
The Orchestrator part is measured against the published operation list
(``orchestrator/data/operations.json``, derived from ``uipath-orchestrator-rest`` 18.1): an
operation is served when the mock's router answers its path and method, so the matrix can
neither drift from the code nor forget an operation UiPath publishes.
"""

from __future__ import annotations

import re
from collections import defaultdict

from ._routes import build_router
from .core.routing import CLOUD, Route, Router
from .orchestrator.data import Operation, operations

__all__ = ["KNOWN_UNIMPLEMENTED", "TARGET_TAGS", "render", "served_operations"]

#: Endpoints UiPath has (docs/wire.md, docs/clients.md) outside the published operation list.
KNOWN_UNIMPLEMENTED: list[tuple[str, str, str]] = [
    ("orchestrator", "POST", "/api/auth/oauth/token"),
]

#: The tags a team's client calls most (issue 11): the mock aims to serve 90% of them. Settings
#: counts its reads only: its writes change licences and SMTP, which no client under test does.
TARGET_TAGS: list[str] = (
    "Jobs Releases Processes Folders FoldersNavigation OrganizationUnits Assets Queues "
    "QueueDefinitions QueueItems Robots Machines Sessions Users Environments ProcessSchedules "
    "JobTriggers Status Settings Logs RobotLogs Buckets Calendars Webhooks"
).split()
_READS_ONLY = frozenset({"Settings"})

_TITLES = {
    "identity": "identity_ and on-prem identity (IdentityServer4)",
    "legacy": "legacy cloud: account.uipath.com (Auth0) and cloudrpa",
    "onprem": "on-prem password login",
    "orchestrator": "Orchestrator",
}
_SAMPLE = re.compile(r"\{(\w+)\}")
#: Where the operation list's paths are mounted for the check: the modern cloud shape.
_MOUNT = "/acmecorp/AcmeDefault/orchestrator_"


def _sample_path(template: str) -> str:
    return _SAMPLE.sub("1", template)


def _served_by(router: Router, op: Operation) -> Route | None:
    match = router.match(op.method, _MOUNT + _sample_path(op.path), frozenset({CLOUD}))
    return match.route if match is not None else None


def _targeted(op: Operation) -> bool:
    return op.tag in TARGET_TAGS and (op.tag not in _READS_ONLY or op.method == "GET")


def served_operations(router: Router | None = None) -> dict[str, Route | None]:
    """Every published operation id with the route serving it (None: not served)."""
    router = router or build_router()
    return {op_id: _served_by(router, op) for op_id, op in operations().items()}


def _orchestrator_section(router: Router) -> list[str]:
    served = served_operations(router)
    by_tag: defaultdict[str, list[Operation]] = defaultdict(list)
    for op in operations().values():
        by_tag[op.tag].append(op)
    target_total = target_served = all_served = 0
    rows = []
    for tag in sorted(by_tag):
        ops = by_tag[tag]
        done = sum(1 for op in ops if served[op.operation] is not None)
        all_served += done
        counted = [op for op in ops if _targeted(op)]
        if counted:
            target_total += len(counted)
            target_served += sum(1 for op in counted if served[op.operation] is not None)
        mark = " (target)" if counted else ""
        rows.append(f"| {tag}{mark} | {done} | {len(ops)} | {_percent(done, len(ops))} |")
    lines = [
        "",
        "## Orchestrator",
        "",
        "Measured against UiPath's published operation list (`uipath-orchestrator-rest` 18.1, "
        "`mock_orchestrator/orchestrator/data/operations.json`).",
        "",
        f"- target tags (issue 11; Settings: reads only): **{target_served} of {target_total} "
        f"served ({_percent(target_served, target_total)})**",
        f"- every tag: {all_served} of {len(served)} served ({_percent(all_served, len(served))})",
        "",
        "| tag | served | operations | % |",
        "|---|---|---|---|",
        *rows,
    ]
    for tag in sorted(by_tag):
        lines += ["", f"### {tag}", ""]
        for op in sorted(by_tag[tag], key=lambda o: (o.path.lower(), o.method)):
            route = served[op.operation]
            if route is None:
                lines.append(f"- [ ] {op.method} {op.path} ({op.operation})")
            else:
                lines.append(f"- [X] {op.method} {op.path} ({op.operation}; {route.label})")
    published = {id(r) for r in served.values() if r is not None}
    extras = sorted(
        {
            f"- [X] {route.method} {_readable(route.path)} ({route.label})"
            for route in router.all_routes()
            if route.label.startswith("orchestrator") and id(route) not in published
        }
    )
    extras += [f"- [ ] {m} {p}" for s, m, p in KNOWN_UNIMPLEMENTED if s == "orchestrator"]
    lines += ["", "### outside the published list", "", *extras]
    return lines


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def render() -> str:
    router = build_router()
    by_service: defaultdict[str, set[str]] = defaultdict(set)
    for route in router.all_routes():
        # by label: a service split over several handler objects is still one section
        service = route.label.partition(".")[0]
        if service.startswith("orchestrator"):
            continue
        sites = ", ".join(sorted(route.sites))
        by_service[service].add(
            f"- [X] {route.method} {_readable(route.path)} ({route.label}; {sites})"
        )
    for service, method, path in KNOWN_UNIMPLEMENTED:
        if service != "orchestrator":
            by_service[service].add(f"- [ ] {method} {path}")
    lines = [
        "# Implementation coverage",
        "",
        "Generated by `python -m mock_orchestrator.coverage` from the route tables and "
        "Orchestrator's published operation list; a test keeps it current. `[X]` is served by "
        "the mock, `[ ]` is known from UiPath's API but not served.",
    ]
    order = list(_TITLES)
    for service in sorted(by_service, key=lambda s: order.index(s) if s in order else 99):
        lines += ["", f"## {_TITLES.get(service, service)}", ""]
        lines += sorted(by_service[service], key=lambda line: (line[6:].split(" ", 2)[1:], line))
    lines += _orchestrator_section(router)
    return "\n".join(lines) + "\n"


#: A named group, whose body may hold character classes with ``)`` in them (``[^)/]*``).
_GROUP = re.compile(r"\(\?P<(\w+)>(?:\[[^\]]*\]|[^()\[\]])*\)")


def _readable(pattern: str) -> str:
    """Route regexes shown as templates: ``(?P<id>\\d+)`` becomes ``{id}``."""
    text = _GROUP.sub(r"{\1}", pattern)
    text = text.replace("(?:/[^/]+/[^/]+)?", "[/{org}/{tenant}]")
    text = text.replace("(?:/orchestrator_)?", "[/orchestrator_]")
    return text.replace("\\(", "(").replace("\\)", ")").replace("\\.", ".")


if __name__ == "__main__":
    print(render(), end="")

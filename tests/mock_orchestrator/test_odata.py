"""The OData query parser and evaluator (orchestrator/odata.py), alone and on odata/Jobs."""

from __future__ import annotations

import contextlib
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mock_orchestrator import MockCloud
from mock_orchestrator.orchestrator.exceptions import InvalidRequest
from mock_orchestrator.orchestrator.odata import (
    MAX_TOP,
    ODataError,
    compile_filter,
    field_map,
    parse_key,
    parse_query,
)

from ._orch_helpers import Orch, assert_compact_error

FIELDS = field_map(["Id", "Key", "State", "Name", "CreationTime", "Robot", "Reference", "Score"])
ROWS: list[dict[str, Any]] = [
    {
        "Id": 1,
        "Key": "aaaaaaaa-0000-4000-8000-000000000001",
        "State": "Successful",
        "Name": "O'Brien",
        "CreationTime": "2024-04-04T12:00:47.264Z",
        "Robot": {"Id": 123},
        "Reference": None,
        "Score": 1.5,
    },
    {
        "Id": 2,
        "Key": "aaaaaaaa-0000-4000-8000-000000000002",
        "State": "Faulted",
        "Name": "invoice run",
        "CreationTime": "2024-04-05T08:00:00Z",
        "Robot": None,
        "Reference": "r-2",
        "Score": 3.0,
    },
    {
        "Id": 3,
        "Key": "aaaaaaaa-0000-4000-8000-000000000003",
        "State": "Pending",
        "Name": "Invoice Run",
        "CreationTime": "2024-04-06T00:00:00.1234567Z",
        "Robot": {"Id": 7},
        "Reference": "r-3",
        "Score": -2,
    },
]


def _ids(text: str) -> list[int]:
    predicate = compile_filter(text, FIELDS)
    return [r["Id"] for r in ROWS if predicate(r)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("State eq 'Successful'", [1]),
        ("state EQ 'successful'", [1]),  # names, operators and strings ignore case [I]
        ("State ne 'Successful'", [2, 3]),
        ("Id gt 1 and Id lt 3", [2]),
        ("Id ge 2 or Id le 1", [1, 2, 3]),
        ("Id eq 2L", [2]),
        ("Robot/Id eq 123L", [1]),
        ("Robot/Id eq 123", [1]),
        ("Name eq 'O''Brien'", [1]),
        ("Name eq 'INVOICE RUN'", [2, 3]),  # case-insensitive strings [I]
        (
            "Key in ('aaaaaaaa-0000-4000-8000-000000000001',"
            "'aaaaaaaa-0000-4000-8000-000000000003')",
            [1, 3],
        ),
        ("Key eq aaaaaaaa-0000-4000-8000-000000000002", [2]),  # unquoted GUID literal
        ("Id in (1, 3)", [1, 3]),
        ("CreationTime ge 2024-04-05T00:00:00Z", [2, 3]),
        ("((CreationTime ge 2024-04-04T12:00:47.264Z) and (State eq 'Successful'))", [1]),
        ("CreationTime lt datetime'2024-04-05T08:00:00'", [1]),
        ("Reference eq null", [1]),
        ("Reference ne null", [2, 3]),
        ("not (State eq 'Pending')", [1, 2]),
        ("contains(Name,'run')", [2, 3]),
        ("startswith(tolower(Name), 'o''b')", [1]),
        ("endswith(Name, 'Run') and Id eq 3", [3]),
        ("Score gt 1.0", [1, 2]),
        ("Score lt -1", [3]),
        ("Reference gt 'r-2'", [3]),
    ],
)
def test_filter_semantics(text: str, expected: list[int]) -> None:
    assert _ids(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "State eq",
        "eq 'x'",
        "State == 'x'",
        "Nope eq 1",
        "State eq 'unterminated",
        "Id eq 12abc",
        "Id eq 1.5L",
        "(Id eq 1",
        "Id eq 1)",
        "Id in ()",
        "Id in (State)",
        "frobnicate(Name)",
        "contains(Name)",
        "Name",
        "Id eq 1 and Name",
        "not Name",
        "(" * 100 + "Id eq 1" + ")" * 100,
        " or ".join(["Id eq 1"] * 101),
        "CreationTime gt 2024-13-45T00:00:00Z",
        "Id eq " + "9" * 5000,  # past int()'s 4300-digit guard: was a ValueError, a 500
    ],
)
def test_malformed_filters_raise_odata_error(text: str) -> None:
    with pytest.raises(ODataError) as caught:
        _ids(text)
    assert caught.value.status_code == 400
    assert caught.value.error_code == 1000


def test_incompatible_types_are_reported_with_odatas_wording() -> None:
    with pytest.raises(ODataError, match="incompatible types"):
        _ids("Id eq 'one'")


def test_query_options() -> None:
    query = parse_query(
        {
            "$top": "2",
            "$skip": "1",
            "$orderby": "Id desc",
            "$select": "id,Key",
            "$count": "True",
            "other": "ignored",
        },
        FIELDS,
    )
    page, total = query.apply(ROWS)
    assert total == 3
    assert page == [{"Id": 2, "Key": ROWS[1]["Key"]}, {"Id": 1, "Key": ROWS[0]["Key"]}]
    assert query.context_suffix() == "(Id,Key)"
    assert query.count is True
    ordered, _ = parse_query({"$orderby": "Robot/Id asc, Id desc"}, FIELDS).apply(ROWS)
    assert [r["Id"] for r in ordered] == [2, 3, 1]  # null first


@pytest.mark.parametrize(
    "options",
    [
        {"$top": str(MAX_TOP + 1)},
        {"$top": "-1"},
        {"$top": "ten"},
        {"$skip": "x"},
        {"$count": "maybe"},
        {"$select": "Nope"},
        {"$orderby": "Id sideways"},
        {"$orderby": ",".join(["Id"] * 6)},
        {"$frobnicate": "1"},
        {"$expand": "a b"},
    ],
)
def test_bad_query_options(options: dict[str, str]) -> None:
    with pytest.raises(ODataError):
        parse_query(options, FIELDS)


def test_top_at_the_cap_is_fine() -> None:
    assert parse_query({"$top": str(MAX_TOP)}, FIELDS).top == MAX_TOP


# -- hypothesis: round trips and robustness --------------------------------------------------

_names = st.sampled_from(["Id", "State", "Name", "Score", "Reference", "Robot/Id"])
_literals = st.one_of(
    st.integers(-(10**6), 10**6).map(str),
    st.integers(0, 10**6).map(lambda n: f"{n}L"),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8).map(
        lambda s: "'" + s.replace("'", "''") + "'"
    ),
    st.sampled_from(["null", "true", "false", "2024-04-05T00:00:00Z"]),
)
_comparisons = st.builds(
    lambda n, op, lit: f"{n} {op} {lit}",
    _names,
    st.sampled_from(["eq", "ne", "gt", "ge", "lt", "le"]),
    _literals,
)


@st.composite
def _filters(draw: st.DrawFn, depth: int = 0) -> str:
    if depth > 2 or draw(st.booleans()):
        return draw(_comparisons)
    joiner = draw(st.sampled_from([" and ", " or "]))
    left = draw(_filters(depth + 1))
    right = draw(_filters(depth + 1))
    text = f"{left}{joiner}{right}"
    return f"({text})" if draw(st.booleans()) else text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_filters())
def test_generated_filters_parse_and_never_raise_anything_else(text: str) -> None:
    predicate = compile_filter(text, FIELDS)  # well-formed: must parse
    for row in ROWS:
        try:
            outcome: object = predicate(row)
        except ODataError as exc:  # comparing a number with a string: our own 400, nothing else
            outcome = exc.message
        assert outcome in (True, False) or "incompatible types" in str(outcome)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_arbitrary_text_is_parsed_or_refused_with_odata_error(text: str) -> None:
    with contextlib.suppress(ODataError):
        compile_filter(text, FIELDS)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(1, 3), min_size=1, max_size=3, unique=True))
def test_in_round_trips_to_the_matching_ids(ids: list[int]) -> None:
    keys = ",".join(f"'{ROWS[i - 1]['Key']}'" for i in ids)
    assert _ids(f"Key in ({keys})") == sorted(ids)
    assert _ids(" or ".join(f"Id eq {i}" for i in ids)) == sorted(ids)


# -- on the wire ------------------------------------------------------------------------------


@pytest.fixture
def orch(cloud: MockCloud, client: httpx.Client) -> Orch:
    return Orch(cloud, client)


def test_sdk_paging_query_verbatim(orch: Orch) -> None:
    jobs = orch.start(JobsCount=3)
    url = orch.base + "/odata/Jobs?%24skip=0&%24top=100"  # docs/clients.md, SDK jobs.list
    body = orch.client.get(url, headers=orch.headers()).json()
    assert body["@odata.count"] == 3
    assert len(body["value"]) == 3
    second = orch.client.get(
        orch.base + "/odata/Jobs?%24skip=1&%24top=1", headers=orch.headers()
    ).json()
    assert [j["Id"] for j in second["value"]] == [jobs[1]["Id"]]
    assert second["@odata.count"] == 3


def test_sdk_key_lookup_verbatim(orch: Orch) -> None:
    jobs = orch.start(JobsCount=3)
    wanted = [jobs[0]["Key"], jobs[2]["Key"]]
    response = orch.get(
        "/odata/Jobs",
        **{"$filter": f"Key in ('{wanted[0]}','{wanted[1]}')", "$select": "Id,Key", "$top": "2"},
    )
    body = response.json()
    assert body["value"] == [
        {"Id": jobs[0]["Id"], "Key": wanted[0]},
        {"Id": jobs[2]["Id"], "Key": wanted[1]},
    ]
    assert body["@odata.context"].endswith("/odata/$metadata#Jobs(Id,Key)")


def test_filters_on_jobs(orch: Orch) -> None:
    orch.backend.configure_process("InvoiceProcessing", pending_seconds=0, running_seconds=1)
    first = orch.start(Reference="a")[0]
    orch.cloud.clock.advance(5)
    second = orch.start(Reference="b")[0]
    query = {"$filter": "State eq 'Successful'", "$count": "true"}
    assert [j["Id"] for j in orch.get("/odata/Jobs", **query).json()["value"]] == [first["Id"]]
    newer = orch.get("/odata/Jobs", **{"$filter": "CreationTime gt 2026-01-05T09:00:01Z"})
    assert [j["Id"] for j in newer.json()["value"]] == [second["Id"]]
    by_id = orch.get("/odata/Jobs", **{"$filter": f"Id eq {second['Id']}L or ReleaseName eq 'x'"})
    assert by_id.json()["@odata.count"] == 1
    ordered = orch.get("/odata/Jobs", **{"$orderby": "CreationTime desc"}).json()["value"]
    assert [j["Id"] for j in ordered] == [second["Id"], first["Id"]]
    # count helpers send $top=0 and read @odata.count ([V] docs/wire.md §7)
    counted = orch.get("/odata/Jobs", **{"$top": "0"}).json()
    assert counted["value"] == []
    assert counted["@odata.count"] == 2


@pytest.mark.parametrize(
    "query",
    [
        {"$top": "1001"},
        {"$filter": "State eq"},
        {"$filter": "Nope eq 1"},
        {"$select": "Nope"},
        {"$orderby": "Nope"},
        {"$unknown": "1"},
    ],
)
def test_bad_queries_on_the_wire_are_400_1000(orch: Orch, query: dict[str, str]) -> None:
    body = assert_compact_error(orch.get("/odata/Jobs", **query), 400, 1000)
    assert body["message"].startswith("Invalid request!")


def _literal(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value}L"
    if isinstance(value, float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(ROWS),
    st.sampled_from(["Id", "Key", "State", "Name", "Reference", "Score", "CreationTime"]),
)
def test_eq_on_a_rows_own_value_round_trips(row: dict[str, Any], name: str) -> None:
    # every value written back as an OData literal selects (at least) its own row
    text = f"{name} eq {_literal(row[name])}"
    assert row["Id"] in _ids(text)
    assert row["Id"] not in _ids(f"not ({text})")


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=30), st.integers(-(2**62), 2**62))
def test_any_string_and_integer_literal_round_trips(text: str, number: int) -> None:
    row = {"Name": text, "Id": number}
    quoted = "'" + text.replace("'", "''") + "'"
    assert compile_filter(f"Name eq {quoted} and Id eq {number}L", FIELDS)(row)
    assert not compile_filter(f"Name ne {quoted}", FIELDS)(row)


def test_the_rate_limit_docs_examples_verbatim(orch: Orch) -> None:
    # [V] DOC-RL: the list queries UiPath's rate-limit page shows
    job = orch.start()[0]
    documented = orch.get(
        "/odata/Jobs",
        **{
            "$filter": (
                "((CreationTime ge 2024-04-04T12:00:47.264Z) and (ProcessType eq 'Process'))"
            ),
            "$expand": "Robot,Machine,Release",
            "$orderby": "CreationTime desc",
        },
    )
    assert [j["Id"] for j in documented.json()["value"]] == [job["Id"]]
    by_robot = orch.get("/odata/Jobs", **{"$top": "20", "$filter": "Robot/Id eq 123L"})
    assert by_robot.status_code == 200
    assert by_robot.json()["value"] == []  # no robots in the mock: Robot is null


@pytest.mark.parametrize(
    ("raw", "key"),
    [("7", 7), (" 42 ", 42), ("42L", 42), ("42l", 42), ("9" * 18, int("9" * 18)), ("007", 7)],
)
def test_an_entity_key_is_an_int64_literal(raw: str, key: int) -> None:
    assert parse_key(raw) == key


@pytest.mark.parametrize(
    "raw", ["", " ", "L", "-1", "+1", "1 2", "0x1", "1.0", "9" * 19, "²", "١٢", "1LL", "'1'"]
)
def test_anything_else_is_errorcode_1000(raw: str) -> None:
    with pytest.raises(InvalidRequest, match=r"from request is not valid"):
        parse_key(raw)

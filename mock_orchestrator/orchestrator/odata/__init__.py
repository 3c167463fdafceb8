"""The OData v4 query options Orchestrator's collections take, parsed and applied to DTO rows.

Only what UiPath's clients send is supported: ``$filter`` with ``eq ne gt ge lt le``, ``and``,
``or``, ``not``, ``in (...)``, parentheses, navigation paths (``Robot/Id``), the functions
``contains startswith endswith tolower toupper``; ``$top`` (at most 1000 [V] UICLI swagger),
``$skip``, ``$count``, ``$select`` (which changes ``@odata.context``), ``$orderby`` (at most 5
clauses [V] UICLI) and ``$expand`` (the navigation properties each entity set declares).

Keys in URLs (``Jobs(10169582)``, ``QueueItems(41647784L)``) go through :func:`parse_key`, the
one key parser every keyed route uses.

Literals: ``'text'`` (``''`` escapes a quote), integers with an optional ``L`` (``123L``),
decimals, ``true false null``, unquoted GUIDs and ISO-8601 datetimes
(``2024-04-04T12:00:47.264Z``), the OData v3 forms ``guid'...'``/``datetime'...'``, and
OData v4's qualified enum literals (``UiPath.Server.Configuration.OData.JobState'Running'``,
compared as the member's name).

Every malformed query raises :class:`ODataError`, an :class:`InvalidRequest` (400 errorCode
1000, [D] docs: "invalid OData query options"), never anything else. Parsed filters are cached
by their text, so a poller that sends the same ``$filter`` every second parses it once.

Choices where Orchestrator's behaviour is not recorded:

* string comparisons ignore case, as SQL Server's default collation does [I];
* property names match without regard to case, answered with their canonical casing [I];
* comparing incompatible types (``Id eq 'x'``) is a 400 with ASP.NET OData's wording [I].
"""

from ._filter import MAX_FILTER_NODES, ODataError, Predicate, compile_filter
from ._keys import parse_key, parse_text_key
from ._query import MAX_ORDERBY, MAX_TOP, ODataQuery, field_map, parse_query

__all__ = [
    "MAX_FILTER_NODES",
    "MAX_ORDERBY",
    "MAX_TOP",
    "ODataError",
    "ODataQuery",
    "Predicate",
    "compile_filter",
    "field_map",
    "parse_key",
    "parse_query",
    "parse_text_key",
]

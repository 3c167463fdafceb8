"""``$filter``: tokenizer, recursive-descent parser, and closures that evaluate it on rows."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

from ..exceptions import InvalidRequest

__all__ = ["MAX_FILTER_NODES", "ODataError", "Predicate", "Row", "compile_filter"]

#: [V] UICLI swagger: "$filter maximum number of expressions is 100".
MAX_FILTER_NODES = 100
_MAX_DEPTH = 32
_MAX_FILTER_CHARS = 8000

Row = Mapping[str, Any]
Predicate = Callable[[Row], bool]
_Getter = Callable[[Row], Any]


class ODataError(InvalidRequest):
    """A query option could not be parsed or applied: 400 errorCode 1000."""


_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<str>'(?:[^']|'')*')
  | (?P<typed>(?:guid|datetime|datetimeoffset)'[^']*')
  | (?P<enum>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+'(?:[^']|'')*')
  | (?P<guid>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})(?![\w-])
  | (?P<dt>\d{4}-\d{2}-\d{2}
      (?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?(?:Z|[+-]\d{2}:\d{2})?)?)(?![\w-])
  | (?P<num>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(?P<suffix>[lLmMdDfF])?(?![\w.])
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:/[A-Za-z_][A-Za-z0-9_]*)*)
  | (?P<punct>[(),])
    """,
    re.VERBOSE,
)
_COMPARISONS = frozenset({"eq", "ne", "gt", "ge", "lt", "le"})
_KEYWORDS = frozenset({"and", "or", "not", "in", "true", "false", "null"}) | _COMPARISONS
_FUNCTIONS: dict[str, int] = {
    "contains": 2,
    "startswith": 2,
    "endswith": 2,
    "tolower": 1,
    "toupper": 1,
}
_OP_NAMES = {
    "eq": "Equal",
    "ne": "NotEqual",
    "gt": "GreaterThan",
    "ge": "GreaterThanOrEqual",
    "lt": "LessThan",
    "le": "LessThanOrEqual",
}


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str  # "lit", "name", "kw", "punct", "end"
    text: str
    value: Any = None


def _parse_datetime(text: str) -> datetime | None:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _tokenize(text: str) -> list[_Tok]:
    tokens: list[_Tok] = []
    pos = 0
    while pos < len(text):
        found = _TOKEN.match(text, pos)
        if found is None:
            raise ODataError(f"Syntax error at position {pos} in '{clip_text(text)}'.")
        pos = found.end()
        kind = found.lastgroup
        if kind == "suffix":  # the number's own suffix group closed last
            kind = "num"
        raw = found.group()
        if kind == "ws":
            continue
        if kind == "str":
            tokens.append(_Tok("lit", raw, raw[1:-1].replace("''", "'")))
        elif kind == "enum":
            # OData v4's qualified enum literal (UiPath.Server.Configuration.OData.JobState'X'):
            # the member name compares as the text the DTO carries.
            tokens.append(_Tok("lit", raw, raw.partition("'")[2][:-1].replace("''", "'")))
        elif kind == "typed":
            prefix, _, rest = raw.partition("'")
            inner = rest[:-1]
            if prefix == "guid":
                tokens.append(_Tok("lit", raw, inner.lower()))
            else:
                when = _parse_datetime(inner)
                if when is None:
                    raise ODataError(f"Unrecognized datetime literal '{clip_text(raw)}'.")
                tokens.append(_Tok("lit", raw, when))
        elif kind == "guid":
            tokens.append(_Tok("lit", raw, raw.lower()))
        elif kind == "dt":
            when = _parse_datetime(raw)
            if when is None:
                raise ODataError(f"Unrecognized datetime literal '{clip_text(raw)}'.")
            tokens.append(_Tok("lit", raw, when))
        elif kind == "num":
            number = found.group("num")
            if len(number) > 40:  # also keeps int() below its 4300-digit guard
                raise ODataError(f"The number literal '{clip_text(number)}' is too long.")
            suffix = (found.group("suffix") or "").lower()
            is_int = re.fullmatch(r"-?\d+", number) is not None
            if suffix == "l" and not is_int:
                raise ODataError(f"Unrecognized number literal '{clip_text(raw)}'.")
            value: Any = int(number) if is_int and suffix in ("", "l") else float(number)
            tokens.append(_Tok("lit", raw, value))
        elif kind == "name":
            lowered = raw.lower()
            if lowered in ("true", "false"):
                tokens.append(_Tok("lit", raw, lowered == "true"))
            elif lowered == "null":
                tokens.append(_Tok("lit", raw, None))
            elif lowered in _KEYWORDS:
                tokens.append(_Tok("kw", lowered))
            else:
                tokens.append(_Tok("name", raw))
        else:
            tokens.append(_Tok("punct", raw))
    tokens.append(_Tok("end", ""))
    return tokens


def clip_text(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


class _Parser:
    """Recursive descent over the tokens; builds closures over a row (no AST walk per row)."""

    def __init__(self, text: str, fields: Mapping[str, str]) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.pos = 0
        self.fields = fields
        self.nodes = 0
        self.depth = 0

    # -- plumbing ---------------------------------------------------------------------------

    def peek(self) -> _Tok:
        return self.tokens[self.pos]

    def take(self) -> _Tok:
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def expect_punct(self, char: str) -> None:
        tok = self.take()
        if tok.kind != "punct" or tok.text != char:
            raise ODataError(f"')' or ',' expected; found '{clip_text(tok.text) or 'end'}'.")

    def count_node(self) -> None:
        self.nodes += 1
        if self.nodes > MAX_FILTER_NODES:
            raise ODataError(f"The node count limit of '{MAX_FILTER_NODES}' has been exceeded.")

    def parse(self) -> Predicate:
        if len(self.text) > _MAX_FILTER_CHARS:
            raise ODataError("The $filter is too long.")
        getter, is_bool = self.parse_or()
        if self.peek().kind != "end":
            raise ODataError(f"Syntax error: unexpected '{clip_text(self.peek().text)}'.")
        if not is_bool:
            raise ODataError("The $filter expression must evaluate to a boolean.")
        return lambda row: getter(row) is True

    # -- grammar ----------------------------------------------------------------------------

    def parse_or(self) -> tuple[_Getter, bool]:
        left, is_bool = self.parse_and()
        while self.peek() == _Tok("kw", "or"):
            self.take()
            right, right_bool = self.parse_and()
            self.require_bool(is_bool and right_bool, "or")
            left = _or(left, right)
        return left, is_bool

    def parse_and(self) -> tuple[_Getter, bool]:
        left, is_bool = self.parse_not()
        while self.peek() == _Tok("kw", "and"):
            self.take()
            right, right_bool = self.parse_not()
            self.require_bool(is_bool and right_bool, "and")
            left = _and(left, right)
        return left, is_bool

    def parse_not(self) -> tuple[_Getter, bool]:
        if self.peek() == _Tok("kw", "not"):
            self.take()
            self.enter()
            inner, is_bool = self.parse_not()
            self.depth -= 1
            self.require_bool(is_bool, "not")
            return (lambda row: inner(row) is not True), True
        return self.parse_comparison()

    def parse_comparison(self) -> tuple[_Getter, bool]:
        left, is_bool = self.parse_primary()
        tok = self.peek()
        if tok.kind == "kw" and tok.text in _COMPARISONS:
            self.take()
            self.count_node()
            right, _ = self.parse_primary()
            return _compare(tok.text, left, right), True
        if tok == _Tok("kw", "in"):
            self.take()
            self.count_node()
            self.expect_punct("(")
            values: list[Any] = []
            while True:
                lit = self.take()
                if lit.kind != "lit":
                    raise ODataError("Only literals are allowed in an 'in' list.")
                values.append(lit.value)
                sep = self.take()
                if sep == _Tok("punct", ")"):
                    break
                if sep != _Tok("punct", ","):
                    raise ODataError("')' or ',' expected in an 'in' list.")
            return _in(left, values), True
        return left, is_bool

    def parse_primary(self) -> tuple[_Getter, bool]:
        tok = self.take()
        if tok.kind == "lit":
            value = tok.value
            return (lambda row: value), isinstance(value, bool)
        if tok == _Tok("punct", "("):
            self.enter()
            inner = self.parse_or()
            self.depth -= 1
            self.expect_punct(")")
            return inner
        if tok.kind == "name":
            if self.peek() == _Tok("punct", "("):
                return self.parse_function(tok.text)
            self.count_node()
            return self.member(tok.text), False
        raise ODataError(f"Syntax error: unexpected '{clip_text(tok.text) or 'end of $filter'}'.")

    def parse_function(self, name: str) -> tuple[_Getter, bool]:
        lowered = name.lower()
        arity = _FUNCTIONS.get(lowered)
        if arity is None:
            raise ODataError(f"An unknown function with name '{clip_text(name)}' was found.")
        self.take()  # "("
        self.enter()
        args: list[_Getter] = []
        if self.peek() != _Tok("punct", ")"):
            while True:
                arg, _ = self.parse_or()
                args.append(arg)
                if self.peek() != _Tok("punct", ","):
                    break
                self.take()
        self.depth -= 1
        self.expect_punct(")")
        if len(args) != arity:
            raise ODataError(f"The function '{lowered}' takes {arity} argument(s).")
        self.count_node()
        return _function(lowered, args), lowered in ("contains", "startswith", "endswith")

    def member(self, path: str) -> _Getter:
        first, *rest = path.split("/")
        canonical = self.fields.get(first.lower())
        if canonical is None:
            raise ODataError(f"Could not find a property named '{clip_text(first)}'.")
        if not rest:
            return lambda row: row.get(canonical)
        nested = tuple(rest)

        def walk(row: Row) -> Any:
            value: Any = row.get(canonical)
            for step in nested:
                if not isinstance(value, Mapping):
                    return None
                found = value.get(step)
                value = found if found is not None else lookup_ci(value, step)
            return value

        return walk

    def enter(self) -> None:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise ODataError("The $filter is nested too deeply.")

    @staticmethod
    def require_bool(ok: bool, op: str) -> None:
        if not ok:
            raise ODataError(f"The operands of '{op}' must be boolean expressions.")


def lookup_ci(mapping: Mapping[str, Any], key: str) -> Any:
    lowered = key.lower()
    for name, value in mapping.items():
        if name.lower() == lowered:
            return value
    return None


# -- evaluation ----------------------------------------------------------------------------


def _or(left: _Getter, right: _Getter) -> _Getter:
    return lambda row: left(row) is True or right(row) is True


def _and(left: _Getter, right: _Getter) -> _Getter:
    return lambda row: left(row) is True and right(row) is True


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "Edm.Boolean"
    if isinstance(value, int):
        return "Edm.Int64"
    if isinstance(value, float):
        return "Edm.Double"
    if isinstance(value, datetime):
        return "Edm.DateTimeOffset"
    return "Edm.String"


def _coerce(a: Any, b: Any) -> tuple[Any, Any] | None:
    """Both operands in one comparable type, or None when their types do not mix."""
    if isinstance(a, bool) or isinstance(b, bool):
        return (a, b) if isinstance(a, bool) and isinstance(b, bool) else None
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a, b
    if isinstance(a, datetime) or isinstance(b, datetime):
        if isinstance(a, str):
            a = _parse_datetime(a)
        if isinstance(b, str):
            b = _parse_datetime(b)
        return (a, b) if isinstance(a, datetime) and isinstance(b, datetime) else None
    if isinstance(a, str) and isinstance(b, str):
        return a.casefold(), b.casefold()
    return None


_ORDERINGS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: bool(a == b),
    "ne": lambda a, b: bool(a != b),
    "gt": lambda a, b: bool(a > b),
    "ge": lambda a, b: bool(a >= b),
    "lt": lambda a, b: bool(a < b),
    "le": lambda a, b: bool(a <= b),
}


def _compare(op: str, left: _Getter, right: _Getter) -> _Getter:
    test = _ORDERINGS[op]

    def run(row: Row) -> bool:
        a, b = left(row), right(row)
        if a is None or b is None:
            if op == "eq":
                return a is None and b is None
            if op == "ne":
                return not (a is None and b is None)
            return False
        pair = _coerce(a, b)
        if pair is None:
            raise ODataError(
                "A binary operator with incompatible types was detected. Found operand types "
                f"'{_type_name(a)}' and '{_type_name(b)}' for operator kind '{_OP_NAMES[op]}'."
            )
        return test(*pair)

    return run


def _in(left: _Getter, values: Sequence[Any]) -> _Getter:
    tests = [_compare("eq", left, _constant(v)) for v in values]
    return lambda row: any(t(row) for t in tests)


def _constant(value: Any) -> _Getter:
    return lambda row: value


def _function(name: str, args: list[_Getter]) -> _Getter:
    if name in ("tolower", "toupper"):
        (arg,) = args
        change = str.lower if name == "tolower" else str.upper

        def case(row: Row) -> Any:
            value = arg(row)
            return change(value) if isinstance(value, str) else None

        return case
    first, second = args
    check: Callable[[str, str], bool] = {
        "contains": lambda a, b: b in a,
        "startswith": str.startswith,
        "endswith": str.endswith,
    }[name]

    def text_test(row: Row) -> bool:
        a, b = first(row), second(row)
        if not isinstance(a, str) or not isinstance(b, str):
            return False
        return check(a.casefold(), b.casefold())

    return text_test


@lru_cache(maxsize=512)
def _compile_cached(text: str, fields: frozenset[tuple[str, str]]) -> Predicate:
    return _Parser(text, dict(fields)).parse()


def compile_filter(text: str, fields: Mapping[str, str]) -> Predicate:
    """Compile a ``$filter`` for rows with ``fields`` (lower-case name -> canonical name)."""
    try:
        return _compile_cached(text, frozenset(fields.items()))
    except RecursionError as exc:  # belt and braces: _MAX_DEPTH keeps us far from it
        raise ODataError("The $filter is nested too deeply.") from exc

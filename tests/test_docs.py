"""The contract is in the repository: every citation of ``docs/`` resolves to a section there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
_CITATION = re.compile(r"docs/(wire|clients|anchors)\.md ?§ ?([0-9a-z]+(?:\.[0-9]+)?)")
_HEADING = re.compile(r"^#{2,3} ([0-9a-z]+(?:\.[0-9]+)?)[. ]", re.MULTILINE)
_SCANNED = (".py", ".md", ".yaml", ".ini", ".toml", ".mjs")


def sections(text: str) -> set[str]:
    """The section ids of a doc: its ``## 4.`` and ``### 4.2`` headings, and the numbered items
    of a section that is a list (``§11.3`` is item 3 of §11)."""
    found = set(_HEADING.findall(text))
    for match in re.finditer(r"^## ([0-9]+)\. [^\n]*\n(.*?)(?=^## |\Z)", text, re.M | re.S):
        found |= {f"{match[1]}.{n}" for n in re.findall(r"^([0-9]+)\. ", match[2], re.M)}
    return found


def citations() -> list[tuple[str, str, str]]:
    """``(file, doc, section)`` of every citation outside ``docs/`` and the virtualenv."""
    found = []
    for path in sorted(ROOT.rglob("*")):
        parts = path.relative_to(ROOT).parts
        if path.suffix not in _SCANNED or parts[0] in ("docs", ".venv", ".tox", ".git"):
            continue
        for doc, section in _CITATION.findall(path.read_text("utf-8", errors="replace")):
            found.append((str(path.relative_to(ROOT)), doc, section))
    return found


def test_the_section_reader_sees_headings_and_list_items() -> None:
    text = "## 4. Identity\n### 4.2 cc\n## 11. Traps\n1. one\n2. two\n## 12. Next\n"
    assert sections(text) == {"4", "4.2", "11", "11.1", "11.2", "12"}


def test_the_code_cites_the_docs() -> None:
    assert len(citations()) > 100  # the code's source notes point here, not outside the repo


@pytest.mark.parametrize("doc", ["wire", "clients", "anchors"])
def test_every_citation_resolves(doc: str) -> None:
    known = sections((DOCS / f"{doc}.md").read_text("utf-8"))
    missing = sorted({f"{f}: §{s}" for f, d, s in citations() if d == doc and s not in known})
    assert missing == []


def test_nothing_cites_the_reference_outside_the_repository() -> None:
    stale = re.compile(r"uipath-wire|shared/reference|real-clients\.md|(?<!docs/)anchors\.md")
    offenders = []
    for path in sorted(ROOT.rglob("*")):
        parts = path.relative_to(ROOT).parts
        if path.suffix not in _SCANNED or parts[0] in ("docs", ".venv", ".tox", ".git"):
            continue
        if path == Path(__file__):
            continue
        if stale.search(path.read_text("utf-8", errors="replace")):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []

"""``orchestrator-kit audit-cassettes [PATHS]``: no secret-shaped value may stand in a cassette.

The second line of defence after record-time scrubbing (:mod:`cassettes._scrub`): it reads
each file as text and reports, as ``file:line: kind``, every value that looks like a secret
and is not a placeholder: a JWT, a bearer or basic credential, a secret field (JSON, form,
YAML) with a value, an authorization code in a URL, a long hex or opaque random value. It
exits 1 when it finds one, 2 when a path cannot be read, 0 when every file is clean. Run it
on your cassettes before you share them; the kit's default ``tox`` run audits its own.
Excerpts are masked, so the report itself leaks nothing.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ._files import CASSETTE_ROOT, iter_cassettes
from ._scan import Finding, find_secrets

__all__ = ["MAX_FILE_BYTES", "Problem", "audit", "main"]

#: A file larger than this is refused rather than read (cassettes are kilobytes).
MAX_FILE_BYTES = 20_000_000


@dataclass(frozen=True)
class Problem:
    """A finding in one file, or a file that could not be audited (``finding`` is None)."""

    path: Path
    finding: Finding | None = None
    error: str = ""

    def __str__(self) -> str:
        if self.finding is None:
            return f"{self.path}: cannot audit: {self.error}"
        f = self.finding
        return f"{self.path}:{f.line}: {f.rule} ({f.excerpt})"


def _files(paths: Iterable[Path]) -> list[Path]:
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += list(iter_cassettes(path))
            out += sorted(p for p in path.rglob("*.yml") if p.is_file())
        else:
            out.append(path)
    return out


def audit(paths: Iterable[Path]) -> tuple[list[Path], list[Problem]]:
    """Audit every cassette under ``paths``: the files read, and what was found."""
    files = _files(paths)
    problems: list[Problem] = []
    for path in files:
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                problems.append(Problem(path, error=f"larger than {MAX_FILE_BYTES} bytes"))
                continue
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            problems.append(Problem(path, error="no such file"))
            continue
        except (OSError, UnicodeDecodeError) as error:
            problems.append(Problem(path, error=type(error).__name__))
            continue
        problems += [Problem(path, finding) for finding in find_secrets(text)]
    return files, problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="orchestrator-kit audit-cassettes",
        allow_abbrev=False,
        description="Report every secret-shaped value in cassettes that is not a placeholder.",
    )
    parser.add_argument(
        "paths", nargs="*", type=Path, help=f"cassettes or folders (default: {CASSETTE_ROOT})"
    )
    args = parser.parse_args(argv)
    missing = [str(p) for p in args.paths if not p.exists()]
    if missing:
        parser.error(f"no such file or directory: {', '.join(missing)}")
    files, problems = audit(args.paths or [CASSETTE_ROOT])
    for problem in problems:
        print(problem)
    if any(p.finding is None for p in problems):
        return 2
    if problems:
        print(f"{len(problems)} secret-shaped values in {len(files)} files: scrub them first")
        return 1
    if not files:
        parser.error("no cassette (*.yaml) found")
    print(f"{len(files)} cassettes audited: no secret found")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

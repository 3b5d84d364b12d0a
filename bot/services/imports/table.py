"""Reading an import CSV: the header, the rows with their line numbers, and the cells' checks.

Every problem is collected with its line (the header is line 1), so the operator sees the
whole list at once instead of fixing one row per run.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

_EMAIL = re.compile(r"^[^@\s;,<>()\"']+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YES_NO = {"yes": True, "no": False}


@dataclass(frozen=True, order=True)
class Problem:
    """One bad row (or the header): its line number and why it is refused."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass(frozen=True)
class Row:
    """One data row: where it starts in the file and its cells by column, stripped."""

    line: int
    cells: dict[str, str]


@dataclass
class Problems:
    """The problems found so far, in file order when read back."""

    items: list[Problem] = field(default_factory=list)

    def add(self, line: int, reason: str) -> None:
        """Record one problem."""
        self.items.append(Problem(line, reason))

    def sorted(self) -> list[Problem]:
        """Every problem, by line (stable within a line)."""
        return sorted(self.items, key=lambda p: p.line)

    def __bool__(self) -> bool:
        return bool(self.items)


def read_table(
    data: bytes, *, required: Sequence[str], optional: Sequence[str] = (), problems: Problems
) -> tuple[list[Row], list[str]]:
    """The rows of a CSV file and the columns it has; problems go to ``problems``.

    UTF-8 with or without a byte-order mark, LF or CRLF line ends. Column names are matched
    without regard to case or surrounding spaces; a bad header stops the reading there.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.add(line, "is not UTF-8 text (save the file as CSV UTF-8)")
        return [], []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        problems.add(1, f"the file is empty; the header must be {','.join(required)}")
        return [], []
    except csv.Error as exc:
        problems.add(1, f"the header is not valid CSV ({exc})")
        return [], []
    if not _header_ok(header, required, optional, problems):
        return [], []
    rows: list[Row] = []
    while True:
        line = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.add(line, f"is not valid CSV ({exc})")
            break  # the reader cannot find the next row after a broken quote
        if not any(cell.strip() for cell in record):
            continue  # blank lines (often at the end of the file) are not rows
        # Extra empty fields are tolerated: spreadsheets add them after a wider row.
        if len(record) < len(header) or any(c.strip() for c in record[len(header) :]):
            problems.add(line, f"has {len(record)} fields; the header has {len(header)}")
            continue
        values = record[: len(header)]
        rows.append(Row(line, {n: c.strip() for n, c in zip(header, values, strict=True)}))
    return rows, header


def _header_ok(
    header: list[str], required: Sequence[str], optional: Sequence[str], problems: Problems
) -> bool:
    known = {*required, *optional}
    missing = [name for name in required if name not in header]
    unknown = [name or "(empty)" for name in header if name not in known]
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    if missing:
        problems.add(1, f"missing column(s) {', '.join(missing)}")
    if unknown:
        allowed = ",".join(required) + ("" if not optional else " and " + ",".join(optional))
        problems.add(1, f"unknown column(s) {', '.join(unknown)}; the columns are {allowed}")
    if repeated:
        problems.add(1, f"repeated column(s) {', '.join(repeated)}")
    return not (missing or unknown or repeated)


class Cells:
    """One row's cells, read with checks: a bad cell records a problem and reads as None."""

    def __init__(self, row: Row, problems: Problems) -> None:
        self.row = row
        self.line = row.line
        self._problems = problems

    def problem(self, reason: str) -> None:
        """Record a problem on this row."""
        self._problems.add(self.line, reason)

    def has(self, column: str) -> bool:
        """Whether the file has this (optional) column."""
        return column in self.row.cells

    def text(self, column: str, *, required: bool = False) -> str:
        """A cell's text; an empty required cell is a problem."""
        value = self.row.cells.get(column, "")
        if required and not value:
            self.problem(f"{column} is empty")
        return value

    def email(self, column: str, *, required: bool = False) -> str | None:
        """An e-mail address, lower case (e-mails match without regard to case)."""
        value = self.text(column, required=required)
        return check_email(value, column, self) if value else None

    def emails(self, column: str) -> list[str]:
        """A `;`-separated list of e-mail addresses, lower case, each once."""
        found: list[str] = []
        for part in self.text(column).split(";"):
            email = check_email(part.strip(), column, self) if part.strip() else None
            if email and email not in found:
                found.append(email)
        return found

    def yes_no(self, column: str, *, default: bool | None = None) -> bool | None:
        """`yes` or `no` (any case); empty gives the default (a problem if there is none)."""
        value = self.text(column).lower()
        if not value and default is not None:
            return default
        if value not in _YES_NO:
            self.problem(f"{column} must be yes or no, not {value!r}")
            return None
        return _YES_NO[value]

    def date(self, column: str) -> date | None:
        """A date as YYYY-MM-DD, or None when empty."""
        value = self.text(column)
        if not value:
            return None
        try:
            if not _DATE.match(value):
                raise ValueError
            return date.fromisoformat(value)
        except ValueError:
            self.problem(f"{column} {value!r} is not a date as YYYY-MM-DD")
            return None


def check_email(value: str, column: str, cells: Cells) -> str | None:
    """The address in lower case, or None (and a problem) when it is malformed."""
    if not _EMAIL.match(value):
        cells.problem(f"{column} {value!r} is not an e-mail address")
        return None
    return value.lower()

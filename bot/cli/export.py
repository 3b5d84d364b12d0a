"""`qabot export TRACKER [--cycle ID] --format csv|xlsx --out PATH`: a tracker to a file.

The file appears whole or not at all: it is written beside its destination under a temporary
name and renamed over it only once complete.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from openpyxl import Workbook  # type: ignore[import-untyped]

from bot.cli.common import UsageError, migrated_engine
from bot.services.exports import TRACKERS, ExportError, Row, TrackerTable, open_tracker
from bot.services.exports import request_problems as tracker_problems
from bot.services.tracker_files import csv_cell, tracker_sheet, xlsx_value
from storage.models import DEFAULT_AUTHORITY_ID

FORMATS = ("csv", "xlsx")

Writer = Callable[[TrackerTable, str, Path], int]


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register `export`."""
    export = sub.add_parser("export", help="write a tracker to a CSV or XLSX file")
    export.add_argument("tracker", metavar="TRACKER",
                        help=f"one of: {', '.join(sorted(TRACKERS))}")
    # --cycle and --format are checked here rather than by argparse, whose errors exit 2
    # (a bad setting) where a bad argument must exit 1, listed with every other problem.
    export.add_argument("--cycle", metavar="ID", help="an audit cycle's id (per-cycle trackers)")
    export.add_argument("--format", dest="file_format", metavar="csv|xlsx", help="file format")
    export.add_argument("--out", metavar="PATH", help="the file to write (its folder must exist)")
    export.add_argument("--authority", type=int, default=DEFAULT_AUTHORITY_ID, help="authority id")
    export.set_defaults(func=_export)


def _cycle_id(args: argparse.Namespace, problems: list[str]) -> int | None:
    if args.cycle is None or problems:  # a tracker not per cycle has said so already
        return None
    if not args.cycle.isdigit():
        problems.append(f"--cycle {args.cycle!r} is not a cycle id (a whole number)")
        return None
    return int(args.cycle)


def _out_problems(out: str | None) -> list[str]:
    if not out:
        return ["--out PATH is required: the file to write"]
    path = Path(out)
    if path.is_dir():
        return [f"--out {out} is a folder: name the file to write"]
    if not path.parent.is_dir():
        return [f"--out {out}: the folder {path.parent} does not exist"]
    return []


def _problems(args: argparse.Namespace) -> tuple[list[str], int | None]:
    """Every problem with the command line, and the cycle id when it is one."""
    problems = tracker_problems(args.tracker, with_cycle=args.cycle is not None)
    cycle_id = _cycle_id(args, problems)
    if args.file_format not in FORMATS:
        given = "is required" if args.file_format is None else f"{args.file_format!r} is unknown"
        problems.append(f"--format {given}: use {' or '.join(FORMATS)}")
    problems += _out_problems(args.out)
    return problems, cycle_id


def _export(args: argparse.Namespace) -> int:
    problems, cycle_id = _problems(args)
    if problems:
        for problem in problems:
            print(f"qabot: {problem}", file=sys.stderr)
        return 1
    out = Path(args.out)
    writer = WRITERS[args.file_format]
    engine = migrated_engine()
    try:
        with open_tracker(engine, tracker=args.tracker, authority_id=args.authority,
                          cycle_id=cycle_id) as table:
            count = write_atomically(out, lambda part: writer(table, args.tracker, part))
    except ExportError as exc:
        raise UsageError(str(exc)) from None
    finally:
        engine.dispose()
    print(f"wrote {count} rows of the {args.tracker} tracker to {out}")
    return 0


class _Counted:
    """Rows passed through, counted (for the closing line)."""

    def __init__(self, rows: Iterable[Row]) -> None:
        self._rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[Row]:
        for row in self._rows:
            self.count += 1
            yield row


def write_atomically(out: Path, write: Callable[[Path], int]) -> int:
    """Write through a temporary file beside `out`, then rename it over `out`.

    The file is readable by its owner alone (as `mkstemp` makes it): trackers name staff.
    """
    try:
        handle, name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
    except OSError as exc:
        raise UsageError(f"cannot write in {out.parent}: {exc.strerror or exc}") from None
    os.close(handle)
    part = Path(name)
    try:
        count = write(part)
        with open(part, "rb") as written:
            os.fsync(written.fileno())  # on disk before the rename makes it visible
        os.replace(part, out)
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise UsageError(f"cannot write {out}: {exc.strerror or exc}") from None
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return count


def write_csv(table: TrackerTable, tracker: str, path: Path) -> int:
    """The tracker as UTF-8 CSV with its header row; returns the number of rows."""
    rows = _Counted(table.rows)
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(table.header)
        writer.writerows([csv_cell(v) for v in row] for row in rows)
    return rows.count


def write_xlsx(table: TrackerTable, tracker: str, path: Path) -> int:
    """The tracker as the first sheet of a workbook, header bold and frozen; returns rows."""
    # Write-only: rows go straight to the file instead of a cell object per value in memory.
    book = Workbook(write_only=True)
    sheet = tracker_sheet(book, tracker, table.header)
    rows = _Counted(table.rows)
    try:
        for row in rows:
            sheet.append([xlsx_value(sheet, value) for value in row])
    except BaseException:
        # Saving is what removes openpyxl's own temporary copy of the rows (otherwise left
        # until the process ends); the caller then removes the part file. The first error wins.
        with contextlib.suppress(Exception):
            book.save(path)
        raise
    book.save(path)
    return rows.count


WRITERS: dict[str, Writer] = {"csv": write_csv, "xlsx": write_xlsx}
